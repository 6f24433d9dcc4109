from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = _("Recommendations")

    def ready(self) -> None:
        from assessment.services import register_engine_inputs
        from recommendations.asking import engine_inputs

        register_engine_inputs(engine_inputs)

        from django.utils.translation import gettext_lazy as _

        from core.history import register_change_reason
        from recommendations.catalogue_file import IMPORTED

        register_change_reason(IMPORTED, _("catalogue import"))
