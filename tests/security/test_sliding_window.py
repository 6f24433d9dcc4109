"""The rate limits count in a sliding window: a burst at the end of one fixed window is not followed by a
second full burst at the start of the next, people within the rate are never refused, and the Retry-After
of a refusal is exactly long enough."""

from __future__ import annotations

import math
import random

import pytest

from core import ratelimit
from core.ratelimit import Counts

LIMIT, SECONDS = 20, 600


def ask(client: str, now: float, limit: int = LIMIT, seconds: int = SECONDS) -> int | None:
    return ratelimit.retry_after("sliding", client, limit, seconds, now)


@pytest.mark.django_db
def test_a_burst_across_a_windows_end_is_not_let_through_twice():
    assert [ask("burst", 599.0) for _ in range(20)] == [None] * 20  # the end of the window 0-600
    refused = [ask("burst", 600.5) for _ in range(20)]  # a fixed window would start again at 0 here
    assert None not in refused
    assert refused[0] == 30  # by 630 a twentieth of the 20 has faded: room for one
    assert ask("burst", 630.0) is None
    assert ask("burst", 630.0) is not None


@pytest.mark.django_db
def test_people_within_the_rate_are_never_refused():
    # 20 per 600 s is one per 30 s on average; one every 33 s for two hours
    assert all(ask("steady", 7.0 + 33 * n) is None for n in range(220))


@pytest.mark.django_db
def test_in_any_stretch_of_time_at_most_the_limit_and_its_share_of_the_stretch_get_through():
    """A fixed window lets twice the limit through in a moment across its end; the sliding window lets
    through at most limit x (1 + stretch / window) in any stretch of time, so a burst gets the limit."""
    rng = random.Random(20261202)
    moments, now = [], 0.0
    while now < 6 * SECONDS:
        # bursts of requests, then pauses, with the clock crossing window ends at random places
        now += rng.choice([0.01, 0.5, 3.0, 40.0, 250.0])
        moments.extend([now] * rng.choice([1, 1, 2, 5, 15]))
    through = [t for t in moments if ask("stream", t) is None]
    assert 0 < len(through) < len(moments)
    for stretch in (1.0, 30.0, 300.0, SECONDS):
        most = max(sum(1 for u in through if t - stretch < u <= t) for t in through)
        assert most <= math.floor(LIMIT * (1 + stretch / SECONDS)), stretch
    assert max(sum(1 for u in through if t - 1.0 < u <= t) for t in through) <= LIMIT


def fits(counts: Counts, limit: int, moment: float) -> bool:
    """Whether one more request at `moment` (no other request before it) fits the limit."""
    ends = counts.start + counts.seconds
    if moment < ends:
        return counts.load(moment) + 1 <= limit
    if moment < ends + counts.seconds:
        return Counts(0, counts.current, ends, counts.seconds).load(moment) + 1 <= limit
    return 1 <= limit


def test_the_wait_is_exactly_long_enough():
    rng = random.Random(7)
    for _ in range(2_000):
        limit, seconds = rng.choice([(1, 60), (2, 60), (20, 600), (240, 60), (200, 3600)])
        counts = Counts(rng.randint(0, limit + 3), rng.randint(0, 2 * limit), 6_000.0, seconds)
        now = counts.start + rng.uniform(0, seconds - 1e-6)
        if fits(counts, limit, now):
            continue
        wait = counts.wait(limit, now)
        assert wait >= 1
        assert fits(counts, limit, now + wait), (counts, limit, now, wait)
        assert wait == 1 or not fits(counts, limit, now + wait - 1), (counts, limit, now, wait)


@pytest.mark.django_db
def test_a_refused_request_is_not_counted_so_waiting_as_told_is_enough():
    assert [ask("patient", 10.0, limit=3, seconds=60) for _ in range(3)] == [None] * 3
    waits = [ask("patient", 20.0 + n, limit=3, seconds=60) for n in range(10)]  # ten tries while refused
    assert None not in waits
    assert ask("patient", 29.0 + waits[-1], limit=3, seconds=60) is None  # the tries did not lengthen it
    assert ratelimit.current_counts("sliding", "patient", 60, now=29.0 + waits[-1]).load(29.0 + waits[-1]) <= 3
