"""The populations of the synthetic world, declared once.

Every other list of populations in the package (the ``freq_*`` columns of the SNP table,
the default ancestry shares, the demographic model's sampled populations, the plotting
colours) is derived from or checked against :data:`POPULATIONS`. This module imports
nothing, so that light modules (plotting, checks) can use it without loading msprime.

Examples
--------
>>> POPULATIONS
('YRI', 'CEU', 'CHB')
>>> POPULATION_NAMES["CEU"]
'Utah residents of northern and western European ancestry'
"""

from __future__ import annotations

__all__ = ["POPULATIONS", "POPULATION_NAMES"]

#: Populations of the default demographic model (Gutenkunst et al. 2009), in a fixed
#: order: the order of columns, tables and random draws everywhere.
POPULATIONS: tuple[str, ...] = ("YRI", "CEU", "CHB")

#: What each label stands for (the 1000 Genomes / HapMap sample labels the model uses).
POPULATION_NAMES: dict[str, str] = {
    "YRI": "Yoruba in Ibadan, Nigeria",
    "CEU": "Utah residents of northern and western European ancestry",
    "CHB": "Han Chinese in Beijing, China",
}
