"""Marking a folder of submissions, each on its own learner's world (issue 16, item 5).

A correct, a wrong and a malformed answer file, a correct notebook, and hostile notebooks
(reading the answer key, writing outside the scratch folder, looping forever, opening a
socket) get the right scores, each within the per-submission time limit.
"""

from __future__ import annotations

import csv
import json
import time

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from genshare.assignment import answer_key, world_for
from genshare.cohort import load_world
from genshare.exercises import context_for, encode_answer, expected_answers, get_exercise
from genshare.marking import MarkingLimits, find_submissions, mark_folder, read_answer_file, run_notebook

SMALL = dict(n_participants=300, n_snps=1500, n_reference=60, n_database=150, n_relatives=30, population_size=8000)
COURSE = "marking-test"
LIMITS = MarkingLimits(timeout=15, cpu_seconds=15)


def _notebook(path, *sources):
    nbformat.write(new_notebook(cells=[new_code_cell(s) for s in sources]), path)


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    root = tmp_path_factory.mktemp("marking")
    cache, subs, keys = root / "worlds", root / "submissions", root / "keys"
    subs.mkdir()
    learners = ["correct", "wrong", "malformed", "nbcorrect", "reads-key", "writes-outside", "loops", "socket"]
    for learner in learners:  # the instructor made the worlds when handing out
        world_for(COURSE, learner, cache=cache, **SMALL)
    # the instructor's answer keys exist on disk, where a submission should not read them
    key = answer_key(COURSE, "reads-key", cache=cache, out=keys, **SMALL)
    right = expected_answers(folder=world_for(COURSE, "correct", cache=cache, **SMALL))
    (subs / "correct.json").write_text(json.dumps({"learner": "correct", "answers": {k: encode_answer(v) for k, v in right.items()}}))
    wrong_ctx = context_for(load_world(world_for(COURSE, "wrong", cache=cache, **SMALL)))
    wrong = {"05.1": get_exercise("05.1").misconceptions[0].answer(wrong_ctx), "01.2": 0.6875, "03.1": 41}
    (subs / "wrong.json").write_text(json.dumps({"answers": {k: encode_answer(v) for k, v in wrong.items()}}))
    (subs / "malformed.json").write_text('{"answers": {"01.2": 0.85,')  # cut off
    _notebook(subs / "nbcorrect.ipynb",
              "from genshare.exercises import check\nfrom genshare.cohort import load_world\nworld = load_world()",
              "share = 11 / 13\ncheck('01.2', variable='share')",
              "first = world.people.set_index('person_id').loc[world.cohort['person_id'].iloc[0]]\n"
              "roll = world.voter_roll\n"
              "n = int(((roll['zip5'] == first['zip5']) & (roll['date_of_birth'] == first['date_of_birth']) & (roll['sex'] == first['sex'])).sum())\n"
              "check('02.3', n)")
    key_file = keys / "reads-key.json"
    _notebook(subs / "reads-key.ipynb",
              "import json\nfrom genshare.exercises import check\n"
              f"key = json.load(open({str(key_file)!r}))\n"
              "check('05.1', key['answers']['05.1']['answer'])",
              "check('01.2', 0.5)")
    target = root / "outside.txt"
    _notebook(subs / "writes-outside.ipynb",
              f"open({str(target)!r}, 'w').write('written by a submission')",
              f"import os\nos.remove({str(key_file)!r})",
              "from genshare.exercises import check\ncheck('01.2', 11 / 13)")
    _notebook(subs / "loops.ipynb",
              "from genshare.exercises import check\ncheck('01.2', 11 / 13)",
              "while True:\n    pass",
              "check('01.3', ['UK Biobank', 'European Genome-phenome Archive (EGA)'])")
    _notebook(subs / "socket.ipynb",
              "import socket\ns = socket.create_connection(('127.0.0.1', 9), timeout=2)",
              "import urllib.request\nurllib.request.urlopen('http://example.org', timeout=3)",
              "from genshare.exercises import check\ncheck('01.2', 11 / 13)")
    start = time.perf_counter()
    out = root / "scores.csv"
    rows = mark_folder(subs, COURSE, out, cache=cache, feedback=root / "feedback", limits=LIMITS, world_params=SMALL)
    elapsed = time.perf_counter() - start
    with out.open() as handle:
        sheet = {r["learner"]: r for r in csv.DictReader(handle)}
    return {"rows": {r["learner"]: r for r in rows}, "sheet": sheet, "elapsed": elapsed, "root": root,
            "target": target, "key_file": key_file, "key": key}


def test_correct_answer_file_scores_everything(marked):
    row = marked["sheet"]["correct"]
    answered = [k for k in row if "." in k and row[k] != ""]
    assert len(answered) >= 16 and all(row[k] == "1" for k in answered), row
    assert row["status"] == "ok"


def test_wrong_answer_file_scores_zero_with_hints(marked):
    row = marked["rows"]["wrong"]
    assert row["05.1"] == 0 and row["01.2"] == 0 and row["03.1"] == 0 and row["total"] == 0
    assert get_exercise("05.1").misconceptions[0].hint in row["feedback"]["05.1"]
    assert row["02.1"] == ""  # not answered


def test_malformed_answer_file_is_reported_not_crashing(marked):
    row = marked["rows"]["malformed"]
    assert row["status"] == "malformed" and row["total"] == 0 and "not valid JSON" in row["notes"]


def test_correct_notebook_is_executed_on_its_learners_world(marked):
    row = marked["rows"]["nbcorrect"]
    assert row["01.2"] == 1 and row["02.3"] == 1 and row["status"] == "ok", row


def test_reading_the_answer_key_is_refused(marked):
    row = marked["rows"]["reads-key"]
    assert row["05.1"] == "" and row["01.2"] == 0
    assert marked["key_file"].is_file()


def test_writing_outside_the_scratch_folder_is_refused(marked):
    assert not marked["target"].exists()
    assert marked["key_file"].is_file()
    assert marked["rows"]["writes-outside"]["01.2"] == 1


def test_an_endless_loop_is_stopped_and_earlier_answers_count(marked):
    row = marked["rows"]["loops"]
    assert row["status"] == "timeout" and row["01.2"] == 1 and row["01.3"] == ""
    assert row["seconds"] <= LIMITS.timeout + 10


def test_sockets_are_refused(marked):
    row = marked["rows"]["socket"]
    assert row["01.2"] == 1 and row["status"] == "ok"


def test_feedback_files_hold_the_hints(marked):
    text = (marked["root"] / "feedback" / "wrong.txt").read_text()
    assert "not yet" in text and "Hint" in text


def test_a_socket_really_fails_inside_the_sandbox(tmp_path, marked):
    path = tmp_path / "probe.ipynb"
    _notebook(path,
              "from genshare.exercises import check\nimport socket\n"
              "try:\n    socket.socket()\n    check('01.2', 'socket allowed')\n"
              "except PermissionError:\n    check('01.2', 'socket refused')")
    world = world_for(COURSE, "socket", cache=marked["root"] / "worlds", **SMALL)
    result = run_notebook(path, world, LIMITS)
    assert result.answers == {"01.2": "socket refused"}, result.log


def test_answer_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text(json.dumps({"answers": [1, 2]}))
    with pytest.raises(ValueError, match="x.json"):
        read_answer_file(bad)


def test_two_entries_for_one_learner_are_refused(tmp_path):
    (tmp_path / "Ana.json").write_text("{}")
    (tmp_path / "ana.ipynb").write_text("{}")
    with pytest.raises(ValueError, match="same learner"):
        find_submissions(tmp_path)
