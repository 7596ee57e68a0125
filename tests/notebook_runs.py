"""Execute notebooks in parallel, each in its own process, for the tests that run whole lessons.

Used by ``tests/test_learner_edition.py`` (the learner edition on the lite world) and ``tests/test_other_world.py``
(every notebook on another world). Each notebook runs in a ``jupyter-execute`` process
(nbclient's command line, the runner of ``make notebooks``) in the folder it is in, so two
or more run at once on the machine's cores.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def execute_in_place(paths: list[Path], env: dict[str, str] | None = None, timeout: int = 300) -> dict[str, tuple[int, str]]:
    """Run every notebook of ``paths`` in place; name -> (return code, standard error).

    ``env`` adds environment variables for the kernels (the repository is always on
    ``PYTHONPATH``, after any ``PYTHONPATH`` that ``env`` gives). At most four notebooks, and
    at least two, run at once.
    """
    extra = dict(env or {})
    python_path = [extra.pop("PYTHONPATH", ""), str(ROOT), os.environ.get("PYTHONPATH", "")]
    environment = {**os.environ, **extra, "PYTHONPATH": os.pathsep.join(p for p in python_path if p)}

    def execute(path: Path) -> tuple[int, str]:
        command = [sys.executable, "-c", "from nbclient.cli import main; main()", "--inplace", f"--timeout={timeout}", str(path)]
        done = subprocess.run(command, cwd=path.parent, env=environment, capture_output=True, text=True, timeout=3 * timeout)
        return done.returncode, done.stderr

    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 1))) as pool:
        return dict(zip([p.name for p in paths], pool.map(execute, paths)))
