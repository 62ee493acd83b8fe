"""REST API for AI models, their usage events and attribution proofs. Thin: selectors read,
services (rewards/ai_models.py, rewards/usage.py) write. Amounts travel as strings."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from curation.models import Release
from datanets.api import deny
from openledger.api import Pagination
from openledger.etag import ETagMixin
from openledger.idempotency import idempotent
from openledger.schema import ErrorOutput
from rewards import ai_models, amounts, services, usage, usage_selectors
from rewards.api import LedgerRefused, LedgerTransactionOutput, _amount, _key
from rewards.models import AIModel, AttributionProof, UsageEvent
from rewards.proof import HOW_TO_VERIFY


MAX_ID = 2**63 - 1  # ids are 64-bit: a larger number is refused as a field error, not sent to the database


class PaymentRequired(APIException):
    status_code = status.HTTP_402_PAYMENT_REQUIRED
    default_code = "insufficient_funds"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_conflict"


def _refused(exc: ai_models.ModelRefused) -> Exception:
    if exc.code == "not_found":
        return ValidationError(exc.errors or {"releases": [exc.message]})
    if exc.code == "duplicate":
        return Conflict(exc.message, "duplicate")
    return ValidationError(exc.errors or {"non_field_errors": [exc.message]})


class ReleaseRef(serializers.Serializer):
    id = serializers.IntegerField()
    datanet = serializers.CharField(source="datanet.slug")
    version = serializers.IntegerField()
    merkle_root = serializers.CharField()


class AIModelOutput(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    releases = serializers.SerializerMethodField()
    split_bps = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    prepaid_balance = serializers.SerializerMethodField(help_text="Base units; only shown to the model's owner")
    url = serializers.SerializerMethodField()

    class Meta:
        model = AIModel
        fields = ["id", "name", "description", "owner", "releases", "owner_bps", "contributors_bps", "datanet_bps",
                  "treasury_bps", "split_bps", "prepaid_balance", "url", "created_at"]

    def _user(self):
        return self.context["request"].user

    def get_releases(self, obj: AIModel) -> list[dict]:
        return ReleaseRef(usage_selectors.visible_releases(ai_model=obj, user=self._user()), many=True).data

    def get_prepaid_balance(self, obj: AIModel) -> str | None:
        return str(usage_selectors.prepaid_balance(ai_model=obj)) if self._user() == obj.owner else None

    def get_url(self, obj: AIModel) -> str:
        return f"/models/{obj.pk}/"


class AIModelListApi(APIView):
    pagination_class = Pagination

    class AIModelInput(serializers.Serializer):
        name = serializers.CharField(max_length=120)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        releases = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
                                         allow_empty=False,
                                         help_text="Ids of the ready releases the model was trained on")
        owner_bps = serializers.IntegerField(required=False, default=2000, min_value=0, max_value=10000)
        contributors_bps = serializers.IntegerField(required=False, default=6000, min_value=0, max_value=10000)
        datanet_bps = serializers.IntegerField(required=False, default=1500, min_value=0, max_value=10000)
        treasury_bps = serializers.IntegerField(required=False, default=500, min_value=0, max_value=10000)

    @extend_schema(operation_id="models_list", responses=AIModelOutput(many=True))
    def get(self, request):
        mine = request.query_params.get("mine") in ("1", "true")
        if mine and not request.user.is_authenticated:
            deny(request, "Log in to list your models.")
        models = usage_selectors.ai_model_list(owner=request.user if mine else None)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(models, request, view=self)
        return paginator.get_paginated_response(AIModelOutput(page, many=True, context={"request": request}).data)

    @extend_schema(operation_id="models_create", request=AIModelInput, responses={201: AIModelOutput})
    @idempotent
    def post(self, request):
        if not request.user.is_authenticated:
            deny(request, "Log in or send an API token to register a model.")
        data = self.AIModelInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        ids = fields.pop("releases")
        found = {r.pk: r for r in Release.objects.select_related("datanet").filter(pk__in=ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise ValidationError({"releases": [f"There is no release #{missing[0]}; list releases with "
                                                "GET /api/v1/datanets/{slug}/releases/."]})
        try:
            model = ai_models.ai_model_register(owner=request.user, releases=[found[i] for i in ids], **fields)
        except ai_models.ModelRefused as exc:
            raise _refused(exc) from exc
        return Response(AIModelOutput(model, context={"request": request}).data, status=status.HTTP_201_CREATED)


class AIModelDetailApi(ETagMixin, APIView):
    @extend_schema(operation_id="models_retrieve", responses=AIModelOutput)
    def get(self, request, pk: int):
        model = usage_selectors.ai_model_get(pk=pk)
        return Response(AIModelOutput(model, context={"request": request}).data)


class AIModelPrepayApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated, *APIView.permission_classes]

    class AIModelPrepayInput(serializers.Serializer):
        amount = serializers.CharField(max_length=80, help_text="In tokens, e.g. \"12.5\"")
        idempotency_key = serializers.CharField(max_length=120, required=False, allow_blank=True)

    class AIModelPrepayOutput(serializers.Serializer):
        transaction = LedgerTransactionOutput()
        prepaid_balance = serializers.CharField()
        prepaid_balance_display = serializers.CharField()

    @extend_schema(operation_id="models_prepay", request=AIModelPrepayInput, responses={201: AIModelPrepayOutput})
    @idempotent
    def post(self, request, pk: int):
        model = usage_selectors.ai_model_get(pk=pk)
        if request.user != model.owner:
            raise PermissionDenied("Only the model's owner can prepay its usage.")
        data = self.AIModelPrepayInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            tx = ai_models.ai_model_prepay(ai_model=model, actor=request.user,
                                           amount=_amount(data.validated_data["amount"]),
                                           key=_key(request, data.validated_data.get("idempotency_key", "")))
        except services.LedgerError as exc:
            raise LedgerRefused(exc) from exc
        balance = usage_selectors.prepaid_balance(ai_model=model)
        return Response({"transaction": LedgerTransactionOutput(tx).data, "prepaid_balance": str(balance),
                         "prepaid_balance_display": amounts.format_amount(balance)}, status=status.HTTP_201_CREATED)


class AttributedRecordOutput(serializers.Serializer):
    record = serializers.IntegerField()
    datanet = serializers.CharField()
    contributor = serializers.CharField()
    weight = serializers.CharField(help_text="Parts per 10^9; the weights of a proof sum to 10^9")
    span = serializers.DictField(allow_null=True)


class UsageEventOutput(serializers.ModelSerializer):
    fee_display = serializers.SerializerMethodField()
    transaction = serializers.IntegerField(source="transaction_id")
    attribution = serializers.SerializerMethodField()

    class Meta:
        model = UsageEvent
        fields = ["id", "idempotency_key", "fee", "fee_display", "transaction", "attribution", "created_at"]

    def get_fee_display(self, obj: UsageEvent) -> str:
        return amounts.format_amount(int(obj.fee))

    def get_attribution(self, obj: UsageEvent) -> dict:
        proof = obj.attribution
        body, _ = usage_selectors.proof_public_body(proof=proof, user=self.context["request"].user)
        return {"id": proof.pk, "url": f"/attributions/{proof.pk}/", "commitment": proof.commitment,
                "attributed": body["attributed"],
                "records": AttributedRecordOutput(body["records"], many=True).data}


class UsageEventCreateApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated, *APIView.permission_classes]

    class UsageEventInput(serializers.Serializer):
        idempotency_key = serializers.CharField(max_length=200)
        output = serializers.CharField(max_length=100_000, trim_whitespace=False)
        prompt = serializers.CharField(required=False, allow_blank=True, default="", max_length=100_000,
                                       trim_whitespace=False)
        fee = serializers.CharField(max_length=80, help_text="In tokens, e.g. \"0.5\" or \"0.5 OPEN\"")

    @extend_schema(
        operation_id="models_usage_create", request=UsageEventInput,
        responses={201: UsageEventOutput, 200: UsageEventOutput,
                   402: OpenApiResponse(ErrorOutput, description="The model's prepaid balance is below the fee: "
                                                                 "prepay more, then post the event again.")},
        description=(
            "Record one use of the model: the fee is paid from its prepaid balance and split by the attribution "
            "proof. The body's `idempotency_key` (required) names the event for good: the first post answers "
            "201, a repeat with the same body answers 200 with the same event, and the same key with another body "
            "409. The optional `Idempotency-Key` header works as on every creating POST, in front of that: a "
            "repeat with the same header and body gets the first answer again (201, with `Idempotent-Replayed: "
            "true`), the same header with another body 422. Either one keeps a retried event from being charged "
            "twice; clients that send both should use one value for both."),
    )
    @idempotent
    def post(self, request, pk: int):
        model = usage_selectors.ai_model_get(pk=pk)
        if request.user != model.owner:
            raise PermissionDenied("Only the model's owner (its application's token) can post usage.")
        data = self.UsageEventInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            fee = amounts.parse(values["fee"])
        except ValueError as exc:
            raise ValidationError({"fee": [str(exc)]}) from None
        if fee <= 0:
            raise ValidationError({"fee": ["The fee must be more than zero."]})
        try:
            event, created = usage.usage_post(ai_model=model, actor=request.user, idempotency_key=values["idempotency_key"],
                                              output=values["output"], prompt=values["prompt"], fee=fee)
        except usage.UsageConflict as exc:
            raise Conflict(exc.message) from exc
        except services.InsufficientFunds as exc:
            raise PaymentRequired(exc.message) from exc
        except ValueError as exc:
            raise ValidationError({"non_field_errors": [str(exc)]}) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(UsageEventOutput(event, context={"request": request}).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AttributionDetailApi(ETagMixin, APIView):
    class AttributionOutput(serializers.ModelSerializer):
        usage_event = serializers.IntegerField(source="usage_event_id")
        model = serializers.IntegerField(source="usage_event.ai_model_id")
        body = serializers.DictField(help_text="Everything the proof says; sha256 of its canonical JSON is the "
                                               "commitment")
        redacted = serializers.BooleanField(help_text="Spans from private datanets you cannot see were blanked; "
                                                      "the commitment covers the full body")
        how_to_verify = serializers.CharField()

        class Meta:
            model = AttributionProof
            fields = ["id", "usage_event", "model", "method", "method_version", "embedding_model", "commitment",
                      "created_at", "body", "redacted", "how_to_verify"]

    @extend_schema(operation_id="attributions_retrieve", responses=AttributionOutput)
    def get(self, request, pk: int):
        found = usage_selectors.proof_get(pk=pk)
        body, redacted = usage_selectors.proof_public_body(proof=found, user=request.user)
        found.body, found.redacted, found.how_to_verify = body, redacted, HOW_TO_VERIFY
        return Response(self.AttributionOutput(found).data)
