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

from genshare.cohort.storage import WorldBusyError, check_destination, save_world
from genshare.cohort.world import DEFAULTS, simulate_world


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
    parser.add_argument("--participants", type=int, default=DEFAULTS["n_participants"], help="cohort size (default %(default)s)")
    parser.add_argument("--snps", type=int, default=DEFAULTS["n_snps"], help="number of SNPs (default %(default)s)")
    parser.add_argument("--reference", type=int, default=DEFAULTS["n_reference"], help="reference panel size (default %(default)s)")
    parser.add_argument("--database", type=int, default=DEFAULTS["n_database"], help="genealogy database size (default %(default)s)")
    parser.add_argument("--relatives", type=int, default=DEFAULTS["n_relatives"], help="participants with a relative in the database (default %(default)s)")
    parser.add_argument("--population", type=int, default=DEFAULTS["population_size"], help="adults living in the synthetic state (default %(default)s)")
    parser.add_argument("--model", default=DEFAULTS["model"], help="demographic model (default %(default)s)")
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
            seed=args.seed,
            n_participants=args.participants,
            n_snps=args.snps,
            n_reference=args.reference,
            n_database=args.database,
            n_relatives=args.relatives,
            population_size=args.population,
            model=args.model,
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
