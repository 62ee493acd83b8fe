"""Usage events: attributed, paid in one balanced transaction, idempotent, refused without funds."""

import pytest

from datanets.models import Record
from rewards import selectors
from rewards.models import AttributionProof, LedgerTransaction, UsageEvent
from rewards.services import InsufficientFunds
from rewards.usage import UsageConflict, usage_post
from tests.rewards.attribution_world import BOB_TEXTS, DAVE_TEXTS, OPEN, build_world


@pytest.fixture
def world(alice, bob, carol, staff, django_capture_on_commit_callbacks):
    return build_world(alice, bob, carol, staff)


def balances(*users) -> list[int]:
    return [selectors.user_balance(user=u) for u in users]


def test_quoting_a_record_pays_its_contributor_most(world):
    output = f"Here is what to do. {BOB_TEXTS[1]} Then see a doctor if it blisters."
    event, created = usage_post(ai_model=world.model, actor=world.alice, idempotency_key="q1", output=output,
                                fee=10 * OPEN)
    assert created
    body = event.attribution.body
    top = body["records"][0]
    assert top["record"] == world.records[BOB_TEXTS[1]].pk and top["contributor"] == "bob"
    assert top["span"]["text"] == BOB_TEXTS[1].rstrip(".") and top["lexical"] == "1.000000"
    assert sum(int(r["weight"]) for r in body["records"]) == 10**9
    # Default split: 20% owner, 60% contributors, 15% datanet owner + curators, 5% treasury.
    bob_gets, dave_gets = balances(world.bob, world.dave)
    assert bob_gets + dave_gets == 6 * OPEN and bob_gets > 4 * OPEN
    tx = event.transaction
    assert tx.kind == LedgerTransaction.Kind.USAGE_FEE
    assert sum(e.amount for e in tx.entries.all()) == 0
    assert selectors.ledger_total() == 0


def test_repeating_the_key_charges_nothing_and_a_different_body_conflicts(world):
    first, _ = usage_post(ai_model=world.model, actor=world.alice, idempotency_key="k", output=DAVE_TEXTS[0],
                          fee=OPEN)
    before = LedgerTransaction.objects.count()
    again, created = usage_post(ai_model=world.model, actor=world.alice, idempotency_key="k", output=DAVE_TEXTS[0],
                                fee=OPEN)
    assert again.pk == first.pk and not created and LedgerTransaction.objects.count() == before
    with pytest.raises(UsageConflict, match="different output"):
        usage_post(ai_model=world.model, actor=world.alice, idempotency_key="k", output="something else", fee=OPEN)
    assert UsageEvent.objects.count() == AttributionProof.objects.count() == 1


def test_insufficient_prepaid_balance_writes_nothing(world):
    with pytest.raises(InsufficientFunds, match="prepaid"):
        usage_post(ai_model=world.model, actor=world.alice, idempotency_key="big", output=DAVE_TEXTS[1],
                   fee=1000 * OPEN)
    assert not UsageEvent.objects.exists()


def test_unrelated_output_pays_no_record_and_funds_the_pool(world):
    event, _ = usage_post(ai_model=world.model, actor=world.alice, idempotency_key="u",
                          output="The quarterly tax return for a small business is due at the end of April.",
                          fee=10 * OPEN)
    body = event.attribution.body
    assert body["attributed"] is False and body["records"] == []
    assert balances(world.bob, world.dave) == [0, 0]
    assert selectors.pool_balance(datanet=world.datanet) == 6 * OPEN


def test_a_record_taken_down_is_not_paid(world):
    record = world.records[BOB_TEXTS[2]]
    Record.objects.filter(pk=record.pk).update(status=Record.Status.REMOVED)
    event, _ = usage_post(ai_model=world.model, actor=world.alice, idempotency_key="t", output=BOB_TEXTS[2],
                          fee=OPEN)
    assert record.pk not in [r["record"] for r in event.attribution.body["records"]]


@pytest.mark.django_db(transaction=True)
def test_concurrent_repeats_of_one_key_charge_once(alice, bob, carol, staff):
    import threading

    from django.db import connection

    world = build_world(alice, bob, carol, staff, prepay=3 * OPEN)
    results: list[str] = []
    barrier = threading.Barrier(4)

    def post(fee_tokens: int, key: str) -> None:
        try:
            barrier.wait()
            try:
                event, created = usage_post(ai_model=world.model, actor=world.alice, idempotency_key=key,
                                            output=BOB_TEXTS[0], fee=fee_tokens * OPEN)
                results.append(f"{key}:{'created' if created else 'repeat'}")
            except InsufficientFunds:
                results.append(f"{key}:refused")
        finally:
            connection.close()

    # Two requests repeat one key; two others with their own keys race for what is left (3 OPEN).
    threads = [threading.Thread(target=post, args=args) for args in ((1, "same"), (1, "same"), (2, "x"), (2, "y"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r for r in results if r.startswith("same")) == ["same:created", "same:repeat"]
    assert sorted(r.split(":")[1] for r in results if not r.startswith("same")) == ["created", "refused"]
    assert UsageEvent.objects.count() == AttributionProof.objects.count() == 2
    assert selectors.account_balance(account=world.model.ledger_accounts.get()) == 0
    assert selectors.ledger_total() == 0
