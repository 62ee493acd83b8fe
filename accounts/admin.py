from django.contrib import admin

from accounts.models import ApiToken, IdempotencyKey, Profile
from openledger.admin import NoAddOrEditAdmin


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "wallet_address", "reputation", "created_at"]
    search_fields = ["user__username", "user__email", "display_name", "wallet_address"]
    list_select_related = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    list_select_related = ["user"]

    def has_add_permission(self, request) -> bool:
        return False  # the secret would never be shown; tokens are made on the tokens page


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(NoAddOrEditAdmin):
    list_display = ["key", "user", "method", "path", "status_code", "created_at"]
    list_filter = ["method", "status_code"]
    search_fields = ["key", "path", "user__username"]
    list_select_related = ["user"]
