"""The notebooks' conventions: tagged, hidden solutions and the canonical setup cell (the learner
edition is tested in tests/test_learner_edition.py)."""

from __future__ import annotations

import nbformat
import pytest

from genshare.paths import PROJECT_ROOT
from genshare.teaching import SOLUTION_TAG

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))


def test_every_notebook_has_exercises_with_tagged_solutions():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        tagged = [c for c in nb.cells if SOLUTION_TAG in c.get("metadata", {}).get("tags", [])]
        exercises = [c for c in nb.cells if c.cell_type == "markdown" and "{admonition} Exercise" in c.source]
        assert len(exercises) >= 2, path.name
        assert len(tagged) >= len(exercises), path.name
        assert all("hide-cell" in c.metadata["tags"] for c in tagged), path.name  # hidden in the HTML (see tests/test_solutions.py)


# --- The setup (bootstrap) cell ------------------------------------------------------------

import importlib.util  # noqa: E402
import sys  # noqa: E402
import types  # noqa: E402

from IPython.core.inputtransformer2 import TransformerManager  # noqa: E402

from genshare.teaching import BOOTSTRAP_TAG, bootstrap_source, normalise_bootstrap, repository_url  # noqa: E402


def test_every_notebook_starts_with_the_canonical_setup_cell():
    canonical = bootstrap_source()
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        first = next(c for c in nb.cells if c.cell_type == "code")
        assert first.source == canonical, f"{path.name}: run `python -m genshare.teaching --normalise`"
        assert BOOTSTRAP_TAG in first.metadata["tags"] and first.outputs == []
        assert not normalise_bootstrap(nb, canonical)  # already normal: nothing changes


def test_setup_cell_installs_from_the_configured_repository_and_never_imports_genshare():
    url, branch = repository_url()
    source = bootstrap_source()
    assert f'"genshare @ git+{url}@{branch}"' in source
    assert "import genshare" not in source and "from genshare" not in source
    assert bootstrap_source("https://example.org/fork", "dev").count("git+https://example.org/fork@dev") == 1


def test_repository_url_fails_clearly_without_a_url(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("title: x\nrepository:\n  branch: main\n")
    with pytest.raises(ValueError, match="repository.url"):
        repository_url(config)
    config.write_text("repository:\n  url: https://github.com/a/b.git  # mine\n  branch: dev\n")
    assert repository_url(config) == ("https://github.com/a/b", "dev")


class FakeShell:
    """Stands in for IPython: records ``%pip`` calls, and 'installs' genshare when asked."""

    def __init__(self):
        self.calls: list[tuple[str, str]] = []
        self.installed = False

    def run_line_magic(self, name, line):
        self.calls.append((name, line))
        self.installed = True


def run_setup_cell(monkeypatch, environment: str | None, times: int = 2) -> tuple[FakeShell, list[str]]:
    """Execute the setup cell (as IPython transforms it) ``times`` times in a simulated environment."""
    shell = FakeShell()
    code = TransformerManager().transform_cell(bootstrap_source())
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args):
        if name == "genshare":  # importable only once the mocked pip has run
            return real_find_spec(name) if shell.installed else None
        return real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    for fake in ("google.colab", "pyodide"):
        monkeypatch.delitem(sys.modules, fake, raising=False)
    if environment == "colab":
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    elif environment == "pyodide":
        monkeypatch.setitem(sys.modules, "pyodide", types.ModuleType("pyodide"))
    printed: list[str] = []
    for _ in range(times):
        exec(code, {"get_ipython": lambda: shell, "print": lambda *a, **k: printed.append(" ".join(map(str, a)))})
    return shell, printed


def test_setup_cell_on_colab_installs_the_repository_once(monkeypatch):
    shell, printed = run_setup_cell(monkeypatch, "colab")
    url, branch = repository_url()
    assert shell.calls == [("pip", f'install --quiet "genshare @ git+{url}@{branch}"')]
    assert len(printed) == 1 and "Installing" in printed[0]  # said once: the second run is silent


def test_setup_cell_in_jupyterlite_installs_the_served_wheel_once(monkeypatch):
    shell, _ = run_setup_cell(monkeypatch, "pyodide")
    assert shell.calls == [("pip", "install genshare")]


def test_setup_cell_stays_python_when_magic_lines_are_dropped():
    import ast

    source = bootstrap_source()
    ast.parse("\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))))


def test_setup_cell_does_nothing_where_genshare_is_installed(monkeypatch):
    shell, printed = run_setup_cell(monkeypatch, "colab", times=1)
    shell.calls.clear()
    exec(TransformerManager().transform_cell(bootstrap_source()), {"get_ipython": lambda: shell})
    assert shell.calls == []
    # Binder or a local install: genshare is importable from the start.
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(TransformerManager().transform_cell(bootstrap_source()), {"get_ipython": lambda: shell})
    assert shell.calls == []


def test_setup_cell_elsewhere_without_genshare_says_where_to_look(monkeypatch):
    shell, printed = run_setup_cell(monkeypatch, None, times=1)
    assert shell.calls == [] and printed and "Setting up" in printed[0]
