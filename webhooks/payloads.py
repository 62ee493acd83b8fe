"""The `data` of each webhook event: small, stable JSON about the object, with the API URL to
fetch the rest. Record contents are not included (a record may be up to 1 MB): fetch them from
the `url` with a token. Amounts are strings in base units (10^-18 token) plus a display form."""

from typing import Any

from django.conf import settings


def _api(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + "/api/v1/" + path.lstrip("/")


def _username(user: Any) -> str | None:
    return getattr(user, "username", None)


def submission(sub: Any) -> dict:
    """Reads the submission afresh: callers may hold a copy from before its counters moved."""
    from datanets.models import Submission

    sub = Submission.objects.select_related("contributor").get(pk=sub.pk)
    return {"submission": {
        "id": str(sub.pk), "status": sub.status, "error": sub.error, "contributor": _username(sub.contributor),
        "original_name": sub.original_name, "kind": sub.kind, "format": sub.format, "size": sub.size,
        "sha256": sub.sha256, "counts": sub.counts(), "created_at": sub.created_at,
        "finished_at": sub.finished_at, "url": _api(f"submissions/{sub.pk}/"),
    }}


def record(rec: Any, review: dict | None = None) -> dict:
    return {"record": {
        "id": rec.pk, "status": rec.status, "submission": str(rec.submission_id),
        "contributor": _username(rec.contributor), "content_hash": rec.content_hash,
        "quality_score": rec.quality_score, "decided_at": rec.decided_at,
        "review": {k: v for k, v in (review or {}).items() if k in ("approvals", "rejections", "required",
                                                                     "escalated")},
        "url": _api(f"records/{rec.pk}/reviews/"),
    }}


def release(rel: Any) -> dict:
    return {"release": {
        "id": rel.pk, "version": rel.version, "status": rel.status, "record_count": rel.record_count,
        "merkle_root": rel.merkle_root, "finished_at": rel.finished_at,
        "changes": {"previous": rel.changes.get("previous"), "added": rel.changes.get("added", 0),
                    "removed": len(rel.changes.get("removed", []))},
        "files": {kind: {"size": f["size"], "sha256": f["sha256"], "url": _api(f"releases/{rel.pk}/files/{kind}/")}
                  for kind, f in rel.files.items()},
        "url": _api(f"releases/{rel.pk}/"),
    }}


def reward(tx: Any, rec: Any, user: Any, amount: int) -> dict:
    from rewards.amounts import format_amount

    return {"reward": {
        "transaction": tx.pk, "kind": tx.kind, "user": _username(user), "amount": str(amount),
        "amount_display": format_amount(amount), "record": getattr(rec, "pk", None), "memo": tx.memo,
        "url": _api("rewards/balance/"),
    }}


def report(rep: Any, *, status: str, resolution: str, note: str) -> dict:
    return {"report": {
        "id": rep.pk, "record": rep.record_id, "reason": rep.reason, "status": status,
        "resolution": resolution, "note": note,
    }}
