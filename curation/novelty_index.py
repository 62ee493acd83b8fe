"""The nearest accepted record of each new one, for novelty, at any size. Pure (numpy + faiss).

Novelty compares every incoming record with every accepted one. Done exactly, a chunk of 2,000
records against 300,000 accepted ones is 230 billion multiply-adds: ingest of an auto-accepting
datanet fell to ~650 records/s at 300k accepted and would crawl at a million
(bench/bench_ingest_memory.py). So:

- up to EXACT_MAX vectors: `IndexFlatIP`, exact;
- above: `IndexIVFScalarQuantizer` with 8-bit codes (384 bytes a vector: 1M accepted records take
  ~400 MB), nlist = 2·√n inverted lists (at most 2,048) trained by k-means on up to TRAIN_SAMPLE
  vectors, NPROBE lists searched per query. Vectors added later go to the trained lists; once the
  set has grown REBUILD_GROWTH-fold since training, `stale` says so and the owner rebuilds.

An approximate nearest neighbour can miss the true one, so novelty is then a little higher than
exact. Vectors are L2-normalised, so inner product is cosine.
"""

from __future__ import annotations

import math

import faiss
import numpy as np

EXACT_MAX = 20_000
TRAIN_SAMPLE = 100_000
NPROBE = 16
REBUILD_GROWTH = 8


def normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)


def ivf_sq8_index(dim: int, n: int, seed: int) -> faiss.Index:
    """An untrained inverted-file index with 8-bit codes sized for about n vectors: nlist = 2·√n
    lists (at most 2,048), k-means seeded and 10 rounds when trained. Shared with the attribution
    index (rewards/semantic.py)."""
    nlist = max(1, min(2048, int(2 * math.sqrt(n))))
    index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dim), dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                          faiss.METRIC_INNER_PRODUCT)
    index.cp.seed = seed
    index.cp.niter = 10
    index.cp.min_points_per_centroid = 1  # only a warning threshold in faiss: small sets are fine
    return index


class NoveltyIndex:
    """Accepted embeddings, searchable for the best cosine of each query."""

    def __init__(self, dim: int, expected: int = 0, seed: int = 1234) -> None:
        """`expected`: how many vectors the caller is about to add (an IVF index is trained on
        the first TRAIN_SAMPLE of them when it exceeds EXACT_MAX)."""
        self.dim = dim
        self.seed = seed
        self.count = 0
        self.trained_at = 0
        self.planned = expected
        self.index: faiss.Index = faiss.IndexFlatIP(dim)
        self._pending: list[np.ndarray] = []  # vectors held until an IVF index can be trained
        self._pending_rows = 0

    @property
    def exact(self) -> bool:
        return isinstance(self.index, faiss.IndexFlatIP) and not self._pending

    @property
    def stale(self) -> bool:
        """Grown past the exact size, or REBUILD_GROWTH-fold since the IVF lists were trained."""
        if self.trained_at:
            return self.count >= REBUILD_GROWTH * self.trained_at
        return self.count > EXACT_MAX and self.planned <= EXACT_MAX

    def add(self, vectors: np.ndarray) -> None:
        if not len(vectors):
            return
        vectors = normalised(vectors)
        self.count += len(vectors)
        if self.planned > EXACT_MAX and not self.trained_at:
            self._pending.append(vectors)
            self._pending_rows += len(vectors)
            if self._pending_rows >= min(TRAIN_SAMPLE, self.planned):
                self._train()
            return
        self.index.add(vectors)

    def finish(self) -> None:
        """Train on what is held if the expected vectors never all came (rows changed meanwhile)."""
        if self._pending:
            self._train()

    def _train(self) -> None:
        held = np.concatenate(self._pending)
        self._pending, self._pending_rows = [], 0
        index = ivf_sq8_index(self.dim, self.planned, self.seed)
        index.train(held)
        index.add(held)
        index.nprobe = NPROBE
        self.index = index
        self.trained_at = max(self.count, self.planned, 1)

    def best_similarity(self, queries: np.ndarray) -> np.ndarray:
        """The highest cosine of each query to any vector added; NaN when there is none."""
        queries = normalised(queries)
        if self._pending:
            self._train()
        if not self.index.ntotal:
            return np.full(len(queries), np.nan, dtype=np.float32)
        scores, rows = self.index.search(queries, 1)
        return np.where(rows[:, 0] >= 0, scores[:, 0], np.nan).astype(np.float32)
