"""Settlement on the local adapter: batches of balances to wallets, exactly once, with the
hash-chained log, its verify command, retries and reconciliation."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rewards import selectors
from rewards.chain.base import ChainError
from rewards.chain.local import LocalAdapter
from rewards.models import Account, LedgerTransaction
from rewards.reconciliation import settlement_reconcile
from rewards.settlement import settlement_run
from rewards.settlement_models import ReconciliationFlag, SettlementBatch, SettlementLogEntry
from tests.factories import UserFactory
from tests.rewards.settlement_fixtures import OPEN, credit, link_wallet

pytestmark = pytest.mark.django_db


def clearing() -> int:
    return selectors.account_balance(account=selectors.account_find(kind=Account.Kind.CLEARING))


@pytest.fixture
def earners(alice, bob, carol, settings):
    settings.SETTLEMENT_MIN_PAYOUT = "5"
    wallets = {alice: link_wallet(alice), bob: link_wallet(bob)}  # carol has no wallet
    credit(alice, 12 * OPEN, "a")
    credit(bob, 4 * OPEN, "b")  # below the minimum payout
    credit(carol, 50 * OPEN, "c")
    return wallets


def test_run_settles_eligible_balances_once(earners, alice, bob, carol):
    result = settlement_run()
    assert (result.formed, result.submitted, result.confirmed) == (1, 1, 1)
    (batch,) = SettlementBatch.objects.all()
    assert batch.state == "confirmed" and batch.tx_id.startswith("0x") and batch.total_units == 12 * OPEN
    assert [(i.user, i.amount_units) for i in batch.items.all()] == [(alice, 12 * OPEN)]
    assert selectors.user_balance(user=alice) == 0
    assert selectors.user_balance(user=bob) == 4 * OPEN and selectors.user_balance(user=carol) == 50 * OPEN
    assert clearing() == 0 and selectors.ledger_total() == 0
    assert LocalAdapter().balance_of(earners[alice].address) == 12 * OPEN
    again = settlement_run()
    assert again.formed == 0 and SettlementBatch.objects.count() == 1
    assert LocalAdapter().balance_of(earners[alice].address) == 12 * OPEN


def test_formed_batch_moves_money_into_clearing_before_it_is_sent(earners, alice):
    from rewards.settlement import settlement_batches_form

    (batch,) = settlement_batches_form()
    assert batch.state == "pending" and clearing() == 12 * OPEN and selectors.user_balance(user=alice) == 0
    tx = LedgerTransaction.objects.get(idempotency_key=f"settlement:{batch.uid}:form")
    assert tx.kind == "settlement"
    assert settlement_batches_form() == []  # nothing left to pay twice


def test_batches_are_split_at_the_maximum_size(settings, db):
    settings.SETTLEMENT_MIN_PAYOUT = "1"
    settings.SETTLEMENT_MAX_BATCH = 2
    users = [UserFactory(username=f"payee{i}") for i in range(5)]
    for i, user in enumerate(users):
        link_wallet(user)
        credit(user, (i + 1) * OPEN, f"k{i}")
    assert settlement_run().confirmed == 3
    assert sorted(b.recipient_count for b in SettlementBatch.objects.all()) == [1, 2, 2]
    assert LocalAdapter().total_settled() == 15 * OPEN


class FlakyLocal(LocalAdapter):
    """The local log, unreachable for the first `failures` sends."""

    def __init__(self, failures: int) -> None:
        self.failures = failures

    def send_settlement(self, payload):
        if self.failures:
            self.failures -= 1
            raise ChainError("The settlement log is unreachable (simulated).")
        return super().send_settlement(payload)


def test_failed_batch_is_retried_under_the_same_id(earners, alice):
    flaky = FlakyLocal(failures=1)
    first = settlement_run(adapter=flaky)
    (batch,) = SettlementBatch.objects.all()
    assert first.failed == 1 and batch.state == "failed" and "unreachable" in batch.last_error
    assert clearing() == 12 * OPEN  # the money waits in clearing, not back in the balance
    second = settlement_run(adapter=flaky)
    batch.refresh_from_db()
    assert second.formed == 0 and batch.state == "confirmed" and batch.attempts == 2
    assert SettlementLogEntry.objects.get().batch_id == str(batch.chain_batch_id)


class CrashAfterSend(LocalAdapter):
    def send_settlement(self, payload):
        super().send_settlement(payload)
        raise KeyboardInterrupt("the worker died after sending")


def test_crash_after_send_is_recorded_not_resent(earners, settings):
    settings.SETTLEMENT_CLAIM_SECONDS = 0  # the dead worker's claim lapses at once
    with pytest.raises(KeyboardInterrupt):
        settlement_run(adapter=CrashAfterSend())
    (batch,) = SettlementBatch.objects.all()
    assert batch.state == "pending" and SettlementLogEntry.objects.count() == 1
    settlement_run()
    batch.refresh_from_db()
    assert batch.state == "confirmed" and batch.tx_id == SettlementLogEntry.objects.get().hash
    assert SettlementLogEntry.objects.count() == 1


def test_log_refuses_a_repeated_batch_id(earners):
    from rewards.chain.base import BatchAlreadySettled
    from rewards.settlement import batch_payload

    settlement_run()
    with pytest.raises(BatchAlreadySettled):
        LocalAdapter().send_settlement(batch_payload(SettlementBatch.objects.get()))


def test_verify_settlement_log_passes_then_catches_an_edit(earners, bob, settings):
    settlement_run()
    settings.SETTLEMENT_MIN_PAYOUT = "1"
    settlement_run()  # bob's 4 OPEN: a second row chained to the first
    out = io.StringIO()
    call_command("verify_settlement_log", stdout=out)
    assert "OK: 2 row(s)" in out.getvalue() and "16 OPEN settled" in out.getvalue()
    first = SettlementLogEntry.objects.order_by("id").first()
    recipients = [[first.recipients[0][0], str(1000 * OPEN)]]
    SettlementLogEntry.objects.filter(pk=first.pk).update(recipients=recipients, total=str(1000 * OPEN))
    err = io.StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("verify_settlement_log", stdout=io.StringIO(), stderr=err)
    assert "edited" in err.getvalue() and "the ledger" in err.getvalue()


def test_reconciliation_flags_a_difference_and_staff_see_it(earners, client, staff):
    settlement_run()
    assert settlement_reconcile() == []
    row = SettlementLogEntry.objects.get()
    SettlementLogEntry.objects.filter(pk=row.pk).update(total=str(13 * OPEN))
    flags = settlement_reconcile()
    kinds = {f.kind for f in flags}
    assert {"total_mismatch", "supply_mismatch", "log_broken"} <= kinds
    assert settlement_reconcile()[0].first_seen_at  # a second run keeps the same open flags
    assert ReconciliationFlag.objects.filter(resolved_at__isnull=True).count() == len(flags)
    client.force_login(staff)
    page = client.get("/rewards/settlements/").content.decode()
    assert "Batch total differs" in page and "13 OPEN" in page
    SettlementLogEntry.objects.filter(pk=row.pk).update(total=row.total)
    assert settlement_reconcile() == []
    assert not ReconciliationFlag.objects.filter(resolved_at__isnull=True).exists()


def test_staff_run_button_and_api(earners, client, staff, alice, api_as):
    client.force_login(staff)
    page = client.post("/rewards/settlements/run/", follow=True).content.decode()
    assert "1 batch formed, 1 submitted, 1 confirmed" in page
    assert api_as(staff).post("/api/v1/settlements/run/", {}, format="json").json()["formed"] == 0
    assert api_as(alice).post("/api/v1/settlements/run/", {}, format="json").status_code == 403
    client.force_login(alice)
    assert client.get("/rewards/settlements/").status_code == 403
    assert client.post("/rewards/settlements/run/").status_code == 403


def test_user_sees_settlement_and_downloads_their_proof(earners, client, alice, bob):
    settlement_run()
    batch = SettlementBatch.objects.get()
    client.force_login(alice)
    page = client.get("/rewards/").content.decode()
    assert "Settled to your wallet" in page and batch.tx_id[:10] in page and "Download JSON" in page
    response = client.get(f"/rewards/settlements/{batch.uid}/proof/")
    assert response["Content-Disposition"].startswith("attachment")
    proof = json.loads(response.content)
    assert proof["account"] == earners[alice].address and proof["amount"] == str(12 * OPEN)
    assert proof["merkle_root"] == batch.merkle_root and proof["proof"] == []
    client.force_login(bob)
    assert client.get(f"/rewards/settlements/{batch.uid}/proof/").status_code == 404
    assert "Link a wallet" not in client.get("/rewards/").content.decode()


def test_api_lists_settlements_with_proof_urls(earners, api_as, alice, bob):
    settlement_run()
    page = api_as(alice).get("/api/v1/settlements/").json()
    assert page["next"] is None and page["previous"] is None  # a cursor list, like the ledger history
    (item,) = page["results"]
    assert item["state"] == "confirmed" and item["amount_display"] == "12 OPEN"
    proof = api_as(alice).get(item["proof_url"]).json()
    assert proof["index"] == 0 and proof["account"] == earners[alice].address
    assert api_as(bob).get(item["proof_url"]).status_code == 404


def test_admin_action_settles_selected_batches(earners, client):
    from django.contrib.auth import get_user_model

    from rewards.settlement import settlement_batches_form

    (batch,) = settlement_batches_form()
    root = get_user_model().objects.create_superuser("root", "root@example.org", "pw-not-used-elsewhere")
    client.force_login(root)
    response = client.post("/admin/rewards/settlementbatch/", {"action": "settle_now", "_selected_action": [batch.pk]},
                           follow=True)
    batch.refresh_from_db()
    assert batch.state == "confirmed" and f"#{batch.pk} confirmed" in response.content.decode()


def test_beat_runs_settlement_and_reconciliation(earners, settings):
    from rewards import tasks

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"rewards.settlement_run", "rewards.settlement_reconcile"} <= schedule
    assert tasks.settlement_run.delay().get() == "1 batch formed, 1 submitted, 1 confirmed, 0 failed"
    assert tasks.settlement_reconcile.delay().get() == 0


def test_a_batch_claimed_by_another_worker_is_not_sent_twice(earners):
    from datetime import timedelta

    from django.utils import timezone

    from rewards.settlement import settlement_batch_submit, settlement_batches_form

    (batch,) = settlement_batches_form()
    SettlementBatch.objects.filter(pk=batch.pk).update(claimed_until=timezone.now() + timedelta(minutes=5))
    assert settlement_batch_submit(batch=batch).state == "pending"
    assert not SettlementLogEntry.objects.exists()


def test_wallet_changed_after_forming_keeps_the_batch_address(earners, alice):
    from rewards.settlement import settlement_batches_form

    (batch,) = settlement_batches_form()
    link_wallet(alice)  # a new wallet, after the batch was formed
    settlement_run()
    assert LocalAdapter().balance_of(earners[alice].address) == 12 * OPEN


def test_dashboard_invites_a_user_without_wallet_to_link_one(client, carol):
    client.force_login(carol)
    page = client.get("/rewards/").content.decode()
    assert "Link a wallet" in page and "No settlements yet" in page
