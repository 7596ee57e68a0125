"""Build the JupyterLite site (``make lite``; ``make book`` runs it): the lessons in the browser.

``python lite/build.py [--out _build/html/lite]`` writes a JupyterLite site with the Pyodide
kernel into the published HTML, containing

- the learner edition of the lessons (``learner/``, written by ``python -m genshare.teaching
  --learner``), under ``learner/`` (the same path as in the repository, so the book's "run in
  your browser" button opens ``lab/index.html?path=learner/NN-....ipynb``): plain Markdown that
  JupyterLite renders without jupyterlab-myst, no solutions and no outputs;
- a wheel of ``genshare`` (built from this checkout; it carries the lessons' data) and the
  pure-Python wheels pinned in ``lite/requirements.txt`` for the dependencies Pyodide does not
  ship, served through piplite, so that ``%pip install genshare`` in the browser kernel installs
  the module without reaching PyPI. In that wheel the default world (``genshare/data/synthetic``,
  where :func:`genshare.paths.world_dir` finds it) is the *lite world* of ``lite/lite_world.py``:
  the committed world's people and tables unchanged, with ``LITE_SNPS`` of its SNPs, so that the
  site stays within its 25 MB budget whatever the committed world's SNP density. It is derived
  once per committed world and cached in ``_build/lite-world``.

Pyodide itself is *not* copied into the site: the kernel loads the Pyodide release it was built
for (see ``lite/pyodide-packages.json``) from its default CDN (jsDelivr) when a learner opens a
notebook. Only ``py3-none-any`` wheels are accepted, so no native dependency slips into the
browser route; ``tests/test_jupyterlite.py`` checks the result.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lite_world import cached_lite_world  # lite/, beside this file

ROOT = Path(__file__).resolve().parent.parent
LITE = ROOT / "lite"
#: The JupyterLab extensions the site carries, whatever else is installed: the Pyodide kernel.
#: (jupyterlab-myst would render the lessons' MyST admonitions and roles, but adds about
#: 6.5 MB and the site would exceed its 25 MB budget; ``--with-myst`` adds it if installed.)
EXTENSIONS = ["@jupyterlite/pyodide-kernel-extension"]
MYST_EXTENSION = "jupyterlab-myst"
#: Legacy icon-font formats that JupyterLab ships beside the WOFF2 file every current browser uses.
LEGACY_FONT_SUFFIXES = (".eot", ".ttf", ".svg", ".woff")


def run(*command: str | Path, cwd: Path = ROOT) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], cwd=cwd, check=True)


#: Downloaded wheels are kept here, so a rebuild with unchanged pins needs no network.
WHEEL_CACHE = ROOT / "_build" / "lite-wheels"


def pinned_wheels() -> list[tuple[str, str]]:
    """(normalised name, version) of every wheel pinned in lite/requirements.txt."""
    pins = []
    for line in (LITE / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            if not version:
                raise SystemExit(f"lite/requirements.txt: pin {line!r} exactly (name==version)")
            pins.append((re.sub(r"[-_.]+", "_", name.strip()).lower(), version.strip()))
    return pins


def cached(name: str, version: str) -> Path | None:
    for wheel in WHEEL_CACHE.glob("*.whl"):
        wheel_name, wheel_version = wheel.name.split("-")[:2]
        if re.sub(r"[-_.]+", "_", wheel_name).lower() == name and wheel_version == version:
            return wheel
    return None


#: What building genshare's wheel reads from the checkout (see pyproject.toml and setup.py).
SOURCE_FILES = ("pyproject.toml", "setup.py", "README.md", "LICENSE")
#: Zip timestamps of the wheel (1980-01-01, the earliest a zip can hold), so its bytes repeat.
SOURCE_DATE_EPOCH = "315532800"


def stage_source(into: Path, world: Path) -> Path:
    """A copy of what genshare's wheel is built from, with ``world`` as its default world.

    The package and ``data/`` are copied from the checkout (caches left out); ``data/synthetic``
    is replaced by the files of ``world`` (hidden files left out).
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")
    into.mkdir(parents=True)
    for name in SOURCE_FILES:
        shutil.copy2(ROOT / name, into / name)
    shutil.copytree(ROOT / "genshare", into / "genshare", ignore=ignore)
    shutil.copytree(ROOT / "data", into / "data", ignore=shutil.ignore_patterns("synthetic", "__pycache__", ".*"))
    shutil.copytree(world, into / "data" / "synthetic", ignore=ignore)
    return into


def wheels(into: Path, world: Path) -> list[Path]:
    """genshare's wheel (carrying ``world`` as its default world) and the pinned pure-Python wheels, in ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="genshare-lite-source-") as tmp:
        source = stage_source(Path(tmp) / "genshare", world)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(into), str(source)],
            cwd=source, check=True, env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
        )
    pins = pinned_wheels()
    if any(cached(name, version) is None for name, version in pins):
        run(
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
            "--platform", "any", "--implementation", "py", "--abi", "none", "--python-version", "3.14",
            "--requirement", LITE / "requirements.txt", "--dest", WHEEL_CACHE,
        )
    for name, version in pins:
        wheel = cached(name, version)
        if wheel is None:
            raise SystemExit(f"no wheel of {name}=={version} after downloading")
        shutil.copy2(wheel, into / wheel.name)
    found = sorted(into.glob("*.whl"))
    native = [w.name for w in found if not w.name.endswith("-none-any.whl")]
    if native:
        raise SystemExit(f"not pure-Python wheels, Pyodide cannot install them: {native}")
    return found


def write_without_outputs(source: Path, target: Path) -> None:
    """Copy a notebook with every code cell's outputs and execution count cleared."""
    import nbformat

    notebook = nbformat.read(source, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(notebook, target)


def stage_extensions(into: Path, names: list[str]) -> Path:
    """Copy the chosen prebuilt JupyterLab extensions from this environment into ``into``."""
    installed = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    for name in names:
        source = installed / name
        if not (source / "package.json").is_file():
            raise SystemExit(f"JupyterLab extension {name} is not installed in {installed} (lite/requirements-build.txt)")
        shutil.copytree(source, into / name)
    return into


def prune_legacy_fonts(site: Path) -> int:
    """Remove icon fonts in legacy formats where a WOFF2 of the same font exists; bytes saved."""
    saved = 0
    for woff2 in site.rglob("*.woff2"):
        for suffix in LEGACY_FONT_SUFFIXES:
            legacy = woff2.with_suffix(suffix)
            if legacy.is_file():
                saved += legacy.stat().st_size
                legacy.unlink()
    return saved


def size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build(out: Path, *, with_myst: bool = False, world: Path = ROOT / "data" / "synthetic") -> int:
    out = out.resolve()
    with tempfile.TemporaryDirectory(prefix="genshare-lite-") as tmp:
        staging = Path(tmp)
        contents = staging / "contents"
        (contents / "learner").mkdir(parents=True)
        for notebook in sorted((ROOT / "learner").glob("*.ipynb")):
            write_without_outputs(notebook, contents / "learner" / notebook.name)
        lite = cached_lite_world(world)
        wheel_args = [arg for wheel in wheels(staging / "wheels", lite) for arg in ("--piplite-wheels", wheel)]
        extensions = stage_extensions(staging / "labextensions", EXTENSIONS + ([MYST_EXTENSION] if with_myst else []))
        if out.exists():
            shutil.rmtree(out)
        run(
            sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", LITE, "--output-dir", out,
            "--contents", contents, *wheel_args,
            f"--FederatedExtensionAddon.extra_labextensions_path={extensions}", cwd=LITE,
        )
    saved = prune_legacy_fonts(out)
    for stale in (".jupyterlite.doit.db",):
        (out / stale).unlink(missing_ok=True)
    total = size(out)
    print(f"JupyterLite site: {out} ({total / 1e6:.1f} MB; {saved / 1e6:.1f} MB of legacy fonts removed)")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "html" / "lite")
    parser.add_argument("--with-myst", action="store_true", help=f"also serve {MYST_EXTENSION} (about 6.5 MB more)")
    parser.add_argument("--world", type=Path, default=ROOT / "data" / "synthetic",
                        help="the world the site's lite world is derived from (default: the committed one)")
    args = parser.parse_args(argv)
    build(args.out, with_myst=args.with_myst, world=args.world)
    return 0


if __name__ == "__main__":
    sys.exit(main())
