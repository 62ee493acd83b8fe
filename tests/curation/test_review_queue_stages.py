"""The fast reads of the review queue (index walks in stages, a count without walking) give what
the plain definition `review_queue` gives: alice owns the datanet, carol and dave curate, bob and
carol contribute."""

from datetime import timedelta

import pytest
from django.utils import timezone

from curation.models import Review, ReviewClaim, ReviewEscalation
from curation.review_selectors import review_queue, review_queue_count, review_queue_next_ids
from datanets.models import Datanet, Membership
from tests.factories import UserFactory, make_datanet, make_records_in_review


@pytest.mark.parametrize("order", ["quality", "oldest", "threshold"])
def test_stages_match_the_definition_for_every_order_and_person(alice, bob, carol, order):
    dave = UserFactory(username="dave")
    datanet = make_datanet(alice, name=f"Stages {order}", review_order=order, min_quality=0.5,
                           members={carol: Membership.Role.CURATOR, dave: Membership.Role.CURATOR})
    scores = [0.9, 0.1, 0.55, 0.45, 0.7, 0.3, 0.5, 0.52, 0.8, 0.2, 0.6, 0.4]
    records = make_records_in_review(datanet, bob, [f"bob {s}" for s in scores], scores=scores)
    records += make_records_in_review(datanet, carol, ["carol's own 0.95", "carol's own 0.05"], scores=[0.95, 0.05])
    now = timezone.now()
    ReviewClaim.objects.create(record=records[0], datanet=datanet, curator=dave, claimed_at=now,
                               expires_at=now + timedelta(minutes=5))  # held by dave
    ReviewClaim.objects.create(record=records[1], datanet=datanet, curator=dave, claimed_at=now,
                               expires_at=now - timedelta(minutes=5))  # dave's claim expired
    Review.objects.create(record=records[2], reviewer=carol, decision="accept")  # carol voted
    Review.objects.create(record=records[3], reviewer=carol, decision="skip")  # carol skipped
    Review.objects.create(record=records[4], reviewer=carol, decision="skip")
    Review.objects.create(record=records[5], reviewer=carol, decision="accept")
    Review.objects.create(record=records[5], reviewer=dave, decision="reject", reason="spam")
    ReviewEscalation.objects.create(record=records[5], approvals=1, rejections=1)  # tied: for the owners
    Review.objects.create(record=records[6], reviewer=alice, decision="skip")
    datanet = Datanet.objects.get(pk=datanet.pk)
    for who in (alice, carol, dave):
        expected = list(review_queue(datanet=datanet, curator=who).values_list("id", flat=True))
        assert review_queue_next_ids(datanet=datanet, curator=who, limit=50) == expected, who.username
        assert review_queue_next_ids(datanet=datanet, curator=who, limit=3) == expected[:3], who.username
        assert review_queue_count(datanet=datanet, curator=who) == len(expected), who.username
