"""REST API for releases. Thin: selectors read, `curation.releases` writes."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from openledger.parsers import JSONBodyParser as JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from curation import release_selectors, releases
from curation.models import Release
from curation.release_views import release_file_response
from datanets import permissions, selectors
from datanets.api import deny
from openledger.api import Pagination
from openledger.etag import ETagMixin
from openledger.idempotency import idempotent

OWNERS_ONLY = "Only the datanet's owners cut releases."


class ReleaseChangesOutput(serializers.Serializer):
    previous = serializers.IntegerField(allow_null=True, help_text="Version compared with (the last ready one)")
    added = serializers.IntegerField()
    removed = serializers.ListField(child=serializers.IntegerField(), help_text="Record ids removed since")


class ReleaseFileOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(releases.FILENAMES))
    name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.URLField(help_text="Download: a redirect to a presigned URL (S3) or the file itself")


class ReleaseOutput(serializers.ModelSerializer):
    datanet = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)
    changes = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = ["id", "datanet", "version", "status", "progress", "error", "record_count", "merkle_root",
                  "changes", "created_by", "created_at", "finished_at", "url"]

    def get_url(self, obj: Release) -> str:
        path = reverse("api-release", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(ReleaseChangesOutput(allow_null=True))
    def get_changes(self, obj: Release) -> dict | None:
        return ReleaseChangesOutput(obj.changes).data if obj.changes else None  # empty while building


class ReleaseDetailOutput(ReleaseOutput):
    files = serializers.SerializerMethodField()

    class Meta(ReleaseOutput.Meta):
        fields = [*ReleaseOutput.Meta.fields, "files"]

    @extend_schema_field(ReleaseFileOutput(many=True))
    def get_files(self, obj: Release) -> list[dict]:
        request = self.context.get("request")
        out = []
        for kind, name in releases.FILENAMES.items():
            stored = obj.files.get(kind)
            if not stored:
                continue
            path = reverse("api-release-file", args=[obj.pk, kind])
            out.append({"kind": kind, "name": name, "size": stored["size"], "sha256": stored["sha256"],
                        "url": request.build_absolute_uri(path) if request else path})
        return out


class DatanetReleaseListApi(APIView):
    pagination_class = Pagination
    parser_classes = [JSONParser]

    @extend_schema(operation_id="datanets_releases_list", responses=ReleaseOutput(many=True))
    def get(self, request, slug: str):
        datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(release_selectors.release_list(datanet=datanet), request, view=self)
        return paginator.get_paginated_response(ReleaseOutput(page, many=True, context={"request": request}).data)

    @extend_schema(operation_id="datanets_releases_create", request={"application/json": OpenApiTypes.OBJECT},
                   description="Owners: cut the next release of the accepted records (the body may be empty). "
                               "202 with the release, which builds in the background: poll its `url` until "
                               "`status` is `ready`. 409 while another release builds or when nothing is accepted.",
                   responses={202: ReleaseOutput})
    @idempotent
    def post(self, request, slug: str):
        datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
        if not permissions.can_cut_release(request.user, datanet):
            deny(request, OWNERS_ONLY)
        try:
            release = releases.release_create(datanet=datanet, actor=request.user)
        except DjangoPermissionDenied:
            deny(request, OWNERS_ONLY)
        except releases.ReleaseRefused as exc:
            return Response({"detail": exc.message, "code": exc.code, "errors": {}}, status=exc.status)
        release.refresh_from_db()
        return Response(ReleaseOutput(release, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class ReleaseDetailApi(ETagMixin, APIView):
    @extend_schema(operation_id="releases_retrieve", responses=ReleaseDetailOutput)
    def get(self, request, pk: int):
        release = release_selectors.release_get_for_user(user=request.user, release_id=pk)
        return Response(ReleaseDetailOutput(release, context={"request": request}).data)


class ReleaseFileApi(APIView):
    @extend_schema(operation_id="releases_files_retrieve",
                   responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file (local storage)"),
                              302: OpenApiResponse(description="Redirect to a presigned download URL (S3)")})
    def get(self, request, pk: int, kind: str):
        release = release_selectors.release_get_for_user(user=request.user, release_id=pk)
        return release_file_response(release, kind)
