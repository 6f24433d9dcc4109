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
    """Naming a route is a dependency a string hides from the test above: the PDF's 429 page reversed "results" in
    core, the 429 page of the start "assessment:home", and the failed-login limit "login" and "delete-account". A page
    that leads elsewhere says where through its view (`rate_limited(..., back_to=..., retry_at=...)`) or the
    settings (`LOGIN_FAILURE_VIEWS`)."""
    from assessment import account_urls
    from assessment import urls as assessment_urls
    from recommendations import urls as recommendation_urls

    def names(module, prefix: str = "") -> set[str]:
        return {prefix + pattern.name for pattern in module.urlpatterns if getattr(pattern, "name", None)}

    above = names(recommendation_urls) | names(account_urls) | names(assessment_urls, f"{assessment_urls.app_name}:")
    assert {"results", "login", "delete-account", "assessment:home"} <= above
    wrong = [
        f"{path.relative_to(BASE)}: {node.args[0].value}"
        for path in sorted((BASE / "core").rglob("*.py"))
        if "migrations" not in path.parts
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("reverse", "redirect", "resolve_url")
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and node.args[0].value in above
    ]
    assert wrong == []
