"""Published human demographic models, written with msprime's demography API.

Only models that need no download (no genetic maps, no catalogue look-ups) are here, so
that the synthetic world can be generated offline.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import msprime

__all__ = ["DEMOGRAPHIC_MODELS", "GENERATION_TIME", "MUTATION_RATE", "RECOMBINATION_RATE", "out_of_africa_3g09"]

#: Years per generation used to convert the published times (Gutenkunst et al. 2009).
GENERATION_TIME = 25
#: Per-base, per-generation mutation rate used with the model (as in stdpopsim's OutOfAfrica_3G09).
MUTATION_RATE = 2.35e-8
#: Uniform per-base, per-generation recombination rate (about 1 cM/Mb).
RECOMBINATION_RATE = 1e-8


def out_of_africa_3g09() -> msprime.Demography:
    """Three-population out-of-Africa model of Gutenkunst et al. (2009).

    Populations YRI (Yoruba, Africa), CEU (Utah residents of northern and western European
    ancestry) and CHB (Han Chinese in Beijing). Parameters are the maximum-likelihood
    estimates of Gutenkunst et al. (2009, PLoS Genetics 5:e1000695, table 1), as also
    used by stdpopsim's ``OutOfAfrica_3G09``.

    Returns
    -------
    msprime.Demography

    Examples
    --------
    >>> demography = out_of_africa_3g09()
    >>> sorted(p.name for p in demography.populations if p.default_sampling_time == 0)
    ['CEU', 'CHB', 'YRI']
    """
    # Effective sizes.
    n_ancestral, n_bottleneck, n_africa = 7300, 2100, 12300
    n_europe_0, n_asia_0 = 1000, 510
    # Growth rates per generation in Europe and East Asia.
    r_europe, r_asia = 0.004, 0.0055
    # Times in generations.
    t_africa = 220e3 / GENERATION_TIME
    t_bottleneck = 140e3 / GENERATION_TIME
    t_europe_asia = 21.2e3 / GENERATION_TIME
    # Present-day sizes after exponential growth since the EU-AS split.
    n_europe = n_europe_0 / math.exp(-r_europe * t_europe_asia)
    n_asia = n_asia_0 / math.exp(-r_asia * t_europe_asia)
    # Migration rates (per generation, symmetric).
    m_africa_bottleneck, m_africa_europe, m_africa_asia, m_europe_asia = 25e-5, 3e-5, 1.9e-5, 9.6e-5

    # msprime and demes are imported here, not with the module: loading a world never
    # needs them, and importing msprime (through tskit and jsonschema) takes about a second.
    import demes
    import msprime

    # Written as a demes graph (times in years, as published), then converted by msprime.
    builder = demes.Builder(
        description="Gutenkunst et al. (2009) three-population out-of-Africa model",
        time_units="years",
        generation_time=GENERATION_TIME,
    )
    years = GENERATION_TIME
    builder.add_deme("ancestral", epochs=[{"end_time": t_africa * years, "start_size": n_ancestral}])
    builder.add_deme(
        "AMH", ancestors=["ancestral"], epochs=[{"end_time": t_bottleneck * years, "start_size": n_africa}]
    )
    builder.add_deme("OOA", ancestors=["AMH"], epochs=[{"end_time": t_europe_asia * years, "start_size": n_bottleneck}])
    builder.add_deme("YRI", description="Yoruba (Africa)", ancestors=["AMH"], epochs=[{"start_size": n_africa}])
    builder.add_deme(
        "CEU",
        description="European ancestry",
        ancestors=["OOA"],
        epochs=[{"start_size": n_europe_0, "end_size": n_europe}],
    )
    builder.add_deme(
        "CHB",
        description="Han Chinese (East Asia)",
        ancestors=["OOA"],
        epochs=[{"start_size": n_asia_0, "end_size": n_asia}],
    )
    builder.add_migration(demes=["YRI", "OOA"], rate=m_africa_bottleneck)
    builder.add_migration(demes=["YRI", "CEU"], rate=m_africa_europe)
    builder.add_migration(demes=["YRI", "CHB"], rate=m_africa_asia)
    builder.add_migration(demes=["CEU", "CHB"], rate=m_europe_asia)
    demography = msprime.Demography.from_demes(builder.resolve())
    return demography


#: Demographic models by name; ``simulate_world(model=...)`` accepts these keys.
DEMOGRAPHIC_MODELS = {"out_of_africa_3g09": out_of_africa_3g09}
