"""Reads for gold items and curator quality: which gold item is due for a curator, and how often
each curator agreed with the final decision and with the known answers."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from curation.models import GoldAnswer, GoldItem, GoldPolicy, Review
from datanets.models import Datanet, Record

VOTES = (Review.Decision.ACCEPT, Review.Decision.REJECT)


def gold_every(*, datanet: Datanet) -> int:
    """One gold item in this many (0: none)."""
    return GoldPolicy.objects.filter(datanet=datanet).values_list("every", flat=True).first() or 0


def gold_answer_open(*, datanet: Datanet, curator: Any) -> GoldAnswer | None:
    """The gold item this curator was served and has not answered yet."""
    return (GoldAnswer.objects.select_related("gold", "gold__record")
            .filter(datanet=datanet, curator=curator, answered_at__isnull=True, gold__active=True)
            .exclude(gold__record__status=Record.Status.REMOVED).order_by("served_at").first())


def gold_answer_open_for(*, record: Record, curator: Any) -> GoldAnswer | None:
    return (GoldAnswer.objects.select_related("gold", "gold__record")
            .filter(gold__record=record, curator=curator, answered_at__isnull=True).first())


def gold_due(*, datanet: Datanet, curator: Any, every: int | None = None) -> GoldItem | None:
    """The gold item to serve this curator now, or None: when the policy is on, the curator has
    decided or skipped `every - 1` records since their last gold item, and one is left for them."""
    every = gold_every(datanet=datanet) if every is None else every
    if not every:
        return None
    last = (GoldAnswer.objects.filter(datanet=datanet, curator=curator).order_by("-served_at")
            .values_list("served_at", flat=True).first())
    since = Review.objects.filter(reviewer=curator, record__datanet=datanet)
    if last is not None:
        since = since.filter(created_at__gt=last)
    # At most every - 1 rows are read, newest first, on the (reviewer, created_at) index.
    if len(since.order_by("-created_at").values_list("id", flat=True)[: every - 1]) < every - 1:
        return None
    return (GoldItem.objects.select_related("record")
            .filter(datanet=datanet, active=True).exclude(record__contributor=curator)
            .exclude(record__status=Record.Status.REMOVED).exclude(answers__curator=curator)
            .order_by("id").first())


def gold_list(*, datanet: Datanet) -> QuerySet[GoldItem]:
    """A datanet's gold items with how many curators answered each and how many agreed."""
    agreed = Q(answers__decision=F("answer"))
    return (GoldItem.objects.filter(datanet=datanet).select_related("record")
            .annotate(answered=Count("answers", filter=Q(answers__decision__in=VOTES)),
                      agreed=Count("answers", filter=agreed))
            .order_by("-active", "-created_at", "-id"))


@dataclass
class CuratorAgreement:
    """How one curator's decisions compare: with the final decision of the records they voted on
    (consensus, an owner's ruling or an overturned appeal), and with gold answers."""

    curator: str
    decided: int = 0
    agreed: int = 0
    gold_answered: int = 0
    gold_agreed: int = 0

    @property
    def agreement(self) -> float | None:
        return self.agreed / self.decided if self.decided else None

    @property
    def gold_agreement(self) -> float | None:
        return self.gold_agreed / self.gold_answered if self.gold_answered else None


def curator_agreement(*, datanet: Datanet) -> list[CuratorAgreement]:
    """One row per curator (or owner) who voted or answered gold in this datanet, by username.
    Records taken down by moderation are left out: their removal says nothing about the vote."""
    rows: dict[str, CuratorAgreement] = {}
    votes = (Review.objects.filter(record__datanet=datanet, final=False, decision__in=VOTES,
                                   record__status__in=(Record.Status.ACCEPTED, Record.Status.REJECTED))
             .values("reviewer__username")
             .annotate(decided=Count("id"),
                       agreed=Count("id", filter=Q(decision=Review.Decision.ACCEPT, record__status=Record.Status.ACCEPTED)
                                    | Q(decision=Review.Decision.REJECT, record__status=Record.Status.REJECTED))))
    for row in votes:
        name = row["reviewer__username"]
        rows[name] = CuratorAgreement(curator=name, decided=row["decided"], agreed=row["agreed"])
    answers = (GoldAnswer.objects.filter(datanet=datanet, decision__in=VOTES)
               .values("curator__username")
               .annotate(answered=Count("id"), agreed=Count("id", filter=Q(decision=F("gold__answer")))))
    for row in answers:
        name = row["curator__username"]
        entry = rows.setdefault(name, CuratorAgreement(curator=name))
        entry.gold_answered, entry.gold_agreed = row["answered"], row["agreed"]
    return [rows[name] for name in sorted(rows)]
