"""The printable editions: a learner PDF without solutions, an instructor PDF with them."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genshare.kit.lessons import page_title, read_lessons
from genshare.kit.printable import (
    INSTRUCTOR_PAGES, compose, element_spans, instructor_article, learner_article, pages_of, write_editions,
)
from tests.test_site import CHROMIUM, HTML, _unavailable

SOLUTION_CELL = ('<details class="admonition hide above-input"><summary>Show solution</summary>'
                 '<div class="cell_input"><pre># Solution\nanswer = 42</pre></div></details>')
CHECK_CELL = ('<div class="cell docutils container"><div class="cell_input"><pre>check("05.1", variable="x")</pre></div>'
              '<div class="cell_output docutils container"><pre>Exercise 05.1: correct.</pre></div></div>')
WHY = ('<details class="sd-sphinx-override sd-dropdown sd-card sd-mb-3"><summary class="sd-summary-title">'
       '<span>Why</span></summary><div class="sd-summary-content"><p>Because of the ZIP code.</p></div></details>')
OTHER_DROPDOWN = ('<details class="sd-dropdown"><summary>More about Sweeney</summary><p>Background.</p></details>')
QUIZ = ('<details class="gs-quiz-option gs-quiz-correct"><summary>Option A</summary>'
        '<div class="gs-quiz-feedback">Correct. Three attributes suffice.</div></details>')
EXERCISE = '<div class="admonition"><p class="admonition-title">Exercise 1</p><p>How many?</p></div>'


# -- known answers -----------------------------------------------------------------------------

def test_the_learner_article_keeps_exercises_and_drops_every_answer():
    article = learner_article(EXERCISE + SOLUTION_CELL + CHECK_CELL + WHY + OTHER_DROPDOWN + QUIZ)
    assert "Exercise 1" in article and "How many?" in article and 'check("05.1"' in article
    assert "More about Sweeney" in article and "Option A" in article
    for answer in ("answer = 42", "Exercise 05.1: correct.", "Because of the ZIP code", "Three attributes suffice"):
        assert answer not in article


def test_the_instructor_article_opens_every_details():
    article = instructor_article(SOLUTION_CELL + WHY + QUIZ + '<details open class="x"></details>')
    assert article.count("<details open") == 4 and "answer = 42" in article


def test_editions_list_the_lessons_and_only_the_instructor_one_has_the_guide():
    lessons = [lesson.page for lesson in read_lessons()]
    assert pages_of("learner") == lessons
    assert pages_of("instructor") == [*INSTRUCTOR_PAGES, *lessons]


def _fake_book(root, body):
    for page in pages_of("instructor"):
        path = root / f"{page}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'<html><head><title>{page}</title></head><body><article class="bd-article" role="main">'
                        f'<h1>{page}</h1>{body}<a href="../chapters/glossary.html#term-SNP">SNP</a>'
                        f'<a href="../notebooks/05-linkage-of-quasi-identifiers.html">05</a></article></body></html>')
    (root / "notebooks" / "06-membership-inference-and-beacons.html").write_text(
        '<html><head><title>06</title><script src="../_static/../mathjax/tex-mml-chtml.js"></script></head>'
        '<body><article class="bd-article" role="main"><h1>06</h1></article></body></html>')


def test_compose_joins_the_pages_and_relinks(tmp_path):
    _fake_book(tmp_path, EXERCISE + SOLUTION_CELL)
    learner = compose(tmp_path, "learner", book_url="https://example.org/book").read_text()
    assert learner.count('<section class="kit-page"') == len(read_lessons())
    assert "answer = 42" not in learner and "Exercise 1" in learner and "@page { size: A4;" in learner
    assert "<title>Genomic Data Sharing: learner edition</title>" in learner and "mathjax/tex-mml-chtml.js" in learner
    assert 'href="https://example.org/book/chapters/glossary.html#term-SNP"' in learner  # not in this edition
    assert 'href="#page-notebooks-05-linkage-of-quasi-identifiers"' in learner  # a section of this PDF
    instructor = compose(tmp_path, "instructor", paper="letter").read_text()
    assert "answer = 42" in instructor and "@page { size: letter;" in instructor


# -- properties ----------------------------------------------------------------------------------

_BLOCKS = st.sampled_from([SOLUTION_CELL, CHECK_CELL, WHY, OTHER_DROPDOWN, QUIZ, EXERCISE, "<p>text</p>"])


@settings(max_examples=80, deadline=None)
@given(st.lists(_BLOCKS, max_size=12), st.integers(min_value=0, max_value=3))
def test_no_answer_survives_whatever_the_arrangement(blocks, depth):
    fragment = "<div>" * depth + "".join(blocks) + "</div>" * depth
    article = learner_article(fragment)
    assert "answer = 42" not in article and "Because of the ZIP code" not in article
    assert "Exercise 05.1: correct." not in article and "Three attributes suffice" not in article
    assert article.count("Exercise 1") == fragment.count("Exercise 1")
    assert article.count("More about Sweeney") == fragment.count("More about Sweeney")
    # Removing whole elements keeps the document balanced.
    assert article.count("<div") == article.count("</div>") and article.count("<details") == article.count("</details>")
    assert element_spans(article, lambda tag, attrs: "hide" in attrs.get("class", "").split()) == []


# -- bad input -------------------------------------------------------------------------------------

def test_unknown_edition_paper_or_missing_build_are_named(tmp_path):
    with pytest.raises(ValueError, match="edition must be one of learner, instructor; got 'teacher'"):
        pages_of("teacher")
    with pytest.raises(ValueError, match="paper must be one of a4, letter; got 'a5'"):
        compose(tmp_path, "learner", paper="a5")
    with pytest.raises(FileNotFoundError, match="06-membership-inference-and-beacons.html is missing: build the book"):
        compose(tmp_path, "learner")


def test_a_head_page_without_head_is_named(tmp_path):
    _fake_book(tmp_path, EXERCISE)
    (tmp_path / "notebooks" / "06-membership-inference-and-beacons.html").write_text("<html><body></body></html>")
    with pytest.raises(ValueError, match="06-membership-inference-and-beacons.html has no <head> element"):
        compose(tmp_path, "learner")


# -- the real PDFs, printed from the built book by Chromium -------------------------------------------

@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    if not CHROMIUM:
        _unavailable("Chromium is not installed (Debian package chromium)")
    if not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        _unavailable("pdftotext and pdfinfo are not installed (Debian package poppler-utils)")
    if not (HTML / "index.html").is_file():
        pytest.fail("_build/html/index.html is missing: build the book first (make test does)")
    return write_editions(HTML, tmp_path_factory.mktemp("pdf"))


def _info(path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def _text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.browser
@pytest.mark.slow
def test_the_pdfs_are_tagged_a4_and_hold_what_their_edition_promises(pdfs):
    learner, instructor = _info(pdfs["learner"]), _info(pdfs["instructor"])
    for info in (learner, instructor):
        assert info["Tagged"].strip() == "yes" and "(A4)" in info["Page size"]
    assert 100 <= int(learner["Pages"]) < int(instructor["Pages"]) <= 400
    learner_text, instructor_text = _text(pdfs["learner"]), _text(pdfs["instructor"])
    flat = " ".join(learner_text.split())
    for lesson in read_lessons():
        assert " ".join(page_title(lesson.page).split()[:3]) in flat, f"{lesson.page} missing from the learner PDF"
    assert learner_text.count("Exercise 1") >= 12
    assert "# Solution" not in learner_text and "Hide solution" not in learner_text
    assert "Instructor notes, lesson by lesson" not in learner_text
    assert instructor_text.count("# Solution") >= 20 and "Instructor notes, lesson by lesson" in instructor_text


@pytest.mark.browser
@pytest.mark.slow
def test_every_figure_keeps_its_alt_text_in_the_pdf(pdfs):
    composed = (HTML / "print" / "learner.html").read_text(encoding="utf-8")
    images = re.findall(r"<img [^>]*>", composed)
    described = [image for image in images if re.search(r'alt="[^"]+"', image)]
    assert images and len(described) == len(images)
    alts = re.findall(rb"/Alt\s*[(<]", pdfs["learner"].read_bytes())
    assert len(alts) >= len(described), f"{len(alts)} alt texts in the PDF for {len(described)} figures"
