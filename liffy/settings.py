"""Settings, all from the environment (django-environ). Every variable is listed in the README."""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from liffy.database import embedded_database
from liffy.logs import logging_config
from liffy.queues import queue_name, queue_names, task_routes

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The built-in key is for development only: with DEBUG off, `check --deploy` and the server refuse it
# (liffy/checks.py), so a production deployment must set its own.
DEVELOPMENT_SECRET_KEY = "insecure-development-key-change-me-in-production-0123456789"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
# Earlier secret keys, while sessions, password reset links and provider keys written under them age out.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "liffy",
    "persons",
    "campaigns",
    "mining",
    "legacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "liffy.exceptions.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "liffy.urls"
WSGI_APPLICATION = "liffy.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: DATABASE_URL, or the embedded PostgreSQL server -------------------------------------
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {
        "default": embedded_database(
            Path(env("EMBEDDED_PG_DIR", default=str(BASE_DIR / ".pgdata"))), env("EMBEDDED_PG_DB", default="liffy")
        )
    }
# Each test run gets its own throwaway database, so parallel runs never collide.
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default=f"test_liffy_{os.getpid()}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)

AUTH_USER_MODEL = "liffy.User"
# Django's defaults, plus the bcrypt hashes of users adopted from the original system (re-hashed with
# the first hasher at their first login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "legacy.hashers.OriginalBCryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- HTTPS, cookies, headers: secure by default when DEBUG is off ---------------------------------------
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
# "HTTP_X_FORWARDED_PROTO,https" behind a proxy that terminates TLS and sets that header; unset otherwise.
SECURE_PROXY_SSL_HEADER = tuple(env.list("DJANGO_SECURE_PROXY_SSL_HEADER", default=[])) or None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Cache: the throttles' counters ------------------------------------------------------------------
# Shared by every process of the deployment when it is Redis (REDIS_URL, or CACHE_URL of its own): a
# per-process memory cache would let a client multiply every rate by the number of web processes.
CACHES = {"default": env.cache_url("CACHE_URL", default=env("REDIS_URL", default="") or "locmemcache://")}

# --- Client addresses, login lockout --------------------------------------------------------------------
# Proxies in front of the server that append to X-Forwarded-For; 0: the header is ignored (liffy/throttling.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AUTHENTICATION_BACKENDS = ["liffy.auth.LoginLockoutBackend", "django.contrib.auth.backends.ModelBackend"]
# Password logins (admin and API) from one client address are refused for LOGIN_LOCKOUT_MINUTES after
# LOGIN_FAILURE_LIMIT failures in a row (django-axes; attempts are rows in the database, shared by all
# processes, and staff can see and delete them in the admin).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_LOCKOUT_MINUTES", default=15.0) / 60
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "liffy.throttling.client_address"
AXES_USERNAME_CALLABLE = "liffy.auth.attempted_email"
AXES_RESET_ON_SUCCESS = False  # a login of the attacker's own account must not wipe their failures
AXES_LOCKOUT_CALLABLE = "liffy.auth.lockout_page"
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# --- API tokens (django-rest-knox): stored hashed, expiring, revoked by logout and password changes ----
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.float("API_TOKEN_TTL_HOURS", default=10.0)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# Per-organizer provider keys are encrypted with Fernet keys (urlsafe base64, 32 bytes), comma-separated:
# the first encrypts, every one decrypts (liffy/encryption.py). Empty: a key derived from DJANGO_SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEY", default=[])

# --- API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "liffy.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["liffy.permissions.IsOrganizerMember"],
    # JSON only: errors too are JSON for every client; the interactive docs are at /api/docs/.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "liffy.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "liffy.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "liffy.schema.AutoSchema",
    "EXCEPTION_HANDLER": "liffy.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env("THROTTLE_LOGIN", default="10/min"),
        "unsubscribe": env("THROTTLE_UNSUBSCRIBE", default="30/min"),
        "webhook": env("THROTTLE_WEBHOOK", default="600/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Liffy API",
    "DESCRIPTION": "Multi-tenant B2B outreach back office: persons, lists, mining, campaigns, engagement.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set wherever it appears (`manage.py spectacular --validate --fail-on-warn` is clean).
    "ENUM_NAME_OVERRIDES": {
        "CampaignStatusEnum": "campaigns.models.CampaignStatus",
        "RecipientStatusEnum": "campaigns.models.RecipientStatus",
        "MiningJobStatusEnum": "mining.models.MiningJob.Status",
        "MiningJobTypeEnum": "mining.models.MiningJob.Type",
        "ListTypeEnum": "legacy.models.List.Type",
        "ZohoModuleEnum": "persons.models.ZohoModule",
        "ZohoPushStatusEnum": "persons.models.ZohoPushLog.Status",
        "QueueStatusEnum": "persons.models.QueueStatus",
        "VerificationStatusEnum": "persons.models.VerificationStatus",
    },
}
# /api/docs/ works offline: Swagger UI is served from the project's static files, not a CDN.
SPECTACULAR_SETTINGS.update(SWAGGER_UI_DIST="SIDECAR", SWAGGER_UI_FAVICON_HREF="SIDECAR", REDOC_DIST="SIDECAR")

# --- Background work ------------------------------------------------------------------------------
# No broker configured: tasks run eagerly in-process, so the embedded default needs nothing else.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default=""))
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Producers and workers of one deployment must agree on it; distinct names keep deployments that share
# a Redis apart.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "fail-stale-mining-jobs": {"task": "mining.tasks.fail_stale_mining_jobs_task", "schedule": 300.0},
    "dispatch-campaigns": {"task": "campaigns.tasks.dispatch_campaigns_task", "schedule": 30.0},
    "verify-pending-emails": {"task": "persons.tasks.verify_pending_task", "schedule": 15.0},
}

# --- Mining ---------------------------------------------------------------------------------------
# A job still `running` after this many minutes is marked failed by the periodic recovery task.
MINING_JOB_TIMEOUT_MINUTES = env.int("MINING_JOB_TIMEOUT_MINUTES", default=30)

# --- Lists ---------------------------------------------------------------------------------------
# Files with fewer data rows are imported in the request (201); larger ones in the background (202).
CSV_INLINE_ROWS = env.int("CSV_INLINE_ROWS", default=500)
CSV_BATCH_SIZE = env.int("CSV_BATCH_SIZE", default=200)

# --- Untrusted input: URLs users give to be fetched, files they upload ---------------------------
# true: mining may fetch loopback, private, link-local and other non-public addresses (an intranet
# deployment, the test suite). Off, they are refused; see liffy/netguard.py.
MINING_ALLOW_PRIVATE_ADDRESSES = env.bool("MINING_ALLOW_PRIVATE_ADDRESSES", default=False)
# Largest uploaded file (list import, mining job). A bigger request body is refused (413) before it is
# read; CSV_UPLOAD_MAX_BYTES is the earlier name of this setting and still read.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=env.int("CSV_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024))
FILE_UPLOAD_HANDLERS = [
    "liffy.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Uploads above this size are spooled to a temporary file instead of memory (Django's default).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Caps of reading an uploaded table (liffy/tables.py): rows, cells, and what an XLSX may unpack to.
TABLE_MAX_ROWS = env.int("TABLE_MAX_ROWS", default=200_000)
TABLE_MAX_CELLS = env.int("TABLE_MAX_CELLS", default=2_000_000)
TABLE_MAX_UNCOMPRESSED_BYTES = env.int("TABLE_MAX_UNCOMPRESSED_BYTES", default=100 * 1024 * 1024)

# --- Verification (ZeroBounce) -------------------------------------------------------------------
ZEROBOUNCE_API_URL = env("ZEROBOUNCE_API_URL", default="https://api.zerobounce.net").rstrip("/")
ZEROBOUNCE_TIMEOUT_SECONDS = env.float("ZEROBOUNCE_TIMEOUT_SECONDS", default=30.0)
ZEROBOUNCE_MAX_RETRIES = env.int("ZEROBOUNCE_MAX_RETRIES", default=2)
ZEROBOUNCE_BACKOFF_SECONDS = env.float("ZEROBOUNCE_BACKOFF_SECONDS", default=1.0)
# Parallel validate calls per worker (ZeroBounce allows a few per second per key).
ZEROBOUNCE_CONCURRENCY = env.int("ZEROBOUNCE_CONCURRENCY", default=5)
VERIFICATION_BATCH_SIZE = env.int("VERIFICATION_BATCH_SIZE", default=100)
# A queue row still `processing` after this long (its worker died) goes back to pending.
VERIFICATION_CLAIM_TIMEOUT_MINUTES = env.int("VERIFICATION_CLAIM_TIMEOUT_MINUTES", default=10)

# --- Zoho CRM ------------------------------------------------------------------------------------
ZOHO_TIMEOUT_SECONDS = env.float("ZOHO_TIMEOUT_SECONDS", default=30.0)
ZOHO_MAX_RETRIES = env.int("ZOHO_MAX_RETRIES", default=2)
ZOHO_BACKOFF_SECONDS = env.float("ZOHO_BACKOFF_SECONDS", default=1.0)

# --- Sending -------------------------------------------------------------------------------------
# Public base URL of this deployment: unsubscribe links in emails point here.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://localhost:8000").rstrip("/")
SENDGRID_API_URL = env("SENDGRID_API_URL", default="https://api.sendgrid.com").rstrip("/")
SENDGRID_TIMEOUT_SECONDS = env.float("SENDGRID_TIMEOUT_SECONDS", default=15.0)
# 429, 5xx and timeouts are retried this many times, waiting SENDGRID_BACKOFF_SECONDS × 2^attempt
# (or the server's Retry-After, capped at 60 s).
SENDGRID_MAX_RETRIES = env.int("SENDGRID_MAX_RETRIES", default=3)
SENDGRID_BACKOFF_SECONDS = env.float("SENDGRID_BACKOFF_SECONDS", default=1.0)
# Defaults for organizers that set no send_rate_per_second / send_batch_size of their own.
SEND_RATE_PER_SECOND = env.int("SEND_RATE_PER_SECOND", default=10)
SEND_BATCH_SIZE = env.int("SEND_BATCH_SIZE", default=100)
# Requests a worker keeps in flight to SendGrid at once (the rate limit still holds).
SEND_CONCURRENCY = env.int("SEND_CONCURRENCY", default=8)
# A recipient claimed (`sending`) longer than this goes back to pending: its worker died.
SEND_CLAIM_TIMEOUT_MINUTES = env.int("SEND_CLAIM_TIMEOUT_MINUTES", default=15)
# A send task works this long, then hands the rest of the campaign to a fresh task.
SEND_TASK_SECONDS = env.int("SEND_TASK_SECONDS", default=240)
# Unsubscribe links are signed with this secret (default: DJANGO_SECRET_KEY) and valid this many days.
UNSUBSCRIBE_SECRET = env("UNSUBSCRIBE_SECRET", default="") or SECRET_KEY
UNSUBSCRIBE_TOKEN_DAYS = env.int("UNSUBSCRIBE_TOKEN_DAYS", default=90)
# mailto: address of the List-Unsubscribe header; empty: the sender's reply-to or from address.
UNSUBSCRIBE_MAILTO = env("UNSUBSCRIBE_MAILTO", default="")

# --- SendGrid event webhook ------------------------------------------------------------------------
# Base64 DER public key of a SendGrid account shared by every organizer (organizers may set their own).
SENDGRID_WEBHOOK_PUBLIC_KEY = env("SENDGRID_WEBHOOK_PUBLIC_KEY", default="")
# Signed requests older or newer than this are refused.
SENDGRID_WEBHOOK_TOLERANCE_SECONDS = env.int("SENDGRID_WEBHOOK_TOLERANCE_SECONDS", default=600)
# Largest batch body accepted (SendGrid's batches of ~1,000 events stay far below).
SENDGRID_WEBHOOK_MAX_BYTES = env.int("SENDGRID_WEBHOOK_MAX_BYTES", default=20 * 1024 * 1024)

# --- Logs ----------------------------------------------------------------------------------------
# One line per record on stderr, plain text or (LOG_FORMAT=json) one JSON object with the request id,
# organizer id and task id (`liffy/logs.py`). Django's own "django" handlers are dropped: next to the
# root's handler they printed every django.* record twice (with debug on).
LOG_LEVEL = env("LOG_LEVEL", default="INFO").upper()
try:
    LOGGING = logging_config(LOG_LEVEL, env("LOG_FORMAT", default="plain"))
except ValueError as problem:
    raise ImproperlyConfigured(str(problem)) from problem

# --- Static files in production (README "Deployment") ---------------------------------------------
# whitenoise serves `collectstatic`'s output under content-hashed names with far-future cache headers
# (and pre-compressed copies), so the admin is styled with debug off and needs no other server.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "whitenoise.middleware.WhiteNoiseMiddleware"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Health and request ids (README "Deployment") -------------------------------------------------
# /healthz is answered first (no host check, no session, no auth); every other request gets its id.
MIDDLEWARE[:0] = ["liffy.health.HealthCheckMiddleware", "liffy.logs.RequestIdMiddleware"]
# Probes call /healthz over plain http inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Connection pooling ---------------------------------------------------------------------------
# DATABASE_POOLER=pgbouncer: the server is reached through PgBouncer in transaction mode, where two
# transactions of one connection may run on different server sessions. So: no server-side cursors
# (`.iterator()` reads client-side), no prepared statements (psycopg's prepare_threshold=None), and
# no session state in the project's SQL (`liffy/tests/test_pooling.py` reads it for SET without
# LOCAL, session advisory locks, temporary tables that outlive their transaction).
DATABASE_POOLER = env("DATABASE_POOLER", default="")
if DATABASE_POOLER == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
elif DATABASE_POOLER:
    raise ImproperlyConfigured(f"DATABASE_POOLER must be pgbouncer or empty, not {DATABASE_POOLER!r}.")

# --- Celery queues by workload and worker processes (`liffy/queues.py`) ---------------------------
# Queue names derive from CELERY_TASK_DEFAULT_QUEUE (`<prefix>.sending`, …), so deployments sharing a
# broker stay apart. Beat runs once per deployment; workers scale per workload.
# Each queue has its own exchange and routing key: a message reaches exactly one queue.
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in queue_names(CELERY_TASK_DEFAULT_QUEUE)]
CELERY_TASK_ROUTES = task_routes(CELERY_TASK_DEFAULT_QUEUE)
# Workloads a worker consumes (comma-separated names of `liffy.queues.WORKLOADS`); empty: all.
WORKER_QUEUES = env.list("WORKER_QUEUES", default=[])
for _workload in WORKER_QUEUES:
    queue_name(CELERY_TASK_DEFAULT_QUEUE, _workload)  # an unknown name fails at start, naming the choices
CELERY_WORKER_POOL = env("WORKER_POOL", default="prefork")
CELERY_WORKER_CONCURRENCY = env.int("WORKER_CONCURRENCY", default=None)
CELERY_BEAT_SCHEDULE_FILENAME = env("BEAT_SCHEDULE_FILE", default=str(BASE_DIR / ".celerybeat-schedule"))
