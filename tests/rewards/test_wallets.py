"""Linking a wallet: a server nonce signed with EIP-191 personal_sign, once, before it expires."""

from datetime import timedelta

import pytest
from django.utils import timezone
from eth_account import Account

from accounts.models import Profile
from rewards import wallets
from rewards.settlement_models import WalletChallenge, WalletProof
from tests.rewards.settlement_fixtures import link_wallet, sign


def wallet_of(user) -> str:
    return Profile.objects.get(user=user).wallet_address


def test_signed_nonce_links_the_checksummed_address(alice):
    wallet = Account.create()
    challenge = wallets.wallet_challenge_create(user=alice)
    assert challenge.nonce in challenge.message and "alice" in challenge.message
    proof = wallets.wallet_link(user=alice, nonce=challenge.nonce, signature=sign(wallet, challenge.message),
                                address=wallet.address.lower())
    assert proof.address == wallet.address  # EIP-55 checksummed, whatever case was typed
    assert wallet_of(alice) == wallet.address


def test_replaying_a_signature_is_refused(alice):
    wallet = Account.create()
    challenge = wallets.wallet_challenge_create(user=alice)
    signature = sign(wallet, challenge.message)
    wallets.wallet_link(user=alice, nonce=challenge.nonce, signature=signature)
    with pytest.raises(wallets.WalletError, match="works once") as exc:
        wallets.wallet_link(user=alice, nonce=challenge.nonce, signature=signature)
    assert exc.value.code == "nonce_used"
    assert WalletProof.objects.filter(user=alice).count() == 1


def test_an_expired_nonce_is_refused(alice):
    wallet = Account.create()
    challenge = wallets.wallet_challenge_create(user=alice)
    WalletChallenge.objects.filter(pk=challenge.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(wallets.WalletError, match="expired"):
        wallets.wallet_link(user=alice, nonce=challenge.nonce, signature=sign(wallet, challenge.message))
    assert wallet_of(alice) == ""


def test_someone_elses_nonce_is_refused(alice, bob):
    wallet = Account.create()
    challenge = wallets.wallet_challenge_create(user=alice)
    with pytest.raises(wallets.WalletError, match="not issued to you"):
        wallets.wallet_link(user=bob, nonce=challenge.nonce, signature=sign(wallet, challenge.message))


def test_changing_the_wallet_needs_a_new_signature(alice):
    first = link_wallet(alice)
    second = Account.create()
    old = WalletProof.objects.get(user=alice).challenge
    # The old message signed by the new wallet is a replay of a used nonce.
    with pytest.raises(wallets.WalletError, match="works once"):
        wallets.wallet_link(user=alice, nonce=old.nonce, signature=sign(second, old.message))
    assert wallet_of(alice) == first.address
    link_wallet(alice, second)
    assert wallet_of(alice) == second.address
    assert list(WalletProof.objects.filter(user=alice).values_list("address", flat=True)) == [second.address,
                                                                                              first.address]


def test_signature_from_another_wallet_than_typed_says_which(alice):
    signer, typed = Account.create(), Account.create()
    challenge = wallets.wallet_challenge_create(user=alice)
    with pytest.raises(wallets.WalletError) as exc:
        wallets.wallet_link(user=alice, nonce=challenge.nonce, signature=sign(signer, challenge.message),
                            address=typed.address)
    assert signer.address in exc.value.message and typed.address in exc.value.message


def test_a_signature_over_other_text_links_someone_else_and_is_caught(alice):
    wallet = Account.create()
    challenge = wallets.wallet_challenge_create(user=alice)
    with pytest.raises(wallets.WalletError, match="not by"):
        wallets.wallet_link(user=alice, nonce=challenge.nonce, signature=sign(wallet, "something else"),
                            address=wallet.address)


def test_garbage_signature_says_what_to_paste(alice):
    challenge = wallets.wallet_challenge_create(user=alice)
    with pytest.raises(wallets.WalletError, match="personal_sign"):
        wallets.wallet_link(user=alice, nonce=challenge.nonce, signature="0x1234")


def test_one_wallet_one_account(alice, bob):
    wallet = link_wallet(alice)
    with pytest.raises(wallets.WalletError, match="another account"):
        link_wallet(bob, wallet)
    assert wallet_of(bob) == ""


def test_api_challenge_then_link(api_as, alice):
    client = api_as(alice)
    assert client.get("/api/v1/wallet/").json() == {"address": "", "linked_at": None}
    body = client.post("/api/v1/wallet/challenge/", {}, format="json").json()
    wallet = Account.create()
    linked = client.post("/api/v1/wallet/link/", {"nonce": body["nonce"], "signature": sign(wallet, body["message"])},
                         format="json")
    assert linked.status_code == 200 and linked.json()["address"] == wallet.address
    again = client.post("/api/v1/wallet/link/", {"nonce": body["nonce"], "signature": sign(wallet, body["message"])},
                        format="json")
    assert again.status_code == 400
    assert "works once" in again.json()["detail"] and again.json()["errors"]["nonce"]


def test_api_needs_login(api):
    assert api.post("/api/v1/wallet/challenge/", {}, format="json").status_code == 401


def test_page_shows_the_message_and_links_the_pasted_signature(client, alice):
    client.force_login(alice)
    page = client.post("/rewards/wallet/challenge/", follow=True)
    challenge = WalletChallenge.objects.get(user=alice)
    html = page.content.decode()
    assert "Nonce: " + challenge.nonce in html and "personal_sign" in html
    wallet = Account.create()
    bad = client.post("/rewards/wallet/", {"nonce": challenge.nonce, "signature": ""})
    assert bad.status_code == 400 and "Paste the signature" in bad.content.decode()
    done = client.post("/rewards/wallet/", {"nonce": challenge.nonce, "signature": sign(wallet, challenge.message)},
                       follow=True)
    assert wallet.address in done.content.decode()
    replay = client.post("/rewards/wallet/", {"nonce": challenge.nonce, "signature": sign(wallet, challenge.message)})
    assert replay.status_code == 400 and "works once" in replay.content.decode()
