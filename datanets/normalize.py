"""Text normalization and the content hash that exact-duplicate detection relies on.

The hash is stored on every record and is unique per datanet, so its definition is part of the
data: changing it means rehashing existing records. `HASH_VERSION` is mixed into the hash so that
a future definition can never collide with this one.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from typing import Any

HASH_VERSION = 1

# Invisible characters that editors and web pages leave behind and that carry no meaning.
# ZWJ/ZWNJ (U+200D/U+200C) are kept: emoji sequences and several scripts depend on them.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"))


def normalize_text(s: str) -> str:
    """NFC-normalize, drop invisible characters, collapse every whitespace run to one space, strip.

    Case and punctuation are kept: two texts differing in those are different contributions.
    """
    if not s.isascii():  # ASCII is already NFC and holds none of the invisible characters
        s = unicodedata.normalize("NFC", s).translate(_INVISIBLE)
    # str.split() splits at exactly the characters `\s` matches, and drops leading and trailing runs.
    return " ".join(s.split())


def _normalize_value(value: Any) -> Any:
    if isinstance(value, str):
        return normalize_text(value)
    if isinstance(value, Mapping):
        return {str(key): _normalize_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalize_value(item) for item in value]
    return value


def canonical_form(fields: Mapping[str, Any], text_field: str, *, normalized_text: str | None = None) -> str:
    """The exact string `content_hash` hashes, exposed so a stored hash can be explained.

    Layout: "v<HASH_VERSION>", then the normalized text field, then the other fields as canonical
    JSON (keys sorted, no spaces, non-ASCII kept, every string normalized like the text), separated
    by newlines. The text holds no newline after normalization and JSON escapes its own, so the
    three parts cannot bleed into each other. A missing text field counts as ""; a non-string one
    stays among the other fields, so it still tells records apart. Raises ValueError on NaN or
    infinite numbers, which have no JSON form. `normalized_text`, when the caller has it already,
    must be `normalize_text(fields[text_field])`.
    """
    text = fields.get(text_field)
    if isinstance(text, str):
        rest = {key: value for key, value in fields.items() if key != text_field}
        text = normalize_text(text) if normalized_text is None else normalized_text
    else:
        rest, text = dict(fields), ""
    body = json.dumps(_normalize_value(rest), sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)
    return f"v{HASH_VERSION}\n{text}\n{body}"


def content_hash(fields: Mapping[str, Any], text_field: str, *, normalized_text: str | None = None) -> str:
    """sha256 hex of `canonical_form`: re-uploads differing only in whitespace, Unicode composition
    or key order hash the same; any change of words, case or field values does not."""
    form = canonical_form(fields, text_field, normalized_text=normalized_text)
    return hashlib.sha256(form.encode("utf-8")).hexdigest()
