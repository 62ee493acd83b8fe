"""Semantic influence: the records nearest to an output in embedding space, through faiss.

Pure (numpy + faiss). Vectors are L2-normalised sentence embeddings, so inner product is cosine.

- Up to EXACT_MAX vectors: `IndexFlatIP`, exact search (a few ms at 100k × 384 on 2 cores).
- Above: `IndexIVFScalarQuantizer` with 8-bit codes (a quarter of float32's memory: 1M records
  take ~400 MB), `nlist = 2·√n` (capped at 2048, so building 1M stays within a few minutes on 2
  cores) inverted lists trained by 10 rounds of k-means on a sample of TRAIN_SAMPLE vectors, and
  NPROBE lists searched per query: ~12k vectors at 1M, a few ms even on faiss's generic (non-AVX2)
  build. Recall of the true nearest
  neighbour is what the attribution benchmark (bench/bench_attribution.py) measures.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from curation.novelty_index import ivf_sq8_index, normalised

EXACT_MAX = 100_000
TRAIN_SAMPLE = 100_000
NPROBE = 24


class SemanticIndex:
    def __init__(self, index: faiss.Index) -> None:
        self.index = index
        if hasattr(index, "nprobe"):
            index.nprobe = NPROBE
            index.make_direct_map()  # so that reconstruct(row) gives a lexical candidate's cosine

    @classmethod
    def build(cls, vectors: np.ndarray, dim: int, seed: int = 1234) -> SemanticIndex:
        """Index rows of `vectors` (row i answers as i). Deterministic for the same input."""
        vectors = normalised(vectors) if len(vectors) else np.zeros((0, dim), dtype=np.float32)
        n = len(vectors)
        if n <= EXACT_MAX:
            index = faiss.IndexFlatIP(dim)
        else:
            index = ivf_sq8_index(dim, n, seed)
            sample = np.random.default_rng(seed).choice(n, size=min(n, TRAIN_SAMPLE), replace=False)
            index.train(vectors[np.sort(sample)])
        if n:
            index.add(vectors)
        return cls(index)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The k nearest rows with their cosine similarity, best first."""
        if not len(self):
            return []
        # One query is too small to share between threads: with OpenMP's spinning workers on a
        # busy machine, 2 threads measured 4x slower than 1 (bench/bench_attribution.py).
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            scores, rows = self.index.search(normalised(vector), min(k, len(self)))
        finally:
            faiss.omp_set_num_threads(threads)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> SemanticIndex:
        return cls(faiss.read_index(str(path)))
