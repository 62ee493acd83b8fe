"""Test settings: the same reader as production, with a throwaway data dir and fast hashing.

The profile under test is chosen by the environment exactly as in production (DATABASE_URL,
CELERY_BROKER_URL, CACHE_URL, STORAGE_BACKEND…); `.ci/run` runs the suite once per profile.
"""

import os
import tempfile

os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="datanets-test-"))
os.environ.setdefault("CACHE_URL", "locmem://")
# The quantised model export (~30 s) is kept across test sessions and profiles.
os.environ.setdefault("MODEL_CACHE_DIR", os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".cache", "models"))
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
# Webhook tests post to a receiver on 127.0.0.1; private networks stay refused.
os.environ.setdefault("WEBHOOKS_ALLOW_LOOPBACK", "1")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789abcdef")

from openledger.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {  # noqa: F405
    "anon": "10000/min", "user": "10000/min", "token_create": "10000/min"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the shared-cache in-memory default: concurrency tests need SQLite's real
    # locking (WAL + IMMEDIATE), as the embedded profile has it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-db.sqlite3")}  # noqa: F405
