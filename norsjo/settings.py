"""Settings for Norsjö ärendehantering: one file, configured by environment variables.

Every variable is parsed strictly (norsjo/env.py): a malformed value stops start-up with a
message naming the variable. Without DATABASE_URL and REDIS_URL everything runs embedded
(SQLite and kombu's filesystem transport under var/), so `make run` needs nothing installed.
"""

import re
import string
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from norsjo.env import (
    envbool,
    envfloat,
    envint,
    envlist,
    envpairs,
    envsecret,
    envstr,
    envurl,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", True)
if DEBUG:
    # Embedded development: the SQLite file, the broker's folders and STATIC_ROOT live here.
    (VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-only-for-local-development-never-in-production"  # noqa: S105

SITE_URL = envstr("SITE_URL", "http://localhost:8000").rstrip("/")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "accounts",
    "notices",
    "events",
    "assessment",
    "commsplan",
    "reports",
    "omstallning",
    "guests",
    "documents",
]

MIDDLEWARE = [
    # First: the guest pages' frame, headers and no cookie, over every other layer's.
    "norsjo.middleware.GuestPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, without a session on SESSIONLESS_PATHS.
    "norsjo.middleware.SessionMiddleware",
    "accounts.sessions.SlidingSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads request.POST: uploads named with path parts are refused.
    "norsjo.middleware.UploadNameMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "norsjo.middleware.HtmxHistoryMiddleware",
    "norsjo.middleware.HtmxAwareLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "norsjo.urls"
WSGI_APPLICATION = "norsjo.wsgi.application"

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
                "notices.context_processors.unread_notices",
            ],
        },
    },
]


# Database ---------------------------------------------------------------------------------
# SQLite needs WAL (readers never block the writer), IMMEDIATE transactions (a writer takes
# the lock at BEGIN, so two writers queue instead of failing with "database is locked" on
# upgrade) and a busy timeout (how long a writer queues).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": envint("SQLITE_BUSY_TIMEOUT_S", 20, minimum=1),
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def _database_from_url(url: str) -> dict:
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "sqlite"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL: unsupported scheme {scheme!r}; use postgresql://… or sqlite:///…"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=envint("DB_CONN_MAX_AGE", 60))
    except ValueError as e:
        raise ImproperlyConfigured(f"DATABASE_URL: {e}") from None
    if scheme == "sqlite":
        config["OPTIONS"] = SQLITE_OPTIONS
    else:
        config["CONN_HEALTH_CHECKS"] = True
        if not config.get("NAME"):
            raise ImproperlyConfigured("DATABASE_URL: the database name is missing")
    return config


DATABASE_URL = envstr("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": _database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "norsjo.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that the Celery worker the tests start can read what the
    # test wrote.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-norsjo.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# Accounts and sessions --------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"
# A stale token (a page left open past a new login) keeps what was typed (norsjo/csrf.py).
CSRF_FAILURE_VIEW = "norsjo.csrf.csrf_failure"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Idle expiry: the cookie's age is renewed on every request, so a session ends after this
# long without activity (a shared office laptop left open).
# In-process: it holds only rendered fragments whose key names their content (the event
# page's timeline by the log's length), so several processes and hosts never disagree.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", 120, minimum=5)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False  # accounts.sessions.SlidingSessionMiddleware
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The guest pages (guests.urls): no session is read or saved there, so they set no cookie.
SESSIONLESS_PATHS = ["/gast/"]

# Failed logins per username and client address before that pair must wait. Keyed on both,
# so an attacker elsewhere cannot lock a named official out of their own desk.
LOGIN_MAX_FAILURES = envint("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_COOL_OFF_MINUTES = envint("LOGIN_COOL_OFF_MINUTES", 15, minimum=1)


# Single sign-on (OpenID Connect) ----------------------------------------------------------
# With OIDC_ISSUER staff sign in with the municipality's identity provider; without it,
# local passwords only. mozilla-django-oidc runs the protocol (its settings are the OIDC_RP_*
# and OIDC_* names here); accounts/oidc.py reads the provider's discovery document once at
# start-up and checks what the library does not (accounts/backends.py).
OIDC_ISSUER = envurl("OIDC_ISSUER", "", https=not DEBUG)
OIDC_RP_CLIENT_ID = envstr("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = envsecret("OIDC_CLIENT_SECRET", "")
# The ID token's claim listing the user's groups (Entra ID: "groups", object ids) or app
# roles ("roles"); who may sign in at all, and which group gives which municipal function
# (accounts.models.Function's name), the first listed winning.
OIDC_GROUPS_CLAIM = envstr("OIDC_GROUPS_CLAIM", "groups")
OIDC_ALLOWED_GROUPS = envlist("OIDC_ALLOWED_GROUPS", [])
OIDC_GROUP_FUNCTIONS = envpairs("OIDC_GROUP_FUNCTIONS")
# false: local passwords only for superusers (break-glass), everyone else signs in by OIDC.
LOCAL_LOGIN = envbool("LOCAL_LOGIN", True)
if OIDC_ISSUER:
    for _name, _value in [
        ("OIDC_CLIENT_ID", OIDC_RP_CLIENT_ID),
        ("OIDC_CLIENT_SECRET (or OIDC_CLIENT_SECRET_FILE)", OIDC_RP_CLIENT_SECRET),
        ("OIDC_ALLOWED_GROUPS", OIDC_ALLOWED_GROUPS),
    ]:
        if not _value:
            raise ImproperlyConfigured(f"{_name} must be set with OIDC_ISSUER")
    for _group in OIDC_GROUP_FUNCTIONS:
        if _group not in OIDC_ALLOWED_GROUPS:
            raise ImproperlyConfigured(
                f"OIDC_GROUP_FUNCTIONS: {_group!r} is not in OIDC_ALLOWED_GROUPS"
            )
elif not LOCAL_LOGIN:
    raise ImproperlyConfigured("LOCAL_LOGIN=false needs OIDC_ISSUER, or only superusers log in")
AUTHENTICATION_BACKENDS = ["accounts.backends.PasswordBackend", "accounts.backends.OidcBackend"]
# The authorization code flow with state, nonce and PKCE (RFC 7636, S256); the client
# authenticates with HTTP Basic, which every provider must accept (RFC 6749 2.3.1).
OIDC_RP_SCOPES = "openid email profile"
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_TOKEN_USE_BASIC_AUTH = True
OIDC_TIMEOUT = envint("OIDC_TIMEOUT_S", 10, minimum=1)
# Kept for the id_token_hint that signs out at the provider too (accounts.oidc.logout_url).
OIDC_STORE_ID_TOKEN = True
OIDC_OP_LOGOUT_URL_METHOD = "accounts.oidc.logout_url"


# Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True


# Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Documents on a case (documents/): a folder under VAR_DIR, or with DOCUMENTS_S3_BUCKET an
# S3-compatible bucket that every web host shares (django-storages). Never served by URL:
# every download goes through the case's access rule (documents.views.document_download).
DOCUMENT_MAX_BYTES = envint("DOCUMENT_MAX_MB", 25, minimum=1) * 1024 * 1024
# A body's fields besides its files (Django's default, stated): a form's text is kilobytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A multipart body is not read past DOCUMENT_MAX_BYTES and a margin (accounts.uploads).
FILE_UPLOAD_HANDLERS = [
    "accounts.uploads.BodyLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DOCUMENTS_S3_BUCKET = envstr("DOCUMENTS_S3_BUCKET", "")
if DOCUMENTS_S3_BUCKET:
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DOCUMENTS_S3_BUCKET,
            "endpoint_url": envstr("DOCUMENTS_S3_ENDPOINT_URL", "") or None,
            "region_name": envstr("DOCUMENTS_S3_REGION", "") or None,
            "access_key": envsecret("DOCUMENTS_S3_ACCESS_KEY", "") or None,
            "secret_key": envsecret("DOCUMENTS_S3_SECRET_KEY", "") or None,
            "location": envstr("DOCUMENTS_S3_PREFIX", "documents"),
            # Private objects, never overwritten: a name taken is an error, not a new name.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "documents", "base_url": None},
    }
WHITENOISE_USE_FINDERS = DEBUG


# Mail -------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Norsjö kommun <noreply@norsjo.se>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMTP_HOST = envstr("SMTP_HOST", "")
if SMTP_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": envint("SMTP_PORT", 587, minimum=1),
                "username": envstr("SMTP_USER", ""),
                "password": envsecret("SMTP_PASSWORD", ""),
                "use_tls": envbool("SMTP_USE_TLS", True),
                "timeout": envint("SMTP_TIMEOUT_S", 15, minimum=1),
            },
        }
    }
elif envstr("MAIL_FILE_PATH", ""):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": envstr("MAIL_FILE_PATH", "")},
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}


# Celery -----------------------------------------------------------------------------------
REDIS_URL = envstr("REDIS_URL", "")
if REDIS_URL and urlsplit(REDIS_URL).scheme not in {"redis", "rediss"}:
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r}: expected redis://… or rediss://…")
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": 3600}
    if REDIS_URL
    else {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # kombu's default is "control" in the working directory, i.e. inside the checkout.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": envfloat("BROKER_POLL_INTERVAL_S", 0.1, minimum=0.01),
    }
)
if not REDIS_URL:
    # kombu's filesystem transport makes none of its folders, and the first task may be sent
    # before any worker or health check runs (`make run` seeds the demo first):
    # FileNotFoundError for var/broker/queue.
    for _folder in ("data_folder_in", "processed_folder", "control_folder"):
        Path(CELERY_BROKER_TRANSPORT_OPTIONS[_folder]).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a killed worker's task is redelivered, not lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
SWEEP_INTERVAL_S = envint("OUTBOX_SWEEP_INTERVAL_S", 60, minimum=5)
SCAN_INTERVAL_S = envint("REMINDER_SCAN_INTERVAL_S", 60, minimum=5)
PURGE_INTERVAL_S = envint("PURGE_INTERVAL_S", 3600, minimum=10)
INFO_GAP_SCAN_INTERVAL_S = envint("INFO_GAP_SCAN_INTERVAL_S", 900, minimum=10)
# Each tick expires when the next is due: after an hour without a worker, the queue holds
# one hour of ticks that are dropped, not sixty sweeps run back to back.
CELERY_BEAT_SCHEDULE = {
    # Hands outbox rows that no sender finished (broker lost the task, worker killed) to
    # a sender again.
    "sweep-outbox": {
        "task": "notices.tasks.sweep_outbox",
        "schedule": SWEEP_INTERVAL_S,
        "options": {"expires": SWEEP_INTERVAL_S},
    },
    # Writes the reminders that have fallen due; the unique natural key makes a second
    # beat, or a tick that overlaps the previous one, harmless.
    "scan-reminders": {
        "task": "events.tasks.scan_reminders",
        "schedule": SCAN_INTERVAL_S,
        "options": {"expires": SCAN_INTERVAL_S},
    },
    "purge-expired-logins-and-sessions": {
        "task": "accounts.tasks.purge_expired",
        "schedule": PURGE_INTERVAL_S,
        "options": {"expires": PURGE_INTERVAL_S},
    },
    # Reminds the kommunikatör when nothing has been published for INFO_GAP_DAYS.
    "remind-info-gaps": {
        "task": "commsplan.tasks.remind_info_gaps",
        "schedule": INFO_GAP_SCAN_INTERVAL_S,
        "options": {"expires": INFO_GAP_SCAN_INTERVAL_S},
    },
    # Reminds a member whose request to an external party is past its due time.
    "remind-overdue-guest-requests": {
        "task": "guests.tasks.scan_overdue",
        "schedule": SCAN_INTERVAL_S,
        "options": {"expires": SCAN_INTERVAL_S},
    },
    # Asks the kommunikatör "Har företaget gått ut?" when the company's planned
    # announcement time has come unconfirmed: as often as the reminders, since it is an
    # appointment, not a gap of days.
    "remind-company-announcements": {
        "task": "commsplan.tasks.remind_company_announcements",
        "schedule": SCAN_INTERVAL_S,
        "options": {"expires": SCAN_INTERVAL_S},
    },
    # Reminds whoever measures an omställningsprogram's target when a measurement is due:
    # due by the day, so hourly is soon enough.
    "remind-due-measurements": {
        "task": "omstallning.tasks.remind_due_measurements",
        "schedule": 3600,
        "options": {"expires": 3600},
    },
}


# The product -----------------------------------------------------------------------------
# Diarienummer: "{year}" and "{seq}" (a Python format, "{seq:04d}" for a width of four) are
# filled in when the app hands out the next number; a number typed by hand must have the
# same shape, and is stored as the format writes it (events.validators.CaseNumberField).
CASE_NUMBER_FORMAT = envstr("CASE_NUMBER_FORMAT", "KS {year}/{seq:04d}")


def _case_number_regex(format: str) -> str:
    """CASE_NUMBER_FORMAT as a regular expression with the groups `year` and `seq`, of ASCII
    digits only ([0-9]: `\\d` takes any script's digits)."""
    groups = {"year": "(?P<year>[0-9]{4})", "seq": "(?P<seq>[0-9]{1,6})"}
    parts = []
    try:
        format.format(year=2026, seq=123)
        fields = list(string.Formatter().parse(format))
    except (ValueError, KeyError, IndexError) as e:
        raise ImproperlyConfigured(f"CASE_NUMBER_FORMAT={format!r}: {e}") from e
    for literal, field, _spec, _conversion in fields:
        parts.append(re.escape(literal))
        if field is not None:
            if field not in groups:
                raise ImproperlyConfigured(
                    f"CASE_NUMBER_FORMAT={format!r}: only {{year}} and {{seq}}, each once"
                )
            parts.append(groups.pop(field))
    if "seq" in groups:
        raise ImproperlyConfigured(f"CASE_NUMBER_FORMAT={format!r}: must contain {{seq}}")
    return "".join(parts)


CASE_NUMBER_REGEX = _case_number_regex(CASE_NUMBER_FORMAT)
CASE_NUMBER_EXAMPLE = CASE_NUMBER_FORMAT.format(year=2026, seq=123)
# The startgrupp meeting a new event proposes: "skyndsamt", by default within two hours.
CONVENE_WITHIN_MINUTES = envint("CONVENE_WITHIN_MINUTES", 120, minimum=0)
# An event is gul when the startgrupp has decided on no arbetsgrupp this long after its
# meeting, röd at twice that (events.status).
STATUS_DECISION_HOURS = envint("STATUS_DECISION_HOURS", 24, minimum=1)
# A task due within this many hours reminds its assignee.
TASK_DUE_SOON_HOURS = envint("TASK_DUE_SOON_HOURS", 24, minimum=1)
# A task overdue this many days is also reported to the arbetsgrupp's lead.
TASK_ESCALATE_AFTER_DAYS = envint("TASK_ESCALATE_AFTER_DAYS", 2, minimum=0)
# A claimed outbox row not marked sent after this long is handed to a sender again.
OUTBOX_CLAIM_TIMEOUT_S = envint("OUTBOX_CLAIM_TIMEOUT_S", 300, minimum=30)
# A row the mail server refused this many times (an address it will never take) is no
# longer swept; it stays in the recipient's in-app list, and the worker's log says why.
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 10, minimum=1)
# Kommunikationsplanen: "Undvika informationsgluggar". The kommunikatör is reminded when
# nothing about an ongoing event has been published for this many days.
INFO_GAP_DAYS = envint("INFO_GAP_DAYS", 3, minimum=1)
# A request's link to an external party works this many days; its due time lies within.
GUEST_LINK_DAYS = envint("GUEST_LINK_DAYS", 14, minimum=1)
# Requests to the guest pages per link and per client address in each window, counted in
# the database (guests.ratelimit), so the limits hold across processes and hosts.
GUEST_RATE_WINDOW_S = envint("GUEST_RATE_WINDOW_S", 3600, minimum=10)
GUEST_RATE_PER_TOKEN = envint("GUEST_RATE_PER_TOKEN", 30, minimum=1)
GUEST_RATE_PER_ADDRESS = envint("GUEST_RATE_PER_ADDRESS", 120, minimum=1)


# Security ---------------------------------------------------------------------------------
# htmx is configured (base.html's htmx-config meta) to need neither eval nor injected
# styles, so the policy allows no inline script or style at all.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed over plain HTTP by load balancers on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A guest link's token never reaches a log: the loggers that name a request's path
    # ("Not Found: /gast/<token>/", runserver's request line) get it hidden.
    "filters": {"guest_tokens": {"()": "norsjo.logs.HideGuestTokens"}},
    "formatters": {
        # Django's own for runserver, whose logger is redefined below.
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "server": {"class": "logging.StreamHandler", "formatter": "server"},
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["guest_tokens"]},
        "django.server": {
            "handlers": ["server"],
            "filters": ["guest_tokens"],
            "level": "INFO",
            "propagate": False,
        },
        # WeasyPrint reports every layout step at INFO.
        "weasyprint.progress": {"level": "WARNING"},
    },
}
