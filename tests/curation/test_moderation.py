"""Moderation: alice owns the datanet, carol curates it, bob contributes, dave reports, sam is staff.
Every action is checked with its audit entry."""

import sys
import types

import pytest
from django.contrib import admin

from curation import moderation
from curation.models import ModerationAction, Report, Suspension
from datanets.models import AuditEntry, Datanet, Membership, Record
from tests.factories import UserFactory, make_datanet, make_records_in_review


@pytest.fixture
def dave(db):
    return UserFactory(username="dave")


@pytest.fixture
def curated(datanet, carol):
    Membership.objects.create(datanet=datanet, user=carol, role=Membership.Role.CURATOR)
    return datanet


@pytest.fixture
def accepted(api_as, curated, bob, carol):
    """A record of bob's accepted through review, so the datanet's counters count it."""
    (record,) = make_records_in_review(curated, bob, ["Buy <script>pills</script> at example.com"])
    response = api_as(carol).post("/api/v1/reviews/", {"record": record.id, "decision": "accept"}, format="json")
    assert response.json()["record_status"] == "accepted"
    curated.refresh_from_db()
    assert (curated.record_count, curated.contributor_count) == (1, 1)
    record.refresh_from_db()
    return record


def _report(record=None, datanet=None, reporter=None, reason="spam"):
    return moderation.report_create(reporter=reporter or UserFactory(username="dave"), record=record,
                                    datanet=datanet, reason=reason, comment="Looks like spam.")


def _resolve(client, report, action, note="Advert for a shop."):
    return client.post(f"/api/v1/moderation/reports/{report.id}/resolve/", {"action": action, "note": note},
                       format="json")


def _upload(client, datanet):
    return client.post(f"/api/v1/datanets/{datanet.slug}/records/",
                       {"records": [{"text": "A record sent through the API."}]}, format="json")


def test_takedown_removes_the_record_and_corrects_the_counters(api_as, accepted, alice):
    report = _report(record=accepted)
    response = _resolve(api_as(alice), report, "takedown")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "actioned" and response.json()["resolution"] == "takedown"
    accepted.refresh_from_db()
    assert accepted.status == Record.Status.REMOVED and accepted.decided_at is not None
    assert accepted.receipt[-1] == {"check": "moderation", "outcome": "removed", "reason": "Advert for a shop.",
                                    "was": "accepted"}
    datanet = Datanet.objects.get(pk=accepted.datanet_id)
    assert (datanet.record_count, datanet.contributor_count) == (0, 0)
    assert not Record.objects.filter(datanet=datanet, status=Record.Status.ACCEPTED).exists()
    entry = AuditEntry.objects.get(action="record.removed")
    assert entry.actor == alice and entry.target_id == str(accepted.pk) and entry.reason == "Advert for a shop."
    assert entry.datanet == datanet and entry.data["report"] == report.pk
    assert AuditEntry.objects.filter(action="report.actioned", target_id=str(report.pk)).exists()
    action = ModerationAction.objects.get()
    assert (action.action, action.record, action.report, action.actor) == ("takedown", accepted, report, alice)
    # A removed record is not public any more, and cannot be taken down twice.
    assert api_as(UserFactory(username="erin")).get(f"/api/v1/datanets/{datanet.slug}/records/").json()["results"] == []
    with pytest.raises(moderation.ModerationRefused, match="nothing to take down"):
        moderation.record_takedown(record=accepted, actor=alice, reason="again")


def test_takedown_closes_every_open_report_on_the_record(accepted, alice, dave):
    first = _report(record=accepted, reporter=dave)
    second = _report(record=accepted, reporter=UserFactory(username="erin"))
    moderation.report_resolve(report=first, actor=alice, action="takedown", note="Spam.")
    assert set(Report.objects.values_list("status", flat=True)) == {"actioned"}
    assert AuditEntry.objects.filter(action="report.actioned", target_id=str(second.pk)).exists()


def test_takedown_needs_a_reason(api_as, accepted, alice):
    response = _resolve(api_as(alice), _report(record=accepted), "takedown", note="")
    assert response.status_code == 400 and "note" in response.json()["errors"]
    accepted.refresh_from_db()
    assert accepted.status == Record.Status.ACCEPTED


def test_takedown_calls_the_rewards_hook_when_there_is_one(accepted, alice, monkeypatch):
    seen = []
    fake = types.ModuleType("rewards.services")
    fake.rewards_on_takedown = lambda *, record, actor, reason: seen.append(record)
    monkeypatch.setitem(sys.modules, "rewards.services", fake)
    moderation.record_takedown(record=accepted, actor=alice, reason="Spam.")
    assert [r.pk for r in seen] == [accepted.pk] and seen[0].status == Record.Status.REMOVED


def test_dismiss(api_as, accepted, alice):
    report = _report(record=accepted)
    response = _resolve(api_as(alice), report, "dismiss", note="Not spam: a pharmacy question.")
    assert response.status_code == 200 and response.json()["status"] == "dismissed"
    accepted.refresh_from_db()
    assert accepted.status == Record.Status.ACCEPTED
    entry = AuditEntry.objects.get(action="report.dismissed")
    assert entry.actor == alice and entry.target_id == str(report.pk)
    assert entry.reason == "Not spam: a pharmacy question."
    assert ModerationAction.objects.get().action == "dismiss"
    again = _resolve(api_as(alice), report, "dismiss")
    assert again.status_code == 409 and "already dismissed" in again.json()["detail"]


def test_staff_suspend_withdraws_records_in_review_and_refuses_uploads(api_as, accepted, staff, bob, alice):
    in_review = make_records_in_review(accepted.datanet, bob, ["One more", "And another"])
    elsewhere = make_datanet(alice, name="Elsewhere")
    report = _report(record=accepted)
    response = _resolve(api_as(staff), report, "suspend_user", note="Spam account.")
    assert response.status_code == 200 and response.json()["resolution"] == "suspend_user"
    suspension = Suspension.objects.get()
    assert suspension.user == bob and suspension.datanet is None and suspension.by == staff
    for record in in_review:
        record.refresh_from_db()
        assert record.status == Record.Status.REJECTED
        assert record.receipt[-1]["check"] == "moderation" and record.receipt[-1]["outcome"] == "withdrawn"
    accepted.refresh_from_db()
    assert accepted.status == Record.Status.ACCEPTED  # only records in review are withdrawn
    entry = AuditEntry.objects.get(action="user.suspended")
    assert entry.actor == staff and entry.target_id == str(bob.pk) and entry.reason == "Spam account."
    assert sorted(entry.data["withdrawn"]) == sorted(r.pk for r in in_review)
    assert AuditEntry.objects.filter(action="record.withdrawn").count() == 2
    for datanet in (accepted.datanet, elsewhere):
        refused = _upload(api_as(bob), datanet)
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Your account is suspended from contributing: Spam account."
    # Lifting the suspension lets bob contribute again; it is in the log too.
    moderation.user_reinstate(suspension=suspension, actor=staff, reason="Appeal accepted.")
    assert _upload(api_as(bob), elsewhere).status_code == 202
    assert AuditEntry.objects.get(action="user.reinstated").reason == "Appeal accepted."


def test_an_owner_suspends_from_their_datanet_only(api_as, accepted, alice, bob):
    elsewhere = make_datanet(UserFactory(username="frank"), name="Elsewhere")
    response = _resolve(api_as(alice), _report(record=accepted), "suspend_user", note="Keeps posting adverts.")
    assert response.status_code == 200, response.json()
    assert Suspension.objects.get().datanet == accepted.datanet
    assert _upload(api_as(bob), accepted.datanet).status_code == 403
    assert _upload(api_as(bob), elsewhere).status_code == 202
    with pytest.raises(moderation.PermissionDenied):
        moderation.user_suspend(user=bob, actor=alice, reason="everywhere", datanet=None)


def test_freeze_refuses_uploads_and_unfreeze(api_as, datanet, alice, bob, staff):
    report = _report(datanet=datanet)
    response = _resolve(api_as(staff), report, "freeze_datanet", note="Under investigation.")
    assert response.status_code == 200 and response.json()["status"] == "actioned"
    datanet.refresh_from_db()
    assert datanet.is_frozen
    refused = _upload(api_as(bob), datanet)
    assert refused.status_code == 403 and "frozen by moderation" in refused.json()["detail"]
    entry = AuditEntry.objects.get(action="datanet.frozen")
    assert entry.actor == staff and entry.datanet == datanet and entry.reason == "Under investigation."
    # Staff froze it, so its owner cannot unfreeze it; staff can.
    with pytest.raises(moderation.PermissionDenied, match="only staff can unfreeze"):
        moderation.datanet_unfreeze(datanet=datanet, actor=alice)
    moderation.datanet_unfreeze(datanet=datanet, actor=staff, reason="Cleared.")
    datanet.refresh_from_db()
    assert not datanet.is_frozen and AuditEntry.objects.get(action="datanet.unfrozen").reason == "Cleared."
    assert _upload(api_as(bob), datanet).status_code == 202


def test_an_owner_freezes_and_unfreezes_their_own_datanet(datanet, alice):
    moderation.datanet_freeze(datanet=datanet, actor=alice, reason="Pausing while we clean up.")
    with pytest.raises(moderation.ModerationRefused, match="already frozen"):
        moderation.datanet_freeze(datanet=datanet, actor=alice, reason="again")
    moderation.datanet_unfreeze(datanet=datanet, actor=alice)
    assert [a.action for a in ModerationAction.objects.order_by("id")] == ["freeze_datanet", "unfreeze_datanet"]


def test_takedown_and_suspend_need_a_record_report(api_as, datanet, alice):
    response = _resolve(api_as(alice), _report(datanet=datanet), "takedown")
    assert response.status_code == 400 and "about a datanet" in response.json()["detail"]


def test_who_may_moderate(api_as, accepted, alice, bob, carol, staff):
    report = _report(record=accepted)
    frank = UserFactory(username="frank")
    make_datanet(frank, name="Frank's own")  # owns a datanet, but not this one
    assert _resolve(api_as(frank), report, "dismiss").status_code == 403
    assert _resolve(api_as(carol), report, "dismiss").status_code == 403  # curators review, owners moderate
    assert _resolve(api_as(bob), report, "dismiss").status_code == 403
    from rest_framework.test import APIClient

    assert _resolve(APIClient(), report, "dismiss").status_code == 401
    assert _resolve(api_as(staff), report, "dismiss").status_code == 200


def test_a_private_datanets_report_is_404_to_outsiders(api_as, private_datanet, bob, alice):
    Membership.objects.create(datanet=private_datanet, user=bob, role=Membership.Role.CONTRIBUTOR)
    (record,) = make_records_in_review(private_datanet, bob, ["Secret"], status="accepted")
    report = _report(record=record, reporter=bob)
    assert _resolve(api_as(UserFactory(username="frank")), report, "dismiss").status_code == 404
    assert _resolve(api_as(bob), report, "dismiss").status_code == 403
    assert _resolve(api_as(alice), report, "dismiss").status_code == 200


def test_the_queue_shows_owners_their_datanets_and_staff_everything(api_as, accepted, alice, staff, bob):
    frank = UserFactory(username="frank")
    other = make_datanet(frank, name="Frank's own")
    mine, theirs = _report(record=accepted), _report(datanet=other)
    def ids(client, **q):
        return [r["id"] for r in client.get("/api/v1/moderation/reports/", q).json()["results"]]

    assert ids(api_as(alice)) == [mine.id]
    assert ids(api_as(frank)) == [theirs.id]
    assert ids(api_as(staff)) == [theirs.id, mine.id]
    assert ids(api_as(staff), datanet=other.slug) == [theirs.id]
    listed = api_as(alice).get("/api/v1/moderation/reports/").json()["results"][0]
    assert listed["reported_record"]["text"] == accepted.text and listed["reported_record"]["contributor"] == "bob"
    assert api_as(bob).get("/api/v1/moderation/reports/").status_code == 403
    assert api_as(alice).get("/api/v1/moderation/reports/", {"datanet": other.slug}).status_code == 403
    moderation.report_dismiss(report=mine, actor=alice)
    assert ids(api_as(alice)) == [] and ids(api_as(alice), status="dismissed") == [mine.id]


def test_the_queue_page_escapes_reported_content(client, accepted, alice, bob):
    _report(record=accepted)
    client.force_login(alice)
    page = client.get("/moderation/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Buy &lt;script&gt;pills&lt;/script&gt;" in html and "<script>pills" not in html
    assert "data-confirm=" in html
    client.force_login(bob)
    assert client.get("/moderation/").status_code == 403


def test_resolving_from_the_queue_page(client, accepted, alice):
    report = _report(record=accepted)
    client.force_login(alice)
    response = client.post(f"/moderation/reports/{report.id}/resolve/", {"action": "takedown", "note": "Spam."})
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.status == Record.Status.REMOVED
    refused = client.post(f"/moderation/reports/{report.id}/resolve/", {"action": "dismiss"}, follow=True)
    assert "already actioned" in refused.content.decode()


def test_audit_page_is_for_staff_and_filters(client, api_as, accepted, alice, staff, bob):
    moderation.report_resolve(report=_report(record=accepted), actor=alice, action="takedown", note="Spam.")
    client.force_login(alice)
    assert client.get("/moderation/audit/").status_code == 403
    client.force_login(staff)
    page = client.get("/moderation/audit/", {"action": "record.removed", "actor": "alice"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<code>record.removed</code>" in html and "<code>review.accept</code>" not in html
    everything = client.get("/moderation/audit/").content.decode()
    assert "<code>review.accept</code>" in everything and "<code>report.created</code>" in everything
    assert "<code>review.accept</code>" not in client.get("/moderation/audit/", {"actor": "alice"}).content.decode()
    by_datanet = client.get("/moderation/audit/", {"datanet": accepted.datanet.slug}).content.decode()
    assert "<code>record.removed</code>" in by_datanet
    assert "<code>record.removed</code>" not in client.get("/moderation/audit/", {"until": "2000-01-01"}).content.decode()
    listed = api_as(staff).get("/api/v1/moderation/audit/", {"action": "record.", "actor": "alice"}).json()
    assert [e["action"] for e in listed["results"]] == ["record.removed"]
    assert api_as(staff).get("/api/v1/moderation/audit/", {"since": "yesterday"}).status_code == 400
    assert api_as(alice).get("/api/v1/moderation/audit/").status_code == 403


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-not-used-elsewhere")


@pytest.mark.parametrize("action,check", [
    ("dismiss", lambda report, record: report.status == "dismissed" and record.status == "accepted"),
    ("take_down_record", lambda report, record: record.status == "removed"),
    ("suspend_contributor", lambda report, record: Suspension.objects.filter(user=record.contributor).exists()),
])
def test_admin_actions(client, superuser, accepted, action, check):
    report = _report(record=accepted)
    client.force_login(superuser)
    response = client.post("/admin/curation/report/", {"action": action, admin.helpers.ACTION_CHECKBOX_NAME:
                                                       [report.pk]})
    assert response.status_code == 302
    report.refresh_from_db()
    accepted.refresh_from_db()
    assert check(report, accepted)
    assert report.status != "open" and report.resolved_by == superuser
    assert AuditEntry.objects.filter(actor=superuser, target_id=str(report.pk)).exists()


def test_admin_freeze_and_lift(client, superuser, datanet, bob):
    report = _report(datanet=datanet)
    client.force_login(superuser)
    client.post("/admin/curation/report/", {"action": "freeze_datanet",
                                            admin.helpers.ACTION_CHECKBOX_NAME: [report.pk]})
    datanet.refresh_from_db()
    assert datanet.is_frozen and AuditEntry.objects.filter(action="datanet.frozen", actor=superuser).exists()
    suspension = moderation.user_suspend(user=bob, actor=superuser, reason="Spam.")
    client.post("/admin/curation/suspension/", {"action": "lift", admin.helpers.ACTION_CHECKBOX_NAME:
                                                [suspension.pk]})
    suspension.refresh_from_db()
    assert suspension.lifted_at is not None and suspension.lifted_by == superuser
