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


MODERATORS_GROUP = "Moderators"


def is_moderator(user: Any) -> bool:
    """Site moderators: staff, and members of the "Moderators" group (given in the admin's Groups).
    Moderators handle reports, takedowns, suspensions and freezes on every datanet and read the
    audit log, without the admin, settlements or other staff powers."""
    if is_staff(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_is_moderator", None)
    if cached is None:
        cached = user._is_moderator = user.groups.filter(name=MODERATORS_GROUP).exists()
    return cached


def can_view(user: Any, datanet: Datanet) -> bool:
    # Moderators see private datanets too: a report about one must be judged on what it holds.
    return datanet.is_public or is_moderator(user) or role_of(user, datanet) is not None


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
    suspension = _active_suspension(user, datanet)
    if suspension is not None:
        return f"Your account is suspended from contributing: {suspension.reason}"
    if datanet.is_frozen:
        return "This datanet is frozen by moderation and takes no new contributions."
    if datanet.status != Datanet.Status.OPEN:
        return f"This datanet is {datanet.get_status_display().lower()}; contributions open when its owner opens it."
    if not datanet.is_public and role_of(user, datanet) is None:
        return "Only members can contribute to a private datanet."
    return None


def can_contribute(user: Any, datanet: Datanet) -> bool:
    return contribution_refusal(user, datanet) is None


def _active_suspension(user: Any, datanet: Datanet) -> Any:
    from curation.moderation_selectors import suspension_active  # curation builds on datanets, not back

    return suspension_active(user=user, datanet=datanet)


def can_moderate(user: Any, datanet: Datanet) -> bool:
    """Resolve reports about this datanet, take down its records, suspend users from it, freeze it."""
    return is_moderator(user) or role_of(user, datanet) == Role.OWNER


def can_moderate_anything(user: Any) -> bool:
    """Moderators, or the owner of at least one datanet: may open the moderation queue."""
    if is_moderator(user):
        return True
    return bool(getattr(user, "is_authenticated", False)
                and Membership.objects.filter(user=user, role=Role.OWNER).exists())


def can_suspend_everywhere(user: Any) -> bool:
    """Only moderators suspend a user from every datanet; an owner's suspension covers their datanet."""
    return is_moderator(user)


def can_browse_audit_log(user: Any) -> bool:
    return is_moderator(user)


def can_unfreeze(user: Any, datanet: Datanet) -> bool:
    """Moderators always; an owner only when the freeze was not a moderator's (else the owner could undo it)."""
    if is_moderator(user):
        return True
    if not can_moderate(user, datanet):
        return False
    from curation.moderation_selectors import last_freeze_by_staff

    return not last_freeze_by_staff(datanet=datanet)


def can_cut_release(user: Any, datanet: Datanet) -> bool:
    """Only owners cut releases: a release is the datanet's public promise of what it contains."""
    return role_of(user, datanet) == Role.OWNER
