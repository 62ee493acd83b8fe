"""An in-memory LSH band index: 64-bit band keys -> record ids, in sorted numpy arrays.

What a worker keeps of a datanet's near-duplicate index (`curation.dedup.DbBandStore` fills it
from the signatures stored on the records). A Python dict of 16 million band keys would take
~1.6 GB; here a key costs 16 bytes (its value and its record id), so a million records of 16
bands take 256 MB, and a whole ingestion chunk is answered by a few vectorised binary searches.

Keys are split into buckets by their top bits. Each bucket holds a large sorted run and a small
sorted run of recent additions; a small run that grows past an eighth of its large one is merged
into it (`np.insert` at binary-searched positions: linear in the bucket, never a copy of the
whole index). Pure computation: no database, no Django.
"""

import numpy as np
import numpy.typing as npt

_BUCKET_BITS = 6
_BUCKETS = 1 << _BUCKET_BITS
_MIN_SMALL_RUN = 4096  # a small run below this size is never merged (merging costs more than searching it)
_EMPTY = np.empty(0, dtype=np.int64)


def _bucket_bounds(sorted_keys: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """Start offsets of each bucket in ascending keys (signed: the arithmetic shift keeps the
    bucket number monotonic in the key), plus the end."""
    buckets = (sorted_keys >> (64 - _BUCKET_BITS)) + _BUCKETS // 2
    return np.searchsorted(buckets, np.arange(_BUCKETS + 1))


def _merge(keys_a: npt.NDArray[np.int64], ids_a: npt.NDArray[np.int64], keys_b: npt.NDArray[np.int64],
           ids_b: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Two sorted runs into one (b sorted too)."""
    if len(keys_a) == 0:
        return keys_b.copy(), ids_b.copy()
    at = np.searchsorted(keys_a, keys_b, side="right")
    return np.insert(keys_a, at, keys_b), np.insert(ids_a, at, ids_b)


class BandIndex:
    """Band keys of records; a lookup returns, per item, the ids of records sharing a key with it."""

    def __init__(self) -> None:
        self._large = [(_EMPTY, _EMPTY) for _ in range(_BUCKETS)]
        self._small = [(_EMPTY, _EMPTY) for _ in range(_BUCKETS)]
        self.keys = 0

    def __len__(self) -> int:
        return self.keys

    @property
    def nbytes(self) -> int:
        return sum(k.nbytes + i.nbytes for k, i in self._large + self._small)

    def add(self, keys: npt.NDArray[np.int64], ids: npt.NDArray[np.int64]) -> None:
        """Index records: `keys` is (n, bands), `ids` the n record ids."""
        keys = np.asarray(keys, dtype=np.int64)
        if keys.size == 0:
            return
        flat = keys.ravel()
        owners = np.repeat(np.asarray(ids, dtype=np.int64), keys.shape[1])
        order = np.argsort(flat, kind="stable")
        flat, owners = flat[order], owners[order]
        bounds = _bucket_bounds(flat)
        for b in np.flatnonzero(bounds[1:] > bounds[:-1]):
            lo, hi = bounds[b], bounds[b + 1]
            small_keys, small_ids = _merge(*self._small[b], flat[lo:hi], owners[lo:hi])
            large_keys, large_ids = self._large[b]
            if len(small_keys) > max(_MIN_SMALL_RUN, len(large_keys) >> 3):
                self._large[b] = _merge(large_keys, large_ids, small_keys, small_ids)
                small_keys, small_ids = _EMPTY, _EMPTY
            self._small[b] = (small_keys, small_ids)
        self.keys += flat.size

    def lookup(self, keys: npt.NDArray[np.int64]) -> list[set[int]]:
        """For each row of `keys` ((n, bands)), the ids of indexed records sharing any key with it."""
        keys = np.asarray(keys, dtype=np.int64)
        found: list[set[int]] = [set() for _ in range(len(keys))]
        if keys.size == 0 or self.keys == 0:
            return found
        bands = keys.shape[1]
        flat = keys.ravel()
        order = np.argsort(flat, kind="stable")
        flat = flat[order]
        bounds = _bucket_bounds(flat)
        for b in np.flatnonzero(bounds[1:] > bounds[:-1]):
            lo, hi = bounds[b], bounds[b + 1]
            wanted = flat[lo:hi]
            for run_keys, run_ids in (self._large[b], self._small[b]):
                if len(run_keys) == 0:
                    continue
                left = np.searchsorted(run_keys, wanted, side="left")
                right = np.searchsorted(run_keys, wanted, side="right")
                # Nearly every key is new: only the few that match leave numpy.
                for j in np.flatnonzero(right > left):
                    found[int(order[lo + j]) // bands].update(run_ids[left[j]:right[j]].tolist())
        return found
