"""Worker memory while ingesting one big file: peak RSS of the worker process, model included,
plus its helper process (curation/prep_process.py).

    python bench/bench_ingest_memory.py [--records 1000000] [--real-embeddings]

The parent writes a JSONL file of `--records` ~40-word passages (bench_ingest.passages: real
English, 2% exact and 2% near duplicates) to disk, uploads it as one submission through the
streaming upload path, then runs the ingest in a child process — the worker — and reads the
child's peak RSS (VmHWM) when it ends. The child loads the embedding model first and reports its
RSS then, so the table shows what the model takes and what ingest adds.

Worst case for memory: the datanet accepts every record (minimum quality 0, auto-accept above 0),
so novelty's accepted set (curation/scoring.AcceptedSet) grows to every record of the file.

Embeddings: by default each record gets a random unit vector (seeded by its text) instead of the
encoder's output, because encoding a million passages takes ~35 minutes on 2 cores; the model is
still loaded and every other step runs. The vectors have the encoder's shape and dtype, so the
memory they take is the same. `--real-embeddings` runs the encoder on every record.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def vm_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def worker(submission_id: str, real: bool) -> None:
    """The child: load the model, then ingest the submission to the end, as a Celery worker does."""
    import django

    django.setup()
    import numpy as np

    from curation import scoring
    from curation.ingest import submission_ingest

    scoring.encoder().encode(["warm up the model"])
    model_kb = vm_kb("VmRSS")
    if not real:
        def random_unit(texts):
            out = np.empty((len(texts), scoring.EMBEDDING_DIM), dtype=np.float32)
            for i, text in enumerate(texts):
                seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
                out[i] = np.random.default_rng(seed).standard_normal(scoring.EMBEDDING_DIM)
            return out / np.linalg.norm(out, axis=1, keepdims=True)

        scoring.embed = random_unit
    start = time.perf_counter()
    while not submission_ingest(submission_id=submission_id, budget_seconds=3600):
        pass
    elapsed = time.perf_counter() - start
    peak_kb = vm_kb("VmHWM")
    from curation import prep_process

    helper_kb = prep_process.shared().peak_rss_kb()
    print(json.dumps({"model_kb": model_kb, "peak_kb": peak_kb, "helper_kb": helper_kb, "seconds": elapsed}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--real-embeddings", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.real_embeddings)
        return

    import bench_ingest

    bench_ingest.setup_django("sqlite")
    from datanets.models import Datanet, Submission
    from datanets.submissions import submission_create_from_file

    datanet, contributor = bench_ingest.make_datanet("memory")
    Datanet.objects.filter(pk=datanet.pk).update(min_quality=0.0, auto_accept_above=0.0)
    datanet.refresh_from_db()
    path = Path(tempfile.mkdtemp(prefix="datanets-bench-file-")) / "big.jsonl"
    with path.open("w") as out:
        for text in bench_ingest.passages(args.records):
            out.write(json.dumps({"text": text}) + "\n")
    size_mb = path.stat().st_size / 1e6
    # Upload only: the worker below does the processing (no eager task in this process).
    from datanets import submissions

    submissions._enqueue = lambda *a, **k: None
    with path.open("rb") as stream:
        sub = submission_create_from_file(datanet=datanet, contributor=contributor, stream=stream,
                                          original_name="big.jsonl")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    cmd = [sys.executable, __file__, "--worker", str(sub.id)] + (["--real-embeddings"] if args.real_embeddings else [])
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"the worker failed:\n{result.stderr[-3000:]}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    sub = Submission.objects.get(id=sub.id)
    counts = sub.counts()
    embeddings = "encoder" if args.real_embeddings else "random unit vectors (model loaded, not run)"
    print(f"\n## Worker memory: one file of {args.records:,} records ({size_mb:,.0f} MB JSONL, sqlite, "
          f"every record accepted)\n")
    print("| records | embeddings | seconds | records/s | RSS with model loaded MB | peak RSS MB: worker + helper "
          "process = sum | target (on the sum) |")
    print("|---:|---|---:|---:|---:|---:|---|")
    worker_mb, helper_mb = report["peak_kb"] / 1024, report["helper_kb"] / 1024
    peak_mb = worker_mb + helper_mb  # an upper bound: the two peaks need not coincide
    print(f"| {args.records:,} | {embeddings} | {report['seconds']:,.0f} | {args.records / report['seconds']:,.0f} | "
          f"{report['model_kb'] / 1024:,.0f} | {worker_mb:,.0f} + {helper_mb:,.0f} = {peak_mb:,.0f} | "
          f"<= 1,536 MB: {'met' if peak_mb <= 1536 else 'NOT met'} |")
    print(f"\nCounts: {json.dumps(counts)}. Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.")


if __name__ == "__main__":
    main()
