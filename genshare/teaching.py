"""Tools for instructors: a student edition of the notebooks.

``python -m genshare.teaching --out student`` (or ``make student``) writes a copy of every
notebook in ``notebooks/`` with the exercise solutions removed and all outputs cleared,
ready to hand out. A solution is a code cell tagged ``solution``; it is replaced by an
empty cell that invites the student's answer.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from os import PathLike
from pathlib import Path

import nbformat

from genshare.paths import PROJECT_ROOT

__all__ = ["SOLUTION_TAG", "student_edition", "student_notebook"]

SOLUTION_TAG = "solution"
_PLACEHOLDER = "# Your answer here\n"


def student_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``notebook`` without solutions or outputs.

    Examples
    --------
    >>> from nbformat.v4 import new_notebook, new_code_cell
    >>> nb = new_notebook(cells=[new_code_cell("1 + 1"), new_code_cell("42", metadata={"tags": ["solution"]})])
    >>> [cell.source for cell in student_notebook(nb).cells]
    ['1 + 1', '# Your answer here\\n']
    """
    copy = nbformat.reads(nbformat.writes(notebook), as_version=4)  # a deep copy
    for cell in copy.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        if SOLUTION_TAG in tags:
            cell.source = _PLACEHOLDER
            cell.metadata["tags"] = [tag for tag in tags if tag not in (SOLUTION_TAG, "hide-input")]
        cell.outputs = []
        cell.execution_count = None
    return copy


def student_edition(
    source: str | PathLike[str] | None = None,
    out: str | PathLike[str] = "student",
    *,
    force: bool = False,
) -> list[Path]:
    """Write the student edition of every notebook in ``source`` (default ``notebooks/``) to ``out``.

    The ``data/`` folder the notebooks read is not copied: students run the notebooks
    inside a checkout of the module (or on Binder), where ``genshare`` finds it.

    Raises
    ------
    FileExistsError
        If ``out`` exists and ``force`` is false.
    """
    src = Path(source) if source is not None else PROJECT_ROOT / "notebooks"
    notebooks = sorted(src.glob("*.ipynb"))
    if not notebooks:
        raise ValueError(f"{src}: no notebooks found")
    destination = Path(out)
    if destination.exists():
        if not force:
            raise FileExistsError(f"{destination} already exists; pass force=True (or --force) to replace it")
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    written = []
    for path in notebooks:
        target = destination / path.name
        nbformat.write(student_notebook(nbformat.read(path, as_version=4)), target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genshare.teaching", description="Write the student edition of the notebooks.")
    parser.add_argument("--out", default="student", help="folder to write (default: %(default)s)")
    parser.add_argument("--source", default=None, help="folder of notebooks (default: the module's notebooks/)")
    parser.add_argument("--force", action="store_true", help="replace the folder if it exists")
    args = parser.parse_args(argv)
    try:
        written = student_edition(args.source, args.out, force=args.force)
    except (FileExistsError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} student notebooks to {args.out}/ (solutions removed, outputs cleared)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
