"""The attribution index: built once per set of releases, cached on disk and in process, rebuilt
for a new set; and the database constraints behind models, proofs and prepaid balances."""

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from curation.releases import release_build, release_create
from rewards import ai_models, attribution_index, services
from rewards.models import Account, AIModel, AttributionProof
from rewards.usage import usage_post
from tests.factories import UserFactory, make_records_in_review
from tests.rewards.attribution_world import OPEN, build_world


@pytest.fixture
def world(alice, bob, carol, staff):
    return build_world(alice, bob, carol, staff)


def test_index_is_cached_on_disk_and_in_process(world):
    releases = list(world.model.releases.all())
    index = attribution_index.index_for(releases)
    directory = settings.DATA_DIR / "attribution" / index.fingerprint
    assert (directory / "meta.json").exists() and (directory / "semantic.faiss").exists()
    assert attribution_index.index_for(releases) is index
    built_at = (directory / "meta.json").stat().st_mtime_ns
    attribution_index.forget_cached()
    again = attribution_index.index_for(releases)
    assert again is not index and (directory / "meta.json").stat().st_mtime_ns == built_at
    assert sorted(again.record_ids.tolist()) == sorted(r.pk for r in world.records.values())


def test_a_new_release_set_gets_a_new_index_that_pays_new_records(world):
    erin = UserFactory(username="erin")
    text = "Put a person having a seizure nothing in their mouth; time the seizure and cushion their head."
    (record,) = make_records_in_review(world.datanet, erin, [text], status="accepted")
    v2 = release_build(release_id=release_create(datanet=world.datanet, actor=world.alice).pk)
    old = attribution_index.index_for([world.release])
    ai_models.ai_model_set_releases(ai_model=world.model, actor=world.alice, releases=[v2])
    event, _ = usage_post(ai_model=world.model, actor=world.alice, idempotency_key="v2", output=text, fee=OPEN)
    assert event.attribution.body["index"]["fingerprint"] != old.fingerprint
    assert event.attribution.body["records"][0]["record"] == record.pk
    assert event.attribution.body["releases"][0]["version"] == 2


def test_only_the_owner_changes_releases(world):
    with pytest.raises(Exception, match="owner"):
        ai_models.ai_model_set_releases(ai_model=world.model, actor=world.bob, releases=[world.release])


def test_the_database_refuses_a_split_not_summing_to_10000(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        AIModel.objects.create(owner=world.bob, name="raw", owner_bps=1, contributors_bps=1, datanet_bps=1,
                               treasury_bps=1)


def test_one_attribution_per_usage_event(world):
    event, _ = usage_post(ai_model=world.model, actor=world.alice, idempotency_key="one", output="Cool the burn.",
                          fee=OPEN)
    with pytest.raises(IntegrityError), transaction.atomic():
        AttributionProof.objects.create(usage_event=event, method="m", method_version="1", embedding_model="e",
                                        body={}, commitment="0" * 64)


def test_a_prepaid_balance_never_goes_below_zero(world):
    payer = ai_models.payer_account(world.model)
    with pytest.raises(services.InsufficientFunds):
        services.ledger_post(key="drain", kind="transfer", lines=[
            (payer, -101 * OPEN), (services.account_get_or_create(kind=Account.Kind.USER, user=world.bob),
                                   101 * OPEN)])


def test_a_payer_account_belongs_to_a_model(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(kind=Account.Kind.MODEL_PAYER)


def test_registering_a_model_builds_its_index_in_the_background(world, django_capture_on_commit_callbacks):
    attribution_index.forget_cached()
    with django_capture_on_commit_callbacks(execute=True):
        model = ai_models.ai_model_register(owner=world.bob, name="Warm", releases=[world.release])
    index = attribution_index.index_for(list(model.releases.all()))
    assert len(index) == len(world.records)
    assert (settings.DATA_DIR / "attribution" / index.fingerprint / "meta.json").exists()
