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
    "learner_stem",
    "main",
    "normalise",
    "use_world",
    "world_for",
    "world_label",
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
    slug = re.sub(
        r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    ).strip("-")
    return slug[:40] or "x"


def learner_stem(course: str, learner: str) -> str:
    """The file-name form of a learner of a course: ASCII slug of the name, then the world's seed.

    Two learners whose names differ only in what the slug drops (``Ana María`` and ``ana
    maria``: accents are kept by :func:`normalise`, so they are two people) get different
    stems, because their seeds differ. Their world folders and answer-key files use it.

    Examples
    --------
    >>> learner_stem("ws-2027-03", "Ana María") != learner_stem("ws-2027-03", "ana maria")
    True
    >>> learner_stem("ws-2027-03", "Ana María").startswith("ana-maria-")
    True
    """
    return f"{_slug(normalise(learner))}-{learner_seed(course, learner):08x}"


def _folder(course: str, learner: str, seed: int, params: Mapping[str, Any], cache: Path) -> Path:
    params_hash = hashlib.sha256(json.dumps(dict(params), sort_keys=True, default=str).encode()).hexdigest()[:8]
    name = learner_stem(course, learner) + (f"-p{params_hash}" if params else "")
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
        if (
            folder.is_dir()
            and (folder / "datapackage.json").is_file()
            and (not verify or _matches(folder, seed, params))
        ):
            return folder
        world = simulate_world(seed, **params)
        # Whose world it is, for the learner's own messages (world_label); the data are unchanged.
        world.metadata["learner"] = {"course": normalise(course, "course"), "learner": normalise(learner)}
        save_world(world, folder, force=folder.exists(), vcf=False)  # staged beside it, renamed into place
    return folder


def _refuse_link(path: Path) -> None:
    """A cached world and its course folder are real folders; a symbolic link there is refused, not followed."""
    if path.is_symlink():
        raise ValueError(
            f"{path}: is a symbolic link where a cached world's folder should be; worlds are kept as "
            "folders, never links: remove it (or choose another cache)"
        )


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
        raise OSError(
            f"{lock}: cannot open the lock of this world ({error.strerror}); a link or folder there?"
        ) from None
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: lock one byte, waiting as long as it takes
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]  # msvcrt's stubs are Windows-only
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
    "answer"}}, "failures": {exercise: reason}}`` (answers JSON-encoded by
    :func:`genshare.exercises.encode_answer`; an exercise whose reference answer cannot be
    computed on this world is listed in ``failures`` instead of stopping the key) and, if
    ``out`` is given, writes it to ``out/<learner_stem>.json`` (:func:`learner_stem`: the
    learner's slug and seed, unique per learner).
    """
    from genshare.exercises import context_for, encode_answer, exercises

    folder = world_for(course, learner, cache=cache, **params)
    answers: dict[str, Any] = {}
    failures: dict[str, str] = {}
    for exercise in exercises():  # one exercise that fails costs only itself
        try:
            ctx = context_for(folder=folder)
            answer = ctx.memo(f"answer-key:{exercise.id}", lambda: exercise.solve(ctx))  # noqa: B023 - called at once
            answers[exercise.id] = {"question": exercise.question, "answer": encode_answer(answer)}
        except Exception as error:  # noqa: BLE001 - reported, with the exercise, in the key and by the CLI
            failures[exercise.id] = f"{type(error).__name__}: {error}"
    key = {
        "course": normalise(course, "course"),
        "learner": normalise(learner),
        "seed": learner_seed(course, learner),
        "world": str(folder),
        "answers": answers,
        "failures": failures,
    }
    if out is not None:
        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{learner_stem(course, learner)}.json").write_text(
            json.dumps(key, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
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


def world_label(folder: str | os.PathLike[str]) -> str:
    """A one-line description of the world in ``folder``, for learners: which world, which seed.

    Reads only ``world.json`` (fast, no genotypes).

    Raises
    ------
    ValueError
        If ``folder`` holds no readable ``world.json``.

    Examples
    --------
    >>> from genshare.paths import data_dir
    >>> world_label(data_dir() / "synthetic")  # doctest: +ELLIPSIS
    "the module's default world (seed 2026, ...)"
    """
    path = Path(folder) / "world.json"
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        seed = int(info["seed"])
        parameters = info.get("parameters", {})
        metadata = info.get("metadata", {})
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path}: not a readable synthetic world ({error})") from None
    size = f"{int(parameters.get('n_participants', 0)):,} participants, {int(parameters.get('n_snps', 0)):,} SNPs"
    learner = metadata.get("learner") if isinstance(metadata.get("learner"), dict) else None
    if learner:
        return f"{learner.get('learner', '?')}'s own world in course {learner.get('course', '?')} (seed {seed}, {size})"
    if "lite_world" in metadata:
        return f"the browser's lite world (seed {seed}, {size})"
    from genshare.paths import data_dir

    try:
        default = Path(folder).resolve() == (data_dir() / "synthetic").resolve()
    except OSError:
        default = False
    return (
        f"the module's default world (seed {seed}, {size})"
        if default
        else f"a world of seed {seed} ({size}, {Path(folder)})"
    )


def use_world(course: str = "", learner: str = "", *, cache: str | os.PathLike[str] | None = None) -> str:
    """Point this session's lessons at a world, and say which (the learner edition's first cell).

    Parameters
    ----------
    course, learner
        Both empty: the world the lessons already read (``$GENSHARE_WORLD`` if set, else
        the default world). Both given: the learner's own world of that course
        (:func:`world_for`: simulated on first use, about a minute, then cached); every
        later ``load_world()`` and ``check()`` of the session uses it.

    Returns
    -------
    str
        The world's description (:func:`world_label`), which is also printed.

    Raises
    ------
    ValueError
        If only one of ``course`` and ``learner`` is given.
    RuntimeError
        For a learner's own world in the browser (Pyodide), where it cannot be made as the
        instructor's marker makes it.
    """
    from genshare.paths import WORLD_ENV, world_dir

    course, learner = str(course or "").strip(), str(learner or "").strip()
    if bool(course) != bool(learner):
        missing = "LEARNER (your name as your instructor has it)" if course else "COURSE (the key your instructor gave)"
        raise ValueError(
            f"set both COURSE and LEARNER for your own world, or neither for the default world: {missing} is empty"
        )
    if course:
        if "pyodide" in sys.modules:
            # The browser's packages (msprime, numpy) are other versions than the pinned ones, so a
            # world made there could differ from the one the instructor's marker makes.
            raise RuntimeError(
                "your own world cannot be made in the browser: its simulator's packages differ there, so "
                "it would not be the world your instructor marks. Open this lesson on Colab or Binder "
                "(or your own computer) to use COURSE and LEARNER; in the browser, leave them empty."
            )
        print("Finding or making your own world (about a minute the first time)...")
        os.environ[WORLD_ENV] = str(world_for(course, learner, cache=cache))
        os.environ["GENSHARE_LEARNER"] = normalise(learner)  # genshare.quiz arranges the options for them
    label = world_label(world_dir())
    print(f"World: {label}. Every result below, and every check(), uses it.")
    return label


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
    keys = commands.add_parser("answer-key", help="write the answer key of one learner (or of a roster)")
    keys.add_argument("--course", required=True)
    group = keys.add_mutually_exclusive_group(required=True)
    group.add_argument("--learner")
    group.add_argument("--roster")
    keys.add_argument("--cache")
    keys.add_argument("--out", default="answer-keys", help="folder for <learner>.json (default answer-keys/)")
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
            problems = []
            for learner in learners:  # every learner's key is written before the exit status says anything
                try:
                    key = answer_key(args.course, learner, cache=args.cache, out=args.out)
                except Exception as error:  # noqa: BLE001 - reported with the learner, the others go on
                    problems.append(f"{learner}: no key ({type(error).__name__}: {error})")
                    continue
                print(f"{learner}\t{Path(args.out) / (learner_stem(args.course, learner) + '.json')}", flush=True)
                problems += [f"{learner}: exercise {eid}: {why}" for eid, why in key["failures"].items()]
            if problems:
                print(f"{len(problems)} problem(s) in {len(learners)} answer key(s):", file=sys.stderr)
                for line in problems:
                    print(f"  {line}", file=sys.stderr)
                return 1
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
