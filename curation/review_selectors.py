"""Reads for review queues: what a curator may be given next, in the datanet's order, and what
the review page shows about one record (its votes so far and its nearest accepted neighbours)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Abs
from django.utils import timezone

from curation.models import Review, ReviewClaim, ReviewEscalation
from curation import neighbours
from datanets import permissions
from datanets.models import Datanet, Membership, Record

VOTES = (Review.Decision.ACCEPT, Review.Decision.REJECT)


def review_queue(*, datanet: Datanet, curator: Any, now: datetime | None = None) -> QuerySet[Record]:
    """Records this curator may claim now, best first: never their own, never one another
    curator holds, never one they voted on. Escalated records go only to owners, first; records
    the curator skipped come after the rest."""
    now = now or timezone.now()
    is_owner = permissions.role_of(curator, datanet) == Membership.Role.OWNER
    voted = Review.objects.filter(record=OuterRef("pk"), reviewer=curator, decision__in=VOTES, final=False)
    skipped = Review.objects.filter(record=OuterRef("pk"), reviewer=curator, decision=Review.Decision.SKIP)
    escalated = ReviewEscalation.objects.filter(record=OuterRef("pk"), resolved_at__isnull=True)
    held = ReviewClaim.objects.filter(record=OuterRef("pk"), expires_at__gte=now).exclude(curator=curator)
    qs = (
        Record.objects.filter(datanet=datanet, status=Record.Status.IN_REVIEW)
        .exclude(contributor=curator)
        .annotate(escalated=Exists(escalated), voted=Exists(voted), skipped=Exists(skipped), held=Exists(held))
        .filter(held=False)
    )
    if is_owner:
        qs = qs.filter(Q(escalated=True) | Q(voted=False))
    else:
        qs = qs.filter(escalated=False, voted=False)
    return qs.order_by(F("escalated").desc(), "skipped", *_order(datanet))


def _order(datanet: Datanet) -> list[Any]:
    if datanet.review_order == Datanet.ReviewOrder.OLDEST:
        return ["created_at", "id"]
    if datanet.review_order == Datanet.ReviewOrder.THRESHOLD:
        distance = Abs(F("quality_score") - Value(float(datanet.min_quality)))
        return [distance.asc(nulls_last=True), "id"]
    return [F("quality_score").desc(nulls_last=True), "id"]


def review_queue_next_ids(*, datanet: Datanet, curator: Any, now: datetime | None = None, limit: int = 20) -> list[int]:
    """The first `limit` ids of `review_queue`, in its order, read in stages that each walk an
    index and stop after `limit` rows — with 100,000 records in review, ordering the whole queue
    on every request is what made "next item" slow (see bench/bench_review_next.py):

    1. for owners, escalated records (few);
    2. records the curator never touched, in the datanet's order (the index walk);
    3. records the curator skipped, in the same order (few).
    """
    now = now or timezone.now()
    held = ReviewClaim.objects.filter(record=OuterRef("pk"), expires_at__gte=now).exclude(curator=curator)
    escalated = ReviewEscalation.objects.filter(record=OuterRef("pk"), resolved_at__isnull=True)
    in_review = (Record.objects.filter(datanet=datanet, status=Record.Status.IN_REVIEW).exclude(contributor=curator)
                 .exclude(Exists(held)))
    ids: list[int] = []
    if permissions.role_of(curator, datanet) == Membership.Role.OWNER:
        ids += _ordered_ids(in_review.filter(Exists(escalated)), datanet, limit)
    if len(ids) < limit:
        touched = Review.objects.filter(record=OuterRef("pk"), reviewer=curator)
        fresh = in_review.exclude(Exists(escalated)).exclude(Exists(touched))
        ids += _ordered_ids(fresh, datanet, limit - len(ids))
    if len(ids) < limit:
        voted = Review.objects.filter(record=OuterRef("pk"), reviewer=curator, decision__in=VOTES)
        skipped = (Review.objects.filter(reviewer=curator, decision=Review.Decision.SKIP, record__datanet=datanet)
                   .values("record_id"))
        again = in_review.filter(pk__in=skipped).exclude(Exists(escalated)).exclude(Exists(voted))
        ids += [i for i in _ordered_ids(again, datanet, limit) if i not in ids][: limit - len(ids)]
    return ids


def _ordered_ids(qs: QuerySet[Record], datanet: Datanet, limit: int) -> list[int]:
    """`limit` ids of `qs` in the datanet's review order, each read as an ordered index range:
    (datanet, status, quality_score) for the quality orders, (datanet, status, created_at, id)
    for the oldest first. Closest to the threshold merges the nearest above and below it."""
    if limit <= 0:
        return []
    if datanet.review_order == Datanet.ReviewOrder.OLDEST:
        return list(qs.order_by("created_at", "id").values_list("id", flat=True)[:limit])
    scored = qs.filter(quality_score__isnull=False)
    if datanet.review_order == Datanet.ReviewOrder.THRESHOLD:
        threshold = float(datanet.min_quality)
        above = scored.filter(quality_score__gte=threshold).order_by("quality_score", "id")
        below = scored.filter(quality_score__lt=threshold).order_by("-quality_score", "id")
        rows = [*above.values_list("id", "quality_score")[:limit], *below.values_list("id", "quality_score")[:limit]]
        ids = [i for i, _ in sorted(rows, key=lambda r: (abs(r[1] - threshold), r[0]))][:limit]
    else:
        ids = list(scored.order_by("-quality_score", "id").values_list("id", flat=True)[:limit])
    if len(ids) < limit:
        ids += list(qs.filter(quality_score__isnull=True).order_by("id").values_list("id", flat=True)
                    [: limit - len(ids)])
    return ids


def review_queue_count(*, datanet: Datanet, curator: Any) -> int:
    """How many records `review_queue` holds for this curator, without walking it: the datanet's
    records in review (an index count) less the curator's own, less the few others the curator may
    not take (held by another curator, voted on, escalated unless they own the datanet). Those few
    are read from their own small tables and looked up by id: written as one condition over the
    queue, PostgreSQL filtered all 100,000 records in review through it (~200 ms)."""
    now = timezone.now()
    in_review = Record.objects.filter(datanet=datanet, status=Record.Status.IN_REVIEW)
    barred = (ReviewClaim.objects.filter(datanet=datanet, expires_at__gte=now).exclude(curator=curator)
              .order_by().values_list("record_id", flat=True)
              .union(Review.objects.filter(reviewer=curator, decision__in=VOTES, final=False,
                                           record__datanet=datanet, record__status=Record.Status.IN_REVIEW)
                     .order_by().values_list("record_id", flat=True)))
    if permissions.role_of(curator, datanet) != Membership.Role.OWNER:
        barred = barred.union(ReviewEscalation.objects.filter(resolved_at__isnull=True, record__datanet=datanet)
                              .order_by().values_list("record_id", flat=True))
    total = in_review.count()
    own = in_review.filter(contributor=curator).count()
    return max(total - own - in_review.exclude(contributor=curator).filter(pk__in=barred).count(), 0)


def claim_held(*, datanet: Datanet, curator: Any, now: datetime | None = None) -> ReviewClaim | None:
    """The unexpired claim this curator holds in this datanet on a record still in review."""
    now = now or timezone.now()
    return (
        ReviewClaim.objects.select_related("record")
        .filter(datanet=datanet, curator=curator, expires_at__gte=now, record__status=Record.Status.IN_REVIEW)
        .order_by("claimed_at").first()
    )


@dataclass
class Neighbour:
    record: Record
    similarity: float


@dataclass
class ReviewItem:
    """Everything the review page and the API show about one claimed record."""

    record: Record
    claim: ReviewClaim
    escalated: bool
    approvals: int
    rejections: int
    reviews: list[Review] = field(default_factory=list)
    neighbours: list[Neighbour] = field(default_factory=list)
    receipt: list[dict] = field(default_factory=list)  # what the curator is shown of the record's receipt


def review_item(*, claim: ReviewClaim, neighbours: int = 5) -> ReviewItem:
    record = claim.record
    reviews = list(record.reviews.filter(decision__in=VOTES).order_by("created_at", "id"))
    return ReviewItem(
        record=record, claim=claim,
        escalated=is_escalated(record=record),
        approvals=sum(r.decision == Review.Decision.ACCEPT and not r.final for r in reviews),
        rejections=sum(r.decision == Review.Decision.REJECT and not r.final for r in reviews),
        reviews=reviews,
        neighbours=record_neighbours(record=record, k=neighbours),
        receipt=record.receipt,
    )


def record_neighbours(*, record: Record, k: int = 5) -> list[Neighbour]:
    """The accepted records of the same datanet nearest to this one (cosine over stored
    embeddings, among the most recent accepted: curation/neighbours.py)."""
    return [Neighbour(record=r, similarity=round(sim, 4)) for r, sim in neighbours.nearest_accepted(record=record, k=k)]


def is_escalated(*, record: Record) -> bool:
    return ReviewEscalation.objects.filter(record=record, resolved_at__isnull=True).exists()


def record_reviews(*, record: Record) -> QuerySet[Review]:
    """The votes and rulings on a record (skips are a curator's private business)."""
    return record.reviews.filter(decision__in=VOTES).order_by("created_at", "id")
