"""The review page: carol curates alice's datanet and decides bob's records without a reload."""

import pytest

from datanets.models import Membership, Record
from tests.factories import make_records_in_review


@pytest.fixture
def as_carol(client, datanet, carol):
    Membership.objects.create(datanet=datanet, user=carol, role=Membership.Role.CURATOR)
    client.force_login(carol)
    return client


def test_the_detail_page_links_to_the_queue_with_its_count(as_carol, datanet, bob):
    make_records_in_review(datanet, bob, ["one record", "another record"])
    assert "Review queue (2)" in as_carol.get(f"/d/{datanet.slug}/").content.decode()


def test_next_shows_the_record_escaped_with_its_checks(as_carol, datanet, bob):
    make_records_in_review(datanet, bob, ['<img src=x onerror="alert(1)"> bandage the wound'])
    html = as_carol.post(f"/d/{datanet.slug}/review/next/", HTTP_HX_REQUEST="true").content.decode()
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; bandage the wound" in html
    assert "<img src=x" not in html
    assert "Sent to review" in html and 'data-key="a"' in html and 'data-key="n"' in html


def test_deciding_returns_the_next_item(as_carol, datanet, bob):
    first, second = make_records_in_review(datanet, bob, ["first record", "second record"], scores=[0.9, 0.5])
    as_carol.post(f"/d/{datanet.slug}/review/next/")
    html = as_carol.post(f"/d/{datanet.slug}/review/decide/", {"record": first.id, "decision": "accept"}).content.decode()
    assert f"Accepted record #{first.id}. It is now accepted." in html and f"Record #{second.id}" in html
    response = as_carol.post(f"/d/{datanet.slug}/review/decide/", {"record": second.id, "decision": "reject"})
    assert response.status_code == 400 and "Choose a reason to reject" in response.content.decode()
    html = as_carol.post(f"/d/{datanet.slug}/review/decide/",
                         {"record": second.id, "decision": "reject", "reason": "duplicate"}).content.decode()
    assert "Nothing left to review" in html
    assert Record.objects.get(pk=second.pk).status == "rejected"
