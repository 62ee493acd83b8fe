"""The settlement contract (contracts/SettlementToken.vy), compiled with the installed vyper
package: no compiler download. Compiled once per process."""

from functools import lru_cache
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "contracts" / "SettlementToken.vy"


@lru_cache(maxsize=1)
def compiled() -> tuple[list, str]:
    """(abi, bytecode) of the settlement contract."""
    import vyper

    out = vyper.compile_code(SOURCE.read_text(), output_formats=["abi", "bytecode"])
    return out["abi"], out["bytecode"]
