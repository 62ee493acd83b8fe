"""Ingest of one submission: stream-parse, validate, normalize, deduplicate, score and route.

Work is done in chunks. Each chunk is one transaction that writes its records, its error-report
rows, its LSH band keys and the submission's counters *and resume point* together, so a worker
killed at any moment resumes at the first unwritten row: nothing is lost or written twice.
Heavy work (signatures, embeddings) happens before the transaction; only the decisions, which
must see every earlier record, run under the datanet's ingest lock.
"""

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

import numpy as np
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from curation import bulk_sql, dedup, prep_process, scoring
from curation.routing import route
from datanets.audit import audit_log
from datanets.models import Datanet, Record, Submission, SubmissionIssue
from datanets.normalize import content_hash, normalize_text
from datanets.parsing import FileRejected, ParsedRow, ParseOptions, iter_records
from datanets.schema import coerce_text_values, record_validator
from webhooks import payloads
from webhooks.services import webhook_emit

log = logging.getLogger(__name__)
EXCERPT = 120


@dataclass
class Candidate:
    row: int
    fields: dict[str, Any]
    text: str
    hash: str
    duplicate_of: int | None = None  # an existing record's id (exact copy)
    copy_of: "Candidate | None" = None  # an earlier row of this chunk (exact copy)
    signature: np.ndarray | None = None
    band_keys: list[bytes] = field(default_factory=list)
    stored_candidates: set[int] = field(default_factory=set)
    embedding: np.ndarray | None = None
    heuristics: dict[str, float] | None = None  # quality.text_heuristics of the text
    receipt: list[dict] = field(default_factory=list)
    record: dict[str, Any] | None = None  # the record's column values, written by routing
    record_id: int | None = None


def _lease() -> timedelta:
    # How long a worker's claim on a submission lasts without progress; a killed worker's
    # submission is taken over after this.
    return timedelta(seconds=settings.INGEST_LEASE_SECONDS)


class Busy(Exception):
    """Another worker holds this submission's lease; try again later."""


def _claim(submission_id: UUID) -> Submission | None:
    now = timezone.now()
    claimed = (
        Submission.objects.filter(id=submission_id, status__in=[Submission.Status.UPLOADED, Submission.Status.PROCESSING])
        .exclude(lease_until__gt=now)
        .update(status=Submission.Status.PROCESSING, lease_until=now + _lease())
    )
    if not claimed:
        sub = Submission.objects.filter(id=submission_id).first()
        if sub is None or sub.status in (Submission.Status.DONE, Submission.Status.FAILED):
            return None
        raise Busy(str(submission_id))
    sub = Submission.objects.select_related("datanet", "contributor").get(id=submission_id)
    if sub.started_at is None:
        Submission.objects.filter(id=sub.id).update(started_at=now)
    return sub


def parse_options(datanet: Datanet) -> ParseOptions:
    return ParseOptions(
        text_field=datanet.text_field, txt_mode=datanet.txt_mode, max_record_bytes=settings.MAX_RECORD_BYTES,
        max_records=settings.MAX_RECORDS_PER_SUBMISSION,
    )


def submission_ingest(*, submission_id: UUID, budget_seconds: float = 50.0) -> bool:
    """Process the submission from its resume point for about `budget_seconds`.

    Returns True when the submission is finished (done or failed), False when more remains
    (the caller enqueues another run). Raises Busy when another worker holds the lease.
    """
    submission = _claim(submission_id)
    if submission is None:
        return True
    datanet = submission.datanet
    deadline = time.monotonic() + budget_seconds
    chunk_size = settings.INGEST_CHUNK_SIZE
    skip = submission.rows_done
    # A two-stage pipeline: while this thread writes chunk k (database work, mostly outside the
    # GIL), a helper thread computes chunk k+1's signatures, text checks and embeddings (numpy and
    # the encoder also release the GIL). Chunks are still written one by one, in order, each in
    # its own transaction: only their preparation runs ahead, and it touches no database.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-prepare") as helper:
        pending: _Prepared | None = None
        try:
            with default_storage.open(submission.storage_key, "rb") as stream:
                rows: list[ParsedRow] = []
                seen = 0
                for parsed in iter_records(stream, submission.format, options=parse_options(datanet)):
                    seen += 1
                    if seen <= skip:
                        continue
                    rows.append(parsed)
                    if len(rows) >= chunk_size:
                        ready = _prepare(helper, submission, datanet, rows, bytes_done=parsed.offset or 0)
                        if pending is not None:
                            _process_chunk(submission, datanet, pending)
                            if time.monotonic() > deadline:
                                _renew(submission)
                                return False  # `ready` is dropped: the next run starts at its first row
                        pending, rows = ready, []
                last = _prepare(helper, submission, datanet, rows, bytes_done=submission.size)
                if pending is not None:
                    _process_chunk(submission, datanet, pending)
                    if time.monotonic() > deadline:
                        _renew(submission)
                        return False
                _process_chunk(submission, datanet, last, final=True)
        except FileRejected as exc:
            submission_fail(submission=submission, message=exc.message)
            return True
    return True


@dataclass
class _Prepared:
    """One chunk, validated and pre-checked, with its heavy work running on the helper thread."""
    rows: int
    candidates: list[Candidate]
    issues: list[SubmissionIssue]
    invalid: int
    bytes_done: int
    work: Future


def _prepare(helper: ThreadPoolExecutor, submission: Submission, datanet: Datanet, rows: list[ParsedRow], *,
             bytes_done: int) -> _Prepared:
    candidates, issues, invalid = _validate(datanet, rows, submission.format)
    # Exact-duplicate pre-check (re-checked under the lock), so the heavy work is only done for
    # the records that may become originals.
    _mark_exact(datanet, candidates)
    fresh = [c for c in candidates if c.duplicate_of is None and c.copy_of is None]
    work = helper.submit(_heavy_work, datanet, fresh)
    return _Prepared(len(rows), candidates, issues, invalid, bytes_done, work)


def _heavy_work(datanet: Datanet, fresh: list[Candidate]) -> None:
    """MinHash signatures, text checks and embeddings: plain computation, no database. The first
    two run in the helper process (`curation.prep_process`) while this thread embeds."""
    if not fresh:
        return
    texts = [c.text for c in fresh]
    num_perm, shingle_size = datanet.minhash_num_perm, datanet.shingle_size
    if settings.INGEST_PREP_PROCESS:
        sigs, heuristics, embeddings = prep_process.shared().run(texts, num_perm, shingle_size,
                                                                 meanwhile=lambda: scoring.embed(texts))
    else:
        sigs, heuristics = prep_process.compute(texts, num_perm, shingle_size)
        embeddings = scoring.embed(texts)
    for cand, sig, emb, checks in zip(fresh, sigs, embeddings, heuristics):
        cand.signature, cand.embedding, cand.heuristics = sig, emb, checks


def _renew(submission: Submission) -> None:
    Submission.objects.filter(id=submission.id).update(lease_until=None)


@transaction.atomic
def submission_fail(*, submission: Submission, message: str) -> None:
    """Refuse the whole file: remove whatever its earlier chunks stored, keep the reason."""
    Record.objects.filter(submission=submission).delete()
    SubmissionIssue.objects.filter(submission=submission).delete()
    Submission.objects.filter(id=submission.id).update(
        status=Submission.Status.FAILED, error=message, finished_at=timezone.now(), lease_until=None,
        **{name: 0 for name in Submission.COUNT_FIELDS},
    )
    audit_log(actor=None, action="submission.failed", target=submission, datanet=submission.datanet, reason=message)
    webhook_emit(event="submission.processed", datanet=submission.datanet, payload=payloads.submission(submission),
                 user=submission.contributor)


def _validate(datanet: Datanet, rows: list[ParsedRow], fmt: str) -> tuple[list[Candidate], list[SubmissionIssue], int]:
    candidates: list[Candidate] = []
    issues: list[SubmissionIssue] = []
    invalid = 0
    text_field = datanet.text_field
    validate = record_validator(datanet.record_schema)
    for parsed in rows:
        if parsed.error is not None or parsed.fields is None:
            err = parsed.error
            issues.append(SubmissionIssue(row=parsed.row, field=err.field if err else "",
                                          message=err.message if err else "The record could not be read."))
            invalid += 1
            continue
        fields = parsed.fields
        if fmt in ("csv", "txt"):
            # Text formats carry every value as a string; convert to the schema's types first.
            fields = coerce_text_values(datanet.record_schema, fields)
        errors = validate(fields)
        if errors:
            invalid += 1
            excerpt = str(fields.get(text_field, ""))[:EXCERPT]
            seen_fields = set()
            for err in errors:
                if err.field in seen_fields:
                    continue
                seen_fields.add(err.field)
                issues.append(SubmissionIssue(row=parsed.row, field=err.field, message=err.message, excerpt=excerpt))
            continue
        text = normalize_text(str(fields.get(text_field, "")))
        candidates.append(Candidate(row=parsed.row, fields=fields, text=text,
                                    hash=content_hash(fields, text_field, normalized_text=text)))
    return candidates, issues, invalid


def _mark_exact(datanet: Datanet, candidates: list[Candidate]) -> None:
    first: dict[str, Candidate] = {}
    for cand in candidates:
        if cand.hash in first:
            cand.copy_of = first[cand.hash]
        else:
            first[cand.hash] = cand
    existing = bulk_sql.existing_hashes(datanet.pk, list(first))
    for cand in candidates:
        cand.duplicate_of = existing.get(cand.hash)


def _process_chunk(submission: Submission, datanet: Datanet, prepared: _Prepared, *, final: bool = False) -> None:
    prepared.work.result()  # re-raises whatever the helper thread ran into
    candidates, issues, invalid = prepared.candidates, prepared.issues, prepared.invalid
    bytes_done, n_rows = prepared.bytes_done, prepared.rows
    with transaction.atomic():
        dedup.datanet_ingest_lock(datanet)
        sub = Submission.objects.select_for_update().get(id=submission.id)
        if sub.rows_done != submission.rows_done:
            # Another worker committed this chunk after our lease expired: theirs stands.
            raise Busy(str(submission.id))
        _mark_exact(datanet, candidates)
        counts = route(datanet=datanet, submission=sub, candidates=candidates)
        for issue in issues:
            issue.submission = sub
        SubmissionIssue.objects.bulk_create(issues, ignore_conflicts=True)
        updates = {name: F(name) + value for name, value in counts.items()}
        updates["invalid"] = F("invalid") + invalid
        updates["total"] = F("total") + n_rows
        updates["rows_done"] = F("rows_done") + n_rows
        updates["bytes_done"] = max(bytes_done, sub.bytes_done)
        updates["lease_until"] = timezone.now() + _lease()
        if final:
            updates.update(status=Submission.Status.DONE, finished_at=timezone.now(), lease_until=None)
        Submission.objects.filter(id=sub.id).update(**updates)
        if counts.get("accepted"):
            Datanet.objects.filter(id=datanet.id).update(record_count=F("record_count") + counts["accepted"])
        if final:
            _refresh_contributor_count(datanet)
            sub.refresh_from_db()
            audit_log(actor=None, action="submission.processed", target=sub, datanet=datanet, data=sub.counts())
            webhook_emit(event="submission.processed", datanet=datanet, payload=payloads.submission(sub),
                         user=submission.contributor)
    submission.rows_done += n_rows


def _refresh_contributor_count(datanet: Datanet) -> None:
    count = (
        Record.objects.filter(datanet=datanet, status=Record.Status.ACCEPTED).values("contributor").distinct().count()
    )
    Datanet.objects.filter(id=datanet.id).update(contributor_count=count)
