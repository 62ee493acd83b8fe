"""The model API as an application uses it: register, prepay, post usage, read the proof."""

import hashlib
import json

import pytest

from rewards.models import AIModel
from tests.rewards.attribution_world import BOB_TEXTS, DAVE_TEXTS, OPEN, build_world, fund_user


@pytest.fixture
def world(alice, bob, carol, staff):
    return build_world(alice, bob, carol, staff)


def test_a_split_that_does_not_add_up_is_refused_with_the_sum(api_as, world):
    response = api_as(world.alice).post("/api/v1/models/", {
        "name": "Bad split", "releases": [world.release.pk], "owner_bps": 5000, "contributors_bps": 5000,
        "datanet_bps": 1000, "treasury_bps": 0}, format="json")
    assert response.status_code == 400
    assert "10000" in response.json()["detail"] and "11000" in response.json()["detail"]
    assert not AIModel.objects.filter(name="Bad split").exists()


def test_register_prepay_and_read_a_model(api_as, world):
    client = api_as(world.bob)
    created = client.post("/api/v1/models/", {"name": "Bob's bot", "releases": [world.release.pk],
                                               "owner_bps": 1000, "contributors_bps": 7000, "datanet_bps": 1000,
                                               "treasury_bps": 1000}, format="json")
    assert created.status_code == 201, created.content
    model = created.json()
    assert model["releases"][0]["id"] == world.release.pk and model["prepaid_balance"] == "0"
    refused = client.post(f"/api/v1/models/{model['id']}/prepay/", {"amount": "5"}, format="json")
    assert refused.status_code == 409 and "holds 0 OPEN" in refused.json()["detail"]
    fund_user(world.staff, world.bob, 5 * OPEN, key="bob-funds")
    paid = client.post(f"/api/v1/models/{model['id']}/prepay/", {"amount": "5", "idempotency_key": "p"}, format="json")
    assert paid.status_code == 201 and paid.json()["prepaid_balance_display"] == "5 OPEN"
    seen_by_other = api_as(world.alice).get(f"/api/v1/models/{model['id']}/").json()
    assert seen_by_other["prepaid_balance"] is None and seen_by_other["owner"] == "bob"
    assert api_as(world.alice).post(f"/api/v1/models/{model['id']}/prepay/", {"amount": "1"},
                                    format="json").status_code == 403


def test_unknown_release_says_where_to_find_them(api_as, world):
    response = api_as(world.alice).post("/api/v1/models/", {"name": "x", "releases": [999999]}, format="json")
    assert response.status_code == 400 and "no release #999999" in response.json()["detail"]


def test_usage_is_idempotent_conflicts_and_needs_funds(api_as, world):
    client = api_as(world.alice)
    url = f"/api/v1/models/{world.model.pk}/usage/"
    body = {"idempotency_key": "evt-1", "output": BOB_TEXTS[0], "prompt": "How do I stop bleeding?", "fee": "2"}
    first = client.post(url, body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["attribution"]["records"][0]["contributor"] == "bob"
    again = client.post(url, body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    conflict = client.post(url, {**body, "fee": "3"}, format="json")
    assert conflict.status_code == 409 and "different output, prompt or fee" in conflict.json()["detail"]
    broke = client.post(url, {**body, "idempotency_key": "evt-2", "fee": "1000"}, format="json")
    assert broke.status_code == 402 and broke.json()["code"] == "insufficient_funds"
    assert "prepaid" in broke.json()["detail"] and "/prepay/" in broke.json()["detail"]
    assert api_as(world.bob).post(url, {**body, "idempotency_key": "evt-3"}, format="json").status_code == 403
    assert client.post(url, {**body, "idempotency_key": "evt-4", "fee": "lots"}, format="json").status_code == 400


def test_the_proof_is_public_and_its_commitment_recomputes(api, api_as, world):
    posted = api_as(world.alice).post(f"/api/v1/models/{world.model.pk}/usage/", {
        "idempotency_key": "p1", "output": f"{DAVE_TEXTS[1]} And see a doctor if it does not improve.",
        "fee": "1.5"}, format="json").json()
    proof = api.get(f"/api/v1/attributions/{posted['attribution']['id']}/").json()
    # Recomputed here from the documented recipe, not with the code that made it.
    text = json.dumps(proof["body"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == proof["commitment"]
    assert proof["method"] == "hybrid-semantic-lexical" and proof["embedding_model"].startswith("all-MiniLM-L6-v2")
    assert proof["body"]["records"][0]["contributor"] == "dave"
    amounts = proof["body"]["amounts"]
    assert sum(int(a["amount"]) for a in amounts) == int(1.5 * OPEN)
    assert {a["role"] for a in amounts} >= {"model_owner", "contributor", "datanet", "treasury"}
    assert "sha256" in proof["how_to_verify"]
    assert api.get("/api/v1/attributions/999999/").status_code == 404


def test_anyone_lists_models_and_a_read_token_cannot_post_usage(api, api_as, world):
    listed = api.get("/api/v1/models/").json()
    assert listed["count"] == 1 and listed["results"][0]["name"] == "First-aid helper"
    assert api.get("/api/v1/models/?mine=1").status_code == 401
    read_only = api_as(world.alice, scope="read").post(f"/api/v1/models/{world.model.pk}/usage/", {
        "idempotency_key": "r", "output": "x", "fee": "1"}, format="json")
    assert read_only.status_code == 403
    assert api.post(f"/api/v1/models/{world.model.pk}/usage/", {}, format="json").status_code == 401


def test_usage_honours_the_idempotency_key_header_in_front_of_its_own_key(api_as, world):
    """The header replays the first answer exactly (201, marked as replayed); the body key still
    answers a repeat without the header with 200; neither lets a retried event be charged twice."""
    from rewards.models import UsageEvent

    client = api_as(world.alice)
    url = f"/api/v1/models/{world.model.pk}/usage/"
    body = {"idempotency_key": "evt-h", "output": BOB_TEXTS[0], "fee": "1"}
    first = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == 201
    replayed = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert replayed.status_code == 201 and replayed["Idempotent-Replayed"] == "true"
    assert replayed.json() == first.json()
    plain = client.post(url, body, format="json")
    assert plain.status_code == 200 and plain.json()["id"] == first.json()["id"]
    reused = client.post(url, {**body, "idempotency_key": "evt-other"}, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    changed = client.post(url, {**body, "fee": "2"}, format="json", HTTP_IDEMPOTENCY_KEY="retry-2")
    assert changed.status_code == 409 and "different output, prompt or fee" in changed.json()["detail"]
    assert UsageEvent.objects.filter(ai_model=world.model).count() == 1


def test_registering_and_prepaying_are_idempotent_by_header(api_as, world):
    client = api_as(world.bob)
    body = {"name": "Retried bot", "releases": [world.release.pk]}
    first = client.post("/api/v1/models/", body, format="json", HTTP_IDEMPOTENCY_KEY="reg-1")
    again = client.post("/api/v1/models/", body, format="json", HTTP_IDEMPOTENCY_KEY="reg-1")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert AIModel.objects.filter(name="Retried bot").count() == 1
    fund_user(world.staff, world.bob, 5 * OPEN, key="bob-funds-2")
    url = f"/api/v1/models/{first.json()['id']}/prepay/"
    paid = client.post(url, {"amount": "2"}, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    repeat = client.post(url, {"amount": "2"}, format="json", HTTP_IDEMPOTENCY_KEY="pay-1")
    assert paid.status_code == repeat.status_code == 201 and repeat.json() == paid.json()
    assert client.get(f"/api/v1/models/{first.json()['id']}/").json()["prepaid_balance"] == str(2 * OPEN)


def test_model_and_proof_details_answer_304_while_unchanged(api, api_as, world):
    client = api_as(world.alice)
    url = f"/api/v1/models/{world.model.pk}/"
    tag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    # The owner sees the prepaid balance, so a payment changes what she sees.
    client.post(f"/api/v1/models/{world.model.pk}/usage/", {"idempotency_key": "e", "output": BOB_TEXTS[0],
                                                             "fee": "1"}, format="json")
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 200
    proof_url = f"/api/v1/attributions/{world.model.usage_events.get().attribution.pk}/"
    proof_tag = api.get(proof_url)["ETag"]
    assert api.get(proof_url, HTTP_IF_NONE_MATCH=proof_tag).status_code == 304
