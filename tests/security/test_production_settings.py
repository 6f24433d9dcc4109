"""Production configuration comes from the environment only, fails loudly, and passes check --deploy."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = secrets.token_urlsafe(48)  # 64 characters
PRODUCTION = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": SECRET, "DJANGO_ALLOWED_HOSTS": "example.org"}
# Who runs the site (the Impressum): without it `check --deploy` warns (core.W001).
OPERATOR = {
    "DJANGO_OPERATOR_NAME": "Ruhrpfad Beratung GmbH",
    "DJANGO_OPERATOR_ADDRESS": "Rheinische Straße 1\\n44137 Dortmund",
    "DJANGO_OPERATOR_EMAIL": "kontakt@ruhrpfad.example",
}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Python in a clean environment: none of this machine's DJANGO_*, DATABASE_URL or REDIS_URL."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


SHOW_SETTINGS = """
import json
import config.settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": s.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_REFERRER_POLICY": s.SECURE_REFERRER_POLICY,
    "STATICFILES": s.STORAGES["staticfiles"]["BACKEND"],
    "CACHE": s.CACHES["default"]["BACKEND"],
    "CACHE_LOCATION": s.CACHES["default"]["LOCATION"],
    "SESSION_ENGINE": s.SESSION_ENGINE,
    "RATELIMITS": s.RATELIMITS,
    "LOG_FORMATTER": s.LOGGING["handlers"]["console"]["formatter"],
    "AXES": [s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), s.AXES_LOCKOUT_PARAMETERS],
    "BACKENDS": s.AUTHENTICATION_BACKENDS,
    "DATA_UPLOAD_MAX_MEMORY_SIZE": s.DATA_UPLOAD_MAX_MEMORY_SIZE,
    "DATABASE_ENGINE": s.DATABASES["default"]["ENGINE"],
    "CONNECT_TIMEOUT": s.DATABASES["default"].get("OPTIONS", {}).get("connect_timeout"),
    "OPERATOR_ADDRESS": s.OPERATOR_ADDRESS,
}))
"""


def production_settings(**env: str) -> dict:
    result = run(["-c", SHOW_SETTINGS], **{**PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """The static files collected as a deploy does, with its settings (the manifest check core.E001 needs them),
    into a folder of the test's own: into the checkout's staticfiles/ they replaced what `make static` had put."""
    deploy = {**PRODUCTION, "DJANGO_STATIC_ROOT": str(tmp_path_factory.mktemp("static"))}
    result = run(["manage.py", "collectstatic", "--no-input", "-v", "0"], **deploy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (Path(deploy["DJANGO_STATIC_ROOT"]) / "staticfiles.json").exists()
    return deploy


def test_check_deploy_reports_nothing_under_production_settings(collected):
    result = run(["manage.py", "check", "--deploy"], **collected, **OPERATOR)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_the_impressum_lacks_the_operator(collected):
    result = run(["manage.py", "check", "--deploy"], **collected)
    assert result.returncode == 0, result.stdout + result.stderr  # a warning: the deploy goes on, and says so
    output = result.stdout + result.stderr
    assert "core.W001" in output and "DJANGO_OPERATOR_NAME" in output
    silenced = run(["manage.py", "check", "--deploy"], **collected, DJANGO_SILENCED_SYSTEM_CHECKS="core.W001")
    assert "no issues" in silenced.stdout, silenced.stdout + silenced.stderr


def test_a_multi_line_address_takes_line_breaks_or_a_written_backslash_n():
    assert production_settings(**OPERATOR)["OPERATOR_ADDRESS"] == ["Rheinische Straße 1", "44137 Dortmund"]
    typed = production_settings(DJANGO_OPERATOR_ADDRESS="Rheinische Straße 1\n\n 44137 Dortmund ")
    assert typed["OPERATOR_ADDRESS"] == ["Rheinische Straße 1", "44137 Dortmund"]


def test_production_settings_are_strict():
    s = production_settings()
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SECURE_HSTS_SECONDS"] >= 31_536_000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_REFERRER_POLICY"] == "same-origin"
    assert s["STATICFILES"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert s["LOG_FORMATTER"] == "json"
    assert s["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 256 * 1024
    assert s["AXES"] == [5, 900.0, [["username", "ip_address"]]]
    assert s["BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"


def test_shared_state_lives_in_the_database_or_in_redis():
    s = production_settings()
    assert s["CACHE"] == "django.core.cache.backends.db.DatabaseCache"
    assert s["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert s["RATELIMITS"] == {  # the documented defaults (README, Production)
        "start": [20, 600],
        "answer": [240, 60],
        "signup": [20, 600],
        "password_reset": [20, 600],
        "login_failures": [200, 3600],
        "pdf": [60, 600],
        "results": [120, 600],
    }
    with_redis = production_settings(
        REDIS_URL="redis://127.0.0.1:6390/0",
        DATABASE_URL="postgres://app:secret@db.internal:5432/revierpfad",
        DJANGO_RATELIMIT_START="100/60",
    )
    assert with_redis["CACHE"] == "django.core.cache.backends.redis.RedisCache"
    assert with_redis["CACHE_LOCATION"] == "redis://127.0.0.1:6390/0"
    assert with_redis["DATABASE_ENGINE"] == "django.db.backends.postgresql"
    assert with_redis["CONNECT_TIMEOUT"] == 5
    assert with_redis["RATELIMITS"]["start"] == [100, 60]


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "too-short"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY_FALLBACKS": "old-and-short"}, "DJANGO_SECRET_KEY_FALLBACKS"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"DJANGO_RATELIMIT_ANSWER": "240 per minute"}, "DJANGO_RATELIMIT_ANSWER"),
        ({"DJANGO_RATELIMIT_START": "0/600"}, "DJANGO_RATELIMIT_START"),
        ({"DJANGO_TRUSTED_PROXY_COUNT": "one"}, "DJANGO_TRUSTED_PROXY_COUNT"),
        ({"DJANGO_TRUSTED_PROXY_COUNT": "-1"}, "DJANGO_TRUSTED_PROXY_COUNT"),
        # a retention of 0 days or less would delete attempts in progress, login records, open sharpenings
        ({"ASSESSMENT_RETENTION_DAYS": "0"}, "ASSESSMENT_RETENTION_DAYS"),
        ({"LOGIN_RECORD_RETENTION_DAYS": "-3"}, "LOGIN_RECORD_RETENTION_DAYS"),
        ({"SHARPEN_IDLE_DAYS": "0"}, "SHARPEN_IDLE_DAYS"),
        ({"ASSESSMENT_RETENTION_DAYS": "99999999999"}, "ASSESSMENT_RETENTION_DAYS"),
        ({"DJANGO_AXES_FAILURE_LIMIT": "0"}, "DJANGO_AXES_FAILURE_LIMIT"),
        ({"IMPORT_BACKGROUND_ROWS": "0"}, "IMPORT_BACKGROUND_ROWS"),
        ({"EMAIL_PORT": "70000"}, "EMAIL_PORT"),
        ({"DJANGO_LOG_FORMAT": "xml"}, "DJANGO_LOG_FORMAT"),
        ({"DJANGO_OPERATOR_EMAIL": "kontakt at ruhrpfad"}, "DJANGO_OPERATOR_EMAIL"),
    ],
)
def test_a_missing_or_bad_setting_stops_the_app_with_its_name(env, named):
    result = run(["-c", "import config.settings"], **{**PRODUCTION, **env})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and named in result.stderr
