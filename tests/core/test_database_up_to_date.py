"""The commands that speak a contract bring a database behind the code up to date before they read it: the shared
tools, run on a checkout whose database predated migration 0016, stopped at "no such table:
recommendations_course_admission_prerequisites"."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from core.management.database import pending_migrations

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_command_run_on_a_database_behind_the_code_migrates_it_and_answers(content_and_model):
    call_command("migrate", "recommendations", "0015", verbosity=0)  # as the database was before the admission marks
    assert pending_migrations() > 0
    out, err = io.StringIO(), io.StringIO()
    call_command("export_catalogue", stdout=out, stderr=err)
    marked = {c["slug"]: c["admission_prerequisites"] for c in json.loads(out.getvalue())["courses"]}
    assert marked["rhce"] == ["rhcsa"]  # the table exists, and the shipped marks are in it
    assert "migration(s) behind the code" in err.getvalue()
    assert pending_migrations() == 0


def test_a_command_on_a_current_database_says_nothing_of_it(content_and_model):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_questionnaire", stdout=out, stderr=err)
    assert json.loads(out.getvalue()) and err.getvalue() == ""
