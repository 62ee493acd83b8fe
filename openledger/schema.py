"""How the OpenAPI schema describes what every endpoint shares, so the schema says what the code does.

On top of drf-spectacular's defaults, each operation gets:

- its error answers, all in the one shape ``ErrorOutput``: 401, 403 and 429 everywhere; 404 where
  the path names an object or the list is paginated; 400 where there is a body or query to get
  wrong; 415 where there is a body (in a media type the view does not read); 409 and 422 where
  an `Idempotency-Key` is honoured (openledger/idempotency.py). Other refusals (a duplicate
  upload's 409, a 413) are declared next to the view in `@extend_schema`;
- the `Idempotency-Key` request header and the `Idempotent-Replayed` response header on
  idempotent POSTs; `If-None-Match`, `ETag` and 304 on detail endpoints (openledger/etag.py);
- the `X-RateLimit-*` headers on every answer (openledger/throttling.py);
- its examples: those given to `@extend_schema(examples=...)` plus those an app lists by
  operation id in its `api_examples.py` (``EXAMPLES = {"operation_id": [OpenApiExample, ...]}``).

`tests/openledger/test_schema_drift.py` checks every API answer of the test suite against this.
"""

import importlib
import importlib.util
from functools import cache

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

ERRORS = {
    "400": "The request is malformed or a field is invalid: `errors` names each field with its messages.",
    "401": "No credentials, or the token is unknown, revoked or expired.",
    "403": "Signed in, but not allowed to do this (the message says who may), or a read-only token.",
    "404": "Nothing here that you may see (private datanets answer 404 to non-members), or a stale cursor/page.",
    "409": "Conflicts with the current state (the message says which and what to do).",
    "415": "The body's Content-Type is not one this operation reads (send JSON, or what the operation lists).",
    "422": "This Idempotency-Key was already used for a different request.",
    "429": "Too many requests: wait `Retry-After` seconds (also `retry_after_seconds`).",
}


class ErrorOutput(serializers.Serializer):
    """Every error: a message for people, a code for programs, and per-field messages on a 400."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    existing_submission = serializers.UUIDField(required=False, help_text="409 on a repeated upload: the first one")
    retry_after_seconds = serializers.IntegerField(required=False, help_text="429: how long to wait")


RATE_LIMIT_HEADERS = [
    OpenApiParameter("X-RateLimit-Limit", int, OpenApiParameter.HEADER, response=True,
                     description="Requests allowed in the current window (the tightest limit that applies)."),
    OpenApiParameter("X-RateLimit-Remaining", int, OpenApiParameter.HEADER, response=True,
                     description="Requests left in the window."),
    OpenApiParameter("X-RateLimit-Reset", int, OpenApiParameter.HEADER, response=True,
                     description="Seconds until a request is freed (0 while some remain)."),
]


@cache
def _registered_examples() -> dict[str, list[OpenApiExample]]:
    from django.apps import apps

    found: dict[str, list[OpenApiExample]] = {}
    for app in apps.get_app_configs():
        if importlib.util.find_spec(f"{app.name}.api_examples") is None:
            continue
        for operation_id, examples in importlib.import_module(f"{app.name}.api_examples").EXAMPLES.items():
            found.setdefault(operation_id, []).extend(examples)
    return found


class AutoSchema(openapi.AutoSchema):
    def _handler(self):
        return getattr(self.view, self.method.lower(), None)

    def _idempotent(self) -> bool:
        return bool(getattr(self._handler(), "idempotent", False))

    def _etag(self) -> bool:
        return self.method == "GET" and bool(getattr(self.view, "etag", False))

    def _get_paginator(self):
        # Only reads are paginated: a POST that answers a list (e.g. a reconciliation run) answers all of it.
        return super()._get_paginator() if self.method == "GET" else None

    def get_examples(self) -> list[OpenApiExample]:
        return [*super().get_examples(), *_registered_examples().get(self.get_operation_id(), [])]

    def get_override_parameters(self) -> list:
        params = [*super().get_override_parameters(), *RATE_LIMIT_HEADERS]
        if self._idempotent():
            params += [
                OpenApiParameter(
                    "Idempotency-Key", str, OpenApiParameter.HEADER,
                    description="Any unique string (a UUID): a repeat of this request with the same key gets the "
                                "first answer instead of a second effect; a different request under it gets 422."),
                OpenApiParameter("Idempotent-Replayed", str, OpenApiParameter.HEADER, response=True, enum=["true"],
                                 description="Present on a repeat: this is the first request's answer."),
            ]
        if self._etag():
            params += [
                OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER,
                                 description="An ETag from an earlier answer: 304 with no body while unchanged."),
                OpenApiParameter("ETag", str, OpenApiParameter.HEADER, response=["200", "304"],
                                 description="The version of this answer, for If-None-Match."),
            ]
        return params

    def _error_codes(self) -> list[str]:
        codes = ["401", "403", "429"]
        reads = self.method == "GET"
        paginated = reads and getattr(self.view, "pagination_class", None) is not None
        # Writes may name something (in the path or the body) that is not there for this caller.
        if not reads or "{" in self.path or paginated:
            codes.append("404")
        if not reads or any(p.get("in") == "query" for p in self._get_parameters()):
            codes.append("400")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")  # DRF refuses a body in a media type no parser of the view reads
        if self._idempotent():
            codes += ["409", "422"]
        return codes

    def _get_response_bodies(self, direction="response") -> dict:
        responses = super()._get_response_bodies(direction)
        if self._etag():
            responses.setdefault("304", self._get_response_for_code(
                OpenApiResponse(description="Not modified: If-None-Match matches the current ETag."), "304"))
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorOutput, description=ERRORS[code]), code)
        return dict(sorted(responses.items()))



def shared_headers_hook(result: dict, generator, request, public) -> dict:
    """Postprocessing: the rate-limit headers once under components/headers, referenced by every answer."""
    shared = {p.name for p in RATE_LIMIT_HEADERS}
    components = result.setdefault("components", {}).setdefault("headers", {})
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for response in operation.get("responses", {}).values():
                for name, header in list(response.get("headers", {}).items()):
                    if name in shared:
                        components.setdefault(name, header)
                        response["headers"][name] = {"$ref": f"#/components/headers/{name}"}
    return result
