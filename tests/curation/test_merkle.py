"""The release Merkle tree, checked against a naive level-by-level recomputation written apart."""

import hashlib

import pytest

from curation.merkle import (
    EMPTY_ROOT,
    MerkleRootBuilder,
    leaf_hash,
    merkle_proof,
    merkle_root,
    verify_proof,
)


def naive_root(rows: list[dict]) -> bytes:
    # Written from the module docstring, not from the code: build each level in full.
    level = [hashlib.sha256(b"\x00" + "\t".join(str(r[k]) for k in ("record_id", "content_hash", "contributor",
                                                                      "license")).encode()).digest()
             for r in rows]
    if not level:
        return hashlib.sha256(b"").digest()
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level) - 1, 2):
            nxt.append(hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest())
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def rows(n: int) -> list[dict]:
    return [{"record_id": i + 1, "content_hash": hashlib.sha256(str(i).encode()).hexdigest(),
             "contributor": f"user{i % 7}", "license": "CC-BY-4.0"} for i in range(n)]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1000, 1025])
def test_streaming_root_equals_level_by_level(n):
    data = rows(n)
    assert merkle_root(leaf_hash(r) for r in data) == naive_root(data)
    builder = MerkleRootBuilder()
    for r in data:
        builder.add(leaf_hash(r))
    assert builder.root() == naive_root(data)
    assert builder.count == n


def test_empty_and_single():
    assert merkle_root([]) == EMPTY_ROOT
    leaf = leaf_hash(rows(1)[0])
    assert merkle_root([leaf]) == leaf


def test_positional_order_matters():
    data = rows(4)
    assert merkle_root(map(leaf_hash, data)) != merkle_root(map(leaf_hash, reversed(data)))


def test_any_field_changes_the_root():
    data = rows(5)
    root = merkle_root(map(leaf_hash, data))
    for field, value in (("record_id", 99), ("content_hash", "0" * 64), ("contributor", "mallory"),
                         ("license", "MIT")):
        changed = [dict(r) for r in data]
        changed[3][field] = value
        assert merkle_root(map(leaf_hash, changed)) != root


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 8, 13, 64, 100])
def test_every_proof_verifies(n):
    leaves = [leaf_hash(r) for r in rows(n)]
    root = merkle_root(leaves)
    for i in range(n):
        proof = merkle_proof(leaves, i)
        assert verify_proof(leaves[i], proof, root)
        assert len(proof) <= max(1, (n - 1).bit_length())


def test_a_wrong_leaf_or_sibling_fails():
    leaves = [leaf_hash(r) for r in rows(9)]
    root = merkle_root(leaves)
    proof = merkle_proof(leaves, 4)
    assert not verify_proof(leaves[5], proof, root)
    side, _ = proof[0]
    assert not verify_proof(leaves[4], [(side, b"\x00" * 32), *proof[1:]], root)
    with pytest.raises(IndexError):
        merkle_proof(leaves, 9)
