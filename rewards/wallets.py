"""Linking an EVM wallet to a user: the server issues a nonce inside a message, the user signs
it with their wallet (EIP-191 personal_sign) and pastes the signature back.

What callers may rely on: a challenge is used at most once (also under concurrent submits),
only by the user it was issued to and only before it expires; the stored address is the one
recovered from the signature, EIP-55 checksummed; changing the wallet takes a new challenge and
a new signature; one wallet belongs to one account. Settlement pays `Profile.wallet_address`.
"""

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import is_address, to_checksum_address

from accounts.models import Profile
from datanets.audit import audit_log
from rewards.settlement_models import WalletChallenge, WalletProof


class WalletError(Exception):
    def __init__(self, message: str, code: str, field: str = "signature") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def challenge_message(*, username: str, nonce: str, expires_at: Any) -> str:
    return (
        "Datanets: link this wallet to my account.\n\n"
        f"Account: {username}\n"
        f"Nonce: {nonce}\n"
        f"Expires: {expires_at:%Y-%m-%d %H:%M:%S} UTC\n\n"
        "Signing proves that you control the wallet. It is not a transaction and costs nothing."
    )


def wallet_challenge_create(*, user: Any) -> WalletChallenge:
    """A new nonce and the exact message to sign; valid for WALLET_CHALLENGE_SECONDS."""
    nonce = secrets.token_hex(16)
    expires_at = timezone.now() + timedelta(seconds=settings.WALLET_CHALLENGE_SECONDS)
    return WalletChallenge.objects.create(
        user=user, nonce=nonce, expires_at=expires_at,
        message=challenge_message(username=user.get_username(), nonce=nonce, expires_at=expires_at))


def _recover(message: str, signature: str) -> str:
    sig = signature.strip()
    if not sig.startswith("0x"):
        sig = "0x" + sig
    try:
        return to_checksum_address(Account.recover_message(encode_defunct(text=message), signature=sig))
    except Exception:
        raise WalletError("That is not a valid signature. Sign the message exactly as shown (personal_sign) and "
                          "paste the whole 0x… signature your wallet returns.", "bad_signature") from None


def wallet_link(*, user: Any, nonce: str, signature: str, address: str = "") -> WalletProof:
    """Verify the signature over the challenge's message and link the recovered address."""
    challenge = WalletChallenge.objects.filter(nonce=nonce.strip()).first()
    if challenge is None or challenge.user_id != user.pk:
        raise WalletError("This nonce was not issued to you. Get a new message to sign and try again.",
                          "unknown_nonce", "nonce")
    if challenge.used_at is not None:
        raise WalletError("This message was already used to link a wallet; a signature works once. "
                          "Get a new message to sign.", "nonce_used", "nonce")
    if challenge.expires_at <= timezone.now():
        raise WalletError("This message expired. Get a new message to sign and sign it within "
                          f"{settings.WALLET_CHALLENGE_SECONDS // 60} minutes.", "nonce_expired", "nonce")
    recovered = _recover(challenge.message, signature)
    if address.strip():
        if not is_address(address.strip()):
            raise WalletError(f"{address.strip()!r} is not an EVM address (0x and 40 hex digits).", "bad_address",
                              "address")
        if to_checksum_address(address.strip()) != recovered:
            raise WalletError(f"The signature was made by {recovered}, not by {to_checksum_address(address.strip())}. "
                              "Sign with the wallet you want to link.", "address_mismatch", "address")
    with transaction.atomic():
        # Claim the nonce: of two concurrent submits only one updates the row.
        if not WalletChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True).update(used_at=timezone.now()):
            raise WalletError("This message was already used to link a wallet; a signature works once. "
                              "Get a new message to sign.", "nonce_used", "nonce")
        taken = Profile.objects.filter(wallet_address__iexact=recovered).exclude(user=user).exists()
        if taken:
            raise WalletError(f"{recovered} is already linked to another account. Link a wallet of your own.",
                              "wallet_taken", "signature")
        profile, _ = Profile.objects.get_or_create(user=user)
        previous = profile.wallet_address
        try:
            proof = WalletProof.objects.create(user=user, address=recovered, challenge=challenge,
                                               signature=signature.strip())
        except IntegrityError:
            raise WalletError("This message was already used to link a wallet. Get a new message to sign.",
                              "nonce_used", "nonce") from None
        profile.wallet_address = recovered
        profile.save(update_fields=["wallet_address"])
        audit_log(actor=user, action="wallet.link", target=user,
                  data={"address": recovered, "previous": previous, "nonce": challenge.nonce})
    return proof
