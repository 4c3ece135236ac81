"""Django settings for Booking Links.

Everything that differs between a laptop and production comes from the environment.
With nothing set the app runs embedded: SQLite, local-memory cache, a file-backed Huey
queue and emails printed to the console. Every variable: docs/DEPLOYMENT.md,
"Environment variables".
"""

import os
import re
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from booking.queue import StampedSerializer
from config.logs import log_format, logging_config
from config.required import (
    DEV_SECRET_KEY,
    base_url_problem,
    debug_from,
    production_error,
    production_problems,
)

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}") from exc


def env_rate(name: str, default: str) -> str:
    """A django-ratelimit rate such as ``5/15m`` (count / period in s, m, h or d)."""
    value = env_str(name, default).strip()
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", value):
        raise ImproperlyConfigured(
            f"{name} must be a rate like 5/15m (5 per 15 minutes), got {value!r}"
        )
    return value


def with_query(url: str, **defaults) -> str:
    """``url`` with ``defaults`` added to its query string unless already there."""
    missing = [f"{k}={v}" for k, v in defaults.items() if f"{k}=" not in url]
    if not missing:
        return url
    return url + ("&" if "?" in url else "?") + "&".join(missing)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# On only where nothing of production is set (config/required.py); DEBUG=true forces.
DEBUG = debug_from(os.environ)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Public origin used to build links in emails, the booking-link card and the API.
# Required with DEBUG off; always an origin (scheme, host, port).
_DEV_BASE_URL = "http://127.0.0.1:8000" if DEBUG else ""
BOOKING_BASE_URL = env_str("BOOKING_BASE_URL", _DEV_BASE_URL).strip().rstrip("/")
if BOOKING_BASE_URL and (problem := base_url_problem(BOOKING_BASE_URL)):
    raise ImproperlyConfigured(problem)
# Unset with DEBUG on: a link built while answering a request uses the origin the
# request came to (booking/links.py); `make run` sets it for the worker's emails.
BOOKING_BASE_URL_FROM_REQUEST = DEBUG and not env_str("BOOKING_BASE_URL").strip()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tables2",
    "crispy_forms",
    "crispy_bootstrap5",
    "huey.contrib.djhuey",
    "csp",
    "ninja",  # the API docs page's templates and Swagger UI files, served locally
    "booking",
    "dashboard",
]

MIDDLEWARE = [
    # /healthz and /metrics, before host checks, HTTPS redirects and sessions.
    "config.middleware.OpsMiddleware",
    # Request id, one log line and the Prometheus figures for every request.
    "config.middleware.RequestLogMiddleware",
    # A database connection lost mid-request: 503 "try again", never a 500.
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A Content-Security-Policy on every page (CONTENT_SECURITY_POLICY below).
    "config.middleware.CSPMiddleware",
    # Pages and fragments compressed (a week with the time-zone picker: 36 KiB → 7).
    # Static files never get here: WhiteNoise serves them pre-compressed above.
    # BREACH needs a secret repeated in every response; ours are per-request (masked
    # CSRF tokens, fresh signed booking tokens).
    # Bodies under a kilobyte are sent as they are (config.middleware).
    "config.middleware.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Development: links on the request's origin when BOOKING_BASE_URL is unset.
    "booking.links.RequestOriginMiddleware",
    # Pages that carry a CSRF token are never stored by a cache.
    "config.middleware.NoStoreFormsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dashboard.middleware.HtmxMessagesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.dashboard",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# DATABASE_URL=postgres://user@127.0.0.1:5432/booking  -> PostgreSQL through psycopg 3.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
        # Behind PgBouncer in transaction mode (docs/DEPLOYMENT.md, "Scaling out").
        disable_server_side_cursors=env_bool("DISABLE_SERVER_SIDE_CURSORS", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the writer instead of failing at once; IMMEDIATE takes the write lock at
    # BEGIN so two bookings serialise like they do under PostgreSQL's row lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif env_bool("DATABASE_PREPARED_STATEMENTS", True):
    # The availability queries and the business lookup are prepared, planned once
    # per connection (booking/compiled.py; Django's own queries never are). Off
    # behind PgBouncer in transaction mode before 1.21, which cannot keep them.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background jobs --------------------------------------------------------
# Answers of the availability engine, kept until a change commits (booking.
# availability_cache); off with AVAILABILITY_CACHE=0. The seconds Redis may take to
# answer before the answer is computed instead.
AVAILABILITY_CACHE = env_bool("AVAILABILITY_CACHE", True)
AVAILABILITY_CACHE_TIMEOUT = env_float("AVAILABILITY_CACHE_TIMEOUT", 0.25)
REDIS_URL = env_str("REDIS_URL")
# `manage.py run_huey` reads these; periodic jobs (expiry, reminders, outbox sweep) run
# in every worker process and are safe to run twice.
HUEY_CONSUMER = {
    "workers": env_int("HUEY_WORKERS", 2),
    "worker_type": "thread",
    "periodic": True,
    "check_worker_health": True,
}


def redis_caches(url: str) -> dict:
    """The caches on the Redis at ``url`` (production; tests point them at their
    own Redis servers)."""
    return {
        "default": {
            # Django's Redis cache that carries on without Redis while it fails
            # (config/cache.py): a call waits at most half a second, then a
            # breaker skips Redis for REDIS_BREAKER_SECONDS.
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "booking"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
        # The availability cache (booking.availability_cache), behind the same
        # breaker: a Redis that is slow to answer costs a quarter of a second, then
        # the answer is computed.
        "availability": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "booking"),
            "OPTIONS": {
                "socket_connect_timeout": AVAILABILITY_CACHE_TIMEOUT,
                "socket_timeout": AVAILABILITY_CACHE_TIMEOUT,
            },
        },
        # Each process's copy of the availability entries it used last: a hit
        # without a trip to Redis (booking.availability_cache). An entry is 2-100
        # KB and its key names the minute, so a few hundred are plenty.
        "availability_local": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "availability-local",
            "OPTIONS": {"MAX_ENTRIES": 300},
        },
    }


if REDIS_URL:
    CACHES = redis_caches(REDIS_URL)
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env_str("HUEY_NAME", "booking"),
        # Bounded waits: an unreachable Redis must not hang the request that books
        # (its email then waits in the outbox for the sweep).
        "url": with_query(REDIS_URL, socket_connect_timeout=2, socket_timeout=10),
        "immediate": env_bool("HUEY_IMMEDIATE", False),
        # Tasks report through the database (outbox, JobRun); results would only
        # pile up in Redis.
        "results": False,
        # Stamps each task with its enqueue time: the queue's age for /healthz.
        "serializer": StampedSerializer(),
        "consumer": HUEY_CONSUMER,
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "availability": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "availability",
        },
    }
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": env_str("HUEY_NAME", "booking"),
        "filename": env_str("HUEY_SQLITE_PATH", str(BASE_DIR / "huey.sqlite3")),
        "immediate": env_bool("HUEY_IMMEDIATE", False),
        "results": False,
        "serializer": StampedSerializer(),
        "consumer": HUEY_CONSUMER,
    }

# django-ratelimit counts hits in the default cache; with several gunicorn processes
# that must be Redis. Local memory is only for the embedded single-process mode.
RATELIMIT_USE_CACHE = "default"
# While Redis is not answering the counters cannot be read: let requests through
# (bookings go on) rather than refuse every one (docs/SECURITY.md says what that
# costs). REDIS_BREAKER_SECONDS: how long to carry on without asking Redis again.
RATELIMIT_FAIL_OPEN = True
REDIS_BREAKER_SECONDS = env_int("REDIS_BREAKER_SECONDS", 10)
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
# Behind a reverse proxy every request comes from the proxy's address: name the header
# that carries the client's own (one address), e.g. HTTP_X_REAL_IP.
RATELIMIT_IP_META_KEY = env_str("RATELIMIT_IP_META_KEY") or None
SILENCED_SYSTEM_CHECKS = (
    [] if REDIS_URL else ["django_ratelimit.E003", "django_ratelimit.W001"]
)

# --- Email ----------------------------------------------------------------------------
SENDGRID_API_KEY = env_str("SENDGRID_API_KEY")
SENDGRID_API_HOST = env_str("SENDGRID_API_HOST", "https://api.sendgrid.com")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Booking Links <bookings@example.com>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SENDGRID_TIMEOUT_SECONDS = env_int("SENDGRID_TIMEOUT_SECONDS", 10)
# The outbox (booking/outbox.py): a failed send waits RETRY_SECONDS, then twice as
# long each time (at most an hour), and is marked failed after MAX_ATTEMPTS. The sweep
# re-enqueues rows still queued GRACE_SECONDS after they were due.
BOOKING_EMAIL_MAX_ATTEMPTS = env_int("BOOKING_EMAIL_MAX_ATTEMPTS", 8)
BOOKING_EMAIL_RETRY_SECONDS = env_int("BOOKING_EMAIL_RETRY_SECONDS", 30)
BOOKING_OUTBOX_GRACE_SECONDS = env_int("BOOKING_OUTBOX_GRACE_SECONDS", 120)
# A worker sending a row holds it this long; killed mid-send, the row waits this long
# for the sweep (longer than SENDGRID_TIMEOUT_SECONDS, or a slow send goes twice).
BOOKING_EMAIL_LEASE_SECONDS = env_int("BOOKING_EMAIL_LEASE_SECONDS", 600)
# Production needs SendGrid, or EMAIL_BACKEND naming the backend meant (which wins);
# the console and file backends are for development.
if env_str("EMAIL_BACKEND"):
    EMAIL_BACKEND = env_str("EMAIL_BACKEND")
    EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
elif SENDGRID_API_KEY:
    EMAIL_BACKEND = "booking.email_backend.SendGridBackend"
elif env_str("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Auth -----------------------------------------------------------------------------
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/dashboard/"
LOGOUT_REDIRECT_URL = "login"
# Failed logins allowed per account and per client IP before a lockout
# (dashboard/logins.py), as django-ratelimit rates: "5/15m" is 5 in 15 minutes.
LOGIN_RATE_ACCOUNT = env_rate("LOGIN_RATE_ACCOUNT", "5/15m")
LOGIN_RATE_IP = env_rate("LOGIN_RATE_IP", "30/h")
# Invitations are email from our sender to any address: at most so many a day from one
# account and to one business; and so many businesses per account (dashboard/
# invitations.py, booking/businesses.py). Only a confirmed email address may invite.
MAX_INVITATIONS_PER_USER_PER_DAY = env_int("MAX_INVITATIONS_PER_USER_PER_DAY", 20)
MAX_INVITATIONS_PER_BUSINESS_PER_DAY = env_int(
    "MAX_INVITATIONS_PER_BUSINESS_PER_DAY", 20
)
MAX_BUSINESSES_PER_ACCOUNT = env_int("MAX_BUSINESSES_PER_ACCOUNT", 10)
# How often the dashboard's notification bell asks for the unread count.
DASHBOARD_BELL_POLL_SECONDS = env_int("DASHBOARD_BELL_POLL_SECONDS", 30)
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# `make build` (collectstatic) fills it; the web process serves it through WhiteNoise.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Hashed names, compressed copies and a manifest, whatever the environment at build
# time. With DEBUG on, pages link the plain names, served straight from static/.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# In development WhiteNoise serves straight from static/ (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

# --- Security -------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
# Django's database sessions, read through a compiled query (config/sessions.py).
SESSION_ENGINE = "config.sessions"
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# django-csp: every page may load scripts, styles, images and fonts from this origin
# only; no inline script or style (templates and static/js hold none, htmx runs
# without eval), nothing may frame a page. The booking widget's pages replace
# frame-ancestors with the business's sites (booking/responses.py, allow_framing).
# data: images: the dashboard's empty favicon and Swagger UI's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Operations: logs, errors, metrics (docs/DEPLOYMENT.md, "Monitoring") -------------
# ADMINS="Ada Ops <ada@example.com>,ops@example.com" get an email for each new error
# (through the outbox) unless SENTRY_DSN sends errors to Sentry instead.
ADMINS = [
    (name, address)
    for name, address in getaddresses([env_str("ADMINS")])
    if name or address
]
if any("@" not in address for _name, address in ADMINS):
    raise ImproperlyConfigured(
        "ADMINS must be comma-separated addresses, e.g. 'Ada <ada@example.com>'"
    )
EMAIL_SUBJECT_PREFIX = env_str("EMAIL_SUBJECT_PREFIX", "[Booking Links] ")
SENTRY_DSN = env_str("SENTRY_DSN")
# One JSON object a line with DEBUG off, readable lines with it on (LOG_FORMAT).
LOGGING = logging_config(
    fmt=log_format(DEBUG),
    level=env_str("LOG_LEVEL", "INFO"),
    admin_emails=not SENTRY_DSN,
)
if SENTRY_DSN:
    from config.sentry import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=env_str("SENTRY_RELEASE"),
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
    )
# /metrics answers only with `Authorization: Bearer <METRICS_TOKEN>` (404 when unset).
METRICS_TOKEN = env_str("METRICS_TOKEN")
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # prometheus_client's shared figures for every process of this host.
    Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

# --- Fail closed: with DEBUG off, refuse to start without what production needs -------
if not DEBUG:
    _missing = production_problems(
        secret_key=SECRET_KEY,
        allowed_hosts=ALLOWED_HOSTS,
        base_url=BOOKING_BASE_URL,
        email_chosen=bool(SENDGRID_API_KEY or env_str("EMAIL_BACKEND")),
        shared_cache=bool(REDIS_URL) or env_bool("ALLOW_LOCAL_MEMORY_CACHE"),
    )
    if _missing:
        raise ImproperlyConfigured(production_error(_missing))
