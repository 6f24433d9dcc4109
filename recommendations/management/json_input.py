"""Reading a command's JSON input (a file, or - for standard input) with clear errors."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import CommandError

from core.strict_json import DuplicateKey, loads


def read_json(name: str) -> Any:
    """The JSON in file `name` (or standard input for -); a CommandError that says what is wrong."""
    try:
        text = sys.stdin.read() if name == "-" else open(name, encoding="utf-8").read()
    except OSError as exc:
        raise CommandError(f"cannot read {name}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{name} is not UTF-8 text") from None
    try:
        return loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    except DuplicateKey as exc:
        raise CommandError(f"{name} names the key {exc.key!r} twice in one object: give each key once") from None
    except (ValueError, RecursionError):  # numbers of thousands of digits, absurdly deep nesting
        raise CommandError(f"{name} is not JSON this command can read (too large or too deeply nested)") from None
