"""`Idempotency-Key` on the API's creating POSTs: a repeat gets the first answer, not a second effect.

Decorate a view method with `@idempotent`. When the request carries an `Idempotency-Key` header
(any string up to 255 printable characters, unique per user — a UUID is a good choice):

- the first request with the key runs and, when it succeeds (2xx), its status and body are kept
  for `IDEMPOTENCY_KEY_TTL_HOURS` (24 h);
- a repeat with the same method, path and body gets that status and body again, with the header
  `Idempotent-Replayed: true`, and nothing is executed a second time;
- a repeat with a different method, path or body is refused with 422 `idempotency_key_reused`;
- a repeat while the first is still running is refused with 409 `idempotency_in_progress` (retry
  shortly) — so concurrent repeats never both execute;
- a first request that fails (4xx, 5xx, or an exception) keeps nothing: the key may be sent again
  with a corrected or retried request.

Requests without the header, or from nobody signed in, are not affected.
"""

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from accounts.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


@dataclass
class Refusal:
    status: int
    code: str
    detail: str

    def response(self) -> Response:
        return Response({"detail": self.detail, "code": self.code, "errors": {}}, status=self.status)


def request_fingerprint(request: Any) -> str:
    """SHA-256 over the method, the full path and the parsed body (uploaded files by their bytes)."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    data = request.data
    if hasattr(data, "lists"):  # a QueryDict: form or multipart fields
        data = {key: values for key, values in data.lists()}
    digest.update(json.dumps(data, sort_keys=True, cls=JSONEncoder, default=str).encode())
    for name in sorted(getattr(request, "FILES", {}) or {}):
        for upload in request.FILES.getlist(name):
            digest.update(f"\nfile {name} {upload.name} {upload.size}\n".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def idempotency_claim(*, user: Any, key: str, fingerprint: str, method: str, path: str) -> IdempotencyKey | Response:
    """Take the key for this request, or return the answer a repeat gets (a replay or a refusal)."""
    for _ in range(3):  # the row may vanish (released, expired) between our insert and our read
        now = timezone.now()
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint, method=method,
                                                     path=path[:2000], created_at=now, locked_at=now)
        except IntegrityError:
            pass
        row = IdempotencyKey.objects.filter(user=user, key=key).first()
        if row is None:
            continue
        if row.created_at < now - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS):
            IdempotencyKey.objects.filter(pk=row.pk, created_at=row.created_at).delete()
            continue
        if row.fingerprint != fingerprint:
            return Refusal(
                status.HTTP_422_UNPROCESSABLE_ENTITY, "idempotency_key_reused",
                f"This Idempotency-Key was already used for a different request ({row.method} {row.path}, "
                "another body). Send a new key with each new request; repeat a key only to retry the same request.",
            ).response()
        if row.status_code is None:
            stale = now - timedelta(seconds=settings.IDEMPOTENCY_LOCK_SECONDS)
            if row.locked_at and row.locked_at < stale and IdempotencyKey.objects.filter(
                    pk=row.pk, status_code=None, locked_at=row.locked_at).update(locked_at=now):
                row.locked_at = now
                return row  # the first request's worker died: this one runs instead
            return Refusal(status.HTTP_409_CONFLICT, "idempotency_in_progress",
                           "A request with this Idempotency-Key is still running. Retry in a few seconds "
                           "to get its answer.").response()
        response = Response(row.response_body, status=row.status_code)
        response["Idempotent-Replayed"] = "true"
        return response
    return Refusal(status.HTTP_409_CONFLICT, "idempotency_in_progress",
                   "This Idempotency-Key is in use by concurrent requests. Retry in a few seconds.").response()


def idempotency_complete(*, claim: IdempotencyKey, response: Response) -> None:
    body = json.loads(json.dumps(response.data, cls=JSONEncoder)) if response.data is not None else None
    IdempotencyKey.objects.filter(pk=claim.pk).update(status_code=response.status_code, response_body=body,
                                                      locked_at=None)


def idempotency_release(*, claim: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=claim.pk, status_code=None).delete()


def idempotency_keys_purge() -> int:
    """Delete keys past their lifetime; returns how many."""
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _key_refusal(key: str) -> Response | None:
    if len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.strip():
        return Refusal(status.HTTP_400_BAD_REQUEST, "idempotency_key_invalid",
                       f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable characters, e.g. a UUID.").response()
    return None


def idempotent(view_method):
    """Make a DRF view method (a creating POST) honour the `Idempotency-Key` header."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return view_method(self, request, *args, **kwargs)
        refusal = _key_refusal(key)
        if refusal is not None:
            return refusal
        claim = idempotency_claim(user=request.user, key=key, fingerprint=request_fingerprint(request),
                                  method=request.method, path=request.get_full_path())
        if isinstance(claim, Response):
            return claim
        try:
            response = view_method(self, request, *args, **kwargs)
        except BaseException:
            idempotency_release(claim=claim)
            raise
        if 200 <= response.status_code < 300:
            idempotency_complete(claim=claim, response=response)
        else:
            idempotency_release(claim=claim)
        return response

    wrapper.idempotent = True
    return wrapper
