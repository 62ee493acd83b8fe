"""A PostgreSQL BandStore for bench_lsh: a table of band rows (band BIGINT, member, indexed by
band), the shape the app's `db` store had before it kept only the records' signatures; written
with COPY, read with = ANY()."""

import uuid
from collections.abc import Sequence

import psycopg

from curation.lsh import band_key_int


class PostgresBandStore:
    def __init__(self, dsn: str) -> None:
        self.conn = psycopg.connect(dsn, autocommit=False)
        self.table = f"bench_lsh_{uuid.uuid4().hex[:8]}"
        with self.conn.cursor() as cur:
            cur.execute(f"CREATE UNLOGGED TABLE {self.table} (band BIGINT NOT NULL, member TEXT NOT NULL)")
            cur.execute(f"CREATE INDEX ON {self.table} (band)")
        self.conn.commit()

    def lookup_many(self, band_keys_per_item: Sequence[Sequence[bytes]]) -> list[set[str]]:
        ints = [[band_key_int(k) for k in keys] for keys in band_keys_per_item]
        wanted = sorted({i for row in ints for i in row})
        with self.conn.cursor() as cur:
            cur.execute(f"SELECT band, member FROM {self.table} WHERE band = ANY(%s)", [wanted])
            found: dict[int, set[str]] = {}
            for band, member in cur:
                found.setdefault(band, set()).add(member)
        self.conn.commit()
        return [set().union(*(found.get(i, set()) for i in row)) for row in ints]

    def lookup(self, band_keys: Sequence[bytes]) -> set[str]:
        return self.lookup_many([band_keys])[0]

    def add_many(self, items: Sequence[tuple[str, Sequence[bytes]]]) -> None:
        with self.conn.cursor() as cur, cur.copy(f"COPY {self.table} (band, member) FROM STDIN") as copy:
            for member, keys in items:
                for key in keys:
                    copy.write_row((band_key_int(key), member))
        self.conn.commit()

    def add(self, key: str, band_keys: Sequence[bytes]) -> None:
        self.add_many([(key, band_keys)])

    def lookup_and_add_many(self, items: Sequence[tuple[str, Sequence[bytes]]]) -> list[set[str]]:
        # In the app the datanet's advisory lock makes this atomic; here one connection is alone.
        found = self.lookup_many([keys for _, keys in items])
        seen: dict[bytes, set[str]] = {}
        for i, (member, keys) in enumerate(items):
            for key in keys:
                found[i] |= seen.get(key, set())
            for key in keys:
                seen.setdefault(key, set()).add(member)
        self.add_many(items)
        return found

    def __len__(self) -> int:
        with self.conn.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {self.table}")
            n = cur.fetchone()[0]
        self.conn.commit()
        return n

    def drop(self) -> None:
        with self.conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {self.table}")
        self.conn.commit()
        self.conn.close()
