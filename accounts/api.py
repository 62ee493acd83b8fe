"""API for accounts: exchanging a password for a token, and who am I."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import APIException, Throttled
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.login_throttle import login_failure_record, login_failures_reset, login_is_locked
from accounts.models import ApiToken
from openledger.etag import ETagMixin
from openledger.throttling import ScopedRateThrottle


class WrongCredentials(APIException):
    # A plain 401: DRF turns AuthenticationFailed into 403 on views without authenticators.
    status_code = 401
    default_detail = "Wrong username or password."
    default_code = "authentication_failed"


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class TokenCreateApi(APIView):
    """Exchange a username and password for a personal API token (for scripts)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token_create"

    class TokenCreateInput(serializers.Serializer):
        username = serializers.CharField()
        password = serializers.CharField(style={"input_type": "password"})
        name = serializers.CharField(required=False, default="API token", max_length=80)
        scope = serializers.ChoiceField(choices=ApiToken.Scope.choices, default=ApiToken.Scope.WRITE)

    class TokenCreateOutput(serializers.Serializer):
        token = serializers.CharField(help_text="Send as 'Authorization: Bearer <token>'. Shown once.")
        name = serializers.CharField()
        scope = serializers.CharField()
        prefix = serializers.CharField()

    @extend_schema(operation_id="auth_token_create", request=TokenCreateInput, responses={201: TokenCreateOutput})
    def post(self, request):
        data = self.TokenCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        username, ip = data.validated_data["username"], client_ip(request)
        if login_is_locked(username=username, ip=ip):
            raise Throttled(detail="Too many failed logins. Wait 15 minutes or reset your password.")
        user = authenticate(request, username=username, password=data.validated_data["password"])
        if user is None:
            login_failure_record(username=username, ip=ip)
            raise WrongCredentials()
        login_failures_reset(username=username, ip=ip)
        token, raw = services.api_token_create(
            user=user, name=data.validated_data["name"], scope=data.validated_data["scope"]
        )
        body = {"token": raw, "name": token.name, "scope": token.scope, "prefix": token.prefix}
        return Response(body, status=status.HTTP_201_CREATED)


class MeApi(ETagMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    class MeOutput(serializers.Serializer):
        username = serializers.CharField()
        email = serializers.EmailField()
        display_name = serializers.CharField()
        is_staff = serializers.BooleanField()
        token_scope = serializers.CharField(allow_null=True)

    @extend_schema(operation_id="me_retrieve", responses=MeOutput)
    def get(self, request):
        profile = services.profile_get_or_create(user=request.user)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return Response({
            "username": request.user.username, "email": request.user.email, "display_name": profile.name,
            "is_staff": request.user.is_staff, "token_scope": token.scope if token else None,
        })
