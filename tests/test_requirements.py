"""Every third-party module the package, notebooks and tests import is declared in requirements.txt.

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

from genshare.paths import PROJECT_ROOT


def imported_modules(source: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module.split(".")[0])
    return modules


def all_imports() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    sources = [*PROJECT_ROOT.joinpath("genshare").rglob("*.py"), *PROJECT_ROOT.joinpath("tests").glob("*.py")]
    for path in sources:
        for module in imported_modules(path.read_text()):
            found.setdefault(module, set()).add(path.name)
    for path in PROJECT_ROOT.joinpath("notebooks").glob("*.ipynb"):
        code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
        for module in imported_modules(code):
            found.setdefault(module, set()).add(path.name)
    return found


def declared(filename: str = "requirements.txt") -> set[str]:
    names = set()
    for line in PROJECT_ROOT.joinpath(filename).read_text().splitlines():
        match = re.match(r"^\s*([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*(==|>=|<=|~=|$)", line)
        if match and not line.strip().startswith(("#", "-")):
            names.add(match.group(1).lower().replace("_", "-"))
    return names


#: Imported (inside functions) only for the optional extras declared in pyproject.toml.
OPTIONAL = {"dask", "distributed"}


def test_optional_imports_are_declared_as_extras():
    text = PROJECT_ROOT.joinpath("pyproject.toml").read_text()
    for module in OPTIONAL:
        assert re.search(rf'"{module}(\[[a-z]+\])?>=', text), f"{module} is not an optional extra in pyproject.toml"


def test_every_import_is_declared_in_requirements():
    providers = packages_distributions()
    lessons, tests_only = declared(), declared("requirements-test.txt")
    missing = []
    for module, users in sorted(all_imports().items()):
        if module in sys.stdlib_module_names or module in {"genshare", "tests", "__future__"}:
            continue
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
    for filename in ("requirements.txt", "requirements-test.txt"):
        for line in PROJECT_ROOT.joinpath(filename).read_text().splitlines():
            line = line.strip()
            if line and not line.startswith(("#", "-e")):
                assert "==" in line, f"{filename}: unpinned requirement: {line}"
