"""Gold items and curator agreement: alice owns the datanet, carol and dave curate, bob contributes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from curation import gold
from curation.models import GoldAnswer
from curation.review import review_submit
from datanets.models import AuditEntry, Membership, Record
from tests.factories import UserFactory, make_datanet, make_records_in_review


@pytest.fixture
def dave(db):
    return UserFactory(username="dave")


@pytest.fixture
def curated(alice, carol, dave):
    return make_datanet(alice, name="Gold", members={carol: Membership.Role.CURATOR, dave: Membership.Role.CURATOR})


@pytest.fixture
def gold_record(curated, alice, bob):
    (record,) = make_records_in_review(curated, bob, ["Buy cheap watches now!"], status="accepted")
    record.receipt = [*record.receipt, {"check": "review", "outcome": "accepted", "approvals": 1, "rejections": 0,
                                        "required": 1}]
    record.save()
    gold.gold_mark(record=record, actor=alice, answer="reject")  # accepted by mistake: the known answer is reject
    return record


def test_a_gold_item_comes_every_nth_item_and_never_changes_the_record(client, curated, alice, bob, carol,
                                                                       gold_record):
    first, second = make_records_in_review(curated, bob, ["Cool a burn under water.", "Press on a cut."],
                                           scores=[0.9, 0.8])
    gold.gold_policy_update(datanet=curated, actor=alice, every=2)
    client.force_login(carol)

    html = client.post(f"/d/{curated.slug}/review/next/", HTTP_HX_REQUEST="true").content.decode()
    assert f'data-record="{first.id}"' in html
    html = client.post(f"/d/{curated.slug}/review/decide/", {"record": first.id, "decision": "accept"}).content.decode()
    # The second item is the gold one, shown like any other: no votes, no review outcome.
    assert f'data-record="{gold_record.id}"' in html and "Buy cheap watches now!" in html
    assert "votes so far: 0 accept, 0 reject" in html and "Review: accepted" not in html
    assert f'data-record="{gold_record.id}"' in client.get(f"/d/{curated.slug}/review/").content.decode()

    html = client.post(f"/d/{curated.slug}/review/decide/",
                       {"record": gold_record.id, "decision": "accept"}).content.decode()
    assert "It was a gold item with a known answer (reject): you disagreed." in html
    assert f'data-record="{second.id}"' in html
    gold_record.refresh_from_db()
    assert gold_record.status == Record.Status.ACCEPTED and gold_record.reviews.count() == 0
    answer = GoldAnswer.objects.get(curator=carol)
    assert (answer.decision, answer.agreed) == ("accept", False)
    assert AuditEntry.objects.filter(action="gold.answered", target_id=str(gold_record.pk)).exists()


def test_gold_through_the_api(api_as, curated, alice, bob, carol, gold_record):
    gold.gold_policy_update(datanet=curated, actor=alice, every=1)
    make_records_in_review(curated, bob, ["Cool a burn under water."])
    as_carol = api_as(carol)
    item = as_carol.post(f"/api/v1/datanets/{curated.slug}/review/next/").json()
    assert item["id"] == gold_record.id and item["reviews"] == [] and item["approvals"] == 0
    assert [step["check"] for step in item["receipt"]] == ["schema", "quality"]
    done = as_carol.post("/api/v1/reviews/", {"record": gold_record.id, "decision": "reject", "reason": "spam"},
                         format="json")
    assert done.status_code == 201
    assert done.json()["gold"] == {"answer": "reject", "agreed": True}
    assert done.json()["record_status"] == "accepted"
    again = as_carol.post("/api/v1/reviews/", {"record": gold_record.id, "decision": "reject", "reason": "spam"},
                          format="json")
    assert again.status_code == 409  # answered: the record is not in review for a vote either
    nxt = as_carol.post(f"/api/v1/datanets/{curated.slug}/review/next/").json()
    assert nxt["id"] != gold_record.id  # each curator gets a gold item once


def test_no_gold_when_off_and_never_the_curators_own_record(curated, alice, bob, carol, gold_record):
    (record,) = make_records_in_review(curated, bob, ["Cool a burn under water."])
    item = gold.review_next_item(datanet=curated, curator=carol)
    assert item.record.id == record.id  # policy 0: off
    gold.gold_policy_update(datanet=curated, actor=alice, every=1)
    with pytest.raises(PermissionDenied):  # bob is no curator yet
        gold.review_next_item(datanet=curated, curator=bob)
    Membership.objects.create(datanet=curated, user=bob, role=Membership.Role.CURATOR)
    bob = type(bob).objects.get(pk=bob.pk)
    assert gold.review_next_item(datanet=curated, curator=bob) is None  # his own gold record, his own queue


def test_only_owners_mark_decided_records(curated, alice, bob, carol):
    (in_review,) = make_records_in_review(curated, bob, ["Still being reviewed."])
    with pytest.raises(ValidationError, match="only accepted or rejected records can be gold"):
        gold.gold_mark(record=in_review, actor=alice, answer="accept")
    with pytest.raises(PermissionDenied):
        gold.gold_mark(record=in_review, actor=carol, answer="accept")
    with pytest.raises(ValidationError, match="0 .*to 1,000"):
        gold.gold_policy_update(datanet=curated, actor=alice, every=-1)


def test_the_owner_sees_each_curators_agreement(client, api_as, curated, alice, bob, carol, dave, gold_record):
    curated.approvals_required = 2
    curated.save()
    one, two = make_records_in_review(curated, bob, ["First answer.", "Second answer."])
    for record, votes in ((one, {carol: "accept", dave: "accept"}), (two, {carol: "accept", dave: "reject"})):
        for user, decision in votes.items():
            record.refresh_from_db()
            review_submit(record=record, reviewer=user, decision=decision,
                          reason="off_topic" if decision == "reject" else "")
    two.refresh_from_db()
    review_submit(record=two, reviewer=alice, decision="reject", reason="off_topic")  # the tie's ruling
    gold.gold_policy_update(datanet=curated, actor=alice, every=1)
    served = gold.review_next_item(datanet=curated, curator=dave)
    assert served.record.id == gold_record.id
    gold.gold_answer_submit(answer=GoldAnswer.objects.get(curator=dave), decision="reject", reason="spam")

    rows = {r["curator"]: r for r in api_as(alice).get(f"/api/v1/datanets/{curated.slug}/curators/").json()}
    assert (rows["carol"]["decided"], rows["carol"]["agreed"], rows["carol"]["gold_answered"]) == (2, 1, 0)
    assert (rows["dave"]["agreed"], rows["dave"]["gold_answered"], rows["dave"]["gold_agreement"]) == (2, 1, 1.0)
    assert "alice" not in rows  # an owner's ruling is the final decision, not a vote on it

    client.force_login(alice)
    page = client.get(f"/d/{curated.slug}/gold/").content.decode()
    assert "carol" in page and "50% (1)" in page and "100% (1)" in page and "Buy cheap watches now!" in page
    assert api_as(carol).get(f"/api/v1/datanets/{curated.slug}/curators/").status_code == 403
    client.force_login(carol)
    assert client.get(f"/d/{curated.slug}/gold/").status_code == 403


def test_owner_pages_set_the_policy_and_mark_gold(client, api_as, curated, alice, bob):
    (record,) = make_records_in_review(curated, bob, ["Rejected earlier."], status="rejected")
    client.force_login(alice)
    client.post(f"/d/{curated.slug}/gold/policy/", {"every": "10"})
    client.post(f"/d/{curated.slug}/gold/mark/", {"record": str(record.id), "answer": "reject"})
    page = client.get(f"/d/{curated.slug}/gold/").content.decode()
    assert 'value="10"' in page and f"#{record.id}" in page
    response = client.post(f"/d/{curated.slug}/gold/mark/", {"record": "999999", "answer": "reject"}, follow=True)
    assert "No record #999999" in response.content.decode()
    as_alice = api_as(alice)
    assert as_alice.get(f"/api/v1/datanets/{curated.slug}/gold/policy/").json() == {"every": 10}
    assert as_alice.put(f"/api/v1/datanets/{curated.slug}/gold/policy/", {"every": 0}, format="json").json() == {
        "every": 0}
    listed = as_alice.get(f"/api/v1/datanets/{curated.slug}/gold/").json()["results"]
    assert [(g["record"], g["answer"], g["active"]) for g in listed] == [(record.id, "reject", True)]
