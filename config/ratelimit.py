"""Per-client rate limits in the shared cache, so several app servers count together.

A fixed window per client and action: the first request in a window creates the counter, every
request increments it, and a request over the limit gets a 429 page with Retry-After. The limits
are read from settings.RATELIMITS at request time (the environment sets them; tests override
them). The client is the address the request came from, or, behind N trusted proxies
(DJANGO_TRUSTED_PROXY_COUNT), the address the nearest trusted proxy saw; it is hashed with the
secret key before it becomes a cache key, so no address is stored.

Counting with Django's database cache is not atomic (read, then write): under a burst a few
requests more than the limit may pass. Redis (REDIS_URL) counts exactly.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from collections.abc import Callable, Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac
from redis.exceptions import RedisError

from config.views import too_many_requests

log = logging.getLogger(__name__)
_warned_unavailable = False


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


def retry_after(scope: str, client: str, limit: int, seconds: int, now: float | None = None) -> int | None:
    """Count one request; None while within `limit` per `seconds`, else the seconds to wait."""
    now = time.time() if now is None else now
    window = int(now // seconds)
    digest = salted_hmac("revierpfad.ratelimit", client).hexdigest()[:24]
    key = f"ratelimit:{scope}:{digest}:{window}"
    cache.add(key, 0, timeout=seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds + 1)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * seconds - now))


def rate_limited(scope: str, methods: Iterable[str] = ("POST",)) -> Callable:
    """Limit a view's `methods` per client to settings.RATELIMITS[scope] = (requests, seconds)."""
    methods = frozenset(methods)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods:
                limit, seconds = settings.RATELIMITS[scope]
                wait = _checked(scope, client_ip(request), limit, seconds)
                if wait is not None:
                    log.warning("rate limit %s exceeded (%d per %d s)", scope, limit, seconds)
                    return too_many_requests(request, wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _checked(scope: str, client: str, limit: int, seconds: int) -> int | None:
    """`retry_after`, failing open when the cache cannot count: a cache outage should not stop people
    answering (if the database itself is down the view fails next, with the 503 page)."""
    global _warned_unavailable
    try:
        wait = retry_after(scope, client, limit, seconds)
    except (DatabaseError, RedisError, OSError) as exc:
        if not _warned_unavailable:
            log.error(
                "rate limits are not applied: the cache is unavailable (%s: %s); with the database cache, "
                "run manage.py createcachetable",
                type(exc).__name__,
                exc,
            )
            _warned_unavailable = True
        return None
    _warned_unavailable = False
    return wait


def pseudonymous_client(username: str, ip_address: str, user_agent: str, path_info: str, request) -> str:
    """How django-axes names a client in its log lines: keyed hashes, enough to tell repeated attempts
    apart, with no username or address in the log."""

    def tag(value: str | None) -> str:
        return salted_hmac("revierpfad.axes", value or "").hexdigest()[:10]

    return f"{{user: {tag(username)}, client: {tag(ip_address)}}}"
