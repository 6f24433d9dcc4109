"""Replaced the example courses with real offers (issue 9) in the release that introduced them.

That work is now done by `manage.py load_content` (recommendations/content.py::sync_catalogue): it creates
the shipped providers and courses that are missing, updates the shipped ones no admin has changed, and
deactivates, never deletes, every course of an example provider and every untouched course no longer
shipped. This migration no longer imports today's loaders and does nothing.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0006_course_source_price_on_request_retired_exam"),
        ("assessment", "0002_load_question_bank"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
