"""Checks for understanding: multiple-choice questions stored once, shown in the book and in Jupyter.

The questions live in one data file, ``data/quizzes.json`` (:func:`genshare.paths.data_dir`),
keyed by the page they belong to (``"05"`` for notebook 05, ``"reidentification"`` for a
chapter). Each question has a ``prompt``, a ``source`` (a key of ``references.bib`` and the
text shown) and two or more ``options``, each with ``text``, ``correct`` and an
``explanation``. :func:`load_quizzes` validates the file and names the page, question and
field of anything wrong.

:func:`quiz` renders a page's questions as plain HTML: every option is a native
``<details>`` element whose summary is the option and whose body says "Correct." or "Not
quite." with the explanation. Why not a library such as ``jupyterquiz`` (MIT licence, well
kept)? It draws its questions with JavaScript: JupyterLab does not run JavaScript outputs
stored in an untrusted notebook (every notebook a learner downloads), so the committed
outputs would show nothing until re-run, its JupyterLab math support loads MathJax from a
CDN (not offline), and its options are clickable ``div`` elements rather than controls a
keyboard reaches. Plain ``<details>`` needs no script at all: it works from stored outputs
in JupyterLab and in JupyterLite once the cell runs (their HTML
sanitiser keeps ``details``, ``summary``, ``fieldset`` and ``legend``), in the built book
and offline, and browsers expose it to the keyboard (Tab, Enter, Space) and to screen
readers as an expandable button. The trade-off: a learner can open every option;
the questions are for self-checking, not marking.

In a notebook::

    from genshare.quiz import quiz
    quiz("05")

The file keeps each question's options in the order its author wrote them (the right one
often first). What learners see is :func:`arrange`'s order: across the whole bank the right
option stands at every position equally often (the k-th question of the bank has it at
position k modulo the number of options), and the other options follow in an order drawn
from the question's id. A learner's own order (``quiz("05", learner="ana")``, or the learner
set by :func:`genshare.assignment.use_world`) replaces k by a permutation of the bank drawn
from the learner's normalised name, so neighbours see different letters and each learner's
positions stay balanced.

In a chapter (the ``quiz`` directive of ``_ext/quiz_directive.py``)::

    ```{quiz} reidentification
    ```
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

from genshare.paths import data_dir

__all__ = ["MAX_OPTIONS", "Option", "Question", "Quiz", "arrange", "letter", "load_quizzes", "quiz", "render_html"]

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: At most this many options to a question (one letter each, A to Z).
MAX_OPTIONS = 26
#: The environment variable holding the learner a session's quizzes are arranged for.
LEARNER_ENV = "GENSHARE_LEARNER"


def letter(index: int) -> str:
    """The label of the option at ``index`` (0 -> ``"A"``).

    Raises
    ------
    ValueError
        For an index outside 0 .. :data:`MAX_OPTIONS` - 1.
    """
    if not 0 <= index < MAX_OPTIONS:
        raise ValueError(f"option index must be 0 to {MAX_OPTIONS - 1}; got {index}")
    return chr(ord("A") + index)


@dataclass(frozen=True)
class Option:
    """One answer option: its text, whether it is right, and why (shown when opened)."""

    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class Question:
    """One multiple-choice question; ``source_key`` is a ``references.bib`` key."""

    id: str
    prompt: str
    source_key: str
    source_text: str
    options: tuple[Option, ...]


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where} must be a non-empty string; got {value!r}")
    return value.strip()


def _question(raw: Any, where: str) -> Question:
    if not isinstance(raw, dict):
        raise ValueError(f"{where} must be an object; got {type(raw).__name__}")
    unknown = sorted(set(raw) - {"id", "prompt", "source", "options"})
    if unknown:
        raise ValueError(f"{where} has unknown field(s) {', '.join(unknown)}")
    qid = _text(raw.get("id"), f"{where}.id")
    if not _ID.match(qid):
        raise ValueError(f"{where}.id must be lower-case letters, digits and hyphens; got {qid!r}")
    source = raw.get("source")
    if not isinstance(source, dict) or set(source) != {"key", "text"}:
        raise ValueError(f"{where}.source must be an object with exactly 'key' (a references.bib key) and 'text'")
    options = raw.get("options")
    if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
        raise ValueError(f"{where}.options must be a list of 2 to {MAX_OPTIONS} options")
    parsed = []
    for i, option in enumerate(options):
        at = f"{where}.options[{i}]"
        if not isinstance(option, dict) or set(option) != {"text", "correct", "explanation"}:
            raise ValueError(f"{at} must be an object with exactly 'text', 'correct' and 'explanation'")
        if not isinstance(option["correct"], bool):
            raise ValueError(f"{at}.correct must be true or false; got {option['correct']!r}")
        parsed.append(
            Option(
                _text(option["text"], f"{at}.text"),
                option["correct"],
                _text(option["explanation"], f"{at}.explanation"),
            )
        )
    if sum(o.correct for o in parsed) != 1:
        raise ValueError(
            f"{where}.options must have exactly one correct option; found {sum(o.correct for o in parsed)}"
        )
    if len({o.text for o in parsed}) != len(parsed):
        raise ValueError(f"{where}.options repeat an option text")
    return Question(
        qid,
        _text(raw.get("prompt"), f"{where}.prompt"),
        _text(source["key"], f"{where}.source.key"),
        _text(source["text"], f"{where}.source.text"),
        tuple(parsed),
    )


def load_quizzes(path: str | PathLike[str] | None = None) -> dict[str, tuple[Question, ...]]:
    """Read and validate the question file; returns page -> its questions, in order.

    Raises
    ------
    ValueError
        If the file is not valid JSON or any page, question or option is malformed (the
        message names it), or a question id is used twice.

    Examples
    --------
    >>> quizzes = load_quizzes()
    >>> all(len(q.options) >= 2 for page in quizzes.values() for q in page)
    True
    """
    path = Path(data_dir() / "quizzes.json" if path is None else path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from None
    pages = raw.get("pages") if isinstance(raw, dict) else None
    if not isinstance(pages, dict) or not pages:
        raise ValueError(f"{path} must hold an object with a non-empty 'pages' object")
    out: dict[str, tuple[Question, ...]] = {}
    seen: set[str] = set()
    for page, questions in pages.items():
        if not isinstance(questions, list) or not questions:
            raise ValueError(f"{path}: page {page!r} must list at least one question")
        parsed = tuple(_question(q, f"{path.name}: page {page!r}, question {i + 1}") for i, q in enumerate(questions))
        for q in parsed:
            if q.id in seen:
                raise ValueError(f"{path}: question id {q.id!r} is used more than once")
            seen.add(q.id)
        out[page] = parsed
    return out


def _inline(text: str) -> str:
    """Escape HTML, then turn `code` spans into <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def render_html(questions: tuple[Question, ...] | list[Question]) -> str:
    """The questions as self-contained HTML (no script, no external file).

    Each question is a ``fieldset`` whose ``legend`` is the prompt; each option a
    ``details`` element whose body starts with "Correct." or "Not quite.".

    Examples
    --------
    >>> q = Question("x", "2 + 2?", "k", "Arithmetic", (Option("4", True, "Yes."), Option("5", False, "No.")))
    >>> "Not quite." in render_html([q])
    True
    """
    parts = []
    for number, q in enumerate(questions, start=1):
        options = []
        for index, option in enumerate(q.options):
            verdict = "Correct." if option.correct else "Not quite."
            kind = "correct" if option.correct else "wrong"
            options.append(
                f'<details class="gs-quiz-option gs-quiz-{kind}" data-question="{q.id}">'
                f"<summary>{letter(index)}. {_inline(option.text)}</summary>"
                f'<p class="gs-quiz-feedback"><strong>{verdict}</strong> {_inline(option.explanation)}</p></details>'
            )
        parts.append(
            f'<fieldset class="gs-quiz" data-question="{q.id}">'
            f"<legend><strong>Check your understanding {number}.</strong> {_inline(q.prompt)}</legend>"
            f'<p class="gs-quiz-help">Open the option you would choose to see whether it is right, and why.</p>'
            + "".join(options)
            + f'<p class="gs-quiz-source">Source: {_inline(q.source_text)}</p></fieldset>'
        )
    return '<div class="gs-quizzes">' + "".join(parts) + "</div>"


class Quiz:
    """A page's questions, displayed as HTML by Jupyter (and as text elsewhere)."""

    def __init__(self, page: str, questions: tuple[Question, ...]) -> None:
        self.page = page
        self.questions = questions

    def _repr_html_(self) -> str:
        return render_html(self.questions)

    def __repr__(self) -> str:
        lines = []
        for q in self.questions:
            lines.append(q.prompt)
            lines += [f"  {letter(i)}. {o.text}" for i, o in enumerate(q.options)]
        return "\n".join(lines)


def _draw(*parts: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.sha256("\0".join(("genshare-quiz", *parts)).encode("utf-8")).digest()[:8], "big")


def arrange(quizzes: dict[str, tuple[Question, ...]], learner: str | None = None) -> dict[str, tuple[Question, ...]]:
    """The bank with each question's options in the order learners see (see the module's docstring).

    Deterministic: the same bank and learner give the same order. ``learner`` is normalised
    as :func:`genshare.assignment.normalise` does (case, spaces and Unicode forms do not
    matter).

    Examples
    --------
    >>> q = Question("x", "2 + 2?", "k", "Arithmetic", (Option("4", True, "Yes."), Option("5", False, "No.")))
    >>> [o.text for o in arrange({"p": (q, q)})["p"][1].options]  # the 2nd question: right option 2nd
    ['5', '4']
    """
    from genshare.assignment import normalise

    who = normalise(learner) if learner else ""
    total = sum(len(questions) for questions in quizzes.values())
    # The k-th question's slot: k itself for the book, a learner-drawn permutation of 0..total-1
    # otherwise; either way every slot modulo n is used equally often.
    order = sorted(range(total), key=lambda k: _draw(who, str(k))) if who else list(range(total))
    slot = {k: rank for rank, k in enumerate(order)}
    out: dict[str, tuple[Question, ...]] = {}
    k = 0
    for page, questions in quizzes.items():
        arranged = []
        for q in questions:
            n = len(q.options)
            right = next(o for o in q.options if o.correct)
            others = sorted((o for o in q.options if not o.correct), key=lambda o: _draw(q.id, o.text))
            position = slot[k] % n
            arranged.append(
                Question(
                    q.id, q.prompt, q.source_key, q.source_text, tuple(others[:position] + [right] + others[position:])
                )
            )
            k += 1
        out[page] = tuple(arranged)
    return out


def quiz(page: str, learner: str | None = None) -> Quiz:
    """The checks for understanding of ``page`` (a notebook number such as ``"05"`` or a chapter name).

    Options are in :func:`arrange`'s order for ``learner`` (default: the learner that
    :func:`genshare.assignment.use_world` set for this session, else the book's order).

    Raises
    ------
    ValueError
        If the page has no questions (the known pages are listed).

    Examples
    --------
    >>> quiz("05").page
    '05'
    """
    import os

    quizzes = load_quizzes()
    if page not in quizzes:
        raise ValueError(f"no questions for page {page!r}; pages with questions: {', '.join(quizzes)}")
    learner = learner if learner is not None else (os.environ.get(LEARNER_ENV) or None)
    return Quiz(page, arrange(quizzes, learner)[page])
