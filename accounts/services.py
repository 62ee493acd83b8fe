"""Writes for accounts: sign-up, profiles and API tokens."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, Profile
from accounts.tokens import token_generate, token_hash
from datanets.audit import audit_log

User = get_user_model()


@transaction.atomic
def user_signup(*, username: str, email: str, password: str, display_name: str = "") -> AbstractBaseUser:
    """Create a user with a profile and turn any pending datanet invitations for the email into
    memberships. The password must already have passed validation."""
    from datanets.services import invitations_claim

    email = email.strip().lower()
    if email and User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "An account with this email already exists. Log in or reset the password."})
    user = User.objects.create_user(username=username, email=email, password=password)
    Profile.objects.create(user=user, display_name=display_name.strip())
    audit_log(actor=user, action="user.signup", target=user)
    if email:
        invitations_claim(user=user)
    return user


def profile_get_or_create(*, user: AbstractBaseUser) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(*, user: AbstractBaseUser, display_name: str, bio: str) -> Profile:
    profile = profile_get_or_create(user=user)
    profile.display_name = display_name.strip()
    profile.bio = bio.strip()
    profile.full_clean()
    profile.save(update_fields=["display_name", "bio"])
    audit_log(actor=user, action="profile.update", target=user)
    return profile


@transaction.atomic
def api_token_create(
    *, user: AbstractBaseUser, name: str, scope: str = ApiToken.Scope.WRITE, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw secret, which is never stored and cannot be
    shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. the script or machine that uses it."})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": f"Scope must be one of: {', '.join(ApiToken.Scope.values)}."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry date must be in the future."})
    raw, prefix = token_generate()
    token = ApiToken.objects.create(
        user=user, name=name[:80], prefix=prefix, key_hash=token_hash(raw), scope=scope, expires_at=expires_at
    )
    audit_log(actor=user, action="api_token.create", target=token, data={"scope": scope})
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> ApiToken:
    """Revoke one of `user`'s tokens (again is a no-op). Raises ApiToken.DoesNotExist when the
    user has no token with this id, whether it is someone else's or none at all."""
    token = ApiToken.objects.select_for_update().get(id=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=user, action="api_token.revoke", target=token)
    return token
