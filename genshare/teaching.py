"""The notebooks' two editions: the full edition the book shows, and the learner edition every route opens.

``python -m genshare.teaching --learner`` (or ``make learner``) writes the learner edition of
every notebook in ``notebooks/`` to ``learner/`` (committed, so Colab and Binder open it
from the repository; see :func:`learner_edition`): plain Markdown that every notebook
frontend renders, each computed sentence shown with the learner's own numbers when its
cell runs, no solutions (a code cell tagged ``solution`` becomes an empty cell that invites
the learner's answer), no "Why" (a correct ``check()`` gives it), no outputs, and a first
cell that installs the package pinned and names the world.

``python -m genshare.teaching --normalise`` makes the first code cell of every notebook the
canonical setup cell (:func:`bootstrap_source`): on Colab it installs the module and its data
with one ``pip install`` of the repository, in JupyterLite (Pyodide) it installs the
``genshare`` wheel that the lite site serves, and anywhere ``genshare`` is already importable
(Binder, a local install, a second run) it does nothing.

In the instructor edition (the notebooks as committed) every solution cell is hidden until the
reader asks for it, everywhere the notebook is read. :func:`hide_solutions` writes the markings
that do this, and ``python -m genshare.teaching --hide-solutions`` applies it to every notebook
in place (idempotent: a second run changes nothing):

- the tag ``hide-cell`` and the cell metadata ``mystnb.code_prompt_show`` /
  ``code_prompt_hide``: on the web (myst-nb) the code *and* its output sit behind a
  "Show solution" control;
- the standard cell metadata ``jupyter.source_hidden`` and ``jupyter.outputs_hidden``:
  JupyterLab, Notebook 7 and JupyterLite open the cell collapsed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from os import PathLike
from pathlib import Path
from typing import Any

import nbformat

from genshare.paths import PROJECT_ROOT

__all__ = [
    "BOOTSTRAP_TAG",
    "DISCUSSION_TAG",
    "SOLUTION_PROMPTS",
    "SOLUTION_TAG",
    "bootstrap_source",
    "hide_solutions",
    "hide_solutions_in_place",
    "is_solution",
    "normalise_bootstrap",
    "normalise_notebooks",
    "repository_url",
    "learner_edition",
    "learner_notebook",
]

SOLUTION_TAG = "solution"
#: The tag of a solution's written explanation: a markdown cell right after the solution
#: whose content is a ``{dropdown}`` (closed until opened). The learner edition drops it (``check()`` gives it).
DISCUSSION_TAG = "solution-discussion"
_PLACEHOLDER = "# Your answer here\n"
#: The myst-nb tag that hides a cell's code and output behind one control on the web.
HIDE_TAG = "hide-cell"
#: Tags that earlier versions used to hide solutions; replaced by :data:`HIDE_TAG`.
_OLD_HIDE_TAGS = ("hide-input", "hide-output")
#: The labels of the web control (myst-nb cell-level configuration).
SOLUTION_PROMPTS = {"code_prompt_show": "Show solution", "code_prompt_hide": "Hide solution"}
#: The standard Jupyter cell metadata for a collapsed source and collapsed outputs.
_COLLAPSED = {"source_hidden": True, "outputs_hidden": True}


def is_solution(cell: nbformat.NotebookNode) -> bool:
    """Whether ``cell`` is an exercise solution (a code cell tagged ``solution``)."""
    return cell.get("cell_type") == "code" and SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])


def _is_discussion(cell: nbformat.NotebookNode) -> bool:
    return cell.get("cell_type") == "markdown" and cell.get("source", "").lstrip("`").startswith("{dropdown}")


def hide_solutions(notebook: nbformat.NotebookNode) -> int:
    """Mark every solution cell of ``notebook`` as hidden on the web and in JupyterLab, in place.

    Each code cell tagged ``solution`` gets the tag ``hide-cell`` (replacing ``hide-input``),
    the cell metadata ``mystnb`` = :data:`SOLUTION_PROMPTS` and ``jupyter`` =
    ``{"source_hidden": true, "outputs_hidden": true}``. A markdown cell right after a
    solution that holds a ``{dropdown}`` (the solution's explanation) is tagged
    :data:`DISCUSSION_TAG`, so the learner edition can drop it. Other metadata keys are
    kept. Idempotent.

    Returns
    -------
    int
        The number of cells changed (0 when the notebook was already normalised).

    Examples
    --------
    >>> from nbformat.v4 import new_notebook, new_code_cell
    >>> nb = new_notebook(cells=[new_code_cell("1 + 1"),
    ...                          new_code_cell("42", metadata={"tags": ["hide-input", "solution"]})])
    >>> hide_solutions(nb), hide_solutions(nb)
    (1, 0)
    >>> nb.cells[1].metadata["tags"], nb.cells[1].metadata["jupyter"]
    (['solution', 'hide-cell'], {'source_hidden': True, 'outputs_hidden': True})
    >>> dict(nb.cells[0].metadata)
    {}
    """
    changed = 0
    for previous, cell in zip([None, *notebook.cells[:-1]], notebook.cells, strict=False):  # no cells: [None] and []
        if previous is not None and is_solution(previous) and _is_discussion(cell):
            tags = cell.setdefault("metadata", nbformat.NotebookNode()).setdefault("tags", [])
            if DISCUSSION_TAG not in tags:
                tags.append(DISCUSSION_TAG)
                changed += 1
        if not is_solution(cell):
            continue
        before = json.dumps(cell.get("metadata", {}), sort_keys=True)
        metadata = cell.setdefault("metadata", nbformat.NotebookNode())
        tags = [tag for tag in metadata.get("tags", []) if tag not in _OLD_HIDE_TAGS]
        if HIDE_TAG not in tags:
            tags.append(HIDE_TAG)
        metadata["tags"] = tags
        metadata["mystnb"] = nbformat.from_dict({**metadata.get("mystnb", {}), **SOLUTION_PROMPTS})
        metadata["jupyter"] = nbformat.from_dict({**metadata.get("jupyter", {}), **_COLLAPSED})
        after = json.dumps(metadata, sort_keys=True)
        changed += before != after
    return changed


def hide_solutions_in_place(paths: list[str | PathLike[str]] | None = None) -> list[Path]:
    """Apply :func:`hide_solutions` to notebook files (default: every notebook in ``notebooks/``).

    Only files that change are rewritten; outputs and other cells are untouched.

    Returns
    -------
    list of Path
        The files rewritten.
    """
    files = [Path(p) for p in paths] if paths else sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    rewritten = []
    for path in files:
        notebook = nbformat.read(path, as_version=4)
        if hide_solutions(notebook):
            nbformat.write(notebook, path)
            rewritten.append(path)
    return rewritten


# ---------------------------------------------------------------------------------------
# The setup ("bootstrap") cell: the first code cell of every notebook
# ---------------------------------------------------------------------------------------

#: Tag of the setup cell. ``remove-cell`` keeps it off the web pages (it does nothing there).
BOOTSTRAP_TAG = "bootstrap"
_BOOTSTRAP_TAGS = [BOOTSTRAP_TAG, "remove-cell"]
_BOOTSTRAP_ID = "genshare-setup"  # a fixed cell id, so that the cell is the same in every notebook and every run

_BOOTSTRAP_TEMPLATE = """\
# Setup. On Colab, and in the browser (JupyterLite), this installs the module and its data
# the first time it runs; on Binder or your own computer it does nothing.
import importlib
import importlib.util
import sys

if importlib.util.find_spec("genshare") is None:
    if "google.colab" in sys.modules:
        print("Installing the module and its data (once per session)...")
        %pip install --quiet "genshare @ git+{url}@{branch}"
    elif "pyodide" in sys.modules:
        print("Installing the module in your browser...")
        %pip install genshare
    else:
        print("genshare is not installed here: see the Setting up page of the book.")
    importlib.invalidate_caches()"""


def repository_url(config: str | PathLike[str] | None = None) -> tuple[str, str]:
    """The repository's URL and branch, as set once in ``_config.yml`` (``repository.url``/``branch``).

    Read with a small pattern rather than a YAML parser, so that the lean learner
    environment (no PyYAML) can run it.

    Raises
    ------
    ValueError
        If ``_config.yml`` has no ``repository:`` block with an ``https://`` ``url``.

    Examples
    --------
    >>> url, branch = repository_url()
    >>> url.startswith("https://"), bool(branch)
    (True, True)
    """
    path = Path(config) if config is not None else PROJECT_ROOT / "_config.yml"
    text = path.read_text(encoding="utf-8")
    block = re.search(r"^repository:\s*\n((?:[ \t]+.*\n?|\s*#.*\n?|\s*\n)*)", text, flags=re.MULTILINE)
    fields = (
        dict(re.findall(r"^[ \t]+(url|branch):[ \t]*([^\s#]+)", block.group(1), flags=re.MULTILINE)) if block else {}
    )
    url = fields.get("url", "").strip("\"'")
    if not url.startswith("https://"):
        raise ValueError(f"{path}: repository.url must be an https:// URL, found {url!r}")
    return url.rstrip("/").removesuffix(".git"), fields.get("branch", "main").strip("\"'")


def bootstrap_source(url: str | None = None, branch: str | None = None) -> str:
    """The canonical setup cell, installing from ``url`` at ``branch`` (default: ``_config.yml``'s).

    The cell itself never imports ``genshare`` (on Colab it is not installed yet): it asks
    :func:`importlib.util.find_spec` whether it is importable, so running it twice installs
    nothing the second time. Each ``%pip`` line follows a ``print``, so the cell stays valid
    Python for tools that drop magic lines before parsing.

    Examples
    --------
    >>> print(bootstrap_source("https://github.com/me/fork", "main").splitlines()[9].strip())
    %pip install --quiet "genshare @ git+https://github.com/me/fork@main"
    """
    if url is None:
        url, default_branch = repository_url()
        branch = branch or default_branch
    return _BOOTSTRAP_TEMPLATE.format(url=url, branch=branch or "main")


def normalise_bootstrap(notebook: nbformat.NotebookNode, source: str | None = None) -> bool:
    """Make the first code cell of ``notebook`` the canonical setup cell; True if it changed.

    A first code cell tagged ``bootstrap`` is brought up to date; otherwise a setup cell is
    inserted just before the first code cell. Running it again changes nothing.

    Examples
    --------
    >>> from nbformat.v4 import new_notebook, new_code_cell, new_markdown_cell
    >>> nb = new_notebook(cells=[new_markdown_cell("# Title"), new_code_cell("x = 1")])
    >>> normalise_bootstrap(nb, "pass"), normalise_bootstrap(nb, "pass")
    (True, False)
    >>> [cell.source for cell in nb.cells]
    ['# Title', 'pass', 'x = 1']
    """
    source = bootstrap_source() if source is None else source
    codes = [index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    if codes and BOOTSTRAP_TAG in notebook.cells[codes[0]].get("metadata", {}).get("tags", []):
        cell = notebook.cells[codes[0]]
        if (
            cell.source == source
            and cell.metadata.get("tags") == _BOOTSTRAP_TAGS
            and not cell.outputs
            and cell.get("id") == _BOOTSTRAP_ID
        ):
            return False
        cell.source, cell.outputs, cell.id = source, [], _BOOTSTRAP_ID
        cell.metadata["tags"] = list(_BOOTSTRAP_TAGS)
        return True
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(_BOOTSTRAP_TAGS)}, id=_BOOTSTRAP_ID)
    notebook.cells.insert(codes[0] if codes else len(notebook.cells), cell)
    return True


def normalise_notebooks(source: str | PathLike[str] | None = None) -> list[Path]:
    """Apply :func:`normalise_bootstrap` to every notebook in ``source``; the notebooks changed.

    Also drops the per-cell execution timestamps that executing a notebook records
    (``metadata.execution``), so a re-run changes only what the cells print.
    """
    folder = Path(source) if source is not None else PROJECT_ROOT / "notebooks"
    cell = bootstrap_source()
    changed = []
    for path in sorted(folder.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        timed = [c for c in notebook.cells if "execution" in c.get("metadata", {})]
        for timed_cell in timed:
            del timed_cell.metadata["execution"]
        if normalise_bootstrap(notebook, cell) or timed:
            nbformat.write(notebook, path)
            changed.append(path)
    return changed


# ---------------------------------------------------------------------------------------
# The learner edition: what every launch route opens
# ---------------------------------------------------------------------------------------

#: Where the learner edition is committed (Colab and Binder open notebooks from the repository).
LEARNER_DIR = "learner"
#: The cell and notebook metadata key of the learner edition's generated parts.
GENERATED_KEY = "genshare"
#: A ``{glue:text}`` role: ``{glue:text}`name``` or ``{glue:text}`name:format_spec```.
_GLUE_ROLE = re.compile(r"\{glue(?::text)?\}`(?P<name>[A-Za-z_]\w*)(?::(?P<spec>[^`]*))?`")
#: Package paths whose last change is the commit the learner edition installs on Colab.
PACKAGE_PATHS = ("genshare", "data", "pyproject.toml", "setup.py")

_LEARNER_SETUP = """\
# Setup: run this cell first. On Colab and in your browser (JupyterLite) it installs the
# module and its data once; on Binder or your own computer it only checks them.
# Your own world: if your instructor gave you a course key, put it and your name here,
# then run this cell again (left empty: the module's default world, as in the book).
COURSE = ""
LEARNER = ""

import importlib
import importlib.util
import sys

if importlib.util.find_spec("genshare") is None:
    if "google.colab" in sys.modules:
        print("Installing the module and its data (once per session, about a minute)...")
        %pip install --quiet "genshare @ git+@URL@@@COMMIT@"
    elif "pyodide" in sys.modules:
        print("Installing the module in your browser...")
        %pip install genshare
    importlib.invalidate_caches()
    if importlib.util.find_spec("genshare") is None:
        raise RuntimeError(
            "The module could not be installed here, so the lesson cannot run. On Colab: "
            "Runtime > Restart session, then run this cell again. If it fails again, open the "
            "lesson on Binder or in your browser instead (the book's Setting up page: "
            "@BOOK@/chapters/setup.html)."
        )

from genshare.assignment import use_world

world_name = use_world(COURSE, LEARNER)"""

_SAY_HEADER = "# Run this cell to read the result on your world.\nfrom genshare.glue import say\n\n"


def book_url(config: str | PathLike[str] | None = None) -> str:
    """The published book's address: ``html.baseurl`` in ``_config.yml`` (no trailing slash).

    Examples
    --------
    >>> book_url().startswith("https://")
    True
    """
    path = Path(config) if config is not None else PROJECT_ROOT / "_config.yml"
    text = path.read_text(encoding="utf-8")
    block = re.search(r"^html:[ \t]*\n((?:[ \t]+.*\n?|[ \t]*\n)*)", text, flags=re.MULTILINE)
    match = re.search(r"^[ \t]+baseurl:[ \t]*([^\s#]+)", block.group(1), flags=re.MULTILINE) if block else None
    if match is None:
        raise ValueError(f"{path}: html.baseurl (the published book's address) is not set")
    url = match.group(1).strip("\"'").rstrip("/")
    if not url.startswith("https://"):
        raise ValueError(f"{path}: html.baseurl must be an https:// URL, found {url!r}")
    return url


def package_commit(root: str | PathLike[str] | None = None) -> str:
    """The commit that last changed the package or its data: what Colab installs.

    Raises
    ------
    ValueError
        If ``root`` is not a git checkout (the learner edition is written from one).
    """
    import subprocess

    folder = Path(root) if root is not None else PROJECT_ROOT
    try:
        done = subprocess.run(
            ["git", "log", "-1", "--format=%H", "--", *PACKAGE_PATHS],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        raise ValueError(
            f"{folder}: not a git checkout, so the commit to install on Colab is unknown ({error})"
        ) from None
    commit = done.stdout.strip()
    if not re.fullmatch(r"[0-9a-f]{40}", commit):
        raise ValueError(f"{folder}: git names no commit that changed {', '.join(PACKAGE_PATHS)}")
    return commit


def learner_setup_source(url: str, commit: str, book: str) -> str:
    """The learner edition's first cell: install (pinned, then checked), then name the world.

    Examples
    --------
    >>> cell = learner_setup_source("https://github.com/me/fork", "0" * 40, "https://me.github.io/fork")
    >>> "git+https://github.com/me/fork@" + "0" * 40 in cell, "use_world(COURSE, LEARNER)" in cell
    (True, True)
    """
    return _LEARNER_SETUP.replace("@URL@", url).replace("@COMMIT@", commit).replace("@BOOK@", book)


def the_book(root: str | PathLike[str] | None = None, url: str | None = None) -> Any:
    """The :class:`genshare.myst.Book` of this checkout: its pages, glossary and references."""
    from genshare.claims import load_claims
    from genshare.myst import Book, bibliography, glossary_terms, page_titles

    folder = Path(root) if root is not None else PROJECT_ROOT
    documents = [f"chapters/{p.stem}" for p in sorted((folder / "chapters").glob("*.md"))]
    documents += [f"notebooks/{p.stem}" for p in sorted((folder / "notebooks").glob("*.ipynb"))]
    return Book(
        url=url or book_url(folder / "_config.yml"),
        titles=page_titles(folder, documents),
        terms=glossary_terms(folder / "chapters" / "glossary.md"),
        citations=bibliography(folder / "references.bib"),
        claims={
            claim.claim_id: (claim.checked_on, claim.source_url)
            for claim in load_claims(folder / "data" / "policy.csv")
        },
    )


def _blocks(text: str) -> list[str]:
    """Markdown blocks separated by blank lines (a block quote stays whole)."""
    blocks: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            current.append(line)
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return blocks


def say_template(block: str) -> str:
    """A :func:`genshare.glue.say` template: glue roles become fields, other braces doubled.

    Examples
    --------
    >>> say_template("{glue:text}`share:.1%` of {x} people")
    '{share:.1%} of {{x}} people'
    """
    out, last = [], 0
    for match in _GLUE_ROLE.finditer(block):
        out.append(block[last : match.start()].replace("{", "{{").replace("}", "}}"))
        spec = match["spec"]
        out.append("{" + match["name"] + (f":{spec}" if spec else "") + "}")
        last = match.end()
    out.append(block[last:].replace("{", "{{").replace("}", "}}"))
    return "".join(out)


def _python_string(text: str) -> str:
    for quote in ('"' * 3, "'" * 3):
        if quote not in text and not text.endswith(quote[0]) and not text.endswith("\\"):
            return f"r{quote}{text}{quote}"
    return repr(text)


def _say_cell(block: str, names: list[str]) -> nbformat.NotebookNode:
    source = _SAY_HEADER + f"say({_python_string(say_template(block))})"
    return nbformat.v4.new_code_cell(
        source,
        metadata={
            GENERATED_KEY: {"kind": "computed-text", "glued": names},
            "jupyter": {"source_hidden": True},  # JupyterLab, JupyterLite: the output, not the code
            "cellView": "form",  # Colab: the same
        },
    )


def _glued_by(notebook: nbformat.NotebookNode) -> dict[str, tuple[int, bool]]:
    """name -> (index of the first code cell that glues it, whether that cell is a solution).

    Read from the committed outputs (the ``scrapbook`` metadata that :func:`genshare.glue.glue`
    writes), so names built at run time (``glue(f"mean_{column}", ...)``) are found too.
    """
    found: dict[str, tuple[int, bool]] = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                found.setdefault(name, (index, is_solution(cell)))
    return found


def _with_reasoning(source: str) -> str:
    """A check cell's source asking :func:`genshare.exercises.check` for the reasoning too.

    Examples
    --------
    >>> print(_with_reasoning('check("05.1", variable="x", world=world)'))
    check("05.1", variable="x", world=world, reasoning=True)
    """
    lines = source.rstrip().split("\n")
    if lines and lines[-1].startswith("check(") and lines[-1].endswith(")") and "reasoning=" not in lines[-1]:
        lines[-1] = lines[-1][:-1] + ", reasoning=True)"
    return "\n".join(lines)


def _checked_after(notebook: nbformat.NotebookNode, index: int) -> bool:
    following = [c for c in notebook.cells[index + 1 : index + 3] if c.cell_type == "code"]
    return any(re.search(r"\bcheck\(", c.source) for c in following)


def learner_notebook(notebook: nbformat.NotebookNode, name: str, book: Any, setup: str) -> nbformat.NotebookNode:
    """The learner edition of one notebook (see :func:`learner_edition`).

    Parameters
    ----------
    notebook
        The source notebook (MyST, with solutions and outputs).
    name
        Its file name (``05-linkage-of-quasi-identifiers.ipynb``), for links and messages.
    book
        A :class:`genshare.myst.Book`: where links point.
    setup
        The source of the learner's first cell (:func:`learner_setup_source`).

    Raises
    ------
    genshare.myst.MystError
        If a Markdown cell holds MyST with no plain form, or states a glued value that no
        earlier lesson cell computes (a sentence before its computation, or outside a
        "Why" a value that only a solution computes).
    """
    from genshare.myst import MystError, to_markdown

    here = f"notebooks/{Path(name).stem}"
    glued = _glued_by(notebook)
    cells: list[nbformat.NotebookNode] = []
    for index, original in enumerate(notebook.cells):
        tags = original.get("metadata", {}).get("tags", [])
        if DISCUSSION_TAG in tags and _checked_after(notebook, index):
            continue  # a solution's "Why": check() gives it once the answer is right
        if original.cell_type == "code":
            if BOOTSTRAP_TAG in tags:
                cells.append(nbformat.v4.new_code_cell(setup, metadata={GENERATED_KEY: {"kind": "setup"}}))
                continue
            copy = nbformat.from_dict(json.loads(json.dumps(original)))
            copy.outputs, copy.execution_count = [], None
            if is_solution(copy):
                copy.source = _PLACEHOLDER
                copy.metadata = nbformat.NotebookNode({GENERATED_KEY: {"kind": "answer"}})
            else:
                copy.metadata.pop("mystnb", None)
                copy.source = _with_reasoning(copy.source)
            cells.append(copy)
            continue
        if original.cell_type != "markdown":
            continue
        where = f"{name}, markdown cell {index}"
        pending: list[str] = []
        text = to_markdown(original.source, book, here, where)
        if DISCUSSION_TAG in tags:  # an unchecked exercise's "Why": its values come from the solution
            text = _GLUE_ROLE.sub(lambda m: f"[the value in the book]({book.page(here)})", text)
        for block in _blocks(text):
            names = list(dict.fromkeys(m["name"] for m in _GLUE_ROLE.finditer(block)))
            if not names:
                pending.append(block)
                continue
            late = [n for n in names if n not in glued or glued[n][0] > index or glued[n][1]]
            if late:
                raise MystError(
                    f"{where}: states {', '.join(late)} before a lesson cell computes it "
                    "(move the sentence after the cell that glues it)"
                )
            if pending:
                cells.append(nbformat.v4.new_markdown_cell("\n\n".join(pending)))
                pending = []
            cells.append(_say_cell(block, names))
        if pending:
            cells.append(nbformat.v4.new_markdown_cell("\n\n".join(pending)))
    if any(c.cell_type == "code" and re.search(r"\bcheck\(", c.source) for c in cells):
        cells.append(
            nbformat.v4.new_markdown_cell(
                "## Hand in your answers\n\nIf your instructor marks this lesson, fill in `COURSE` and `LEARNER` "
                "in the first cell, run the lesson and your checks, then uncomment and run the line below: it "
                "writes the answer file the marker reads (your name `.json`). Hand in that file."
            )
        )
        cells.append(
            nbformat.v4.new_code_cell(
                "from genshare.exercises import save_answers\n\n# save_answers()",
                metadata={GENERATED_KEY: {"kind": "hand-in"}},
            )
        )
    stem = Path(name).stem.split("-")[0]
    for position, cell in enumerate(cells):  # stable ids, so a regeneration changes nothing
        cell["id"] = f"learner-{stem}-{position:03d}"
    learner = nbformat.v4.new_notebook(cells=cells, metadata=json.loads(json.dumps(notebook.metadata)))
    learner.metadata[GENERATED_KEY] = {"edition": "learner", "source": f"notebooks/{name}"}
    return learner


def learner_edition(
    out: str | PathLike[str] | None = None,
    source: str | PathLike[str] | None = None,
    *,
    commit: str | None = None,
) -> list[Path]:
    """Write the learner edition of every notebook: what Binder, Colab, the browser and ``make lab`` open.

    The learner edition renders in any notebook frontend (plain JupyterLab, Colab,
    JupyterLite, VS Code):

    - no MyST: admonitions and exercises are block quotes, dropdowns ``<details>``;
      ``{term}``, ``{doc}`` and ``{cite}`` are links to the published book
      (:mod:`genshare.myst`);
    - every paragraph that states a computed value is a small cell that displays it when
      run, with the learner's own value, formatted as the book formats it
      (:func:`genshare.glue.say`);
    - no solutions, no "Why" discussions (a correct :func:`genshare.exercises.check`
      gives the reasoning), no outputs;
    - the first cell installs the package pinned to :func:`package_commit` on Colab, checks
      that the install worked, and names the world the lesson uses
      (:func:`genshare.assignment.use_world`).

    Only files whose content changes are rewritten; notebooks no longer in ``source`` are
    removed. ``tests/test_learner_edition.py`` fails when the committed edition is out of date.

    Returns
    -------
    list of Path
        Every learner notebook (written or already current).
    """
    src = Path(source) if source is not None else PROJECT_ROOT / "notebooks"
    destination = Path(out) if out is not None else PROJECT_ROOT / LEARNER_DIR
    url, _ = repository_url()
    book = the_book()
    setup = learner_setup_source(url, commit or package_commit(), book.url)
    destination.mkdir(parents=True, exist_ok=True)
    write_reasoning(src, book)
    written, names = [], set()
    for path in sorted(src.glob("*.ipynb")):
        text = nbformat.writes(learner_notebook(nbformat.read(path, as_version=4), path.name, book, setup)) + "\n"
        target = destination / path.name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        written.append(target)
        names.add(path.name)
    for stale in destination.glob("*.ipynb"):
        if stale.name not in names:
            stale.unlink()
    return written


#: Where the learner edition's generator writes each checked exercise's "Why" and solution,
#: for :func:`genshare.exercises.check` to give the reasoning once an answer is right.
REASONING_FILE = PROJECT_ROOT / "genshare" / "exercises" / "reasoning.json"


def _exercise_reasoning(notebook: nbformat.NotebookNode, name: str, book: Any) -> dict[str, dict[str, str]]:
    """exercise id -> {"why": say() template, "solution": the solution cells' code} of one notebook.

    A "Why" (a cell tagged :data:`DISCUSSION_TAG`) belongs to the exercise whose check cell
    (``check("NN.k", ...)``) follows it; its solution is the run of solution cells before it.
    """
    from genshare.myst import to_markdown

    here = f"notebooks/{Path(name).stem}"
    out: dict[str, dict[str, str]] = {}
    for index, cell in enumerate(notebook.cells):
        if DISCUSSION_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        following = [c for c in notebook.cells[index + 1 : index + 3] if c.cell_type == "code"]
        ids = [m for c in following for m in re.findall(r"\bcheck\(\s*[\"'](\d\d[a-z]?\.\d+)[\"']", c.source)]
        if not ids:
            continue
        solution: list[str] = []
        back = index - 1
        while back >= 0 and is_solution(notebook.cells[back]):
            solution.insert(0, notebook.cells[back].source)
            back -= 1
        text = to_markdown(cell.source, book, here, f"{name}, markdown cell {index}")
        text = re.sub(r"^<details><summary>[^<]*</summary>\s*|\s*</details>\s*$", "", text.strip())
        out[ids[0]] = {"why": say_template(text), "solution": "\n\n".join(solution)}
    return out


def write_reasoning(source: str | PathLike[str] | None = None, book: Any | None = None) -> Path:
    """Write :data:`REASONING_FILE` from the notebooks (``learner_edition`` calls it)."""
    src = Path(source) if source is not None else PROJECT_ROOT / "notebooks"
    book = book if book is not None else the_book()
    reasoning: dict[str, dict[str, str]] = {}
    for path in sorted(src.glob("*.ipynb")):
        reasoning.update(_exercise_reasoning(nbformat.read(path, as_version=4), path.name, book))
    text = json.dumps(dict(sorted(reasoning.items())), indent=1, ensure_ascii=False) + "\n"
    if not REASONING_FILE.is_file() or REASONING_FILE.read_text(encoding="utf-8") != text:
        REASONING_FILE.write_text(text, encoding="utf-8")
    return REASONING_FILE


def rendered_notebook(notebook: nbformat.NotebookNode, name: str, book: Any) -> nbformat.NotebookNode:
    """An executed full-edition notebook as the book shows it, for any renderer (the answer key).

    Every Markdown cell becomes plain Markdown (:mod:`genshare.myst`) with each glued value
    filled in from the notebook's own outputs, formatted as the book formats it; the "Why"
    of each exercise is a ``<details>`` block; solutions and outputs stay. nbconvert's HTML
    then shows what the book shows, on whatever world the notebook was executed.

    Raises
    ------
    KeyError
        If a sentence names a value the notebook did not glue (it was not executed, or failed).
    """
    from genshare.glue import notebook_values, render
    from genshare.myst import to_markdown

    here = f"notebooks/{Path(name).stem}"
    values = notebook_values(notebook)
    copy = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for index, cell in enumerate(copy.cells):
        if cell.cell_type == "markdown":
            text = to_markdown(cell.source, book, here, f"{name}, markdown cell {index}")
            cell.source = render(say_template(text), values)
        elif cell.cell_type == "code":
            cell.metadata.pop("jupyter", None)  # solutions shown, not collapsed
    return copy


def render_in_place(paths: list[str | PathLike[str]]) -> list[Path]:
    """Rewrite executed notebooks with :func:`rendered_notebook` (``make answer-key`` does this)."""
    book = the_book()
    done = []
    for item in paths:
        path = Path(item)
        nbformat.write(rendered_notebook(nbformat.read(path, as_version=4), path.name, book), path)
        done.append(path)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m genshare.teaching", description="Write the learner edition of the notebooks, or normalise them."
    )
    parser.add_argument(
        "--learner",
        action="store_true",
        help="write the learner edition (what every launch route opens), from a git checkout",
    )
    parser.add_argument("--out", default=None, help=f"folder for the learner edition (default: {LEARNER_DIR}/)")
    parser.add_argument("--source", default=None, help="folder of notebooks (default: the module's notebooks/)")
    parser.add_argument(
        "--normalise",
        action="store_true",
        help="apply the notebook conventions in place (the canonical setup cell "
        "first, every solution hidden on the web and in JupyterLab)",
    )
    parser.add_argument(
        "--hide-solutions",
        action="store_true",
        help="only mark every solution cell as hidden (web and JupyterLab), in place",
    )
    parser.add_argument(
        "--render",
        nargs="+",
        metavar="NOTEBOOK",
        help="rewrite these executed notebooks as the book shows them (plain Markdown, "
        "computed values filled in): the answer key",
    )
    args = parser.parse_args(argv)
    if args.render:
        from genshare.myst import MystError

        try:
            done = render_in_place(args.render)
        except (MystError, KeyError, OSError, ValueError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"rendered {len(done)} notebook(s) as the book shows them")
        return 0
    if not (args.learner or args.normalise or args.hide_solutions):
        parser.error("say what to do: --learner, --normalise, --hide-solutions or --render")
    if args.normalise:
        try:
            changed = normalise_notebooks(args.source)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"setup cell updated in {len(changed)} notebook(s)" + "".join(f"\n  {p.name}" for p in changed))
    if args.normalise or args.hide_solutions:
        rewritten = hide_solutions_in_place()
        print(
            f"hid the solutions of {len(rewritten)} notebook(s)" if rewritten else "every solution was already hidden"
        )
    if args.learner:
        from genshare.myst import MystError

        try:
            written = learner_edition(args.out, args.source)
        except (MystError, ValueError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"learner edition: {len(written)} notebooks in {written[0].parent if written else args.out}/")
        import subprocess

        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", *PACKAGE_PATHS], cwd=PROJECT_ROOT, capture_output=True, text=True
        ).stdout.splitlines()
        dirty = [line[3:] for line in dirty if line.strip()]
        if dirty:
            print(
                "note: the package has uncommitted changes ("
                + ", ".join(dirty[:5])
                + "). Colab installs the last commit that changed it: commit them, then run this again."
            )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
