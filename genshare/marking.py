"""Mark a folder of submissions, each on its own learner's world.

::

    python -m genshare.marking SUBMISSIONS --course ws-2027-03 --out scores.csv [--feedback feedback/]
    python -m genshare.marking SUBMISSIONS --course ws-2027-03 --out scores.csv --execute-notebooks

What a submission is
--------------------
Each entry of ``SUBMISSIONS`` is one learner, named by the entry (``ana.json``,
``ana.ipynb`` or a folder ``ana/``; the learner id is the name without its extension,
normalised as in :func:`genshare.assignment.normalise` and checked by :func:`learner_id`):

- an **answer file** ``<learner>.json``: ``{"learner": "ana", "answers": {"03.1": 18,
  "05.1": [422, 21], ...}}`` (the ``learner`` field is optional; answers are plain JSON, or
  tables encoded by :func:`genshare.exercises.encode_answer`). Exercise ids are read as
  :func:`genshare.exercises.get_exercise` reads them (``"3.1"`` is ``"03.1"``).
- a **notebook** ``<learner>.ipynb`` (or several, and/or an ``answers.json``, in a folder
  ``<learner>/``).

**Answer files are the default and recommended route: they are marked without running any
code of the learner.** Each answer is compared with the reference answer computed on the
learner's world (:func:`genshare.assignment.world_for` finds or makes it), with the same
checks and hints the learners used. A learner who worked in a notebook makes the answer
file with :func:`genshare.exercises.encode_answer`, or the instructor asks for notebooks to
be executed:

- without ``--execute-notebooks`` (``execute_notebooks=False``, the default), a notebook is
  **not executed**; the learner's row says so ("notebook not executed: re-run with
  --execute-notebooks or submit an answer file"), and answer files beside it are marked.
- with ``--execute-notebooks``, each notebook runs in its own kernel-enforced sandbox
  (:mod:`genshare.sandbox`: bubblewrap, no network, a read-only view of only the
  interpreter, the package, the learner's world and the notebook, resource limits and a
  timeout). Every ``check("NN.k", ...)`` in it records the answer instead of checking it;
  the last answer to an exercise counts. The recorded answers are read after the sandbox
  has ended, as untrusted data, and checked here. If this machine cannot run the sandbox
  the marker refuses (it never runs a notebook without it) and says how to mark answer
  files instead.

The marker imports every module it needs (the checks of every notebook included) before
any submission is read, and nothing a sandboxed notebook writes reaches the package, the
answer keys, the roster, other submissions or the score sheet.

The marker survives any submission
----------------------------------
Each learner is marked inside its own guard: whatever goes wrong (a malformed answer file,
a FIFO or a link named ``x.json``, a name that is not UTF-8, two entries that are the same
learner once normalised, a control character, a notebook that crashes) goes into that
learner's row, with the reason in ``status`` and ``notes``, and costs only that entry. An
exercise answered twice (``"1.2"`` and ``"01.2"`` in one file, or in two files) is not
marked and the note says so: nothing is silently dropped or overwritten. The score sheet is
written as marking goes, one row at a time (flushed), so a crash or an interrupt keeps
every row marked before it.

Names and cells
---------------
A learner id never holds ``/``, ``\\``, ``..``, a control character or a character whose
NFKC form is one of those (the fullwidth solidus ``／``), so a feedback file is always
``<feedback>/<learner>.txt``; invisible characters (format characters, line and paragraph
separators) and ids mixing scripts (a Cyrillic ``а`` among Latin letters) are marked but
reported in the row's notes, for the instructor to check. Every text cell of the score
sheet that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed
with ``'`` (OWASP's rule against formula injection in spreadsheets).

Feedback shows the checks' messages, cleaned of control characters, with every quoted
excerpt of an answer cut to a few dozen characters; it never holds host data (answer files
are only parsed; a notebook sees nothing of the host but what the sandbox binds).

Why not nbgrader or otter-grader
--------------------------------
See the instructor guide ("Assessment: worlds, checks and marking"). In short: both
grade every student against one shared set of hidden tests and one data set; here every
learner has a different world, and the expected answers are computed from it by the
package's own checks, which learners already use, so the marker reuses them directly.
And the checks' code is part of the package the learners have: a submission can compute
right answers with it, as a learner can read the instructor edition's solutions. The
marker grades answers, not authorship.

Challenge scoreboard
--------------------
For every learner whose submission folder holds a ``challenge/`` folder (the release the
learner made), :func:`genshare.challenge.scoreboard_row` scores the release and its values
become the ``challenge_<name>`` columns. The release files are read as data, never
executed; the format is in :mod:`genshare.challenge`, "A saved release".

Examples
--------
>>> rows = mark_folder("submissions", "ws-2027-03", "scores.csv")   # doctest: +SKIP
>>> rows[0]["status"]                                                # doctest: +SKIP
'ok'
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from genshare._safe_files import describe_kind
from genshare.sandbox import Limits, SandboxUnavailable, unavailable

__all__ = [
    "CHALLENGE_COLUMNS",
    "MarkingLimits",
    "NOT_EXECUTED",
    "Submission",
    "find_submissions",
    "learner_id",
    "main",
    "mark",
    "mark_folder",
    "neutralise",
    "read_answer_file",
]

#: Largest answer file read (bytes).
MAX_ANSWER_BYTES = 8 * 1024 * 1024
#: Longest learner id (characters).
MAX_ID_LENGTH = 100
#: Limits of one notebook's sandbox (:class:`genshare.sandbox.Limits`).
MarkingLimits = Limits
#: The limits used when none are given (Limits is frozen, so one instance is shared safely).
DEFAULT_LIMITS = Limits()
#: The note of a notebook that was not executed.
NOT_EXECUTED = "notebook not executed: re-run with --execute-notebooks or submit an answer file"
#: The challenge columns of the score sheet (see :func:`genshare.challenge.scoreboard_row`).
CHALLENGE_COLUMNS = tuple(
    f"challenge_{name}"
    for name in (
        "kind",
        "evaluated",
        "records_released",
        "people_reidentified",
        "membership_auc",
        "beacon_auc",
        "utility",
        "utility_required",
        "utility_met",
        "note",
    )
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_INVISIBLE = {"Cf", "Zl", "Zp"}


# --------------------------------------------------------------------- names and cells


def _scripts(text: str) -> set[str]:
    """The scripts of the letters of ``text`` (first word of each letter's Unicode name)."""
    out = set()
    for ch in text:
        if unicodedata.category(ch).startswith("L"):
            name = unicodedata.name(ch, "")
            if name:
                out.add(name.split()[0])
    return out


def learner_id(name: Any) -> tuple[str, list[str]]:
    """The learner id of an entry name, and what about it the instructor should check.

    Parameters
    ----------
    name
        The entry's name without its extension (``"Ana"`` for ``Ana.json``).

    Returns
    -------
    tuple
        The normalised id (:func:`genshare.assignment.normalise`) and a list of warnings:
        invisible characters (Unicode categories Cf, Zl, Zp) and letters of several scripts
        (possible look-alikes), each naming the code points.

    Raises
    ------
    ValueError
        If the name is not text, is not valid UTF-8, is empty, longer than
        :data:`MAX_ID_LENGTH`, starts with ``.``, or holds ``/``, ``\\``, ``..`` or a
        control character, as written or once NFKC-normalised.

    Examples
    --------
    >>> learner_id("Ana María")
    ('ana maría', [])
    >>> learner_id("ana\\uff0fetc")
    Traceback (most recent call last):
    ...
    ValueError: learner id 'ana／etc' holds a path separator or '..' (once normalised): not a safe name
    """
    from genshare.assignment import normalise

    if not isinstance(name, str):
        raise ValueError(f"learner id must be text; got {type(name).__name__}")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"learner id {ascii(name)[:80]} is not valid UTF-8") from None
    controls = [f"U+{ord(c):04X}" for c in name if unicodedata.category(c) == "Cc"]
    if controls:
        raise ValueError(f"learner id {ascii(name)[:80]} holds control character(s) {', '.join(controls[:5])}")
    forms = (name, unicodedata.normalize("NFKC", name), unicodedata.normalize("NFKC", name.casefold()))
    if any("/" in f or "\\" in f or ".." in f for f in forms):
        raise ValueError(f"learner id {name[:80]!r} holds a path separator or '..' (once normalised): not a safe name")
    key = normalise(name)
    if len(key) > MAX_ID_LENGTH:
        raise ValueError(f"learner id {key[:40]!r}... is longer than {MAX_ID_LENGTH} characters")
    if key.startswith("."):
        raise ValueError(f"learner id {key!r} starts with '.'")
    if any("/" in f or "\\" in f or ".." in f or unicodedata.category(c) == "Cc" for f in (key,) for c in f):
        raise ValueError(f"learner id {key!r} is not a safe name")
    warnings = []
    invisible = [f"U+{ord(c):04X}" for c in name if unicodedata.category(c) in _INVISIBLE]
    if invisible:
        warnings.append(
            f"learner id {ascii(name)[:80]} holds invisible character(s) {', '.join(invisible[:5])}: check it"
        )
    scripts = _scripts(key)
    if len(scripts) > 1:
        warnings.append(
            f"learner id {ascii(key)[:80]} mixes scripts ({', '.join(sorted(scripts))}): "
            "it may look like another learner's; check it"
        )
    return key, warnings


def neutralise(value: Any) -> Any:
    """A score-sheet cell that a spreadsheet will not read as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'`` (OWASP, "CSV injection"); other values are returned as they are.

    Examples
    --------
    >>> neutralise("=1+1")
    "'=1+1"
    >>> neutralise("ana"), neutralise(-1)
    ('ana', -1)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _excerpt(value: Any, limit: int = 40) -> str:
    """A short, printable excerpt of a value from a submission (for notes and feedback)."""
    text = value if isinstance(value, str) else repr(value)
    text = "".join(c if c.isprintable() and unicodedata.category(c) not in _INVISIBLE else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_QUOTED = re.compile(r"""(['"])((?:(?!\1).){40,}?)\1""")
#: Notebooks executed per learner at most (there is one per lesson): each may run until its
#: timeout, so this bounds one learner's share of the marking time.
MAX_NOTEBOOKS = 12
_BRACKETED = re.compile(r"([\[{(])([^\]})]{60,})([\]})])")


def _clean(message: str, limit: int = 600, *, quotes: bool = True) -> str:
    """A message made safe to show: printable lines, a length cap and (``quotes``, for a
    check's message, which may quote the answer) every quoted excerpt cut short."""
    lines = []
    # Cut first: the patterns below are run on at most 2 * limit characters a line, so a long
    # hostile answer quoted in a message costs linear time, never more.
    for line in str(message)[: 4 * limit].splitlines():
        line = line[: 2 * limit]
        line = "".join(c if c.isprintable() and unicodedata.category(c) not in _INVISIBLE else "?" for c in line)
        if quotes:
            line = _QUOTED.sub(lambda m: m.group(1) + m.group(2)[:36] + "…" + m.group(1), line)
            line = _BRACKETED.sub(lambda m: m.group(1) + m.group(2)[:56] + "…" + m.group(3), line)
        lines.append(line)
    text = "\n".join(lines)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ------------------------------------------------------------------------ submissions


@dataclass
class Submission:
    """One learner's submission: answer files and notebooks, or the problem that stops it.

    ``problem`` (with ``learner`` a placeholder if the name itself is the problem) means
    the entry is reported, not marked; ``notes`` are remarks about the entry's parts.
    """

    learner: str
    answer_files: list[Path] = field(default_factory=list)
    notebooks: list[Path] = field(default_factory=list)
    folder: Path | None = None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)
    entries: list[str] = field(default_factory=list)
    #: The row's status when the submission is reported, not marked (default ``refused``).
    status: str = "refused"


def _placeholder(name: str) -> str:
    return "!entry-" + hashlib.sha256(os.fsencode(name)).hexdigest()[:10]


def _kind(path: Path) -> str:
    """``file``, ``folder``, or what else the entry is, in words (links are not followed)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError as error:
        return f"unreadable ({error.strerror})"
    return {"a regular file": "file", "a folder": "folder"}.get(describe_kind(mode), describe_kind(mode))


def _folder_parts(sub: Submission, folder: Path) -> None:
    try:
        children = sorted(folder.iterdir())
    except OSError as error:
        sub.problem = f"folder could not be listed ({error.strerror})"
        return
    for child in children:
        if child.name.startswith(".") or child.name == "challenge":
            continue
        shown = ascii(child.name)[:80]
        suffix = child.suffix.lower()
        if suffix not in (".json", ".ipynb"):
            continue
        try:
            child.name.encode("utf-8")
        except UnicodeEncodeError:
            sub.notes.append(f"{shown}: file name is not valid UTF-8; not read")
            continue
        kind = _kind(child)
        if kind != "file":
            sub.notes.append(f"{shown}: {kind}; not read")
            continue
        (sub.answer_files if suffix == ".json" else sub.notebooks).append(child)


def find_submissions(folder: str | os.PathLike[str]) -> list[Submission]:
    """The submissions in ``folder`` (see the module docstring), sorted by learner id.

    Every entry not starting with ``.`` gives a submission; an entry that cannot be marked
    (a name that is not a safe id, a link, a FIFO, a file that is neither ``.json`` nor
    ``.ipynb``, two entries that are the same learner) gives one whose ``problem`` says why.

    Raises
    ------
    FileNotFoundError
        If ``folder`` is not a folder.

    Examples
    --------
    >>> [s.learner for s in find_submissions("submissions")]   # doctest: +SKIP
    ['ana', 'bo']
    """
    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"submissions folder {root} does not exist or is not a folder")
    found: dict[str, Submission] = {}
    for entry in sorted(root.iterdir()):
        name = entry.name
        if name.startswith("."):
            continue
        kind = _kind(entry)
        suffix = Path(name).suffix.lower() if kind == "file" else ""
        stem = name[: -len(suffix)] if suffix in (".json", ".ipynb") else name
        try:
            key, warnings = learner_id(stem)
        except ValueError as error:
            key = _placeholder(name)
            found[key] = Submission(key, problem=str(error), entries=[ascii(name)[:80]])
            continue
        sub = Submission(key, notes=list(warnings), entries=[name])
        if kind == "folder":
            sub.folder = entry
            _folder_parts(sub, entry)
        elif kind != "file":
            sub.problem = f"{ascii(name)[:80]}: {kind}"
        elif suffix == ".ipynb":
            sub.notebooks = [entry]
        elif suffix == ".json":
            sub.answer_files = [entry]
        else:
            sub.problem = (
                f"{ascii(name)[:80]}: not a submission "
                "(expected <learner>.json, <learner>.ipynb or a folder <learner>/)"
            )
        if key in found:
            first = found[key]
            entries = first.entries + sub.entries
            found[key] = Submission(
                key,
                entries=entries,
                problem=(
                    f"entries {', '.join(repr(e) for e in entries)} are the same learner ({key!r}) "
                    "once normalised; keep one"
                ),
            )
            continue
        found[key] = sub
    return [found[k] for k in sorted(found)]


def match_roster(submissions: Sequence[Submission], roster: Sequence[str]) -> list[Submission]:
    """Match submissions to the roster's learners; every roster learner and every entry gets one row.

    A submission matches the roster learner whose normalised name
    (:func:`genshare.assignment.normalise`: case, spaces and Unicode forms do not matter;
    accents do, so ``José`` and ``Jose`` are two people) is its learner id; failing that,
    the one learner whose folder-name form (the ASCII slug the worlds' cache uses, so
    ``chen-wei`` for ``chen wei``) is the entry's, with a note saying so. Then:

    - an entry matching no roster learner is reported as ``not on roster`` and not marked (no
      world is made for a name the instructor did not list);
    - an entry whose folder-name form fits several roster learners (``ana maria`` and ``Ana
      María``) is reported as ``ambiguous``: rename it to the learner's name as written;
    - two entries for one roster learner are reported together as ``refused``;
    - a roster learner with no entry gets a row ``no submission``.

    Examples
    --------
    >>> subs = [Submission("chen-wei", answer_files=[Path("chen-wei.json")]), Submission("zed")]
    >>> [(s.learner, s.status if s.problem else "marked") for s in match_roster(subs, ["Chen Wei", "bo"])]
    [('bo', 'no submission'), ('chen wei', 'marked'), ('zed', 'not on roster')]
    """
    from genshare.assignment import _slug, normalise

    names = {normalise(name): name for name in roster}
    if len(names) != len(roster):
        raise ValueError(
            "the roster names the same learner twice once normalised (read it with "
            "genshare.assignment.read_roster, which says which lines)"
        )
    by_slug: dict[str, list[str]] = {}
    for key in names:
        by_slug.setdefault(_slug(key), []).append(key)
    matched: dict[str, Submission] = {}
    out: list[Submission] = []
    for sub in submissions:
        if sub.problem is not None and sub.learner.startswith("!"):
            out.append(sub)  # the entry's name itself is the problem
            continue
        if sub.learner in names:
            key = sub.learner
        elif len(by_slug.get(_slug(sub.learner), [])) == 1 and _slug(sub.learner) == sub.learner.replace(" ", "-"):
            key = by_slug[_slug(sub.learner)][0]
            sub.notes.append(
                f"entry {sub.entries[0] if sub.entries else sub.learner!r} matched to roster learner "
                f"{names[key]!r} by its folder-name form"
            )
        else:
            candidates = by_slug.get(_slug(sub.learner), [])
            if len(candidates) > 1:
                sub.status, sub.problem = (
                    "ambiguous",
                    (
                        f"{sub.learner!r} could be {', '.join(repr(names[c]) for c in candidates)}: rename the entry "
                        "to the learner's name as the roster writes it"
                    ),
                )
            else:
                sub.status, sub.problem = "not on roster", f"{sub.learner!r} is not on the roster; not marked"
            out.append(sub)
            continue
        if key in matched:
            first = matched[key]
            matched[key] = Submission(
                key,
                entries=first.entries + sub.entries,
                problem=(
                    f"entries {', '.join(repr(e) for e in first.entries + sub.entries)} "
                    f"are all {names[key]!r}; keep one"
                ),
            )
            continue
        sub.learner = key
        matched[key] = sub
    for key in names:
        if key not in matched:
            matched[key] = Submission(key, problem="no submission", status="no submission")
    return sorted([*matched.values(), *out], key=lambda s: s.learner)


# ---------------------------------------------------------------------------- answers


def _read_limited(path: Path, limit: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ValueError(f"{path.name}: not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{path.name}: answer file larger than {limit} bytes")
    return data


def _accept(records: Iterable[tuple[Any, Any]], source: str, *, last_wins: bool) -> tuple[dict[str, Any], list[str]]:
    """Decode recorded ``(exercise, encoded answer)`` pairs: answers by canonical id, and notes.

    Unknown ids and answers that cannot be decoded are noted and skipped; an exercise
    given twice is noted and not marked, unless ``last_wins`` (a notebook re-running a check).
    """
    from genshare.exercises import decode_answer, get_exercise

    answers: dict[str, Any] = {}
    spelled: dict[str, list[str]] = {}
    notes: list[str] = []
    for exercise, encoded in records:
        if not isinstance(exercise, (str, int, float)) or isinstance(exercise, bool):
            notes.append(f"{source}: an exercise id is not text ({_excerpt(exercise)}); ignored")
            continue
        try:
            canonical = get_exercise(str(exercise)).id
        except KeyError:
            notes.append(f"{source}: unknown exercise {_excerpt(str(exercise))!r} ignored")
            continue
        try:
            answer = decode_answer(encoded)
        except Exception as error:  # a malformed encoding costs only this answer  # noqa: BLE001
            notes.append(f"{source}: the answer to {canonical} could not be read ({type(error).__name__}); not marked")
            answer = _UNREADABLE
        spelled.setdefault(canonical, []).append(_excerpt(str(exercise), 12))
        answers[canonical] = answer
    for canonical, spellings in spelled.items():
        if len(spellings) > 1 and not last_wins:
            notes.append(
                f"{source}: exercise {canonical} is answered {len(spellings)} times "
                f"(as {', '.join(repr(s) for s in spellings)}); not marked"
            )
            answers[canonical] = _UNREADABLE
    return answers, notes


class _Pairs(dict):
    """A JSON object that remembers its pairs in order, repeated keys included."""

    pairs: list[tuple[str, Any]]

    @classmethod
    def of(cls, pairs: list[tuple[str, Any]]) -> _Pairs:
        obj = cls(pairs)
        obj.pairs = list(pairs)
        return obj


class _Unreadable:
    def __repr__(self) -> str:
        return "<unreadable>"


_UNREADABLE = _Unreadable()


def read_answer_file(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[str]]:
    """The answers of an answer file (see the module docstring) by canonical exercise id, and notes.

    Returns
    -------
    tuple
        ``answers`` (exercise id -> answer; an answer that could not be read, or an
        exercise given twice, maps to a marker that is never correct) and ``notes``, one per
        entry that was skipped or refused.

    Raises
    ------
    ValueError
        Naming the file if it is not a regular file, too large, not UTF-8 JSON, or not of
        the form ``{"answers": {...}}``.

    Examples
    --------
    >>> read_answer_file("ana.json")   # doctest: +SKIP
    ({'01.2': 0.85}, [])
    """
    path = Path(path)
    try:
        data = _read_limited(path, MAX_ANSWER_BYTES)
    except OSError as error:
        raise ValueError(f"{_excerpt(path.name)}: could not be read ({error.strerror})") from None
    try:
        parsed = json.loads(data.decode("utf-8"), object_pairs_hook=_Pairs.of)
    except UnicodeDecodeError:
        raise ValueError(f"{_excerpt(path.name)}: not UTF-8 text") from None
    except (ValueError, RecursionError) as error:
        raise ValueError(f"{_excerpt(path.name)}: not valid JSON ({_excerpt(str(error), 80)})") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("answers"), dict):
        raise ValueError(
            f"{_excerpt(path.name)}: expected an object with an 'answers' object mapping exercise ids to answers"
        )
    return _accept(parsed["answers"].pairs, _excerpt(path.name), last_wins=False)


# ----------------------------------------------------------------------- marking


def _preload() -> None:
    """Import everything marking needs before any submission is read."""
    import genshare.access  # noqa: F401
    import genshare.assignment  # noqa: F401
    import genshare.attacks  # noqa: F401
    import genshare.catalogue  # noqa: F401
    import genshare.challenge  # noqa: F401
    import genshare.cohort  # noqa: F401
    import genshare.deidentify  # noqa: F401
    import genshare.deposit  # noqa: F401
    import genshare.popgen  # noqa: F401
    from genshare.exercises import exercises

    exercises()


def _empty_row(sub: Submission, course: str) -> dict[str, Any]:
    from genshare.assignment import learner_seed
    from genshare.exercises import exercises

    row: dict[str, Any] = {"learner": sub.learner, "seed": ""}
    if sub.problem is None:
        row["seed"] = learner_seed(course, sub.learner)
    row.update({e.id: "" for e in exercises()})
    row.update({"total": 0, "status": "", "seconds": 0.0, "notes": "", "feedback": {}})
    return row


def mark(
    submission: Submission,
    course: str,
    *,
    cache: str | os.PathLike[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    world_params: Mapping[str, Any] | None = None,
    execute_notebooks: bool = False,
) -> dict[str, Any]:
    """Mark one submission: a row of the score sheet, plus ``feedback`` (exercise -> message).

    Never raises for a problem of the submission: the row's ``status`` and ``notes`` say
    what went wrong. ``execute_notebooks`` runs its notebooks in the sandbox
    (:mod:`genshare.sandbox`); without it they are reported as not executed.

    Examples
    --------
    >>> mark(find_submissions("submissions")[0], "ws-2027-03")["total"]   # doctest: +SKIP
    12
    """
    row = (
        _empty_row(submission, course)
        if submission.problem is None
        else {
            **_empty_row(submission, course),
            "status": submission.status,
            "notes": _clean(submission.problem, 400, quotes=False),
        }
    )
    if submission.problem is not None:
        return row
    try:
        _mark_into(
            row,
            submission,
            course,
            cache=cache,
            limits=limits,
            world_params=world_params,
            execute_notebooks=execute_notebooks,
        )
    except SandboxUnavailable:
        raise
    except Exception as error:  # the marker survives any submission  # noqa: BLE001
        from genshare.exercises import exercises

        row.update({e.id: "" for e in exercises()})  # no partial marks: the learner is re-marked once fixed
        row.update(total=0, feedback={})
        row["status"] = "error"
        row["notes"] = _clean(
            "; ".join(
                filter(
                    None,
                    [row.get("notes", ""), f"marking stopped: {type(error).__name__}: {_excerpt(str(error), 120)}"],
                )
            ),
            1000,
            quotes=False,
        )
    return row


def _mark_into(
    row: dict[str, Any], submission: Submission, course: str, *, cache, limits, world_params, execute_notebooks: bool
) -> None:
    from genshare.assignment import world_for
    from genshare.cohort import load_world
    from genshare.exercises import evaluate, exercises
    from genshare.sandbox import run_notebook

    notes: list[str] = list(submission.notes)
    statuses: list[str] = []
    sources: dict[str, list[str]] = {}
    answers: dict[str, Any] = {}

    def take(found: dict[str, Any], source: str) -> None:
        for exercise_id, answer in found.items():
            sources.setdefault(exercise_id, []).append(source)
            answers[exercise_id] = answer

    for path in submission.answer_files:
        try:
            found, found_notes = read_answer_file(path)
            statuses.append("ok")
            notes.extend(found_notes)
            take(found, _excerpt(path.name))
        except ValueError as error:
            statuses.append("malformed")
            notes.append(str(error))
    has_challenge = submission.folder is not None and (submission.folder / "challenge").exists()
    world_folder = None
    if answers or has_challenge or (execute_notebooks and submission.notebooks):
        world_folder = world_for(course, submission.learner, cache=cache, **dict(world_params or {}))
    seconds = 0.0
    if execute_notebooks and len(submission.notebooks) > MAX_NOTEBOOKS:
        notes.append(
            f"{len(submission.notebooks)} notebooks: at most {MAX_NOTEBOOKS} are executed per learner "
            "(one per lesson); the rest are not run"
        )
    for index, path in enumerate(submission.notebooks):
        if execute_notebooks and index >= MAX_NOTEBOOKS:
            statuses.append("too many notebooks")
            continue
        if not execute_notebooks:
            statuses.append("not executed")
            notes.append(f"{_excerpt(path.name)}: {NOT_EXECUTED}")
            continue
        result = run_notebook(path, cast(Path, world_folder), limits)  # set above whenever notebooks are executed
        seconds += result.seconds
        statuses.append(result.status)
        if result.status != "ok":
            notes.append(f"{_excerpt(path.name)}: {result.status}")
        notes.extend(f"{_excerpt(path.name)}: {p}" for p in (result.problems or []))
        found, found_notes = _accept(result.records, _excerpt(path.name), last_wins=True)
        notes.extend(found_notes)
        take(found, _excerpt(path.name))
    for exercise_id, where in sources.items():
        if len(where) > 1:
            notes.append(f"exercise {exercise_id} is answered in {len(where)} files ({', '.join(where)}); not marked")
            answers[exercise_id] = _UNREADABLE
    world = load_world(world_folder) if world_folder is not None else None
    feedback: dict[str, str] = {}
    total = 0
    for exercise in exercises():
        if exercise.id not in answers:
            continue
        answer = answers[exercise.id]
        if answer is _UNREADABLE:
            row[exercise.id] = 0
            feedback[exercise.id] = f"Exercise {exercise.id}: not marked (see the notes of your row)."
            continue
        try:
            verdict = evaluate(exercise.id, answer, world=world)
        except Exception as error:  # a reference computation must not stop the whole marking  # noqa: BLE001
            row[exercise.id] = 0
            feedback[exercise.id] = _clean(f"Exercise {exercise.id}: could not be checked ({type(error).__name__}).")
            continue
        row[exercise.id] = int(verdict.correct)
        total += int(verdict.correct)
        feedback[exercise.id] = _clean(verdict.message)
    row["total"] = total
    bad = sorted(set(statuses) - {"ok"})
    row["status"] = "no submission" if not statuses else ("ok" if not bad else ";".join(bad))
    row["seconds"] = round(seconds, 1)
    row["notes"] = _clean("; ".join(notes), 2000, quotes=False)
    if world is not None:
        row.update(_challenge_row(world, submission))
    row["feedback"] = feedback


def _challenge_row(world: Any, submission: Submission) -> dict[str, Any]:
    """The challenge scoreboard columns, for a submission folder holding ``challenge/``."""
    if submission.folder is None:
        return {}
    folder = submission.folder / "challenge"
    if not folder.exists() and not folder.is_symlink():
        return {}
    from genshare.challenge import scoreboard_row

    try:
        values = dict(scoreboard_row(world, folder))
    except Exception as error:  # a broken release is the learner's problem, not the marker's  # noqa: BLE001
        values = {
            "evaluated": 0,
            "utility_met": 0,
            "note": f"release not scored: {type(error).__name__}: {_excerpt(str(error), 120)}",
        }
    row = {column: "" for column in CHALLENGE_COLUMNS}
    for name, value in values.items():
        column = f"challenge_{name}"
        if column in row:
            row[column] = _clean(value, 400) if isinstance(value, str) else value
    return row


def _columns() -> list[str]:
    from genshare.exercises import exercises

    return ["learner", "seed", *[e.id for e in exercises()], "total", "status", "seconds", "notes", *CHALLENGE_COLUMNS]


def _write_feedback(target: Path, row: Mapping[str, Any]) -> None:
    learner = row["learner"]
    if learner.startswith("!") or "/" in learner or "\\" in learner or ".." in learner:
        return  # no safe file name: the row's notes say why
    text = "\n".join(row["feedback"].values()) or (
        "No answers marked. " + row["notes"] if row["notes"] else "No answers found."
    )
    path = target / f"{learner}.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")


def mark_folder(
    folder: str | os.PathLike[str],
    course: str,
    out: str | os.PathLike[str],
    *,
    cache: str | os.PathLike[str] | None = None,
    feedback: str | os.PathLike[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    world_params: Mapping[str, Any] | None = None,
    execute_notebooks: bool = False,
    roster: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Mark every submission of ``folder`` and write the score sheet ``out`` as marking goes.

    With ``roster`` (the learners' names, as :func:`genshare.assignment.read_roster` reads
    them), submissions are matched to it by :func:`match_roster`: every roster learner gets a
    row (``no submission`` when nothing came), entries not on it are reported and not marked,
    and no world is made for a name that is not on it. Without a roster, every entry is
    marked as the learner its name says.

    The sheet (CSV) has one row per learner, one column per exercise (1 correct, 0 not yet,
    empty not answered), ``total``, ``status``, ``seconds``, ``notes`` and the
    :data:`CHALLENGE_COLUMNS`; each row is written and flushed when its learner is marked.
    ``feedback`` (a folder) receives ``<learner>.txt`` with the checks' messages.

    Raises
    ------
    FileNotFoundError
        If ``folder`` is not a folder.
    SandboxUnavailable
        If ``execute_notebooks`` is set, a submission holds a notebook, and this machine
        cannot run the sandbox (before anything is marked; the message says how to mark
        answer files instead).

    Examples
    --------
    >>> rows = mark_folder("submissions", "ws-2027-03", "scores.csv", feedback="feedback")   # doctest: +SKIP
    """
    _preload()
    submissions = find_submissions(folder)
    if roster is not None:
        submissions = match_roster(submissions, roster)
    if execute_notebooks and any(s.notebooks for s in submissions):
        reason = unavailable()
        if reason is not None:
            raise SandboxUnavailable(
                f"notebooks cannot be executed safely on this machine: {reason}. Mark answer files instead: "
                "run without --execute-notebooks (notebooks are then reported, not run), and ask learners for "
                "<learner>.json answer files (genshare.exercises.encode_answer)"
            )
    columns = _columns()
    out_path = Path(out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    target = Path(feedback) if feedback is not None else None
    if target is not None:
        target.mkdir(parents=True, exist_ok=True)
    rows = []
    with out_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        handle.flush()
        for sub in submissions:
            row = mark(
                sub, course, cache=cache, limits=limits, world_params=world_params, execute_notebooks=execute_notebooks
            )
            writer.writerow({k: neutralise(v) for k, v in row.items() if k != "feedback"})
            handle.flush()
            os.fsync(handle.fileno())
            if target is not None:
                try:
                    _write_feedback(target, row)
                except OSError as error:
                    print(f"warning: feedback for {row['learner']!r} not written ({error.strerror})", file=sys.stderr)
            rows.append(row)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring); returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m genshare.marking", description="Mark a folder of submissions, each on its own learner's world."
    )
    parser.add_argument("submissions", help="folder of <learner>.json, <learner>.ipynb or <learner>/ entries")
    parser.add_argument("--course", required=True, help="the course key the learners' worlds were made with")
    parser.add_argument("--out", default="scores.csv", help="score sheet to write (default scores.csv)")
    parser.add_argument("--feedback", help="folder for one feedback file per learner")
    parser.add_argument("--cache", help="folder of the learners' worlds (default as genshare.assignment)")
    parser.add_argument(
        "--roster",
        help="text file, one learner a line (as for python -m genshare.assignment worlds): "
        "every roster learner gets a row; entries not on it are reported, not marked",
    )
    parser.add_argument(
        "--execute-notebooks",
        action="store_true",
        help="execute submitted notebooks, each in its own bubblewrap sandbox (default: answer files only)",
    )
    parser.add_argument("--timeout", type=float, default=Limits.timeout, help="seconds per notebook (default 120)")
    parser.add_argument(
        "--memory-mb",
        type=int,
        default=Limits.memory_bytes // 1024**2,
        help="address space per notebook (default 3072)",
    )
    args = parser.parse_args(argv)
    limits = Limits(timeout=args.timeout, cpu_seconds=int(args.timeout) + 5, memory_bytes=args.memory_mb * 1024**2)
    try:
        from genshare.assignment import read_roster

        roster = read_roster(args.roster) if args.roster else None
        if roster is None:
            print(
                "warning: no --roster: learners are matched by entry name only, and missing or unknown "
                "submissions cannot be reported",
                file=sys.stderr,
            )
        rows = mark_folder(
            args.submissions,
            args.course,
            args.out,
            cache=args.cache,
            feedback=args.feedback,
            limits=limits,
            execute_notebooks=args.execute_notebooks,
            roster=roster,
        )
    except (ValueError, OSError, SandboxUnavailable) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    skipped = sum(1 for r in rows if NOT_EXECUTED in r["notes"])
    for status in ("no submission", "not on roster", "ambiguous", "refused", "error"):
        who = [r["learner"] for r in rows if r["status"] == status]
        if who:
            print(f"{status}: {len(who)} ({', '.join(who[:10])}{', ...' if len(who) > 10 else ''})", file=sys.stderr)
    print(
        f"marked {len(rows)} submissions; scores in {args.out}"
        + (f"; {skipped} with notebooks not executed (--execute-notebooks runs them in a sandbox)" if skipped else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
