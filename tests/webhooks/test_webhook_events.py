"""Each event is emitted where it happens in the product and reaches the endpoints that should
get it — and only those: alice owns the datanet (an endpoint for every event), bob contributes,
carol and dave curate, each with a personal endpoint."""

import io
import json

import pytest

from curation.moderation import report_create, report_resolve
from curation.review import review_submit
from datanets.models import Membership
from rewards import services as rewards
from tests.factories import UserFactory, make_datanet, make_records_in_review
from webhooks.models import Event
from webhooks.services import webhook_emit

OPEN = 10**18
TEXTS = [
    "Apply firm pressure with a clean cloth to stop bleeding from a small cut, then raise the wound.",
    "For a minor burn, cool the skin under cool running water for twenty minutes and cover it loosely.",
    "If someone is choking and cannot cough, give up to five sharp back blows between the shoulder blades.",
]


@pytest.fixture
def dave(db):
    return UserFactory(username="dave")


@pytest.fixture
def first_aid(alice, carol, dave):
    return make_datanet(alice, name="First aid", description="Short factual first-aid instructions.",
                        members={carol: Membership.Role.CURATOR, dave: Membership.Role.CURATOR})


def bodies(receiver, event_type: str) -> list[dict]:
    found = [json.loads(r.body) for r in receiver.requests]
    return [b for b in found if b["type"] == event_type]


def test_submission_processed_goes_to_the_contributor_and_the_owner(api_as, alice, bob, carol, first_aid, receiver,
                                                                     endpoint_for, django_capture_on_commit_callbacks):
    endpoint_for(bob, first_aid, receiver.url + "/bob")
    endpoint_for(carol, first_aid, receiver.url + "/carol")  # not carol's submission
    endpoint_for(alice, first_aid, receiver.url + "/owner", scope="datanet", events=["submission.processed"])
    data = ("text\n" + "\n".join(f'"{t}"' for t in TEXTS) + "\n" + f'"{TEXTS[0]}"\n').encode()
    upload = io.BytesIO(data)
    upload.name = "notes.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(bob).post(f"/api/v1/datanets/{first_aid.slug}/submissions/", {"file": upload},
                                    format="multipart")
    assert response.status_code == 202, response.content
    paths = sorted(r.path for r in receiver.requests)
    assert paths == ["/hooks/bob", "/hooks/owner"]
    (body, _) = bodies(receiver, "submission.processed")
    sub = body["data"]["submission"]
    assert sub["id"] == response.json()["id"] and sub["status"] == "done" and sub["contributor"] == "bob"
    assert sub["counts"]["total"] == 4 and sub["counts"]["exact_dup"] == 1
    assert sub["url"].endswith(f"/api/v1/submissions/{sub['id']}/")


def test_a_failed_submission_is_processed_too(api_as, bob, first_aid, receiver, endpoint_for,
                                              django_capture_on_commit_callbacks):
    endpoint_for(bob, first_aid, receiver.url)
    upload = io.BytesIO(b'[{"text": "an unterminated json array"}')  # only parsing finds this
    upload.name = "broken.json"
    with django_capture_on_commit_callbacks(execute=True):
        api_as(bob).post(f"/api/v1/datanets/{first_aid.slug}/submissions/", {"file": upload}, format="multipart")
    (body,) = bodies(receiver, "submission.processed")
    assert body["data"]["submission"]["status"] == "failed" and body["data"]["submission"]["error"]


def test_review_decisions_and_rewards(alice, bob, carol, dave, staff, first_aid, receiver, endpoint_for,
                                      django_capture_on_commit_callbacks):
    rewards.reward_policy_update(datanet=first_aid, actor=alice, base_reward=10 * OPEN, curator_reward=OPEN)
    rewards.treasury_mint(actor=staff, amount=100 * OPEN, key="seed")
    rewards.pool_fund(datanet=first_aid, actor=staff, amount=50 * OPEN, key="fund")
    endpoint_for(bob, first_aid, receiver.url + "/bob", events=["record.accepted", "record.rejected",
                                                                "reward.accrued"])
    endpoint_for(carol, first_aid, receiver.url + "/carol", events=["reward.accrued", "record.accepted"])
    endpoint_for(alice, first_aid, receiver.url + "/owner", scope="datanet",
                 events=["record.accepted", "record.rejected", "reward.accrued"])
    good, bad = make_records_in_review(first_aid, bob, TEXTS[:2], scores=[0.8, 0.5])
    with django_capture_on_commit_callbacks(execute=True):
        review_submit(record=good, reviewer=carol, decision="accept")
        review_submit(record=bad, reviewer=dave, decision="reject", reason="off_topic")

    by_path = {}
    for r in receiver.requests:
        body = json.loads(r.body)
        by_path.setdefault(r.path, []).append((body["type"], body["data"]))
    bob_got = sorted(t for t, _ in by_path["/hooks/bob"])
    assert bob_got == ["record.accepted", "record.rejected", "reward.accrued"]
    accepted = next(d for t, d in by_path["/hooks/bob"] if t == "record.accepted")["record"]
    assert accepted["id"] == good.pk and accepted["status"] == "accepted" and accepted["review"]["approvals"] == 1
    reward = next(d for t, d in by_path["/hooks/bob"] if t == "reward.accrued")["reward"]
    assert reward["user"] == "bob" and reward["record"] == good.pk and int(reward["amount"]) > 0
    # carol's own reward for agreeing, not bob's; a record she did not contribute is not "hers".
    assert [(t, d["reward"]["user"]) for t, d in by_path["/hooks/carol"]] == [("reward.accrued", "carol")]
    assert sorted(t for t, _ in by_path["/hooks/owner"]) == ["record.accepted", "record.rejected",
                                                             "reward.accrued", "reward.accrued", "reward.accrued"]


def test_release_published(api_as, alice, bob, carol, first_aid, receiver, endpoint_for,
                           django_capture_on_commit_callbacks):
    endpoint_for(alice, first_aid, receiver.url, scope="datanet", events=["release.published"])
    make_records_in_review(first_aid, bob, TEXTS, status="accepted")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(alice).post(f"/api/v1/datanets/{first_aid.slug}/releases/", {}, format="json")
    assert response.status_code == 202
    (body,) = bodies(receiver, "release.published")
    release = body["data"]["release"]
    assert release["version"] == 1 and release["record_count"] == 3 and len(release["merkle_root"]) == 64
    assert set(release["files"]) == {"jsonl", "parquet", "manifest", "card"}


def test_report_resolved_goes_to_the_reporter(alice, bob, carol, first_aid, receiver, endpoint_for,
                                              django_capture_on_commit_callbacks):
    (record,) = make_records_in_review(first_aid, bob, TEXTS[:1], status="accepted")
    endpoint_for(carol, first_aid, receiver.url, events=["report.resolved"])
    report = report_create(reporter=carol, reason="spam", record=record)
    with django_capture_on_commit_callbacks(execute=True):
        report_resolve(report=report, actor=alice, action="dismiss", note="Written by the contributor.")
    (body,) = bodies(receiver, "report.resolved")
    assert body["data"]["report"] == {"id": report.pk, "record": record.pk, "reason": "spam", "status": "dismissed",
                                      "resolution": "dismiss", "note": "Written by the contributor."}


def test_settlement_confirmed_can_be_emitted(alice, bob, first_aid, receiver, endpoint_for,
                                             django_capture_on_commit_callbacks):
    endpoint_for(bob, first_aid, receiver.url, events=["settlement.confirmed"])
    with django_capture_on_commit_callbacks(execute=True):
        event = webhook_emit(event="settlement.confirmed", datanet=first_aid, user=bob,
                             payload={"settlement": {"id": 7, "amount": str(5 * OPEN), "tx": "0xabc"}})
    (body,) = bodies(receiver, "settlement.confirmed")
    assert body["id"] == str(event.id) and body["data"]["settlement"]["tx"] == "0xabc"


def test_a_member_removed_from_a_private_datanet_stops_receiving(alice, bob, receiver, endpoint_for,
                                                                 django_capture_on_commit_callbacks):
    lab = make_datanet(alice, name="Lab", visibility="private", members={bob: Membership.Role.CONTRIBUTOR})
    endpoint_for(bob, lab, receiver.url)
    Membership.objects.filter(datanet=lab, user=bob).delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_emit(event="submission.processed", datanet=lab, payload={}, user=bob) is None
    assert not receiver.requests and not Event.objects.exists()


def test_settlement_confirmed_goes_to_the_paid_user_only(alice, bob, first_aid, receiver, endpoint_for, settings,
                                                         django_capture_on_commit_callbacks):
    from rewards.settlement import settlement_run
    from tests.rewards.settlement_fixtures import credit, link_wallet

    settings.SETTLEMENT_MIN_PAYOUT = "5"
    address = link_wallet(bob)
    credit(bob, 7 * OPEN, "settle-hook")
    endpoint_for(bob, first_aid, receiver.url + "/bob", events=["settlement.confirmed"])
    endpoint_for(alice, first_aid, receiver.url + "/owner", scope="datanet", events=["settlement.confirmed"])
    with django_capture_on_commit_callbacks(execute=True):
        assert settlement_run().confirmed == 1
    assert [r.path for r in receiver.requests] == ["/hooks/bob"]  # a payout is the payee's business
    (body,) = bodies(receiver, "settlement.confirmed")
    assert body["data"]["amount"] == str(7 * OPEN)
    assert body["data"]["address"].lower() == address.address.lower()
    assert body["data"]["tx_id"]
