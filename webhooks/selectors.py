"""Reads for webhooks: the endpoints a user manages, who receives an event, what is due."""

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from datanets import permissions as datanet_permissions
from datanets.models import Datanet
from webhooks import permissions
from webhooks.models import DATANET_ONLY_EVENTS, Delivery, Endpoint


def endpoint_list_for_user(*, user: Any, datanet: Datanet) -> QuerySet[Endpoint]:
    """The endpoints of this datanet that `user` manages (empty for anyone who may not)."""
    if not permissions.can_use_webhooks(user, datanet):
        return Endpoint.objects.none()
    mine = Q(owner=user)
    if permissions.can_receive_every_event(user, datanet):
        mine |= Q(scope=Endpoint.Scope.DATANET)
    return Endpoint.objects.filter(mine, datanet=datanet).select_related("owner", "datanet").order_by("created_at", "id")


def endpoint_get_for_user(*, user: Any, datanet: Datanet, pk: int) -> Endpoint:
    """The endpoint if `user` manages it; Http404 otherwise, as if it did not exist."""
    endpoint = endpoint_list_for_user(user=user, datanet=datanet).filter(pk=pk).first()
    if endpoint is None:
        raise Http404("No webhook endpoint here.")
    return endpoint


def delivery_list(*, endpoint: Endpoint) -> QuerySet[Delivery]:
    return endpoint.deliveries.select_related("event").prefetch_related("attempt_log").order_by("-created_at", "-id")


def delivery_get(*, endpoint: Endpoint, pk: int) -> Delivery:
    delivery = endpoint.deliveries.select_related("event", "endpoint").filter(pk=pk).first()
    if delivery is None:
        raise Http404("No such delivery of this endpoint.")
    return delivery


def endpoints_for_event(*, datanet: Datanet, event: str, user: Any = None) -> list[Endpoint]:
    """The active endpoints that receive `event`: the datanet-wide ones of current owners, and
    the personal ones of `user` (the user the event is about) while they can see the datanet.
    One query when nothing is subscribed (the common case during bulk ingest)."""
    found = []
    user_id = getattr(user, "pk", None)
    for endpoint in Endpoint.objects.filter(datanet=datanet, is_active=True).select_related("owner"):
        if event not in endpoint.events:
            continue
        if endpoint.scope == Endpoint.Scope.DATANET:
            if permissions.can_receive_every_event(endpoint.owner, datanet):
                found.append(endpoint)
        elif (user_id is not None and endpoint.owner_id == user_id and event not in DATANET_ONLY_EVENTS
              and datanet_permissions.can_view(endpoint.owner, datanet)):
            found.append(endpoint)
    return found


def deliveries_due(*, now: datetime, limit: int = 200) -> list[int]:
    return list(Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at").values_list("id", flat=True)[:limit])


def endpoints_disabled(*, endpoints: QuerySet[Endpoint]) -> list[Endpoint]:
    return [e for e in endpoints if e.disabled_at is not None and not e.is_active]
