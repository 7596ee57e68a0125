"""Dated claims: every statement of current policy, law or repository rule, with its source and the day it was checked.

The module's facts about policy change every month. Each of them lives once, as a row of
``data/policy.csv``:

``claim_id``
    a stable short identifier (lower-case letters, digits and hyphens), used by the
    book's ``{claim}`` role;
``statement``
    what the module says, in one sentence;
``source_url``
    where it was checked (``http://`` or ``https://``);
``checked_on``
    the day it was last checked against that source, as an ISO date (``2026-12-06``);
``pages``
    the files that state it, separated by semicolons (``chapters/repositories.md;...``).

:func:`load_claims` reads and validates the file and raises :class:`ClaimsError` naming
the file, row and field of every problem (nothing is skipped or guessed). :func:`stale`
lists the claims checked more than ``months`` calendar months before a given day, and
``python -m genshare.claims --check`` prints them as warnings: it exits 0 when the file is
well formed, however old its claims, and 1 only when the file is malformed.

This module uses the standard library only, so that the book's Sphinx extension
(``_ext/policy_claims.py``) can load it from the checkout without the package's numeric
dependencies.

Examples
--------
>>> from datetime import date
>>> c = Claim("nih-gds-policy", "NIH's GDS policy applies.", "https://grants.nih.gov/",
...           date(2026, 5, 1), ("chapters/access-and-governance.md",))
>>> [x.claim_id for x in stale([c], today=date(2026, 12, 6))]
['nih-gds-policy']
>>> stale([c], today=date(2026, 11, 1))
[]
"""

from __future__ import annotations

import argparse
import calendar
import csv
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from os import PathLike
from pathlib import Path

__all__ = [
    "COLUMNS",
    "DEFAULT_MONTHS",
    "Claim",
    "ClaimsError",
    "claims_for_page",
    "default_path",
    "load_claims",
    "main",
    "months_before",
    "stale",
]

#: The columns of ``policy.csv``, in order.
COLUMNS = ("claim_id", "statement", "source_url", "checked_on", "pages")

#: A claim is stale when it was checked more than this many months before the build.
DEFAULT_MONTHS = 6

_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*\Z")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


@dataclass(frozen=True)
class Claim:
    """One dated statement of policy, law, a repository rule or a figure that can change.

    Attributes
    ----------
    claim_id, statement, source_url
        As in ``policy.csv``.
    checked_on
        The day the statement was last checked against ``source_url``.
    pages
        The files (paths from the project root) that state it.
    """

    claim_id: str
    statement: str
    source_url: str
    checked_on: date
    pages: tuple[str, ...]


class ClaimsError(ValueError):
    """A malformed claims file; ``problems`` lists every problem, each naming its row and field."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


def default_path() -> Path:
    """The module's ``data/policy.csv`` (through :func:`genshare.paths.data_dir`)."""
    from genshare.paths import data_dir

    return data_dir() / "policy.csv"


def _describe(value: object) -> str:
    text = repr(value)
    return (text[:57] + "...") if len(text) > 60 else text


def _check_day(value: object, name: str) -> date:
    if not isinstance(value, date) or hasattr(value, "hour"):  # datetime is a date subclass
        raise ValueError(f"{name} must be a datetime.date; got {_describe(value)} ({type(value).__name__})")
    return value


def _check_months(months: object) -> int:
    if isinstance(months, bool) or not isinstance(months, int):
        raise ValueError(f"months must be an integer; got {_describe(months)} ({type(months).__name__})")
    if months < 0:
        raise ValueError(f"months must be at least 0; got {months}")
    return months


def load_claims(path: str | PathLike[str] | None = None, *, today: date | None = None) -> list[Claim]:
    """Read and validate a claims file.

    Parameters
    ----------
    path
        The CSV file; default :func:`default_path`.
    today
        If given, a ``checked_on`` after this day is a problem (a claim cannot have been
        checked in the future).

    Returns
    -------
    list of Claim
        In the file's order.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ClaimsError
        If the header is not exactly :data:`COLUMNS`, or any row has a problem: a missing or
        extra cell, an identifier that is malformed or repeated, an empty statement, a
        source that is not an http(s) URL, a date that is not a real ISO date (or lies
        after ``today``), or an empty or blank page. Every problem is listed, each as
        ``<file>, row <n> (line <m>), field <name>: ...``.

    Examples
    --------
    >>> claims = load_claims()
    >>> all(c.pages for c in claims)
    True
    """
    csv_path = Path(path) if path is not None else default_path()
    if today is not None:
        _check_day(today, "today")
    if not csv_path.is_file():
        raise FileNotFoundError(f"claims file {csv_path} does not exist")
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise ClaimsError(f"{csv_path}: the file is empty; expected the header {','.join(COLUMNS)}", [])
    header = [cell.strip() for cell in rows[0]]
    if tuple(header) != COLUMNS:
        message = f"{csv_path}, line 1: the header must be {','.join(COLUMNS)}; got {','.join(rows[0])}"
        raise ClaimsError(message, [message])

    problems: list[str] = []
    claims: list[Claim] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows[1:], start=1):
        line = number + 1  # no quoted newlines in this file; a row is a line
        where = f"{csv_path}, row {number} (line {line})"
        if not any(cell.strip() for cell in cells):
            problems.append(f"{where}: the row is empty")
            continue
        if len(cells) != len(COLUMNS):
            problems.append(f"{where}: expected {len(COLUMNS)} cells ({', '.join(COLUMNS)}); got {len(cells)}")
            continue
        row = dict(zip(COLUMNS, cells, strict=True))  # same length: checked above
        bad = False

        def problem(field: str, message: str, where: str = where) -> None:
            nonlocal bad
            bad = True
            problems.append(f"{where}, field {field}: {message}")

        claim_id = row["claim_id"]
        if not _ID.match(claim_id):
            problem("claim_id", f"must be lower-case letters, digits and hyphens; got {_describe(claim_id)}")
        elif claim_id in seen:
            problem("claim_id", f"{claim_id!r} repeats row {seen[claim_id]}")
        else:
            seen[claim_id] = number
        statement = row["statement"].strip()
        if not statement:
            problem("statement", "is empty")
        source = row["source_url"]
        if not _URL.match(source):
            problem("source_url", f"must be an http(s) URL; got {_describe(source)}")
        checked: date | None = None
        text = row["checked_on"]
        if not _ISO_DATE.match(text):
            problem("checked_on", f"must be an ISO date YYYY-MM-DD; got {_describe(text)}")
        else:
            try:
                checked = date.fromisoformat(text)
            except ValueError:
                problem("checked_on", f"{text!r} is not a real day")
            else:
                if today is not None and checked > today:
                    problem("checked_on", f"{text} is after today ({today.isoformat()})")
        pages = tuple(page.strip() for page in row["pages"].split(";"))
        if not row["pages"].strip():
            problem("pages", "is empty; name at least one file that states the claim")
        elif any(not page for page in pages):
            problem("pages", f"has an empty entry between semicolons: {_describe(row['pages'])}")
        if not bad and checked is not None:
            claims.append(Claim(claim_id, statement, source, checked, pages))
    if problems:
        raise ClaimsError(f"{csv_path}: {len(problems)} problem(s):\n" + "\n".join(problems), problems)
    return claims


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day if it is shorter).

    Examples
    --------
    >>> months_before(date(2026, 8, 31), 6)
    datetime.date(2026, 2, 28)
    """
    _check_day(day, "day")
    _check_months(months)
    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stale(claims: Iterable[Claim], today: date, months: int = DEFAULT_MONTHS) -> list[Claim]:
    """The claims last checked more than ``months`` calendar months before ``today``.

    A claim checked exactly ``months`` months before ``today`` is not yet stale.

    Parameters
    ----------
    claims
        Claims as returned by :func:`load_claims`.
    today
        The day of the check (the build date).
    months
        The allowed age, in calendar months (default 6).

    Returns
    -------
    list of Claim
        Oldest first (ties in the given order).

    Raises
    ------
    ValueError
        If ``today`` is not a date, ``months`` not a non-negative integer, or an item of
        ``claims`` not a :class:`Claim`.
    """
    _check_day(today, "today")
    cutoff = months_before(today, _check_months(months))
    items = list(claims)
    for index, claim in enumerate(items):
        if not isinstance(claim, Claim):
            raise ValueError(f"claims[{index}] must be a Claim; got {_describe(claim)} ({type(claim).__name__})")
    return sorted((c for c in items if c.checked_on < cutoff), key=lambda c: c.checked_on)


def claims_for_page(claims: Iterable[Claim], page: str) -> list[Claim]:
    """The claims whose ``pages`` include ``page`` (a path from the project root)."""
    return [c for c in claims if page in c.pages]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m genshare.claims --check``: list stale claims; exit 1 only on a malformed file."""
    parser = argparse.ArgumentParser(prog="python -m genshare.claims", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="validate the claims file and list stale claims")
    parser.add_argument("--path", help="the claims file (default: data/policy.csv)")
    parser.add_argument("--today", help="the day to check against, YYYY-MM-DD (default: today)")
    parser.add_argument("--months", type=int, default=DEFAULT_MONTHS, help="allowed age in months (default 6)")
    args = parser.parse_args(argv)
    if not args.check:
        parser.print_help()
        return 0
    try:
        today = date.fromisoformat(args.today) if args.today else date.today()
    except ValueError:
        print(f"error: --today must be an ISO date YYYY-MM-DD; got {args.today!r}", file=sys.stderr)
        return 2
    if args.months < 0:
        print(f"error: --months must be at least 0; got {args.months}", file=sys.stderr)
        return 2
    try:
        claims = load_claims(args.path, today=today)
    except (ClaimsError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    old = stale(claims, today, args.months)
    print(f"{len(claims)} dated claims; {len(old)} checked more than {args.months} months before {today.isoformat()}.")
    for claim in old:
        print(
            f"warning: claim {claim.claim_id} was last checked on {claim.checked_on.isoformat()} "
            f"({claim.source_url}); used in {', '.join(claim.pages)}"
        )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
