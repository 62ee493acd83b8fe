"""A datanet with accepted first-aid records by bob and dave, a ready release of them, and a model
alice registered on it with a prepaid balance. Records get their embeddings from the real encoder
when the attribution index is built (they are stored without one here)."""

from dataclasses import dataclass

from curation.models import Release
from curation.releases import release_build, release_create
from datanets.models import Membership
from rewards import ai_models, services
from rewards.models import Account
from tests.factories import UserFactory, make_datanet, make_records_in_review

OPEN = 10**18

BOB_TEXTS = [
    "Press firmly on a bleeding wound with a clean cloth and keep the pressure on for ten minutes without lifting it to look.",
    "Cool a burn under cool running water for twenty minutes; never put ice, butter or toothpaste on a burn.",
    "For a nosebleed, sit the person down, lean them forward and pinch the soft part of the nose for ten minutes.",
]
DAVE_TEXTS = [
    "If an adult is choking and cannot cough, give up to five sharp back blows between the shoulder blades.",
    "Treat a sprained ankle with rest, an ice pack wrapped in a towel, a compression bandage and by raising the leg.",
    "A bee sting should be scraped out sideways with a card, then the area washed and cooled with a cold compress.",
]


@dataclass
class World:
    datanet: object
    release: Release
    model: object
    records: dict  # text -> Record
    alice: object
    bob: object
    carol: object
    dave: object
    staff: object


def fund_user(staff, user, amount: int, key: str) -> None:
    treasury = services.account_get_or_create(kind=Account.Kind.TREASURY)
    services.treasury_mint(actor=staff, amount=amount, key=f"{key}:mint")
    services.ledger_post(key=key, kind="transfer", lines=[
        (treasury, -amount), (services.account_get_or_create(kind=Account.Kind.USER, user=user), amount)])


def build_world(alice, bob, carol, staff, *, prepay: int = 100 * OPEN, name: str = "First-aid helper") -> World:
    dave = UserFactory(username="dave")
    datanet = make_datanet(alice, name="First aid answers", members={carol: Membership.Role.CURATOR})
    records = {}
    for user, texts in ((bob, BOB_TEXTS), (dave, DAVE_TEXTS)):
        for record in make_records_in_review(datanet, user, texts, status="accepted"):
            records[record.text] = record
    release = release_create(datanet=datanet, actor=alice)
    release = release_build(release_id=release.pk)
    assert release.status == Release.Status.READY
    model = ai_models.ai_model_register(owner=alice, name=name, description="Answers first-aid questions",
                                        releases=[release])
    if prepay:
        fund_user(staff, alice, prepay, key=f"fund-alice:{name}")
        ai_models.ai_model_prepay(ai_model=model, actor=alice, amount=prepay, key=f"prepay:{name}")
    return World(datanet, release, model, records, alice, bob, carol, dave, staff)
