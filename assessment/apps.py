from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Self-assessment")

    def ready(self) -> None:
        from assessment.content import SHIPPED
        from core.history import register_change_reason

        register_change_reason(SHIPPED, _("shipped content"))
