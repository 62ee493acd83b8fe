"""End-to-end ingest benchmark: upload → every record routed, against baselines measured in the
same run on the same machine.

    python bench/bench_ingest.py [--records 100000] [--database sqlite|postgres] [--skip-embeddings-run]

Label Studio is installed into .cache/label-studio on first use (`make bench-label-studio`).

Rows printed:
- raw encoder: sentences/s of the configured embedding backend alone on the same texts;
- ingest with embeddings: records/s of the whole pipeline (parse, validate, normalize, exact and
  near dedup against the persisted LSH index, embed, score, route, write), and its ratio to the
  raw encoder (target ≥ 0.90);
- labelling tool's JSON import: records/s of Label Studio, a popular labelling tool (the issue's
  bar is "a popular labelling tool's plain JSON import"), importing the same records as one JSON
  file through its own import API, no checks at all -- the baseline for
- ingest without embeddings: the same pipeline with the encoder replaced by a constant vector
  (dedup and routing still run; quality then rests on the text heuristics), target ratio >= 1.0;
  also shown against a plain bulk insert of the same rows into our own record table (reference);
- peak RSS of the worker and of its helper process.

Texts are ~40-word passages of real English from the standard library's documentation
(pydoc_data), 2% planted exact and 2% planted near duplicates.
"""

import argparse
import io
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def passages(n: int, seed: int = 7) -> list[str]:
    """n distinct ~40-word passages: five 8-word fragments of real English from random places in
    the standard library's documentation, so texts stay distinct at any n. Every 50th passage is
    an exact copy of the one before and every 50th (offset) a near copy (last word changed:
    Jaccard ~0.95)."""
    from pydoc_data.topics import topics

    words = re.findall(r"[A-Za-z][A-Za-z'-]+|[.,;:]", " ".join(topics.values()))
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(n):
        if i % 50 == 7 and out:
            out.append(out[-1])
            continue
        if i % 50 == 23 and out:
            out.append(out[-1].rsplit(" ", 1)[0] + " indeed")
            continue
        fragments = []
        for _ in range(5):
            start = rng.randrange(0, len(words) - 8)
            fragments.append(" ".join(words[start:start + 8]))
        out.append(" ".join(fragments).replace(" .", ".").replace(" ,", ","))
    return out


def setup_django(database: str) -> None:
    data_dir = tempfile.mkdtemp(prefix="datanets-bench-")
    os.environ["DATA_DIR"] = data_dir
    os.environ.setdefault("MODEL_CACHE_DIR", str(ROOT / ".cache" / "models"))
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ["CACHE_URL"] = "locmem://"
    if database == "postgres":
        # BENCH_POSTGRES_DB names the scratch database (dropped and created here).
        name = os.environ.get("BENCH_POSTGRES_DB", "datanets_bench")
        os.environ["DATABASE_URL"] = f"postgres://root@127.0.0.1:5432/{name}"
        import psycopg

        with psycopg.connect("postgresql://root@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DJANGO_SETTINGS_MODULE"] = "openledger.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_datanet(name: str):
    from accounts.models import Profile
    from datanets import services
    from django.contrib.auth import get_user_model

    User = get_user_model()
    owner, _ = User.objects.get_or_create(username="bench-owner")
    contributor, _ = User.objects.get_or_create(username="bench-contrib")
    for u in (owner, contributor):
        Profile.objects.get_or_create(user=u)
    datanet = services.datanet_create(owner=owner, name=name, description="Python language reference and library notes.")
    datanet = services.datanet_set_status(datanet=datanet, actor=owner, status="open")
    return datanet, contributor


def run_ingest(texts: list[str], name: str) -> tuple[float, dict]:
    from curation.ingest import submission_ingest
    from datanets.models import Submission
    from datanets.submissions import submission_create_from_file

    datanet, contributor = make_datanet(name)
    data = "".join(json.dumps({"text": t}) + "\n" for t in texts).encode()
    start = time.perf_counter()
    sub = submission_create_from_file(datanet=datanet, contributor=contributor, stream=io.BytesIO(data),
                                      original_name=f"{name}.jsonl")
    while not submission_ingest(submission_id=sub.id, budget_seconds=3600):
        pass
    elapsed = time.perf_counter() - start
    sub = Submission.objects.get(id=sub.id)
    return elapsed, sub.counts()


def plain_import(texts: list[str]) -> float:
    """A labelling tool's plain JSON import: parse the JSON and insert rows, nothing else."""
    from django.db import transaction

    from datanets.models import Record, Submission

    datanet, contributor = make_datanet("plain import")
    sub = Submission.objects.create(datanet=datanet, contributor=contributor, original_name="plain.json",
                                    storage_key="-", sha256="0" * 64, format="json")
    payload = json.dumps([{"text": t} for t in texts])
    start = time.perf_counter()
    items = json.loads(payload)
    with transaction.atomic():
        Record.objects.bulk_create(
            [Record(datanet=datanet, submission=sub, contributor=contributor, row=i, fields=item, text=item["text"],
                    content_hash=str(i)) for i, item in enumerate(items)],
            batch_size=1000,
        )
    return time.perf_counter() - start


LABEL_STUDIO_PYTHON = ROOT / ".cache" / "label-studio" / "bin" / "python"


def label_studio_import(texts: list[str], database: str) -> tuple[float, str]:
    """Records/s of Label Studio's own import of the same records as one JSON file
    (bench/label_studio_import.py, in Label Studio's virtualenv, installed on first use by
    `make bench-label-studio`), and what was measured."""
    import subprocess

    if not LABEL_STUDIO_PYTHON.exists():
        print("Installing Label Studio for the baseline (make bench-label-studio, once, ~3 min)...", file=sys.stderr)
        subprocess.run(["make", "-C", str(ROOT), "bench-label-studio"], check=True)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump([{"text": t} for t in texts], f)
    command = [str(LABEL_STUDIO_PYTHON), str(ROOT / "bench" / "label_studio_import.py"), f.name]
    if database == "postgres":
        command += ["--postgres", os.environ.get("BENCH_POSTGRES_DB", "datanets_bench") + "_label_studio"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    finally:
        os.unlink(f.name)
    if done.returncode != 0:
        raise RuntimeError(f"Label Studio's import failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["status"] != 201 or result["stored"] != len(texts):
        raise RuntimeError(f"Label Studio stored {result['stored']} of {len(texts)} tasks (HTTP {result['status']})")
    return len(texts) / result["seconds"], f"Label Studio {result['version']} on {result['database']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--encoder-sample", type=int, default=2000)
    parser.add_argument("--skip-embeddings-run", action="store_true")
    args = parser.parse_args()
    setup_django(args.database)
    import numpy as np

    from curation import scoring

    texts = passages(args.records)
    enc = scoring.encoder()
    enc.encode(texts[:64])  # warm up
    sample = texts[: args.encoder_sample]
    t0 = time.perf_counter()
    enc.encode(sample)
    raw_rate = len(sample) / (time.perf_counter() - t0)

    rows = [("raw encoder (" + enc.model_version + ")", f"{raw_rate:,.0f}", "baseline", "")]
    if not args.skip_embeddings_run:
        elapsed, counts = run_ingest(texts, "with embeddings")
        rate = len(texts) / elapsed
        rows.append(("ingest with embeddings", f"{rate:,.0f}", f"{rate / raw_rate:.2f} × raw encoder",
                     json.dumps(counts)))

    constant = np.zeros(384, dtype=np.float32)
    constant[0] = 1.0
    real_embed = scoring.embed
    scoring.embed = lambda batch: np.tile(constant, (len(batch), 1))
    elapsed, counts = run_ingest(texts, "without embeddings")
    scoring.embed = real_embed
    no_embed_rate = len(texts) / elapsed
    # Peak RSS before the plain import, which holds every record in memory at once by design.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from curation import prep_process

    children_mb = prep_process.shared().peak_rss_kb() / 1024
    plain_rate = len(texts) / plain_import(texts)
    tool_rate, tool = label_studio_import(texts, args.database)
    rows.append((f"labelling tool's JSON import ({tool}, no checks)", f"{tool_rate:,.0f}", "baseline", ""))
    rows.append(("plain insert into our record table (bulk_create, no checks)", f"{plain_rate:,.0f}", "reference", ""))
    rows.append(("ingest without embeddings", f"{no_embed_rate:,.0f}",
                 f"{no_embed_rate / tool_rate:.2f} × labelling tool ({no_embed_rate / plain_rate:.2f} × plain insert)",
                 json.dumps(counts)))
    print(f"\n## Ingest of {len(texts):,} records of ~40 words ({args.database}, {os.cpu_count()} cores)\n")
    print("| what | records/s | ratio | counts |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\nPeak RSS through both ingest runs (model loaded): {peak_mb:,.0f} MB in the worker, "
          f"{children_mb:,.0f} MB in its helper process (curation/prep_process.py). "
          f"Load average at the end: {os.getloadavg()[0]:.1f}.")


if __name__ == "__main__":
    main()
