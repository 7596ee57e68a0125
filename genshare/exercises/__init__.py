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

This module is the learner's face (:func:`check`, :func:`save_answers`, :func:`reasoning`);
the answer forms and their JSON encoding are in :mod:`genshare.exercises.forms`, the
registry, contexts and verdicts in :mod:`genshare.exercises.registry`.

How to add checks for a notebook
--------------------------------
1. Create ``genshare/exercises/nbNN.py`` (``NN`` as in the notebook's file name, e.g.
   ``nb04b.py``) and add its module name to :data:`MODULES` (in :mod:`genshare.exercises.registry`).
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

import inspect
import json
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from genshare.exercises.forms import AnswerFormError, Form, Ids, Number, Several, Share, decode_answer, encode_answer
from genshare.exercises.registry import (
    MODULES,
    Context,
    Exercise,
    Feedback,
    Misconception,
    context_for,
    evaluate,
    exercises,
    expected_answers,
    get_exercise,
    register,
)

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

#: When set to a file path, :func:`check` records answers there instead of checking them.
RECORD_ENV = "GENSHARE_RECORD_ANSWERS"


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
            print(
                f"Exercise {exercise.id}: no answer yet. Put your answer in {listed} "
                f"(or call check({exercise.id!r}, your_answer)), then run this cell again."
            )
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
        raise ValueError(
            "say who you are: save_answers(learner='your name as your instructor has it'), "
            "or fill in LEARNER in the lesson's first cell"
        )
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
        if (
            not isinstance(previous, dict)
            or not isinstance(previous.get("answers", {}), dict)
            or not isinstance(previous.get("learner", who), str)
            or normalise(previous.get("learner", who)) != who
        ):
            raise FileExistsError(f"{target} exists and is not your answer file; choose another path")
        answers = {**previous.get("answers", {}), **answers}  # answers from other lessons' sessions stay
    import tempfile

    fd, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or "."
    )  # never a planted link
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
        print(
            f"  (The reasoning could not be computed here: {type(error).__name__}: {error}. "
            "Run the notebook's cells from the top, then this check again.)"
        )
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
