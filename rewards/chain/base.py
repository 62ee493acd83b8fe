"""The one interface through which settlement talks to a chain. No Django here.

An adapter settles a batch exactly once by its batch id: `is_settled` is asked before every
send, and the chain itself (the contract, or the local log's unique batch id) refuses a batch
id it has seen, so a retry after a crash can never pay twice.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass


class ChainError(Exception):
    """The chain could not be read or refused the transaction; `message` says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BatchAlreadySettled(ChainError):
    pass


@dataclass(frozen=True)
class BatchPayload:
    batch_id: int  # uint256
    merkle_root: bytes  # 32 bytes
    recipients: tuple[tuple[str, int], ...]  # (checksummed address, amount in base units), in leaf order

    @property
    def total(self) -> int:
        return sum(amount for _, amount in self.recipients)


@dataclass(frozen=True)
class TxStatus:
    state: str  # "pending" (sent, not in a block), "success", "reverted", "unknown" (the chain has no such tx)
    confirmations: int = 0
    final: bool = False  # no reorg can undo it (the local log)

    def confirmed(self, needed: int) -> bool:
        return self.state == "success" and (self.final or self.confirmations >= needed)


@dataclass(frozen=True)
class SettledBatch:
    """What the chain says about a batch id it has settled."""

    total: int
    merkle_root: bytes


class ChainAdapter(ABC):
    name: str

    @abstractmethod
    def is_settled(self, batch_id: int) -> bool: ...

    @abstractmethod
    def send_settlement(self, payload: BatchPayload) -> str:
        """Send the batch; return the transaction id. Raises BatchAlreadySettled or ChainError."""

    @abstractmethod
    def find_settlement(self, batch_id: int) -> str | None:
        """The id of the transaction that settled this batch, or None."""

    @abstractmethod
    def tx_status(self, tx_id: str) -> TxStatus: ...

    @abstractmethod
    def settled_batch(self, batch_id: int) -> SettledBatch | None: ...

    @abstractmethod
    def total_settled(self) -> int:
        """Everything ever settled through this adapter (the token's total supply on the EVM)."""

    @abstractmethod
    def balance_of(self, address: str) -> int: ...
