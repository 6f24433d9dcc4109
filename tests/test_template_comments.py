"""Django's `{# #}` comment ends on its own line: one spread over two lines is not a comment but text, and the
comparison page showed its developer note above the heading (a review). Every template is read as Django reads it,
and no text between its tags may hold a comment's opening."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)


def templates() -> list[Path]:
    found = [path for path in ROOT.rglob("*.html") if ".venv" not in path.parts and "node_modules" not in path.parts]
    return sorted(path for path in found if "templates" in path.parts)


def test_every_template_comment_is_a_comment_to_django():
    paths = templates()
    assert len(paths) > 30  # the site's and the admin's
    broken = []
    for path in paths:
        for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
            if token.token_type == TokenType.TEXT and "{#" in token.contents:
                broken.append(f"{path.relative_to(ROOT)}:{token.lineno}")
    assert not broken, f"a {{# #}} comment spread over lines shows as text: {broken}"
