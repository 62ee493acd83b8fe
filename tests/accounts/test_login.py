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


def test_any_typed_username_is_throttled_without_cache_key_trouble(settings):
    """Whatever is typed as a username (very long, control characters, other scripts) counts
    towards the lock under a short key any cache backend accepts, and differently typed cases
    of one name share it."""
    import warnings

    from django.core.cache import CacheKeyWarning

    from accounts.login_throttle import _keys, login_failure_record, login_is_locked

    cache.clear()
    typed = "\U000d529d\x9d\x7f«" + "ж" * 300
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        for _ in range(settings.LOGIN_FAILURE_LIMIT):
            assert not login_is_locked(username=typed, ip="203.0.113.9")
            login_failure_record(username=typed, ip="203.0.113.9")
        assert login_is_locked(username=typed.upper(), ip="198.51.100.7")
    assert all(len(key) < 64 for key in _keys(typed, "203.0.113.9"))
    assert not login_is_locked(username="someone-else", ip="198.51.100.7")
    cache.clear()
