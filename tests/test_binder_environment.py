"""The lean run environment (binder/requirements.txt) alone runs the lessons, as on Binder.

Creates an empty virtual environment, installs binder/requirements.txt into it from a copy
of the checkout (the only network use the tests make, as for any install of the pinned
requirements), then, as repo2docker would: imports every module that the package and the
notebooks import, runs binder/postBuild (the setup check) and checks
that no book-build or test package came in. A dependency that the developer's machine
happened to have, but the run environment lacks, fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv

import pytest

from genshare.paths import PROJECT_ROOT
from tests.test_packaging import copy_source_tree
from tests.test_requirements import BUILD_AND_TEST_ONLY, OPTIONAL, RUN_REQUIREMENTS, imported_modules, notebook_code

pytestmark = pytest.mark.slow


def lesson_imports() -> set[str]:
    modules: set[str] = set()
    for path in PROJECT_ROOT.joinpath("genshare").rglob("*.py"):
        modules |= imported_modules(path.read_text())
    for path in PROJECT_ROOT.joinpath("notebooks").glob("*.ipynb"):
        modules |= imported_modules(notebook_code(path))
    return {m for m in modules if m not in sys.stdlib_module_names and m not in {"__future__", "tests", *OPTIONAL}}


def test_run_environment_installs_into_an_empty_environment_and_runs_the_lessons(tmp_path):
    source = copy_source_tree(tmp_path / "repo")
    env = tmp_path / "binder-env"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    clean = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "GENSHARE_WORLD"}}
    clean["PATH"] = f"{env / 'bin'}{os.pathsep}{clean.get('PATH', '')}"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", RUN_REQUIREMENTS],
        cwd=source, env=clean, capture_output=True, text=True,
    )
    assert install.returncode == 0, f"pip install -r {RUN_REQUIREMENTS} failed:\n{install.stderr[-3000:]}"

    modules = sorted(lesson_imports() | {"genshare.cohort", "genshare.attacks", "genshare.deidentify", "genshare.access", "genshare.check"})
    check = subprocess.run(
        [str(python), "-c", "import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)", *modules],
        cwd=source / "notebooks", env=clean, capture_output=True, text=True,
    )
    assert check.returncode == 0, f"import failed in a fresh environment:\n{check.stderr[-3000:]}"

    installed = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze"], env=clean, capture_output=True, text=True).stdout
    names = {line.split("==")[0].lower().replace("_", "-") for line in installed.splitlines()}
    assert not names & BUILD_AND_TEST_ONLY, f"book/test packages in the run environment: {names & BUILD_AND_TEST_ONLY}"
    assert {"jupyterlab", "jupyterlab-myst", "genshare"} <= names

    # jupyterlab-myst must be enabled *and* compatible with this JupyterLab, or the lessons'
    # admonitions show as raw MyST.
    extensions = subprocess.run([str(env / "bin" / "jupyter"), "labextension", "list"], env=clean, capture_output=True, text=True)
    listing = re.sub(r"\x1b\[[0-9;]*m", "", extensions.stdout + extensions.stderr)
    assert re.search(r"jupyterlab-myst v\S+ enabled\s+OK", listing), listing
    assert "not compatible" not in listing, listing

    post_build = subprocess.run(["bash", "binder/postBuild"], cwd=source, env=clean, capture_output=True, text=True)
    assert post_build.returncode == 0, post_build.stdout[-2000:] + post_build.stderr[-2000:]
    assert post_build.stdout.strip().splitlines()[-1].startswith("Ready:"), post_build.stdout
    # Binder opens the committed learner edition (urlpath=lab/tree/learner): one per lesson.
    assert sorted(p.name for p in (source / "learner").glob("*.ipynb")) == sorted(p.name for p in PROJECT_ROOT.joinpath("notebooks").glob("*.ipynb"))
