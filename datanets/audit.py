"""The one call every service makes when a business object changes state."""

from typing import Any

from django.db import models

from datanets.models import AuditEntry, Datanet


def audit_log(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    datanet: Datanet | None = None,
    reason: str = "",
    data: dict | None = None,
) -> AuditEntry:
    if datanet is None and isinstance(target, Datanet):
        datanet = target
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        datanet=datanet,
        reason=reason,
        data=data or {},
    )
