"""Facts shared by the synthetic world and the tools that read it, declared once.

A dependency-free bottom layer (numpy and pandas only; no ``genshare`` import): the
simulator (:mod:`genshare.cohort`) builds the world from these facts, and the attacks,
defences and deposit tools, which must not import the simulator, read the same facts
from here.

- **Today.** :data:`REFERENCE_DATE`, the day on which the world's ages are counted,
  and what follows from it: :data:`REFERENCE_YEAR` (the year whose start it is, so the
  year an age is counted in) and :data:`LAST_BIRTH_YEAR` (the last year with births).
- **Adults.** :data:`ADULT_AGE`, the youngest age of a participant, a voter or a
  genealogy-database customer.
- **Relationships.** :func:`relationship_name`, the name of a relationship from the
  generations up to the common ancestor(s).
- **The Y-STR panel.** :data:`YSTR_PANEL` (loci, mutation rates, sources) and
  :data:`MAX_REPEAT_COUNT`.

Examples
--------
>>> str(REFERENCE_DATE), REFERENCE_YEAR, LAST_BIRTH_YEAR, ADULT_AGE
('2026-01-01', 2026, 2025, 18)
>>> relationship_name(2, 2, True)
'first_cousin'
>>> len(YSTR_PANEL), MAX_REPEAT_COUNT
(23, 100)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "ADULT_AGE",
    "LAST_BIRTH_YEAR",
    "MAX_REPEAT_COUNT",
    "ORDINAL",
    "REFERENCE_DATE",
    "REFERENCE_YEAR",
    "YSTR_PANEL",
    "relationship_name",
]

#: "Today" in the synthetic world: the date ages are counted from (1 January 2026),
#: fixed so that worlds are reproducible.
REFERENCE_DATE = np.datetime64("2026-01-01", "D")
#: The year that :data:`REFERENCE_DATE` opens (the year a Safe Harbor age is counted in).
REFERENCE_YEAR = int(REFERENCE_DATE.astype("datetime64[Y]").astype(int)) + 1970
#: Last year in which births happen: the year before :data:`REFERENCE_DATE`.
LAST_BIRTH_YEAR = REFERENCE_YEAR - 1
#: Youngest age of an adult: a study participant, a voter, a genealogy-database customer.
ADULT_AGE = 18

# --------------------------------------------------------------------------------------
# Relationships
# --------------------------------------------------------------------------------------

#: Ordinal words of cousin degrees (first cousin, second cousin, ...).
ORDINAL = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
_REMOVED = {1: "once", 2: "twice", 3: "thrice"}


def relationship_name(a: int, b: int, full: bool) -> str:
    """The name of a relationship from the meioses to the common ancestor(s) on each side.

    Parameters
    ----------
    a, b
        Generations from each person up to the most recent common ancestor(s) (0 when one
        person is the ancestor).
    full
        True when two common ancestors (a couple) are shared at that level, False for one.

    Examples
    --------
    >>> relationship_name(2, 2, True), relationship_name(1, 1, False), relationship_name(3, 4, True)
    ('first_cousin', 'half_sibling', 'second_cousin_once_removed')
    >>> relationship_name(0, 1, False), relationship_name(2, 0, False), relationship_name(1, 3, True)
    ('parent_child', 'grandparent', 'great_avuncular')
    """
    low, high = min(a, b), max(a, b)
    if low == 0:
        return "parent_child" if high == 1 else "great_" * (high - 2) + "grandparent"
    prefix = "" if full else "half_"
    if low == 1:
        if high == 1:
            return "full_sibling" if full else "half_sibling"
        return prefix + "great_" * (high - 2) + "avuncular"
    name = f"{prefix}{ORDINAL.get(low - 1, f'{low - 1}th')}_cousin"
    if high > low:
        name += f"_{_REMOVED.get(high - low, f'{high - low}_times')}_removed"
    return name


# --------------------------------------------------------------------------------------
# The Y-STR panel
# --------------------------------------------------------------------------------------

_BALLANTYNE = "Ballantyne et al. 2010 (via Busby et al. 2012, table 1)"
_YHRD = "YHRD release 61 (via Zhou et al. 2020, table 1)"

#: The Y-STR panel: ``locus``, ``mutation_rate`` (per generation), ``centre`` (repeat
#: number in the middle of the simulated range; illustrative) and ``source`` of the rate.
YSTR_PANEL = pd.DataFrame(
    [
        ("DYS19", 0.00437, 15, _BALLANTYNE),
        ("DYS389I", 0.00551, 13, _BALLANTYNE),
        ("DYS389II", 0.00383, 29, _BALLANTYNE),
        ("DYS390", 0.00152, 24, _BALLANTYNE),
        ("DYS391", 0.00323, 10, _BALLANTYNE),
        ("DYS392", 0.00097, 13, _BALLANTYNE),
        ("DYS393", 0.00211, 13, _BALLANTYNE),
        ("DYS437", 0.00153, 15, _BALLANTYNE),
        ("DYS438", 0.000956, 12, _BALLANTYNE),
        ("DYS439", 0.00384, 12, _BALLANTYNE),
        ("DYS448", 0.000394, 19, _BALLANTYNE),
        ("DYS456", 0.00494, 15, _BALLANTYNE),
        ("DYS458", 0.00836, 17, _BALLANTYNE),
        ("DYS635", 0.00385, 23, _BALLANTYNE),
        ("Y-GATA-H4", 0.00322, 12, _BALLANTYNE),
        ("DYS449", 0.00944, 30, _YHRD),
        ("DYS460", 0.00582, 11, _YHRD),
        ("DYS481", 0.00488, 22, _YHRD),
        ("DYS518", 0.0146, 38, _YHRD),
        ("DYS533", 0.00368, 12, _YHRD),
        ("DYS570", 0.0114, 17, _YHRD),
        ("DYS576", 0.0126, 18, _YHRD),
        ("DYS627", 0.0132, 21, _YHRD),
    ],
    columns=["locus", "mutation_rate", "centre", "source"],
)

#: Largest repeat count a Y-STR haplotype may hold where one is read (the attacks refuse
#: larger ones). The longest alleles of the loci in use are a few dozen repeats (DYS449,
#: DYS518 and DYS627 reach the 30s and 40s; the simulated range ends at 44); 100 leaves
#: room for any real allele while keeping the tables an attack builds small (their size
#: grows with the largest difference of repeat counts).
MAX_REPEAT_COUNT = 100
