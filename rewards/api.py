"""REST API for balances, pool funding and minting. Thin: selectors read, services write.

Amounts travel as strings: base units exceed what JSON numbers hold exactly in most clients.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from datanets import permissions
from datanets import selectors as datanet_selectors
from datanets.api import deny
from openledger.api import CursorPagination
from openledger.idempotency import idempotent
from rewards import amounts, selectors, services, usage_selectors
from rewards.models import LedgerEntry, LedgerTransaction

HISTORY_LIMIT = 200


class LedgerRefused(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "ledger_refused"

    def __init__(self, exc: services.LedgerError) -> None:
        super().__init__(exc.message, exc.code)


def _amount(value: str) -> int:
    try:
        units = amounts.parse(value)
    except ValueError as exc:
        raise ValidationError({"amount": [str(exc)]}) from None
    if units <= 0:
        raise ValidationError({"amount": ["The amount must be more than zero."]})
    return units


def _key(request, given: str) -> str:
    # Scoped to the caller, so two users choosing the same key never collide.
    key = given or request.headers.get("Idempotency-Key", "")
    return f"api:{request.user.pk}:{key}" if key else ""


class LedgerEntryOutput(serializers.Serializer):
    transaction = serializers.IntegerField(source="transaction_id")
    kind = serializers.CharField(source="transaction.kind")
    amount = serializers.SerializerMethodField(help_text="Signed, in base units")
    amount_display = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()
    record = serializers.IntegerField(source="transaction.record_id", allow_null=True)
    record_url = serializers.SerializerMethodField()
    attribution_url = serializers.SerializerMethodField(help_text="The proof behind a usage fee: why you were paid")
    created_at = serializers.DateTimeField(source="transaction.created_at")

    def get_amount(self, obj: LedgerEntry) -> str:
        return str(obj.amount)

    def get_amount_display(self, obj: LedgerEntry) -> str:
        return amounts.format_amount(obj.amount)

    def get_reason(self, obj: LedgerEntry) -> str:
        return selectors.entry_reason(obj)

    def get_record_url(self, obj: LedgerEntry) -> str | None:
        record = obj.transaction.record
        return f"/submissions/{record.submission_id}/#record-{record.pk}" if record else None

    def get_attribution_url(self, obj: LedgerEntry) -> str | None:
        proof = self.context.get("proofs", {}).get(obj.transaction_id)
        return f"/attributions/{proof}/" if proof else None


class LedgerTransactionOutput(serializers.ModelSerializer):
    class Meta:
        model = LedgerTransaction
        fields = ["id", "idempotency_key", "kind", "memo", "created_at"]


class RewardBalanceApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated, *APIView.permission_classes]

    class RewardBalanceOutput(serializers.Serializer):
        symbol = serializers.CharField()
        decimals = serializers.IntegerField()
        balance = serializers.CharField(help_text="In base units")
        balance_display = serializers.CharField()
        history = LedgerEntryOutput(many=True)

    @extend_schema(operation_id="rewards_balance", responses=RewardBalanceOutput)
    def get(self, request):
        balance = selectors.user_balance(user=request.user)
        history = list(selectors.user_history(user=request.user).select_related("account")[:HISTORY_LIMIT])
        return Response({
            "symbol": amounts.symbol(), "decimals": amounts.decimals(), "balance": str(balance),
            "balance_display": amounts.format_amount(balance),
            "history": LedgerEntryOutput(history, many=True, context={"proofs": usage_selectors.proofs_paying(
                transaction_ids=[e.transaction_id for e in history])}).data,
        })


class RewardHistoryApi(APIView):
    """Every ledger entry of your account, newest first, by cursor (the balance shows the latest 200)."""

    permission_classes = [drf_permissions.IsAuthenticated, *APIView.permission_classes]
    pagination_class = CursorPagination
    cursor_ordering = "-id"

    @extend_schema(operation_id="rewards_history", responses=LedgerEntryOutput(many=True))
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.user_history(user=request.user).select_related("account"),
                                           request, view=self)
        return paginator.get_paginated_response(LedgerEntryOutput(page, many=True).data)


class _AmountInput(serializers.Serializer):
    amount = serializers.CharField(max_length=80, help_text="In tokens, e.g. \"12.5\" or \"12.5 OPEN\"")
    idempotency_key = serializers.CharField(max_length=120, required=False, allow_blank=True,
                                            help_text="Repeat a request safely (or send an Idempotency-Key header)")


class PoolFundApi(APIView):
    class PoolFundInput(_AmountInput):
        pass

    class PoolFundOutput(serializers.Serializer):
        transaction = LedgerTransactionOutput()
        pool_balance = serializers.CharField()
        pool_balance_display = serializers.CharField()

    @extend_schema(operation_id="datanets_pool_fund", request=PoolFundInput, responses={201: PoolFundOutput})
    @idempotent
    def post(self, request, slug: str):
        datanet = datanet_selectors.datanet_get_for_user(user=request.user, slug=slug)
        if not (permissions.is_staff(request.user) or permissions.role_of(request.user, datanet) == "owner"):
            deny(request, "Only the datanet's owners (from their balance) and staff can fund its pool.")
        data = self.PoolFundInput(data=request.data)
        data.is_valid(raise_exception=True)
        units = _amount(data.validated_data["amount"])
        try:
            tx = services.pool_fund(datanet=datanet, actor=request.user, amount=units,
                                    key=_key(request, data.validated_data.get("idempotency_key", "")))
        except services.LedgerError as exc:
            raise LedgerRefused(exc) from exc
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        balance = selectors.pool_balance(datanet=datanet)
        return Response({"transaction": LedgerTransactionOutput(tx).data, "pool_balance": str(balance),
                         "pool_balance_display": amounts.format_amount(balance)}, status=status.HTTP_201_CREATED)


class TreasuryMintApi(APIView):
    class TreasuryMintInput(_AmountInput):
        memo = serializers.CharField(max_length=300, required=False, allow_blank=True)

    @extend_schema(operation_id="treasury_mint", request=TreasuryMintInput, responses={201: LedgerTransactionOutput})
    @idempotent
    def post(self, request):
        if not permissions.is_staff(request.user):
            deny(request, "Only staff can mint into the treasury.")
        data = self.TreasuryMintInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            tx = services.treasury_mint(actor=request.user, amount=_amount(data.validated_data["amount"]),
                                        key=_key(request, data.validated_data.get("idempotency_key", "")),
                                        memo=data.validated_data.get("memo", ""))
        except services.LedgerError as exc:
            raise LedgerRefused(exc) from exc
        return Response(LedgerTransactionOutput(tx).data, status=status.HTTP_201_CREATED)
