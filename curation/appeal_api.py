"""REST API for appeals. Thin: selectors read, `curation.appeals` writes."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied

from rest_framework.response import Response
from rest_framework.views import APIView

from curation import appeal_selectors, appeals
from curation.models import Appeal
from datanets import permissions, selectors, submission_selectors
from datanets.api import deny, raise_drf
from datanets.models import Membership
from openledger.idempotency import idempotent
from openledger.api import Pagination
from openledger.parsers import JSONBodyParser as JSONParser
from openledger.schema import ErrorOutput

OWNERS_ONLY = "Only the datanet's owners decide appeals."


class AppealOutput(serializers.ModelSerializer):
    datanet = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    appellant = serializers.CharField(source="appellant.username")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    record_status = serializers.CharField(source="record.status")

    class Meta:
        model = Appeal
        fields = ["id", "record", "datanet", "appellant", "rejected_as", "message", "status", "note", "decided_by",
                  "decided_at", "created_at", "record_status"]


def _refused(exc: appeals.AppealRefused) -> Response:
    return Response({"detail": exc.message, "code": exc.code, "errors": {}}, status=exc.status)


class RecordAppealApi(APIView):
    parser_classes = [JSONParser]

    class AppealCreateInput(serializers.Serializer):
        message = serializers.CharField(max_length=2000, help_text="Why the rejection is wrong; the owners read it.")

    @extend_schema(operation_id="records_appeal_create", request=AppealCreateInput, responses={201: AppealOutput, 409: ErrorOutput},
                   description="Appeal the rejection of your record (by review, or by the quality score), once.")
    @idempotent
    def post(self, request, pk: int):
        if not request.user.is_authenticated:
            deny(request, "Log in or send an API token to appeal.")
        record = submission_selectors.record_get_for_user(user=request.user, record_id=pk)
        data = self.AppealCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            appeal = appeals.appeal_create(record=record, appellant=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            raise_drf(exc)
        except appeals.AppealRefused as exc:
            return _refused(exc)
        return Response(AppealOutput(appeal).data, status=status.HTTP_201_CREATED)


class AppealListApi(APIView):
    pagination_class = Pagination  # the schema documents the paginated envelope from this

    @extend_schema(operation_id="appeals_list", responses=AppealOutput(many=True),
                   description="The appeals you made, newest first, with the owners' answers.")
    def get(self, request):
        if not request.user.is_authenticated:
            deny(request, "Log in or send an API token to see your appeals.")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(appeal_selectors.appeal_list_of(user=request.user), request, view=self)
        return paginator.get_paginated_response(AppealOutput(page, many=True).data)


class DatanetAppealListApi(APIView):
    pagination_class = Pagination  # the schema documents the paginated envelope from this

    @extend_schema(operation_id="datanets_appeals_list", responses=AppealOutput(many=True),
                   parameters=[OpenApiParameter("status", str, enum=[*Appeal.Status.values, "all"],
                                                description="Default: open")])
    def get(self, request, slug: str):
        datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
        if permissions.role_of(request.user, datanet) != Membership.Role.OWNER:
            deny(request, OWNERS_ONLY)
        appeal_status = request.query_params.get("status", Appeal.Status.OPEN)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(appeal_selectors.appeal_queue(datanet=datanet, status=appeal_status),
                                           request, view=self)
        return paginator.get_paginated_response(AppealOutput(page, many=True).data)


class AppealResolveApi(APIView):
    parser_classes = [JSONParser]

    class AppealResolveInput(serializers.Serializer):
        decision = serializers.ChoiceField(choices=appeals.DECISION_CHOICES)
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True,
                                     help_text="To the contributor; required to uphold.")

    @extend_schema(operation_id="appeals_resolve", request=AppealResolveInput, responses={200: AppealOutput, 409: ErrorOutput})
    @idempotent
    def post(self, request, pk: int):
        if not request.user.is_authenticated:
            deny(request, "Log in or send an API token to decide appeals.")
        appeal = Appeal.objects.select_related("datanet").filter(pk=pk).first()
        if appeal is None or not permissions.can_view(request.user, appeal.datanet):
            raise Http404("No appeal here.")
        if permissions.role_of(request.user, appeal.datanet) != Membership.Role.OWNER:
            deny(request, OWNERS_ONLY)
        data = self.AppealResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            appeal = appeals.appeal_resolve(appeal=appeal, actor=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            raise_drf(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except appeals.AppealRefused as exc:
            return _refused(exc)
        appeal.refresh_from_db()
        return Response(AppealOutput(appeal).data)
