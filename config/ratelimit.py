"""Moved to core.ratelimit (generic, not settings); kept so that older imports keep working."""

from core.ratelimit import (  # noqa: F401
    client_ip,
    pseudonymous_client,
    rate_limited,
    retry_after,
)
