"""MinHash signatures and text checks of ingest chunks, computed in a helper process.

Ingest is bound by Python's GIL: the thread that writes chunk k and the helper thread that
prepares chunk k+1 take turns on one interpreter, so on a 2-core machine the pure-Python text
checks (~50 µs a record) were paid for by the writing thread too. A child process has its own
interpreter; the writer then waits only for the database.

The child is started on first use, one per worker process, and lives as long as it does: it
runs `curation.prep_worker` (numpy and the pure modules `minhash` and `quality`; no Django, no
model) and answers pickled requests over a pipe. When it cannot be started or dies, the work is
done in this process instead (and the child restarted on the next request): slower, never
wrong. INGEST_PREP_PROCESS=false keeps everything in-process.
"""

import logging
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np

from curation import minhash, quality

log = logging.getLogger(__name__)
_ROOT = Path(__file__).resolve().parents[1]


def compute(texts: list[str], num_perm: int, shingle_size: int) -> tuple[np.ndarray, list[dict[str, float]]]:
    """What the child computes, also the in-process fallback."""
    signatures = minhash.signatures(texts, num_perm=num_perm, shingle_size=shingle_size)
    return signatures, [quality.text_heuristics(text) for text in texts]


class PrepProcess:
    """One child process; `run` sends it a chunk and waits for the answer. Requests from several
    threads are serialised (the pipe carries one at a time)."""

    def __init__(self) -> None:
        self._child: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> subprocess.Popen:
        if self._child is None or self._child.poll() is not None:
            self._child = subprocess.Popen(
                [sys.executable, "-m", "curation.prep_worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                cwd=_ROOT, env={**os.environ, "PYTHONPATH": str(_ROOT)},
            )
        return self._child

    def run(self, texts: list[str], num_perm: int, shingle_size: int, *,
            meanwhile: Any = None) -> tuple[np.ndarray, list[dict[str, float]], Any]:
        """Signatures and heuristics of `texts`; `meanwhile()`, if given, runs in this thread
        while the child works (ingest embeds the same texts there). Returns both, plus what
        `meanwhile` returned."""
        with self._lock:
            try:
                child = self._ensure()
                pickle.dump((texts, num_perm, shingle_size), child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                child.stdin.flush()
                sent = True
            except OSError as exc:
                log.warning("ingest helper process unavailable (%s); preparing in-process", exc)
                self._stop()
                sent = False
            other = meanwhile() if meanwhile is not None else None
            if sent:
                try:
                    status, *payload = pickle.load(child.stdout)
                except (OSError, EOFError, pickle.UnpicklingError) as exc:
                    log.warning("ingest helper process died (%s); preparing in-process", exc)
                    self._stop()
                else:
                    if status == "ok":
                        return payload[0], payload[1], other
                    raise RuntimeError(f"ingest helper process failed:\n{payload[0]}")
            signatures, heuristics = compute(texts, num_perm, shingle_size)
            return signatures, heuristics, other

    def peak_rss_kb(self) -> int:
        """The running child's peak resident memory (VmHWM), 0 without a child (benches)."""
        if self._child is None or self._child.poll() is not None:
            return 0
        try:
            status = Path(f"/proc/{self._child.pid}/status").read_text()
        except OSError:
            return 0
        return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)

    def _stop(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            self._child = None

    def close(self) -> None:
        with self._lock:
            if self._child is not None:
                self._child.stdin.close()
                self._child.wait(timeout=10)
                self._child = None


_shared = PrepProcess()


def shared() -> PrepProcess:
    return _shared
