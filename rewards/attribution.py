"""Proof of Attribution: from one model output to non-negative record weights that sum to 1.

Pure (numpy; the indexes come from rewards/semantic.py and rewards/lexical.py). Method
``hybrid-semantic-lexical``, version METHOD_VERSION — bump it whenever anything below changes,
because every stored proof names the method and version it was computed with.

1. Candidates: the TOP_K records nearest to the output's embedding (faiss), plus the LEXICAL_K
   records sharing the most word n-grams with it (the n-gram inverted index).
2. Influence of each candidate, both parts in 0..1:
   - semantic ``s = clip((cosine − SEMANTIC_FLOOR) / (1 − SEMANTIC_FLOOR), 0, 1)``: below the
     floor, an output is about something else (all-MiniLM-L6-v2 puts unrelated English texts at
     cosine 0–0.4);
   - lexical ``l`` = the share of the shorter of (output, record) covered by shared n-grams,
     counted only when the longest quoted span has at least MIN_SPAN_WORDS words (shorter
     overlaps are stock phrases, not quotes);
   - ``influence = (s + l) / 2``. A verbatim or partial quote scores near 1, a light paraphrase
     keeps a high ``s`` and a part of ``l``, a record that is merely on the same topic keeps a
     small ``s`` only.
3. Weights: ``influence^POWER`` normalised over the candidates with positive influence, then
   turned into integers of WEIGHT_SCALE (parts per billion) by the largest-remainder method, so
   stored weights sum to exactly WEIGHT_SCALE. POWER sharpens the weight towards the records that
   really shaped the output without silencing the runners-up.
4. When no candidate has positive influence the output owes nothing to any record: the weights
   are empty and the caller sends the contributors' share elsewhere (see rewards/usage.py).

Only positive influence is paid: nothing is ever negative, and records the search did not reach
get no weight.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # faiss loads only where an index is built or searched
    from rewards.lexical import LexicalIndex, LexicalMatch
    from rewards.semantic import SemanticIndex

METHOD = "hybrid-semantic-lexical"
METHOD_VERSION = "1"
TOP_K = 32
LEXICAL_K = 32
SEMANTIC_FLOOR = 0.5
MIN_SPAN_WORDS = 8
POWER = 2
WEIGHT_SCALE = 10**9

PARAMETERS = {"top_k": TOP_K, "lexical_k": LEXICAL_K, "semantic_floor": str(SEMANTIC_FLOOR),
              "min_span_words": MIN_SPAN_WORDS, "power": POWER, "weight_scale": WEIGHT_SCALE}


@dataclass(frozen=True)
class Influence:
    row: int
    cosine: float
    semantic: float
    lexical: float
    match: LexicalMatch | None
    influence: float
    weight_units: int = 0

    @property
    def weight(self) -> float:
        return self.weight_units / WEIGHT_SCALE


def semantic_part(cosine: float) -> float:
    return float(min(1.0, max(0.0, (cosine - SEMANTIC_FLOOR) / (1.0 - SEMANTIC_FLOOR))))


def lexical_part(match: LexicalMatch | None, output_words: int) -> float:
    if match is None or match.span_words < MIN_SPAN_WORDS:
        return 0.0
    return match.score(output_words)


def candidates(*, output: str, vector: np.ndarray, semantic: SemanticIndex, lexical: LexicalIndex,
               keep: Callable[[int], bool] = lambda row: True) -> list[Influence]:
    """Every reached record with its influence (zero ones included, for the record), by row.
    `keep(row)` drops rows that may not be paid (e.g. records taken down since the release)."""
    near = dict(semantic.search(vector, TOP_K))
    output_words, matches = lexical.query(output, limit=LEXICAL_K)
    by_row = {m.row: m for m in matches}
    rows = [row for row in sorted(set(near) | set(by_row)) if keep(row)]
    # A lexical candidate outside the top k still has an exact cosine: reconstructed, in one call.
    missing = [row for row in rows if row not in near]
    near.update(zip(missing, semantic_cosines(semantic, vector, missing)))
    found = []
    for row in rows:
        s, l = semantic_part(near[row]), lexical_part(by_row.get(row), output_words)
        found.append(Influence(row=row, cosine=near[row], semantic=s, lexical=l, match=by_row.get(row),
                               influence=(s + l) / 2))
    return found


def semantic_cosines(semantic: SemanticIndex, vector: np.ndarray, rows: list[int]) -> list[float]:
    if not rows:
        return []
    stored = semantic.index.reconstruct_batch(np.asarray(rows, dtype=np.int64))
    v = np.asarray(vector, dtype=np.float32).ravel()
    norms = np.linalg.norm(stored, axis=1) * max(1e-12, float(np.linalg.norm(v)))
    return (stored @ v / np.maximum(norms, 1e-12)).astype(float).tolist()


def weigh(found: Iterable[Influence]) -> list[Influence]:
    """The candidates with positive influence, with integer weights summing to WEIGHT_SCALE
    (empty when none has positive influence), heaviest first."""
    positive = [f for f in found if f.influence > 0]
    if not positive:
        return []
    raw = {f.row: f.influence ** POWER for f in positive}
    units = allocate(WEIGHT_SCALE, {f.row: raw[f.row] for f in positive})
    weighted = [Influence(**{**f.__dict__, "weight_units": units[f.row]}) for f in positive]
    weighted.sort(key=lambda f: (-f.weight_units, f.row))
    return weighted


def attribute(*, output: str, vector: np.ndarray, semantic: SemanticIndex, lexical: LexicalIndex,
              keep: Callable[[int], bool] = lambda row: True) -> list[Influence]:
    return weigh(candidates(output=output, vector=vector, semantic=semantic, lexical=lexical, keep=keep))


def allocate(total: int, shares: dict[Hashable, float | int]) -> dict[Hashable, int]:
    """Split the integer `total` in proportion to `shares` (non-negative) by the largest-remainder
    method: every part is the floor of its exact share, and the units left over go one each to
    the largest remainders, ties broken by key order. The parts sum to `total` exactly."""
    keys = sorted(shares, key=_sort_key)
    if total < 0:
        raise ValueError("Only a non-negative total can be allocated.")
    weight_sum = sum(shares[k] for k in keys)
    if not keys or weight_sum <= 0:
        raise ValueError("Allocation needs at least one positive share.")
    if all(isinstance(shares[k], int) for k in keys):  # exact in integers
        parts = {k: total * shares[k] // weight_sum for k in keys}
        remainders = {k: total * shares[k] % weight_sum for k in keys}
    else:
        exact = {k: total * (shares[k] / weight_sum) for k in keys}
        parts = {k: min(total, int(exact[k])) for k in keys}
        remainders = {k: exact[k] - parts[k] for k in keys}
    left = total - sum(parts.values())
    for k in sorted(keys, key=lambda k: (-remainders[k], _sort_key(k)))[:max(0, left)]:
        parts[k] += 1
    return parts


def _sort_key(key: Hashable) -> tuple:
    return (type(key).__name__, key) if isinstance(key, (int, str, tuple)) else (type(key).__name__, str(key))


# --- the fee split ---------------------------------------------------------------------------------

SPLIT_PARTS = ("model_owner", "contributors", "datanets", "treasury")
BPS = 10_000


def split_fee(fee: int, bps: dict[str, int]) -> dict[str, int]:
    """The fee in base units split by basis points over SPLIT_PARTS; each part is rounded down and
    what rounding leaves (< 4 base units) goes to the treasury. Parts sum to `fee` exactly."""
    if sorted(bps) != sorted(SPLIT_PARTS) or sum(bps.values()) != BPS or min(bps.values()) < 0:
        raise ValueError(f"A fee split needs {', '.join(SPLIT_PARTS)} in basis points summing to {BPS}.")
    parts = {name: fee * bps[name] // BPS for name in SPLIT_PARTS}
    parts["treasury"] += fee - sum(parts.values())
    return parts
