"""Mark a folder of submissions, each on its own learner's world.

::

    python -m genshare.marking SUBMISSIONS --course ws-2027-03 --out scores.csv [--feedback feedback/]

What a submission is
--------------------
Each entry of ``SUBMISSIONS`` is one learner, named by the entry (``ana.json``,
``ana.ipynb`` or a folder ``ana/``; the learner id is the name without its extension and
is normalised as in :func:`genshare.assignment.normalise`):

- an **answer file** ``<learner>.json``: ``{"learner": "ana", "answers": {"03.1": 18,
  "05.1": [422, 21], ...}}`` (the ``learner`` field is optional; answers are plain JSON, or
  tables encoded by :func:`genshare.exercises.encode_answer`);
- a **notebook** ``<learner>.ipynb`` (or several, and/or an ``answers.json``, in a folder
  ``<learner>/``): the notebook is *executed* in a sandbox on the learner's world, and every
  call of ``check("NN.k", ...)`` in it records the answer instead of checking it. The
  exercise id in the call is how answers are found; the last answer to an exercise counts.

Each answer is then compared **outside the sandbox** with the reference answer computed on
the learner's world (:func:`genshare.assignment.world_for` finds or makes it), with the
same checks and hints as the learners used. The reference answers are never written where
a submission can read them: they are computed in the marking process, after the
submission's process has ended.

The sandbox
-----------
A notebook runs in its own Python process (``python -I``: no user site, no ``PYTHONPATH``
from the marker) with

- a wall-clock timeout (default [120 s]) after which its whole process group is killed,
  and resource limits (``setrlimit``): CPU seconds, address space (default 3 GiB), largest
  file written (16 MiB), open files (256);
- an empty scratch folder as working directory, ``HOME`` and ``TMPDIR``, and a stripped
  environment (only ``PATH=/usr/bin:/bin``, the world, the recording file and a few
  settings; none of the marker's variables);
- **no network**: when the machine allows unprivileged user namespaces the process is
  started under ``unshare --user --map-root-user --net``, in a network namespace with no
  interface but loopback (kernel-enforced). Otherwise, and in addition, an audit hook
  refuses to create sockets;
- a Python **audit hook** (:pep:`578`), installed before the submission's code runs, that
  refuses: opening for writing, creating, deleting, renaming or changing any path outside
  the scratch folder; opening for reading anything but the Python installation, the
  ``genshare`` package and its data, the learner's world and the scratch folder; starting
  processes (``subprocess``, ``os.system``, ``exec``, ``fork``, ``posix_spawn``); sockets;
  and loading native code through ``ctypes``.

What this does **not** prevent: audit hooks are not a security boundary (PEP 578 says so);
code that finds a path the hooks do not cover (for example a C extension already loaded
that writes files) is stopped only by the kernel-enforced limits above. And the checks'
code is part of the package the learners have: a submission can compute right answers
with it, as a learner can read the instructor edition's solutions. The marker grades
answers, not authorship. Filesystem writes
outside scratch are refused by the hook, not by the kernel; for untrusted submissions from
strangers run the marker itself in a container or a throw-away virtual machine. Answer
files (JSON) are only parsed (size-limited), never executed.

Why not nbgrader or otter-grader
--------------------------------
See the instructor guide ("Assessment: worlds, checks and marking"). In short: both
grade every student against one shared set of hidden tests and one data set; here every
learner has a different world, and the expected answers are computed from it by the
package's own checks, which learners already use, so the marker reuses them directly.

Challenge scoreboard
--------------------
If :mod:`genshare.challenge` (issue 16 item 4) provides a function
``scoreboard_row(world, folder) -> Mapping[str, float]``, the marker calls it for every
learner whose submission folder holds a ``challenge/`` folder (the release the learner made)
and adds the returned values as ``challenge_<name>`` columns. That hook reads the release
files as data; it does not execute them.
:func:`genshare.challenge.scoreboard_row` provides it; the format of a saved release (one
CSV file per kind, written by :func:`genshare.challenge.save_release`) is in the docstring
of :mod:`genshare.challenge`, "A saved release".
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from genshare.paths import PROJECT_ROOT

__all__ = ["MarkingLimits", "Submission", "find_submissions", "mark", "mark_folder", "main"]

#: Largest answer file or recorded-answers file read (bytes).
MAX_ANSWER_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class MarkingLimits:
    """Limits of one submission's sandbox."""

    timeout: float = 120.0
    cpu_seconds: int = 120
    memory_bytes: int = 3 * 1024**3
    file_bytes: int = 16 * 1024**2
    open_files: int = 256


@dataclass
class Submission:
    """One learner's submission: answer files and notebooks."""

    learner: str
    answer_files: list[Path] = field(default_factory=list)
    notebooks: list[Path] = field(default_factory=list)
    folder: Path | None = None


def find_submissions(folder: str | os.PathLike[str]) -> list[Submission]:
    """The submissions in ``folder`` (see the module docstring), sorted by learner.

    Raises
    ------
    FileNotFoundError
        If ``folder`` is not a folder.
    ValueError
        If two entries are the same learner once normalised (naming both).
    """
    from genshare.assignment import normalise

    root = Path(folder)
    if not root.is_dir():
        raise FileNotFoundError(f"submissions folder {root} does not exist or is not a folder")
    found: dict[str, Submission] = {}
    names: dict[str, str] = {}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        if entry.is_dir():
            sub = Submission(entry.name, folder=entry)
            sub.notebooks = sorted(p for p in entry.glob("*.ipynb") if p.is_file() and not p.is_symlink())
            sub.answer_files = sorted(p for p in entry.glob("*.json") if p.is_file() and not p.is_symlink())
        elif entry.suffix == ".ipynb":
            sub = Submission(entry.stem, notebooks=[entry])
        elif entry.suffix == ".json":
            sub = Submission(entry.stem, answer_files=[entry])
        else:
            continue
        key = normalise(sub.learner)
        if key in found:
            raise ValueError(f"{root}: {names[key]!r} and {entry.name!r} are the same learner ({key!r}); keep one")
        found[key], names[key] = sub, entry.name
    return [found[k] for k in sorted(found)]


# --------------------------------------------------------------------- the sandbox

_CHILD = r'''
import os, sys
ROOT, SCRATCH, WORLD, NOTEBOOK = sys.argv[1:5]
sys.path.insert(0, ROOT)
sys.dont_write_bytecode = True
import json, pathlib
import numpy, pandas, matplotlib
matplotlib.use("Agg")
import genshare.exercises, genshare.cohort
from IPython.core.interactiveshell import InteractiveShell

def _real(p):
    return os.path.realpath(p)

SCRATCH = _real(SCRATCH)
READ = [_real(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
        os.path.join(ROOT, "genshare"), os.path.join(ROOT, "data"), WORLD, SCRATCH,
        "/usr", "/lib", "/lib64", "/etc", "/dev/null", "/dev/urandom", "/proc/self", "/sys/devices/system/cpu"}]
WRITE = [SCRATCH, "/dev/null"]

def _under(path, roots):
    try:
        p = _real(os.fsdecode(path))
    except Exception:
        return False
    return any(p == r or p.startswith(r.rstrip("/") + "/") for r in roots)

_PATH_EVENTS = {"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.symlink",
                "os.link", "os.truncate", "os.utime", "shutil.rmtree", "shutil.move", "shutil.copyfile"}
_REFUSED = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
            "os.forkpty", "pty.spawn", "ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata", "os.kill", "os.killpg",
            "socket.__new__", "socket.connect", "socket.bind", "socket.getaddrinfo", "socket.sendto",
            "urllib.Request", "sys.setprofile", "sys.settrace", "os.putenv", "os.unsetenv"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

def _hook(event, args):
    if event in _REFUSED:
        raise PermissionError(f"refused in the marking sandbox: {event}")
    if event == "open":
        path, mode, flags = args
        if path is None or isinstance(path, int):
            return
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool((flags or 0) & _WRITE_FLAGS)
        if writing and not _under(path, WRITE):
            raise PermissionError(f"refused in the marking sandbox: writing {path}")
        if not _under(path, READ):
            raise PermissionError(f"refused in the marking sandbox: reading {path}")
    elif event in _PATH_EVENTS:
        for arg in args[:2]:
            if isinstance(arg, (str, bytes, os.PathLike)) and not _under(arg, WRITE):
                raise PermissionError(f"refused in the marking sandbox: {event} {arg}")
    elif event in ("os.listdir", "os.scandir") and args and isinstance(args[0], (str, bytes, os.PathLike)):
        if not _under(args[0], READ):
            raise PermissionError(f"refused in the marking sandbox: listing {args[0]}")

with open(NOTEBOOK, encoding="utf-8") as handle:
    notebook = json.load(handle)
cells = ["".join(c.get("source", "")) if isinstance(c.get("source"), list) else str(c.get("source", ""))
         for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
shell = InteractiveShell.instance()
sys.addaudithook(_hook)
for number, source in enumerate(cells, start=1):
    result = shell.run_cell(source, store_history=True, silent=False)
    if not result.success:
        print(f"[marking] cell {number} raised {type(result.error_in_exec or result.error_before_exec).__name__}", file=sys.stderr)
'''


@lru_cache(maxsize=1)
def _unshare_prefix() -> tuple[str, ...]:
    """``unshare`` arguments for a network namespace, if this machine allows them."""
    tool = shutil.which("unshare")
    if tool is None:
        return ()
    try:
        probe = subprocess.run([tool, "--user", "--map-root-user", "--net", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return (tool, "--user", "--map-root-user", "--net") if probe.returncode == 0 else ()


def _limits(limits: MarkingLimits):
    def apply() -> None:
        import resource

        os.setsid()
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


@dataclass
class RunResult:
    """What running one notebook in the sandbox gave."""

    answers: dict[str, Any]
    status: str
    seconds: float
    log: str = ""


def run_notebook(notebook: Path, world: Path, limits: MarkingLimits = MarkingLimits(), *, network_namespace: bool | None = None) -> RunResult:
    """Execute ``notebook`` in the sandbox on ``world`` and return the answers it recorded.

    ``status`` is ``"ok"``, ``"timeout"`` (killed after ``limits.timeout`` seconds),
    ``"crashed"`` (the process ended with an error status, e.g. a resource limit) or
    ``"malformed"`` (not a readable notebook). Answers recorded before a timeout or crash count.
    """
    from genshare.exercises import RECORD_ENV, decode_answer

    try:
        if notebook.stat().st_size > MAX_ANSWER_BYTES * 4:
            return RunResult({}, "malformed", 0.0, "notebook too large")
        json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        return RunResult({}, "malformed", 0.0, f"not a readable notebook: {error}")
    prefix = list(_unshare_prefix()) if network_namespace in (None, True) else []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="genshare-mark-") as scratch_name:
        scratch = Path(scratch_name) / "work"
        scratch.mkdir()
        copy = scratch / "submission.ipynb"
        shutil.copyfile(notebook, copy)
        record = scratch / ".answers.jsonl"
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(scratch),
            "TMPDIR": str(scratch),
            "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": str(scratch / ".matplotlib"),
            "IPYTHONDIR": str(scratch / ".ipython"),
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "GENSHARE_WORLD": str(world),
            RECORD_ENV: str(record),
        }
        command = [*prefix, sys.executable, "-I", "-c", _CHILD, str(PROJECT_ROOT), str(scratch), str(world), str(copy)]
        process = subprocess.Popen(command, cwd=scratch, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, preexec_fn=_limits(limits), close_fds=True)
        try:
            out, err = process.communicate(timeout=limits.timeout)
            status = "ok" if process.returncode == 0 else "crashed"
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            out, err = process.communicate()
            status = "timeout"
        answers: dict[str, Any] = {}
        if record.is_file() and not record.is_symlink() and record.stat().st_size <= MAX_ANSWER_BYTES:
            for line in record.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    item = json.loads(line)
                    answers[str(item["exercise"])] = decode_answer(item["answer"])
                except (ValueError, KeyError, TypeError, RecursionError):
                    continue
    log = (err or b"")[-4000:].decode("utf-8", errors="replace")
    return RunResult(answers, status, time.perf_counter() - start, log)


def read_answer_file(path: Path) -> dict[str, Any]:
    """The answers of an answer file (see the module docstring).

    Raises ``ValueError`` naming the file if it is too large, not JSON, or not of that form.
    """
    from genshare.exercises import decode_answer

    if path.stat().st_size > MAX_ANSWER_BYTES:
        raise ValueError(f"{path.name}: answer file larger than {MAX_ANSWER_BYTES} bytes")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as error:
        raise ValueError(f"{path.name}: not valid JSON ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise ValueError(f"{path.name}: expected an object with an 'answers' object mapping exercise ids to answers")
    try:
        return {str(k): decode_answer(v) for k, v in data["answers"].items()}
    except (ValueError, RecursionError) as error:
        raise ValueError(f"{path.name}: an answer could not be read ({error})") from None


# ----------------------------------------------------------------------- marking


def mark(
    submission: Submission,
    course: str,
    *,
    cache: str | os.PathLike[str] | None = None,
    limits: MarkingLimits = MarkingLimits(),
    world_params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Mark one submission: a row of the score sheet, plus ``feedback`` (exercise -> message)."""
    from genshare.assignment import learner_seed, normalise, world_for
    from genshare.cohort import load_world
    from genshare.exercises import evaluate, exercises, get_exercise

    world_folder = world_for(course, submission.learner, cache=cache, **dict(world_params or {}))
    answers: dict[str, Any] = {}
    statuses, notes = [], []
    for path in submission.answer_files:
        try:
            answers.update(read_answer_file(path))
            statuses.append("ok")
        except (ValueError, OSError) as error:
            statuses.append("malformed")
            notes.append(str(error))
    seconds = 0.0
    for path in submission.notebooks:
        result = run_notebook(path, world_folder, limits)
        answers.update(result.answers)
        statuses.append(result.status)
        seconds += result.seconds
        if result.status != "ok":
            notes.append(f"{path.name}: {result.status}")
    world = load_world(world_folder)
    row: dict[str, Any] = {"learner": normalise(submission.learner), "seed": learner_seed(course, submission.learner)}
    feedback: dict[str, str] = {}
    total = 0
    known = {e.id for e in exercises()}
    for exercise_id, answer in answers.items():
        try:
            if get_exercise(exercise_id).id not in known:
                raise KeyError(exercise_id)
        except KeyError:
            notes.append(f"unknown exercise {exercise_id!r} ignored")
    for exercise in exercises():
        if exercise.id not in answers:
            row[exercise.id] = ""
            continue
        try:
            verdict = evaluate(exercise.id, answers[exercise.id], world=world)
        except Exception as error:  # a reference computation must not stop the whole marking
            row[exercise.id] = 0
            feedback[exercise.id] = f"Exercise {exercise.id}: could not be checked ({type(error).__name__}: {error})."
            continue
        row[exercise.id] = int(verdict.correct)
        total += int(verdict.correct)
        feedback[exercise.id] = verdict.message
    row["total"] = total
    row["status"] = "no submission" if not statuses else ("ok" if set(statuses) == {"ok"} else ";".join(sorted(set(statuses) - {"ok"})))
    row["seconds"] = round(seconds, 1)
    row["notes"] = "; ".join(notes)
    row.update(_challenge_row(world, submission))
    row["feedback"] = feedback
    return row


def _challenge_row(world: Any, submission: Submission) -> dict[str, Any]:
    """The challenge scoreboard columns, if genshare.challenge provides the hook."""
    if submission.folder is None or not (submission.folder / "challenge").is_dir():
        return {}
    try:
        from genshare import challenge  # type: ignore[attr-defined]
    except ImportError:
        return {}
    scorer = getattr(challenge, "scoreboard_row", None)
    if scorer is None:
        return {}
    try:
        return {f"challenge_{k}": v for k, v in dict(scorer(world, submission.folder / "challenge")).items()}
    except Exception as error:  # a broken release is the learner's problem, not the marker's
        return {"challenge_error": f"{type(error).__name__}: {error}"}


def mark_folder(
    folder: str | os.PathLike[str],
    course: str,
    out: str | os.PathLike[str],
    *,
    cache: str | os.PathLike[str] | None = None,
    feedback: str | os.PathLike[str] | None = None,
    limits: MarkingLimits = MarkingLimits(),
    world_params: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Mark every submission of ``folder`` and write the score sheet ``out`` (CSV: one row per
    learner, one column per exercise with 1 correct, 0 not yet, empty not answered; total;
    status; challenge columns). ``feedback`` (a folder) receives ``<learner>.txt`` with the
    check's message for each answered exercise."""
    from genshare.exercises import exercises

    rows = [mark(s, course, cache=cache, limits=limits, world_params=world_params) for s in find_submissions(folder)]
    columns = ["learner", "seed", *[e.id for e in exercises()], "total", "status", "seconds", "notes"]
    extra = sorted({k for r in rows for k in r} - set(columns) - {"feedback"})
    out_path = Path(out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with out_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns + extra, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    if feedback is not None:
        target = Path(feedback)
        target.mkdir(parents=True, exist_ok=True)
        for row in rows:
            text = "\n".join(row["feedback"].values()) or "No answers found."
            (target / f"{row['learner']}.txt").write_text(text + "\n", encoding="utf-8")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genshare.marking", description="Mark a folder of submissions, each on its own learner's world.")
    parser.add_argument("submissions", help="folder of <learner>.json, <learner>.ipynb or <learner>/ entries")
    parser.add_argument("--course", required=True, help="the course key the learners' worlds were made with")
    parser.add_argument("--out", default="scores.csv", help="score sheet to write (default scores.csv)")
    parser.add_argument("--feedback", help="folder for one feedback file per learner")
    parser.add_argument("--cache", help="folder of the learners' worlds (default as genshare.assignment)")
    parser.add_argument("--timeout", type=float, default=MarkingLimits.timeout, help="seconds per notebook (default 120)")
    parser.add_argument("--memory-mb", type=int, default=MarkingLimits.memory_bytes // 1024**2, help="address space per submission (default 3072)")
    args = parser.parse_args(argv)
    limits = MarkingLimits(timeout=args.timeout, cpu_seconds=int(args.timeout) + 5, memory_bytes=args.memory_mb * 1024**2)
    try:
        rows = mark_folder(args.submissions, args.course, args.out, cache=args.cache, feedback=args.feedback, limits=limits)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"marked {len(rows)} submissions; scores in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
