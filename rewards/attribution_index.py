"""The attribution index of a model: every record of its trained-on releases, searchable by
embedding (rewards/semantic.py) and by quoted words (rewards/lexical.py).

One index per set of releases, named by its fingerprint: sha256 over the method version, this
module's INDEX_RECIPE, the embedding model version and the sorted (release id, Merkle root)
pairs. Ready releases are immutable, so the fingerprint fixes the contents; two models trained on
the same releases share one index, and a model whose releases change gets a new fingerprint and
so a fresh build on its next usage event — nothing needs invalidating.

Caching, two levels:
- in process: the last PROCESS_CACHE indexes used, so a worker builds or loads each once;
- on disk: ``DATA_DIR/attribution/<fingerprint>/`` (faiss index, n-gram arrays, record ids),
  written to a temporary directory and renamed into place under a file lock, so concurrent
  workers build it once and readers never see half an index. Another host builds its own copy
  (they are deterministic). Old directories can be deleted at any time; they are rebuilt on use.

Records come from the releases' manifests (storage) and their rows in the database; a record
stored without an embedding is embedded here with the one encoder (curation.scoring.encoder).
Records taken down after a release stay in the index and are skipped when paying
(rewards/usage.py), so a takedown needs no rebuild.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.files.storage import default_storage

from curation import scoring
from curation.models import Release
from datanets.models import Record
from rewards import attribution
from rewards.lexical import LexicalIndex
from rewards.semantic import SemanticIndex

INDEX_RECIPE = 1
PROCESS_CACHE = 4
CHUNK = 2000


@dataclass
class AttributionIndex:
    fingerprint: str
    embedding_model: str
    record_ids: np.ndarray
    semantic: SemanticIndex
    lexical: LexicalIndex

    def __len__(self) -> int:
        return len(self.record_ids)


_cache: OrderedDict[str, AttributionIndex] = OrderedDict()
_cache_lock = threading.Lock()


def index_root() -> Path:
    return Path(settings.DATA_DIR) / "attribution"


def fingerprint(releases: Iterable[Release], embedding_model: str) -> str:
    parts = sorted((r.pk, r.merkle_root) for r in releases)
    text = json.dumps([attribution.METHOD_VERSION, INDEX_RECIPE, embedding_model, parts])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def index_for(releases: list[Release]) -> AttributionIndex:
    """The index over these releases' records: from this process, else from disk, else built."""
    encoder = scoring.encoder()
    key = fingerprint(releases, encoder.model_version)
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    directory = index_root() / key
    if not (directory / "meta.json").exists():
        _build_on_disk(releases, directory, key, encoder)
    index = _load(directory, key)
    with _cache_lock:
        _cache[key] = index
        while len(_cache) > PROCESS_CACHE:
            _cache.popitem(last=False)
    return index


def forget_cached() -> None:
    """Drop the in-process copies (tests; a worker never needs to)."""
    with _cache_lock:
        _cache.clear()


def release_record_ids(release: Release) -> Iterator[int]:
    """Record ids of a ready release, streamed from its manifest."""
    manifest = (release.files or {}).get("manifest")
    if release.status != Release.Status.READY or not manifest:
        return
    with default_storage.open(manifest["key"], "rb") as f:
        for line in f:
            if line.strip():
                yield int(json.loads(line)["record_id"])


def _rows(record_ids: list[int], encoder) -> Iterator[tuple[int, str, np.ndarray]]:
    for start in range(0, len(record_ids), CHUNK):
        chunk = record_ids[start:start + CHUNK]
        rows = {pk: (text, emb) for pk, text, emb in
                Record.objects.filter(pk__in=chunk).values_list("id", "text", "embedding")}
        missing = [pk for pk in chunk if pk in rows and not rows[pk][1]]
        fresh = dict(zip(missing, encoder.encode([rows[pk][0] for pk in missing]))) if missing else {}
        for pk in chunk:
            if pk in rows:
                text, emb = rows[pk]
                yield pk, text, fresh[pk] if pk in fresh else scoring.embedding_from_bytes(emb)


def _build_on_disk(releases: list[Release], directory: Path, key: str, encoder) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(directory.parent / f"{key}.lock"):
        if (directory / "meta.json").exists():  # another process built it while we waited
            return
        ids = sorted({pk for release in releases for pk in release_record_ids(release)})
        record_ids, texts = [], []
        vectors = np.zeros((len(ids), encoder.dim), dtype=np.float32)
        for pk, text, vector in _rows(ids, encoder):
            vectors[len(record_ids)] = vector
            record_ids.append(pk)
            texts.append(text)
        vectors = vectors[:len(record_ids)]
        with tempfile.TemporaryDirectory(dir=directory.parent, prefix=".build-") as tmp:
            staged = Path(tmp) / "index"
            staged.mkdir()
            SemanticIndex.build(vectors, encoder.dim).save(staged / "semantic.faiss")
            LexicalIndex.build(texts).save(staged)
            np.save(staged / "record_ids.npy", np.asarray(record_ids, dtype=np.int64))
            meta = {"fingerprint": key, "embedding_model": encoder.model_version, "records": len(record_ids),
                    "releases": sorted(r.pk for r in releases), "recipe": INDEX_RECIPE}
            (staged / "meta.json").write_text(json.dumps(meta))
            if directory.exists():  # a leftover without meta.json: a build that died half way
                shutil.rmtree(directory)
            os.replace(staged, directory)


def _load(directory: Path, key: str) -> AttributionIndex:
    meta = json.loads((directory / "meta.json").read_text())
    return AttributionIndex(fingerprint=key, embedding_model=meta["embedding_model"],
                            record_ids=np.load(directory / "record_ids.npy"),
                            semantic=SemanticIndex.load(directory / "semantic.faiss"),
                            lexical=LexicalIndex.load(directory))


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    try:
        import fcntl
    except ImportError:  # no flock: the atomic rename still keeps every index whole
        yield
        return
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
