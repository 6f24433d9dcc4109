"""Per-client rate limits that several app servers count together, exactly, under parallel requests.

A sliding window per client and action: the requests of the last `seconds` are estimated from two fixed
windows, the current one's count plus the previous one's, weighted by the share of it that still lies
within the last `seconds` (as if its requests had been spread evenly). So a burst at the end of one window
cannot be followed by a second full burst at the start of the next, as it can with a fixed window (twice the
limit in a moment). A request that would take the estimate over the limit gets a 429 page with a
Retry-After that holds: a refused request is taken off the count again, so waiting that long is enough.

Each request adds one to the client's counter for the current window in ONE atomic operation:

- a Redis INCR (with an expiry; the previous window's counter is read in the same round trip) when
  REDIS_URL is set, or
- a row of `core.RateCounter`, counted by a single INSERT ... ON CONFLICT DO UPDATE SET count = count + 1
  RETURNING count (PostgreSQL, SQLite 3.35+), when it is not.

Neither is a cache entry, so a full cache (the database cache culls its oldest entries) cannot reset a
limit, and no read-then-write lets parallel requests past it. Rows of windows that no longer count are
deleted when a new window starts.

The limits are read from settings.RATELIMITS at request time (the environment sets them; tests override
them). The client is the address the request came from, or, behind N trusted proxies
(DJANGO_TRUSTED_PROXY_COUNT), the address the nearest trusted proxy saw. An IPv6 client is counted per /64
network, the block one household or host usually gets whole. The client is hashed with the secret key before
it becomes a key, so no address is stored.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.crypto import salted_hmac
from redis.exceptions import RedisError

from core.views import too_many_requests

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)
_warned_unavailable = False
IPV6_PREFIX = 64


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the one the nearest trusted proxy put in X-Forwarded-For."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        # Each trusted proxy appends the address it received from; anything further left was
        # written by the client and can be forged.
        candidate = hops[-proxies] if len(hops) >= proxies else hops[0] if hops else ""
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            pass
    return remote


def client_network(address: str) -> str:
    """What one client is for counting: an IPv4 address, or the /64 network of an IPv6 address (one
    host or household gets a whole /64, so its addresses are not separate clients)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
    return str(ip)


def _key(scope: str, client: str, window: int) -> str:
    digest = salted_hmac("revierpfad.ratelimit", client_network(client)).hexdigest()[:24]
    return f"ratelimit:{scope}:{digest}:{window}"


@dataclass(frozen=True)
class Counts:
    """A client's requests in the current fixed window and in the one before it."""

    current: int
    previous: int
    start: float  # when the current window began (seconds since the epoch)
    seconds: int

    def load(self, now: float) -> float:
        """The requests of the last `seconds`, estimated: the current window's, plus the previous window's
        in the share of that window which still lies within the last `seconds`."""
        still = min(1.0, max(0.0, 1 - (now - self.start) / self.seconds))
        return self.current + self.previous * still

    def wait(self, limit: int, now: float) -> int:
        """Whole seconds from `now` until one more request fits within `limit` (at least 1)."""
        room = limit - 1 - self.current  # what the previous window may still weigh
        if room >= 0:
            moment = self.start + self.seconds * (1 - room / self.previous) if self.previous > room else now
        else:  # only in the next window, once this one's count has faded far enough
            fade = 1 - (limit - 1) / self.current
            moment = self.start + self.seconds * (1 + min(1.0, max(0.0, fade)))
        return max(1, math.ceil(moment - now))


def count_request(scope: str, client: str, seconds: int, now: float | None = None) -> Counts:
    """Add one request to the client's counter for the current window, atomically; the counts with it."""
    now = time.time() if now is None else now
    window = int(now // seconds)
    key, previous = _key(scope, client, window), _key(scope, client, window - 1)
    if settings.REDIS_URL:
        count, before = _redis_incr(key, previous, seconds)
    else:
        count, before = _database_incr(key, previous, (window + 2) * seconds, now)
    return Counts(count, before, window * seconds, seconds)


def _uncount(scope: str, client: str, seconds: int, now: float) -> None:
    """Take one request off the current window's counter again (a refused request)."""
    from core.models import RateCounter

    key = _key(scope, client, int(now // seconds))
    if settings.REDIS_URL:
        from django.core.cache import cache

        full_key = cache.make_and_validate_key(key)
        _redis_client(full_key, write=True).decr(full_key)
    else:
        RateCounter.objects.filter(key=key).update(count=models.F("count") - 1)


def current_counts(scope: str, client: str, seconds: int, now: float | None = None) -> Counts:
    """The client's counts in the current and the previous window, without adding to them."""
    from core.models import RateCounter

    now = time.time() if now is None else now
    window = int(now // seconds)
    keys = [_key(scope, client, window), _key(scope, client, window - 1)]
    if settings.REDIS_URL:
        from django.core.cache import cache

        full_keys = [cache.make_and_validate_key(key) for key in keys]
        values = _redis_client(full_keys[0]).mget(full_keys)
        count, before = (int(value or 0) for value in values)
    else:
        stored = dict(RateCounter.objects.filter(key__in=keys).values_list("key", "count"))
        count, before = (stored.get(key, 0) for key in keys)
    return Counts(count, before, window * seconds, seconds)


def retry_after(scope: str, client: str, limit: int, seconds: int, now: float | None = None) -> int | None:
    """Count one request; None while the requests of the last `seconds` stay within `limit`, else the
    seconds to wait (the refused request is not counted, so that wait is enough)."""
    now = time.time() if now is None else now
    counts = count_request(scope, client, seconds, now)
    if counts.load(now) <= limit:
        return None
    _uncount(scope, client, seconds, now)
    return Counts(counts.current - 1, counts.previous, counts.start, seconds).wait(limit, now)


def _redis_incr(key: str, previous: str, seconds: int) -> tuple[int, int]:
    from django.core.cache import cache

    full_key = cache.make_and_validate_key(key)  # the cache's prefix, so one Redis serves several sites
    # MULTI/EXEC: the counter never lives without its expiry; it is kept through the next window, where
    # it is the previous one.
    pipe = _redis_client(full_key, write=True).pipeline(transaction=True)
    pipe.incr(full_key)
    pipe.expire(full_key, 2 * seconds + 1)
    pipe.get(cache.make_and_validate_key(previous))
    count, _expiry_set, before = pipe.execute()
    return int(count), int(before or 0)


def _redis_client(key: str, write: bool = False) -> Redis:
    """The redis-py client Django's Redis cache holds for `key` (the same connection pool)."""
    from django.core.cache import cache

    # RedisCache keeps its client wrapper private (`_cache`), so the stubs know only BaseCache here
    return cache._cache.get_client(key, write=write)  # type: ignore[attr-defined]


def _database_incr(key: str, previous: str, expires: float, now: float) -> tuple[int, int]:
    from core.models import RateCounter

    quote = connection.ops.quote_name
    table, key_column, count_column = quote(RateCounter._meta.db_table), quote("key"), quote("count")
    expires_at = datetime.datetime.fromtimestamp(expires + 1, tz=datetime.UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        # One statement: a row for a new window, or one more on the existing row; the count it leaves is
        # returned by the same statement, so no other request can come between the write and the read.
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {count_column}, expires_at) VALUES (%s, 1, %s) "
            f"ON CONFLICT ({key_column}) DO UPDATE SET {count_column} = {table}.{count_column} + 1 "
            f"RETURNING {count_column}",
            [key, connection.ops.adapt_datetimefield_value(expires_at)],
        )
        count = cursor.fetchone()[0]
        if count == 1:  # a new window began for this client: forget the windows that no longer count
            RateCounter.objects.filter(expires_at__lt=datetime.datetime.fromtimestamp(now, tz=datetime.UTC)).delete()
        # The previous window is over: its count no longer changes, so reading it apart is exact.
        before = RateCounter.objects.filter(key=previous).values_list("count", flat=True).first() or 0
    return count, before


def rate_limited(
    scope: str,
    methods: Iterable[str] = ("POST",),
    back_to: str | Callable[..., str] = "",
    retry_at: str = "",
    resend: bool = False,
) -> Callable:
    """Limit a view's `methods` per client to settings.RATELIMITS[scope] = (requests, seconds). `back_to`: the URL
    name (reversed with the view's own arguments) of the page the 429 leads back to, if one still opens, or a
    function of the view's arguments giving its address; `retry_at`: the URL name of the page to try again from,
    where the view's own address takes no GET; `resend`: the 429 page offers the refused post again, with what
    was sent (a form whose values live in no page to go back to: feedback chosen, a course marked done)."""
    methods = frozenset(methods)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            rate = settings.RATELIMITS.get(scope)  # a scope without a rate is not limited
            if request.method in methods and rate is not None:
                limit, seconds = rate
                wait = _checked(scope, client_ip(request), limit, seconds)
                if wait is not None:
                    log.warning("rate limit %s exceeded (%d per %d s)", scope, limit, seconds)
                    if callable(back_to):
                        back = back_to(*args, **kwargs)
                    else:
                        back = reverse(back_to, args=args, kwargs=kwargs) if back_to else ""
                    retry = reverse(retry_at) if retry_at else request.path
                    sent = request.POST if resend and request.method == "POST" else None
                    return too_many_requests(request, wait, scope, back, retry, sent)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _checked(scope: str, client: str, limit: int, seconds: int) -> int | None:
    """`retry_after`, failing open when the counter cannot count: an outage of Redis should not stop people
    answering (if the database itself is down the view fails next, with the 503 page)."""
    global _warned_unavailable
    try:
        wait = retry_after(scope, client, limit, seconds)
    except (DatabaseError, RedisError, OSError) as exc:
        if not _warned_unavailable:
            log.error(
                "rate limits are not applied: the counter is unavailable (%s: %s); without Redis, run "
                "manage.py migrate (table core_ratecounter)",
                type(exc).__name__,
                exc,
            )
            _warned_unavailable = True
        return None
    _warned_unavailable = False
    return wait


def login_failures_exceeded(request: HttpRequest) -> int | None:
    """Seconds to wait when this client's failed logins (any user names) in the last window's length reached
    the limit, else None."""
    rate = settings.RATELIMITS.get("login_failures")
    if rate is None:
        return None
    limit, seconds = rate
    now = time.time()
    try:
        counts = current_counts("login_failures", client_ip(request), seconds, now)
    except (DatabaseError, RedisError, OSError):
        return None  # fail open, as every limit does; axes' per-user lockout still holds
    if counts.load(now) + 1 <= limit:
        return None
    return counts.wait(limit, now)


def count_login_failure(sender, credentials=None, request=None, **kwargs) -> None:
    """user_login_failed: one more failed login from this client, whatever the user name."""
    rate = settings.RATELIMITS.get("login_failures")
    if request is None or rate is None:
        return
    _limit, seconds = rate
    try:
        count_request("login_failures", client_ip(request), seconds)
    except (DatabaseError, RedisError, OSError) as exc:
        log.warning("failed login not counted: %s", type(exc).__name__)


def pseudonymous_client(username: str, ip_address: str, user_agent: str, path_info: str, request) -> str:
    """How django-axes names a client in its log lines: keyed hashes, enough to tell repeated attempts
    apart, with no username or address in the log."""

    def tag(value: str | None) -> str:
        return salted_hmac("revierpfad.axes", value or "").hexdigest()[:10]

    return f"{{user: {tag(username)}, client: {tag(ip_address)}}}"
