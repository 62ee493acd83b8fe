"""Appeals: alice owns the datanet, carol curates, bob contributes and appeals once."""

import pytest

from curation import appeals
from curation.models import Appeal
from curation.review import review_submit
from datanets.models import AuditEntry, Membership, Record
from rewards import selectors, services
from tests.factories import make_datanet, make_records_in_review

OPEN = 10**18


@pytest.fixture
def curated(alice, carol):
    datanet = make_datanet(alice, name="Appeals", members={carol: Membership.Role.CURATOR})
    services.reward_policy_update(datanet=datanet, actor=alice, base_reward=10 * OPEN, curator_reward=OPEN)
    return datanet


@pytest.fixture
def funded(curated, staff):
    services.treasury_mint(actor=staff, amount=1000 * OPEN, key="seed")
    services.pool_fund(datanet=curated, actor=staff, amount=100 * OPEN, key="fund")
    return curated


def _rejected(datanet, bob, carol, text="A short answer the curator disliked.") -> Record:
    (record,) = make_records_in_review(datanet, bob, [text], scores=[0.5])
    review_submit(record=record, reviewer=carol, decision="reject", reason="low_quality", comment="Too vague.")
    record.refresh_from_db()
    assert record.status == Record.Status.REJECTED
    return record


def test_contributor_sees_the_reason_appeals_on_the_page_and_the_owner_overturns(client, funded, alice, bob, carol):
    record = _rejected(funded, bob, carol)
    assert selectors.user_balance(user=carol) == OPEN  # paid for agreeing with the rejection

    client.force_login(bob)
    page = client.get(f"/submissions/{record.submission_id}/").content.decode()
    assert "Low quality" in page and "Too vague." in page and "Appeal this rejection" in page
    form = client.get(f"/records/{record.pk}/appeal/", HTTP_HX_REQUEST="true").content.decode()
    assert "Why is the rejection wrong?" in form
    sent = client.post(f"/records/{record.pk}/appeal/", {"message": "It follows the datanet's guide exactly."},
                       HTTP_HX_REQUEST="true")
    assert sent.status_code == 200 and "is with the owners" in sent.content.decode()
    assert "Appeal: waiting for the owners" in client.get(f"/submissions/{record.submission_id}/").content.decode()

    client.force_login(alice)
    assert "Appeals (1)" in client.get(f"/d/{funded.slug}/").content.decode()
    queue = client.get(f"/d/{funded.slug}/appeals/").content.decode()
    assert "It follows the datanet&#x27;s guide exactly." in queue
    appeal = Appeal.objects.get(record=record)
    response = client.post(f"/appeals/{appeal.pk}/resolve/", {"decision": "overturn", "note": "Fair point."})
    assert response.status_code == 302

    record.refresh_from_db()
    funded.refresh_from_db()
    assert record.status == Record.Status.ACCEPTED and funded.record_count == 1
    assert record.receipt[-1] == {"check": "appeal", "outcome": "accepted", "rejected_as": "rejected",
                                  "appeal": appeal.pk}
    # Paid like a consensus acceptance (10 × (0.5 + 0.5 × 1.0) at score 0.5 = 10 × 1.0? see the policy's
    # multiplier) and the rejecting curator's reward is reversed.
    assert selectors.user_balance(user=bob) > 0
    assert selectors.user_balance(user=carol) == 0
    assert selectors.ledger_total() == 0
    actions = set(AuditEntry.objects.filter(target_id=str(record.pk)).values_list("action", flat=True))
    assert {"appeal.created", "appeal.overturned", "record.accepted"} <= actions

    client.force_login(bob)
    page = client.get(f"/submissions/{record.submission_id}/").content.decode()
    assert "Appeal: overturned: accepted" in page and "the owners overturned the rejection" in page


def test_a_second_appeal_is_refused_with_a_clear_message(api_as, curated, alice, bob, carol):
    record = _rejected(curated, bob, carol)
    as_bob = api_as(bob)
    first = as_bob.post(f"/api/v1/records/{record.pk}/appeal/", {"message": "Please look again."}, format="json")
    assert first.status_code == 201 and first.json()["status"] == "open"
    again = as_bob.post(f"/api/v1/records/{record.pk}/appeal/", {"message": "Again!"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_appealed"
    assert "already appealed" in again.json()["detail"] and "once" in again.json()["detail"]
    # Also once the first one is decided.
    appeals.appeal_resolve(appeal=Appeal.objects.get(record=record), actor=alice, decision="uphold",
                           note="Still too vague.")
    again = as_bob.post(f"/api/v1/records/{record.pk}/appeal/", {"message": "Again!"}, format="json")
    assert again.status_code == 409 and "rejection upheld" in again.json()["detail"]


def test_upholding_needs_a_note_the_contributor_sees(api_as, curated, alice, bob, carol):
    record = _rejected(curated, bob, carol)
    appeal = appeals.appeal_create(record=record, appellant=bob, message="It is on topic.")
    as_alice = api_as(alice)
    listed = as_alice.get(f"/api/v1/datanets/{curated.slug}/appeals/").json()
    assert [a["record"] for a in listed["results"]] == [record.pk]
    missing = as_alice.post(f"/api/v1/appeals/{appeal.pk}/resolve/", {"decision": "uphold"}, format="json")
    assert missing.status_code == 400 and "why the rejection stands" in missing.json()["detail"]
    done = as_alice.post(f"/api/v1/appeals/{appeal.pk}/resolve/", {"decision": "uphold", "note": "Off topic."},
                         format="json")
    assert done.status_code == 200 and done.json()["status"] == "upheld" and done.json()["record_status"] == "rejected"
    mine = api_as(bob).get("/api/v1/appeals/").json()["results"]
    assert mine[0]["note"] == "Off topic." and mine[0]["status"] == "upheld"
    assert AuditEntry.objects.filter(action="appeal.upheld", target_id=str(record.pk)).exists()
    twice = as_alice.post(f"/api/v1/appeals/{appeal.pk}/resolve/", {"decision": "overturn"}, format="json")
    assert twice.status_code == 409 and "already decided" in twice.json()["detail"]


def test_only_owners_decide_and_only_the_contributor_appeals(api_as, curated, alice, bob, carol):
    record = _rejected(curated, bob, carol)
    refused = api_as(carol).post(f"/api/v1/records/{record.pk}/appeal/", {"message": "x"}, format="json")
    assert refused.status_code == 403 and "Only the contributor" in refused.json()["detail"]
    appeal = appeals.appeal_create(record=record, appellant=bob, message="Please reconsider.")
    curator = api_as(carol).post(f"/api/v1/appeals/{appeal.pk}/resolve/", {"decision": "overturn"}, format="json")
    assert curator.status_code == 403 and "owners" in curator.json()["detail"]
    assert api_as(carol).get(f"/api/v1/datanets/{curated.slug}/appeals/").status_code == 403


def test_quality_rejections_can_be_appealed_duplicates_cannot(curated, alice, bob):
    low, dup = make_records_in_review(curated, bob, ["low scored but right", "copy"], scores=[0.1, 0.6],
                                      status="rejected_quality")
    Record.objects.filter(pk=dup.pk).update(status=Record.Status.REJECTED_DUPLICATE)
    dup.refresh_from_db()
    with pytest.raises(appeals.AppealRefused, match="fix the row and upload it again"):
        appeals.appeal_create(record=dup, appellant=bob, message="Not a copy.")
    appeal = appeals.appeal_create(record=low, appellant=bob, message="The score is wrong.")
    assert appeal.rejected_as == "rejected_quality"
    appeals.appeal_resolve(appeal=appeal, actor=alice, decision="overturn")
    low.refresh_from_db()
    assert low.status == Record.Status.ACCEPTED


def test_an_overturn_with_an_empty_pool_is_paid_when_the_pool_is_funded(curated, alice, bob, carol, staff):
    record = _rejected(curated, bob, carol)
    appeal = appeals.appeal_create(record=record, appellant=bob, message="Please reconsider.")
    appeals.appeal_resolve(appeal=appeal, actor=alice, decision="overturn")
    assert selectors.user_balance(user=bob) == 0
    assert list(selectors.records_awaiting_reward(datanet=curated)) == [record]
    services.treasury_mint(actor=staff, amount=1000 * OPEN, key="seed")
    services.pool_fund(datanet=curated, actor=staff, amount=100 * OPEN, key="fund")
    assert selectors.user_balance(user=bob) > 0
    assert list(selectors.records_awaiting_reward(datanet=curated)) == []


def test_an_owner_does_not_decide_the_appeal_on_their_own_record(curated, alice, carol):
    record = _rejected(curated, alice, carol, text="The owner's own record.")
    appeal = appeals.appeal_create(record=record, appellant=alice, message="Mine is fine.")
    with pytest.raises(appeals.AppealRefused, match="another owner"):
        appeals.appeal_resolve(appeal=appeal, actor=alice, decision="overturn")


def test_a_message_is_required(curated, bob, carol):
    from django.core.exceptions import ValidationError

    record = _rejected(curated, bob, carol)
    with pytest.raises(ValidationError, match="Say why the rejection is wrong"):
        appeals.appeal_create(record=record, appellant=bob, message="  ")
