from django.contrib import admin

from curation.models import LshBand


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
