"""Thin tasks over the reward services."""

from celery import shared_task

from datanets.models import Datanet
from rewards import services


@shared_task(name="rewards.accrue_pending")
def accrue_pending(datanet_id: int | None = None) -> int:
    """Pay decided records still waiting for their pool (all datanets, or one)."""
    datanets = Datanet.objects.filter(pk=datanet_id) if datanet_id else Datanet.objects.all()
    return sum(services.rewards_accrue_pending(datanet=datanet) for datanet in datanets.iterator())


@shared_task(name="rewards.settlement_run")
def settlement_run() -> str:
    """Beat: form batches of unsettled balances, send, retry failed ones, confirm submitted ones."""
    from rewards.settlement import settlement_run as run

    return str(run())


@shared_task(name="rewards.settlement_reconcile")
def settlement_reconcile() -> int:
    """Beat: compare ledger and chain; returns how many differences are open."""
    from rewards.reconciliation import settlement_reconcile as reconcile

    return len(reconcile())

@shared_task(name="rewards.warm_attribution_index")
def warm_attribution_index(ai_model_id: int) -> int:
    """Build (or load) a model's attribution index ahead of its first usage event, so that event
    does not wait for the build. Returns the number of records indexed."""
    from rewards import attribution_index
    from rewards.models import AIModel

    model = AIModel.objects.filter(pk=ai_model_id).first()
    if model is None:
        return 0
    return len(attribution_index.index_for(list(model.releases.order_by("id"))))
