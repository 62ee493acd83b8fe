"""Read-only: the ledger is changed by posting transactions through services, never by editing rows."""

from django.contrib import admin

from openledger.admin import ReadOnlyAdmin

from rewards import amounts
from rewards.models import (Account, AIModel, AttributionPayout, AttributionProof, LedgerEntry, LedgerTransaction,
                            RewardPolicy, UsageEvent)


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "user", "datanet", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "datanet__slug", "datanet__name"]
    list_select_related = ["user", "datanet"]


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    fields = ["account", "amount_display"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="amount")
    def amount_display(self, obj: LedgerEntry) -> str:
        return amounts.format_amount(obj.amount)


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "idempotency_key", "memo", "datanet", "record_id", "reverses_id"]
    list_filter = ["kind", "created_at"]
    search_fields = ["idempotency_key", "memo", "datanet__slug"]
    list_select_related = ["datanet"]
    inlines = [LedgerEntryInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "transaction", "account", "amount_display"]
    list_filter = ["account__kind", "transaction__kind"]
    search_fields = ["transaction__idempotency_key", "account__user__username", "account__datanet__slug"]
    list_select_related = ["transaction", "account", "account__user", "account__datanet"]

    @admin.display(description="amount")
    def amount_display(self, obj: LedgerEntry) -> str:
        return amounts.format_amount(obj.amount)


@admin.register(RewardPolicy)
class RewardPolicyAdmin(ReadOnlyAdmin):
    """Owners change their policy through the service (audited); staff only read it here."""

    list_display = ["datanet", "base_reward", "multiplier_floor", "multiplier_slope", "curator_reward", "updated_at"]
    search_fields = ["datanet__slug", "datanet__name"]
    list_select_related = ["datanet"]

from rewards import settlement_admin  # noqa: E402,F401  (wallets and settlement)


# --- models, usage and attribution (written by services only) ------------------------------------


@admin.register(AIModel)
class AIModelAdmin(ReadOnlyAdmin):
    list_display = ["id", "name", "owner", "owner_bps", "contributors_bps", "datanet_bps", "treasury_bps", "created_at"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner"]


@admin.register(UsageEvent)
class UsageEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "ai_model", "idempotency_key", "fee", "created_at"]
    search_fields = ["idempotency_key", "ai_model__name"]
    list_select_related = ["ai_model"]


@admin.register(AttributionProof)
class AttributionProofAdmin(ReadOnlyAdmin):
    list_display = ["id", "usage_event", "method", "method_version", "embedding_model", "commitment", "created_at"]
    search_fields = ["commitment"]
    list_select_related = ["usage_event", "usage_event__ai_model"]


@admin.register(AttributionPayout)
class AttributionPayoutAdmin(ReadOnlyAdmin):
    list_display = ["id", "proof", "role", "user", "datanet", "amount_display"]
    list_filter = ["role"]
    search_fields = ["user__username", "datanet__slug"]
    list_select_related = ["proof", "user", "datanet"]

    @admin.display(description="amount")
    def amount_display(self, obj: AttributionPayout) -> str:
        return amounts.format_amount(obj.amount)
