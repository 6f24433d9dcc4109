"""JSON that names no key twice in one object: `json` keeps only the last of two values, so the first is dropped
without a word. For a command's input (recommendations/management/json_input.py) and the shipped content files
(assessment/content.py, recommendations/content.py), which are edited by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class DuplicateKey(ValueError):
    """An object of the input names the same key twice; `key` is that key."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(key)
        found[key] = value
    return found


def loads(text: str) -> Any:
    """`json.loads`, raising DuplicateKey for an object that names a key twice."""
    return json.loads(text, object_pairs_hook=_refuse_duplicate_keys)


def load_file(path: Path) -> Any:
    """A shipped content file's JSON; a ValueError naming the file and the key it names twice in one object."""
    try:
        return loads(path.read_text(encoding="utf-8"))
    except DuplicateKey as exc:
        raise ValueError(
            f"{path.name} names the key {exc.key!r} twice in one object: JSON keeps only the last value, "
            "so give each key once"
        ) from None
