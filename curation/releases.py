"""Releases: cutting a versioned, immutable snapshot of a datanet's accepted records and building
its files in storage.

`release_create` makes the row (version N+1, building) and enqueues the build after commit.
`release_build` is the task body: it reads the accepted records once, in id order and in chunks,
and writes four files side by side to temporary files — data.jsonl, data.parquet (row groups of
at most ROW_GROUP_ROWS rows), manifest.jsonl — while folding the manifest rows into the Merkle
root (curation/merkle.py) and merge-joining the record ids against the previous release's
manifest to find what was added and removed. Memory stays flat in the number of records: only a
chunk, one Parquet row group and the ids removed since the previous release are held at once.
Then the files and the dataset card are saved under ``datanets/<id>/releases/v<N>/``.
"""

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from curation import dataset_card, merkle, release_selectors
from curation.models import Release
from datanets import permissions
from datanets.audit import audit_log
from datanets.models import Datanet, Record
from webhooks import payloads
from webhooks.services import webhook_emit

log = logging.getLogger(__name__)

CHUNK = 2000
ROW_GROUP_ROWS = 50_000
ROW_GROUP_BYTES = 32 * 1024 * 1024  # flush a row group early when its texts are long
FILENAMES = {"jsonl": "data.jsonl", "parquet": "data.parquet", "manifest": "manifest.jsonl", "card": "README.md"}
CONTENT_TYPES = {"jsonl": "application/x-ndjson", "parquet": "application/vnd.apache.parquet",
                 "manifest": "application/x-ndjson", "card": "text/markdown; charset=utf-8"}
PARQUET_SCHEMA = pa.schema([
    ("record_id", pa.int64()), ("text", pa.string()), ("fields", pa.string()), ("contributor", pa.string()),
    ("content_hash", pa.string()), ("quality_score", pa.float64()),
])


class ReleaseRefused(Exception):
    """A release that cannot be cut now; `status` is the HTTP status that fits."""

    def __init__(self, message: str, status: int = 409, code: str = "release_refused") -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def release_create(*, datanet: Datanet, actor: Any) -> Release:
    """Cut the next release (v1, v2, …) of this datanet; its files are built by a Celery task
    enqueued after commit. Raises PermissionDenied unless `actor` owns the datanet, and
    ReleaseRefused while another release is building or when nothing is accepted yet."""
    if not permissions.can_cut_release(actor, datanet):
        raise PermissionDenied("Only the datanet's owners cut releases.")
    with transaction.atomic():
        Datanet.objects.select_for_update().filter(pk=datanet.pk).first()  # one cut at a time per datanet
        building = release_selectors.release_building(datanet=datanet)
        if building is not None:
            raise ReleaseRefused(f"Release v{building.version} is still building ({building.progress:.0%} done). "
                                 "Wait until it is ready, then cut the next one.", code="release_building")
        if not Record.objects.filter(datanet=datanet, status=Record.Status.ACCEPTED).exists():
            raise ReleaseRefused("There are no accepted records to release yet. A release holds accepted records "
                                 "only: review the queue first.", code="nothing_to_release")
        version = (Release.objects.filter(datanet=datanet).aggregate(v=Max("version"))["v"] or 0) + 1
        try:
            with transaction.atomic():
                release = Release.objects.create(datanet=datanet, version=version, created_by=actor)
        except IntegrityError as exc:
            raise ReleaseRefused("Another release of this datanet was cut at the same moment; reload to see it.",
                                 code="release_building") from exc
        audit_log(actor=actor, action="release.created", target=release, datanet=datanet, data={"version": version})
        from curation.tasks import build_release

        transaction.on_commit(lambda: build_release.delay(release.pk))
    return release


def release_fail(*, release_id: int, message: str) -> None:
    updated = Release.objects.filter(pk=release_id, status=Release.Status.BUILDING).update(
        status=Release.Status.FAILED, error=message, finished_at=timezone.now())
    release = Release.objects.filter(pk=release_id).first()
    if updated and release is not None:
        audit_log(actor=None, action="release.failed", target=release, datanet=release.datanet, reason=message)


def _accepted_rows(datanet: Datanet) -> Iterator[tuple]:
    return (Record.objects.filter(datanet=datanet, status=Record.Status.ACCEPTED).order_by("id")
            .values_list("id", "text", "fields", "content_hash", "quality_score", "contributor__username")
            .iterator(chunk_size=CHUNK))


def _previous_ids(previous: Release | None) -> Iterator[int]:
    """Record ids of the previous release, ascending, streamed from its manifest."""
    if previous is None:
        return
    with default_storage.open(previous.files["manifest"]["key"], "rb") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)["record_id"]


class _Diff:
    """Merge-join of two ascending id streams: counts ids only in the new one, lists ids gone."""

    def __init__(self, previous: Iterator[int]) -> None:
        self._prev = previous
        self._next = next(previous, None)
        self.added = 0
        self.removed: list[int] = []

    def see(self, record_id: int) -> None:
        while self._next is not None and self._next < record_id:
            self.removed.append(self._next)
            self._next = next(self._prev, None)
        if self._next == record_id:
            self._next = next(self._prev, None)
        else:
            self.added += 1

    def finish(self) -> None:
        while self._next is not None:
            self.removed.append(self._next)
            self._next = next(self._prev, None)


class _ParquetRows:
    def __init__(self, path: str) -> None:
        self._writer = pq.ParquetWriter(path, PARQUET_SCHEMA, compression="zstd")
        self._columns: dict[str, list] = {name: [] for name in PARQUET_SCHEMA.names}
        self._bytes = 0

    def add(self, row: dict) -> None:
        for name in PARQUET_SCHEMA.names:
            self._columns[name].append(row[name])
        self._bytes += len(row["text"]) + len(row["fields"])
        if len(self._columns["record_id"]) >= ROW_GROUP_ROWS or self._bytes >= ROW_GROUP_BYTES:
            self.flush()

    def flush(self) -> None:
        if self._columns["record_id"]:
            self._writer.write_table(pa.Table.from_pydict(self._columns, schema=PARQUET_SCHEMA))
        self._columns = {name: [] for name in PARQUET_SCHEMA.names}
        self._bytes = 0

    def close(self) -> None:
        self.flush()
        self._writer.close()


def _digest(path: str) -> tuple[int, str]:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return os.path.getsize(path), h.hexdigest()


def _progress(release_id: int, value: float) -> None:
    Release.objects.filter(pk=release_id, status=Release.Status.BUILDING).update(progress=round(value, 4))


def release_build(*, release_id: int) -> Release:
    """Build a release's files and make it ready. Idempotent: a release that is no longer
    building is returned as it is. On an error, files already saved are deleted and the error
    is raised (the task decides between retrying and `release_fail`)."""
    release = Release.objects.select_related("datanet").get(pk=release_id)
    if release.status != Release.Status.BUILDING:
        return release
    datanet = release.datanet
    prefix = f"datanets/{datanet.pk}/releases/v{release.version}/"
    previous = release_selectors.release_previous(release=release)
    estimate = max(Record.objects.filter(datanet=datanet, status=Record.Status.ACCEPTED).count(), 1)
    saved: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="release-") as tmp:
            paths = {kind: os.path.join(tmp, name) for kind, name in FILENAMES.items()}
            root, count, diff = _write_rows(release, datanet, paths, previous, estimate)
            contributors = (Record.objects.filter(datanet=datanet, status=Record.Status.ACCEPTED)
                            .values("contributor").distinct().count())
            changes = {"previous": previous.version if previous else None, "added": diff.added,
                       "removed": diff.removed}
            card = dataset_card.render_card(
                name=datanet.name, slug=datanet.slug, version=release.version, summary=datanet.summary,
                description=datanet.description, license=datanet.license, domain=datanet.domain,
                tags=list(datanet.tags.values_list("name", flat=True)), record_count=count,
                contributor_count=contributors, near_dup_threshold=datanet.near_dup_threshold,
                min_quality=datanet.min_quality, approvals_required=datanet.approvals_required,
                auto_accept_above=datanet.auto_accept_above, changes=changes, merkle_root=root,
                files=FILENAMES,
            )
            with open(paths["card"], "w", encoding="utf-8") as f:
                f.write(card)
            files = {}
            for kind, path in paths.items():
                size, sha = _digest(path)
                with open(path, "rb") as f:
                    key = default_storage.save(prefix + FILENAMES[kind], File(f, name=FILENAMES[kind]))
                saved.append(key)
                files[kind] = {"key": key, "size": size, "sha256": sha}
    except Exception:
        for key in saved:
            try:
                default_storage.delete(key)
            except Exception:  # noqa: BLE001 — best effort; the original error is the one to report
                log.warning("could not delete %s after a failed release build", key)
        raise
    with transaction.atomic():
        done = Release.objects.filter(pk=release.pk, status=Release.Status.BUILDING).update(
            status=Release.Status.READY, record_count=count, merkle_root=root, files=files, changes=changes,
            progress=1.0, finished_at=timezone.now(), error="")
        release = Release.objects.select_related("datanet").get(pk=release.pk)
        if done:
            audit_log(actor=None, action="release.ready", target=release, datanet=datanet,
                      data={"version": release.version, "records": count, "merkle_root": root,
                            "added": diff.added, "removed": len(diff.removed)})
            webhook_emit(event="release.published", datanet=datanet, payload=payloads.release(release))
    return release


def _write_rows(release: Release, datanet: Datanet, paths: dict[str, str], previous: Release | None,
                estimate: int) -> tuple[str, int, _Diff]:
    tree = merkle.MerkleRootBuilder()
    diff = _Diff(_previous_ids(previous))
    parquet = _ParquetRows(paths["parquet"])
    count = 0
    with open(paths["jsonl"], "w", encoding="utf-8") as data, open(paths["manifest"], "w", encoding="utf-8") as man:
        for record_id, text, fields, content_hash, score, contributor in _accepted_rows(datanet):
            fields_json = json.dumps(fields, ensure_ascii=False, sort_keys=True)
            data.write(f'{{"record_id": {record_id}, "text": {json.dumps(text, ensure_ascii=False)}, '
                       f'"fields": {fields_json}, "contributor": {json.dumps(contributor)}, '
                       f'"content_hash": "{content_hash}", "quality_score": {json.dumps(score)}}}\n')
            row = {"record_id": record_id, "content_hash": content_hash, "contributor": contributor,
                   "license": datanet.license}
            man.write(json.dumps(row) + "\n")
            tree.add(merkle.leaf_hash(row))
            parquet.add({"record_id": record_id, "text": text, "fields": fields_json, "contributor": contributor,
                         "content_hash": content_hash, "quality_score": score})
            diff.see(record_id)
            count += 1
            if count % CHUNK == 0:
                _progress(release.pk, 0.9 * min(count / estimate, 1.0))
    parquet.close()
    diff.finish()
    _progress(release.pk, 0.95)
    return tree.root().hex(), count, diff
