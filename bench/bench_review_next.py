"""Review queue: how long a curator waits for the next item, with a big datanet.

    python bench/bench_review_next.py [--records 1000000] [--in-review 100000] [--samples 200]

SQLite (a fresh file in a temporary directory) by default; PostgreSQL when DATABASE_URL is set —
point it at a scratch database: the bench migrates it, adds one datanet and deletes that datanet's
rows at the end.

The datanet holds `--records` records from 200 contributors, of which `--in-review` (spread evenly
through the table, the hardest case for an index walk) wait for review; the rest are accepted.
Rows are written with bulk SQL (executemany on SQLite, COPY on PostgreSQL). Around the measured
curator, the queue looks like a busy day: three other curators hold 500 claims, the measured curator
already voted on 2,000 records (two approvals needed, so those stay in review) and skipped 300.

Per review order (highest quality, oldest, closest to the threshold), `--samples` times:
- next item: `gold.review_next_item` — what `POST /review/next/` and the page's `n` call: pick
  and claim the next record (gold mixing on, one in 10, with no gold item left to serve);
- item payload: `review_selectors.review_item` — votes, escalation and neighbours for the page;
- queue count: `review_selectors.review_queue_count` — the "N more waiting" line of the page.
Between samples the curator votes on the item (not timed), so every sample claims a new record.
The table gives p50/p95/p99 in ms and p95 against the 50 ms target.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 50.0
CONTRIBUTORS = 200


def setup_django() -> str:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="datanets-bench-review-")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ["CACHE_URL"] = "locmem://"
    os.environ["DJANGO_SETTINGS_MODULE"] = "openledger.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return connection.vendor


def make_world(n_records: int, n_review: int):
    from django.contrib.auth import get_user_model

    from accounts.models import Profile
    from datanets import services
    from datanets.models import Membership, Submission

    User = get_user_model()
    tag = uuid.uuid4().hex[:6]
    owner = User.objects.create(username=f"bench-owner-{tag}")
    curator = User.objects.create(username=f"bench-curator-{tag}")
    others = [User.objects.create(username=f"bench-curator{i}-{tag}") for i in range(3)]
    contributors = User.objects.bulk_create([User(username=f"bench-c{i}-{tag}") for i in range(CONTRIBUTORS)])
    Profile.objects.bulk_create([Profile(user=u) for u in [owner, curator, *others, *contributors]],
                                ignore_conflicts=True)
    datanet = services.datanet_create(owner=owner, name=f"Bench review {tag}", description="Benchmark.")
    datanet = services.datanet_set_status(datanet=datanet, actor=owner, status="open")
    datanet.approvals_required = 2
    datanet.save(update_fields=["approvals_required"])
    Membership.objects.bulk_create([Membership(datanet=datanet, user=u, role=Membership.Role.CURATOR)
                                    for u in [curator, *others]])
    subs = Submission.objects.bulk_create([
        Submission(datanet=datanet, contributor=c, original_name="bench.jsonl", storage_key="-",
                   sha256=uuid.uuid4().hex, format="jsonl", status=Submission.Status.DONE) for c in contributors])
    insert_records(datanet, subs, n_records, n_review)
    return datanet, curator, others


def _rows(datanet, subs, n_records: int, n_review: int):
    import random

    rng = random.Random(7)
    every = max(1, n_records // n_review)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    receipt = json.dumps([{"check": "schema", "outcome": "pass"}])
    per_sub = [0] * len(subs)
    for i in range(n_records):
        s = i % len(subs)
        row = per_sub[s]
        per_sub[s] += 1
        in_review = i % every == 0 and i // every < n_review
        text = f"record {i} about first aid for a small burn, step {i % 97}"
        yield (datanet.id, subs[s].id, subs[s].contributor_id, row, json.dumps({"text": text}), text,
               f"{i:064x}", round(rng.uniform(0.35, 1.0), 4), "{}", "bench",
               "in_review" if in_review else "accepted", receipt, start + timedelta(seconds=i))


COLUMNS = ("datanet_id", "submission_id", "contributor_id", "row", "fields", "text", "content_hash",
           "quality_score", "quality_components", "model_version", "status", "receipt", "created_at")


def insert_records(datanet, subs, n_records: int, n_review: int) -> None:
    from django.db import connection, transaction

    rows = _rows(datanet, subs, n_records, n_review)
    with transaction.atomic():
        raw = connection.connection
        if connection.vendor == "postgresql":
            with raw.cursor() as cur, cur.copy(f"COPY datanets_record ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
        else:
            sql = f"INSERT INTO datanets_record ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
            batch = []
            for r in rows:
                batch.append((*r[:1], r[1].hex, *r[2:12], r[12].strftime("%Y-%m-%d %H:%M:%S.%f")))
                if len(batch) == 10_000:
                    raw.executemany(sql, batch)
                    batch.clear()
            raw.executemany(sql, batch)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


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
        timings: dict[str, list[float]] = {"next item": [], "item payload": [], "queue count": []}
        for _ in range(samples):
            t0 = time.perf_counter()
            item = gold.review_next_item(datanet=datanet, curator=curator)
            t1 = time.perf_counter()
            assert item is not None, "the queue ran dry: use fewer samples"
            review_selectors.review_item(claim=item.claim)
            t2 = time.perf_counter()
            review_selectors.review_queue_count(datanet=datanet, curator=curator)
            t3 = time.perf_counter()
            timings["next item"].append((t1 - t0) * 1000)
            timings["item payload"].append((t2 - t1) * 1000)
            timings["queue count"].append((t3 - t2) * 1000)
            review.review_submit(record=item.record, reviewer=curator, decision="accept")
        for what, values in timings.items():
            p95 = percentile(values, 0.95)
            out.append((order.label, what, statistics.median(values), p95, percentile(values, 0.99),
                        p95 / TARGET_MS if what == "next item" else None))
    return out


def cleanup(datanet) -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        return  # a temporary file
    with connection.cursor() as cur:
        for table in ("curation_goldpolicy", "curation_reviewclaim", "datanets_auditentry"):
            cur.execute(f"DELETE FROM {table} WHERE datanet_id = %s", [datanet.id])
        cur.execute("DELETE FROM curation_review WHERE record_id IN (SELECT id FROM datanets_record "
                    "WHERE datanet_id = %s)", [datanet.id])
        cur.execute("DELETE FROM datanets_record WHERE datanet_id = %s", [datanet.id])
    datanet.delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--in-review", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    vendor = setup_django()
    t0 = time.perf_counter()
    datanet, curator, others = make_world(args.records, args.in_review)
    busy_day(datanet, curator, others)
    load_s = time.perf_counter() - t0
    try:
        rows = measure(datanet, curator, args.samples)
    finally:
        cleanup(datanet)
    print(f"\n## Next review item: {args.records:,} records, {args.in_review:,} in review ({vendor}, "
          f"{args.samples} samples per order; loaded in {load_s:.0f} s)\n")
    print("| order | what | p50 ms | p95 ms | p99 ms | p95 / 50 ms target |")
    print("|---|---|---:|---:|---:|---:|")
    for order, what, p50, p95, p99, ratio in rows:
        print(f"| {order} | {what} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {'' if ratio is None else f'{ratio:.2f}'} |")


if __name__ == "__main__":
    main()
