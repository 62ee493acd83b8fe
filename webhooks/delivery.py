"""Delivering events: one signed POST per attempt, retries with exponential backoff for up to
WEBHOOKS_RETRY_HOURS, the attempt log, redelivery, and disabling an endpoint that has failed
for that long (its owner is told by email and on the endpoint's page).

An attempt is claimed with a conditional UPDATE (status pending, due now), which also pushes
its next attempt time past the request's timeouts: two workers never send the same attempt,
and an attempt whose worker died is picked up again by the beat task `deliver_due` later.
"""

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from datanets.audit import audit_log
from datanets.models import Membership
from webhooks import backoff, outbound, selectors, signing
from webhooks.models import Delivery, DeliveryAttempt, Endpoint, Event
from webhooks.services import outbound_policy

log = logging.getLogger(__name__)


def retry_window() -> timedelta:
    return timedelta(hours=settings.WEBHOOKS_RETRY_HOURS)


def event_body(event: Event) -> bytes:
    """The JSON body of every delivery of `event`: the same bytes on every attempt."""
    return json.dumps({
        "id": str(event.id),
        "type": event.type,
        "created": event.created_at.isoformat().replace("+00:00", "Z"),
        "datanet": event.datanet.slug,
        "data": event.data,
    }, separators=(",", ":"), ensure_ascii=False).encode()


def delivery_headers(*, delivery: Delivery, body: bytes, secret: str, now: datetime) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        signing.SIGNATURE_HEADER: signing.signature(secret, body),
        signing.TIMESTAMP_HEADER: str(int(now.timestamp())),
        signing.EVENT_HEADER: delivery.event.type,
        signing.EVENT_ID_HEADER: str(delivery.event_id),
        signing.DELIVERY_HEADER: str(delivery.pk),
    }


def _claim(delivery_id: int, now: datetime) -> bool:
    policy = outbound_policy()
    lease = timedelta(seconds=policy.connect_timeout + policy.read_timeout + 60)
    return bool(Delivery.objects.filter(id=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now)
                .update(next_attempt_at=now + lease, attempts=F("attempts") + 1))


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> Delivery | None:
    """Make the next attempt of a delivery if it is due at `now`; None when it is not (already
    delivered, given up, not due yet, or claimed by another worker). Never raises for network
    trouble: the outcome is in the delivery and its attempt log."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = Delivery.objects.select_related("endpoint", "event", "event__datanet").filter(id=delivery_id).first()
    if delivery is None:  # its endpoint was deleted meanwhile
        return None
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        _finish(delivery, now=now, ok=False, response=None,
                error="The endpoint is paused or disabled; enable it and redeliver.")
        return delivery
    body = event_body(delivery.event)
    headers = delivery_headers(delivery=delivery, body=body, secret=endpoint.secret, now=now)
    response = outbound.post(endpoint.url, body, headers, outbound_policy())
    _finish(delivery, now=now, ok=response.ok, response=response, error=response.error)
    return delivery


def _finish(delivery: Delivery, *, now: datetime, ok: bool, response: outbound.Response | None, error: str) -> None:
    endpoint = delivery.endpoint
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, attempted_at=now, ok=ok,
            status_code=response.status_code if response else None,
            latency_ms=response.latency_ms if response else None,
            error=error[:2000], response_excerpt=response.excerpt if response else "",
        )
        delivery.last_status_code = response.status_code if response else None
        delivery.last_latency_ms = response.latency_ms if response else None
        delivery.last_error = error[:2000]
        delivery.last_response_excerpt = response.excerpt if response else ""
        if ok:
            delivery.status, delivery.finished_at, delivery.next_attempt_at = Delivery.Status.SUCCEEDED, now, None
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        else:
            nxt = None
            if response is not None:  # a paused endpoint is not retried
                nxt = backoff.next_attempt_at(first=delivery.created_at, now=now, attempts=delivery.attempts,
                                              window=retry_window())
            delivery.next_attempt_at = nxt
            if nxt is None:
                delivery.status, delivery.finished_at = Delivery.Status.FAILED, now
        delivery.save(update_fields=["status", "finished_at", "next_attempt_at", "last_status_code",
                                     "last_latency_ms", "last_error", "last_response_excerpt"])
        if not ok and response is not None:
            _note_failure(endpoint, since=delivery.created_at, now=now, error=error)


def _note_failure(endpoint: Endpoint, *, since: datetime, now: datetime, error: str) -> None:
    # Failing since the first event it could not take: a delivery that gives up after the whole
    # retry window, with no success since, disables the endpoint at that very attempt.
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=since)
    endpoint.refresh_from_db(fields=["failing_since", "is_active"])
    if endpoint.is_active and now - endpoint.failing_since >= retry_window():
        endpoint_disable(endpoint=endpoint, now=now,
                         reason=f"Every delivery failed for {settings.WEBHOOKS_RETRY_HOURS} hours "
                                f"(since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC). Last error: {error}")


def endpoint_disable(*, endpoint: Endpoint, reason: str, now: datetime | None = None, actor: Any = None) -> None:
    """Stop delivering to an endpoint that keeps failing: its pending deliveries fail, its owner
    (and for a datanet-wide endpoint, every owner of the datanet) gets an email after commit, and
    its page shows why until someone enables it again."""
    now = now or timezone.now()
    with transaction.atomic():
        if not Endpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
                is_active=False, disabled_at=now, disabled_reason=reason[:2000]):
            return
        Delivery.objects.filter(endpoint=endpoint, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.FAILED, finished_at=now, next_attempt_at=None,
            last_error="Not sent: the endpoint was disabled after failing for too long.")
        endpoint.refresh_from_db()
        audit_log(actor=actor, action="webhook.disabled", target=endpoint, datanet=endpoint.datanet, reason=reason)
        recipients = _people_to_tell(endpoint)
        transaction.on_commit(lambda: _mail_disabled(endpoint, recipients), robust=True)


def _people_to_tell(endpoint: Endpoint) -> list[str]:
    emails = [endpoint.owner.email]
    if endpoint.scope == Endpoint.Scope.DATANET:
        emails += list(Membership.objects.filter(datanet=endpoint.datanet, role=Membership.Role.OWNER)
                       .values_list("user__email", flat=True))
    return [e for e in dict.fromkeys(emails) if e]


def _mail_disabled(endpoint: Endpoint, recipients: list[str]) -> None:
    if not recipients:
        return
    page = settings.SITE_URL.rstrip("/") + reverse("webhooks:detail", args=[endpoint.datanet.slug, endpoint.pk])
    send_mail(
        subject=f"Webhook disabled on {endpoint.datanet.name}: {endpoint.url}",
        message=(f"We stopped sending events of {endpoint.datanet.name} to\n\n    {endpoint.url}\n\n"
                 f"{endpoint.disabled_reason}\n\nFix the receiver, then enable the endpoint again and redeliver "
                 f"what it missed:\n\n    {page}\n"),
        from_email=None, recipient_list=recipients,
    )


def delivery_redeliver(*, delivery: Delivery, actor: Any, now: datetime | None = None) -> Delivery:
    """Send a delivery's event to its endpoint again, as a new delivery with its own 24-hour
    retry window (the first attempt is enqueued after commit). Raises DeliveryRefused while the
    endpoint is paused or disabled."""
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        raise DeliveryRefused("This endpoint is disabled: enable it first, then redeliver.")
    now = now or timezone.now()
    with transaction.atomic():
        again = Delivery.objects.create(event_id=delivery.event_id, endpoint=endpoint, redelivery_of=delivery,
                                        next_attempt_at=now, created_at=now)
        audit_log(actor=actor, action="webhook.redelivered", target=endpoint, datanet=endpoint.datanet,
                  data={"delivery": delivery.pk, "new_delivery": again.pk, "event": str(delivery.event_id)})
        from webhooks.services import _enqueue

        transaction.on_commit(lambda: _enqueue([again.pk]), robust=True)
    return again


class DeliveryRefused(Exception):
    def __init__(self, message: str, status: int = 409, code: str = "endpoint_disabled") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def deliveries_due_enqueue(*, now: datetime | None = None) -> int:
    """Beat: enqueue every delivery whose next attempt is due (retries, and first attempts whose
    message was lost). Returns how many."""
    from webhooks.tasks import deliver

    # An explicit `now` (tests moving time) travels with the task; the beat passes none.
    ids = selectors.deliveries_due(now=now or timezone.now())
    for pk in ids:
        deliver.delay(pk, now.isoformat() if now else None)
    return len(ids)
