from django.contrib import admin

from curation.models import Appeal, GoldAnswer, GoldItem, GoldPolicy, Review, ReviewClaim, ReviewEscalation
from openledger.admin import NoAddOrEditAdmin, ReadOnlyAdmin


@admin.register(Review)
class ReviewAdmin(NoAddOrEditAdmin):
    """Votes are written by the review services (which move records and counters); read-only here."""

    list_display = ["record", "reviewer", "decision", "reason", "final", "created_at"]
    list_filter = ["decision", "reason", "final"]
    search_fields = ["reviewer__username", "comment"]
    raw_id_fields = ["record", "reviewer"]


@admin.register(ReviewClaim)
class ReviewClaimAdmin(admin.ModelAdmin):
    list_display = ["record", "datanet", "curator", "claimed_at", "expires_at"]
    list_filter = ["datanet"]
    search_fields = ["curator__username"]
    raw_id_fields = ["record", "curator"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ReviewEscalation)
class ReviewEscalationAdmin(NoAddOrEditAdmin):
    list_display = ["record", "approvals", "rejections", "created_at", "resolved_at"]
    list_filter = ["resolved_at"]
    raw_id_fields = ["record"]


# Reports and moderation: the admin actions call the same services as the queue and the API,
# so they are checked, transactional and written to the audit log in the same way.

from django.contrib import messages  # noqa: E402
from django.core.exceptions import PermissionDenied, ValidationError  # noqa: E402

from curation import moderation  # noqa: E402
from curation.models import ModerationAction, Report, Suspension  # noqa: E402

ADMIN_NOTE = "Resolved in the Django admin."


def _run_each(modeladmin, request, queryset, action: str) -> None:
    done, refused = 0, []
    for report in queryset.select_related("datanet", "record", "record__contributor"):
        try:
            moderation.report_resolve(report=report, actor=request.user, action=action, note=ADMIN_NOTE)
            done += 1
        except (moderation.ModerationRefused, PermissionDenied, ValidationError) as exc:
            message = getattr(exc, "message", None) or " ".join(getattr(exc, "messages", [str(exc)]))
            refused.append(f"#{report.pk}: {message}")
    if done:
        modeladmin.message_user(request, f"{done} report(s) resolved ({action}).", messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, line, messages.WARNING)


@admin.register(Report)
class ReportAdmin(NoAddOrEditAdmin):
    list_display = ["id", "reason", "datanet", "record", "reporter", "status", "resolution", "created_at"]
    list_filter = ["status", "reason", "resolution"]
    search_fields = ["comment", "reporter__username", "datanet__slug", "record__text"]
    raw_id_fields = ["record", "reporter", "resolved_by"]
    readonly_fields = ["status", "resolution", "resolved_by", "resolved_at", "resolution_note", "created_at"]
    actions = ["dismiss", "take_down_record", "suspend_contributor", "freeze_datanet"]


    @admin.action(description="Dismiss the selected reports")
    def dismiss(self, request, queryset):
        _run_each(self, request, queryset, moderation.Action.DISMISS)

    @admin.action(description="Take down the reported records")
    def take_down_record(self, request, queryset):
        _run_each(self, request, queryset, moderation.Action.TAKEDOWN)

    @admin.action(description="Suspend the reported records' contributors")
    def suspend_contributor(self, request, queryset):
        _run_each(self, request, queryset, moderation.Action.SUSPEND_USER)

    @admin.action(description="Freeze the reported datanets")
    def freeze_datanet(self, request, queryset):
        _run_each(self, request, queryset, moderation.Action.FREEZE_DATANET)


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    """Append-only: written by the moderation services."""

    list_display = ["created_at", "actor", "action", "datanet", "record", "user", "report"]
    list_filter = ["action"]
    search_fields = ["actor__username", "user__username", "reason"]
    raw_id_fields = ["actor", "datanet", "record", "user", "report"]


@admin.register(Suspension)
class SuspensionAdmin(NoAddOrEditAdmin):
    list_display = ["user", "datanet", "by", "created_at", "lifted_at"]
    list_filter = ["lifted_at"]
    search_fields = ["user__username", "reason"]
    raw_id_fields = ["user", "datanet", "by", "lifted_by"]
    actions = ["lift"]


    @admin.action(description="Lift the selected suspensions")
    def lift(self, request, queryset):
        lifted = 0
        for suspension in queryset.filter(lifted_at__isnull=True):
            try:
                moderation.user_reinstate(suspension=suspension, actor=request.user, reason=ADMIN_NOTE)
                lifted += 1
            except (moderation.ModerationRefused, PermissionDenied) as exc:
                self.message_user(request, f"#{suspension.pk}: {exc}", messages.WARNING)
        self.message_user(request, f"{lifted} suspension(s) lifted.", messages.SUCCESS)


# Releases: built by curation.releases; immutable once ready, so read-only here.


from curation.models import Release  # noqa: E402


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = ["datanet", "version", "status", "record_count", "progress", "created_by", "created_at",
                    "finished_at"]
    list_filter = ["status"]
    search_fields = ["datanet__slug", "merkle_root"]
    raw_id_fields = ["datanet", "created_by"]


@admin.register(Appeal)
class AppealAdmin(NoAddOrEditAdmin):
    """Appeals are decided on the owners' Appeals page (`curation.appeals`), which moves the record
    and its rewards; read-only here."""

    list_display = ["record", "datanet", "appellant", "rejected_as", "status", "decided_by", "created_at"]
    list_filter = ["status", "rejected_as"]
    search_fields = ["appellant__username", "message", "note"]
    raw_id_fields = ["record", "datanet", "appellant", "decided_by"]


@admin.register(GoldPolicy)
class GoldPolicyAdmin(NoAddOrEditAdmin):
    list_display = ["datanet", "every"]
    search_fields = ["datanet__name"]


@admin.register(GoldItem)
class GoldItemAdmin(NoAddOrEditAdmin):
    list_display = ["record", "datanet", "answer", "active", "created_by", "created_at"]
    list_filter = ["answer", "active"]
    search_fields = ["datanet__name"]
    raw_id_fields = ["record", "datanet", "created_by"]


@admin.register(GoldAnswer)
class GoldAnswerAdmin(NoAddOrEditAdmin):
    list_display = ["gold", "curator", "decision", "served_at", "answered_at"]
    list_filter = ["decision"]
    search_fields = ["curator__username"]
    raw_id_fields = ["gold", "datanet", "curator"]
