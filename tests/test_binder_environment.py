"""requirements.txt alone is enough to run the lessons, as on Binder (repo2docker).

Creates an empty virtual environment, installs requirements.txt into it (the only network
use the tests make, as for any install of the pinned requirements), and imports every
module that the package and the notebooks import. A dependency that the developer's
machine happened to have, but requirements.txt lacks, fails here.
"""

from __future__ import annotations

import subprocess
import sys
import venv

import nbformat
import pytest

from genshare.paths import PROJECT_ROOT
from tests.test_requirements import OPTIONAL, imported_modules

pytestmark = pytest.mark.slow


def lesson_imports() -> set[str]:
    modules: set[str] = set()
    for path in PROJECT_ROOT.joinpath("genshare").rglob("*.py"):
        modules |= imported_modules(path.read_text())
    for path in PROJECT_ROOT.joinpath("notebooks").glob("*.ipynb"):
        code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        modules |= imported_modules("\n".join(l for l in code.splitlines() if not l.lstrip().startswith(("%", "!"))))
    return {m for m in modules if m not in sys.stdlib_module_names and m not in {"__future__", "tests", *OPTIONAL}}


def test_requirements_install_into_an_empty_environment_and_import(tmp_path):
    env = tmp_path / "binder-env"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", "requirements.txt"],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )
    assert install.returncode == 0, f"pip install -r requirements.txt failed:\n{install.stderr[-3000:]}"
    modules = sorted(lesson_imports() | {"genshare.cohort", "genshare.attacks", "genshare.deidentify", "genshare.access"})
    check = subprocess.run(
        [str(python), "-c", "import importlib, sys\nfor m in sys.argv[1:]: importlib.import_module(m)", *modules],
        cwd=PROJECT_ROOT / "notebooks", capture_output=True, text=True,
    )
    assert check.returncode == 0, f"import failed in a fresh environment:\n{check.stderr[-3000:]}"
