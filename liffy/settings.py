"""Settings, all from the environment (django-environ). Every variable is listed in the README."""
import os
from pathlib import Path

import environ

from liffy.database import embedded_database

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-development-key-change-me-in-production-0123456789")
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
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
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

# Per-organizer provider keys are encrypted with this Fernet key (urlsafe base64, 32 bytes).
# Empty: a key derived from DJANGO_SECRET_KEY.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default="")

# --- API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
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
CSV_UPLOAD_MAX_BYTES = env.int("CSV_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Files with fewer data rows are imported in the request (201); larger ones in the background (202).
CSV_INLINE_ROWS = env.int("CSV_INLINE_ROWS", default=500)
CSV_BATCH_SIZE = env.int("CSV_BATCH_SIZE", default=200)

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
