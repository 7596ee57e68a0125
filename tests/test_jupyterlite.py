"""The in-browser route (JupyterLite, Pyodide kernel), checked statically and offline.

Pyodide cannot run on the build machines, so this is a static check, not an execution: every
module a lesson imports, and every runtime dependency of ``genshare``, must be provided either
by the pinned Pyodide release (``lite/pyodide-packages.json``, from its ``pyodide-lock.json``) or
by a pure-Python wheel that the JupyterLite site serves (``lite/requirements.txt``), and every
requirement of those wheels must be too. When the site has been built (``make book``), its
contents, wheels, size and Pyodide source are checked as well, and the world the site carries
(the *lite world* of ``lite/lite_world.py``: the committed world's people and tables with fewer
SNPs) is loaded from the site's own ``genshare`` wheel, outside the checkout, as the lessons load it.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pandas.testing as pd_testing
import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from genshare.cohort import WorldIntegrityError, load_world, save_world, simulate_world
from genshare.paths import PROJECT_ROOT, data_dir

LITE = PROJECT_ROOT / "lite"
sys.path.insert(0, str(LITE))
import lite_world  # noqa: E402  (lite/lite_world.py: the site's world)

COMMITTED_WORLD = data_dir() / "synthetic"
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
SIZE_LIMIT = 25_000_000  # bytes the JupyterLite site may add to the published HTML


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
    """The site serves the learner edition (what the browser route opens), one per lesson."""
    assert sorted(p.name for p in (site / "files" / "learner").glob("*.ipynb")) == [p.name for p in NOTEBOOKS]
    assert not (site / "files" / "notebooks").exists(), "the site must not serve the full edition (solutions)"


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


def _site_genshare_wheel(site: Path) -> Path:
    (wheel,) = (site / "pypi").glob("genshare-*-none-any.whl")
    return wheel


@pytest.fixture(scope="module")
def installed_site_wheel(site, tmp_path_factory) -> Path:
    """The site's genshare wheel unpacked as micropip installs it (a site-packages folder)."""
    target = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(_site_genshare_wheel(site)) as archive:
        archive.extractall(target)
    return target


def test_site_world_is_the_lite_world_of_the_committed_world(installed_site_wheel):
    """The wheel's world loads, its checksums verify, and it is derived from today's committed world."""
    folder = installed_site_wheel / "genshare" / "data" / "synthetic"
    world = load_world(folder)  # checks every file against MANIFEST.sha256
    committed_manifest = hashlib.sha256((COMMITTED_WORLD / lite_world.MANIFEST).read_bytes()).hexdigest()
    lite = world.metadata["lite_world"]
    assert lite["source_manifest_sha256"] == committed_manifest, "the site was built from another world: rebuild it (make lite)"
    assert lite["snps_per_panel"] == lite_world.LITE_SNPS
    source_panels = pd.read_csv(COMMITTED_WORLD / "snps.csv.gz", usecols=["panel"])["panel"].value_counts()
    assert world.snps["panel"].value_counts().to_dict() == {p: min(n, lite_world.LITE_SNPS[p]) for p, n in source_panels.items()}
    assert len(world.snps) == world.parameters["n_snps"]
    # Same people and tables, byte for byte: only the SNP table, genotypes, the truth (the lite
    # world keeps the phase of its SNPs, not the founder mosaics: notebook 04 stops before the
    # sections that read them) and descriptions differ. Compared by digest: a byte
    # diff of two large files would take pytest hours to print.
    differs = {"snps.csv.gz", "genotypes.npz", "truth.npz", "world.json", "README.md", lite_world.MANIFEST}
    for path in sorted(COMMITTED_WORLD.iterdir()):
        if path.is_file() and path.name not in differs and not path.name.endswith(".vcf.gz"):
            lite_digest = hashlib.sha256((folder / path.name).read_bytes()).hexdigest()
            assert lite_digest == hashlib.sha256(path.read_bytes()).hexdigest(), f"{path.name} differs from the committed world's"



def test_site_lessons_find_the_lite_world(installed_site_wheel, tmp_path):
    """Outside the checkout, the installed wheel's load_world() (what every lesson calls) reads the lite world."""
    code = (
        "import genshare, json\n"
        "from genshare.paths import in_checkout, world_dir\n"
        "from genshare.cohort import load_world\n"
        "w = load_world()\n"
        "print(json.dumps({'package': genshare.__file__, 'checkout': in_checkout(), 'world': str(world_dir()),"
        " 'snps': len(w.snps), 'lite': 'lite_world' in w.metadata}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GENSHARE_WORLD")}
    env["PYTHONPATH"] = str(installed_site_wheel)
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(found["package"]).is_relative_to(installed_site_wheel), found
    assert not found["checkout"] and Path(found["world"]).is_relative_to(installed_site_wheel), found
    assert found["lite"] and found["snps"] <= sum(lite_world.LITE_SNPS.values())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_lesson_reads_its_world_through_world_dir(path):
    """No lesson names the world's folder itself, so in the browser every lesson reads the lite world."""
    notebook = nbformat.read(path, as_version=4)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert not re.search(r"data[/\\\\\"', ]+synthetic", code), f"{path.name} names data/synthetic; use load_world() or world_dir()"


# -- the lite world's derivation (lite/lite_world.py) --------------------------------------


def test_lite_world_examples():
    """The docstring examples of the SNP choice run (lite/ is outside pytest's doctest paths)."""
    import doctest

    runner = doctest.DocTestRunner()
    for function in (lite_world.snp_subset, lite_world.lite_snps):
        for test in doctest.DocTestFinder().find(function, globs=vars(lite_world)):
            runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


def test_lite_snps_keeps_a_quota_of_each_panel_and_refuses_unknown_panels():
    panel = np.array(["array"] * 100 + ["sequence"] * 30 + ["array"] * 20)
    keep = lite_world.lite_snps(panel, {"array": 10, "sequence": 50})
    assert np.all(np.diff(keep) > 0)
    assert (panel[keep] == "array").sum() == 10 and (panel[keep] == "sequence").sum() == 30
    assert keep[0] == 0 and keep[-1] == len(panel) - 1
    with pytest.raises(ValueError, match=r"'imputed'.*no quota"):
        lite_world.lite_snps(np.array(["array", "imputed"]), {"array": 1})
    with pytest.raises(ValueError, match="one value per SNP"):
        lite_world.lite_snps(np.array([]), {"array": 1})


def test_lite_world_has_the_snps_the_lessons_draw():
    """Notebook 03 draws up to 1,000 SNPs of each panel, notebook 08 1,000 SNPs: the lite world has them.

    (Found by running every notebook on the lite world with ``GENSHARE_WORLD``: with 2,000 SNPs
    in all, notebook 03 stopped at ``uniqueness_curve``.)
    """
    needs = {"array": 1_000, "sequence": 1_000}
    assert all(lite_world.LITE_SNPS[panel] >= n for panel, n in needs.items())
    source = pd.read_csv(COMMITTED_WORLD / "snps.csv.gz", usecols=["panel"])["panel"].to_numpy()
    kept = source[lite_world.lite_snps(source)]
    assert all((kept == panel).sum() >= min(n, (source == panel).sum()) for panel, n in needs.items())


def test_snp_subset_known_answers():
    assert lite_world.snp_subset(10, 4).tolist() == [0, 3, 6, 9]
    assert lite_world.snp_subset(5, 5).tolist() == lite_world.snp_subset(5, 9).tolist() == [0, 1, 2, 3, 4]
    assert lite_world.snp_subset(7, 1).tolist() == [0]
    for bad in (0, -1, 2.5, True, "3"):
        with pytest.raises(ValueError, match="n_keep"):
            lite_world.snp_subset(10, bad)
    with pytest.raises(ValueError, match="n_total"):
        lite_world.snp_subset(0, 3)


@given(n_total=st.integers(1, 10**6), n_keep=st.integers(1, 10**5))
def test_snp_subset_is_evenly_spread_sorted_and_complete(n_total, n_keep):
    keep = lite_world.snp_subset(n_total, n_keep)
    assert len(keep) == min(n_total, n_keep)
    assert keep[0] == 0 and (len(keep) == 1 or keep[-1] == n_total - 1)
    assert np.all(np.diff(keep) > 0) and keep[-1] < n_total
    if len(keep) > 1:  # gaps differ by at most one SNP
        gaps = np.diff(keep)
        assert gaps.max() - gaps.min() <= 1


@pytest.fixture(scope="module")
def small_saved_world(tmp_path_factory) -> Path:
    world = simulate_world(seed=7, n_participants=40, n_snps=300, n_reference=12, n_database=60, n_relatives=12, population_size=2000)
    return save_world(world, tmp_path_factory.mktemp("world") / "full", vcf=False)


def test_lite_world_keeps_people_and_tables_and_a_subset_of_snps(small_saved_world, tmp_path):
    full = load_world(small_saved_world)
    quotas = {"array": 30, "sequence": 10}
    lite_folder = lite_world.derive_lite_world(small_saved_world, tmp_path / "lite", quotas)
    lite = load_world(lite_folder)  # checksums verify (after the README section was added)
    keep = lite_world.lite_snps(full.snps["panel"].to_numpy(), quotas)
    assert len(keep) == 40
    pd_testing.assert_frame_equal(lite.snps, full.snps.iloc[keep].reset_index(drop=True))
    for name in ("cohort", "reference", "database"):
        assert np.array_equal(getattr(lite, f"{name}_genotypes"), getattr(full, f"{name}_genotypes")[:, keep])
        pd_testing.assert_frame_equal(getattr(lite, name), getattr(full, name))
    for name in ("people", "relationships", "family_trees", "voter_roll", "clinical", "zip_codes"):
        pd_testing.assert_frame_equal(getattr(lite, name), getattr(full, name))
    assert lite.seed == full.seed and lite.parameters == {**full.parameters, "n_snps": 40}
    assert lite.metadata["lite_world"]["snps_per_panel"] == quotas
    assert lite.metadata["lite_world"]["source_n_snps"] == len(full.snps)
    assert "lite world" in (lite_folder / "README.md").read_text()


def test_lite_world_is_deterministic_and_cached(small_saved_world, tmp_path):
    quotas = {"array": 20, "sequence": 5}
    first = lite_world.derive_lite_world(small_saved_world, tmp_path / "a", quotas)
    second = lite_world.derive_lite_world(small_saved_world, tmp_path / "b", quotas)
    assert (first / lite_world.MANIFEST).read_bytes() == (second / lite_world.MANIFEST).read_bytes()
    cache = tmp_path / "cache"
    folder = lite_world.cached_lite_world(small_saved_world, quotas, cache=cache)
    assert (folder / lite_world.MANIFEST).read_bytes() == (first / lite_world.MANIFEST).read_bytes()
    stamp = (folder / "genotypes.npz").stat().st_mtime_ns
    assert lite_world.cached_lite_world(small_saved_world, quotas, cache=cache) == folder
    assert (folder / "genotypes.npz").stat().st_mtime_ns == stamp, "a cached lite world was derived again"
    (folder / "snps.csv.gz").write_text("damaged")  # a damaged cache is derived again, not served
    assert load_world(lite_world.cached_lite_world(small_saved_world, quotas, cache=cache)).snps.shape[0] == 25


def test_lite_world_refuses_a_damaged_source(small_saved_world, tmp_path):
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for path in small_saved_world.iterdir():
        (damaged / path.name).write_bytes(path.read_bytes())
    (damaged / "cohort.csv").write_bytes((damaged / "cohort.csv").read_bytes()[:-10])
    with pytest.raises(WorldIntegrityError, match="cohort.csv"):
        lite_world.derive_lite_world(damaged, tmp_path / "lite", {"array": 5, "sequence": 5})
    with pytest.raises(FileNotFoundError, match="not a saved world"):
        lite_world.cached_lite_world(tmp_path, cache=tmp_path / "cache")
