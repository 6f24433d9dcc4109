"""The German collation the admin's lists sort by on PostgreSQL (`core.ordering`), created here so that a server
whose PostgreSQL lacks ICU fails at `migrate`, naming the collation, instead of answering every admin list with a
database error. Upper case before lower case on a tie of letters ("Abc" before "abc"), as SQLite's collation of
the same name orders them. SQLite installs its own per connection; nothing to do there."""

from django.contrib.postgres.operations import CreateCollation
from django.db import migrations


class CreateCollationOnPostgreSQL(CreateCollation):
    """Django's operation, undone only where it was done (its backwards step drops the collation on any database)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [CreateCollationOnPostgreSQL("revierpfad_de", provider="icu", locale="de-u-kf-upper")]
