"""Writes for AI models: registering one, changing its releases, prepaying its usage balance.

A model's prepaid balance is the ledger account of kind ``model_payer`` bound to it; its owner
moves tokens there from their own balance (a MODEL_PREPAY transaction), and each usage event
pays its fee from there (rewards/usage.py). The payer account never goes below zero.
"""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from curation.models import Release
from datanets import permissions
from datanets.audit import audit_log
from rewards import amounts
from rewards.models import Account, AIModel, LedgerTransaction
from rewards.services import account_get_or_create, ledger_post
from rewards.usage_models import BPS_TOTAL

SPLIT_FIELDS = ("owner_bps", "contributors_bps", "datanet_bps", "treasury_bps")


class ModelRefused(Exception):
    """A registration a user must correct; `errors` maps each field to what is wrong with it."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.code = code


def _check_split(split: dict[str, int]) -> None:
    for name, value in split.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= BPS_TOTAL:
            raise ModelRefused(f"{name} must be a whole number of basis points from 0 to {BPS_TOTAL}.",
                               {name: [f"A whole number from 0 to {BPS_TOTAL} (100 basis points = 1%)."]})
    total = sum(split.values())
    if total != BPS_TOTAL:
        message = (f"The fee split must add up to {BPS_TOTAL} basis points (100%); these add up to {total} "
                   f"({total / 100:g}%). Change the shares so that model owner + contributors + datanet "
                   f"owners and curators + treasury = {BPS_TOTAL}.")
        raise ModelRefused(message, {"split": [message]})


def _check_releases(releases: list[Release], actor: Any) -> None:
    if not releases:
        raise ModelRefused("Name at least one release the model was trained on.",
                           {"releases": ["Pick at least one ready release."]})
    for release in releases:
        if release.status != Release.Status.READY:
            raise ModelRefused(f"Release {release.label} of {release.datanet} is {release.status}; only ready "
                               "releases can be trained on. Wait until it is ready.",
                               {"releases": [f"Release #{release.pk} is not ready."]})
        if not permissions.can_view(actor, release.datanet):
            raise ModelRefused(f"There is no release #{release.pk}.", {"releases": [f"Unknown release #{release.pk}."]},
                               code="not_found")


def ai_model_register(*, owner: Any, name: str, description: str = "", releases: list[Release],
                      owner_bps: int = 2000, contributors_bps: int = 6000, datanet_bps: int = 1500,
                      treasury_bps: int = 500) -> AIModel:
    """Register a model trained on `releases` (ready, visible to `owner`) with its fee split.
    Raises ModelRefused with a message per field when something must be corrected."""
    if not getattr(owner, "is_authenticated", False):
        raise PermissionDenied("Log in to register a model.")
    name = (name or "").strip()
    if not name:
        raise ModelRefused("Give the model a name.", {"name": ["A name is required."]})
    split = {"owner_bps": owner_bps, "contributors_bps": contributors_bps, "datanet_bps": datanet_bps,
             "treasury_bps": treasury_bps}
    _check_split(split)
    _check_releases(releases, owner)
    try:
        with transaction.atomic():
            model = AIModel.objects.create(owner=owner, name=name[:120], description=description, **split)
            model.releases.set(releases)
            account_get_or_create(kind=Account.Kind.MODEL_PAYER, ai_model=model)
            audit_log(actor=owner, action="ai_model.registered", target=model, reason=name,
                      data={"releases": sorted(r.pk for r in releases), **split})
            _warm_after_commit(model)
    except IntegrityError:
        raise ModelRefused(f"You already have a model named {name!r}; pick another name.",
                           {"name": ["You already have a model with this name."]}, code="duplicate") from None
    return model


def ai_model_set_releases(*, ai_model: AIModel, actor: Any, releases: list[Release]) -> AIModel:
    """Change what the model was trained on. The next usage event attributes over the new set
    (its index has another fingerprint; see rewards/attribution_index.py)."""
    if actor != ai_model.owner:
        raise PermissionDenied("Only the model's owner can change its releases.")
    _check_releases(releases, actor)
    with transaction.atomic():
        ai_model.releases.set(releases)
        audit_log(actor=actor, action="ai_model.releases_changed", target=ai_model,
                  data={"releases": sorted(r.pk for r in releases)})
        _warm_after_commit(ai_model)
    return ai_model


def _warm_after_commit(model: AIModel) -> None:
    from rewards.tasks import warm_attribution_index

    transaction.on_commit(lambda: warm_attribution_index.delay(model.pk))


def payer_account(ai_model: AIModel) -> Account:
    return account_get_or_create(kind=Account.Kind.MODEL_PAYER, ai_model=ai_model)


def ai_model_prepay(*, ai_model: AIModel, actor: Any, amount: int, key: str = "") -> LedgerTransaction:
    """Move `amount` base units from the owner's balance into the model's prepaid balance.
    Raises InsufficientFunds (nothing written) when the owner's balance cannot cover it."""
    if actor != ai_model.owner:
        raise PermissionDenied("Only the model's owner can prepay its usage.")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError("The amount must be a positive number of base units.")
    source = account_get_or_create(kind=Account.Kind.USER, user=actor)
    return ledger_post(key=key or f"prepay:{uuid.uuid4()}", kind=LedgerTransaction.Kind.MODEL_PREPAY, actor=actor,
                       lines=[(source, -amount), (payer_account(ai_model), amount)],
                       memo=f"Prepaid {amounts.format_amount(amount)} for usage of {ai_model.name}")
