"""``python -m genshare.check``: one line when ready; each problem named, with what to do; never a traceback."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from genshare import check
from genshare.paths import PROJECT_ROOT, WORLD_ENV, world_dir


@pytest.fixture(autouse=True)
def default_world(monkeypatch):
    monkeypatch.delenv(WORLD_ENV, raising=False)


def test_ready_environment_prints_one_line_and_exits_0(capsys):
    assert check.main([]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("Ready: this environment can run every lesson"), out


def test_verbose_lists_every_check(capsys):
    assert check.main(["--verbose"]) == 0
    out = capsys.readouterr().out
    for name in ("Python", "packages", "data", "plot", "attack"):
        assert re.search(rf"^ok\s+{name}:", out, flags=re.MULTILINE), (name, out)


def test_pins_match_the_run_environment():
    pins = {}
    for line in PROJECT_ROOT.joinpath("binder", "requirements.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            pins[match.group(1).lower()] = match.group(2)
    assert pins == check.RUN_PINS


@pytest.fixture
def tampered_world(tmp_path, monkeypatch):
    world = tmp_path / "world"
    shutil.copytree(world_dir(), world)
    target = world / "cohort.csv"  # a plain-text table (people.csv is stored gzipped)
    target.write_bytes(target.read_bytes().replace(b",", b";", 1))
    monkeypatch.setenv(WORLD_ENV, str(world))
    return target


def test_tampered_world_file_is_named_with_what_to_do(tampered_world, capsys):
    assert check.main([]) == 1
    out = capsys.readouterr().out
    assert out.startswith("Not ready:")
    assert str(tampered_world) in out
    assert "What to do:" in out and WORLD_ENV in out
    assert "attack: skipped" in out  # the attack needs the world, and says so


def test_tampered_world_from_the_command_line_has_no_traceback(tampered_world):
    run = subprocess.run([sys.executable, "-m", "genshare.check"], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, cwd=tampered_world.parent)
    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr
    assert "cohort.csv" in run.stdout


def test_missing_world_folder_is_named(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(WORLD_ENV, str(tmp_path / "nowhere"))
    assert check.main([]) == 1
    assert "nowhere" in capsys.readouterr().out


def test_missing_package_is_named_and_later_checks_are_not_run(monkeypatch, capsys):
    monkeypatch.setitem(check.LESSON_PACKAGES, "no-such-lesson-package", "no_such_lesson_package")
    monkeypatch.setitem(check.RUN_PINS, "no-such-lesson-package", "1.0")
    assert check.main([]) == 1
    out = capsys.readouterr().out
    assert "no-such-lesson-package" in out and "pip install -r binder/requirements.txt" in out
    assert "data:" not in out


def test_an_unexpected_error_inside_a_check_is_reported_not_raised(monkeypatch, capsys):
    def broken():
        raise RuntimeError("the display is on fire")

    monkeypatch.setattr(check, "_plot", broken)
    assert check.main([]) == 1
    out = capsys.readouterr().out
    assert "plot: RuntimeError: the display is on fire" in out and "What to do:" in out


def test_old_python_is_a_problem(monkeypatch):
    monkeypatch.setattr(check, "MINIMUM_PYTHON", (sys.version_info.major, sys.version_info.minor + 1))
    result = check._python()
    assert not result.ok and "too old" in result.detail and "3.11" in result.advice
