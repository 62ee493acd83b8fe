"""Writes for submissions: accepting an upload (file or API batch) into storage.

Every limit is checked before anything is stored; a refusal raises `UploadRefused` with an HTTP
status and a message that says what was wrong and what to do. Once the bytes are stored and the
Submission row is committed, the ingest task is enqueued (after commit).
"""

import hashlib
import json
import tempfile
import uuid
from datetime import timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from datanets import permissions
from datanets.audit import audit_log
from datanets.models import Datanet, Submission
from datanets.parquet_reader import open_parquet
from datanets.parsing import FileRejected, ParseOptions, detect_format, safe_filename
from datanets.prescan import TextPrescan
from datanets.storage import STORAGE_DOWN_MESSAGE, STORAGE_ERRORS

HEAD_BYTES = 8192
READ_CHUNK = 1024 * 1024


class UploadRefused(Exception):
    def __init__(self, message: str, *, status: int = 400, existing: Submission | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.existing = existing


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def check_contributor(datanet: Datanet, contributor: Any) -> None:
    refusal = permissions.contribution_refusal(contributor, datanet)
    if refusal == "Not found.":
        raise UploadRefused("No datanet here.", status=404)
    if refusal:
        raise UploadRefused(refusal, status=403)
    since = timezone.now() - timedelta(days=1)
    today = Submission.objects.filter(contributor=contributor, created_at__gte=since).count()
    if today >= settings.MAX_UPLOADS_PER_DAY:
        raise UploadRefused(
            f"You reached the limit of {settings.MAX_UPLOADS_PER_DAY} uploads in 24 hours. "
            "Combine files into fewer uploads, or try again tomorrow.",
            status=429,
        )


def parse_options_for(datanet: Datanet) -> ParseOptions:
    return ParseOptions(
        text_field=datanet.text_field, txt_mode=datanet.txt_mode, max_record_bytes=settings.MAX_RECORD_BYTES,
        max_records=settings.MAX_RECORDS_PER_SUBMISSION,
    )


def _hash_and_scan(stream: IO[bytes], name: str, opts: ParseOptions) -> tuple[str, int, str]:
    """Hash the whole stream and refuse it (UploadRefused) if it is over the size limit, empty, of an
    unknown format, or unreadable in a way found without parsing (see datanets/prescan.py)."""
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    chunk = stream.read(READ_CHUNK)
    if not chunk:
        raise UploadRefused("The file is empty. Choose a file with at least one record.")
    try:
        fmt = detect_format(name, chunk[:HEAD_BYTES])
        scan = TextPrescan(fmt, opts) if fmt != "parquet" else None
        while chunk:
            digest.update(chunk)
            size += len(chunk)
            if size > settings.MAX_UPLOAD_BYTES:
                raise UploadRefused(
                    f"The file is larger than the limit of {_mb(settings.MAX_UPLOAD_BYTES)}. Split it into smaller files.",
                    status=413,
                )
            if scan is not None:
                scan.feed(chunk)
            chunk = stream.read(READ_CHUNK)
        if scan is not None:
            scan.finish()
        else:
            stream.seek(0)
            open_parquet(stream, opts)
    except FileRejected as exc:
        raise UploadRefused(exc.message) from exc
    stream.seek(0)
    return digest.hexdigest(), size, fmt


def submission_create_from_file(
    *, datanet: Datanet, contributor: Any, stream: IO[bytes], original_name: str,
    declared_size: int | None = None, kind: str = Submission.Kind.FILE, stored_key: str | None = None,
) -> Submission:
    """Store an uploaded file and queue it for processing.

    Refuses (UploadRefused) before storing anything when the contributor may not contribute, a
    limit is exceeded, the format is unknown or the file is binary, or the same bytes were
    already uploaded to this datanet (status 409, with `existing`). With `stored_key` the bytes
    are already in storage there (a presigned upload) and are used where they lie.
    """
    check_contributor(datanet, contributor)
    if declared_size is not None and declared_size > settings.MAX_UPLOAD_BYTES:
        raise UploadRefused(
            f"The file is {_mb(declared_size)}, over the limit of {_mb(settings.MAX_UPLOAD_BYTES)}. "
            "Split it into smaller files.",
            status=413,
        )
    name = safe_filename(original_name or "upload")
    sha256, size, fmt = _hash_and_scan(stream, name, parse_options_for(datanet))
    existing = Submission.objects.filter(datanet=datanet, sha256=sha256).exclude(status=Submission.Status.FAILED).first()
    if existing is not None:
        raise UploadRefused(
            f"These exact bytes were already uploaded to this datanet as {existing.original_name!r} "
            f"on {existing.created_at:%Y-%m-%d %H:%M} UTC; they are not processed twice.",
            status=409, existing=existing,
        )
    submission_id = uuid.uuid4()
    if stored_key is None:
        key = f"datanets/{datanet.pk}/submissions/{submission_id}/{name}"
        try:
            stored_key = default_storage.save(key, File(stream, name=name))
        except STORAGE_ERRORS as exc:
            _forget(key)  # a multipart upload cut off midway may have left a part
            raise UploadRefused(STORAGE_DOWN_MESSAGE, status=503) from exc
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                id=submission_id, datanet=datanet, contributor=contributor, kind=kind, original_name=name,
                storage_key=stored_key, size=size, sha256=sha256, format=fmt,
            )
            audit_log(actor=contributor, action="submission.create", target=submission, datanet=datanet,
                      data={"size": size, "format": fmt})
            transaction.on_commit(lambda: _enqueue(submission.pk))
    except IntegrityError as exc:
        # Another request stored the same bytes a moment ago: keep theirs, drop ours.
        default_storage.delete(stored_key)
        existing = Submission.objects.filter(datanet=datanet, sha256=sha256).exclude(status="failed").first()
        raise UploadRefused("These exact bytes were just uploaded to this datanet.", status=409, existing=existing) from exc
    except BaseException:
        default_storage.delete(stored_key)
        raise
    return submission


def submission_create_from_records(*, datanet: Datanet, contributor: Any, records: list[Any]) -> Submission:
    """Accept a JSON batch of records as a submission (stored as JSON Lines, processed like a file)."""
    if not isinstance(records, list) or not records:
        raise UploadRefused('Send {"records": [...]} with at least one record.')
    if len(records) > settings.MAX_API_BATCH_RECORDS:
        raise UploadRefused(
            f"A batch holds at most {settings.MAX_API_BATCH_RECORDS:,} records (got {len(records):,}). "
            "Send several batches, or upload a file.",
            status=413,
        )
    opts = parse_options_for(datanet)
    for index, record in enumerate(records):
        problem = _shape_problem(record, opts)
        if problem:
            raise UploadRefused(f"Record {index} (counting from 0) {problem} Fix it and send the batch again; "
                                "nothing of this batch was stored.")
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    for record in records:
        spool.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode())
        spool.write(b"\n")
    spool.seek(0)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S")
    return submission_create_from_file(
        datanet=datanet, contributor=contributor, stream=spool, original_name=f"api-batch-{stamp}.jsonl",
        kind=Submission.Kind.API,
    )


def _forget(key: str) -> None:
    try:
        default_storage.delete(key)
    except STORAGE_ERRORS:
        pass  # the store is down; the object never completed, and S3 drops unfinished uploads itself


def _shape_problem(record: Any, opts: ParseOptions) -> str:
    """Why a record of an API batch is too big to read as one (depth or keys), or ''."""
    stack = [(record, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > opts.max_depth:
            return f"nests deeper than {opts.max_depth} levels."
        if isinstance(value, dict):
            if len(value) > opts.max_keys:
                return f"has an object with {len(value):,} keys; at most {opts.max_keys:,} are allowed."
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return ""


def _enqueue(submission_id: uuid.UUID) -> None:
    from curation.tasks import ingest_submission

    ingest_submission.delay(str(submission_id))
