"""Slides per part, generated from the lessons' own material."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from genshare.kit.lessons import page_title, read_lessons
from genshare.kit.slides import Slide, build_deck, decks, part_captions, write_decks
from genshare.quiz import load_quizzes
from tests.test_site import CHROMIUM, _unavailable


@pytest.fixture(scope="module")
def built():
    return decks()


def _all(slides):
    return [slide for part in slides.values() for slide in part]


def test_one_deck_per_part_starting_with_its_caption(built):
    slides, _ = built
    captions = part_captions()
    assert list(slides) == ["I", "II", "III"]
    for part, deck in slides.items():
        assert deck[0].title == captions[part]


def test_every_lesson_has_a_title_slide_with_its_objectives_and_estimate(built):
    slides, _ = built
    titles = {slide.title: slide for slide in _all(slides) if "lesson-title" in slide.classes}
    for lesson in read_lessons():
        slide = titles[page_title(lesson.page)]
        assert "you can" in slide.body and slide.body.count("\n- ") >= 1, lesson.page
        assert f"Book estimate: {lesson.estimate}" in slide.notes


def test_key_figures_carry_their_alt_text_and_notes_hold_the_instructor_notes(built):
    slides, images = built
    figures = [slide for slide in _all(slides) if slide.image]
    assert len(figures) >= 8 and set(images) == {slide.image[0] for slide in figures}
    for slide in figures:
        name, alt, caption = slide.image
        assert images[name][:8] == b"\x89PNG\r\n\x1a\n" and len(alt) > 40 and caption
        assert alt in slide.notes
    notes = {slide.title: slide.notes for slide in _all(slides) if "lesson-title" in slide.classes}
    assert "Live-code" in notes["Notebook 05: Linking quasi-identifiers"]
    assert "35,852" in notes["Notebook 05: Linking quasi-identifiers"]  # glued from the notebook


def test_every_quiz_question_is_asked_once_with_the_answer_only_in_the_notes(built):
    slides, _ = built
    quiz_slides = [slide for slide in _all(slides) if slide.title == "Check your understanding"]
    questions = [q for page in load_quizzes().values() for q in page]
    assert len(quiz_slides) == len(questions)
    for question in questions:
        (slide,) = [s for s in quiz_slides if question.prompt in s.body]
        right = [o for o in question.options if o.correct][0]
        assert right.explanation in slide.notes and right.explanation not in slide.body
        assert all(option.text in slide.body for option in question.options)


def test_no_myst_is_left_unconverted(built):
    slides, _ = built
    for slide in _all(slides):
        for text in (slide.title, slide.body, slide.notes):
            assert not re.search(r"\{(glue|doc|term|cite|ref|numref)[:}]", text), text[:200]


def test_the_deck_is_self_contained_html():
    deck = build_deck("T", [Slide("One", "- a\n- b", "say this"), Slide("Fig", "", "alt", ("x.png", "A chart", "Caption"))])
    assert 'src="reveal/dist/reveal.js"' in deck and 'href="reveal/dist/theme/white.css"' in deck
    assert not re.search(r'(src|href)="https?://', deck), "the deck loads something from the network"
    assert "Note:\nsay this" in deck and '<aside class="notes">alt</aside>' in deck
    assert '<img src="img/x.png" alt="A chart">' in deck
    escaped = build_deck("T", [Slide("X", "</textarea><script>alert(1)</script>")])
    assert "<script>alert(1)</script>" not in escaped


@pytest.mark.browser
@pytest.mark.slow
def test_decks_print_offline_one_slide_a_page(tmp_path):
    if not CHROMIUM:
        _unavailable("Chromium is not installed (Debian package chromium)")
    if not shutil.which("npm") or not shutil.which("pdfinfo"):
        _unavailable("npm (fetches reveal.js) or pdfinfo (poppler-utils) is not installed")
    from genshare.kit.printable import print_pdf

    paths = write_decks(tmp_path)
    assert [p.name for p in paths] == ["part-1.html", "part-2.html", "part-3.html"]
    assert (tmp_path / "reveal" / "dist" / "reveal.js").is_file()
    deck = paths[1]
    pdf = print_pdf(tmp_path, deck, tmp_path / "part-2.pdf", query="print-pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages == deck.read_text().count("<section ")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "KEY POINTS" in text.upper() and "After this notebook you can" in text
