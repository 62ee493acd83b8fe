"""Reads of datanets and memberships. Every listing goes through datanet_list_visible."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from datanets import permissions
from datanets.models import Datanet, Membership

SORTS = {"newest": "-created_at", "records": "-record_count", "name": "name"}


def datanet_visible_qs(user: Any) -> QuerySet[Datanet]:
    qs = Datanet.objects.all()
    if permissions.is_moderator(user):
        return qs
    visible = Q(visibility=Datanet.Visibility.PUBLIC)
    if getattr(user, "is_authenticated", False):
        visible |= Q(memberships__user=user)
    return qs.filter(visible).distinct()


def datanet_list_visible(
    *,
    user: Any,
    q: str = "",
    tag: str = "",
    domain: str = "",
    license: str = "",
    status: str = "",
    sort: str = "newest",
    mine: bool = False,
) -> QuerySet[Datanet]:
    """Datanets this user may see, filtered and sorted. Archived and draft datanets are only
    listed for their members (or when asked for by status)."""
    qs = datanet_visible_qs(user)
    if mine and getattr(user, "is_authenticated", False):
        qs = qs.filter(memberships__user=user)
    elif not status:
        listed = Q(status__in=[Datanet.Status.OPEN, Datanet.Status.CLOSED])
        if getattr(user, "is_authenticated", False):
            listed |= Q(memberships__user=user)
        qs = qs.filter(listed)
    if status:
        qs = qs.filter(status=status)
    if q:
        words = q.split()[:8]
        for word in words:
            qs = qs.filter(
                Q(name__icontains=word) | Q(summary__icontains=word) | Q(tags__name__iexact=word)
                | Q(domain__iexact=word)
            )
    if tag:
        qs = qs.filter(tags__name=tag)
    if domain:
        qs = qs.filter(domain=domain)
    if license:
        qs = qs.filter(license=license)
    return qs.distinct().order_by(SORTS.get(sort, "-created_at"), "-id").prefetch_related("tags")


def datanet_get_for_user(*, user: Any, slug: str) -> Datanet:
    """The datanet if this user may see it; otherwise Http404, exactly as if it did not exist."""
    datanet = Datanet.objects.filter(slug=slug).first()
    if datanet is None or not permissions.can_view(user, datanet):
        raise Http404("No datanet here.")
    return datanet


def membership_list(*, datanet: Datanet) -> QuerySet[Membership]:
    return datanet.memberships.select_related("user", "user__profile").order_by("role", "created_at")


def datanet_owners_count(*, datanet: Datanet) -> int:
    return datanet.memberships.filter(role=Membership.Role.OWNER).count()


def tags_popular(*, user: Any, limit: int = 20) -> list[str]:
    from django.db.models import Count

    from datanets.models import Tag

    ids = datanet_visible_qs(user).values("id")
    return list(
        Tag.objects.filter(datanets__in=ids)
        .annotate(n=Count("datanets"))
        .order_by("-n", "name")
        .values_list("name", flat=True)[:limit]
    )
