"""Every notebook runs on another synthetic world, and its glued numbers follow that world.

The lessons read their world from one place (``genshare.paths.world_dir``, overridden by
``$GENSHARE_WORLD``). This test writes a second world with another seed
(``python -m genshare.cohort --seed 7``), executes every notebook against it in a
temporary copy, and checks that

- every notebook runs without error (the learner edition, with the solutions put in its
  answer cells: one run checks both what learners run and every value the book glues);
- every ``{glue:...}`` role in a notebook's markdown names a value that the notebook glues
  on the new world too (the book would otherwise warn or show a stale value);
- the glued values of notebooks that read the world follow it: for each such notebook some
  glued values differ from the committed run on the default world, and across the book a
  reasonable share do. (The committed outputs are the default-world run: ``pytest
  --nbval`` checks that they are current.)

That no number about a result is typed into the prose is checked by
``tests/test_notebook_numbers.py``. The world takes a minute or two to write and each
notebook a few seconds to run, so the whole module is marked ``slow`` (``make unit``
skips it; ``make test`` runs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from genshare.glue import notebook_values as glued_values
from tests.notebook_runs import execute_in_place

pytest.importorskip("nbclient")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
OTHER_SEED = 7
#: Across the notebooks that read the world, at least this share of glued values changes.
MIN_CHANGED_SHARE = 0.3

_GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`(?:[^`:]*::)?([A-Za-z_]\w*)[^`]*`")




def glue_roles(notebook: dict) -> set[str]:
    """Names used by ``{glue...}`` roles in the notebook's markdown."""
    text = "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    return set(_GLUE_ROLE.findall(text))


def reads_world(notebook: dict) -> bool:
    return any("load_world(" in "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")


def test_glue_role_names_are_found():
    notebook = {"cells": [{"cell_type": "markdown", "source": "{glue:text}`a:.1%`, {glue}`b` and {glue:md}`other.ipynb::c`"}]}
    assert glue_roles(notebook) == {"a", "b", "c"}


@pytest.fixture(scope="session")
def other_world(tmp_path_factory) -> Path:
    """A synthetic world written with another seed (a minute or two of computing time)."""
    out = tmp_path_factory.mktemp("world") / f"seed-{OTHER_SEED}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    subprocess.run(
        [sys.executable, "-m", "genshare.cohort", "--seed", str(OTHER_SEED), "--out", str(out), "--no-vcf"],
        check=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=1200,
    )
    return out


@pytest.fixture(scope="session")
def run_on_other_world(other_world, tmp_path_factory):
    """Execute every lesson on the other world, once: the learner edition (what learners run),
    with each answer cell holding the full edition's solution, so that every value the book
    glues, the solutions' included, is computed (``$GENSHARE_WORLD`` at the other world).

    The notebooks run in parallel (``tests/notebook_runs.py``); the returned function
    gives one executed notebook or fails with the error its run printed.
    """
    import nbformat

    from tests.test_learner_edition import _with_answers

    workdir = tmp_path_factory.mktemp("notebooks")
    copies = []
    for path in NOTEBOOKS:
        learner = nbformat.read(ROOT / "learner" / path.name, as_version=4)
        nbformat.write(_with_answers(learner, nbformat.read(path, as_version=4)), workdir / path.name)
        copies.append(workdir / path.name)
    results = execute_in_place(copies, env={"GENSHARE_WORLD": str(other_world)})

    def run(name: str) -> dict:
        returncode, stderr = results[name]
        if returncode:
            pytest.fail(f"{name} fails on the world of seed {OTHER_SEED}:\n{stderr[-3000:]}", pytrace=False)
        return json.loads((workdir / name).read_text(encoding="utf-8"))

    return run


def _committed(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_runs_and_glues_every_role(path, run_on_other_world):
    executed = run_on_other_world(path.name)  # fails with the error if a cell raises
    missing = glue_roles(executed) - set(glued_values(executed))
    assert not missing, f"{path.name}: prose uses glued names the notebook does not glue on another world: {sorted(missing)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_glued_values_follow_the_world(path, run_on_other_world):
    committed = _committed(path)
    if not reads_world(committed):
        pytest.skip(f"{path.name} does not read the synthetic world")
    before, after = glued_values(committed), glued_values(run_on_other_world(path.name))
    assert before, f"{path.name} reads the world but glues no value into its prose"
    assert set(before) == set(after), (
        f"{path.name}: glued names differ between worlds: only on the default world {sorted(set(before) - set(after))}, "
        f"only on the other world {sorted(set(after) - set(before))}"
    )
    changed = [name for name in before if before[name] != after[name]]
    assert changed, f"{path.name}: no glued value changed with the world; are they typed in rather than computed?"


def test_a_reasonable_share_of_glued_values_follow_the_world(run_on_other_world):
    converted = [p for p in NOTEBOOKS if reads_world(_committed(p))]
    same, changed = [], []
    for path in converted:
        before, after = glued_values(_committed(path)), glued_values(run_on_other_world(path.name))
        for name in before:
            (changed if before[name] != after.get(name) else same).append(f"{path.stem}:{name}")
    assert changed, "no glued value follows the world"
    share = len(changed) / (len(changed) + len(same))
    assert share >= MIN_CHANGED_SHARE, (
        f"only {share:.0%} of glued values changed with the world (at least {MIN_CHANGED_SHARE:.0%} expected); "
        f"unchanged: {same}"
    )


# --- The learner edition on the same world ----------------------------------------------

LEARNER_NOTEBOOKS = sorted((ROOT / "learner").glob("*.ipynb"))


def _say_outputs(notebook: dict) -> list[tuple[str, str]]:
    """(template, displayed Markdown) of every computed sentence of an executed learner notebook."""
    out = []
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("genshare", {}).get("kind") != "computed-text":
            continue
        source = "".join(cell["source"])
        template = eval(source[source.index("say(") + 4: source.rindex(")")])  # noqa: S307 - a literal the generator wrote
        shown = "".join("".join(o.get("data", {}).get("text/markdown", "")) for o in cell.get("outputs", []))
        out.append((template, shown))
    return out


@pytest.mark.parametrize("path", LEARNER_NOTEBOOKS, ids=[p.stem for p in LEARNER_NOTEBOOKS])
def test_learner_edition_says_what_the_book_would_say_on_that_world(path, run_on_other_world):
    """On the same world, the learner's computed sentences are the ones the book would show
    (the book's rule applied to the values computed there), and they are that world's
    numbers, not the committed (default-world) ones."""
    from genshare.glue import render

    learner = run_on_other_world(path.name)
    setup = next(c for c in learner["cells"] if c["cell_type"] == "code")
    assert f"seed {OTHER_SEED}" in "".join("".join(o.get("text", "")) for o in setup.get("outputs", []))
    book_there = glued_values(learner)
    book_here = glued_values(_committed(ROOT / "notebooks" / path.name))
    sentences = _say_outputs(learner)
    for template, shown in sentences:
        assert shown == render(template, book_there), (path.name, shown[:200])
    if sentences and reads_world(_committed(ROOT / "notebooks" / path.name)):
        assert any(render(t, book_here) != shown for t, shown in sentences), \
            f"{path.name}: every computed sentence reads as on the default world"


_NOT_A_NUMBER = {"nan", "inf", "-inf", "None", "NaN", "np.float64(nan)", "NaT", "<NA>"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_glued_value_is_nan_inf_or_none(path, run_on_other_world):
    """A sentence never states "nan", "inf" or "None": on the default world or on another."""
    for world, values in (("the default world", glued_values(_committed(path))),
                          (f"seed {OTHER_SEED}", glued_values(run_on_other_world(path.name)))):
        bad = {name: value for name, value in values.items() if str(value).strip("'\"") in _NOT_A_NUMBER}
        assert not bad, f"{path.name} on {world}: {bad}"
