"""gunicorn refuses to serve when DJANGO_DEBUG is not set: the settings would start in development mode, with a
public fallback secret key that lets anyone forge a signup or password link."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.servers import free_port, production_env

GUNICORN = Path(sys.executable).with_name("gunicorn")


def start(env: dict[str, str], *extra: str) -> subprocess.Popen:
    command = [str(GUNICORN), "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{free_port()}", "--workers", "1"]
    return subprocess.Popen([*command, *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def without_debug(tmp_path) -> dict[str, str]:
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    return {k: v for k, v in env.items() if k != "DJANGO_DEBUG"}


def test_gunicorn_without_django_debug_refuses_to_start_and_says_why(tmp_path):
    server = start(without_debug(tmp_path))
    output, _ = server.communicate(timeout=60)
    assert server.returncode != 0
    assert "DJANGO_DEBUG is not set" in output


def test_gunicorn_with_django_debug_given_by_its_own_option_starts(tmp_path):
    """gunicorn's -e is a way to say it too: it is applied after the config file is read."""
    server = start(without_debug(tmp_path), "-e", "DJANGO_DEBUG=0")
    try:
        time.sleep(3)
        assert server.poll() is None, server.communicate()[0][-2000:]
    finally:
        server.terminate()
        server.communicate(timeout=30)
