"""Marking a folder of submissions, each on its own learner's world.

Answer files are marked without running any learner code; a notebook is reported, not
run, unless the instructor asks (its sandbox is tested in ``tests/test_sandbox.py``). A bad
entry costs only that entry: the marker survives malformed answers, FIFOs, names that are
not UTF-8, look-alike names, control characters and path separators, and neutralises cells
a spreadsheet would read as formulas.
"""

from __future__ import annotations

import csv
import json
import os
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genshare.assignment import world_for
from genshare.cohort import load_world
from genshare.cohort.parameters import SIZES
from genshare.exercises import context_for, encode_answer, expected_answers, get_exercise
from genshare.marking import (
    NOT_EXECUTED,
    find_submissions,
    learner_id,
    main,
    mark_folder,
    neutralise,
    read_answer_file,
)

SMALL = dict(SIZES["small"])  # genshare.cohort.parameters.SIZES
COURSE = "marking-test"


@pytest.fixture(scope="module")
def marked(tmp_path_factory):
    root = tmp_path_factory.mktemp("marking")
    cache, subs = root / "worlds", root / "submissions"
    subs.mkdir()
    right = expected_answers(folder=world_for(COURSE, "correct", cache=cache, **SMALL))
    encoded = {k: encode_answer(v) for k, v in right.items()}
    encoded["1.2"] = encoded.pop("01.2")  # read as 01.2, as get_exercise reads it
    (subs / "correct.json").write_text(json.dumps({"learner": "correct", "answers": encoded}))
    wrong_ctx = context_for(load_world(world_for(COURSE, "wrong", cache=cache, **SMALL)))
    wrong = {"05.1": get_exercise("05.1").misconceptions[0].answer(wrong_ctx), "01.2": 0.6875, "03.1": 41,
             "02.1": "Z" * 300 + "\x1b[2J\u202e", "01.1": "/etc/passwd"}
    (subs / "wrong.json").write_text(json.dumps({"answers": {k: encode_answer(v) for k, v in wrong.items()}}))
    (subs / "malformed.json").write_text('{"answers": {"01.2": 0.85,')  # cut off
    # one bad entry among good ones: a malformed encoding, an unknown id, 01.3 given twice; 01.1 is fine
    (subs / "entries.json").write_text(
        '{"answers": {"01.2": {"__float__": []}, "99.9": 1, "01.3": ["UK Biobank"], "1.3": ["UK Biobank"], "01.1": 3}}')
    os.mkfifo(subs / "fifo.json")
    (subs / os.fsdecode(b"caf\xe9.json")).write_bytes(b'{"answers": {}}')  # Latin-1, not UTF-8
    (subs / "Bo.json").write_text('{"answers": {}}')
    (subs / "bo.ipynb").write_text("{}")
    (subs / "bell\x07.json").write_text('{"answers": {}}')
    (subs / "ana\uff0f..\uff0fetc.json").write_text('{"answers": {}}')  # fullwidth solidus
    (subs / "=cmd|' \u2212c calc'!A1.json").write_text('{"answers": {}}')
    (subs / "p\u0430ul.json").write_text('{"answers": {}}')  # a Cyrillic a among Latin letters
    (subs / "notebook.ipynb").write_text("{}")
    (subs / "notes.txt").write_text("not a submission")
    out = root / "scores.csv"
    rows = mark_folder(subs, COURSE, out, cache=cache, feedback=root / "feedback", world_params=SMALL)
    with out.open(newline="", encoding="utf-8") as handle:
        sheet = list(csv.DictReader(handle))
    return {"rows": {r["learner"]: r for r in rows}, "sheet": sheet, "root": root, "out": out}


def _row(marked, learner):
    return marked["rows"][learner]


def test_correct_answer_file_scores_everything(marked):
    row = _row(marked, "correct")
    answered = [k for k in row if "." in k and not k.startswith("challenge") and row[k] != ""]
    assert len(answered) >= 16 and all(row[k] == 1 for k in answered), row
    assert row["01.2"] == 1 and row["status"] == "ok" and row["notes"] == ""


def test_wrong_answer_file_scores_zero_with_hints(marked):
    row = _row(marked, "wrong")
    assert row["05.1"] == 0 and row["01.2"] == 0 and row["03.1"] == 0 and row["total"] == 0
    assert get_exercise("05.1").misconceptions[0].hint in row["feedback"]["05.1"]
    assert row["02.3"] == ""  # not answered


def test_feedback_shows_only_a_short_clean_excerpt(marked):
    text = _row(marked, "wrong")["feedback"]["02.1"]
    assert "Z" * 50 not in text and "\x1b" not in text and "\u202e" not in text and len(text) <= 600
    assert "root:" not in _row(marked, "wrong")["feedback"]["01.1"]  # an answer naming a host file is not read


def test_malformed_answer_file_is_reported_not_crashing(marked):
    row = _row(marked, "malformed")
    assert row["status"] == "malformed" and row["total"] == 0 and "not valid JSON" in row["notes"]


def test_a_bad_entry_costs_only_that_entry(marked):
    row = _row(marked, "entries")
    assert row["01.1"] in (0, 1) and row["01.2"] == 0 and row["01.3"] == 0
    assert "01.2 could not be read" in row["notes"]
    assert "unknown exercise '99.9'" in row["notes"]
    assert "01.3 is answered 2 times" in row["notes"]


@pytest.mark.parametrize("needle", [
    "'fifo.json': a FIFO (named pipe)",
    "is not valid UTF-8",
    "'Bo.json', 'bo.ipynb' are the same learner ('bo')",
    "control character(s) U+0007",
    "path separator or '..'",
    "not a submission",
])
def test_each_bad_entry_has_a_row_saying_why(marked, needle):
    found = [r for r in marked["rows"].values() if needle in r["notes"]]
    assert len(found) == 1 and found[0]["status"] == "refused" and found[0]["total"] == 0, needle


def test_a_notebook_is_reported_not_executed(marked):
    row = _row(marked, "notebook")
    assert row["status"] == "not executed" and NOT_EXECUTED in row["notes"]


def test_look_alike_ids_are_reported(marked):
    row = _row(marked, "p\u0430ul")
    assert "mixes scripts (CYRILLIC, LATIN)" in row["notes"]


def test_every_learner_has_one_row_written_in_order(marked):
    learners = [r["learner"] for r in marked["sheet"]]
    assert len(learners) == len(marked["rows"]) == 13
    assert learners == sorted(learners, key=lambda x: x.lstrip("'"))


def test_formula_cells_are_neutralised(marked):
    cells = [value for row in marked["sheet"] for value in row.values()]
    assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in cells)
    assert any(v.startswith("'=cmd") for v in cells)


def test_feedback_files_stay_in_their_folder(marked):
    folder = marked["root"] / "feedback"
    names = sorted(p.name for p in folder.iterdir())
    assert all("/" not in n and "\\" not in n for n in names)
    assert not (marked["root"] / "etc.txt").exists()
    text = (folder / "wrong.txt").read_text()
    assert "not yet" in text and "Hint" in text


def test_answer_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text(json.dumps({"answers": [1, 2]}))
    with pytest.raises(ValueError, match="x.json"):
        read_answer_file(bad)
    bad.write_bytes(b'{"answers": {"01.2": "\xff"}}')
    with pytest.raises(ValueError, match="x.json: not UTF-8"):
        read_answer_file(bad)


def test_answer_ids_are_read_as_get_exercise_reads_them(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"answers": {"1.2": 0.85, " 3.1 ": 4, "05.01": [1]}}')
    answers, notes = read_answer_file(path)
    assert set(answers) == {"01.2", "03.1", "05.1"} and notes == []
    path.write_text('{"answers": {"01.2": 0.1, "01.2": 0.9}}')  # a repeated key, which json.loads would drop
    answers, notes = read_answer_file(path)
    assert "answered 2 times" in notes[0]


def test_folder_submissions_report_their_bad_parts(tmp_path):
    folder = tmp_path / "subs" / "ana"
    folder.mkdir(parents=True)
    (folder / "answers.json").write_text('{"answers": {}}')
    os.mkfifo(folder / "pipe.json")
    (folder / "link.ipynb").symlink_to(tmp_path)
    (subs,) = find_submissions(tmp_path / "subs")
    assert [p.name for p in subs.answer_files] == ["answers.json"] and subs.notebooks == []
    assert any("pipe.json" in n and "FIFO" in n for n in subs.notes)
    assert any("link.ipynb" in n and "symbolic link" in n for n in subs.notes)


def test_command_line_marks_answer_files(tmp_path, capsys):
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "ana.ipynb").write_text("{}")
    assert main([str(tmp_path / "subs"), "--course", "c", "--out", str(tmp_path / "s.csv")]) == 0
    assert "not executed" in capsys.readouterr().out
    assert main([str(tmp_path / "missing"), "--course", "c"]) == 2


# --- properties ------------------------------------------------------------------------------

_BAD = ("/", "\\", "..")


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=30))
def test_learner_ids_are_safe_or_refused(name):
    try:
        key, warnings = learner_id(name)
    except ValueError as error:
        assert str(error)
        return
    for form in (key, unicodedata.normalize("NFKC", key), unicodedata.normalize("NFKC", name)):
        assert not any(bad in form for bad in _BAD)
        assert not any(unicodedata.category(c) == "Cc" for c in form)
    assert key and not key.startswith(".") and len(key) <= 100
    assert learner_id(key)[0] == key  # normalising twice changes nothing
    if any(unicodedata.category(c) in ("Cf", "Zl", "Zp") for c in name):
        assert any("invisible" in w for w in warnings)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab/\\.\uff0f\uff3c\u2024\ufe52 "), min_size=1, max_size=8))
def test_separator_look_alikes_never_pass(name):
    try:
        key, _ = learner_id(name)
    except ValueError:
        return
    assert not any(bad in unicodedata.normalize("NFKC", key) for bad in _BAD)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=False)))
def test_neutralised_cells_never_start_a_formula(value):
    cell = neutralise(value)
    if not isinstance(value, str):
        assert cell == value
        return
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell == value or cell == "'" + value


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=4))
def test_neutralised_cells_survive_a_csv_round_trip(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("csv") / "s.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerow([neutralise(v) for v in values])
    with path.open(newline="", encoding="utf-8") as handle:
        back = next(csv.reader(handle), [])
    for cell in back:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_cleaning_a_hostile_answer_quoted_in_a_message_is_bounded():
    """A check's message may quote the learner's answer; an answer built to make the excerpt
    patterns backtrack (many '(' and no closing bracket) is cut before they run."""
    from genshare.marking import _clean

    hostile = "Exercise 01.2: not yet. got " + '"' + ("(" * 30 + "'") * 4000
    cleaned = _clean(hostile)
    assert len(cleaned) <= 600 and cleaned.startswith("Exercise 01.2: not yet.")
