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
from datanets.models import Datanet, Record

EMBEDDING_DTYPE = np.float16  # half the storage; cosine error ~1e-3, far below any threshold


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
        return np.zeros((0, 384), dtype=np.float32)
    return encoder().encode(texts)


def embedding_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=EMBEDDING_DTYPE).tobytes()


def embedding_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=EMBEDDING_DTYPE).astype(np.float32)


_profiles: dict[int, tuple[tuple, np.ndarray]] = {}
_accepted: dict[int, tuple[tuple, np.ndarray]] = {}


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


def accepted_matrix(datanet: Datanet) -> np.ndarray:
    accepted = Record.objects.filter(datanet=datanet, status=Record.Status.ACCEPTED, embedding__isnull=False)
    # One aggregate, which SQLite answers from the (datanet, status, score) index; an ORDER BY id
    # LIMIT 1 made it walk every record of the datanet by id instead, on every chunk.
    stamp = tuple(accepted.aggregate(n=Count("id"), last=Max("id")).values())
    cached = _accepted.get(datanet.pk)
    if cached and cached[0] == stamp:
        return cached[1]
    blobs = accepted.values_list("embedding", flat=True).iterator(chunk_size=2000)
    vectors = [embedding_from_bytes(b) for b in blobs]
    matrix = np.stack(vectors) if vectors else np.zeros((0, 384), dtype=np.float32)
    _accepted[datanet.pk] = (stamp, matrix)
    return matrix


def score(datanet: Datanet, texts: list[str], embeddings: np.ndarray,
          heuristics: list[dict[str, float]] | None = None) -> list[Scored]:
    """Scores of records of `datanet`; `heuristics` are `quality.text_heuristics` of the texts
    when the caller computed them already (ingest does, outside its lock)."""
    accepted = accepted_matrix(datanet)
    described = _description_vectors(datanet)
    centroid = quality.profile_vectors(described[0], accepted)[1:]  # empty until records are accepted
    profile = np.concatenate([described, centroid])
    neighbour = quality.nearest_similarity(embeddings, accepted)
    weights = {**quality.DEFAULT_WEIGHTS, **(datanet.quality_weights or {})}
    version = encoder().model_version
    results = quality.score_batch(texts, embeddings, profile, neighbour, weights, model_version=version,
                                  heuristics=heuristics)
    return [Scored(score=r.score, components=r.components, weights=weights, model_version=version) for r in results]
