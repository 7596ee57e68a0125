"""Instructor notes per lesson: generated misconceptions and glued numbers."""

from __future__ import annotations

import json
import re

import pytest

from genshare.kit.lessons import read_lessons
from genshare.kit.notes import CHECKS_MD, lesson_key, render_markdown
from genshare.paths import PROJECT_ROOT

NOTES = PROJECT_ROOT / "chapters" / "instructor-notes.md"
NOTEBOOK_LESSONS = [lesson for lesson in read_lessons() if lesson.is_notebook]
_GLUE = re.compile(r"\{glue:text\}`\.\./(notebooks/[^`:]+\.ipynb)::(\w+):[^`]*`")


def glued_keys(path) -> set[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return {output["metadata"]["scrapbook"]["name"]
            for cell in notebook["cells"] if cell["cell_type"] == "code"
            for output in cell.get("outputs", []) if output.get("metadata", {}).get("scrapbook")}


def test_known_lesson_keys():
    assert [lesson_key(lesson.page) for lesson in NOTEBOOK_LESSONS][:5] == ["01", "02", "03", "04", "04b"]


def test_the_included_checks_are_current():
    assert CHECKS_MD.read_text(encoding="utf-8") == render_markdown(), (
        "chapters/kit/checks.md is stale: run python -m genshare.kit.notes")


def test_every_exercise_appears_once_in_its_lessons_section():
    from genshare.exercises import exercises

    text = render_markdown()
    for exercise in exercises():
        key = exercise.id.split(".")[0]
        section = text.split(f"<!-- checks:{key} -->", 1)[1].split(f"<!-- end checks:{key} -->", 1)[0]
        assert len(re.findall(rf"^\| {re.escape(exercise.id)} \|", section, re.MULTILINE)) == 1, exercise.id
        for misconception in exercise.misconceptions:
            assert " ".join(misconception.hint.split()).replace("|", "\\|") in section


@pytest.mark.parametrize("lesson", NOTEBOOK_LESSONS, ids=lambda lesson: lesson.page)
def test_every_notebook_has_notes_with_its_checks_and_glued_numbers(lesson):
    text = NOTES.read_text(encoding="utf-8")
    key = lesson_key(lesson.page)
    assert f":start-after: <!-- checks:{key} -->" in text and f":end-before: <!-- end checks:{key} -->" in text
    section = text.split(f":start-after: <!-- checks:{key} -->")[0].rsplit("\n## ", 1)[1]
    assert "**Live-code**" in section and "**Where learners stall:**" in section
    refs = [(nb, name) for nb, name in _GLUE.findall(section)]
    assert refs, f"{lesson.page}: no glued key number in its notes"
    for notebook, name in refs:
        assert notebook == lesson.page + ".ipynb", f"{lesson.page}'s notes glue from {notebook}"
        assert name in glued_keys(PROJECT_ROOT / notebook), f"{notebook} glues no {name!r} (renamed?)"


def test_no_number_is_typed_by_hand_in_the_key_numbers():
    for line in NOTES.read_text(encoding="utf-8").split("**Key numbers:**")[1:]:
        prose = _GLUE.sub("", line.split("```", 1)[0])
        prose = prose.replace("99%", "").replace("exercise 2", "")  # the lesson's question, not a result
        assert not re.search(r"\d", prose), f"a typed number in key numbers: {prose.strip()[:120]}"


def test_the_learner_edition_and_lesson_pages_do_not_carry_the_notes():
    for path in [*(PROJECT_ROOT / "learner").rglob("*"), *(PROJECT_ROOT / "notebooks").glob("*.ipynb")]:
        if path.is_file() and path.suffix in {".ipynb", ".md"}:
            assert "instructor-notes" not in path.read_text(encoding="utf-8"), path
    toc = (PROJECT_ROOT / "_toc.yml").read_text()
    assert toc.rstrip().endswith("- file: chapters/instructor-notes")
