"""The shipped admission requirements reach courses an admin has edited as well (migration 0017): `load_content`
leaves such a course as the admin left it, so a course merely marked as checked kept leaving out RHCSA."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps

from recommendations.content import CONTENT_DIR
from recommendations.models import Course

migration = importlib.import_module("recommendations.migrations.0017_shipped_admission_requirements")

pytestmark = pytest.mark.django_db


def test_the_migration_marks_a_shipped_pair_where_the_prerequisite_is_there():
    rhce, rhcsa = Course.objects.get(slug="rhce"), Course.objects.get(slug="rhcsa")
    rhce.admission_prerequisites.clear()  # as before the field came, on a course an admin had edited
    migration.mark_shipped_pairs(apps, None)
    assert list(rhce.admission_prerequisites.all()) == [rhcsa]


def test_the_migration_marks_nothing_the_admin_took_out_of_the_prerequisites():
    rhce = Course.objects.get(slug="rhce")
    rhce.admission_prerequisites.clear()
    rhce.prerequisites.clear()
    migration.mark_shipped_pairs(apps, None)
    assert not rhce.admission_prerequisites.exists()


def test_the_migration_sets_only_what_the_shipped_catalogue_says():
    shipped = json.loads((CONTENT_DIR / "catalogue.json").read_text(encoding="utf-8"))["courses"]
    pairs = {(c["slug"], slug) for c in shipped for slug in c.get("admission_prerequisites", [])}
    assert set(migration.PAIRS) <= pairs
