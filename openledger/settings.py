"""Settings, read from the environment. The README's table lists every variable.

With nothing set, the app runs on the embedded default: SQLite and files under DATA_DIR,
a Celery broker on the filesystem (no server), the local chain adapter.
"""

import os
import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _embedded_secret_key() -> str:
    # The embedded profile keeps a generated key in the data dir so sessions survive restarts
    # without anyone having to invent a secret. Production sets SECRET_KEY.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _embedded_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "accounts",
    "datanets",
    "curation",
    "rewards",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "openledger.security.DropNulInQueryMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "openledger.security.ContentSecurityPolicyMiddleware",
    "openledger.throttling.RateLimitHeadersMiddleware",
]

ROOT_URLCONF = "openledger.urls"
WSGI_APPLICATION = "openledger.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["django.contrib.humanize.templatetags.humanize"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker write at once: WAL lets readers run beside a writer, and
    # IMMEDIATE transactions take the write lock up front instead of failing with
    # "database is locked" when a read transaction later tries to write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=30),  # seconds a writer waits for the lock
            # A 64 MiB page cache per connection (the default is 2 MiB) keeps the content-hash
            # and record indexes, which ingest probes and extends at random, in memory. The WAL
            # is copied back into the database every 16,384 pages (64 MiB) instead of every
            # 1,000: ingest rewrites the same index pages chunk after chunk, and each copy-back
            # writes them (and syncs) again (bench/bench_ingest.py: ~+8% records/s).
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; "
                            "PRAGMA wal_autocheckpoint=16384;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    # PostgreSQL's JIT compiles any query it estimates as costly: ~10 ms of compiling on every
    # count over a big queue, for queries that then run in a few ms (bench/bench_review_next.py).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (login throttling, API rate limits) ----------------------------------------------
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
elif CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- Auth -----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "datanets:explore"
LOGOUT_REDIRECT_URL = "datanets:explore"
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Datanets <noreply@localhost>")

# --- i18n / static --------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)

# --- Storage (uploads, releases) -------------------------------------------------------------
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="local")
if STORAGE_BACKEND == "s3":
    from botocore.config import Config as BotoConfig

    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="us-east-1"),
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_expire": env.int("S3_PRESIGN_SECONDS", default=900),
            "addressing_style": env.str("S3_ADDRESSING_STYLE", default="path"),
            # A store that is down answers an upload with a clear 503 in seconds, not minutes.
            "client_config": BotoConfig(connect_timeout=env.int("S3_CONNECT_TIMEOUT", default=5),
                                        read_timeout=env.int("S3_READ_TIMEOUT", default=60),
                                        retries={"max_attempts": env.int("S3_MAX_ATTEMPTS", default=3),
                                                 "mode": "standard"}),
        },
    }
elif STORAGE_BACKEND == "local":
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "files")},
    }
else:
    raise environ.ImproperlyConfigured(f"STORAGE_BACKEND must be 'local' or 's3', not {STORAGE_BACKEND!r}")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# --- Celery ---------------------------------------------------------------------------------
_broker_dir = DATA_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "resume-stalled-submissions": {"task": "curation.tasks.resume_stalled_submissions", "schedule": 300.0},
    "accrue-pending-rewards": {"task": "rewards.accrue_pending", "schedule": 600.0},
    "deliver-due-webhooks": {"task": "webhooks.tasks.deliver_due", "schedule": 30.0},
    "purge-idempotency-keys": {"task": "accounts.purge_idempotency_keys", "schedule": 3600.0},
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.authentication.TokenScopePermission"],
    "DEFAULT_PAGINATION_CLASS": "openledger.api.Pagination",
    "DEFAULT_PARSER_CLASSES": [
        "openledger.parsers.JSONBodyParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "openledger.schema.AutoSchema",
    "EXCEPTION_HANDLER": "openledger.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "openledger.throttling.AnonRateThrottle",
        "openledger.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_RATE_ANON", default="120/min"),
        "user": env.str("API_RATE_USER", default="1200/min"),
        "token_create": env.str("API_RATE_TOKEN_CREATE", default="10/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Datanets API",
    "DESCRIPTION": "Community datasets for specialised AI models: datanets, members, submissions, "
    "records, curation, releases and rewards. Authenticate with `Authorization: Bearer <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DatanetStatusEnum": "datanets.models.Datanet.Status",
        "SubmissionStatusEnum": "datanets.models.Submission.Status",
        "RecordStatusEnum": "datanets.models.Record.Status",
        "ReportStatusEnum": "curation.models.Report.Status",
        "ReportReasonEnum": "curation.models.Report.Reason",
        "ReviewReasonEnum": "curation.models.Review.Reason",
        "ReleaseStatusEnum": "curation.models.Release.Status",
        "WebhookScopeEnum": "webhooks.models.Endpoint.Scope",
        "WebhookEventTypeEnum": "webhooks.models.EventType",
        "WebhookDeliveryStatusEnum": "webhooks.models.Delivery.Status",
        "ReviewDecisionEnum": "curation.models.Review.Decision",
        "AppealDecisionEnum": "curation.appeals.DECISION_CHOICES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "openledger.schema.shared_headers_hook",
    ],
}

# --- Security -------------------------------------------------------------------------------
# HTTPS=1 when served behind TLS (the production profile): secure cookies, HSTS, redirect.
HTTPS = env.bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env.bool("BEHIND_PROXY", default=HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Product limits and policies -------------------------------------------------------------
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=1024**3)
MAX_RECORD_BYTES = env.int("MAX_RECORD_BYTES", default=1024**2)
MAX_RECORDS_PER_SUBMISSION = env.int("MAX_RECORDS_PER_SUBMISSION", default=2_000_000)
MAX_UPLOADS_PER_DAY = env.int("MAX_UPLOADS_PER_DAY", default=200)
MAX_API_BATCH_RECORDS = env.int("MAX_API_BATCH_RECORDS", default=1000)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=20 * 1024**2)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024**2
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
INGEST_CHUNK_SIZE = env.int("INGEST_CHUNK_SIZE", default=2000)
# Signatures and text checks of each chunk in a helper process (curation/prep_process.py) rather
# than a thread that shares the interpreter lock with the thread writing the previous chunk.
INGEST_PREP_PROCESS = env.bool("INGEST_PREP_PROCESS", default=True)
INGEST_LEASE_SECONDS = env.int("INGEST_LEASE_SECONDS", default=180)
REVIEW_CLAIM_SECONDS = env.int("REVIEW_CLAIM_SECONDS", default=600)
# Idempotency-Key: how long a key's first answer is replayed, and how long a request holding a key
# may run before a repeat may take it over (its worker presumably died).
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
IDEMPOTENCY_LOCK_SECONDS = env.int("IDEMPOTENCY_LOCK_SECONDS", default=600)
LSH_BACKEND = env.str("LSH_BACKEND", default="db")  # "db" or "redis"
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
EMBEDDING_BACKEND = env.str("EMBEDDING_BACKEND", default="onnx-int8")  # or "torch-fp32"
MODEL_CACHE_DIR = Path(env.str("MODEL_CACHE_DIR", default=str(DATA_DIR / "models")))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Rewards ---------------------------------------------------------------------------------
TOKEN_SYMBOL = env.str("TOKEN_SYMBOL", default="OPEN")
TOKEN_DECIMALS = 18  # amounts are integers in base units of 10^-18 token, like ERC-20 with 18 decimals

# --- Wallets and settlement ------------------------------------------------------------------
WALLET_CHALLENGE_SECONDS = env.int("WALLET_CHALLENGE_SECONDS", default=900)
CHAIN_ADAPTER = env.str("CHAIN_ADAPTER", default="local")  # "local" or "evm"
if CHAIN_ADAPTER not in ("local", "evm"):
    raise environ.ImproperlyConfigured(f"CHAIN_ADAPTER must be 'local' or 'evm', not {CHAIN_ADAPTER!r}")
SETTLEMENT_MIN_PAYOUT = env.str("SETTLEMENT_MIN_PAYOUT", default="1")  # in tokens
SETTLEMENT_MAX_BATCH = env.int("SETTLEMENT_MAX_BATCH", default=500)  # recipients per batch (gas: README)
SETTLEMENT_CONFIRMATIONS = env.int("SETTLEMENT_CONFIRMATIONS", default=3)
SETTLEMENT_CLAIM_SECONDS = env.int("SETTLEMENT_CLAIM_SECONDS", default=120)
SETTLEMENT_INTERVAL_SECONDS = env.int("SETTLEMENT_INTERVAL_SECONDS", default=3600)
EVM_RPC_URL = env.str("EVM_RPC_URL", default="http://127.0.0.1:8545")
EVM_CONTRACT_ADDRESS = env.str("EVM_CONTRACT_ADDRESS", default="")
EVM_PRIVATE_KEY = env.str("EVM_PRIVATE_KEY", default="")  # empty: the node's first unlocked account (dev nodes)
EVM_FROM_BLOCK = env.int("EVM_FROM_BLOCK", default=0)  # the contract's deploy block: where log searches start
CELERY_BEAT_SCHEDULE.update({
    "settle-balances": {"task": "rewards.settlement_run", "schedule": float(SETTLEMENT_INTERVAL_SECONDS)},
    "reconcile-settlements": {"task": "rewards.settlement_reconcile", "schedule": float(SETTLEMENT_INTERVAL_SECONDS)},
})
# --- Webhooks --------------------------------------------------------------------------------
# Outbound requests go to public addresses only, unless these allow a private network or this
# machine (tests allow loopback). Link-local (cloud metadata), multicast and reserved addresses
# are always refused.
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
WEBHOOKS_ALLOW_LOOPBACK = env.bool("WEBHOOKS_ALLOW_LOOPBACK", default=False)
WEBHOOKS_CONNECT_TIMEOUT = env.float("WEBHOOKS_CONNECT_TIMEOUT", default=5.0)
WEBHOOKS_READ_TIMEOUT = env.float("WEBHOOKS_READ_TIMEOUT", default=10.0)
WEBHOOKS_RETRY_HOURS = env.int("WEBHOOKS_RETRY_HOURS", default=24)
