"""Logging: one line per record, JSON in production, with the request id and never a token or a client address.

The assessment token in `/a/<token>/...` is the only key to a person's answers, so every
formatted line is masked: the segment after `/a/` and any other path segment that looks like a
token (20 or more URL-safe characters) become `<masked>`, whichever logger wrote them (Django's
"Not Found: /a/..." warnings, tracebacks, our request log). gunicorn's own lines go through the same
formatters (`gunicorn_logging_config`), and the client address it names for a malformed request
("Invalid request from ip=...") is masked too: taking the assessment needs no personal data, and the logs
keep none.
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

# With the offset: gunicorn's master logs in the machine's time zone, its workers (Django sets TIME_ZONE) in Berlin's.
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")

_TOKEN_AFTER_A = re.compile(r"(/a/)[^/?#\s\"'<>]+")
_TOKEN_LIKE_SEGMENT = re.compile(r"(/)[A-Za-z0-9_-]{20,}(?=[/?#\s\"'<>]|$)")
# ... and in a query: a value (`?keep=<token>`) or an encoded path segment (`next=%2Fa%2F<token>%2F`)
_TOKEN_LIKE_VALUE = re.compile(r"(=|%2F|%3D)[A-Za-z0-9_-]{20,}(?![A-Za-z0-9_-])", re.IGNORECASE)
# gunicorn: "Invalid request from ip=192.0.2.1: Invalid HTTP method: 'G@T'" (an IPv6 address has no ": ")
_CLIENT_ADDRESS = re.compile(r"\b(ip=)\S*?(?=:\s|\s|$)")


def mask_tokens(text: str) -> str:
    """The text with assessment and share tokens in URL paths and queries, and client addresses named as `ip=...`,
    replaced by `<masked>`."""
    text = _CLIENT_ADDRESS.sub(r"\1<masked>", text)
    text = _TOKEN_LIKE_VALUE.sub(r"\1<masked>", text)
    return _TOKEN_LIKE_SEGMENT.sub(r"\1<masked>", _TOKEN_AFTER_A.sub(r"\1<masked>", text))


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (from the request being served, or "-") to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = REQUEST_ID.get()
        if request_id == "-":  # Django logs 4xx/5xx responses after the middleware has finished
            request_id = getattr(getattr(record, "request", None), "id", "-")
        record.request_id = request_id
        return True


class DropRequestFilter(logging.Filter):
    """Removes the `request` object Django attaches to its records: its repr holds the path and a
    JSON formatter would print it (masked anyway, but it says nothing a reader needs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.pop("request", None)
        return True


class MaskedTextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_tokens(super().format(record))


class MaskedJsonFormatter(JsonFormatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_tokens(super().format(record))


def logging_config(*, json_lines: bool, level: str) -> dict:
    """The LOGGING setting: to stderr, JSON lines or plain text, request ids, tokens masked."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "config.logging.RequestIdFilter"},
            "drop_request": {"()": "config.logging.DropRequestFilter"},
        },
        "formatters": {
            "json": {
                "()": "config.logging.MaskedJsonFormatter",
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                "datefmt": TIME_FORMAT,
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
            "text": {
                "()": "config.logging.MaskedTextFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
                "datefmt": TIME_FORMAT,
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if json_lines else "text",
                "filters": ["request_id", "drop_request"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own default handler for "django" prints unmasked lines while DEBUG is on:
            # configuring the logger here replaces it, and its records go through ours.
            "django": {"level": level},
            "django.db.backends": {"level": "WARNING"},
            # runserver's own request lines carry full paths; ours (revierpfad.requests) are masked
            "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        },
    }


def gunicorn_logging_config(*, json_lines: bool, level: str) -> dict:
    """gunicorn's `logconfig_dict`: its error log ("Booting worker", "Invalid request from ...") through the
    same handler and masking formatters as the application's records. (gunicorn's access log stays off: the app
    logs each request itself.)"""
    config = logging_config(json_lines=json_lines, level=level)
    config["loggers"] = {
        **config["loggers"],
        "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    }
    return config
