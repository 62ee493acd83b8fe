"""Demo wallets for `make run`: keys derived from the username, linked through the real
challenge-and-signature flow, so a staff user can run a settlement on the demo at once.
Demo only: anyone can derive these keys."""

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak

from accounts.models import Profile
from rewards import wallets


def demo_wallet_link(*, user) -> str:
    """Link the user's demo wallet unless they already have one; returns the linked address."""
    current = Profile.objects.filter(user=user).values_list("wallet_address", flat=True).first()
    if current:
        return current
    account = Account.from_key(keccak(f"datanets-demo-wallet:{user.get_username()}".encode()))
    challenge = wallets.wallet_challenge_create(user=user)
    signature = account.sign_message(encode_defunct(text=challenge.message)).signature.hex()
    return wallets.wallet_link(user=user, nonce=challenge.nonce, signature=signature).address
