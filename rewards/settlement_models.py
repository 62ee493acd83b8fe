"""Wallets, settlement batches, the local chain adapter's log and reconciliation flags.

Imported at the end of `rewards.models` so that Django registers them with the rewards app.
Amounts are digit strings in base units (see `rewards.models` for why not a numeric column).
"""

import uuid

from django.conf import settings
from django.db import models

from rewards.models import BASE_UNITS, Immutable


class WalletChallenge(models.Model):
    """A server nonce and the exact message a user signs (EIP-191 personal_sign) to prove a wallet.
    Used at most once (`used_at`), and only until `expires_at`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wallet_challenges")
    nonce = models.CharField(max_length=64, unique=True)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Wallet challenge {self.nonce[:10]}… for {self.user}"


class WalletProof(Immutable):
    """A signature that linked a wallet to a user: the evidence behind `Profile.wallet_address`.
    One per challenge, so a signed message can never be replayed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wallet_proofs")
    address = models.CharField(max_length=42, db_index=True, help_text="EIP-55 checksummed")
    challenge = models.OneToOneField(WalletChallenge, on_delete=models.PROTECT, related_name="proof")
    signature = models.CharField(max_length=132)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} → {self.address}"


class SettlementBatch(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SUBMITTED = "submitted", "Submitted"
        CONFIRMED = "confirmed", "Confirmed"
        FAILED = "failed", "Failed (will be retried)"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False,
                           help_text="The batch id on the chain is this UUID as a uint256")
    adapter = models.CharField(max_length=16)
    state = models.CharField(max_length=9, choices=State.choices, default=State.PENDING, db_index=True)
    merkle_root = models.CharField(max_length=66)
    total = models.CharField(max_length=80, validators=[BASE_UNITS])
    recipient_count = models.PositiveIntegerField()
    tx_id = models.CharField(max_length=100, blank=True, help_text="Chain transaction id (local: the log row's hash)")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True,
                                         help_text="A worker is sending this batch until then")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "settlement batches"

    def __str__(self) -> str:
        return f"Settlement #{self.pk} ({self.get_state_display().lower()})"

    @property
    def chain_batch_id(self) -> int:
        return self.uid.int

    @property
    def total_units(self) -> int:
        return int(self.total)


class SettlementItem(models.Model):
    """One recipient of a batch: the Merkle leaf (index, address, amount)."""

    batch = models.ForeignKey(SettlementBatch, on_delete=models.PROTECT, related_name="items")
    index = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="settlement_items")
    address = models.CharField(max_length=42)
    amount = models.CharField(max_length=80, validators=[BASE_UNITS])

    class Meta:
        ordering = ["batch", "index"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "index"], name="settlement_item_index_once"),
            models.UniqueConstraint(fields=["batch", "user"], name="settlement_item_user_once"),
        ]

    def __str__(self) -> str:
        return f"#{self.batch_id}[{self.index}] {self.address}"

    @property
    def amount_units(self) -> int:
        return int(self.amount)


class SettlementLogEntry(Immutable):
    """The local chain adapter: an append-only log where each row holds the previous row's hash,
    so an edited or deleted row breaks the chain (`manage.py verify_settlement_log`)."""

    batch_id = models.CharField(max_length=80, unique=True, help_text="uint256, decimal")
    merkle_root = models.CharField(max_length=66)
    total = models.CharField(max_length=80, validators=[BASE_UNITS])
    recipients = models.JSONField(help_text="[[address, amount], …] in leaf order")
    prev_hash = models.CharField(max_length=66)
    hash = models.CharField(max_length=66, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "settlement log entries"

    def __str__(self) -> str:
        return f"Log #{self.pk} {self.hash[:12]}…"


class ReconciliationFlag(models.Model):
    """A difference between the ledger and the chain, found by the reconciliation task. Stays
    open while the difference persists; resolved automatically when a later run no longer sees it."""

    class Kind(models.TextChoices):
        MISSING_ON_CHAIN = "missing_on_chain", "Recorded as settled, not on the chain"
        NOT_RECORDED = "not_recorded", "Settled on the chain, not recorded as settled"
        TOTAL_MISMATCH = "total_mismatch", "Batch total differs"
        ROOT_MISMATCH = "root_mismatch", "Merkle root differs"
        SUPPLY_MISMATCH = "supply_mismatch", "Total settled differs"
        LEDGER_MISMATCH = "ledger_mismatch", "Ledger and batches differ"
        LOG_BROKEN = "log_broken", "Settlement log fails verification"
        CHAIN_UNREACHABLE = "chain_unreachable", "Chain could not be read"

    batch = models.ForeignKey(SettlementBatch, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="flags")
    adapter = models.CharField(max_length=16)
    kind = models.CharField(max_length=17, choices=Kind.choices)
    detail = models.TextField()
    ledger_value = models.CharField(max_length=100, blank=True)
    chain_value = models.CharField(max_length=100, blank=True)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}{f' (batch #{self.batch_id})' if self.batch_id else ''}"
