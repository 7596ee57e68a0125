"""Run one submitted notebook in a kernel-enforced sandbox (bubblewrap), for the marker.

:mod:`genshare.marking` marks answer files without running anything. Only when the
instructor asks for it (``--execute-notebooks``) does it execute a submitted notebook, and
then each notebook runs here, in a sandbox of its own.

Threat model
------------
The attacker is a learner in the class: they write the notebook, know this package (the
checks are part of what they use) and may want a better mark, another learner's worse
mark, the answer keys, or the marker's machine. So the sandbox must keep the notebook
away from everything but its own inputs, whatever Python code it runs. Wrapping the whole
marker in a container does not help: it would contain the attacker together with the
marks. A Python audit hook (:pep:`578`) is not a boundary either: code in the same
process can disarm it (its state is reachable through :mod:`gc`) or walk around it
(``os.open`` with ``dir_fd``, ``sqlite3``, ``_posixsubprocess.fork_exec`` raise no
event it checks). The boundary here is the kernel.

The tool: bubblewrap
--------------------
``bwrap`` (Debian package ``bubblewrap``) is the sandbox Flatpak runs every desktop
application in: maintained, small, unprivileged (it uses user namespaces; no setuid
helper and no daemon), and it builds the sandbox's file system from nothing but what it
is told to bind. It is used rather than a sandbox written here. Each notebook gets:

- ``--unshare-all --unshare-user --disable-userns``: its own user, pid, network, IPC, UTS
  and cgroup namespaces, and no further user namespaces inside. The network namespace
  has only a loopback interface of its own: no route anywhere, 127.0.0.1 is the
  sandbox's own (no service of the host listens there), and the host's abstract Unix
  sockets are not in it; no host path that holds a socket is bound, so no path-based
  Unix socket can be reached either.
- ``--die-with-parent --new-session``: the sandbox dies with the marker, and cannot push
  input into the marker's terminal.
- a new root built from scratch and then made read-only (``--remount-ro /``), holding
  only, read-only: the interpreter's prefixes and library folders (from ``sys.prefix``,
  ``sys.base_prefix``, ``sys.exec_prefix`` and :mod:`sysconfig`), ``/usr/lib`` and the
  ``/lib*`` links, ``/etc/ld.so.cache``, ``/usr/share/zoneinfo``, the ``genshare`` package and its data at
  ``/opt/genshare``, a copy of the learner's world at ``/world`` and of the notebook at
  ``/submission/notebook.ipynb`` (copies in a private folder, so that no mount names the
  submissions folder or the worlds' cache); plus ``/proc`` of its own pid namespace (other
  processes, the marker's included, are not in it), a minimal ``/dev``, and two
  size-limited tmpfs (``/scratch``, the working folder and ``HOME``; ``/dev/shm``). No
  ``/etc/passwd``, no ``/home``, no ``/tmp`` of the host, no shell.
- one host file bound writable: ``/scratch/answers.jsonl``, where :func:`genshare.exercises.check`
  records answers. The marker reads it after the sandbox has ended, as untrusted JSON
  lines, at most :data:`MAX_ANSWERS_BYTES`.
- user and group 65534 inside (the marker's own user outside, as the user namespace maps
  it; no capabilities, no new privileges), an empty environment but for a few settings,
  and bubblewrap's options passed through a pipe (``--args``), so that ``/proc/1/cmdline``
  in the sandbox shows no host path but the interpreter's (which the sandbox holds anyway).
- resource limits set before ``bwrap`` starts (so they hold for everything in the
  sandbox): processes (``RLIMIT_NPROC``), CPU seconds, address space, largest file
  written (``RLIMIT_FSIZE``, which also caps the captured output), open files, no core
  files. Output goes to two files the marker reads the end of.
- a seccomp filter (:func:`seccomp_program`) that refuses creating processes (threads are
  allowed) and a few system calls a notebook never needs (``ptrace``, ``unshare``,
  ``setns``, ``mount``, key rings, ``bpf``, ``userfaultfd``, ``perf_event_open``,
  ``io_uring``). The kernel does not apply ``RLIMIT_NPROC`` to root's processes, and
  a marker run as root (a CI container) maps the sandbox's user to root: the filter
  stops a fork bomb there too.
- a wall-clock timeout, after which ``bwrap`` is killed; its process 1 then dies, and the
  kernel kills every process of the pid namespace with it (``setsid`` does not help).

Inside, :mod:`genshare.sandbox.child` runs the notebook's code cells. It keeps an audit
hook that refuses starting processes and opening sockets, as defence in depth only: the
tests disarm it and the sandbox still holds.

Where ``bwrap`` is missing or the kernel refuses user namespaces (some hardened
distributions, containers without them, macOS), :func:`unavailable` says why (it probes
once) and the marker refuses to execute notebooks; it never falls back to a weaker
sandbox. Answer files are marked anyway.

Examples
--------
>>> reason = unavailable()   # doctest: +SKIP
>>> reason is None           # doctest: +SKIP
True
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "MAX_ANSWERS_BYTES",
    "Limits",
    "RunResult",
    "SandboxUnavailable",
    "bwrap_arguments",
    "run_notebook",
    "unavailable",
]

#: Largest answers file read back from a sandbox (bytes).
MAX_ANSWERS_BYTES = 8 * 1024 * 1024
#: Largest notebook executed (bytes).
MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024
#: How much of the captured output is kept for the marker's log (bytes, from the end).
LOG_BYTES = 4000

#: Paths inside the sandbox.
PACKAGE_ROOT = "/opt/genshare"
WORLD = "/world"
SCRATCH = "/scratch"
NOTEBOOK = "/submission/notebook.ipynb"
ANSWERS = "/scratch/answers.jsonl"
#: The unprivileged user and group the notebook runs as, inside the sandbox.
SANDBOX_UID = 65534

_MARKER = "[genshare-sandbox]"


class SandboxUnavailable(RuntimeError):
    """This machine cannot run the sandbox (the message says why and what to do instead)."""


@dataclass(frozen=True)
class Limits:
    """Limits of one notebook's sandbox.

    Attributes
    ----------
    timeout
        Wall-clock seconds before the whole sandbox is killed.
    cpu_seconds, memory_bytes, file_bytes, open_files, processes
        ``RLIMIT_CPU``, ``RLIMIT_AS``, ``RLIMIT_FSIZE``, ``RLIMIT_NOFILE`` and ``RLIMIT_NPROC``.
    scratch_bytes
        Size of the ``/scratch`` tmpfs (and of ``/dev/shm``).
    """

    timeout: float = 120.0
    cpu_seconds: int = 120
    memory_bytes: int = 3 * 1024**3
    file_bytes: int = 16 * 1024**2
    open_files: int = 256
    processes: int = 64
    scratch_bytes: int = 64 * 1024**2


@dataclass
class RunResult:
    """What running one notebook in the sandbox gave.

    ``status`` is ``"ok"``, ``"timeout"`` (killed after the time limit), ``"crashed"``
    (ended with an error status, e.g. a resource limit) or ``"malformed"`` (not a readable
    notebook). ``records`` are the recorded lines, each ``(exercise id, encoded answer)``
    as read (untrusted: the marker decodes and checks them); ``problems`` lists lines that
    could not be read; ``log`` is the end of the captured standard error.
    """

    records: list[tuple[Any, Any]]
    status: str
    seconds: float
    log: str = ""
    problems: list[str] | None = None


def _bwrap() -> str | None:
    return shutil.which("bwrap", path="/usr/bin:/bin:/usr/local/bin:" + os.environ.get("PATH", ""))


def _real(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.fspath(path))


def python_folders() -> list[str]:
    """The folders the interpreter needs, read-only in the sandbox (no folder inside another)."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.update(v for k, v in sysconfig.get_paths().items() if k in ("stdlib", "platstdlib", "purelib", "platlib"))
    # Only these: not sys.path, which may name any folder of the marker's user (PYTHONPATH).
    real = sorted({_real(p) for p in paths if p and os.path.isdir(p)})
    kept: list[str] = []
    for path in real:
        if path in ("/", "/usr", "/etc", "/root", "/home", "/tmp", "/var", "/proc", "/dev", "/run"):
            continue  # too wide: only what Python needs
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


def _covered(path: str, folders: list[str]) -> bool:
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def _interpreter_mounts(folders: list[str]) -> list[str]:
    """Binds for the interpreter itself when it lies outside the bound folders (a virtual
    environment's ``bin/python`` links to ``/usr/bin/python3.11``; prefixes behind links)."""
    args: list[str] = []
    seen = folders + ["/usr/lib", "/usr/lib64"]
    for path in sorted({sys.prefix, sys.base_prefix}):
        if os.path.isdir(path) and _real(path) != os.path.abspath(path) and not _covered(os.path.abspath(path), seen):
            args += ["--ro-bind", _real(path), os.path.abspath(path)]  # the prefix as Python names it
            seen.append(os.path.abspath(path))
    executable, real = os.path.abspath(sys.executable), _real(sys.executable)
    if not _covered(real, seen):
        args += ["--ro-bind", real, real]
    if executable != real and not _covered(executable, seen):
        args += ["--ro-bind", real, executable]
    return args


def _package_root() -> Path:
    from genshare.paths import PROJECT_ROOT

    return PROJECT_ROOT


def _system_mounts() -> list[str]:
    args: list[str] = []
    if os.path.isdir("/usr/lib"):
        args += ["--ro-bind", "/usr/lib", "/usr/lib"]
    if os.path.isdir("/usr/lib64") and not os.path.islink("/usr/lib64"):
        args += ["--ro-bind", "/usr/lib64", "/usr/lib64"]
    for name in ("/lib", "/lib64", "/lib32", "/libx32"):
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    if os.path.isfile("/etc/ld.so.cache"):
        args += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    if os.path.isdir("/usr/share/zoneinfo"):
        args += ["--ro-bind", "/usr/share/zoneinfo", "/usr/share/zoneinfo"]
    return args


def bwrap_arguments(world: Path, notebook: Path, answers: Path, limits: Limits) -> list[str]:
    """bubblewrap's arguments for one notebook (see the module docstring), without ``bwrap`` itself."""
    root = _package_root()
    args = [
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_UID),
        "--hostname",
        "sandbox",
        "--clearenv",
    ]
    folders = python_folders()
    for path in folders:
        args += ["--ro-bind", path, path]
    args += _interpreter_mounts(folders) + _system_mounts()
    args += ["--ro-bind", _real(root / "genshare"), f"{PACKAGE_ROOT}/genshare"]
    for name in ("data", "pyproject.toml"):
        if (root / name).exists():
            args += ["--ro-bind", _real(root / name), f"{PACKAGE_ROOT}/{name}"]
    args += [
        "--ro-bind",
        _real(world),
        WORLD,
        "--ro-bind",
        _real(notebook),
        NOTEBOOK,
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(limits.scratch_bytes),
        "--tmpfs",
        "/dev/shm",
        "--size",
        str(limits.scratch_bytes),
        "--tmpfs",
        SCRATCH,
        "--bind",
        _real(answers),
        ANSWERS,
        "--remount-ro",
        "/dev",
        "--remount-ro",
        "/",
        "--chdir",
        PACKAGE_ROOT,
    ]
    environment = {
        "PATH": "/nonexistent",
        "HOME": SCRATCH,
        "TMPDIR": SCRATCH,
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": f"{SCRATCH}/.matplotlib",
        "IPYTHONDIR": f"{SCRATCH}/.ipython",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "GENSHARE_WORLD": WORLD,
        "GENSHARE_RECORD_ANSWERS": ANSWERS,
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for key, value in environment.items():
        args += ["--setenv", key, value]
    return args


# --- seccomp: no new processes (threads are fine) -------------------------------------------
#
# The kernel does not apply RLIMIT_NPROC to root's processes, and a marker run as root
# (a CI container) maps the sandbox's user to root. So a small seccomp filter, handed to
# bubblewrap, refuses creating processes (fork, vfork, clone without CLONE_THREAD; clone3
# answers ENOSYS so that the C library falls back to clone for threads), and a few calls
# a notebook never needs (ptrace, unshare, setns, mount, keyrings, bpf, userfaultfd,
# perf_event_open, io_uring). Syscalls of another ABI (32-bit, x32) kill the process.

_ARCH = {  # machine: (AUDIT_ARCH_*, clone, clone3, refused syscall numbers)
    "x86_64": (0xC000003E, 56, 435, (57, 58, 101, 272, 308, 165, 250, 248, 249, 321, 323, 298, 425)),
    "aarch64": (0xC00000B7, 220, 435, (117, 97, 268, 40, 219, 217, 218, 280, 282, 241, 425)),
}
_CLONE_THREAD = 0x00010000
_RET_ALLOW, _RET_KILL, _RET_ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
_EPERM, _ENOSYS = 1, 38


def seccomp_program() -> bytes | None:
    """The seccomp BPF program (see the comment above) for this machine, or None if unknown."""
    import platform
    import struct

    machine = platform.machine()
    if machine not in _ARCH or sys.byteorder != "little":
        return None
    arch, clone, clone3, refused = _ARCH[machine]

    def op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
        return struct.pack("<HBBI", code, jt, jf, k)

    load, ret, jeq, jge, jset = 0x20, 0x06, 0x15, 0x35, 0x45
    prog = [op(load, 4), op(jeq, arch, 1, 0), op(ret, _RET_KILL), op(load, 0)]
    if machine == "x86_64":
        prog += [op(jge, 0x40000000, 0, 1), op(ret, _RET_KILL)]
    for number in refused:
        prog += [op(jeq, number, 0, 1), op(ret, _RET_ERRNO | _EPERM)]
    prog += [op(jeq, clone3, 0, 1), op(ret, _RET_ERRNO | _ENOSYS)]
    prog += [op(jeq, clone, 1, 0), op(ret, _RET_ALLOW)]
    prog += [op(load, 16), op(jset, _CLONE_THREAD, 0, 1), op(ret, _RET_ALLOW), op(ret, _RET_ERRNO | _EPERM)]
    return b"".join(prog)


def _limit(limits: Limits):
    def apply() -> None:  # runs in the forked child, before bwrap is executed
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _command(python: str, audit_hook: bool) -> list[str]:
    # -E -s: no PYTHON* variables, no user site (as -I); the working folder, /opt/genshare
    # (read-only), is on sys.path so that -m finds the package bound there. The child then
    # moves to /scratch.
    return [
        python,
        "-E",
        "-s",
        "-m",
        "genshare.sandbox.child",
        NOTEBOOK,
        "--audit-hook" if audit_hook else "--no-audit-hook",
    ]


@lru_cache(maxsize=1)
def unavailable() -> str | None:
    """Why this machine cannot run the sandbox, or None if it can (probed once, with the real options).

    Examples
    --------
    >>> unavailable() is None or "bwrap" in unavailable()   # doctest: +SKIP
    True
    """
    if not sys.platform.startswith("linux"):
        return f"the notebook sandbox needs Linux user namespaces (bubblewrap); this is {sys.platform}"
    if seccomp_program() is None:
        return (
            f"the sandbox's seccomp filter (no new processes) knows x86_64 and aarch64 only; "
            f"this machine is {__import__('platform').machine()}"
        )
    tool = _bwrap()
    if tool is None:
        return "bubblewrap (bwrap) is not installed: install Debian's bubblewrap package (apt-get install bubblewrap)"
    probe = [
        tool,
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_UID),
        "--clearenv",
        *sum((["--ro-bind", p, p] for p in python_folders()), []),
        *_interpreter_mounts(python_folders()),
        *_system_mounts(),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        "1048576",
        "--tmpfs",
        SCRATCH,
        "--remount-ro",
        "/",
        sys.executable,
        "-E",
        "-s",
        "-c",
        "import os, socket; print(os.getuid())",
    ]
    try:
        done = subprocess.run(
            probe, capture_output=True, timeout=60, env={"PATH": "/usr/bin:/bin"}, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap could not be started ({type(error).__name__}: {error})"
    if done.returncode != 0 or done.stdout.strip() != str(SANDBOX_UID).encode():
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        return (
            f"bubblewrap cannot create the sandbox here (the kernel may refuse unprivileged user namespaces): "
            f"{message[0][:200]}"
        )
    return None


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target)


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - LOG_BYTES))
            return handle.read(LOG_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""


def read_answers(path: Path, limit: int = MAX_ANSWERS_BYTES) -> tuple[list[tuple[Any, Any]], list[str]]:
    """The recorded ``(exercise, encoded answer)`` lines of an answers file written in a sandbox.

    The file is untrusted: it is opened without following links, must be a regular file,
    and only its first ``limit`` bytes are read (a longer file is reported). A line that is
    not a JSON object with ``exercise`` and ``answer`` is reported by its number and skipped.
    """
    problems: list[str] = []
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        return [], [f"answers file could not be opened ({error.strerror})"]
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return [], ["answers file is not a regular file"]
        data = handle.read(limit + 1)
    if len(data) > limit:
        problems.append(f"answers file larger than {limit} bytes: only its first {limit} bytes were read")
        data = data[:limit]
    records: list[tuple[Any, Any]] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line.decode("utf-8"))
            if not isinstance(item, dict) or set(item) != {"exercise", "answer"}:
                raise ValueError("not an object with exactly 'exercise' and 'answer'")
        except (ValueError, RecursionError) as error:
            problems.append(f"recorded line {number} could not be read ({type(error).__name__})")
            continue
        records.append((item["exercise"], item["answer"]))
    return records, problems


def run_notebook(notebook: Path, world: Path, limits: Limits = Limits(), *, audit_hook: bool = True) -> RunResult:
    """Execute ``notebook`` in its own sandbox on ``world`` and return what it recorded.

    Raises
    ------
    SandboxUnavailable
        If this machine cannot run the sandbox (:func:`unavailable` says why).

    Examples
    --------
    >>> result = run_notebook(Path("ana.ipynb"), world_folder)   # doctest: +SKIP
    >>> result.status, result.records[:1]                         # doctest: +SKIP
    ('ok', [('01.2', 0.846)])
    """
    reason = unavailable()
    if reason is not None:
        raise SandboxUnavailable(reason)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="genshare-sandbox-") as private:
        folder = Path(private)
        os.chmod(folder, 0o700)
        copy = folder / "notebook.ipynb"
        try:
            source = os.open(notebook, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError as error:
            return RunResult([], "malformed", 0.0, f"notebook could not be opened ({error.strerror})")
        with os.fdopen(source, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return RunResult([], "malformed", 0.0, "notebook is not a regular file")
            data = handle.read(MAX_NOTEBOOK_BYTES + 1)
        if len(data) > MAX_NOTEBOOK_BYTES:
            return RunResult([], "malformed", 0.0, f"notebook larger than {MAX_NOTEBOOK_BYTES} bytes")
        try:
            json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError) as error:
            return RunResult([], "malformed", 0.0, f"not a readable notebook ({type(error).__name__})")
        copy.write_bytes(data)
        copy.chmod(0o600)
        # The world is copied (hard-linked where it can be) into the private folder, so that
        # the sandbox's /proc/self/mountinfo names no cache path (course and learner names).
        world_copy = folder / "world"
        shutil.copytree(world, world_copy, symlinks=True, copy_function=_link_or_copy)
        answers = folder / "answers.jsonl"
        answers.write_bytes(b"")
        answers.chmod(0o600)  # the sandbox's user is the marker's user, mapped: it may append
        out_path, err_path = folder / "stdout.txt", folder / "stderr.txt"
        arguments = bwrap_arguments(world_copy, copy, answers, limits) + ["--seccomp", "{filter}"]
        filter_read, filter_write = os.pipe()
        os.write(filter_write, seccomp_program() or b"")
        os.close(filter_write)
        arguments[-1] = str(filter_read)
        packed = b"".join(os.fsencode(a) + b"\0" for a in arguments)
        if len(packed) > 60000:  # a pipe holds 64 KiB; bwrap reads it after we have written everything
            raise SandboxUnavailable("bubblewrap's arguments are too long for the pipe (very long install paths)")
        read_end, write_end = os.pipe()
        os.write(write_end, packed)
        os.close(write_end)
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            process = subprocess.Popen(
                [_bwrap() or "bwrap", "--args", str(read_end), "--", *_command(sys.executable, audit_hook)],
                env={"PATH": "/usr/bin:/bin"},
                cwd="/",
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                pass_fds=(read_end, filter_read),
                start_new_session=True,
                preexec_fn=_limit(limits),
            )
        os.close(read_end)
        os.close(filter_read)
        try:
            code = process.wait(timeout=limits.timeout)
            status = "ok" if code == 0 else "crashed"
        except subprocess.TimeoutExpired:
            status = "timeout"
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait()
        records, problems = read_answers(answers)
        log = _tail(err_path)
    return RunResult(records, status, time.perf_counter() - start, log, problems)
