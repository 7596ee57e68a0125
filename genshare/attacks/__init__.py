"""The classic re-identification attacks, run on genotype matrices and tables.

One module per attack:

- :mod:`genshare.attacks.fingerprint`: genotypes as fingerprints (Lin, Owen & Altman 2004);
- :mod:`genshare.attacks.relatives`: familial search in a genealogy database (Erlich et al. 2018);
- :mod:`genshare.attacks.segments`: shared DNA segments in centimorgans, and relationships from them;
- :mod:`genshare.attacks.genealogy`: investigative genetic genealogy, from matches' family trees
  to a name (the Golden State Killer workflow);
- :mod:`genshare.attacks.linkage`: linking quasi-identifiers to public records (Sweeney 2000);
- :mod:`genshare.attacks.membership`: membership inference from allele frequencies
  (Homer et al. 2008; Sankararaman et al. 2009);
- :mod:`genshare.attacks.beacon`: membership inference from a beacon (Shringarpure & Bustamante 2015).

Genotypes are ``numpy`` arrays of shape (people, SNPs) holding 0, 1, 2 alternate alleles
and -1 for a missing call. Every function validates its input and is vectorised.
"""

from genshare.attacks.beacon import Beacon, beacon_attack, beacon_lrt
from genshare.attacks.fingerprint import match_genotype, random_match_probability, uniqueness_curve
from genshare.attacks.genealogy import (
    Triangulation,
    candidate_ancestors,
    descendants,
    identify_people,
    narrow,
    score_ancestors,
    score_people,
)
from genshare.attacks.linkage import linkage_attack, uniqueness
from genshare.attacks.membership import homer_statistic, lr_membership_statistic, roc_curve
from genshare.attacks.relatives import (
    KING_THRESHOLDS,
    erlich_identification_probability,
    familial_search,
    kinship,
    relationship_degree,
    segment_search,
)
from genshare.attacks.segments import find_segments, infer_relationship, summarise_pairs
from genshare.attacks.surname import NoYChromosomeError, infer_surname, infer_surnames, narrow_by_records

__all__ = [
    "Beacon",
    "NoYChromosomeError",
    "KING_THRESHOLDS",
    "Triangulation",
    "candidate_ancestors",
    "descendants",
    "identify_people",
    "narrow",
    "score_ancestors",
    "score_people",
    "beacon_attack",
    "beacon_lrt",
    "erlich_identification_probability",
    "familial_search",
    "find_segments",
    "infer_relationship",
    "homer_statistic",
    "infer_surname",
    "infer_surnames",
    "kinship",
    "linkage_attack",
    "lr_membership_statistic",
    "match_genotype",
    "narrow_by_records",
    "random_match_probability",
    "relationship_degree",
    "roc_curve",
    "segment_search",
    "summarise_pairs",
    "uniqueness",
    "uniqueness_curve",
]
