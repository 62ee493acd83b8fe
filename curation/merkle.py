"""The Merkle tree over a release manifest. Pure: no Django, plain bytes in and out.

The exact construction, so that anyone can recompute a release's root from its manifest:

1. Each manifest row (one JSON object per line of ``manifest.jsonl``, in file order, which is
   ascending record id) is encoded canonically as the UTF-8 bytes of
   ``f"{record_id}\\t{content_hash}\\t{contributor}\\t{license}"`` (record id in decimal, content hash
   as lowercase hex, contributor username, license SPDX id as stored on the datanet).
2. Leaf hash: ``sha256(0x00 || row_bytes)``.
3. Interior node: ``sha256(0x01 || left || right)`` — positional, never sorted: the left child is
   the one earlier in the manifest. (The 0x00/0x01 prefixes keep a leaf from passing for a node.)
4. Level by level, pair nodes from the left; an odd node left at the end of a level is promoted
   unchanged to the next level (it is not duplicated and not hashed with itself).
5. The root is the single node left; a one-row manifest's root is its leaf hash. An empty
   manifest's root is ``sha256(b"")`` (releases are never empty, but the function is total).

`merkle_root` computes the same value streaming, keeping only a stack of O(log n) subtree roots.
"""

import hashlib
from collections.abc import Iterable, Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


def row_bytes(row: dict) -> bytes:
    return f"{row['record_id']}\t{row['content_hash']}\t{row['contributor']}\t{row['license']}".encode()


def leaf_hash(row: dict) -> bytes:
    """Leaf of one manifest row: a dict with record_id, content_hash, contributor, license."""
    return hashlib.sha256(LEAF_PREFIX + row_bytes(row)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def merkle_root(leaves: Iterable[bytes]) -> bytes:
    """The root over leaf hashes in order, in one pass with O(log n) memory.

    The stack holds (height, hash) of complete subtrees of strictly decreasing height. At the end
    the leftovers are folded right to left, which is what promoting odd nodes level by level gives.
    """
    stack: list[tuple[int, bytes]] = []
    for leaf in leaves:
        height, node = 0, leaf
        while stack and stack[-1][0] == height:
            _, left = stack.pop()
            node = node_hash(left, node)
            height += 1
        stack.append((height, node))
    if not stack:
        return EMPTY_ROOT
    _, node = stack.pop()
    while stack:
        _, left = stack.pop()
        node = node_hash(left, node)
    return node


class MerkleRootBuilder:
    """`merkle_root` as an object, for callers that produce leaves inside their own loop."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []
        self.count = 0

    def add(self, leaf: bytes) -> None:
        height, node = 0, leaf
        while self._stack and self._stack[-1][0] == height:
            _, left = self._stack.pop()
            node = node_hash(left, node)
            height += 1
        self._stack.append((height, node))
        self.count += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        stack = list(self._stack)
        _, node = stack.pop()
        while stack:
            _, left = stack.pop()
            node = node_hash(left, node)
        return node


def merkle_proof(leaves: Sequence[bytes], index: int) -> list[tuple[str, bytes]]:
    """The siblings from leaf `index` up to the root: a list of ("L" | "R", hash), where the side
    says where the sibling sits. Levels at which the node was promoted contribute nothing.
    Holds one level in memory (proofs are for single records, not for whole-release passes)."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is outside a tree of {len(leaves)} leaves")
    proof: list[tuple[str, bytes]] = []
    level = list(leaves)
    while len(level) > 1:
        sibling = index ^ 1
        if sibling < len(level):
            proof.append(("L" if sibling < index else "R", level[sibling]))
        level = [node_hash(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
                 for i in range(0, len(level), 2)]
        index //= 2
    return proof


def verify_proof(leaf: bytes, proof: Iterable[tuple[str, bytes]], root: bytes) -> bool:
    node = leaf
    for side, sibling in proof:
        node = node_hash(sibling, node) if side == "L" else node_hash(node, sibling)
    return node == root
