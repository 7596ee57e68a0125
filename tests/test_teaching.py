"""The student edition hides every solution and still runs up to (and past) the exercises."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from genshare.paths import PROJECT_ROOT
from genshare.teaching import SOLUTION_TAG, main, student_edition

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))


def test_every_notebook_has_exercises_with_tagged_solutions():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        tagged = [c for c in nb.cells if SOLUTION_TAG in c.get("metadata", {}).get("tags", [])]
        exercises = [c for c in nb.cells if c.cell_type == "markdown" and "{admonition} Exercise" in c.source]
        assert len(exercises) >= 2, path.name
        assert len(tagged) >= len(exercises), path.name
        assert all("hide-cell" in c.metadata["tags"] for c in tagged), path.name  # hidden in the HTML (see tests/test_solutions.py)


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout") / "student"
    student_edition(out=out)
    return out


def test_no_solution_or_output_survives(edition):
    written = sorted(edition.glob("*.ipynb"))
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]
    for path, original in zip(written, NOTEBOOKS):
        nb = nbformat.read(path, as_version=4)
        solutions = [c.source for c in nbformat.read(original, as_version=4).cells if SOLUTION_TAG in c.get("metadata", {}).get("tags", [])]
        text = nbformat.writes(nb)
        for source in solutions:
            body = "\n".join(line for line in source.splitlines() if line.strip() and not line.startswith("#"))
            assert body not in text, (path.name, body[:60])
        for cell in nb.cells:
            assert SOLUTION_TAG not in cell.get("metadata", {}).get("tags", [])
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_student_notebooks_execute(edition, name):
    nb = nbformat.read(edition / name, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(PROJECT_ROOT / "notebooks")}}).execute()
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_command_line_refuses_to_overwrite(tmp_path, capsys):
    assert main(["--out", str(tmp_path / "s")]) == 0
    assert main(["--out", str(tmp_path / "s")]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["--out", str(tmp_path / "s"), "--force"]) == 0
    assert main(["--out", str(tmp_path / "x"), "--source", str(tmp_path)]) == 2
