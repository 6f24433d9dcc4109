"""The rate limiter against a real Redis (with REDIS_URL it counts with INCR + EXPIRE): a redis-server is started
for the test session on a free port, in a temporary directory, with nothing saved to disk."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from typing import cast

import pytest
import redis
from django.test import Client
from django.urls import reverse

from core import ratelimit
from core.models import RateCounter
from tests.servers import free_port

INSTALL = "sudo apt-get install -y redis-server"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A redis-server of our own for this session; the test fails (never skips) when it is not installed."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail(f"redis-server is missing; install it with: {INSTALL}  (make test does it: .ci/system-packages)")
    directory = tmp_path_factory.mktemp("redis")
    port = free_port()
    log = (directory / "redis.log").open("w")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory],
        cwd=directory,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if process.poll() is not None:
                    pytest.fail(f"redis-server stopped at once: {(directory / 'redis.log').read_text()}")
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not answer within 10 seconds")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def real_redis(redis_url, settings):
    """Settings as with REDIS_URL set (Redis as the default cache too, as config/settings.py does), and a
    client to look into the server; each test starts from an empty database."""
    settings.REDIS_URL = redis_url
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url},
    }
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def counters(client: redis.Redis, scope: str) -> dict[bytes, int]:
    return {key: int(cast(bytes, client.get(key))) for key in client.scan_iter(f"*ratelimit:{scope}:*")}


def test_forty_parallel_requests_against_a_limit_of_twenty_let_exactly_twenty_through(real_redis):
    now = time.time()  # one window for all, however long the threads take
    barrier = threading.Barrier(40)
    waits: list[int | None] = []
    lock = threading.Lock()

    def request() -> None:
        barrier.wait(timeout=30)
        wait = ratelimit.retry_after("parallel", "198.51.100.9", 20, 600, now)
        with lock:
            waits.append(wait)

    threads = [threading.Thread(target=request) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(waits) == 40
    assert waits.count(None) == 20
    assert all(1 <= wait <= 2 * 600 for wait in waits if wait is not None)  # never beyond the next window
    # no increment lost, and each refused request taken off again: the counter holds the 20 let through
    assert list(counters(real_redis, "parallel").values()) == [20]
    assert ratelimit.current_counts("parallel", "198.51.100.9", 600, now).current == 20
    (key,) = counters(real_redis, "parallel")
    assert 0 < real_redis.ttl(key) <= 1201  # never a counter without its expiry: this window and the next


def test_an_ipv6_client_is_counted_per_64_network(real_redis):
    now = time.time()
    same_network = ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:ffff"]
    assert [ratelimit.retry_after("v6", address, 3, 600, now) for address in same_network] == [None] * 3
    assert ratelimit.retry_after("v6", "2001:db8:1:2:aaaa::9", 3, 600, now) is not None  # the fourth from the /64
    assert ratelimit.retry_after("v6", "2001:db8:1:3::1", 3, 600, now) is None  # the neighbouring /64 is another
    assert sorted(counters(real_redis, "v6").values()) == [1, 3]  # the refused fourth is not counted


def test_a_counter_expires_with_its_window(real_redis):
    now = time.time()
    assert [ratelimit.retry_after("window", "203.0.113.5", 2, 1, now) is None for _ in range(3)] == [True, True, False]
    (key,) = counters(real_redis, "window")
    assert 0 < real_redis.pttl(key) <= 3000  # the window (1 s), the next, where it still counts, and 1 s grace
    deadline = time.monotonic() + 5
    while real_redis.exists(key) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not real_redis.exists(key)  # Redis forgot it: nothing piles up
    assert ratelimit.retry_after("window", "203.0.113.5", 2, 1) is None  # its requests no longer count


@pytest.mark.django_db
def test_a_view_over_its_limit_answers_429_when_redis_counts(real_redis, settings):
    settings.RATELIMITS = {**settings.RATELIMITS, "start": (2, 600)}
    person = Client(REMOTE_ADDR="203.0.113.77")
    statuses = [person.post(reverse("assessment:start")).status_code for _ in range(3)]
    assert statuses[:2] == [302, 302] and statuses[2] == 429
    assert list(counters(real_redis, "start").values()) == [2]  # the refused one is not counted
    assert not RateCounter.objects.exists()  # nothing in the database when Redis counts


def test_a_burst_across_a_windows_end_is_not_let_through_twice_when_redis_counts(real_redis):
    window_end = (int(time.time() // 600) + 1) * 600.0
    assert [ratelimit.retry_after("edge", "203.0.113.8", 20, 600, window_end - 1) for _ in range(20)] == [None] * 20
    refused = [ratelimit.retry_after("edge", "203.0.113.8", 20, 600, window_end + 0.5) for _ in range(20)]
    assert None not in refused and refused[0] == 30  # by then a twentieth of the earlier 20 has faded
    assert ratelimit.retry_after("edge", "203.0.113.8", 20, 600, window_end + 30) is None
