"""Rate limits count exactly: parallel requests, a full cache, IPv6 networks, signups, password resets and failed
logins."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessment.models import Assessment
from core import ratelimit
from core.models import RateCounter

START = reverse("assessment:start")


@pytest.fixture(autouse=True)
def inside_one_window(monkeypatch):
    """The tests here are about counting: the limiter's clock stands still in the middle of a window, so
    no request of the previous window fades out while a test runs (the sliding window is tested in
    tests/security/test_sliding_window.py)."""
    middle = (int(time.time() // 600) + 0.5) * 600
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: middle))


def parallel_starts(count: int, address: str) -> list[int]:
    """`count` start posts from one address at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    lock = threading.Lock()

    def post() -> None:
        try:
            barrier.wait(timeout=30)
            status = Client(REMOTE_ADDR=address).post(START).status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_starts_against_a_limit_of_twenty_let_at_most_twenty_through(content_and_model, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "start": (20, 600)}
    statuses = parallel_starts(40, "203.0.113.60")
    assert len(statuses) == 40
    assert statuses.count(302) <= 20
    assert statuses.count(302) + statuses.count(429) == 40  # refused with the 429 page, never an error
    assert Assessment.objects.count() == statuses.count(302) <= 20


@pytest.mark.django_db(transaction=True)
def test_a_full_cache_does_not_reset_a_limit(content_and_model, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "start": (20, 600)}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            "OPTIONS": {"MAX_ENTRIES": 50, "CULL_FREQUENCY": 2},  # a full cache drops its lowest keys
        }
    }
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)
    busy = Client(REMOTE_ADDR="203.0.113.61")
    assert [busy.post(START).status_code for _ in range(20)] == [302] * 20
    for n in range(200):  # what 5,200 other clients did to the database cache in the review
        cache.set(f"zz-filler:{n}", "x")  # culled in key order: after the counters
    assert busy.post(START).status_code == 429
    assert parallel_starts(10, "203.0.113.61").count(302) == 0


@pytest.mark.django_db
def test_one_ipv6_64_network_counts_as_one_client(settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "start": (3, 600)}
    statuses = [Client(REMOTE_ADDR=f"2001:db8:1:2::{n:x}").post(START).status_code for n in range(1, 6)]
    assert statuses == [302, 302, 302, 429, 429]
    assert Client(REMOTE_ADDR="2001:db8:1:3::1").post(START).status_code == 302  # another /64


def test_a_client_network_is_an_ipv4_address_or_an_ipv6_64():
    assert ratelimit.client_network("198.51.100.7") == "198.51.100.7"
    assert ratelimit.client_network("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64"
    assert ratelimit.client_network("::ffff:198.51.100.7") == "198.51.100.7"


@pytest.mark.django_db
def test_signups_are_limited_like_starts(settings, django_user_model):
    settings.RATELIMITS = {**settings.RATELIMITS, "signup": (2, 600)}
    person = Client(REMOTE_ADDR="203.0.113.62")
    signup = reverse("signup")

    def sign_up(n: int):
        password = "a-long-Pass-phrase-9"
        return person.post(signup, {"email": f"p{n}@example.org", "password1": password, "password2": password})

    assert sign_up(1).status_code == 200  # "check your inbox"
    assert sign_up(2).status_code == 200
    refused = sign_up(3)
    assert refused.status_code == 429
    assert "Zu viele Anfragen" in refused.content.decode()
    assert not django_user_model.objects.filter(username="p3@example.org").exists()


@pytest.mark.django_db
def test_password_reset_requests_are_limited_like_signups(settings, django_user_model):
    """Each request sends a mail, to any address: one client may not flood mailboxes through the form."""
    from django.core import mail

    settings.RATELIMITS = {**settings.RATELIMITS, "password_reset": (2, 600)}
    django_user_model.objects.create_user("p3@example.org", "p3@example.org", "a-long-Pass-phrase-9")
    person = Client(REMOTE_ADDR="203.0.113.64")
    reset = reverse("password_reset")
    assert person.get(reset).status_code == 200  # only the posts count
    assert person.post(reset, {"email": "p1@example.org"}).status_code == 302  # "look in your inbox"
    assert person.post(reset, {"email": "p2@example.org"}).status_code == 302
    refused = person.post(reset, {"email": "p3@example.org"})
    assert refused.status_code == 429
    assert "Zu viele Anfragen" in refused.content.decode() and refused["Retry-After"]
    assert [message.to for message in mail.outbox] == [["p1@example.org"], ["p2@example.org"]]
    other = Client(REMOTE_ADDR="198.51.100.64")
    assert other.post(reset, {"email": "p3@example.org"}).status_code == 302


@pytest.mark.django_db
def test_failed_logins_from_one_client_are_limited_across_user_names(settings, django_user_model):
    settings.RATELIMITS = {**settings.RATELIMITS, "login_failures": (3, 3600)}
    django_user_model.objects.create_user("real@example.org", "real@example.org", "a-long-Pass-phrase-9")
    login = reverse("login")
    sprayer = Client(REMOTE_ADDR="203.0.113.63")
    for n in range(3):  # one try per user name: django-axes' lockout of a user name never starts
        response = sprayer.post(login, {"username": f"user{n}@example.org", "password": "Winter2026!"})
        assert response.status_code == 400
    refused = sprayer.post(login, {"username": "real@example.org", "password": "a-long-Pass-phrase-9"})
    assert refused.status_code == 429
    assert refused["Retry-After"]
    other = Client(REMOTE_ADDR="198.51.100.63")
    assert other.post(login, {"username": "real@example.org", "password": "a-long-Pass-phrase-9"}).status_code == 302


@pytest.mark.django_db
def test_counters_of_past_windows_are_deleted():
    ratelimit.retry_after("start", "198.51.100.64", limit=5, seconds=60, now=1_000.0)
    ratelimit.retry_after("start", "198.51.100.65", limit=5, seconds=60, now=1_000.0)
    assert RateCounter.objects.count() == 2
    ratelimit.retry_after("start", "198.51.100.64", limit=5, seconds=60, now=5_000.0)  # a later window
    assert RateCounter.objects.count() == 1
