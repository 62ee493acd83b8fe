"""Bulk decisions by filter: one decision applied to every record in review that a filter selects
(quality score below or at least a value, one submission, one contributor).

A small registry of actions, each with the permission it needs:

- `reject` / `accept`: an owner's ruling, final like the ruling on an escalated record — each
  record gets a final review with the reason, and is decided through `review.record_decide`
  (counters, audit log, rewards), exactly as consensus decides it;
- `vote_reject` / `vote_accept`: a curator's vote on each record through `review.review_submit`,
  so the consensus rule still decides (with one approval needed, the vote decides).

`bulk_preview` counts what would change; `bulk_apply` changes at most `BULK_MAX` records per call,
each in its own transaction (oldest first), and says how many are left for the next call.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from curation import review
from curation.models import Review, ReviewClaim, ReviewEscalation
from datanets import permissions
from datanets.audit import audit_log
from datanets.models import Datanet, Membership, Record

BULK_MAX = 1000


def _is_owner(user: Any, datanet: Datanet) -> bool:
    return permissions.role_of(user, datanet) == Membership.Role.OWNER


@dataclass(frozen=True)
class BulkAction:
    name: str
    label: str
    decision: str
    ruling: bool  # True: an owner's final ruling; False: one curator vote per record
    allowed: Callable[[Any, Datanet], bool]
    refusal: str


ACTIONS: dict[str, BulkAction] = {a.name: a for a in (
    BulkAction("reject", "Reject (owner's ruling)", "reject", True, _is_owner,
               "Only the datanet's owners rule on records in bulk; curators can vote in bulk instead."),
    BulkAction("accept", "Accept (owner's ruling)", "accept", True, _is_owner,
               "Only the datanet's owners rule on records in bulk; curators can vote in bulk instead."),
    BulkAction("vote_reject", "Vote reject on each", "reject", False, permissions.can_curate,
               "Only the datanet's curators and owners vote on records."),
    BulkAction("vote_accept", "Vote accept on each", "accept", False, permissions.can_curate,
               "Only the datanet's curators and owners vote on records."),
)}


@dataclass(frozen=True)
class BulkFilter:
    score_below: float | None = None
    score_at_least: float | None = None
    submission: uuid.UUID | None = None
    contributor: str = ""

    def describe(self) -> str:
        parts = []
        if self.score_below is not None:
            parts.append(f"score < {self.score_below:g}")
        if self.score_at_least is not None:
            parts.append(f"score ≥ {self.score_at_least:g}")
        if self.submission is not None:
            parts.append(f"submission {str(self.submission)[:8]}")
        if self.contributor:
            parts.append(f"contributor {self.contributor}")
        return ", ".join(parts) or "every record in review"

    def as_dict(self) -> dict:
        return {"score_below": self.score_below, "score_at_least": self.score_at_least,
                "submission": str(self.submission) if self.submission else None, "contributor": self.contributor}


def _score(raw: Any, name: str) -> float | None:
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValidationError({name: f"Give a score between 0 and 1 (got {raw!r})."}) from None
    if not 0.0 <= value <= 1.0:
        raise ValidationError({name: f"Give a score between 0 and 1 (got {value:g})."})
    return value


def bulk_filter_from(data: Any) -> BulkFilter:
    """A filter from form or JSON fields; an empty filter is refused (it would select everything
    by accident), and so is a value that cannot be read."""
    submission = (data.get("submission") or "").strip() if isinstance(data.get("submission"), str) else None
    if submission:
        try:
            submission = uuid.UUID(submission)
        except ValueError:
            raise ValidationError({"submission": f"Give a submission id (a UUID; got {submission!r})."}) from None
    flt = BulkFilter(score_below=_score(data.get("score_below"), "score_below"),
                     score_at_least=_score(data.get("score_at_least"), "score_at_least"),
                     submission=submission or None, contributor=(data.get("contributor") or "").strip())
    if flt == BulkFilter():
        raise ValidationError({"filter": "Choose at least one filter (a score, a submission or a contributor): "
                                         "a bulk decision never applies to the whole queue by accident."})
    return flt


def _action(name: str, actor: Any, datanet: Datanet) -> BulkAction:
    action = ACTIONS.get(name)
    if action is None:
        raise ValidationError({"action": f"Choose an action: {', '.join(ACTIONS)} (got {name!r})."})
    if not action.allowed(actor, datanet):
        raise PermissionDenied(action.refusal)
    return action


def bulk_targets(*, datanet: Datanet, actor: Any, action: BulkAction, flt: BulkFilter) -> QuerySet[Record]:
    """The records in review the action would change, oldest first: never the actor's own; for
    votes, not those the actor voted on, nor escalated ones, nor those another curator holds."""
    qs = Record.objects.filter(datanet=datanet, status=Record.Status.IN_REVIEW).exclude(contributor=actor)
    if flt.score_below is not None:
        qs = qs.filter(quality_score__lt=flt.score_below)
    if flt.score_at_least is not None:
        qs = qs.filter(quality_score__gte=flt.score_at_least)
    if flt.submission is not None:
        qs = qs.filter(submission_id=flt.submission)
    if flt.contributor:
        qs = qs.filter(contributor__username=flt.contributor)
    if not action.ruling:
        qs = qs.exclude(Exists(Review.objects.filter(record=OuterRef("pk"), reviewer=actor,
                                                     decision__in=review.VOTES, final=False)))
        qs = qs.exclude(Exists(ReviewEscalation.objects.filter(record=OuterRef("pk"), resolved_at__isnull=True)))
        qs = qs.exclude(Exists(ReviewClaim.objects.filter(record=OuterRef("pk"), expires_at__gte=timezone.now())
                               .exclude(curator=actor)))
    return qs.order_by("created_at", "id")


@dataclass
class BulkPreview:
    action: BulkAction
    filter: BulkFilter
    count: int

    @property
    def applies_to(self) -> int:
        return min(self.count, BULK_MAX)


def bulk_preview(*, datanet: Datanet, actor: Any, action: str, flt: BulkFilter) -> BulkPreview:
    chosen = _action(action, actor, datanet)
    return BulkPreview(chosen, flt, bulk_targets(datanet=datanet, actor=actor, action=chosen, flt=flt).count())


@dataclass
class BulkResult:
    action: BulkAction
    filter: BulkFilter
    applied: int
    skipped: int
    remaining: int


def bulk_apply(*, datanet: Datanet, actor: Any, action: str, flt: BulkFilter, reason: str = "",
               comment: str = "") -> BulkResult:
    """Apply the action to the first `BULK_MAX` records the filter selects now. A record decided
    or claimed meanwhile is skipped, not an error."""
    chosen = _action(action, actor, datanet)
    reason, comment = review.clean_decision(decision=chosen.decision, reason=reason, comment=comment)
    ids = list(bulk_targets(datanet=datanet, actor=actor, action=chosen, flt=flt).values_list("id", flat=True)
               [:BULK_MAX])
    applied = 0
    for record_id in ids:
        record = Record.objects.select_related("datanet").get(pk=record_id)
        try:
            if chosen.ruling:
                _rule(record=record, actor=actor, decision=chosen.decision, reason=reason, comment=comment, flt=flt)
            else:
                review.review_submit(record=record, reviewer=actor, decision=chosen.decision, reason=reason,
                                     comment=comment)
            applied += 1
        except review.ReviewRefused:
            continue
    remaining = bulk_targets(datanet=datanet, actor=actor, action=chosen, flt=flt).count()
    audit_log(actor=actor, action="review.bulk", target=datanet, reason=comment,
              data={"action": chosen.name, "filter": flt.as_dict(), "reason": reason, "applied": applied,
                    "skipped": len(ids) - applied, "remaining": remaining})
    return BulkResult(chosen, flt, applied, len(ids) - applied, remaining)


def _rule(*, record: Record, actor: Any, decision: str, reason: str, comment: str, flt: BulkFilter) -> None:
    now = timezone.now()
    with transaction.atomic():
        record = Record.objects.select_for_update().select_related("datanet").get(pk=record.pk)
        if record.status != Record.Status.IN_REVIEW:
            raise review.ReviewRefused(f"Record #{record.pk} was decided meanwhile.", code="decided")
        try:
            with transaction.atomic():
                ruling = Review.objects.create(record=record, reviewer=actor, decision=decision, reason=reason,
                                               comment=comment, final=True)
        except IntegrityError as exc:
            raise review.ReviewRefused(f"Record #{record.pk} already has an owner's ruling.", code="decided") from exc
        ReviewEscalation.objects.filter(record=record, resolved_at__isnull=True).update(resolved_at=now)
        outcome = "accepted" if decision == Review.Decision.ACCEPT else "rejected"
        audit_log(actor=actor, action=f"review.{decision}", target=record, datanet=record.datanet, reason=comment,
                  data={"review": ruling.pk, "reason": reason, "final": True, "bulk": True})
        entry = {"check": "bulk", "outcome": outcome, "ruling": "owner", "filter": flt.describe(),
                 "reason": reason}
        review.record_decide(record=record, outcome=outcome, entry=entry, actor=actor, now=now)
