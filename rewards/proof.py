"""The commitment of an attribution proof: sha256 over a canonical JSON of everything in it.

Pure (no Django). To recompute a proof's commitment from its public JSON (`GET /api/v1/attributions/{id}/`
returns it as ``body``), in any language:

1. take ``body`` exactly as served (a JSON object);
2. serialise it with keys sorted at every level, no whitespace (separators ``,`` and ``:``),
   non-ASCII characters written as themselves, and encode the text as UTF-8;
3. sha256 the bytes; the lower-case hex digest equals ``commitment``.

In Python: ``hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
ensure_ascii=False).encode()).hexdigest()``. The body holds no floats — amounts and weights are
integers written as strings (base units, parts per WEIGHT_SCALE), similarities are decimal
strings — so every JSON library reproduces the same bytes.
"""

import hashlib
import json
from typing import Any

HOW_TO_VERIFY = (
    "Take the proof's body exactly as GET /api/v1/attributions/{id}/ serves it, serialise it as JSON with "
    "keys sorted at every level, no whitespace (separators \",\" and \":\") and non-ASCII characters written "
    "as themselves, encode it as UTF-8 and hash it with sha256: the hex digest is the commitment. In Python: "
    "hashlib.sha256(json.dumps(body, sort_keys=True, separators=(\",\", \":\"), ensure_ascii=False)"
    ".encode()).hexdigest(). The body holds no floats (amounts and weights are integer strings, similarities "
    "decimal strings), so any JSON library gives the same bytes."
)


def canonical_json(body: dict[str, Any]) -> bytes:
    _refuse_floats(body)
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def commitment(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(body)).hexdigest()


def decimal(value: float, places: int = 6) -> str:
    """A real number as the fixed-point string proofs store (floats do not round-trip across libraries)."""
    return f"{value:.{places}f}"


def _refuse_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("Proof bodies hold no floats; write reals with proof.decimal().")
    if isinstance(value, dict):
        for item in value.values():
            _refuse_floats(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _refuse_floats(item)
