"""The embedding model, run for real on CPU: both backends, their agreement, loading once, reusing the
ONNX export, and never touching the network."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from curation import embedding
from curation.embedding import (
    EmbeddingError,
    Encoder,
    export_onnx,
    get_encoder,
    load_encoder,
)

BACKENDS = ["torch-fp32", "onnx-int8"]

SIMILAR_PAIRS = [
    ("A man is playing a guitar on stage.", "Someone performs a song on an acoustic guitar."),
    ("The patient was prescribed antibiotics for the infection.",
     "The doctor gave the sick person medicine against bacteria."),
    ("Interest rates rose sharply this quarter.", "The central bank increased borrowing costs."),
    ("The cat is sleeping on the sofa.", "A kitten naps on the couch."),
]


class NetworkAttempt(AssertionError):
    pass


@pytest.fixture(scope="module")
def network_attempts() -> Iterator[list[str]]:
    """Refuse and record every internet connection or name lookup for the whole module: loading,
    exporting and encoding must work offline. Recorded, because a library may swallow the error
    and fall back quietly."""
    attempts: list[str] = []
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(f"connect {address!r}")
            raise NetworkAttempt(f"network access to {address!r}")
        return real_connect(sock, address)

    def lookup(*args: Any, **kwargs: Any) -> Any:
        attempts.append(f"lookup {args!r}")
        raise NetworkAttempt(f"name lookup {args!r}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        patch.setattr(socket, "getaddrinfo", lookup)
        patch.setattr(socket, "create_connection", lookup)
        yield attempts


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory, network_attempts: list[str]) -> Path:
    """A fresh cache, so the session exercises a real export once."""
    directory = tmp_path_factory.mktemp("models")
    started = time.perf_counter()
    export_onnx(directory)
    # Generous for a busy 2-core machine; ~20 s when idle.
    assert time.perf_counter() - started < 180
    return directory


@pytest.fixture(scope="module")
def encoders(cache_dir: Path) -> dict[str, Encoder]:
    return {backend: get_encoder(backend, cache_dir) for backend in BACKENDS}


def prose(n: int) -> list[str]:
    """Real English sentences from the stdlib's documentation, no download needed."""
    from pydoc_data.topics import topics

    sentences = []
    for key in sorted(topics):
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(topics[key].split())):
            words = sentence.split()
            if 6 <= len(words) <= 60 and sum(w.strip(".,;:()'\"").isalpha() for w in words) >= 0.8 * len(words):
                sentences.append(sentence)
    return sentences[::max(1, len(sentences) // n)][:n]


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    x, y = a[np.triu_indices(len(a), 1)], b[np.triu_indices(len(b), 1)]
    return float(np.corrcoef(np.argsort(np.argsort(x)), np.argsort(np.argsort(y)))[0, 1])


def test_the_module_turns_hub_access_off() -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"


@pytest.mark.parametrize("backend", BACKENDS)
def test_vectors_are_float32_unit_length_384(encoders: dict[str, Encoder], backend: str) -> None:
    encoder = encoders[backend]
    texts = ["A short sentence.", "", "word " * 1000, "Ünïcödé and 日本語 text.", "x"]
    vectors = encoder.encode(texts, batch_size=2)
    assert vectors.shape == (5, 384) and vectors.dtype == np.float32
    assert encoder.dim == 384 and encoder.max_seq_length == 256
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)
    assert backend.split("-")[0] in encoder.model_version and "all-MiniLM-L6-v2" in encoder.model_version


@pytest.mark.parametrize("backend", BACKENDS)
def test_batching_does_not_change_the_vectors_order(encoders: dict[str, Encoder], backend: str) -> None:
    texts = [pair[0] for pair in SIMILAR_PAIRS] + ["One more sentence of a different length, longer."]
    together = encoders[backend].encode(texts, batch_size=64)
    alone = np.concatenate([encoders[backend].encode([t]) for t in texts])
    # int8 activations are quantised per batch, so tolerate a little; the order must be exact.
    assert ((together * alone).sum(axis=1) > 0.98).all()


@pytest.mark.parametrize("backend", BACKENDS)
def test_similar_sentences_are_closer_than_unrelated_ones(encoders: dict[str, Encoder], backend: str) -> None:
    left = encoders[backend].encode([a for a, _ in SIMILAR_PAIRS])
    right = encoders[backend].encode([b for _, b in SIMILAR_PAIRS])
    sims = left @ right.T
    for i in range(len(SIMILAR_PAIRS)):
        unrelated = np.delete(sims[i], i)
        assert sims[i, i] > unrelated.max() + 0.2, (SIMILAR_PAIRS[i], sims[i])


def test_onnx_int8_ranks_similarities_like_torch_fp32(encoders: dict[str, Encoder]) -> None:
    sentences = prose(100)
    assert len(sentences) == 100
    fp32 = encoders["torch-fp32"].encode(sentences)
    int8 = encoders["onnx-int8"].encode(sentences)
    assert spearman(fp32 @ fp32.T, int8 @ int8.T) >= 0.99
    assert (fp32 * int8).sum(axis=1).min() > 0.95


def test_the_model_is_loaded_once_per_process(encoders: dict[str, Encoder], cache_dir: Path) -> None:
    for backend in BACKENDS:
        assert get_encoder(backend, cache_dir) is encoders[backend]
    assert get_encoder(None, cache_dir) is encoders[embedding.DEFAULT_BACKEND]
    assert get_encoder("torch-fp32", cache_dir / "elsewhere") is encoders["torch-fp32"]


def test_the_export_is_written_once_and_reused(encoders: dict[str, Encoder], cache_dir: Path) -> None:
    path = export_onnx(cache_dir)
    written = path.stat().st_mtime_ns
    assert export_onnx(cache_dir) == path
    reloaded = load_encoder("onnx-int8", cache_dir)
    assert isinstance(reloaded, embedding.OnnxEncoder) and reloaded.onnx_path == path
    assert path.stat().st_mtime_ns == written
    assert sorted(p.name for p in cache_dir.iterdir() if p.suffix == ".onnx") == [path.name]
    assert not list(cache_dir.glob(".export-*")), "temporary export files were left behind"


def test_concurrent_exports_produce_one_whole_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def slow_fake_export(workdir: Path) -> Path:
        calls.append(threading.get_ident())
        staged = workdir / "int8.onnx"
        staged.write_bytes(b"part one ")
        time.sleep(0.3)  # a second exporter arriving now must wait, not start its own
        with open(staged, "ab") as f:
            f.write(b"part two")
        return staged

    monkeypatch.setattr(embedding, "_export_quantised", slow_fake_export)
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(export_onnx(tmp_path))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len(set(results)) == 1 and results[0].read_bytes() == b"part one part two"


def test_an_unknown_backend_is_refused_with_the_choices() -> None:
    with pytest.raises(EmbeddingError, match="onnx-int8, torch-fp32"):
        get_encoder("gpu-fp16")


def test_nothing_reached_for_the_network(cache_dir: Path, network_attempts: list[str]) -> None:
    # Fresh loads, in case another test module already loaded the cached encoders unguarded.
    for backend in BACKENDS:
        load_encoder(backend, cache_dir).encode(["still offline"])
    assert network_attempts == []
