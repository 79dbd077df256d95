"""Settings shared by every environment.

Everything an operator may change is an environment variable (CONTRACT section 2), read with
django-environ; `.env` in the instance data dir is read too.
"""

import os
import re
import secrets
from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from scandy_site import __version__

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APP_VERSION = __version__

env = environ.Env()

SCANDY_INSTANCE = os.environ.get("SCANDY_INSTANCE", "main")
if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,49}", SCANDY_INSTANCE):
    # The name becomes a folder, a cookie name and a queue name: keep it to safe characters.
    raise ImproperlyConfigured("SCANDY_INSTANCE: use 1-50 of a-z, 0-9, '-' and '_' (starting with a letter or digit).")
DATA_DIR = Path(os.environ.get("SCANDY_DATA_DIR") or BASE_DIR / "var" / SCANDY_INSTANCE).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
if (DATA_DIR / ".env").is_file():
    # Values already in the process environment win over the file.
    environ.Env.read_env(str(DATA_DIR / ".env"), overwrite=False)

MEDIA_ROOT = DATA_DIR / "media"
BACKUP_DIR = DATA_DIR / "backups"
LOG_DIR = DATA_DIR / "logs"
for _folder in (MEDIA_ROOT, BACKUP_DIR, LOG_DIR, DATA_DIR / "staticfiles"):
    _folder.mkdir(parents=True, exist_ok=True)


def _instance_secret_key() -> str:
    """The key is generated once per instance and kept in its data dir (never in the repo)."""
    key_file = DATA_DIR / "secret_key"
    if key_file.is_file():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(64)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = env("SECRET_KEY", default=None) or _instance_secret_key()
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SYSTEM_NAME = env("SYSTEM_NAME", default="Scandy")
ENABLE_TICKET_SYSTEM = env.bool("ENABLE_TICKET_SYSTEM", default=True)
ENABLE_JOB_BOARD = env.bool("ENABLE_JOB_BOARD", default=False)
ENABLE_WEEKLY_REPORTS = env.bool("ENABLE_WEEKLY_REPORTS", default=True)
DEFAULT_LENDING_DAYS = env.int("DEFAULT_LENDING_DAYS", default=7)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_q",
    "scandy_site.accounts",
    "scandy_site.core",
    "scandy_site.media",
    "inventory",
    "lending",
    "tickets",
    "jobs",
    "timesheets",
    "integrations",
    "scandy_site.backups",
    "scandy_site.events",
]

MIDDLEWARE = [
    "scandy_site.core.logs.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Lending/QuickScan hardening: a NUL in the URL is a 400 before any view (see the middleware).
    "scandy_site.core.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "scandy_site.core.middleware.SetupRequiredMiddleware",
    "scandy_site.accounts.middleware.CurrentDepartmentMiddleware",
    "scandy_site.core.middleware.FeatureFlagMiddleware",
    "scandy_site.core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "scandy_site.urls"
WSGI_APPLICATION = "scandy_site.wsgi.application"
ASGI_APPLICATION = "scandy_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "scandy_site.core.context_processors.scandy",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + a busy timeout let the web server and the worker share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Reusing connections saves a connect (and, on SQLite, the PRAGMAs above) on every request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="scandy@localhost")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so an anonymous API call gets 401 with a WWW-Authenticate header.
        "scandy_site.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "scandy_site.core.api.renderers.EnvelopeJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "scandy_site.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "scandy_site.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "EXCEPTION_HANDLER": "scandy_site.core.api.exceptions.envelope_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"auth": "20/minute"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Scandy API",
    "DESCRIPTION": "Tools, consumables, lending, tickets and integrations. Every response uses the "
    "envelope {status, message, data} or {status, message, code, errors}.",
    "VERSION": APP_VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Tools and tickets both have a "status"; each keeps its own enum name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ToolStatusEnum": "inventory.models.Tool.Status",
        "TicketStatusEnum": "tickets.models.Ticket.Status",
        "TimesheetStatusEnum": "timesheets.models.Timesheet.Status",
        "JobStatusEnum": "jobs.models.Job.Status",
        "JobApplicationStatusEnum": "jobs.models.JobApplication.Status",
    },
}

Q_CLUSTER = {
    "name": f"scandy-{SCANDY_INSTANCE}",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 600,
    "retry": 900,
    "orm": "default",
    "catch_up": False,
    "max_attempts": 3,
}
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = REDIS_URL

# Integrations (CONTRACT sections 2 and 5): ThingsBoard service account, shop API, sync timing.
# A user's own ThingsBoard credentials (profile) take precedence when that user starts a sync.
THINGSBOARD_URL = env("THINGSBOARD_URL", default="").rstrip("/")
THINGSBOARD_USERNAME = env("THINGSBOARD_USERNAME", default="")
THINGSBOARD_PASSWORD = env("THINGSBOARD_PASSWORD", default="")
SHOP_API_URL = env("SHOP_API_URL", default="").rstrip("/")
SHOP_API_TOKEN = env("SHOP_API_TOKEN", default="")
SHOP_SYNC_MINUTES = env.int("SHOP_SYNC_MINUTES", default=5)
# Seconds to wait for one answer of an outside system before the sync run fails.
SYNC_HTTP_TIMEOUT = env.float("SYNC_HTTP_TIMEOUT", default=30.0)

# CETEC ERP proxy (CONTRACT 5.3): the preshared token stays on this server; CETEC_MYSQL_URL
# (mysql://user:password@host:3306) holds the customers' backup databases, checked within
# CETEC_MYSQL_BUDGET_SECONDS per request (connect and query together).
CETEC_URL = env("CETEC_URL", default="").rstrip("/")
CETEC_PRESHARED_TOKEN = env("CETEC_PRESHARED_TOKEN", default="")
CETEC_MYSQL_URL = env("CETEC_MYSQL_URL", default="")
CETEC_MYSQL_BUDGET_SECONDS = env.float("CETEC_MYSQL_BUDGET_SECONDS", default=5.0)

# Upload limits shared by every upload path (media, CSV import).
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Files on records (scandy_site.media): the limits hold on every upload path (API, pages, admin).
MEDIA_MAX_FILE_SIZE = 10 * 1024 * 1024
MEDIA_MAX_FILES_PER_ENTITY = 10
MEDIA_MAX_FILES_PER_UPLOAD = 10
MEDIA_MAX_IMAGE_SIDE = 1920
MEDIA_THUMBNAIL_SIDE = 320
MEDIA_MAX_IMAGE_PIXELS = 60_000_000

# Tickets: VAT and hourly rate of order totals (new orders take them over; each order keeps its own),
# the department external orders (/tickets/order/) go to (a code; empty = the first active department
# by creation), and how many external orders one client address may send per hour.
TICKET_VAT_RATE = Decimal(env("TICKET_VAT_RATE", default="19"))
TICKET_HOURLY_RATE = Decimal(env("TICKET_HOURLY_RATE", default="0"))
TICKET_EXTERNAL_DEPARTMENT = env("TICKET_EXTERNAL_DEPARTMENT", default="")
TICKET_ORDER_RATE_LIMIT = env.int("TICKET_ORDER_RATE_LIMIT", default=5)
# The address people reach Scandy at (`https://scandy.example.org`): mails link to it when set.
SITE_URL = env("SITE_URL", default="")

# Event feed, live pages and webhooks (scandy_site.events): a live stream looks for new events every
# EVENTS_POLL_SECONDS, ends after EVENTS_STREAM_SECONDS (the browser reconnects after EVENTS_RETRY_MS
# and resumes exactly), and one process serves at most EVENTS_STREAMS_PER_PROCESS of them at a time
# (keep it below the threads per process, GUNICORN_THREADS). Webhook receivers get WEBHOOK_TIMEOUT s.
EVENTS_POLL_SECONDS = env.float("EVENTS_POLL_SECONDS", default=0.5)
EVENTS_STREAM_SECONDS = env.float("EVENTS_STREAM_SECONDS", default=25.0)
EVENTS_HEARTBEAT_SECONDS = 10.0
EVENTS_RETRY_MS = 1000
EVENTS_BUSY_RETRY_MS = 5000
EVENTS_STREAMS_PER_PROCESS = env.int("EVENTS_STREAMS_PER_PROCESS", default=8)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True


# --- Backups, instances and operations ------------------------------------------------------------
# Backups live in the data dir (or, with S3 configured, under "<instance>/backups/" in the bucket).
STORAGES["backups"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(BACKUP_DIR)},
}
if AWS_STORAGE_BUCKET_NAME:
    # Credentials come from the usual AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or an instance role).
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)  # MinIO, Ceph, other S3 providers
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
    # One bucket may hold several instances: each keeps to its own prefix.
    STORAGES["default"]["OPTIONS"] = {"location": env("AWS_LOCATION", default=f"{SCANDY_INSTANCE}/media")}
    STORAGES["backups"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"location": f"{SCANDY_INSTANCE}/backups", "default_acl": "private", "querystring_auth": True},
    }
# An uploaded sheet waits here between its preview and the confirmation (scandy_site.core.sheet_views):
# private, shared by every web process like the media (the data dir, or "<instance>/uploads/" on S3).
STORAGES["uploads"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(DATA_DIR / "uploads")},
}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["uploads"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"location": f"{SCANDY_INSTANCE}/uploads", "default_acl": "private", "querystring_auth": True},
    }
# Rotation of `backup prune` (and the daily schedule): newest backup per day, ISO week and month.
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=4)
BACKUP_KEEP_MONTHLY = env.int("BACKUP_KEEP_MONTHLY", default=12)
# Hour (local time) of the daily backup + prune schedule.
BACKUP_HOUR = env.int("BACKUP_HOUR", default=2)

# Two instances on one host (127.0.0.1:8000 and :8001) must not overwrite each other's sign-in cookie.
SESSION_COOKIE_NAME = f"scandy_{SCANDY_INSTANCE}_session"
CACHES["default"]["KEY_PREFIX"] = SCANDY_INSTANCE

# JSON lines on stderr and in logs/scandy-YYYY-MM-DD.jsonl (kept LOG_KEEP_DAYS days), each line with the
# request id of the request that wrote it; known secrets are masked before anything is written.
LOG_LEVEL = env("LOG_LEVEL", default="INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "scandy_site.core.logs.ContextFilter"},
        "redact": {"()": "scandy_site.core.logs.RedactFilter"},
    },
    "formatters": {
        "json": {"()": "scandy_site.core.logs.JSONLinesFormatter"},
        "console": {"()": "scandy_site.core.logs.console_formatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "console", "filters": ["context"]},
        "file": {
            "()": "scandy_site.core.logs.DailyFileHandler",
            "directory": str(LOG_DIR),
            "keep_days": env.int("LOG_KEEP_DAYS", default=30),
            "formatter": "json",
            "filters": ["context"],
        },
    },
    "root": {"handlers": ["console", "file"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers (plain text, mail to admins) give way to the two above.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # The request log of scandy.request replaces runserver's access lines.
        "django.server": {"handlers": [], "level": "WARNING", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # PDF rendering reports every step at INFO; only problems matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # urllib3 logs request lines with their query string (CETEC's token travels there): masked at the source.
        "urllib3.connectionpool": {"filters": ["redact"]},
    },
}
