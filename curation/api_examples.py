"""OpenAPI examples for review, reports, moderation and releases, by operation id (read by
openledger/schema.py; checked against the schema by tests/openledger/test_schema_drift.py)."""

from drf_spectacular.utils import OpenApiExample

VOTE = {"id": 88, "record": 4711, "decision": "accept", "reason": "", "comment": "", "final": False,
        "created_at": "2026-11-20T11:02:00Z"}

REPORT = {"id": 31, "target": "record", "datanet": "first-aid-qa", "record": 4711, "reporter": "erin",
          "reason": "personal_data", "comment": "Names a patient.", "status": "open", "resolution": "",
          "resolution_note": "", "resolved_by": None, "resolved_at": None, "created_at": "2026-11-21T09:30:00Z"}

MODERATION_REPORT = {**REPORT, "reported_record": {
    "id": 4711, "text": "Cool a burn under cool running water for twenty minutes.",
    "fields": {"text": "Cool a burn under cool running water for twenty minutes."}, "status": "accepted",
    "contributor": "dave"}}

RELEASE = {"id": 7, "datanet": "first-aid-qa", "version": 3, "status": "ready", "progress": 1.0, "error": "",
           "record_count": 1180, "merkle_root": "b7e1" + "0" * 60,
           "changes": {"previous": 2, "added": 140, "removed": [4102, 4150]}, "created_by": "alice",
           "created_at": "2026-11-22T12:00:00Z", "finished_at": "2026-11-22T12:01:10Z",
           "url": "https://datanets.example.org/api/v1/releases/7/"}

FILES = [{"kind": kind, "name": name, "size": size, "sha256": "a1" * 32,
          "url": f"https://datanets.example.org/api/v1/releases/7/files/{kind}/"}
         for kind, name, size in (("jsonl", "data.jsonl", 912_340), ("parquet", "data.parquet", 402_118),
                                  ("manifest", "manifest.jsonl", 151_040), ("card", "README.md", 3_912))]


def _response(name: str, value, code: str = "200") -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[code])


def _request(name: str, value) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)


EXAMPLES = {
    "datanets_review_next": [
        _request("No options", {}),
        _response("The next record, claimed for you", {
            "id": 4711, "fields": {"text": "Cool a burn under cool running water for twenty minutes."},
            "text": "Cool a burn under cool running water for twenty minutes.", "quality_score": 0.71,
            "quality_components": {"relevance": 0.82, "novelty": 0.64, "heuristics": 0.9},
            "model_version": "all-MiniLM-L6-v2/onnx-int8",
            "receipt": [{"check": "quality", "outcome": "pass", "value": 0.71, "threshold": 0.3}],
            "created_at": "2026-11-20T10:00:05Z", "claim_expires_at": "2026-11-20T11:10:00Z", "escalated": False,
            "approvals": 0, "rejections": 0, "reviews": [],
            "neighbours": [{"id": 4502, "text": "Run cool water over a burn for 20 minutes.", "similarity": 0.62}],
        }),
    ],
    "reviews_create": [
        _request("Accept", {"record": 4711, "decision": "accept"}),
        _request("Reject with a reason", {"record": 4711, "decision": "reject", "reason": "off_topic",
                                          "comment": "About sunscreen, not first aid."}),
        _response("Recorded; the record is now accepted", {**VOTE, "final": True, "record_status": "accepted",
                                                           "escalated": False}, "201"),
    ],
    "records_reviews_list": [_response("The votes on a record", VOTE)],
    "reports_create": [
        _request("Report a record", {"record": 4711, "reason": "personal_data", "comment": "Names a patient."}),
        _request("Report a datanet", {"datanet": "first-aid-qa", "reason": "spam"}),
        _response("Filed", REPORT, "201"),
    ],
    "moderation_reports_list": [_response("An open report", MODERATION_REPORT)],
    "moderation_reports_resolve": [
        _request("Take the record down", {"action": "takedown", "note": "Contains a patient's name."}),
        _request("Dismiss", {"action": "dismiss"}),
        _response("Resolved", {**MODERATION_REPORT, "status": "actioned", "resolution": "takedown",
                               "resolution_note": "Contains a patient's name.", "resolved_by": "sam",
                               "resolved_at": "2026-11-21T10:00:00Z",
                               "reported_record": {**MODERATION_REPORT["reported_record"], "status": "removed"}}),
    ],
    "moderation_audit_list": [_response("A takedown", {
        "id": 9012, "created_at": "2026-11-21T10:00:00Z", "actor": "sam", "action": "record.removed",
        "target_type": "datanets.record", "target_id": "4711", "target_repr": "record #4711",
        "datanet": "first-aid-qa", "reason": "Contains a patient's name.", "data": {"report": 31}})],
    "datanets_releases_list": [_response("A ready release", RELEASE)],
    "datanets_releases_create": [
        _request("No options", {}),
        _response("Building", {**RELEASE, "version": 4, "status": "building", "progress": 0.0, "record_count": 0,
                               "merkle_root": "", "changes": None, "finished_at": None,
                               "url": "https://datanets.example.org/api/v1/releases/8/"}, "202"),
    ],
    "releases_retrieve": [_response("Ready, with its files", {**RELEASE, "files": FILES})],
}
