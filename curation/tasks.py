"""Thin Celery tasks for curation. Each calls a service; ingest re-enqueues itself per budget
so no single message runs for long (a broker's visibility timeout never expires mid-task)."""

import logging

import botocore.exceptions
import redis.exceptions
from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from curation.ingest import Busy, submission_fail, submission_ingest

log = logging.getLogger(__name__)

# Worth retrying: the database, storage or Redis briefly unreachable.
TRANSIENT = (OSError, OperationalError, InterfaceError, botocore.exceptions.BotoCoreError,
             redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


@shared_task(bind=True, acks_late=True, max_retries=8)
def ingest_submission(self, submission_id: str) -> None:
    try:
        finished = submission_ingest(submission_id=submission_id)
    except Busy:
        # Another worker holds the lease; if it died, the lease runs out and we take over.
        raise self.retry(countdown=30, max_retries=None)
    except TRANSIENT as exc:
        log.warning("ingest of %s hit a transient error, retrying: %s", submission_id, exc)
        raise self.retry(exc=exc, countdown=min(2 ** self.request.retries, 120))
    except Exception:
        log.exception("ingest of %s failed", submission_id)
        from datanets.models import Submission

        sub = Submission.objects.filter(id=submission_id).first()
        if sub is not None:
            submission_fail(submission=sub, message="Processing stopped on an internal error, which was logged. "
                                                    "Nothing from this file was kept; upload it again later.")
        raise
    if not finished:
        ingest_submission.apply_async(args=[submission_id])


@shared_task
def resume_stalled_submissions() -> int:
    """Beat: re-enqueue submissions whose worker died and whose message was lost with it."""
    from datanets.models import Submission

    from django.conf import settings

    quiet_since = timezone.now() - timezone.timedelta(seconds=settings.INGEST_LEASE_SECONDS)
    stalled = (Submission.objects.filter(status__in=["uploaded", "processing"], created_at__lt=quiet_since)
               .exclude(lease_until__gt=timezone.now()))
    ids = [str(pk) for pk in stalled.values_list("id", flat=True)[:100]]
    for pk in ids:
        ingest_submission.delay(pk)
    return len(ids)


@shared_task(bind=True, acks_late=True, max_retries=5)
def build_release(self, release_id: int) -> None:
    """Build a release's files; a transient error retries the whole build (it starts clean)."""
    from curation.releases import release_build, release_fail

    try:
        release_build(release_id=release_id)
    except TRANSIENT as exc:
        if self.request.retries < self.max_retries:
            log.warning("release %s hit a transient error, retrying: %s", release_id, exc)
            raise self.retry(exc=exc, countdown=min(2 ** self.request.retries * 5, 300))
        release_fail(release_id=release_id, message="Storage or the database stayed unreachable while building; "
                                                    "cut the release again later.")
        raise
    except Exception:
        log.exception("release %s failed", release_id)
        release_fail(release_id=release_id, message="Building stopped on an internal error, which was logged. "
                                                    "Cut the release again; if it fails again, tell the site admins.")
        raise
