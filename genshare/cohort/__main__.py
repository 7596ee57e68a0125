"""Command line: ``python -m genshare.cohort --seed N --out DIR``.

Simulates a synthetic world and writes it to DIR (see :mod:`genshare.cohort.storage`).
"""

from __future__ import annotations

import argparse
import sys
import time

from genshare.cohort.storage import save_world
from genshare.cohort.world import DEFAULTS, simulate_world


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m genshare.cohort",
        description="Simulate a synthetic genomic world (cohort, genealogy database, reference panel, "
        "voter roll, clinical records) and write it to a folder. Everything is synthetic.",
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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.perf_counter()
    try:
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
    except (ValueError, FileExistsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{world!r}\nwritten to {folder} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
