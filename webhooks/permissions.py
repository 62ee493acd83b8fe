"""Who may register, see and change which webhook endpoints.

Anyone signed in who can see a datanet may register an endpoint for the events that concern
them (their submissions, their records, their rewards, their reports). Only the datanet's
owners may register an endpoint for every event of the datanet, and they manage each other's
datanet-wide endpoints. Nobody else sees an endpoint, its URL or its secret: to them it does
not exist (404).
"""

from typing import Any

from datanets import permissions as datanet_permissions
from datanets.models import Datanet, Membership
from webhooks.models import Endpoint


def can_use_webhooks(user: Any, datanet: Datanet) -> bool:
    return getattr(user, "is_authenticated", False) and datanet_permissions.can_view(user, datanet)


def can_receive_every_event(user: Any, datanet: Datanet) -> bool:
    return datanet_permissions.role_of(user, datanet) == Membership.Role.OWNER


def can_manage(user: Any, endpoint: Endpoint) -> bool:
    if not can_use_webhooks(user, endpoint.datanet):
        return False
    if endpoint.owner_id == user.pk:
        return True
    return endpoint.scope == Endpoint.Scope.DATANET and can_receive_every_event(user, endpoint.datanet)
