"""Ledger invariants: balanced, never overdrawn, immutable, idempotent — also under concurrency."""

import threading

import pytest
from django.db import connection

from rewards import amounts, selectors, services
from rewards.models import Account, LedgerEntry, LedgerTransaction

OPEN = 10**18


@pytest.fixture
def treasury(staff):
    services.treasury_mint(actor=staff, amount=1000 * OPEN, key="mint:seed")
    return services.account_get_or_create(kind=Account.Kind.TREASURY)


def user_account(user) -> Account:
    return services.account_get_or_create(kind=Account.Kind.USER, user=user)


def test_entries_sum_to_zero_and_balances_are_derived(treasury, alice, bob):
    a = user_account(alice)
    services.ledger_post(key="t1", kind="transfer", lines=[(treasury, -30 * OPEN), (a, 30 * OPEN)])
    services.ledger_post(key="t2", kind="transfer", lines=[(a, -12 * OPEN), (user_account(bob), 12 * OPEN)])
    assert selectors.user_balance(user=alice) == 18 * OPEN
    assert selectors.user_balance(user=bob) == 12 * OPEN
    assert selectors.account_balance(account=treasury) == 970 * OPEN
    assert selectors.ledger_total() == 0
    for tx in LedgerTransaction.objects.all():
        assert sum(e.amount for e in tx.entries.all()) == 0


def test_unbalanced_transaction_is_refused(treasury, alice):
    with pytest.raises(services.UnbalancedTransaction, match="sum to zero"):
        services.ledger_post(key="bad", kind="transfer", lines=[(treasury, -5), (user_account(alice), 4)])
    assert not LedgerTransaction.objects.filter(idempotency_key="bad").exists()


def test_amounts_beyond_64_bits_are_exact(staff, alice):
    huge = 10**30 + 123456789  # 10^12 OPEN and some base units
    services.treasury_mint(actor=staff, amount=huge, key="big")
    services.ledger_post(key="big-out", kind="transfer",
                         lines=[(services.account_get_or_create(kind=Account.Kind.TREASURY), -(huge - 1)),
                                (user_account(alice), huge - 1)])
    assert selectors.user_balance(user=alice) == huge - 1
    assert selectors.ledger_total() == 0
    assert selectors.account_balance(account=services.account_get_or_create(kind=Account.Kind.TREASURY)) == 1


@pytest.mark.parametrize("kind", ["user", "pool"])
def test_user_and_pool_balances_never_go_negative(treasury, alice, datanet, kind):
    account = user_account(alice) if kind == "user" else services.account_get_or_create(kind="pool", datanet=datanet)
    services.ledger_post(key="in", kind="transfer", lines=[(treasury, -10), (account, 10)])
    with pytest.raises(services.InsufficientFunds, match="holds"):
        services.ledger_post(key="out", kind="transfer", lines=[(account, -11), (treasury, 11)])
    assert selectors.account_balance(account=account) == 10
    services.ledger_post(key="out-ok", kind="transfer", lines=[(account, -10), (treasury, 10)])
    assert selectors.account_balance(account=account) == 0


def test_entries_and_transactions_are_immutable(treasury):
    tx = LedgerTransaction.objects.get(idempotency_key="mint:seed")
    entry = tx.entries.first()
    entry.amount_hi = 1
    with pytest.raises(RuntimeError, match="immutable"):
        entry.save()
    with pytest.raises(RuntimeError, match="immutable"):
        entry.delete()
    tx.memo = "edited"
    with pytest.raises(RuntimeError, match="immutable"):
        tx.save()
    with pytest.raises(RuntimeError, match="immutable"):
        tx.delete()


def test_repeated_key_returns_the_same_transaction_and_writes_nothing(treasury, alice):
    a = user_account(alice)
    first = services.ledger_post(key="once", kind="transfer", lines=[(treasury, -7), (a, 7)])
    count = LedgerEntry.objects.count()
    again = services.ledger_post(key="once", kind="transfer", lines=[(a, 7), (treasury, -7)])
    assert again.pk == first.pk
    assert LedgerEntry.objects.count() == count
    assert selectors.user_balance(user=alice) == 7


def test_repeated_key_with_other_contents_is_refused(treasury, alice):
    a = user_account(alice)
    services.ledger_post(key="once", kind="transfer", lines=[(treasury, -7), (a, 7)])
    with pytest.raises(services.IdempotencyConflict, match="already used"):
        services.ledger_post(key="once", kind="transfer", lines=[(treasury, -8), (a, 8)])
    with pytest.raises(services.IdempotencyConflict):
        services.ledger_post(key="once", kind="mint", lines=[(treasury, -7), (a, 7)])


def test_corrections_are_reversing_transactions(treasury, alice):
    a = user_account(alice)
    tx = services.ledger_post(key="pay", kind="transfer", lines=[(treasury, -7), (a, 7)])
    reversal = services.ledger_reverse(original=tx, memo="paid by mistake")
    assert reversal.reverses == tx and reversal.kind == "reversal"
    assert services.ledger_reverse(original=tx).pk == reversal.pk  # once only
    assert selectors.user_balance(user=alice) == 0
    assert LedgerEntry.objects.filter(transaction=tx).count() == 2  # the original stands


def test_only_staff_mint(alice):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.treasury_mint(actor=alice, amount=5)


def test_amounts_parse_and_format():
    assert amounts.parse("12.5 OPEN") == 12_500_000_000_000_000_000
    assert amounts.parse("0.000000000000000001") == 1
    assert amounts.format_amount(12_500_000_000_000_000_000) == "12.5 OPEN"
    assert amounts.format_amount(10**30) == "1,000,000,000,000 OPEN"
    assert amounts.format_amount(-1) == "-0.000000000000000001 OPEN"
    for bad in ("abc", "1e-19", "NaN"):
        with pytest.raises(ValueError):
            amounts.parse(bad)
    assert amounts.multiplied(10 * OPEN, score=0.8, floor=0.5, slope=1.0) == 13 * OPEN
    assert amounts.multiplied(10 * OPEN, score=None, floor=0.5, slope=1.0) == 10 * OPEN


@pytest.mark.django_db(transaction=True)
def test_concurrent_debits_of_one_pool_never_overdraw(staff, datanet):
    services.treasury_mint(actor=staff, amount=100, key="seed")
    treasury = services.account_get_or_create(kind=Account.Kind.TREASURY)
    pool = services.account_get_or_create(kind=Account.Kind.POOL, datanet=datanet)
    services.ledger_post(key="fund", kind="fund_pool", lines=[(treasury, -100), (pool, 100)])
    users = [user_account(u) for u in _users(8)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(users))

    def spend(i: int, account: Account) -> None:
        try:
            barrier.wait()
            for j in range(3):  # 8 × 3 × 6 = 144 asked from a pool of 100
                try:
                    services.ledger_post(key=f"spend:{i}:{j}", kind="transfer", lines=[(pool, -6), (account, 6)])
                    outcomes.append("ok")
                except services.InsufficientFunds:
                    outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=spend, args=(i, a)) for i, a in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 16 and outcomes.count("refused") == 8  # 16 × 6 = 96 ≤ 100
    assert selectors.account_balance(account=pool) == 4
    assert selectors.ledger_total() == 0


def _users(n: int):
    from tests.factories import UserFactory

    return [UserFactory(username=f"spender{i}") for i in range(n)]
