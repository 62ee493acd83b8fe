"""Writes for datanets, memberships and invitations. Each runs in one transaction and writes
the audit log; each refuses bad input with a ValidationError that says what to do."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from datanets.audit import audit_log
from datanets.licenses import DOMAINS, LICENSE_IDS
from datanets.models import Datanet, Invitation, Membership, Tag
from datanets.schema import check_schema

User = get_user_model()
Role = Membership.Role

EDITABLE_FIELDS = {
    "name", "summary", "description", "domain", "license", "visibility", "record_schema", "text_field",
    "txt_mode", "near_dup_threshold", "min_quality", "quality_weights", "approvals_required",
    "auto_accept_above", "review_order",
}
# Changing these after records exist would make stored signatures incomparable.
FROZEN_AFTER_RECORDS = {"minhash_num_perm", "shingle_size"}
TRANSITIONS = {
    Datanet.Status.DRAFT: {Datanet.Status.OPEN, Datanet.Status.ARCHIVED},
    Datanet.Status.OPEN: {Datanet.Status.CLOSED, Datanet.Status.ARCHIVED},
    Datanet.Status.CLOSED: {Datanet.Status.OPEN, Datanet.Status.ARCHIVED},
    Datanet.Status.ARCHIVED: set(),
}
MAX_TAGS = 10


def _unique_slug(name: str, wanted: str = "") -> str:
    base = slugify(wanted or name)[:50].strip("-") or "datanet"
    slug, n = base, 2
    while Datanet.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _clean_tags(tags: list[str] | str) -> list[str]:
    if isinstance(tags, str):
        tags = tags.replace(";", ",").split(",")
    cleaned = []
    for tag in tags:
        slug = slugify(str(tag))[:40]
        if slug and slug not in cleaned:
            cleaned.append(slug)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": f"Use at most {MAX_TAGS} tags (got {len(cleaned)})."})
    return cleaned


def _set_tags(datanet: Datanet, tags: list[str]) -> None:
    objs = [Tag.objects.get_or_create(name=name)[0] for name in tags]
    datanet.tags.set(objs)


def _check_fields(fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if "name" in fields and not str(fields["name"]).strip():
        errors["name"] = "Give the datanet a name."
    if "license" in fields and fields["license"] not in LICENSE_IDS:
        errors["license"] = f"Unknown license {fields['license']!r}; choose an SPDX identifier from the list."
    if "domain" in fields and fields["domain"] not in dict(DOMAINS):
        errors["domain"] = f"Unknown domain {fields['domain']!r}; choose one from the list."
    if fields.get("quality_weights"):
        from curation.quality import DEFAULT_WEIGHTS

        weights = fields["quality_weights"]
        unknown = sorted(set(weights) - set(DEFAULT_WEIGHTS))
        if unknown or not isinstance(weights, dict):
            errors["quality_weights"] = (f"Unknown quality components {', '.join(unknown)}; "
                                         f"weigh any of {', '.join(sorted(DEFAULT_WEIGHTS))}.")
        elif any(float(v) < 0 for v in weights.values()) or not any(float(v) > 0 for v in weights.values()):
            errors["quality_weights"] = "Weights must be zero or positive, and at least one positive."
    if "record_schema" in fields or "text_field" in fields:
        problems = check_schema(fields.get("record_schema"), fields.get("text_field", ""))
        if problems:
            errors["record_schema"] = " ".join(problems)
    if errors:
        raise ValidationError(errors)


def datanet_create(*, owner: Any, name: str, slug: str = "", tags: list[str] | str = (), **fields: Any) -> Datanet:
    """Create a datanet in draft with `owner` as its first owner."""
    unknown = set(fields) - EDITABLE_FIELDS - FROZEN_AFTER_RECORDS
    if unknown:
        raise ValidationError({"non_field_errors": f"Unknown fields: {', '.join(sorted(unknown))}."})
    defaults = Datanet()
    fields.setdefault("record_schema", defaults.record_schema)
    fields.setdefault("text_field", defaults.text_field)
    _check_fields({"name": name, **fields})
    if slug and Datanet.objects.filter(slug=slugify(slug)).exists():
        raise ValidationError({"slug": f"The address {slugify(slug)!r} is taken; choose another."})
    clean_tags = _clean_tags(tags)
    for attempt in range(3):
        try:
            with transaction.atomic():
                datanet = Datanet(name=name.strip(), slug=_unique_slug(name, slug), created_by=owner, **fields)
                datanet.full_clean(exclude=["tags"])
                datanet.save()
                _set_tags(datanet, clean_tags)
                Membership.objects.create(datanet=datanet, user=owner, role=Role.OWNER)
                audit_log(actor=owner, action="datanet.create", target=datanet)
                return datanet
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def datanet_update(*, datanet: Datanet, actor: Any, tags: list[str] | str | None = None, **fields: Any) -> Datanet:
    unknown = set(fields) - EDITABLE_FIELDS - FROZEN_AFTER_RECORDS
    if unknown:
        raise ValidationError({"non_field_errors": f"Unknown or read-only fields: {', '.join(sorted(unknown))}."})
    if FROZEN_AFTER_RECORDS & set(fields) and _has_records(datanet):
        raise ValidationError(
            {"minhash_num_perm": "MinHash parameters cannot change once records exist; create a new datanet instead."}
        )
    schema_fields = {
        "record_schema": fields.get("record_schema", datanet.record_schema),
        "text_field": fields.get("text_field", datanet.text_field),
    }
    _check_fields({**fields, **schema_fields})
    changed = {}
    for key, value in fields.items():
        if getattr(datanet, key) != value:
            changed[key] = value
            setattr(datanet, key, value)
    datanet.full_clean(exclude=["tags"])
    datanet.save()
    if tags is not None:
        _set_tags(datanet, _clean_tags(tags))
        changed["tags"] = list(datanet.tags.values_list("name", flat=True))
    if changed:
        audit_log(actor=actor, action="datanet.update", target=datanet, data={"fields": sorted(changed)})
    return datanet


def _has_records(datanet: Datanet) -> bool:
    records = getattr(datanet, "records", None)
    return bool(records is not None and records.exists())


@transaction.atomic
def datanet_set_status(*, datanet: Datanet, actor: Any, status: str) -> Datanet:
    datanet = Datanet.objects.select_for_update().get(pk=datanet.pk)
    if status == datanet.status:
        return datanet
    if status not in TRANSITIONS.get(datanet.status, set()):
        allowed = ", ".join(sorted(TRANSITIONS.get(datanet.status, set()))) or "nothing (archived is final)"
        raise ValidationError({"status": f"A {datanet.status} datanet can move to {allowed}, not {status}."})
    before = datanet.status
    datanet.status = status
    datanet.save(update_fields=["status", "updated_at"])
    audit_log(actor=actor, action="datanet.status", target=datanet, data={"from": before, "to": status})
    return datanet


@transaction.atomic
def datanet_delete(*, datanet: Datanet, actor: Any) -> None:
    """Delete a datanet that holds no records. One with records is archived instead, because its
    records carry contributors' credit and rewards."""
    if _has_records(datanet):
        raise ValidationError(
            {"non_field_errors": "This datanet holds records and cannot be deleted; archive it instead."}
        )
    from rewards.models import Account

    if Account.objects.filter(datanet=datanet).exists():
        raise ValidationError(
            {"non_field_errors": "This datanet has a reward pool with ledger history and cannot be deleted; "
                                 "archive it instead."}
        )
    audit_log(actor=actor, action="datanet.delete", target=datanet, data={"slug": datanet.slug})
    datanet.delete()


# --- Memberships ---------------------------------------------------------------------------------


def _find_user(identifier: str) -> Any:
    identifier = identifier.strip()
    if "@" in identifier:
        return User.objects.filter(email__iexact=identifier).first()
    return User.objects.filter(username__iexact=identifier).first()


@transaction.atomic
def membership_invite(*, datanet: Datanet, actor: Any, identifier: str, role: str) -> Membership | Invitation:
    """Add an existing user (by username or email) as a member at once, or invite an email that
    has no account yet: the invitation turns into a membership when that email signs up."""
    if role not in Role.values:
        raise ValidationError({"role": f"Role must be one of: {', '.join(Role.values)}."})
    if not identifier.strip():
        raise ValidationError({"identifier": "Enter a username or an email address."})
    user = _find_user(identifier)
    if user is None:
        if "@" not in identifier:
            raise ValidationError({"identifier": f"No user is called {identifier.strip()!r}. Check the spelling or invite by email."})
        email = identifier.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError({"identifier": f"{identifier.strip()!r} is not a valid email address (nor a "
                                                 "username). Check it and try again."}) from None
        if Invitation.objects.filter(datanet=datanet, email=email, accepted_at__isnull=True).exists():
            raise ValidationError({"identifier": f"{email} is already invited."})
        invitation = Invitation.objects.create(datanet=datanet, email=email, role=role, invited_by=actor)
        audit_log(actor=actor, action="invitation.create", target=invitation, datanet=datanet, data={"role": role})
        transaction.on_commit(lambda: _send_invitation(invitation))
        return invitation
    if Membership.objects.filter(datanet=datanet, user=user).exists():
        raise ValidationError({"identifier": f"{user.username} is already a member; change their role instead."})
    membership = Membership.objects.create(datanet=datanet, user=user, role=role)
    audit_log(actor=actor, action="membership.add", target=membership, datanet=datanet, data={"role": role, "user": user.username})
    return membership


def _send_invitation(invitation: Invitation) -> None:
    from django.conf import settings

    send_mail(
        subject=f"You are invited to the datanet {invitation.datanet.name}",
        message=(
            f"You have been invited as {invitation.role} of the datanet {invitation.datanet.name}.\n"
            f"Sign up with this email address to join: {settings.SITE_URL}/accounts/signup/\n"
        ),
        from_email=None,
        recipient_list=[invitation.email],
        fail_silently=True,
    )


def invitations_claim(*, user: Any) -> list[Membership]:
    """Turn open invitations for this user's email into memberships."""
    created = []
    for invitation in Invitation.objects.select_for_update().filter(email__iexact=user.email, accepted_at__isnull=True):
        membership, made = Membership.objects.get_or_create(
            datanet=invitation.datanet, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        if made:
            created.append(membership)
            audit_log(actor=user, action="invitation.accept", target=membership, datanet=invitation.datanet)
    return created


def _lock_owners(datanet: Datanet) -> int:
    # Lock the datanet row so two owners leaving at once cannot both pass the last-owner check.
    Datanet.objects.select_for_update().filter(pk=datanet.pk).first()
    return Membership.objects.filter(datanet=datanet, role=Role.OWNER).count()


@transaction.atomic
def membership_change_role(*, datanet: Datanet, actor: Any, username: str, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"Role must be one of: {', '.join(Role.values)}."})
    owners = _lock_owners(datanet)
    membership = Membership.objects.select_related("user").filter(datanet=datanet, user__username=username).first()
    if membership is None:
        raise ValidationError({"username": f"{username} is not a member of this datanet."})
    if membership.role == Role.OWNER and role != Role.OWNER and owners <= 1:
        raise ValidationError({"role": "This is the last owner. Make someone else an owner first."})
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_log(actor=actor, action="membership.role", target=membership, datanet=datanet, data={"from": before, "to": role})
    return membership


@transaction.atomic
def membership_remove(*, datanet: Datanet, actor: Any, username: str) -> None:
    """Remove a member (an owner removing someone, or a member leaving). The last owner stays."""
    owners = _lock_owners(datanet)
    membership = Membership.objects.select_related("user").filter(datanet=datanet, user__username=username).first()
    if membership is None:
        raise ValidationError({"username": f"{username} is not a member of this datanet."})
    if membership.role == Role.OWNER and owners <= 1:
        raise ValidationError(
            {"username": "The last owner cannot leave. Make someone else an owner first, or archive the datanet."}
        )
    if membership.user_id != getattr(actor, "id", None) and not _may_manage(actor, datanet):
        raise PermissionDenied("Only owners can remove other members.")
    action = "membership.leave" if membership.user_id == actor.id else "membership.remove"
    audit_log(actor=actor, action=action, target=membership, datanet=datanet, data={"user": username})
    membership.delete()


def _may_manage(actor: Any, datanet: Datanet) -> bool:
    from datanets.permissions import can_manage_members

    return can_manage_members(actor, datanet)
