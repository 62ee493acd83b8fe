"""Review queue: how long a curator waits for the next item, with a big datanet.

    python bench/bench_review_next.py [--records 1000000] [--in-review 100000] [--samples 200]

SQLite (a fresh file in a temporary directory) by default; PostgreSQL when DATABASE_URL is set
(a scratch database: see bench/record_loader.py).

The datanet holds `--records` records from 200 contributors, of which `--in-review` (spread evenly
through the table, the hardest case for an index walk) wait for review; the rest are accepted.
Every record carries a stored embedding (random directions, float16, as ingest writes them), so
the payload's nearest accepted neighbours do their real work (curation/neighbours.py). Rows are
written with bulk SQL (bench/record_loader.py). Around the measured
curator, the queue looks like a busy day: three other curators hold 500 claims, the measured curator
already voted on 2,000 records (two approvals needed, so those stay in review) and skipped 300.

Per review order (highest quality, oldest, closest to the threshold), `--samples` times:
- next item: `gold.review_next_item` — what `POST /review/next/` and the page's `n` call: pick
  and claim the next record and read what the page shows of it (gold mixing on, one in 10, with
  no gold item left to serve);
- of which the payload: `review_selectors.review_item` alone — votes, escalation, neighbours;
- queue count: `review_selectors.review_queue_count` — the "N more waiting" line of the page.
Between samples the curator votes on the item (not timed), so every sample claims a new record.
The table gives p50/p95/p99 wall-clock ms, p95 of the process's CPU ms, and p95 against the 50 ms
target.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import record_loader  # noqa: E402

TARGET_MS = 50.0
CONTRIBUTORS = 200


def make_world(n_records: int, n_review: int):
    datanet, _, curators, subs = record_loader.make_datanet(contributors=CONTRIBUTORS, curators=4,
                                                            approvals_required=2)
    record_loader.insert_records(datanet, subs, n_records=n_records, n_review=n_review)
    return datanet, curators[0], curators[1:]


def busy_day(datanet, curator, others) -> None:
    """Claims held by other curators, votes and skips by the measured one."""
    from django.utils import timezone as djtz

    from curation.models import Review, ReviewClaim
    from datanets.models import Record

    ids = list(Record.objects.filter(datanet=datanet, status="in_review").order_by("?").values_list("id", flat=True)
               [:2_800])
    now = djtz.now()
    ReviewClaim.objects.bulk_create([
        ReviewClaim(record_id=rid, datanet=datanet, curator=others[k % 3], claimed_at=now,
                    expires_at=now + timedelta(hours=2)) for k, rid in enumerate(ids[:500])])
    Review.objects.bulk_create(
        [Review(record_id=rid, reviewer=curator, decision="accept") for rid in ids[500:2_500]]
        + [Review(record_id=rid, reviewer=curator, decision="skip") for rid in ids[2_500:2_800]])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(datanet, curator, samples: int) -> list[tuple]:
    from curation import gold, review, review_selectors
    from curation.models import GoldPolicy
    from datanets.models import Datanet

    GoldPolicy.objects.update_or_create(datanet=datanet, defaults={"every": 10})
    out = []
    for order in (Datanet.ReviewOrder.QUALITY, Datanet.ReviewOrder.OLDEST, Datanet.ReviewOrder.THRESHOLD):
        Datanet.objects.filter(pk=datanet.pk).update(review_order=order)
        datanet.refresh_from_db()
        timings: dict[str, list[float]] = {"next item": [], "of which the payload": [], "queue count": []}
        cpu: dict[str, list[float]] = {k: [] for k in timings}

        def timed(what: str, fn):
            c0, t0 = time.process_time(), time.perf_counter()
            result = fn()
            timings[what].append((time.perf_counter() - t0) * 1000)
            cpu[what].append((time.process_time() - c0) * 1000)
            return result

        for _ in range(samples):
            item = timed("next item", lambda: gold.review_next_item(datanet=datanet, curator=curator))
            assert item is not None, "the queue ran dry: use fewer samples"
            timed("of which the payload", lambda: review_selectors.review_item(claim=item.claim))
            timed("queue count", lambda: review_selectors.review_queue_count(datanet=datanet, curator=curator))
            review.review_submit(record=item.record, reviewer=curator, decision="accept")
        for what, values in timings.items():
            p95 = percentile(values, 0.95)
            out.append((order.label, what, statistics.median(values), p95, percentile(values, 0.99),
                        percentile(cpu[what], 0.95), p95 / TARGET_MS if what == "next item" else None))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--in-review", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    vendor = record_loader.setup_django()
    t0 = time.perf_counter()
    datanet, curator, others = make_world(args.records, args.in_review)
    busy_day(datanet, curator, others)
    record_loader.analyze()  # as autovacuum would after a busy day: plans for the real row counts
    load_s = time.perf_counter() - t0
    try:
        rows = measure(datanet, curator, args.samples)
    finally:
        record_loader.drop_datanet(datanet)
    print(f"\n## Next review item: {args.records:,} records, {args.in_review:,} in review ({vendor}, "
          f"{args.samples} samples per order; loaded in {load_s:.0f} s)\n")
    print("| order | what | p50 ms | p95 ms | p99 ms | p95 CPU ms | p95 / 50 ms target |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for order, what, p50, p95, p99, cpu95, ratio in rows:
        print(f"| {order} | {what} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {cpu95:.1f} | "
              f"{'' if ratio is None else f'{ratio:.2f}'} |")
    print(f"\nLoad average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores. Wall time includes "
          "waiting for a CPU on a shared machine; CPU ms is this process's own time (SQLite runs in it, a PostgreSQL "
          "server's time is not counted).")


if __name__ == "__main__":
    main()
