"""Failed-login throttling, per username and per client address, in the shared cache."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, ip: str) -> list[str]:
    # The username as a digest: whatever was typed (any length, control characters), the key stays
    # short and valid for every cache backend, and the cache holds no usernames.
    user = hashlib.sha256(username.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return [f"login-fail:user:{user}", f"login-fail:ip:{ip}"]


def login_is_locked(*, username: str, ip: str) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    user_key, ip_key = _keys(username, ip)
    # An address gets more room than one account: several people can share a NAT.
    return (cache.get(user_key, 0) >= limit) or (cache.get(ip_key, 0) >= limit * 4)


def login_failure_record(*, username: str, ip: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in _keys(username, ip):
        if cache.add(key, 1, window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)


def login_failures_reset(*, username: str, ip: str) -> None:
    cache.delete(_keys(username, ip)[0])
