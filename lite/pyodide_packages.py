"""Regenerate ``lite/pyodide-packages.json``: what the pinned Pyodide release provides.

The JupyterLite kernel (``jupyterlite-pyodide-kernel``, pinned in requirements-test.txt) loads
one Pyodide release from the jsDelivr CDN. Its ``pyodide-lock.json`` lists every package that
release can install without PyPI. That file ships in the ``pyodide`` package on the npm
registry; this script fetches it with ``npm pack pyodide@VERSION`` and keeps, per package, the
version, the import names, the dependencies and the wheel's file name, with the provenance
(tarball URL and integrity hash); and the top-level modules of its pure-Python standard
library (``python_stdlib.zip``: Pyodide leaves out some, such as ``tkinter`` and ``venv``). The result is committed, so tests/test_jupyterlite.py runs
offline; the test also checks that the committed version is the one the installed kernel uses.

Usage: ``python lite/pyodide_packages.py`` (needs ``npm`` and network access to the npm registry).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "pyodide-packages.json"


def kernel_pyodide_version() -> str:
    """The Pyodide version the installed jupyterlite-pyodide-kernel loads (from its CDN URL)."""
    import jupyterlite_pyodide_kernel

    extension = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyterlite" / "pyodide-kernel-extension" / "static"
    versions = set()
    for script in extension.glob("*.js"):
        versions |= set(re.findall(r"cdn\.jsdelivr\.net/pyodide/v([0-9][0-9A-Za-z.]*)/full/", script.read_text(errors="replace")))
    if len(versions) != 1:
        raise SystemExit(f"jupyterlite-pyodide-kernel {jupyterlite_pyodide_kernel.__version__}: expected one Pyodide CDN version in {extension}, found {sorted(versions)}")
    return versions.pop()


def main() -> int:
    import jupyterlite_pyodide_kernel

    version = kernel_pyodide_version()
    with tempfile.TemporaryDirectory() as tmp:
        meta = json.loads(subprocess.run(["npm", "view", "--json", f"pyodide@{version}", "dist"], check=True, capture_output=True, text=True).stdout)
        subprocess.run(["npm", "pack", "--silent", f"pyodide@{version}"], cwd=tmp, check=True, capture_output=True)
        (tarball,) = Path(tmp).glob("pyodide-*.tgz")
        with tarfile.open(tarball) as archive:
            lock = json.load(archive.extractfile("package/pyodide-lock.json"))
            with zipfile.ZipFile(io.BytesIO(archive.extractfile("package/python_stdlib.zip").read())) as stdlib:
                stdlib_modules = sorted({
                    Path(member.split("/")[0]).stem.split(".")[0]
                    for member in stdlib.namelist()
                    if member.split("/")[0].endswith(".py") or "/" in member
                } - {"site-packages"})
    packages = {
        name: {key: entry[key] for key in ("version", "imports", "depends", "file_name", "package_type") if key in entry}
        for name, entry in sorted(lock["packages"].items())
    }
    document = {
        "provenance": {
            "what": "the 'packages' table of pyodide-lock.json, reduced to version, imports, depends, file_name, package_type; the top-level modules of python_stdlib.zip",
            "source": f"npm pack pyodide@{version}: package/pyodide-lock.json, package/python_stdlib.zip",
            "tarball": meta["tarball"],
            "integrity": meta["integrity"],
            "used_by": f"jupyterlite-pyodide-kernel {jupyterlite_pyodide_kernel.__version__}",
            "regenerate": "python lite/pyodide_packages.py",
        },
        "pyodide_version": version,
        "info": lock["info"],
        "packages": packages,
        "stdlib_python_modules": stdlib_modules,
    }
    OUT.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n")
    print(f"wrote {OUT.relative_to(HERE.parent)}: Pyodide {version}, {len(packages)} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
