"""AI models, their usage events and the attribution proof of each event.

Imported by rewards/models.py (import these names from there). A model's prepaid balance is a
ledger account of kind ``model_payer`` bound to the model (`Account.ai_model`).
"""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.lookups import Exact

from curation.models import Release
from datanets.models import Datanet
from rewards.models import Immutable, join_amount

BPS_TOTAL = 10_000


class AIModel(models.Model):
    """A registered model: the releases it was trained on and how each usage fee is split (basis
    points of the fee; the four shares sum to 10,000)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ai_models")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    releases = models.ManyToManyField(Release, related_name="ai_models")
    owner_bps = models.PositiveIntegerField(default=2000, help_text="Model owner's share, in basis points")
    contributors_bps = models.PositiveIntegerField(default=6000, help_text="Contributors' share, split by attribution")
    datanet_bps = models.PositiveIntegerField(default=1500, help_text="Datanet owners' and curators' share")
    treasury_bps = models.PositiveIntegerField(default=500, help_text="Protocol treasury's share")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "AI model"
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="ai_model_name_once_per_owner"),
            models.CheckConstraint(
                condition=Exact(F("owner_bps") + F("contributors_bps") + F("datanet_bps") + F("treasury_bps"),
                                BPS_TOTAL),
                name="ai_model_split_sums_to_10000"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def split_bps(self) -> dict[str, int]:
        return {"model_owner": self.owner_bps, "contributors": self.contributors_bps,
                "datanets": self.datanet_bps, "treasury": self.treasury_bps}


class UsageEvent(models.Model):
    """One use of a model with a fee. ``(ai_model, idempotency_key)`` is unique: a repeated key
    returns this event; `request_sha256` tells a true repeat from a different body."""

    ai_model = models.ForeignKey(AIModel, on_delete=models.PROTECT, related_name="usage_events")
    idempotency_key = models.CharField(max_length=200)
    request_sha256 = models.CharField(max_length=64)
    output = models.TextField()
    prompt = models.TextField(blank=True)
    fee = models.CharField(max_length=40, help_text="Base units, digits")
    transaction = models.OneToOneField("rewards.LedgerTransaction", on_delete=models.PROTECT,
                                       related_name="usage_event")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["ai_model", "idempotency_key"], name="usage_key_once_per_model")]

    def __str__(self) -> str:
        return f"{self.ai_model} usage #{self.pk}"


class AttributionProof(Immutable):
    """The attribution of one usage event (one at most: the one-to-one is the constraint).

    `body` is everything the proof says — method and version, embedding model version, the
    releases and index it searched, records with weights and matched spans, the amounts paid —
    and `commitment` is sha256 over its canonical JSON (rewards/proof.py says how to recompute it).
    """

    usage_event = models.OneToOneField(UsageEvent, on_delete=models.PROTECT, related_name="attribution")
    method = models.CharField(max_length=40)
    method_version = models.CharField(max_length=20)
    embedding_model = models.CharField(max_length=80)
    body = models.JSONField()
    commitment = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Attribution #{self.pk} ({self.commitment[:12]})"


class AttributionPayout(Immutable):
    """What one recipient got from one usage event, per datanet where that applies: the queryable
    copy of the proof's amounts, for earnings pages and per-datanet leaderboards."""

    class Role(models.TextChoices):
        CONTRIBUTOR = "contributor", "Contributor"
        DATANET = "datanet", "Datanet owner or curator"
        POOL = "pool", "Datanet reward pool"
        MODEL_OWNER = "model_owner", "Model owner"
        TREASURY = "treasury", "Treasury"

    proof = models.ForeignKey(AttributionProof, on_delete=models.PROTECT, related_name="payouts")
    role = models.CharField(max_length=11, choices=Role.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="attribution_payouts")
    datanet = models.ForeignKey(Datanet, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount_hi = models.BigIntegerField()
    amount_lo = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["datanet", "role"]), models.Index(fields=["user", "role"])]

    @property
    def amount(self) -> int:
        return join_amount(self.amount_hi, self.amount_lo)


__all__ = ["AIModel", "UsageEvent", "AttributionProof", "AttributionPayout"]
