from django.conf import settings
from django.db import models
from django.db.models import Q

from datanets.models import Datanet, Record


class LshBand(models.Model):
    """The persisted near-duplicate index: one row per (record, LSH band key).

    Band keys are 64-bit digests of a band of the record's MinHash signature together with the
    band's index, so equal keys mean an equal band. Only original (non-duplicate) records are
    indexed. Rows are written in the same transaction as their record, so a crashed chunk
    leaves no stray keys.
    """

    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, related_name="+")
    band = models.BigIntegerField()
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["datanet", "band"])]


class Review(models.Model):
    """One curator's decision on one record in review. A curator decides a record once (accept or
    reject); skips are kept too, so the queue can put what a curator skipped last for them. An
    owner's ruling on an escalated (tied) record is a separate, final review."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", "Accept"
        REJECT = "reject", "Reject"
        SKIP = "skip", "Skip"

    class Reason(models.TextChoices):
        OFF_TOPIC = "off_topic", "Off topic for this datanet"
        LOW_QUALITY = "low_quality", "Low quality"
        DUPLICATE = "duplicate", "Duplicate of another record"
        PERSONAL_DATA = "personal_data", "Contains personal data"
        COPYRIGHT = "copyright", "Copyright or license problem"
        SPAM = "spam", "Spam"
        WRONG_FORMAT = "wrong_format", "Wrong format"
        OTHER = "other", "Other (see comment)"

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(max_length=6, choices=Decision.choices)
    reason = models.CharField(max_length=13, choices=Reason.choices, blank=True)
    comment = models.TextField(blank=True, max_length=2000)
    final = models.BooleanField(default=False, help_text="An owner's ruling on an escalated record.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "reviewer"], condition=Q(decision__in=["accept", "reject"], final=False),
                name="review_one_vote_per_reviewer",
            ),
            models.UniqueConstraint(fields=["record"], condition=Q(final=True), name="review_one_ruling_per_record"),
            models.CheckConstraint(condition=~Q(decision="reject") | ~Q(reason=""), name="review_reject_has_reason"),
        ]
        indexes = [models.Index(fields=["reviewer", "decision"])]

    def __str__(self) -> str:
        return f"{self.reviewer} {self.decision} record #{self.record_id}"


class ReviewClaim(models.Model):
    """Who is reviewing a record now, until when. One row per record: claiming is an INSERT (the
    unique record guards it) or a conditional UPDATE of an expired row, so two curators never
    hold the same record at once."""

    record = models.OneToOneField(Record, on_delete=models.CASCADE, related_name="review_claim")
    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, related_name="+")
    curator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["datanet", "curator", "expires_at"])]

    def __str__(self) -> str:
        return f"record #{self.record_id} claimed by {self.curator} until {self.expires_at:%H:%M:%S}"


class ReviewEscalation(models.Model):
    """A record whose reviews tied: it stays in review and only the datanet's owners get it."""

    record = models.OneToOneField(Record, on_delete=models.CASCADE, related_name="review_escalation")
    approvals = models.PositiveSmallIntegerField()
    rejections = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"record #{self.record_id} tied {self.approvals}–{self.rejections}"
