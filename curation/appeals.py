"""Appeals: a contributor contests the rejection of one of their records, once; the datanet's
owners uphold the rejection or overturn it.

What can be appealed: a rejection by review (`rejected`) and a rejection by the automatic quality
score (`rejected_quality`) — a score is a model's opinion, and an appeal is the only way a human
looks at such a record. A record refused as invalid or as a duplicate cannot be appealed: those
checks are facts the contributor can verify on the record's receipt (fix the row and upload it
again). Overturning accepts the record through `review.record_decide`, the same path as a
consensus acceptance, so counters, audit log and rewards follow.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from curation.models import Appeal
from curation.review import record_decide
from datanets import permissions
from datanets.audit import audit_log
from datanets.models import Membership, Record

APPEALABLE = (Record.Status.REJECTED, Record.Status.REJECTED_QUALITY)
# Open appeals one contributor may have in one datanet: enough for honest use, and a bound on
# how much one bulk upload can pile onto the owners' queue.
MAX_OPEN_APPEALS = 20
DECISION_CHOICES = [("uphold", "Uphold the rejection"), ("overturn", "Overturn: accept the record")]
DECISIONS = tuple(value for value, _ in DECISION_CHOICES)


class AppealRefused(Exception):
    """An appeal (or a ruling on one) that cannot be made now; `status` is the HTTP status that fits."""

    def __init__(self, message: str, status: int = 409, code: str = "appeal_refused") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def appeal_refusal(*, record: Record, user: Any) -> AppealRefused | None:
    """Why `user` may not appeal `record` now, or None when they may (pages use it to show the button)."""
    if record.contributor_id != getattr(user, "id", None):
        return AppealRefused("Only the contributor of a record can appeal its rejection.", 403, "not_yours")
    existing = Appeal.objects.filter(record_id=record.pk).first()
    if existing is not None:
        return AppealRefused(
            f"You already appealed record #{record.pk} on {existing.created_at:%Y-%m-%d} "
            f"({existing.get_status_display().lower()}). A record can be appealed once.", code="already_appealed")
    if record.status not in APPEALABLE:
        if record.status in (Record.Status.REJECTED_INVALID, Record.Status.REJECTED_DUPLICATE):
            why = ("it was refused by an automatic check you can verify on its receipt; fix the row and upload "
                   "it again")
        else:
            why = "only rejected records can be appealed"
        return AppealRefused(f"Record #{record.pk} is {record.get_status_display().lower()}: {why}.",
                             code="not_appealable")
    open_count = Appeal.objects.filter(appellant_id=record.contributor_id, datanet_id=record.datanet_id,
                                       status=Appeal.Status.OPEN).count()
    if open_count >= MAX_OPEN_APPEALS:
        return AppealRefused(f"You have {open_count} appeals waiting in this datanet; wait until the owners "
                             "decide some of them before appealing more.", code="too_many_open")
    return None


def appeal_create(*, record: Record, appellant: Any, message: str) -> Appeal:
    """Appeal the rejection of `record`. Raises ValidationError without a message, AppealRefused
    when it is not the appellant's record, not appealable, or already appealed (once per record,
    guarded by the database too)."""
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": "Say why the rejection is wrong: the datanet's owners read it."})
    if len(message) > 2000:
        raise ValidationError({"message": f"Keep the message under 2,000 characters (it has {len(message):,})."})
    with transaction.atomic():
        record = Record.objects.select_for_update().select_related("datanet").get(pk=record.pk)
        refusal = appeal_refusal(record=record, user=appellant)
        if refusal is not None:
            raise refusal
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(record=record, datanet=record.datanet, appellant=appellant,
                                               rejected_as=record.status, message=message)
        except IntegrityError as exc:
            raise AppealRefused(f"You already appealed record #{record.pk}. A record can be appealed once.",
                                code="already_appealed") from exc
        audit_log(actor=appellant, action="appeal.created", target=record, datanet=record.datanet, reason=message,
                  data={"appeal": appeal.pk, "rejected_as": record.status})
    return appeal


def appeal_resolve(*, appeal: Appeal, actor: Any, decision: str, note: str = "") -> Appeal:
    """An owner's ruling: "uphold" keeps the rejection (a note for the contributor is required),
    "overturn" accepts the record exactly as a consensus acceptance does (counters, audit log,
    reward accrual) after reversing what the rejection paid its curators."""
    note = (note or "").strip()
    if decision not in DECISIONS:
        raise ValidationError({"decision": f"Choose uphold or overturn (got {decision!r})."})
    if decision == "uphold" and not note:
        raise ValidationError({"note": "Tell the contributor why the rejection stands: they see your note."})
    if len(note) > 2000:
        raise ValidationError({"note": f"Keep the note under 2,000 characters (it has {len(note):,})."})
    if permissions.role_of(actor, appeal.datanet) != Membership.Role.OWNER:
        raise PermissionDenied("Only the datanet's owners decide appeals.")
    now = timezone.now()
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().select_related("datanet").get(pk=appeal.pk)
        record = Record.objects.select_for_update().select_related("datanet").get(pk=appeal.record_id)
        if appeal.appellant_id == actor.id:
            raise AppealRefused("You contributed this record, so another owner must decide its appeal.", 403,
                                "own_record")
        if appeal.status != Appeal.Status.OPEN:
            raise AppealRefused(f"This appeal was already decided ({appeal.get_status_display().lower()}).",
                                code="decided")
        if record.status != appeal.rejected_as:
            raise AppealRefused(f"Record #{record.pk} is {record.get_status_display().lower()} now, no longer "
                                "rejected; there is nothing to overturn. Uphold the appeal with a note instead."
                                if decision == "overturn" else
                                f"Record #{record.pk} is {record.get_status_display().lower()} now.",
                                code="record_changed")
        appeal.status = Appeal.Status.OVERTURNED if decision == "overturn" else Appeal.Status.UPHELD
        appeal.decided_by, appeal.decided_at, appeal.note = actor, now, note
        appeal.save(update_fields=["status", "decided_by", "decided_at", "note"])
        audit_log(actor=actor, action=f"appeal.{appeal.status}", target=record, datanet=record.datanet, reason=note,
                  data={"appeal": appeal.pk, "rejected_as": appeal.rejected_as})
        entry = {"check": "appeal", "outcome": "accepted" if decision == "overturn" else "upheld",
                 "rejected_as": appeal.rejected_as, "appeal": appeal.pk}
        if decision == "overturn":
            from rewards.services import rewards_on_overturn

            rewards_on_overturn(record=record, actor=actor)
            record_decide(record=record, outcome="accepted", entry=entry, actor=actor, now=now)
        else:
            record.receipt = [*record.receipt, entry]
            record.save(update_fields=["receipt"])
    return appeal
