from django.contrib import admin

from openledger.admin import ReadOnlyAdmin

from datanets.models import AuditEntry, Datanet, Invitation, Membership, Tag


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Datanet)
class DatanetAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "visibility", "is_frozen", "domain", "license", "record_count", "created_at"]
    list_filter = ["status", "visibility", "is_frozen", "domain", "license"]
    search_fields = ["name", "slug", "summary", "tags__name"]
    prepopulated_fields = {"slug": ["name"]}
    # Freezing goes through moderation (audited), never through this form.
    readonly_fields = ["record_count", "contributor_count", "is_frozen", "created_at", "updated_at"]
    inlines = [MembershipInline]
    filter_horizontal = ["tags"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["datanet", "user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["datanet__name", "datanet__slug", "user__username", "user__email"]
    list_select_related = ["datanet", "user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "datanet", "role", "invited_by", "created_at", "accepted_at"]
    list_filter = ["role", ("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "datanet__slug"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is append-only, here as everywhere."""

    list_display = ["created_at", "actor", "action", "target_type", "target_repr", "datanet", "reason"]
    list_filter = ["action", "target_type", "created_at"]
    search_fields = ["action", "target_repr", "target_id", "actor__username", "reason", "datanet__slug"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "datanet"]

from datanets.models import Record, Submission, SubmissionIssue  # noqa: E402


class SubmissionIssueInline(admin.TabularInline):
    model = SubmissionIssue
    extra = 0
    can_delete = False
    readonly_fields = ["row", "field", "message", "excerpt"]
    max_num = 0


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["original_name", "datanet", "contributor", "status", "format", "size", "total", "invalid",
                    "exact_dup", "near_dup", "low_quality", "queued", "accepted", "created_at"]
    list_filter = ["status", "format", "kind", "created_at"]
    search_fields = ["original_name", "sha256", "contributor__username", "datanet__slug"]
    list_select_related = ["datanet", "contributor"]
    readonly_fields = [f.name for f in Submission._meta.fields]
    inlines = [SubmissionIssueInline]
    date_hierarchy = "created_at"


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    list_display = ["id", "datanet", "contributor", "status", "quality_score", "duplicate_of", "created_at"]
    list_filter = ["status", "datanet", "created_at"]
    search_fields = ["text", "content_hash", "contributor__username"]
    list_select_related = ["datanet", "contributor"]
    readonly_fields = ["datanet", "submission", "contributor", "row", "fields", "text", "content_hash",
                       "quality_score", "quality_components", "model_version", "duplicate_of", "similarity",
                       "receipt", "created_at", "decided_at"]
    exclude = ["minhash", "embedding"]
    raw_id_fields = ["duplicate_of"]
