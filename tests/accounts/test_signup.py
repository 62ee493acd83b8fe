from django.contrib.auth import get_user_model

from datanets.models import Membership
from datanets.services import membership_invite


def test_signup_creates_account_profile_and_logs_in(client, db):
    response = client.post("/accounts/signup/", {
        "username": "erin", "email": "Erin@Example.org", "display_name": "Erin E.",
        "password1": "a-long-unusual-passphrase", "password2": "a-long-unusual-passphrase",
    })
    assert response.status_code == 302
    user = get_user_model().objects.get(username="erin")
    assert user.email == "erin@example.org"
    assert user.profile.display_name == "Erin E."
    page = client.get("/accounts/profile/")
    assert page.status_code == 200 and b"Erin E." in page.content


def test_signup_refuses_a_taken_email_with_a_message(client, alice):
    response = client.post("/accounts/signup/", {
        "username": "other", "email": "ALICE@example.org",
        "password1": "a-long-unusual-passphrase", "password2": "a-long-unusual-passphrase",
    })
    assert response.status_code == 200
    assert b"already exists" in response.content
    assert not get_user_model().objects.filter(username="other").exists()


def test_invitation_by_email_becomes_membership_at_signup(client, alice, datanet):
    membership_invite(datanet=datanet, actor=alice, identifier="newbie@example.org", role="curator")
    client.post("/accounts/signup/", {
        "username": "newbie", "email": "newbie@example.org",
        "password1": "a-long-unusual-passphrase", "password2": "a-long-unusual-passphrase",
    })
    membership = Membership.objects.get(datanet=datanet, user__username="newbie")
    assert membership.role == "curator"


def test_password_reset_sends_a_link_that_works(client, alice, mailoutbox):
    client.post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": "brand-new-passphrase-42", "new_password2": "brand-new-passphrase-42"})
    assert done.status_code == 302
    assert client.login(username="alice", password="brand-new-passphrase-42")
