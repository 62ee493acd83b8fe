"""Deliveries reach a real receiver on 127.0.0.1, signed so that an independent HMAC check
passes; failures are retried with growing delays for 24 hours; an endpoint that fails for 24
hours is disabled and its owner is told. Time moves by explicit timestamps, never by sleeping."""

import hashlib
import hmac
import json
from datetime import timedelta

from django.core import mail

from webhooks import backoff
from webhooks.delivery import delivery_attempt, deliveries_due_enqueue
from webhooks.models import Delivery, Endpoint, Event
from webhooks.services import webhook_emit


def emit(datanet, user, capture, event="submission.processed", data=None):
    with capture(execute=True):
        return webhook_emit(event=event, datanet=datanet, payload=data or {"submission": {"id": "s-1"}}, user=user)


def test_a_delivery_is_signed_with_the_endpoints_secret(bob, datanet, receiver, endpoint_for,
                                                         django_capture_on_commit_callbacks):
    endpoint = endpoint_for(bob, datanet, receiver.url)
    event = emit(datanet, bob, django_capture_on_commit_callbacks, data={"submission": {"id": "s-1", "total": 3}})

    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    # The receiver's own check, independent of our signing code.
    expected = hmac.new(endpoint.secret.encode(), got.body, hashlib.sha256).hexdigest()
    assert got.headers["x-datanets-signature"] == f"sha256={expected}"
    assert hmac.new(b"whsec_wrong", got.body, hashlib.sha256).hexdigest() != expected
    body = json.loads(got.body)
    assert body == {"id": str(event.id), "type": "submission.processed", "created": body["created"],
                    "datanet": datanet.slug, "data": {"submission": {"id": "s-1", "total": 3}}}
    assert body["created"].endswith("Z")
    assert got.headers["content-type"] == "application/json"
    assert got.headers["x-datanets-event"] == "submission.processed"
    assert got.headers["x-datanets-event-id"] == str(event.id)
    assert got.headers["x-datanets-timestamp"].isdigit()
    assert got.path == "/hooks"

    delivery = Delivery.objects.get(event=event)
    assert delivery.status == "succeeded" and delivery.attempts == 1
    assert delivery.last_status_code == 200 and delivery.last_latency_ms is not None
    assert delivery.last_response_excerpt == "ok"


def test_nothing_is_stored_or_sent_when_nobody_subscribed(bob, datanet, receiver, endpoint_for,
                                                          django_capture_on_commit_callbacks):
    endpoint_for(bob, datanet, receiver.url, events=["reward.accrued"])
    assert emit(datanet, bob, django_capture_on_commit_callbacks) is None
    assert not Event.objects.exists() and not receiver.requests


def test_nothing_is_sent_when_the_transaction_rolls_back(bob, datanet, receiver, endpoint_for,
                                                         django_capture_on_commit_callbacks):
    from django.db import transaction

    endpoint_for(bob, datanet, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                webhook_emit(event="submission.processed", datanet=datanet, payload={}, user=bob)
                raise RuntimeError("the submission failed to save")
        except RuntimeError:
            pass
    assert not receiver.requests and not Delivery.objects.exists()


def test_failures_are_retried_with_growing_delays_until_it_succeeds(bob, datanet, receiver, endpoint_for,
                                                                     django_capture_on_commit_callbacks):
    endpoint = endpoint_for(bob, datanet, receiver.url)
    receiver.answer(500, 503, (502, {}, b"bad gateway"))
    emit(datanet, bob, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 1

    gaps = []
    while delivery.status == "pending":
        due = delivery.next_attempt_at
        assert delivery_attempt(delivery_id=delivery.pk, now=due - timedelta(seconds=1)) is None  # not yet
        previous = due
        assert deliveries_due_enqueue(now=due) == 1  # the beat's path, with time moved to `due`
        delivery.refresh_from_db()
        if delivery.status == "pending":
            gaps.append(delivery.next_attempt_at - previous)
    assert delivery.status == "succeeded" and delivery.attempts == 4
    assert gaps == [timedelta(minutes=2), timedelta(minutes=4)]  # 1, 2, 4 minutes: doubling
    assert len(receiver.requests) == 4
    assert len({r.body for r in receiver.requests}) == 1  # the same signed bytes every time
    log = list(delivery.attempt_log.values_list("status_code", "ok"))
    assert log == [(500, False), (503, False), (502, False), (200, True)]
    assert delivery.attempt_log.get(number=3).response_excerpt == "bad gateway"
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.failing_since is None


def test_backoff_spans_24_hours_and_then_gives_up():
    offsets = backoff.schedule(window=timedelta(hours=24))
    gaps = [b - a for a, b in zip(offsets, offsets[1:])]
    assert offsets[0] == timedelta(0) and offsets[-1] == timedelta(hours=24)
    assert all(later >= earlier for earlier, later in zip(gaps[:-2], gaps[1:-1]))  # growing (the last is clipped)
    assert 8 <= len(offsets) <= 16


def test_an_endpoint_failing_for_24_hours_is_disabled_and_its_owner_told(bob, datanet, receiver, endpoint_for, client,
                                                                        django_capture_on_commit_callbacks):
    endpoint = endpoint_for(bob, datanet, receiver.url)
    receiver.answer(*([500] * 40))
    emit(datanet, bob, django_capture_on_commit_callbacks)
    later = emit(datanet, bob, django_capture_on_commit_callbacks)  # a second event, also failing
    first = Delivery.objects.exclude(event=later).get()
    start = first.created_at

    now = start
    with django_capture_on_commit_callbacks(execute=True):
        while True:
            first.refresh_from_db()
            if first.status != "pending":
                break
            now = first.next_attempt_at
            assert now - start <= timedelta(hours=24)
            delivery_attempt(delivery_id=first.pk, now=now)
    assert now - start == timedelta(hours=24)
    assert first.status == "failed" and first.attempts == len(backoff.schedule(window=timedelta(hours=24)))

    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at == now
    assert "failed for 24 hours" in endpoint.disabled_reason and "Answered 500" in endpoint.disabled_reason
    assert Delivery.objects.get(event=later).status == "failed"  # pending ones are not sent any more
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [bob.email]
    assert endpoint.url in mail.outbox[0].body and f"/d/{datanet.slug}/webhooks/{endpoint.pk}/" in mail.outbox[0].body

    client.force_login(bob)
    page = client.get(f"/d/{datanet.slug}/webhooks/").content.decode()
    assert "Disabled:" in page and endpoint.url in page
    assert "Disabled on" in client.get(f"/d/{datanet.slug}/webhooks/{endpoint.pk}/").content.decode()

    sent = len(receiver.requests)
    emit(datanet, bob, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == sent  # a disabled endpoint receives nothing new


def test_a_success_in_between_resets_the_24_hours(bob, datanet, receiver, endpoint_for,
                                                  django_capture_on_commit_callbacks):
    endpoint = endpoint_for(bob, datanet, receiver.url)
    receiver.answer(500)
    emit(datanet, bob, django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
    emit(datanet, bob, django_capture_on_commit_callbacks)  # answered 200
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.is_active


def test_a_redirect_is_a_failure_and_is_not_followed(bob, datanet, receiver, endpoint_for,
                                                     django_capture_on_commit_callbacks):
    endpoint_for(bob, datanet, receiver.url)
    receiver.answer((302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""))
    emit(datanet, bob, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code == 302
    assert "redirect" in delivery.last_error and "169.254.169.254" in delivery.last_error
    assert len(receiver.requests) == 1


def test_an_unreachable_receiver_is_a_failure_with_a_reason(bob, datanet, receiver, endpoint_for,
                                                            django_capture_on_commit_callbacks):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    endpoint_for(bob, datanet, f"http://127.0.0.1:{port}/")
    emit(datanet, bob, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert "refused" in delivery.last_error.lower()


def test_a_slow_receiver_times_out(bob, datanet, endpoint_for, settings, django_capture_on_commit_callbacks):
    import socket

    settings.WEBHOOKS_READ_TIMEOUT = 0.2
    with socket.socket() as server:  # accepts the connection, never answers
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        endpoint_for(bob, datanet, f"http://127.0.0.1:{server.getsockname()[1]}/")
        emit(datanet, bob, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and "read timeout" in delivery.last_error


def test_a_paused_endpoint_gets_nothing(bob, datanet, receiver, endpoint_for, django_capture_on_commit_callbacks):
    from webhooks.services import endpoint_set_active

    endpoint = endpoint_for(bob, datanet, receiver.url)
    endpoint_set_active(endpoint=endpoint, actor=bob, active=False)
    assert emit(datanet, bob, django_capture_on_commit_callbacks) is None
    assert not receiver.requests
    assert Endpoint.objects.get(pk=endpoint.pk).disabled_at is None  # paused by hand, not disabled
