"""Ship the question bank. Runs once; creates only what is missing, so it never overwrites an
admin's edits (see assessment/content.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from assessment.content import load_question_bank

    load_question_bank(apps)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
