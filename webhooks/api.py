"""REST API for webhook endpoints and their delivery log. Thin: selectors read, services write.

Everything is under a datanet the user can see (404 otherwise), and an endpoint the user does
not manage answers 404 as if it did not exist.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from openledger.parsers import JSONBodyParser as JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from datanets import selectors as datanet_selectors
from datanets.api import deny, raise_drf
from openledger.api import Pagination
from openledger.etag import ETagMixin
from openledger.idempotency import idempotent
from webhooks import delivery as delivery_service
from webhooks import selectors, services
from webhooks.models import Delivery, DeliveryAttempt, Endpoint, EventType


class WebhookEndpointOutput(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))

    class Meta:
        model = Endpoint
        fields = ["id", "url", "description", "scope", "events", "owner", "is_active", "failing_since",
                  "disabled_at", "disabled_reason", "created_at", "updated_at"]


class WebhookEndpointCreatedOutput(WebhookEndpointOutput):
    secret = serializers.CharField(help_text="Shown once here; reveal or rotate it later with …/secret/.")

    class Meta(WebhookEndpointOutput.Meta):
        fields = [*WebhookEndpointOutput.Meta.fields, "secret"]


class WebhookAttemptOutput(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "attempted_at", "ok", "status_code", "latency_ms", "error", "response_excerpt"]


class WebhookDeliveryOutput(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="event.id")
    event_type = serializers.CharField(source="event.type")
    event_created = serializers.DateTimeField(source="event.created_at")
    attempt_log = WebhookAttemptOutput(many=True)

    class Meta:
        model = Delivery
        fields = ["id", "event_id", "event_type", "event_created", "status", "attempts", "next_attempt_at",
                  "last_status_code", "last_latency_ms", "last_error", "last_response_excerpt", "created_at",
                  "finished_at", "redelivery_of", "attempt_log"]


def _datanet(request, slug: str):
    datanet = datanet_selectors.datanet_get_for_user(user=request.user, slug=slug)
    if not request.user.is_authenticated:
        deny(request, "Log in or send an API token to manage webhooks.")
    return datanet


def _endpoint(request, slug: str, pk: int) -> Endpoint:
    return selectors.endpoint_get_for_user(user=request.user, datanet=_datanet(request, slug), pk=pk)


URL_MISSING = "Enter the URL that should receive the events, e.g. https://example.com/hooks/datanets."
EVENTS_HELP = "Any of: " + ", ".join(EventType.values)


class WebhookListApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated, *APIView.permission_classes]
    parser_classes = [JSONParser]
    pagination_class = Pagination

    class WebhookCreateInput(serializers.Serializer):
        url = serializers.CharField(max_length=2000, error_messages={"blank": URL_MISSING, "required": URL_MISSING})
        events = serializers.ListField(child=serializers.CharField(max_length=40), help_text=EVENTS_HELP)
        scope = serializers.ChoiceField(choices=Endpoint.Scope.choices, default=Endpoint.Scope.MINE,
                                        help_text="'datanet' (owners): every event; 'mine': events about you.")
        description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(operation_id="datanets_webhooks_list", responses=WebhookEndpointOutput(many=True),
                   description="The endpoints of this datanet you manage: yours, and as an owner every "
                               "datanet-wide one.")
    def get(self, request, slug: str):
        datanet = _datanet(request, slug)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.endpoint_list_for_user(user=request.user, datanet=datanet),
                                           request, view=self)
        return paginator.get_paginated_response(WebhookEndpointOutput(page, many=True).data)

    @extend_schema(
        operation_id="datanets_webhooks_create", request=WebhookCreateInput,
        responses={201: WebhookEndpointCreatedOutput},
        description="Register an endpoint. The URL must resolve to public addresses only. The response "
                    "holds the signing secret.",
        examples=[OpenApiExample("Contributor", request_only=True, value={
            "url": "https://example.com/hooks/datanets", "events": ["submission.processed", "reward.accrued"],
            "scope": "mine"})],
    )
    @idempotent
    def post(self, request, slug: str):
        datanet = _datanet(request, slug)
        data = self.WebhookCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            endpoint = services.endpoint_create(datanet=datanet, actor=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            raise_drf(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(WebhookEndpointCreatedOutput(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookDetailApi(ETagMixin, APIView):
    permission_classes = [drf_permissions.IsAuthenticated, *APIView.permission_classes]
    parser_classes = [JSONParser]

    class WebhookUpdateInput(serializers.Serializer):
        url = serializers.CharField(max_length=2000, required=False)
        events = serializers.ListField(child=serializers.CharField(max_length=40), required=False,
                                       help_text=EVENTS_HELP)
        scope = serializers.ChoiceField(choices=Endpoint.Scope.choices, required=False)
        description = serializers.CharField(max_length=200, required=False, allow_blank=True)
        is_active = serializers.BooleanField(required=False, help_text="false pauses; true enables again "
                                                                       "(also after it was disabled for failing).")

    @extend_schema(operation_id="datanets_webhooks_retrieve", responses=WebhookEndpointOutput)
    def get(self, request, slug: str, pk: int):
        return Response(WebhookEndpointOutput(_endpoint(request, slug, pk)).data)

    @extend_schema(operation_id="datanets_webhooks_update", request=WebhookUpdateInput,
                   responses=WebhookEndpointOutput)
    def patch(self, request, slug: str, pk: int):
        endpoint = _endpoint(request, slug, pk)
        data = self.WebhookUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        active = fields.pop("is_active", None)
        try:
            if fields:
                endpoint = services.endpoint_update(endpoint=endpoint, actor=request.user, **fields)
            if active is not None and active != endpoint.is_active:
                endpoint = services.endpoint_set_active(endpoint=endpoint, actor=request.user, active=active)
        except DjangoValidationError as exc:
            raise_drf(exc)
        return Response(WebhookEndpointOutput(endpoint).data)

    @extend_schema(operation_id="datanets_webhooks_destroy", responses={204: None})
    def delete(self, request, slug: str, pk: int):
        services.endpoint_delete(endpoint=_endpoint(request, slug, pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookSecretApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated, *APIView.permission_classes]
    parser_classes = [JSONParser]

    class WebhookSecretInput(serializers.Serializer):
        rotate = serializers.BooleanField(default=False, help_text="Replace the secret with a new one.")

    class WebhookSecretOutput(serializers.Serializer):
        secret = serializers.CharField()

    @extend_schema(operation_id="datanets_webhooks_secret", request=WebhookSecretInput,
                   responses=WebhookSecretOutput,
                   description="Reveal the signing secret, or rotate it with {\"rotate\": true}. Audited. A rotation "
                               "retried with the same Idempotency-Key answers the secret it made instead of "
                               "rotating again.")
    @idempotent
    def post(self, request, slug: str, pk: int):
        endpoint = _endpoint(request, slug, pk)
        data = self.WebhookSecretInput(data=request.data)
        data.is_valid(raise_exception=True)
        secret = services.endpoint_secret(endpoint=endpoint, actor=request.user, rotate=data.validated_data["rotate"])
        return Response({"secret": secret})


class WebhookDeliveryListApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated, *APIView.permission_classes]
    pagination_class = Pagination

    @extend_schema(operation_id="datanets_webhooks_deliveries_list", responses=WebhookDeliveryOutput(many=True),
                   description="The delivery log, newest first, each with every attempt (status code, latency, "
                               "error, the start of the response).")
    def get(self, request, slug: str, pk: int):
        endpoint = _endpoint(request, slug, pk)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.delivery_list(endpoint=endpoint), request, view=self)
        return paginator.get_paginated_response(WebhookDeliveryOutput(page, many=True).data)


class WebhookRedeliverApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated, *APIView.permission_classes]
    parser_classes = [JSONParser]

    @extend_schema(operation_id="datanets_webhooks_redeliver", request={"application/json": OpenApiTypes.OBJECT},
                   responses={202: WebhookDeliveryOutput},
                   description="Send this delivery's event again, as a new delivery (the body may be empty). "
                               "409 while the endpoint is disabled.")
    @idempotent
    def post(self, request, slug: str, pk: int, delivery_id: int):
        endpoint = _endpoint(request, slug, pk)
        original = selectors.delivery_get(endpoint=endpoint, pk=delivery_id)
        try:
            again = delivery_service.delivery_redeliver(delivery=original, actor=request.user)
        except delivery_service.DeliveryRefused as exc:
            return Response({"detail": exc.message, "code": exc.code, "errors": {}}, status=exc.status)
        again.refresh_from_db()
        return Response(WebhookDeliveryOutput(again).data, status=status.HTTP_202_ACCEPTED)
