"""Reconciliation: compare what the ledger says was settled with what the chain says.

Each difference becomes an open `ReconciliationFlag` (one per batch and kind, updated while it
persists) that staff see on the settlements page and in the admin; a flag whose difference is
gone on a later run is resolved. Nothing is corrected automatically: a person decides.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from rewards import amounts, selectors
from rewards.chain import ChainAdapter, ChainError, get_adapter
from rewards.models import Account, LedgerEntry, LedgerTransaction, join_amount
from rewards.settlement_models import ReconciliationFlag, SettlementBatch

Kind = ReconciliationFlag.Kind
State = SettlementBatch.State


@dataclass(frozen=True)
class Difference:
    kind: str
    detail: str
    batch: SettlementBatch | None = None
    ledger_value: str = ""
    chain_value: str = ""


def _confirmed_in_ledger() -> int:
    """What the ledger moved out of clearing on confirmations (all adapters)."""
    entries = LedgerEntry.objects.filter(transaction__kind=LedgerTransaction.Kind.SETTLEMENT,
                                         transaction__idempotency_key__endswith=":confirm",
                                         account__kind=Account.Kind.ISSUANCE)
    return sum(join_amount(e.amount_hi, e.amount_lo) for e in entries)


def _differences(adapter: ChainAdapter) -> list[Difference]:
    found: list[Difference] = []
    expected_on_chain = 0
    for batch in SettlementBatch.objects.filter(adapter=adapter.name).order_by("id"):
        chain = adapter.settled_batch(batch.chain_batch_id)
        if chain is None:
            if batch.state == State.CONFIRMED:
                found.append(Difference(Kind.MISSING_ON_CHAIN, f"Settlement #{batch.pk} is confirmed in the ledger, "
                                        "but the chain has no such batch.", batch, batch.total, "0"))
            continue
        if batch.state in (State.CONFIRMED, State.SUBMITTED):
            expected_on_chain += batch.total_units
        else:
            found.append(Difference(Kind.NOT_RECORDED, f"Settlement #{batch.pk} is {batch.state} in the ledger but "
                                    "settled on the chain; the next settlement run records it.", batch,
                                    batch.state, "settled"))
            expected_on_chain += batch.total_units
        if chain.total != batch.total_units:
            found.append(Difference(Kind.TOTAL_MISMATCH, f"Settlement #{batch.pk} totals "
                                    f"{amounts.format_amount(batch.total_units)} in the ledger and "
                                    f"{amounts.format_amount(chain.total)} on the chain.", batch,
                                    batch.total, str(chain.total)))
        if "0x" + chain.merkle_root.hex() != batch.merkle_root:
            found.append(Difference(Kind.ROOT_MISMATCH, f"Settlement #{batch.pk}'s Merkle root differs.", batch,
                                    batch.merkle_root, "0x" + chain.merkle_root.hex()))
    on_chain = adapter.total_settled()
    if on_chain != expected_on_chain:
        found.append(Difference(Kind.SUPPLY_MISMATCH, f"The chain holds {amounts.format_amount(on_chain)} settled "
                                f"through {adapter.name}; the ledger's batches account for "
                                f"{amounts.format_amount(expected_on_chain)}.", None,
                                str(expected_on_chain), str(on_chain)))
    if adapter.name == "local":
        from rewards.chain.local import verify_log

        for problem in verify_log()[2]:
            found.append(Difference(Kind.LOG_BROKEN, problem.message))
    return found


def _ledger_differences() -> list[Difference]:
    found = []
    open_total = sum(b.total_units for b in SettlementBatch.objects.exclude(state=State.CONFIRMED))
    clearing = selectors.account_balance(account=selectors.account_find(kind=Account.Kind.CLEARING))
    if clearing != open_total:
        found.append(Difference(Kind.LEDGER_MISMATCH, f"Settlement clearing holds {amounts.format_amount(clearing)}; "
                                f"unconfirmed batches total {amounts.format_amount(open_total)}.", None,
                                str(clearing), str(open_total)))
    confirmed_total = sum(b.total_units for b in SettlementBatch.objects.filter(state=State.CONFIRMED))
    left = _confirmed_in_ledger()
    if left != confirmed_total:
        found.append(Difference(Kind.LEDGER_MISMATCH, f"Confirmations moved {amounts.format_amount(left)} out of "
                                f"clearing; confirmed batches total {amounts.format_amount(confirmed_total)}.", None,
                                str(confirmed_total), str(left)))
    return found


def settlement_reconcile(*, adapter: ChainAdapter | None = None, actor: Any = None) -> list[ReconciliationFlag]:
    """Compare ledger and chain; returns the flags open after this run."""
    try:
        adapter = adapter or get_adapter()
        found = _differences(adapter) + _ledger_differences()
        name = adapter.name
    except ChainError as exc:
        name = getattr(adapter, "name", "") or "unknown"
        found = [Difference(Kind.CHAIN_UNREACHABLE, exc.message)]
    now = timezone.now()
    seen = []
    with transaction.atomic():
        for diff in found:
            # A batch's flag is one per kind; a flag without a batch is one per wording.
            same = {"batch": diff.batch} if diff.batch is not None else {"batch": None, "detail": diff.detail}
            flag = ReconciliationFlag.objects.filter(adapter=name, kind=diff.kind, resolved_at__isnull=True,
                                                     **same).first()
            if flag is None:
                flag = ReconciliationFlag.objects.create(adapter=name, kind=diff.kind, batch=diff.batch,
                                                         detail=diff.detail, ledger_value=diff.ledger_value,
                                                         chain_value=diff.chain_value, last_seen_at=now)
            else:
                flag.detail, flag.ledger_value, flag.chain_value, flag.last_seen_at = (
                    diff.detail, diff.ledger_value, diff.chain_value, now)
                flag.save(update_fields=["detail", "ledger_value", "chain_value", "last_seen_at"])
            seen.append(flag.pk)
        (ReconciliationFlag.objects.filter(adapter=name, resolved_at__isnull=True).exclude(pk__in=seen)
         .update(resolved_at=now))
    return list(ReconciliationFlag.objects.filter(pk__in=seen))
