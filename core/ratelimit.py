"""Per-client rate limits that several app servers count together, exactly, under parallel requests.

A fixed window per client and action: every request adds one to the client's counter for the current window
in ONE atomic operation, and a request over the limit gets a 429 page with Retry-After. The counter is

- a Redis INCR (with an expiry) when REDIS_URL is set, or
- a row of `core.RateCounter`, counted by a single INSERT ... ON CONFLICT DO UPDATE SET count = count + 1
  RETURNING count (PostgreSQL, SQLite 3.35+), when it is not.

Neither is a cache entry, so a full cache (the database cache culls its oldest entries) cannot reset a
limit, and no read-then-write lets parallel requests past it. Rows of past windows are deleted when a new
window starts.

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
from functools import wraps

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from redis.exceptions import RedisError

from core.views import too_many_requests

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


def count_request(scope: str, client: str, seconds: int, now: float | None = None) -> tuple[int, float]:
    """Add one request to the client's counter for the current window, atomically; its new count and the
    time the window ends."""
    now = time.time() if now is None else now
    window = int(now // seconds)
    ends = (window + 1) * seconds
    key = _key(scope, client, window)
    if settings.REDIS_URL:
        return _redis_incr(key, seconds), ends
    return _database_incr(key, ends, now), ends


def current_count(scope: str, client: str, seconds: int, now: float | None = None) -> int:
    """The client's count in the current window, without adding to it."""
    from core.models import RateCounter

    now = time.time() if now is None else now
    key = _key(scope, client, int(now // seconds))
    if settings.REDIS_URL:
        from django.core.cache import cache

        full_key = cache.make_and_validate_key(key)
        return int(_redis_client(full_key).get(full_key) or 0)
    return RateCounter.objects.filter(key=key).values_list("count", flat=True).first() or 0


def retry_after(scope: str, client: str, limit: int, seconds: int, now: float | None = None) -> int | None:
    """Count one request; None while within `limit` per `seconds`, else the seconds to wait."""
    now = time.time() if now is None else now
    count, ends = count_request(scope, client, seconds, now)
    if count <= limit:
        return None
    return max(1, math.ceil(ends - now))


def _redis_incr(key: str, seconds: int) -> int:
    from django.core.cache import cache

    full_key = cache.make_and_validate_key(key)  # the cache's prefix, so one Redis serves several sites
    # MULTI/EXEC: the counter never lives without its expiry.
    pipe = _redis_client(full_key, write=True).pipeline(transaction=True)
    pipe.incr(full_key)
    pipe.expire(full_key, seconds + 1)
    count, _expiry_set = pipe.execute()
    return int(count)


def _redis_client(key: str, write: bool = False):
    """The redis-py client Django's Redis cache holds for `key` (the same connection pool)."""
    from django.core.cache import cache

    return cache._cache.get_client(key, write=write)


def _database_incr(key: str, ends: float, now: float) -> int:
    from core.models import RateCounter

    quote = connection.ops.quote_name
    table, key_column, count_column = quote(RateCounter._meta.db_table), quote("key"), quote("count")
    expires = datetime.datetime.fromtimestamp(ends + 1, tz=datetime.UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        # One statement: a row for a new window, or one more on the existing row; the count it leaves is
        # returned by the same statement, so no other request can come between the write and the read.
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {count_column}, expires_at) VALUES (%s, 1, %s) "
            f"ON CONFLICT ({key_column}) DO UPDATE SET {count_column} = {table}.{count_column} + 1 "
            f"RETURNING {count_column}",
            [key, connection.ops.adapt_datetimefield_value(expires)],
        )
        count = cursor.fetchone()[0]
        if count == 1:  # a new window began for this client: forget the windows that are over
            RateCounter.objects.filter(expires_at__lt=datetime.datetime.fromtimestamp(now, tz=datetime.UTC)).delete()
    return count


def rate_limited(scope: str, methods: Iterable[str] = ("POST",)) -> Callable:
    """Limit a view's `methods` per client to settings.RATELIMITS[scope] = (requests, seconds)."""
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
                    return too_many_requests(request, wait)
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
    """Seconds to wait when this client's failed logins (any user names) reached the limit, else None."""
    rate = settings.RATELIMITS.get("login_failures")
    if rate is None:
        return None
    limit, seconds = rate
    now = time.time()
    try:
        count = current_count("login_failures", client_ip(request), seconds, now)
    except (DatabaseError, RedisError, OSError):
        return None  # fail open, as every limit does; axes' per-user lockout still holds
    if count < limit:
        return None
    return max(1, math.ceil((int(now // seconds) + 1) * seconds - now))


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
