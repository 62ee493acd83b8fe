"""Schemathesis drives every operation of /api/schema/ through the WSGI app with a valid token:
no answer may be a 5xx, and every answer must conform to the schema (status code, content type,
body). Path parameters point at real objects (a datanet, a submission, a record, a release, a
report, a webhook endpoint and one of its deliveries, an AI model with a prepaid balance, an
attribution proof and a settlement paid to the owner's wallet) so that the code behind them runs, not only the 404 for an unknown id.

Bounded: a few generated examples per operation plus the schema's own examples.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from curation import releases
from curation.models import Report
from datanets.models import Datanet, Membership, Submission
from rewards import ai_models, usage
from rewards.settlement import settlement_run
from rewards.settlement_models import SettlementItem
from rewards import services as reward_services
from tests.factories import UserFactory, make_datanet, make_records_in_review
from tests.rewards.attribution_world import fund_user
from tests.rewards.settlement_fixtures import link_wallet
from webhooks import services as webhook_services
from tests.schema_conformance import api_schema

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def fuzz_world(db, token_for):
    """Objects for the path parameters, and the owner's token (owners may do the most)."""
    owner = UserFactory(username="owner")
    curator = UserFactory(username="curator")
    staff = UserFactory(username="staffer")
    staff.is_staff = True
    staff.save()
    datanet = make_datanet(owner, name="Fuzzed", members={curator: Membership.Role.CURATOR})
    records = make_records_in_review(datanet, UserFactory(username="dave"),
                                     ["Cool a burn under running water.", "Press on a bleeding cut."],
                                     status="accepted")
    make_records_in_review(datanet, owner, ["Keep a casualty warm and still."])
    # The factory writes records directly; keep the datanet's counters as ingest would.
    Datanet.objects.filter(pk=datanet.pk).update(record_count=2, contributor_count=1)
    release = releases.release_build(release_id=releases.release_create(datanet=datanet, actor=owner).pk)
    report = Report.objects.create(datanet=datanet, record=records[0], reporter=curator, reason="spam")
    reward_services.treasury_mint(actor=staff, amount=10**21, key="fuzz")
    # Nothing listens on port 9 (discard): a delivery attempt fails at once, as a dead receiver would.
    endpoint = webhook_services.endpoint_create(datanet=datanet, actor=owner, url="http://127.0.0.1:9/hooks",
                                                events=["submission.processed"], scope="datanet")
    delivery = webhook_services.webhook_emit(event="submission.processed", datanet=datanet, payload={},
                                             user=owner).deliveries.get()
    model = ai_models.ai_model_register(owner=owner, name="Fuzzed model", releases=[release])
    fund_user(staff, owner, 10**20, key="fuzz-owner")
    ai_models.ai_model_prepay(ai_model=model, actor=owner, amount=10**19, key="fuzz-prepay")
    event, _ = usage.usage_post(ai_model=model, actor=owner, idempotency_key="fuzz-event",
                                output="Cool a burn under running water.", fee=10**17)
    link_wallet(owner)
    settlement_run(actor=staff)  # settles the owner's balance (local chain adapter) ...
    fund_user(staff, owner, 10**20, key="fuzz-owner-again")  # ... and gives some back to spend
    return {
        "token": token_for(owner),
        "slug": datanet.slug,
        "username": "curator",
        "submission": str(Submission.objects.filter(datanet=datanet).first().pk),
        "record": records[0].pk,
        "release": release.pk,
        "report": report.pk,
        "webhook": endpoint.pk,
        "delivery": delivery.pk,
        "model": model.pk,
        "attribution": event.attribution.pk,
        "settlement": str(SettlementItem.objects.get(user=owner).batch.uid),
    }


@pytest.fixture
def wsgi_app():
    # Requests share the test's transaction, as Django's test client arranges: the handler must not
    # close the connection at each request's start and end.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Loaded at collection (pytest-django has set Django up by then); `from_fixture` would defer it,
# but schemathesis' lazy loader does not run under pytest 9.
schema = schemathesis.openapi.from_dict(api_schema())


def real_ids(case, world: dict) -> None:
    path = case.operation.path
    params = case.path_parameters or {}
    if "slug" in params:
        params["slug"] = world["slug"]
    if "username" in params:
        params["username"] = world["username"]
    if "id" in params:
        if path.startswith("/api/v1/submissions/"):
            params["id"] = world["submission"]
        elif path.startswith("/api/v1/releases/"):
            params["id"] = world["release"]
        elif path.startswith("/api/v1/records/"):
            params["id"] = world["record"]
        elif path.startswith("/api/v1/moderation/reports/"):
            params["id"] = world["report"]
        elif path.startswith("/api/v1/datanets/{slug}/webhooks/"):
            params["id"] = world["webhook"]
        elif path.startswith("/api/v1/models/"):
            params["id"] = world["model"]
        elif path.startswith("/api/v1/attributions/"):
            params["id"] = world["attribution"]
        elif path.startswith("/api/v1/settlements/"):
            params["id"] = world["settlement"]
    if "delivery_id" in params:
        params["delivery_id"] = world["delivery"]


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_without_5xx_and_as_documented(case, fuzz_world, wsgi_app):
    real_ids(case, fuzz_world)
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz_world['token']}"}, checks=CHECKS, app=wsgi_app)


def test_fuzzing_found_invitations_to_malformed_email_addresses(api_as, db, mailoutbox):
    """Kept from the fuzzer: `{"identifier": "H0U2w2<+e@<yK"}` was stored and mailed as an invitation
    (201 with an `email` that is not one), because anything with an "@" counted as an address."""
    from datanets.models import Invitation

    owner = UserFactory(username="owner")
    datanet = make_datanet(owner, name="Regressions")
    response = api_as(owner).post(f"/api/v1/datanets/{datanet.slug}/members/", {"identifier": "H0U2w2<+e@<yK"},
                                  format="json")
    assert response.status_code == 400
    assert "not a valid email address" in response.json()["errors"]["identifier"][0]
    assert not Invitation.objects.exists() and mailoutbox == []
    fine = api_as(owner).post(f"/api/v1/datanets/{datanet.slug}/members/", {"identifier": "Erin@Example.org"},
                              format="json")
    assert fine.status_code == 201 and fine.json() == {"status": "invited", "email": "erin@example.org"}


def test_fuzzing_found_a_model_naming_a_release_id_beyond_64_bits(api_as, db):
    """Kept from the fuzzer: `"releases": [-77213040445581511782039552]` reached the database and
    failed there (500, OverflowError); it is a field error now."""
    owner = UserFactory(username="owner")
    for wrong in (-77213040445581511782039552, 2**63, 0):
        response = api_as(owner).post("/api/v1/models/", {"name": "Overflow", "releases": [wrong]}, format="json")
        assert response.status_code == 400 and list(response.json()["errors"]) == ["releases.0"]
