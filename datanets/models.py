from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from datanets.licenses import DOMAINS, LICENSES


def default_schema() -> dict:
    return {
        "type": "object",
        "properties": {"text": {"type": "string", "minLength": 1}},
        "required": ["text"],
    }


class Tag(models.Model):
    name = models.SlugField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.name


class Datanet(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for contributions"
        CLOSED = "closed", "Closed"
        ARCHIVED = "archived", "Archived"

    class TxtMode(models.TextChoices):
        LINE = "line", "One record per line"
        PARAGRAPH = "paragraph", "One record per blank-line-separated paragraph"

    class ReviewOrder(models.TextChoices):
        QUALITY = "quality", "Highest quality first"
        OLDEST = "oldest", "Oldest first"
        THRESHOLD = "threshold", "Closest to the quality threshold first"

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    summary = models.CharField(max_length=280, blank=True)
    description = models.TextField(blank=True, max_length=50_000, help_text="Markdown.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="datanets")
    domain = models.CharField(max_length=40, choices=DOMAINS, default="general")
    license = models.CharField(max_length=40, choices=LICENSES, default="CC-BY-4.0")
    visibility = models.CharField(max_length=7, choices=Visibility.choices, default=Visibility.PUBLIC)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    is_frozen = models.BooleanField(default=False, help_text="Frozen by moderation: no new contributions.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Records: their schema and which field is the text to deduplicate and score.
    record_schema = models.JSONField(default=default_schema)
    text_field = models.CharField(max_length=64, default="text")
    txt_mode = models.CharField(max_length=9, choices=TxtMode.choices, default=TxtMode.LINE)

    # Curation policies.
    near_dup_threshold = models.FloatField(
        default=0.8, validators=[MinValueValidator(0.5), MaxValueValidator(1.0)]
    )
    minhash_num_perm = models.PositiveSmallIntegerField(
        default=128, validators=[MinValueValidator(16), MaxValueValidator(512)]
    )
    shingle_size = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1), MaxValueValidator(10)])
    min_quality = models.FloatField(default=0.35, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    quality_weights = models.JSONField(default=dict, blank=True)
    approvals_required = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    auto_accept_above = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Accept without review at or above this quality score; empty means always review.",
    )
    review_order = models.CharField(max_length=9, choices=ReviewOrder.choices, default=ReviewOrder.QUALITY)

    # Counters kept by services, so listings never count the records table.
    record_count = models.PositiveIntegerField(default=0, help_text="Accepted records.")
    contributor_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["visibility", "status"]), models.Index(fields=["-record_count"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        CURATOR = "curator", "Curator"
        CONTRIBUTOR = "contributor", "Contributor"

    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=11, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["datanet", "user"], name="membership_unique")]
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.datanet}"


class Invitation(models.Model):
    """An invitation to an email address that has no account yet; claimed at sign-up."""

    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=11, choices=Membership.Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["datanet", "email"], condition=Q(accepted_at__isnull=True), name="invitation_open_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.datanet} ({self.role})"


class AppendOnly:
    """Model mixin: a row is written once and never updated or deleted."""

    append_only_message = "These rows are append-only."

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise RuntimeError(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(self.append_only_message)


class AuditEntry(AppendOnly, models.Model):
    """Append-only: who did what to which object, when and why. Never updated or deleted."""

    append_only_message = "Audit entries are append-only."

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=200, blank=True)
    datanet = models.ForeignKey(Datanet, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_repr}"



def _new_uuid():
    import uuid

    return uuid.uuid4()


class Submission(models.Model):
    """One upload (a file, or a batch of records through the API) and what became of it."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        PROCESSING = "processing", "Processing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        FILE = "file", "File upload"
        API = "api", "API batch"

    id = models.UUIDField(primary_key=True, default=_new_uuid, editable=False)
    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, related_name="submissions")
    contributor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions")
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.FILE)
    original_name = models.CharField(max_length=255)
    storage_key = models.CharField(max_length=512)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=8)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED, db_index=True)
    error = models.TextField(blank=True, help_text="Why the whole file was refused, when it was.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    # Resume point: rows before this were committed with their counts, in the same transaction.
    rows_done = models.PositiveIntegerField(default=0)
    bytes_done = models.BigIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)

    total = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    exact_dup = models.PositiveIntegerField(default=0)
    near_dup = models.PositiveIntegerField(default=0)
    low_quality = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The same bytes are processed once per datanet; a failed upload may be tried again.
            models.UniqueConstraint(
                fields=["datanet", "sha256"], condition=~Q(status="failed"), name="submission_bytes_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def progress(self) -> float:
        if self.status in (self.Status.DONE, self.Status.FAILED):
            return 1.0
        if not self.size:
            return 0.0
        return min(self.bytes_done / self.size, 0.99)

    COUNT_FIELDS = ("total", "invalid", "exact_dup", "near_dup", "low_quality", "queued", "accepted")

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.COUNT_FIELDS}


class SubmissionIssue(models.Model):
    """One row of a submission's error report: a row that was refused, and why."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField()
    field = models.CharField(max_length=200, blank=True)
    message = models.TextField()
    excerpt = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["row", "id"]
        constraints = [models.UniqueConstraint(fields=["submission", "row", "field"], name="issue_once_per_field")]


class Record(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        REJECTED_INVALID = "rejected_invalid", "Rejected: invalid"
        REJECTED_DUPLICATE = "rejected_duplicate", "Rejected: duplicate"
        REJECTED_QUALITY = "rejected_quality", "Rejected: low quality"
        IN_REVIEW = "in_review", "In review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected by review"
        REMOVED = "removed", "Removed by moderation"

    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, related_name="records")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="records")
    contributor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="records")
    row = models.PositiveIntegerField(help_text="Row (or line) of the submission this record came from.")
    fields = models.JSONField()
    text = models.TextField(help_text="The normalized text of the datanet's text field.")
    content_hash = models.CharField(max_length=64)
    minhash = models.BinaryField(null=True, blank=True)
    embedding = models.BinaryField(null=True, blank=True)
    quality_score = models.FloatField(null=True, blank=True, db_index=True)
    quality_components = models.JSONField(default=dict, blank=True)
    model_version = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=18, choices=Status.choices, default=Status.PENDING, db_index=True)
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    similarity = models.FloatField(null=True, blank=True)
    receipt = models.JSONField(default=list, blank=True, help_text="Every automatic check: value, threshold, outcome.")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # One original per content per datanet; exact copies are kept only as rejected
            # duplicates pointing at the original.
            models.UniqueConstraint(
                fields=["datanet", "content_hash"], condition=~Q(status="rejected_duplicate"),
                name="record_content_once",
            ),
            models.UniqueConstraint(fields=["submission", "row"], name="record_row_once"),
        ]
        indexes = [
            models.Index(fields=["datanet", "status", "-quality_score"]),
            models.Index(fields=["datanet", "content_hash"]),
            models.Index(fields=["contributor", "status"]),
            # The review page's neighbours read the most recently accepted (curation/neighbours.py).
            models.Index(fields=["datanet", "status", "decided_at"], name="record_recent_decisions"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:60]}"
