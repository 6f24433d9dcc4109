"""The legal notice (Impressum) and the privacy notice: reachable from every page in both languages, naming the
operator only as the environment does, and naming every cookie the site really sets."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import checks
from django.urls import reverse

from assessment.services import start_assessment
from tests.conftest import answer_all, strongest
from tests.test_numbers_in_markup import in_language, parse, visible_text

pytestmark = pytest.mark.django_db

PAGES = ("legal-notice", "privacy-notice")
NOT_FILLED_IN = {"de": "noch nicht eingetragen", "en": "has not filled in these details yet"}


@pytest.fixture
def no_operator(settings):
    settings.OPERATOR_NAME = ""
    settings.OPERATOR_ADDRESS = []
    settings.OPERATOR_EMAIL = ""
    settings.OPERATOR_PHONE = ""
    settings.OPERATOR_DETAILS = []
    settings.PRIVACY_CONTACT = []
    settings.HOSTING_PROVIDER = []


@pytest.fixture
def operator(settings):
    settings.OPERATOR_NAME = "Ruhrpfad Beratung GmbH"
    settings.OPERATOR_ADDRESS = ["Rheinische Straße 1", "44137 Dortmund"]
    settings.OPERATOR_EMAIL = "kontakt@ruhrpfad.example"
    settings.OPERATOR_PHONE = "+49 231 000000"
    settings.OPERATOR_DETAILS = ["Vertreten durch: Erika Muster", "HRB 00000, Amtsgericht Dortmund"]
    settings.PRIVACY_CONTACT = ["Max Beispiel", "datenschutz@ruhrpfad.example"]
    settings.HOSTING_PROVIDER = ["Beispiel Hosting AG, Essen"]


def page_text(client, name: str, language: str) -> str:
    response = in_language(client, language).get(reverse(name))
    assert response.status_code == 200, (name, language)
    assert f'<html lang="{language}">' in response.content.decode()
    return " ".join(visible_text(parse(response.content)).split())


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_without_the_operators_details_the_pages_say_they_are_missing(client, no_operator, name, language):
    assert NOT_FILLED_IN[language] in page_text(client, name, language)


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("name", PAGES)
def test_the_pages_name_the_operator_the_environment_names(client, operator, name, language):
    text = page_text(client, name, language)
    assert NOT_FILLED_IN[language] not in text
    for shown in ("Ruhrpfad Beratung GmbH", "Rheinische Straße 1", "44137 Dortmund", "kontakt@ruhrpfad.example"):
        assert shown in text
    assert "+49 231 000000" in text


def test_the_impressum_shows_the_further_details_and_a_mail_link(client, operator):
    response = in_language(client, "de").get(reverse("legal-notice"))
    assert 'href="mailto:kontakt@ruhrpfad.example"' in response.content.decode()
    assert "HRB 00000, Amtsgericht Dortmund" in page_text(client, "legal-notice", "de")


def test_the_privacy_notice_names_the_data_protection_officer_and_the_host_or_says_none_is_named(
    client, settings, operator
):
    text = page_text(client, "privacy-notice", "de")
    assert "Max Beispiel" in text and "Beispiel Hosting AG, Essen" in text
    settings.PRIVACY_CONTACT = settings.HOSTING_PROVIDER = []
    text = page_text(client, "privacy-notice", "de")
    assert "niemanden als Datenschutzbeauftragte oder Datenschutzbeauftragten benannt" in text
    assert "keinen Hosting-Anbieter genannt" in text


def test_the_privacy_notice_states_the_retention_periods_the_settings_give(client, settings):
    settings.ASSESSMENT_RETENTION_DAYS = 7
    settings.LOGIN_RECORD_RETENTION_DAYS = 1
    text = page_text(client, "privacy-notice", "de")
    assert "7 Tage lang nicht geändert" in text
    assert "Speicherdauer: 1 Tag, dann werden die Einträge gelöscht" in text
    assert "LDI NRW" in text and "Art. 77 DSGVO" in text


def footer_links(html: bytes) -> dict[str, str]:
    """The footer's links, address -> text."""
    footer = re.search(r"<footer.*?</footer>", html.decode(), re.S)
    assert footer, "no footer"
    return dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', footer.group(0)))


@pytest.mark.parametrize(
    ("language", "labels"),
    [("de", ("Impressum", "Datenschutzerklärung")), ("en", ("Legal notice (Impressum)", "Privacy notice"))],
)
def test_every_page_links_both_notices_in_its_footer(client, language, labels):
    for url in (reverse("assessment:home"), start_assessment().step_url(1), reverse("login"), reverse("legal-notice")):
        links = footer_links(in_language(client, language).get(url).content)
        assert links[reverse("legal-notice")] == labels[0], url
        assert links[reverse("privacy-notice")] == labels[1], url


def test_check_deploy_warns_without_the_operators_details_when_debug_is_off(settings, no_operator):
    settings.DEBUG = False
    settings.OPERATOR_NAME = "Ruhrpfad Beratung GmbH"
    found = checks.run_checks(include_deployment_checks=True, tags=["legal"])
    assert [message.id for message in found] == ["core.W001"]
    assert found[0].level == checks.WARNING
    assert "DJANGO_OPERATOR_ADDRESS, DJANGO_OPERATOR_EMAIL" in found[0].msg
    assert "DJANGO_OPERATOR_NAME" not in found[0].msg


def test_check_deploy_is_quiet_with_the_details_or_under_debug(settings, operator):
    settings.DEBUG = False
    assert checks.run_checks(include_deployment_checks=True, tags=["legal"]) == []
    settings.OPERATOR_EMAIL = ""
    settings.DEBUG = True
    assert checks.run_checks(include_deployment_checks=True, tags=["legal"]) == []
    assert checks.run_checks(tags=["legal"]) == []  # only a deploy check


def cookies_a_visit_sets(client) -> set[str]:
    """The names in every Set-Cookie of a visit: the start page, an assessment from start to result, the language
    switch, a share link, deleting the result, an account's login and logout, and the admin's login page."""
    names: set[str] = set()

    def visit(response):
        names.update(response.cookies.keys())
        return response

    visit(client.get(reverse("assessment:home")))
    visit(client.post(reverse("assessment:start")))
    finished = answer_all(start_assessment(), strongest)
    visit(client.get(reverse("assessment:resume", args=[finished.token]), follow=True))
    visit(client.post(reverse("set_language"), {"language": "en", "next": "/"}))
    visit(client.post(reverse("share", args=[finished.token])))
    visit(client.get(reverse("results", args=[finished.token])))
    visit(client.post(reverse("delete-results", args=[finished.token])))
    visit(client.get(reverse("assessment:home")))
    get_user_model().objects.create_user("eva@example.org", "eva@example.org", "Zollverein-2026!")
    login = {"username": "eva@example.org", "password": "Zollverein-2026!"}
    visit(client.post(reverse("login"), login, REMOTE_ADDR="203.0.113.7"))
    visit(client.get(reverse("my-results")))
    visit(client.post(reverse("logout")))
    visit(client.get(reverse("admin:login")))
    return names


def test_the_privacy_notice_names_every_cookie_the_site_sets(client):
    set_cookies = cookies_a_visit_sets(client)
    # The visit reaches every kind of cookie, or this test would prove little.
    assert {"csrftoken", "sessionid", "django_language", "language_chosen", "messages"} <= set_cookies
    for language in ("de", "en"):
        page = in_language(client, language).get(reverse("privacy-notice")).content.decode()
        named = set(re.findall(r"<code>([^<]+)</code>", page))
        assert set_cookies <= named, (language, set_cookies - named)
