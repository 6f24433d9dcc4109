"""Ship the target roles and the course catalogue. Runs once; creates only what is missing, so
it never overwrites an admin's edits (see recommendations/content.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from recommendations.content import load_catalogue, load_roles

    load_roles(apps)
    load_catalogue(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0001_initial"),
        ("assessment", "0002_load_question_bank"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
