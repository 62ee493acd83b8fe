"""Chain adapters: `get_adapter()` returns the one the CHAIN_ADAPTER setting names."""

from django.conf import settings

from rewards.chain.base import BatchAlreadySettled, BatchPayload, ChainAdapter, ChainError, TxStatus

__all__ = ["BatchAlreadySettled", "BatchPayload", "ChainAdapter", "ChainError", "TxStatus", "get_adapter"]


def get_adapter(name: str | None = None) -> ChainAdapter:
    name = name or settings.CHAIN_ADAPTER
    if name == "local":
        from rewards.chain.local import LocalAdapter

        return LocalAdapter()
    if name == "evm":
        from rewards.chain.evm import EvmAdapter

        return EvmAdapter.from_settings()
    raise ChainError(f"Unknown chain adapter {name!r}: set CHAIN_ADAPTER to 'local' or 'evm'.")
