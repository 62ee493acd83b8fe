"""Writes for webhooks: registering endpoints, and emitting events to them.

`webhook_emit` is the one call the rest of the code makes when something a receiver may care
about happens. Delivery itself (signing, POSTing, retrying, disabling) is in webhooks/delivery.py.
"""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from datanets.audit import audit_log
from datanets.models import Datanet
from webhooks import outbound, permissions, selectors, signing
from webhooks.models import DATANET_ONLY_EVENTS, Delivery, Endpoint, Event, EventType

log = logging.getLogger(__name__)

MAX_ENDPOINTS_PER_USER = 10


def outbound_policy() -> outbound.Policy:
    """The one place the webhook settings are read."""
    return outbound.Policy(
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE, allow_loopback=settings.WEBHOOKS_ALLOW_LOOPBACK,
        connect_timeout=settings.WEBHOOKS_CONNECT_TIMEOUT, read_timeout=settings.WEBHOOKS_READ_TIMEOUT,
    )


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": "Enter the URL that should receive the events, e.g. "
                                      "https://example.com/hooks/datanets."})
    try:
        outbound.check_url(url, outbound_policy())
    except outbound.UrlRefused as exc:
        raise ValidationError({"url": exc.message}) from exc
    return url


def _clean_events(events: Any, scope: str) -> list[str]:
    if isinstance(events, str):
        events = [events]
    events = list(dict.fromkeys(events or []))
    if not events:
        raise ValidationError({"events": "Choose at least one event: " + ", ".join(EventType.values) + "."})
    unknown = [e for e in events if e not in EventType.values]
    if unknown:
        raise ValidationError({"events": f"Unknown event {unknown[0]!r}; choose from {', '.join(EventType.values)}."})
    if scope == Endpoint.Scope.MINE:
        whole = [e for e in events if e in DATANET_ONLY_EVENTS]
        if whole:
            raise ValidationError({"events": f"{whole[0]} is about the whole datanet, not about you: only an "
                                             "owner's endpoint for every event of the datanet receives it."})
    return sorted(events, key=EventType.values.index)


def _clean_scope(scope: str, *, actor: Any, datanet: Datanet) -> str:
    if scope not in Endpoint.Scope.values:
        raise ValidationError({"scope": f"Choose {' or '.join(Endpoint.Scope.values)} (got {scope!r})."})
    if scope == Endpoint.Scope.DATANET and not permissions.can_receive_every_event(actor, datanet):
        raise ValidationError({"scope": "Only the datanet's owners receive every event of it; choose 'mine' to "
                                        "receive the events about your own submissions, records and rewards."})
    return scope


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > 200:
        raise ValidationError({"description": f"Keep the description under 200 characters (it has "
                                              f"{len(description)})."})
    return description


def endpoint_create(*, datanet: Datanet, actor: Any, url: str, events: list[str], scope: str = Endpoint.Scope.MINE,
                    description: str = "") -> Endpoint:
    """Register an endpoint with a newly generated secret (`endpoint.secret`: show it to the
    actor now). Raises PermissionDenied when the actor cannot see the datanet, ValidationError
    for a bad URL (including one that resolves to a refused address), events or scope."""
    if not permissions.can_use_webhooks(actor, datanet):
        raise PermissionDenied("Log in as someone who can see this datanet to register a webhook.")
    scope = _clean_scope(scope, actor=actor, datanet=datanet)
    events = _clean_events(events, scope)
    description = _clean_description(description)
    url = _clean_url(url)
    with transaction.atomic():
        if Endpoint.objects.filter(datanet=datanet, owner=actor).count() >= MAX_ENDPOINTS_PER_USER:
            raise ValidationError({"non_field_errors": f"You already have {MAX_ENDPOINTS_PER_USER} endpoints on this "
                                                       "datanet; delete one you no longer use first."})
        endpoint = Endpoint.objects.create(datanet=datanet, owner=actor, scope=scope, url=url, events=events,
                                           description=description, secret=signing.new_secret())
        audit_log(actor=actor, action="webhook.created", target=endpoint, datanet=datanet,
                  data={"url": url, "events": events, "scope": scope})
    return endpoint


def endpoint_update(*, endpoint: Endpoint, actor: Any, **fields: Any) -> Endpoint:
    """Change url, events, scope or description. Raises ValidationError like endpoint_create."""
    allowed = {"url", "events", "scope", "description"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({"non_field_errors": f"These fields cannot be changed: {', '.join(sorted(unknown))}."})
    datanet = endpoint.datanet
    scope = _clean_scope(fields.get("scope", endpoint.scope), actor=actor, datanet=datanet)
    changes: dict[str, Any] = {"scope": scope, "events": _clean_events(fields.get("events", endpoint.events), scope)}
    if "description" in fields:
        changes["description"] = _clean_description(fields["description"])
    if "url" in fields and fields["url"].strip() != endpoint.url:
        changes["url"] = _clean_url(fields["url"])
    changed = {k: v for k, v in changes.items() if getattr(endpoint, k) != v}
    if changed:
        with transaction.atomic():
            for key, value in changed.items():
                setattr(endpoint, key, value)
            endpoint.save(update_fields=[*changed, "updated_at"])
            audit_log(actor=actor, action="webhook.updated", target=endpoint, datanet=datanet, data=changed)
    return endpoint


def endpoint_delete(*, endpoint: Endpoint, actor: Any) -> None:
    with transaction.atomic():
        audit_log(actor=actor, action="webhook.deleted", target=endpoint, datanet=endpoint.datanet,
                  data={"url": endpoint.url})
        endpoint.delete()


def endpoint_secret(*, endpoint: Endpoint, actor: Any, rotate: bool = False) -> str:
    """The endpoint's signing secret; with `rotate`, a new one replaces it from the next attempt
    on. Either way the audit log says who looked."""
    with transaction.atomic():
        if rotate:
            endpoint.secret = signing.new_secret()
            endpoint.save(update_fields=["secret", "updated_at"])
        audit_log(actor=actor, action="webhook.secret_rotated" if rotate else "webhook.secret_revealed",
                  target=endpoint, datanet=endpoint.datanet)
    return endpoint.secret


def endpoint_set_active(*, endpoint: Endpoint, actor: Any, active: bool) -> Endpoint:
    """Pause or resume an endpoint. Resuming one that was disabled for failing starts a fresh
    24-hour window; deliveries that failed meanwhile can be sent again with redeliver."""
    with transaction.atomic():
        endpoint.is_active = active
        fields = ["is_active", "updated_at"]
        if active:
            endpoint.failing_since = endpoint.disabled_at = None
            endpoint.disabled_reason = ""
            fields += ["failing_since", "disabled_at", "disabled_reason"]
        endpoint.save(update_fields=fields)
        audit_log(actor=actor, action="webhook.enabled" if active else "webhook.paused", target=endpoint,
                  datanet=endpoint.datanet)
    return endpoint


def webhook_emit(*, event: str, datanet: Datanet, payload: dict, user: Any = None,
                 personal_only: bool = False) -> Event | None:
    """Store `event` and deliver it to every subscribed endpoint of `datanet` once the current
    transaction commits (nothing is sent if it rolls back).

    `user` is whom the event concerns (the contributor, the rewarded user, the reporter): their
    personal endpoints receive it besides the owners' datanet-wide ones. Returns the Event, or
    None when no endpoint wants it — then nothing is stored, and the cost was one query.
    """
    if event not in EventType.values:
        raise ValueError(f"Unknown webhook event {event!r}.")
    endpoints = selectors.endpoints_for_event(datanet=datanet, event=event, user=user)
    if personal_only:
        endpoints = [e for e in endpoints if e.scope == Endpoint.Scope.MINE]
    if not endpoints:
        return None
    now = timezone.now()
    with transaction.atomic():
        stored = Event.objects.create(datanet=datanet, type=event, data=payload, created_at=now,
                                      user=user if getattr(user, "pk", None) else None)
        deliveries = Delivery.objects.bulk_create([
            Delivery(event=stored, endpoint=endpoint, next_attempt_at=now, created_at=now) for endpoint in endpoints
        ])
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return stored


def webhook_emit_to_user(*, event: str, user: Any, payload: dict) -> int:
    """Emit an event that belongs to a person rather than a datanet (a settlement paid to them):
    it goes to that person's own endpoints, on each datanet where they registered one — never to
    owners' datanet-wide endpoints. Returns how many events were stored."""
    datanet_ids = (Endpoint.objects.filter(owner=user, scope=Endpoint.Scope.MINE, is_active=True)
                   .values_list("datanet_id", flat=True).distinct())
    stored = 0
    for datanet in Datanet.objects.filter(pk__in=list(datanet_ids)):
        stored += webhook_emit(event=event, datanet=datanet, payload=payload, user=user, personal_only=True) is not None
    return stored


def _enqueue(ids: list[int]) -> None:
    # A lost message is not lost work: the beat task `deliver_due` picks every due delivery up.
    from webhooks.tasks import deliver

    for pk in ids:
        deliver.delay(pk)
