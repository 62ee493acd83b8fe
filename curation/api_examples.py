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


APPEAL = {"id": 12, "record": 4711, "datanet": "first-aid-qa", "appellant": "dave", "rejected_as": "rejected",
          "message": "The source is the Red Cross manual, page 12; it is on topic.", "status": "open", "note": "",
          "decided_by": None, "decided_at": None, "created_at": "2026-11-23T10:00:00Z", "record_status": "rejected"}
GOLD = {"id": 5, "record": 4711, "answer": "accept", "active": True, "created_at": "2026-11-23T10:00:00Z",
        "answered": 6, "agreed": 5}

EXAMPLES = {
    "records_appeal_create": [
        _request("Appeal a rejection", {"message": APPEAL["message"]}),
        _response("Appeal filed", APPEAL, "201"),
    ],
    "appeals_list": [_response("Your appeals", APPEAL)],
    "datanets_appeals_list": [_response("Open appeals", APPEAL)],
    "appeals_resolve": [
        _request("Overturn", {"decision": "overturn", "note": "Right, the manual covers this."}),
        _response("Overturned: the record is accepted", {**APPEAL, "status": "overturned", "note": "Right.",
                                                          "decided_by": "alice", "decided_at": "2026-11-23T12:00:00Z",
                                                          "record_status": "accepted"}),
    ],
    "datanets_gold_list": [_response("Gold items", GOLD)],
    "datanets_gold_mark": [
        _request("Mark a record as gold", {"record": 4711, "answer": "accept"}),
        _response("Marked", {**GOLD, "answered": 0, "agreed": 0}, "201"),
    ],
    "datanets_gold_policy_read": [_response("One gold item in ten", {"every": 10})],
    "datanets_gold_policy_update": [_request("One in twenty", {"every": 20}), _response("Saved", {"every": 20})],
    "datanets_curators_agreement": [_response("Per curator", {
        "curator": "carol", "decided": 120, "agreed": 111, "agreement": 0.925, "gold_answered": 12,
        "gold_agreed": 11, "gold_agreement": 0.9167})],
    "datanets_review_bulk": [
        _request("Count first", {"action": "reject", "filter": {"score_below": 0.3}, "reason": "low_quality"}),
        _request("Then apply", {"action": "reject", "filter": {"score_below": 0.3}, "reason": "low_quality",
                                "confirm": True}),
        _response("Applied", {"action": "reject", "filter": "quality score below 0.3", "matched": 42,
                              "applies_to": 42, "applied": 41, "skipped": 1}),
    ],
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
                                                           "escalated": False, "gold": None}, "201"),
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
