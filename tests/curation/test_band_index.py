"""The in-memory band index answers exactly as the reference dict store does, through merges."""

import numpy as np

from curation.band_index import BandIndex
from curation.lsh import InMemoryBandStore


def test_lookups_match_the_reference_store_through_many_merges() -> None:
    rng = np.random.default_rng(3)
    index, reference = BandIndex(), InMemoryBandStore()
    shared = rng.integers(-(2**63), 2**63 - 1, size=50, dtype=np.int64)  # keys several records share
    next_id = 1
    for _ in range(60):  # enough additions to merge every bucket's small run several times
        keys = rng.integers(-(2**63), 2**63 - 1, size=(800, 16), dtype=np.int64)
        keys[rng.random(keys.shape) < 0.01] = rng.choice(shared)
        ids = np.arange(next_id, next_id + len(keys), dtype=np.int64)
        next_id += len(keys)
        index.add(keys, ids)
        reference.add_many([(str(i), row.tolist()) for i, row in zip(ids, keys)])
        queries = np.concatenate([keys[:40], rng.integers(-(2**63), 2**63 - 1, size=(40, 16), dtype=np.int64)])
        queries[-5:, 3] = rng.choice(shared, 5)
        expected = [{int(m) for m in found} for found in reference.lookup_many([q.tolist() for q in queries])]
        assert index.lookup(queries) == expected
        assert sum(map(len, expected)) > 40  # the stored rows are found, and the shared keys' records
    assert len(index) == 60 * 800 * 16
    assert index.nbytes == len(index) * 16  # a key and its record id, nothing else


def test_extreme_keys_and_empty_queries() -> None:
    index = BandIndex()
    assert index.lookup(np.empty((0, 16), dtype=np.int64)) == []
    edge = np.array([[-(2**63), 2**63 - 1, 0, -1]], dtype=np.int64)
    assert index.lookup(edge) == [set()]
    index.add(edge, np.array([7]))
    assert index.lookup(edge[:, ::-1]) == [{7}]
    assert index.lookup(np.array([[1, 2, 3, 4]], dtype=np.int64)) == [set()]
