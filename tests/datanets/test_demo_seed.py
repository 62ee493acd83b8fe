"""`make run` seeds demo users, an open demo datanet and a funded pool; seeding again adds nothing."""

from django.core.management import call_command

from datanets.models import Datanet, Membership
from rewards.models import LedgerTransaction


def test_demo_seed_is_complete_and_idempotent(db, capsys):
    call_command("demo_seed")
    call_command("demo_seed")
    out = capsys.readouterr().out
    assert "alice  / alice-demo-pass" in out
    datanet = Datanet.objects.get(slug="first-aid-qa")
    assert datanet.status == "open"
    assert Membership.objects.filter(datanet=datanet).count() == 2
    assert LedgerTransaction.objects.filter(idempotency_key__in=["demo:mint", "demo:fund"]).count() == 2


def test_demo_seed_links_demo_wallets_once(db, capsys):
    from accounts.models import Profile
    from rewards.settlement_models import WalletProof

    call_command("demo_seed")
    call_command("demo_seed")
    assert "Demo wallets" in capsys.readouterr().out
    assert Profile.objects.get(user__username="dave").wallet_address.startswith("0x")
    assert WalletProof.objects.filter(user__username__in=["dave", "carol"]).count() == 2

def test_demo_seed_registers_a_model_once_there_is_a_release(db, capsys):
    from curation.releases import release_build, release_create
    from rewards.models import AIModel, UsageEvent
    from tests.factories import make_records_in_review

    call_command("demo_seed")
    assert "Demo model: not yet" in capsys.readouterr().out
    datanet = Datanet.objects.get(slug="first-aid-qa")
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    make_records_in_review(datanet, users["dave"], [
        "If someone faints, lay them on their back and raise their legs until they feel better."], status="accepted")
    release_build(release_id=release_create(datanet=datanet, actor=users["alice"]).pk)
    call_command("demo_seed")
    call_command("demo_seed")
    assert "Demo model: /models/" in capsys.readouterr().out
    assert AIModel.objects.count() == 1 and UsageEvent.objects.count() == 1
    event = UsageEvent.objects.get()
    assert event.attribution.body["records"][0]["contributor"] == "dave"
