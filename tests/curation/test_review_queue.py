"""Claiming the next record: alice owns the datanet, carol and dave curate it, bob contributes."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from curation.models import ReviewClaim
from curation.review import ReviewRefused, review_claim_next, review_submit
from curation.review_selectors import review_queue
from datanets.models import Membership
from tests.factories import UserFactory, make_datanet, make_records_in_review


@pytest.fixture
def curators(datanet, carol):
    dave = UserFactory(username="dave")
    for user in (carol, dave):
        Membership.objects.create(datanet=datanet, user=user, role=Membership.Role.CURATOR)
    return carol, dave


def test_two_curators_never_get_the_same_record(datanet, bob, curators):
    carol, dave = curators
    make_records_in_review(datanet, bob, ["first record", "second record"])
    first = review_claim_next(datanet=datanet, curator=carol)
    second = review_claim_next(datanet=datanet, curator=dave)
    assert first.record_id != second.record_id


def test_asking_again_returns_the_claim_you_hold(datanet, bob, curators):
    carol, _ = curators
    make_records_in_review(datanet, bob, ["first record", "second record"])
    first = review_claim_next(datanet=datanet, curator=carol)
    again = review_claim_next(datanet=datanet, curator=carol)
    assert again.record_id == first.record_id and again.expires_at >= first.expires_at


def test_an_expired_claim_goes_to_the_next_curator(datanet, bob, curators):
    carol, dave = curators
    (record,) = make_records_in_review(datanet, bob, ["only record"])
    claim = review_claim_next(datanet=datanet, curator=carol)
    assert claim.expires_at - claim.claimed_at == timedelta(minutes=10)
    assert review_claim_next(datanet=datanet, curator=dave) is None
    later = timezone.now() + timedelta(minutes=11)
    taken = review_claim_next(datanet=datanet, curator=dave, now=later)
    assert taken.record_id == record.id and taken.curator == dave
    assert ReviewClaim.objects.filter(record=record).count() == 1


def test_a_curator_is_never_given_their_own_record(datanet, curators):
    carol, dave = curators
    make_records_in_review(datanet, carol, ["carol's own record"])
    assert review_claim_next(datanet=datanet, curator=carol) is None
    assert review_claim_next(datanet=datanet, curator=dave) is not None


def test_self_review_is_refused(datanet, curators):
    carol, _ = curators
    (record,) = make_records_in_review(datanet, carol, ["carol's own record"])
    with pytest.raises(ReviewRefused, match="You contributed this record"):
        review_submit(record=record, reviewer=carol, decision="accept")


def test_a_record_claimed_by_another_curator_cannot_be_decided(datanet, bob, curators):
    carol, dave = curators
    (record,) = make_records_in_review(datanet, bob, ["only record"])
    review_claim_next(datanet=datanet, curator=carol)
    with pytest.raises(ReviewRefused, match="Another curator is reviewing"):
        review_submit(record=record, reviewer=dave, decision="accept")


def test_outsiders_and_contributors_cannot_claim(datanet, bob):
    make_records_in_review(datanet, bob, ["a record"])
    with pytest.raises(PermissionDenied):
        review_claim_next(datanet=datanet, curator=bob)


def test_skipped_records_come_last_for_who_skipped_them(datanet, bob, curators):
    carol, _ = curators
    make_records_in_review(datanet, bob, ["best", "second"], scores=[0.9, 0.5])
    first = review_claim_next(datanet=datanet, curator=carol)
    review_submit(record=first.record, reviewer=carol, decision="skip")
    second = review_claim_next(datanet=datanet, curator=carol)
    assert (first.record.text, second.record.text) == ("best", "second")


@pytest.mark.parametrize("order,expected", [
    ("quality", ["0.9", "0.6", "0.4", "0.3"]),
    ("oldest", ["0.4", "0.9", "0.3", "0.6"]),
    ("threshold", ["0.3", "0.4", "0.6", "0.9"]),  # distance to min_quality 0.33: .03, .07, .27, .57
])
def test_order_is_the_datanet_setting(alice, bob, carol, order, expected):
    datanet = make_datanet(alice, name=f"Ordered {order}", review_order=order, min_quality=0.33,
                           members={carol: Membership.Role.CURATOR})
    make_records_in_review(datanet, bob, ["0.4", "0.9", "0.3", "0.6"], scores=[0.4, 0.9, 0.3, 0.6])
    assert [r.text for r in review_queue(datanet=datanet, curator=carol)] == expected
    assert review_claim_next(datanet=datanet, curator=carol).record.text == expected[0]


@pytest.mark.django_db(transaction=True)
def test_concurrent_curators_never_hold_the_same_record(alice, bob):
    curators = [UserFactory(username=f"curator{i}") for i in range(4)]
    datanet = make_datanet(alice, name="Busy queue", members={u: Membership.Role.CURATOR for u in curators})
    make_records_in_review(datanet, bob, [f"record number {i}" for i in range(3)])
    barrier = threading.Barrier(len(curators))
    got: dict[str, int | None] = {}
    errors = []

    def work(user):
        try:
            barrier.wait()
            claim = review_claim_next(datanet=datanet, curator=user)
            got[user.username] = claim.record_id if claim else None
        except Exception as exc:  # noqa: BLE001 — surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(u,)) for u in curators]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    claimed = [rid for rid in got.values() if rid is not None]
    assert len(claimed) == 3 and len(set(claimed)) == 3, got
    assert ReviewClaim.objects.count() == 3
