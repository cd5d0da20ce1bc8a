"""Django settings for socialdesk, read from the environment only.

Every variable is listed with its default in `.env.example` and in the README's table
"Configuration". A bad value stops start-up with one line naming it (see `socialdesk.env`).
The rest of the code reads `settings.X`, never the environment, and never with a default of
its own.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, cast

import dj_database_url
from django.utils.csp import CSP  # type: ignore[attr-defined,unused-ignore]
from django.utils.translation import gettext_lazy as _

from socialdesk.env import (
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_time_zone,
)

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("SOCIALDESK_DATA_DIR", "var")).resolve()

DEBUG = env_bool("DEBUG", False)
# core.changes: a service telling the search outside its transaction fails loudly (DEBUG, tests).
CHANGES_REQUIRE_TRANSACTION = DEBUG
# HTTPS=true is the production switch: secure cookies, HSTS and a redirect to https.
HTTPS = env_bool("HTTPS", False)


def _secret_key() -> str:
    """Return SECRET_KEY, or a key kept in the data folder so sessions survive restarts."""
    value = env_str("SECRET_KEY", "")
    if value:
        if len(value) < 50 or len(set(value)) < 5:
            raise ConfigError("SECRET_KEY is too weak: use at least 50 random characters")
        return value
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])


def _networks(name: str) -> list[str]:
    """Return the CIDR networks of a variable, normalised; stop start-up on a bad one."""
    import ipaddress

    found = []
    for item in env_list(name, []):
        try:
            found.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigError(
                f"{name}={item!r} is not a network: write e.g. 10.20.0.0/16 or fd00:1::/64"
            ) from None
    return found


# Internal networks the operator admits for outbound requests (feeds, Mastodon instances,
# webhook back-fills, the issue-tracker hand-off; channels/net.py). Loopback and link-local
# addresses only when a network names them explicitly (e.g. 127.0.0.0/8).
# OUTBOUND_ALLOWED_NETWORKS is the deprecated name of the same setting, still read.
PRIVATE_NETWORKS = _networks("SOCIALDESK_PRIVATE_NETWORKS") + _networks("OUTBOUND_ALLOWED_NETWORKS")
# Behind a reverse proxy that sets X-Forwarded-For, the audit log records the client's address.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "socialdesk.core",
    "socialdesk.accounts",
    "socialdesk.api",
    "socialdesk.channels",
    "socialdesk.inbox",
    "socialdesk.sla",
    "socialdesk.insights",
    "socialdesk.listening",
    "socialdesk.feedback",
    "socialdesk.publishing",
    "socialdesk.spaces",
    "socialdesk.wiki",
    "socialdesk.goals",
    "socialdesk.search",
    "socialdesk.webhooks",
    "socialdesk.privacy",
    "socialdesk.shell",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # the API docs page with its own Swagger UI files (no CDN)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "socialdesk.api.middleware.JsonErrorsMiddleware",
    "socialdesk.api.limits.RateLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "socialdesk.shell.middleware.NulFreeInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "socialdesk.shell.middleware.UserPreferencesMiddleware",
    "socialdesk.shell.middleware.TwoFactorPolicyMiddleware",
    "socialdesk.shell.middleware.AccessMiddleware",
    # Axes goes last: it turns a locked-out login into its own answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "socialdesk.urls"
WSGI_APPLICATION = "socialdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "socialdesk.shell.context_processors.shell",
            ],
        },
    },
]
# Form widgets through Django's Jinja2 templates (the same markup): a select of every person
# took a fifth of a conversation's page in the Django template engine.
FORM_RENDERER = "django.forms.renderers.Jinja2"

_default_db = f"sqlite:///{DATA_DIR / 'socialdesk.sqlite3'}"
DATABASES = {
    "default": cast(
        Any,
        dj_database_url.parse(env_str("DATABASE_URL", _default_db) or _default_db, conn_max_age=60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE avoids
        # "database is locked" when two writers upgrade a read transaction at once;
        # secure_delete overwrites what is deleted (an erased customer), whatever the build.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
            " PRAGMA secure_delete=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Indexes carry extra columns for PostgreSQL (INCLUDE: a KPI narrowed to a channel or a
    # department reads the index alone); SQLite has none and builds them without, as meant.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

# "figures": the figures of past periods kept on PostgreSQL (`core.figure_cache`, about a
# kilobyte each: a few per page, period and reader's visibility), in the database, so that every
# web process serves what one computed or the worker warmed, also after a restart.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "core_kept_figure",
        "OPTIONS": {"MAX_ENTRIES": 20000, "CULL_FREQUENCY": 4},
    },
}

# PostgreSQL: a pool of up to DATABASE_POOL connections in each process (Django's own pool,
# psycopg-pool) that its threads borrow and give back; 0 (the default) is no pool: each thread
# keeps its own connection for CONN_MAX_AGE (60 s). A worker's threads use up to 10
# connections at once (a lease renewed beside each of four channels published side by side):
# a smaller pool could keep a lease from being renewed in time.
_POOL_SMALLEST = 12
DATABASE_POOL = env_int("DATABASE_POOL", 0, minimum=0)
if DATABASE_POOL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ConfigError(
            "DATABASE_POOL needs PostgreSQL (DATABASE_URL=postgres://…): SQLite has no server"
            " connections to pool; leave it unset or 0"
        )
    if DATABASE_POOL < _POOL_SMALLEST:
        raise ConfigError(
            f"DATABASE_POOL={DATABASE_POOL} is too small: a worker uses up to 10 connections"
            f" at once; use {_POOL_SMALLEST} or more, or 0 for no pool"
        )
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them (Django requires 0)
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": DATABASE_POOL,
        "timeout": 30,  # seconds a thread waits for a free connection before it fails
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "shell:home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600, minimum=300)
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Login throttling (django-axes): lock an account and address pair after repeated failures,
# counted per address as sign-in reads it; a network failing across many addresses may then
# only sign in to accounts it used before (socialdesk.accounts.throttle).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1) / 60
LOGIN_NETWORK_FAILURE_LIMIT = env_int("LOGIN_NETWORK_FAILURE_LIMIT", 50, minimum=1)
AXES_HANDLER = "socialdesk.accounts.throttle.SignInThrottle"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "socialdesk.accounts.throttle.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "socialdesk.accounts.views.signin.locked_out"
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUST_X_FORWARDED_FOR else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False

OTP_TOTP_ISSUER = env_str("OTP_ISSUER", "socialdesk")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_time_zone("TIME_ZONE", "Europe/Berlin")
LANGUAGE_COOKIE_NAME = "socialdesk_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# The app serves its own assets (no CDN: many teams run it on closed networks). Finders
# let `make run` work without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
}
# EMAIL=console prints e-mail to the log (the default: nothing leaves the machine until an
# operator sets up SMTP); EMAIL=smtp sends through EMAIL_HOST.
_email = env_choice("EMAIL", "console", list(_EMAIL_BACKENDS))
_email_options: dict[str, Any] = {}
if _email == "smtp":
    _email_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 587, minimum=1),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        "timeout": 20,
    }
    if _email_options["use_tls"] and _email_options["use_ssl"]:
        raise ConfigError("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true")
elif _email == "file":
    _email_options = {"file_path": str(DATA_DIR / "mail")}
MAILERS = {"default": {"BACKEND": _EMAIL_BACKENDS[_email], "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "socialdesk <socialdesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute links in e-mails (invitations, password reset) start with this.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Signs feedback handed off to issue trackers (X-Socialdesk-Signature-256); empty: SECRET_KEY.
FEEDBACK_HANDOFF_SECRET = env_str("FEEDBACK_HANDOFF_SECRET", "")

# Fernet keys for stored credentials, the first encrypts (core/crypto.py); empty: the key file
# in the data folder, created on first use.
ENCRYPTION_KEYS = env_list("ENCRYPTION_KEYS", [])
# Uploaded files, included in backups; empty: none.
MEDIA_ROOT = env_str("MEDIA_ROOT", "")

# `socialdesk serve`: where the web server listens.
HOST = env_str("HOST", "127.0.0.1")
PORT = env_int("PORT", 8000, minimum=1)
# `socialdesk ensure_admin`: the first admin; an empty password is generated and printed once.
SOCIALDESK_ADMIN_EMAIL = env_str("SOCIALDESK_ADMIN_EMAIL", "admin@example.com")
SOCIALDESK_ADMIN_PASSWORD = env_str("SOCIALDESK_ADMIN_PASSWORD", "")

# Live channels: seconds an outbound request to Mastodon or Bluesky may take; seconds a
# worker's claim on a channel poll or a reply to send holds without being renewed (a dead
# worker's work is taken over after this; channels/leases.py). Whole seconds from the
# environment; tests set fractions.
CHANNEL_TIMEOUT_SECONDS: float = env_int("CHANNEL_TIMEOUT_SECONDS", 20, minimum=1)
CHANNEL_CLAIM_SECONDS: float = env_int("CHANNEL_CLAIM_SECONDS", 45, minimum=1)
SEND_LEASE_SECONDS: float = env_int("SEND_LEASE_SECONDS", 45, minimum=1)
# Outgoing webhooks: seconds one delivery may take, and seconds a worker's claim on a batch
# of deliveries holds (a killed worker's deliveries are sent again after it; webhooks/delivery.py).
WEBHOOK_TIMEOUT_SECONDS: float = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
WEBHOOK_LEASE_SECONDS: float = env_int("WEBHOOK_LEASE_SECONDS", 120, minimum=1)
# Seconds between refreshes of the open inbox list.
INBOX_REFRESH_SECONDS = env_int("INBOX_REFRESH_SECONDS", 15, minimum=1)
# API requests per minute and token (and per address without one); counted per web process
# in its own memory: several processes each allow as many.
API_RATE_PER_MINUTE = env_int("API_RATE_PER_MINUTE", 600, minimum=1)
API_RATE_ANONYMOUS_PER_MINUTE = env_int("API_RATE_ANONYMOUS_PER_MINUTE", 60, minimum=1)
# The CPU priority (nice, 0–19) a worker lowers itself to: when the machine is busy, the web
# server's pages come first and the background work (storing webhook items, classifying,
# warming figures) takes the time left; 0 leaves it as started. Not by default on SQLite:
# one writer at a time there, and a lowered worker holding the write lock while busy pages
# wait for it would keep them waiting longer.
WORKER_NICE = env_int(
    "WORKER_NICE",
    10 if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" else 0,
    minimum=0,
    maximum=19,
)
# Days the worker's finished task results (successful or failed) are kept in the queue table.
TASK_RESULTS_KEEP_DAYS = env_int("TASK_RESULTS_KEEP_DAYS", 14, minimum=1)
# A deadline missed longer ago than this (hours) when the SLA check first sees it (imported
# history, a worker stopped for days) is recorded without a warning or an e-mail.
SLA_WARN_WITHIN_HOURS = env_int("SLA_WARN_WITHIN_HOURS", 24, minimum=1)
# Largest file (MB) uploaded under Settings → Import; deleted once its import has run.
IMPORT_UPLOAD_MAX_MB = env_int("IMPORT_UPLOAD_MAX_MB", 200, minimum=1)
# For tests only, not read from the environment: the dotted path of an outbound address
# policy that replaces the product's own (channels/net.py), e.g. to let a test reach a peer
# on 127.0.0.1. Empty: public addresses and SOCIALDESK_PRIVATE_NETWORKS only.
FEED_ADDRESS_POLICY = ""

TASKS = {
    "default": {
        "BACKEND": env_choice(
            "TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend",
            ["django_tasks_db.DatabaseBackend", "django.tasks.backends.immediate.ImmediateBackend"],
        ),
        "QUEUES": ["default"],
    }
}

# Security headers. Scripts come only from our own origin; no inline script anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", HTTPS)

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"])
# plain: one line of text per record; json: one JSON object per line (for a log shipper).
LOG_FORMAT = env_choice("LOG_FORMAT", "plain", ["plain", "json"])


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """Return the logging setup for this format and level (tests build the JSON one too)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            # One JSON object a line (time, level, logger, message, exception) for log shippers.
            "json": {"()": "socialdesk.core.json_log.JsonFormatter"},
            "django.server": {
                "()": "django.utils.log.ServerFormatter",
                "format": "[{server_time}] {message}",
                "style": "{",
            },
        },
        # Django logs the path of every 4xx/5xx answer (and `runserver` every request line); link
        # tokens in them never reach the log.
        "filters": {
            "redact_secrets": {"()": "socialdesk.core.redaction.RedactSecretsFilter"},
            # A refused request is one line (method, path, user id, reason), not a traceback.
            "one_line_forbidden": {"()": "socialdesk.shell.forbidden_log.OneLineForbidden"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["redact_secrets"],
            },
            "django.server": {
                "class": "logging.StreamHandler",
                "formatter": "json" if log_format == "json" else "django.server",
                "filters": ["redact_secrets"],
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "axes": {"level": "WARNING"},
            # Django's own handlers (a console in DEBUG) would print before the filter runs: the
            # records go to the root's filtered console instead.
            "django": {"handlers": [], "level": "INFO"},
            "django.request": {"handlers": [], "level": "INFO", "filters": ["one_line_forbidden"]},
            "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
            # WeasyPrint logs every layout step of every PDF report at INFO: only its warnings.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }


LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)

# /metrics (Prometheus, shell/metrics.py): a scraper shows this bearer token, or comes from one
# of these networks (comma-separated CIDR); with neither set, /metrics answers 404.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
if METRICS_TOKEN and (len(METRICS_TOKEN) < 32 or len(set(METRICS_TOKEN)) < 8):
    raise ConfigError(
        "METRICS_TOKEN is too weak: use at least 32 random characters (openssl rand -hex 32)"
    )
METRICS_ALLOWED_NETWORKS = _networks("METRICS_ALLOWED_NETWORKS")
# Prometheus on the same machine may scrape gunicorn over plain http: no redirect to https.
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]

# Guidelines (issue 13 item 2): days after publishing before the one reminder to confirm.
GUIDELINES_REMIND_AFTER_DAYS = env_int("GUIDELINES_REMIND_AFTER_DAYS", 3, minimum=1)
# Goals (issue 13 item 4): minutes between the worker's re-evaluations of each open goal.
GOALS_REFRESH_MINUTES = env_int("GOALS_REFRESH_MINUTES", 15, minimum=1)
# Project rooms (issue 14): the largest attachment (MB) and the local hour after which the daily
# digest of unread mentions goes out.
SPACES_ATTACHMENT_MAX_MB = env_int("SPACES_ATTACHMENT_MAX_MB", 20, minimum=1)
SPACES_DIGEST_HOUR = min(env_int("SPACES_DIGEST_HOUR", 7, minimum=0), 23)
