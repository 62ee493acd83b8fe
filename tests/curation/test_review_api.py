"""The review API: alice owns the datanet, carol curates it, bob contributes, dave is an outsider."""

import pytest

from datanets.models import Membership, Record
from tests.factories import UserFactory, make_records_in_review


@pytest.fixture
def curated(datanet, carol):
    Membership.objects.create(datanet=datanet, user=carol, role=Membership.Role.CURATOR)
    return datanet


def _next(client, datanet):
    return client.post(f"/api/v1/datanets/{datanet.slug}/review/next/", {}, format="json")


def test_next_claims_then_204_when_empty(api_as, curated, bob, carol):
    (record,) = make_records_in_review(curated, bob, ["A record <b>with markup</b>."])
    client = api_as(carol)
    first = _next(client, curated)
    assert first.status_code == 200
    body = first.json()
    assert body["id"] == record.id and body["fields"] == {"text": "A record <b>with markup</b>."}
    assert body["claim_expires_at"] and body["receipt"] and body["escalated"] is False
    decided = client.post("/api/v1/reviews/", {"record": record.id, "decision": "accept"}, format="json")
    assert decided.status_code == 201, decided.json()
    assert decided.json()["record_status"] == "accepted"
    assert _next(client, curated).status_code == 204


def test_reject_needs_a_reason_and_says_so(api_as, curated, bob, carol):
    (record,) = make_records_in_review(curated, bob, ["A record."])
    response = api_as(carol).post("/api/v1/reviews/", {"record": record.id, "decision": "reject"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and "reason" in body["errors"] and "Choose a reason" in body["detail"]


def test_reject_with_reason_and_comment_is_shown_to_the_contributor(api_as, client, curated, bob, carol):
    (record,) = make_records_in_review(curated, bob, ["A record."])
    response = api_as(carol).post("/api/v1/reviews/", {"record": record.id, "decision": "reject", "reason": "spam",
                                                       "comment": "Advertises a <script>shop</script>."},
                                  format="json")
    assert response.status_code == 201 and response.json()["record_status"] == "rejected"
    reviews = api_as(bob).get(f"/api/v1/records/{record.id}/reviews/").json()
    assert [(r["decision"], r["reason"]) for r in reviews] == [("reject", "spam")]
    client.force_login(bob)
    page = client.get(f"/submissions/{record.submission_id}/").content.decode()
    assert "Review: reject" in page and "Spam" in page
    assert "Advertises a &lt;script&gt;shop&lt;/script&gt;." in page and "<script>shop" not in page
    assert "Review: rejected with 0 approvals and 1 rejection (1 needed)" in page


def test_the_contributor_cannot_review_their_own_record(api_as, curated, carol):
    (record,) = make_records_in_review(curated, carol, ["Carol's record."])
    response = api_as(carol).post("/api/v1/reviews/", {"record": record.id, "decision": "accept"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "own_record"
    assert "another curator" in response.json()["detail"]


def test_a_second_vote_is_409(api_as, alice, curated, bob, carol):
    curated.approvals_required = 2
    curated.save(update_fields=["approvals_required"])
    (record,) = make_records_in_review(curated, bob, ["A record."])
    client = api_as(carol)
    assert client.post("/api/v1/reviews/", {"record": record.id, "decision": "accept"}, format="json").status_code == 201
    again = client.post("/api/v1/reviews/", {"record": record.id, "decision": "accept"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_reviewed"


def test_contributors_and_outsiders_cannot_review(api_as, api, curated, bob):
    dave = UserFactory(username="dave")
    (record,) = make_records_in_review(curated, bob, ["A record."])
    assert _next(api_as(bob), curated).status_code == 403
    assert _next(api_as(dave), curated).status_code == 403
    assert _next(api, curated).status_code == 401
    # bob sees his own record, so he is told why he may not review it; dave may not even see it.
    assert api_as(bob).post("/api/v1/reviews/", {"record": record.id, "decision": "accept"},
                            format="json").status_code == 403
    assert api_as(dave).post("/api/v1/reviews/", {"record": record.id, "decision": "accept"},
                             format="json").status_code == 404
    assert Record.objects.get(pk=record.pk).status == "in_review"


def test_private_datanet_is_404_to_outsiders(api_as, private_datanet, alice, bob, carol):
    Membership.objects.create(datanet=private_datanet, user=carol, role=Membership.Role.CURATOR)
    (record,) = make_records_in_review(private_datanet, alice, ["A private record."])
    assert _next(api_as(bob), private_datanet).status_code == 404
    assert api_as(bob).post("/api/v1/reviews/", {"record": record.id, "decision": "accept"},
                            format="json").status_code == 404
    assert api_as(bob).get(f"/api/v1/records/{record.id}/reviews/").status_code == 404
    assert _next(api_as(carol), private_datanet).status_code == 200


def test_next_shows_the_nearest_accepted_records(api_as, curated, bob, carol):
    import numpy as np

    east, north, north_east = np.eye(384)[0], np.eye(384)[1], (np.eye(384)[0] + np.eye(384)[1]) / 2
    accepted = make_records_in_review(curated, bob, ["east", "north"], status="accepted", embeddings=[east, north])
    make_records_in_review(curated, bob, ["mostly east"], embeddings=[east * 0.9 + north_east * 0.1])
    body = _next(api_as(carol), curated).json()
    assert [n["id"] for n in body["neighbours"]] == [accepted[0].id, accepted[1].id]
    assert body["neighbours"][0]["similarity"] > 0.99 > body["neighbours"][1]["similarity"]


def test_neighbours_follow_acceptances_and_takedowns(curated, alice, bob):
    """The review page's neighbours come from a window of embeddings kept between views
    (curation/neighbours.py): a record accepted after it was read shows on the next view, one
    taken down no longer does."""
    import numpy as np

    from curation import moderation
    from curation.review_selectors import record_neighbours

    east, north = np.eye(384)[0], np.eye(384)[1]
    (target,) = make_records_in_review(curated, bob, ["pointing east"], embeddings=[east])
    (far,) = make_records_in_review(curated, bob, ["pointing north"], status="accepted", embeddings=[north])
    assert [n.record.id for n in record_neighbours(record=target)] == [far.id]

    (near,) = make_records_in_review(curated, bob, ["also east"], status="accepted", embeddings=[east * 0.9 + north * 0.1])
    assert [n.record.id for n in record_neighbours(record=target)] == [near.id, far.id]

    type(curated).objects.filter(pk=curated.pk).update(record_count=2)  # the factory skips the counter
    moderation.record_takedown(record=near, actor=alice, reason="Copied from a textbook.")
    assert [n.record.id for n in record_neighbours(record=target)] == [far.id]
