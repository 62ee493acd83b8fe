"""Site moderators (the "Moderators" group): they handle reports on every datanet, private ones
included, take records down, suspend users everywhere and read the audit log — and have none of
staff's other powers (admin, settlements, editing datanets)."""

import pytest
from django.contrib.auth.models import Group

from curation.moderation import report_create
from datanets import permissions
from datanets.models import Record
from tests.factories import UserFactory, make_datanet, make_records_in_review


@pytest.fixture
def mod(db):
    user = UserFactory(username="moddy")
    user.groups.add(Group.objects.get_or_create(name=permissions.MODERATORS_GROUP)[0])
    return user


@pytest.fixture
def reported(alice, bob, carol):
    dn = make_datanet(alice, name="Private notes", visibility="private", members={bob: "contributor"})
    record = make_records_in_review(dn, bob, ["Call 555-0100 and ask for Jane Doe at 12 Main Street"])[0]
    report = report_create(reporter=bob, reason="personal_data", comment="my own phone number, oops", record=record)
    return dn, record, report


def test_moderator_sees_and_resolves_a_report_on_a_private_datanet(client, mod, reported):
    dn, record, report = reported
    client.force_login(mod)
    queue = client.get("/moderation/")
    assert queue.status_code == 200 and "Reports on every datanet" in queue.content.decode()
    assert "my own phone number" in queue.content.decode()
    assert client.get(f"/d/{dn.slug}/").status_code == 200
    response = client.post(f"/moderation/reports/{report.pk}/resolve/", {"action": "takedown", "note": "PII"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == Record.Status.REMOVED
    assert client.get("/moderation/audit/").status_code == 200


def test_a_plain_user_and_an_owner_of_another_datanet_cannot(client, carol, reported):
    dn, _, report = reported
    make_datanet(carol, name="Carol's own")  # owners moderate only their own datanets
    client.force_login(carol)
    assert client.get(f"/d/{dn.slug}/").status_code == 404
    assert client.post(f"/moderation/reports/{report.pk}/resolve/", {"action": "takedown"}).status_code == 404
    assert client.get("/moderation/audit/").status_code == 403


def test_moderator_has_no_staff_powers(client, mod, reported):
    dn, _, _ = reported
    client.force_login(mod)
    assert client.get("/admin/").status_code == 302  # to the admin login
    assert client.get("/rewards/settlements/").status_code == 403
    assert client.get(f"/d/{dn.slug}/edit/").status_code == 403
    assert permissions.can_suspend_everywhere(mod) and not permissions.can_edit(mod, dn)
