"""Workshop plans computed from the lessons' own estimated times.

A plan is an ordered list of days; a day is a list of slots: a lesson (its page, as in
``_toc.yml``), a :class:`Break` or an :class:`Activity` (welcome, setup check, switching to
per-learner worlds, wrap-up). Each lesson's minutes come from :mod:`genshare.kit.lessons`
(``lessons.csv``, which ``tests/test_schedule.py`` checks against every page), so the start
times, the length of each day and the list of lessons a plan leaves out are all computed.
No stretch between two breaks may exceed :data:`MAX_STRETCH` minutes: when a lesson's time
grows past that, :func:`build_plan` raises instead of printing a plan nobody can teach.

``python -m genshare.kit.schedule`` writes the Markdown that the instructor guide includes
(``chapters/kit/schedule.md``); the test fails when that file differs from what the
current times give, so a changed estimate cannot leave a stale schedule behind.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from genshare.kit.lessons import Lesson, read_lessons
from genshare.paths import PROJECT_ROOT

__all__ = [
    "MAX_STRETCH",
    "PLANS",
    "SCHEDULE_MD",
    "Activity",
    "Break",
    "Plan",
    "PlannedDay",
    "Row",
    "build_plan",
    "render_markdown",
    "write",
]

#: Longest run of teaching, in minutes, without a break.
MAX_STRETCH = 90

#: The generated file the instructor guide includes.
SCHEDULE_MD = PROJECT_ROOT / "chapters" / "kit" / "schedule.md"


@dataclass(frozen=True)
class Break:
    """A break (``label`` "Break" or "Lunch") of ``minutes``."""

    minutes: int
    label: str = "Break"


@dataclass(frozen=True)
class Activity:
    """A slot that is not a lesson: welcome, setup check, switching worlds, wrap-up."""

    label: str
    minutes: int


Slot = str | Break | Activity

WELCOME = Activity("Welcome; setup check (everyone runs the first cell of a notebook)", 10)
SWITCH_WORLDS = Activity(
    "Switch to per-learner worlds: each learner sets `COURSE` and `LEARNER` in the first cell "
    "and runs it (the world is made in about a minute; worlds made the day before load at once)",
    10,
)
RECAP = Activity("Welcome back; recap of day 1", 10)


def WRAP_UP(minutes: int) -> Activity:  # noqa: N802 (reads as a constant in the plans)
    return Activity("Wrap-up: what would you change in your own consent forms and releases?", minutes)


@dataclass(frozen=True)
class Plan:
    """A named plan: its days (lists of slots), lessons to do beforehand, and a note."""

    key: str
    title: str
    days: tuple[tuple[Slot, ...], ...]
    before: tuple[str, ...] = ()
    note: str = ""


#: The three plans. Lessons in none of a plan's days nor in its ``before`` are listed under
#: the plan as follow-up, with their times, so every lesson is accounted for.
PLANS: tuple[Plan, ...] = (
    Plan(
        "half-day",
        "Half day",
        days=(
            (
                WELCOME,
                "chapters/repositories",
                "chapters/genomic-data-is-different",
                Break(10),
                "chapters/reidentification",
                "notebooks/03-genetic-fingerprints",
                "notebooks/05-linkage-of-quasi-identifiers",
                Break(10),
                "chapters/access-and-governance",
                WRAP_UP(15),
            ),
        ),
        before=("notebooks/02-synthetic-cohort",),
        note="Everyone works on the book's world: there is no time to switch to per-learner worlds.",
    ),
    Plan(
        "full-day",
        "Full day",
        days=(
            (
                WELCOME,
                "chapters/why-share",
                "chapters/repositories",
                "chapters/genomic-data-is-different",
                Break(15),
                "chapters/reidentification",
                "notebooks/03-genetic-fingerprints",
                "notebooks/05-linkage-of-quasi-identifiers",
                Break(10),
                "notebooks/04-relatives-and-familial-search",
                Break(45, "Lunch"),
                SWITCH_WORLDS,
                "notebooks/06-membership-inference-and-beacons",
                Break(15),
                "chapters/deidentification",
                "notebooks/08-protecting-summary-statistics",
                Break(10),
                "chapters/access-and-governance",
                WRAP_UP(10),
            ),
        ),
        before=("notebooks/01-repository-catalogue", "notebooks/02-synthetic-cohort"),
        note="The morning runs on the book's world; from the afternoon each learner checks their "
        "answers on their own world.",
    ),
    Plan(
        "two-day",
        "Two days",
        days=(
            (
                WELCOME,
                "chapters/why-share",
                "chapters/repositories",
                "notebooks/01-repository-catalogue",
                Break(15),
                "chapters/genomic-data-is-different",
                "notebooks/02-synthetic-cohort",
                Break(10),
                "chapters/reidentification",
                "notebooks/03-genetic-fingerprints",
                Break(45, "Lunch"),
                "notebooks/04-relatives-and-familial-search",
                Break(15),
                "notebooks/04b-surname-inference",
                "notebooks/05-linkage-of-quasi-identifiers",
                Break(10),
                "notebooks/06-membership-inference-and-beacons",
                WRAP_UP(10),
            ),
            (
                RECAP,
                SWITCH_WORLDS,
                "chapters/deidentification",
                "notebooks/07-safe-harbor-and-k-anonymity",
                Break(15),
                "notebooks/08-protecting-summary-statistics",
                "chapters/access-and-governance",
                Break(10),
                "notebooks/09-data-use-and-access-requests",
                "notebooks/10-preparing-a-deposit",
                Break(45, "Lunch"),
                "chapters/before-you-share",
                Break(10),
                "notebooks/11-release-challenge",
                Break(10),
                "chapters/going-further",
                WRAP_UP(15),
            ),
        ),
        note="Day 1 (parts I and II) runs on the book's world; day 2 (part III and the capstone) on "
        "each learner's own world, and the capstone's teams share one world each.",
    ),
)


@dataclass(frozen=True)
class Row:
    """One line of a computed plan: start (minutes from the day's start), what, minutes."""

    start: int
    minutes: int
    label: str
    lesson: Lesson | None = None
    is_break: bool = False


@dataclass(frozen=True)
class PlannedDay:
    rows: tuple[Row, ...]

    @property
    def length(self) -> int:
        """Minutes from the start of the day to its end."""
        return self.rows[-1].start + self.rows[-1].minutes if self.rows else 0


@dataclass(frozen=True)
class PlannedCourse:
    plan: Plan
    days: tuple[PlannedDay, ...]
    before: tuple[Lesson, ...]
    follow_up: tuple[Lesson, ...] = field(default=())


def build_plan(plan: Plan, lessons: Sequence[Lesson]) -> PlannedCourse:
    """Compute start times, check the stretches between breaks, list what the plan leaves out.

    Parameters
    ----------
    plan
        One of :data:`PLANS` (or your own).
    lessons
        The lessons and their times (:func:`genshare.kit.lessons.read_lessons`).

    Raises
    ------
    ValueError
        When the plan names a page that is not a lesson, names a lesson twice, or teaches
        longer than :data:`MAX_STRETCH` minutes without a break (the message names the plan,
        the day and the lessons of that stretch).

    Examples
    --------
    >>> from genshare.kit.lessons import read_lessons
    >>> half = build_plan(PLANS[0], read_lessons())
    >>> half.days[0].rows[1].start, half.days[0].rows[1].label
    (10, 'chapters/repositories')
    """
    by_page = {lesson.page: lesson for lesson in lessons}
    used: set[str] = set()

    def lesson_of(page: str) -> Lesson:
        if page not in by_page:
            raise ValueError(f"plan {plan.key!r}: {page!r} is not a lesson of lessons.csv")
        if page in used:
            raise ValueError(f"plan {plan.key!r}: {page!r} appears twice")
        used.add(page)
        return by_page[page]

    before = tuple(lesson_of(page) for page in plan.before)
    days = []
    for number, slots in enumerate(plan.days, start=1):
        rows: list[Row] = []
        stretch_labels: list[str] = []
        clock, stretch = 0, 0
        for slot in slots:
            if isinstance(slot, Break):
                rows.append(Row(clock, slot.minutes, slot.label, is_break=True))
                stretch, stretch_labels = 0, []
                clock += slot.minutes
                continue
            if isinstance(slot, Activity):
                row = Row(clock, slot.minutes, slot.label)
            else:
                lesson = lesson_of(slot)
                row = Row(clock, lesson.minutes, lesson.page, lesson)
            rows.append(row)
            clock += row.minutes
            stretch += row.minutes
            stretch_labels.append(row.label)
            if stretch > MAX_STRETCH:
                raise ValueError(
                    f"plan {plan.key!r}, day {number}: {stretch} minutes without a break "
                    f"(more than {MAX_STRETCH}): {', '.join(stretch_labels)}; move a break or a lesson"
                )
        days.append(PlannedDay(tuple(rows)))
    follow_up = tuple(lesson for lesson in lessons if lesson.page not in used)
    return PlannedCourse(plan, tuple(days), before, follow_up)


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def _link(lesson: Lesson, base: str) -> str:
    return f"{{doc}}`{base}{lesson.page}`"


def _slot_label(lesson: Lesson) -> str:
    slot = f"{lesson.minutes} min"
    if lesson.workshop_minutes is not None:
        slot += " (workshop session)"
    return slot


def render_markdown(courses: Sequence[PlannedCourse], base: str = "../") -> str:
    """The plans as MyST Markdown tables, with a ``{doc}`` link to every lesson.

    ``base`` is the path from the including page to the book's root (``../`` for a page in
    ``chapters/``).
    """
    out = [
        "<!-- Generated by `python -m genshare.kit.schedule` from genshare/kit/lessons.csv; do not edit by hand. -->",
        "",
    ]
    for course in courses:
        plan = course.plan
        total = sum(day.length for day in course.days)
        length = " + ".join(_hours(day.length) for day in course.days)
        out += [f"### {plan.title} ({length})", ""]
        if course.before:
            items = ", ".join(f"{_link(lesson, base)} ({lesson.estimate})" for lesson in course.before)
            out += [f"**Before the course**, trainees work through {items}.", ""]
        for number, day in enumerate(course.days, start=1):
            if len(course.days) > 1:
                out += [f"**Day {number}** ({_hours(day.length)})", ""]
            out += ["| time | slot | the page's estimate | planned |", "|---|---|---|---|"]
            for row in day.rows:
                if row.lesson is not None:
                    what, estimate = _link(row.lesson, base), row.lesson.estimate
                    planned = _slot_label(row.lesson)
                else:
                    what, estimate, planned = (
                        (f"*{row.label}*" if row.is_break else row.label),
                        "",
                        f"{row.minutes} min",
                    )
                out.append(f"| {_clock(row.start)} | {what} | {estimate} | {planned} |")
            out.append(f"| {_clock(day.length)} | End | | |")
            out.append("")
        if plan.note:
            out += [plan.note, ""]
        if course.follow_up:
            items = "; ".join(
                f"{_link(lesson, base)} ({lesson.estimate}{', optional' if lesson.optional else ''})"
                for lesson in course.follow_up
            )
            out += [f"**Not in this plan** (set as follow-up or homework): {items}.", ""]
        else:
            out += ["Every lesson of the book is in this plan.", ""]
        out += [f"<!-- {plan.key}: {total} minutes in all -->", ""]
    return "\n".join(out).rstrip() + "\n"


def current_markdown() -> str:
    """What :data:`SCHEDULE_MD` must contain for the lessons' current times."""
    lessons = read_lessons()
    return render_markdown([build_plan(plan, lessons) for plan in PLANS])


def write(path: Path = SCHEDULE_MD) -> Path:
    """Write the plans (:func:`current_markdown`) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(current_markdown(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the workshop plans the instructor guide includes.")
    parser.add_argument("--out", type=Path, default=SCHEDULE_MD, help=f"output file (default {SCHEDULE_MD})")
    args = parser.parse_args(argv)
    print(f"written to {write(args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
