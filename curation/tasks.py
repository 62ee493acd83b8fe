"""Thin Celery tasks for curation. Each calls a service; ingest re-enqueues itself per budget
so no single message runs for long (a broker's visibility timeout never expires mid-task)."""

import logging

from celery import shared_task
from django.utils import timezone

from curation.ingest import Busy, submission_ingest

log = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, max_retries=None, autoretry_for=(OSError,), retry_backoff=2,
             retry_backoff_max=120)
def ingest_submission(self, submission_id: str) -> None:
    try:
        finished = submission_ingest(submission_id=submission_id)
    except Busy:
        # Another worker holds the lease; if it died, the lease runs out and we take over.
        raise self.retry(countdown=30)
    if not finished:
        ingest_submission.apply_async(args=[submission_id])


@shared_task
def resume_stalled_submissions() -> int:
    """Beat: re-enqueue submissions whose worker died and whose message was lost with it."""
    from datanets.models import Submission

    stalled = Submission.objects.filter(status__in=["uploaded", "processing"]).exclude(lease_until__gt=timezone.now())
    ids = [str(pk) for pk in stalled.filter(created_at__lt=timezone.now() - timezone.timedelta(minutes=5))
           .values_list("id", flat=True)[:100]]
    for pk in ids:
        ingest_submission.delay(pk)
    return len(ids)
