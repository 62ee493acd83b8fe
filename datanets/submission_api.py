"""REST API for contributions: uploads, API batches, progress, error reports and records."""

import csv
import io
import json

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser

from openledger.parsers import JSONBodyParser as JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from datanets import selectors, submission_selectors
from datanets.api import deny
from datanets.models import Record, Submission, SubmissionIssue
from datanets.submissions import UploadRefused, submission_create_from_file, submission_create_from_records
from openledger.api import CursorPagination, Pagination
from openledger.etag import ETagMixin
from openledger.idempotency import idempotent
from openledger.schema import ErrorOutput


class SubmissionOutput(serializers.ModelSerializer):
    datanet = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    contributor = serializers.CharField(source="contributor.username", read_only=True)
    progress = serializers.FloatField(read_only=True)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = ["id", "datanet", "contributor", "kind", "original_name", "size", "sha256", "format", "status",
                  "error", "progress", "counts", "created_at", "started_at", "finished_at"]

    def get_counts(self, obj: Submission) -> dict[str, int]:
        return obj.counts()


class RecordOutput(serializers.ModelSerializer):
    contributor = serializers.CharField(source="contributor.username", read_only=True)
    submission = serializers.UUIDField(source="submission_id", read_only=True)
    duplicate_of = serializers.IntegerField(source="duplicate_of_id", read_only=True, allow_null=True)

    class Meta:
        model = Record
        fields = ["id", "contributor", "submission", "row", "fields", "content_hash", "status", "quality_score",
                  "quality_components", "model_version", "duplicate_of", "similarity", "receipt", "created_at",
                  "decided_at"]


class IssueOutput(serializers.ModelSerializer):
    class Meta:
        model = SubmissionIssue
        fields = ["row", "field", "message", "excerpt"]


def _refused(exc: UploadRefused) -> Response:
    body = {"detail": exc.message, "code": "upload_refused", "errors": {}}
    if exc.existing is not None:
        body["existing_submission"] = str(exc.existing.id)
    return Response(body, status=exc.status)


class DatanetSubmissionListApi(APIView):
    pagination_class = CursorPagination
    cursor_ordering = "-created_at"
    parser_classes = [MultiPartParser, FormParser]

    class SubmissionUploadInput(serializers.Serializer):
        file = serializers.FileField(help_text="JSONL, JSON array, CSV, TXT or Parquet")

    @extend_schema(operation_id="datanets_submissions_list", responses=SubmissionOutput(many=True))
    def get(self, request, slug: str):
        datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
        if not request.user.is_authenticated:
            deny(request, "Log in to see your submissions.")
        paginator = self.pagination_class()
        qs = submission_selectors.submission_list(user=request.user, datanet=datanet).select_related("contributor")
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(SubmissionOutput(page, many=True).data)

    @extend_schema(operation_id="datanets_submissions_create", request={"multipart/form-data": SubmissionUploadInput},
                   responses={202: SubmissionOutput, 409: ErrorOutput, 413: ErrorOutput, 503: ErrorOutput})
    @idempotent
    def post(self, request, slug: str):
        datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
        if not request.user.is_authenticated:
            deny(request, "Log in to contribute.")
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Attach the file as multipart form field 'file'."]})
        try:
            sub = submission_create_from_file(datanet=datanet, contributor=request.user, stream=upload.file,
                                              original_name=upload.name, declared_size=upload.size)
        except UploadRefused as exc:
            return _refused(exc)
        sub.refresh_from_db()
        return Response(SubmissionOutput(sub).data, status=status.HTTP_202_ACCEPTED)


class DatanetRecordListApi(APIView):
    pagination_class = CursorPagination
    cursor_ordering = "id"
    parser_classes = [JSONParser]

    class RecordBatchInput(serializers.Serializer):
        records = serializers.ListField(child=serializers.JSONField(), allow_empty=False)

    @extend_schema(
        operation_id="datanets_records_list",
        parameters=[OpenApiParameter("status", str, enum=Record.Status.values),
                    OpenApiParameter("contributor", str, description="username"),
                    OpenApiParameter("submission", str, description="submission id")],
        responses=RecordOutput(many=True),
    )
    def get(self, request, slug: str):
        datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
        sub = None
        if request.query_params.get("submission"):
            sub = submission_selectors.submission_get_for_user(user=request.user,
                                                               submission_id=request.query_params["submission"])
        qs = submission_selectors.record_list(
            user=request.user, datanet=datanet, status=request.query_params.get("status", ""),
            contributor=request.query_params.get("contributor", ""), submission=sub,
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(RecordOutput(page, many=True).data)

    @extend_schema(operation_id="datanets_records_create", request=RecordBatchInput,
                   responses={202: SubmissionOutput, 409: ErrorOutput, 413: ErrorOutput, 503: ErrorOutput})
    @idempotent
    def post(self, request, slug: str):
        datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
        if not request.user.is_authenticated:
            deny(request, "Log in to contribute.")
        records = request.data.get("records") if isinstance(request.data, dict) else None
        if not isinstance(records, list):
            raise ValidationError({"records": ['Send a JSON body {"records": [ {...}, ... ]}.']})
        try:
            sub = submission_create_from_records(datanet=datanet, contributor=request.user, records=records)
        except UploadRefused as exc:
            return _refused(exc)
        sub.refresh_from_db()
        return Response(SubmissionOutput(sub).data, status=status.HTTP_202_ACCEPTED)


class SubmissionDetailApi(ETagMixin, APIView):
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(operation_id="submissions_retrieve", responses=SubmissionOutput)
    def get(self, request, pk: str):
        sub = submission_selectors.submission_get_for_user(user=request.user, submission_id=pk)
        return Response(SubmissionOutput(sub).data)


class SubmissionErrorsApi(APIView):
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(operation_id="submissions_errors_list",
                   parameters=[OpenApiParameter("download", str, enum=["csv", "jsonl"],
                                                description="Download the whole report as a file")],
                   responses={200: IssueOutput(many=True),
                              (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="?download=csv"),
                              (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.STR,
                                                                             description="?download=jsonl")})
    def get(self, request, pk: str):
        sub = submission_selectors.submission_get_for_user(user=request.user, submission_id=pk)
        issues = sub.issues.all()
        download = request.query_params.get("download")
        if download in ("csv", "jsonl"):
            return error_report_response(sub, download)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(issues, request, view=self)
        return paginator.get_paginated_response(IssueOutput(page, many=True).data)


def _csv_safe(value: str) -> str:
    # Spreadsheet apps run cells that start with these as formulas.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def error_report_response(sub: Submission, fmt: str) -> HttpResponse:
    issues = sub.issues.all().values_list("row", "field", "message", "excerpt")
    stem = sub.original_name.rsplit(".", 1)[0]

    def rows_csv():
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["row", "field", "message", "excerpt"])
        yield buf.getvalue()
        for row in issues.iterator():
            buf.seek(0)
            buf.truncate()
            writer.writerow([row[0], *(_csv_safe(str(v)) for v in row[1:])])
            yield buf.getvalue()

    def rows_jsonl():
        for row, field, message, excerpt in issues.iterator():
            yield json.dumps({"row": row, "field": field, "message": message, "excerpt": excerpt}) + "\n"

    content_type = "text/csv" if fmt == "csv" else "application/x-ndjson"
    response = StreamingHttpResponse(rows_csv() if fmt == "csv" else rows_jsonl(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}-errors.{fmt}"'
    return response


class PresignedUploadCreateApi(APIView):
    """S3 profile: get a URL to PUT a large file straight into the bucket."""

    permission_classes = [drf_permissions.IsAuthenticated]
    parser_classes = [JSONParser]

    class PresignedUploadInput(serializers.Serializer):
        filename = serializers.CharField(max_length=255)
        size = serializers.IntegerField(min_value=1)
        content_type = serializers.CharField(max_length=100, default="application/octet-stream")

    class PresignedUploadOutput(serializers.Serializer):
        upload_id = serializers.CharField()
        url = serializers.URLField()
        method = serializers.CharField()
        headers = serializers.DictField(child=serializers.CharField())

    @extend_schema(operation_id="datanets_uploads_create", request=PresignedUploadInput,
                   responses={201: PresignedUploadOutput, 409: ErrorOutput, 413: ErrorOutput})
    @idempotent
    def post(self, request, slug: str):
        from datanets.presigned import presigned_upload_create

        datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
        data = self.PresignedUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            body = presigned_upload_create(datanet=datanet, contributor=request.user, **data.validated_data)
        except UploadRefused as exc:
            return _refused(exc)
        return Response(body, status=status.HTTP_201_CREATED)


class PresignedUploadCompleteApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated]
    parser_classes = [JSONParser]

    class UploadCompleteInput(serializers.Serializer):
        upload_id = serializers.CharField()

    @extend_schema(operation_id="uploads_complete", request=UploadCompleteInput,
                   responses={202: SubmissionOutput, 409: ErrorOutput, 413: ErrorOutput, 503: ErrorOutput})
    @idempotent
    def post(self, request):
        from datanets.presigned import presigned_upload_complete

        data = self.UploadCompleteInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            sub = presigned_upload_complete(contributor=request.user, upload_id=data.validated_data["upload_id"])
        except UploadRefused as exc:
            return _refused(exc)
        sub.refresh_from_db()
        return Response(SubmissionOutput(sub).data, status=status.HTTP_202_ACCEPTED)
