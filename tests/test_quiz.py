"""Checks for understanding: the question file, where questions appear, and answering them in a browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genshare.paths import PROJECT_ROOT, data_dir
from genshare.quiz import load_quizzes, quiz, render_html

QUIZZES = data_dir() / "quizzes.json"
CHAPTERS = ["why-share", "genomic-data-is-different", "reidentification", "deidentification", "access-and-governance"]


def test_every_question_is_sourced_and_explained():
    bib = (PROJECT_ROOT / "references.bib").read_text()
    keys = set(re.findall(r"^@\w+\{([^,]+),", bib, flags=re.M))
    for page, questions in load_quizzes().items():
        for q in questions:
            assert q.source_key in keys, f"{page}/{q.id}: source {q.source_key!r} is not in references.bib"
            assert sum(o.correct for o in q.options) == 1 and all(o.explanation for o in q.options)


def test_every_lesson_page_has_questions_and_shows_them():
    quizzes = load_quizzes()
    for notebook in sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb")):
        page = notebook.name.split("-")[0]
        assert page in quizzes, f"{notebook.name} has no questions in {QUIZZES.name}"
        cells = nbformat.read(notebook, as_version=4).cells
        calls = [c for c in cells if c.cell_type == "code" and f'quiz("{page}")' in c.source]
        assert len(calls) == 1, f"{notebook.name}: expected one cell calling quiz({page!r})"
    for chapter in CHAPTERS:
        text = (PROJECT_ROOT / "chapters" / f"{chapter}.md").read_text()
        assert f"```{{quiz}} {chapter}" in text and chapter in quizzes


def test_html_is_script_free_and_escaped():
    html = render_html(quiz("05").questions)
    assert "<script" not in html and "http" not in html  # works offline, no CDN
    assert html.count("<details") == len(quiz("05").questions[0].options)
    assert "Correct." in html and "Not quite." in html


def _write(tmp_path: Path, pages) -> Path:
    path = tmp_path / "q.json"
    path.write_text(json.dumps({"pages": pages}))
    return path


def _question(**changes):
    q = {"id": "q1", "prompt": "P?", "source": {"key": "k", "text": "T"},
         "options": [{"text": "a", "correct": True, "explanation": "e"}, {"text": "b", "correct": False, "explanation": "f"}]}
    q.update(changes)
    return q


@pytest.mark.parametrize("question, field", [
    (_question(prompt=""), "prompt"),
    (_question(id="Bad Id"), "id"),
    (_question(source="k"), "source"),
    (_question(options=[{"text": "a", "correct": True, "explanation": "e"}]), "options"),
    (_question(options=[{"text": "a", "correct": True, "explanation": "e"}, {"text": "b", "correct": True, "explanation": "f"}]), "exactly one correct"),
    (_question(options=[{"text": "a", "correct": "yes", "explanation": "e"}, {"text": "b", "correct": False, "explanation": "f"}]), "correct"),
    (_question(options=[{"text": "a", "correct": True}, {"text": "b", "correct": False, "explanation": "f"}]), r"options\[0\]"),
    (_question(colour="red"), "colour"),
])
def test_malformed_questions_name_the_field(tmp_path, question, field):
    with pytest.raises(ValueError, match=field):
        load_quizzes(_write(tmp_path, {"05": [question]}))


@settings(max_examples=30, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
                    max_leaves=8))
def test_arbitrary_json_is_refused_or_read(tmp_path_factory, content):
    path = tmp_path_factory.mktemp("quiz") / "q.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError):
        load_quizzes(path)


def test_unknown_page_lists_the_known_ones():
    with pytest.raises(ValueError, match="pages with questions"):
        quiz("99")


# --- answering in a browser (selenium + Debian chromium, as tests/test_site.py) ---------------------

from tests.test_site import AXE_BLOCKING, browser, run_axe, site  # noqa: E402,F401  (fixtures)


def _answer_every_question(driver, where: str) -> int:
    """Open each option by keyboard or click and check its feedback; returns how many questions."""
    from selenium.webdriver.common.keys import Keys

    questions = driver.find_elements("css selector", "fieldset.gs-quiz")
    assert questions, f"{where}: no question rendered"
    for fieldset in questions:
        options = fieldset.find_elements("css selector", "details.gs-quiz-option")
        for number, option in enumerate(options):
            feedback = option.find_element("css selector", ".gs-quiz-feedback")
            assert not feedback.is_displayed(), f"{where}: feedback visible before answering"
            summary = option.find_element("css selector", "summary")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
            if number % 2:  # every other option by keyboard: Tab reaches it, Enter opens it
                driver.execute_script("arguments[0].focus()", summary)
                assert driver.switch_to.active_element == summary
                summary.send_keys(Keys.ENTER)
            else:
                summary.click()
            assert feedback.is_displayed(), f"{where}: no feedback after choosing option {number + 1}"
            expected = "Correct." if "gs-quiz-correct" in option.get_attribute("class") else "Not quite."
            assert feedback.text.startswith(expected) and len(feedback.text) > len(expected) + 5
    return len(questions)


def _no_blocking_violations(driver, where: str) -> None:
    blocking = [v for v in run_axe(driver) if v["impact"] in AXE_BLOCKING]
    assert not blocking, f"{where}: axe-core found " + "; ".join(f"{v['id']}: {v['help']}" for v in blocking)


@pytest.mark.browser
def test_answering_a_standalone_quiz_page(browser, tmp_path):  # noqa: F811
    """The HTML a notebook shows, on its own page with no style sheet: works and passes axe."""
    page = tmp_path / "quiz.html"
    body = "".join(render_html(questions) for questions in load_quizzes().values())
    page.write_text(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Quiz</title></head><body><main>{body}</main></body></html>')
    browser.get(page.as_uri())
    assert _answer_every_question(browser, "standalone") == sum(len(q) for q in load_quizzes().values())
    _no_blocking_violations(browser, "standalone")


@pytest.mark.browser
@pytest.mark.parametrize("page", ["chapters/reidentification.html", "notebooks/05-linkage-of-quasi-identifiers.html"])
def test_answering_in_the_book(browser, site, page):  # noqa: F811
    """In the built book: a chapter (the quiz directive) and a notebook (stored output)."""
    browser.get(site + page)
    _answer_every_question(browser, page)
    _no_blocking_violations(browser, page)


from tests.test_site import HTML, _unavailable, jupyterlab  # noqa: E402,F401  (fixture)

_QUIZ_READY = "return document.querySelectorAll('.jp-NotebookPanel fieldset.gs-quiz details summary').length"


def _wait_for_quiz(driver, where: str, seconds: float = 90) -> None:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        # JupyterLab renders cells as they scroll into view: bring the end of the notebook in.
        driver.execute_script("const p = document.querySelector('.jp-WindowedPanel-outer, .jp-NotebookPanel-notebook');"
                              " if (p) p.scrollTop = p.scrollHeight;")
        if driver.execute_script(_QUIZ_READY):
            return
        time.sleep(1)
    pytest.fail(f"{where}: the stored quiz output did not render")


@pytest.mark.browser
def test_answering_in_jupyterlab_from_stored_outputs(browser, jupyterlab):  # noqa: F811
    """JupyterLab shows the committed output (the notebook is untrusted, so only sanitised HTML):
    the quiz needs no script and answers."""
    browser.get(jupyterlab + "lab/tree/notebooks/05-linkage-of-quasi-identifiers.ipynb")
    _wait_for_quiz(browser, "JupyterLab")
    assert _answer_every_question(browser, "JupyterLab") == len(quiz("05").questions)


def test_jupyterlite_site_ships_the_quiz():
    """The JupyterLite site clears outputs (lite/build.py), so there the quiz appears when the
    learner runs its cell in Pyodide (not started here: it comes from a CDN). Check that the
    cell and the module with its questions (standard library only) are on the site."""
    import zipfile

    lite = HTML / "lite"
    if not (lite / "lab" / "index.html").is_file():
        _unavailable("the JupyterLite site is not built (make book builds it)")
    notebook = nbformat.read(lite / "files" / "learner" / "05-linkage-of-quasi-identifiers.ipynb", as_version=4)
    assert any('quiz("05")' in c.source for c in notebook.cells if c.cell_type == "code")
    (wheel,) = (lite / "pypi").glob("genshare-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"genshare/quiz.py", "genshare/data/quizzes.json", "genshare/challenge.py"} <= set(names)


# --- Arrangement: balanced positions, per-learner orders, no option lost ------------------

from collections import Counter  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from genshare.quiz import MAX_OPTIONS, Option, Question, arrange, letter  # noqa: E402


def _right_positions(bank) -> list[int]:
    return [next(i for i, o in enumerate(q.options) if o.correct) for page in bank.values() for q in page]


@pytest.mark.parametrize("learner", [None, "ana", "Ana María", "bob", "chen wei"])
def test_the_right_option_is_at_every_position_equally_often(learner):
    positions = _right_positions(arrange(load_quizzes(), learner))
    counts = Counter(positions)
    n = len(load_quizzes()["05"][0].options)
    assert set(counts) == set(range(n)) and max(counts.values()) - min(counts.values()) <= 1, counts


def test_learners_get_different_orders_deterministically():
    bank = load_quizzes()
    assert _right_positions(arrange(bank, "ana")) == _right_positions(arrange(bank, " ANA "))
    orders = {tuple(_right_positions(arrange(bank, name))) for name in ["ana", "bob", "chen wei", "dee", "eve"]}
    assert len(orders) >= 4


def test_quiz_uses_the_sessions_learner(monkeypatch):
    monkeypatch.setenv("GENSHARE_LEARNER", "bob")
    assert [o.text for o in quiz("05").questions[0].options] == [o.text for o in arrange(load_quizzes(), "bob")["05"][0].options]


@settings(max_examples=50, deadline=None)
@given(n_options=st.integers(2, MAX_OPTIONS), n_questions=st.integers(1, 30), learner=st.one_of(st.none(), st.text(st.characters(categories=("L", "N", "Zs")), min_size=1, max_size=8).filter(str.strip)))
def test_arrange_keeps_every_option_and_the_answer(n_options, n_questions, learner):
    questions = tuple(
        Question(f"q{i}", "?", "k", "s", tuple(Option(f"o{j}", j == i % n_options, "e") for j in range(n_options)))
        for i in range(n_questions)
    )
    arranged = arrange({"p": questions}, learner)["p"]
    for before, after in zip(questions, arranged):
        assert sorted(o.text for o in after.options) == sorted(o.text for o in before.options)
        assert [o for o in after.options if o.correct] == [o for o in before.options if o.correct]
    counts = Counter(next(i for i, o in enumerate(q.options) if o.correct) for q in arranged)
    assert max(counts.values()) - min(counts.values(), default=0) <= 1 or n_questions < n_options


def test_options_beyond_eight_are_labelled_not_dropped():
    q = Question("many", "?", "k", "s", tuple(Option(f"option {j}", j == 9, "e") for j in range(12)))
    html = render_html([q])
    assert html.count("<details") == 12 and "L. option" in html
    assert letter(25) == "Z"
    with pytest.raises(ValueError, match="option index"):
        letter(26)
