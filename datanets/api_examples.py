"""OpenAPI examples for the datanets API, by operation id (read by openledger/schema.py).

tests/openledger/test_schema_drift.py checks that every operation has them and that each one
matches its schema, so they stay true.
"""

from drf_spectacular.utils import OpenApiExample

SUBMISSION_ID = "8d1f0c7e-52b1-4f7e-9a41-3c0f5f0f2b6d"

DATANET = {
    "slug": "first-aid-qa", "name": "First-aid Q&A",
    "summary": "Short, correct answers to first-aid questions.",
    "description": "Answers a trained first-aider would give. **No** medical advice beyond first aid.",
    "description_html": "<p>Answers a trained first-aider would give. <strong>No</strong> medical advice beyond "
                        "first aid.</p>",
    "tags": ["health", "first-aid"], "domain": "medicine", "license": "CC-BY-4.0", "visibility": "public",
    "status": "open", "is_frozen": False,
    "record_schema": {"type": "object", "properties": {"text": {"type": "string", "minLength": 20}},
                      "required": ["text"]},
    "text_field": "text", "txt_mode": "line", "near_dup_threshold": 0.85, "minhash_num_perm": 128,
    "shingle_size": 5, "min_quality": 0.3, "quality_weights": {"relevance": 0.5, "novelty": 0.3, "heuristics": 0.2},
    "approvals_required": 1, "auto_accept_above": None, "review_order": "quality", "record_count": 1250,
    "contributor_count": 14, "created_at": "2026-11-02T09:15:00Z", "updated_at": "2026-11-20T16:40:12Z",
    "url": "https://datanets.example.org/d/first-aid-qa/", "your_role": "owner",
}

SUBMISSION = {
    "id": SUBMISSION_ID, "datanet": "first-aid-qa", "contributor": "dave", "kind": "file",
    "original_name": "burns.csv", "size": 48213, "sha256": "9f2b" + "0" * 60, "format": "csv", "status": "done",
    "error": "", "progress": 1.0,
    "counts": {"total": 240, "invalid": 3, "exact_dup": 5, "near_dup": 12, "low_quality": 20, "queued": 180,
               "accepted": 20},
    "created_at": "2026-11-20T10:00:00Z", "started_at": "2026-11-20T10:00:01Z", "finished_at": "2026-11-20T10:00:19Z",
}

RECORD = {
    "id": 4711, "contributor": "dave", "submission": SUBMISSION_ID, "row": 12,
    "fields": {"text": "Cool a burn under cool running water for twenty minutes."},
    "content_hash": "3c5e" + "0" * 60, "status": "in_review", "quality_score": 0.71,
    "quality_components": {"relevance": 0.82, "novelty": 0.64, "heuristics": 0.9},
    "model_version": "all-MiniLM-L6-v2/onnx-int8", "duplicate_of": None, "similarity": None,
    "receipt": [{"check": "schema", "outcome": "pass"},
                {"check": "quality", "outcome": "pass", "value": 0.71, "threshold": 0.3},
                {"check": "route", "outcome": "in_review", "rule": "always review", "threshold": None}],
    "created_at": "2026-11-20T10:00:05Z", "decided_at": None,
}

MEMBER = {"username": "carol", "display_name": "Carol", "role": "curator", "created_at": "2026-11-03T08:00:00Z"}


def _response(name: str, value, code: str = "200") -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[code])


def _request(name: str, value, media_type: str | None = None) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True, media_type=media_type)


EXAMPLES = {
    "datanets_list": [_response("A datanet", DATANET)],
    "datanets_create": [
        _request("Create", {"name": "First-aid Q&A", "summary": "Short, correct answers to first-aid questions.",
                            "tags": ["health", "first-aid"], "license": "CC-BY-4.0", "visibility": "public"}),
        _response("Created (a draft)", {**DATANET, "status": "draft", "record_count": 0, "contributor_count": 0},
                  "201"),
    ],
    "datanets_retrieve": [_response("A datanet", DATANET)],
    "datanets_update": [
        _request("Open it for contributions", {"status": "open"}),
        _request("Tighten the policies", {"near_dup_threshold": 0.9, "min_quality": 0.4, "approvals_required": 2}),
        _response("Updated", DATANET),
    ],
    "datanets_members_list": [_response("A member", MEMBER)],
    "datanets_members_create": [
        _request("Invite a user by name", {"identifier": "carol", "role": "curator"}),
        _request("Invite by email", {"identifier": "erin@example.org", "role": "contributor"}),
        _response("Added", {"status": "added", "member": MEMBER}, "201"),
        _response("Invited by email", {"status": "invited", "email": "erin@example.org"}, "201"),
    ],
    "datanets_members_update": [_request("Make a curator", {"role": "curator"}), _response("Changed", MEMBER)],
    "datanets_submissions_list": [_response("A submission", SUBMISSION)],
    "datanets_submissions_create": [
        _request("A CSV file", {"file": "(the file's bytes: burns.csv)"}, media_type="multipart/form-data"),
        _response("Accepted for processing", {**SUBMISSION, "status": "uploaded", "progress": 0.0,
                                              "counts": {k: 0 for k in SUBMISSION["counts"]},
                                              "started_at": None, "finished_at": None}, "202"),
        _response("The same bytes again", {
            "detail": "These exact bytes were already uploaded to this datanet as 'burns.csv' on 2026-11-20 10:00 "
                      "UTC; they are not processed twice.", "code": "upload_refused", "errors": {},
            "existing_submission": SUBMISSION_ID}, "409"),
    ],
    "datanets_records_list": [_response("A record and its receipt", RECORD)],
    "datanets_records_create": [
        _request("Two records", {"records": [{"text": "Cool a burn under cool running water for twenty minutes."},
                                             {"text": "Press firmly on a bleeding cut with a clean cloth."}]}),
        _response("Accepted for processing", {**SUBMISSION, "kind": "api", "original_name": "api-batch-20261120T100000"
                                              ".jsonl", "format": "jsonl", "status": "uploaded", "progress": 0.0,
                                              "counts": {k: 0 for k in SUBMISSION["counts"]}, "started_at": None,
                                              "finished_at": None}, "202"),
    ],
    "datanets_uploads_create": [
        _request("A large file", {"filename": "burns.parquet", "size": 734003200,
                                  "content_type": "application/vnd.apache.parquet"}),
        _response("PUT the file there", {
            "upload_id": "u_5b0e9a2c", "url": "https://s3.example.com/datanets/incoming/u_5b0e9a2c?X-Amz-Signature=…",
            "method": "PUT", "headers": {"Content-Type": "application/vnd.apache.parquet"}}, "201"),
    ],
    "uploads_complete": [
        _request("After the PUT", {"upload_id": "u_5b0e9a2c"}),
        _response("Accepted for processing", {**SUBMISSION, "status": "uploaded",
                                              "progress": 0.0, "started_at": None, "finished_at": None}, "202"),
    ],
    "submissions_retrieve": [
        _response("Processing", {**SUBMISSION, "status": "processing", "progress": 0.4, "finished_at": None}),
        _response("Done", SUBMISSION),
    ],
    "submissions_errors_list": [_response("A row that is not valid JSON", {
        "row": 17, "field": "", "message": "Not valid JSON: Expecting value (column 1).", "excerpt": "not json"})],
}
