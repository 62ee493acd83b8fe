"""The services of the profile under test answer. In the production profile (CI) these are
PostgreSQL, Redis and the S3 server; a missing service fails here, it never skips."""

import os
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

PRODUCTION = os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql"))


def test_database_answers(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
    if PRODUCTION:
        assert connection.vendor == "postgresql"


def test_cache_round_trip():
    key = f"probe-{uuid.uuid4()}"
    cache.set(key, "v", 30)
    assert cache.get(key) == "v"
    if os.environ.get("CACHE_URL", "").startswith("redis"):
        from django.core.cache import caches

        assert "Redis" in type(caches["default"]).__name__


def test_storage_round_trip():
    name = default_storage.save(f"probe/{uuid.uuid4()}.txt", ContentFile(b"hello"))
    with default_storage.open(name) as f:
        assert f.read() == b"hello"
    default_storage.delete(name)
    if settings.STORAGE_BACKEND == "s3":
        from django.core.files.storage import storages

        assert "S3" in type(storages["default"]).__name__


def test_broker_answers():
    from openledger.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=2)
        assert conn.connected
