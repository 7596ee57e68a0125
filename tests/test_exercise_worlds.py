"""Every checked exercise has a valid, non-empty reference answer on every world a learner can get.

Twenty learners' small worlds (made as the marker makes them, with
:func:`genshare.assignment.world_for`) and the module's default world: on each, every
exercise's reference solver returns an answer that its own form reads, that is not empty,
not NaN and not None, and that the check accepts. (Which answers are *unique* is the
exercises' design: each asks for a number, a set or a table that the world determines; the
misconception tests in ``tests/test_exercises.py`` show that the typical wrong answers are
refused.) Marked slow: the twenty worlds take a minute or two.
"""

from __future__ import annotations

import math
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from genshare.exercises import evaluate, exercises, get_exercise
from tests.test_exercises import SMALL

pytestmark = pytest.mark.slow

#: Twenty learners of one course: accents, spaces, case and look-alike names included.
LEARNERS = ("Ana María", "bob", "chen wei", "Dée", "eve", "François", "Gül", "hana", "Ίων", "jo",
            "Kofi", "lena", "Mateo", "Nguyễn Văn An", "olu", "Priya", "quinn", "Rafael", "Søren", "Tomás")


def _empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray, list, tuple, set, frozenset, dict, str)):
        return len(value) == 0
    return False


def _answers_on(learner: str, cache: str) -> dict[str, tuple[bool, str]]:
    """exercise id -> (answer is valid, why not) on one learner's small world (in a worker process)."""
    from genshare.assignment import world_for
    from genshare.cohort import load_world
    from genshare.exercises import context_for

    world = load_world(world_for("ws-answers", learner, cache=cache, **SMALL))
    return _check_all(world, context_for(world))


def _check_all(world, ctx) -> dict[str, tuple[bool, str]]:
    out = {}
    for exercise in exercises():
        try:
            raw = exercise.solve(ctx)
        except Exception as error:  # noqa: BLE001 - the point is to report any failure
            out[exercise.id] = (False, f"the solver raised {type(error).__name__}: {error}")
            continue
        if _empty(raw) or (isinstance(raw, tuple) and any(_empty(v) for v in raw)):
            out[exercise.id] = (False, f"empty, NaN or None reference answer: {raw!r}")
            continue
        read = exercise.form.read(raw, ctx)
        if _empty(read):
            out[exercise.id] = (False, f"the reference answer reads as empty: {read!r}")
            continue
        feedback = evaluate(exercise.id, raw, world=world)
        out[exercise.id] = (feedback.correct, "" if feedback.correct else f"its own check refuses it: {feedback.message}")
    return out


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, dict[str, tuple[bool, str]]]:
    cache = str(tmp_path_factory.mktemp("worlds"))
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = dict(zip(LEARNERS, pool.map(_answers_on, LEARNERS, [cache] * len(LEARNERS))))
    from genshare.cohort import load_world
    from genshare.exercises import context_for

    world = load_world()
    results["(the default world)"] = _check_all(world, context_for(world))
    return results


@pytest.mark.parametrize("exercise_id", [e.id for e in exercises()])
def test_every_world_has_an_answer(answers, exercise_id):
    get_exercise(exercise_id)
    failures = {who: why for who, result in answers.items() for eid, (ok, why) in result.items() if eid == exercise_id and not ok}
    assert not failures, f"exercise {exercise_id} has no valid answer on {len(failures)} of {len(answers)} worlds: {failures}"
