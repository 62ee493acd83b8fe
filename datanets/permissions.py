"""Who may do what on a datanet: decided here and nowhere else.

Pages and API call these; a private datanet is answered with 404 (not 403) to anyone who may
not see it, so its existence does not leak.
"""

from typing import Any

from datanets.models import Datanet, Membership

Role = Membership.Role


def role_of(user: Any, datanet: Datanet) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cache = getattr(user, "_datanet_roles", None)
    if cache is None:
        cache = user._datanet_roles = {}
    if datanet.pk not in cache:
        cache[datanet.pk] = (
            Membership.objects.filter(datanet=datanet, user=user).values_list("role", flat=True).first()
        )
    return cache[datanet.pk]


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff)


def can_view(user: Any, datanet: Datanet) -> bool:
    return datanet.is_public or is_staff(user) or role_of(user, datanet) is not None


def can_edit(user: Any, datanet: Datanet) -> bool:
    return is_staff(user) or role_of(user, datanet) == Role.OWNER


def can_manage_members(user: Any, datanet: Datanet) -> bool:
    return role_of(user, datanet) == Role.OWNER or is_staff(user)


def can_curate(user: Any, datanet: Datanet) -> bool:
    return role_of(user, datanet) in (Role.OWNER, Role.CURATOR)


def contribution_refusal(user: Any, datanet: Datanet) -> str | None:
    """Why this user may not contribute now, or None when they may."""
    if not getattr(user, "is_authenticated", False):
        return "Log in to contribute."
    if not can_view(user, datanet):
        return "Not found."
    if datanet.is_frozen:
        return "This datanet is frozen by moderation and takes no new contributions."
    if datanet.status != Datanet.Status.OPEN:
        return f"This datanet is {datanet.get_status_display().lower()}; contributions open when its owner opens it."
    if not datanet.is_public and role_of(user, datanet) is None:
        return "Only members can contribute to a private datanet."
    return None


def can_contribute(user: Any, datanet: Datanet) -> bool:
    return contribution_refusal(user, datanet) is None
