"""The app's own band store for bench_lsh: `curation.dedup.DbBandStore` (LSH_BACKEND=db) in a
migrated database (BENCH_APP_DATABASE_URL, default a scratch PostgreSQL database
`datanets_bench_lsh` that is dropped and created here), each call in its own transaction under the
datanet's ingest lock, as ingest runs it.

That store persists nothing but the records' signatures, and mirrors their band keys in the
worker's memory. So the bench hands it signatures, not band keys (`wants_signatures`): an insert
is a (minimal) record inserted with its signature, then the mirror's addition; a lookup computes
the band keys and searches the mirror, after reading whatever other workers stored since. The
record inserts are timed apart too: ingest inserts its records whatever the store.
"""

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://root@127.0.0.1:5432/datanets_bench_lsh"


def _setup_django(url: str) -> None:
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(base.replace("postgres://", "postgresql://") + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DATA_DIR", "/tmp/datanets-bench-lsh")
    os.environ["DJANGO_SETTINGS_MODULE"] = "openledger.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class AppBandStore:
    def __init__(self, url: str = "") -> None:
        _setup_django(url or os.environ.get("BENCH_APP_DATABASE_URL", DEFAULT_URL))
        from django.contrib.auth import get_user_model
        from django.db import connection

        from curation.dedup import DbBandStore
        from datanets import services
        from datanets.models import Submission

        owner = get_user_model().objects.create(username="bench-lsh")
        self.datanet = services.datanet_create(owner=owner, name="LSH bench", description="LSH bench.")
        self.submission = Submission.objects.create(datanet=self.datanet, contributor=owner, original_name="-",
                                                    storage_key="-", sha256="0" * 64, format="jsonl")
        self.store = DbBandStore(self.datanet)
        self.connection = connection
        self.members: dict[int, str] = {}
        self.next_row = 0
        self.write_seconds = 0.0
        self.written = 0

    wants_signatures = True

    def _write(self, members: Sequence[str], signatures: np.ndarray) -> list[int]:
        """Insert one record per member with its signature (what ingest's record insert stores);
        returns their ids. Timed apart: ingest pays for the record insert whatever the store."""
        from curation.minhash import signature_to_bytes

        start = time.perf_counter()
        blobs = [signature_to_bytes(sig) for sig in signatures]
        rows = list(range(self.next_row, self.next_row + len(members)))
        self.next_row += len(members)
        with self.connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO datanets_record (row, fields, text, content_hash, quality_components, model_version, "
                "status, receipt, created_at, contributor_id, datanet_id, submission_id, minhash) "
                "SELECT n, '{}', '', 'h' || n, '{}', '', 'in_review', '[]', now(), %s, %s, %s, blob "
                "FROM unnest(%s::int[], %s::bytea[]) AS v(n, blob) RETURNING row, id",
                [self.submission.contributor_id, self.datanet.pk, self.submission.pk, rows, blobs])
            by_row = dict(cursor.fetchall())
        ids = [by_row[r] for r in rows]
        for member, rid in zip(members, ids):
            self.members[rid] = member
        self.write_seconds += time.perf_counter() - start
        self.written += len(ids)
        return ids

    def lookup_many_signed(self, signatures: np.ndarray) -> list[set[str]]:
        from django.db import transaction

        from curation.dedup import datanet_ingest_lock

        with transaction.atomic():
            datanet_ingest_lock(self.datanet)
            found = self.store.lookup_many(self.store.keys_of(signatures))
        return [{self.members[i] for i in ids} for ids in found]

    def add_many_signed(self, members: Sequence[str], signatures: np.ndarray) -> None:
        from django.db import transaction

        from curation.dedup import datanet_ingest_lock

        with transaction.atomic():
            datanet_ingest_lock(self.datanet)
            ids = self._write(members, signatures)
            self.store.add_many(list(zip(ids, self.store.keys_of(signatures))))

    def lookup_and_add_many_signed(self, members: Sequence[str], signatures: np.ndarray) -> list[set[str]]:
        """What ingest does per chunk: in one transaction under the lock, look up, then add (the
        chunk's own items see each other through ingest's in-memory chunk index)."""
        from django.db import transaction

        from curation.dedup import datanet_ingest_lock

        keys = self.store.keys_of(signatures)
        with transaction.atomic():
            datanet_ingest_lock(self.datanet)
            found = self.store.lookup_many(keys)
            ids = self._write(members, signatures)
            self.store.add_many(list(zip(ids, keys)))
        seen: dict[int, set[str]] = {}
        result = []
        for member, item_keys, hits in zip(members, keys, found):
            mine = {self.members[i] for i in hits}
            for k in item_keys:
                mine |= seen.get(k, set())
            for k in item_keys:
                seen.setdefault(k, set()).add(member)
            result.append(mine)
        return result

    def start_timing(self) -> None:
        """The timed part begins: count signature writes from here."""
        self.write_seconds, self.written = 0.0, 0

    def __len__(self) -> int:
        from datanets.models import Record

        return Record.objects.filter(datanet=self.datanet, minhash__isnull=False).count()

    def describe(self) -> str:
        from curation import dedup

        mirror = next(m for key, m in dedup._mirrors.items() if key[0] == self.datanet.pk)
        return (f"{len(self):,} records' signatures in the app's record table ({self.connection.vendor}); "
                f"the worker's mirror holds {len(mirror.index):,} band keys in {mirror.index.nbytes / 2**20:,.0f} MiB; "
                f"of the timed part, inserting the {self.written:,} records with their signatures (which ingest "
                f"does whatever the store) took {self.write_seconds:,.1f} s")
