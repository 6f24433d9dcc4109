"""scikit-learn, scipy and skops take seconds to import and hundreds of megabytes: the task worker, a management
command or a web process loads them only when it first uses a model, never by importing the app. A gunicorn worker
loads them on purpose before its first request (recommendations/warmup.py), since every web process ranks roles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("sklearn", "scipy", "skops")
BASE_DIR = Path(__file__).resolve().parents[2]
STARTUP = """
import json, sys
import django
django.setup()
import config.urls  # every view, the admin and its registrations
import config.wsgi
from django.urls import get_resolver
get_resolver().url_patterns  # the URL configuration as a first request resolves it
import recommendations.tasks  # what the worker imports to run a task
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))))
"""


def test_starting_the_app_loads_no_scikit_learn_scipy_or_skops():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", STARTUP, *HEAVY],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
