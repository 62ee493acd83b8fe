"""REST API for gold items and curator agreement (owners only). Thin: selectors read,
`curation.gold` writes."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from openledger.parsers import JSONBodyParser as JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from curation import gold, gold_selectors
from curation.models import GoldItem
from datanets import permissions, selectors
from datanets.api import deny, raise_drf
from datanets.models import Membership, Record
from openledger.idempotency import idempotent
from openledger.api import Pagination


def _owned(request, slug: str):
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    if permissions.role_of(request.user, datanet) != Membership.Role.OWNER:
        deny(request, gold.OWNERS_ONLY)
    return datanet


class GoldItemOutput(serializers.ModelSerializer):
    answered = serializers.IntegerField(read_only=True, help_text="Curators who answered accept or reject.")
    agreed = serializers.IntegerField(read_only=True, help_text="…of whom agreed with the known answer.")

    class Meta:
        model = GoldItem
        fields = ["id", "record", "answer", "active", "created_at", "answered", "agreed"]


class DatanetGoldApi(APIView):
    pagination_class = Pagination  # the schema documents the paginated envelope from this

    parser_classes = [JSONParser]

    class GoldMarkInput(serializers.Serializer):
        record = serializers.IntegerField(min_value=1)
        answer = serializers.ChoiceField(choices=GoldItem.Answer.choices)

    @extend_schema(operation_id="datanets_gold_list", responses=GoldItemOutput(many=True))
    def get(self, request, slug: str):
        datanet = _owned(request, slug)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(gold_selectors.gold_list(datanet=datanet), request, view=self)
        return paginator.get_paginated_response(GoldItemOutput(page, many=True).data)

    @extend_schema(operation_id="datanets_gold_mark", request=GoldMarkInput, responses={201: GoldItemOutput})
    @idempotent
    def post(self, request, slug: str):
        datanet = _owned(request, slug)
        data = self.GoldMarkInput(data=request.data)
        data.is_valid(raise_exception=True)
        record = Record.objects.filter(datanet=datanet, pk=data.validated_data["record"]).first()
        if record is None:
            raise Http404(f"No record #{data.validated_data['record']} in this datanet.")
        try:
            item = gold.gold_mark(record=record, actor=request.user, answer=data.validated_data["answer"])
        except DjangoValidationError as exc:
            raise_drf(exc)
        item = gold_selectors.gold_list(datanet=datanet).get(pk=item.pk)
        return Response(GoldItemOutput(item).data, status=status.HTTP_201_CREATED)


class GoldPolicyOutput(serializers.Serializer):
    every = serializers.IntegerField(help_text="One gold item in this many queue items; 0 = none.")


class DatanetGoldPolicyApi(APIView):
    parser_classes = [JSONParser]

    class GoldPolicyInput(serializers.Serializer):
        every = serializers.IntegerField(min_value=0, max_value=1000)

    @extend_schema(operation_id="datanets_gold_policy_read", responses=GoldPolicyOutput)
    def get(self, request, slug: str):
        datanet = _owned(request, slug)
        return Response({"every": gold_selectors.gold_every(datanet=datanet)})

    @extend_schema(operation_id="datanets_gold_policy_update", request=GoldPolicyInput, responses=GoldPolicyOutput)
    def put(self, request, slug: str):
        datanet = _owned(request, slug)
        data = self.GoldPolicyInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            policy = gold.gold_policy_update(datanet=datanet, actor=request.user, every=data.validated_data["every"])
        except DjangoValidationError as exc:
            raise_drf(exc)
        return Response({"every": policy.every})


class CuratorAgreementOutput(serializers.Serializer):
    curator = serializers.CharField()
    decided = serializers.IntegerField(help_text="Votes on records that are now accepted or rejected.")
    agreed = serializers.IntegerField(help_text="…that match the final decision.")
    agreement = serializers.FloatField(allow_null=True)
    gold_answered = serializers.IntegerField()
    gold_agreed = serializers.IntegerField()
    gold_agreement = serializers.FloatField(allow_null=True)


class DatanetCuratorAgreementApi(APIView):
    @extend_schema(operation_id="datanets_curators_agreement", responses=CuratorAgreementOutput(many=True))
    def get(self, request, slug: str):
        datanet = _owned(request, slug)
        return Response(CuratorAgreementOutput(gold_selectors.curator_agreement(datanet=datanet), many=True).data)
