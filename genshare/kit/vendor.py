"""Pinned JavaScript packages from the npm registry, copied into the build, never committed.

The book must work offline (a copy of the site on a laptop, a classroom without network):
MathJax renders its formulas and reveal.js shows the slides, so both are served with the
book instead of from a CDN. Each is pinned here by version *and* by the registry's sha512
integrity: :func:`vendor` downloads the package with npm's own client (``npm pack``),
refuses a tarball whose digest differs, and copies the one folder the book needs.

Why these two, from npm:

- **MathJax 3.2.2** (npm package ``mathjax``, the MathJax project's own distribution). Sphinx
  7's ``sphinx.ext.mathjax`` writes MathJax 3 configuration and defaults to MathJax 3 from a
  CDN; 3.2.2 is the last 3.x release. MathJax 4 changed its fonts and component layout, and
  PyPI has only unofficial repackagings or MathJax 2. The ``es5`` folder holds the combined
  component the book loads (``tex-mml-chtml.js``), the TeX extensions it loads on demand, its
  fonts and the speech-rule engine that MathJax's accessibility menu loads; the other
  combined components and the SVG output are left out (8.5 MB instead of 24 MB).
- **reveal.js 5.2.1** for the slides (:mod:`genshare.kit.slides`): its ``dist`` folder and the
  speaker-notes and Markdown plugins.

``python -m genshare.kit.vendor mathjax _vendor/mathjax`` is what ``make mathjax`` runs.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PACKAGES", "NpmPackage", "vendor"]


@dataclass(frozen=True)
class NpmPackage:
    """An npm package pinned by version and integrity, and the folders of it to copy."""

    name: str
    version: str
    integrity: str  # "sha512-<base64>", as the registry publishes it
    folders: tuple[str, ...]
    #: Glob patterns (relative to the destination) of files the book does not load, left out.
    exclude: tuple[str, ...] = ()

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


PACKAGES = {
    "mathjax": NpmPackage(
        "mathjax",
        "3.2.2",
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        ("es5",),
        # The other combined components and the SVG output: the book loads tex-mml-chtml.js.
        exclude=("tex-chtml*.js", "tex-svg*.js", "tex-mml-svg.js", "mml-*.js", "node-main.js", "output/svg*"),
    ),
    "reveal.js": NpmPackage(
        "reveal.js",
        "5.2.1",
        "sha512-r7//6mIM5p34hFiDMvYfXgyjXqGRta+/psd9YtytsgRlrpRzFv4RbH76TXd2qD+7ZPZEbpBDhdRhJaFgfQ7zNQ==",
        ("dist", "plugin/notes", "plugin/markdown"),
    ),
}

#: Written into the destination once a package is in place: ``name@version integrity``.
STAMP = ".vendored"


def _integrity(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def vendor(package: NpmPackage, destination: Path | str, npm: str = "npm") -> Path:
    """Copy ``package``'s folders into ``destination`` (skipped when already there).

    With one folder, its contents go straight into ``destination``
    (``es5/tex-mml-chtml.js`` becomes ``destination/tex-mml-chtml.js``); with several, each
    keeps its path.

    Raises
    ------
    RuntimeError
        When npm is missing or fails, or the tarball's sha512 is not the pinned one.

    Examples
    --------
    >>> PACKAGES["mathjax"].spec
    'mathjax@3.2.2'
    """
    destination = Path(destination)
    stamp = f"{package.spec} {package.integrity}\n"
    if (destination / STAMP).is_file() and (destination / STAMP).read_text() == stamp:
        return destination
    if shutil.which(npm) is None:
        raise RuntimeError(f"{package.spec}: npm is not installed (Debian package npm); it fetches the pinned package")
    with tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        result = subprocess.run(
            [npm, "pack", package.spec, "--json", "--pack-destination", scratch],
            capture_output=True,
            text=True,
            cwd=scratch,
        )
        if result.returncode != 0:
            raise RuntimeError(f"npm pack {package.spec} failed: {result.stderr.strip()[-500:]}")
        (info,) = json.loads(result.stdout)
        tarball = scratch_path / info["filename"]
        found = _integrity(tarball)
        if found != package.integrity:
            raise RuntimeError(
                f"{package.spec}: the tarball's integrity is {found}, not the pinned {package.integrity}"
            )
        with tarfile.open(tarball) as archive:
            archive.extractall(scratch_path / "unpacked", filter="data")
        root = scratch_path / "unpacked" / "package"
        if destination.exists():
            for child in destination.iterdir():
                if child.name != ".gitignore":
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
        destination.mkdir(parents=True, exist_ok=True)
        for folder in package.folders:
            source = root / folder
            if not source.is_dir():
                raise RuntimeError(f"{package.spec}: the package has no folder {folder}")
            target = destination if len(package.folders) == 1 else destination / folder
            shutil.copytree(source, target, dirs_exist_ok=True)
        for pattern in package.exclude:
            for path in list(destination.glob(pattern)):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        for notice in ("LICENSE", "LICENSE.md"):
            if (root / notice).is_file():
                shutil.copy2(root / notice, destination / notice)
    (destination / STAMP).write_text(stamp)
    return destination


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Copy a pinned npm package into the build.")
    parser.add_argument("package", choices=sorted(PACKAGES))
    parser.add_argument("destination", type=Path)
    args = parser.parse_args(argv)
    print(f"{PACKAGES[args.package].spec} in {vendor(PACKAGES[args.package], args.destination)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
