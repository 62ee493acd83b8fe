"""API conventions a client relies on: cursor pagination walks a growing list without gaps or
repeats, detail endpoints answer 304 to a matching If-None-Match, rate limits are in the headers."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from datanets.audit import audit_log
from rewards import services
from tests.factories import make_records_in_review

OPEN = 10**18


def test_walking_the_records_by_cursor_sees_each_once_even_while_rows_arrive(api_as, alice, datanet):
    records = make_records_in_review(datanet, alice, [f"record number {i} about first aid" for i in range(7)])
    client = api_as(alice)
    first = client.get(f"/api/v1/datanets/{datanet.slug}/records/", {"page_size": 3}).json()
    assert set(first) == {"next", "previous", "results"} and first["previous"] is None
    seen = [r["id"] for r in first["results"]]
    # A record added while the client walks appears at the end, and nothing shifts under the cursor.
    (late,) = make_records_in_review(datanet, alice, ["arrived during the walk"])
    url = first["next"]
    assert "cursor=" in url and "page=" not in url
    while url:
        page = client.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert seen == [r.id for r in records] + [late.id]


def test_submissions_audit_and_ledger_history_are_cursor_lists(api_as, alice, staff, datanet):
    make_records_in_review(datanet, alice, ["one"])
    make_records_in_review(datanet, alice, ["two"])
    subs = api_as(alice).get(f"/api/v1/datanets/{datanet.slug}/submissions/", {"page_size": 1}).json()
    assert len(subs["results"]) == 1 and "cursor=" in subs["next"]
    assert len(api_as(alice).get(subs["next"]).json()["results"]) == 1

    for i in range(3):
        audit_log(actor=staff, action=f"test.action{i}", target=datanet, datanet=datanet)
    audit = api_as(staff).get("/api/v1/moderation/audit/", {"page_size": 2, "action": "test."}).json()
    assert [e["action"] for e in audit["results"]] == ["test.action2", "test.action1"]
    assert [e["action"] for e in api_as(staff).get(audit["next"]).json()["results"]] == ["test.action0"]

    services.treasury_mint(actor=staff, amount=10 * OPEN, key="m")
    services.pool_fund(datanet=datanet, actor=staff, amount=2 * OPEN, key="a")
    services.pool_fund(datanet=datanet, actor=staff, amount=3 * OPEN, key="b")
    # alice owns the datanet but earned nothing: her history is empty, and says so the same way.
    assert api_as(alice).get("/api/v1/rewards/history/").json() == {"next": None, "previous": None, "results": []}


def test_ledger_history_pages_through_every_entry(api_as, bob, staff, datanet):
    services.treasury_mint(actor=staff, amount=100 * OPEN, key="m")
    services.pool_fund(datanet=datanet, actor=staff, amount=100 * OPEN, key="f")
    records = make_records_in_review(datanet, bob, [f"answer {i} on burns" for i in range(3)], status="accepted")
    for record in records:
        services.reward_accrue_for_acceptance(record=record)
    client = api_as(bob)
    page = client.get("/api/v1/rewards/history/", {"page_size": 2}).json()
    got = page["results"]
    got += client.get(page["next"]).json()["results"]
    assert [e["record"] for e in got] == [r.id for r in reversed(records)]


def test_a_detail_answers_304_while_unchanged(api_as, alice, datanet):
    client = api_as(alice)
    url = f"/api/v1/datanets/{datanet.slug}/"
    first = client.get(url)
    tag = first["ETag"]
    assert first.status_code == 200 and tag.startswith('"') and "Authorization" in first["Vary"]
    same = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert same.status_code == 304 and same.content == b"" and same["ETag"] == tag
    client.patch(url, {"summary": "changed"}, format="json")
    changed = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed.json()["summary"] == "changed" and changed["ETag"] != tag


def test_the_etag_depends_on_who_asks(api_as, alice, bob, datanet):
    url = f"/api/v1/datanets/{datanet.slug}/"
    tag = api_as(alice).get(url)["ETag"]  # your_role differs between alice and bob
    assert api_as(bob).get(url, HTTP_IF_NONE_MATCH=tag).status_code == 200


def test_submission_polling_uses_etags(api_as, bob, datanet):
    client = api_as(bob)
    sub = client.post(f"/api/v1/datanets/{datanet.slug}/records/",
                      {"records": [{"text": "Cool a burn under running water."}]}, format="json").json()
    first = client.get(f"/api/v1/submissions/{sub['id']}/")
    assert client.get(f"/api/v1/submissions/{sub['id']}/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_rate_limit_headers_on_every_answer_and_on_the_refusal(api_as, alice, datanet):
    cache.clear()
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/min"}
    client = api_as(alice)
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        answers = [client.get("/api/v1/datanets/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["X-RateLimit-Limit"] for a in answers] == ["3"] * 4
    assert [a["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert answers[0]["X-RateLimit-Reset"] == "0" and 0 < int(answers[3]["X-RateLimit-Reset"]) <= 60
    refused = answers[3]
    assert int(refused["Retry-After"]) > 0 and refused.json()["code"] == "throttled"
    cache.clear()


@pytest.mark.parametrize("path", ["/api/v1/datanets/", "/api/v1/auth/token/"])
def test_anonymous_and_scoped_limits_are_reported_too(api, db, path):
    cache.clear()
    response = api.get(path) if path.endswith("datanets/") else api.post(path, {}, format="json")
    assert int(response["X-RateLimit-Limit"]) >= 1 and "X-RateLimit-Remaining" in response
