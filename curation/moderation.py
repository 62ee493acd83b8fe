"""Reports and moderation: report a record or datanet; dismiss, take down, suspend, freeze.

Every service runs in one transaction, writes a ModerationAction (structured) and an audit
entry (who, what, when, why), and checks the actor with `datanets.permissions` so that pages,
API and admin cannot disagree about who may do what.
"""

from importlib import import_module
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from curation.models import ModerationAction, Report, ReviewClaim, ReviewEscalation, Suspension
from datanets import permissions
from datanets.audit import audit_log
from webhooks import payloads
from webhooks.services import webhook_emit
from datanets.models import Datanet, Record

Action = ModerationAction.Action
MODERATORS_ONLY = "Only staff and the datanet's owners moderate it."
RESOLUTIONS = (Action.DISMISS, Action.TAKEDOWN, Action.SUSPEND_USER, Action.FREEZE_DATANET)


class ModerationRefused(Exception):
    """An action that cannot be taken now; `status` is the HTTP status that fits (403, 409)."""

    def __init__(self, message: str, status: int = 409, code: str = "moderation_refused") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def _require_moderator(actor: Any, datanet: Datanet) -> None:
    if not permissions.can_moderate(actor, datanet):
        raise PermissionDenied(MODERATORS_ONLY)


def _clean_text(value: str, field: str, *, required: str = "") -> str:
    value = (value or "").strip()
    if len(value) > 2000:
        raise ValidationError({field: f"Keep it under 2,000 characters (it has {len(value):,})."})
    if required and not value:
        raise ValidationError({field: required})
    return value


def _act(*, actor: Any, action: str, reason: str, datanet: Datanet | None = None, record: Record | None = None,
         user: Any = None, report: Report | None = None) -> ModerationAction:
    return ModerationAction.objects.create(actor=actor, action=action, datanet=datanet, record=record, user=user,
                                           report=report, reason=reason)


def _close_reports(*, reports, actor: Any, resolution: str, note: str, status: str) -> int:
    """Resolve the open ones among `reports`, each with its audit entry; returns how many."""
    closed = 0
    for report in reports.select_for_update().filter(status=Report.Status.OPEN).select_related("datanet"):
        closed += Report.objects.filter(pk=report.pk, status=Report.Status.OPEN).update(
            status=status, resolved_by=actor, resolved_at=timezone.now(), resolution=resolution,
            resolution_note=note,
        )
        audit_log(actor=actor, action=f"report.{status}", target=report, datanet=report.datanet, reason=note,
                  data={"resolution": resolution})
        webhook_emit(event="report.resolved", datanet=report.datanet, user=report.reporter,
                     payload=payloads.report(report, status=status, resolution=resolution, note=note))
    return closed


def report_create(*, reporter: Any, reason: str, comment: str = "", record: Record | None = None,
                  datanet: Datanet | None = None) -> Report:
    """Report one record or one datanet (exactly one). The caller has already checked that the
    reporter may see the target (selectors answer 404 otherwise). Raises ValidationError for a
    bad reason or a missing comment, ModerationRefused (409) for a second open report."""
    if not getattr(reporter, "is_authenticated", False):
        raise PermissionDenied("Log in to report content.")
    if (record is None) == (datanet is None):
        raise ValidationError({"non_field_errors": "Report either one record or one datanet."})
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": f"Choose one of {', '.join(Report.Reason.values)} (got {reason!r})."})
    comment = _clean_text(comment, "comment", required="Say in the comment what is wrong when the reason is "
                                                         "'other'." if reason == Report.Reason.OTHER else "")
    target_datanet = record.datanet if record is not None else datanet
    try:
        with transaction.atomic():
            report = Report.objects.create(datanet=target_datanet, record=record, reporter=reporter, reason=reason,
                                           comment=comment)
            audit_log(actor=reporter, action="report.created", target=report, datanet=target_datanet,
                      reason=comment, data={"reason": reason, "record": record.pk if record else None})
    except IntegrityError as exc:
        what = f"record #{record.pk}" if record is not None else "this datanet"
        raise ModerationRefused(f"You already have an open report on {what}; moderators will get to it.",
                                code="already_reported") from exc
    return report


def report_dismiss(*, report: Report, actor: Any, note: str = "") -> Report:
    """Close an open report without acting on its target."""
    _require_moderator(actor, report.datanet)
    note = _clean_text(note, "note")
    with transaction.atomic():
        if not _close_reports(reports=Report.objects.filter(pk=report.pk), actor=actor, resolution=Action.DISMISS,
                              note=note, status=Report.Status.DISMISSED):
            raise ModerationRefused(f"Report #{report.pk} is already resolved.", code="resolved")
        _act(actor=actor, action=Action.DISMISS, reason=note, datanet=report.datanet, record=report.record,
             report=report)
    report.refresh_from_db()
    return report


TAKEDOWN_FROM = (Record.Status.ACCEPTED, Record.Status.IN_REVIEW, Record.Status.PENDING)


def record_takedown(*, record: Record, actor: Any, reason: str, report: Report | None = None) -> Record:
    """Remove a record by moderation: status "removed" (so it leaves future releases), a receipt
    entry, the datanet's counters corrected when it was accepted, unsettled rewards reversed by
    the rewards ledger (when it offers the hook), and every open report on it actioned."""
    _require_moderator(actor, record.datanet)
    reason = _clean_text(reason, "reason", required="Say why the record is taken down: its contributor sees it.")
    now = timezone.now()
    with transaction.atomic():
        record = Record.objects.select_for_update().select_related("datanet").get(pk=record.pk)
        datanet = record.datanet
        if record.status not in TAKEDOWN_FROM:
            raise ModerationRefused(f"Record #{record.pk} is {record.get_status_display().lower()}: it is not in "
                                    "the datanet, so there is nothing to take down.", code="not_takedownable")
        was_accepted = record.status == Record.Status.ACCEPTED
        entry = {"check": "moderation", "outcome": "removed", "reason": reason, "was": record.status}
        record.status = Record.Status.REMOVED
        record.decided_at = now
        record.receipt = [*record.receipt, entry]
        record.save(update_fields=["status", "decided_at", "receipt"])
        ReviewClaim.objects.filter(record=record).delete()
        if was_accepted:
            Datanet.objects.select_for_update().filter(pk=datanet.pk).first()
            updates = {"record_count": F("record_count") - 1}
            if not Record.objects.filter(datanet=datanet, contributor_id=record.contributor_id,
                                         status=Record.Status.ACCEPTED).exists():
                updates["contributor_count"] = F("contributor_count") - 1
            Datanet.objects.filter(pk=datanet.pk).update(**updates)
        _rewards_on_takedown(record=record, actor=actor, reason=reason)
        _close_reports(reports=Report.objects.filter(record=record), actor=actor, resolution=Action.TAKEDOWN,
                       note=reason, status=Report.Status.ACTIONED)
        _act(actor=actor, action=Action.TAKEDOWN, reason=reason, datanet=datanet, record=record, report=report)
        audit_log(actor=actor, action="record.removed", target=record, datanet=datanet, reason=reason,
                  data={**entry, "report": report.pk if report else None})
    return record


def _rewards_on_takedown(*, record: Record, actor: Any, reason: str) -> None:
    # Unsettled rewards for the record are reversed by the rewards ledger, in this transaction;
    # without `rewards.services.rewards_on_takedown` there is nothing to reverse. This one line is the hook.
    getattr(_rewards_services(), "rewards_on_takedown", lambda **kw: None)(record=record, actor=actor, reason=reason)


def _rewards_services() -> Any:
    try:
        return import_module("rewards.services")
    except ModuleNotFoundError:
        return None


def user_suspend(*, user: Any, actor: Any, reason: str, datanet: Datanet | None = None,
                 report: Report | None = None) -> Suspension:
    """Bar `user` from contributing — to every datanet (staff only) or to `datanet` (its owners and
    staff) — and withdraw their records still in review there (rejected, with a receipt entry)."""
    if datanet is None and not permissions.can_suspend_everywhere(actor):
        raise PermissionDenied("Only staff suspend a user from every datanet; owners suspend from their datanet.")
    if datanet is not None:
        _require_moderator(actor, datanet)
    if getattr(actor, "pk", None) == user.pk:
        raise ModerationRefused("You cannot suspend yourself.", status=400, code="self")
    reason = _clean_text(reason, "reason", required="Say why the user is suspended: they see it when they "
                                                    "try to contribute.")
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                suspension = Suspension.objects.create(user=user, datanet=datanet, by=actor, reason=reason)
        except IntegrityError as exc:
            where = f"from {datanet}" if datanet is not None else "everywhere"
            raise ModerationRefused(f"{user.username} is already suspended {where}.", code="already_suspended") \
                from exc
        records = Record.objects.select_for_update().filter(contributor=user, status=Record.Status.IN_REVIEW)
        if datanet is not None:
            records = records.filter(datanet=datanet)
        entry = {"check": "moderation", "outcome": "withdrawn", "reason": reason, "suspension": suspension.pk}
        withdrawn = []
        for record in records.select_related("datanet"):
            record.status = Record.Status.REJECTED
            record.decided_at = now
            record.receipt = [*record.receipt, entry]
            record.save(update_fields=["status", "decided_at", "receipt"])
            audit_log(actor=actor, action="record.withdrawn", target=record, datanet=record.datanet, reason=reason,
                      data=entry)
            withdrawn.append(record.pk)
        ReviewClaim.objects.filter(record_id__in=withdrawn).delete()
        ReviewEscalation.objects.filter(record_id__in=withdrawn, resolved_at__isnull=True).update(resolved_at=now)
        if report is not None:
            _close_reports(reports=Report.objects.filter(pk=report.pk), actor=actor, resolution=Action.SUSPEND_USER,
                           note=reason, status=Report.Status.ACTIONED)
        _act(actor=actor, action=Action.SUSPEND_USER, reason=reason, datanet=datanet, user=user, report=report)
        audit_log(actor=actor, action="user.suspended", target=user, datanet=datanet, reason=reason,
                  data={"suspension": suspension.pk, "scope": datanet.slug if datanet else "everywhere",
                        "withdrawn": withdrawn, "report": report.pk if report else None})
    return suspension


def user_reinstate(*, suspension: Suspension, actor: Any, reason: str = "") -> Suspension:
    """Lift a suspension. Records withdrawn by it stay withdrawn: the contributor may upload again."""
    if suspension.datanet_id is None and not permissions.can_suspend_everywhere(actor):
        raise PermissionDenied("Only staff lift a suspension from every datanet.")
    if suspension.datanet_id is not None:
        _require_moderator(actor, suspension.datanet)
    reason = _clean_text(reason, "reason")
    with transaction.atomic():
        if not Suspension.objects.filter(pk=suspension.pk, lifted_at__isnull=True).update(
                lifted_at=timezone.now(), lifted_by=actor):
            raise ModerationRefused("This suspension is already lifted.", code="lifted")
        _act(actor=actor, action=Action.REINSTATE_USER, reason=reason, datanet=suspension.datanet,
             user=suspension.user)
        audit_log(actor=actor, action="user.reinstated", target=suspension.user, datanet=suspension.datanet,
                  reason=reason, data={"suspension": suspension.pk})
    suspension.refresh_from_db()
    return suspension


def datanet_freeze(*, datanet: Datanet, actor: Any, reason: str, report: Report | None = None) -> Datanet:
    """Freeze a datanet: it takes no new contributions (see permissions.contribution_refusal);
    its accepted records and releases stay. Open reports about the datanet itself are actioned."""
    _require_moderator(actor, datanet)
    reason = _clean_text(reason, "reason", required="Say why the datanet is frozen: its members see it.")
    with transaction.atomic():
        if not Datanet.objects.filter(pk=datanet.pk, is_frozen=False).update(is_frozen=True):
            raise ModerationRefused(f"{datanet.name} is already frozen.", code="frozen")
        _close_reports(reports=Report.objects.filter(datanet=datanet, record__isnull=True), actor=actor,
                       resolution=Action.FREEZE_DATANET, note=reason, status=Report.Status.ACTIONED)
        if report is not None:
            _close_reports(reports=Report.objects.filter(pk=report.pk), actor=actor,
                           resolution=Action.FREEZE_DATANET, note=reason, status=Report.Status.ACTIONED)
        _act(actor=actor, action=Action.FREEZE_DATANET, reason=reason, datanet=datanet, report=report)
        audit_log(actor=actor, action="datanet.frozen", target=datanet, reason=reason,
                  data={"report": report.pk if report else None})
    datanet.refresh_from_db()
    return datanet


def datanet_unfreeze(*, datanet: Datanet, actor: Any, reason: str = "") -> Datanet:
    if not permissions.can_unfreeze(actor, datanet):
        raise PermissionDenied("Staff froze this datanet; only staff can unfreeze it."
                               if permissions.can_moderate(actor, datanet) else MODERATORS_ONLY)
    reason = _clean_text(reason, "reason")
    with transaction.atomic():
        if not Datanet.objects.filter(pk=datanet.pk, is_frozen=True).update(is_frozen=False):
            raise ModerationRefused(f"{datanet.name} is not frozen.", code="not_frozen")
        _act(actor=actor, action=Action.UNFREEZE_DATANET, reason=reason, datanet=datanet)
        audit_log(actor=actor, action="datanet.unfrozen", target=datanet, reason=reason)
    datanet.refresh_from_db()
    return datanet


def report_resolve(*, report: Report, actor: Any, action: str, note: str = "") -> Report:
    """Resolve an open report with one action: dismiss it, take down the reported record, suspend
    the reported record's contributor (everywhere when staff act, else from this datanet), or
    freeze the datanet. `note` is the reason written to the audit log."""
    _require_moderator(actor, report.datanet)
    if report.status != Report.Status.OPEN:
        raise ModerationRefused(f"Report #{report.pk} is already {report.status}.", code="resolved")
    if action == Action.DISMISS:
        return report_dismiss(report=report, actor=actor, note=note)
    note = _clean_text(note, "note", required="Say why: it is written to the audit log and shown to the user.")
    if action in (Action.TAKEDOWN, Action.SUSPEND_USER) and report.record_id is None:
        raise ValidationError({"action": "This report is about a datanet, not a record: dismiss it or freeze "
                                         "the datanet."})
    if action not in RESOLUTIONS:
        raise ValidationError({"action": f"Choose one of {', '.join(RESOLUTIONS)} (got {action!r})."})
    with transaction.atomic():
        if action == Action.TAKEDOWN:
            record_takedown(record=report.record, actor=actor, reason=note, report=report)
        elif action == Action.SUSPEND_USER:
            scope = None if permissions.can_suspend_everywhere(actor) else report.datanet
            user_suspend(user=report.record.contributor, actor=actor, reason=note, datanet=scope, report=report)
        else:
            datanet_freeze(datanet=report.datanet, actor=actor, reason=note, report=report)
    report.refresh_from_db()
    return report
