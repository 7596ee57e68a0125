"""The workshop plans follow the lessons' own estimated times."""

from __future__ import annotations

import dataclasses

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from genshare.kit import schedule
from genshare.kit.lessons import LESSONS_CSV, Lesson, read_lessons, stated_time
from genshare.kit.schedule import MAX_STRETCH, PLANS, SCHEDULE_MD, Activity, Break, Plan, build_plan, current_markdown
from genshare.paths import PROJECT_ROOT

LESSONS = read_lessons()


# -- known answers -------------------------------------------------------------------------

def test_known_plan_lengths_and_start_times():
    half, full, two = (build_plan(plan, LESSONS) for plan in PLANS)
    assert [day.length for day in half.days] == [210]
    assert [day.length for day in full.days] == [505]
    assert [day.length for day in two.days] == [500, 475]
    rows = {row.label: row.start for row in half.days[0].rows}
    assert rows["chapters/reidentification"] == 70 and rows["notebooks/05-linkage-of-quasi-identifiers"] == 130


def test_the_capstone_gets_its_team_session_and_per_learner_worlds_get_time():
    two = build_plan(PLANS[2], LESSONS)
    capstone = [row for day in two.days for row in day.rows if row.label == "notebooks/11-release-challenge"]
    assert len(capstone) == 1 and capstone[0].minutes == 90
    for plan in PLANS[1:]:
        labels = [row.label for day in build_plan(plan, LESSONS).days for row in day.rows]
        assert any(label.startswith("Switch to per-learner worlds") for label in labels), plan.key


def test_two_days_cover_every_lesson_in_the_books_order():
    two = build_plan(PLANS[2], LESSONS)
    assert two.follow_up == ()
    taught = [row.lesson.page for day in two.days for row in day.rows if row.lesson]
    assert taught == [lesson.page for lesson in LESSONS]


# -- the single source agrees with the pages and the table of contents -----------------------

@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.page)
def test_each_page_states_the_time_of_lessons_csv(lesson):
    assert stated_time(lesson.page) == (lesson.minutes_low, lesson.minutes_high, lesson.optional), (
        f"{lesson.page} states another time than {LESSONS_CSV.name}: update the file, then run "
        "python -m genshare.kit.schedule"
    )


def test_every_lesson_of_the_book_is_in_lessons_csv():
    toc = yaml.safe_load((PROJECT_ROOT / "_toc.yml").read_text())
    lessons = [chapter["file"] for part in toc["parts"] if part["caption"].startswith("Part")
               for chapter in part["chapters"]]
    assert lessons == [lesson.page for lesson in LESSONS]


def test_the_included_schedule_is_current():
    assert SCHEDULE_MD.read_text(encoding="utf-8") == current_markdown(), (
        "chapters/kit/schedule.md is stale: run python -m genshare.kit.schedule"
    )
    guide = (PROJECT_ROOT / "chapters" / "instructor-guide.md").read_text(encoding="utf-8")
    assert "```{include} kit/schedule.md" in guide


def test_a_changed_time_changes_the_schedule():
    changed = [dataclasses.replace(lesson, minutes_high=lesson.minutes_high + 5) if lesson.page == "chapters/repositories"
               else lesson for lesson in LESSONS]
    text = schedule.render_markdown([build_plan(plan, changed) for plan in PLANS])
    assert text != SCHEDULE_MD.read_text(encoding="utf-8")
    assert "| 0:10 | {doc}`../chapters/repositories` | 25 to 30 min | 30 min |" in text


# -- properties ------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=40), min_size=len(LESSONS), max_size=len(LESSONS)))
def test_any_times_give_a_consistent_plan_or_a_clear_refusal(minutes):
    lessons = [dataclasses.replace(lesson, minutes_low=m, minutes_high=m, workshop_minutes=None)
               for lesson, m in zip(LESSONS, minutes)]
    for plan in PLANS:
        try:
            course = build_plan(plan, lessons)
        except ValueError as error:
            assert f"more than {MAX_STRETCH}" in str(error) and plan.key in str(error)
            continue
        for day in course.days:
            # Rows follow each other without gaps or overlaps; the day is their sum.
            for earlier, later in zip(day.rows, day.rows[1:]):
                assert later.start == earlier.start + earlier.minutes
            assert day.length == sum(row.minutes for row in day.rows)
        placed = {row.lesson.page for day in course.days for row in day.rows if row.lesson}
        accounted = placed | {lesson.page for lesson in course.before} | {lesson.page for lesson in course.follow_up}
        assert accounted == {lesson.page for lesson in lessons}  # nothing dropped
        assert not placed & {lesson.page for lesson in course.follow_up}


# -- bad input ---------------------------------------------------------------------------------

def test_a_stretch_without_a_break_is_refused():
    plan = Plan("bad", "Bad", days=((Activity("welcome", 10), "notebooks/04-relatives-and-familial-search",
                                     "chapters/why-share"),))
    with pytest.raises(ValueError, match=r"plan 'bad', day 1: 105 minutes without a break"):
        build_plan(plan, LESSONS)


def test_unknown_or_repeated_pages_are_refused():
    with pytest.raises(ValueError, match="'chapters/nowhere' is not a lesson"):
        build_plan(Plan("x", "X", days=(("chapters/nowhere",),)), LESSONS)
    with pytest.raises(ValueError, match="appears twice"):
        build_plan(Plan("x", "X", days=(("chapters/why-share", Break(5), "chapters/why-share"),)), LESSONS)


@pytest.mark.parametrize("row, message", [
    ("chapters/why-share,I,20,x,,no", "row 2: minutes_high must be a positive whole number"),
    ("chapters/why-share,I,30,20,,no", r"row 2: minutes_low \(30\) is above minutes_high \(20\)"),
    ("chapters/why-share,IV,20,20,,no", "row 2: part must be one of"),
    ("chapters/why-share,I,20,20,,maybe", "row 2: optional must be yes or no"),
    ("why-share,I,20,20,,no", "row 2: page must be chapters/NAME"),
    ("chapters/why-share,I,20,20", "row 2: expected 6 fields"),
])
def test_malformed_rows_name_the_row_and_field(tmp_path, row, message):
    path = tmp_path / "lessons.csv"
    path.write_text("page,part,minutes_low,minutes_high,workshop_minutes,optional\n" + row + "\n")
    with pytest.raises(ValueError, match=message):
        read_lessons(path)


def test_a_page_without_an_estimated_time_is_named(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "x.md").write_text("# X\n\nNo time here.\n")
    with pytest.raises(ValueError, match=r"x\.md: no '\*\*Estimated time"):
        stated_time("chapters/x", root=tmp_path)


def test_lesson_minutes_prefer_the_workshop_slot():
    assert Lesson("notebooks/11-release-challenge", "III", 60, 60, 90).minutes == 90
