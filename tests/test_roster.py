"""A class of 30 through worlds, answer keys and marking, as an instructor runs them.

The roster mixes accents, spaces and case, and holds two learners whose names differ only by
their accents (``Ana María`` and ``ana maria``: two people). The submissions folder has one
learner missing, one entry from someone not on the roster, one entry renamed to the
folder-name form the worlds' cache prints (``chen-wei``), and one entry that could be either
Ana. Worlds themselves are tested elsewhere (tests/test_assignment.py): here ``world_for``
hands every learner one small world, made once, and records who asked, so the test can
require that no world is ever made for a name that is not on the roster.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import genshare.assignment as assignment
from genshare.assignment import main as assignment_main
from genshare.assignment import read_roster
from genshare.exercises import encode_answer, expected_answers
from genshare.marking import mark_folder, match_roster, find_submissions

ROSTER = [
    "Ana María", "ana maria", "Bob", "Chen Wei", "Dée Dée", "Eve", "François", "Gül", "hana", "Ίων",
    "Jo", "Kofi", "Lena", "Mateo", "Nguyễn Văn An", "Olu", "Priya", "Quinn", "Rafael", "Søren",
    "Tomás", "Uma", "Vik", "Wen", "Xiu", "Yara", "Zoë", "Åsa", "Émile", "Ines",
]
#: The answers every learner hands in (cheap to check; they read the committed world).
EXERCISES = ("05.1", "09.1", "01.2")


@pytest.fixture(scope="module")
def shared_world(tmp_path_factory) -> Path:
    from tests.test_exercises import SMALL

    return assignment.world_for("roster-test", "everyone", cache=tmp_path_factory.mktemp("worlds"), **SMALL)


@pytest.fixture()
def worlds(monkeypatch, shared_world):
    """Every learner gets the same small world; the names asked for are recorded."""
    asked: list[str] = []

    def world_for(course, learner, **kwargs):
        asked.append(assignment.normalise(learner))
        if assignment.normalise(learner) == "xiu":
            raise OSError("disk full while writing the world")  # one world that cannot be built
        return shared_world

    monkeypatch.setattr(assignment, "world_for", world_for)
    return asked


@pytest.fixture(scope="module")
def right_answers(shared_world):
    answers = expected_answers(folder=shared_world)
    return {k: encode_answer(answers[k]) for k in EXERCISES}


def _roster_file(tmp_path: Path, names=ROSTER) -> Path:
    path = tmp_path / "learners.txt"
    path.write_text("# workshop 2027-03\n" + "\n".join(f"  {name}  " for name in names) + "\n", encoding="utf-8")
    return path


def test_a_roster_naming_one_learner_twice_is_refused_with_both_lines(tmp_path):
    path = _roster_file(tmp_path, ROSTER + ["  ANA   MARÍA "])
    with pytest.raises(ValueError, match=r"line 32: .* same learner as line 2"):
        read_roster(path)


def test_answer_keys_for_the_whole_roster_never_stop_at_one_learner(tmp_path, worlds, capsys):
    out = tmp_path / "keys"
    status = assignment_main(["answer-key", "--course", "ws-2027-03", "--roster", str(_roster_file(tmp_path)), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 1, "a learner without a key must make the exit status non-zero"
    assert "Xiu: no key (OSError: disk full while writing the world)" in err
    keys = sorted(out.glob("*.json"))
    assert len(keys) == 29, [k.name for k in keys]  # every other learner's key is written
    ana_keys = [json.loads(k.read_text(encoding="utf-8")) for k in keys if k.name.startswith("ana-maria")]
    assert sorted(k["learner"] for k in ana_keys) == ["ana maria", "ana maría"], "two people, two keys"
    assert all(k["answers"] and not k["failures"] for k in ana_keys)


def test_marking_a_class_reports_every_learner_and_every_entry(tmp_path, worlds, right_answers):
    subs = tmp_path / "submissions"
    subs.mkdir()
    for name in ROSTER:
        if name in ("Eve", "Chen Wei", "Ana María", "ana maria"):
            continue  # Eve is missing; the others are written below
        (subs / f"{name}.json").write_text(json.dumps({"answers": right_answers}), encoding="utf-8")
    (subs / "chen-wei.json").write_text(json.dumps({"answers": right_answers}), encoding="utf-8")  # renamed
    (subs / "ana-maria.json").write_text(json.dumps({"answers": right_answers}), encoding="utf-8")  # which Ana?
    (subs / "Ana María.json").write_text(json.dumps({"answers": {"05.1": [0, 0]}}), encoding="utf-8")
    (subs / "zed.json").write_text(json.dumps({"answers": right_answers}), encoding="utf-8")  # not on the roster
    rows = mark_folder(subs, "ws-2027-03", tmp_path / "scores.csv", roster=read_roster(_roster_file(tmp_path)))
    by = {row["learner"]: row for row in rows}
    assert set(by) == {assignment.normalise(n) for n in ROSTER} | {"zed", "ana-maria"}
    assert by["eve"]["status"] == "no submission"
    assert by["zed"]["status"] == "not on roster"
    assert by["ana-maria"]["status"] == "ambiguous" and "Ana María" in by["ana-maria"]["notes"]
    assert by["ana maria"]["status"] == "no submission"
    assert by["ana maría"]["status"] == "ok" and by["ana maría"]["total"] == 0 and by["ana maría"]["05.1"] == 0
    assert by["chen wei"]["status"] == "ok" and by["chen wei"]["total"] == len(EXERCISES)
    assert "folder-name form" in by["chen wei"]["notes"]
    assert by["xiu"]["status"] == "error" and "disk full" in by["xiu"]["notes"]
    marked = [n for n in by if by[n]["status"] == "ok" and n not in ("ana maría",)]
    assert len(marked) == 26 and all(by[n]["total"] == len(EXERCISES) for n in marked)
    assert "zed" not in worlds and "ana-maria" not in worlds and "eve" not in worlds, worlds
    with (tmp_path / "scores.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == len(rows)


def test_match_roster_is_by_normalised_name_first():
    subs = find_submissions(Path(__file__).parent)  # any folder: entries become non-roster rows
    matched = match_roster(subs[:0], ["Ana María"])
    assert [(s.learner, s.status) for s in matched] == [("ana maría", "no submission")]


def test_a_learners_world_says_whose_it_is(shared_world, monkeypatch, capsys):
    from genshare.assignment import use_world, world_label

    assert world_label(shared_world).startswith("everyone's own world in course roster-test (seed ")
    monkeypatch.setattr(assignment, "world_for", lambda course, learner, **kwargs: shared_world)
    monkeypatch.delenv("GENSHARE_WORLD", raising=False)
    monkeypatch.delenv("GENSHARE_LEARNER", raising=False)
    label = use_world("roster-test", "everyone")
    assert label == world_label(shared_world) and "World: everyone's own world" in capsys.readouterr().out
    with pytest.raises(ValueError, match="LEARNER"):
        use_world("roster-test", "")
