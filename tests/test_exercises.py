"""Every checked exercise accepts its reference answer on three learners' worlds and
refuses typical wrong answers with the hint meant for them.

The worlds are small (a few seconds each) and made with :func:`genshare.assignment.world_for`,
so the same code path as a course is exercised.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from genshare import exercises as ex
from genshare.assignment import world_for
from genshare.cohort import load_world
from genshare.cohort.parameters import SIZES
from genshare.exercises import (
    AnswerFormError,
    Ids,
    Number,
    Several,
    Share,
    check,
    context_for,
    decode_answer,
    encode_answer,
    evaluate,
    exercises,
    get_exercise,
)
from genshare.exercises.registry import _NO_WORLD

#: A small world (seconds to simulate); parameters of genshare.cohort.simulate_world.
SMALL = dict(SIZES["small"])  # genshare.cohort.parameters.SIZES
LEARNERS = ("ana", "ben", "chloé")
IDS = [e.id for e in exercises()]
NOTEBOOKS = ("01", "02", "03", "04", "04b", "05", "06", "07", "08", "09", "10", "11")


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    cache = tmp_path_factory.mktemp("worlds")
    return {learner: load_world(world_for("test-course", learner, cache=cache, **SMALL)) for learner in LEARNERS}


def test_at_least_two_checked_exercises_per_notebook():
    for notebook in NOTEBOOKS:
        assert sum(i.startswith(notebook + ".") for i in IDS) >= 2, notebook


def _ctx(exercise, world):
    return context_for(world) if exercise.uses_world else _NO_WORLD


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_answer_is_accepted_and_wrong_answers_get_their_hint(exercise_id, learner, worlds):
    exercise = get_exercise(exercise_id)
    world = worlds[learner]
    ctx = _ctx(exercise, world)
    reference = exercise.solve(ctx)
    assert evaluate(exercise_id, reference, world=world).correct
    # the reference answer survives the trip through an answer file (marking)
    assert evaluate(exercise_id, decode_answer(json.loads(json.dumps(encode_answer(reference)))), world=world).correct
    distinct = 0
    expected = exercise.form.read(reference, ctx) if exercise.judge is None else None
    earlier = []
    for m in exercise.misconceptions:
        wrong = m.answer(ctx)
        if wrong is None:
            continue
        read = exercise.form.read(wrong, ctx)
        if expected is not None and exercise.form.same(read, expected):
            continue  # this world happens to give the same answer both ways
        if any(exercise.form.same(read, other) for other in earlier):
            continue  # two misconceptions give the same answer here: the first one's hint is given
        earlier.append(read)
        feedback = evaluate(exercise_id, wrong, world=world)
        assert not feedback.correct, (exercise_id, m.name)
        assert feedback.hint == m.hint, (exercise_id, m.name, feedback.hint)
        assert str(reference) not in feedback.hint
        distinct += 1
    assert distinct >= 2, f"{exercise_id}: fewer than two typical wrong answers differ from the answer on {learner}'s world"


def test_worlds_differ_between_learners(worlds):
    seeds = {w.seed for w in worlds.values()}
    assert len(seeds) == len(LEARNERS)
    answers = {learner: get_exercise("05.1").solve(context_for(w)) for learner, w in worlds.items()}
    assert len(set(answers.values())) > 1


# ----------------------------------------------------------------- forms of an answer


def test_numbers_in_reasonable_forms():
    ctx = _NO_WORLD
    assert Number().read(np.int64(3), ctx) == 3.0
    assert Number().read(np.array([2.5]), ctx) == 2.5
    assert Number().read(" 1,000 ", ctx) == 1000.0
    assert Number(count=True).read(pd.DataFrame({"a": [1, 2, 3]}), ctx) == 3.0
    for bad in (True, "many", None, float("nan"), [1, 2]):
        with pytest.raises(AnswerFormError):
            Number().read(bad, ctx)


def test_shares_as_fractions_or_percentages():
    ctx = _NO_WORLD
    form = Share()
    assert form.read(0.85, ctx) == 0.85
    assert form.read(85, ctx) == pytest.approx(0.85)
    assert form.read("85%", ctx) == pytest.approx(0.85)
    with pytest.raises(AnswerFormError):
        form.read(-3, ctx)


def test_ids_in_any_order_and_container():
    ctx = _NO_WORLD
    form = Ids(column="name")
    expected = frozenset({"a", "b"})
    for answer in (["b", "a"], {"A ", "b"}, pd.Series(["a", "b"]), pd.Index(["a", "b"]),
                   pd.DataFrame({"name": ["a", "b"], "x": [1, 2]}), np.array(["a", "b"])):
        assert form.read(answer, ctx) == expected
    assert form.read("a", ctx) == frozenset({"a"})
    with pytest.raises(AnswerFormError):
        form.read([1, 2], ctx)


def test_several_values_as_tuple_dict_or_series():
    form = Several(labels=("x", "y"), forms=(Number(), Number()))
    ctx = _NO_WORLD
    for answer in ((1, 2), [1, 2], {"X": 1, "y": 2}, pd.Series({"x": 1, "y": 2}), np.array([1, 2])):
        assert form.read(answer, ctx) == (1.0, 2.0)
    with pytest.raises(AnswerFormError):
        form.read((1, 2, 3), ctx)


def test_a_malformed_answer_says_what_is_expected(capsys):
    feedback = evaluate("01.2", "most of them")
    assert not feedback.correct and "number" in feedback.problem
    assert "not yet" in feedback.message


def test_check_prints_and_reads_a_named_variable(capsys):
    share_found = 0.846
    assert check("01.2", variable="share_found") is None
    assert capsys.readouterr().out == "Exercise 01.2: correct.\n"
    check("01.2", 0.5)
    assert "not yet" in capsys.readouterr().out
    assert check("01.2", variable="not_defined_anywhere") is None
    assert "no answer yet" in capsys.readouterr().out


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(KeyError, match="01.1"):
        get_exercise("99.9")
    assert get_exercise("1.2").id == "01.2"


def test_check_records_instead_of_checking_when_marking(tmp_path, monkeypatch, capsys):
    record = tmp_path / "answers.jsonl"
    monkeypatch.setenv(ex.RECORD_ENV, str(record))
    assert check("03.2", pd.DataFrame({"participant": ["C1"]})) is None
    line = json.loads(record.read_text())
    assert line["exercise"] == "03.2"
    assert decode_answer(line["answer"])["participant"].tolist() == ["C1"]


def test_encoding_round_trip():
    values = [1, 2.5, "x", None, True, [1, "a"], {"a", "b"}, {"k": (1, 2)},
              pd.Series([1, 2], index=["a", "b"]), pd.DataFrame({"a": [1], "b": ["x"]}), np.arange(3), float("inf")]
    for value in values:
        back = decode_answer(json.loads(json.dumps(encode_answer(value))))
        if isinstance(value, pd.Series):
            pd.testing.assert_series_equal(back, value, check_dtype=False)
        elif isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(back, value, check_dtype=False)
        elif isinstance(value, np.ndarray):
            assert back == value.tolist()
        elif isinstance(value, dict):
            assert back == {"k": [1, 2]}
        else:
            assert back == value
    with pytest.raises(TypeError):
        encode_answer(object())


@pytest.mark.parametrize("exercise_id", IDS)
def test_any_object_gets_feedback_not_an_exception(exercise_id, worlds):
    empty_is_right = False  # every exercise has a non-empty reference answer (tests/test_exercise_worlds.py)
    for answer in (None, "", object(), [[1, 2], [3]], {"a": {"b": 1}}, pd.DataFrame(), np.array([np.nan]), -1, 10**30):
        feedback = evaluate(exercise_id, answer, world=worlds["ana"])
        assert feedback.correct is (empty_is_right and isinstance(answer, pd.DataFrame)), (exercise_id, answer)
