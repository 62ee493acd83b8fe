"""Reads for wallets and settlement: what a user was paid out, Merkle proofs, the staff view."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from accounts.models import Profile
from rewards import selectors
from rewards.settlement import batch_tree
from rewards.settlement_models import ReconciliationFlag, SettlementBatch, SettlementItem, WalletProof


def wallet_of(*, user: Any) -> str:
    return Profile.objects.filter(user=user).values_list("wallet_address", flat=True).first() or ""


def wallet_proof_latest(*, user: Any) -> WalletProof | None:
    return WalletProof.objects.filter(user=user).order_by("-created_at", "-id").first()


@dataclass(frozen=True)
class SettlementSummary:
    unsettled: int  # the ledger balance: still to be paid out
    in_clearing: int  # in batches not yet confirmed
    settled: int  # in confirmed batches


def user_settlement_items(*, user: Any) -> QuerySet[SettlementItem]:
    return SettlementItem.objects.filter(user=user).select_related("batch").order_by("-batch__created_at", "-id")


def user_settlement_summary(*, user: Any) -> SettlementSummary:
    in_clearing = settled = 0
    for item in SettlementItem.objects.filter(user=user).select_related("batch").only("amount", "batch__state"):
        if item.batch.state == SettlementBatch.State.CONFIRMED:
            settled += item.amount_units
        else:
            in_clearing += item.amount_units
    return SettlementSummary(unsettled=selectors.user_balance(user=user), in_clearing=in_clearing, settled=settled)


def settlement_proof(*, user: Any, batch_uid: Any) -> dict | None:
    """The user's leaf in a batch and its Merkle proof, as JSON-ready data; None if not a recipient."""
    item = SettlementItem.objects.filter(user=user, batch__uid=batch_uid).select_related("batch").first()
    if item is None:
        return None
    batch = item.batch
    tree = batch_tree(batch)
    return {
        "batch": batch.pk,
        "batch_id": str(batch.chain_batch_id),
        "batch_uuid": str(batch.uid),
        "adapter": batch.adapter,
        "state": batch.state,
        "tx_id": batch.tx_id,
        "merkle_root": batch.merkle_root,
        "index": item.index,
        "account": item.address,
        "amount": item.amount,
        "leaf": "0x" + tree.leaf(item.index).hex(),
        "proof": ["0x" + node.hex() for node in tree.proof(item.index)],
        "leaf_encoding": "keccak256(abi.encodePacked(uint256 index, address account, uint256 amount)); "
                         "pairs hashed in sorted order",
    }


def batches_recent(*, limit: int = 50) -> QuerySet[SettlementBatch]:
    return SettlementBatch.objects.select_related("created_by").order_by("-created_at", "-id")[:limit]


def reconciliation_flags_open() -> QuerySet[ReconciliationFlag]:
    return ReconciliationFlag.objects.filter(resolved_at__isnull=True).select_related("batch")
