"""WholeFamily settings: one module, switched by environment variables.

Environment:
    WHOLEFAMILY_ENV        "development" (default), "test" or "production".
    DATABASE_URL           default: SQLite file under var/; PostgreSQL when it names one.
    SECRET_KEY             required in production.
    ALLOWED_HOSTS          comma-separated; default 127.0.0.1,localhost.
    WHOLEFAMILY_VAR_DIR    everything the service writes: the SQLite file, static files, checksums, uploads'
                           folders, DuckDB's spill folder (tmp/), the data store by default; default var/ in the clone.
    WHOLEFAMILY_DATA_DIR   the data plane's store (Parquet, DuckDB); default <WHOLEFAMILY_VAR_DIR>/data.
    WHOLEFAMILY_INGEST_ENGINE  "duckdb" (default) or "spark": the engine of the CSV import's checks (ADR 0033).
    WHOLEFAMILY_INPROCESS_WORKER  "1" (default outside production) runs background tasks
                           in a thread of the serving process; "0" leaves them to `wholefamily db_worker`.
    WHOLEFAMILY_MFA_REQUIRED  "1" (default in production) makes programme managers and administrators set up
                           two-step verification at first sign-in; "0" (default elsewhere) leaves it optional.
    WHOLEFAMILY_JOB_STALE_AFTER  seconds without a heartbeat after which a running job shows as stalled
                           (its worker has probably stopped); default 600 (10 minutes).
    WHOLEFAMILY_TRUSTED_PROXIES  comma-separated addresses or networks of the reverse proxies in front of the
                           service; their X-Forwarded-For gives the client's address for the audit log and the
                           sign-in throttle. Default none: the header is ignored (ADR 0014).
    WHOLEFAMILY_PSEUDONYM_KEY  the secret key of the pseudonyms in analysts' exports (HMAC-SHA256 of the person
                           id); required in production (32 characters or more, not SECRET_KEY); a development-only
                           key elsewhere (ADR 0020).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from wholefamily.governance.client_address import parse_trusted_proxies

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WHOLEFAMILY_VAR_DIR", BASE_DIR / "var"))

ENV = os.environ.get("WHOLEFAMILY_ENV", "development")
if ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"WHOLEFAMILY_ENV must be development, test or production, not {ENV!r}")
PRODUCTION = ENV == "production"
DEBUG = os.environ.get("DEBUG", "0") == "1" and not PRODUCTION

_DEV_SECRET = "dev-only-insecure-key-never-use-in-production-0123456789abcdefghij"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("SECRET_KEY must be set in production")

# Pseudonyms of persons in analysts' exports (ADR 0020): HMAC-SHA256 of the person id under this key. Its own key,
# not SECRET_KEY, so rotating one does not change the other; whoever holds it can re-identify, so it stays with the
# service. Changing it changes every pseudonym (exports made before cannot then be re-identified).
_DEV_PSEUDONYM_KEY = "dev-only-pseudonym-key-never-use-in-production-0123456789"
WHOLEFAMILY_PSEUDONYM_KEY = os.environ.get("WHOLEFAMILY_PSEUDONYM_KEY", "" if PRODUCTION else _DEV_PSEUDONYM_KEY)
if PRODUCTION and (
    len(WHOLEFAMILY_PSEUDONYM_KEY) < 32 or WHOLEFAMILY_PSEUDONYM_KEY in {_DEV_PSEUDONYM_KEY, SECRET_KEY}
):
    raise ImproperlyConfigured(
        "WHOLEFAMILY_PSEUDONYM_KEY must be set in production: a secret of 32 characters or more, not SECRET_KEY "
        "(it keys the pseudonyms of analysts' exports; see ADR 0020)"
    )

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]

# The council running this installation, shown in the page header and footer.
WHOLEFAMILY_COUNCIL_NAME = os.environ.get("WHOLEFAMILY_COUNCIL_NAME", "Demo County Council")

DATA_DIR = Path(os.environ.get("WHOLEFAMILY_DATA_DIR", VAR_DIR / "data"))
DEFINITIONS_DIR = BASE_DIR / "definitions"
# CSV deliveries are validated on DuckDB (ADR 0028); 0 forces the row-by-row path everywhere.
INGEST_COLUMNAR = os.environ.get("WHOLEFAMILY_INGEST_COLUMNAR", "1") == "1"
# The engine of those checks: "duckdb" (default) or "spark", as the other data-plane stages choose (ADR 0033).
INGEST_ENGINE = os.environ.get("WHOLEFAMILY_INGEST_ENGINE", "duckdb")
if INGEST_ENGINE not in {"duckdb", "spark"}:
    raise ImproperlyConfigured(f"WHOLEFAMILY_INGEST_ENGINE must be duckdb or spark, not {INGEST_ENGINE!r}")
PROGRAMMES_DIR = BASE_DIR / "programmes"

INSTALLED_APPS = [
    # First, so that its `createsuperuser` (audited) is the one the command line runs (ADR 0014).
    "wholefamily.governance",
    # Django's admin for superusers only, every request audited (ADR 0014).
    "wholefamily.governance.apps.WholeFamilyAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "wholefamily.jobs",
    "wholefamily.ingest",
    "wholefamily.identification",
    "wholefamily.linkage",
    "wholefamily.cases",
    "wholefamily.outcomes",
    "wholefamily.impact",
    "wholefamily.claims",
    "wholefamily.reporting",
    "wholefamily.extracts",
    "wholefamily.commissioning",
    "wholefamily.api",
    "wholefamily.web",
    "wholefamily.synth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "wholefamily.governance.middleware.RequestIdMiddleware",
    "wholefamily.web.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wholefamily.governance.middleware.AbsoluteSessionTimeoutMiddleware",
    "wholefamily.governance.mfa_middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "wholefamily.web.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'wholefamily.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if ENV == "test" else 60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work beside one writer; IMMEDIATE transactions take the write lock at
    # BEGIN, so concurrent writers wait (busy timeout) instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication and sessions ------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Repeated characters and sequences, the council's and service's names, common passwords in disguise (ADR 0015).
    {"NAME": "wholefamily.governance.passwords.DenyListValidator"},
]
# Two-step verification (ADR 0015): anyone who has set it up verifies at every sign-in; when required, programme
# managers, administrators and superusers must set it up at their first sign-in. On by default in production only,
# so that the demo and the tests sign in with a password alone.
WHOLEFAMILY_MFA_REQUIRED = os.environ.get("WHOLEFAMILY_MFA_REQUIRED", "1" if PRODUCTION else "0") == "1"
OTP_TOTP_ISSUER = f"WholeFamily ({WHOLEFAMILY_COUNCIL_NAME})"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the cookie lives 30 minutes and is renewed by every request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Absolute timeout: a session ends this long after sign-in, however active.
WHOLEFAMILY_SESSION_ABSOLUTE_SECONDS = int(os.environ.get("WHOLEFAMILY_SESSION_ABSOLUTE_SECONDS", 10 * 60 * 60))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "wholefamily.web.views.errors.csrf_failure"

# The API's rate limit per token (ADR 0026): calls in a fixed window, counted in the database.
WHOLEFAMILY_API_RATE_LIMIT = int(os.environ.get("WHOLEFAMILY_API_RATE_LIMIT", 600))
WHOLEFAMILY_API_RATE_WINDOW_SECONDS = int(os.environ.get("WHOLEFAMILY_API_RATE_WINDOW_SECONDS", 60))

# Login throttling (django-axes): lock a username from one address after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The client's address, for the throttle as for the audit log: X-Forwarded-For believed from trusted proxies only.
WHOLEFAMILY_TRUSTED_PROXIES = parse_trusted_proxies(os.environ.get("WHOLEFAMILY_TRUSTED_PROXIES", ""))
AXES_CLIENT_IP_CALLABLE = "wholefamily.governance.client_address.client_address"

# --- Security headers --------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS if not h.startswith(".")]

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files (GOV.UK Frontend is installed by npm, built by `make assets`) -------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Filled by `make assets` (a build output, like .venv). Never created here: a command run from a clone writes
# nothing into its working tree; before the assets are built the folder is simply not a static source yet.
ASSETS_BUILD_DIR = BASE_DIR / "build" / "assets"
STATICFILES_DIRS = [("build", ASSETS_BUILD_DIR)] if ASSETS_BUILD_DIR.is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Background tasks -------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WHOLEFAMILY_INPROCESS_WORKER = os.environ.get("WHOLEFAMILY_INPROCESS_WORKER", "0" if PRODUCTION else "1") == "1"
# A running job writes a heartbeat at start and with every progress write; one silent for longer is "stalled".
_stale_after = os.environ.get("WHOLEFAMILY_JOB_STALE_AFTER", "600")
if not (_stale_after.isascii() and _stale_after.isdigit()) or int(_stale_after) < 1:
    raise ImproperlyConfigured(f"WHOLEFAMILY_JOB_STALE_AFTER must be a whole number of seconds, not {_stale_after!r}")
WHOLEFAMILY_JOB_STALE_AFTER = timedelta(seconds=int(_stale_after))

# --- Logging -------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
