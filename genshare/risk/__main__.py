"""Command line: ``python -m genshare.risk --table my.csv --qi zip5 --qi birth_date --qi sex --k 5 --out report/``.

Run ``python -m genshare.risk --help`` for every option. Exit status: 0 when the report
was written, 2 for a problem with the input (the message names the file and the problem).
"""

from __future__ import annotations

import argparse
import sys

from genshare.risk.check import RELEASES, risk_check
from genshare.risk.inputs import RiskInputError
from genshare.risk.report import BOOK_URL, write_report
from genshare.risk.table import HIERARCHIES


def _hierarchy(text: str) -> tuple[str, str]:
    column, _, name = text.partition("=")
    if not column or name not in HIERARCHIES:
        raise argparse.ArgumentTypeError(
            f"expected COLUMN=HIERARCHY with HIERARCHY one of {', '.join(HIERARCHIES)}; got {text!r}"
        )
    return column, name


#: The ZIP3 population table is small (about a thousand areas): larger input is refused unread.
MAX_ZIP3_BYTES = 1024**2


def _zip3(path: str) -> dict[str, int]:
    """Read the ZIP3 population table: a regular file (never a FIFO or link), at most 1 MiB."""
    import io

    import pandas as pd

    from genshare._safe_files import open_regular

    try:
        with open_regular(path) as handle:
            raw = handle.read(MAX_ZIP3_BYTES + 1)
        if len(raw) > MAX_ZIP3_BYTES:
            raise ValueError(f"larger than {MAX_ZIP3_BYTES:,} bytes; a ZIP3 population table is far smaller")
        table = pd.read_csv(io.BytesIO(raw), dtype={"zip3": str})
        return dict(zip(table["zip3"], table["population"].astype(int), strict=True))
    except (OSError, KeyError, ValueError) as error:
        raise argparse.ArgumentTypeError(f"{path}: expected a CSV with columns zip3 and population ({error})") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m genshare.risk",
        description="Pre-release risk check on your own data: writes risk-report.html and risk-report.json.",
    )
    parser.add_argument("--table", help="CSV or TSV table of records about people")
    parser.add_argument(
        "--qi", action="append", default=[], metavar="COLUMN", help="a quasi-identifier column (repeat)"
    )
    parser.add_argument("--k", type=int, default=5, help="the k-anonymity the release should reach (default 5)")
    parser.add_argument("--genotypes", help="VCF (plain or bgzipped), PLINK .bed or .pgen")
    parser.add_argument("--sample-id-column", help="the table's column holding the genotype file's sample ids")
    parser.add_argument("--release", choices=RELEASES, default="none", help="planned summary release")
    parser.add_argument("--n-snps", type=int, help="SNPs in the planned release (default: all in the genotype file)")
    parser.add_argument("--n-members", type=int, help="people in the planned release (default: the genotype file's)")
    parser.add_argument("--alpha", type=float, default=0.05, help="false-positive rate at which power is read")
    parser.add_argument("--epsilon", type=float, action="append", help="differential-privacy budget to cost (repeat)")
    parser.add_argument("--zip3-population", type=_zip3, help="CSV with columns zip3,population (Safe Harbor's rule)")
    parser.add_argument("--keep", action="append", default=[], help="column Safe Harbor should leave alone (repeat)")
    parser.add_argument(
        "--hierarchy",
        type=_hierarchy,
        action="append",
        default=[],
        metavar="COLUMN=NAME",
        help=f"generalisation of a quasi-identifier: {', '.join(HIERARCHIES)}",
    )
    parser.add_argument("--max-suppression", type=float, default=0.05, help="largest share of rows to suppress")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--book-url", default=BOOK_URL, help="base address of the lessons linked from the report")
    parser.add_argument("--out", required=True, help="folder for the report (created if needed)")
    args = parser.parse_args(argv)
    try:
        summary = risk_check(
            args.table,
            args.qi,
            k=args.k,
            genotypes=args.genotypes,
            sample_id_column=args.sample_id_column,
            release=args.release,
            n_snps=args.n_snps,
            n_members=args.n_members,
            alpha=args.alpha,
            epsilons=tuple(args.epsilon or (0.1, 1.0, 10.0)),
            zip3_population=args.zip3_population,
            keep=args.keep,
            hierarchies=dict(args.hierarchy),
            max_suppression=args.max_suppression,
            seed=args.seed,
        )
        html_path, json_path = write_report(summary, args.out, book_url=args.book_url)
    except (RiskInputError, ValueError) as error:
        print(f"genshare.risk: {error}", file=sys.stderr)
        return 2
    rec = summary["recommendation"]
    print(f"recommended access tier: {rec['tier']}")
    for reason in rec["reasons"]:
        print(f"  [{reason['component']}: {reason['tier']}] {reason['reason']}")
    for item in summary["not_assessed"]:
        print(f"  not assessed ({item['part']}): {item['reason']}")
    print(f"report: {html_path}\nsummary: {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
