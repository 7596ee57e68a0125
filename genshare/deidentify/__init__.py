"""De-identification techniques, each measured against the attacks in :mod:`genshare.attacks`.

- :mod:`genshare.deidentify.safe_harbor`: the HIPAA Safe Harbor method (45 CFR 164.514(b)(2));
- :mod:`genshare.deidentify.anonymity`: k-anonymity, l-diversity and generalisation;
- :mod:`genshare.deidentify.privacy`: differentially private allele frequencies.
"""

from genshare.deidentify.anonymity import (
    date_hierarchy,
    generalize,
    k_anonymity,
    l_diversity,
    zip_hierarchy,
)
from genshare.deidentify.privacy import dp_allele_frequencies, laplace_scale
from genshare.deidentify.safe_harbor import IDENTIFIER_TYPES, ZIP3_MIN_POPULATION, needs_review, safe_harbor

__all__ = [
    "IDENTIFIER_TYPES",
    "ZIP3_MIN_POPULATION",
    "date_hierarchy",
    "dp_allele_frequencies",
    "generalize",
    "k_anonymity",
    "l_diversity",
    "laplace_scale",
    "needs_review",
    "safe_harbor",
    "zip_hierarchy",
]
