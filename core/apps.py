from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What any Django site needs and nothing of Revierpfad's own: rate limits, request checks and logs,
    error pages."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from core.ratelimit import count_login_failure

        user_login_failed.connect(count_login_failure, dispatch_uid="core.count_login_failure")
