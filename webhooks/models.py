"""Webhooks: endpoints registered on a datanet, the events that happened, and each delivery of
an event to an endpoint with the log of its attempts."""

import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from datanets.models import Datanet


class EventType(models.TextChoices):
    SUBMISSION_PROCESSED = "submission.processed", "A submission finished processing (or failed)"
    RECORD_ACCEPTED = "record.accepted", "A record was accepted by review"
    RECORD_REJECTED = "record.rejected", "A record was rejected by review"
    RELEASE_PUBLISHED = "release.published", "A release is ready to download"
    REWARD_ACCRUED = "reward.accrued", "A reward was credited to someone"
    SETTLEMENT_CONFIRMED = "settlement.confirmed", "A settlement was confirmed on chain"
    REPORT_RESOLVED = "report.resolved", "A report was resolved by moderation"


# Events about the whole datanet, not about one user: only an owner's datanet-wide endpoint gets them.
DATANET_ONLY_EVENTS = frozenset({EventType.RELEASE_PUBLISHED})


class Endpoint(models.Model):
    """A URL that receives signed POSTs for some events of one datanet.

    `scope` says whose events: every event of the datanet (owners only), or only the events that
    concern the user who registered it (their submissions, their records, their rewards…).
    The secret is kept in clear because every delivery is signed with it; it is shown only to
    the endpoint's owner.
    """

    class Scope(models.TextChoices):
        DATANET = "datanet", "Every event of the datanet"
        MINE = "mine", "Only events about me"

    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, related_name="webhook_endpoints")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints")
    scope = models.CharField(max_length=7, choices=Scope.choices, default=Scope.MINE)
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=80)
    events = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    failing_since = models.DateTimeField(null=True, blank=True,
                                         help_text="First failed attempt since the last success.")
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["datanet", "is_active"])]

    def __str__(self) -> str:
        return f"webhook #{self.pk} → {self.url}"


class Event(models.Model):
    """Something that happened on a datanet, stored once and delivered to every subscriber."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    datanet = models.ForeignKey(Datanet, on_delete=models.CASCADE, related_name="webhook_events")
    type = models.CharField(max_length=32, choices=EventType.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", help_text="Whose event it is, for endpoints scoped to one user.")
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class Delivery(models.Model):
    """One event on its way to one endpoint: pending (with the time of its next attempt),
    succeeded, or failed for good (after the retry window, or when the endpoint was disabled)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    redelivery_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_response_excerpt = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"]), models.Index(fields=["endpoint", "-created_at"])]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"delivery #{self.pk} of {self.event_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """One POST of a delivery: what the receiver answered, how fast, or what went wrong."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField()
    ok = models.BooleanField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_once")]
