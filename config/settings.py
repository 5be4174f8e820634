"""Tierflow settings: one module, every deployment difference read from the environment (django-environ)."""
import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP


class Env(environ.Env):
    """django-environ, with one stricter rule: a boolean that is neither true nor false is an error, not False
    (a mistyped SESSION_COOKIE_SECURE must not silently turn a protection off)."""

    TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")

    def bool(self, var, default=environ.Env.NOTSET):
        value = self.str(var, default="")
        if value == "":
            if default is environ.Env.NOTSET:
                raise ImproperlyConfigured(f"Set the {var} environment variable")
            return default
        if value.lower() not in self.TRUE + self.FALSE:
            raise ImproperlyConfigured(f"{var} must be a boolean (1/0, true/false, yes/no), got {value!r}")
        return value.lower() in self.TRUE


env = Env()
BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("TIERFLOW_VAR_DIR", default=str(BASE_DIR / "var")))


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [])
# True only in `make run`: the login page lists the demo accounts.
DEMO_MODE = env.bool("TIERFLOW_DEMO", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from our own static files: no CDN, works offline
    "rules.apps.AutodiscoverRulesConfig",
    "pgtrigger",
    "django_fsm",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "pghistory",
    "apps.audit",
    "apps.governance",
    "apps.authorizations",
    "apps.notifications",
    "apps.api",
    "apps.web",
    "apps.casework",
    "apps.webhooks",
    "apps.ledger",
    "apps.reporting",
    "apps.accounts",
    "apps.history",
    "apps.register",
    "apps.translations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "apps.api.middleware.ApiBoundaryMiddleware",  # early: sees every /api/ request and every /api/ error page
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.UserLanguageMiddleware",  # after authentication: the signed-in person's own language
    "django_otp.middleware.OTPMiddleware",
    "apps.accounts.middleware.RequireTwoFactorMiddleware",
    "apps.accounts.middleware.StaffSessionTimeoutMiddleware",
    "apps.history.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout during authentication into the lockout response
]

AUTHENTICATION_BACKENDS = [
    "apps.accounts.backends.LockoutBackend",  # first: django-axes refuses a locked-out user or address
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",  # {{ csp_nonce }}: only the ReDoc page uses it
                "apps.web.context_processors.header",
            ],
        },
    },
]

# Unset DATABASE_URL: an SQLite file under var/, so `make run` needs no server.
_DATABASE = env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tierflow.sqlite3'}")
if _DATABASE["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: one writer at a time; wait for it instead of failing with "database is locked".
    _DATABASE.update(OPTIONS={"timeout": 20, "transaction_mode": "IMMEDIATE"}, CONN_MAX_AGE=0)
else:
    _DATABASE.update(CONN_MAX_AGE=env.int("CONN_MAX_AGE", default=600), CONN_HEALTH_CHECKS=True)
DATABASES = {"default": _DATABASE}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id first (new and upgraded hashes); the others only verify older hashes, rehashed on the next sign-in.
PASSWORD_HASHERS = [
    "apps.accounts.hashers.TunedArgon2PasswordHasher",
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

LANGUAGE_CODE = "en"
# Each name in its own language: the switcher is read by someone who does not read the current one.
LANGUAGES = [("en", "English"), ("ms", "Bahasa Melayu"), ("id", "Bahasa Indonesia"), ("th", "ไทย"),
             ("vi", "Tiếng Việt"), ("zh-hant", "繁體中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Where Django's own number formats for a language differ from how its officials write numbers (formats/<locale>/).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.api.authentication.PersonalTokenAuthentication",
        "apps.api.authentication.ContractTokenAuthentication",  # DRF's TokenAuthentication, caller resolved with it
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "apps.api.schema.TierflowAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "apps.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "apps.api.parsers.ObjectJSONParser", "apps.api.parsers.NulFreeFormParser", "apps.api.parsers.NulFreeMultiPartParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": ["apps.api.throttling.PerTokenThrottle", "apps.api.throttling.ScopedSharedThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        # Per personal token (or per user for session and contract tokens, per address when anonymous).
        "api": env.str("TIERFLOW_API_RATE", default="1200/min"),
        # POST /api/v1/auth/token/ (its view sets throttle_scope = "token"): slows password guessing.
        "token": env.str("TIERFLOW_TOKEN_RATE", default="10/min"),
    },
}
# Webhook URLs must be https and public unless DEBUG is on (server-side request forgery).
TIERFLOW_WEBHOOK_TIMEOUT = env.int("TIERFLOW_WEBHOOK_TIMEOUT", default=10)
SPECTACULAR_SETTINGS = {
    "TITLE": "Tierflow API",
    "DESCRIPTION": "Article 6 authorization applications: create, submit and follow them through the host Party's tiers.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"LetterStatusEnum": "apps.authorizations.workflow.LetterStatus"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums", "apps.api.schema.error_body_accepts_field_lists"],
}

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tierflow@localhost")

if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Celery: the broker carries "deliver row N"; the database rows are the truth. ---
# Unset CELERY_BROKER_URL: kombu's filesystem transport under var/broker, so `make run` needs no Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "filesystem://"
# `make test` runs the suite in parallel processes (pytest-xdist's gw0, gw1, ...): each gets a Redis database of its
# own, as pytest-django gives each its own PostgreSQL database, so one process purging its queue or its limits takes
# nothing from another. Written back to the environment, which Celery reads before this setting and which the
# suite's subprocesses (workers, servers) inherit, with a mark so that they do not shift it again.
_TEST_PROCESS = os.environ.get("PYTEST_XDIST_WORKER", "")
if (_TEST_PROCESS.startswith("gw") and CELERY_BROKER_URL.startswith("redis://")
        and os.environ.get("TIERFLOW_BROKER_SHIFTED_FOR") != _TEST_PROCESS):
    from urllib.parse import urlsplit as _urlsplit

    _parts = _urlsplit(CELERY_BROKER_URL)
    _database = (int(_parts.path.strip("/") or 0) + int(_TEST_PROCESS[2:])) % 16
    CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"] = _parts._replace(path=f"/{_database}").geturl()
    os.environ["TIERFLOW_BROKER_SHIFTED_FOR"] = _TEST_PROCESS
if CELERY_BROKER_URL.startswith("filesystem://"):
    _BROKER_DIR = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "control_folder": str(_BROKER_DIR / "control"),  # kombu's default is ./control, in the source tree
        "data_folder_in": str(_BROKER_DIR / "queue"),
        "data_folder_out": str(_BROKER_DIR / "queue"),
        "processed_folder": str(_BROKER_DIR / "processed"),
        "store_processed": False,
    }
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False  # no broadcast over files
else:
    # Redis redelivers a message not acknowledged within this many seconds (a worker that vanished).
    # It must exceed the longest countdown (retry backoff, 600 s) or delayed retries run twice — harmless
    # here (the claim makes the second a no-op) but wasteful.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_RESULT_BACKEND = None
# Request limits (API throttles) are counted in one place for every process: with a Redis broker, a Redis
# database of their own on the broker's server (the broker's number + 8, modulo 16, so flushing it never
# touches a queue; TIERFLOW_LIMITS_CACHE_URL overrides); with the embedded broker (`make run`, one machine),
# local memory. Short timeouts: a Redis outage lets requests through instead of stalling them.
TIERFLOW_LIMITS_CACHE_URL = env.str("TIERFLOW_LIMITS_CACHE_URL", default="")
if not TIERFLOW_LIMITS_CACHE_URL and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    from urllib.parse import urlsplit, urlunsplit

    _broker = urlsplit(CELERY_BROKER_URL)
    _broker_db = int(_broker.path.strip("/") or 0)
    TIERFLOW_LIMITS_CACHE_URL = urlunsplit(_broker._replace(path=f"/{(_broker_db + 8) % 16}", query=""))
if TIERFLOW_LIMITS_CACHE_URL:
    CACHES = {"default": {
        "BACKEND": "apps.api.cache.FailOpenRedisCache", "LOCATION": TIERFLOW_LIMITS_CACHE_URL, "KEY_PREFIX": "tierflow",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_IGNORE_RESULT = True
# Acknowledge after the task ran, not when it was received: a worker that dies mid-task leaves the message
# to be delivered again (tasks are idempotent, so running twice is safe and running zero times is not).
CELERY_TASK_ACKS_LATE = True
# ...and if the worker process is killed (OOM, SIGKILL), reject-and-requeue instead of acknowledging.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Take one message at a time: with late acks, a prefetched batch would wait behind a slow email.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_TIMEOUT = env.int("CELERY_BROKER_CONNECTION_TIMEOUT", default=3)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "sweep-deadlines": {"task": "authorizations.sweep_deadlines", "schedule": 60.0},
    "republish-pending-notifications": {"task": "notifications.republish_pending", "schedule": 60.0},
    # Daily: recompute the audit chain so tampering is found within a day.
    "verify-audit-chain": {"task": "audit.verify_chain", "schedule": 24 * 60 * 60.0},
    # Webhook deliveries whose backoff has expired, or that were never handed to the broker.
    "retry-due-webhooks": {"task": "webhooks.retry_due", "schedule": 30.0},
    # Hourly: idempotency keys past their lifetime; daily: finished webhook deliveries past their retention.
    "prune-idempotency-keys": {"task": "api.prune_idempotency_keys", "schedule": 60 * 60.0},
    "prune-webhook-deliveries": {"task": "webhooks.prune_deliveries", "schedule": 24 * 60 * 60.0},
}
# A repeated Idempotency-Key replays the first response for this long; one "in progress" this long is released.
TIERFLOW_IDEMPOTENCY_KEY_HOURS = env.int("TIERFLOW_IDEMPOTENCY_KEY_HOURS", default=24)
TIERFLOW_IDEMPOTENCY_IN_PROGRESS_SECONDS = env.int("TIERFLOW_IDEMPOTENCY_IN_PROGRESS_SECONDS", default=300)
TIERFLOW_WEBHOOK_RETENTION_DAYS = env.int("TIERFLOW_WEBHOOK_RETENTION_DAYS", default=30)

# --- Notifications ---
# A claim older than this is taken to belong to a dead worker and may be taken over (keep it above EMAIL_TIMEOUT).
NOTIFICATION_CLAIM_TIMEOUT = env.int("NOTIFICATION_CLAIM_TIMEOUT_SECONDS", default=300)
NOTIFICATION_MESSAGE_ID_DOMAIN = env.str("NOTIFICATION_MESSAGE_ID_DOMAIN", default="tierflow.localhost")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Email (Django 6.1 mailers) from the environment: EMAIL_BACKEND picks the backend (see below;
# `make run` uses the file backend under var/mail), EMAIL_HOST & co. configure SMTP.
# Unset: the console in development, SMTP (EMAIL_HOST & co.) in production, so a deployment never drops mail silently.
_EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default=
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": env.str("EMAIL_HOST", default="localhost"), "port": env.int("EMAIL_PORT", default=25),
        "username": env.str("EMAIL_HOST_USER", default=""), "password": env.str("EMAIL_HOST_PASSWORD", default=""),
        "use_tls": env.bool("EMAIL_USE_TLS", default=False), "use_ssl": env.bool("EMAIL_USE_SSL", default=False),
        "timeout": env.int("EMAIL_TIMEOUT", default=30),
    }
elif _EMAIL_BACKEND.endswith(("filebased.EmailBackend", "FileBackend")):  # the file backend or a subclass
    _EMAIL_OPTIONS = {"file_path": env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))}
else:
    _EMAIL_OPTIONS = {}
# EMAIL_URL, when set, wins: smtp://user:pass@host:587?tls=1, smtps://… (SSL), console://, file:///path.
_EMAIL_URL = env.str("EMAIL_URL", default="")
if _EMAIL_URL:
    from urllib.parse import parse_qs, unquote, urlparse

    _url = urlparse(_EMAIL_URL)
    _query = {k: v[-1] for k, v in parse_qs(_url.query).items()}
    if _url.scheme in ("smtp", "smtps"):
        _EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        _EMAIL_OPTIONS = {
            "host": _url.hostname or "localhost", "port": _url.port or (465 if _url.scheme == "smtps" else 25),
            "username": unquote(_url.username or ""), "password": unquote(_url.password or ""),
            "use_tls": _query.get("tls", "0") in ("1", "true", "yes"), "use_ssl": _url.scheme == "smtps",
            "timeout": env.int("EMAIL_TIMEOUT", default=30),
        }
    elif _url.scheme == "console":
        _EMAIL_BACKEND, _EMAIL_OPTIONS = "django.core.mail.backends.console.EmailBackend", {}
    elif _url.scheme == "file":
        _EMAIL_BACKEND, _EMAIL_OPTIONS = "django.core.mail.backends.filebased.EmailBackend", {"file_path": _url.path}
    else:
        raise ImproperlyConfigured(f"EMAIL_URL must start with smtp://, smtps://, console:// or file://, got {_url.scheme!r}")
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}

# `make bench` only: serves /bench/constant/, the bare-view baseline of the status-read figure.
TIERFLOW_BENCH_URLS = env.bool("TIERFLOW_BENCH_URLS", default=False)
# --- Security: lockout, two-factor, sessions, headers ----------------------------------

# The client's address (throttles, lockout, audit rows): X-Forwarded-For is read only through this many
# proxies of our own (apps/accounts/addresses.py); 0 unless TIERFLOW_BEHIND_TLS_PROXY says there is one.
TIERFLOW_TRUSTED_PROXIES = env.int("TIERFLOW_TRUSTED_PROXIES", default=1 if env.bool("TIERFLOW_BEHIND_TLS_PROXY", default=False) else 0)
REST_FRAMEWORK["NUM_PROXIES"] = TIERFLOW_TRUSTED_PROXIES
AXES_CLIENT_IP_CALLABLE = "apps.accounts.addresses.client_address"
# django-axes: lock a username from one address after N failures in the cool-off window (another address, or
# another user behind the same address, is not locked); before that, each failure earns a doubling delay.
AXES_FAILURE_LIMIT = env.int("TIERFLOW_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("TIERFLOW_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "apps.accounts.lockout.DelayingDatabaseHandler"
# A try refused while locked or delayed neither counts nor extends the lock (the message says how long is left).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
TIERFLOW_LOGIN_DELAY_SECONDS = env.int("TIERFLOW_LOGIN_DELAY_SECONDS", default=1)
# Failed sign-ins from one address across all usernames, per minute, before that address waits out the minute.
TIERFLOW_SIGNIN_FAILURES_PER_ADDRESS_PER_MINUTE = env.int("TIERFLOW_SIGNIN_FAILURES_PER_ADDRESS_PER_MINUTE", default=30)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# JSON in the API's error body on /api/ (the token endpoint), the page above elsewhere; 429 with Retry-After.
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"
AXES_VERBOSE = False
# TOTP (django-otp) for approvers, supervisors and staff: on unless DEBUG (make run, the default tests).
TIERFLOW_REQUIRE_2FA = env.bool("TIERFLOW_REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = "Tierflow"
TIERFLOW_STAFF_SESSION_SECONDS = env.int("TIERFLOW_STAFF_SESSION_SECONDS", default=30 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Django's own Content-Security-Policy (django.middleware.csp): no inline script or style anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("TIERFLOW_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# django-pghistory: stamp each configuration change with the moment it was made, not its transaction's start,
# so it compares exactly with the audit log's timestamps ("did they hold the role at that moment?").
PGHISTORY_CREATED_AT_FUNCTION = "CLOCK_TIMESTAMP()"
# Only configuration changes are tracked and no GET writes them: reads skip pghistory's per-statement context prefix.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Uploaded documents: under VAR_DIR (outside any web root, no MEDIA_URL route), readable by the app only.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
