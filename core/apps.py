from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What any Django site needs: rate limits, request checks and logs, error pages, and the legal and privacy
    notice pages (their text, which is Revierpfad's, is in templates/legal/)."""

    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib import admin
        from django.contrib.auth.signals import user_login_failed
        from django.db.backends.signals import connection_created
        from django.utils.translation import gettext_lazy as _

        from core import checks  # noqa: F401  (registers the system checks)
        from core.auth_forms import AdminLoginForm
        from core.ordering import install_german_collation
        from core.ratelimit import count_login_failure
        from core.sqlite import install_unicode_like

        user_login_failed.connect(count_login_failure, dispatch_uid="core.count_login_failure")
        connection_created.connect(install_unicode_like, dispatch_uid="core.install_unicode_like")
        connection_created.connect(install_german_collation, dispatch_uid="core.install_german_collation")
        admin.site.login_form = AdminLoginForm
        # Revierpfad's admin, not Django's („Django-Verwaltung“ headed every page, „Django-Systemverwaltung“ its tab)
        admin.site.site_header = _("Revierpfad administration")
        admin.site.site_title = _("Revierpfad administration")
        admin.site.index_title = _("Start page")
