"""Review bits that pages of other apps show: the queue link's count, and a record's votes."""

from typing import Any

from django import template
from django.db.models import Prefetch, prefetch_related_objects

from curation import review_selectors
from curation.appeals import APPEALABLE
from curation.models import Review

register = template.Library()


@register.simple_tag(takes_context=True)
def review_queue_count(context: dict, datanet: Any) -> int:
    return review_selectors.review_queue_count(datanet=datanet, curator=context["request"].user)


@register.simple_tag(takes_context=True)
def prefetch_reviews(context: dict, records: Any) -> str:
    """Fetch the votes and appeals of every record on a page in two queries (records: a Page or a
    list), and tell the rows which statuses can be appealed."""
    objects = list(records)  # a Page keeps the list it evaluates, so the rows below reuse these objects
    votes = Review.objects.filter(decision__in=review_selectors.VOTES).order_by("created_at", "id")
    prefetch_related_objects(objects, Prefetch("reviews", queryset=votes, to_attr="votes"), "appeal")
    context["appealable"] = APPEALABLE
    return ""


@register.simple_tag
def appeal_open_count(datanet: Any) -> int:
    from curation.appeal_selectors import appeal_open_count as count

    return count(datanet=datanet)
