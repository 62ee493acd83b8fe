"""Embedding throughput and agreement: torch-fp32 (baseline) against onnx-int8, in one run.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_encoder.py [--n 2000] [--cache-dir DIR]

Corpus: real English prose from the stdlib's pydoc topics (sentences that are mostly words,
packed into chunks of ~40 words), so no download is needed. Prints a markdown table: sentences/s
per backend, the speed-up over fp32, and how well each backend's pairwise cosine similarities rank
like fp32's (Spearman over all pairs).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from curation.embedding import Encoder, export_onnx, load_encoder, onnx_export_path


def prose_sentences() -> list[str]:
    from pydoc_data.topics import topics

    sentences = []
    for key in sorted(topics):
        # A heading's underline ("*****") ends the heading like a full stop.
        text = re.sub(r"\s*\n[*=\-]{3,}\n", ".\n", topics[key])
        for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
            words = sentence.split()
            # Keep prose, drop grammar productions and code: mostly plain words.
            wordlike = sum(w.strip(".,;:()'\"").isalpha() for w in words)
            if len(words) >= 6 and wordlike >= 0.7 * len(words):
                sentences.append(sentence)
    return sentences


def corpus(n: int, words_per_chunk: int = 40) -> list[str]:
    """n chunks of whole sentences, ~words_per_chunk words each (never more than 10 over: a longer
    sentence is cut). The topics hold ~1,400 such chunks, so later passes regroup the sentences in
    a shuffled (seeded) order."""
    sentences = prose_sentences()
    chunks: dict[str, None] = {}  # ordered, and no chunk twice
    current: list[str] = []
    rng = random.Random(0)
    limit = words_per_chunk + 10
    while True:
        for sentence in sentences:
            words = sentence.split()[:limit]
            if current and len(current) + len(words) > limit:
                chunks[" ".join(current)] = None
                current = []
            current += words
            if len(current) >= words_per_chunk - 5:
                chunks[" ".join(current)] = None
                current = []
            if len(chunks) >= n:
                return list(chunks)[:n]
        rng.shuffle(sentences)


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Rank correlation of two embeddings' pairwise cosines (ties are negligible for floats)."""
    upper = np.triu_indices(len(a), 1)
    x, y = (a @ a.T)[upper], (b @ b.T)[upper]
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    return float(np.corrcoef(rx, ry)[0, 1])


def throughput(encoders: dict[str, Encoder], texts: list[str], batch_size: int,
               slices: int = 4) -> dict[str, tuple[np.ndarray, float]]:
    """Encode all texts with every encoder, timed in interleaved slices (A, B, A, B, ...), so load
    from other processes that comes and goes hits both backends alike."""
    for encoder in encoders.values():
        encoder.encode(texts[:batch_size], batch_size=batch_size)  # warm-up: allocations, thread pools
    parts: dict[str, list[np.ndarray]] = {name: [] for name in encoders}
    seconds = dict.fromkeys(encoders, 0.0)
    step = -(-len(texts) // slices)
    for start in range(0, len(texts), step):
        for name, encoder in encoders.items():
            began = time.perf_counter()
            parts[name].append(encoder.encode(texts[start:start + step], batch_size=batch_size))
            seconds[name] += time.perf_counter() - began
    return {name: (np.concatenate(parts[name]), len(texts) / seconds[name]) for name in encoders}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--cache-dir", default=str(Path(tempfile.gettempdir()) / "datanets-bench-models"))
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    texts = corpus(args.n)
    export_seconds = None
    if not onnx_export_path(args.cache_dir).exists():
        start = time.perf_counter()
        export_onnx(args.cache_dir)
        export_seconds = time.perf_counter() - start

    encoders = {backend: load_encoder(backend, args.cache_dir) for backend in ("torch-fp32", "onnx-int8")}
    results = throughput(encoders, texts, args.batch_size)

    from tokenizers import Tokenizer

    from curation.embedding import model_dir

    tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tokenizer.no_padding()
    tokens = np.mean([len(e.ids) for e in tokenizer.encode_batch(texts)])
    words = np.mean([len(t.split()) for t in texts])

    base_vectors, base_rate = results["torch-fp32"]
    print(f"{len(texts)} chunks of pydoc prose, {words:.0f} words / {tokens:.0f} tokens on average, "
          f"batch {args.batch_size}, {os.cpu_count()} cores, load average before the run "
          f"{load_before:.1f} (other processes on the machine slow both backends)\n")
    print("| backend | model_version | sentences/s | × fp32 | Spearman vs fp32 | min cosine vs fp32 |")
    print("|---|---|---:|---:|---:|---:|")
    for backend, (vectors, rate) in results.items():
        cosine = float((vectors * base_vectors).sum(axis=1).min())
        print(f"| {backend} | {encoders[backend].model_version} | {rate:.0f} | {rate / base_rate:.2f} | "
              f"{spearman(vectors, base_vectors):.4f} | {cosine:.4f} |")
    if export_seconds is not None:
        print(f"\nONNX export (first use, cached afterwards): {export_seconds:.1f} s")


if __name__ == "__main__":
    main()
