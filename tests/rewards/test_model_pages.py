"""Pages: register a model, prepay it, the public proof page and the rewards dashboard."""

import re

import pytest

from rewards import usage_selectors
from rewards.models import AIModel
from rewards.usage import usage_post
from tests.rewards.attribution_world import BOB_TEXTS, OPEN, build_world, fund_user


@pytest.fixture
def world(alice, bob, carol, staff):
    return build_world(alice, bob, carol, staff)


@pytest.fixture
def paid(world):
    event, _ = usage_post(ai_model=world.model, actor=world.alice, idempotency_key="page",
                          output=f"In short: {BOB_TEXTS[2]}", fee=4 * OPEN)
    return event


def test_register_a_model_from_the_page(client, world):
    client.force_login(world.bob)
    page = client.get("/models/new/").content.decode()
    assert "First aid answers v1" in page
    refused = client.post("/models/new/", {"name": "Bot", "releases": [world.release.pk], "owner_bps": 9000,
                                           "contributors_bps": 6000, "datanet_bps": 0, "treasury_bps": 0})
    assert refused.status_code == 200 and "must add up to 10000" in refused.content.decode()
    done = client.post("/models/new/", {"name": "Bot", "releases": [world.release.pk], "owner_bps": 1000,
                                        "contributors_bps": 8000, "datanet_bps": 500, "treasury_bps": 500})
    model = AIModel.objects.get(name="Bot")
    assert done.status_code == 302 and done["Location"] == f"/models/{model.pk}/"
    fund_user(world.staff, world.bob, 3 * OPEN, key="bob")
    client.post(f"/models/{model.pk}/prepay/", {"amount": "2.5"})
    assert usage_selectors.prepaid_balance(ai_model=model) == 2_500_000_000_000_000_000
    assert "2.5 OPEN" in client.get(f"/models/{model.pk}/").content.decode()
    too_much = client.post(f"/models/{model.pk}/prepay/", {"amount": "100"}, follow=True).content.decode()
    assert "holds 0.5 OPEN" in too_much


def test_the_proof_page_explains_the_payment_to_anyone(client, paid, world):
    html = client.get(f"/attributions/{paid.attribution.pk}/").content.decode()
    assert paid.attribution.commitment in html
    assert "bob" in html and "sit the person down" in html  # the quoted span, escaped text
    assert "hybrid-semantic-lexical" in html and "sha256" in html
    assert "<script" not in html.split("</head>")[1]


def test_dashboard_links_earnings_to_proofs_and_draws_a_chart(client, paid, world):
    client.force_login(world.bob)
    response = client.get("/rewards/")
    html = response.content.decode()
    assert f'href="/attributions/{paid.attribution.pk}/"' in html
    assert "your records shaped an output of First-aid helper" in html
    assert re.search(r"<svg class=\"chart\"[^>]*>.*<rect", html, re.S)
    assert "First aid answers" in html and "Leaderboards" in html  # bob contributed to it
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_balance_api_links_usage_fees_to_their_proof(api_as, paid, world):
    history = api_as(world.bob).get("/api/v1/rewards/balance/").json()["history"]
    assert history[0]["attribution_url"] == f"/attributions/{paid.attribution.pk}/"
    assert history[0]["reason"].startswith("Usage fee")


def test_leaderboard_ranks_by_rewards_and_usage(paid, world):
    rows = usage_selectors.leaderboard(datanet=world.datanet)
    assert rows[0].username == "bob" and rows[0].usage > 0


def test_an_unattributed_proof_says_where_the_contributors_share_went(client, world):
    event, _ = usage_post(ai_model=world.model, actor=world.alice, idempotency_key="none",
                          output="The striker scored twice before half time at the stadium.", fee=OPEN)
    html = client.get(f"/attributions/{event.attribution.pk}/").content.decode()
    assert "reward pools" in html and "reward pool" in html


def test_spans_from_a_private_datanet_are_hidden_from_outsiders(api, api_as, paid, world):
    from datanets.models import Datanet
    from tests.factories import UserFactory

    Datanet.objects.filter(pk=world.datanet.pk).update(visibility=Datanet.Visibility.PRIVATE)
    outsider = api_as(UserFactory(username="eve")).get(f"/api/v1/attributions/{paid.attribution.pk}/").json()
    assert outsider["redacted"] is True and all(r["span"] is None for r in outsider["body"]["records"])
    member = api_as(world.carol).get(f"/api/v1/attributions/{paid.attribution.pk}/").json()
    assert member["redacted"] is False and member["body"] == paid.attribution.body


def test_the_models_page_lists_models_with_their_split(client, world):
    html = client.get("/models/").content.decode()
    assert "First-aid helper" in html and "20% / 60% / 15% / 5%" in html
