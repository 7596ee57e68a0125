"""A pre-release risk check on your own data: ``python -m genshare.risk`` or :func:`risk_check`.

Give it the table you plan to share (CSV/TSV) with the columns an outsider could link on,
and optionally the genotypes (VCF or PLINK) and the summary release you plan (allele
frequencies or a beacon). It reports quasi-identifier uniqueness and k-anonymity, the
generalisation that would reach your k and its cost, Safe Harbor identifiers, the power
of membership attacks on the release and what differential privacy would cost, and
recommends an access tier with its reasons, as HTML (with figures) and JSON.

- :mod:`genshare.risk.inputs`: streaming, read-only readers of tables, VCF and PLINK files;
- :mod:`genshare.risk.table`: uniqueness, k-anonymity and generalisation on counts;
- :mod:`genshare.risk.release`: membership and beacon attack power, differential privacy's cost;
- :mod:`genshare.risk.check`: the check itself and the recommendation;
- :mod:`genshare.risk.report`: the HTML and JSON report.

What it cannot tell you is in the chapter "Before you share".
"""

from genshare.risk.check import LESSONS, TIERS, risk_check, sha256
from genshare.risk.inputs import RiskInputError, file_kind, read_genotype_summary, read_table_summary
from genshare.risk.release import analytic_lr_power, beacon_power, dp_cost, membership_power
from genshare.risk.report import write_report

__all__ = [
    "LESSONS",
    "TIERS",
    "RiskInputError",
    "analytic_lr_power",
    "beacon_power",
    "dp_cost",
    "file_kind",
    "membership_power",
    "read_genotype_summary",
    "read_table_summary",
    "risk_check",
    "sha256",
    "write_report",
]
