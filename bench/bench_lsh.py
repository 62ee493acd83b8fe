"""LSH index throughput: lookup + insert per record with a million records already indexed.

    python bench/bench_lsh.py [--records 1000000] [--measure 50000] [--stores memory,redis]

Each store in STORES is filled with ``--records`` synthetic records, then timed on ``--measure``
more, in ingestion-sized chunks of 1,000: band keys, one lookup round trip, one insert round
trip per chunk -- what the ingest task does. The in-memory dict is the baseline; to bench
another store (PostgreSQL, ...), add a factory to STORES that returns the store and a cleanup.

Signatures are synthetic: uniformly random uint32 (numpy), not MinHashes of texts -- the index
only sees band keys, and random signatures give the same all-distinct band keys that unrelated
texts do. 10% of the timed records are near-copies of indexed ones (3 of 16 bands changed), so
lookups return members too; the table shows that every one was found.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curation.lsh import BandStore, InMemoryBandStore, band_keys_many, optimal_bands  # noqa: E402
from curation.lsh_redis import RedisBandStore  # noqa: E402

NUM_PERM = 128
THRESHOLD = 0.8
CHUNK = 1_000
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class StoreUnderTest:
    store: BandStore
    cleanup: Callable[[], None] = lambda: None
    describe: Callable[[], str] = lambda: ""


def memory_store() -> StoreUnderTest:
    store = InMemoryBandStore()
    return StoreUnderTest(store, describe=lambda: f"{len(store):,} band keys in a Python dict")


def redis_store() -> StoreUnderTest:
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()  # no Redis, no bench: fail here, not after a minute of work
    store = RedisBandStore(client, f"bench:lsh:{uuid.uuid4().hex}:")
    before = int(client.info("memory")["used_memory"])
    persistence = client.config_get("save").get("save") or "off", client.config_get("appendonly").get("appendonly")

    def describe() -> str:
        used = int(client.info("memory")["used_memory"]) - before
        return f"{used / 2**20:,.0f} MiB in Redis (RDB save: {persistence[0]!r}, AOF: {persistence[1]})"

    def cleanup() -> None:
        print(f"cleanup: deleted {store.clear():,} Redis keys under the bench prefix", file=sys.stderr)

    return StoreUnderTest(store, cleanup=cleanup, describe=describe)


STORES: dict[str, Callable[[], StoreUnderTest]] = {"memory": memory_store, "redis": redis_store}


@dataclass
class Result:
    preload_seconds: float = 0.0
    lookup_seconds: float = 0.0
    insert_seconds: float = 0.0
    keys_seconds: float = 0.0
    measured: int = 0
    planted: int = 0
    planted_found: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return self.keys_seconds + self.lookup_seconds + self.insert_seconds


def random_signatures(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 2**32, size=(n, NUM_PERM), dtype=np.uint32)


def preload(store: BandStore, n: int, bands: int, rows: int, rng: np.random.Generator) -> np.ndarray:
    """Insert ``n`` records r0..r{n-1}; returns a sample of their signatures to plant copies of."""
    sample = []
    for lo in range(0, n, 20_000):
        sigs = random_signatures(rng, min(20_000, n - lo))
        keys = band_keys_many(sigs, bands, rows)
        store.add_many([(f"r{lo + i}", k) for i, k in enumerate(keys)])
        sample.append(sigs[:50])
    return np.concatenate(sample)


def measure(store: BandStore, n: int, bands: int, rows: int, sample: np.ndarray, result: Result) -> None:
    rng = np.random.default_rng(2)
    for lo in range(0, n, CHUNK):
        sigs = random_signatures(rng, CHUNK)
        # Near-copies: keep all but 3 bands of an indexed signature.
        planted = rng.choice(CHUNK, CHUNK // 10, replace=False)
        sigs[planted] = sample[rng.choice(len(sample), len(planted))]
        sigs[planted, : 3 * rows] = random_signatures(rng, len(planted))[:, : 3 * rows]
        start = time.perf_counter()
        keys = band_keys_many(sigs, bands, rows)
        t_keys = time.perf_counter()
        found = store.lookup_many(keys)
        t_lookup = time.perf_counter()
        store.add_many([(f"m{lo + i}", k) for i, k in enumerate(keys)])
        t_insert = time.perf_counter()
        result.keys_seconds += t_keys - start
        result.lookup_seconds += t_lookup - t_keys
        result.insert_seconds += t_insert - t_lookup
        result.measured += CHUNK
        result.planted += len(planted)
        result.planted_found += sum(1 for i in planted if any(k.startswith("r") for k in found[i]))


def run(name: str, records: int, n_measure: int) -> Result:
    bands, rows = optimal_bands(NUM_PERM, THRESHOLD)
    under_test = STORES[name]()
    result = Result()
    try:
        start = time.perf_counter()
        sample = preload(under_test.store, records, bands, rows, np.random.default_rng(1))
        result.preload_seconds = time.perf_counter() - start
        measure(under_test.store, n_measure, bands, rows, sample, result)
        result.notes.append(under_test.describe())
    finally:
        under_test.cleanup()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--measure", type=int, default=50_000)
    parser.add_argument("--stores", default=",".join(STORES))
    args = parser.parse_args()
    names = args.stores.split(",")
    bands, rows = optimal_bands(NUM_PERM, THRESHOLD)

    results = {name: run(name, args.records, args.measure) for name in names}
    baseline = results[names[0]]
    print(f"## LSH index: lookup + insert with {args.records:,} records already indexed\n")
    print(
        f"{bands} bands x {rows} rows ({NUM_PERM} permutations, threshold {THRESHOLD}); synthetic random "
        f"signatures (numpy), not MinHashes of texts; {args.measure:,} timed records in chunks of {CHUNK:,}; "
        f"2-byte band index + 8-byte hash per band key.\n"
    )
    print(
        "| store | preload records/s | lookup+insert records/s | lookup only | insert only | band keys only "
        f"| ratio vs {names[0]} | near-copies found |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        rate = r.measured / r.total_seconds
        print(
            f"| {name} | {args.records / r.preload_seconds:,.0f} | {rate:,.0f} | "
            f"{r.measured / r.lookup_seconds:,.0f} | {r.measured / r.insert_seconds:,.0f} | "
            f"{r.measured / r.keys_seconds:,.0f} | {rate / (baseline.measured / baseline.total_seconds):.2f}x | "
            f"{r.planted_found}/{r.planted} |"
        )
    print()
    for name, r in results.items():
        verdict = "met" if r.measured / r.total_seconds >= 10_000 else "NOT met"
        print(f"- {name}: {'; '.join(r.notes)}; target >= 10,000 records/s {verdict}.")


if __name__ == "__main__":
    main()
