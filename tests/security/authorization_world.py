"""The world the authorization table runs in: seven people, and for each visibility a datanet with
every kind of thing a URL can point at — members, accepted records and their submission, a ready
release with files, a report, a webhook endpoint with a delivery, an AI model with a usage event
and its attribution proof, a presigned upload id — plus one settlement batch with a proof.

Built once per test module inside a transaction that is rolled back afterwards (see `worlds`)."""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from accounts import services as account_services
from datanets import permissions
from datanets.models import Membership

ROLES = ["anonymous", "outsider", "contributor", "curator", "owner", "moderator", "staff"]


@dataclass
class World:
    """What one visibility's rows point at; `values` fills the path templates."""

    people: dict
    tokens: dict
    values: dict = field(default_factory=dict)


def _build(visibility: str, people: dict, shared: dict) -> World:
    from curation.appeals import appeal_create
    from curation.gold import gold_mark
    from curation.moderation import report_create
    from curation.releases import release_build, release_create
    from datanets.presigned import SALT
    from rewards import ai_models
    from rewards.usage import usage_post
    from tests.factories import UserFactory, make_datanet, make_records_in_review
    from tests.rewards.attribution_world import fund_user
    from webhooks.services import endpoint_create, webhook_emit

    owner, contributor = people["owner"], people["contributor"]
    member = UserFactory(username=f"member-{visibility}")
    datanet = make_datanet(owner, name=f"authz {visibility} datanet", visibility=visibility, members={
        contributor: Membership.Role.CONTRIBUTOR, people["curator"]: Membership.Role.CURATOR,
        member: Membership.Role.CONTRIBUTOR})
    # Every text names the datanet, so a page that shows a record of the private one shows its name.
    texts = [f"Press firmly on a bleeding wound for ten minutes (authz {visibility} datanet).",
             f"Cool a burn under running water for twenty minutes (authz {visibility} datanet)."]
    records = make_records_in_review(datanet, contributor, texts, status="accepted")
    release = release_build(release_id=release_create(datanet=datanet, actor=owner).pk)
    report = report_create(reporter=contributor, reason="spam", comment="looks copied", record=records[0])
    rejected = make_records_in_review(datanet, contributor, [f"Rub butter on a burn (authz {visibility} datanet)."],
                                      status="rejected")[0]
    appeal = appeal_create(record=rejected, appellant=contributor, message="Many grandmothers still say so.")
    gold = gold_mark(record=records[1], actor=owner, answer="accept")
    endpoint = endpoint_create(datanet=datanet, actor=owner, url="http://127.0.0.1:9/hook", scope="datanet",
                               events=["release.published"])
    event = webhook_emit(event="release.published", datanet=datanet, payload={})
    model = ai_models.ai_model_register(owner=owner, name=f"{visibility} helper", releases=[release])
    fund_user(people["staff"], owner, 10**20, key=f"authz-fund:{visibility}")
    ai_models.ai_model_prepay(ai_model=model, actor=owner, amount=10**20, key=f"authz-prepay:{visibility}")
    usage, _ = usage_post(ai_model=model, actor=owner, idempotency_key=f"authz-{visibility}",
                          output=f"Do this: {texts[0]}", fee=10**18)
    key = f"datanets/{datanet.pk}/incoming/authz-{visibility}/upload.csv"
    default_storage.save(key, ContentFile(b"text\nA first-aid answer that is long enough to pass.\n"))
    upload_id = signing.dumps({"d": datanet.pk, "u": contributor.pk, "k": key, "n": "upload.csv"}, salt=SALT)
    values = {
        "slug": datanet.slug, "username": member.username, "webhook": endpoint.pk,
        "delivery": event.deliveries.get().pk, "submission": records[0].submission_id, "fmt": "csv",
        "release": release.pk, "kind": "jsonl", "record": records[0].pk, "report": report.pk, "model": model.pk,
        "attribution": usage.attribution.pk, "upload_id": upload_id, "appeal": appeal.pk, "gold": gold.pk, **shared,
    }
    return World(people=people, tokens=shared["_tokens"], values=values)


def _people() -> dict:
    from tests.factories import UserFactory

    people = {role: UserFactory(username=f"authz-{role}") for role in ROLES[1:]}
    people["staff"].is_staff = True
    people["staff"].save(update_fields=["is_staff"])
    people["moderator"].groups.add(Group.objects.get_or_create(name=permissions.MODERATORS_GROUP)[0])
    UserFactory(username="newcomer")
    return people


def _settlement(people: dict) -> str:
    """One confirmed batch on the local chain that pays the contributor."""
    from rewards.settlement import settlement_run
    from rewards.settlement_models import SettlementItem
    from tests.rewards.settlement_fixtures import credit, link_wallet

    link_wallet(people["contributor"])
    credit(people["contributor"], 1000 * 10**18, key="authz-settlement")
    settlement_run()
    return str(SettlementItem.objects.get(user=people["contributor"]).batch.uid)


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    """{"public": World, "private": World}. Tests that use it also take `db`, so each runs in a
    savepoint inside this transaction."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            people = _people()
            tokens = {role: account_services.api_token_create(user=user, name="authz")
                      for role, user in people.items()}
            shared = {"_tokens": {role: raw for role, (_, raw) in tokens.items()},
                      "token_id": tokens["owner"][0].pk, "uidb64": "MQ", "token": "set-password",
                      "settlement": _settlement(people)}
            yield {visibility: _build(visibility, people, shared) for visibility in ("public", "private")}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
