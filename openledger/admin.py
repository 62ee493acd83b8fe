"""Admin bases shared by the apps: records that the admin may look at but never write."""

from django.contrib import admin


class NoAddOrEditAdmin(admin.ModelAdmin):
    """Rows are written by services (with their audit entries), never through admin forms."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(NoAddOrEditAdmin):
    """Append-only history (audit log, ledger, releases): not even deletable."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
