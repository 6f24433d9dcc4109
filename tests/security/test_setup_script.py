"""`make test` installs the Debian packages the tests need (as root), or stops with the command that would."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / ".ci" / "system-packages"


def fake_bin(tmp_path: Path, uid: int) -> Path:
    """`id` answering `uid`, and an `apt-get` that only notes how it was called."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/apt-calls\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir


def run(tmp_path: Path, uid: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{fake_bin(tmp_path, uid)}:{os.environ['PATH']}", "CHROMIUM": "/nonexistent/chromium"}
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def test_without_root_it_stops_at_once_with_the_one_command_that_would_install_chromium(tmp_path):
    result = run(tmp_path, uid=1000)
    assert result.returncode == 1
    assert "sudo apt-get update && sudo apt-get install -y chromium" in result.stderr
    assert not (tmp_path / "apt-calls").exists()


def test_as_root_it_installs_what_is_missing(tmp_path):
    result = run(tmp_path, uid=0)
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "apt-calls").read_text()
    assert "install" in calls and "chromium" in calls


def test_make_test_runs_it_before_anything_else():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert recipe.strip().splitlines()[0].strip() == "@bash .ci/system-packages"
