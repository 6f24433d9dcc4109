"""gunicorn refuses to serve when DJANGO_DEBUG is not set: the settings would start in development mode, with a
public fallback secret key that lets anyone forge a signup or password link."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.servers import production_env

GUNICORN = Path(sys.executable).with_name("gunicorn")


def check_config(env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [str(GUNICORN), "-c", "config/gunicorn.py", "--check-config"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_gunicorn_without_django_debug_refuses_to_start_and_says_why(tmp_path):
    env = {k: v for k, v in production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}").items() if k != "DJANGO_DEBUG"}
    refused = check_config(env)
    assert refused.returncode != 0
    assert "DJANGO_DEBUG is not set" in refused.stdout + refused.stderr


def test_gunicorn_with_django_debug_said_starts(tmp_path):
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    started = check_config(env)
    assert started.returncode == 0, started.stderr[-2000:]
