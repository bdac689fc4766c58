"""Settings for storyboard, read from the environment (see docs/configuration.md).

The defaults run a fresh clone on SQLite under ./var; every value a deployment changes comes from
an environment variable read through the typed helpers in storyboard.env.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from storyboard.env import (
    ImproperEnv,
    envbool,
    envint,
    envlist,
    envsecret,
    envstr,
    envurl,
    masked,
)
from storyboard.providers.http import DEFAULT_BLOCKED_NETWORKS, origin_of

BASE_DIR = Path(__file__).resolve().parent.parent
# Local state of a self-hosted install (database, generated secrets, media); git-ignored.
VAR_DIR = Path(envstr("STORYBOARD_VAR_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = envbool("DEBUG", False)
# Secrets (these two, DATABASE_URL, REDIS_URL and the S3 keys) may instead be read from the file
# named by <NAME>_FILE (container secrets); setting both is refused.
SECRET_KEY = envsecret("SECRET_KEY", VAR_DIR / "secret_key")
# Encrypts provider credentials and webhook secrets at rest. Separate from SECRET_KEY so rotating
# one does not lose the other; back it up with the database. While rotating it holds several
# keys, comma-separated, newest first (teams/crypto.py, `manage.py rotate_credentials_key`).
STORYBOARD_CREDENTIALS_KEY = envsecret("STORYBOARD_CREDENTIALS_KEY", VAR_DIR / "credentials_key",
                                       several=True)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
# Base URL at which this install's media is reachable from the internet (APIMart fetches
# references by URL; webhooks come back to it). Empty: no public URL.
STORYBOARD_PUBLIC_BASE_URL = envurl("STORYBOARD_PUBLIC_BASE_URL")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "storyboard.admin_site.OperatorsAdminConfig",  # django.contrib.admin, superusers only
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_q",
    "axes",
    "storyboard.teams",
    "storyboard.library",
    "storyboard.boards",
    "storyboard.gallery",
    "storyboard.review",
    "storyboard.jobs",
    "storyboard.webhooks",
    "storyboard.operations",
    "storyboard.shares",
    "storyboard.sequences",
    "ninja",  # the API docs page's static Swagger UI files (no CDN: the CSP allows none)
    "storyboard.api",
    "storyboard.audit",
]

MIDDLEWARE = [
    # First, so every log line of the request carries its id (storyboard/logs.py).
    "storyboard.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "storyboard.middleware.StripNulMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Every view needs a signed-in user unless marked `login_not_required`.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "storyboard.teams.middleware.CurrentTeamMiddleware",
    # The one-time 80 % spending-cap message for owners (storyboard/usage/middleware.py).
    "storyboard.usage.middleware.SpendNoticeMiddleware",
    # Who acts and from where, for the audit rows the actions write (storyboard/audit).
    "storyboard.audit.middleware.AuditContextMiddleware",
    # Last, so that a locked-out login attempt is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "storyboard.urls"
WSGI_APPLICATION = "storyboard.wsgi.application"
ASGI_APPLICATION = "storyboard.asgi.application"

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
                "storyboard.teams.context_processors.current_team",
                "storyboard.review.context_processors.review_queue",
            ],
        },
    }
]


def _database(url: str) -> dict:
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperEnv(f"DATABASE_URL={masked(url)!r}: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        # WAL lets the web server read while the worker writes; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on busy_timeout instead of failing with "database is locked".
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            ),
        }
    elif config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperEnv(f"DATABASE_URL={masked(url)!r}: only sqlite:// and postgres:// are "
                          "supported")
    return config


VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": _database(envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
                                          from_file=True))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = envurl("REDIS_URL", schemes=("redis", "rediss", "unix"), from_file=True)
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-q2: the database row, not the queue, is the truth, so every task is safe to run twice.
# `timeout` must stay below `retry`, or a slow task is handed to a second worker while running.
Q_CLUSTER = {
    # Processes sharing a broker and a database must share this name (and only they).
    "name": envstr("Q_NAME", "storyboard"),
    "workers": envint("Q_WORKERS", 2, minimum=1),
    "timeout": envint("Q_TIMEOUT", 120, minimum=10),
    "retry": envint("Q_RETRY", 180, minimum=20),
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 500,
    "ack_failures": True,
    "label": "Worker",
    # django-q2's own scheduler runs due schedules only every 30 s whatever the guard cycle (it
    # counts seconds); jobs/ticker.py runs them every 2 s in each worker. A short guard cycle
    # still notices a dead worker process sooner.
    "guard_cycle": 0.2,
}
if Q_CLUSTER["timeout"] >= Q_CLUSTER["retry"]:
    raise ImproperEnv(
        f"Q_TIMEOUT ({Q_CLUSTER['timeout']}) must be lower than Q_RETRY ({Q_CLUSTER['retry']})"
    )
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login rate limiting, per user and per address: 10 failures for one username (from anywhere),
# or from one address (for any usernames), pause sign-in for that user or address for 15 minutes.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Reverse proxies in front of the app (addresses or networks, comma-separated): requests from
# them are counted by the client address in X-Forwarded-For instead of the proxy's own.
STORYBOARD_TRUSTED_PROXIES = envlist("STORYBOARD_TRUSTED_PROXIES", [])
for _proxy in STORYBOARD_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperEnv(f"STORYBOARD_TRUSTED_PROXIES: {_proxy!r} is not an IP address or "
                          "network (e.g. 10.0.0.5 or 10.0.0.0/24)") from None
AXES_CLIENT_IP_CALLABLE = "storyboard.client_address.client_address"

# Outbound calls (vendors, media downloads) never reach these networks; the environment adds
# to the built-in private, loopback and link-local ranges (e.g. a cloud's metadata ranges).
STORYBOARD_BLOCKED_NETWORKS = [*DEFAULT_BLOCKED_NETWORKS,
                               *envlist("STORYBOARD_BLOCKED_NETWORKS", [])]
for _network in STORYBOARD_BLOCKED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperEnv(f"STORYBOARD_BLOCKED_NETWORKS: {_network!r} is not a network "
                          "(e.g. 203.0.113.0/24 or 2001:db8::/32)") from None
# The offline vendor sandbox this server runs (its root URL; `studio` sets it): accounts marked
# sandbox must point under it, and only there do their calls reach loopback. The override lets
# sandbox accounts point at any address, loopback included (docs/security.md).
STORYBOARD_SANDBOX_URL = envurl("STORYBOARD_SANDBOX_URL")
if STORYBOARD_SANDBOX_URL and origin_of(STORYBOARD_SANDBOX_URL) is None:
    raise ImproperEnv(f"STORYBOARD_SANDBOX_URL={STORYBOARD_SANDBOX_URL!r}: expected the "
                      "sandbox's root URL, e.g. http://127.0.0.1:8765")
STORYBOARD_ALLOW_ANY_SANDBOX = envbool("STORYBOARD_ALLOW_ANY_SANDBOX", False)
# Lets a webhook be an http:// address on this machine (a local receiver; docs/webhooks.md).
# Private networks stay refused either way.
STORYBOARD_WEBHOOKS_ALLOW_LOOPBACK = envbool("STORYBOARD_WEBHOOKS_ALLOW_LOOPBACK", False)
# Requests one API token may make in a minute; more are answered 429 with Retry-After.
STORYBOARD_API_REQUESTS_PER_MINUTE = envint("STORYBOARD_API_REQUESTS_PER_MINUTE", 120,
                                            minimum=1)

LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request when it is missing
MEDIA_URL = "media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media"))).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Media on an S3-compatible store (AWS, MinIO, R2…) instead of MEDIA_ROOT: needs the `s3` extra
# (`pip install -e '.[s3]'`, django-storages + boto3). Files are always read through the
# storage API; the worker keeps local copies in VAR_DIR/cache when it needs a real file.
STORYBOARD_S3_BUCKET = envstr("STORYBOARD_S3_BUCKET")
if STORYBOARD_S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORYBOARD_S3_BUCKET,
            "endpoint_url": envurl("STORYBOARD_S3_ENDPOINT_URL") or None,
            "region_name": envstr("STORYBOARD_S3_REGION") or None,
            "access_key": envstr("STORYBOARD_S3_ACCESS_KEY", from_file=True) or None,
            "secret_key": envstr("STORYBOARD_S3_SECRET_KEY", from_file=True) or None,
            "location": envstr("STORYBOARD_S3_PREFIX", "media"),
            "file_overwrite": False,
            "default_acl": None,  # private objects: the app serves them after its own checks
            "querystring_auth": True,
        },
    }
# Before the first collectstatic (tests, a fresh checkout) fall back to unhashed names.
WHITENOISE_MANIFEST_STRICT = False
WHITENOISE_USE_FINDERS = DEBUG

# Content-Security-Policy (django-csp): scripts and styles from this site's static files only —
# no inline script, no eval, no inline style — and nothing loaded from anywhere else.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from <body hx-headers>, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Served over HTTPS (directly or behind a proxy that sets X-Forwarded-Proto)?
if envbool("STORYBOARD_HTTPS", False):
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
if envbool("STORYBOARD_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CSRF_FAILURE_VIEW = "storyboard.views.csrf_failure"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# One console handler for everything (Django's own request lines included): each line carries
# its request id, team and job, and passes the redaction filter (storyboard/logs.py).
LOG_FORMAT = envstr("LOG_FORMAT", "plain").strip().lower() or "plain"
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperEnv(f"LOG_FORMAT={LOG_FORMAT!r}: expected plain or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "storyboard.logs.ContextFilter"},
                "redact": {"()": "storyboard.logs.RedactFilter"}},
    "formatters": {"plain": {"()": "storyboard.logs.PlainFormatter"},
                   "json": {"()": "storyboard.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT,
                             "filters": ["context", "redact"]}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # Naming Django's loggers drops the handlers its defaults give them, so their lines (runserver's
    # request lines among them) reach the console handler above, filtered, instead of bypassing it.
    "loggers": {"axes": {"level": "WARNING"}, "httpx": {"level": "WARNING"},
                "django": {"level": "INFO"}, "django.server": {"level": "INFO"}},
}

# This machine's own web address as the local sandbox reaches it (set by `studio`): the sandbox
# fetches media and sends callbacks there. Vendors on the internet use the public URL instead.
STORYBOARD_LOCAL_URL = envurl("STORYBOARD_LOCAL_URL")
# A job not finished this long after submission is "timed out" (and still reconciled if the
# provider finishes later); clips larger than this are refused.
STORYBOARD_JOB_MAX_AGE = envint("STORYBOARD_JOB_MAX_AGE", 2 * 3600, minimum=60)
# How long a worker's claim on a job lasts; after that another worker may pick the job up.
STORYBOARD_JOB_LEASE = envint("STORYBOARD_JOB_LEASE", 90, minimum=2)
# A create that timed out is looked up by our job id (storyboard.jobs.recovery): "nothing there"
# is believed this long after sending, after at most this many lookups, until this age.
STORYBOARD_LOST_CREATE_SETTLE = envint("STORYBOARD_LOST_CREATE_SETTLE", 60, minimum=0)
STORYBOARD_LOST_CREATE_LOOKUPS = envint("STORYBOARD_LOST_CREATE_LOOKUPS", 12, minimum=1)
STORYBOARD_LOST_CREATE_MAX_AGE = envint("STORYBOARD_LOST_CREATE_MAX_AGE", 1800, minimum=60)
# A job whose worker died this many times while submitting it needs attention.
STORYBOARD_SUBMIT_MAX_STALLS = envint("STORYBOARD_SUBMIT_MAX_STALLS", 5, minimum=1)
STORYBOARD_CLIP_MAX_BYTES = envint("STORYBOARD_CLIP_MAX_BYTES", 500 * 1024 * 1024, minimum=1024)

# Invitations expire this many days after they are created.
STORYBOARD_INVITATION_DAYS = envint("STORYBOARD_INVITATION_DAYS", 7, minimum=1)

# Serving media (docs/deployment.md): who sends the bytes once a
# permission-checked view has said yes. "django" streams them from a web thread (tests, tiny
# installs); "media-server" redirects to a short-lived signed link on storyboard.media_server
# (studio's default); "accel" hands the file to nginx (X-Accel-Redirect) or Apache
# (X-Sendfile); "s3-redirect" redirects to a presigned URL on the S3 store.
MEDIA_MODES = ("django", "media-server", "accel", "s3-redirect")
STORYBOARD_MEDIA_MODE = envstr("STORYBOARD_MEDIA_MODE", "django").strip() or "django"
if STORYBOARD_MEDIA_MODE not in MEDIA_MODES:
    raise ImproperEnv(f"STORYBOARD_MEDIA_MODE={STORYBOARD_MEDIA_MODE!r}: expected one of "
                      f"{', '.join(MEDIA_MODES)}")
STORYBOARD_MEDIA_SERVER_URL = envurl("STORYBOARD_MEDIA_SERVER_URL")
if STORYBOARD_MEDIA_MODE == "media-server" and not STORYBOARD_MEDIA_SERVER_URL:
    raise ImproperEnv("STORYBOARD_MEDIA_MODE=media-server needs STORYBOARD_MEDIA_SERVER_URL "
                      "(the address browsers reach storyboard.media_server at)")
if STORYBOARD_MEDIA_MODE == "s3-redirect" and not STORYBOARD_S3_BUCKET:
    raise ImproperEnv("STORYBOARD_MEDIA_MODE=s3-redirect needs STORYBOARD_S3_BUCKET")
if STORYBOARD_MEDIA_MODE == "accel" and STORYBOARD_S3_BUCKET:
    raise ImproperEnv("STORYBOARD_MEDIA_MODE=accel serves files from MEDIA_ROOT; with "
                      "STORYBOARD_S3_BUCKET use s3-redirect")
# Signed media links and presigned URLs expire this many seconds after the view issued them.
STORYBOARD_MEDIA_LINK_SECONDS = envint("STORYBOARD_MEDIA_LINK_SECONDS", 900, minimum=10)
STORYBOARD_MEDIA_ACCEL_HEADER = envstr("STORYBOARD_MEDIA_ACCEL_HEADER", "X-Accel-Redirect")
if STORYBOARD_MEDIA_ACCEL_HEADER not in ("X-Accel-Redirect", "X-Sendfile"):
    raise ImproperEnv(f"STORYBOARD_MEDIA_ACCEL_HEADER={STORYBOARD_MEDIA_ACCEL_HEADER!r}: "
                      "expected X-Accel-Redirect or X-Sendfile")
STORYBOARD_MEDIA_ACCEL_PREFIX = envstr("STORYBOARD_MEDIA_ACCEL_PREFIX", "/protected-media/")
if not (STORYBOARD_MEDIA_ACCEL_PREFIX.startswith("/")
        and STORYBOARD_MEDIA_ACCEL_PREFIX.endswith("/")):
    raise ImproperEnv(f"STORYBOARD_MEDIA_ACCEL_PREFIX={STORYBOARD_MEDIA_ACCEL_PREFIX!r}: "
                      "expected a path starting and ending with /")
# Pages may show media from where it is redirected to (the page CSP checks redirect targets).
STORYBOARD_MEDIA_ORIGINS = envlist("STORYBOARD_MEDIA_ORIGINS", [])
if STORYBOARD_MEDIA_MODE == "media-server":
    _media = urlsplit(STORYBOARD_MEDIA_SERVER_URL)
    STORYBOARD_MEDIA_ORIGINS.append(f"{_media.scheme}://{_media.netloc}")
for _directive in ("img-src", "media-src"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"][_directive] += STORYBOARD_MEDIA_ORIGINS
