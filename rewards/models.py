"""The ledger: accounts, immutable double-entry transactions, and each datanet's reward policy.

Amounts are integers in base units (10^-18 of a token). A base-unit amount above 2^63 (about
9.2 tokens) does not fit one 64-bit column, and SQLite stores wider numbers as lossy floats, so
an entry keeps its amount in two exact 64-bit limbs: ``amount = amount_hi * 10^12 + amount_lo``
with ``0 <= amount_lo < 10^12``. ``SUM`` over each limb is exact on SQLite and PostgreSQL alike,
which keeps balances derived in SQL; amounts up to 9.2 × 10^30 base units fit.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from datanets.models import Datanet, Record

LIMB = 10**12
BASE_UNITS = RegexValidator(r"^[0-9]{1,39}$", "An amount in base units: digits only.")


def split_amount(amount: int) -> tuple[int, int]:
    return amount // LIMB, amount % LIMB  # floor division keeps the low limb non-negative


def join_amount(hi: int | None, lo: int | None) -> int:
    return int(hi or 0) * LIMB + int(lo or 0)


class Immutable(models.Model):
    """Rows that are written once: corrections are new reversing rows, never edits."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise RuntimeError(f"{self._meta.verbose_name} rows are immutable; post a reversing transaction.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(f"{self._meta.verbose_name} rows are immutable; post a reversing transaction.")


class Account(models.Model):
    class Kind(models.TextChoices):
        USER = "user", "User"
        POOL = "pool", "Datanet reward pool"
        MODEL_PAYER = "model_payer", "Model payer"
        MODEL_OWNER = "model_owner", "Model owner"
        TREASURY = "treasury", "Treasury"
        CLEARING = "clearing", "Settlement clearing"
        ISSUANCE = "issuance", "Issuance"  # the other side of a mint: minus the tokens in existence

    # Accounts that hold money someone owns: their balance never goes below zero.
    NON_NEGATIVE = (Kind.USER, Kind.POOL, Kind.TREASURY, Kind.MODEL_PAYER)

    kind = models.CharField(max_length=11, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="ledger_accounts")
    datanet = models.ForeignKey(Datanet, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="ledger_accounts")
    # Set exactly on a model's payer account (its prepaid balance); see rewards/usage_models.py.
    ai_model = models.ForeignKey("rewards.AIModel", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="ledger_accounts")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # NULLs are distinct in a plain unique constraint, so each shape of account has its own.
            models.UniqueConstraint(fields=["kind", "user"], condition=Q(user__isnull=False, datanet__isnull=True),
                                    name="account_one_per_user_kind"),
            models.UniqueConstraint(fields=["kind", "datanet"],
                                    condition=Q(datanet__isnull=False, user__isnull=True),
                                    name="account_one_per_datanet_kind"),
            models.UniqueConstraint(fields=["kind", "user", "datanet"],
                                    condition=Q(datanet__isnull=False, user__isnull=False),
                                    name="account_one_per_user_datanet_kind"),
            models.UniqueConstraint(fields=["kind"], condition=Q(user__isnull=True, datanet__isnull=True,
                                                                 ai_model__isnull=True),
                                    name="account_one_system_per_kind"),
            models.UniqueConstraint(fields=["kind", "ai_model"], condition=Q(ai_model__isnull=False),
                                    name="account_one_per_model_kind"),
            # A model's account is its payer account and nothing else, and belongs to no user or datanet.
            models.CheckConstraint(condition=Q(ai_model__isnull=True) | Q(kind="model_payer", user__isnull=True,
                                                                          datanet__isnull=True),
                                   name="account_model_is_payer"),
            models.CheckConstraint(condition=~Q(kind="model_payer") | Q(ai_model__isnull=False),
                                   name="account_payer_has_model"),
        ]

    def __str__(self) -> str:
        owner = self.user or self.datanet or self.ai_model
        return f"{self.get_kind_display()}{f' · {owner}' if owner else ''}"


class LedgerTransaction(Immutable):
    class Kind(models.TextChoices):
        MINT = "mint", "Mint into the treasury"
        FUND_POOL = "fund_pool", "Fund a datanet's reward pool"
        ACCEPTANCE_REWARD = "acceptance_reward", "Reward for a reviewed record"
        REVERSAL = "reversal", "Reversal"
        TRANSFER = "transfer", "Transfer"
        MODEL_PREPAY = "model_prepay", "Prepay a model's usage balance"
        USAGE_FEE = "usage_fee", "Fee for one use of a model, split by attribution"
        SETTLEMENT = "settlement", "Settlement of balances to wallets"

    idempotency_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=17, choices=Kind.choices)
    memo = models.CharField(max_length=300, blank=True)
    record = models.ForeignKey(Record, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    datanet = models.ForeignKey(Datanet, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversed_by")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["datanet", "kind"]), models.Index(fields=["record", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} [{self.idempotency_key}]"


class LedgerEntry(Immutable):
    """One leg of a transaction: a signed amount on one account (positive credits it)."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount_hi = models.BigIntegerField(help_text="amount // 10^12 (see the module docstring)")
    amount_lo = models.BigIntegerField(help_text="amount % 10^12, in [0, 10^12)")

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "ledger entries"
        indexes = [models.Index(fields=["account", "transaction"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount_lo__gte=0, amount_lo__lt=LIMB), name="entry_low_limb_range"),
        ]

    @property
    def amount(self) -> int:
        return join_amount(self.amount_hi, self.amount_lo)

    def __str__(self) -> str:
        return f"{self.account}: {self.amount:+d}"


class RewardPolicy(models.Model):
    """How a datanet pays for reviewed records, from its reward pool. Amounts in base units.

    Contributor: ``base_reward × multiplier``, the multiplier rising linearly with the record's
    quality score: ``multiplier_floor + multiplier_slope × score`` (score 0..1; no score → 1×).
    Curators: ``curator_reward`` for every vote that agrees with the record's final outcome.
    """

    datanet = models.OneToOneField(Datanet, on_delete=models.CASCADE, related_name="reward_policy")
    # Digits in a string: SQLite keeps a wide DecimalField only as a float. Read them as int
    # through `rewards.selectors.reward_policy_amounts`.
    base_reward = models.CharField(max_length=40, default=str(10 * 10**18), validators=[BASE_UNITS])
    multiplier_floor = models.FloatField(default=0.5, validators=[MinValueValidator(0.0), MaxValueValidator(10.0)])
    multiplier_slope = models.FloatField(default=1.0, validators=[MinValueValidator(0.0), MaxValueValidator(10.0)])
    curator_reward = models.CharField(max_length=40, default=str(1 * 10**18), validators=[BASE_UNITS])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "reward policies"

    def __str__(self) -> str:
        return f"Reward policy of {self.datanet}"


# Wallets, settlement and reconciliation live in their own module (split by noun).
from rewards.settlement_models import (  # noqa: E402,F401
    ReconciliationFlag,
    SettlementBatch,
    SettlementItem,
    SettlementLogEntry,
    WalletChallenge,
    WalletProof,
)

from rewards.usage_models import AIModel, AttributionPayout, AttributionProof, UsageEvent  # noqa: E402,F401
