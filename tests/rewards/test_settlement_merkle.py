"""Merkle trees of settlement batches, checked by hashing written here from eth_abi and
eth_utils directly, independently of rewards.settlement_merkle (the contract checks them too,
in test_settlement_evm)."""

import random

import pytest
from eth_abi.packed import encode_packed
from eth_utils import keccak

from rewards.settlement_merkle import Leaf, MerkleTree

ADDRESSES = ["0x" + bytes([i] * 20).hex() for i in range(1, 40)]


def independent_root_check(index: int, account: str, amount: int, proof: list[bytes], root: bytes) -> bool:
    node = keccak(encode_packed(["uint256", "address", "uint256"], [index, account, amount]))
    for sibling in proof:
        node = keccak(encode_packed(["bytes32", "bytes32"], sorted([node, sibling])))
    return node == root


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 39])
def test_every_proof_verifies_independently(n):
    rng = random.Random(n)
    leaves = [Leaf(i, ADDRESSES[i], rng.randrange(1, 10**24)) for i in range(n)]
    tree = MerkleTree(leaves)
    for leaf in leaves:
        assert independent_root_check(leaf.index, leaf.account, leaf.amount, tree.proof(leaf.index), tree.root)


def test_a_changed_amount_or_account_does_not_verify():
    leaves = [Leaf(i, ADDRESSES[i], 10**18 * (i + 1)) for i in range(6)]
    tree = MerkleTree(leaves)
    proof = tree.proof(2)
    assert not independent_root_check(2, ADDRESSES[2], 10**18 * 3 + 1, proof, tree.root)
    assert not independent_root_check(2, ADDRESSES[3], 10**18 * 3, proof, tree.root)
    assert not independent_root_check(3, ADDRESSES[2], 10**18 * 3, proof, tree.root)


def test_single_leaf_root_is_the_leaf():
    tree = MerkleTree([Leaf(0, ADDRESSES[0], 5)])
    assert tree.root == keccak(encode_packed(["uint256", "address", "uint256"], [0, ADDRESSES[0], 5]))
    assert tree.proof(0) == []


def test_indexes_must_be_contiguous():
    with pytest.raises(ValueError, match="0, 1"):
        MerkleTree([Leaf(0, ADDRESSES[0], 1), Leaf(2, ADDRESSES[1], 1)])
