from django.utils import timezone

from accounts.models import ApiToken
from accounts.tokens import TOKEN_PREFIX, token_hash


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The active token for a raw secret, or None. Records when it was last used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(raw)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    # Write at most once a minute per token: a busy script must not turn reads into writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(id=token.id).update(last_used_at=now)
    return token


def api_tokens_for_user(*, user) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at"))
