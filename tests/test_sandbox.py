"""The notebook sandbox holds against the review's escape techniques.

Each technique runs from inside a submitted notebook, most of them with the in-process
audit hook switched off (the boundary must be the kernel, not the hook), and must fail;
a correct notebook marked in the same run is still marked correctly, and nothing outside
the sandbox changes. Every notebook records what it saw with a line in the answers file
(``probe:<name>``), which the test reads back.

These tests need bubblewrap and user namespaces; where they are missing they are skipped
with the reason (``.ci/run`` installs bubblewrap, so they run in CI).
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import uuid
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from genshare import sandbox
from genshare.cohort.parameters import SIZES
from genshare.paths import PROJECT_ROOT, data_dir
from genshare.sandbox import LOG_BYTES, Limits, SandboxUnavailable, run_notebook, unavailable

REASON = unavailable()
needs_bwrap = pytest.mark.skipif(REASON is not None, reason=f"notebook sandbox unavailable here: {REASON}")

SMALL = dict(SIZES["small"])  # genshare.cohort.parameters.SIZES
LIMITS = Limits(timeout=60, cpu_seconds=60)
PACKAGE_FILE = PROJECT_ROOT / "genshare" / "exercises" / "nb11.py"

#: Defines rec(name, value): one line in the answers file, read back by the test.
RECORD = (
    "import json, os, sys\n"
    "def rec(name, value):\n"
    "    with open(os.environ['GENSHARE_RECORD_ANSWERS'], 'a') as handle:\n"
    "        handle.write(json.dumps({'exercise': 'probe:' + name, 'answer': value}) + '\\n')\n"
    "def attempt(name, action):\n"
    "    try:\n"
    "        result = action()\n"
    "    except BaseException as error:\n"
    "        rec(name, 'blocked: ' + type(error).__name__)\n"
    "    else:\n"
    "        rec(name, 'ESCAPED: ' + repr(result)[:200])\n"
)


def _notebook(path: Path, *sources: str) -> Path:
    nbformat.write(new_notebook(cells=[new_code_cell(s) for s in sources]), path)
    return path


def _probes(result) -> dict:
    return {str(k)[len("probe:"):]: v for k, v in result.records if str(k).startswith("probe:")}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """Things on the host a notebook must not reach: secrets, another world, sockets, the marker."""
    root = tmp_path_factory.mktemp("host")
    secret = root / "answer-key" / "ana.json"
    secret.parent.mkdir()
    secret.write_text('{"answers": {"05.1": "SECRET-KEY"}}')
    other_world = root / "worlds" / "other-learner"
    other_world.mkdir(parents=True)
    (other_world / "world.json").write_text('{"seed": "OTHER-WORLD"}')
    submissions = root / "submissions"
    submissions.mkdir()
    victim = submissions / "victim.json"
    victim.write_text('{"answers": {"01.2": 0.846}}')
    unix_path = root / "host.sock"
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(str(unix_path))
    unix.listen(5)
    abstract_name = f"\0genshare-test-{uuid.uuid4().hex}"
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    abstract.bind(abstract_name)
    abstract.listen(5)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(5)
    accepted: list[str] = []

    def serve(sock, label):
        sock.settimeout(0.5)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except (TimeoutError, OSError):
                continue
            accepted.append(label)
            conn.close()

    stop = threading.Event()
    threads = [threading.Thread(target=serve, args=(s, label), daemon=True)
               for s, label in ((unix, "unix"), (abstract, "abstract"), (tcp, "tcp"))]
    for thread in threads:
        thread.start()
    yield {"root": root, "secret": secret, "other_world": other_world, "submissions": submissions, "victim": victim,
           "unix": unix_path, "abstract": abstract_name, "tcp_port": tcp.getsockname()[1], "accepted": accepted}
    stop.set()
    for thread in threads:
        thread.join(timeout=2)
    for sock in (unix, abstract, tcp):
        sock.close()


def _escape_cells(host) -> list[str]:
    secret, other = str(host["secret"]), str(host["other_world"] / "world.json")
    relative_secret = str(host["secret"]).lstrip("/")
    marker_pid = os.getpid()
    return [
        RECORD,
        # reading the answer keys, other learners' worlds, the host's /etc/passwd
        f"attempt('read-key', lambda: open({secret!r}).read())\n"
        f"attempt('read-other-world', lambda: open({other!r}).read())\n"
        "attempt('read-passwd', lambda: open('/etc/passwd').read())\n"
        "attempt('list-home', lambda: os.listdir('/home') + os.listdir('/root/') + os.listdir('/tmp'))",
        # os.open with dir_fd resolves against another folder than a hook would check
        "root_fd = os.open('/', os.O_RDONLY)\n"
        f"attempt('dir-fd', lambda: os.read(os.open({relative_secret!r}, os.O_RDONLY, dir_fd=root_fd), 100))",
        # sqlite3 opens files in C, with no audit event for the path
        "import sqlite3\n"
        f"attempt('sqlite-read', lambda: sqlite3.connect('file:' + {secret!r} + '?mode=ro', uri=True).execute('select 1').fetchall())\n"
        f"attempt('sqlite-write', lambda: sqlite3.connect({str(host['submissions'] / 'evil.db')!r}).execute('create table t(x)'))",
        # a FIFO or a file where the marker will look
        f"attempt('mkfifo', lambda: os.mkfifo({str(host['submissions'] / 'zz-evil.json')!r}))\n"
        f"attempt('overwrite-victim', lambda: open({str(host['victim'])!r}, 'w').write('{{}}'))",
        # writing into the package, through the sandbox's path and the host's
        "attempt('write-package', lambda: open('/opt/genshare/genshare/exercises/nb11.py', 'a').write('\\n# evil\\n'))\n"
        f"attempt('write-package-host-path', lambda: open({str(PACKAGE_FILE)!r}, 'a').write('# evil'))\n"
        "attempt('write-root', lambda: open('/evil', 'w').write('x'))\n"
        "attempt('fill-scratch', lambda: open('/scratch/big', 'wb').write(b'x' * (80 * 1024 * 1024)))",
        # processes: fork_exec without subprocess, fork, a session of its own left behind
        "import _posixsubprocess\n"
        "def fork_exec():\n"
        "    r, w = os.pipe()\n"
        "    return _posixsubprocess.fork_exec([sys.executable, '-c', 'pass'], [os.fsencode(sys.executable)], True, (w,),\n"
        "        None, None, -1, -1, -1, -1, -1, -1, r, w, True, True, -1, None, None, None, -1, None, False)\n"
        "attempt('fork-exec', fork_exec)\n"
        "def linger():\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        os.setsid()\n"
        "        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(600)', 'GENSHARE-LINGER-PROBE'])\n"
        "    return pid\n"
        "attempt('setsid-linger', linger)\n"
        "import subprocess\n"
        "attempt('subprocess', lambda: subprocess.run([sys.executable, '-c', 'print(1)'], capture_output=True).stdout)",
        # the marker: signals, pidfds, /proc
        f"attempt('kill-marker', lambda: os.kill({marker_pid}, 0))\n"
        f"attempt('pidfd-marker', lambda: os.pidfd_open({marker_pid}))\n"
        "rec('parent-pid', os.getppid())\n"
        "def pidfd_parent():\n"
        "    fd = os.pidfd_open(os.getppid())\n"
        "    signal.pidfd_send_signal(fd, signal.SIGKILL)\n"
        "    return 'sent'\n"
        "import signal\n"
        "attempt('pidfd-kill-parent', pidfd_parent)\n"
        "attempt('kill-parent', lambda: os.kill(os.getppid(), signal.SIGKILL))\n"
        "rec('still-running', True)\n"
        "rec('parent-cmdline', open(f'/proc/{os.getppid()}/cmdline', 'rb').read().decode(errors='replace')[:2000])\n"
        f"attempt('proc-marker', lambda: open('/proc/{marker_pid}/cmdline').read())\n"
        "rec('processes', sorted(p for p in os.listdir('/proc') if p.isdigit()))\n"
        "rec('mountinfo', open('/proc/self/mountinfo').read()[:20000])",
        # the network: a Unix socket of the host by path and in the abstract namespace, TCP on 127.0.0.1 and outside
        "import socket\n"
        "def unix(address):\n"
        "    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        "    s.settimeout(3)\n"
        "    s.connect(address)\n"
        "    return 'connected'\n"
        f"attempt('unix-socket', lambda: unix({str(host['unix'])!r}))\n"
        f"attempt('abstract-socket', lambda: unix({host['abstract']!r}))\n"
        f"attempt('tcp-localhost', lambda: socket.create_connection(('127.0.0.1', {host['tcp_port']}), timeout=3))\n"
        "attempt('tcp-outside', lambda: socket.create_connection(('1.1.1.1', 80), timeout=3))",
        "rec('done', True)",
    ]


@pytest.fixture(scope="module")
def escapes(host, tmp_path_factory):
    """The escape notebook run with the audit hook off (the kernel alone must hold)."""
    folder = tmp_path_factory.mktemp("escape")
    before = _digest(PACKAGE_FILE)
    result = run_notebook(_notebook(folder / "escape.ipynb", *_escape_cells(host)), data_dir() / "synthetic", LIMITS,
                          audit_hook=False)
    return {"result": result, "probes": _probes(result), "package_before": before}


#: Each technique, and the errors that show the kernel refused it (a NameError or a
#: TypeError would be a broken probe, not a refusal, and fails the test).
NOT_THERE, READ_ONLY, NO_PROCESS, NO_NETWORK = ("FileNotFoundError",), ("OSError",), ("PermissionError",), \
    ("ConnectionRefusedError", "OSError", "FileNotFoundError")
ESCAPES = {
    "read-key": NOT_THERE, "read-other-world": NOT_THERE, "read-passwd": NOT_THERE, "list-home": NOT_THERE,
    "dir-fd": NOT_THERE, "sqlite-read": ("OperationalError",), "sqlite-write": ("OperationalError",), "mkfifo": NOT_THERE,
    "overwrite-victim": NOT_THERE, "write-package": READ_ONLY, "write-package-host-path": NOT_THERE, "write-root": READ_ONLY,
    "fill-scratch": READ_ONLY, "fork-exec": NO_PROCESS, "setsid-linger": NO_PROCESS, "subprocess": NO_PROCESS,
    "kill-marker": ("ProcessLookupError",), "pidfd-marker": ("ProcessLookupError",), "proc-marker": NOT_THERE,
    "unix-socket": NOT_THERE, "abstract-socket": NO_NETWORK, "tcp-localhost": NO_NETWORK, "tcp-outside": NO_NETWORK,
}


@needs_bwrap
@pytest.mark.parametrize("technique", sorted(ESCAPES))
def test_escape_technique_fails(escapes, technique):
    probes = escapes["probes"]
    assert probes.get("done") is True, (escapes["result"].status, escapes["result"].log)
    assert probes[technique] in {f"blocked: {name}" for name in ESCAPES[technique]}, (technique, probes[technique])


@needs_bwrap
def test_nothing_outside_the_sandbox_changed(escapes, host):
    assert _digest(PACKAGE_FILE) == escapes["package_before"]
    assert host["victim"].read_text() == '{"answers": {"01.2": 0.846}}'
    assert sorted(p.name for p in host["submissions"].iterdir()) == ["victim.json"]
    assert host["accepted"] == []  # no socket of the host was reached


@needs_bwrap
def test_the_marker_is_invisible_and_its_paths_are_not_shown(escapes, host):
    probes = escapes["probes"]
    assert probes["parent-pid"] == 1 and probes["still-running"] is True
    assert str(os.getpid()) not in probes["processes"] or os.getpid() < 10
    for shown in (probes["parent-cmdline"], probes["mountinfo"]):
        for path in (host["root"], host["submissions"], data_dir() / "synthetic"):
            assert str(path) not in shown, shown


@needs_bwrap
def test_no_process_is_left_behind(escapes):
    mine = f"/proc/{os.getpid()}/"
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and str(entry) + "/" != mine:
            try:
                assert b"GENSHARE-LINGER-PROBE" not in (entry / "cmdline").read_bytes()
            except OSError:
                continue


@needs_bwrap
def test_disarming_the_audit_hook_through_gc_gains_nothing(host, tmp_path):
    cells = [
        RECORD,
        # the hook's refusals are module state, reachable by gc: empty them
        "import gc\n"
        "hook = [f for f in gc.get_objects() if type(f).__name__ == 'function' and f.__name__ == '_hook'\n"
        "        and '_REFUSED' in f.__globals__][0]\n"
        "hook.__globals__['_REFUSED'] = frozenset()\n"
        "import socket\n"
        "rec('hook-disarmed', isinstance(socket.socket(), socket.socket))",
        f"attempt('read-key', lambda: open({str(host['secret'])!r}).read())\n"
        "import subprocess\n"
        "attempt('subprocess', lambda: subprocess.run(['/bin/sh', '-c', 'id'], capture_output=True).stdout)\n"
        f"attempt('tcp-localhost', lambda: socket.create_connection(('127.0.0.1', {host['tcp_port']}), timeout=3))\n"
        "rec('done', True)",
    ]
    probes = _probes(run_notebook(_notebook(tmp_path / "gc.ipynb", *cells), data_dir() / "synthetic", LIMITS))
    assert probes["hook-disarmed"] is True  # the hook is not the boundary...
    for technique in ("read-key", "subprocess", "tcp-localhost"):  # ...the kernel is
        assert probes[technique] in {f"blocked: {name}" for name in ESCAPES[technique]}, (technique, probes[technique])


@needs_bwrap
def test_endless_output_is_capped_and_earlier_answers_count(tmp_path):
    limits = Limits(timeout=60, cpu_seconds=60, file_bytes=2 * 1024**2)
    path = _notebook(tmp_path / "loud.ipynb", "from genshare.exercises import check\ncheck('01.2', 11 / 13)",
                     "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n    sys.stderr.write('y' * 65536)")
    result = run_notebook(path, data_dir() / "synthetic", limits)
    assert result.status in ("ok", "crashed", "timeout")
    assert result.records[:1] == [("01.2", 11 / 13)]
    assert len(result.log) <= LOG_BYTES


@needs_bwrap
def test_an_endless_loop_is_stopped_at_the_timeout(tmp_path):
    path = _notebook(tmp_path / "loop.ipynb", "from genshare.exercises import check\ncheck('01.2', 11 / 13)",
                     "while True:\n    pass", "check('01.3', ['UK Biobank'])")
    result = run_notebook(path, data_dir() / "synthetic", Limits(timeout=15, cpu_seconds=60))
    assert result.status == "timeout" and [k for k, _ in result.records] == ["01.2"]


@needs_bwrap
def test_hostile_notebooks_cannot_change_another_learners_marks(tmp_path):
    """An attacker runs first, tries to overwrite a later learner's notebook and the package; the later learner is marked right."""
    from genshare.marking import mark_folder

    subs, cache = tmp_path / "submissions", tmp_path / "worlds"
    subs.mkdir()
    victim = _notebook(subs / "nbcorrect.ipynb",
                       "from genshare.exercises import check\nfrom genshare.cohort import load_world\nworld = load_world()",
                       "share = 11 / 13\ncheck('01.2', variable='share')",
                       "first = world.people.set_index('person_id').loc[world.cohort['person_id'].iloc[0]]\n"
                       "roll = world.voter_roll\n"
                       "n = int(((roll['zip5'] == first['zip5']) & (roll['date_of_birth'] == first['date_of_birth'])"
                       " & (roll['sex'] == first['sex'])).sum())\n"
                       "check('02.3', n)")
    before = victim.read_bytes(), _digest(PACKAGE_FILE)
    _notebook(subs / "attacker.ipynb",
              "import os\nfor target in [" + repr(str(victim)) + ", '/opt/genshare/genshare/exercises/nb11.py', "
              + repr(str(PACKAGE_FILE)) + ", " + repr(str(tmp_path / "scores.csv")) + "]:\n"
              "    try:\n        open(target, 'w').write('{}')\n    except OSError:\n        pass",
              "from genshare.exercises import check\ncheck('01.2', 0.5)")
    rows = {r["learner"]: r for r in mark_folder(subs, "sandbox-test", tmp_path / "scores.csv", cache=cache, limits=LIMITS,
                                                 world_params=SMALL, execute_notebooks=True)}
    assert (victim.read_bytes(), _digest(PACKAGE_FILE)) == before
    assert rows["nbcorrect"]["01.2"] == 1 and rows["nbcorrect"]["02.3"] == 1 and rows["nbcorrect"]["status"] == "ok", rows["nbcorrect"]
    assert rows["attacker"]["01.2"] == 0
    assert (tmp_path / "scores.csv").read_text().startswith("learner,seed,")


def test_without_the_sandbox_notebooks_are_refused_not_run(tmp_path, monkeypatch):
    from genshare import marking

    monkeypatch.setattr(marking, "unavailable", lambda: "bubblewrap (bwrap) is not installed")
    monkeypatch.setattr(sandbox, "unavailable", lambda: "bubblewrap (bwrap) is not installed")
    (tmp_path / "subs").mkdir()
    _notebook(tmp_path / "subs" / "ana.ipynb", "open('/tmp/ran', 'w')")
    with pytest.raises(SandboxUnavailable, match="answer files"):
        marking.mark_folder(tmp_path / "subs", "c", tmp_path / "scores.csv", execute_notebooks=True)
    with pytest.raises(SandboxUnavailable, match="bwrap"):
        run_notebook(tmp_path / "subs" / "ana.ipynb", tmp_path)
    assert marking.main([str(tmp_path / "subs"), "--course", "c", "--out", str(tmp_path / "s.csv"), "--execute-notebooks"]) == 2


def test_untrusted_answers_file_is_read_with_limits(tmp_path):
    path = tmp_path / "answers.jsonl"
    path.write_bytes(b'{"exercise": "01.2", "answer": 0.5}\nnot json\n{"exercise": 1}\n\xff\xfe\n' + b"[" * 100000 + b"\n")
    records, problems = sandbox.read_answers(path)
    assert records == [("01.2", 0.5)] and len(problems) == 4
    os.mkfifo(tmp_path / "fifo")
    assert sandbox.read_answers(tmp_path / "fifo") == ([], ["answers file is not a regular file"])
    (tmp_path / "link").symlink_to(path)
    assert sandbox.read_answers(tmp_path / "link")[0] == []
    big = tmp_path / "big.jsonl"
    big.write_bytes(b'{"exercise": "01.2", "answer": 0.5}\n' * 10)
    records, problems = sandbox.read_answers(big, limit=100)
    assert len(records) == 2 and "larger than 100 bytes" in problems[0]


def test_the_sandbox_binds_no_socket_folder_and_no_host_home(tmp_path):
    args = sandbox.bwrap_arguments(tmp_path, tmp_path / "n.ipynb", tmp_path / "a.jsonl", Limits())
    sources = [args[i + 1] for i, a in enumerate(args) if a in ("--ro-bind", "--bind")]
    for forbidden in ("/", "/tmp", "/run", "/var", "/home", "/etc", "/root", "/proc", "/sys", "/dev"):
        assert forbidden not in sources
    assert "--unshare-all" in args and "--die-with-parent" in args and "--new-session" in args
    assert "--disable-userns" in args and "--clearenv" in args and args[args.index("--remount-ro") + 1] in ("/dev", "/")
    assert sandbox.seccomp_program() is None or len(sandbox.seccomp_program()) % 8 == 0
