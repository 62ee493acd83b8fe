"""Gold items: decided records whose right answer the owners know, mixed into curators' queues to
measure how well each curator decides.

- An owner marks a decided record (accepted or rejected, by review or by a check) as gold with
  the known answer. Records still in review cannot be gold: their answer is what review is for.
- The datanet's gold policy says how often a curator gets one: one in `every` items (0 = off).
  A gold item is due when the curator has decided or skipped `every - 1` records since their
  last gold item. Each curator gets each gold item at most once, never one they contributed.
- A gold item looks like any other item until answered: the votes, and the receipt steps after
  the automatic checks, are not shown. The answer goes to `GoldAnswer` and never changes the
  record; afterwards the curator is told it was gold and whether they agreed.
"""

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from curation import gold_selectors, review, review_selectors
from curation.models import GoldAnswer, GoldItem, GoldPolicy, ReviewClaim
from datanets import permissions
from datanets.audit import audit_log
from datanets.models import Datanet, Membership, Record

GOLD_STATUSES = (Record.Status.ACCEPTED, Record.Status.REJECTED, Record.Status.REJECTED_QUALITY,
                 Record.Status.REJECTED_DUPLICATE)
SHOWN_CHECKS = ("schema", "exact_duplicate", "near_duplicate", "quality")
OWNERS_ONLY = "Only the datanet's owners manage gold items."


def _require_owner(actor: Any, datanet: Datanet) -> None:
    if permissions.role_of(actor, datanet) != Membership.Role.OWNER:
        raise PermissionDenied(OWNERS_ONLY)


def gold_policy_update(*, datanet: Datanet, actor: Any, every: int) -> GoldPolicy:
    """Set how often gold items are mixed into this datanet's queues: one in `every` (0 = off)."""
    _require_owner(actor, datanet)
    if isinstance(every, bool) or not isinstance(every, int) or not 0 <= every <= 1000:
        raise ValidationError({"every": "Give a whole number from 0 (no gold items) to 1,000 "
                                        "(one gold item in every 1,000)."})
    with transaction.atomic():
        policy, _ = GoldPolicy.objects.select_for_update().get_or_create(datanet=datanet)
        before = policy.every
        policy.every = every
        policy.save(update_fields=["every"])
        audit_log(actor=actor, action="gold.policy", target=datanet, data={"every": every, "before": before})
    return policy


def gold_mark(*, record: Record, actor: Any, answer: str) -> GoldItem:
    """Mark a decided record as gold with its known answer (marking it again changes the answer
    and puts it back in service)."""
    datanet = record.datanet
    _require_owner(actor, datanet)
    if answer not in GoldItem.Answer.values:
        raise ValidationError({"answer": f"Choose accept or reject as the known answer (got {answer!r})."})
    if record.status not in GOLD_STATUSES:
        raise ValidationError({"record": f"Record #{record.pk} is {record.get_status_display().lower()}: only "
                                         "accepted or rejected records can be gold. Let review decide it first."})
    with transaction.atomic():
        gold, created = GoldItem.objects.select_for_update().get_or_create(
            record=record, defaults={"datanet": datanet, "answer": answer, "created_by": actor})
        if not created:
            gold.answer, gold.active = answer, True
            gold.save(update_fields=["answer", "active"])
        audit_log(actor=actor, action="gold.marked", target=record, datanet=datanet, data={"answer": answer})
    return gold


def gold_retire(*, gold: GoldItem, actor: Any) -> GoldItem:
    """Stop serving a gold item; the answers already given still count."""
    _require_owner(actor, gold.datanet)
    with transaction.atomic():
        GoldItem.objects.filter(pk=gold.pk).update(active=False)
        audit_log(actor=actor, action="gold.retired", target=gold.record, datanet=gold.datanet)
    gold.active = False
    return gold


def _gold_item_view(answer: GoldAnswer) -> review_selectors.ReviewItem:
    record = answer.gold.record
    claim = ReviewClaim(record=record, datanet_id=answer.datanet_id, curator_id=answer.curator_id,
                        claimed_at=answer.served_at,
                        expires_at=timezone.now() + timedelta(seconds=review.claim_seconds()))
    return review_selectors.ReviewItem(
        record=record, claim=claim, escalated=False, approvals=0, rejections=0, reviews=[],
        neighbours=review_selectors.record_neighbours(record=record),
        receipt=[step for step in record.receipt if step.get("check") in SHOWN_CHECKS],
    )


def review_item_held(*, datanet: Datanet, curator: Any) -> review_selectors.ReviewItem | None:
    """The item this curator is working on (an unanswered gold item, or an unexpired claim)."""
    if gold_selectors.gold_every(datanet=datanet):
        open_gold = gold_selectors.gold_answer_open(datanet=datanet, curator=curator)
        if open_gold is not None:
            return _gold_item_view(open_gold)
    claim = review_selectors.claim_held(datanet=datanet, curator=curator)
    return review_selectors.review_item(claim=claim) if claim is not None else None


def review_next_item(*, datanet: Datanet, curator: Any) -> review_selectors.ReviewItem | None:
    """The next item for a curator: their unanswered gold item, else their held claim, else a gold
    item when one is due, else the next claim from the queue (see `review.review_claim_next`).
    While the gold policy is off, gold items already served are not served again."""
    if not permissions.can_curate(curator, datanet):
        raise PermissionDenied("Only the datanet's curators and owners review records.")
    every = gold_selectors.gold_every(datanet=datanet)
    if every:  # with gold off (the default) the next item is one claim, nothing more
        open_gold = gold_selectors.gold_answer_open(datanet=datanet, curator=curator)
        if open_gold is not None:
            return _gold_item_view(open_gold)
    holds_none = bool(every) and review_selectors.claim_held(datanet=datanet, curator=curator) is None
    if holds_none:
        gold = gold_selectors.gold_due(datanet=datanet, curator=curator, every=every)
        if gold is not None:
            try:
                with transaction.atomic():
                    answer = GoldAnswer.objects.create(gold=gold, datanet=datanet, curator=curator,
                                                       served_at=timezone.now())
            except IntegrityError:  # a second tab served it a moment ago: that one is theirs
                answer = GoldAnswer.objects.get(gold=gold, curator=curator)
            answer.gold = gold
            return _gold_item_view(answer)
    claim = review.review_claim_next(datanet=datanet, curator=curator, holds_none=holds_none)
    return review_selectors.review_item(claim=claim) if claim is not None else None


def gold_answer_submit(*, answer: GoldAnswer, decision: str, reason: str = "", comment: str = "") -> GoldAnswer:
    """Record a curator's answer on a gold item they were served. The record does not change."""
    reason, comment = review.clean_decision(decision=decision, reason=reason, comment=comment)
    with transaction.atomic():
        answer = GoldAnswer.objects.select_for_update().select_related("gold", "gold__record").get(pk=answer.pk)
        if answer.answered_at is not None:
            raise review.ReviewRefused(f"You already answered record #{answer.gold.record_id}. Ask for the next "
                                       "item.", code="already_reviewed")
        answer.decision, answer.reason, answer.comment = decision, reason, comment
        answer.answered_at = timezone.now()
        answer.save(update_fields=["decision", "reason", "comment", "answered_at"])
        audit_log(actor=answer.curator, action="gold.answered", target=answer.gold.record, datanet=answer.gold.datanet,
                  reason=comment, data={"gold": answer.gold_id, "decision": decision, "reason": reason,
                                        "agreed": answer.agreed})
    return answer
