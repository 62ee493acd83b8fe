"""Reads of submissions, their error reports and records, with who may see what.

- A submission and its error report: its contributor, the datanet's owners and curators, staff.
- Records: accepted records are visible to whoever can see the datanet; records in any other
  state only to their contributor, the datanet's owners and curators, and staff.
"""

import uuid
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from datanets import permissions
from datanets.models import Datanet, Record, Submission


def _may_see_all(user: Any, datanet: Datanet) -> bool:
    return permissions.is_staff(user) or permissions.can_curate(user, datanet)


def submission_get_for_user(*, user: Any, submission_id: Any) -> Submission:
    try:
        pk = uuid.UUID(str(submission_id))
    except ValueError as exc:
        raise Http404("No submission here.") from exc
    sub = Submission.objects.select_related("datanet", "contributor").filter(id=pk).first()
    if sub is None or not permissions.can_view(user, sub.datanet):
        raise Http404("No submission here.")
    if sub.contributor_id != getattr(user, "id", None) and not _may_see_all(user, sub.datanet):
        raise Http404("No submission here.")
    return sub


def submission_list(*, user: Any, datanet: Datanet | None = None) -> QuerySet[Submission]:
    qs = Submission.objects.select_related("datanet")
    if datanet is not None:
        qs = qs.filter(datanet=datanet)
        if not _may_see_all(user, datanet):
            qs = qs.filter(contributor=user) if user.is_authenticated else qs.none()
    else:
        qs = qs.filter(contributor=user) if user.is_authenticated else qs.none()
    return qs.order_by("-created_at")


def record_list(*, user: Any, datanet: Datanet, status: str = "", contributor: str = "",
                submission: Any = None) -> QuerySet[Record]:
    qs = Record.objects.filter(datanet=datanet).select_related("contributor")
    if not _may_see_all(user, datanet):
        visible = Q(status=Record.Status.ACCEPTED)
        if getattr(user, "is_authenticated", False):
            visible |= Q(contributor=user)
        qs = qs.filter(visible)
    if status:
        qs = qs.filter(status=status)
    if contributor:
        qs = qs.filter(contributor__username=contributor)
    if submission is not None:
        qs = qs.filter(submission=submission)
    return qs.order_by("id")


def record_get_for_user(*, user: Any, record_id: int) -> Record:
    record = Record.objects.select_related("datanet", "contributor", "submission").filter(id=record_id).first()
    if record is None or not permissions.can_view(user, record.datanet):
        raise Http404("No record here.")
    if record.status != Record.Status.ACCEPTED and record.contributor_id != getattr(user, "id", None) \
            and not _may_see_all(user, record.datanet):
        raise Http404("No record here.")
    return record
