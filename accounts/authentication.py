"""API authentication: personal tokens as `Authorization: Bearer <token>`, and their scopes."""

from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from accounts.models import ApiToken
from accounts.selectors import api_token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the token as 'Authorization: Bearer <token>'.")
        token = api_token_authenticate(raw=parts[1])
        if token is None:
            raise exceptions.AuthenticationFailed(
                "This token is unknown, revoked or expired. Create a new one on your profile's token page."
            )
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class TokenScopePermission(permissions.BasePermission):
    """Read-only tokens may only read. Everything else is decided by each view."""

    message = "This token has read scope only. Create a token with write scope to change data."

    def has_permission(self, request: Request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        token = request.auth
        if isinstance(token, ApiToken):
            return token.can_write
        return True
