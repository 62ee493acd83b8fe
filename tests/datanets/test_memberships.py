import pytest
from django.core.exceptions import ValidationError

from datanets import services
from datanets.models import Invitation, Membership


def test_owner_invites_by_username_and_changes_role(api_as, alice, bob, datanet):
    api = api_as(alice)
    response = api.post(f"/api/v1/datanets/{datanet.slug}/members/", {"identifier": "bob", "role": "contributor"}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "added"
    response = api.patch(f"/api/v1/datanets/{datanet.slug}/members/bob/", {"role": "curator"}, format="json")
    assert response.json()["role"] == "curator"
    members = api.get(f"/api/v1/datanets/{datanet.slug}/members/").json()["results"]
    assert {m["username"]: m["role"] for m in members} == {"alice": "owner", "bob": "curator"}


def test_invite_unknown_email_creates_an_invitation(api_as, alice, datanet, mailoutbox,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(alice).post(f"/api/v1/datanets/{datanet.slug}/members/",
                                      {"identifier": "Zoe@Example.org", "role": "curator"}, format="json")
    assert response.json() == {"status": "invited", "email": "zoe@example.org"}
    assert Invitation.objects.filter(email="zoe@example.org", datanet=datanet).exists()
    assert mailoutbox and "zoe@example.org" in mailoutbox[0].to


def test_unknown_username_gets_a_helpful_message(api_as, alice, datanet):
    response = api_as(alice).post(f"/api/v1/datanets/{datanet.slug}/members/", {"identifier": "nobody"}, format="json")
    assert response.status_code == 400
    assert "No user is called 'nobody'" in response.json()["detail"]


def test_member_can_leave_but_the_last_owner_cannot(api_as, alice, bob, datanet):
    services.membership_invite(datanet=datanet, actor=alice, identifier="bob", role="contributor")
    assert api_as(bob).delete(f"/api/v1/datanets/{datanet.slug}/members/bob/").status_code == 204
    response = api_as(alice).delete(f"/api/v1/datanets/{datanet.slug}/members/alice/")
    assert response.status_code == 400
    assert "last owner" in response.json()["detail"]
    assert Membership.objects.filter(datanet=datanet, user=alice, role="owner").exists()


def test_last_owner_cannot_demote_themselves(alice, datanet):
    with pytest.raises(ValidationError, match="last owner"):
        services.membership_change_role(datanet=datanet, actor=alice, username="alice", role="curator")


def test_second_owner_lets_the_first_leave(client, alice, bob, datanet):
    services.membership_invite(datanet=datanet, actor=alice, identifier="bob", role="owner")
    client.force_login(alice)
    response = client.post(f"/d/{datanet.slug}/members/alice/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(datanet=datanet, user=alice).exists()


def test_members_page_invite_flow(client, alice, bob, datanet):
    client.force_login(alice)
    response = client.post(f"/d/{datanet.slug}/members/", {"identifier": "bob", "role": "curator"}, follow=True)
    assert b"bob is now a curator" in response.content
