"""Can this environment run every lesson? ``python -m genshare.check`` answers in a few seconds.

Run it the day before a workshop (in a terminal, or as ``!python -m genshare.check`` in a
notebook cell on Colab or Binder). It checks, in order:

1. the Python version (3.11 or newer);
2. the packages the lessons import, against the versions pinned in the learners' run
   environment (``binder/requirements.txt``): a missing package is a problem, a different
   version is only a note (the lessons are tested with the pinned ones);
3. the data: the repository catalogue, the DUO terms and the data-use table load and
   validate, and the synthetic world loads with every file's SHA-256 checksum intact;
4. a plot renders (matplotlib, non-interactive ``Agg`` back end);
5. a tiny re-identification attack runs on the world (a genotype fingerprint match).

When everything works it prints one line and exits 0. Otherwise it prints each problem
with what to do about it and exits 1. It never ends in a traceback: an unexpected error
inside a check is reported as that check's problem.

Examples
--------
>>> from genshare.check import run_checks
>>> all(result.ok for result in run_checks())  # doctest: +SKIP
True
"""

from __future__ import annotations

import argparse
import io
import platform
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata

__all__ = ["LESSON_PACKAGES", "RUN_PINS", "Result", "main", "run_checks"]

#: The versions pinned in the learners' run environment, binder/requirements.txt
#: (tests/test_check.py keeps the two identical).
RUN_PINS = {
    "numpy": "2.4.6",
    "pandas": "3.1.1",
    "matplotlib": "3.11.2",
    "msprime": "1.4.4",
    "tskit": "1.0.3",
    "demes": "0.2.3",
    "frictionless": "5.21.0",
    "nbformat": "5.11.1",
    "ipykernel": "7.4.0",
    "ipython": "9.18.1",
    "jupyterlab": "4.5.11",
    "jupyterlab-myst": "2.7.0",
    "crypt4gh": "1.8.6",  # optional: only the encryption step of notebook 10 needs it
}

#: Distribution -> module the lessons import. The others in :data:`RUN_PINS` (ipykernel,
#: JupyterLab, jupyterlab-myst) run the notebooks; Colab and JupyterLite bring their own.
LESSON_PACKAGES = {
    "numpy": "numpy",
    "pandas": "pandas",
    "matplotlib": "matplotlib",
    "msprime": "msprime",
    "tskit": "tskit",
    "demes": "demes",
    "frictionless": "frictionless",
    "nbformat": "nbformat",
    "ipython": "IPython",
}

MINIMUM_PYTHON = (3, 11)
_REINSTALL = (
    "reinstall the run environment: `pip install -r binder/requirements.txt` in a checkout (see the Setting up page)"
)


@dataclass
class Result:
    """The outcome of one check: ``ok`` is False when the lessons cannot run as they are."""

    name: str
    ok: bool
    detail: str = ""
    advice: str = ""
    notes: list[str] = field(default_factory=list)


def _python() -> Result:
    version = platform.python_version()
    if sys.version_info[:2] < MINIMUM_PYTHON:
        return Result(
            "Python",
            False,
            f"Python {version} is too old",
            "install Python 3.11 (the version the lessons are tested with) and create the environment again",
        )
    notes = [] if sys.version_info[:2] == MINIMUM_PYTHON else [f"Python {version}: the lessons are tested with 3.11"]
    return Result("Python", True, f"Python {version}", notes=notes)


def _packages() -> Result:
    missing, notes = [], []
    import importlib

    for distribution, module in LESSON_PACKAGES.items():
        try:
            importlib.import_module(module)
        except Exception as error:  # ImportError, or a broken install raising anything else
            missing.append(f"{distribution} ({type(error).__name__}: {error})")
            continue
        try:
            installed = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            installed = "unknown"
        if installed != RUN_PINS[distribution]:
            notes.append(f"{distribution} {installed} (tested with {RUN_PINS[distribution]})")
    for distribution in ("ipykernel", "jupyterlab", "jupyterlab-myst"):
        try:
            installed = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            if "google.colab" not in sys.modules and "pyodide" not in sys.modules:
                notes.append(
                    f"{distribution} not installed (needed to open the lessons in JupyterLab on your computer)"
                )
            continue
        if installed != RUN_PINS[distribution]:
            notes.append(f"{distribution} {installed} (tested with {RUN_PINS[distribution]})")
    if missing:
        return Result("packages", False, "cannot import " + "; ".join(missing), _REINSTALL, notes)
    return Result("packages", True, f"{len(LESSON_PACKAGES)} lesson packages import", notes=notes)


def _data(state: dict) -> Result:
    from genshare.paths import WORLD_ENV, data_dir, world_dir

    try:
        folder = data_dir()
    except FileNotFoundError as error:
        return Result("data", False, str(error), "reinstall genshare (see the Setting up page)")
    problems = []
    try:
        from genshare.catalogue import load_catalogue, load_data_use

        state["catalogue"] = load_catalogue()
        load_data_use()
    except Exception as error:
        problems.append(f"catalogue: {error}")
    try:
        from genshare.access import duo_terms

        duo_terms()
    except Exception as error:
        problems.append(f"DUO terms: {error}")
    world = world_dir()
    try:
        from genshare.cohort import load_world

        state["world"] = load_world()
    except Exception as error:
        problems.append(f"synthetic world: {error}")
    if problems:
        import os

        chosen = os.environ.get(WORLD_ENV, "").strip()
        advice = (
            f"the world comes from ${WORLD_ENV}={chosen}: unset it, or write that world again with "
            f"`python -m genshare.cohort --seed N --out {chosen} --force`"
            if chosen and all(p.startswith("synthetic world") for p in problems)
            else f"a data file in {folder} is missing or changed: restore it (`git checkout -- data/` in a clone) "
            "or reinstall genshare; do not edit the files in data/ by hand"
        )
        return Result("data", False, "; ".join(problems), advice)
    return Result(
        "data",
        True,
        f"catalogue, DUO terms, data-use table and world (seed {state['world'].seed}, checksums intact) in {world}",
    )


def _plot() -> Result:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(2, 2))
    axes.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    if not buffer.getvalue().startswith(b"\x89PNG"):
        return Result("plot", False, "matplotlib did not write a PNG image", _REINSTALL)
    return Result("plot", True, "a figure renders (Agg)")


def _attack(state: dict) -> Result:
    world = state.get("world")
    if world is None:
        return Result("attack", False, "skipped: the synthetic world did not load", "fix the data problem above first")
    from genshare.attacks import match_genotype

    genotypes = world.cohort_genotypes[:50, :200]
    found = match_genotype(genotypes[7], genotypes)["index"].tolist()
    if 7 not in found:
        return Result(
            "attack", False, f"a genotype fingerprint did not find its own record (found {found[:5]})", _REINSTALL
        )
    return Result("attack", True, "a genotype fingerprint finds its record")


def _guarded(name: str, check: Callable[[], Result]) -> Result:
    try:
        return check()
    except Exception as error:  # never a traceback: the failure is this check's result
        return Result(name, False, f"{type(error).__name__}: {error}", _REINSTALL)


def run_checks() -> Iterator[Result]:
    """Run every check in order, yielding each :class:`Result` as it completes."""
    state: dict = {}
    python = _guarded("Python", _python)
    yield python
    packages = _guarded("packages", _packages)
    yield packages
    if not packages.ok:
        return
    yield _guarded("data", lambda: _data(state))
    yield _guarded("plot", _plot)
    yield _guarded("attack", lambda: _attack(state))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genshare.check", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every check, not only problems")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        results = list(run_checks())
    except BaseException as error:  # noqa: BLE001 - the promise is: no traceback, ever
        if isinstance(error, KeyboardInterrupt):
            print("setup check interrupted")
            return 130
        results = [Result("setup check", False, f"{type(error).__name__}: {error}", _REINSTALL)]
    seconds = time.perf_counter() - start
    problems = [r for r in results if not r.ok]
    notes = [note for r in results for note in r.notes]
    if args.verbose:
        for result in results:
            print(f"{'ok ' if result.ok else 'PROBLEM'} {result.name}: {result.detail}")
    if not problems:
        try:
            from genshare import __version__
        except Exception:  # pragma: no cover
            __version__ = "?"
        aside = f"; {len(notes)} note(s), see --verbose" if notes and not args.verbose else ""
        print(
            f"Ready: this environment can run every lesson (Python {platform.python_version()}, "
            f"genshare {__version__}; checked in {seconds:.1f} s{aside})."
        )
        if notes and args.verbose:
            print("Notes (no action needed): " + "; ".join(notes) + ".")
        return 0
    print(f"Not ready: {len(problems)} problem(s) to fix before the workshop.")
    for number, result in enumerate(problems, start=1):
        print(f"{number}. {result.name}: {result.detail}")
        print(f"   What to do: {result.advice}")
    if notes:
        print("Notes: " + "; ".join(notes) + ".")
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
