"""Revierpfad settings: one file, configured from the environment.

Development defaults apply unless DJANGO_DEBUG=0; then SECRET_KEY and ALLOWED_HOSTS
must come from the environment, and the app refuses to start without them.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.logging import logging_config
from core.validators import MOST_DAYS

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name: str, default: str, *, least: int | None = None, most: int | None = None) -> int:
    """A whole number from the environment, within `least` and `most` where given: a retention of 0 days would
    delete what is still kept, and the management commands only check a value given on their command line."""
    value = os.getenv(name, default)
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None
    if least is not None and number < least:
        raise ImproperlyConfigured(f"{name} must be at least {least}, got {number}")
    if most is not None and number > most:
        raise ImproperlyConfigured(f"{name} must be at most {most}, got {number}")
    return number


def envlist(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.getenv(name, default).split(",") if part.strip()]


def envlines(name: str) -> list[str]:
    """A multi-line value, e.g. a postal address: lines split at real line breaks or at a written "\\n" (an env
    file or a unit file holds one line per variable); blank lines dropped."""
    value = os.getenv(name, "").replace("\\n", "\n")
    return [line.strip() for line in value.splitlines() if line.strip()]


def envemail(name: str) -> str:
    """An e-mail address, or "" when unset."""
    value = os.getenv(name, "").strip()
    if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise ImproperlyConfigured(f"{name} must be an e-mail address, got {value!r}")
    return value


def envrate(name: str, default: str) -> tuple[int, int]:
    """A rate limit as "requests/seconds", e.g. "20/600"."""
    value = os.getenv(name, default)
    count, _slash, seconds = value.partition("/")
    try:
        rate = (int(count), int(seconds))
    except ValueError:
        rate = (0, 0)
    if rate[0] < 1 or rate[1] < 1:
        raise ImproperlyConfigured(f"{name} must be requests/seconds with two positive integers, got {value!r}")
    return rate


DEBUG = envbool("DJANGO_DEBUG", "1")

if DEBUG:
    SECRET_KEY = os.getenv("DJANGO_SECRET_KEY", "insecure-development-key-never-use-in-production")
else:
    SECRET_KEY = os.getenv("DJANGO_SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to at least 50 random characters")

# Keys rotated out of DJANGO_SECRET_KEY, comma-separated: sessions, mailed links and the keys of stored feedback made
# with them keep working (and deleting an attempt finds its feedback) until they are removed.
SECRET_KEY_FALLBACKS = envlist("DJANGO_SECRET_KEY_FALLBACKS", "")
if not DEBUG and any(len(key) < 50 for key in SECRET_KEY_FALLBACKS):
    raise ImproperlyConfigured("each key in DJANGO_SECRET_KEY_FALLBACKS must be at least 50 characters long")

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name the hosts this site is served on")
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", "")
# How many proxies (load balancer, TLS terminator) stand in front of the app and append to
# X-Forwarded-For; 0 trusts none and takes REMOTE_ADDR. Used for rate limits and login lockouts.
TRUSTED_PROXY_COUNT = envint("DJANGO_TRUSTED_PROXY_COUNT", "0", least=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "csp",
    "django_htmx",
    "axes",  # login lockouts (admin and accounts)
    "template_partials.apps.SimpleAppConfig",
    "import_export",
    "simple_history",
    "django_tasks",  # background tasks (the backport of Django 6's django.tasks)
    "core.task_app.BackgroundTasksConfig",  # django_tasks_db: kept in the database, run by `manage.py db_worker`
    "core",  # generic: rate limits, request checks and logs, error pages
    "assessment",
    "recommendations",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",  # first: every log line of a request carries its id
    "core.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.locale.GermanFirstLocaleMiddleware",
    "core.middleware.NoStoreForTokenPagesMiddleware",  # outside CommonMiddleware: its slash redirects too
    "django.middleware.common.CommonMiddleware",
    "core.middleware.HtmxWholePageErrorMiddleware",  # outside the CSRF check: its 403 page is a whole page too
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # records who changed a catalogue entry
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.ControlCharacterPathMiddleware",  # inside CSP and the locale: its 404 page gets both
    "core.middleware.RequestSanityMiddleware",  # NUL bytes and overlong values: 400, before any view
    "core.middleware.LoginFailureLimitMiddleware",  # failed logins per client, across user names
    "core.middleware.MethodNotAllowedPageMiddleware",
    "core.middleware.InvalidFormStatusMiddleware",  # a refused form answers 400, in Django's own views too
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

_template_loaders = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "config.locale.language_next",
                "config.locale.english_hint",
                "core.legal.link_lifetime",
            ],
            # Django 6 has partials built in; on 5.2 the backport provides the same
            # {% partialdef %} tag and "template.html#partial" names.
            "builtins": ["template_partials.templatetags.partials"],
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [("django.template.loaders.cached.Loader", _template_loaders)] if not DEBUG else _template_loaders,
                )
            ],
        },
    }
]

# Widgets render through TEMPLATES, so templates/ can override a widget's template as any other (Django's default
# renderer looks only in the apps): templates/admin/widgets/split_datetime.html labels the date and time boxes.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", "60", least=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A transaction takes the write lock when it begins (not when it first writes, where two readers that
    # both want to write deadlock at once with "database is locked"), and waits up to 20 s for it.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # An unreachable server is an error after a few seconds (the 503 page), not a hung worker.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = envint("DATABASE_CONNECT_TIMEOUT", "5", least=1)
    if os.environ.get("TEST_DB_SUFFIX"):  # two test runs on one server do not share (and drop) one test database
        DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}{os.environ['TEST_DB_SUFFIX']}"}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared memory, for the test database: the browser tests' live server then reads
    # it through its own connection, as a real server would.
    # TEST_DB_SUFFIX lets two test runs share one checkout without sharing a database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db{os.environ.get('TEST_DB_SUFFIX', '')}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Everything several app servers must share lives in PostgreSQL or Redis: sessions in the database, rate-limit
# counters in Redis when REDIS_URL is set, else in core_ratecounter rows (core/ratelimit.py), the shared cache in
# Redis or the database cache table made by `manage.py createcachetable`, the active model version in a
# ModelVersion row.
REDIS_URL = os.getenv("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must be a redis://, rediss:// or unix:// URL, got {REDIS_URL!r}")
CACHES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
        # Each write counts the table's rows, and culling (expired rows first) starts above MAX_ENTRIES:
        # 5000 rows stay quick to count and hold the counters of about 2000 clients at once.
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    # Rendered fragments of the results page ({% cache ... using="fragments" %}), per process: keyed on a
    # digest of everything each fragment shows, so nothing needs invalidating and a shared cache would only
    # add a round trip per fragment.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "revierpfad-fragments",
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": 400},
    },
}
# the session holds the "continue" hint (the attempt this browser has open), a login, where a mailed link leads on
# after it, and Django's password-reset token while a new password is chosen
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Background tasks (training the role-fit model, calibrating items, the nightly clean-up) are kept in the
# database and run by a separate worker process, `manage.py db_worker` (`make run` and `make serve` start one):
# a web request only enqueues them.
# The same backend everywhere; tests run the queued tasks with `db_worker --batch`.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Rate limits per client (an IPv4 address or an IPv6 /64), as (requests, seconds): starting assessments,
# answer posts, signups and password reset requests (each sends a mail), and failed logins across all user
# names. Counted in Redis when REDIS_URL is set, else in the table core_ratecounter (core/ratelimit.py). The
# failed-login limit is high enough for a university or city network behind one address; django-axes locks one
# user name much sooner.
RATELIMITS = {
    "start": envrate("DJANGO_RATELIMIT_START", "20/600"),
    "answer": envrate("DJANGO_RATELIMIT_ANSWER", "240/60"),
    "signup": envrate("DJANGO_RATELIMIT_SIGNUP", "20/600"),
    "password_reset": envrate("DJANGO_RATELIMIT_PASSWORD_RESET", "20/600"),
    "login_failures": envrate("DJANGO_RATELIMIT_LOGIN_FAILURES", "200/3600"),
    # a PDF costs the server about a second and a half: one client cannot keep every worker rendering them
    "pdf": envrate("DJANGO_RATELIMIT_PDF", "60/600"),
    # the results page's posts (the target role and limits chosen, a course marked done, feedback, keeping, sharing,
    # deleting, computing anew): most compute the learning path or the result again. A person marking every course of
    # a long path done and back sends a few dozen; 120 in 10 minutes leaves room for several people behind one address.
    "results": envrate("DJANGO_RATELIMIT_RESULTS", "120/600"),
}
# The views whose posts check a password and count towards "login_failures" (URL names, as LOGIN_URL): core's
# middleware limits them without naming routes of the apps above it.
LOGIN_FAILURE_VIEWS = ("login", "admin:login", "delete-account")

# django-axes: 5 failed logins (admin or account) for one username from one address lock that pair out
# for 15 minutes; the attempts are kept in the database, so every app server sees them.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("DJANGO_AXES_FAILURE_LIMIT", "5", least=1)
AXES_COOLOFF_TIME = timedelta(minutes=15)  # templates/lockout.html says so
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_ip"
AXES_CLIENT_STR_CALLABLE = "core.ratelimit.pseudonymous_client"  # no username or address in the logs
# django-axes records every login (e-mail, address, browser) in axes_accesslog; `manage.py purge_login_records`
# deletes those records, and old failed attempts, after this many days (in the nightly clean-up, core.housekeeping).
LOGIN_RECORD_RETENTION_DAYS = envint("LOGIN_RECORD_RETENTION_DAYS", "30", least=1, most=MOST_DAYS)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# E-mail (the links that confirm a signup and reset a password): printed on the console while DEBUG is on, sent
# by SMTP otherwise.
EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25", least=1, most=65_535)
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "10", least=1)  # seconds: a mail server that hangs must not hang the signup
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "Revierpfad <revierpfad@localhost>")
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # a mailed link works for 3 days (pages and mails say so: core.legal.link_days)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my-results"
LOGOUT_REDIRECT_URL = "assessment:home"
# Unfinished assessments (anonymous or begun in an account) are deleted after this many days untouched
# (manage.py purge_assessments).
ASSESSMENT_RETENTION_DAYS = envint("ASSESSMENT_RETENTION_DAYS", "30", least=1, most=MOST_DAYS)
# "Ergebnis schärfen" left untouched this many days is ended with the answers given (manage.py end_sharpenings):
# while it is open, the result's page, downloads and share link show no result.
SHARPEN_IDLE_DAYS = envint("SHARPEN_IDLE_DAYS", "2", least=1, most=MOST_DAYS)

# Who runs this site, for the legal notice (/impressum/, § 5 DDG) and the privacy notice (/datenschutz/,
# Art. 13 DSGVO). Only the operator can say; never invented here. Missing name, address or e-mail: the pages
# say the operator has not filled them in, and `check --deploy` warns (core.W001). Multi-line values take
# real line breaks or "\n".
OPERATOR_NAME = os.getenv("DJANGO_OPERATOR_NAME", "").strip()
OPERATOR_ADDRESS = envlines("DJANGO_OPERATOR_ADDRESS")  # a postal address where the operator can be served
OPERATOR_EMAIL = envemail("DJANGO_OPERATOR_EMAIL")
OPERATOR_PHONE = os.getenv("DJANGO_OPERATOR_PHONE", "").strip()  # optional
# Optional: what § 5 DDG further asks of some operators (legal form and who represents it, register and number,
# VAT ID), one per line.
OPERATOR_DETAILS = envlines("DJANGO_OPERATOR_DETAILS")
PRIVACY_CONTACT = envlines("DJANGO_PRIVACY_CONTACT")  # optional: the data protection officer, name and how to reach
HOSTING_PROVIDER = envlines("DJANGO_HOSTING_PROVIDER")  # optional: whose servers the app runs on (Art. 28 DSGVO)
# System checks to leave out, comma-separated: e.g. core.W001 for an installation only an intranet reaches.
SILENCED_SYSTEM_CHECKS = envlist("DJANGO_SILENCED_SYSTEM_CHECKS", "")

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [
    BASE_DIR / "locale",
    BASE_DIR / "config" / "locale",
]  # the second: better German for some of Django's own texts
FORMAT_MODULE_PATH = ["config.formats"]  # English dates with the day first (config/formats/en)
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# where collectstatic writes (a relative DJANGO_STATIC_ROOT is read from the project folder, as the default is)
STATIC_ROOT = BASE_DIR / (os.environ.get("DJANGO_STATIC_ROOT") or "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security: sensible in development, strict when DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
# Tokens are in our URLs, so no other site may see them as a referrer: "same-origin" sends the
# Referer only to ourselves. Not "no-referrer": with it browsers send "Origin: null" on form posts,
# and Django's CSRF check over HTTPS then refuses every form.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
CSRF_FAILURE_VIEW = "core.views.csrf_failure"  # with htmx: the message in place, the form as it was
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True  # only the server reads it
LANGUAGE_COOKIE_SAMESITE: Final = "Lax"
# Set by the language switch beside the language cookie, with its lifetime and flags (config.locale): an attempt's
# link sets the language cookie too, and only a language chosen at the switch stands against the link.
LANGUAGE_CHOSEN_COOKIE_NAME: Final = "language_chosen"
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # the proxy in front must set it
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer probes over plain HTTP
SECURE_HSTS_SECONDS = 0 if DEBUG else envint("DJANGO_HSTS_SECONDS", "31536000", least=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Content Security Policy (django-csp): no inline scripts or styles, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
# Catalogue imports in the admin: the largest file accepted, and the most an XLSX (a zip archive) may unpack to.
IMPORT_MAX_UPLOAD_BYTES = envint("IMPORT_MAX_UPLOAD_BYTES", str(10_000_000), least=1)
IMPORT_MAX_UNPACKED_BYTES = envint("IMPORT_MAX_UNPACKED_BYTES", str(50_000_000), least=1)
# Imports of more rows than this are checked and written by the background worker (manage.py db_worker).
IMPORT_BACKGROUND_ROWS = envint("IMPORT_BACKGROUND_ROWS", "500", least=1)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# One line per record on stderr: JSON lines when DEBUG is off (or DJANGO_LOG_FORMAT=json), with the
# request id; tokens in paths are masked (config/logging.py).
LOG_FORMAT = os.getenv("DJANGO_LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING = logging_config(json_lines=LOG_FORMAT == "json", level=os.getenv("DJANGO_LOG_LEVEL", "INFO"))
