"""Reads for reports and moderation: the queue each moderator sees, suspensions, the audit log."""

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from curation.models import ModerationAction, Report, Suspension
from datanets import permissions
from datanets.models import AuditEntry, Datanet, Membership


def suspension_active(*, user: Any, datanet: Datanet | None = None) -> Suspension | None:
    """The suspension that bars this user from contributing to `datanet` now (site-wide first)."""
    if not getattr(user, "is_authenticated", False):
        return None
    scope = Q(datanet__isnull=True)
    if datanet is not None:
        scope |= Q(datanet=datanet)
    return (Suspension.objects.filter(scope, user=user, lifted_at__isnull=True)
            .order_by("datanet_id", "-created_at").first())


def last_freeze_by_staff(*, datanet: Datanet) -> bool:
    last = (ModerationAction.objects.filter(datanet=datanet, action=ModerationAction.Action.FREEZE_DATANET)
            .select_related("actor").first())
    return bool(last and last.actor and permissions.is_moderator(last.actor))


def moderated_datanets(*, user: Any) -> QuerySet[Datanet]:
    if permissions.is_moderator(user):
        return Datanet.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Datanet.objects.none()
    return Datanet.objects.filter(memberships__user=user, memberships__role=Membership.Role.OWNER)


def report_queue(*, user: Any, status: str = "open", datanet: Datanet | None = None,
                 reason: str = "") -> QuerySet[Report]:
    """Reports this user may moderate: moderators all, owners those about their datanets."""
    qs = Report.objects.select_related("datanet", "record", "record__contributor", "reporter", "resolved_by")
    if not permissions.is_moderator(user):
        qs = qs.filter(datanet__in=moderated_datanets(user=user))
    if status:
        qs = qs.filter(status=status)
    if datanet is not None:
        qs = qs.filter(datanet=datanet)
    if reason:
        qs = qs.filter(reason=reason)
    return qs.order_by("-created_at", "-id")


def report_get_for_moderator(*, user: Any, report_id: int) -> Report | None:
    """The report if this user may moderate it, else None (the caller answers 403 or 404)."""
    return report_queue(user=user, status="").filter(pk=report_id).first()


def audit_entries(*, action: str = "", actor: str = "", datanet: str = "", since: date | None = None,
                  until: date | None = None, target_type: str = "") -> QuerySet[AuditEntry]:
    """The audit log, newest first, filtered. `action` matches a prefix ("record." gets every
    record state change); `actor` is a username; `datanet` a slug; dates are inclusive."""
    qs = AuditEntry.objects.select_related("actor", "datanet")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor__username=actor)
    if datanet:
        qs = qs.filter(datanet__slug=datanet)
    if target_type:
        qs = qs.filter(target_type=target_type)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs.order_by("-created_at", "-id")


def audit_action_names() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())
