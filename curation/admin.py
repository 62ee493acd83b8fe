from django.contrib import admin

from curation.models import LshBand, Review, ReviewClaim, ReviewEscalation


@admin.register(LshBand)
class LshBandAdmin(admin.ModelAdmin):
    """The near-duplicate index, for inspection only: it is written by ingest."""

    list_display = ["datanet", "band", "record"]
    list_filter = ["datanet"]
    raw_id_fields = ["record"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Votes are written by the review services (which move records and counters); read-only here."""

    list_display = ["record", "reviewer", "decision", "reason", "final", "created_at"]
    list_filter = ["decision", "reason", "final"]
    search_fields = ["reviewer__username", "comment"]
    raw_id_fields = ["record", "reviewer"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReviewClaim)
class ReviewClaimAdmin(admin.ModelAdmin):
    list_display = ["record", "datanet", "curator", "claimed_at", "expires_at"]
    list_filter = ["datanet"]
    search_fields = ["curator__username"]
    raw_id_fields = ["record", "curator"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ReviewEscalation)
class ReviewEscalationAdmin(admin.ModelAdmin):
    list_display = ["record", "approvals", "rejections", "created_at", "resolved_at"]
    list_filter = ["resolved_at"]
    raw_id_fields = ["record"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
