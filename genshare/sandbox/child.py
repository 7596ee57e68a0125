"""The program that runs inside the sandbox: execute one notebook's code cells.

Run by :func:`genshare.sandbox.run_notebook` as ``python -E -s -m genshare.sandbox.child
NOTEBOOK --audit-hook`` inside bubblewrap; never run it outside the sandbox (it executes
the notebook's code as it is). Every ``check("NN.k", ...)`` of the notebook records its
answer in ``GENSHARE_RECORD_ANSWERS`` (recording mode of :mod:`genshare.exercises`) instead
of checking it; the marker reads the recorded answers after the sandbox has ended.

The audit hook installed before the first cell (unless ``--no-audit-hook``) refuses
starting processes, opening sockets and loading native code with :mod:`ctypes`. It is
defence in depth, not the boundary: code in this process can disarm it. What holds is
the sandbox around this process (see :mod:`genshare.sandbox`).

Examples
--------
::

    bwrap ... python -E -s -m genshare.sandbox.child /submission/notebook.ipynb --audit-hook
"""

from __future__ import annotations

import json
import os
import sys

__all__ = ["main"]

_REFUSED = frozenset(
    {
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "pty.spawn",
        "socket.__new__",
        "socket.connect",
        "socket.bind",
        "ctypes.dlopen",
    }
)


def _hook(event: str, args: tuple) -> None:
    if event in _REFUSED:
        raise PermissionError(f"refused in the marking sandbox: {event}")


def _cells(path: str) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        notebook = json.load(handle)
    cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
    sources = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        sources.append("".join(map(str, source)) if isinstance(source, list) else str(source))
    return sources


def main(argv: list[str] | None = None) -> int:
    """Run the code cells of the notebook ``argv[0]``; 0 when every cell was run (errors included)."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print("usage: python -m genshare.sandbox.child NOTEBOOK [--audit-hook|--no-audit-hook]", file=sys.stderr)
        return 2
    sys.dont_write_bytecode = True
    scratch = os.environ.get("HOME", "/scratch")
    os.makedirs(os.environ.get("MPLCONFIGDIR", f"{scratch}/.matplotlib"), exist_ok=True)
    # Everything the notebooks use is imported before the submission's code runs.
    import matplotlib

    matplotlib.use("Agg")
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    from IPython.core.interactiveshell import InteractiveShell

    import genshare.cohort  # noqa: F401
    import genshare.exercises

    genshare.exercises.exercises()
    cells = _cells(argv[0])
    os.chdir(scratch)
    sys.path[:] = [p for p in sys.path if p not in ("", ".")]
    shell = InteractiveShell.instance()
    if "--no-audit-hook" not in argv[1:]:
        sys.addaudithook(_hook)
    for number, source in enumerate(cells, start=1):
        result = shell.run_cell(source, store_history=False, silent=False)
        if not result.success:
            error = result.error_in_exec or result.error_before_exec
            print(f"[marking] cell {number} raised {type(error).__name__}", file=sys.stderr)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
