"""Thin Celery tasks for webhooks: one attempt of one delivery, and the beat that finds due ones.

Retries are not Celery retries: a failed attempt stores the time of the next one on the
delivery, and `deliver_due` (every 30 s from the beat) enqueues what is due. So retries
survive worker restarts, work the same on every broker, and tests move time explicitly.
"""

from celery import shared_task
from django.utils.dateparse import parse_datetime

from webhooks import delivery


@shared_task(acks_late=True, ignore_result=True)
def deliver(delivery_id: int, now: str | None = None) -> None:
    delivery.delivery_attempt(delivery_id=delivery_id, now=parse_datetime(now) if now else None)


@shared_task(ignore_result=True)
def deliver_due() -> int:
    return delivery.deliveries_due_enqueue()
