"""Merkle tree of a settlement batch, compatible with Uniswap's merkle-distributor.

Pure: no Django. A leaf is ``keccak256(abi.encodePacked(uint256 index, address account,
uint256 amount))``; a parent is the keccak256 of its two children in ascending byte order
("sorted pairs"), so a proof is a plain list of siblings with no left/right flags. A node
without a sibling on its level moves up unchanged. The contract's `verify_proof` and any
OpenZeppelin `MerkleProof.verify` accept these proofs.
"""

from dataclasses import dataclass

from eth_utils import keccak, to_canonical_address

EMPTY_ROOT = b"\x00" * 32


@dataclass(frozen=True)
class Leaf:
    index: int
    account: str  # 0x-prefixed address, any case
    amount: int


def leaf_hash(index: int, account: str, amount: int) -> bytes:
    if index < 0 or amount < 0 or index >= 2**256 or amount >= 2**256:
        raise ValueError("index and amount must fit a uint256")
    return keccak(index.to_bytes(32, "big") + to_canonical_address(account) + amount.to_bytes(32, "big"))


def hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak(a + b) if a <= b else keccak(b + a)


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    levels = [leaves]
    while len(levels[-1]) > 1:
        level = levels[-1]
        parents = [hash_pair(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            parents.append(level[-1])
        levels.append(parents)
    return levels


class MerkleTree:
    """Build once from a batch's leaves (their ``index`` must be 0..n-1), then ask for proofs."""

    def __init__(self, leaves: list[Leaf]) -> None:
        ordered = sorted(leaves, key=lambda leaf: leaf.index)
        if [leaf.index for leaf in ordered] != list(range(len(ordered))):
            raise ValueError("leaf indexes must be 0, 1, …, n-1")
        self.leaves = ordered
        self._levels = _levels([leaf_hash(leaf.index, leaf.account, leaf.amount) for leaf in ordered])

    @property
    def root(self) -> bytes:
        return self._levels[-1][0] if self.leaves else EMPTY_ROOT

    def leaf(self, index: int) -> bytes:
        return self._levels[0][index]

    def proof(self, index: int) -> list[bytes]:
        if not 0 <= index < len(self.leaves):
            raise IndexError(f"no leaf {index} in a tree of {len(self.leaves)}")
        siblings = []
        for level in self._levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                siblings.append(level[sibling])
            index //= 2
        return siblings


def verify(proof: list[bytes], root: bytes, leaf: bytes) -> bool:
    node = leaf
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node == root
