"""Release export: building a release of a big datanet — records/s and peak memory.

    python bench/bench_release_export.py [--records 1000000] [--words 40]

SQLite (a fresh file in a temporary directory) by default; PostgreSQL when DATABASE_URL is set
(a scratch database: see bench/record_loader.py). Files go to local storage in a temporary dir.

Accepted records of `--words` random first-aid words from 200 contributors are written with bulk
SQL, then `curation.releases.release_build` (the Celery task's body) builds v1: JSONL, Parquet,
the manifest with its Merkle root, and the dataset card. The build runs twice, on a tenth of the
records and on all of them, in a fresh datanet each, so the table shows whether memory grows with
the number of records (it should not: the build streams). RSS is sampled every 20 ms during the
build; "RSS before" is the process just before the build starts.
"""

import argparse
import json
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import record_loader  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class PeakRss:
    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.02)

    def __enter__(self) -> "PeakRss":
        self.peak = rss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def build(n_records: int, words: int) -> tuple:
    from curation import merkle
    from curation.models import Release
    from curation.releases import release_build

    datanet, owner, _, subs = record_loader.make_datanet(contributors=200)
    record_loader.insert_records(datanet, subs, n_records=n_records, words=words)
    release = Release.objects.create(datanet=datanet, version=1, created_by=owner)
    import gc

    gc.collect()
    before = rss_mb()
    with PeakRss() as peak:
        start = time.perf_counter()
        release = release_build(release_id=release.pk)
        elapsed = time.perf_counter() - start
    assert release.status == Release.Status.READY and release.record_count == n_records, release.error
    from django.core.files.storage import default_storage

    with default_storage.open(release.files["manifest"]["key"], "rb") as f:  # the root is recomputable
        leaves = (merkle.leaf_hash(json.loads(line)) for line in f if line.strip())
        assert merkle.merkle_root(leaves).hex() == release.merkle_root
    sizes = {kind: info["size"] for kind, info in release.files.items()}
    record_loader.drop_datanet(datanet)
    return n_records, elapsed, before, peak.peak, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--words", type=int, default=40)
    args = parser.parse_args()
    vendor = record_loader.setup_django()
    rows = [build(max(args.records // 10, 1), args.words), build(args.records, args.words)]
    print(f"\n## Release export ({vendor}, ~{args.words}-word records, local storage)\n")
    print("| records | build s | records/s | RSS before MB | peak RSS MB | peak − before MB | JSONL MB | Parquet MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, elapsed, before, peak, sizes in rows:
        print(f"| {n:,} | {elapsed:.1f} | {n / elapsed:,.0f} | {before:.0f} | {peak:.0f} | {peak - before:.0f} | "
              f"{sizes['jsonl'] / 2**20:.0f} | {sizes['parquet'] / 2**20:.0f} |")
    small, big = rows
    print(f"\nPeak RSS building {small[0]:,} records: {small[3]:.0f} MB; {big[0]:,} records: {big[3]:.0f} MB "
          f"({big[3] - small[3]:+.0f} MB for {big[0] / small[0]:.0f}× the records; flat means the build streams).")


if __name__ == "__main__":
    main()
