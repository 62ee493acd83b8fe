"""Near-duplicate index of a datanet: persisted in the database of record as the records' MinHash
signatures (LSH_BACKEND=db, mirrored as band keys in each worker's memory) or as band keys in
Redis (LSH_BACKEND=redis); shared by every worker and surviving restarts.

Callers hold the datanet's ingest lock (`datanet_ingest_lock`) around lookup + insert, so two
workers never both let a near-duplicate pair through.
"""

import threading
from collections.abc import Iterable, Iterator

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from curation import bulk_sql, lsh, minhash
from curation.band_index import BandIndex
from datanets.models import Datanet, Record


def band_params(datanet: Datanet) -> tuple[int, int]:
    return lsh.optimal_bands(datanet.minhash_num_perm, datanet.near_dup_threshold)


def band_keys_of(signatures: np.ndarray, bands: int, rows: int) -> list[list[bytes]]:
    if len(signatures) == 0:
        return []
    return lsh.band_keys_many(np.asarray(signatures), bands, rows)


class _Mirror:
    """This process's copy of one datanet's band index for one banding: the band keys of every
    indexed record with an id up to `seen`."""

    def __init__(self) -> None:
        self.index = BandIndex()
        self.seen = 0
        self.lock = threading.Lock()


_mirrors: dict[tuple[int, int, int, int], _Mirror] = {}
_mirrors_lock = threading.Lock()
_CATCH_UP_BATCH = 20_000


def forget_mirrors() -> None:
    """Drop every mirror (tests: record ids come back after a rollback)."""
    with _mirrors_lock:
        _mirrors.clear()


class DbBandStore:
    """The near-duplicate index kept in the database of record: the MinHash signature stored on
    each record *is* its persisted entry, since band keys are a pure function of it.

    Each worker process mirrors a datanet's band keys in memory (`curation.band_index`) and,
    before each lookup, reads the signatures of records added since it last looked (by any
    worker: callers hold the datanet's ingest lock, so every earlier chunk has committed).
    Nothing else is written per record: 16 band rows a record in a table cost more than the
    record itself (bench/bench_ingest.py), and went stale when the datanet's threshold, hence
    its banding, changed; the mirror is keyed by the banding and rebuilt from the signatures.

    Indexed records are the originals: signature stored and not rejected as a duplicate. A record
    deleted later leaves its keys in the mirror until the process restarts, which is harmless:
    `signatures_of` keeps only ids that still have a record, as with the Redis store.
    """

    def __init__(self, datanet: Datanet) -> None:
        self.datanet_id = datanet.pk
        self.num_perm = datanet.minhash_num_perm
        self.bands, self.rows = band_params(datanet)

    def keys_of(self, signatures: np.ndarray) -> list[list[int]]:
        """The band keys of each signature, in the form this store indexes them."""
        return lsh.band_key_ints_many(np.asarray(signatures), self.bands, self.rows).tolist()

    def lookup_many(self, keys_per_item: list[list[int]]) -> list[set[int]]:
        """For each item, the records sharing at least one band key with it."""
        if not keys_per_item:
            return []
        mirror = self._mirror()
        with mirror.lock:
            self._catch_up(mirror)
            return mirror.index.lookup(np.asarray(keys_per_item, dtype=np.int64))

    def add_many(self, items: list[tuple[int, list[int]]]) -> None:
        """Nothing to write: the records' signatures, inserted with them in the same transaction,
        are the index. Once it commits, this process's mirror takes their keys from here rather
        than reading them back (other processes' mirrors read them on their next lookup)."""
        if items:
            transaction.on_commit(lambda: self._committed(items))

    def _committed(self, items: list[tuple[int, list[int]]]) -> None:
        ids = np.fromiter((rid for rid, _ in items), dtype=np.int64, count=len(items))
        mirror = self._mirror()
        with mirror.lock:
            # The chunk caught up under the ingest lock before inserting, so these are the next
            # ids; unless a catch-up since (another thread, after the commit) read them already.
            if ids.min() > mirror.seen:
                mirror.index.add(np.asarray([keys for _, keys in items], dtype=np.int64), ids)
                mirror.seen = int(ids.max())

    def _mirror(self) -> _Mirror:
        key = (self.datanet_id, self.num_perm, self.bands, self.rows)
        with _mirrors_lock:
            mirror = _mirrors.get(key)
            if mirror is None:
                # Another banding of this datanet (its threshold changed) is of no further use.
                for other in [k for k in _mirrors if k[0] == self.datanet_id]:
                    del _mirrors[other]
                mirror = _mirrors[key] = _Mirror()
            return mirror

    def _catch_up(self, mirror: _Mirror) -> None:
        # Every record of this datanet up to the newest id now in the table is visible: its
        # writers hold the ingest lock, which the caller now holds. So the next catch-up can
        # start there even when this datanet has had nothing new, and never re-reads the records
        # other datanets added in between.
        newest = newest_record_id()
        for last, ids, signatures in indexed_signatures(self.datanet_id, self.num_perm, after=mirror.seen,
                                                        upto=newest):
            mirror.index.add(lsh.band_key_ints_many(signatures, self.bands, self.rows), ids)
            mirror.seen = last
        mirror.seen = max(mirror.seen, newest)


def newest_record_id() -> int:
    with bulk_sql.cursor() as cursor:
        cursor.execute(f"SELECT max(id) FROM {connection.ops.quote_name(Record._meta.db_table)}")
        return cursor.fetchone()[0] or 0


def indexed_signatures(datanet_id: int, num_perm: int, *, after: int, upto: int,
                       batch: int = _CATCH_UP_BATCH) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(last id read, ids, signatures) of the datanet's indexed records with ids in (after, upto],
    in id order and in batches: the originals, whose signature is stored and that were not
    rejected as duplicates. The id range is read through the primary key (`datanet_id + 0` keeps
    planners off the datanet index, which would walk every record of the datanet)."""
    table = connection.ops.quote_name(Record._meta.db_table)
    width = 1 + 4 * num_perm
    while True:
        with bulk_sql.cursor() as cursor:
            # The ids are written into the statement, not bound: PostgreSQL turns a statement run
            # five times into a generic plan, which cannot know the range is a thin slice at the
            # top of the table. And the range is closed: with statistics that lag behind a growing
            # table, an open one (id > n) looked like a third of it, and was read by scanning the
            # whole table (bench/bench_lsh.py at 1M: 0.2-0.5 s a chunk, now ~2 ms).
            cursor.execute(
                f"SELECT id, minhash FROM {table} WHERE id > {int(after)} AND id <= {int(upto)} "
                f"AND datanet_id + 0 = {int(datanet_id)} "
                f"AND minhash IS NOT NULL AND NOT (status = %s) ORDER BY id LIMIT {int(batch)}",
                [Record.Status.REJECTED_DUPLICATE.value])
            rows = cursor.fetchall()
        if not rows:
            return
        after = rows[-1][0]
        # Signatures of another length or format were made with other parameters: not comparable.
        usable = [(rid, blob) for rid, blob in rows if len(blob) == width and blob[0] == minhash.SIGNATURE_FORMAT_VERSION]
        ids = np.fromiter((rid for rid, _ in usable), dtype=np.int64, count=len(usable))
        raw = np.frombuffer(b"".join(blob for _, blob in usable), dtype=np.uint8).reshape(len(usable), width)
        yield after, ids, raw[:, 1:].copy().view("<u4")
        if len(rows) < batch:
            return


class RedisRecordBandStore:
    """Band keys in Redis (`curation.lsh_redis`), members being record ids, under a prefix per
    datanet and banding.

    Written before the chunk's transaction commits: if it then rolls back, the ids it added
    point at no record and `signatures_of` drops them, so they can never cause a rejection.

    A banding's keys are complete once its `built` marker exists. Without it (a new threshold,
    hence a new banding; a Redis that restarted empty; an upgrade) the first lookup, under the
    datanet's ingest lock, indexes every stored signature of the datanet first, and drops the
    keys of the datanet's other bandings.
    """

    def __init__(self, datanet: Datanet) -> None:
        import redis

        from curation.lsh_redis import RedisBandStore

        db_name = settings.DATABASES["default"].get("NAME", "")
        self.datanet_id, self.num_perm = datanet.pk, datanet.minhash_num_perm
        self.bands, self.rows = band_params(datanet)
        self.client = redis.Redis.from_url(settings.REDIS_URL)
        self.datanet_prefix = f"lsh:{db_name}:{datanet.pk}:"
        self.prefix = f"{self.datanet_prefix}{self.num_perm}x{self.bands}x{self.rows}:"
        self.store = RedisBandStore(self.client, self.prefix)

    def keys_of(self, signatures: np.ndarray) -> list[list[bytes]]:
        return band_keys_of(signatures, self.bands, self.rows)

    def lookup_many(self, keys_per_item: list[list[bytes]]) -> list[set[int]]:
        if not self.client.exists(self.prefix + "built"):
            self._build()
        return [{int(m) for m in members} for members in self.store.lookup_many(keys_per_item)]

    def add_many(self, items: list[tuple[int, list[bytes]]]) -> None:
        self.store.add_many([(str(rid), keys) for rid, keys in items])

    def _build(self) -> None:
        from curation.lsh_redis import RedisBandStore

        RedisBandStore(self.client, self.datanet_prefix).clear()  # every banding of the datanet
        newest = newest_record_id()
        for _, ids, signatures in indexed_signatures(self.datanet_id, self.num_perm, after=0, upto=newest):
            if len(ids):
                keys = band_keys_of(signatures, self.bands, self.rows)
                self.store.add_many([(str(rid), k) for rid, k in zip(ids.tolist(), keys)])
        self.client.set(self.prefix + "built", "1")


def band_store(datanet: Datanet) -> DbBandStore | RedisRecordBandStore:
    if settings.LSH_BACKEND == "redis":
        return RedisRecordBandStore(datanet)
    return DbBandStore(datanet)


def signatures_of(record_ids: Iterable[int]) -> dict[int, tuple[np.ndarray, str]]:
    """Stored signatures (and texts, for exact checks) of candidate records. Ids that no longer
    exist (a chunk rolled back after writing to Redis) are absent, so they can never match."""
    rows = Record.objects.filter(id__in=list(record_ids), minhash__isnull=False).values_list("id", "minhash", "text")
    return {rid: (minhash.signature_from_bytes(bytes(blob)), text) for rid, blob, text in rows}


# An estimate from 128 permutations has a standard deviation of ~0.04 near 0.8: candidates this
# close to the threshold are decided by the exact Jaccard of their shingles instead (bench:
# precision 0.88 -> 1.00 at unchanged recall).
EXACT_MARGIN = 0.1


def similarity(datanet: Datanet, sig_a: np.ndarray, text_a: str, sig_b: np.ndarray, text_b: str) -> tuple[float, str]:
    """(similarity, how it was measured) of two records."""
    estimate = minhash.estimate_jaccard(sig_a, sig_b)
    if abs(estimate - datanet.near_dup_threshold) < EXACT_MARGIN:
        return minhash.true_jaccard(text_a, text_b, datanet.shingle_size), "exact"
    return estimate, "estimate"


def datanet_ingest_lock(datanet: Datanet) -> None:
    """Serialise the decide-and-insert step of ingest per datanet. Call inside a transaction.

    PostgreSQL: a transaction-scoped advisory lock keyed by the datanet. SQLite: transactions
    are IMMEDIATE, so the write lock is already held for the whole transaction.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7243, datanet.pk])
