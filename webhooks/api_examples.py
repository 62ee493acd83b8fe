"""OpenAPI examples for webhook endpoints and their delivery log, by operation id (read by
openledger/schema.py; checked against the schema by tests/openledger/test_schema_drift.py)."""

from drf_spectacular.utils import OpenApiExample

ENDPOINT = {
    "id": 12, "url": "https://example.com/hooks/datanets", "description": "my pipeline", "scope": "mine",
    "events": ["submission.processed", "reward.accrued"], "owner": "bob", "is_active": True,
    "failing_since": None, "disabled_at": None, "disabled_reason": "",
    "created_at": "2026-11-20T09:00:00Z", "updated_at": "2026-11-20T09:00:00Z",
}

SECRET = "whsec_3q2-7wGmU1Yx0bqkJH6fN0c8zS4aP5vLrT9eDkW2xYo"

FAILED_ATTEMPT = {"number": 1, "attempted_at": "2026-11-20T09:05:00Z", "ok": False, "status_code": 500,
                  "latency_ms": 84, "error": "Answered 500; only a 2xx counts as delivered.",
                  "response_excerpt": "Internal Server Error"}

DELIVERY = {
    "id": 301, "event_id": "9b2a4e92-f99d-4e8f-afe9-5c01dd1aebc7", "event_type": "submission.processed",
    "event_created": "2026-11-20T09:05:00Z", "status": "succeeded", "attempts": 2, "next_attempt_at": None,
    "last_status_code": 200, "last_latency_ms": 41, "last_error": "", "last_response_excerpt": "ok",
    "created_at": "2026-11-20T09:05:00Z", "finished_at": "2026-11-20T09:06:00Z", "redelivery_of": None,
    "attempt_log": [FAILED_ATTEMPT, {"number": 2, "attempted_at": "2026-11-20T09:06:00Z", "ok": True,
                                     "status_code": 200, "latency_ms": 41, "error": "", "response_excerpt": "ok"}],
}


def _response(name: str, value, code: str = "200") -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[code])


def _request(name: str, value) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)


EXAMPLES = {
    "datanets_webhooks_list": [_response("A contributor's endpoint", ENDPOINT)],
    "datanets_webhooks_create": [_response("Registered, with its secret", {**ENDPOINT, "secret": SECRET}, "201")],
    "datanets_webhooks_retrieve": [_response("An endpoint", ENDPOINT)],
    "datanets_webhooks_update": [
        _request("Pause", {"is_active": False}),
        _request("Change the events", {"events": ["record.accepted", "record.rejected"]}),
        _response("Paused", {**ENDPOINT, "is_active": False, "updated_at": "2026-11-21T10:00:00Z"}),
    ],
    "datanets_webhooks_secret": [
        _request("Reveal", {}),
        _request("Rotate", {"rotate": True}),
        _response("The secret in force", {"secret": SECRET}),
    ],
    "datanets_webhooks_deliveries_list": [_response("Delivered on the second attempt", DELIVERY)],
    "datanets_webhooks_redeliver": [
        _request("Send again", {}),
        _response("A new delivery of the same event", {
            **DELIVERY, "id": 322, "status": "pending", "attempts": 1, "next_attempt_at": "2026-11-21T10:01:00Z",
            "last_status_code": 500, "last_latency_ms": 84, "last_error": FAILED_ATTEMPT["error"],
            "last_response_excerpt": "Internal Server Error", "created_at": "2026-11-21T10:00:00Z",
            "finished_at": None, "redelivery_of": 301, "attempt_log": [FAILED_ATTEMPT]}, "202"),
    ],
}
