"""Shipped the question bank in earlier releases. Content is now shipped by `manage.py load_content`, which
creates what is missing and brings untouched shipped rows up to date (assessment/content.py), so this
migration no longer imports today's loaders and does nothing."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
