"""Command line: ``python -m genshare.cohort --seed N --out DIR``.

Simulates a synthetic world and writes it to DIR (see :mod:`genshare.cohort.storage`).

Exit codes: 0 written; 1 DIR cannot be written (permissions, disk full); 2 bad parameters,
or DIR exists without ``--force``; 3 another process is writing DIR now (nothing was
changed). SIGTERM and SIGHUP stop the run cleanly:
the staging folder is removed and DIR is left as it was (exit code 128 + signal number).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

from genshare.cohort.parameters import PARAMETERS, add_arguments
from genshare.cohort.storage import WorldBusyError, check_destination, save_world
from genshare.cohort.world import simulate_world


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m genshare.cohort",
        description="Simulate a synthetic genomic world (cohort, genealogy database, reference panel, "
        "voter roll, clinical records) and write it to a folder. Everything is synthetic.",
        epilog="Exit codes: 0 written; 1 the folder cannot be written; 2 bad parameters or the folder "
        "exists (without --force); 3 another process is writing the folder now.",
    )
    parser.add_argument("--seed", type=int, required=True, help="non-negative integer seed")
    parser.add_argument("--out", required=True, help="folder to create (must not exist unless --force)")
    parser.add_argument("--force", action="store_true", help="replace the folder if it exists")
    parser.add_argument("--no-vcf", dest="vcf", action="store_false", help="skip the VCF files (smaller)")
    add_arguments(parser)
    return parser


def _stop(signum: int, frame: object) -> None:
    """Turn SIGTERM/SIGHUP into SystemExit, so that save_world's clean-up runs."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.perf_counter()
    if argv is None:  # run as a program: let termination signals clean up instead of killing outright
        for name in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), _stop)
    try:
        check_destination(args.out, force=args.force)  # fail before a long simulation, not after
        world = simulate_world(
            seed=args.seed, **{spec.name: getattr(args, spec.name) for spec in PARAMETERS if spec.flag}
        )
        folder = save_world(world, args.out, force=args.force, vcf=args.vcf)
    except WorldBusyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    except (ValueError, FileExistsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # the folder cannot be written (permissions, disk full, ...)
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{world!r}\nwritten to {folder} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
