"""The exercise registry and the checking machinery: exercises with their typical wrong answers,
the (cached) context of a world, and the verdict on an answer."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genshare.exercises.forms import AnswerFormError, Form

#: The modules holding the exercises, one per notebook (imported on first use).
MODULES = ("nb01", "nb02", "nb03", "nb04", "nb04b", "nb05", "nb06", "nb07", "nb08", "nb09", "nb10", "nb11")


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
        self.world: Any = world  # None only for exercises that do not use a world (uses_world=False)
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


def evaluate(
    exercise_id: Any, answer: Any, *, world: Any | None = None, folder: str | os.PathLike[str] | None = None
) -> Feedback:
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


def expected_answers(world: Any | None = None, folder: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Every exercise's reference answer on a world (the per-learner answer key)."""
    out = {}
    for exercise in exercises():
        ctx = context_for(world, folder) if exercise.uses_world else _NO_WORLD
        out[exercise.id] = exercise.solve(ctx)
    return out
