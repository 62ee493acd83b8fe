"""Locality-sensitive hashing over MinHash signatures: which records to compare a new one with.

A signature of ``b * r`` values is cut into ``b`` bands of ``r`` rows; two records become
candidates when any band is identical, which happens with probability ``1 - (1 - s**r)**b`` for
Jaccard similarity ``s``. Candidates are then verified by their estimated Jaccard, so the banding
is tuned for a candidate threshold *below* the duplicate threshold: a missed candidate can never
be recovered, while a false candidate costs one signature comparison.

Band keys are short, stable bytes (band index + 8-byte hash of the band), so they can be the
primary key of a table or a Redis key and stay valid across processes and releases. Where they
are kept is a :class:`BandStore`; the in-memory one here is the reference implementation that
database and Redis stores mirror.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from curation.minhash import DEFAULT_NUM_PERM, Signature, estimate_jaccard, fmix64

DEFAULT_THRESHOLD = 0.8
# How far below the duplicate threshold the banding aims. With 128 permutations and threshold
# 0.8 it selects 16 bands of 8 rows: a pair at true Jaccard 0.85 becomes a candidate with
# probability 0.994, one at 0.5 with 0.06.
DEFAULT_CANDIDATE_MARGIN = 0.1

# Estimates this close to the threshold are re-checked exactly when the caller can: 0.1 is
# about three standard errors at 128 permutations.
DEFAULT_EXACT_MARGIN = 0.1

_BAND_KEY_BYTES = 10  # 2 bytes of band index + 8 bytes of band hash
# Odd, so the polynomial over a band's values loses nothing mod 2**64. Changing it changes
# every stored band key: the index would have to be rebuilt.
_BAND_HASH_BASE = np.uint64(0xD6E8FEB86659FD93)


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """Probability that two records of this Jaccard similarity share at least one band."""
    return float(1.0 - (1.0 - similarity**rows) ** bands)


def optimal_bands(
    num_perm: int,
    threshold: float,
    *,
    candidate_margin: float = DEFAULT_CANDIDATE_MARGIN,
    false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> tuple[int, int]:
    """``(bands, rows)`` with ``bands * rows == num_perm`` for a candidate threshold below ``threshold``.

    Minimises the weighted areas under the candidate-probability curve below the candidate
    threshold (false candidates) and above it (missed candidates), as datasketch does, but
    around ``threshold - candidate_margin`` so that near-threshold duplicates are kept.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    if num_perm < 1:
        raise ValueError(f"num_perm must be at least 1, got {num_perm}")
    candidate_threshold = min(max(threshold - candidate_margin, 0.01), 1.0)
    s = np.linspace(0.0, 1.0, 2001)
    below = s < candidate_threshold
    best: tuple[float, int, int] | None = None
    for rows in (r for r in range(1, num_perm + 1) if num_perm % r == 0):
        bands = num_perm // rows
        p = 1.0 - (1.0 - s**rows) ** bands
        false_positive = np.trapezoid(np.where(below, p, 0.0), s)
        false_negative = np.trapezoid(np.where(below, 0.0, 1.0 - p), s)
        error = false_positive_weight * false_positive + false_negative_weight * false_negative
        if best is None or error < best[0]:
            best = (float(error), bands, rows)
    assert best is not None  # rows == 1 always divides
    return best[1], best[2]


def band_keys(signature: Signature, bands: int, rows: int) -> list[bytes]:
    """One 10-byte key per band: the band index, big-endian (so equal values in different bands
    never meet), then an 8-byte little-endian hash of the band's values."""
    return band_keys_many(signature[None, :], bands, rows)[0]


def band_keys_many(signatures: npt.NDArray[np.uint32], bands: int, rows: int) -> list[list[bytes]]:
    """:func:`band_keys` of every row of a ``(n, bands * rows)`` array, vectorised.

    The hash is fixed arithmetic (polynomial over the band's values, then MurmurHash3's
    finaliser), so keys are stable across processes and releases. It is not cryptographic and
    need not be: a colliding key only adds a candidate, which verification then drops.
    """
    n = signatures.shape[0]
    hashes = _band_hashes(signatures, bands, rows)
    packed = np.empty((n, bands, _BAND_KEY_BYTES), dtype=np.uint8)
    packed[:, :, :2] = np.arange(bands, dtype=">u2").view(np.uint8).reshape(bands, 2)
    packed[:, :, 2:] = hashes.astype("<u8").view(np.uint8).reshape(n, bands, 8)
    flat = packed.tobytes()
    keys = [flat[i : i + _BAND_KEY_BYTES] for i in range(0, len(flat), _BAND_KEY_BYTES)]
    return [keys[i : i + bands] for i in range(0, len(keys), bands)]


def _band_hashes(signatures: npt.NDArray[np.uint32], bands: int, rows: int) -> npt.NDArray[np.uint64]:
    if signatures.ndim != 2 or signatures.shape[1] != bands * rows:
        raise ValueError(
            f"signatures have shape {signatures.shape} but {bands} bands x {rows} rows need "
            f"(n, {bands * rows}); build the index with the signatures' num_perm"
        )
    n = signatures.shape[0]
    values = signatures.reshape(n, bands, rows).astype(np.uint64)
    hashes = values[:, :, 0].copy()
    for j in range(1, rows):
        hashes *= _BAND_HASH_BASE
        hashes += values[:, :, j]
    fmix64(hashes)
    return hashes


_MASK64 = (1 << 64) - 1
_BAND_MIX = 0x9E3779B97F4A7C15


def band_key_ints_many(signatures: npt.NDArray[np.uint32], bands: int, rows: int) -> npt.NDArray[np.int64]:
    """``band_key_int`` of every band key of every row of a ``(n, bands * rows)`` array, as an
    ``(n, bands)`` int64 array, computed without building the byte keys."""
    mix = np.arange(bands, dtype=np.uint64) * np.uint64(_BAND_MIX)  # wraps mod 2**64, as & _MASK64 does
    return (_band_hashes(np.asarray(signatures), bands, rows) ^ mix).view(np.int64)


def band_key_int(key: bytes) -> int:
    """A band key folded into one signed 64-bit integer, for a database BIGINT column: the band
    hash with the band index mixed in, so equal bands at different positions stay apart."""
    band = int.from_bytes(key[:2], "big")
    value = (int.from_bytes(key[2:], "little") ^ (band * _BAND_MIX)) & _MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


class BandStore(Protocol):
    """Where band keys live: band key -> keys of the records that have it.

    The ``_many`` methods exist so a networked store can serve a whole ingestion chunk in one
    round trip; a lookup returns the union over the given band keys.
    """

    def lookup(self, band_keys: Sequence[bytes]) -> set[str]: ...

    def add(self, key: str, band_keys: Sequence[bytes]) -> None: ...

    def lookup_many(self, band_keys_per_item: Sequence[Sequence[bytes]]) -> list[set[str]]: ...

    def add_many(self, items: Sequence[tuple[str, Sequence[bytes]]]) -> None: ...

    def lookup_and_add_many(self, items: Sequence[tuple[str, Sequence[bytes]]]) -> list[set[str]]:
        """For each item in order: the keys sharing a band with it that were added before it
        (earlier calls or earlier items), then add it. What ingestion does per chunk."""
        ...


class InMemoryBandStore:
    """A dict from band key to record keys; the reference :class:`BandStore`."""

    def __init__(self) -> None:
        # Nearly every band key belongs to one record, so a lone key is stored as a plain str
        # and only becomes a set (~200 bytes each) when shared; 16 million empty-ish sets would
        # not fit a worker's memory at a million records.
        self._buckets: dict[bytes, str | set[str]] = {}

    def __len__(self) -> int:
        return len(self._buckets)

    def lookup(self, band_keys: Sequence[bytes]) -> set[str]:
        found: set[str] = set()
        for band_key in band_keys:
            bucket = self._buckets.get(band_key)
            if bucket is None:
                continue
            if isinstance(bucket, str):
                found.add(bucket)
            else:
                found |= bucket
        return found

    def add(self, key: str, band_keys: Sequence[bytes]) -> None:
        buckets = self._buckets
        for band_key in band_keys:
            bucket = buckets.setdefault(band_key, key)
            if bucket is key or bucket == key:
                continue
            if isinstance(bucket, str):
                buckets[band_key] = {bucket, key}
            else:
                bucket.add(key)

    def lookup_many(self, band_keys_per_item: Sequence[Sequence[bytes]]) -> list[set[str]]:
        return [self.lookup(keys) for keys in band_keys_per_item]

    def add_many(self, items: Sequence[tuple[str, Sequence[bytes]]]) -> None:
        for key, keys in items:
            self.add(key, keys)

    def lookup_and_add_many(self, items: Sequence[tuple[str, Sequence[bytes]]]) -> list[set[str]]:
        found = []
        for key, keys in items:
            found.append(self.lookup(keys))
            self.add(key, keys)
        return found


class InMemoryLSHIndex:
    """Banding and verification of a near-duplicate index, over a pluggable :class:`BandStore`.

    The index itself holds no signatures: the caller keeps them (on the record) and lends them
    to :meth:`query_verified` through ``get_signature``.
    """

    def __init__(
        self,
        *,
        num_perm: int = DEFAULT_NUM_PERM,
        threshold: float = DEFAULT_THRESHOLD,
        store: BandStore | None = None,
        bands: tuple[int, int] | None = None,
    ) -> None:
        self.bands, self.rows = bands if bands is not None else optimal_bands(num_perm, threshold)
        if self.bands * self.rows != num_perm:
            raise ValueError(f"bands x rows = {self.bands} x {self.rows} must equal num_perm {num_perm}")
        self.num_perm = num_perm
        self.threshold = threshold
        self.store: BandStore = store if store is not None else InMemoryBandStore()

    def band_keys(self, signature: Signature) -> list[bytes]:
        return band_keys(signature, self.bands, self.rows)

    def insert(self, key: str, signature: Signature) -> None:
        self.store.add(key, self.band_keys(signature))

    def insert_many(self, items: Iterable[tuple[str, Signature]]) -> None:
        pairs = list(items)
        if pairs:
            keys = band_keys_many(np.stack([sig for _, sig in pairs]), self.bands, self.rows)
            self.store.add_many([(key, bk) for (key, _), bk in zip(pairs, keys)])

    def query(self, signature: Signature) -> set[str]:
        """Keys of records sharing a band with ``signature``: candidates, not yet duplicates."""
        return self.store.lookup(self.band_keys(signature))

    def query_and_insert_many(
        self, keys: Sequence[str], signatures: npt.NDArray[np.uint32]
    ) -> list[set[str]]:
        """Each record's candidates among the records inserted before it -- by earlier calls or
        earlier rows here, so near-duplicates inside one chunk find each other -- then inserts it."""
        band_keys = band_keys_many(signatures, self.bands, self.rows)
        return self.store.lookup_and_add_many(list(zip(keys, band_keys)))

    def query_many(self, signatures: npt.NDArray[np.uint32]) -> list[set[str]]:
        """:meth:`query` for each row of a ``(n, num_perm)`` array, in one store round trip."""
        return self.store.lookup_many(band_keys_many(signatures, self.bands, self.rows))

    def query_verified(
        self,
        signature: Signature,
        threshold: float,
        get_signature: Callable[[str], Signature | None],
        *,
        exact_similarity: Callable[[str], float] | None = None,
        exact_margin: float = DEFAULT_EXACT_MARGIN,
    ) -> list[tuple[str, float]]:
        """Candidates whose estimated Jaccard with ``signature`` is at least ``threshold``, as
        ``(key, similarity)`` sorted by similarity, highest first (ties by key).

        A candidate whose signature ``get_signature`` no longer finds (deleted since) is skipped.

        With 128 permutations the estimate is off by about 0.035 near 0.8, so true 0.75-0.8 pairs
        pass now and then. Given ``exact_similarity`` (the exact Jaccard between the queried
        text and a candidate's), candidates estimated within ``exact_margin`` of the threshold
        are decided -- and reported -- by the exact value instead; clear cases stay estimated.
        """
        verified = []
        for key in self.query(signature):
            other = get_signature(key)
            if other is None:
                continue
            similarity = estimate_jaccard(signature, other)
            if exact_similarity is not None and abs(similarity - threshold) < exact_margin:
                similarity = exact_similarity(key)
            if similarity >= threshold:
                verified.append((key, similarity))
        verified.sort(key=lambda pair: (-pair[1], pair[0]))
        return verified
