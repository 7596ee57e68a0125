"""Every lesson's estimated time, from one table, checked against the lesson pages.

Each chapter and notebook states its time up front, in its "Lesson at a glance" box
(``**Estimated time.** 25 minutes.``). Those sentences are prose for readers; the schedule
needs numbers. ``genshare/kit/lessons.csv`` is the single machine-readable copy, one row per
lesson in the order of the book:

``page``
    the page's path without suffix, as in ``_toc.yml`` (``notebooks/03-genetic-fingerprints``);
``part``
    the book's part (``I``, ``II`` or ``III``);
``minutes_low``, ``minutes_high``
    the page's estimate in minutes (equal unless the page gives a range, "60 to 75 minutes");
``workshop_minutes``
    the slot a workshop gives it when that differs from the estimate (the capstone is
    60 minutes alone and a 90-minute team session); empty otherwise;
``optional``
    ``yes`` when the page calls itself optional.

:func:`stated_time` reads the sentence back from a page, and ``tests/test_schedule.py`` fails
when a page and the table disagree, so the schedules cannot drift from the lessons.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from genshare.paths import PROJECT_ROOT

__all__ = ["LESSONS_CSV", "Lesson", "page_file", "page_title", "read_lessons", "stated_time"]

#: The table of lessons and their times (this package's folder).
LESSONS_CSV = Path(__file__).with_name("lessons.csv")

_COLUMNS = ["page", "part", "minutes_low", "minutes_high", "workshop_minutes", "optional"]
_PARTS = ("I", "II", "III")
_STATED = re.compile(r"\*\*Estimated time\.\*\*\s*(.+?)(?:\n\s*\n|\Z)", re.DOTALL)
_DURATION = re.compile(r"(\d+)(?:\s*(?:to|-|–)\s*(\d+))?\s*minutes")
_STATIC = re.compile(r"\[([^\]]*)\]\{\.static\}")


@dataclass(frozen=True)
class Lesson:
    """One chapter or notebook and its estimated time in minutes.

    Examples
    --------
    >>> lesson = Lesson("notebooks/04-relatives-and-familial-search", "II", 60, 75)
    >>> lesson.minutes, lesson.estimate, lesson.is_notebook
    (75, '60 to 75 min', True)
    """

    page: str
    part: str
    minutes_low: int
    minutes_high: int
    workshop_minutes: int | None = None
    optional: bool = False

    @property
    def minutes(self) -> int:
        """The minutes a plan gives the lesson: the workshop slot, else the upper estimate."""
        return self.workshop_minutes if self.workshop_minutes is not None else self.minutes_high

    @property
    def estimate(self) -> str:
        """The page's own estimate, as a short label."""
        if self.minutes_low == self.minutes_high:
            return f"{self.minutes_high} min"
        return f"{self.minutes_low} to {self.minutes_high} min"

    @property
    def is_notebook(self) -> bool:
        return self.page.startswith("notebooks/")


def _minutes(value: str, where: str, field: str) -> int:
    value = value.strip()
    if not value.isdigit() or int(value) <= 0:
        raise ValueError(f"{where}: {field} must be a positive whole number of minutes; got {value!r}")
    return int(value)


def _optional_minutes(value: str, where: str, field: str) -> int | None:
    """Like ``_minutes``, but a blank field is ``None``."""
    if value.strip() == "":
        return None
    return _minutes(value, where, field)


def read_lessons(path: Path | str = LESSONS_CSV) -> list[Lesson]:
    """The lessons of ``path`` (``lessons.csv``), in the book's order.

    Parameters
    ----------
    path
        A CSV file with the columns described in this module's docstring.

    Returns
    -------
    list of Lesson

    Raises
    ------
    ValueError
        Naming the file, the row and the field of any malformed entry (a missing column, a
        time that is not a positive whole number, a range whose low end is above its high end,
        an unknown part, a page listed twice).

    Examples
    --------
    >>> lessons = read_lessons()
    >>> lessons[0].page, lessons[0].minutes
    ('chapters/why-share', 20)
    """
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != _COLUMNS:
            raise ValueError(
                f"{path}: the header must be {','.join(_COLUMNS)}; got {','.join(reader.fieldnames or [])}"
            )
        lessons, seen = [], set()
        for number, row in enumerate(reader, start=2):
            where = f"{path}, row {number}"
            if None in row or any(value is None for value in row.values()):
                raise ValueError(f"{where}: expected {len(_COLUMNS)} fields")
            page = row["page"].strip()
            if not re.fullmatch(r"(chapters|notebooks)/[\w.-]+", page):
                raise ValueError(f"{where}: page must be chapters/NAME or notebooks/NAME without suffix; got {page!r}")
            if page in seen:
                raise ValueError(f"{where}: page {page!r} is listed twice")
            seen.add(page)
            if row["part"] not in _PARTS:
                raise ValueError(f"{where}: part must be one of {', '.join(_PARTS)}; got {row['part']!r}")
            low = _minutes(row["minutes_low"], where, "minutes_low")
            high = _minutes(row["minutes_high"], where, "minutes_high")
            if low > high:
                raise ValueError(f"{where}: minutes_low ({low}) is above minutes_high ({high})")
            workshop = _optional_minutes(row["workshop_minutes"], where, "workshop_minutes")
            if row["optional"] not in ("yes", "no"):
                raise ValueError(f"{where}: optional must be yes or no; got {row['optional']!r}")
            lessons.append(Lesson(page, row["part"], low, high, workshop, row["optional"] == "yes"))
    if not lessons:
        raise ValueError(f"{path}: no lessons listed")
    return lessons


def page_file(page: str, root: Path = PROJECT_ROOT) -> Path:
    """The source file of a page (``.md`` for chapters, ``.ipynb`` for notebooks)."""
    path = root / (page + (".ipynb" if page.startswith("notebooks/") else ".md"))
    if not path.is_file():
        raise FileNotFoundError(f"page {page!r}: no file {path}")
    return path


def _text(page: str, root: Path) -> str:
    path = page_file(page, root)
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8")
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return "\n\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")


def stated_time(page: str, root: Path = PROJECT_ROOT) -> tuple[int, int, bool]:
    """The estimated time a page states up front: (low, high, optional).

    The first "**Estimated time.**" sentence of the page is read; its first duration
    ("30 minutes", "60 to 75 minutes", "45-60 minutes") is the lesson's own time (a chapter's
    "plus 30 minutes for the paired notebook" belongs to the notebook), and "(optional)"
    right after it marks the lesson as optional.

    Raises
    ------
    ValueError
        When the page states no estimated time, or one without minutes.

    Examples
    --------
    >>> stated_time("chapters/going-further")
    (20, 20, True)
    """
    text = _text(page, root)
    found = _STATED.search(text)
    if not found:
        raise ValueError(f"{page_file(page, root)}: no '**Estimated time.**' sentence")
    sentence = _STATIC.sub(r"\1", found.group(1))
    duration = _DURATION.search(sentence)
    if not duration:
        raise ValueError(f"{page_file(page, root)}: the estimated time {sentence.strip()[:60]!r} gives no minutes")
    low = int(duration.group(1))
    high = int(duration.group(2) or low)
    optional = sentence[duration.end() :].lstrip().startswith("(optional)")
    return low, high, optional


def page_title(page: str, root: Path = PROJECT_ROOT) -> str:
    """The page's title, its first level-one heading."""
    for line in _text(page, root).splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise ValueError(f"{page_file(page, root)}: no level-one heading")
