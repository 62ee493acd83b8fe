"""LSH banding: near-duplicates are found, and only verified ones are reported."""

from __future__ import annotations

import random
import uuid

import numpy as np
import pytest
import redis
from pydoc_data.topics import topics

from curation.lsh import (
    InMemoryBandStore,
    InMemoryLSHIndex,
    band_keys,
    candidate_probability,
    optimal_bands,
)
from curation.lsh_redis import RedisBandStore
from curation.minhash import Signature, signatures, true_jaccard

ENGLISH = " ".join(topics[name] for name in sorted(topics)).split()


def corpus_with_planted_pairs(seed: int) -> tuple[dict[str, str], list[tuple[str, str, float]]]:
    """300 passages, plus an edited copy of 80 of them; returns texts and (copy, original, J)."""
    rng = random.Random(seed)
    texts = {f"p{i}": " ".join(ENGLISH[i * 150 : (i + 1) * 150]) for i in range(300)}
    planted = []
    for n, source in enumerate(rng.sample(sorted(texts), 80)):
        words = texts[source].split()
        for _ in range(rng.randrange(0, 8)):
            words[rng.randrange(len(words))] = rng.choice(ENGLISH)
        copy = f"copy{n}"
        texts[copy] = " ".join(words)
        planted.append((copy, source, true_jaccard(texts[copy], texts[source])))
    return texts, planted


def build_index(texts: dict[str, str], index: InMemoryLSHIndex) -> dict[str, Signature]:
    keys = sorted(texts)
    sigs = dict(zip(keys, signatures([texts[k] for k in keys])))
    index.insert_many(sigs.items())
    return sigs


def test_optimal_bands_aim_below_the_threshold() -> None:
    bands, rows = optimal_bands(128, 0.8)
    assert bands * rows == 128
    # Near-threshold duplicates are almost always candidates; unrelated records rarely are.
    assert candidate_probability(0.85, bands, rows) > 0.99
    assert candidate_probability(0.5, bands, rows) < 0.1
    assert optimal_bands(128, 0.5)[1] < rows  # a lower threshold needs shorter bands
    with pytest.raises(ValueError, match="threshold"):
        optimal_bands(128, 1.5)


def test_band_keys_are_stable_compact_and_distinct_per_band() -> None:
    sig = np.arange(128, dtype=np.uint32)
    keys = band_keys(sig, 16, 8)
    assert keys == band_keys(sig.copy(), 16, 8)
    assert len(keys) == 16 and all(len(k) == 10 for k in keys)
    assert keys[0][:2] == b"\x00\x00" and keys[15][:2] == b"\x00\x0f"
    # Persisted indexes hold these keys: a change here means rebuilding every index.
    assert keys[3].hex() == "000384000013ad4daca1"
    # Equal values in two different bands must not make records candidates of each other.
    same = np.zeros(128, dtype=np.uint32)
    assert len(set(band_keys(same, 16, 8))) == 16
    with pytest.raises(ValueError, match="num_perm"):
        band_keys(np.zeros(64, dtype=np.uint32), 16, 8)


def test_planted_near_duplicates_are_found() -> None:
    texts, planted = corpus_with_planted_pairs(seed=7)
    index = InMemoryLSHIndex(threshold=0.8)
    sigs = build_index(texts, index)
    found, total = 0, 0
    for copy, source, similarity in planted:
        if similarity < 0.85:
            continue
        total += 1
        matches = dict(index.query_verified(sigs[copy], 0.8, sigs.get))
        assert matches.get(copy) == 1.0  # a record matches itself; callers drop their own key
        found += source in matches
        if similarity >= 0.95:
            assert source in matches
    assert total >= 20
    assert found / total >= 0.95


def test_verification_drops_candidates_below_the_threshold() -> None:
    texts, _ = corpus_with_planted_pairs(seed=8)
    index = InMemoryLSHIndex(threshold=0.8)
    sigs = build_index(texts, index)
    dropped = 0
    for key, sig in sigs.items():
        candidates = index.query(sig) - {key}
        reported = [(other, s) for other, s in index.query_verified(sig, 0.8, sigs.get) if other != key]
        assert [s for _, s in reported] == sorted((s for _, s in reported), reverse=True)
        assert all(s >= 0.8 for _, s in reported)
        # The estimate is noisy (+-0.04) but never lets a clearly different record through.
        assert all(true_jaccard(texts[key], texts[other]) > 0.7 for other, _ in reported)
        dropped += len(candidates) - len(reported)
    assert dropped > 0  # the banding does produce false candidates, and they were removed


def test_borderline_estimates_can_be_decided_by_exact_similarity() -> None:
    index = InMemoryLSHIndex()
    sig = signatures(["the same text indexed once and queried again"])[0]
    index.insert("rec", sig)
    # Estimated 1.0: 0.2 above a 0.8 threshold, a clear case that the exact check never sees.
    assert index.query_verified(sig, 0.8, {"rec": sig}.get, exact_similarity=lambda key: 0.0) == [("rec", 1.0)]
    # Within 0.1 of a 0.95 threshold, the exact value decides and is what gets reported.
    assert index.query_verified(sig, 0.95, {"rec": sig}.get, exact_similarity=lambda key: 0.5) == []
    assert index.query_verified(sig, 0.95, {"rec": sig}.get, exact_similarity=lambda key: 0.97) == [("rec", 0.97)]


def test_a_candidate_deleted_since_is_skipped() -> None:
    index = InMemoryLSHIndex()
    sig = signatures(["a record that was deleted after it was indexed"])[0]
    index.insert("gone", sig)
    assert index.query(sig) == {"gone"}
    assert index.query_verified(sig, 0.8, lambda key: None) == []


def test_in_memory_store_unions_band_lookups() -> None:
    store = InMemoryBandStore()
    store.add("r1", [b"k1", b"k2"])
    store.add("r2", [b"k2", b"k3"])
    store.add("r1", [b"k1"])  # adding twice changes nothing
    assert store.lookup([b"k1"]) == {"r1"}
    assert store.lookup([b"k2", b"k9"]) == {"r1", "r2"}
    assert store.lookup_many([[b"k3"], [b"k9"]]) == [{"r2"}, set()]
    assert store.lookup_and_add_many([("r4", [b"k4"]), ("r5", [b"k4", b"k1"])]) == [set(), {"r4", "r1"}]


def test_near_duplicates_inside_one_chunk_find_each_other() -> None:
    texts, planted = corpus_with_planted_pairs(seed=10)
    keys = sorted(texts)
    sigs = signatures([texts[k] for k in keys])
    index = InMemoryLSHIndex()
    found = dict(zip(keys, index.query_and_insert_many(keys, sigs)))
    close = [(copy, source) for copy, source, similarity in planted if similarity >= 0.9]
    assert len(close) >= 10
    for copy, source in close:
        # Whichever of the two came first in the chunk is a candidate of the other.
        assert source in found[copy] or copy in found[source]


@pytest.mark.services
def test_redis_store_round_trip_matches_the_in_memory_store() -> None:
    # No skip: without Redis at 127.0.0.1:6379 this test must fail, loudly.
    client = redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2)
    client.ping()
    store = RedisBandStore(client, f"test:lsh:{uuid.uuid4().hex}:")
    k1, k2, k3, k9 = b"\x00\x00one", b"\x00\x01two", b"\x00\x02thr", b"\x00\x01nin"
    try:
        store.add("r1", [k1, k2])
        store.add_many([("r2", [k2, k3]), ("r\u00e9", [k3]), ("r2", [k2])])
        assert store.lookup([k2, k9]) == {"r1", "r2"}
        assert store.lookup_many([[k3], [k9], []]) == [{"r2", "r\u00e9"}, set(), set()]
        with pytest.raises(ValueError, match="newline"):
            store.add("bad\nkey", [k1])
        # One atomic step: each record sees those indexed before it, even earlier in its batch.
        k4 = b"\x00\x05fou"
        assert store.lookup_and_add_many([("r4", [k4, k1]), ("r5", [k4]), ("r6", [b"\x00\x06six"])]) == [
            {"r1"},
            {"r4"},
            set(),
        ]
        assert store.lookup([k4]) == {"r4", "r5"}

        store.clear()
        texts, planted = corpus_with_planted_pairs(seed=9)
        in_redis, in_memory = InMemoryLSHIndex(store=store), InMemoryLSHIndex()
        keys = sorted(texts)
        sigs = dict(zip(keys, signatures([texts[k] for k in keys])))
        stacked = np.stack([sigs[k] for k in keys])
        assert in_redis.query_and_insert_many(keys, stacked) == in_memory.query_and_insert_many(keys, stacked)
        for copy, _, _ in planted:
            assert in_redis.query(sigs[copy]) == in_memory.query(sigs[copy])
            assert in_redis.query_verified(sigs[copy], 0.8, sigs.get) == in_memory.query_verified(
                sigs[copy], 0.8, sigs.get
            )
    finally:
        store.clear()
    assert store.lookup([k1]) == set()
    assert store.clear() == 0  # nothing of ours is left behind
