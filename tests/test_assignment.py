"""A world of one's own: seeds from course and learner, cached worlds,
answer keys, and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genshare.assignment import answer_key, learner_seed, main, normalise, read_roster, world_for
from genshare.cohort import load_world
from genshare.paths import PROJECT_ROOT

SMALL = dict(n_participants=60, n_snps=400, n_reference=20, n_database=40, n_relatives=8, population_size=2000)


def test_normalisation_of_names():
    assert normalise("  Ana   María ") == "ana maría"
    assert normalise("Ana Mari\u0301a") == normalise("ANA MARÍA")  # decomposed accent
    assert normalise("ａｎａ") == "ana"  # full-width letters
    assert normalise("Straße") == normalise("STRASSE")
    for bad in ("", "   ", None, 3, "a\x00b"):
        with pytest.raises(ValueError, match="learner"):
            normalise(bad)


def test_seed_is_known_and_stable():
    # the rule: first four bytes of SHA-256("genshare-world\0course\0learner"), big-endian
    import hashlib

    digest = hashlib.sha256(b"genshare-world\x00ws-2027-03\x00ana").digest()
    assert learner_seed("ws-2027-03", "ana") == int.from_bytes(digest[:4], "big")
    assert learner_seed("WS-2027-03 ", "Ana") == learner_seed("ws-2027-03", "ana")
    assert learner_seed("ws-2027-03", "ana") != learner_seed("ws-2027-04", "ana")


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=30).filter(lambda t: t.strip() and not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in t)))
def test_seed_in_range_and_same_for_any_spelling(name):
    try:
        seed = learner_seed("course", name)
    except ValueError:
        return  # only whitespace once normalised, or control characters: refused clearly
    assert 0 <= seed < 2**32
    assert learner_seed("course", "  " + name.upper() + " ") == learner_seed("course", name.upper())


def test_world_is_cached_and_reused(tmp_path):
    first = world_for("c", "ana", cache=tmp_path, **SMALL)
    world = load_world(first)
    assert world.seed == learner_seed("c", "ana")
    stamp = (first / "MANIFEST.sha256").stat().st_mtime_ns
    again = world_for("c", " ANA ", cache=tmp_path, **SMALL)
    assert again == first and (first / "MANIFEST.sha256").stat().st_mtime_ns == stamp
    other = world_for("c", "ben", cache=tmp_path, **SMALL)
    assert other != first and load_world(other).seed != world.seed


def test_a_damaged_cached_world_is_made_again(tmp_path):
    folder = world_for("c", "ana", cache=tmp_path, **SMALL)
    with (folder / "cohort.csv").open("a") as handle:
        handle.write("tampered\n")
    again = world_for("c", "ana", cache=tmp_path, **SMALL)
    assert load_world(again).seed == learner_seed("c", "ana")


def test_answer_key_lists_every_checked_exercise(tmp_path):
    from genshare.exercises import exercises

    key = answer_key("c", "Ana", cache=tmp_path / "w", out=tmp_path / "keys", **SMALL)
    from genshare.assignment import learner_stem

    written = json.loads((tmp_path / "keys" / f"{learner_stem('c', 'Ana')}.json").read_text())
    assert written == json.loads(json.dumps(key))
    assert set(written["answers"]) == {e.id for e in exercises()}
    assert written["seed"] == learner_seed("c", "ana")


def test_roster_refuses_the_same_learner_twice(tmp_path):
    roster = tmp_path / "learners.txt"
    roster.write_text("ana\n# a comment\n\nben\n ANA \n")
    with pytest.raises(ValueError, match="line 5.*line 1"):
        read_roster(roster)
    roster.write_text("ana\nben  # late\n")
    assert read_roster(roster) == ["ana", "ben"]


def test_command_line_prints_the_world_and_an_export_line(tmp_path, capsys, monkeypatch):
    from genshare import assignment

    monkeypatch.setattr(assignment, "world_for", lambda course, learner, cache=None: tmp_path / f"{course}-{learner}")
    assert main(["world", "--course", "c", "--learner", "ana"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "c-ana")
    assert main(["world", "--course", "c", "--learner", "ana b", "--export"]) == 0
    assert capsys.readouterr().out.strip() == f"export GENSHARE_WORLD='{tmp_path / 'c-ana b'}'"


def test_notebooks_follow_the_exported_world(tmp_path):
    folder = world_for("c", "ana", cache=tmp_path, **SMALL)
    env = {**os.environ, "GENSHARE_WORLD": str(folder), "PYTHONPATH": str(PROJECT_ROOT)}
    out = subprocess.run([sys.executable, "-c", "from genshare.cohort import load_world; print(load_world().seed)"],
                         env=env, capture_output=True, text=True, check=True)
    assert int(out.stdout) == learner_seed("c", "ana")
