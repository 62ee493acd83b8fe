"""A thin client of the REST API: authentication, the error shape, retries, pagination.

Every POST carries an `Idempotency-Key`, so a request retried after a lost connection or a 5xx
is answered with the first response instead of being executed twice.
"""

import time
import uuid
from collections.abc import Iterator
from typing import Any

import requests

from datanet_cli import __version__

RETRY_STATUSES = {429, 502, 503, 504}
RETRIES = 3


class ApiError(Exception):
    """The server refused: status, the {"detail", "code", "errors"} body, anything else it said."""

    def __init__(self, status: int, detail: str, code: str = "", errors: dict | None = None,
                 body: dict | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.errors = errors or {}
        self.body = body or {}

    def __str__(self) -> str:
        lines = [f"{self.detail} (HTTP {self.status}{', ' + self.code if self.code else ''})"]
        for field, messages in self.errors.items():
            if field in ("non_field_errors", "") or (len(self.errors) == 1 and len(messages) == 1 and
                                                       self.detail in (messages[0], f"{field}: {messages[0]}")):
                continue
            lines.extend(f"  {field}: {message}" for message in messages)
        return "\n".join(lines)


class Unreachable(Exception):
    pass


def error_from(response: requests.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "detail" in body:
        return ApiError(response.status_code, str(body["detail"]), str(body.get("code", "")),
                        body.get("errors") or {}, body)
    if response.status_code == 404:
        return ApiError(404, f"Nothing at {response.url}: check the id or slug, and --url.")
    text = response.text.strip().splitlines()[0][:200] if response.text.strip() else response.reason
    return ApiError(response.status_code, f"The server answered {response.status_code}: {text}")


class Api:
    def __init__(self, url: str, token: str | None = None, *, timeout: float = 300.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"datanet-cli/{__version__}"
        self.session.headers["Accept"] = "application/json"
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def absolute(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.url}{path}"

    def request(self, method: str, path: str, *, ok: tuple[int, ...] = (200,), idempotency_key: str | None = None,
                rewind: Any = None, **kwargs: Any) -> requests.Response:
        """Send a request; raise ApiError unless the status is in `ok`.

        Connection failures and 429/502/503/504 are retried (with the same idempotency key, so a
        POST is never executed twice). `rewind` is called before each retry to restart a body.
        """
        headers = dict(kwargs.pop("headers", None) or {})
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        kwargs.setdefault("timeout", self.timeout)
        for attempt in range(RETRIES + 1):
            if attempt and rewind is not None:
                rewind()
            try:
                response = self.session.request(method, self.absolute(path), headers=headers, **kwargs)
            except requests.ConnectionError as exc:
                if attempt == RETRIES:
                    raise Unreachable(f"Cannot reach {self.url} ({exc.__class__.__name__}). "
                                      "Is the server running? Check --url or DATANET_URL.") from exc
                time.sleep(min(2 ** attempt, 10))
                continue
            if response.status_code in RETRY_STATUSES and attempt < RETRIES:
                wait = response.headers.get("Retry-After", "")
                time.sleep(min(float(wait) if wait.replace(".", "", 1).isdigit() else 2 ** attempt, 30))
                continue
            if response.status_code not in ok:
                raise error_from(response)
            return response
        raise AssertionError("unreachable")

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs).json()

    def post(self, path: str, body: dict | None = None, *, ok: tuple[int, ...] = (200, 201, 202),
             idempotency_key: str | None = None) -> Any:
        response = self.request("POST", path, json=body or {}, ok=ok, idempotency_key=idempotency_key)
        return response.json() if response.content else None

    def patch(self, path: str, body: dict) -> Any:
        return self.request("PATCH", path, json=body).json()

    def pages(self, path: str, params: dict | None = None) -> Iterator[dict]:
        """Every item of a list, following `next` (page-numbered and cursor lists alike)."""
        url: str | None = path
        while url:
            body = self.get(url, params=params)
            params = None  # `next` carries them
            yield from body["results"]
            url = body.get("next")
