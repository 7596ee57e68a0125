"""The in-browser route (JupyterLite, Pyodide kernel), checked statically and offline.

Pyodide cannot run on the build machines, so this is a static check, not an execution: every
module a lesson imports, and every runtime dependency of ``genshare``, must be provided either
by the pinned Pyodide release (``lite/pyodide-packages.json``, from its ``pyodide-lock.json``) or
by a pure-Python wheel that the JupyterLite site serves (``lite/requirements.txt``), and every
requirement of those wheels must be too. When the site has been built (``make book``), its
contents, wheels, size and Pyodide source are checked as well.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import sys
import tomllib
import zipfile
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from genshare.paths import PROJECT_ROOT

LITE = PROJECT_ROOT / "lite"
SITE = PROJECT_ROOT / "_build" / "html" / "lite"
NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
PYODIDE = json.loads((LITE / "pyodide-packages.json").read_text())
PYODIDE_PACKAGES = {canonicalize_name(name): entry for name, entry in PYODIDE["packages"].items()}
PYODIDE_IMPORTS = {module: name for name, entry in PYODIDE_PACKAGES.items() for module in entry.get("imports", [])}
#: The environment markers of the browser kernel (Pyodide on Emscripten).
PYODIDE_MARKERS = {
    "sys_platform": "emscripten", "platform_system": "Emscripten", "platform_machine": "wasm32",
    "os_name": "posix", "implementation_name": "cpython", "platform_python_implementation": "CPython",
    "python_version": ".".join(PYODIDE["info"]["python"].split(".")[:2]), "python_full_version": PYODIDE["info"]["python"],
    "extra": "",
}
#: Pure-Python standard-library modules that Pyodide ships (it leaves out e.g. tkinter, venv).
PYODIDE_STDLIB = set(PYODIDE["stdlib_python_modules"])


def in_pyodide_stdlib(module: str) -> bool:
    """A standard-library module that the browser kernel has.

    Pure-Python modules must be in Pyodide's ``python_stdlib.zip``; modules that CPython builds
    in C (``math``, ``zlib``, ...) are compiled into Pyodide's interpreter.
    """
    if module not in sys.stdlib_module_names:
        return False
    if module in PYODIDE_STDLIB or module in sys.builtin_module_names:
        return True
    spec = importlib.util.find_spec(module)
    return bool(spec and spec.origin and spec.origin.endswith(".so"))
SIZE_LIMIT = 25_000_000  # bytes the JupyterLite site may add to the published HTML (issue 11)


def lite_wheels() -> dict[str, Requirement]:
    """The pinned pure-Python wheels of the site, by canonical name."""
    pins = {}
    for line in (LITE / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            requirement = Requirement(line)
            assert len(requirement.specifier) == 1 and next(iter(requirement.specifier)).operator == "==", f"lite/requirements.txt: pin {line} exactly"
            pins[canonicalize_name(requirement.name)] = requirement
    return pins


LITE_WHEELS = lite_wheels()


def genshare_dependencies() -> list[Requirement]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["dependencies"]]


def imported_modules(source: str) -> set[str]:
    """Top-level names of the modules a piece of Python imports (IPython magics ignored)."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    modules = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def provider(module: str) -> str | None:
    """Who provides ``module`` in the browser: 'stdlib', 'pyodide:<package>', 'wheel:<name>' or None."""
    if module == "genshare":
        return "wheel:genshare"
    if in_pyodide_stdlib(module):
        return "stdlib"
    if module in PYODIDE_IMPORTS:
        return f"pyodide:{PYODIDE_IMPORTS[module]}"
    for distribution_name in packages_distributions().get(module, []):
        if canonicalize_name(distribution_name) in LITE_WHEELS:
            return f"wheel:{distribution_name}"
    return None


def test_the_stdlib_check_tells_missing_modules_apart():
    assert provider("json") == provider("math") == provider("multiprocessing") == "stdlib"
    assert provider("tkinter") is None and provider("venv") is None  # not in Pyodide
    assert provider("numpy") == "pyodide:numpy" and provider("frictionless") == "wheel:frictionless"
    assert provider("sklearn_not_a_module") is None


def test_the_list_is_for_the_pyodide_the_pinned_kernel_loads():
    """lite/pyodide-packages.json describes the Pyodide release that the installed kernel fetches."""
    labextension = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyterlite" / "pyodide-kernel-extension" / "static"
    if not labextension.is_dir():
        pytest.skip("jupyterlite-pyodide-kernel is not installed (requirements-test.txt)")
    found = set()
    for script in labextension.glob("*.js"):
        found |= set(re.findall(r"cdn\.jsdelivr\.net/pyodide/v([0-9][0-9A-Za-z.]*)/full/", script.read_text(errors="replace")))
    assert found == {PYODIDE["pyodide_version"]}, f"the kernel loads Pyodide {found}; regenerate with python lite/pyodide_packages.py"
    assert PYODIDE["provenance"]["tarball"].endswith(f"pyodide-{PYODIDE['pyodide_version']}.tgz")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_lesson_import_is_available_in_the_browser(path):
    notebook = nbformat.read(path, as_version=4)
    modules = set().union(*(imported_modules(cell.source) for cell in notebook.cells if cell.cell_type == "code"))
    missing = sorted(m for m in modules if provider(m) is None)
    assert not missing, f"{path.name} imports {missing}: neither in Pyodide {PYODIDE['pyodide_version']} nor a wheel in lite/requirements.txt"


def test_every_module_genshare_imports_is_available_in_the_browser():
    """Every import in genshare's code, except the optional Dask extra, resolves in the browser."""
    optional = {
        "dask", "distributed",  # genshare[dask]: chunked runs, not used by the lessons
        "crypt4gh",  # genshare[deposit]: imported inside the Crypt4GH functions only; native, no browser wheel
        "cyvcf2", "pgenlib",  # genshare[risk]: the risk check's optional VCF/PLINK readers, imported inside their functions
        "msvcrt",  # Windows only: the world writer's file lock imports it when os.name == "nt"
    }
    missing = {}
    for source in sorted((PROJECT_ROOT / "genshare").rglob("*.py")):
        for module in imported_modules(source.read_text()) - optional:
            if provider(module) is None:
                missing.setdefault(module, []).append(str(source.relative_to(PROJECT_ROOT)))
    assert not missing, f"not available in the browser: {missing}"


def _closure_problems(requirements: list[Requirement], who: str) -> list[str]:
    problems = []
    for requirement in requirements:
        if requirement.marker and not requirement.marker.evaluate(PYODIDE_MARKERS):
            continue
        name = canonicalize_name(requirement.name)
        if name in PYODIDE_PACKAGES:
            version = PYODIDE_PACKAGES[name]["version"]
            if requirement.specifier and not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{who} needs {requirement}, Pyodide has {version}")
        elif name in LITE_WHEELS:
            pinned = next(iter(LITE_WHEELS[name].specifier)).version
            if requirement.specifier and not requirement.specifier.contains(pinned, prereleases=True):
                problems.append(f"{who} needs {requirement}, lite/requirements.txt pins {pinned}")
        else:
            problems.append(f"{who} needs {requirement}: neither in Pyodide nor in lite/requirements.txt")
    return problems


def test_genshare_runtime_dependencies_are_available_in_the_browser():
    assert not _closure_problems(genshare_dependencies(), "genshare")


def test_the_lite_wheels_need_nothing_else():
    """Each pinned wheel's own requirements are met in the browser (read from the installed metadata)."""
    problems = []
    for name, pin in LITE_WHEELS.items():
        if name in PYODIDE_PACKAGES:
            problems.append(f"{name} is in Pyodide already; drop it from lite/requirements.txt")
            continue
        try:
            installed = distribution(name)
        except PackageNotFoundError:
            problems.append(f"{name} is not installed here, cannot read its requirements")
            continue
        pinned = next(iter(pin.specifier)).version
        if installed.version != pinned:
            problems.append(f"{name}: lite/requirements.txt pins {pinned}, the environment has {installed.version}")
        problems += _closure_problems([Requirement(r) for r in installed.requires or []], f"{name} {installed.version}")
    assert not problems, "\n".join(problems)


def test_lite_pins_agree_with_the_book_environment():
    book = {}
    for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            book[canonicalize_name(requirement.name)] = requirement.specifier
    disagree = {name: (str(pin.specifier), str(book[name])) for name, pin in LITE_WHEELS.items() if name in book and str(book[name]) != str(pin.specifier)}
    assert not disagree, f"lite/requirements.txt and requirements.txt pin different versions: {disagree}"


# -- the built site ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "jupyter-lite.json").is_file():
        message = f"{SITE} is not built (make book builds it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return SITE


def test_site_has_every_lesson(site):
    assert sorted(p.name for p in (site / "files" / "notebooks").glob("*.ipynb")) == [p.name for p in NOTEBOOKS]


def test_site_serves_genshare_and_every_pinned_wheel_through_piplite(site):
    wheels = {w.name: w for w in (site / "pypi").glob("*.whl")}
    assert all(name.endswith("-none-any.whl") for name in wheels), f"native wheels in the site: {wheels}"
    names = {canonicalize_name(name.split("-")[0]) for name in wheels}
    assert "genshare" in names
    assert set(LITE_WHEELS) <= names, f"missing wheels: {set(LITE_WHEELS) - names}"
    index = json.loads((site / "pypi" / "all.json").read_text())
    assert "genshare" in index, "piplite index lacks genshare: %pip install genshare would go to PyPI"
    (genshare_wheel,) = [w for name, w in wheels.items() if name.startswith("genshare-")]
    with zipfile.ZipFile(genshare_wheel) as archive:
        members = archive.namelist()
    assert "genshare/__init__.py" in members


def test_site_loads_pyodide_from_the_default_cdn(site):
    """Pyodide is not copied into the site: the kernel fetches the pinned release at run time."""
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    extensions = [e["name"] for e in config["federated_extensions"]]
    assert "@jupyterlite/pyodide-kernel-extension" in extensions
    settings = config.get("litePluginSettings", {}).get("@jupyterlite/pyodide-kernel-extension:kernel", {})
    assert "pyodideUrl" not in settings, "the site overrides the Pyodide URL"
    assert not list(site.rglob("pyodide.asm.wasm")), "Pyodide copied into the site"


def test_site_size(site):
    total = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    assert total <= SIZE_LIMIT, f"the JupyterLite site adds {total / 1e6:.1f} MB (limit {SIZE_LIMIT / 1e6:.0f} MB)"
