"""Exercises that check a learner's answer on the learner's own world.

A learner calls :func:`check` on an answer::

    >>> from genshare.exercises import check
    >>> check("01.2", 0.85)  # doctest: +SKIP
    Exercise 01.2: correct.

The check recomputes the expected answer with the package from the world the notebook
reads (:func:`genshare.paths.world_dir`, so ``GENSHARE_WORLD`` and
:func:`genshare.assignment.world_for` worlds are followed), compares it with the answer in
any reasonable form (a number within a tolerance, a percentage or a fraction, ids in any
order, a DataFrame or Series holding them), and prints *correct* or *not yet*. A wrong
answer gets a hint aimed at the misconception that produces it, never the answer: each
exercise lists typical wrong answers (:class:`Misconception`), each computed from the same
world, and an answer equal to one of them gets that misconception's hint.

Expected answers are cached per world (keyed by the world folder and its manifest's
checksum), so every check after the first answers in well under a second. The notebooks
pass the ``world`` they already loaded (``check(..., world=world)``) so that even the first
check does not read the world again.

In the notebooks a check cell names the variable that holds the answer,
``check("03.2", variable="found")``: the cell then runs in the learner edition too, before
the learner has answered (it says what to do instead of failing with a ``NameError``).

How to add checks for a notebook
--------------------------------
1. Create ``genshare/exercises/nbNN.py`` (``NN`` as in the notebook's file name, e.g.
   ``nb04b.py``) and add its module name to :data:`MODULES` below.
2. In it, write one function per exercise that computes the reference answer from a
   :class:`Context` (``ctx.world`` is the learner's world; ``ctx.memo(key, fn)`` shares an
   intermediate result between exercises of the same world), and functions computing the
   typical wrong answers. Register each with :func:`register` and an answer :class:`Form`
   (:class:`Number`, :class:`Share`, :class:`Ids`, :class:`Several`, or your own subclass).
   Exercises that do not read the world (e.g. the catalogue) set ``uses_world=False``.
3. Add a cell after the exercise's solution (and its "Why" dropdown, if any)::

       from genshare.exercises import check

       check("NN.k", variable="name_of_the_answer_variable", world=world)

4. ``tests/test_exercises.py`` then checks automatically that the reference answer is
   accepted on three small worlds and that at least two misconceptions are refused with
   their own hint; run it.

Recording mode (marking)
------------------------
When the environment variable :data:`RECORD_ENV` names a file, :func:`check` does not
compute anything: it appends the exercise id and the encoded answer (:func:`encode_answer`)
to that file as one JSON line. :mod:`genshare.marking` executes submitted notebooks in a
sandbox this way and compares the recorded answers outside the sandbox.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MODULES",
    "RECORD_ENV",
    "AnswerFormError",
    "Context",
    "Exercise",
    "Feedback",
    "Form",
    "Ids",
    "Misconception",
    "Number",
    "Several",
    "Share",
    "check",
    "context_for",
    "decode_answer",
    "encode_answer",
    "evaluate",
    "exercises",
    "expected_answers",
    "get_exercise",
    "register",
    "save_answers",
]

#: The modules holding the exercises, one per notebook (imported on first use).
MODULES = ("nb01", "nb02", "nb03", "nb04", "nb04b", "nb05", "nb06", "nb07", "nb08", "nb09", "nb10", "nb11")

#: When set to a file path, :func:`check` records answers there instead of checking them.
RECORD_ENV = "GENSHARE_RECORD_ANSWERS"


class AnswerFormError(ValueError):
    """The answer is not in a form the exercise can read (the message says what is expected)."""


# --------------------------------------------------------------------------- forms


def _scalar(value: Any, what: str) -> float:
    """A finite float from a Python/numpy number, a 1-element container or a numeric string."""
    if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray, list, tuple)):
        flat = np.asarray(value, dtype=object).ravel()
        if flat.size != 1:
            raise AnswerFormError(f"expected one number ({what}); got {flat.size} values")
        value = flat[0]
    if isinstance(value, (bool, np.bool_)):
        raise AnswerFormError(f"expected a number ({what}); got {value!r}, a yes/no value")
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            value = float(text)
        except ValueError:
            raise AnswerFormError(f"expected a number ({what}); got the text {value!r}") from None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AnswerFormError(f"expected a number ({what}); got {type(value).__name__}") from None
    if not math.isfinite(number):
        raise AnswerFormError(f"expected a finite number ({what}); got {number}")
    return number


class Form:
    """How an exercise reads an answer: :meth:`read` normalises it, :meth:`same` compares."""

    #: What the learner should give, in words (used in messages).
    what = "an answer"

    def read(self, answer: Any, ctx: Context) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def same(self, a: Any, b: Any) -> bool:
        return a == b


@dataclass(frozen=True)
class Number(Form):
    """A number, within ``tolerance`` (absolute). ``count=True`` also accepts a table or
    list whose length is the number (e.g. the matching rows instead of their count)."""

    what: str = "a number"
    tolerance: float = 1e-9
    count: bool = False

    def read(self, answer: Any, ctx: Context) -> float:
        if self.count and isinstance(answer, (pd.DataFrame, pd.Series, list, tuple, set, frozenset, pd.Index, np.ndarray)):
            if not (isinstance(answer, (list, tuple, np.ndarray)) and np.size(answer) == 1):
                return float(len(answer))
        return _scalar(answer, self.what)

    def same(self, a: float, b: float) -> bool:
        return abs(a - b) <= self.tolerance + 1e-12


@dataclass(frozen=True)
class Share(Form):
    """A share: a fraction (``0.85``), a percentage (``85`` or ``"85%"``), within ``tolerance``
    (as a fraction; ``0.006`` accepts a percentage rounded to a whole number)."""

    what: str = "a share (fraction or percentage)"
    tolerance: float = 0.006

    def read(self, answer: Any, ctx: Context) -> float:
        percent = isinstance(answer, str) and answer.strip().endswith("%")
        value = _scalar(answer.strip().rstrip("%") if percent else answer, self.what)
        if percent or value > 1:
            value /= 100
        if not 0 <= value <= 1:
            raise AnswerFormError(f"expected {self.what} between 0 and 1 (or 0% and 100%); got {answer!r}")
        return value

    def same(self, a: float, b: float) -> bool:
        return abs(a - b) <= self.tolerance + 1e-12


def _text(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip().casefold()


@dataclass(frozen=True)
class Ids(Form):
    """A set of ids or names, in any order and any container: a string, a list, a set, a
    Series, an Index, or a DataFrame (its ``column`` if it has one, else its index).

    ``aliases`` maps other accepted spellings (e.g. a repository's id) to the canonical one;
    ``rows`` maps a DataFrame's integer ``index`` column (a search result) to ids;
    ``select=(column, value)`` keeps a DataFrame's rows where ``column == value`` first.
    Comparison ignores case and surrounding spaces.
    """

    what: str = "a list of ids"
    column: str | None = None
    aliases: Callable[[Context], Mapping[str, str]] | None = None
    rows: Callable[[Context], Any] | None = None
    select: tuple[str, str] | None = None

    def read(self, answer: Any, ctx: Context) -> frozenset[str]:
        if isinstance(answer, pd.DataFrame) and self.select is not None and self.select[0] in answer.columns:
            answer = answer[answer[self.select[0]] == self.select[1]]
        if isinstance(answer, pd.DataFrame):
            if self.column is not None and self.column in answer.columns:
                values = answer[self.column]
            elif self.rows is not None and "index" in answer.columns:
                ids = np.asarray(self.rows(ctx))
                values = ids[answer["index"].to_numpy(dtype=int)]
            else:
                values = answer.index
        elif isinstance(answer, (str, np.str_)):
            values = [answer]
        elif isinstance(answer, Mapping):
            raise AnswerFormError(f"expected {self.what}; got a dictionary")
        elif isinstance(answer, Iterable):
            values = list(answer)
        elif answer is None:
            raise AnswerFormError(f"expected {self.what}; got None")
        else:
            raise AnswerFormError(f"expected {self.what}; got {type(answer).__name__}")
        aliases = {_text(k): _text(v) for k, v in (self.aliases(ctx) if self.aliases else {}).items()}
        out = set()
        for value in values:
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (str, np.str_)):
                raise AnswerFormError(f"expected {self.what} (text); got {value!r}")
            key = _text(value)
            out.add(aliases.get(key, key))
        return frozenset(out)

    def same(self, a: frozenset[str], b: frozenset[str]) -> bool:
        return a == b


@dataclass(frozen=True)
class Several(Form):
    """Several answers at once, e.g. ``(count, share)``: a tuple or list in the order of
    ``labels``, a dict keyed by the labels (any case), or a Series with those labels.
    ``reader`` may turn other objects (e.g. a summary Series) into the tuple first."""

    labels: tuple[str, ...] = ()
    forms: tuple[Form, ...] = ()
    reader: Callable[[Any], Any] | None = None

    @property
    def what(self) -> str:  # type: ignore[override]
        return "(" + ", ".join(self.labels) + ")"

    def read(self, answer: Any, ctx: Context) -> tuple:
        if self.reader is not None:
            try:
                answer = self.reader(answer)
            except (KeyError, TypeError, ValueError, AttributeError, IndexError):
                pass
        if isinstance(answer, pd.Series):
            answer = answer.to_dict() if not isinstance(answer.index, pd.RangeIndex) else answer.tolist()
        if isinstance(answer, Mapping):
            keys = {_text(k): v for k, v in answer.items()}
            if all(_text(label) in keys for label in self.labels):
                answer = [keys[_text(label)] for label in self.labels]
            else:
                answer = list(answer.values())
        if isinstance(answer, np.ndarray):
            answer = answer.tolist()
        if not isinstance(answer, (list, tuple)) or len(answer) != len(self.labels):
            raise AnswerFormError(f"expected {len(self.labels)} values in this order: {self.what}")
        return tuple(form.read(value, ctx) for form, value in zip(self.forms, answer))

    def same(self, a: tuple, b: tuple) -> bool:
        return len(a) == len(b) and all(f.same(x, y) for f, x, y in zip(self.forms, a, b))


# ----------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Misconception:
    """A typical wrong answer: ``answer(ctx)`` computes it on the world; ``hint`` explains
    the misconception without giving the answer."""

    name: str
    answer: Callable[[Context], Any]
    hint: str


@dataclass(frozen=True)
class Exercise:
    """One checked exercise.

    Attributes
    ----------
    id
        ``"NN.k"``: notebook ``NN``, exercise ``k`` as numbered in the notebook.
    question
        The question in one line (for answer keys and score sheets).
    form
        How the answer is read and compared.
    solve
        ``solve(ctx)`` returns the reference answer on the context's world.
    misconceptions
        Typical wrong answers with their hints (tried in order).
    hint
        The hint for any other wrong answer.
    uses_world
        False for exercises on fixed data (the catalogue, the DUO terms).
    judge
        Optional ``judge(read_answer, ctx) -> (correct, hint)`` replacing the comparison
        with the reference answer (for exercises with several right answers).
    """

    id: str
    question: str
    form: Form
    solve: Callable[[Context], Any]
    misconceptions: tuple[Misconception, ...] = ()
    hint: str = "Re-read the question: which people or rows does it ask about, and which measure?"
    uses_world: bool = True
    judge: Callable[[Any, Context], tuple[bool, str | None]] | None = None


_REGISTRY: dict[str, Exercise] = {}
_LOADED = False


def register(exercise: Exercise) -> Exercise:
    """Add ``exercise`` to the registry (an id may be registered once)."""
    if not re.fullmatch(r"\d\d[a-z]?\.\d+", exercise.id):
        raise ValueError(f"exercise id must look like '03.1'; got {exercise.id!r}")
    if exercise.id in _REGISTRY and _REGISTRY[exercise.id] is not exercise:
        raise ValueError(f"exercise {exercise.id} is registered twice")
    _REGISTRY[exercise.id] = exercise
    return exercise


def _load() -> None:
    global _LOADED
    if not _LOADED:
        for module in MODULES:
            importlib.import_module(f"genshare.exercises.{module}")
        _LOADED = True


def exercises() -> list[Exercise]:
    """Every registered exercise, sorted by id."""
    _load()
    return [_REGISTRY[k] for k in sorted(_REGISTRY, key=_sort_key)]


def _sort_key(exercise_id: str) -> tuple:
    notebook, number = exercise_id.split(".")
    return (notebook, int(number))


def get_exercise(exercise_id: Any) -> Exercise:
    """The exercise with this id (``"03.1"``; ``"3.1"`` is read as ``"03.1"``)."""
    _load()
    text = str(exercise_id).strip()
    match = re.fullmatch(r"(\d{1,2})([a-z]?)\.(\d+)", text)
    key = f"{int(match.group(1)):02d}{match.group(2)}.{int(match.group(3))}" if match else text
    if key not in _REGISTRY:
        known = ", ".join(e.id for e in exercises())
        raise KeyError(f"no checked exercise {exercise_id!r}; the checked exercises are {known}")
    return _REGISTRY[key]


# ------------------------------------------------------------------------ context


class Context:
    """The world an exercise is checked on, with a memo of results computed on it.

    ``world`` is None for a context without a world (exercises on fixed data only).
    """

    def __init__(self, world: Any | None, key: str) -> None:
        self.world = world
        self.key = key
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per context (e.g. an attack shared by two exercises)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def __repr__(self) -> str:
        return f"Context({self.key})"


_CONTEXTS: dict[str, Context] = {}
_MAX_CONTEXTS = 4


def _world_key(folder: Path) -> str:
    manifest = folder / "MANIFEST.sha256"
    digest = hashlib.sha256(manifest.read_bytes()).hexdigest()[:16] if manifest.is_file() else "no-manifest"
    return f"{folder.resolve()}#{digest}"


def context_for(world: Any | None = None, folder: str | os.PathLike[str] | None = None) -> Context:
    """The (cached) context of a world: ``world`` if given, else the world in ``folder``,
    else the world the lessons read (:func:`genshare.paths.world_dir`)."""
    from genshare.paths import world_dir

    if world is not None:
        seed = getattr(world, "seed", None)
        params = json.dumps(getattr(world, "parameters", None), sort_keys=True, default=str)
        key = f"object#{seed}#{hashlib.sha256(params.encode()).hexdigest()[:12]}#{id(world)}"
        if key not in _CONTEXTS:
            _remember(key, Context(world, key))
        return _CONTEXTS[key]
    path = Path(folder) if folder is not None else world_dir()
    key = _world_key(path)
    if key not in _CONTEXTS:
        from genshare.cohort import load_world

        _remember(key, Context(load_world(path), key))
    return _CONTEXTS[key]


def _remember(key: str, ctx: Context) -> None:
    while len(_CONTEXTS) >= _MAX_CONTEXTS:
        _CONTEXTS.pop(next(iter(_CONTEXTS)))
    _CONTEXTS[key] = ctx


_NO_WORLD = Context(None, "no-world")


# ----------------------------------------------------------------------- checking


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``correct``, and for a wrong one a ``hint``."""

    exercise: str
    correct: bool
    hint: str | None = None
    problem: str | None = None
    misconception: str | None = None

    @property
    def message(self) -> str:
        if self.correct:
            return f"Exercise {self.exercise}: correct."
        lines = [f"Exercise {self.exercise}: not yet."]
        if self.problem:
            lines.append(f"  The answer could not be read: {self.problem}.")
        if self.hint:
            lines.append(f"  Hint: {self.hint}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython display
        printer.text(self.message)


def _expected(exercise: Exercise, ctx: Context) -> Any:
    return ctx.memo(f"expected:{exercise.id}", lambda: exercise.form.read(exercise.solve(ctx), ctx))


def _wrong(exercise: Exercise, m: Misconception, ctx: Context) -> Any:
    def compute() -> Any:
        try:
            return exercise.form.read(m.answer(ctx), ctx)
        except AnswerFormError:
            return None

    return ctx.memo(f"wrong:{exercise.id}:{m.name}", compute)


def evaluate(exercise_id: Any, answer: Any, *, world: Any | None = None, folder: str | os.PathLike[str] | None = None) -> Feedback:
    """Check ``answer`` and return the :class:`Feedback` (without printing it).

    Parameters
    ----------
    exercise_id
        ``"03.1"``.
    answer
        The learner's answer, in any form the exercise's :class:`Form` reads.
    world, folder
        The world to check on (a loaded ``World`` or its folder); by default the world the
        lessons read.
    """
    exercise = get_exercise(exercise_id)
    ctx = context_for(world, folder) if exercise.uses_world else _NO_WORLD
    try:
        given = exercise.form.read(answer, ctx)
    except AnswerFormError as error:
        return Feedback(exercise.id, False, problem=str(error))
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as error:
        return Feedback(exercise.id, False, problem=f"expected {exercise.form.what} ({type(error).__name__}: {error})")
    if exercise.judge is not None:
        correct, hint = exercise.judge(given, ctx)
        return Feedback(exercise.id, bool(correct), hint=None if correct else hint)
    expected = _expected(exercise, ctx)
    if exercise.form.same(given, expected):
        return Feedback(exercise.id, True)
    for m in exercise.misconceptions:
        wrong = _wrong(exercise, m, ctx)
        if wrong is not None and not exercise.form.same(wrong, expected) and exercise.form.same(given, wrong):
            return Feedback(exercise.id, False, hint=m.hint, misconception=m.name)
    return Feedback(exercise.id, False, hint=exercise.hint)


class _Missing:
    pass


def check(
    exercise_id: Any,
    answer: Any = _Missing,
    *,
    variable: str | Sequence[str] | None = None,
    world: Any | None = None,
    reasoning: bool = False,
) -> None:
    """Check an answer to a notebook exercise and print *correct* or *not yet* with a hint.

    Parameters
    ----------
    exercise_id
        The exercise, ``"NN.k"`` (notebook ``NN``, exercise ``k``).
    answer
        Your answer. Or name the variable holding it with ``variable=`` (as the notebooks'
        check cells do, so that the cell runs before you have answered).
    variable
        The name of a variable of the notebook holding the answer (or several names, for an
        answer made of several values, e.g. ``("diabetes", "hiv")``).
    world
        The world the notebook loaded (saves reading it again); by default the world the
        lessons read (:func:`genshare.paths.world_dir`).
    reasoning
        Once the answer is right, also show the exercise's reasoning (its "Why") with the
        numbers of this world (:func:`reasoning`). The learner edition's check cells ask for
        it; the book shows the "Why" under the solution instead.

    The verdict is printed, not returned (so that a notebook shows it once);
    :func:`evaluate` returns it as a :class:`Feedback` instead.

    Examples
    --------
    >>> check("01.2", "85%")  # doctest: +SKIP
    Exercise 01.2: correct.
    """
    exercise = get_exercise(exercise_id)
    if variable is not None:
        caller = inspect.currentframe().f_back  # type: ignore[union-attr]
        namespace = {**caller.f_globals, **caller.f_locals} if caller is not None else {}
        names = [variable] if isinstance(variable, str) else list(variable)
        missing = [name for name in names if name not in namespace]
        if missing:
            listed = ", ".join(f"`{name}`" for name in names)
            print(f"Exercise {exercise.id}: no answer yet. Put your answer in {listed} "
                  f"(or call check({exercise.id!r}, your_answer)), then run this cell again.")
            return None
        answer = namespace[names[0]] if isinstance(variable, str) else tuple(namespace[name] for name in names)
    if answer is _Missing:
        print(f"Exercise {exercise.id}: no answer given. Call check({exercise.id!r}, your_answer).")
        return None
    record = os.environ.get(RECORD_ENV, "").strip()
    if record:
        with open(record, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"exercise": exercise.id, "answer": encode_answer(answer)}) + "\n")
        print(f"Exercise {exercise.id}: answer recorded for marking.")
        return None
    _ANSWERS[exercise.id] = answer  # the last answer checked counts (save_answers)
    feedback = evaluate(exercise.id, answer, world=world)
    label = _world_label(world) if exercise.uses_world else None
    print(feedback.message + (f" (Checked on {label}.)" if label else ""))
    if feedback.correct and reasoning:
        caller = inspect.currentframe().f_back  # type: ignore[union-attr]
        _show_reasoning(exercise.id, dict(caller.f_globals) if caller is not None else {})
    return None


#: The last answer this session checked for each exercise, for :func:`save_answers`.
_ANSWERS: dict[str, Any] = {}


def save_answers(path: str | os.PathLike[str] | None = None, learner: str | None = None) -> Path:
    """Write the answers this session checked to the answer file the marker reads.

    Every :func:`check` remembers the answer it was given (the last one per exercise). The
    file is ``{"learner": ..., "answers": {"05.1": ..., ...}}`` with tables encoded by
    :func:`encode_answer`, exactly what ``python -m genshare.marking`` reads; hand it in.

    Parameters
    ----------
    path
        Where to write; default ``<learner>.json`` in the current folder.
    learner
        Your name as your instructor has it; default the learner that
        :func:`genshare.assignment.use_world` was given (``LEARNER`` in the first cell).

    Raises
    ------
    ValueError
        If no answer was checked yet, or no learner is known.
    FileExistsError
        If ``path`` exists and holds another learner's answers.

    Examples
    --------
    >>> import tempfile
    >>> _ANSWERS.clear()  # this session's earlier checks
    >>> _ANSWERS["05.1"] = (422, 21)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = save_answers(Path(folder) / "ana.json", learner="ana")
    ...     json.loads(path.read_text())["answers"]  # doctest: +ELLIPSIS
    Saved 1 answer(s) for ana to .../ana.json: hand in this file.
    {'05.1': [422, 21]}
    >>> _ANSWERS.clear()
    """
    from genshare.assignment import normalise

    who = learner if learner is not None else os.environ.get("GENSHARE_LEARNER", "")
    if not str(who).strip():
        raise ValueError("say who you are: save_answers(learner='your name as your instructor has it'), "
                         "or fill in LEARNER in the lesson's first cell")
    who = normalise(who)
    if not _ANSWERS:
        raise ValueError("no answer checked yet in this session: run the check cells after your answers, then save")
    target = Path(path) if path is not None else Path(f"{re.sub(r'[^a-z0-9]+', '-', who).strip('-') or 'answers'}.json")
    answers = {exercise_id: encode_answer(answer) for exercise_id, answer in sorted(_ANSWERS.items())}
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise FileExistsError(f"{target} is not a regular file; choose another path")
    if target.is_file():
        try:
            previous = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = None
        if (not isinstance(previous, dict) or not isinstance(previous.get("answers", {}), dict)
                or not isinstance(previous.get("learner", who), str) or normalise(previous.get("learner", who)) != who):
            raise FileExistsError(f"{target} exists and is not your answer file; choose another path")
        answers = {**previous.get("answers", {}), **answers}  # answers from other lessons' sessions stay
    import tempfile

    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")  # never a planted link
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps({"learner": who, "answers": answers}, indent=1, ensure_ascii=False) + "\n")
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    print(f"Saved {len(answers)} answer(s) for {who} to {target}: hand in this file.")
    return target


def _world_label(world: Any | None) -> str | None:
    """Which world a check used, for the learner (None when it cannot be told)."""
    from genshare.assignment import world_label
    from genshare.paths import world_dir

    folder = getattr(world, "folder", None) or world_dir()
    try:
        return world_label(folder)
    except ValueError:
        return None


#: The "Why" of each checked exercise and its solution's code, written from the notebooks
#: by ``python -m genshare.teaching --learner``.
REASONING_FILE = Path(__file__).with_name("reasoning.json")


def reasoning(exercise_id: Any, namespace: Mapping[str, Any] | None = None) -> str | None:
    """The "Why" of an exercise as Markdown, with the numbers of the learner's own world.

    The book shows each exercise's reasoning under its solution. The learner edition has
    no solutions, so a correct :func:`check` gives the reasoning instead: the solution's
    code (kept with the reasoning in ``reasoning.json``) is run on a *copy* of the
    notebook's namespace, with its printing and display captured, and the values it glues
    (with those the lesson's cells glued) fill in the reasoning.

    Returns None for an exercise without a written reasoning. Raises whatever the
    solution's code raises (for example a ``NameError`` when the lesson's cells were not
    run first).
    """
    from genshare.glue import glued, render

    exercise = get_exercise(exercise_id)
    entries = json.loads(REASONING_FILE.read_text(encoding="utf-8")) if REASONING_FILE.is_file() else {}
    entry = entries.get(exercise.id)
    if not entry:
        return None
    scope = dict(namespace or {})
    from IPython.utils.capture import capture_output

    with capture_output():
        exec(compile(entry["solution"], f"<solution of exercise {exercise.id}>", "exec"), scope)  # noqa: S102 - the module's own code
    return render(entry["why"], glued())


def _show_reasoning(exercise_id: str, namespace: dict[str, Any]) -> None:
    try:
        text = reasoning(exercise_id, namespace)
    except Exception as error:  # the verdict stands; say why the reasoning is missing
        print(f"  (The reasoning could not be computed here: {type(error).__name__}: {error}. "
              "Run the notebook's cells from the top, then this check again.)")
        return
    if text is None:
        return
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display

        if get_ipython() is not None:
            display(Markdown("**Why.** " + text))
            return
    except ImportError:  # pragma: no cover - IPython is a dependency of the lessons
        pass
    print("  Why: " + text)


def expected_answers(world: Any | None = None, folder: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Every exercise's reference answer on a world (the per-learner answer key)."""
    out = {}
    for exercise in exercises():
        ctx = context_for(world, folder) if exercise.uses_world else _NO_WORLD
        out[exercise.id] = exercise.solve(ctx)
    return out


# ---------------------------------------------------------------------- encoding


def encode_answer(answer: Any, _depth: int = 0) -> Any:
    """A JSON-ready form of an answer (tables, arrays and sets included), decoded by
    :func:`decode_answer`. Objects of other kinds are refused with ``TypeError``."""
    if _depth > 20:
        raise TypeError("answer nested too deeply")
    if answer is None or isinstance(answer, (bool, str)):
        return answer
    if isinstance(answer, (int, np.integer)):
        return int(answer)
    if isinstance(answer, (float, np.floating)):
        value = float(answer)
        return value if math.isfinite(value) else {"__float__": str(value)}
    if isinstance(answer, np.bool_):
        return bool(answer)
    if isinstance(answer, np.str_):
        return str(answer)
    if isinstance(answer, pd.DataFrame):
        frame = answer.reset_index() if not isinstance(answer.index, pd.RangeIndex) else answer
        return {"__dataframe__": {
            "columns": [str(c) for c in frame.columns],
            "index_name": None if isinstance(answer.index, pd.RangeIndex) else str(frame.columns[0]),
            "data": [[encode_answer(v, _depth + 1) for v in row] for row in frame.astype(object).itertuples(index=False)],
        }}
    if isinstance(answer, pd.Series):
        return {"__series__": {"index": [encode_answer(v, _depth + 1) for v in answer.index.tolist()],
                               "values": [encode_answer(v, _depth + 1) for v in answer.astype(object).tolist()],
                               "name": None if answer.name is None else str(answer.name)}}
    if isinstance(answer, (np.ndarray, pd.Index)):
        return [encode_answer(v, _depth + 1) for v in np.asarray(answer, dtype=object).tolist()]
    if isinstance(answer, (set, frozenset)):
        return {"__set__": [encode_answer(v, _depth + 1) for v in sorted(answer, key=str)]}
    if isinstance(answer, (list, tuple)):
        return [encode_answer(v, _depth + 1) for v in answer]
    if isinstance(answer, Mapping):
        return {"__dict__": [[encode_answer(k, _depth + 1), encode_answer(v, _depth + 1)] for k, v in answer.items()]}
    if isinstance(answer, pd.Timestamp):
        return str(answer)
    raise TypeError(f"cannot record an answer of type {type(answer).__name__}")


def decode_answer(data: Any, _depth: int = 0) -> Any:
    """The answer encoded by :func:`encode_answer` (tables back as DataFrames)."""
    if _depth > 40:
        raise ValueError("answer nested too deeply")
    if isinstance(data, list):
        return [decode_answer(v, _depth + 1) for v in data]
    if isinstance(data, dict):
        if set(data) == {"__float__"}:
            return float(data["__float__"])
        if set(data) == {"__set__"}:
            return set(decode_answer(v, _depth + 1) for v in data["__set__"] if not isinstance(v, (list, dict)))
        if set(data) == {"__dict__"}:
            return {decode_answer(k, _depth + 1) if not isinstance(k, (list, dict)) else str(k): decode_answer(v, _depth + 1)
                    for k, v in data["__dict__"]}
        if set(data) == {"__series__"}:
            body = data["__series__"]
            return pd.Series([decode_answer(v, _depth + 1) for v in body["values"]],
                             index=[decode_answer(v, _depth + 1) for v in body["index"]], name=body.get("name"), dtype=object).infer_objects()
        if set(data) == {"__dataframe__"}:
            body = data["__dataframe__"]
            frame = pd.DataFrame([[decode_answer(v, _depth + 1) for v in row] for row in body["data"]],
                                 columns=body["columns"]).infer_objects()
            if body.get("index_name") is not None and body["index_name"] in frame.columns:
                frame = frame.set_index(body["index_name"])
            return frame
        return {str(k): decode_answer(v, _depth + 1) for k, v in data.items()}
    return data
