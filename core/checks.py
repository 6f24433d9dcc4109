"""System checks of what only the operator can configure."""

from __future__ import annotations

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core import checks

from core.legal import site_operator


@checks.register("legal", deploy=True)
def check_operator_details(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`check --deploy` with DEBUG off: a public German site needs a legal notice naming its operator."""
    missing = site_operator().missing
    if settings.DEBUG or not missing:
        return []
    return [
        checks.Warning(
            "The legal notice (Impressum, § 5 DDG) and the privacy notice lack the operator's details: "
            + ", ".join(missing)
            + " not set.",
            hint="Set them in the environment (README, Production); the pages say they are missing until then.",
            id="core.W001",
        )
    ]


# A file every page links: when the storage cannot name it, every page fails (500).
EVERY_PAGES_STYLESHEET = "css/app.css"


def static_files_ready() -> bool:
    """Whether the static files' storage can name the stylesheet every page links. With DEBUG off that needs the
    manifest `collectstatic` writes (with DEBUG off too): without it every page answered 500 while `/healthz` said
    the site was up."""
    try:
        staticfiles_storage.url(EVERY_PAGES_STYLESHEET)
    except ValueError:
        return False
    return True


@checks.register("staticfiles", deploy=True)
def check_static_files(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if static_files_ready():
        return []
    return [
        checks.Error(
            f"The static files' storage cannot name {EVERY_PAGES_STYLESHEET}, so every page would fail.",
            hint="Run `manage.py collectstatic` with the settings the server runs with (make serve does).",
            id="core.E001",
        )
    ]
