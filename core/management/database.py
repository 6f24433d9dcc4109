"""The database brought up to the code before a command that speaks a contract reads it.

`export_questionnaire`, `assess`, `next_items` and the catalogue's export and import are run from a checkout, often
one that has just moved on: a database created before a new migration made them fail with a traceback ("no such
table: recommendations_course_admission_prerequisites"). They now do first what `make run` does: apply the pending
migrations, load the shipped content (which keeps what admins changed) and make sure a model is active. What they
print on standard output stays the contract's JSON; the note goes to standard error.
"""

from __future__ import annotations

import io
from typing import Protocol

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def pending_migrations() -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def bring_up_to_date(note: Writable) -> bool:
    """Apply pending migrations, then load the shipped content and make sure a model is active; whether anything was
    pending (nothing is done, and no query but the migration table's is made, when nothing is)."""
    pending = pending_migrations()
    if not pending:
        return False
    note.write(
        f"The database was {pending} migration(s) behind the code: applying them, loading the shipped content and "
        "making sure a model is active (as `make run` does).\n"
    )
    quiet = io.StringIO()  # standard output carries the command's JSON
    call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
    call_command("load_content", stdout=quiet)
    call_command("ensure_model", stdout=quiet)
    return True
