"""REST API for bulk decisions by filter. Thin: `curation.bulk` counts and writes."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from openledger.idempotency import idempotent
from openledger.parsers import JSONBodyParser as JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from curation import bulk
from curation.models import Review
from datanets import permissions, selectors
from datanets.api import deny, raise_drf


class BulkFilterInput(serializers.Serializer):
    score_below = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    score_at_least = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    submission = serializers.UUIDField(required=False, allow_null=True)
    contributor = serializers.CharField(required=False, allow_blank=True, help_text="A username.")


class BulkDecisionOutput(serializers.Serializer):
    action = serializers.CharField()
    filter = serializers.CharField(help_text="The filter in words.")
    matched = serializers.IntegerField(help_text="Records in review the filter selects for this action now.")
    applies_to = serializers.IntegerField(help_text="How many one confirmation changes (at most 1,000).")
    applied = serializers.IntegerField(allow_null=True, help_text="With confirm: records changed.")
    skipped = serializers.IntegerField(allow_null=True, help_text="With confirm: decided or taken meanwhile.")


class DatanetBulkDecisionApi(APIView):
    parser_classes = [JSONParser]

    class BulkDecisionInput(serializers.Serializer):
        action = serializers.ChoiceField(choices=[(a.name, a.label) for a in bulk.ACTIONS.values()])
        filter = BulkFilterInput()
        reason = serializers.ChoiceField(choices=Review.Reason.choices, required=False, allow_blank=True)
        comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        confirm = serializers.BooleanField(default=False,
                                           help_text="False: only count what would change. True: apply it.")

    @extend_schema(operation_id="datanets_review_bulk", request=BulkDecisionInput,
                   responses={200: BulkDecisionOutput},
                   description="Count (confirm false) or apply (confirm true) one decision on the records in "
                               "review a filter selects. `reject`/`accept` are owners' rulings; `vote_reject`/"
                               "`vote_accept` are a curator's vote on each.")
    @idempotent
    def post(self, request, slug: str):
        datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
        if not permissions.can_curate(request.user, datanet):
            deny(request, "Only the datanet's curators and owners decide records in bulk.")
        data = self.BulkDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        raw_filter = {k: ("" if v is None else str(v)) for k, v in fields["filter"].items()}
        reason, comment = fields.get("reason", ""), fields.get("comment", "")
        try:
            flt = bulk.bulk_filter_from(raw_filter)
            preview = bulk.bulk_preview(datanet=datanet, actor=request.user, action=fields["action"], flt=flt)
            if preview.action.decision == "reject":
                bulk.review.clean_decision(decision="reject", reason=reason, comment=comment)
            out = {"action": preview.action.name, "filter": flt.describe(), "matched": preview.count,
                   "applies_to": preview.applies_to, "applied": None, "skipped": None}
            if fields["confirm"]:
                result = bulk.bulk_apply(datanet=datanet, actor=request.user, action=fields["action"], flt=flt,
                                         reason=reason, comment=comment)
                out.update(applied=result.applied, skipped=result.skipped, matched=result.remaining,
                           applies_to=min(result.remaining, bulk.BULK_MAX))
        except DjangoValidationError as exc:
            raise_drf(exc)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(BulkDecisionOutput(out).data)
