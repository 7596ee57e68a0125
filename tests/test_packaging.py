"""The package installs as a package: a built wheel holds every subpackage and the lessons' data.

``pip install git+https://...`` (the Colab route) and ``pip install .`` build a wheel from
the source tree, exactly as the slow test below does from a copy of the tracked files; the
wheel is then installed into a fresh virtual environment outside the checkout, where
``load_catalogue()`` and ``load_world()`` must find their data through
``importlib.resources``.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path


from genshare.paths import PROJECT_ROOT, data_dir, in_checkout, world_dir

SKIP_DIRS = {".git", ".venv", "_build", "student", "build", ".pytest_cache", "__pycache__", ".jupyter_cache", "node_modules", ".ipynb_checkpoints"}


def setup_config() -> dict:
    """The keyword arguments setup.py passes to setuptools (read without running a build)."""
    import setuptools

    captured: dict = {}
    original = setuptools.setup
    setuptools.setup = lambda **kwargs: captured.update(kwargs)
    try:
        code = compile(PROJECT_ROOT.joinpath("setup.py").read_text(), "setup.py", "exec")
        cwd = os.getcwd()
        os.chdir(PROJECT_ROOT)
        try:
            exec(code, {"__name__": "__main__"})
        finally:
            os.chdir(cwd)
    finally:
        setuptools.setup = original
    return captured


def test_every_subpackage_is_in_the_distribution():
    packages = set(setup_config()["packages"])
    on_disk = {".".join(p.parent.relative_to(PROJECT_ROOT).parts) for p in PROJECT_ROOT.joinpath("genshare").rglob("__init__.py")}
    assert on_disk <= packages, f"missing from the distribution: {sorted(on_disk - packages)}"
    assert {"genshare.data", "genshare.data.synthetic"} <= packages


def test_every_data_file_is_matched_by_package_data():
    config = setup_config()
    missing = []
    for package, folder in config["package_dir"].items():
        patterns = config["package_data"][package]
        for path in PROJECT_ROOT.joinpath(folder).iterdir():
            if path.is_file() and not any(fnmatch.fnmatch(path.name, p) for p in patterns):
                missing.append(str(path.relative_to(PROJECT_ROOT)))
    assert not missing, f"data files not shipped in the wheel: {missing}"


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


def test_wheel_installs_and_loads_its_data_outside_the_checkout(tmp_path):
    source = copy_source_tree(tmp_path / "source")
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check", "-w", str(wheels), str(source)],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = wheels.glob("genshare-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("genshare/cohort/__init__.py", "genshare/attacks/__init__.py", "genshare/deidentify/__init__.py",
                     "genshare/data/repositories.csv", "genshare/data/duo_terms.csv", "genshare/data/data_use.csv",
                     "genshare/data/datapackage.json", "genshare/data/synthetic/genotypes.npz",
                     "genshare/data/synthetic/MANIFEST.sha256"):
        assert expected in names, f"{expected} missing from {wheel.name}"

    # A fresh environment outside the checkout. Its dependencies (numpy, pandas, msprime, ...)
    # are borrowed read-only from this interpreter's site-packages through a .pth line, so the
    # test needs no download; genshare itself comes only from the wheel (checked below).
    env = tmp_path / "env"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", "--disable-pip-version-check", str(wheel)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "GENSHARE_WORLD"}}
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
