"""What the tests that start a real server (gunicorn, Redis) share: a free port, and the environment of a production
process that inherits nothing of the test run's own settings."""

from __future__ import annotations

import os
import secrets
import socket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(database_url: str) -> dict[str, str]:
    """This process's environment without its Django, database and Redis settings, as production sets them for one
    gunicorn worker on 127.0.0.1 (DEBUG off, a fresh secret key, no SSL redirect behind no proxy)."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        WEB_CONCURRENCY="1",
    )
    return env
