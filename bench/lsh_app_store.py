"""The app's own band store for bench_lsh: `curation.dedup.DbBandStore` on the `LshBand` table of a
migrated database (BENCH_APP_DATABASE_URL, default a scratch PostgreSQL database `datanets_bench_lsh`
that is dropped and created here), each call in its own transaction under the datanet's ingest
lock, as ingest runs it.

The bench's members are strings ("r17"); band rows point at records, so placeholder records,
made before the clock starts (`reserve`), stand in for them.
"""

import os
import sys
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


def _key_ints(keys_per_item: Sequence[Sequence[bytes]]) -> list[list[int]]:
    """`lsh.band_key_int` of 10-byte band keys, vectorised (the app computes these from the
    signatures directly with `lsh.band_key_ints_many`; the bench hands over byte keys)."""
    from curation.lsh import _BAND_MIX

    per_item = len(keys_per_item[0]) if keys_per_item else 0
    raw = np.frombuffer(b"".join(k for keys in keys_per_item for k in keys), dtype=np.uint8).reshape(-1, 10)
    band = raw[:, :2].copy().view(">u2").astype(np.uint64).ravel()
    value = raw[:, 2:].copy().view("<u8").ravel()
    return (value ^ (band * np.uint64(_BAND_MIX))).view(np.int64).reshape(-1, per_item).tolist()


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
        self.ids: dict[str, int] = {}
        self.members: dict[int, str] = {}
        self.pool: list[int] = []

    def reserve(self, count: int) -> None:
        """Placeholder records for `count` members, made before any timing (band rows point at
        records): one INSERT ... SELECT generate_series per 200,000."""
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cursor:
            for lo in range(len(self.pool), count, 200_000):
                hi = min(count, lo + 200_000)
                cursor.execute(
                    "INSERT INTO datanets_record (row, fields, text, content_hash, quality_components, model_version, "
                    "status, receipt, created_at, contributor_id, datanet_id, submission_id) "
                    "SELECT n, '{}', '', 'h' || n, '{}', '', 'in_review', '[]', now(), %s, %s, %s "
                    "FROM generate_series(%s, %s) AS n RETURNING id",
                    [self.submission.contributor_id, self.datanet.pk, self.submission.pk, lo, hi - 1])
                self.pool.extend(sorted(r[0] for r in cursor.fetchall()))

    def _records_for(self, members: Sequence[str]) -> list[int]:
        for m in members:
            if m not in self.ids:
                rid = self.pool[len(self.ids)]  # IndexError: reserve() more
                self.ids[m] = rid
                self.members[rid] = m
        return [self.ids[m] for m in members]

    def lookup_many(self, band_keys_per_item: Sequence[Sequence[bytes]]) -> list[set[str]]:
        from django.db import transaction

        from curation.dedup import datanet_ingest_lock

        ints = _key_ints(band_keys_per_item)
        with transaction.atomic():
            datanet_ingest_lock(self.datanet)
            found = self.store.lookup_many(ints)
        return [{self.members[i] for i in ids} for ids in found]

    def add_many(self, items: Sequence[tuple[str, Sequence[bytes]]]) -> None:
        from django.db import transaction

        from curation.dedup import datanet_ingest_lock

        ids = self._records_for([m for m, _ in items])
        ints = _key_ints([k for _, k in items])
        with transaction.atomic():
            datanet_ingest_lock(self.datanet)
            self.store.add_many(list(zip(ids, ints)))

    def lookup_and_add_many(self, items: Sequence[tuple[str, Sequence[bytes]]]) -> list[set[str]]:
        """What ingest does per chunk: in one transaction under the lock, look up, then add (the
        chunk's own items see each other through ingest's in-memory chunk index)."""
        from django.db import transaction

        from curation.dedup import datanet_ingest_lock

        ids = self._records_for([m for m, _ in items])
        ints = _key_ints([k for _, k in items])
        with transaction.atomic():
            datanet_ingest_lock(self.datanet)
            found = self.store.lookup_many(ints)
            self.store.add_many(list(zip(ids, ints)))
        seen: dict[int, set[str]] = {}
        result = []
        for (member, _), keys, hits in zip(items, ints, found):
            mine = {self.members[i] for i in hits}
            for k in keys:
                mine |= seen.get(k, set())
            for k in keys:
                seen.setdefault(k, set()).add(member)
            result.append(mine)
        return result

    def __len__(self) -> int:
        from curation.models import LshBand

        return LshBand.objects.count()

    def describe(self) -> str:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('curation_lshband'))")
            size = cursor.fetchone()[0]
        return f"{len(self):,} rows in the app's LshBand table ({self.connection.vendor}, logged, {size})"
