"""A real Celery worker is killed with SIGKILL in the middle of a submission, a new one is
started, and every record ends routed exactly once with counts that match."""

import io
import os
import signal
import time

import pytest

from datanets.models import Record, Submission
from datanets.submissions import submission_create_from_file
from tests.factories import make_datanet
from tests.worker_process import start_worker, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
N = 1500


def test_sigkilled_worker_resumes_without_losing_or_doubling(alice, bob, tmp_path, monkeypatch):
    from celery import current_app

    from curation.tasks import ingest_submission, resume_stalled_submissions

    monkeypatch.setattr("datanets.submissions._enqueue", lambda pk: None)
    datanet = make_datanet(alice, name="Crash test")
    rows = [f'{{"text": "Record number {i}: a first-aid note about item {i * 7919 % 10007} in kit {i}."}}\n'
            for i in range(N)]
    lines = "".join(rows) + rows[3]  # the last row is an exact duplicate of the fourth
    sub = submission_create_from_file(datanet=datanet, contributor=bob, stream=io.BytesIO(lines.encode()),
                                      original_name="big.jsonl")
    current_app.conf.task_always_eager = False
    log = tmp_path / "worker.log"
    worker = start_worker(log)
    try:
        ingest_submission.apply_async(args=[str(sub.id)])

        def midway() -> bool:
            done = Submission.objects.get(id=sub.id).rows_done
            return 200 <= done < N

        wait_for(midway, 180, "the first worker to get part-way")
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        killed_at = Submission.objects.get(id=sub.id).rows_done
        assert killed_at < N + 1

        worker = start_worker(log)
        time.sleep(3.5)  # the dead worker's lease runs out
        monkeypatch.setattr("django.conf.settings.INGEST_LEASE_SECONDS", 3)
        assert resume_stalled_submissions() == 1
        wait_for(lambda: Submission.objects.get(id=sub.id).status == "done", 240, "the new worker to finish")
    finally:
        current_app.conf.task_always_eager = True
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
    sub.refresh_from_db()
    records = Record.objects.filter(submission=sub)
    assert sub.total == N + 1 == records.count(), log.read_text()[-3000:]
    assert sub.exact_dup == 1
    assert sub.invalid + sub.exact_dup + sub.near_dup + sub.low_quality + sub.queued + sub.accepted == N + 1
    assert records.values("row").distinct().count() == N + 1
