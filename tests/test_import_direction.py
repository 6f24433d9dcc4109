"""One direction of imports (STYLE.md): recommendations consumes assessment, never the other way round, and core,
which both use, imports neither. core's purge_login_records took its argument check from an assessment command."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BASE = Path(__file__).resolve().parents[1]
FORBIDDEN = {"core": ("assessment", "recommendations"), "assessment": ("recommendations",)}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_imports_only_what_stands_below_it(app):
    wrong = [
        f"{path.relative_to(BASE)}: {module}"
        for path in sorted((BASE / app).rglob("*.py"))
        if "migrations" not in path.parts
        for module in sorted(imported_modules(path))
        if module.split(".")[0] in FORBIDDEN[app]
    ]
    assert wrong == []
