"""A world of one's own: one synthetic world per learner of a course, and its answer key.

:func:`world_for` derives a seed from a course key and a learner's name or id, simulates
that learner's world with :func:`genshare.cohort.simulate_world` and saves it with
:func:`genshare.cohort.save_world` in a cache folder; the next call finds it there, checks
it (checksums, seed, parameters) and reuses it. Every learner therefore attacks and
protects different people, and answers cannot be copied from a neighbour.

How a name becomes a seed
-------------------------
The course key and the learner are normalised by :func:`normalise` (Unicode NFKC, so that
composed and decomposed accents and full-width letters agree; case folded, so ``Ana`` and
``ana`` are the same learner; leading and trailing spaces removed and inner runs of
whitespace made one space). The seed is the first four bytes (big-endian) of the SHA-256
digest of ``"genshare-world\\0<course>\\0<learner>"``: an integer in ``[0, 2**32)``. Anyone
with the course key and the learner's id can regenerate the same world; without the course
key one cannot guess another course's worlds from a learner's name. (The course key is not a
secret in any strong sense: it only separates courses.)

From the command line::

    python -m genshare.assignment world --course ws-2027-03 --learner ana
    eval "$(python -m genshare.assignment world --course ws-2027-03 --learner ana --export)"
    python -m genshare.assignment worlds --course ws-2027-03 --roster learners.txt
    python -m genshare.assignment answer-key --course ws-2027-03 --learner ana --out keys/

The second line points every notebook at the learner's world (``GENSHARE_WORLD``, read by
:func:`genshare.paths.world_dir`). In Python, ``os.environ["GENSHARE_WORLD"] =
str(world_for(...))`` before ``load_world()`` does the same.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shlex
import sys
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = [
    "CACHE_ENV",
    "answer_key",
    "cache_dir",
    "learner_seed",
    "main",
    "normalise",
    "world_for",
]

#: The environment variable naming the folder where learners' worlds are cached.
CACHE_ENV = "GENSHARE_WORLDS"
_SEED_BYTES = 4


def normalise(text: Any, name: str = "learner") -> str:
    """The canonical form of a course key or learner id (see the module docstring).

    Examples
    --------
    >>> normalise("  Ana   María ")
    'ana maría'
    >>> normalise("Ana Mari\\u0301a") == normalise("ana maría")
    True
    """
    if not isinstance(text, str):
        raise ValueError(f"{name} must be text; got {text!r} ({type(text).__name__})")
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = unicodedata.normalize("NFKC", folded)
    folded = re.sub(r"\s+", " ", folded).strip()
    if not folded:
        raise ValueError(f"{name} must not be empty or only spaces; got {text!r}")
    if any(unicodedata.category(c) == "Cc" for c in folded):
        raise ValueError(f"{name} must not contain control characters; got {text!r}")
    return folded


def learner_seed(course: str, learner: str) -> int:
    """The seed of a learner's world: SHA-256 of the normalised course and learner, first 4 bytes.

    Examples
    --------
    >>> learner_seed("ws-2027-03", "ana") == learner_seed("WS-2027-03", " Ana ")
    True
    >>> learner_seed("ws-2027-03", "ana") != learner_seed("ws-2027-03", "ben")
    True
    """
    key = "\0".join(["genshare-world", normalise(course, "course"), normalise(learner, "learner")])
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:_SEED_BYTES], "big")


def cache_dir(cache: str | os.PathLike[str] | None = None) -> Path:
    """Where learners' worlds are kept: ``cache``, else ``$GENSHARE_WORLDS``, else
    ``~/.cache/genshare/worlds``."""
    if cache is not None:
        return Path(cache).expanduser()
    chosen = os.environ.get(CACHE_ENV, "").strip()
    if chosen:
        return Path(chosen).expanduser()
    return Path.home() / ".cache" / "genshare" / "worlds"


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()).strip("-")
    return slug[:40] or "x"


def _folder(course: str, learner: str, seed: int, params: Mapping[str, Any], cache: Path) -> Path:
    params_hash = hashlib.sha256(json.dumps(dict(params), sort_keys=True, default=str).encode()).hexdigest()[:8]
    name = f"{_slug(normalise(learner))}-{seed:08x}" + (f"-p{params_hash}" if params else "")
    return cache / _slug(normalise(course, "course")) / name


def _matches(folder: Path, seed: int, params: Mapping[str, Any]) -> bool:
    """Whether ``folder`` holds a complete, intact world with this seed and parameters."""
    from genshare.cohort import load_world
    from genshare.cohort.storage import WorldIntegrityError

    if not (folder / "datapackage.json").is_file():
        return False
    try:
        world = load_world(folder)
    except (WorldIntegrityError, OSError, ValueError):
        return False
    stored = getattr(world, "parameters", {}) or {}
    return world.seed == seed and all(stored.get(k) == v for k, v in params.items())


def world_for(
    course: str,
    learner: str,
    *,
    cache: str | os.PathLike[str] | None = None,
    verify: bool = True,
    **params: Any,
) -> Path:
    """The folder of a learner's own world, simulated and cached on first use.

    Parameters
    ----------
    course
        The course key chosen by the instructor (e.g. ``"ws-2027-03"``).
    learner
        The learner's name or id (normalised: case, spaces and Unicode forms do not matter).
    cache
        The cache folder (default :func:`cache_dir`). The world is written to
        ``CACHE/<course>/<learner>-<seed in hex>[-p<parameters hash>]``.
    verify
        Load the cached world (checksums, seed and parameters) before reusing it; a damaged
        or different world is simulated again and replaces it.

        Two processes asking for the same learner's world take turns (a lock file
        ``.NAME.making`` beside it): the second waits for the first, then reuses the world
        it saved. The world is written to a staging folder and renamed into place, so a
        reader never sees half a world.
    **params
        Parameters of :func:`genshare.cohort.simulate_world` (e.g. smaller worlds for tests);
        a world with other parameters is cached in another folder.

    Returns
    -------
    pathlib.Path
        The world's folder; ``load_world(path)`` reads it, ``GENSHARE_WORLD=path`` points the
        notebooks at it.

    Raises
    ------
    ValueError
        If the world's folder (or its course folder) in the cache is a symbolic link.
    NotADirectoryError
        If a file stands where the world's folder should be.

    Examples
    --------
    >>> path = world_for("ws-2027-03", "ana")  # doctest: +SKIP
    >>> load_world(path).seed == learner_seed("ws-2027-03", "ana")  # doctest: +SKIP
    True
    """
    from genshare.cohort import save_world, simulate_world

    seed = learner_seed(course, learner)
    folder = _folder(course, learner, seed, params, cache_dir(cache))
    for place in (folder.parent, folder):
        _refuse_link(place)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with _world_lock(folder):
        # Checked again under the lock: another process may have made the world while this one waited.
        _refuse_link(folder)
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(f"{folder}: is a file where a cached world (a folder) should be; remove it")
        if folder.is_dir() and (folder / "datapackage.json").is_file() and (not verify or _matches(folder, seed, params)):
            return folder
        world = simulate_world(seed, **params)
        save_world(world, folder, force=folder.exists(), vcf=False)  # staged beside it, renamed into place
    return folder


def _refuse_link(path: Path) -> None:
    """A cached world and its course folder are real folders; a symbolic link there is refused, not followed."""
    if path.is_symlink():
        raise ValueError(f"{path}: is a symbolic link where a cached world's folder should be; worlds are kept as "
                         "folders, never links: remove it (or choose another cache)")


@contextmanager
def _world_lock(folder: Path) -> Iterator[None]:
    """Hold ``.NAME.making`` beside a learner's world while it is checked, made or reused.

    An exclusive ``flock`` that waits: a second process asking for the same learner's world
    waits until the first has saved it, then finds it and reuses it (instead of simulating
    it again and failing to save). The lock is released when its holder exits for any
    reason, so it is never left stale. This lock is separate from the write lock of
    :func:`genshare.cohort.save_world` (which fails at once if held).
    """
    lock = folder.parent / f".{folder.name}.making"
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(lock, flags, 0o644)
    except OSError as error:
        raise OSError(f"{lock}: cannot open the lock of this world ({error.strerror}); a link or folder there?") from None
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: lock one byte, waiting as long as it takes
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    continue
        else:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def answer_key(
    course: str,
    learner: str,
    *,
    cache: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
    **params: Any,
) -> dict[str, Any]:
    """The answer key of one learner: every checked exercise's reference answer on their world.

    Returns ``{"course", "learner", "seed", "world", "answers": {exercise: {"question",
    "answer"}}}`` (answers JSON-encoded by :func:`genshare.exercises.encode_answer`) and,
    if ``out`` is given, writes it to ``out/<learner>.json``.
    """
    from genshare.exercises import encode_answer, exercises, expected_answers

    folder = world_for(course, learner, cache=cache, **params)
    answers = expected_answers(folder=folder)
    questions = {e.id: e.question for e in exercises()}
    key = {
        "course": normalise(course, "course"),
        "learner": normalise(learner),
        "seed": learner_seed(course, learner),
        "world": str(folder),
        "answers": {k: {"question": questions[k], "answer": encode_answer(v)} for k, v in answers.items()},
    }
    if out is not None:
        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{_slug(normalise(learner))}.json").write_text(json.dumps(key, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return key


def read_roster(path: str | os.PathLike[str]) -> list[str]:
    """Learner ids from a text file, one a line (blank lines and ``#`` comments skipped).

    Raises ``ValueError`` naming the line if two lines are the same learner once normalised.
    """
    learners: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        key = normalise(text)
        if key in seen:
            raise ValueError(f"{path}, line {number}: {text!r} is the same learner as line {seen[key]}")
        seen[key] = number
        learners.append(text)
    return learners


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genshare.assignment", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("world", help="print the folder of a learner's world (simulated on first use)")
    one.add_argument("--course", required=True)
    one.add_argument("--learner", required=True)
    one.add_argument("--cache", help=f"cache folder (default ${CACHE_ENV} or ~/.cache/genshare/worlds)")
    one.add_argument("--export", action="store_true", help="print a shell line setting GENSHARE_WORLD instead")
    many = commands.add_parser("worlds", help="simulate the worlds of every learner of a roster")
    many.add_argument("--course", required=True)
    many.add_argument("--roster", required=True, help="text file, one learner id a line")
    many.add_argument("--cache")
    key = commands.add_parser("answer-key", help="write the answer key of one learner (or of a roster)")
    key.add_argument("--course", required=True)
    group = key.add_mutually_exclusive_group(required=True)
    group.add_argument("--learner")
    group.add_argument("--roster")
    key.add_argument("--cache")
    key.add_argument("--out", default="answer-keys", help="folder for <learner>.json (default answer-keys/)")
    args = parser.parse_args(argv)
    try:
        if args.command == "world":
            folder = world_for(args.course, args.learner, cache=args.cache)
            from genshare.paths import WORLD_ENV

            print(f"export {WORLD_ENV}={shlex.quote(str(folder))}" if args.export else folder)
        elif args.command == "worlds":
            for learner in read_roster(args.roster):
                print(f"{learner}\t{world_for(args.course, learner, cache=args.cache)}", flush=True)
        else:
            learners = [args.learner] if args.learner else read_roster(args.roster)
            for learner in learners:
                answer_key(args.course, learner, cache=args.cache, out=args.out)
                print(f"{learner}\t{Path(args.out) / (_slug(normalise(learner)) + '.json')}", flush=True)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
