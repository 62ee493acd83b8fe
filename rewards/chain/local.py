"""The embedded chain: an append-only, hash-chained settlement log in the database.

Each row's hash is sha256 over the previous row's hash and the row's content (canonical JSON),
so `verify_log` detects any row that was edited, removed or reordered. A row is final the
moment it is written. The batch id is unique: the log refuses to settle a batch twice.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from rewards.chain.base import BatchAlreadySettled, BatchPayload, ChainAdapter, SettledBatch, TxStatus
from rewards.models import Account
from rewards.settlement_merkle import Leaf, MerkleTree
from rewards.settlement_models import SettlementLogEntry

GENESIS = "0x" + "0" * 64


def row_hash(*, prev_hash: str, batch_id: str, merkle_root: str, total: str, recipients: list, created_at: str) -> str:
    body = json.dumps({"prev_hash": prev_hash, "batch_id": batch_id, "merkle_root": merkle_root, "total": total,
                       "recipients": recipients, "created_at": created_at}, sort_keys=True, separators=(",", ":"))
    return "0x" + hashlib.sha256(body.encode()).hexdigest()


def _hash_of(row: SettlementLogEntry) -> str:
    return row_hash(prev_hash=row.prev_hash, batch_id=row.batch_id, merkle_root=row.merkle_root, total=row.total,
                    recipients=row.recipients, created_at=row.created_at.isoformat())


class LocalAdapter(ChainAdapter):
    name = "local"

    def is_settled(self, batch_id: int) -> bool:
        return SettlementLogEntry.objects.filter(batch_id=str(batch_id)).exists()

    def send_settlement(self, payload: BatchPayload) -> str:
        recipients = [[address, str(amount)] for address, amount in payload.recipients]
        try:
            with transaction.atomic():
                # One appender at a time, also while the log is empty: the clearing account's row
                # is the lock (settlement formed it), so two rows never link to the same parent.
                Account.objects.select_for_update().filter(kind=Account.Kind.CLEARING, user=None, datanet=None).first()
                last = SettlementLogEntry.objects.select_for_update().order_by("-id").first()
                row = SettlementLogEntry(
                    batch_id=str(payload.batch_id), merkle_root="0x" + payload.merkle_root.hex(),
                    total=str(payload.total), recipients=recipients, prev_hash=last.hash if last else GENESIS,
                    created_at=timezone.now())
                row.hash = _hash_of(row)
                row.save()
        except IntegrityError:
            raise BatchAlreadySettled(f"Batch {payload.batch_id} is already in the settlement log.") from None
        return row.hash

    def find_settlement(self, batch_id: int) -> str | None:
        return SettlementLogEntry.objects.filter(batch_id=str(batch_id)).values_list("hash", flat=True).first()

    def tx_status(self, tx_id: str) -> TxStatus:
        if SettlementLogEntry.objects.filter(hash=tx_id).exists():
            return TxStatus("success", confirmations=1, final=True)
        return TxStatus("unknown")

    def settled_batch(self, batch_id: int) -> SettledBatch | None:
        row = SettlementLogEntry.objects.filter(batch_id=str(batch_id)).first()
        if row is None:
            return None
        return SettledBatch(total=int(row.total), merkle_root=bytes.fromhex(row.merkle_root[2:]))

    def total_settled(self) -> int:
        return sum(int(total) for total in SettlementLogEntry.objects.values_list("total", flat=True))

    def balance_of(self, address: str) -> int:
        total = 0
        for recipients in SettlementLogEntry.objects.values_list("recipients", flat=True).iterator():
            total += sum(int(amount) for account, amount in recipients if account.lower() == address.lower())
        return total


@dataclass(frozen=True)
class LogProblem:
    row: int | None
    message: str


def verify_log() -> tuple[int, int, list[LogProblem]]:
    """Walk the log: every row links to the previous row's hash, its own hash matches its content,
    its total is the sum of its recipients and its Merkle root is theirs. Returns
    (rows, total settled, problems)."""
    problems: list[LogProblem] = []
    prev = GENESIS
    rows = total = 0
    for row in SettlementLogEntry.objects.order_by("id").iterator():
        rows += 1
        if row.prev_hash != prev:
            problems.append(LogProblem(row.pk, f"row {row.pk} links to {row.prev_hash[:14]}…, "
                                               f"but the row before it hashes to {prev[:14]}… (a row was removed or reordered)"))
        if _hash_of(row) != row.hash:
            problems.append(LogProblem(row.pk, f"row {row.pk}'s content does not match its hash (the row was edited)"))
        amounts = [int(amount) for _, amount in row.recipients]
        if sum(amounts) != int(row.total):
            problems.append(LogProblem(row.pk, f"row {row.pk}'s total {row.total} is not the sum of its recipients"))
        tree = MerkleTree([Leaf(i, account, int(amount)) for i, (account, amount) in enumerate(row.recipients)])
        if "0x" + tree.root.hex() != row.merkle_root:
            problems.append(LogProblem(row.pk, f"row {row.pk}'s Merkle root is not the root of its recipients"))
        prev = row.hash
        total += int(row.total)
    return rows, total, problems
