"""System checks of what only the operator can configure."""

from __future__ import annotations

from django.conf import settings
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
