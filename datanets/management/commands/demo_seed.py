"""Create the demo users and datanet for `make run`. Safe to run again: nothing is duplicated."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Profile
from datanets import services
from datanets.models import Datanet, Membership

DEMO_USERS = [
    # username, password, display name, staff, role in the demo datanet
    ("alice", "alice-demo-pass", "Alice (owner)", False, Membership.Role.OWNER),
    ("carol", "carol-demo-pass", "Carol (curator)", False, Membership.Role.CURATOR),
    ("dave", "dave-demo-pass", "Dave (contributor)", False, None),
    ("staff", "staff-demo-pass", "Sam (staff moderator)", True, None),
]

DESCRIPTION = """\
Short, factual answers to common **first-aid** questions, written in plain English for a small
assistant model that runs on phones.

What belongs here:

- one question and its answer per record, in the `text` field
- answers that a first-aid course would teach: bleeding, burns, choking, sprains, shock, stings

What does not: diagnoses, dosages, advertising, anything copied from a copyrighted manual.
"""


class Command(BaseCommand):
    help = "Create demo users (printed) and a demo datanet."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        User = get_user_model()
        users = {}
        for username, password, display, staff, _ in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(username=username, email=f"{username}@example.org", password=password)
            user.is_staff = user.is_superuser = staff
            user.save(update_fields=["is_staff", "is_superuser"])
            Profile.objects.update_or_create(user=user, defaults={"display_name": display})
            users[username] = user
        datanet = Datanet.objects.filter(slug="first-aid-qa").first()
        if datanet is None:
            datanet = services.datanet_create(
                owner=users["alice"], name="First-aid Q&A", slug="first-aid-qa",
                summary="Plain-English first-aid questions and answers for a small on-device assistant.",
                description=DESCRIPTION, tags=["first-aid", "health", "qa"], domain="medicine", license="CC-BY-4.0",
            )
            services.datanet_set_status(datanet=datanet, actor=users["alice"], status=Datanet.Status.OPEN)
        for username, _, _, _, role in DEMO_USERS:
            if role and not Membership.objects.filter(datanet=datanet, user=users[username]).exists():
                Membership.objects.create(datanet=datanet, user=users[username], role=role)
        # Fund the demo pool once (idempotency keys make re-runs write nothing), so accepted
        # records are paid from the first review on.
        from rewards.amounts import parse
        from rewards.services import pool_fund, treasury_mint

        treasury_mint(actor=users["staff"], amount=parse("100000"), key="demo:mint", memo="Demo treasury")
        pool_fund(datanet=datanet, actor=users["staff"], amount=parse("10000"), key="demo:fund", memo="Demo pool")
        # Demo wallets for the contributor and the curator, so "Run a settlement now" pays them.
        from rewards.demo import demo_wallet_link

        demo_wallets = {name: demo_wallet_link(user=users[name]) for name in ("dave", "carol")}
        model = seed_demo_model(datanet=datanet, owner=users["alice"], staff=users["staff"])
        self.stdout.write("Demo users (username / password):")
        for username, password, display, _, _ in DEMO_USERS:
            self.stdout.write(f"  {username:6} / {password:18} {display}")
        self.stdout.write(f"Demo datanet: /d/{datanet.slug}/")
        self.stdout.write("Demo wallets (keys derived from the names, demo only): "
                          + ", ".join(f"{name} {address}" for name, address in demo_wallets.items()))
        if model is None:
            self.stdout.write("Demo model: not yet — accept records and cut a release, then run demo_seed again.")
        else:
            proof = model.usage_events.order_by("id").first().attribution
            self.stdout.write(f"Demo model: /models/{model.pk}/  (its first usage event: /attributions/{proof.pk}/)")


DEMO_MODEL = "First-aid helper (demo)"


def seed_demo_model(*, datanet: Datanet, owner, staff):
    """Once the demo datanet has a ready release of accepted records: register a demo model on it,
    prepay it, and post one usage event quoting an accepted record. Keys make re-runs write nothing."""
    from curation.models import Release
    from datanets.models import Record
    from rewards import ai_models
    from rewards.amounts import parse
    from rewards.models import Account, AIModel
    from rewards.services import account_get_or_create, ledger_post
    from rewards.usage import usage_post

    release = Release.objects.filter(datanet=datanet, status=Release.Status.READY).order_by("-version").first()
    accepted = Record.objects.filter(datanet=datanet, status=Record.Status.ACCEPTED).order_by("id").first()
    if release is None or accepted is None:
        return None
    model = AIModel.objects.filter(owner=owner, name=DEMO_MODEL).first()
    if model is None:
        model = ai_models.ai_model_register(owner=owner, name=DEMO_MODEL, releases=[release],
                                            description="A small on-device first-aid assistant (demo).")
    treasury = account_get_or_create(kind=Account.Kind.TREASURY)
    ledger_post(key="demo:model-funds", kind="transfer", actor=staff, memo="Demo: tokens for the model owner",
                lines=[(treasury, -parse("100")), (account_get_or_create(kind=Account.Kind.USER, user=owner),
                                                   parse("100"))])
    ai_models.ai_model_prepay(ai_model=model, actor=owner, amount=parse("50"), key="demo:prepay")
    if not model.usage_events.filter(idempotency_key="demo-usage-1").exists():  # its record may since be gone
        usage_post(ai_model=model, actor=owner, idempotency_key="demo-usage-1", fee=parse("2"),
                   prompt="What should I do first?", output=f"Here is what first-aid guidance says: {accepted.text}")
    return model
