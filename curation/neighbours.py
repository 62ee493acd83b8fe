"""The accepted records nearest to a record in embedding space, for the review page.

Reading the embeddings of the datanet's most recent accepted records on every page view cost more
than everything else "next item" does (bench/bench_review_next.py: p95 ~110 ms at 100k records,
20,000 embeddings read per view). This module keeps them per process, per datanet, as one float32
matrix of the WINDOW most recently accepted records, and brings it up to date by reading only the
records accepted since it last looked (the (datanet, status, decided_at) index): a record accepted
a moment ago is among the neighbours on the next view. Records taken down since are dropped when
hits are re-read from the database (only still-accepted ones are shown), and the whole window is
read again every FULL_RELOAD_SECONDS.
"""

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.utils import timezone

from curation.scoring import embedding_from_bytes
from datanets.models import Record

WINDOW = 20_000
FULL_RELOAD_SECONDS = 600.0
# A decision is stamped before its transaction commits; looking back this far past the previous
# look catches one that committed late (already-held ids are skipped).
LOOK_BACK = timedelta(seconds=30)
EXTRA_HITS = 10  # read a few more hits than asked, so records taken down since can be dropped


@dataclass
class _Window:
    loaded_at: float  # time.monotonic() of the last full read
    checked_at: datetime  # database time of the last look for new decisions
    ids: np.ndarray  # record ids, row i of `matrix`, oldest decision first
    matrix: np.ndarray  # float32, rows L2-normalised


_windows: dict[int, _Window] = {}
_lock = threading.Lock()


def _accepted(datanet_id: int):
    return Record.objects.filter(datanet_id=datanet_id, status=Record.Status.ACCEPTED, embedding__isnull=False,
                                 decided_at__isnull=False)


def _matrix(rows: list[tuple[int, bytes]], dim: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Ids and normalised vectors of rows whose embedding has `dim` values (or the most common
    size when dim is None: another model version's embeddings may sit among them)."""
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros((0, dim or 0), dtype=np.float32)
    if dim is None:
        sizes = [len(e) for _, e in rows]
        size = max(set(sizes), key=sizes.count)
    else:
        size = dim * 2  # float16 bytes
    rows = [(rid, e) for rid, e in rows if len(e) == size]
    ids = np.fromiter((rid for rid, _ in rows), dtype=np.int64, count=len(rows))
    matrix = embedding_from_bytes(b"".join(bytes(e) for _, e in rows)).reshape(len(rows), -1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix /= np.where(norms == 0, 1.0, norms)
    return ids, matrix


def _load(datanet_id: int) -> _Window:
    checked_at = timezone.now()
    rows = list(_accepted(datanet_id).order_by("-decided_at", "-id").values_list("id", "embedding")[:WINDOW])
    ids, matrix = _matrix(rows[::-1], None)
    return _Window(time.monotonic(), checked_at, ids, matrix)


def _catch_up(datanet_id: int, window: _Window) -> _Window:
    """The window with the records accepted since it last looked appended (oldest dropped)."""
    checked_at = timezone.now()
    rows = list(_accepted(datanet_id).filter(decided_at__gte=window.checked_at - LOOK_BACK)
                .order_by("decided_at", "id").values_list("id", "embedding")[: WINDOW + 1])
    if len(rows) > WINDOW:
        return _load(datanet_id)
    if rows:  # the look-back reads some records again: keep only those not held yet
        fresh = ~np.isin(np.fromiter((rid for rid, _ in rows), dtype=np.int64, count=len(rows)), window.ids)
        rows = [row for row, new in zip(rows, fresh) if new]
    window.checked_at = checked_at
    if not rows:
        return window
    ids, matrix = _matrix(rows, window.matrix.shape[1] or None)
    if not window.matrix.shape[1]:
        window.matrix = np.zeros((0, matrix.shape[1]), dtype=np.float32)
    window.ids = np.concatenate([window.ids, ids])[-WINDOW:]
    window.matrix = np.concatenate([window.matrix, matrix])[-WINDOW:]
    return window


def _window(datanet_id: int) -> tuple[np.ndarray, np.ndarray]:
    """(ids, matrix) of the datanet's window, up to date, as one consistent pair: read under the
    lock, since another thread's catch-up replaces both."""
    with _lock:
        window = _windows.get(datanet_id)
        if window is None or time.monotonic() - window.loaded_at > FULL_RELOAD_SECONDS:
            window = _load(datanet_id)
        else:
            window = _catch_up(datanet_id, window)
        _windows[datanet_id] = window
        return window.ids, window.matrix


def forget(datanet_id: int | None = None) -> None:
    """Drop the cached copies (all, or one datanet's): the next call reads them again."""
    with _lock:
        if datanet_id is None:
            _windows.clear()
        else:
            _windows.pop(datanet_id, None)


def nearest_accepted(*, record: Record, k: int = 5) -> list[tuple[Record, float]]:
    """Up to k accepted records of the record's datanet nearest to it (cosine), best first."""
    if not record.embedding or k <= 0:
        return []
    ids, matrix = _window(record.datanet_id)
    query = embedding_from_bytes(record.embedding)
    if not len(ids) or query.shape[0] != matrix.shape[1]:
        return []
    query = query / (np.linalg.norm(query) or 1.0)
    sims = matrix @ query
    want = min(len(sims), k + EXTRA_HITS + 1)
    top = np.argpartition(-sims, want - 1)[:want]
    top = top[np.argsort(-sims[top], kind="stable")]
    hits = [(int(ids[i]), float(sims[i])) for i in top if ids[i] != record.pk]
    alive = Record.objects.in_bulk([rid for rid, _ in hits])
    found = [(alive[rid], sim) for rid, sim in hits
             if rid in alive and alive[rid].status == Record.Status.ACCEPTED]
    return found[:k]
