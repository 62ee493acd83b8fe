"""Review queues: claiming the next record, deciding it, and the consensus rule.

A curator asks for the next record and gets a claim on it that expires; a decision (accept or
reject with a reason) is one vote; when the votes reach the datanet's `approvals_required` the
record is accepted or rejected, its receipt says by how many votes, and the datanet's counters
move — all in the transaction of the vote. A tie is escalated to the datanet's owners, whose
ruling is final.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from curation import review_selectors
from curation.models import Review, ReviewClaim, ReviewEscalation
from datanets import permissions
from datanets.audit import audit_log
from datanets.models import Datanet, Membership, Record
from webhooks import payloads
from webhooks.services import webhook_emit

CANDIDATES_PER_ROUND = 20

Decision = Review.Decision
VOTES = (Decision.ACCEPT, Decision.REJECT)


class ReviewRefused(Exception):
    """A decision that cannot be taken now; `status` is the HTTP status that fits (403, 409)."""

    def __init__(self, message: str, status: int = 409, code: str = "review_refused") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def consensus(*, approvals: int, rejections: int, required: int, curators_left: int) -> str | None:
    """The outcome of a record's votes: "accepted", "rejected", "escalated" or None (keep voting).

    Accepted when approvals reach `required` and exceed rejections; rejected symmetrically. A
    tie is escalated when it has reached `required`, or when no curator who could still vote is
    left (`curators_left`), so a tied record never waits for a vote that cannot come.
    """
    if approvals >= required and approvals > rejections:
        return "accepted"
    if rejections >= required and rejections > approvals:
        return "rejected"
    if approvals == rejections and approvals > 0 and (approvals >= required or curators_left == 0):
        return "escalated"
    return None


def claim_seconds() -> int:
    return int(settings.REVIEW_CLAIM_SECONDS)


def _try_claim(*, record_id: int, datanet: Datanet, curator: Any, now: datetime, until: datetime) -> bool:
    # Most candidates were never claimed: try the INSERT first (the unique record guards it).
    try:
        with transaction.atomic():  # a savepoint: losing the race must not end the outer transaction
            ReviewClaim.objects.create(record_id=record_id, datanet=datanet, curator=curator, claimed_at=now,
                                       expires_at=until)
        return True
    except IntegrityError:
        pass
    # An expired claim is taken over by a conditional UPDATE: of two curators racing for it, the
    # second one's WHERE no longer matches once the first has committed.
    return bool(ReviewClaim.objects.filter(record_id=record_id, expires_at__lt=now).update(
        curator=curator, claimed_at=now, expires_at=until))


def review_claim_next(*, datanet: Datanet, curator: Any, now: datetime | None = None,
                      holds_none: bool = False) -> ReviewClaim | None:
    """Claim the next record of this datanet's queue for `curator`, or None when nothing is left.

    The caller may rely on: no two curators hold an unexpired claim on the same record; a curator
    is never given a record they contributed, nor one they already voted on (except an owner's
    ruling on an escalated record); a curator who still holds a claim gets it back, extended.
    `holds_none`: the caller has just read that the curator holds no claim (one query less).
    """
    if not permissions.can_curate(curator, datanet):
        raise PermissionDenied("Only the datanet's curators and owners review records.")
    now = now or timezone.now()
    until = now + timedelta(seconds=claim_seconds())
    with transaction.atomic():
        held = None if holds_none else review_selectors.claim_held(datanet=datanet, curator=curator, now=now)
        if held is not None:
            ReviewClaim.objects.filter(id=held.id, curator=curator).update(expires_at=until)
            held.expires_at = until
            return held
        for _ in range(3):  # a few rounds: others may win every candidate of one round
            ids = review_selectors.review_queue_next_ids(datanet=datanet, curator=curator, now=now,
                                                         limit=CANDIDATES_PER_ROUND)
            if not ids:
                return None
            for record_id in ids:
                if not _try_claim(record_id=record_id, datanet=datanet, curator=curator, now=now, until=until):
                    continue
                claim = ReviewClaim.objects.select_related("record").get(record_id=record_id)
                if claim.record.status != Record.Status.IN_REVIEW:  # decided since the queue was read
                    claim.delete()
                    continue
                audit_log(actor=curator, action="review.claimed", target=claim.record, datanet=datanet,
                          data={"expires_at": until.isoformat()})
                return claim
    return None


def clean_decision(*, decision: str, reason: str, comment: str) -> tuple[str, str]:
    if decision not in Decision.values:
        raise ValidationError({"decision": f"Choose one of {', '.join(Decision.values)} (got {decision!r})."})
    reason = (reason or "").strip()
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": f"Keep the comment under 2,000 characters (it has {len(comment):,})."})
    if decision == Decision.REJECT:
        if not reason:
            raise ValidationError({"reason": "Choose a reason to reject: the contributor sees it."})
        if reason not in Review.Reason.values:
            raise ValidationError({"reason": f"Unknown reason {reason!r}; choose one of "
                                             f"{', '.join(Review.Reason.values)}."})
        if reason == Review.Reason.OTHER and not comment:
            raise ValidationError({"comment": "Say in the comment what is wrong when the reason is 'other'."})
    else:
        reason = ""
    return reason, comment


def _curators_left(record: Record) -> int:
    voted = Review.objects.filter(record=record, decision__in=VOTES, final=False).values("reviewer")
    return (
        Membership.objects.filter(datanet_id=record.datanet_id, role=Membership.Role.CURATOR)
        .exclude(user_id=record.contributor_id).exclude(user__in=voted).count()
    )


def review_submit(*, record: Record, reviewer: Any, decision: str, reason: str = "", comment: str = "") -> Review:
    """Record one curator's decision and apply the consensus rule, in one transaction.

    Raises ValidationError for bad input, PermissionDenied when the reviewer may not review this
    datanet, and ReviewRefused when the record cannot take this decision now (already decided,
    claimed by someone else, already voted on, escalated to the owners, or their own record).
    """
    reason, comment = clean_decision(decision=decision, reason=reason, comment=comment)
    datanet = record.datanet
    if not permissions.can_curate(reviewer, datanet):
        raise PermissionDenied("Only the datanet's curators and owners review records.")
    if record.contributor_id == reviewer.id:
        raise ReviewRefused("You contributed this record, so another curator must review it. "
                            "Ask for the next item.", status=403, code="own_record")
    now = timezone.now()
    with transaction.atomic():
        record = Record.objects.select_for_update().get(pk=record.pk)
        datanet = Datanet.objects.get(pk=record.datanet_id)  # its policy as of now, not as the caller read it
        record.datanet = datanet
        if record.status != Record.Status.IN_REVIEW:
            raise ReviewRefused(f"Record #{record.pk} is no longer in review (it is "
                                f"{record.get_status_display().lower()}). Ask for the next item.", code="decided")
        claim = ReviewClaim.objects.filter(record=record, expires_at__gte=now).exclude(curator=reviewer).first()
        if claim is not None:
            raise ReviewRefused(f"Another curator is reviewing record #{record.pk} until "
                                f"{claim.expires_at:%H:%M:%S} UTC. Ask for the next item.", code="claimed")
        escalation = ReviewEscalation.objects.filter(record=record, resolved_at__isnull=True).first()
        ruling = escalation is not None and decision in VOTES
        if ruling and permissions.role_of(reviewer, datanet) != Membership.Role.OWNER:
            raise ReviewRefused(f"Record #{record.pk} is escalated after a tied vote: only the datanet's owners "
                                "decide it now.", status=403, code="escalated")
        if not ruling and decision in VOTES and Review.objects.filter(
                record=record, reviewer=reviewer, decision__in=VOTES, final=False).exists():
            raise ReviewRefused(f"You already reviewed record #{record.pk}; each curator votes once.",
                                code="already_reviewed")
        try:
            with transaction.atomic():
                review = Review.objects.create(record=record, reviewer=reviewer, decision=decision, reason=reason,
                                               comment=comment, final=ruling)
        except IntegrityError as exc:  # the constraints are the last guard against a concurrent double vote
            raise ReviewRefused(f"Record #{record.pk} already has your decision.", code="already_reviewed") from exc
        ReviewClaim.objects.filter(record=record, curator=reviewer).delete()
        audit_log(actor=reviewer, action=f"review.{decision}", target=record, datanet=datanet, reason=comment,
                  data={"review": review.pk, "reason": reason, "final": ruling})
        if decision == Decision.SKIP:
            return review
        approvals, rejections = _votes(record)
        if ruling:
            outcome = "accepted" if decision == Decision.ACCEPT else "rejected"
            escalation.resolved_at = now
            escalation.save(update_fields=["resolved_at"])
        else:
            outcome = consensus(approvals=approvals, rejections=rejections, required=datanet.approvals_required,
                                curators_left=_curators_left(record))
        if outcome == "escalated":
            ReviewEscalation.objects.get_or_create(record=record,
                                                   defaults={"approvals": approvals, "rejections": rejections})
            audit_log(actor=reviewer, action="record.escalated", target=record, datanet=datanet,
                      data={"approvals": approvals, "rejections": rejections})
        elif outcome is not None:
            _decide(record=record, outcome=outcome, approvals=approvals, rejections=rejections, actor=reviewer,
                    ruling=review if ruling else None, now=now)
    review.record = record
    return review


def _votes(record: Record) -> tuple[int, int]:
    decisions = list(Review.objects.filter(record=record, decision__in=VOTES, final=False)
                     .values_list("decision", flat=True))
    return decisions.count(Decision.ACCEPT), decisions.count(Decision.REJECT)


def _decide(*, record: Record, outcome: str, approvals: int, rejections: int, actor: Any,
            ruling: Review | None, now: datetime) -> None:
    datanet = record.datanet
    entry = {"check": "review", "outcome": outcome, "approvals": approvals, "rejections": rejections,
             "required": datanet.approvals_required}
    if ruling is not None:
        entry.update(escalated=True, ruling="owner")
    record_decide(record=record, outcome=outcome, entry=entry, actor=actor, now=now)


def record_decide(*, record: Record, outcome: str, entry: dict, actor: Any, now: datetime) -> None:
    """Move a record (locked by the caller) to accepted or rejected with its receipt `entry`: the
    datanet's counters, the audit log and the reward accrual, in the caller's transaction. Every
    path that decides a record — consensus, an owner's ruling, a bulk decision, an appeal — ends here."""
    datanet = record.datanet
    record.status = Record.Status.ACCEPTED if outcome == "accepted" else Record.Status.REJECTED
    record.decided_at = now
    record.receipt = [*record.receipt, entry]
    record.save(update_fields=["status", "decided_at", "receipt"])
    ReviewClaim.objects.filter(record=record).delete()
    if outcome == "accepted":
        # The datanet row lock serialises acceptances, so "first accepted record of this
        # contributor" is decided once even when two are accepted at the same moment.
        Datanet.objects.select_for_update().filter(pk=datanet.pk).first()
        first = not Record.objects.filter(datanet=datanet, contributor_id=record.contributor_id,
                                          status=Record.Status.ACCEPTED).exclude(pk=record.pk).exists()
        updates = {"record_count": F("record_count") + 1}
        if first:
            updates["contributor_count"] = F("contributor_count") + 1
        Datanet.objects.filter(pk=datanet.pk).update(**updates)
    audit_log(actor=actor, action=f"record.{outcome}", target=record, datanet=datanet, data=entry)
    webhook_emit(event=f"record.{outcome}", datanet=datanet, payload=payloads.record(record, entry),
                 user=record.contributor)
    # Pay the contributor and the curators who agreed, exactly once per record; when the pool
    # is empty nothing is written and the reward waits for the next funding.
    from rewards.services import reward_accrue_for_decision

    reward_accrue_for_decision(record=record)
