from django.core.cache import cache


def test_login_and_logout(client, alice, password):
    response = client.post("/accounts/login/", {"username": "alice", "password": password})
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/accounts/profile/").status_code == 302


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, alice, password, settings):
    cache.clear()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "alice", "password": password})
    assert response.status_code == 200
    assert b"Too many failed logins" in response.content
    assert client.get("/accounts/profile/").status_code == 302
    cache.clear()


def test_token_endpoint_is_throttled_too(api, alice, password, settings):
    cache.clear()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert api.post("/api/v1/auth/token/", {"username": "alice", "password": "nope"}).status_code == 401
    response = api.post("/api/v1/auth/token/", {"username": "alice", "password": password})
    assert response.status_code == 429
    assert "Too many failed logins" in response.json()["detail"]
    cache.clear()
