"""Reads for models, usage events, attribution proofs and the rewards dashboard."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from curation.models import Release
from datanets import permissions
from datanets.models import Datanet
from rewards import selectors
from rewards.models import (Account, AIModel, AttributionPayout, AttributionProof, LedgerEntry, LedgerTransaction,
                            UsageEvent, join_amount)


def ai_model_list(*, owner: Any = None) -> QuerySet[AIModel]:
    models = AIModel.objects.select_related("owner").prefetch_related("releases__datanet")
    return models.filter(owner=owner) if owner is not None else models


def ai_model_get(*, pk: int) -> AIModel:
    model = AIModel.objects.select_related("owner").filter(pk=pk).first()
    if model is None:
        raise Http404("No model here.")
    return model


def prepaid_balance(*, ai_model: AIModel) -> int:
    return selectors.account_balance(account=selectors.account_find(kind=Account.Kind.MODEL_PAYER,
                                                                    ai_model=ai_model))


def visible_releases(*, ai_model: AIModel, user: Any) -> list[Release]:
    return [r for r in ai_model.releases.select_related("datanet").order_by("id")
            if permissions.can_view(user, r.datanet)]


def releases_trainable_by(*, user: Any) -> QuerySet[Release]:
    """Ready releases of datanets this user may see: what a model may name as its training data."""
    ready = Release.objects.filter(status=Release.Status.READY).select_related("datanet")
    if permissions.is_staff(user):
        return ready
    return ready.filter(datanet__visibility=Datanet.Visibility.PUBLIC) | ready.filter(datanet__memberships__user=user)


def usage_events(*, ai_model: AIModel) -> QuerySet[UsageEvent]:
    return ai_model.usage_events.select_related("attribution").order_by("-created_at", "-id")


def proof_get(*, pk: int) -> AttributionProof:
    found = (AttributionProof.objects.select_related("usage_event", "usage_event__ai_model",
                                                     "usage_event__ai_model__owner").filter(pk=pk).first())
    if found is None:
        raise Http404("No attribution proof here.")
    return found


def proof_public_body(*, proof: AttributionProof, user: Any) -> tuple[dict, bool]:
    """The proof's body as this user may see it, and whether anything was withheld: for private
    datanets the user cannot see, matched spans and content hashes are blanked and the datanet's
    slug is withheld wherever it appears, so the proof does not reveal that the datanet exists
    (the commitment covers the full body)."""
    body = proof.body
    named = {r.get("datanet") for part in ("records", "releases", "amounts") for r in body.get(part, [])}
    private = {d.slug for d in Datanet.objects.filter(slug__in=named - {None}, visibility=Datanet.Visibility.PRIVATE)
               if not permissions.can_view(user, d)}
    if not private:
        return body, False

    def hidden(row: dict, **blank) -> dict:
        return {**row, "datanet": None, **blank} if row.get("datanet") in private else row

    return {**body,
            "records": [hidden(r, span=None, content_hash=None) for r in body.get("records", [])],
            "releases": [hidden(r) for r in body.get("releases", [])],
            "amounts": [hidden(a) for a in body.get("amounts", [])]}, True


def usage_entry_reason(entry: LedgerEntry) -> str:
    """Why a usage fee credited this user: their records, their datanet, or their model."""
    event = UsageEvent.objects.filter(transaction_id=entry.transaction_id).select_related("ai_model").first()
    if event is None:
        return entry.transaction.memo
    roles = set(AttributionPayout.objects.filter(proof__usage_event=event, user_id=entry.account.user_id)
                .values_list("role", flat=True))
    why = []
    if AttributionPayout.Role.CONTRIBUTOR in roles:
        why.append(f"your records shaped an output of {event.ai_model.name}")
    if AttributionPayout.Role.DATANET in roles:
        why.append(f"a datanet you own or curate was used by {event.ai_model.name}")
    if AttributionPayout.Role.MODEL_OWNER in roles:
        why.append(f"your model {event.ai_model.name} was used")
    return ("Usage fee: " + "; ".join(why)) if why else entry.transaction.memo


def proofs_paying(*, transaction_ids: list[int]) -> dict[int, int]:
    """Ledger transaction id -> the attribution proof behind it (for "why was I paid" links)."""
    return dict(AttributionProof.objects.filter(usage_event__transaction_id__in=transaction_ids)
                .values_list("usage_event__transaction_id", "id"))


# --- the dashboard -----------------------------------------------------------------------------------


def earnings_by_day(*, user: Any, days: int = 30) -> list[tuple[dt.date, int]]:
    """Net credits to the user's balance per day for the last `days` days (oldest first; zero days
    included), counting rewards and usage fees but not transfers the user made themselves."""
    account = selectors.account_find(kind=Account.Kind.USER, user=user)
    today = timezone.localdate()
    start = today - dt.timedelta(days=days - 1)
    totals = {start + dt.timedelta(days=i): 0 for i in range(days)}
    if account is not None:
        earning = (LedgerTransaction.Kind.ACCEPTANCE_REWARD, LedgerTransaction.Kind.USAGE_FEE,
                   LedgerTransaction.Kind.REVERSAL)
        entries = (LedgerEntry.objects.filter(account=account, transaction__kind__in=earning,
                                              transaction__created_at__date__gte=start)
                   .values_list("transaction__created_at", "amount_hi", "amount_lo"))
        for created, hi, lo in entries:
            day = timezone.localtime(created).date()
            if day in totals:
                totals[day] += join_amount(hi, lo)
    return sorted(totals.items())


@dataclass(frozen=True)
class LeaderRow:
    username: str
    rewards: int
    usage: int

    @property
    def total(self) -> int:
        return self.rewards + self.usage


def leaderboard(*, datanet: Datanet, limit: int = 10) -> list[LeaderRow]:
    """Who earned most from this datanet: acceptance rewards (net of reversals) plus the usage fees
    attributed to their records in it."""
    rewards: dict[str, int] = {}
    usage: dict[str, int] = {}
    entries = (LedgerEntry.objects.filter(transaction__datanet=datanet, account__kind=Account.Kind.USER,
                                          transaction__kind__in=(LedgerTransaction.Kind.ACCEPTANCE_REWARD,
                                                                 LedgerTransaction.Kind.REVERSAL))
               .values_list("account__user__username", "amount_hi", "amount_lo"))
    for username, hi, lo in entries:
        rewards[username] = rewards.get(username, 0) + join_amount(hi, lo)
    payouts = (AttributionPayout.objects.filter(datanet=datanet, role=AttributionPayout.Role.CONTRIBUTOR)
               .values_list("user__username", "amount_hi", "amount_lo"))
    for username, hi, lo in payouts:
        usage[username] = usage.get(username, 0) + join_amount(hi, lo)
    rows = [LeaderRow(name, rewards.get(name, 0), usage.get(name, 0)) for name in set(rewards) | set(usage)]
    rows = [row for row in rows if row.total > 0]
    rows.sort(key=lambda row: (-row.total, row.username))
    return rows[:limit]


def datanets_earned_from(*, user: Any) -> list[Datanet]:
    """Datanets this user contributed accepted records to or curates, for their leaderboards."""
    return list(Datanet.objects.filter(Q(records__contributor=user) | Q(memberships__user=user))
                .distinct().order_by("name"))
