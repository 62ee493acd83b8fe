"""Admin for wallets and settlement: read-only, plus one action that settles batches now."""

from django.contrib import admin, messages

from openledger.admin import ReadOnlyAdmin
from rewards import amounts
from rewards.settlement import settlement_batch_refresh, settlement_batch_submit
from rewards.settlement_models import (
    ReconciliationFlag,
    SettlementBatch,
    SettlementItem,
    SettlementLogEntry,
    WalletChallenge,
    WalletProof,
)


@admin.register(WalletChallenge)
class WalletChallengeAdmin(ReadOnlyAdmin):
    list_display = ["user", "nonce", "created_at", "expires_at", "used_at"]
    search_fields = ["user__username", "nonce"]
    list_select_related = ["user"]


@admin.register(WalletProof)
class WalletProofAdmin(ReadOnlyAdmin):
    list_display = ["user", "address", "created_at"]
    search_fields = ["user__username", "address"]
    list_select_related = ["user"]


class SettlementItemInline(admin.TabularInline):
    model = SettlementItem
    fields = ["index", "user", "address", "amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SettlementBatch)
class SettlementBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "state", "adapter", "recipient_count", "total_display", "tx_id", "attempts", "created_at"]
    list_filter = ["state", "adapter"]
    search_fields = ["uid", "tx_id", "merkle_root", "items__user__username"]
    inlines = [SettlementItemInline]
    actions = ["settle_now"]

    @admin.display(description="total")
    def total_display(self, obj: SettlementBatch) -> str:
        return amounts.format_amount(obj.total_units)

    @admin.action(description="Settle the selected batches now (send pending or failed, confirm submitted)")
    def settle_now(self, request, queryset) -> None:
        for batch in queryset.order_by("id"):
            if batch.state in (SettlementBatch.State.PENDING, SettlementBatch.State.FAILED):
                batch = settlement_batch_submit(batch=batch, actor=request.user)
            settlement_batch_refresh(batch=batch, actor=request.user)
        states = ", ".join(f"#{b.pk} {b.get_state_display().lower()}" for b in queryset.order_by("id"))
        self.message_user(request, f"Settled now: {states}.", messages.SUCCESS)


@admin.register(SettlementLogEntry)
class SettlementLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "batch_id", "total", "hash", "prev_hash", "created_at"]
    search_fields = ["batch_id", "hash"]


@admin.register(ReconciliationFlag)
class ReconciliationFlagAdmin(ReadOnlyAdmin):
    list_display = ["kind", "adapter", "batch", "detail", "first_seen_at", "last_seen_at", "resolved_at"]
    list_filter = ["kind", "adapter", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["detail"]


@admin.register(SettlementItem)
class SettlementItemAdmin(ReadOnlyAdmin):
    list_display = ["batch", "index", "user", "address", "amount"]
    list_filter = ["batch__state"]
    search_fields = ["user__username", "address"]
    list_select_related = ["batch", "user"]
