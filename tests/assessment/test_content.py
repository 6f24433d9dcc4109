from __future__ import annotations

import re
from collections import Counter

import pytest

from assessment.content import read_content, sync_question_bank
from assessment.models import Competency, Item, LevelDescriptor, Option

pytestmark = pytest.mark.django_db

FRAMEWORK_SLUGS = {
    "service_management",
    "security_compliance",
    "agile",
    "automation",
    "it_architecture",
    "process_design",
    "project_management",
    "troubleshooting",
    "communication",
    "change_resilience",
}


def test_the_ten_competencies_of_the_framework_are_shipped():
    assert set(Competency.objects.values_list("slug", flat=True)) == FRAMEWORK_SLUGS


def test_every_competency_has_a_self_rating_and_knowledge_checks_over_all_difficulties():
    for competency in Competency.objects.all():
        items = list(competency.items.prefetch_related("options"))
        self_ratings = [i for i in items if i.kind == Item.Kind.SELF_RATING]
        knowledge = [i for i in items if i.kind == Item.Kind.KNOWLEDGE]
        assert self_ratings, competency.slug
        assert sorted(o.level for o in self_ratings[0].options.all()) == [0, 1, 2, 3, 4, 5]
        assert len(knowledge) >= 4, competency.slug
        assert {i.difficulty for i in knowledge} >= {1, 2, 3, 4, 5} - {None} or len(
            {i.difficulty for i in knowledge}
        ) >= 4


def test_every_knowledge_check_has_exactly_one_right_answer_and_teaches_something():
    for item in Item.objects.filter(kind=Item.Kind.KNOWLEDGE).prefetch_related("options"):
        assert sum(o.correct for o in item.options.all()) == 1, item.slug
        assert item.feedback_de and item.feedback_en, item.slug
        assert 1 <= item.difficulty <= 5


def test_there_are_at_least_eight_work_style_scenarios_spanning_the_axis():
    scenarios = Item.objects.filter(kind=Item.Kind.SCENARIO).prefetch_related("options")
    assert scenarios.count() >= 8
    for item in scenarios:
        styles = [o.style for o in item.options.all()]
        assert all(-1 <= s <= 1 for s in styles), item.slug
        assert min(styles) < 0 < max(styles), item.slug


def test_every_text_exists_in_german_and_english():
    for item in Item.objects.prefetch_related("options"):
        assert item.text_de.strip() and item.text_en.strip(), item.slug
        for option in item.options.all():
            assert option.label_de.strip() and option.label_en.strip(), f"{item.slug}:{option.value}"
    assert LevelDescriptor.objects.count() == 60


def test_loading_the_content_again_creates_nothing_and_keeps_an_admins_edit():
    item = Item.objects.get(slug="svc-k1")
    item.text_de = "Von der Redaktion geändert"
    item.save()
    assert sync_question_bank().counts["items"]["created"] == 0
    item.refresh_from_db()
    assert item.text_de == "Von der Redaktion geändert"
    counts = Counter(Item.objects.values_list("slug", flat=True))
    assert max(counts.values()) == 1


def test_a_deleted_item_is_restored_by_loading_again():
    Item.objects.filter(slug="svc-k1").delete()
    assert sync_question_bank().counts["items"]["created"] == 1
    assert Item.objects.filter(slug="svc-k1").exists()


def knowledge_checks():
    return Item.objects.filter(kind=Item.Kind.KNOWLEDGE).prefetch_related("options")


def test_every_competency_has_a_knowledge_check_at_each_difficulty_from_1_to_5():
    # the measurement weighs self-ratings against the checks: a missing rung makes an honest top
    # self-rating look inflated (and raising a level could lower the other areas)
    for competency in Competency.objects.all():
        difficulties = sorted(competency.items.filter(kind=Item.Kind.KNOWLEDGE).values_list("difficulty", flat=True))
        assert difficulties == [1, 1, 2, 3, 4, 5], competency.slug


def test_each_knowledge_check_starts_from_the_seed_of_its_labelled_difficulty():
    for item in knowledge_checks():
        assert item.location == pytest.approx(item.difficulty - 0.5), item.slug
        assert item.discrimination == pytest.approx(1.5), item.slug


def test_itil_items_are_version_neutral_or_name_both_versions():
    for item in Item.objects.filter(competency__slug="service_management"):
        for text in (item.text_de, item.text_en):
            assert "ITIL 4" not in text, item.slug
        for text in (item.feedback_de, item.feedback_en):
            assert "ITIL 4" not in text or "Version 5" in text, item.slug
    value_streams = Item.objects.get(slug="svc-k5")
    assert "sechs Aktivitäten" not in value_streams.feedback_de and "acht" in value_streams.feedback_de
    assert all("sechs" not in o.label_de for o in value_streams.options.all())
    assert "eight lifecycle activities" in value_streams.feedback_en


QUOTES = "„“‚‘\"'«»"
OPENING_THAT_REPEATS = re.compile(
    r"(richtig ist|richtig\s*:|die richtige antwort|richtige antwort"
    r"|correct\s*(is\b|:)|the right answer|right answer\s*:)",
    re.IGNORECASE,
)


def restates_the_right_answer(feedback: str, right_label: str) -> bool:
    """True when `feedback` opens by repeating the right answer: "Richtig ist: „X“. …", "Correct: 'X'. …" or the
    right option's label itself as the first phrase ("X. …", "„X“ – …"). The results page's review shows
    "Richtige Antwort: X" / "Right answer: X" right above the feedback, so such an opening reads twice.
    Explaining the answer's subject ("Ein Incident ist …" below "Ein Incident") is fine."""
    text = feedback.strip()
    if OPENING_THAT_REPEATS.match(text):
        return True
    plain = text.lstrip(QUOTES).casefold()
    label = "".join(c for c in right_label if c not in QUOTES).rstrip(".").strip().casefold()
    bare = "".join(c for c in plain if c not in QUOTES)
    if not label or not bare.startswith(label):
        return False
    after = bare[len(label) :]
    return text[0] in QUOTES or not after or after[0] in ".,;:–-!?"


def test_restating_the_right_answer_is_told_from_explaining_it():
    assert restates_the_right_answer("Richtig ist: „Einen Monat“. Sprints haben …", "Einen Monat")
    assert restates_the_right_answer("Richtig ist: Incident. Ein Incident ist …", "Ein Incident")
    assert restates_the_right_answer("Richtig: b. …", "Ein Incident")
    assert restates_the_right_answer("Correct: an incident. An incident is …", "An incident")
    assert restates_the_right_answer("Correct: 'One month'. Sprints have …", "One month")
    assert restates_the_right_answer("„Einen Monat“. Sprints haben …", "Einen Monat")
    assert restates_the_right_answer("Repurchase. Repurchase means …", "Repurchase")
    assert restates_the_right_answer(
        "'High', because it takes the maximum. Under …", "'High', because it takes the maximum"
    )
    assert not restates_the_right_answer("Ein Incident ist eine ungeplante Unterbrechung …", "Ein Incident")
    assert not restates_the_right_answer("Repurchase („Drop and Shop“) heißt: …", "Repurchase")
    assert not restates_the_right_answer("Üblich ist: Risiko = Eintrittswahrscheinlichkeit × Auswirkung.", "Aus …")


def test_the_feedback_explains_instead_of_repeating_the_right_answer_shown_above_it():
    repeating = []
    for item in knowledge_checks():
        right = next(o for o in item.options.all() if o.correct)
        for language in ("de", "en"):
            if restates_the_right_answer(getattr(item, f"feedback_{language}"), getattr(right, f"label_{language}")):
                repeating.append(f"{item.slug} ({language})")
    assert repeating == []


def test_the_security_feedback_cites_nis2_in_force_under_section_38_bsig():
    risk = Item.objects.get(slug="sec-k5")
    assert "§ 38 BSIG" in risk.feedback_de and "6. Dezember 2025" in risk.feedback_de
    assert "§ 38 BSIG" in risk.feedback_en and "6 December 2025" in risk.feedback_en
    assert "6. Dezember 2025" in Item.objects.get(slug="sec-k4").feedback_de


def test_hard_items_offer_no_plainly_absurd_distractors():
    absurd = [
        "damit die Verfügbarkeitsstatistik sauber bleibt",  # aut-k5
        "direkt in der Produktion entwickeln",  # aut-k5
        "für lose Kopplung",  # arc-k5
        "Beteiligung der Beschäftigten kürzen",  # chg-k2
        "Durchwahl der Techniker",  # trb-k4
        "erst wieder teilzunehmen, wenn er sich beruhigt hat",  # com-k4
        "alte Office-Version",  # style-excel: a security anti-pattern
    ]
    labels = " ".join(Option.objects.values_list("label_de", flat=True))
    assert [phrase for phrase in absurd if phrase in labels] == []


def test_every_scenario_spans_the_whole_axis_with_the_same_steps():
    steps = {4: [-1.0, -0.33, 0.33, 1.0], 5: [-1.0, -0.5, 0.0, 0.5, 1.0]}
    for item in Item.objects.filter(kind=Item.Kind.SCENARIO).prefetch_related("options"):
        styles = sorted(o.style for o in item.options.all())
        assert styles == steps[len(styles)], item.slug


def test_the_reviewed_scenarios_offer_a_real_firefighter_answer():
    restore = {o.style: o.label_de for o in Option.objects.filter(item__slug="style-restore")}
    assert "Ich warte nicht auf ein Konzept" in restore[-1.0]
    branch = {o.style: o.label_de for o in Option.objects.filter(item__slug="style-branch")}
    assert "übergebe" not in branch[1.0]


def test_a_checks_options_all_end_as_sentences_or_none_does():
    """An option without the full stop its siblings have stands out, and a test-wise reader may read it as a cue
    (three wrong options read so, in both languages)."""

    def sentence(label: str) -> bool:  # a quotation's closing mark after its full stop counts as the stop
        return label.rstrip().rstrip("“”'’").endswith((".", "?", "!"))

    mixed = [
        (item.slug, language)
        for item in knowledge_checks()
        for language in ("de", "en")
        if len({sentence(getattr(o, f"label_{language}")) for o in item.options.all()}) > 1
    ]
    assert mixed == []


def shipped_knowledge_checks() -> list[dict]:
    """The knowledge checks as shipped in the question files (not as an admin may have edited them since)."""
    return [item for item in read_content()[1] if item["kind"] == "knowledge"]


LENGTH_CUE = 1.15  # a right answer this much longer than every wrong one stands out to a test-wise reader


def test_no_shipped_right_answer_is_conspicuously_longer_than_its_wrong_options():
    """A check measures knowledge only if the right answer cannot be told by its length: in either language it is
    at most 15 % longer (in characters) than the longest wrong option of its item."""
    too_long = []
    for item in shipped_knowledge_checks():
        for language in ("de", "en"):
            right = max(len(o[f"label_{language}"]) for o in item["options"] if o["correct"])
            longest_wrong = max(len(o[f"label_{language}"]) for o in item["options"] if not o["correct"])
            if right > LENGTH_CUE * longest_wrong:
                too_long.append(f"{item['slug']} ({language}): right {right} vs longest wrong {longest_wrong}")
    assert not too_long, "; ".join(too_long)


def test_shipped_knowledge_checks_have_one_right_answer_and_the_right_letters_are_balanced():
    letters = []
    for item in shipped_knowledge_checks():
        right = [o["value"] for o in item["options"] if o["correct"] is True]
        assert len(item["options"]) == 4 and len(right) == 1, item["slug"]
        letters += right
    assert max(letters.count(letter) for letter in "abcd") <= len(letters) / 4 + 3, sorted(letters)


# German institutions an English reader may not know, and the words that explain them
GLOSSES = {
    "Stadtwerk": "municipal utilit",
    "Sparkasse": "savings bank",
    "Betriebsrat": "works council",
    "Personalrat": "staff council",
    "Verwaltungsrat": "supervisory board",
    "Vorstand": "management board",
}


def test_every_english_text_explains_the_german_institutions_it_names():
    """The adaptive test asks any question first, so each English text explains a Stadtwerk or a Sparkasse itself
    (a review met "the Stadtwerk's billing system" with nothing to say what one is)."""
    unexplained = []
    for item in read_content()[1]:
        texts = [item["text_en"], item.get("feedback_en", "")] + [o["label_en"] for o in item["options"]]
        for text in texts:
            unexplained += [
                (item["slug"], word) for word, gloss in GLOSSES.items() if word in text and gloss not in text
            ]
    assert unexplained == []
