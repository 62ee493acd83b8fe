"""Rewards API and page: balance with history, funding a pool, minting."""

import pytest

from datanets.models import Membership
from rewards import selectors, services
from tests.factories import make_datanet, make_records_in_review

OPEN = 10**18


@pytest.fixture
def rewarded_bob(datanet, alice, bob, carol, staff):
    Membership.objects.create(datanet=datanet, user=carol, role=Membership.Role.CURATOR)
    services.treasury_mint(actor=staff, amount=100 * OPEN, key="seed")
    services.pool_fund(datanet=datanet, actor=staff, amount=50 * OPEN, key="fund")
    (record,) = make_records_in_review(datanet, bob, ["an answer worth paying"], scores=[0.5])
    from curation.review import review_submit

    review_submit(record=record, reviewer=carol, decision="accept")
    services.reward_accrue_for_acceptance(record=record)
    return record


def test_balance_lists_history_with_reasons(api_as, bob, rewarded_bob):
    body = api_as(bob).get("/api/v1/rewards/balance/").json()
    assert body["symbol"] == "OPEN" and body["decimals"] == 18
    assert body["balance"] == str(10 * OPEN) and body["balance_display"] == "10 OPEN"
    (entry,) = body["history"]
    assert entry["amount"] == str(10 * OPEN) and entry["record"] == rewarded_bob.pk
    assert "accepted" in entry["reason"]
    assert entry["record_url"] == f"/submissions/{rewarded_bob.submission_id}/#record-{rewarded_bob.pk}"


def test_balance_needs_login(api):
    assert api.get("/api/v1/rewards/balance/").status_code == 401


def test_staff_mint_and_fund_idempotently(api_as, staff, datanet):
    client = api_as(staff)
    response = client.post("/api/v1/treasury/mint/", {"amount": "100 OPEN", "idempotency_key": "m1"}, format="json")
    assert response.status_code == 201, response.content
    again = client.post("/api/v1/treasury/mint/", {"amount": "100", "idempotency_key": "m1"}, format="json")
    assert again.json()["id"] == response.json()["id"]
    conflict = client.post("/api/v1/treasury/mint/", {"amount": "5", "idempotency_key": "m1"}, format="json")
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency_conflict"
    fund = client.post(f"/api/v1/datanets/{datanet.slug}/pool/fund/", {"amount": "12.5"}, format="json",
                       HTTP_IDEMPOTENCY_KEY="f1")
    assert fund.status_code == 201 and fund.json()["pool_balance_display"] == "12.5 OPEN"
    assert selectors.pool_balance(datanet=datanet) == 12_500_000_000_000_000_000


def test_mint_is_staff_only(api_as, alice):
    response = api_as(alice).post("/api/v1/treasury/mint/", {"amount": "1"}, format="json")
    assert response.status_code == 403


def test_owner_funding_beyond_their_balance_is_a_409(api_as, alice, datanet):
    response = api_as(alice).post(f"/api/v1/datanets/{datanet.slug}/pool/fund/", {"amount": "1"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_funds" and "holds 0 OPEN" in response.json()["detail"]


def test_bad_amount_says_what_to_write(api_as, staff, datanet):
    response = api_as(staff).post(f"/api/v1/datanets/{datanet.slug}/pool/fund/", {"amount": "lots"}, format="json")
    assert response.status_code == 400 and "12.5" in response.json()["errors"]["amount"][0]


def test_rewards_page_shows_balance_and_links_records(client, bob, rewarded_bob):
    client.force_login(bob)
    html = client.get("/rewards/").content.decode()
    assert "10 OPEN" in html and f"#record-{rewarded_bob.pk}" in html and "was accepted" in html
    assert 'href="/rewards/"' in html  # the nav link


def test_datanet_page_shows_the_pool(client, alice, staff):
    datanet = make_datanet(alice, name="Pool shown")
    services.treasury_mint(actor=staff, amount=3 * OPEN, key="s")
    services.pool_fund(datanet=datanet, actor=staff, amount=3 * OPEN, key="p")
    html = client.get(f"/d/{datanet.slug}/").content.decode()
    assert "3 OPEN" in html and "Rewards pool" in html and "Rewards paused" not in html
