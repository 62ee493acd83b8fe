"""REST API for wallets and settlements. Thin: services write, selectors read."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from openledger.parsers import JSONBodyParser as JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from datanets import permissions
from datanets.api import deny
from openledger.api import CursorPagination, Pagination
from openledger.idempotency import idempotent
from rewards import amounts, settlement_selectors, wallets
from rewards.reconciliation import settlement_reconcile
from rewards.settlement import settlement_run
from rewards.settlement_models import ReconciliationFlag, SettlementItem

SIGNED_IN = [drf_permissions.IsAuthenticated, *APIView.permission_classes]


class WalletOutput(serializers.Serializer):
    address = serializers.CharField(help_text="EIP-55 checksummed; empty when no wallet is linked")
    linked_at = serializers.DateTimeField(allow_null=True)


def _wallet(user) -> dict:
    proof = settlement_selectors.wallet_proof_latest(user=user)
    return {"address": settlement_selectors.wallet_of(user=user), "linked_at": proof.created_at if proof else None}


class WalletApi(APIView):
    permission_classes = SIGNED_IN

    @extend_schema(operation_id="wallet_get", responses=WalletOutput)
    def get(self, request):
        return Response(WalletOutput(_wallet(request.user)).data)


class WalletChallengeApi(APIView):
    permission_classes = SIGNED_IN
    parser_classes = [JSONParser]

    class WalletChallengeOutput(serializers.Serializer):
        nonce = serializers.CharField()
        message = serializers.CharField(help_text="Sign exactly this text with personal_sign (EIP-191)")
        expires_at = serializers.DateTimeField()

    @extend_schema(operation_id="wallet_challenge", request={"application/json": OpenApiTypes.OBJECT},
                   description="A single-use nonce and the exact message to sign (the body may be empty).",
                   responses={201: WalletChallengeOutput})
    @idempotent
    def post(self, request):
        challenge = wallets.wallet_challenge_create(user=request.user)
        return Response(self.WalletChallengeOutput(challenge).data, status=status.HTTP_201_CREATED)


class WalletLinkApi(APIView):
    permission_classes = SIGNED_IN

    class WalletLinkInput(serializers.Serializer):
        nonce = serializers.CharField(max_length=64)
        signature = serializers.CharField(max_length=200, help_text="0x… from personal_sign over the message")
        address = serializers.CharField(max_length=42, required=False, allow_blank=True,
                                        help_text="Optional: the address you expect the signature to come from")

    @extend_schema(operation_id="wallet_link", request=WalletLinkInput, responses=WalletOutput,
                   description="Link the wallet that signed the challenge. The nonce is single-use: retry with "
                               "the same Idempotency-Key to get the first answer instead of a used-nonce error.")
    @idempotent
    def post(self, request):
        data = self.WalletLinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            wallets.wallet_link(user=request.user, **data.validated_data)
        except wallets.WalletError as exc:
            raise ValidationError({exc.field: [exc.message]}, code=exc.code) from exc
        return Response(WalletOutput(_wallet(request.user)).data)


class SettlementItemOutput(serializers.ModelSerializer):
    batch = serializers.IntegerField(source="batch_id")
    batch_uuid = serializers.UUIDField(source="batch.uid")
    state = serializers.CharField(source="batch.state")
    tx_id = serializers.CharField(source="batch.tx_id")
    adapter = serializers.CharField(source="batch.adapter")
    amount_display = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="batch.created_at")
    proof_url = serializers.SerializerMethodField()

    class Meta:
        model = SettlementItem
        fields = ["batch", "batch_uuid", "state", "tx_id", "adapter", "index", "address", "amount", "amount_display",
                  "created_at", "proof_url"]

    def get_amount_display(self, obj: SettlementItem) -> str:
        return amounts.format_amount(obj.amount_units)

    def get_proof_url(self, obj: SettlementItem) -> str:
        return f"/api/v1/settlements/{obj.batch.uid}/proof/"


class SettlementListApi(APIView):
    permission_classes = SIGNED_IN
    pagination_class = CursorPagination
    cursor_ordering = "-id"  # items are made batch by batch, so newest id is newest batch

    @extend_schema(operation_id="settlements_list", responses=SettlementItemOutput(many=True),
                   description="Your settlement items, newest first, by cursor.")
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(settlement_selectors.user_settlement_items(user=request.user),
                                           request, view=self)
        return paginator.get_paginated_response(SettlementItemOutput(page, many=True).data)


class SettlementProofApi(APIView):
    permission_classes = SIGNED_IN

    class SettlementProofOutput(serializers.Serializer):
        batch = serializers.IntegerField()
        batch_id = serializers.CharField(help_text="The uint256 batch id on the chain, decimal")
        batch_uuid = serializers.UUIDField()
        adapter = serializers.CharField()
        state = serializers.CharField()
        tx_id = serializers.CharField()
        merkle_root = serializers.CharField()
        index = serializers.IntegerField()
        account = serializers.CharField()
        amount = serializers.CharField(help_text="In base units")
        leaf = serializers.CharField()
        proof = serializers.ListField(child=serializers.CharField())
        leaf_encoding = serializers.CharField()

    @extend_schema(operation_id="settlements_proof", responses=SettlementProofOutput)
    def get(self, request, pk):
        proof = settlement_selectors.settlement_proof(user=request.user, batch_uid=pk)
        if proof is None:
            raise NotFound("You are not a recipient of this settlement batch.")
        return Response(proof)


class SettlementRunApi(APIView):
    parser_classes = [JSONParser]

    class SettlementRunOutput(serializers.Serializer):
        formed = serializers.IntegerField()
        submitted = serializers.IntegerField()
        confirmed = serializers.IntegerField()
        failed = serializers.IntegerField()

    @extend_schema(operation_id="settlements_run", request={"application/json": OpenApiTypes.OBJECT},
                   description="Staff: settle now (the body may be empty). A retry with the same "
                               "Idempotency-Key answers the first run's counts instead of running again.",
                   responses={200: SettlementRunOutput})
    @idempotent
    def post(self, request):
        if not permissions.is_staff(request.user):
            deny(request, "Only staff can run a settlement.")
        result = settlement_run(actor=request.user)
        return Response(self.SettlementRunOutput(result).data)


class ReconciliationFlagOutput(serializers.ModelSerializer):
    class Meta:
        model = ReconciliationFlag
        fields = ["id", "batch", "adapter", "kind", "detail", "ledger_value", "chain_value", "first_seen_at",
                  "last_seen_at"]


class SettlementReconcileApi(APIView):
    parser_classes = [JSONParser]
    pagination_class = Pagination  # the GET; the POST answers every open difference at once

    @extend_schema(operation_id="settlements_reconciliation", responses=ReconciliationFlagOutput(many=True))
    def get(self, request):
        if not permissions.is_staff(request.user):
            deny(request, "Only staff can see reconciliation.")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(settlement_selectors.reconciliation_flags_open().order_by("id"),
                                           request, view=self)
        return paginator.get_paginated_response(ReconciliationFlagOutput(page, many=True).data)

    @extend_schema(operation_id="settlements_reconcile", request={"application/json": OpenApiTypes.OBJECT},
                   description="Staff: compare ledger and chain now; returns the open differences.",
                   responses=ReconciliationFlagOutput(many=True))
    def post(self, request):
        if not permissions.is_staff(request.user):
            deny(request, "Only staff can run reconciliation.")
        return Response(ReconciliationFlagOutput(settlement_reconcile(actor=request.user), many=True).data)
