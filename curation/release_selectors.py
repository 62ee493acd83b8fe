"""Reads of releases. A release is visible exactly when its datanet is."""

from typing import Any

from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import Http404

from curation.models import Release
from datanets import permissions
from datanets.models import Datanet


def release_list(*, datanet: Datanet) -> QuerySet[Release]:
    return Release.objects.filter(datanet=datanet).select_related("created_by").order_by("-version")


def release_get_for_user(*, user: Any, release_id: int) -> Release:
    """The release if this user may see its datanet; otherwise Http404, as if it did not exist."""
    release = Release.objects.select_related("datanet", "created_by").filter(pk=release_id).first()
    if release is None or not permissions.can_view(user, release.datanet):
        raise Http404("No release here.")
    return release


def release_building(*, datanet: Datanet) -> Release | None:
    return Release.objects.filter(datanet=datanet, status=Release.Status.BUILDING).first()


def release_previous(*, release: Release) -> Release | None:
    """The latest ready release of the same datanet before this one (what "changes" compare with)."""
    return (Release.objects.filter(datanet_id=release.datanet_id, status=Release.Status.READY,
                                   version__lt=release.version).order_by("-version").first())


def release_card_text(*, release: Release) -> str:
    card = release.files.get("card")
    if not card:
        return ""
    with default_storage.open(card["key"], "rb") as f:
        return f.read().decode("utf-8")
