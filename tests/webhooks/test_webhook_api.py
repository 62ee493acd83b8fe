"""The webhooks API: alice owns the datanet, bob is a contributor (any signed-in user on a public
datanet), carol is an outsider to bob's endpoints."""

import hashlib
import hmac

import pytest

from datanets.models import AuditEntry, Membership
from webhooks.models import Delivery, Endpoint
from webhooks.services import webhook_emit


def url(datanet, suffix: str = "") -> str:
    return f"/api/v1/datanets/{datanet.slug}/webhooks/{suffix}"


def create(client, datanet, target: str, **body):
    body = {"url": target, "events": ["submission.processed"], **body}
    return client.post(url(datanet), body, format="json")


def test_register_shows_the_secret_once(api_as, bob, datanet, receiver):
    client = api_as(bob)
    response = create(client, datanet, receiver.url, events=["reward.accrued", "submission.processed"],
                      description="my pipeline")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert body["events"] == ["submission.processed", "reward.accrued"]
    assert body["scope"] == "mine" and body["owner"] == "bob" and body["is_active"]
    detail = client.get(url(datanet, f"{body['id']}/")).json()
    assert "secret" not in detail
    listing = client.get(url(datanet)).json()
    assert [e["id"] for e in listing["results"]] == [body["id"]] and "secret" not in listing["results"][0]
    entry = AuditEntry.objects.get(action="webhook.created")
    assert body["secret"] not in str(entry.data)


def test_reveal_and_rotate_the_secret(api_as, bob, datanet, receiver, django_capture_on_commit_callbacks):
    client = api_as(bob)
    created = create(client, datanet, receiver.url).json()
    revealed = client.post(url(datanet, f"{created['id']}/secret/"), {}, format="json").json()["secret"]
    assert revealed == created["secret"]
    rotated = client.post(url(datanet, f"{created['id']}/secret/"), {"rotate": True}, format="json").json()["secret"]
    assert rotated != created["secret"]
    assert AuditEntry.objects.filter(action__in=["webhook.secret_revealed", "webhook.secret_rotated"]).count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        webhook_emit(event="submission.processed", datanet=datanet, payload={}, user=bob)
    got = receiver.requests[0]
    assert got.headers["x-datanets-signature"] == "sha256=" + hmac.new(rotated.encode(), got.body,
                                                                       hashlib.sha256).hexdigest()


def test_events_and_scope_are_checked(api_as, alice, bob, datanet, receiver):
    response = create(api_as(bob), datanet, receiver.url, events=["record.exploded"])
    assert response.status_code == 400 and "Unknown event 'record.exploded'" in response.json()["detail"]
    response = create(api_as(bob), datanet, receiver.url, events=[])
    assert response.status_code == 400 and "at least one event" in response.json()["detail"]
    response = create(api_as(bob), datanet, receiver.url, scope="datanet")
    assert response.status_code == 400 and "Only the datanet's owners" in response.json()["detail"]
    response = create(api_as(bob), datanet, receiver.url, events=["release.published"])
    assert response.status_code == 400 and "whole datanet" in response.json()["detail"]
    response = create(api_as(alice), datanet, receiver.url, scope="datanet", events=["release.published"])
    assert response.status_code == 201


def test_update_pause_enable_and_delete(api_as, bob, datanet, receiver):
    client = api_as(bob)
    pk = create(client, datanet, receiver.url).json()["id"]
    response = client.patch(url(datanet, f"{pk}/"), {"events": ["record.accepted", "record.rejected"],
                                                     "description": "decisions"}, format="json")
    assert response.status_code == 200 and response.json()["events"] == ["record.accepted", "record.rejected"]
    response = client.patch(url(datanet, f"{pk}/"), {"url": "http://10.0.0.1/"}, format="json")
    assert response.status_code == 400 and "private address" in response.json()["detail"]
    assert client.patch(url(datanet, f"{pk}/"), {"is_active": False}, format="json").json()["is_active"] is False
    assert client.patch(url(datanet, f"{pk}/"), {"is_active": True}, format="json").json()["is_active"] is True
    assert client.delete(url(datanet, f"{pk}/")).status_code == 204
    assert not Endpoint.objects.exists()


def test_deliveries_list_and_redeliver(api_as, bob, datanet, receiver, django_capture_on_commit_callbacks):
    client = api_as(bob)
    pk = create(client, datanet, receiver.url).json()["id"]
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_emit(event="submission.processed", datanet=datanet, payload={"n": 1}, user=bob)
    log = client.get(url(datanet, f"{pk}/deliveries/")).json()["results"]
    assert len(log) == 1
    first = log[0]
    assert first["status"] == "pending" and first["last_status_code"] == 500 and first["attempts"] == 1
    assert first["attempt_log"][0]["status_code"] == 500 and first["attempt_log"][0]["latency_ms"] is not None
    assert first["event_type"] == "submission.processed"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(datanet, f"{pk}/deliveries/{first['id']}/redeliver/"), {}, format="json")
    assert response.status_code == 202, response.content
    assert response.json()["redelivery_of"] == first["id"]
    assert len(receiver.requests) == 2 and receiver.requests[0].body == receiver.requests[1].body
    again = Delivery.objects.get(pk=response.json()["id"])
    assert again.status == "succeeded" and again.event_id == Delivery.objects.get(pk=first["id"]).event_id

    client.patch(url(datanet, f"{pk}/"), {"is_active": False}, format="json")
    response = client.post(url(datanet, f"{pk}/deliveries/{first['id']}/redeliver/"), {}, format="json")
    assert response.status_code == 409 and "enable it first" in response.json()["detail"]


def test_outsiders_cannot_see_or_change_someone_elses_endpoint(api_as, api, alice, bob, carol, datanet, receiver):
    pk = create(api_as(bob), datanet, receiver.url).json()["id"]
    carol_client = api_as(carol)
    assert carol_client.get(url(datanet)).json()["results"] == []
    for method, suffix, body in [("get", f"{pk}/", None), ("patch", f"{pk}/", {"url": "https://example.org/"}),
                                 ("delete", f"{pk}/", None), ("post", f"{pk}/secret/", {}),
                                 ("get", f"{pk}/deliveries/", None)]:
        response = getattr(carol_client, method)(url(datanet, suffix), body, format="json")
        assert response.status_code == 404, (method, suffix)
    # The owner manages datanet-wide endpoints, not a contributor's personal one.
    assert api_as(alice).get(url(datanet, f"{pk}/")).status_code == 404
    assert api.get(url(datanet)).status_code == 401
    assert Endpoint.objects.get(pk=pk).url == receiver.url


def test_owners_share_datanet_wide_endpoints(api_as, alice, carol, datanet, receiver):
    pk = create(api_as(alice), datanet, receiver.url, scope="datanet").json()["id"]
    Membership.objects.create(datanet=datanet, user=carol, role=Membership.Role.OWNER)
    assert api_as(carol).get(url(datanet, f"{pk}/")).status_code == 200
    Membership.objects.filter(user=carol).update(role=Membership.Role.CURATOR)
    assert api_as(carol).get(url(datanet, f"{pk}/")).status_code == 404


def test_a_private_datanet_is_404_to_outsiders(api_as, alice, bob, private_datanet, receiver):
    response = create(api_as(alice), private_datanet, receiver.url, scope="datanet")
    assert response.status_code == 201
    pk = response.json()["id"]
    client = api_as(bob)
    assert client.get(url(private_datanet)).status_code == 404
    assert create(client, private_datanet, receiver.url).status_code == 404
    assert client.get(url(private_datanet, f"{pk}/deliveries/")).status_code == 404


@pytest.mark.parametrize("scope", ["read"])
def test_a_read_token_cannot_register(api_as, bob, datanet, receiver, scope):
    assert create(api_as(bob, scope=scope), datanet, receiver.url).status_code == 403


def test_retried_register_and_rotate_are_answered_once(api_as, bob, datanet, receiver):
    """With an Idempotency-Key a retried registration makes one endpoint, and a retried rotation
    answers the secret it made rather than rotating again."""
    client = api_as(bob)
    body = {"url": receiver.url, "events": ["submission.processed"]}
    first = client.post(url(datanet), body, format="json", HTTP_IDEMPOTENCY_KEY="hook-1")
    again = client.post(url(datanet), body, format="json", HTTP_IDEMPOTENCY_KEY="hook-1")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["secret"] == first.json()["secret"] and Endpoint.objects.filter(owner=bob).count() == 1
    rotate = url(datanet, f"{first.json()['id']}/secret/")
    rotated = client.post(rotate, {"rotate": True}, format="json", HTTP_IDEMPOTENCY_KEY="rot-1").json()["secret"]
    retried = client.post(rotate, {"rotate": True}, format="json", HTTP_IDEMPOTENCY_KEY="rot-1")
    assert retried["Idempotent-Replayed"] == "true" and retried.json()["secret"] == rotated
    assert Endpoint.objects.get(owner=bob).secret == rotated


def test_the_endpoint_detail_answers_304_while_unchanged(api_as, bob, datanet, receiver):
    client = api_as(bob)
    created = create(client, datanet, receiver.url).json()
    detail = url(datanet, f"{created['id']}/")
    tag = client.get(detail)["ETag"]
    assert client.get(detail, HTTP_IF_NONE_MATCH=tag).status_code == 304
    client.patch(detail, {"is_active": False}, format="json")
    assert client.get(detail, HTTP_IF_NONE_MATCH=tag).status_code == 200
