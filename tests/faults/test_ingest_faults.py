"""A real worker ingests a large submission while its broker restarts, or while its database goes
away under it; afterwards every record is routed exactly once and the counts add up.

The broker is a private redis-server started here on a free loopback port (the shared one is not
restarted under other tests). The database fault is the profile's own: on PostgreSQL the worker's
connections are terminated by the server; on SQLite the file is held locked past the worker's busy
timeout, so its writes fail with "database is locked".
"""

import io
import shutil
import socket
import sqlite3
import subprocess
import time

import pytest
from celery import current_app
from django.db import connection
from kombu import Connection

from curation.tasks import ingest_submission, resume_stalled_submissions
from datanets.models import Record, Submission
from datanets.submissions import submission_create_from_file
from tests.factories import make_datanet
from tests.worker_process import start_worker, stop, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
N = 1200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis(port: int) -> subprocess.Popen:
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed for the broker-restart test (Debian package redis-server)"
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    wait_for(lambda: _answers(port), 15, "redis-server to start")
    return process


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def big_submission(alice, bob, monkeypatch):
    monkeypatch.setattr("datanets.submissions._enqueue", lambda pk: None)
    monkeypatch.setattr("django.conf.settings.INGEST_LEASE_SECONDS", 3)
    datanet = make_datanet(alice, name="Fault test")
    rows = [f'{{"text": "Fault record {i}: a note about bandage {i * 7919 % 10007} in cabinet {i}."}}\n'
            for i in range(N)]
    data = ("".join(rows) + rows[5]).encode()  # one exact duplicate at the end
    return submission_create_from_file(datanet=datanet, contributor=bob, stream=io.BytesIO(data),
                                       original_name="faults.jsonl")


@pytest.fixture
def private_broker():
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = _redis(port)
    conf = current_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = url, False
    current_app._pool = None
    current_app.amqp._producer_pool = None
    state = {"server": server, "port": port, "url": url}
    yield state
    conf.broker_url, conf.task_always_eager = saved
    current_app._pool = None
    current_app.amqp._producer_pool = None
    stop(state["server"])


def _rows_done(sub) -> int:
    return Submission.objects.get(id=sub.id).rows_done


def _finish(sub, broker_url: str) -> None:
    """Wait for the worker to finish, sweeping stalled submissions as the beat scheduler would."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if Submission.objects.get(id=sub.id).status == "done":
            return
        resume_stalled_submissions()  # re-enqueues only if the lease ran out (message lost with the broker)
        time.sleep(4)
    raise AssertionError("the submission did not finish")


def _assert_exactly_once(sub) -> None:
    sub.refresh_from_db()
    records = Record.objects.filter(submission=sub)
    assert sub.status == "done"
    assert sub.total == N + 1 == records.count()
    assert records.values("row").distinct().count() == N + 1
    assert sub.exact_dup == 1
    assert sub.invalid + sub.exact_dup + sub.near_dup + sub.low_quality + sub.queued + sub.accepted == N + 1


def test_broker_restart_during_processing(big_submission, private_broker, tmp_path):
    log = tmp_path / "worker.log"
    worker = start_worker(log, CELERY_BROKER_URL=private_broker["url"])
    try:
        with Connection(private_broker["url"]) as conn:
            ingest_submission.apply_async(args=[str(big_submission.id)], connection=conn)
        wait_for(lambda: 100 <= _rows_done(big_submission) < N, 180, "the worker to get part-way")
        stop(private_broker["server"], 9)  # the broker dies, with every message it held
        time.sleep(2)
        private_broker["server"] = _redis(private_broker["port"])
        _finish(big_submission, private_broker["url"])
    finally:
        stop(worker)
    assert "Connection to broker lost" in log.read_text()  # the worker really lost its broker
    _assert_exactly_once(big_submission)


def _cut_the_database_off(seconds: float) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()) AS killed")
            assert cursor.fetchone()[0] >= 1, "no worker connection to cut"
        return
    # SQLite: another process holds the write lock past the worker's busy timeout.
    blocker = sqlite3.connect(connection.settings_dict["NAME"], timeout=30, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    time.sleep(seconds)
    blocker.execute("ROLLBACK")
    blocker.close()


def test_database_connection_lost_during_a_chunk(big_submission, private_broker, tmp_path):
    log = tmp_path / "worker.log"
    worker = start_worker(log, CELERY_BROKER_URL=private_broker["url"], SQLITE_BUSY_TIMEOUT="1",
                          DB_CONN_MAX_AGE="60")
    try:
        with Connection(private_broker["url"]) as conn:
            ingest_submission.apply_async(args=[str(big_submission.id)], connection=conn)
        wait_for(lambda: 100 <= _rows_done(big_submission) < N, 180, "the worker to get part-way")
        _cut_the_database_off(4.0)  # in this thread: its connection is the one the cut spares
        _finish(big_submission, private_broker["url"])
    finally:
        stop(worker)
    text = log.read_text()
    assert "transient error, retrying" in text, text[-3000:]  # the fault really hit the worker
    _assert_exactly_once(big_submission)
