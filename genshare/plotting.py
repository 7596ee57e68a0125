"""Shared colours and figure style for the module's figures.

The palette is Okabe and Ito's, designed to stay distinguishable under the common forms
of colour-vision deficiency. Every figure in the book takes its colours from here, so the
same category always has the same colour.

:func:`use_lesson_style` sets one readable style for every lesson: figures are drawn at
150 dpi with text large enough to stay at least 9 pt on screen when the book scales a
figure down to its page width (about 7.5 inches, so a figure at most 8 inches wide shrinks
by at most about a tenth). Each notebook calls it once, after importing matplotlib.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ACCESS_COLOURS",
    "FIGURE_DPI",
    "LESSON_STYLE",
    "OKABE_ITO",
    "OUTCOME_COLOURS",
    "OUTCOME_HATCHES",
    "POPULATION_COLOURS",
    "use_lesson_style",
]

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

#: One colour per access model, from open (green) to controlled (vermillion). Tiered is
#: dark blue rather than orange, so that it stays far from controlled's vermillion.
ACCESS_COLOURS: dict[str, str] = {
    "open": OKABE_ITO["bluish_green"],
    "registered": OKABE_ITO["yellow"],
    "tiered": OKABE_ITO["blue"],
    "controlled": OKABE_ITO["vermillion"],
}

#: One colour per simulated population.
POPULATION_COLOURS: dict[str, str] = {
    "YRI": OKABE_ITO["orange"],
    "CEU": OKABE_ITO["blue"],
    "CHB": OKABE_ITO["bluish_green"],
}

#: One colour per outcome of a linkage attack. "re-identified" and "wrong person" are the
#: two outcomes a reader must tell apart, so they get colours far apart in hue and
#: lightness (dark blue against yellow), and figures add hatching as a second cue.
OUTCOME_COLOURS: dict[str, str] = {
    "re-identified": OKABE_ITO["blue"],
    "wrong person": OKABE_ITO["yellow"],
    "ambiguous": OKABE_ITO["sky_blue"],
    "no match": OKABE_ITO["grey"],
}

#: Hatching per linkage outcome, so categories differ in pattern as well as colour.
OUTCOME_HATCHES: dict[str, str] = {
    "re-identified": "",
    "wrong person": "xx",
    "ambiguous": "//",
    "no match": "..",
}

#: Resolution of the lessons' figures (dots per inch), for the notebook and the book.
FIGURE_DPI = 150

#: Matplotlib settings of :func:`use_lesson_style`: 150 dpi, text of 11-13 pt, no top or
#: right frame, legends with an opaque background, and a white figure background.
LESSON_STYLE: dict[str, Any] = {
    "figure.dpi": FIGURE_DPI,
    "savefig.dpi": FIGURE_DPI,
    "figure.facecolor": "white",
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 10,
    "legend.title_fontsize": 10,
    "legend.framealpha": 1.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def use_lesson_style() -> dict[str, Any]:
    """Apply the module's figure style (:data:`LESSON_STYLE`) to matplotlib.

    Call once per notebook after importing matplotlib; every later figure is drawn at
    :data:`FIGURE_DPI` with readable text. Figures should stay at most 8 inches wide, so
    that the book shrinks them little.

    Returns
    -------
    dict
        The settings applied (a copy of :data:`LESSON_STYLE`).

    Examples
    --------
    >>> import matplotlib
    >>> settings = use_lesson_style()
    >>> matplotlib.rcParams["figure.dpi"] == FIGURE_DPI
    True
    """
    import matplotlib

    matplotlib.rcParams.update(LESSON_STYLE)  # type: ignore[arg-type]  # matplotlib types the keys as a Literal of rc names
    return dict(LESSON_STYLE)
