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


def test_core_leads_to_no_page_of_the_apps_above_it_by_name():
    """Naming a route is a dependency a string hides from the test above: the PDF's 429 page reversed
    "results" in core. A page that leads back says where through its view (`rate_limited(..., back_to=...)`)."""
    from recommendations import urls

    names = {pattern.name for pattern in urls.urlpatterns if pattern.name}
    assert "results" in names
    wrong = [
        f"{path.relative_to(BASE)}: {node.args[0].value}"
        for path in sorted((BASE / "core").rglob("*.py"))
        if "migrations" not in path.parts
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("reverse", "redirect", "resolve_url")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value in names
    ]
    assert wrong == []
