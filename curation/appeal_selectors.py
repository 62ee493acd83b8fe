"""Reads of appeals: the owners' queue of a datanet, and a contributor's own appeals."""

from typing import Any

from django.db.models import QuerySet

from curation.models import Appeal
from datanets.models import Datanet


def appeal_queue(*, datanet: Datanet, status: str = Appeal.Status.OPEN) -> QuerySet[Appeal]:
    """A datanet's appeals with `status` ("all" for every one), oldest first: the owners' queue."""
    qs = Appeal.objects.filter(datanet=datanet).select_related("record", "appellant", "decided_by")
    if status != "all":
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "id")


def appeal_list_of(*, user: Any) -> QuerySet[Appeal]:
    """The appeals `user` made, newest first."""
    return (Appeal.objects.filter(appellant=user).select_related("record", "datanet", "decided_by")
            .order_by("-created_at", "-id"))


def appeal_open_count(*, datanet: Datanet) -> int:
    return Appeal.objects.filter(datanet=datanet, status=Appeal.Status.OPEN).count()
