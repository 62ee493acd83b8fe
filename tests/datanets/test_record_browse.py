"""Browsing a datanet's records: bob contributes to alice's datanet, carol curates, dave looks."""

import pytest

from datanets.models import Membership
from tests.factories import UserFactory, make_datanet, make_records_in_review


@pytest.fixture
def records(alice, bob, carol):
    datanet = make_datanet(alice, name="Browse", members={carol: Membership.Role.CURATOR})
    accepted = make_records_in_review(datanet, bob, ["An accepted <b>answer</b>."], status="accepted")
    waiting = make_records_in_review(datanet, bob, ["Still waiting for review."])
    return datanet, accepted[0], waiting[0]


def test_anyone_sees_accepted_records_and_can_report_them(client, records):
    datanet, accepted, waiting = records
    page = client.get(f"/d/{datanet.slug}/records/").content.decode()
    assert "An accepted &lt;b&gt;answer&lt;/b&gt;." in page and "Still waiting" not in page
    assert "/report/" not in page  # reporting needs an account
    client.force_login(UserFactory(username="dave"))
    page = client.get(f"/d/{datanet.slug}/records/").content.decode()
    assert f"/records/{accepted.id}/report/" in page and "Still waiting" not in page
    assert "Records</a>" in client.get(f"/d/{datanet.slug}/").content.decode()


def test_curators_see_every_status(client, records, carol):
    datanet, _, waiting = records
    client.force_login(carol)
    page = client.get(f"/d/{datanet.slug}/records/?status=in_review").content.decode()
    assert "Still waiting for review." in page and "An accepted" not in page
