"""Shipped the target roles and the course catalogue in earlier releases. Content is now shipped by
`manage.py load_content` (recommendations/content.py), so this migration no longer imports today's
loaders and does nothing."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0001_initial"),
        ("assessment", "0002_load_question_bank"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
