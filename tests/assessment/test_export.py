from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import jsonschema
import pytest
from django.core.management import call_command

from assessment.models import Item

pytestmark = pytest.mark.django_db
SCHEMA = json.loads((Path(__file__).parents[1] / "contracts" / "questionnaire.schema.json").read_text())


def export(*args) -> dict:
    out = StringIO()
    call_command("export_questionnaire", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_export_matches_the_questionnaire_contract():
    bank = export()
    jsonschema.validate(bank, SCHEMA)
    assert len(bank["items"]) == Item.objects.active().count()
    assert len(bank["competencies"]) == 10


def test_the_export_carries_what_each_kind_needs():
    for item in export()["items"]:
        if item["kind"] == "self_rating":
            assert all("level" in o for o in item["options"])
        elif item["kind"] == "knowledge":
            assert 1 <= item["difficulty"] <= 5
            assert sum(o["correct"] for o in item["options"]) == 1
        else:
            assert item["competency"] is None
            assert all(-1 <= o["style"] <= 1 for o in item["options"])


def test_the_version_changes_when_the_bank_changes():
    before = export()["version"]
    Item.objects.filter(slug="svc-k1").update(text_de="Neu formuliert")
    assert export()["version"] != before


def test_english_export_uses_the_english_texts():
    item = Item.objects.get(slug="svc-k1")
    exported = next(i for i in export("--language", "en")["items"] if i["slug"] == "svc-k1")
    assert exported["text"] == item.text_en
