"""Shared by bench_review_next and bench_release_export: Django on a scratch database, and a
datanet filled with many records fast by bulk SQL (executemany on SQLite, COPY on PostgreSQL).

SQLite (a fresh file in a temporary directory) by default; PostgreSQL when DATABASE_URL is set —
point it at a scratch database: the benches migrate it, add one datanet and delete its rows at the
end (`drop_datanet`). Files (release exports) always go to a temporary directory."""

import json
import os
import random
import sys
import tempfile
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLUMNS = ("datanet_id", "submission_id", "contributor_id", "row", "fields", "text", "content_hash",
           "quality_score", "quality_components", "model_version", "status", "receipt", "created_at", "embedding", "decided_at")
EMBEDDING_DIM = 384
WORDS = ("press firmly on the wound with a clean cloth and keep the injured limb raised above the heart while "
         "you wait for help to arrive cool a minor burn under running water for twenty minutes never use ice "
         "butter or creams check breathing and call the emergency number").split()


def setup_django() -> str:
    os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="datanets-bench-")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ["CACHE_URL"] = "locmem://"
    os.environ["DJANGO_SETTINGS_MODULE"] = "openledger.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    return connection.vendor


def make_datanet(*, contributors: int, curators: int = 0, approvals_required: int = 1):
    """An open datanet with an owner, `curators` curators and `contributors` contributors, each
    with one submission. Returns (datanet, owner, curators, submissions)."""
    from django.contrib.auth import get_user_model

    from accounts.models import Profile
    from datanets import services
    from datanets.models import Membership, Submission

    User = get_user_model()
    tag = uuid.uuid4().hex[:6]
    owner = User.objects.create(username=f"bench-owner-{tag}")
    staff = [User.objects.create(username=f"bench-curator{i}-{tag}") for i in range(curators)]
    people = User.objects.bulk_create([User(username=f"bench-c{i}-{tag}") for i in range(contributors)])
    Profile.objects.bulk_create([Profile(user=u) for u in [owner, *staff, *people]], ignore_conflicts=True)
    datanet = services.datanet_create(owner=owner, name=f"Bench {tag}", description="Benchmark.")
    datanet = services.datanet_set_status(datanet=datanet, actor=owner, status="open")
    datanet.approvals_required = approvals_required
    datanet.save(update_fields=["approvals_required"])
    Membership.objects.bulk_create([Membership(datanet=datanet, user=u, role=Membership.Role.CURATOR) for u in staff])
    subs = Submission.objects.bulk_create([
        Submission(datanet=datanet, contributor=c, original_name="bench.jsonl", storage_key="-",
                   sha256=uuid.uuid4().hex, format="jsonl", status=Submission.Status.DONE) for c in people])
    return datanet, owner, staff, subs


def _embeddings(count: int, seed: int):
    """`count` stored embeddings as the pipeline writes them (normalised float16, 384 values):
    random directions, which is all a timing needs."""
    import numpy as np

    vectors = np.random.default_rng(seed).standard_normal((count, EMBEDDING_DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return [v.tobytes() for v in vectors.astype(np.float16)]


def _rows(datanet, subs, n_records: int, n_review: int, words: int, embeddings: bool = True):
    rng = random.Random(7)
    block: list = []
    every = max(1, n_records // n_review) if n_review else 0
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    receipt = json.dumps([{"check": "schema", "outcome": "pass"}])
    per_sub = [0] * len(subs)
    for i in range(n_records):
        s = i % len(subs)
        row = per_sub[s]
        per_sub[s] += 1
        in_review = bool(every) and i % every == 0 and i // every < n_review
        text = f"record {i}: " + " ".join(rng.choice(WORDS) for _ in range(words))
        if embeddings and not block:
            block = _embeddings(min(10_000, n_records - i), seed=i)[::-1]
        created = start + timedelta(seconds=i)
        yield (datanet.id, subs[s].id, subs[s].contributor_id, row, json.dumps({"text": text}), text,
               f"{i:064x}", round(rng.uniform(0.35, 1.0), 4), "{}", "bench",
               "in_review" if in_review else "accepted", receipt, created,
               block.pop() if embeddings else None, None if in_review else created + timedelta(hours=1))


def _sqlite_time(moment):
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if moment else None


def insert_records(datanet, subs, *, n_records: int, n_review: int = 0, words: int = 8,
                   embeddings: bool = True) -> None:
    """`n_records` records of `words` random words, `n_review` of them (spread evenly) in review,
    the rest accepted, each with a stored embedding unless `embeddings` is off (the review page
    reads accepted embeddings for its nearest neighbours); then ANALYZE, so the planner knows the
    table's shape."""
    from django.db import connection, transaction

    rows = _rows(datanet, subs, n_records, n_review, words, embeddings)
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
                batch.append((r[0], r[1].hex, *r[2:12], _sqlite_time(r[12]), r[13], _sqlite_time(r[14])))
                if len(batch) == 10_000:
                    raw.executemany(sql, batch)
                    batch.clear()
            raw.executemany(sql, batch)
    analyze()


def analyze() -> None:
    """Table statistics, as autovacuum keeps them. PostgreSQL: VACUUM too, so index-only scans
    (the queue count) find the visibility map set instead of visiting every just-copied row."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def drop_datanet(datanet) -> None:
    """Delete the bench datanet's rows from a PostgreSQL scratch database (SQLite is a temp file)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return
    with connection.cursor() as cur:
        for table in ("curation_goldpolicy", "curation_reviewclaim", "curation_release", "datanets_auditentry"):
            cur.execute(f"DELETE FROM {table} WHERE datanet_id = %s", [datanet.id])
        cur.execute("DELETE FROM curation_review WHERE record_id IN (SELECT id FROM datanets_record "
                    "WHERE datanet_id = %s)", [datanet.id])
        cur.execute("DELETE FROM datanets_record WHERE datanet_id = %s", [datanet.id])
    datanet.delete()
