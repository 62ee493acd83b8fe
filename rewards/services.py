"""Every write to the ledger: posting balanced transactions, funding, rewards and their reversal.

`ledger_post` is the only place entries are written. What callers may rely on:

- every transaction's entries sum to zero (else `UnbalancedTransaction`, nothing written);
- user, pool and treasury balances never go below zero, also with concurrent writers: the
  debited account rows are locked (`SELECT … FOR UPDATE`, in id order so two postings never
  deadlock) before their balance is summed; on SQLite every transaction is IMMEDIATE, which
  serialises writers the same way;
- an idempotency key is used once: repeating it with the same kind and legs returns the
  transaction already written and writes nothing; repeating it with other contents raises
  `IdempotencyConflict`.

Rewards for a reviewed record are one transaction keyed ``reward:<record id>`` (contributor and
agreeing curators together), so a record is paid exactly once whoever calls and however often.
When the pool cannot pay, nothing is written and the record stays in
`selectors.records_awaiting_reward`: accrual is paused, the datanet page says so, and
`pool_fund` (or the `rewards.accrue_pending` task) pays the queue oldest first once funds arrive.
"""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from curation.models import Review
from datanets import permissions
from datanets.audit import audit_log
from datanets.models import Datanet, Record
from rewards import amounts, selectors
from rewards.models import Account, LedgerEntry, LedgerTransaction, RewardPolicy, split_amount
from webhooks import payloads
from webhooks.services import webhook_emit

Kind = LedgerTransaction.Kind


class LedgerError(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class UnbalancedTransaction(LedgerError):
    def __init__(self, message: str) -> None:
        super().__init__(message, "unbalanced")


class InsufficientFunds(LedgerError):
    def __init__(self, message: str, account: Account | None = None) -> None:
        super().__init__(message, "insufficient_funds")
        self.account = account


class IdempotencyConflict(LedgerError):
    def __init__(self, message: str) -> None:
        super().__init__(message, "idempotency_conflict")


def account_get_or_create(*, kind: str, user: Any = None, datanet: Datanet | None = None,
                          ai_model: Any = None) -> Account:
    account = Account.objects.filter(kind=kind, user=user, datanet=datanet, ai_model=ai_model).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():  # a savepoint: a concurrent creator must not end the outer transaction
            return Account.objects.create(kind=kind, user=user, datanet=datanet, ai_model=ai_model)
    except IntegrityError:
        return Account.objects.get(kind=kind, user=user, datanet=datanet, ai_model=ai_model)


def _merge(lines: list[tuple[Account, int]]) -> tuple[dict[int, int], dict[int, Account]]:
    merged: dict[int, int] = {}
    by_id: dict[int, Account] = {}
    for account, amount in lines:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise TypeError(f"Ledger amounts are int base units, got {type(amount).__name__}.")
        merged[account.id] = merged.get(account.id, 0) + amount
        by_id[account.id] = account
    return {k: v for k, v in merged.items() if v}, by_id


def _same_or_conflict(existing: LedgerTransaction, *, kind: str, legs: dict[int, int]) -> LedgerTransaction:
    written: dict[int, int] = {}
    for entry in existing.entries.all():
        written[entry.account_id] = written.get(entry.account_id, 0) + entry.amount
    if existing.kind != kind or written != legs:
        raise IdempotencyConflict(
            f"Idempotency key {existing.idempotency_key!r} was already used for a different transaction "
            f"({existing.get_kind_display().lower()}, #{existing.pk}). Use a new key for a new transaction.")
    return existing


def ledger_post(*, key: str, kind: str, lines: list[tuple[Account, int]], memo: str = "",
                record: Record | None = None, datanet: Datanet | None = None, actor: Any = None,
                reverses: LedgerTransaction | None = None) -> LedgerTransaction:
    """Write one balanced transaction (see the module docstring for the guarantees)."""
    if not key or len(key) > 200:
        raise ValueError("An idempotency key of 1 to 200 characters is required.")
    legs, accounts = _merge(lines)
    if sum(legs.values()) != 0:
        raise UnbalancedTransaction(f"Entries must sum to zero; these sum to {sum(legs.values())} base units.")
    with transaction.atomic():
        existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _same_or_conflict(existing, kind=kind, legs=legs)
        debited = sorted(i for i, amount in legs.items() if amount < 0 and accounts[i].kind in Account.NON_NEGATIVE)
        if debited:
            list(Account.objects.select_for_update().filter(id__in=debited).order_by("id"))
            existing = LedgerTransaction.objects.filter(idempotency_key=key).first()  # a racer with our key won
            if existing is not None:
                return _same_or_conflict(existing, kind=kind, legs=legs)
            balances = selectors.account_balances(account_ids=debited)
            for account_id in debited:
                if balances[account_id] + legs[account_id] < 0:
                    account = accounts[account_id]
                    raise InsufficientFunds(
                        f"{account} holds {amounts.format_amount(balances[account_id])}; "
                        f"this needs {amounts.format_amount(-legs[account_id])}.", account)
        try:
            with transaction.atomic():
                tx = LedgerTransaction.objects.create(idempotency_key=key, kind=kind, memo=memo[:300], record=record,
                                                      datanet=datanet, actor=actor if getattr(actor, "pk", None)
                                                      else None, reverses=reverses)
        except IntegrityError:
            existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
            if existing is None:  # the reversal's one-to-one, not the key
                raise IdempotencyConflict(f"Transaction #{reverses.pk} is already reversed.") from None
            return _same_or_conflict(existing, kind=kind, legs=legs)
        LedgerEntry.objects.bulk_create([
            LedgerEntry(transaction=tx, account_id=account_id, amount_hi=split_amount(amount)[0],
                        amount_lo=split_amount(amount)[1])
            for account_id, amount in sorted(legs.items())
        ])
        if legs:
            audit_log(actor=actor, action=f"ledger.{kind}", target=tx, datanet=datanet, reason=memo,
                      data={"key": key, "legs": {str(k): str(v) for k, v in legs.items()}})
    return tx


def ledger_reverse(*, original: LedgerTransaction, key: str = "", memo: str = "", actor: Any = None,
                   ) -> LedgerTransaction:
    """Post the mirror image of a transaction. Idempotent: a transaction is reversed at most once."""
    already = LedgerTransaction.objects.filter(reverses=original).first()
    if already is not None:
        return already
    lines = [(entry.account, -entry.amount) for entry in original.entries.select_related("account")]
    return ledger_post(key=key or f"reverse:{original.idempotency_key}", kind=Kind.REVERSAL, lines=lines,
                       memo=memo or original.memo, record=original.record, datanet=original.datanet, actor=actor,
                       reverses=original)


def _positive(amount: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError("The amount must be a positive number of base units.")
    return amount


# --- Funding -------------------------------------------------------------------------------------


def treasury_mint(*, actor: Any, amount: int, key: str = "", memo: str = "") -> LedgerTransaction:
    """Staff create tokens in the treasury (with the local adapter the ledger is the record of it)."""
    if not permissions.is_staff(actor):
        raise PermissionDenied("Only staff can mint into the treasury.")
    amount = _positive(amount)
    issuance = account_get_or_create(kind=Account.Kind.ISSUANCE)
    treasury = account_get_or_create(kind=Account.Kind.TREASURY)
    return ledger_post(key=key or f"mint:{uuid.uuid4()}", kind=Kind.MINT, actor=actor,
                       lines=[(issuance, -amount), (treasury, amount)],
                       memo=memo or f"Minted {amounts.format_amount(amount)} into the treasury")


def pool_fund(*, datanet: Datanet, actor: Any, amount: int, key: str = "", memo: str = "") -> LedgerTransaction:
    """Move tokens into a datanet's reward pool: staff from the treasury, an owner from their own
    balance. Then pays records that were waiting for the pool, oldest first."""
    amount = _positive(amount)
    if permissions.is_staff(actor):
        source = account_get_or_create(kind=Account.Kind.TREASURY)
        origin = "the treasury"
    elif permissions.role_of(actor, datanet) == "owner":
        source = account_get_or_create(kind=Account.Kind.USER, user=actor)
        origin = f"{actor.username}'s balance"
    else:
        raise PermissionDenied("Only the datanet's owners (from their balance) and staff can fund its pool.")
    pool = account_get_or_create(kind=Account.Kind.POOL, datanet=datanet)
    with transaction.atomic():
        tx = ledger_post(key=key or f"fund:{uuid.uuid4()}", kind=Kind.FUND_POOL, datanet=datanet, actor=actor,
                         lines=[(source, -amount), (pool, amount)],
                         memo=memo or f"Funded the {datanet.name} pool with {amounts.format_amount(amount)} "
                                      f"from {origin}")
        rewards_accrue_pending(datanet=datanet)
    return tx


def reward_policy_update(*, datanet: Datanet, actor: Any, **fields: Any) -> RewardPolicy:
    if not permissions.can_edit(actor, datanet):
        raise PermissionDenied("Only the datanet's owners can change its reward policy.")
    with transaction.atomic():
        policy, _ = RewardPolicy.objects.get_or_create(datanet=datanet)
        for name, value in fields.items():
            setattr(policy, name, str(value) if name in ("base_reward", "curator_reward") else value)
        policy.full_clean()
        policy.save()
        audit_log(actor=actor, action="reward_policy.update", target=policy, datanet=datanet,
                  data={k: str(v) for k, v in fields.items()})
    return policy


# --- Rewards for reviewed records -----------------------------------------------------------------


def reward_key(record: Record) -> str:
    """The idempotency key of a record's reward for its current decision. A record is decided at
    most twice: by review, then (once) by an owner overturning its rejection on appeal; each
    decision has its own key, so the overturn pays the contributor although the rejection paid
    its curators."""
    from curation.models import Appeal

    overturned = Appeal.objects.filter(record_id=record.pk, status=Appeal.Status.OVERTURNED).exists()
    return f"reward:{record.pk}:appeal" if overturned else f"reward:{record.pk}"


def rewards_on_overturn(*, record: Record, actor: Any = None) -> LedgerTransaction | None:
    """Reverse what the rejection of a record paid (curators who agreed with an outcome the owner
    overturned), before the acceptance is paid. Idempotent. When a curator no longer holds that
    reward the reversal is not written, the audit log says so, and None is returned."""
    original = LedgerTransaction.objects.filter(idempotency_key=f"reward:{record.pk}").first()
    if original is None or not original.entries.exists():
        return None
    try:
        return ledger_reverse(original=original, key=f"overturn:{record.pk}", actor=actor,
                              memo=f"record #{record.pk}: rejection overturned on appeal")
    except InsufficientFunds as exc:
        audit_log(actor=actor, action="reward.reversal_blocked", target=record, datanet=record.datanet,
                  reason=exc.message, data={"transaction": original.pk})
        return None


def reward_accrue_for_decision(*, record: Record) -> LedgerTransaction | None:
    """Pay a decided record's rewards from its datanet's pool, exactly once.

    Accepted: the contributor gets ``base × multiplier(quality)``. Accepted or rejected: each
    curator whose vote agreed with the outcome gets the curator reward. Returns the reward
    transaction (also when it was written before), or None when the record is not decided or
    the pool cannot pay now — then it waits in `selectors.records_awaiting_reward`. Safe to call
    inside the transaction that decides the record.
    """
    with transaction.atomic():
        record = Record.objects.select_for_update().select_related("datanet").get(pk=record.pk)
        if record.status not in (Record.Status.ACCEPTED, Record.Status.REJECTED):
            return None
        existing = LedgerTransaction.objects.filter(idempotency_key=reward_key(record)).first()
        if existing is not None:
            return existing
        datanet = record.datanet
        policy = selectors.reward_policy_amounts(datanet=datanet)
        accepted = record.status == Record.Status.ACCEPTED
        credits: list[tuple[Account, int]] = []
        if accepted:
            reward = amounts.multiplied(policy.base_reward, score=record.quality_score,
                                        floor=policy.multiplier_floor, slope=policy.multiplier_slope)
            if reward:
                credits.append((account_get_or_create(kind=Account.Kind.USER, user=record.contributor), reward))
        agreeing = Review.Decision.ACCEPT if accepted else Review.Decision.REJECT
        curators = (Review.objects.filter(record=record, decision=agreeing, final=False)
                    .exclude(reviewer_id=record.contributor_id).select_related("reviewer"))
        if policy.curator_reward:
            credits += [(account_get_or_create(kind=Account.Kind.USER, user=review.reviewer), policy.curator_reward)
                        for review in curators]
        total = sum(amount for _, amount in credits)
        lines = credits
        if total:
            lines = [(account_get_or_create(kind=Account.Kind.POOL, datanet=datanet), -total), *credits]
        memo = (f"record #{record.pk} {record.get_status_display().lower()} in {datanet.name}: "
                f"{amounts.format_amount(total)} to {len(credits)} account{'s' if len(credits) != 1 else ''}")
        try:
            tx = ledger_post(key=reward_key(record), kind=Kind.ACCEPTANCE_REWARD, lines=lines, memo=memo,
                             record=record, datanet=datanet)
        except InsufficientFunds:
            return None
        for account, amount in credits:
            webhook_emit(event="reward.accrued", datanet=datanet, user=account.user,
                         payload=payloads.reward(tx, record, account.user, amount))
        return tx


def reward_accrue_for_acceptance(*, record: Record) -> LedgerTransaction | None:
    """The name the acceptance path calls; rejected records pay their agreeing curators too."""
    return reward_accrue_for_decision(record=record)


def rewards_accrue_pending(*, datanet: Datanet, limit: int = 500) -> int:
    """Pay records waiting for this datanet's pool, oldest decision first; stop at the first one
    the pool cannot pay (so nobody is overtaken by a cheaper, later record). Returns how many."""
    paid = 0
    for record in selectors.records_awaiting_reward(datanet=datanet)[:limit]:
        if reward_accrue_for_decision(record=record) is None:
            break
        paid += 1
    return paid


def rewards_on_takedown(*, record: Record, actor: Any = None, reason: str = "") -> LedgerTransaction | None:
    """Reverse the rewards paid for a record that moderation took down: the money goes back to
    the pool. Idempotent. When a payee no longer holds the reward (it was settled or spent), the
    reversal would overdraw them: nothing is written, the audit log says so, and None is returned."""
    original = LedgerTransaction.objects.filter(idempotency_key=reward_key(record)).first()
    if original is None or not original.entries.exists():
        return None
    try:
        return ledger_reverse(original=original, key=f"takedown:{record.pk}", actor=actor,
                              memo=f"record #{record.pk} taken down{f': {reason}' if reason else ''}")
    except InsufficientFunds as exc:
        audit_log(actor=actor, action="reward.reversal_blocked", target=record, datanet=record.datanet,
                  reason=exc.message, data={"transaction": original.pk})
        return None
