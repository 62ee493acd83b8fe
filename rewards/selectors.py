"""Reads of the ledger: balances are sums of entries, never stored."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, Exists, OuterRef, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Concat

from datanets.models import Datanet, Record
from rewards.models import Account, LedgerEntry, LedgerTransaction, RewardPolicy, join_amount


def account_find(*, kind: str, user: Any = None, datanet: Datanet | None = None,
                 ai_model: Any = None) -> Account | None:
    return Account.objects.filter(kind=kind, user=user, datanet=datanet, ai_model=ai_model).first()


def account_balances(*, account_ids: list[int]) -> dict[int, int]:
    """Balance of each account (0 for one without entries), summed in the database."""
    rows = (LedgerEntry.objects.filter(account_id__in=account_ids).values("account_id")
            .annotate(hi=Sum("amount_hi"), lo=Sum("amount_lo")))
    found = {row["account_id"]: join_amount(row["hi"], row["lo"]) for row in rows}
    return {account_id: found.get(account_id, 0) for account_id in account_ids}


def account_balance(*, account: Account | None) -> int:
    if account is None:
        return 0
    return account_balances(account_ids=[account.id])[account.id]


def user_balance(*, user: Any) -> int:
    return account_balance(account=account_find(kind=Account.Kind.USER, user=user))


def pool_balance(*, datanet: Datanet) -> int:
    return account_balance(account=account_find(kind=Account.Kind.POOL, datanet=datanet))


def ledger_total() -> int:
    """The sum of every entry in the ledger: zero, always (a test asserts it)."""
    totals = LedgerEntry.objects.aggregate(hi=Sum("amount_hi"), lo=Sum("amount_lo"))
    return join_amount(totals["hi"], totals["lo"])


def account_history(*, account: Account | None) -> QuerySet[LedgerEntry]:
    if account is None:
        return LedgerEntry.objects.none()
    return (LedgerEntry.objects.filter(account=account)
            .select_related("transaction", "transaction__record", "transaction__datanet")
            .order_by("-transaction__created_at", "-id"))


def user_history(*, user: Any) -> QuerySet[LedgerEntry]:
    return account_history(account=account_find(kind=Account.Kind.USER, user=user))


def entry_reason(entry: LedgerEntry) -> str:
    """Why an entry moved money, in the product's words."""
    tx = entry.transaction
    if tx.kind == LedgerTransaction.Kind.ACCEPTANCE_REWARD and tx.record_id:
        record = tx.record
        if entry.account.user_id and entry.account.user_id == record.contributor_id:
            return f"Your record #{record.id} was accepted in {tx.datanet}"
        return f"Your review of record #{record.id} in {tx.datanet} agreed with the outcome"
    if tx.kind == LedgerTransaction.Kind.USAGE_FEE and entry.account.user_id:
        from rewards.usage_selectors import usage_entry_reason

        return usage_entry_reason(entry)
    if tx.kind == LedgerTransaction.Kind.REVERSAL:
        return f"Reversed: {tx.memo}" if tx.memo else "Reversal"
    return tx.memo or tx.get_kind_display()


@dataclass(frozen=True)
class PolicyAmounts:
    base_reward: int
    multiplier_floor: float
    multiplier_slope: float
    curator_reward: int


def reward_policy_amounts(*, datanet: Datanet) -> PolicyAmounts:
    """The datanet's policy, or the defaults when its owner never changed them."""
    policy = RewardPolicy.objects.filter(datanet=datanet).first() or RewardPolicy(datanet=datanet)
    return PolicyAmounts(int(policy.base_reward), policy.multiplier_floor, policy.multiplier_slope,
                         int(policy.curator_reward))


def records_awaiting_reward(*, datanet: Datanet) -> QuerySet[Record]:
    """Decided records of this datanet that have no reward transaction yet, oldest decision first:
    the queue that accrual works through when the pool has funds again."""
    from curation.models import Appeal  # a record overturned on appeal is paid under its own key

    overturned = Appeal.objects.filter(record=OuterRef("pk"), status=Appeal.Status.OVERTURNED)
    key = Concat(Value("reward:"), Cast("pk", CharField()),
                 Case(When(Exists(overturned), then=Value(":appeal")), default=Value("")), output_field=CharField())
    paid = LedgerTransaction.objects.filter(idempotency_key=OuterRef("reward_key"))
    return (Record.objects.filter(datanet=datanet, status__in=(Record.Status.ACCEPTED, Record.Status.REJECTED))
            .annotate(reward_key=key).exclude(Exists(paid)).order_by("decided_at", "id"))


@dataclass(frozen=True)
class PoolStatus:
    balance: int
    awaiting: int

    @property
    def paused(self) -> bool:
        return self.awaiting > 0


def pool_status(*, datanet: Datanet) -> PoolStatus:
    """The pool's balance and how many decided records wait for it (accrual is paused while any do)."""
    return PoolStatus(balance=pool_balance(datanet=datanet),
                      awaiting=records_awaiting_reward(datanet=datanet).count())
