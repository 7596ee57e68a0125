"""Every third-party module the package, notebooks and tests import is declared and pinned.

Two environments: the lean *run* environment (binder/requirements.txt: Binder, `make lab`,
environment.yml) must provide everything the package and the notebooks import, and nothing
of the book build or the tests; the full *build/test* environment (requirements.txt, plus
requirements-test.txt for the tests' extras) repeats every run pin identically.

This catches a missing requirement that a developer's machine happens to have installed
(and that Binder, which installs only requirements.txt, would not), without needing the
network: imports are read from the source, then mapped to the distributions that provide
them.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

from genshare.paths import PROJECT_ROOT

RUN_REQUIREMENTS = "binder/requirements.txt"

#: Distributions that only build the book or run the tests: never in the learners' environment.
BUILD_AND_TEST_ONLY = {"jupyter-book", "sphinx", "myst-nb", "myst-parser", "sphinx-book-theme",
                       "sphinxcontrib-bibtex", "pytest", "nbval", "selenium", "hypothesis"}


def imported_modules(source: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def notebook_code(path: Path) -> str:
    """A notebook's code cells as plain Python (IPython magics such as ``%pip`` turned into calls)."""
    cells = nbformat.read(path, as_version=4).cells
    return "\n".join(TransformerManager().transform_cell(c.source) for c in cells if c.cell_type == "code")


def all_imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    sources = [*PROJECT_ROOT.joinpath("genshare").rglob("*.py"), *PROJECT_ROOT.joinpath("tests").glob("*.py")]
    for path in sources:
        for module in imported_modules(path.read_text()):
            found.setdefault(module, set()).add(path.name)
    for path in PROJECT_ROOT.joinpath("notebooks").glob("*.ipynb"):
        for module in imported_modules(notebook_code(path)):
            found.setdefault(module, set()).add(path.name)
    return found


def pins(filename: str = "requirements.txt") -> dict[str, str]:
    """Distribution name (normalised) -> pinned version (or '' if unpinned) in a requirements file."""
    found = {}
    for line in PROJECT_ROOT.joinpath(filename).read_text().splitlines():
        match = re.match(r"^\s*([A-Za-z0-9_-][A-Za-z0-9_.-]*)(\[[^\]]*\])?\s*(?:==\s*(\S+)|(?:>=|<=|~=)\S*|$)", line)
        if match and not line.strip().startswith(("#", "-", ".")):
            found[match.group(1).lower().replace("_", "-")] = match.group(3) or ""
    return found


def declared(filename: str = "requirements.txt") -> set[str]:
    return set(pins(filename))


#: Imported (inside functions) only for the optional extras declared in pyproject.toml.
OPTIONAL = {"dask", "distributed", "cyvcf2", "pgenlib"}


def test_optional_imports_are_declared_as_extras():
    text = PROJECT_ROOT.joinpath("pyproject.toml").read_text()
    for module in OPTIONAL:
        assert re.search(rf'"{module}(\[[a-z]+\])?>=', text), f"{module} is not an optional extra in pyproject.toml"


def test_every_import_is_declared_in_requirements():
    providers = packages_distributions()
    lessons, tests_only = declared(), declared("requirements-test.txt") | declared()
    missing = []
    for module, users in sorted(all_imports().items()):
        if module in sys.stdlib_module_names or module in {"genshare", "tests", "__future__"}:
            continue
        if any(PROJECT_ROOT.joinpath(folder, f"{module}.py").exists() for folder in ("lite", "benchmarks", "_ext")):
            continue  # the repository's own helper scripts, imported from their folder by the tests
        distributions = {d.lower().replace("_", "-") for d in providers.get(module, [])}
        assert distributions, f"module {module!r} (imported by {', '.join(sorted(users))}) is not installed"
        only_tests = all(user.startswith("test_") for user in users)
        if module in OPTIONAL and not only_tests:
            users = {u for u in users if u.startswith("test_")}
            only_tests = True
            if not users:
                continue
        if not distributions & (lessons | tests_only if only_tests else lessons):
            missing.append(f"{module} ({'/'.join(sorted(distributions))}), imported by {', '.join(sorted(users))}")
    assert not missing, "not declared in requirements.txt: " + "; ".join(missing)


def test_requirements_are_pinned():
    for filename in ("requirements.txt", "requirements-test.txt", RUN_REQUIREMENTS):
        for line in PROJECT_ROOT.joinpath(filename).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and line not in {"-e .", "."}:
                assert "==" in line, f"{filename}: unpinned requirement: {line}"


def test_run_environment_is_lean_and_its_pins_are_the_full_environments():
    run, full = pins(RUN_REQUIREMENTS), pins()
    assert not set(run) & BUILD_AND_TEST_ONLY, f"book/test packages in {RUN_REQUIREMENTS}: {set(run) & BUILD_AND_TEST_ONLY}"
    for name in ("jupyterlab", "jupyterlab-myst", "ipykernel"):
        assert name in run, f"{RUN_REQUIREMENTS} lacks {name}"
    different = {name: (version, full.get(name)) for name, version in run.items() if full.get(name) != version}
    assert not different, f"pins in {RUN_REQUIREMENTS} differ from requirements.txt (run, full): {different}"
    lines = [line.strip() for line in PROJECT_ROOT.joinpath(RUN_REQUIREMENTS).read_text().splitlines()]
    assert "." in lines, f"{RUN_REQUIREMENTS} must install the package itself (a line '.')"
    assert PROJECT_ROOT.joinpath("binder", "runtime.txt").read_text().strip() == PROJECT_ROOT.joinpath("runtime.txt").read_text().strip()


def test_every_lesson_import_is_in_the_run_environment():
    providers = packages_distributions()
    run = declared(RUN_REQUIREMENTS)
    missing = []
    for module, users in sorted(all_imports().items()):
        users = {u for u in users if not u.startswith("test_")}
        if not users or module in sys.stdlib_module_names or module in {"genshare", "tests", "__future__", *OPTIONAL}:
            continue
        distributions = {d.lower().replace("_", "-") for d in providers.get(module, [])}
        if not distributions & run:
            missing.append(f"{module} ({', '.join(sorted(users))})")
    assert not missing, f"imported by the package or the lessons but not in {RUN_REQUIREMENTS}: {missing}"


def test_environment_yml_installs_the_pinned_run_environment():
    text = PROJECT_ROOT.joinpath("environment.yml").read_text()
    assert re.search(r"^\s*- python=3\.11\s*$", text, flags=re.MULTILINE)
    assert re.search(rf"^\s*- -r {re.escape(RUN_REQUIREMENTS)}\s*$", text, flags=re.MULTILINE)


def test_no_package_is_pinned_to_two_versions():
    """`make test` installs requirements.txt, requirements-test.txt and lite/requirements-build.txt
    into one environment: a package pinned differently in two of them cannot be installed
    (pip reports ResolutionImpossible), or the later file silently wins and the tests run on a
    version the learners never get."""
    files = ("requirements.txt", "requirements-test.txt", "lite/requirements-build.txt", RUN_REQUIREMENTS)
    seen: dict[str, dict[str, str]] = {}
    for filename in files:
        for name, version in pins(filename).items():
            seen.setdefault(name, {})[filename] = version
    conflicts = {name: where for name, where in seen.items() if len(set(where.values())) > 1}
    assert not conflicts, f"pinned to different versions: {conflicts}"
