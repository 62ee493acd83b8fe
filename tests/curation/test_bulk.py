"""Bulk decisions by filter: alice owns the datanet, carol curates, bob and erin contribute."""

import pytest

from curation import bulk
from curation.models import Review
from datanets.models import AuditEntry, Membership, Record
from rewards import selectors, services
from tests.factories import UserFactory, make_datanet, make_records_in_review

OPEN = 10**18


@pytest.fixture
def erin(db):
    return UserFactory(username="erin")


@pytest.fixture
def curated(alice, carol, staff):
    datanet = make_datanet(alice, name="Bulk", members={carol: Membership.Role.CURATOR})
    services.reward_policy_update(datanet=datanet, actor=alice, base_reward=10 * OPEN, curator_reward=OPEN)
    services.treasury_mint(actor=staff, amount=1000 * OPEN, key="seed")
    services.pool_fund(datanet=datanet, actor=staff, amount=100 * OPEN, key="fund")
    return datanet


@pytest.fixture
def queue(curated, bob, erin):
    low = make_records_in_review(curated, bob, ["spam one", "spam two", "good one"], scores=[0.1, 0.2, 0.9])
    other = make_records_in_review(curated, erin, ["erin low", "erin high"], scores=[0.15, 0.8])
    return low + other


def test_the_page_counts_then_applies_after_confirmation(client, curated, alice, queue):
    client.force_login(alice)
    page = client.get(f"/d/{curated.slug}/review/bulk/").content.decode()
    assert "Reject (owner&#x27;s ruling)" in page and "Vote reject on each" in page
    form = {"action": "reject", "score_below": "0.3", "reason": "low_quality", "comment": "Below our bar."}
    preview = client.post(f"/d/{curated.slug}/review/bulk/preview/", form, HTTP_HX_REQUEST="true").content.decode()
    assert '<b id="bulk-count">3</b> records in review match score &lt; 0.3' in preview
    assert "Confirm: reject (owner&#x27;s ruling) on 3 records" in preview
    assert Record.objects.filter(status="rejected").count() == 0  # nothing changed yet

    done = client.post(f"/d/{curated.slug}/review/bulk/apply/", form, HTTP_HX_REQUEST="true").content.decode()
    assert "3 records changed" in done
    statuses = dict(Record.objects.values_list("text", "status"))
    assert statuses == {"spam one": "rejected", "spam two": "rejected", "good one": "in_review",
                        "erin low": "rejected", "erin high": "in_review"}
    rejected = Record.objects.get(text="spam one")
    assert rejected.receipt[-1]["check"] == "bulk" and rejected.receipt[-1]["outcome"] == "rejected"
    ruling = Review.objects.get(record=rejected)
    assert (ruling.final, ruling.reason, ruling.comment) == (True, "low_quality", "Below our bar.")
    assert AuditEntry.objects.filter(action="record.rejected").count() == 3
    assert AuditEntry.objects.get(action="review.bulk").data["applied"] == 3


def test_acceptances_go_through_the_rewards_path(api_as, curated, alice, bob, erin, queue):
    as_alice = api_as(alice)
    body = {"action": "accept", "filter": {"contributor": "erin"}}
    counted = as_alice.post(f"/api/v1/datanets/{curated.slug}/review/bulk/", body, format="json").json()
    assert (counted["matched"], counted["applied"]) == (2, None)
    applied = as_alice.post(f"/api/v1/datanets/{curated.slug}/review/bulk/", {**body, "confirm": True},
                            format="json").json()
    assert (applied["applied"], applied["matched"]) == (2, 0)
    curated.refresh_from_db()
    assert curated.record_count == 2 and curated.contributor_count == 1
    assert selectors.user_balance(user=erin) > 0 and selectors.user_balance(user=bob) == 0
    assert selectors.ledger_total() == 0


def test_curators_vote_in_bulk_but_do_not_rule(api_as, client, curated, carol, queue):
    as_carol = api_as(carol)
    refused = as_carol.post(f"/api/v1/datanets/{curated.slug}/review/bulk/",
                            {"action": "reject", "filter": {"score_below": 0.3}, "reason": "spam"}, format="json")
    assert refused.status_code == 403 and "Only the datanet's owners rule" in refused.json()["detail"]
    voted = as_carol.post(f"/api/v1/datanets/{curated.slug}/review/bulk/",
                          {"action": "vote_reject", "filter": {"score_below": 0.3}, "reason": "spam", "confirm": True},
                          format="json").json()
    assert voted["applied"] == 3  # one approval needed: each vote decides
    assert Review.objects.filter(reviewer=carol, decision="reject", final=False).count() == 3
    client.force_login(carol)
    page = client.get(f"/d/{curated.slug}/review/bulk/").content.decode()
    assert "owner&#x27;s ruling" not in page


def test_refusals_say_what_to_do(api_as, client, curated, alice, bob, queue):
    as_alice = api_as(alice)
    url = f"/api/v1/datanets/{curated.slug}/review/bulk/"
    empty = as_alice.post(url, {"action": "reject", "filter": {}, "reason": "spam"}, format="json")
    assert empty.status_code == 400 and "Choose at least one filter" in empty.json()["detail"]
    no_reason = as_alice.post(url, {"action": "reject", "filter": {"score_below": 0.5}}, format="json")
    assert no_reason.status_code == 400 and "Choose a reason to reject" in no_reason.json()["detail"]
    client.force_login(alice)
    bad = client.post(f"/d/{curated.slug}/review/bulk/preview/", {"action": "reject", "score_below": "two"},
                      HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "Give a score between 0 and 1" in bad.content.decode()
    assert api_as(bob).post(url, {"action": "reject", "filter": {"score_below": 0.5}}, format="json").status_code == 403


def test_the_actor_never_decides_their_own_records_and_at_most_bulk_max_at_once(curated, alice, monkeypatch):
    make_records_in_review(curated, alice, ["alice's own low record"], scores=[0.1])
    others = make_records_in_review(curated, UserFactory(username="zed"), ["z1", "z2", "z3"], scores=[0.1] * 3)
    flt = bulk.BulkFilter(score_below=0.5)
    assert bulk.bulk_preview(datanet=curated, actor=alice, action="reject", flt=flt).count == 3
    monkeypatch.setattr(bulk, "BULK_MAX", 2)
    result = bulk.bulk_apply(datanet=curated, actor=alice, action="reject", flt=flt, reason="spam")
    assert (result.applied, result.remaining) == (2, 1)
    assert Record.objects.get(text="alice's own low record").status == "in_review"
    assert [r.status for r in Record.objects.filter(pk__in=[o.pk for o in others]).order_by("id")] == [
        "rejected", "rejected", "in_review"]
