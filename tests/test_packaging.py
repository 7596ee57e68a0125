"""The package installs as a package: a built wheel holds every subpackage and the lessons' data.

``pip install git+https://...`` (the Colab route) and ``pip install .`` build a wheel from
the source tree, exactly as the slow test below does from a copy of the tracked files; the
wheel is then installed into a fresh virtual environment outside the checkout, where
``load_catalogue()`` and ``load_world()`` must find their data through
``importlib.resources``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest


from genshare.paths import PROJECT_ROOT, data_dir, in_checkout, world_dir

SKIP_DIRS = {".git", ".venv", "_build", "student", "build", ".pytest_cache", "__pycache__", ".jupyter_cache", "node_modules", ".ipynb_checkpoints",
             ".hypothesis", ".cache", ".venv-lab", "answer-key"}


def test_source_tree_finds_the_checkout_data():
    assert in_checkout()
    assert data_dir() == PROJECT_ROOT / "data"
    assert world_dir() == PROJECT_ROOT / "data" / "synthetic" or os.environ.get("GENSHARE_WORLD")


def copy_source_tree(target: Path) -> Path:
    """Copy the checkout (without caches, builds, environments) as a clone would have it."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIP_DIRS or n.endswith(".egg-info")}

    shutil.copytree(PROJECT_ROOT, target, ignore=ignore)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built (as ``pip install .`` or ``pip install git+...`` builds it) from a copy of the checkout."""
    scratch = tmp_path_factory.mktemp("wheel")
    source = copy_source_tree(scratch / "source")
    wheels = scratch / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check", "-w", str(wheels), str(source)],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (built,) = wheels.glob("genshare-*.whl")
    return built


def test_wheel_holds_every_subpackage(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in PROJECT_ROOT.joinpath("genshare").rglob("*.py"):
        if "__pycache__" not in init.parts:
            assert init.relative_to(PROJECT_ROOT).as_posix() in names, f"{init.relative_to(PROJECT_ROOT)} missing from {wheel.name}"


def test_wheel_holds_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    data = PROJECT_ROOT / "data"
    for folder in (data, data / "synthetic"):
        for path in folder.iterdir():
            if path.is_file():
                inside = "genshare/data/" + path.relative_to(data).as_posix()
                assert inside in names, f"{path.relative_to(PROJECT_ROOT)} is not shipped in the wheel (add it to package_data in setup.py)"


def test_wheel_installs_and_loads_its_data_outside_the_checkout(wheel, tmp_path):
    # A fresh environment outside the checkout. Its dependencies (numpy, pandas, msprime, ...)
    # are borrowed read-only from this interpreter's site-packages through a .pth line, so the
    # test needs no download; genshare itself comes only from the wheel (checked below).
    env = tmp_path / "env"
    venv.create(env, with_pip=True)
    # Nothing from the checkout may leak in (PYTHONPATH could show pip a genshare.egg-info there).
    clean = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "GENSHARE_WORLD"}}
    python = env / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True, env=clean).stdout.strip())
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", "--disable-pip-version-check", str(wheel)],
                             capture_output=True, text=True, env=clean, cwd=tmp_path)
    assert install.returncode == 0, install.stderr[-3000:]
    # After the install, so that pip does not see this interpreter's own genshare as installed.
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = (
        "import genshare, genshare.paths as p\n"
        "from genshare.catalogue import load_catalogue, load_data_use\n"
        "from genshare.access import duo_terms\n"
        "from genshare.cohort import load_world\n"
        "print(genshare.__file__)\n"
        "print(p.data_dir())\n"
        "print(len(load_catalogue()), len(load_data_use()), len(duo_terms()))\n"
        "print(load_world().seed)\n"
    )
    run = subprocess.run([str(python), "-c", script], cwd=elsewhere, env=clean, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    module_file, data, counts, seed = run.stdout.strip().splitlines()[-4:]
    assert module_file.startswith(str(site)), module_file
    assert data == str(site / "genshare" / "data")
    assert all(int(n) > 0 for n in counts.split())
    assert seed == "2026"
