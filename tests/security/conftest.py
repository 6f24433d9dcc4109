from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def generous_rate_limits(settings):
    """These tests send many requests from one address; the rate-limit tests set their own limits."""
    settings.RATELIMITS = {
        "start": (100_000, 600),
        "answer": (100_000, 60),
        "signup": (100_000, 600),
        "password_reset": (100_000, 600),
        "login_failures": (100_000, 3600),
    }
