"""Settings of the gaoqi platform.

SQLite (``$GAOQI_HOME/platform.sqlite3``) with no set-up; PostgreSQL when ``GAOQI_DATABASE=postgres`` (then
``GAOQI_PG_*``: host, port, user, password, name). Everything the browser loads is served from here: htmx and
ECharts come from the npm registry into ``node_modules`` at set-up (``make install``), never from a CDN.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parents[2]
GAOQI_HOME = Path(os.environ.get("GAOQI_HOME", REPO_DIR / "var"))
SNAPSHOT_DIR = GAOQI_HOME / "snapshots"
UPLOAD_DIR = GAOQI_HOME / "uploads"  # outside the web root
# the field classifier's trained models (ADR 0034): trained on first use, then loaded; not per platform home in tests
MODELS_DIR = Path(os.environ.get("GAOQI_MODELS", GAOQI_HOME / "models"))

# Off unless asked for: a laptop demo says so (`make run` exports GAOQI_DEBUG=1, the tests' settings do too).
DEBUG = os.environ.get("GAOQI_DEBUG", "0") == "1"
DEMO_SECRET_KEY = "gaoqi-demo-only-not-for-production"
# The audit chain's HMAC key: held by the audit administrator's deployment, not in the database, so a database
# writer cannot re-chain altered rows.
DEMO_AUDIT_KEY = "gaoqi-demo-audit-key"
MIN_KEY_LENGTH = 32


def _keys() -> tuple[str, str]:
    """GAOQI_SECRET_KEY and GAOQI_AUDIT_KEY. Both unset: the demo keys, in DEBUG only. One set without the
    other is a half-configured deployment (it would have run with the public demo audit key): refused in every
    mode. Production (DEBUG off) refuses a missing, demo or short (< 32 characters) key."""
    secret, audit = os.environ.get("GAOQI_SECRET_KEY", ""), os.environ.get("GAOQI_AUDIT_KEY", "")
    if bool(secret) != bool(audit):
        raise RuntimeError(
            "set both GAOQI_SECRET_KEY and GAOQI_AUDIT_KEY (or neither, for the demo with GAOQI_DEBUG=1)"
        )
    if not secret and DEBUG:
        return DEMO_SECRET_KEY, DEMO_AUDIT_KEY
    for name, key in (("GAOQI_SECRET_KEY", secret), ("GAOQI_AUDIT_KEY", audit)):
        if not key or key.startswith("gaoqi-demo"):
            raise RuntimeError(f"set {name} in production (or GAOQI_DEBUG=1 for the demo)")
        if len(key) < MIN_KEY_LENGTH:
            raise RuntimeError(f"{name} is too short: at least {MIN_KEY_LENGTH} characters")
    if secret == audit:
        raise RuntimeError("GAOQI_AUDIT_KEY must differ from GAOQI_SECRET_KEY")
    return secret, audit


SECRET_KEY, AUDIT_CHAIN_KEY = _keys()
ALLOWED_HOSTS = os.environ.get("GAOQI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "gaoqi.web.core",
    "gaoqi.web.accounts",
    "gaoqi.web.audit",
    "gaoqi.web.intake",
    "gaoqi.web.enterprises",
    "gaoqi.web.policies",
    "gaoqi.web.dashboard",
    "gaoqi.web.certification",
    "gaoqi.web.programmes",
    "gaoqi.web.techsme",
    "gaoqi.web.incubators",
    "gaoqi.web.units",
    "gaoqi.web.servicepacks",
    "gaoqi.web.support",
    "gaoqi.web.servicedesk",
    "gaoqi.web.benefits",
    "gaoqi.web.matching",
    "gaoqi.web.quickapply",
    "gaoqi.web.drafting",
    "gaoqi.web.push",
    "gaoqi.web.analytics",
    "gaoqi.web.assist",
    "gaoqi.web.evaluation",
    "gaoqi.web.spotchecks",
    "gaoqi.web.monitoring",
    "gaoqi.web.reviewsignals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files from the WSGI process itself (ADR 0038)
    "gaoqi.web.core.logs.RequestIdMiddleware",  # X-Request-ID on the response and on every log record
    "gaoqi.web.audit.middleware.AuditRequestMiddleware",  # every audit event of a request gets its address
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gaoqi.web.accounts.middleware.SessionIdleMiddleware",  # the idle length in force (安全设置)
    "gaoqi.web.api_auth.ApiTokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gaoqi.web.access.AccessMiddleware",
    "gaoqi.web.core.errors.ChineseErrorPagesMiddleware",  # 404/403/500 in Chinese, DEBUG or not
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gaoqi.web.urls"
WSGI_APPLICATION = "gaoqi.web.wsgi.application"

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
                "gaoqi.web.access.navigation",
                "gaoqi.web.push.context.unread",  # 消息中心's unread count in the header
            ],
            # label, district, percent, cndate…: every template shows words, not codes
            "builtins": ["gaoqi.web.enterprises.templatetags.gaoqi_extras"],
        },
    }
]

DATABASES: dict[str, dict[str, Any]]
if os.environ.get("GAOQI_DATABASE") == "postgres":
    DATABASES = {
        "default": {
            # Django's backend, whose new connections wait out a restart (core/postgres; ADR 0041)
            "ENGINE": "gaoqi.web.core.postgres",
            "HOST": os.environ.get("GAOQI_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("GAOQI_PG_PORT", "5432"),
            "USER": os.environ.get("GAOQI_PG_USER", "postgres"),
            "PASSWORD": os.environ.get("GAOQI_PG_PASSWORD", ""),
            "NAME": os.environ.get("GAOQI_PG_NAME", "gaoqi"),
            # connections kept by each worker, checked before reuse: a restarted PostgreSQL is reconnected to
            "CONN_MAX_AGE": int(os.environ.get("GAOQI_PG_CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
            # seconds a new connection is retried while PostgreSQL restarts (then the request is answered 503)
            "CONNECT_WAIT_SECONDS": float(os.environ.get("GAOQI_PG_CONNECT_WAIT", "10")),
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": GAOQI_HOME / "platform.sqlite3",
            # IMMEDIATE: a transaction takes the write lock at BEGIN, so two writers serialise and every read
            # inside a service's transaction is fresh (core/locks.py; SQLite has no row locks)
            "OPTIONS": {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"},
            # tests on a file, not Django's shared-cache in-memory database: the concurrency tests' threads then
            # lock as production does (an in-memory shared cache fails at once with "table is locked")
            "TEST": {"NAME": str(GAOQI_HOME / "test-platform.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A run whose worker died is retried when the worker restarts, up to this many attempts in all (ADR 0042)
GAOQI_RUN_ATTEMPTS = int(os.environ.get("GAOQI_RUN_ATTEMPTS", "2"))
# Result versions no snapshot of the last this-many published still reads are pruned daily (ADR 0042)
GAOQI_KEEP_SNAPSHOTS = int(os.environ.get("GAOQI_KEEP_SNAPSHOTS", "3"))

# Form fields (files excluded) up to 1 MB: no page posts more; a 2 MB "objection" is refused before a view runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
CSRF_FAILURE_VIEW = "gaoqi.web.audit.views.csrf_failure"  # audited, in Chinese
LOGIN_REDIRECT_URL = "dashboard:home"

# 等保 level 3: lockout after 5 failures; idle sessions end after 30 minutes. The lockout (accounts/lockout.py,
# ADR 0009) counts failures per account and address, per account, and per address:
# - account + address: 5 failures lock that pair; account alone: 5 failures from anywhere lock the account on
#   every device except the account's known devices (a signed cookie set at a successful login), so that
#   someone elsewhere cannot lock the auditor out with five guesses;
# - address: 50 failures, whatever the accounts, lock the address (a district office shares one NAT address:
#   one official's mistakes must not shut the office out);
# - a lock lasts 15 minutes, doubling with every further 5 (50 for an address) failures, up to a day; failures
#   are remembered for a day (AXES_COOLOFF_TIME), a correct login forgets those of its account at its address.
AXES_HANDLER = "gaoqi.web.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = 5
AXES_ADDRESS_FAILURE_LIMIT = 50
AXES_LOCK_MINUTES = 15
AXES_COOLOFF_TIME = 24  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "gaoqi.web.audit.services.request_address"
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
KNOWN_DEVICE_COOKIE = "gaoqi_device"
KNOWN_DEVICE_DAYS = 180
SESSION_COOKIE_AGE = 30 * 60  # the server-side session life: the ceiling of the idle length below
#: What the security administrator may change at run time (安全设置; accounts/security.py): default (a setting
#: above, divided by divisor), allowed range, label. Stored in accounts.SecuritySetting, read at every use.
SECURITY_RUNTIME = {
    "failure_limit": {
        "default": "AXES_FAILURE_LIMIT",
        "low": 3,
        "high": 10,
        "label": "同一账号失败次数上限",
        "unit": "次",
    },
    "address_failure_limit": {
        "default": "AXES_ADDRESS_FAILURE_LIMIT",
        "low": 10,
        "high": 500,
        "label": "同一地址失败次数上限",
        "unit": "次",
    },
    "lock_minutes": {"default": "AXES_LOCK_MINUTES", "low": 5, "high": 240, "label": "首次锁定时长", "unit": "分钟"},
    "session_idle_minutes": {
        "default": "SESSION_COOKIE_AGE",
        "divisor": 60,
        "low": 5,
        "high": SESSION_COOKIE_AGE // 60,
        "label": "会话空闲超时",
        "unit": "分钟",
    },
}
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
PROXY_HOPS = 0  # reverse proxies in front of the platform (audit.services.request_address)
if not DEBUG:
    # Production is served over HTTPS only, behind the municipal reverse proxy, which terminates TLS and sets
    # X-Forwarded-Proto (GAOQI_PROXY_SSL_HEADER=0 where the platform terminates TLS itself).
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if os.environ.get("GAOQI_PROXY_SSL_HEADER", "1") == "1":
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        PROXY_HOPS = 1  # the client's address is the one the proxy appends to X-Forwarded-For
    # a load balancer's probes speak plain HTTP to the process: liveness and readiness are not redirected
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
# the platform speaks Chinese only: a browser that prefers English (LocaleMiddleware reads Accept-Language) must
# not switch the catalogue of words for codes off
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# the one catalogue of the Chinese words for codes (core/labels.py); django.mo is compiled at install
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("GAOQI_STATIC_ROOT", GAOQI_HOME / "static"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", REPO_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", REPO_DIR / "node_modules" / "echarts" / "dist"),
]

# Production serves what `collectstatic` gathered, with hashed names (cached a year) and .gz beside them (no .br:
# core/staticstorage.py); DEBUG (make run, the tests) serves the source folders as they are, no manifest needed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "gaoqi.web.core.staticstorage.GzipManifestStaticFilesStorage"
    },
}
# DEBUG: whitenoise serves the source folders through the finders, re-read on each request (pytest-django turns
# settings.DEBUG off during the tests, so said here from the environment's DEBUG)
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if os.environ.get("GAOQI_TASKS_IMMEDIATE") == "1":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

EMAIL_BACKEND = os.environ.get("GAOQI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# 政策推送's SMS: any class with ``send_messages(list) -> int`` (a real gateway's, named here: no code change)
GAOQI_SMS_BACKEND = os.environ.get("GAOQI_SMS_BACKEND", "gaoqi.web.push.sms.ConsoleBackend")
GAOQI_SMS_FILE = os.environ.get("GAOQI_SMS_FILE", "")  # the file backend's output (JSON lines)

# Logs: JSON lines in production (GAOQI_LOG_FORMAT=json, the default when DEBUG is off), text for the demo. Each
# record carries the request id, the user id, the path (core/logs.py); errors carry their stack trace (exc_info).
LOG_FORMAT = os.environ.get("GAOQI_LOG_FORMAT", "text" if DEBUG else "json")
LOG_LEVEL = os.environ.get("GAOQI_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "gaoqi.web.core.logs.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s %(path)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "gaoqi": {"level": LOG_LEVEL},
        # django.request: 4xx as warnings, 5xx as errors with the stack trace
        "django.request": {"level": "WARNING"},
    },
}
