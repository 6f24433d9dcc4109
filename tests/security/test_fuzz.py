"""Hostile and random input at every form and at `manage.py assess`: never a 500, never markup
rendered unescaped, never an earlier answer lost."""

from __future__ import annotations

import io
import json
from urllib.parse import quote, urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.models import Answer, Item
from assessment.services import record_answer, start_assessment
from tests.conftest import answer_all, strongest

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HTMX = {"HTTP_HX_REQUEST": "true"}

# Markup that must never come back unescaped; none of it occurs in our own pages.
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "</textarea><iframe src=//evil.example>",
]
HOSTILE = MARKUP + [
    "' OR '1'='1",
    "1; DROP TABLE assessment_answer; --",
    '" OR 1=1 --',
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "../../../../etc/passwd",
    "%00",
    "\x00",
    "\u202egnp.exe",
    "𝕽𝖊𝖛𝖎𝖊𝖗𝖕𝖋𝖆𝖉 🏭",
    "Grüße aus Dortmund-Hörde",
    "null",
    "[]",
    "-1",
    "1e309",
    "x" * 20_000,
]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    st.builds(lambda a, b: a + b, st.sampled_from(MARKUP), st.text(max_size=30)),
)
form_value = st.one_of(
    hostile_text,
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
    st.lists(hostile_text, min_size=2, max_size=3),  # a repeated field
)


def tampered(value: str) -> str:
    return value + "'"


def assert_safe(response, where: str) -> None:
    assert response.status_code < 500, where
    body = response.content.decode("utf-8", errors="replace")
    for markup in MARKUP:
        assert markup not in body, f"{where}: {markup!r} rendered unescaped"


@pytest.fixture
def answered():
    """An assessment with an answer to question 1 that no bad input may change."""
    assessment = start_assessment()
    item = Item.objects.get(pk=assessment.item_ids[0])
    earlier = record_answer(assessment, item, item.options.last())
    return assessment, earlier


def assert_earlier_answer_kept(assessment, earlier) -> None:
    kept = Answer.objects.get(pk=earlier.pk)
    assert (kept.item_id, kept.option_id) == (earlier.item_id, earlier.option_id)
    assert Answer.objects.filter(assessment=assessment, item_id=earlier.item_id).count() == 1


@FUZZ
@given(data=st.data(), htmx=st.booleans())
def test_hostile_answers_are_refused_and_keep_earlier_answers(client, answered, data, htmx):
    assessment, earlier = answered
    step = data.draw(st.integers(2, assessment.total_steps - 1), label="step")
    item = Item.objects.get(pk=assessment.item_ids[step - 1])
    values = [o.value for o in item.options.all()]
    other_slugs = list(Item.objects.exclude(pk=item.pk).values_list("slug", flat=True)[:20])
    fields = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "item": st.one_of(st.just(item.slug), st.sampled_from(other_slugs), form_value),
                "option": st.one_of(st.sampled_from(values), st.sampled_from(values).map(tampered), form_value),
                "action": st.one_of(st.sampled_from(["answer", "skip"]), form_value),
                "csrfmiddlewaretoken": form_value,
                "extra": form_value,
            },
        ),
        label="fields",
    )
    before = Answer.objects.filter(assessment=assessment).count()
    response = client.post(assessment.step_url(step), fields, **(HTMX if htmx else {}))
    assert_safe(response, "answer post")
    if response.status_code >= 400:
        assert Answer.objects.filter(assessment=assessment).count() == before
    assert_earlier_answer_kept(assessment, earlier)


@FUZZ
@given(
    body=st.one_of(st.binary(max_size=2000), hostile_text.map(str.encode)),
    kind=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
    ),
)
def test_raw_bodies_of_any_type_do_no_harm(client, answered, body, kind):
    assessment, earlier = answered
    response = client.generic("POST", assessment.step_url(2), body, content_type=kind)
    assert_safe(response, "raw answer body")
    assert_earlier_answer_kept(assessment, earlier)


@FUZZ
@given(token=hostile_text.filter(lambda t: t not in {"", ".", ".."}), step=st.integers(-5, 10**20))
def test_hostile_tokens_and_steps_find_nothing(client, answered, token, step):
    assessment, earlier = answered
    quoted = quote(token, safe="")
    for path in (f"/a/{quoted}/", f"/a/{quoted}/frage/{step}/", f"/a/{quoted}/profil/", f"/a/{quoted}/ergebnis/"):
        response = client.get(path)
        assert_safe(response, path)
        assert response.status_code in {301, 302, 404}, path
    response = client.post(f"/a/{quoted}/frage/1/", {"item": "x", "option": "y"})
    assert_safe(response, "post with a hostile token")
    response = client.get(f"/a/{assessment.token}/frage/{step}/")
    assert_safe(response, "hostile step")
    assert_earlier_answer_kept(assessment, earlier)


@FUZZ
@given(fields=st.dictionaries(st.sampled_from(["x", "language", "csrfmiddlewaretoken"]), form_value, max_size=3))
def test_starting_ignores_whatever_is_posted(client, fields):
    response = client.post(reverse("assessment:start"), fields)
    assert_safe(response, "start")
    values = [v for value in fields.values() for v in (value if isinstance(value, list) else [value])]
    if any("\x00" in v for v in values):  # a NUL byte anywhere is refused before any view (core.middleware)
        assert response.status_code == 400
    else:
        assert response.status_code == 302


@FUZZ
@given(
    language=form_value,
    next_url=st.one_of(
        form_value,
        st.sampled_from(
            ["//evil.example/", "https://evil.example/a/", "javascript:alert(1)", "/\\evil.example", "/a/x/frage/1/"]
        ),
    ),
)
def test_the_language_switch_never_leaves_the_site(client, language, next_url):
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert_safe(response, "set_language")
    if response.status_code in {301, 302}:
        target = urlsplit(response["Location"])
        assert target.scheme in {"", "http", "https"} and target.netloc in {"", "testserver"}
    assert client.get("/").status_code == 200  # whatever was chosen, the site still renders


@pytest.fixture
def finished():
    return answer_all(start_assessment(), strongest)


@FUZZ
@given(role=form_value, htmx=st.booleans())
def test_a_hostile_role_on_the_results_page_is_a_400_at_most(client, finished, role, htmx):
    url = reverse("results", args=[finished.token])
    response = client.get(url, {"role": role}, **(HTMX if htmx else {}))
    assert_safe(response, "results ?role=")
    assert response.status_code in {200, 400}


# manage.py assess: the same promise on the command line: a clear CommandError or a result, never a traceback.


def run_assess(monkeypatch, text: str) -> str | None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    out = io.StringIO()
    try:
        call_command("assess", "-", stdout=out)
    except CommandError:
        return None
    return out.getvalue()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(hostile_text, children, max_size=4),
    max_leaves=15,
)


@pytest.fixture
def bank() -> dict[str, list[str]]:
    return {item.slug: [o.value for o in item.options.all()] for item in Item.objects.prefetch_related("options")}


@FUZZ
@given(data=st.data())
def test_the_assess_command_answers_hostile_input_with_a_clear_error_or_a_result(monkeypatch, bank, data):
    slugs = sorted(bank)
    slug = st.one_of(st.sampled_from(slugs), hostile_text)
    value = st.one_of(st.sampled_from(["0", "1", "2", "a", "b"]), json_values)
    entry = st.fixed_dictionaries(
        {"answers": st.one_of(st.dictionaries(slug, value, max_size=6), json_values)},
        optional={"target_role": st.one_of(st.sampled_from(["it_architect", "agile_coach"]), json_values)},
    )
    document = data.draw(st.one_of(entry, st.lists(entry, max_size=3), json_values), label="document")
    as_text = data.draw(st.one_of(st.just(json.dumps(document)), hostile_text), label="text")
    output = run_assess(monkeypatch, as_text)
    if output is not None:
        result = json.loads(output)
        assert isinstance(result, (dict, list))


def test_the_assess_command_scores_valid_answers_taken_from_the_bank(monkeypatch, bank):
    answers = {slug: values[0] for slug, values in bank.items() if values}
    result = json.loads(run_assess(monkeypatch, json.dumps({"answers": answers})))
    assert result["roles"]


@pytest.mark.parametrize("text", ["1" * 5000, "[" * 100_000])
def test_the_assess_command_refuses_pathological_json_cleanly(monkeypatch, text):
    assert run_assess(monkeypatch, text) is None
