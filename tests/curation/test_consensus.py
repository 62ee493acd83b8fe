"""The consensus rule: alice owns the datanet, carol, dave, erin and frank curate, bob contributes."""

import pytest

from curation.models import Review, ReviewEscalation
from curation.review import ReviewRefused, consensus, review_claim_next, review_submit
from datanets.models import AuditEntry, Datanet, Membership, Record
from tests.factories import UserFactory, make_datanet, make_records_in_review


@pytest.fixture
def team(alice, carol):
    people = [carol] + [UserFactory(username=name) for name in ("dave", "erin", "frank")]
    return people


def _datanet(alice, team, n: int, curators: int = 4) -> Datanet:
    return make_datanet(alice, name=f"Consensus {n}", approvals_required=n,
                        members={u: Membership.Role.CURATOR for u in team[:curators]})


def _vote(record, user, decision, reason="off_topic"):
    record.refresh_from_db()
    return review_submit(record=record, reviewer=user, decision=decision,
                         reason=reason if decision == "reject" else "")


@pytest.mark.parametrize("approvals,rejections,required,left,expected", [
    (1, 0, 1, 3, "accepted"), (0, 1, 1, 3, "rejected"), (1, 0, 2, 3, None), (2, 1, 2, 3, "accepted"),
    (1, 2, 2, 3, "rejected"), (2, 2, 2, 3, "escalated"), (1, 1, 2, 3, None), (1, 1, 2, 0, "escalated"),
    (0, 0, 1, 0, None), (3, 3, 2, 5, "escalated"),
])
def test_consensus_rule(approvals, rejections, required, left, expected):
    assert consensus(approvals=approvals, rejections=rejections, required=required, curators_left=left) == expected


def test_one_approval_accepts_and_counts(alice, bob, team):
    datanet = _datanet(alice, team, 1)
    (record,) = make_records_in_review(datanet, bob, ["a good record"])
    _vote(record, team[0], "accept")
    record.refresh_from_db()
    datanet.refresh_from_db()
    assert record.status == Record.Status.ACCEPTED and record.decided_at is not None
    assert record.receipt[-1] == {"check": "review", "outcome": "accepted", "approvals": 1, "rejections": 0,
                                  "required": 1}
    assert (datanet.record_count, datanet.contributor_count) == (1, 1)
    assert AuditEntry.objects.filter(action="record.accepted", target_id=str(record.pk)).exists()


def test_one_rejection_rejects_with_its_reason(alice, bob, team):
    datanet = _datanet(alice, team, 1)
    (record,) = make_records_in_review(datanet, bob, ["an off-topic record"])
    _vote(record, team[0], "reject", reason="off_topic")
    record.refresh_from_db()
    datanet.refresh_from_db()
    assert record.status == Record.Status.REJECTED
    assert record.receipt[-1]["outcome"] == "rejected" and datanet.record_count == 0
    assert Review.objects.get(record=record).get_reason_display() == "Off topic for this datanet"


def test_rejecting_needs_a_reason(alice, bob, team):
    from django.core.exceptions import ValidationError

    datanet = _datanet(alice, team, 1)
    (record,) = make_records_in_review(datanet, bob, ["a record"])
    with pytest.raises(ValidationError, match="Choose a reason"):
        review_submit(record=record, reviewer=team[0], decision="reject")
    with pytest.raises(ValidationError, match="comment"):
        review_submit(record=record, reviewer=team[0], decision="reject", reason="other")


def test_two_approvals_needed(alice, bob, team):
    datanet = _datanet(alice, team, 2)
    first, second = make_records_in_review(datanet, bob, ["first record", "second record"])
    _vote(first, team[0], "accept")
    first.refresh_from_db()
    assert first.status == Record.Status.IN_REVIEW
    with pytest.raises(ReviewRefused, match="already reviewed"):
        _vote(first, team[0], "accept")
    _vote(first, team[1], "accept")
    _vote(second, team[0], "accept")
    _vote(second, team[1], "accept")
    datanet.refresh_from_db()
    assert Record.objects.filter(datanet=datanet, status="accepted").count() == 2
    # Two accepted records of one contributor: one more contributor, two more records.
    assert (datanet.record_count, datanet.contributor_count) == (2, 1)
    first.refresh_from_db()
    assert first.receipt[-1] == {"check": "review", "outcome": "accepted", "approvals": 2, "rejections": 0,
                                 "required": 2}


def test_a_tie_once_every_curator_voted_escalates_to_the_owner(alice, bob, team):
    datanet = _datanet(alice, team, 3)  # 4 curators, 3 approvals needed: 2–2 cannot decide
    (record,) = make_records_in_review(datanet, bob, ["a disputed record"])
    for user, decision in zip(team, ["accept", "reject", "accept", "reject"]):
        _vote(record, user, decision)
    record.refresh_from_db()
    assert record.status == Record.Status.IN_REVIEW
    escalation = ReviewEscalation.objects.get(record=record)
    assert (escalation.approvals, escalation.rejections) == (2, 2)
    # Curators are not given it any more; the owner is, and the ruling is final.
    outsider_curator = UserFactory(username="grace")
    Membership.objects.create(datanet=datanet, user=outsider_curator, role=Membership.Role.CURATOR)
    assert review_claim_next(datanet=datanet, curator=outsider_curator) is None
    with pytest.raises(ReviewRefused, match="only the datanet's owners"):
        _vote(record, outsider_curator, "accept")
    claim = review_claim_next(datanet=datanet, curator=alice)
    assert claim.record_id == record.id
    _vote(record, alice, "reject", reason="copyright")
    record.refresh_from_db()
    assert record.status == Record.Status.REJECTED
    assert record.receipt[-1] == {"check": "review", "outcome": "rejected", "approvals": 2, "rejections": 2,
                                  "required": 3, "escalated": True, "ruling": "owner"}
    assert ReviewEscalation.objects.get(record=record).resolved_at is not None


def test_two_two_tie_at_n_two_escalates(alice, bob, team):
    """A 2–2 tie with N=2 (reachable when the owner lowers N mid-vote) goes to the owner."""
    datanet = _datanet(alice, team, 3, curators=4)
    (record,) = make_records_in_review(datanet, bob, ["a disputed record"])
    for user, decision in zip(team[:3], ["accept", "reject", "accept"]):
        _vote(record, user, decision)
    Datanet.objects.filter(pk=datanet.pk).update(approvals_required=2)
    _vote(record, team[3], "reject")
    record.refresh_from_db()
    assert record.status == Record.Status.IN_REVIEW
    assert ReviewEscalation.objects.filter(record=record, resolved_at__isnull=True).exists()
    _vote(record, alice, "accept")
    record.refresh_from_db()
    datanet.refresh_from_db()
    assert record.status == Record.Status.ACCEPTED and datanet.record_count == 1


def test_a_decided_record_takes_no_more_votes(alice, bob, team):
    datanet = _datanet(alice, team, 1)
    (record,) = make_records_in_review(datanet, bob, ["a record"])
    _vote(record, team[0], "accept")
    with pytest.raises(ReviewRefused, match="no longer in review"):
        _vote(record, team[1], "reject")
