from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from datanets.models import AppendOnly, Datanet, Record


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
        indexes = [
            models.Index(fields=["reviewer", "decision"]),
            # "Did this curator touch this record?" is asked for every candidate of the review queue.
            models.Index(fields=["record", "reviewer"], name="review_record_reviewer"),
            # A curator's latest decisions: when the next gold item is due.
            models.Index(fields=["reviewer", "-created_at"], name="review_reviewer_latest"),
        ]

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


class Report(models.Model):
    """A signed-in user's report of a record or of a whole datanet, and how moderation resolved it.

    `datanet` is always set (the datanet of the reported record, or the reported datanet), so
    a datanet's owners find every report about it with one filter; `record` is set when the
    report is about one record. One open report per reporter per target."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        PERSONAL_DATA = "personal_data", "Personal data"
        COPYRIGHT = "copyright", "Copyright or license"
        OFFENSIVE = "offensive", "Offensive"
        OFF_TOPIC = "off_topic", "Off topic"
        OTHER = "other", "Other (see comment)"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        ACTIONED = "actioned", "Actioned"

    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, related_name="reports")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made")
    reason = models.CharField(max_length=13, choices=Reason.choices)
    comment = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=16, blank=True, help_text="The action that resolved it.")
    resolution_note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["reporter", "record"], condition=Q(status="open", record__isnull=False),
                                    name="report_open_once_per_record"),
            models.UniqueConstraint(fields=["reporter", "datanet"], condition=Q(status="open", record__isnull=True),
                                    name="report_open_once_per_datanet"),
            models.CheckConstraint(condition=~Q(reason="other") | ~Q(comment=""), name="report_other_has_comment"),
            models.CheckConstraint(condition=Q(status="open") | Q(resolved_at__isnull=False),
                                   name="report_resolved_has_time"),
        ]
        indexes = [models.Index(fields=["datanet", "status", "-created_at"])]

    def __str__(self) -> str:
        target = f"record #{self.record_id}" if self.record_id else f"datanet {self.datanet}"
        return f"{self.get_reason_display()} report on {target} ({self.status})"

    @property
    def target_kind(self) -> str:
        return "record" if self.record_id else "datanet"


class ModerationAction(AppendOnly, models.Model):
    """Append-only: one moderation decision with its structured targets. The same decision is in
    the audit log (datanets.AuditEntry); this table lets admin and the queue link actions to
    reports, users and records without parsing the log."""

    append_only_message = "Moderation actions are append-only."

    class Action(models.TextChoices):
        DISMISS = "dismiss", "Dismiss report"
        TAKEDOWN = "takedown", "Take down record"
        SUSPEND_USER = "suspend_user", "Suspend user"
        REINSTATE_USER = "reinstate_user", "Reinstate user"
        FREEZE_DATANET = "freeze_datanet", "Freeze datanet"
        UNFREEZE_DATANET = "unfreeze_datanet", "Unfreeze datanet"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(max_length=16, choices=Action.choices)
    datanet = models.ForeignKey(Datanet, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", help_text="The suspended or reinstated user.")
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} ({self.created_at:%Y-%m-%d %H:%M})"



class Suspension(models.Model):
    """A user barred from contributing: everywhere (`datanet` empty, by staff) or to one datanet
    (by its owner). Lifting sets `lifted_at`; the row stays as history."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suspensions")
    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                                help_text="Empty: suspended from every datanet.")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(lifted_at__isnull=True, datanet__isnull=True),
                                    name="suspension_active_once_sitewide"),
            models.UniqueConstraint(fields=["user", "datanet"],
                                    condition=Q(lifted_at__isnull=True, datanet__isnull=False),
                                    name="suspension_active_once_per_datanet"),
        ]
        indexes = [models.Index(fields=["user", "lifted_at"])]

    def __str__(self) -> str:
        scope = f"from {self.datanet}" if self.datanet_id else "everywhere"
        state = "lifted" if self.lifted_at else "active"
        return f"{self.user} suspended {scope} ({state})"


class Release(models.Model):
    """An immutable snapshot of a datanet's accepted records: versioned files in storage (JSONL,
    Parquet, a manifest and a dataset card) and the Merkle root over the manifest.

    Built by a Celery task (`curation.releases.release_build`) while `building`; once `ready` the
    row refuses any further save. `files` maps each kind (jsonl, parquet, manifest, card) to
    {"key", "size", "sha256"}; `changes` says what changed since the previous ready release:
    {"previous": version or None, "added": count, "removed": [record ids]}.
    """

    class Status(models.TextChoices):
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, related_name="releases")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.BUILDING, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    record_count = models.PositiveIntegerField(default=0)
    merkle_root = models.CharField(max_length=64, blank=True, help_text="Hex sha256; see curation/merkle.py.")
    files = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    progress = models.FloatField(default=0.0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["datanet", "version"], name="release_version_once"),
            # The last guard behind release_create's check: one build at a time per datanet.
            models.UniqueConstraint(fields=["datanet"], condition=Q(status="building"),
                                    name="release_one_building"),
        ]

    def __str__(self) -> str:
        return f"{self.datanet} v{self.version} ({self.get_status_display().lower()})"

    @property
    def label(self) -> str:
        return f"v{self.version}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_status = instance.status if "status" in field_names else None
        return instance

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and getattr(self, "_stored_status", None) == self.Status.READY:
            raise RuntimeError(f"Release {self.label} of {self.datanet_id} is ready and immutable; cut a new one.")
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args, **kwargs):
        if self.status == self.Status.READY:
            raise RuntimeError("A ready release is immutable and is never deleted.")
        return super().delete(*args, **kwargs)


class Appeal(models.Model):
    """A contributor's appeal against the rejection of one of their records: one per record, ever
    (the one-to-one is the guard). It waits in the datanet owners' queue until an owner upholds the
    rejection or overturns it; an overturned record is accepted and paid like a consensus acceptance."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for the owners"
        UPHELD = "upheld", "Rejection upheld"
        OVERTURNED = "overturned", "Overturned: accepted"

    record = models.OneToOneField(Record, on_delete=models.CASCADE, related_name="appeal")
    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, related_name="appeals")
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeals")
    rejected_as = models.CharField(max_length=18, help_text="The record's status when it was appealed.")
    message = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=2000, help_text="The owner's answer; the contributor sees it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(status="open") | Q(decided_at__isnull=False),
                                              name="appeal_decided_has_time")]
        indexes = [models.Index(fields=["datanet", "status", "created_at"]),
                   models.Index(fields=["appellant", "status"])]

    def __str__(self) -> str:
        return f"appeal on record #{self.record_id} ({self.status})"

    @property
    def rejected_as_display(self) -> str:
        return Record.Status(self.rejected_as).label if self.rejected_as in Record.Status.values else self.rejected_as


class GoldPolicy(models.Model):
    """How often a datanet mixes gold items into its curators' queues: one in `every` items
    (0 = never). A row exists only once an owner changed it."""

    datanet = models.OneToOneField(Datanet, on_delete=models.CASCADE, related_name="gold_policy")
    every = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(1000)])

    def __str__(self) -> str:
        return f"gold 1 in {self.every} for {self.datanet}" if self.every else f"no gold for {self.datanet}"


class GoldItem(models.Model):
    """A decided record whose right answer the owners know. Curators get it in their queue like any
    other item; their answer is kept apart (GoldAnswer) and never changes the record."""

    class Answer(models.TextChoices):
        ACCEPT = "accept", "Accept"
        REJECT = "reject", "Reject"

    record = models.OneToOneField(Record, on_delete=models.CASCADE, related_name="gold")
    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, related_name="gold_items")
    answer = models.CharField(max_length=6, choices=Answer.choices)
    active = models.BooleanField(default=True, help_text="Served to curators; answers stay when retired.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["datanet", "active"])]

    def __str__(self) -> str:
        return f"gold record #{self.record_id}: {self.answer}"


class GoldAnswer(models.Model):
    """One curator's answer on one gold item (each curator gets each gold item once). Open while
    `answered_at` is empty: the curator gets it back when they ask for the next item."""

    gold = models.ForeignKey(GoldItem, on_delete=models.CASCADE, related_name="answers")
    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, related_name="+")
    curator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="gold_answers")
    served_at = models.DateTimeField()
    decision = models.CharField(max_length=6, choices=Review.Decision.choices, blank=True)
    reason = models.CharField(max_length=13, choices=Review.Reason.choices, blank=True)
    comment = models.TextField(blank=True, max_length=2000)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["served_at", "id"]
        constraints = [models.UniqueConstraint(fields=["gold", "curator"], name="gold_answer_once_per_curator")]
        indexes = [models.Index(fields=["datanet", "curator", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.curator} on gold #{self.gold_id}: {self.decision or 'open'}"

    @property
    def agreed(self) -> bool | None:
        if self.decision not in (Review.Decision.ACCEPT, Review.Decision.REJECT):
            return None
        return self.decision == self.gold.answer
