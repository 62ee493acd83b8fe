"""Settlement: paying ledger balances out to wallets, in batches, through the chain adapter.

What callers may rely on:

- `settlement_batches_form` takes every user balance at or above SETTLEMENT_MIN_PAYOUT whose
  owner has a linked wallet and moves it, in one SETTLEMENT ledger transaction per batch, from
  the user into settlement clearing. From then on the money cannot be spent or settled again.
- `settlement_batch_submit` sends a pending or failed batch, exactly once: it claims the batch
  (a lease, so two workers never send it at the same time), asks the chain whether the batch id
  is settled and, if it is (a worker died after sending), records that transaction instead of
  sending another. The chain refuses a repeated batch id as a last line of defence.
- `settlement_batch_refresh` confirms a submitted batch after SETTLEMENT_CONFIRMATIONS blocks
  and then moves its total out of clearing (to issuance: the tokens now exist on the chain,
  not in the ledger); a reverted or vanished transaction marks the batch failed, to be retried
  under the same batch id.
- `settlement_run` does all three; the beat task and the staff button call it.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from datanets.audit import audit_log
from rewards import amounts, selectors
from rewards.chain import BatchAlreadySettled, BatchPayload, ChainAdapter, ChainError, TxStatus, get_adapter
from rewards.models import Account, LedgerTransaction
from rewards.services import account_get_or_create, ledger_post
from rewards.settlement_merkle import Leaf, MerkleTree
from rewards.settlement_models import SettlementBatch, SettlementItem
from webhooks.services import webhook_emit_to_user

State = SettlementBatch.State


def min_payout() -> int:
    return max(1, amounts.parse(settings.SETTLEMENT_MIN_PAYOUT))


def batch_tree(batch: SettlementBatch) -> MerkleTree:
    return MerkleTree([Leaf(item.index, item.address, item.amount_units) for item in batch.items.order_by("index")])


def batch_payload(batch: SettlementBatch) -> BatchPayload:
    items = batch.items.order_by("index")
    return BatchPayload(batch_id=batch.chain_batch_id, merkle_root=bytes.fromhex(batch.merkle_root[2:]),
                        recipients=tuple((item.address, item.amount_units) for item in items))


def _eligible(minimum: int) -> list[tuple[Account, int]]:
    accounts = list(Account.objects.filter(kind=Account.Kind.USER, user__is_active=True,
                                           user__profile__wallet_address__startswith="0x")
                    .select_related("user__profile").order_by("id"))
    balances = selectors.account_balances(account_ids=[a.id for a in accounts])
    return [(account, balances[account.id]) for account in accounts if balances[account.id] >= minimum]


def settlement_batches_form(*, actor: Any = None, adapter_name: str | None = None) -> list[SettlementBatch]:
    """Form batches of at most SETTLEMENT_MAX_BATCH recipients from every eligible balance."""
    minimum = min_payout()
    adapter_name = adapter_name or settings.CHAIN_ADAPTER
    clearing = account_get_or_create(kind=Account.Kind.CLEARING)
    batches = []
    with transaction.atomic():
        # One former at a time: the balances read below are the ones moved.
        Account.objects.select_for_update().filter(pk=clearing.pk).first()
        eligible = _eligible(minimum)
        size = max(1, settings.SETTLEMENT_MAX_BATCH)
        for start in range(0, len(eligible), size):
            chunk = eligible[start:start + size]
            total = sum(amount for _, amount in chunk)
            tree = MerkleTree([Leaf(i, account.user.profile.wallet_address, amount)
                               for i, (account, amount) in enumerate(chunk)])
            batch = SettlementBatch.objects.create(adapter=adapter_name, merkle_root="0x" + tree.root.hex(),
                                                   total=str(total), recipient_count=len(chunk), created_by=actor
                                                   if getattr(actor, "pk", None) else None)
            SettlementItem.objects.bulk_create([
                SettlementItem(batch=batch, index=i, user=account.user, address=account.user.profile.wallet_address,
                               amount=str(amount)) for i, (account, amount) in enumerate(chunk)])
            # Under the lock the balances cannot have moved; if they did, InsufficientFunds rolls it all back.
            ledger_post(key=f"settlement:{batch.uid}:form", kind=LedgerTransaction.Kind.SETTLEMENT, actor=actor,
                        lines=[*((account, -amount) for account, amount in chunk), (clearing, total)],
                        memo=f"Settlement #{batch.pk}: {amounts.format_amount(total)} paid out to {len(chunk)} wallet"
                             f"{'s' if len(chunk) != 1 else ''}")
            audit_log(actor=actor, action="settlement.form", target=batch,
                      data={"total": str(total), "recipients": len(chunk), "merkle_root": batch.merkle_root,
                            "adapter": adapter_name})
            batches.append(batch)
    return batches


def _transition(batch: SettlementBatch, state: str, *, actor: Any = None, reason: str = "", **fields: Any) -> None:
    previous = batch.state
    batch.state = state
    for name, value in fields.items():
        setattr(batch, name, value)
    batch.save(update_fields=["state", *fields])
    audit_log(actor=actor, action=f"settlement.{state}", target=batch, reason=reason,
              data={"from": previous, "tx_id": batch.tx_id, "attempts": batch.attempts})


def _claim(batch: SettlementBatch) -> bool:
    now = timezone.now()
    return bool(SettlementBatch.objects.filter(pk=batch.pk, state__in=(State.PENDING, State.FAILED))
                .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
                .update(claimed_until=now + timedelta(seconds=settings.SETTLEMENT_CLAIM_SECONDS)))


def settlement_batch_submit(*, batch: SettlementBatch, adapter: ChainAdapter | None = None,
                            actor: Any = None) -> SettlementBatch:
    """Send a pending or failed batch (see the module docstring). Returns the batch as it is now."""
    if not _claim(batch):
        batch.refresh_from_db()
        return batch
    batch.refresh_from_db()
    attempts = batch.attempts + 1
    try:
        adapter = adapter or get_adapter(batch.adapter)
        payload = batch_payload(batch)
        if adapter.is_settled(payload.batch_id):
            tx_id, how = adapter.find_settlement(payload.batch_id) or "", "found already settled on the chain"
        else:
            try:
                tx_id, how = adapter.send_settlement(payload), "sent"
            except BatchAlreadySettled:
                tx_id = adapter.find_settlement(payload.batch_id)
                if tx_id is None:
                    raise ChainError("An earlier attempt's transaction is on its way; "
                                     "the next run records it when it is mined.") from None
                how = "found already settled on the chain"
    except ChainError as exc:
        _transition(batch, State.FAILED, actor=actor, reason=exc.message, attempts=attempts, last_error=exc.message,
                    claimed_until=None)
        return batch
    _transition(batch, State.SUBMITTED, actor=actor, reason=how, tx_id=tx_id, attempts=attempts, last_error="",
                submitted_at=timezone.now(), claimed_until=None)
    return batch


def _confirm(batch: SettlementBatch, actor: Any = None) -> None:
    clearing = account_get_or_create(kind=Account.Kind.CLEARING)
    issuance = account_get_or_create(kind=Account.Kind.ISSUANCE)
    with transaction.atomic():
        if not SettlementBatch.objects.filter(pk=batch.pk, state=State.SUBMITTED).update(state=State.CONFIRMED):
            batch.refresh_from_db()
            return
        batch.state = State.SUBMITTED  # for the audit record's "from"
        ledger_post(key=f"settlement:{batch.uid}:confirm", kind=LedgerTransaction.Kind.SETTLEMENT, actor=actor,
                    lines=[(clearing, -batch.total_units), (issuance, batch.total_units)],
                    memo=f"Settlement #{batch.pk} confirmed on {batch.adapter}: "
                         f"{amounts.format_amount(batch.total_units)} left the ledger ({batch.tx_id})")
        _transition(batch, State.CONFIRMED, actor=actor, confirmed_at=timezone.now())
        for item in batch.items.select_related("user"):
            webhook_emit_to_user(event="settlement.confirmed", user=item.user, payload={
                "batch": batch.pk, "batch_uid": str(batch.uid), "adapter": batch.adapter, "tx_id": batch.tx_id,
                "merkle_root": batch.merkle_root, "index": item.index, "address": item.address,
                "amount": item.amount})


def settlement_batch_refresh(*, batch: SettlementBatch, adapter: ChainAdapter | None = None,
                             actor: Any = None) -> SettlementBatch:
    """Confirm a submitted batch once its transaction has enough confirmations, or mark it failed."""
    if batch.state != State.SUBMITTED:
        return batch
    try:
        adapter = adapter or get_adapter(batch.adapter)
        if batch.tx_id:
            status = adapter.tx_status(batch.tx_id)
        else:  # settled by a transaction the chain no longer lists: the settlement itself is the proof
            status = TxStatus("success", final=True) if adapter.is_settled(batch.chain_batch_id) else TxStatus("unknown")
        if status.confirmed(settings.SETTLEMENT_CONFIRMATIONS):
            _confirm(batch, actor)
        elif status.state in ("reverted", "unknown"):
            if adapter.is_settled(batch.chain_batch_id):  # settled by another attempt's transaction
                tx_id = adapter.find_settlement(batch.chain_batch_id) or ""
                batch.tx_id = tx_id
                batch.save(update_fields=["tx_id"])
                audit_log(actor=actor, action="settlement.adopt", target=batch, data={"tx_id": tx_id})
            else:
                message = f"Transaction {batch.tx_id} {'reverted' if status.state == 'reverted' else 'was dropped'}."
                _transition(batch, State.FAILED, actor=actor, reason=message, last_error=message)
    except ChainError as exc:
        batch.last_error = exc.message
        batch.save(update_fields=["last_error"])
    return batch


@dataclass(frozen=True)
class RunResult:
    formed: int
    submitted: int
    confirmed: int
    failed: int

    def __str__(self) -> str:
        return (f"{self.formed} batch{'es' if self.formed != 1 else ''} formed, {self.submitted} submitted, "
                f"{self.confirmed} confirmed, {self.failed} failed")


def settlement_run(*, actor: Any = None, adapter: ChainAdapter | None = None) -> RunResult:
    """Form new batches, send pending ones, retry failed ones and confirm submitted ones."""
    formed = settlement_batches_form(actor=actor, adapter_name=adapter.name if adapter else None)
    submitted = confirmed = failed = 0
    for batch in SettlementBatch.objects.filter(state__in=(State.PENDING, State.FAILED)).order_by("id"):
        batch = settlement_batch_submit(batch=batch, adapter=adapter, actor=actor)
        submitted += batch.state == State.SUBMITTED
    for batch in SettlementBatch.objects.filter(state=State.SUBMITTED).order_by("id"):
        batch = settlement_batch_refresh(batch=batch, adapter=adapter, actor=actor)
        confirmed += batch.state == State.CONFIRMED
    failed = SettlementBatch.objects.filter(state=State.FAILED).count()
    return RunResult(formed=len(formed), submitted=submitted, confirmed=confirmed, failed=failed)
