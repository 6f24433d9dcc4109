"""Soft hyphens in long words (core.hyphenation) and the `hyphenate` template filter."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

from core.hyphenation import SOFT_HYPHEN, hyphenate, without_soft_hyphens


def shown(text: str) -> str:
    """The break points as a reader of a proof sees them."""
    return text.replace(SOFT_HYPHEN, "-")


def test_a_german_compound_breaks_between_its_syllables_and_at_its_seams():
    assert shown(hyphenate("Informationssicherheitsbeauftragte/r (ISMS)", "de")) == (
        "In-for-ma-ti-ons-si-cher-heits-be-auf-trag-te/r (ISMS)"
    )
    # the dictionary's "Sys-te-m-admi..." and "Pro-zes-s-au..." would leave one letter at a line's end
    assert shown(hyphenate("Systemadministrator/in", "de")) == "Sys-tem-admi-nis-tra-tor/in"
    assert shown(hyphenate("IT- und Geschäftsprozessautomatisierung", "de")) == (
        "IT- und Ge-schäfts-pro-zess-au-to-ma-ti-sie-rung"
    )
    assert shown(hyphenate("Netzwerkinfrastruktur", "de")).startswith("Netz-werk-in-")  # the seam, before a vowel


def test_of_two_neighbouring_break_points_without_a_seam_neither_is_kept():
    # the dictionary's "In-fra-s-truk-tur" and "tu-ra-r-chi-tekt": either pick could be a wrong visible hyphen
    breaks = shown(hyphenate("Infrastrukturarchitekt", "de"))
    assert "fras-" not in breaks and "fra-s" not in breaks and "rar-" not in breaks and "ra-r" not in breaks
    assert breaks.replace("-", "") == "Infrastrukturarchitekt" and breaks.startswith("In-")


def test_short_words_addresses_and_numbers_are_left_alone():
    for text in (
        "IT-Service-Manager/in",  # no word of 12 letters: its hyphens are its break points
        "Scrum Master / Agile Coach",
        "informationssicherheit@example.org",
        "https://www.informationssicherheit.example/kurse",
        "www.informationssicherheit.example",
        "123456789012345",
    ):
        assert hyphenate(text, "de") == text


def test_english_uses_the_english_dictionary():
    assert (
        shown(hyphenate("IT organiser / digitalisation officer", "en")) == "IT organiser / di-git-al-isa-tion officer"
    )
    assert hyphenate("Informationssicherheitsbeauftragte", "en") != hyphenate(
        "Informationssicherheitsbeauftragte", "de"
    )


def test_a_language_without_a_dictionary_gets_the_text_unchanged():
    assert hyphenate("Informationssicherheitsbeauftragte", "xx") == "Informationssicherheitsbeauftragte"


def test_taking_the_soft_hyphens_out_gives_the_text_back():
    text = "Informationssicherheitsbeauftragte/r (ISMS)"
    assert without_soft_hyphens(hyphenate(text, "de")) == text


def render(template: str, **context) -> str:
    return Template("{% load hyphenation_tags %}" + template).render(Context(context))


def test_the_filter_hyphenates_in_the_active_language():
    with translation.override("de"):
        assert render("{{ name|hyphenate }}", name="Prozessverantwortung") == "Pro\xadzess\xadver\xadant\xadwor\xadtung"
    with translation.override("en"):
        assert render("{{ name|hyphenate }}", name="administration") == "ad\xadmin\xadis\xadtra\xadtion"


def test_the_filter_escapes_the_name_and_marks_only_its_own_output_safe():
    name = '<script>alert("Informationssicherheitsbeauftragte")</script> & Co'
    with translation.override("de"):
        html = render("<h3>{{ name|hyphenate }}</h3>", name=name)
        assert "<script>" not in html
        assert html.startswith("<h3>&lt;script&gt;alert(&quot;In\xadfor\xadma")
        assert html.endswith("&lt;/script&gt; &amp; Co</h3>")
        # in a sentence of {% blocktranslate %} too
        sentence = render(
            "{% load i18n %}{% blocktranslate with role=name|hyphenate %}Towards {{ role }}{% endblocktranslate %}",
            name=name,
        )
        assert "<script>" not in sentence and "&lt;script&gt;" in sentence


def test_the_filter_leaves_markup_it_is_given_as_it_is():
    """Soft hyphens inside tags would land in attributes: markup that is safe already passes unchanged."""
    markup = mark_safe('<a title="Informationssicherheitsbeauftragte">Informationssicherheitsbeauftragte</a>')
    with translation.override("de"):
        assert render("{{ markup|hyphenate }}", markup=markup) == markup


def test_joined_names_escape_their_separator_as_join_does():
    rendered = Template("{% load hyphenation_tags %}{{ names|join_hyphenated:sep }}").render(
        Context({"names": ["A<b>", "C"], "sep": " <i> "})
    )
    assert rendered == "A&lt;b&gt; &lt;i&gt; C"
