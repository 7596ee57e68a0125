"""Shared colours for the module's figures.

The palette is Okabe and Ito's, designed to stay distinguishable under the common forms
of colour-vision deficiency. Every figure in the book takes its colours from here, so the
same category always has the same colour.
"""

from __future__ import annotations

__all__ = ["ACCESS_COLOURS", "OKABE_ITO", "POPULATION_COLOURS"]

#: Okabe-Ito colour-blind-safe palette (black omitted), as hex strings.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
}

#: One colour per access model, from open (green) to controlled (vermillion).
ACCESS_COLOURS: dict[str, str] = {
    "open": OKABE_ITO["bluish_green"],
    "registered": OKABE_ITO["sky_blue"],
    "tiered": OKABE_ITO["orange"],
    "controlled": OKABE_ITO["vermillion"],
}

#: One colour per simulated population.
POPULATION_COLOURS: dict[str, str] = {
    "YRI": OKABE_ITO["orange"],
    "CEU": OKABE_ITO["blue"],
    "CHB": OKABE_ITO["bluish_green"],
}
