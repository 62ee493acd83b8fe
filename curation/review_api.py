"""REST API for review queues. Thin: selectors read, `curation.review` writes."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from openledger.parsers import JSONBodyParser as JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from curation import gold, gold_selectors, review, review_selectors
from curation.models import Review
from datanets import permissions, selectors, submission_selectors
from datanets.api import deny, raise_drf
from openledger.idempotency import idempotent

CURATORS_ONLY = "Only the datanet's curators and owners review records."


class ReviewVoteOutput(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "record", "decision", "reason", "comment", "final", "created_at"]


class ReviewNeighbourOutput(serializers.Serializer):
    id = serializers.IntegerField(source="record.id")
    text = serializers.CharField(source="record.text")
    similarity = serializers.FloatField()


class ReviewItemOutput(serializers.Serializer):
    id = serializers.IntegerField(source="record.id")
    fields = serializers.JSONField(source="record.fields")
    text = serializers.CharField(source="record.text")
    quality_score = serializers.FloatField(source="record.quality_score", allow_null=True)
    quality_components = serializers.JSONField(source="record.quality_components")
    model_version = serializers.CharField(source="record.model_version")
    receipt = serializers.JSONField()
    created_at = serializers.DateTimeField(source="record.created_at")
    claim_expires_at = serializers.DateTimeField(source="claim.expires_at")
    escalated = serializers.BooleanField()
    approvals = serializers.IntegerField()
    rejections = serializers.IntegerField()
    reviews = ReviewVoteOutput(many=True)
    neighbours = ReviewNeighbourOutput(many=True)


class ReviewNextApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(operation_id="datanets_review_next", request={"application/json": OpenApiTypes.OBJECT},
                   description="Claim the next record of the queue (the body may be empty: the order and the "
                               "claim's length are the datanet's). 204 when nothing is left for you.",
                   responses={200: ReviewItemOutput, 204: None})
    def post(self, request, slug: str):
        datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
        if not permissions.can_curate(request.user, datanet):
            deny(request, CURATORS_ONLY)
        item = gold.review_next_item(datanet=datanet, curator=request.user)
        if item is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(ReviewItemOutput(item).data)


class GoldResultOutput(serializers.Serializer):
    answer = serializers.CharField(help_text="The known answer.")
    agreed = serializers.BooleanField(allow_null=True, help_text="Null for a skip.")


class ReviewSubmitOutput(ReviewVoteOutput):
    record_status = serializers.CharField(source="record.status")
    escalated = serializers.SerializerMethodField()
    gold = serializers.SerializerMethodField()

    class Meta(ReviewVoteOutput.Meta):
        fields = [*ReviewVoteOutput.Meta.fields, "record_status", "escalated", "gold"]

    def get_escalated(self, obj: Review) -> bool:
        return review_selectors.is_escalated(record=obj.record)

    @extend_schema_field(GoldResultOutput(allow_null=True))
    def get_gold(self, obj: Review) -> dict | None:
        """Set when the record was a gold item: your answer was kept apart and changed nothing."""
        return None


def _gold_submit_output(answer) -> dict:
    """A gold answer in the shape of a vote, so clients handle both alike."""
    return {"id": answer.pk, "record": answer.gold.record_id, "decision": answer.decision, "reason": answer.reason,
            "comment": answer.comment, "final": False,
            "created_at": serializers.DateTimeField().to_representation(answer.answered_at),
            "record_status": answer.gold.record.status, "escalated": False,
            "gold": {"answer": answer.gold.answer, "agreed": answer.agreed}}


class ReviewSubmitApi(APIView):
    parser_classes = [JSONParser]

    class ReviewSubmitInput(serializers.Serializer):
        record = serializers.IntegerField(min_value=1)
        decision = serializers.ChoiceField(choices=Review.Decision.choices)
        reason = serializers.ChoiceField(choices=Review.Reason.choices, required=False, allow_blank=True,
                                         help_text="Required to reject; the contributor sees it.")
        comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)

    @extend_schema(operation_id="reviews_create", request=ReviewSubmitInput, responses={201: ReviewSubmitOutput})
    @idempotent
    def post(self, request):
        if not request.user.is_authenticated:
            deny(request, "Log in or send an API token to review records.")
        data = self.ReviewSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        record = submission_selectors.record_get_for_user(user=request.user, record_id=fields["record"])
        if not permissions.can_curate(request.user, record.datanet):
            deny(request, CURATORS_ONLY)
        decision = {"decision": fields["decision"], "reason": fields.get("reason", ""),
                    "comment": fields.get("comment", "")}
        open_gold = gold_selectors.gold_answer_open_for(record=record, curator=request.user)
        try:
            if open_gold is not None:
                answer = gold.gold_answer_submit(answer=open_gold, **decision)
                return Response(_gold_submit_output(answer), status=status.HTTP_201_CREATED)
            vote = review.review_submit(record=record, reviewer=request.user, **decision)
        except DjangoValidationError as exc:
            raise_drf(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except review.ReviewRefused as exc:
            return Response({"detail": exc.message, "code": exc.code, "errors": {}}, status=exc.status)
        return Response(ReviewSubmitOutput(vote).data, status=status.HTTP_201_CREATED)


class RecordReviewListApi(APIView):
    @extend_schema(operation_id="records_reviews_list", responses=ReviewVoteOutput(many=True))
    def get(self, request, pk: int):
        record = submission_selectors.record_get_for_user(user=request.user, record_id=pk)
        return Response(ReviewVoteOutput(review_selectors.record_reviews(record=record), many=True).data)
