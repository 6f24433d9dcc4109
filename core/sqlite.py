"""SQLite's LIKE, which Django uses for `contains`, `icontains` and `iexact` there, ignores case only for ASCII
letters: the admin's search for "tüv" did not find "TÜV", nor "STÖRUNG" "Störung". This LIKE ignores the case of
every letter, as PostgreSQL's ILIKE does. Installed on each new SQLite connection (`CoreConfig.ready`)."""

from __future__ import annotations

import functools
import re


@functools.lru_cache(maxsize=512)
def _pattern(like: str, escape: str | None) -> re.Pattern[str]:
    parts, index = [], 0
    while index < len(like):
        character = like[index]
        if escape and character == escape and index + 1 < len(like):
            parts.append(re.escape(like[index + 1]))
            index += 2
            continue
        parts.append(".*" if character == "%" else "." if character == "_" else re.escape(character))
        index += 1
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def unicode_like(like: str | None, value: object, escape: str | None = None) -> int | None:
    """`value LIKE like [ESCAPE escape]`, ignoring case in every alphabet; NULL where either side is NULL."""
    if like is None or value is None:
        return None
    return int(_pattern(str(like), escape).fullmatch(str(value)) is not None)


def install_unicode_like(sender, connection, **kwargs) -> None:
    """A `connection_created` receiver: SQLite's LIKE replaced by `unicode_like` (other databases untouched)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("like", 2, unicode_like, deterministic=True)
        connection.connection.create_function("like", 3, unicode_like, deterministic=True)
