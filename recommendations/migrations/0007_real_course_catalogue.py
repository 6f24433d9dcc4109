"""Replace the example courses with real offers (issue 9).

Creates the shipped providers and courses that are missing, updates the shipped ones no admin has
changed, deactivates every course of an example provider and every untouched course that is no longer
shipped. Nothing is deleted; an admin's edit is left alone (see recommendations/content.py).
"""

from django.db import migrations


def sync(apps, schema_editor):
    from recommendations.content import sync_catalogue

    sync_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0006_course_source_price_on_request_retired_exam"),
        ("assessment", "0002_load_question_bank"),
    ]

    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
