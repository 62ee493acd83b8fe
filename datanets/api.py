"""REST API for datanets and memberships. Thin: selectors read, services write."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from datanets import permissions, selectors, services
from datanets.licenses import DOMAINS, LICENSES
from datanets.models import Datanet, Membership
from datanets.rendering import render_markdown
from openledger.api import Pagination
from openledger.etag import ETagMixin
from openledger.idempotency import idempotent


def deny(request, message: str) -> None:
    """Refuse: 401 when nobody is signed in (so clients know to authenticate), else 403."""
    if not request.user.is_authenticated:
        raise NotAuthenticated("Log in or send an API token.")
    raise PermissionDenied(message)


def raise_drf(exc: DjangoValidationError) -> None:
    raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


class DatanetOutput(serializers.ModelSerializer):
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    description_html = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    your_role = serializers.SerializerMethodField()

    class Meta:
        model = Datanet
        fields = [
            "slug", "name", "summary", "description", "description_html", "tags", "domain", "license",
            "visibility", "status", "is_frozen", "record_schema", "text_field", "txt_mode",
            "near_dup_threshold", "minhash_num_perm", "shingle_size", "min_quality", "quality_weights",
            "approvals_required", "auto_accept_above", "review_order", "record_count", "contributor_count",
            "created_at", "updated_at", "url", "your_role",
        ]

    def get_description_html(self, obj: Datanet) -> str:
        return render_markdown(obj.description)

    def get_url(self, obj: Datanet) -> str:
        request = self.context.get("request")
        path = f"/d/{obj.slug}/"
        return request.build_absolute_uri(path) if request else path

    def get_your_role(self, obj: Datanet) -> str | None:
        request = self.context.get("request")
        return permissions.role_of(request.user, obj) if request else None


class _DatanetWritable(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    summary = serializers.CharField(max_length=280, required=False, allow_blank=True)
    description = serializers.CharField(max_length=50_000, required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=10)
    domain = serializers.ChoiceField(choices=DOMAINS, required=False)
    license = serializers.ChoiceField(choices=LICENSES, required=False)
    visibility = serializers.ChoiceField(choices=Datanet.Visibility.choices, required=False)
    record_schema = serializers.JSONField(required=False)
    text_field = serializers.CharField(max_length=64, required=False)
    txt_mode = serializers.ChoiceField(choices=Datanet.TxtMode.choices, required=False)
    near_dup_threshold = serializers.FloatField(min_value=0.5, max_value=1.0, required=False)
    minhash_num_perm = serializers.IntegerField(min_value=16, max_value=512, required=False)
    shingle_size = serializers.IntegerField(min_value=1, max_value=10, required=False)
    min_quality = serializers.FloatField(min_value=0.0, max_value=1.0, required=False)
    quality_weights = serializers.DictField(child=serializers.FloatField(min_value=0.0), required=False)
    approvals_required = serializers.IntegerField(min_value=1, max_value=10, required=False)
    auto_accept_above = serializers.FloatField(min_value=0.0, max_value=1.0, required=False, allow_null=True)
    review_order = serializers.ChoiceField(choices=Datanet.ReviewOrder.choices, required=False)


class DatanetListApi(APIView):
    pagination_class = Pagination

    class DatanetCreateInput(_DatanetWritable):
        slug = serializers.SlugField(max_length=60, required=False)

    @extend_schema(
        operation_id="datanets_list",
        parameters=[
            OpenApiParameter("q", str, description="Words to search in name, summary, tags and domain"),
            OpenApiParameter("tag", str), OpenApiParameter("domain", str), OpenApiParameter("license", str),
            OpenApiParameter("sort", str, enum=list(selectors.SORTS)),
            OpenApiParameter("mine", bool, description="Only datanets you are a member of"),
        ],
        responses=DatanetOutput(many=True),
    )
    def get(self, request):
        qs = selectors.datanet_list_visible(
            user=request.user,
            q=request.query_params.get("q", ""),
            tag=request.query_params.get("tag", ""),
            domain=request.query_params.get("domain", ""),
            license=request.query_params.get("license", ""),
            sort=request.query_params.get("sort", "newest"),
            mine=request.query_params.get("mine") in ("1", "true"),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(DatanetOutput(page, many=True, context={"request": request}).data)

    @extend_schema(operation_id="datanets_create", request=DatanetCreateInput, responses={201: DatanetOutput})
    @idempotent
    def post(self, request):
        if not request.user.is_authenticated:
            deny(request, "Log in or send an API token to create a datanet.")
        data = self.DatanetCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        try:
            datanet = services.datanet_create(owner=request.user, **fields)
        except DjangoValidationError as exc:
            raise_drf(exc)
        return Response(DatanetOutput(datanet, context={"request": request}).data, status=status.HTTP_201_CREATED)


class DatanetDetailApi(ETagMixin, APIView):
    class DatanetUpdateInput(_DatanetWritable):
        name = serializers.CharField(max_length=120, required=False)
        status = serializers.ChoiceField(choices=Datanet.Status.choices, required=False)

    def _get(self, request, slug: str) -> Datanet:
        return selectors.datanet_get_for_user(user=request.user, slug=slug)

    @extend_schema(operation_id="datanets_retrieve", responses=DatanetOutput)
    def get(self, request, slug: str):
        return Response(DatanetOutput(self._get(request, slug), context={"request": request}).data)

    @extend_schema(operation_id="datanets_update", request=DatanetUpdateInput, responses=DatanetOutput)
    def patch(self, request, slug: str):
        datanet = self._get(request, slug)
        if not permissions.can_edit(request.user, datanet):
            deny(request, "Only owners can change this datanet.")
        data = self.DatanetUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        new_status = fields.pop("status", None)
        try:
            if fields:
                datanet = services.datanet_update(datanet=datanet, actor=request.user, **fields)
            if new_status:
                datanet = services.datanet_set_status(datanet=datanet, actor=request.user, status=new_status)
        except DjangoValidationError as exc:
            raise_drf(exc)
        return Response(DatanetOutput(datanet, context={"request": request}).data)

    @extend_schema(operation_id="datanets_destroy", responses={204: None})
    def delete(self, request, slug: str):
        datanet = self._get(request, slug)
        if not permissions.can_edit(request.user, datanet):
            deny(request, "Only owners can delete this datanet.")
        try:
            services.datanet_delete(datanet=datanet, actor=request.user)
        except DjangoValidationError as exc:
            raise_drf(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MembershipOutput(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    display_name = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["username", "display_name", "role", "created_at"]

    def get_display_name(self, obj: Membership) -> str:
        profile = getattr(obj.user, "profile", None)
        return profile.name if profile else obj.user.username


def _member_datanet(request, slug: str) -> Datanet:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    if permissions.role_of(request.user, datanet) is None and not permissions.is_staff(request.user):
        deny(request, "Only members can see the member list.")
    return datanet


class DatanetMemberListApi(APIView):
    pagination_class = Pagination
    permission_classes = [drf_permissions.IsAuthenticated, *APIView.permission_classes]

    class MemberInviteInput(serializers.Serializer):
        identifier = serializers.CharField(max_length=254, help_text="A username or an email address")
        role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.CONTRIBUTOR)

    class MemberInviteOutput(serializers.Serializer):
        status = serializers.ChoiceField(choices=["added", "invited"])
        member = MembershipOutput(required=False)
        email = serializers.EmailField(required=False)

    @extend_schema(operation_id="datanets_members_list", responses=MembershipOutput(many=True))
    def get(self, request, slug: str):
        datanet = _member_datanet(request, slug)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.membership_list(datanet=datanet), request, view=self)
        return paginator.get_paginated_response(MembershipOutput(page, many=True).data)

    @extend_schema(operation_id="datanets_members_create", request=MemberInviteInput, responses={201: MemberInviteOutput})
    @idempotent
    def post(self, request, slug: str):
        datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
        if not permissions.can_manage_members(request.user, datanet):
            deny(request, "Only owners can invite members.")
        data = self.MemberInviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = services.membership_invite(datanet=datanet, actor=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            raise_drf(exc)
        if isinstance(result, Membership):
            body = {"status": "added", "member": MembershipOutput(result).data}
        else:
            body = {"status": "invited", "email": result.email}
        return Response(body, status=status.HTTP_201_CREATED)


class DatanetMemberDetailApi(APIView):
    permission_classes = [drf_permissions.IsAuthenticated, *APIView.permission_classes]

    class MemberRoleInput(serializers.Serializer):
        role = serializers.ChoiceField(choices=Membership.Role.choices)

    @extend_schema(operation_id="datanets_members_update", request=MemberRoleInput, responses=MembershipOutput)
    def patch(self, request, slug: str, username: str):
        datanet = _member_datanet(request, slug)
        if not permissions.can_manage_members(request.user, datanet):
            deny(request, "Only owners can change roles.")
        data = self.MemberRoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            membership = services.membership_change_role(
                datanet=datanet, actor=request.user, username=username, role=data.validated_data["role"]
            )
        except DjangoValidationError as exc:
            raise_drf(exc)
        return Response(MembershipOutput(membership).data)

    @extend_schema(operation_id="datanets_members_destroy", responses={204: None})
    def delete(self, request, slug: str, username: str):
        datanet = _member_datanet(request, slug)
        try:
            services.membership_remove(datanet=datanet, actor=request.user, username=username)
        except DjangoValidationError as exc:
            raise_drf(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
