"""Moved to core.middleware (generic, not settings); kept so that older imports keep working."""

from core.middleware import (  # noqa: F401
    ControlCharacterPathMiddleware,
    DatabaseUnavailableMiddleware,
    MethodNotAllowedPageMiddleware,
    NoStoreForTokenPagesMiddleware,
    RequestIdMiddleware,
)
