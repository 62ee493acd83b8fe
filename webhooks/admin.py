"""Endpoints are changed by their owners through the pages and API (audited), never here."""

from django.contrib import admin

from openledger.admin import NoAddOrEditAdmin, ReadOnlyAdmin
from webhooks.models import Delivery, DeliveryAttempt, Endpoint, Event


@admin.register(Endpoint)
class EndpointAdmin(NoAddOrEditAdmin):
    list_display = ["id", "datanet", "owner", "scope", "url", "is_active", "failing_since", "disabled_at"]
    list_filter = ["is_active", "scope"]
    search_fields = ["url", "datanet__slug", "owner__username"]
    exclude = ["secret"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "datanet", "user", "created_at"]
    list_filter = ["type"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "endpoint", "event", "status", "attempts", "last_status_code", "next_attempt_at"]
    list_filter = ["status"]


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ["id", "delivery", "number", "attempted_at", "ok", "status_code", "latency_ms"]
    list_filter = ["ok"]
    search_fields = ["error", "response_excerpt"]
