"""Every exercise solution is hidden until the reader asks for it: on the web and in JupyterLab.

The markings are written by :func:`genshare.teaching.hide_solutions`
(``python -m genshare.teaching --hide-solutions``); the browser tests in tests/test_site.py check
the rendered pages. The learner edition drops the solution and every hiding mark.
"""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from genshare.paths import PROJECT_ROOT
from genshare.teaching import DISCUSSION_TAG, GENERATED_KEY, SOLUTION_PROMPTS, hide_solutions, is_solution, learner_notebook

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_solution_cell_is_collapsed_in_jupyterlab_and_on_the_web(path):
    notebook = nbformat.read(path, as_version=4)
    solutions = [cell for cell in notebook.cells if is_solution(cell)]
    assert solutions, f"{path.name}: no solution cells"
    for cell in solutions:
        where = f"{path.name} cell {cell.get('id')}"
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, f"{where}: source not collapsed in JupyterLab"
        assert cell.metadata.get("jupyter", {}).get("outputs_hidden") is True, f"{where}: outputs not collapsed in JupyterLab"
        assert "hide-cell" in cell.metadata["tags"], f"{where}: code and output not hidden on the web"
        assert not {"hide-input", "hide-output"} & set(cell.metadata["tags"]), f"{where}: a second hiding tag"
        assert cell.metadata.get("mystnb", {}).get("code_prompt_show") == "Show solution", where
    assert hide_solutions(copy.deepcopy(notebook)) == 0, f"{path.name}: run python -m genshare.teaching --hide-solutions"


def test_hide_solutions_marks_only_solutions_and_is_idempotent():
    notebook = new_notebook(cells=[
        new_markdown_cell("Exercise", metadata={"tags": ["solution"]}),  # not code: left alone
        new_code_cell("x = 1", metadata={"tags": ["hide-input"]}),        # not a solution: left alone
        new_code_cell("print(42)", metadata={"tags": ["hide-input", "solution"], "jupyter": {"source_hidden": False}, "other": 1}),
    ])
    assert hide_solutions(notebook) == 1
    solution = notebook.cells[2]
    assert solution.metadata["tags"] == ["solution", "hide-cell"]
    assert solution.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert solution.metadata["mystnb"] == SOLUTION_PROMPTS and solution.metadata["other"] == 1
    assert notebook.cells[0].metadata == {"tags": ["solution"]} and notebook.cells[1].metadata == {"tags": ["hide-input"]}
    assert hide_solutions(notebook) == 0


def test_the_learners_answer_cell_is_open_and_unmarked():
    from genshare.myst import Book

    notebook = new_notebook(cells=[new_code_cell("print(42)", metadata={"tags": ["solution", "other"]})])
    hide_solutions(notebook)
    cell = learner_notebook(notebook, "00-x.ipynb", Book("https://example.org"), "pass").cells[0]
    assert cell.source == "# Your answer here\n"
    assert dict(cell.metadata) == {GENERATED_KEY: {"kind": "answer"}}  # no hiding marks, no solution tag


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_solution_explanations_are_tagged(path):
    """A "Why" dropdown under a solution is tagged, so the learner edition drops it with the solution."""
    cells = nbformat.read(path, as_version=4).cells
    for previous, cell in zip(cells, cells[1:]):
        if is_solution(previous) and cell.cell_type == "markdown" and "{dropdown}" in cell.source.splitlines()[0]:
            assert DISCUSSION_TAG in cell.metadata.get("tags", []), (path.name, cell.source[:60])
