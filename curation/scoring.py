"""Quality scoring of records against their datanet: the database side of `curation.quality`.

The encoder is loaded once per process (`curation.embedding.get_encoder`). A datanet's profile
(the embedding of its name, summary and description, and the centroid of its accepted records)
and the matrix of accepted embeddings used for novelty are cached per process and refreshed
when the datanet or its accepted set changes.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db.models import Count, Max

from curation import quality
from curation.embedding import get_encoder
from curation.novelty_index import NoveltyIndex
from datanets.models import Datanet, Record

EMBEDDING_DTYPE = np.float16  # half the storage; cosine error ~1e-3, far below any threshold
EMBEDDING_DIM = 384  # all-MiniLM-L6-v2


@dataclass
class Scored:
    score: float
    components: dict[str, float]
    weights: dict[str, float]
    model_version: str


def encoder() -> Any:
    return get_encoder(settings.EMBEDDING_BACKEND, cache_dir=settings.MODEL_CACHE_DIR)


def embed(texts: list[str]) -> np.ndarray:
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    return encoder().encode(texts)


def embedding_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=EMBEDDING_DTYPE).tobytes()


def embedding_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=EMBEDDING_DTYPE).astype(np.float32)


_profiles: dict[int, tuple[tuple, np.ndarray]] = {}
_accepted: dict[int, "AcceptedSet"] = {}


MAX_PROFILE_PARAGRAPHS = 12


def _description_vectors(datanet: Datanet) -> np.ndarray:
    """What the datanet says it wants, embedded: its name with its summary, and each paragraph of
    its description. Relevance takes the best match, so one long description covering several
    sub-topics does not dilute every one of them."""
    key = (datanet.name, datanet.summary, datanet.description)
    cached = _profiles.get(datanet.pk)
    if cached and cached[0] == key:
        return cached[1]
    parts = [f"{datanet.name}. {datanet.summary}".strip()]
    paragraphs = [p.strip() for p in datanet.description.replace("\r", "").split("\n\n") if len(p.strip()) > 20]
    parts += [p[:2000] for p in paragraphs[:MAX_PROFILE_PARAGRAPHS]]
    vectors = embed(parts)
    _profiles[datanet.pk] = (key, vectors)
    return vectors


@dataclass
class AcceptedSet:
    """A datanet's accepted embeddings as this process last read them: an index for the nearest
    accepted record (curation/novelty_index.py) and a float64 running sum for the centroid. Ingest
    accepting records appends them; anything else that changes the set makes it read again."""

    last_id: int
    index: NoveltyIndex
    total: np.ndarray  # float64 (dim,): the sum of the embeddings

    @property
    def count(self) -> int:
        return self.index.count

    def centroid(self) -> np.ndarray | None:
        norm = float(np.linalg.norm(self.total))
        return (self.total / norm).astype(np.float32) if self.count and norm > 0 else None

    def append(self, blobs: list[bytes]) -> None:
        blobs = [b for b in blobs if len(b) == self.index.dim * 2]  # another model's embeddings: skipped
        if not blobs:
            return
        block = np.frombuffer(b"".join(blobs), dtype=EMBEDDING_DTYPE).reshape(len(blobs), -1).astype(np.float32)
        self.index.add(block)
        self.total += block.sum(axis=0, dtype=np.float64)

    def best_similarity(self, embeddings: np.ndarray) -> np.ndarray:
        return self.index.best_similarity(embeddings)


_READ_BLOCK = 10_000


def _read_accepted(queryset: Any, into: AcceptedSet) -> int:
    """Append the embeddings of `queryset` (ids ascending) in blocks; returns the last id read."""
    last = into.last_id
    blobs: list[bytes] = []
    for rid, blob in queryset.order_by("id").values_list("id", "embedding").iterator(chunk_size=2000):
        blobs.append(bytes(blob))
        last = rid
        if len(blobs) == _READ_BLOCK:
            into.append(blobs)
            blobs = []
    into.append(blobs)
    into.index.finish()
    return last


def accepted_set(datanet: Datanet) -> AcceptedSet:
    accepted = Record.objects.filter(datanet=datanet, status=Record.Status.ACCEPTED, embedding__isnull=False)
    # One aggregate, which SQLite answers from the (datanet, status, score) index; an ORDER BY id
    # LIMIT 1 made it walk every record of the datanet by id instead, on every chunk.
    count, last_id = accepted.aggregate(n=Count("id"), last=Max("id")).values()
    last_id = last_id or 0
    cached = _accepted.get(datanet.pk)
    if cached and (cached.count, cached.last_id) == (count, last_id) and not cached.index.stale:
        return cached
    if cached and last_id > cached.last_id and not cached.index.stale:
        # Ingest accepting records adds rows above the last id read: append just those, unless
        # something else changed too (a review accepted an older record, a takedown), which the
        # count gives away; then everything is read again.
        cached.last_id = _read_accepted(accepted.filter(id__gt=cached.last_id), cached)
        if cached.count == count and not cached.index.stale:
            return cached
    fresh = AcceptedSet(0, NoveltyIndex(EMBEDDING_DIM, expected=count), np.zeros(EMBEDDING_DIM))
    fresh.last_id = _read_accepted(accepted, fresh)
    _accepted[datanet.pk] = fresh
    return fresh


def score(datanet: Datanet, texts: list[str], embeddings: np.ndarray,
          heuristics: list[dict[str, float]] | None = None) -> list[Scored]:
    """Scores of records of `datanet`; `heuristics` are `quality.text_heuristics` of the texts
    when the caller computed them already (ingest does, outside its lock)."""
    accepted = accepted_set(datanet)
    described = _description_vectors(datanet)
    centroid = accepted.centroid()  # None until records are accepted
    profile = described if centroid is None else np.concatenate([described, centroid[None, :]])
    neighbour = accepted.best_similarity(embeddings)
    weights = {**quality.DEFAULT_WEIGHTS, **(datanet.quality_weights or {})}
    version = encoder().model_version
    results = quality.score_batch(texts, embeddings, profile, neighbour, weights, model_version=version,
                                  heuristics=heuristics)
    return [Scored(score=r.score, components=r.components, weights=weights, model_version=version) for r in results]
