"""The repository holds sources, not what a run makes: a database, compiled translations, collected static files
or benchmark output would go stale the moment they are committed (bench/bench.sqlite3 was, 2.9 MB)."""

from __future__ import annotations

import shutil
import subprocess
from fnmatch import fnmatch
from pathlib import Path

import pytest
from django.conf import settings

# .venv and .uv also as a file: a clone's symbolic link to another checkout's .venv was committed once (".venv/" in
# .gitignore matched directories only), and checking it out replaced that checkout's environment with a link to itself
MADE_BY_A_RUN = (
    "*.sqlite3",
    "*.sqlite3-*",
    "*.mo",
    "*.pyc",
    "staticfiles/*",
    "bench/results/*",
    "test-results/*",
    ".venv",
    ".venv/*",
    ".uv",
    ".uv/*",
)


def test_no_file_a_run_makes_is_committed():
    base = Path(settings.BASE_DIR)
    if shutil.which("git") is None or not (base / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files"], cwd=base, capture_output=True, text=True, check=True).stdout.split()
    assert len(tracked) > 100
    assert not [path for path in tracked if any(fnmatch(path, pattern) for pattern in MADE_BY_A_RUN)]
