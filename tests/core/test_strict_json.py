"""The shipped content files are edited by hand: a key named twice in one object (a second "note_de" left over from
an edit, say) kept only its last value, and `load_content` loaded it without a word, as the commands' JSON input
did before it refused that."""

from __future__ import annotations

import shutil

import pytest

from assessment import content as question_bank
from recommendations import content as catalogue


def test_a_shipped_catalogue_naming_a_key_twice_is_refused_with_the_file_and_the_key(tmp_path, monkeypatch):
    text = (catalogue.CONTENT_DIR / "catalogue.json").read_text(encoding="utf-8")
    start = text.index('"note_de": ')
    (tmp_path / "catalogue.json").write_text(text[:start] + '"note_de": "old", ' + text[start:], encoding="utf-8")
    monkeypatch.setattr(catalogue, "CONTENT_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"catalogue\.json names the key 'note_de' twice in one object"):
        catalogue.read("catalogue.json")


def test_a_shipped_question_file_naming_a_key_twice_is_refused(tmp_path, monkeypatch):
    shutil.copytree(question_bank.CONTENT_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "competencies.json"
    text = path.read_text(encoding="utf-8")
    start = text.index('"slug": ')
    path.write_text(text[:start] + '"slug": "old", ' + text[start:], encoding="utf-8")
    monkeypatch.setattr(question_bank, "CONTENT_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"competencies\.json names the key 'slug' twice in one object"):
        question_bank.read_content()


def test_the_shipped_content_names_no_key_twice():
    catalogue.read("catalogue.json")
    catalogue.read("roles.json")
    question_bank.read_content()
