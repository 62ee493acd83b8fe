"""API rate limits, reported on every response.

Each throttled response (and every other API response) carries:

- `X-RateLimit-Limit`: requests allowed in the window (the tightest limit that applies);
- `X-RateLimit-Remaining`: requests left in it;
- `X-RateLimit-Reset`: seconds until a request is freed (0 when some remain);

and a refused request gets `429` with `Retry-After` (seconds) and `retry_after_seconds` in the
body. The limits are the settings `API_RATE_ANON`, `API_RATE_USER` and `API_RATE_TOKEN_CREATE`.
"""

import math

from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling
from rest_framework.settings import api_settings

HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


class _Reporting:
    def get_rate(self):
        # Read live (not at import) so that settings overrides apply.
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError as exc:
            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}") from exc

    def allow_request(self, request, view) -> bool:
        allowed = super().allow_request(request, view)
        if self.rate is None or getattr(self, "key", None) is None or not hasattr(self, "history"):
            return allowed
        remaining = max(0, self.num_requests - len(self.history))
        oldest = self.history[-1] if self.history else self.now
        reset = 0 if remaining else max(0, math.ceil(self.duration - (self.now - oldest)))
        report = (self.num_requests, remaining, reset)
        current = getattr(request._request, "ratelimit", None)
        if current is None or report[1] < current[1]:
            request._request.ratelimit = report
        return allowed


class AnonRateThrottle(_Reporting, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_Reporting, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(_Reporting, throttling.ScopedRateThrottle):
    pass


class RateLimitHeadersMiddleware:
    """Copies the tightest limit a throttle measured for this request into the response headers."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        report = getattr(request, "ratelimit", None)
        if report is not None:
            for header, value in zip(HEADERS, report):
                response[header] = str(value)
        return response
