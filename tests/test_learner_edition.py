"""The learner edition (``learner/``): current, plain Markdown, no answers, and it runs where learners run it.

What is checked here, statically and by running it:

- it is exactly what ``python -m genshare.teaching --learner`` writes from today's notebooks
  (so a change to a lesson that was not carried over fails), and so is the reasoning file
  that ``check()`` reads;
- rendered by a CommonMark renderer (what Colab and JupyterLite do), no Markdown cell and no
  computed sentence shows MyST residue; every link points at the published book, and every
  glossary anchor exists on the built glossary page (when the book is built);
- no solution's code, no "Why" of a checked exercise and no output is in it, and every
  check cell is still there;
- every computed sentence, filled with the full edition's committed values (the book's), reads
  as the book's sentence does (:func:`genshare.glue.format_text` is myst-nb's rule);
- run on the browser's lite world, with crypt4gh hidden as in Pyodide: every notebook runs
  top to bottom, except that notebook 04 stops with one clear message before segment search.
  With the solutions put in the answer cells, every check says "correct" and gives its
  reasoning. (The same edition on another seed is run by tests/test_other_world.py; in
  JupyterLab, in a real browser, by tests/test_learner_lab.py.)
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from genshare.exercises import get_exercise
from genshare.glue import notebook_values as glued_values, render
from genshare.myst import RESIDUE, glossary_anchor
from genshare.paths import PROJECT_ROOT
from genshare.teaching import (
    DISCUSSION_TAG,
    GENERATED_KEY,
    LEARNER_DIR,
    REASONING_FILE,
    SOLUTION_TAG,
    book_url,
    learner_edition,
    package_commit,
)
from tests.notebook_runs import execute_in_place

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
LEARNER = PROJECT_ROOT / LEARNER_DIR
_FIELD = re.compile(r"\{\{|\}\}|\{[A-Za-z_]\w*(?::[^{}]*)?\}")


def learner(name: str) -> nbformat.NotebookNode:
    return nbformat.read(LEARNER / name, as_version=4)


def computed_text_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.get("metadata", {}).get(GENERATED_KEY, {}).get("kind") == "computed-text"]


def template_of(cell: nbformat.NotebookNode) -> str:
    """The say() template of a computed-text cell."""
    call = cell.source[cell.source.index("say(") + 4: cell.source.rindex(")")]
    return eval(call)  # noqa: S307 - a string literal the generator wrote




# --------------------------------------------------------------------------- current


def _pinned_commit() -> str:
    try:
        return package_commit()
    except ValueError:
        pytest.skip("not a git checkout: the pinned commit cannot be recomputed")


def test_committed_learner_edition_is_current(tmp_path):
    out = tmp_path / "learner"
    reasoning_before = REASONING_FILE.read_text(encoding="utf-8")
    learner_edition(out, commit=_pinned_commit())
    assert REASONING_FILE.read_text(encoding="utf-8") == reasoning_before, \
        "genshare/exercises/reasoning.json is out of date: run `make learner` and commit"
    assert sorted(p.name for p in out.glob("*.ipynb")) == sorted(p.name for p in LEARNER.glob("*.ipynb")) == [p.name for p in NOTEBOOKS]
    stale = [p.name for p in out.glob("*.ipynb") if p.read_text(encoding="utf-8") != (LEARNER / p.name).read_text(encoding="utf-8")]
    assert not stale, f"learner/ is out of date for {stale}: run `make learner` and commit"


def test_colab_installs_the_pinned_commit_and_checks_the_install():
    commit = _pinned_commit()
    for path in sorted(LEARNER.glob("*.ipynb")):
        cells = learner(path.name).cells
        setup = next(c for c in cells if c.cell_type == "code")
        assert setup.metadata.get(GENERATED_KEY, {}).get("kind") == "setup", path.name
        assert f"@{commit}\"" in setup.source and "@main" not in setup.source, path.name
        assert "raise RuntimeError" in setup.source and "use_world(COURSE, LEARNER)" in setup.source, path.name


# ------------------------------------------------------------------- plain Markdown


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_myst_residue_in_a_commonmark_renderer(path):
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    nb, book_values = learner(path.name), glued_values(nbformat.read(path, as_version=4))
    texts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    texts += [render(template_of(c), book_values) for c in computed_text_cells(nb)]
    for text in texts:
        html = md.render(text)
        for residue in RESIDUE:
            assert residue not in text and residue not in html, f"{path.name}: {residue!r} in {text[:200]!r}"
        assert not re.search(r"^\s*(```|:::)\s*\{", text, flags=re.M), f"{path.name}: a MyST fence in {text[:200]!r}"
        for url in re.findall(r"\]\((https?://[^)\s]+)\)", text):
            if "genomic-data-sharing" in url and "github.com" not in url:
                assert url.startswith(book_url() + "/"), url


def test_glossary_links_point_at_anchors_of_the_built_glossary():
    built = PROJECT_ROOT / "_build" / "html" / "chapters" / "glossary.html"
    if not built.is_file():
        pytest.skip("the book is not built (make test builds it first)")
    ids = set(re.findall(r'id="(term-[^"]+)"', built.read_text(encoding="utf-8")))
    anchors = set()
    for path in LEARNER.glob("*.ipynb"):
        anchors |= set(re.findall(r"glossary\.html#(term-[^)\s]+)\)", path.read_text(encoding="utf-8")))
    assert anchors and anchors <= ids, f"missing glossary anchors: {sorted(anchors - ids)}"
    assert glossary_anchor("k-anonymity") == "term-k-anonymity"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_solution_why_or_output(path):
    full, nb = nbformat.read(path, as_version=4), learner(path.name)
    text = nbformat.writes(nb)
    for cell in full.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if SOLUTION_TAG in tags:
            body = [line for line in cell.source.splitlines() if line.strip() and not line.lstrip().startswith("#")]
            assert "\n".join(body) not in text, (path.name, body[:2])
        if DISCUSSION_TAG in tags and "check(" in "".join(c.source for c in full.cells[full.cells.index(cell) + 1:][:2]):
            first_line = cell.source.splitlines()[1]
            assert first_line not in text, (path.name, first_line)
    for cell in nb.cells:
        assert SOLUTION_TAG not in cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name
    checks = lambda notebook: re.findall(r"check\(\"(\d\d[a-z]?\.\d+)\"", "".join(c.source for c in notebook.cells if c.cell_type == "code"))  # noqa: E731
    assert checks(nb) == checks(full), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_computed_sentences_read_as_the_book_does(path):
    """Filled with the book's values, each sentence holds exactly the numbers the book shows."""
    from myst_nb.core.variables import format_plain_text

    full, nb = nbformat.read(path, as_version=4), learner(path.name)
    values = glued_values(full)
    cells = computed_text_cells(nb)
    if any("{glue" in c.source for c in full.cells
           if c.cell_type == "markdown" and DISCUSSION_TAG not in c.metadata.get("tags", [])):
        assert cells, path.name
    for cell in cells:
        template = template_of(cell)
        for match in _FIELD.finditer(template):
            token = match.group(0)
            if token in ("{{", "}}"):
                continue
            name, _, spec = token[1:-1].partition(":")
            assert render(token, values) == format_plain_text(values[name], spec or "s"), (path.name, token)


# ------------------------------------------------------------------------ running it


_HIDE_CRYPT4GH = "import sys\nsys.modules['crypt4gh'] = None  # as in Pyodide, where crypt4gh cannot be installed\n"


@pytest.fixture(scope="module")
def lite_world_dir(tmp_path_factory) -> Path:
    sys.path.insert(0, str(PROJECT_ROOT / "lite"))
    try:
        import lite_world
    finally:
        sys.path.remove(str(PROJECT_ROOT / "lite"))
    return lite_world.cached_lite_world(PROJECT_ROOT / "data" / "synthetic")


def _with_answers(nb: nbformat.NotebookNode, full: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The learner notebook with each answer cell holding the full edition's solution, in order."""
    solutions = [c.source for c in full.cells if c.cell_type == "code" and SOLUTION_TAG in c.metadata.get("tags", [])]
    answers = [c for c in nb.cells if c.get("metadata", {}).get(GENERATED_KEY, {}).get("kind") == "answer"]
    assert len(solutions) == len(answers)
    for cell, source in zip(answers, solutions):
        cell.source = source
    return nb


@pytest.fixture(scope="module")
def lite_runs(tmp_path_factory, lite_world_dir):
    folder = tmp_path_factory.mktemp("learner-lite")
    hide = tmp_path_factory.mktemp("pyodide-like")
    (hide / "sitecustomize.py").write_text(_HIDE_CRYPT4GH)
    paths = []
    for path in NOTEBOOKS:
        nb = _with_answers(learner(path.name), nbformat.read(path, as_version=4))
        nbformat.write(nb, folder / path.name)
        paths.append(folder / path.name)
    codes = execute_in_place(paths, env={"GENSHARE_WORLD": str(lite_world_dir), "PYTHONPATH": str(hide)})
    return folder, codes


def _outputs(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            parts.append(f"ERROR {output['ename']}: {output['evalue']}")
        else:
            parts.append(output.get("data", {}).get("text/markdown", "") or output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_on_the_browsers_lite_world(lite_runs, path):
    folder, codes = lite_runs
    returncode, stderr = codes[path.name]
    if path.name.startswith("04-"):
        # One clean stop before segment search: Run All stops there, with one short message.
        assert returncode != 0 and "The lesson stops here" in stderr and "segment search needs" in stderr, stderr[-3000:]
        return
    assert returncode == 0, stderr[-3000:]
    nb = nbformat.read(folder / path.name, as_version=4)
    errors = [(i, o) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    ran = [c for c in nb.cells if c.cell_type == "code" and c.get("execution_count")]
    setup = next(c for c in nb.cells if c.cell_type == "code")
    assert "World: the browser's lite world" in _outputs(setup)
    assert not errors, [(i, o["ename"], o["evalue"]) for i, o in errors]
    assert len(ran) == sum(c.cell_type == "code" for c in nb.cells)
    for cell in nb.cells:
        text = _outputs(cell)
        if "check(" in cell.source and "Exercise" in text:
            exercise = get_exercise(re.search(r'check\("([^"]+)"', cell.source).group(1))
            assert ": correct." in text, text[:500]
            assert ("Checked on the browser's lite world" in text) == exercise.uses_world, text[:500]
            assert "could not be computed" not in text, text[:500]
        if cell.get("metadata", {}).get(GENERATED_KEY, {}).get("kind") == "computed-text":
            assert not re.search(r"\{[A-Za-z_]\w*(:[^{}]*)?\}", text), text[:300]


def test_reasoning_follows_a_correct_answer(lite_runs):
    folder, _ = lite_runs
    nb = nbformat.read(folder / "05-linkage-of-quasi-identifiers.ipynb", as_version=4)
    text = "".join(_outputs(c) for c in nb.cells if 'check("05.2"' in c.source)
    assert "Exercise 05.2: correct." in text and "**Why.** With ZIP3, birth year and sex" in text, text
    assert not re.search(r"\{[A-Za-z_]\w*(:[^{}]*)?\}", text), text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_answer_key_renders_as_the_book(path):
    """``make answer-key`` rewrites each executed notebook as the book shows it."""
    from markdown_it import MarkdownIt

    from genshare.teaching import rendered_notebook, the_book

    rendered = rendered_notebook(nbformat.read(path, as_version=4), path.name, the_book())
    solutions = [c for c in rendered.cells if SOLUTION_TAG in c.get("metadata", {}).get("tags", [])]
    assert solutions and all(c.outputs or "check(" in c.source or c.source for c in solutions)
    for cell in rendered.cells:
        if cell.cell_type != "markdown":
            continue
        html = MarkdownIt("commonmark").render(cell.source)
        for residue in RESIDUE:
            assert residue not in cell.source and residue not in html, (path.name, residue)
        assert not re.search(r"(?<!\{)\{[A-Za-z_]\w*(:[^{}]*)?\}(?!\})", cell.source.replace("$", "")) or "$" in cell.source, cell.source[:200]
