"""REST API for reports and moderation. Thin: selectors read, `curation.moderation` writes."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from openledger.parsers import JSONBodyParser as JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from curation import moderation, moderation_selectors
from curation.models import Report
from datanets import permissions, selectors, submission_selectors
from datanets.api import deny, raise_drf
from datanets.models import AuditEntry
from openledger.api import CursorPagination, Pagination
from openledger.idempotency import idempotent

MODERATORS_ONLY = "Only staff and datanet owners moderate reports."


class ReportOutput(serializers.ModelSerializer):
    datanet = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    target = serializers.CharField(source="target_kind")
    reporter = serializers.CharField(source="reporter.username")
    resolved_by = serializers.CharField(source="resolved_by.username", allow_null=True, default=None)

    class Meta:
        model = Report
        fields = ["id", "target", "datanet", "record", "reporter", "reason", "comment", "status", "resolution",
                  "resolution_note", "resolved_by", "resolved_at", "created_at"]


class ModerationRecordOutput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    fields = serializers.JSONField()
    status = serializers.CharField()
    contributor = serializers.CharField(source="contributor.username")


class ModerationReportOutput(ReportOutput):
    """A report as moderators see it: with the reported record's content and contributor."""

    reported_record = ModerationRecordOutput(source="record", allow_null=True)

    class Meta(ReportOutput.Meta):
        fields = [*ReportOutput.Meta.fields, "reported_record"]


def _refused(exc: moderation.ModerationRefused) -> Response:
    return Response({"detail": exc.message, "code": exc.code, "errors": {}}, status=exc.status)


class ReportCreateApi(APIView):
    parser_classes = [JSONParser]

    class ReportCreateInput(serializers.Serializer):
        record = serializers.IntegerField(min_value=1, required=False, help_text="The reported record's id…")
        datanet = serializers.SlugField(required=False, help_text="…or the reported datanet's slug (one of them).")
        reason = serializers.ChoiceField(choices=Report.Reason.choices)
        comment = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                        help_text="Required when the reason is 'other'.")

        def validate(self, attrs: dict) -> dict:
            if ("record" in attrs) == ("datanet" in attrs):
                raise ValidationError({"non_field_errors": ["Send either `record` (an id) or `datanet` (a slug)."]})
            return attrs

    @extend_schema(operation_id="reports_create", request=ReportCreateInput, responses={201: ReportOutput})
    @idempotent
    def post(self, request):
        if not request.user.is_authenticated:
            deny(request, "Log in or send an API token to report content.")
        data = self.ReportCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        record = datanet = None
        if "record" in fields:
            record = submission_selectors.record_get_for_user(user=request.user, record_id=fields["record"])
        else:
            datanet = selectors.datanet_get_for_user(user=request.user, slug=fields["datanet"])
        try:
            report = moderation.report_create(reporter=request.user, record=record, datanet=datanet,
                                              reason=fields["reason"], comment=fields.get("comment", ""))
        except DjangoValidationError as exc:
            raise_drf(exc)
        except moderation.ModerationRefused as exc:
            return _refused(exc)
        return Response(ReportOutput(report).data, status=status.HTTP_201_CREATED)


class ModerationReportListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        operation_id="moderation_reports_list",
        parameters=[
            OpenApiParameter("status", str, enum=[*Report.Status.values, "all"],
                             description="Default: open"),
            OpenApiParameter("datanet", str, description="A datanet's slug"),
            OpenApiParameter("reason", str, enum=Report.Reason.values),
        ],
        responses=ModerationReportOutput(many=True),
    )
    def get(self, request):
        if not permissions.can_moderate_anything(request.user):
            deny(request, MODERATORS_ONLY)
        datanet = None
        if request.query_params.get("datanet"):
            datanet = selectors.datanet_get_for_user(user=request.user, slug=request.query_params["datanet"])
            if not permissions.can_moderate(request.user, datanet):
                deny(request, "Only staff and this datanet's owners moderate its reports.")
        report_status = request.query_params.get("status", Report.Status.OPEN)
        qs = moderation_selectors.report_queue(user=request.user, datanet=datanet,
                                               status="" if report_status == "all" else report_status,
                                               reason=request.query_params.get("reason", ""))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(ModerationReportOutput(page, many=True).data)


class ModerationReportResolveApi(APIView):
    parser_classes = [JSONParser]

    class ReportResolveInput(serializers.Serializer):
        action = serializers.ChoiceField(choices=[(a.value, a.label) for a in moderation.RESOLUTIONS])
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                     help_text="Why; required for every action but dismiss.")

    @extend_schema(operation_id="moderation_reports_resolve", request=ReportResolveInput,
                   responses={200: ModerationReportOutput})
    @idempotent
    def post(self, request, pk: int):
        if not request.user.is_authenticated:
            deny(request, "Log in or send an API token to moderate.")
        report = moderation_selectors.report_get_for_moderator(user=request.user, report_id=pk)
        if report is None:
            other = Report.objects.select_related("datanet").filter(pk=pk).first()
            if other is None or not permissions.can_view(request.user, other.datanet):
                raise Http404("No report here.")
            deny(request, "Only staff and this datanet's owners moderate its reports.")
        data = self.ReportResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report = moderation.report_resolve(report=report, actor=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            raise_drf(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except moderation.ModerationRefused as exc:
            return _refused(exc)
        return Response(ModerationReportOutput(report).data)


class AuditEntryOutput(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    # Null for entries about no datanet (a settlement, a wallet, a token).
    datanet = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = AuditEntry
        fields = ["id", "created_at", "actor", "action", "target_type", "target_id", "target_repr", "datanet",
                  "reason", "data"]


AUDIT_FILTERS = [
    OpenApiParameter("action", str, description="An action or its prefix, e.g. `record.` or `user.suspended`"),
    OpenApiParameter("actor", str, description="A username"),
    OpenApiParameter("datanet", str, description="A datanet's slug"),
    OpenApiParameter("target_type", str, description="e.g. `datanets.record`"),
    OpenApiParameter("since", str, description="YYYY-MM-DD, inclusive"),
    OpenApiParameter("until", str, description="YYYY-MM-DD, inclusive"),
]


def audit_filters(params) -> dict:
    """The audit log's filters from query parameters; a malformed date is a 400 that says so."""
    from datetime import date

    out = {k: params.get(k, "").strip() for k in ("action", "actor", "datanet", "target_type")}
    for key in ("since", "until"):
        raw = params.get(key, "").strip()
        try:
            out[key] = date.fromisoformat(raw) if raw else None
        except ValueError as exc:
            raise ValidationError({key: [f"Give a date as YYYY-MM-DD (got {raw!r})."]}) from exc
    return out


class AuditEntryListApi(APIView):
    pagination_class = CursorPagination
    cursor_ordering = "-id"

    @extend_schema(operation_id="moderation_audit_list", parameters=AUDIT_FILTERS,
                   responses=AuditEntryOutput(many=True))
    def get(self, request):
        if not permissions.can_browse_audit_log(request.user):
            deny(request, "Only staff browse the audit log.")
        qs = moderation_selectors.audit_entries(**audit_filters(request.query_params))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(AuditEntryOutput(page, many=True).data)
