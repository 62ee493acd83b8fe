from celery import shared_task


@shared_task(name="accounts.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    from openledger.idempotency import idempotency_keys_purge

    return idempotency_keys_purge()
