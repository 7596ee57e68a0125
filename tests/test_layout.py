"""The package's layout is findable: every public module is listed where a reader looks first."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import pytest

import genshare

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = sorted(m.name for m in pkgutil.iter_modules(genshare.__path__) if not m.name.startswith("_"))


def test_there_are_modules_to_list():
    assert {"cohort", "attacks", "challenge", "exercises"} <= set(PUBLIC)


@pytest.mark.parametrize("module", PUBLIC)
def test_every_module_is_in_the_readme_package_table(module):
    table = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"^\| `genshare\.{module}` \|", table, re.M), (
        f"genshare.{module} has no row in the README's package table (### The `genshare` package)")


@pytest.mark.parametrize("module", PUBLIC)
def test_every_module_is_in_the_package_docstring(module):
    assert f":mod:`genshare.{module}`" in genshare.__doc__, f"genshare.{module} is not described in genshare/__init__.py"
