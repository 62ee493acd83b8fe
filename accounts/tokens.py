"""API token secrets: generation and hashing. Pure; no database."""

import hashlib
import secrets

TOKEN_PREFIX = "dn_"


def token_generate() -> tuple[str, str]:
    """Return (raw token, lookup prefix). The raw token is shown to the user once."""
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return raw, prefix


def token_hash(raw: str) -> str:
    # The secret has 256 bits of entropy, so a fast hash is enough (no salt or KDF needed).
    return hashlib.sha256(raw.encode()).hexdigest()
