"""Idempotency-Key: a repeat gets the first answer, a different body under the same key is refused,
a repeat while the first runs waits its turn, and concurrent repeats never both execute."""

import io
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import IdempotencyKey
from datanets.models import Datanet, Submission
from openledger.idempotency import idempotency_claim, idempotency_keys_purge
from rewards.models import LedgerTransaction

RECORDS = {"records": [{"text": "Cool a burn under running water for twenty minutes."}]}


def test_a_repeat_gets_the_first_answer_and_changes_nothing(api_as, bob, datanet):
    client = api_as(bob)
    url = f"/api/v1/datanets/{datanet.slug}/records/"
    first = client.post(url, RECORDS, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert first.status_code == 202
    again = client.post(url, RECORDS, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert again.status_code == 202 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Submission.objects.filter(datanet=datanet).count() == 1
    # Without the key the same bytes are a duplicate upload, refused as such.
    assert client.post(url, RECORDS, format="json").status_code == 409


def test_a_different_body_under_the_same_key_is_refused(api_as, bob, datanet):
    client = api_as(bob)
    url = f"/api/v1/datanets/{datanet.slug}/records/"
    client.post(url, RECORDS, format="json", HTTP_IDEMPOTENCY_KEY="k")
    other = client.post(url, {"records": [{"text": "Something else entirely, about nosebleeds."}]}, format="json",
                        HTTP_IDEMPOTENCY_KEY="k")
    assert other.status_code == 422
    body = other.json()
    assert body["code"] == "idempotency_key_reused" and "new key" in body["detail"] and body["errors"] == {}
    elsewhere = client.post("/api/v1/datanets/", {"name": "Other"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert elsewhere.status_code == 422 and f"/api/v1/datanets/{datanet.slug}/records/" in elsewhere.json()["detail"]
    assert Submission.objects.count() == 1 and not Datanet.objects.filter(name="Other").exists()


def test_keys_belong_to_their_user(api_as, alice, bob, datanet):
    api_as(alice).post("/api/v1/datanets/", {"name": "Alice's"}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    response = api_as(bob).post("/api/v1/datanets/", {"name": "Bob's"}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert response.status_code == 201 and response.json()["name"] == "Bob's"


def test_a_failed_first_request_keeps_nothing(api_as, staff):
    client = api_as(staff)
    bad = client.post("/api/v1/treasury/mint/", {"amount": "lots"}, format="json", HTTP_IDEMPOTENCY_KEY="m")
    assert bad.status_code == 400
    good = client.post("/api/v1/treasury/mint/", {"amount": "5"}, format="json", HTTP_IDEMPOTENCY_KEY="m")
    assert good.status_code == 201
    assert client.post("/api/v1/treasury/mint/", {"amount": "5"}, format="json",
                       HTTP_IDEMPOTENCY_KEY="m").json() == good.json()
    assert LedgerTransaction.objects.filter(kind="mint").count() == 1


def test_an_upload_repeated_with_its_key_is_replayed_not_refused(api_as, bob, datanet):
    client = api_as(bob)
    url = f"/api/v1/datanets/{datanet.slug}/submissions/"

    def upload():
        f = io.BytesIO(b"text\nPress firmly on a bleeding cut with a clean cloth.\n")
        f.name = "cuts.csv"
        return client.post(url, {"file": f}, format="multipart", HTTP_IDEMPOTENCY_KEY="upload:cuts")

    first, again = upload(), upload()
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"


def test_a_repeat_while_the_first_runs_is_told_to_retry(api_as, alice, bob):
    client = api_as(alice)
    body = {"name": "Held"}
    # The first request holds the key (as while its view runs) ...
    first = client.post("/api/v1/datanets/", body, format="json", HTTP_IDEMPOTENCY_KEY="slow")
    IdempotencyKey.objects.filter(key="slow").update(status_code=None, response_body=None, locked_at=timezone.now())
    busy = client.post("/api/v1/datanets/", body, format="json", HTTP_IDEMPOTENCY_KEY="slow")
    assert busy.status_code == 409 and busy.json()["code"] == "idempotency_in_progress"
    assert "Retry" in busy.json()["detail"]
    assert first.status_code == 201 and Datanet.objects.filter(name="Held").count() == 1
    # ... and a key whose request died (its lock is older than IDEMPOTENCY_LOCK_SECONDS) is taken over.
    IdempotencyKey.objects.filter(key="slow").update(locked_at=timezone.now() - timedelta(hours=1))
    taken = client.post("/api/v1/datanets/", body, format="json", HTTP_IDEMPOTENCY_KEY="slow")
    assert taken.status_code == 201


def test_an_expired_key_is_a_new_request(api_as, alice):
    client = api_as(alice)
    client.post("/api/v1/datanets/", {"name": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    client.post("/api/v1/datanets/", {"name": "Once"}, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert Datanet.objects.filter(name="Once").count() == 2
    IdempotencyKey.objects.create(user=alice, key="ancient", method="POST", path="/", fingerprint="x",
                                  created_at=timezone.now() - timedelta(days=3))
    assert idempotency_keys_purge() == 1 and not IdempotencyKey.objects.filter(key="ancient").exists()


def test_a_malformed_key_is_refused(api_as, alice):
    response = api_as(alice).post("/api/v1/datanets/", {"name": "X"}, format="json",
                                  HTTP_IDEMPOTENCY_KEY="k" * 300)
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_invalid"


def test_claiming_directly_reports_the_same_states(alice):
    claim = idempotency_claim(user=alice, key="c", fingerprint="f", method="POST", path="/p")
    assert isinstance(claim, IdempotencyKey)
    assert idempotency_claim(user=alice, key="c", fingerprint="f", method="POST", path="/p").status_code == 409
    assert idempotency_claim(user=alice, key="c", fingerprint="g", method="POST", path="/p").status_code == 422


@pytest.mark.django_db(transaction=True)
@override_settings(IDEMPOTENCY_LOCK_SECONDS=600)
def test_concurrent_repeats_do_not_both_execute(token_for):
    from tests.factories import UserFactory

    alice = UserFactory(username="alice")
    token = token_for(alice)
    barrier = threading.Barrier(4)
    answers: list = []

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        barrier.wait()
        try:
            answers.append(client.post("/api/v1/datanets/", {"name": "Raced"}, format="json",
                                       HTTP_IDEMPOTENCY_KEY="race"))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Datanet.objects.filter(name="Raced").count() == 1
    created = [a for a in answers if a.status_code == 201]
    assert created and all(a.json()["slug"] == created[0].json()["slug"] for a in created)
    assert {a.status_code for a in answers} <= {201, 409}
    assert all(a.json()["code"] == "idempotency_in_progress" for a in answers if a.status_code == 409)


# POSTs that create neither data nor money: exchanging a password for a token (repeating it makes
# another token, which is harmless and wanted), claiming the next review item (a repeat returns
# the same claim), and a reconciliation run (it compares ledger and chain and answers the open
# differences now; a repeat compares again, and a replayed answer would only be staler).
NOT_CREATING = {"auth_token_create", "datanets_review_next", "settlements_reconcile"}


def test_every_creating_post_accepts_an_idempotency_key(db):
    """A new POST must be decorated with @idempotent (or be listed above with the reason)."""
    from tests.schema_conformance import api_schema

    missing = []
    for path, item in api_schema()["paths"].items():
        op = item.get("post")
        if op is None or op["operationId"] in NOT_CREATING:
            continue
        if not any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in op.get("parameters", [])):
            missing.append(f"POST {path} ({op['operationId']})")
    assert not missing, "Decorate with openledger.idempotency.idempotent: " + ", ".join(missing)
