from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken


def test_token_created_on_the_page_is_shown_once_and_stored_hashed(client, alice):
    client.force_login(alice)
    response = client.post("/accounts/tokens/", {"name": "pipeline", "scope": "write"})
    raw = response.context["new_token"]
    assert raw.startswith("dn_") and raw.encode() in response.content
    token = ApiToken.objects.get(user=alice)
    assert raw not in token.key_hash and len(token.key_hash) == 64
    again = client.get("/accounts/tokens/")
    assert raw.encode() not in again.content


def test_bearer_token_authenticates_and_revoke_stops_it(client, alice, token_for):
    raw = token_for(alice)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/me/").json()["username"] == "alice"
    client.force_login(alice)
    token = ApiToken.objects.get(user=alice)
    client.post(f"/accounts/tokens/{token.id}/revoke/")
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert "revoked or expired" in response.json()["detail"]


def test_expired_token_is_refused(alice, token_for):
    raw = token_for(alice)
    ApiToken.objects.filter(user=alice).update(expires_at=timezone.now() - timedelta(minutes=1))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/me/").status_code == 401


def test_read_scope_token_cannot_write(api_as, alice):
    api = api_as(alice, scope="read")
    assert api.get("/api/v1/datanets/").status_code == 200
    response = api.post("/api/v1/datanets/", {"name": "Nope"}, format="json")
    assert response.status_code == 403
    assert "read scope" in response.json()["detail"]


def test_password_exchange_returns_a_working_token(api, alice, password):
    response = api.post("/api/v1/auth/token/", {"username": "alice", "password": password, "name": "script"})
    assert response.status_code == 201
    raw = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/me/").json()["token_scope"] == "write"


def test_password_exchange_with_wrong_password(api, alice):
    response = api.post("/api/v1/auth/token/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong username or password."
