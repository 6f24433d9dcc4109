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
        from recommendations.content import WITHDRAWN

        register_change_reason(IMPORTED, _("catalogue import"))
        register_change_reason(WITHDRAWN, _("withdrawn from the shipped content"))

        from django.db.models.signals import post_delete

        from assessment.models import Assessment
        from recommendations.models import forget_feedback

        post_delete.connect(forget_feedback, sender=Assessment, dispatch_uid="recommendations.forget_feedback")
