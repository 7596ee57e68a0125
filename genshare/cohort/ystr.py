"""Y-chromosome short tandem repeats (Y-STRs) along the paternal lines of the pedigree.

A man's Y chromosome comes from his biological father, unchanged except for rare
mutations; his surname comes from his legal father. Genetic genealogy databases pair the
two, which is what lets an attacker infer a research participant's surname from his
genome (:cite:t:`gymrek2013surnames`; :mod:`genshare.attacks.surname`).

How the haplotypes are made
---------------------------
1. **Panel.** :data:`YSTR_PANEL` lists 23 single-copy Y-STRs of commercial forensic and
   genealogy kits (the loci of PowerPlex Y23 / Yfiler Plus without the two-copy DYS385
   and DYF387S1) with a per-locus mutation rate per generation. Rates of the 15 loci
   studied by :cite:t:`busby2012peopling` are the Bayesian medians of
   :cite:t:`ballantyne2010mutability` that they tabulate (their table 1); the 8 loci they
   do not cover take the Y Chromosome Haplotype Reference Database rates (release 61) as
   tabulated by :cite:t:`zhou2020characterizing` (table 1). The ``source`` column says
   which. ``centre`` is the repeat number in the middle of the simulated allele range:
   an illustrative value close to common alleles, used only for display (the attack
   uses differences between repeat counts, never absolute values).
2. **Founding paternal lineages.** Every man of the pedigree without a father in it (the
   founders, generation 0) starts a paternal lineage. Their haplotypes are simulated
   together with msprime :cite:p:`baumdicker2022msprime`: a haploid, non-recombining
   genealogy (``ploidy=1``, one tree shared by every locus) sampled from each founder's
   population under the world's demographic model (:mod:`genshare.cohort.demography`).
   The Y is carried by men only, one copy each, so its effective size is a quarter of the
   autosomes' (half as many carriers, one copy instead of two): with ``ploidy=1``
   msprime's coalescence rate is ``1/N``, so every population size of the model is
   multiplied by :data:`Y_SIZE_SCALE` = 0.5 (``N/2`` men), which gives the pair
   coalescence rate ``2/N``, four times the autosomal ``1/(2N)``. The founders are sampled
   at time 0 of the model: their few generations before the present are negligible on the
   coalescent scale.

   **Allele frequencies.** Down that genealogy each locus mutates by single repeats through
   a stepwise chain whose stationary distribution is the locus's *sourced* allele
   frequencies (:func:`stepwise_transition_matrix`, a Metropolis-Hastings form of the
   stepwise mutation model), with the root allele drawn from the same distribution. So each
   locus's alleles among unrelated founders follow the sourced frequencies, and its gene
   diversity matches the source; and because all loci share one genealogy, founders with
   recent common ancestry share alleles at many loci at once, the haplogroup-like
   clustering that makes unrelated men look related. The sourced table
   (:func:`ystr_allele_frequencies`, ``data/ystr_allele_frequencies.csv``) holds the allele
   counts of 185 unrelated Danish men at 10 loci :cite:p:`hallenberg2005danes` (as
   distributed in the R package disclapmix, :cite:t:`andersen2013discrete`): DYS19,
   DYS389I, DYS389II, DYS390, DYS391, DYS392, DYS393, DYS437, DYS438, DYS439. The
   same European table serves every population; the populations differ through the
   genealogy only. The other 13 loci of the panel have no sourced table yet: they keep a
   uniform distribution over ``centre`` +/- :data:`HALF_RANGE` repeats, so their diversity
   (about 0.85) is higher than real data show.

   Why this design rather than drawing each founder's alleles independently from the
   table: independent draws would give the right diversity per locus but no shared
   ancestry between loci, hence almost no unrelated look-alikes. What it achieves, measured
   over 8 seeds of 800 CEU founders (``tests/test_ystr_frequencies.py`` checks it): the
   gene diversity of 8 of the 10 sourced loci is within 0.06 of the Danes' (mean over
   loci 0.57 against 0.61; the uniform model of earlier versions gave 0.75-0.84); the two
   slowest loci, DYS392 and DYS438 (about 0.001 per generation), fall short (0.39 and 0.57
   against 0.60 and 0.66) because the genealogy is too shallow for them to reach their
   stationary distribution. Haplotype sharing is about half the real one: 165-177 distinct
   10-locus haplotypes among 185 founders (match probability 0.006) against 136 among the
   185 Danes (0.012). Real European Y chromosomes are more clustered than this genealogy
   (recent expansions of a few lineages), so the simulation still understates how often
   unrelated men look related.
3. **Inheritance.** Generation by generation (vectorised over all sons of a generation),
   each man copies his **biological** father's (``father_id``) haplotype, and each locus
   mutates with its rate by one repeat up or down with equal probability (the plain
   stepwise model, which the attack assumes), within the locus's allele range
   (:func:`stationary_distributions`). :cite:t:`ballantyne2010mutability` observed single-repeat changes 25 times as
   often as multi-repeat ones and no significant excess of losses over gains, which is
   why the stepwise model is used.

Surnames follow ``legal_father_id``; after a non-paternity event the son carries one
man's Y chromosome and another man's surname, so the surname-haplotype link is
imperfect, as in real data.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from genshare._facts import ADULT_AGE, MAX_REPEAT_COUNT, YSTR_PANEL
from genshare._validation import check_columns, check_frequencies, check_integer, check_probability
from genshare.cohort.demography import DEMOGRAPHIC_MODELS
from genshare.cohort.schema import register_table

if TYPE_CHECKING:
    import msprime
from genshare.populations import POPULATIONS

__all__ = [
    "ALLELE_FREQUENCY_FILE",
    "HALF_RANGE",
    "MAX_REPEAT_COUNT",
    "YSTR_PANEL",
    "Y_SIZE_SCALE",
    "check_allele_frequencies",
    "founder_haplotypes",
    "gene_diversity",
    "inherit_haplotypes",
    "simulate_y_haplotypes",
    "stationary_distributions",
    "stepwise_transition_matrix",
    "ystr_allele_frequencies",
    "ystr_database",
    "y_chromosomes",
    "ystr_panel",
    "ystr_tables",
]

#: Multiplier of every population size of the demographic model for the Y chromosome
#: simulated as haploid (see the module docstring).
Y_SIZE_SCALE = 0.5


#: Alleles run from ``centre - HALF_RANGE`` to ``centre + HALF_RANGE`` repeats (13 states).
HALF_RANGE = 6


#: The file of :func:`genshare.paths.data_dir` holding the sourced allele frequencies.
ALLELE_FREQUENCY_FILE = "ystr_allele_frequencies.csv"

#: Alleles added beyond the smallest and largest sampled allele of a sourced locus, so that
#: the stepwise chain can reach alleles too rare to appear in a sample of a few hundred men.
ALLELE_MARGIN = 2

#: Frequency given, before renormalising, to every allele of a sourced locus's range that
#: the sample did not contain (gaps and :data:`ALLELE_MARGIN`), so that the stepwise chain
#: can pass through it. It changes a locus's gene diversity by less than 0.01.
UNSAMPLED_FREQUENCY = 0.001

#: Largest difference allowed between 1 and the sum of a locus's frequencies in the table
#: (published tables round each frequency).
FREQUENCY_SUM_TOLERANCE = 0.005


def ystr_panel(loci: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the Y-STR panel, or the rows of ``loci`` in the order given.

    Parameters
    ----------
    loci
        Locus names (for example the first 12 of :data:`YSTR_PANEL`); ``None`` for all.

    Returns
    -------
    pandas.DataFrame
        ``locus``, ``mutation_rate``, ``centre``, ``source``.

    Raises
    ------
    ValueError
        If a locus is unknown or repeated, naming it.

    Examples
    --------
    >>> ystr_panel(["DYS19", "DYS390"])["mutation_rate"].tolist()
    [0.00437, 0.00152]
    """
    if loci is None:
        return YSTR_PANEL.copy()
    if isinstance(loci, str):
        raise ValueError(f"loci must be a list of locus names, not one string; got {loci!r}")
    loci = list(loci)
    if not loci:
        raise ValueError("loci must name at least one locus")
    known = set(YSTR_PANEL["locus"])
    unknown = [name for name in loci if name not in known]
    if unknown:
        raise ValueError(f"loci: unknown Y-STR locus {unknown[:5]}; known loci are {sorted(known)}")
    repeated = sorted({name for name in loci if loci.count(name) > 1})
    if repeated:
        raise ValueError(f"loci: repeated locus {repeated}")
    return YSTR_PANEL.set_index("locus").loc[loci].reset_index()


def gene_diversity(haplotypes: pd.DataFrame) -> pd.Series:
    """Nei's unbiased gene diversity of each locus: ``n / (n - 1) * (1 - sum p_i**2)``.

    The probability that two haplotypes drawn without replacement carry different alleles
    at the locus; the single-locus statistic that Y-STR population studies report (YHRD
    and :cite:t:`purps2014global` call it GD).

    Parameters
    ----------
    haplotypes
        One column per locus, one row per man, whole repeat counts (at least two rows).

    Returns
    -------
    pandas.Series
        Gene diversity per locus (column order), each in [0, 1].

    Raises
    ------
    ValueError
        If there are fewer than two haplotypes, or a count is missing or not a whole
        number (naming the locus).

    Examples
    --------
    >>> gene_diversity(pd.DataFrame({"DYS19": [14, 14, 15, 15]})).round(3).tolist()
    [0.667]
    """
    if not isinstance(haplotypes, pd.DataFrame):
        raise ValueError(f"haplotypes must be a pandas DataFrame; got {type(haplotypes).__name__}")
    n = len(haplotypes)
    if n < 2:
        raise ValueError(f"haplotypes: gene diversity needs at least two haplotypes; got {n}")
    out = {}
    for locus in haplotypes.columns:
        values = pd.to_numeric(haplotypes[locus], errors="coerce")
        bad = values.isna() | (values != np.round(values))
        if bad.any():
            row = haplotypes.index[int(np.flatnonzero(bad.to_numpy())[0])]
            raise ValueError(
                f"haplotypes: repeat count at locus {locus} is missing or not a whole number "
                f"(row {row!r}: {haplotypes[locus].loc[row]!r})"
            )
        p = values.value_counts(normalize=True).to_numpy()
        out[locus] = n / (n - 1) * (1.0 - float(np.sum(p**2)))
    return pd.Series(out, dtype=float)


def ystr_allele_frequencies(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check a table of Y-STR allele frequencies (default: the sourced one in ``data/``).

    The default file, :data:`ALLELE_FREQUENCY_FILE`, holds the allele counts of 185
    unrelated Danish men at 10 loci of the panel :cite:p:`hallenberg2005danes`, as
    distributed in the R package disclapmix :cite:p:`andersen2013discrete`; its ``source_url``
    and ``checked_on`` columns say where each row comes from and when it was checked. Loci
    of the panel that the table does not list keep the bounded uniform distribution of
    :data:`HALF_RANGE` (see :func:`stationary_distributions`).

    Parameters
    ----------
    path
        A CSV file with at least the columns ``locus``, ``allele`` (repeat count) and
        ``frequency``; ``None`` for the sourced default.

    Returns
    -------
    pandas.DataFrame
        The table as read (every column kept), ``allele`` as int and ``frequency`` as float.

    Raises
    ------
    ValueError
        If a column is missing, a locus is not in :data:`YSTR_PANEL`, an allele is not a
        whole number from 1 to :data:`MAX_REPEAT_COUNT`, a frequency is not in (0, 1], an
        allele is listed twice for a locus, or a locus's frequencies do not sum to 1 (within
        :data:`FREQUENCY_SUM_TOLERANCE`); the message names the file, the row and the field.

    Examples
    --------
    >>> table = ystr_allele_frequencies()
    >>> sorted(table["locus"].unique())[:3]
    ['DYS19', 'DYS389I', 'DYS389II']
    >>> round(float(table.query("locus == 'DYS19' and allele == 14")["frequency"].iloc[0]), 3)
    0.611
    """
    if path is None:
        from genshare.paths import data_dir

        path = data_dir() / ALLELE_FREQUENCY_FILE
    name = str(path)
    table = pd.read_csv(path, dtype={"locus": str})
    return check_allele_frequencies(table, name)


def check_allele_frequencies(table: pd.DataFrame, name: str = "allele_frequencies") -> pd.DataFrame:
    """Check a table of allele frequencies (see :func:`ystr_allele_frequencies`); return a clean copy.

    An empty table (no row) is valid: every locus then keeps the bounded uniform distribution.

    Examples
    --------
    >>> check_allele_frequencies(pd.DataFrame({"locus": ["DYS19", "DYS19"], "allele": [14, 15],
    ...                                        "frequency": [0.75, 0.25]}))["allele"].tolist()
    [14, 15]
    """
    check_columns(table, ["locus", "allele", "frequency"], name, what="columns", allow_empty_table=True)
    table = table.copy()
    known = set(YSTR_PANEL["locus"])

    def where(i: int) -> str:
        return f"{name}, row {i + 2}"  # the header is line 1 of a CSV file

    locus = table["locus"]
    for i, value in enumerate(locus):
        if not isinstance(value, str) or value not in known:
            raise ValueError(f"{where(i)}: locus {value!r} is not in the Y-STR panel; known loci are {sorted(known)}")
    alleles = pd.to_numeric(table["allele"], errors="coerce")
    for i, (raw, value) in enumerate(zip(table["allele"], alleles, strict=True)):
        if (
            isinstance(raw, (bool, np.bool_))
            or not np.isfinite(value)
            or value != round(value)
            or not 1 <= value <= MAX_REPEAT_COUNT
        ):
            raise ValueError(
                f"{where(i)}: allele must be a whole number of repeats from 1 to {MAX_REPEAT_COUNT}; "
                f"got {raw!r} (microvariants such as 14.2 are not supported)"
            )
    freqs = pd.to_numeric(table["frequency"], errors="coerce")
    for i, (raw, value) in enumerate(zip(table["frequency"], freqs, strict=True)):
        if isinstance(raw, (bool, np.bool_)) or not np.isfinite(value) or not 0 < value <= 1:
            raise ValueError(f"{where(i)}: frequency must be a number in (0, 1]; got {raw!r}")
    table["allele"] = alleles.astype(int)
    table["frequency"] = freqs.astype(float)
    repeated = table.duplicated(["locus", "allele"], keep="first")
    if repeated.any():
        i = int(np.flatnonzero(repeated.to_numpy())[0])
        raise ValueError(
            f"{where(i)}: allele {table['allele'].iloc[i]} of locus {table['locus'].iloc[i]} is listed more than once"
        )
    sums = table.groupby("locus", sort=False)["frequency"].sum()
    off = sums[(sums - 1).abs() > FREQUENCY_SUM_TOLERANCE]
    if len(off):
        raise ValueError(
            f"{name}: the frequencies of locus {off.index[0]} sum to {off.iloc[0]:.4f}, not 1 "
            f"(tolerance {FREQUENCY_SUM_TOLERANCE})"
        )
    return table.reset_index(drop=True)


def stationary_distributions(
    panel: pd.DataFrame | None = None,
    allele_frequencies: pd.DataFrame | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each locus's allele range and the distribution founders' alleles are drawn towards.

    For a locus of ``allele_frequencies``: the contiguous alleles from the smallest sampled
    allele minus :data:`ALLELE_MARGIN` to the largest plus :data:`ALLELE_MARGIN`, with the
    sampled frequencies (unsampled alleles get :data:`UNSAMPLED_FREQUENCY`), renormalised.
    For any other locus of the panel: the 13 alleles ``centre`` +/- :data:`HALF_RANGE`,
    uniform (the stationary distribution of a bounded stepwise model; no source).

    Parameters
    ----------
    panel
        The loci (default :data:`YSTR_PANEL`).
    allele_frequencies
        A table as returned by :func:`ystr_allele_frequencies`; ``None`` for the sourced
        default. Rows of loci not in ``panel`` are ignored.

    Returns
    -------
    dict
        ``locus -> (alleles, probabilities)``, int and float arrays of the same length.

    Examples
    --------
    >>> alleles, p = stationary_distributions(ystr_panel(["DYS19"]))["DYS19"]
    >>> int(alleles[p.argmax()]), round(float(p.sum()), 6)
    (14, 1.0)
    """
    panel = ystr_panel() if panel is None else panel
    check_columns(panel, ["locus", "centre"], "panel")
    table = ystr_allele_frequencies() if allele_frequencies is None else check_allele_frequencies(allele_frequencies)
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for locus, centre in zip(panel["locus"], panel["centre"], strict=True):
        rows = table[table["locus"] == locus]
        if len(rows):
            lo = int(rows["allele"].min()) - ALLELE_MARGIN
            hi = int(rows["allele"].max()) + ALLELE_MARGIN
            alleles = np.arange(max(lo, 1), min(hi, MAX_REPEAT_COUNT) + 1)
            p = rows.set_index("allele")["frequency"].reindex(alleles).fillna(UNSAMPLED_FREQUENCY).to_numpy(float)
        else:
            alleles = np.arange(int(centre) - HALF_RANGE, int(centre) + HALF_RANGE + 1)
            p = np.ones(len(alleles))
        out[str(locus)] = (alleles, p / p.sum())
    return out


def stepwise_transition_matrix(frequencies: Sequence[float] | np.ndarray) -> np.ndarray:
    """A one-repeat stepwise mutation chain whose stationary distribution is ``frequencies``.

    A mutation proposes one repeat more or one fewer with equal probability (the stepwise
    mutation model); the step is kept with probability ``min(1, p[new] / p[old])`` and
    otherwise nothing changes (a Metropolis-Hastings rule), as is a step out of the range.
    The chain is reversible with respect to ``p``, so a lineage that mutates long enough
    carries allele ``i`` with probability ``p[i]``: founders drawn through it match the
    sourced allele frequencies while keeping stepwise (one-repeat) mutations.

    Parameters
    ----------
    frequencies
        Probabilities of consecutive alleles (at least two), each positive, summing to 1.

    Returns
    -------
    numpy.ndarray
        Square matrix ``P``; ``P[i, j]`` is the probability that a mutation of allele ``i``
        gives allele ``j`` (zero unless ``|i - j| <= 1``); rows sum to 1.

    Raises
    ------
    ValueError
        If there are fewer than two alleles or the frequencies are not positive and summing
        to 1.

    Examples
    --------
    >>> stepwise_transition_matrix([0.25, 0.5, 0.25]).tolist()
    [[0.5, 0.5, 0.0], [0.25, 0.5, 0.25], [0.0, 0.5, 0.5]]
    """
    p = check_frequencies(frequencies, "frequencies")
    if p.ndim != 1 or len(p) < 2:
        raise ValueError(f"frequencies must be a list of at least two alleles' probabilities; got shape {p.shape}")
    if (p <= 0).any():
        raise ValueError(
            f"frequencies must all be positive (the chain must reach every allele); "
            f"got {float(p.min())} at position {int(p.argmin())}"
        )
    if abs(float(p.sum()) - 1) > 1e-9:
        raise ValueError(f"frequencies must sum to 1; got {float(p.sum())}")
    k = len(p)
    matrix = np.zeros((k, k))
    up = 0.5 * np.minimum(1.0, p[1:] / p[:-1])  # i -> i + 1
    down = 0.5 * np.minimum(1.0, p[:-1] / p[1:])  # i + 1 -> i
    matrix[np.arange(k - 1), np.arange(1, k)] = up
    matrix[np.arange(1, k), np.arange(k - 1)] = down
    matrix[np.arange(k), np.arange(k)] = 1.0 - matrix.sum(axis=1)
    return matrix


def _y_demography(model: str) -> msprime.Demography:
    """The autosomal demographic model with every population size scaled for the Y."""
    if model not in DEMOGRAPHIC_MODELS:
        raise ValueError(f"model must be one of {sorted(DEMOGRAPHIC_MODELS)}; got {model!r}")
    demography = copy.deepcopy(DEMOGRAPHIC_MODELS[model]())
    for population in demography.populations:
        population.initial_size *= Y_SIZE_SCALE
    for event in demography.events:
        if getattr(event, "initial_size", None) is not None:
            event.initial_size *= Y_SIZE_SCALE
    return demography


def founder_haplotypes(
    populations: Sequence[str],
    *,
    panel: pd.DataFrame | None = None,
    model: str = "out_of_africa_3g09",
    seed: int,
    allele_frequencies: pd.DataFrame | None = None,
) -> np.ndarray:
    """Simulate the Y-STR haplotypes of founding paternal lineages with msprime.

    One haploid genealogy of all founders (no recombination on the Y) under the world's
    demographic model; at each locus, stepwise mutations down that genealogy through the
    chain of :func:`stepwise_transition_matrix`, whose stationary distribution is the
    locus's sourced allele frequencies (:func:`stationary_distributions`). The root allele
    is drawn from that distribution. Because every locus shares the genealogy, founders who
    share recent ancestry share alleles at many loci at once (haplogroup-like clusters), as
    real Y chromosomes do.

    The chain keeps a proposed step with probability ``min(1, p[new]/p[old])``, so fewer
    steps change the allele than are proposed; the proposal rate is the locus's rate divided
    by the expected share that change (at stationarity), so that alleles change at the
    locus's published rate per generation.

    Parameters
    ----------
    populations
        Population label of each founder (one of ``POPULATIONS``), length ``n``.
    panel
        The loci (default :data:`YSTR_PANEL`).
    model
        Demographic model name (see :data:`genshare.cohort.demography.DEMOGRAPHIC_MODELS`).
    seed
        Random seed (msprime's ancestry and mutation seeds derive from it).
    allele_frequencies
        Allele frequency table (see :func:`ystr_allele_frequencies`); ``None`` for the
        sourced default. The same table serves every population (it is a European sample;
        the populations differ through the genealogy only).

    Returns
    -------
    numpy.ndarray
        ``int16`` repeat counts, shape (n, loci).

    Examples
    --------
    >>> haps = founder_haplotypes(["CEU"] * 5, seed=1)
    >>> haps.shape, haps.dtype.name
    ((5, 23), 'int16')
    """
    panel = ystr_panel() if panel is None else panel
    check_columns(panel, ["locus", "mutation_rate", "centre"], "panel")
    seed = check_integer(seed, "seed", minimum=0)
    labels = np.asarray(list(populations), dtype=object)
    bad = sorted({str(p) for p in labels if p not in POPULATIONS})
    if bad:
        raise ValueError(f"populations: unknown population {bad}; expected one of {list(POPULATIONS)}")
    stationary = stationary_distributions(panel, allele_frequencies)
    n, n_loci = len(labels), len(panel)
    out = np.empty((n, n_loci), dtype=np.int16)
    if n == 0:
        return out
    rng = np.random.default_rng(seed)
    counts = {pop: int((labels == pop).sum()) for pop in POPULATIONS if (labels == pop).any()}
    import msprime  # here, not with the module: loading a world never simulates (see demography)

    tree_seq = msprime.sim_ancestry(
        samples=[msprime.SampleSet(k, population=pop, ploidy=1) for pop, k in counts.items()],
        demography=_y_demography(model),
        sequence_length=1,
        recombination_rate=0,
        random_seed=int(rng.integers(1, 2**31 - 1)),
    )
    states = np.empty((tree_seq.num_samples, n_loci), dtype=np.int16)
    for j, (locus, rate) in enumerate(zip(panel["locus"], panel["mutation_rate"].to_numpy(float), strict=True)):
        alleles, p = stationary[str(locus)]
        transitions = stepwise_transition_matrix(p)
        changing = float(p @ (1.0 - np.diag(transitions)))  # share of proposed steps that change the allele
        mutated = msprime.sim_mutations(
            tree_seq,
            rate=rate / changing,
            discrete_genome=True,
            model=msprime.MatrixMutationModel([str(a) for a in alleles], p, transitions),
            random_seed=int(rng.integers(1, 2**31 - 1)),
        )
        root = rng.choice(alleles, p=p)  # drawn for every locus, so the stream does not depend on sites
        if mutated.num_sites == 0:
            states[:, j] = root
            continue
        variant = next(mutated.variants())
        values = np.array([int(a) for a in variant.alleles], dtype=np.int16)
        states[:, j] = values[variant.genotypes]
    # Sample nodes are in SampleSet order (population by population); put them back in input order.
    order = np.concatenate([np.flatnonzero(labels == pop) for pop in counts])
    out[order] = states
    return out


def inherit_haplotypes(
    pedigree: pd.DataFrame,
    founders: pd.DataFrame,
    *,
    panel: pd.DataFrame | None = None,
    seed: int,
    allele_frequencies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Pass Y haplotypes from biological father to son down the pedigree, with mutation.

    Parameters
    ----------
    pedigree
        ``person_id``, ``sex``, ``father_id`` (biological; "" if not in the pedigree),
        ``generation``.
    founders
        Haplotypes of every man without a father in the pedigree: ``person_id`` plus one
        column per locus of ``panel``.
    panel
        The loci and their mutation rates (default :data:`YSTR_PANEL`).
    seed
        Random seed.
    allele_frequencies
        Sets each locus's allele range (:func:`stationary_distributions`; ``None`` for the
        sourced default). A step out of the range does nothing. Within the range each
        mutation is one repeat up or down with equal probability, as the attack assumes.

    Returns
    -------
    pandas.DataFrame
        ``person_id`` of every man of the pedigree (pedigree order) and one ``int16``
        column per locus.

    Raises
    ------
    ValueError
        If a man's father is missing from the pedigree, is not a man, is not of an earlier
        generation, or a founder's haplotype is missing (naming the ids).
    """
    panel = ystr_panel() if panel is None else panel
    seed = check_integer(seed, "seed", minimum=0)
    check_columns(pedigree, ["person_id", "sex", "father_id", "generation"], "pedigree")
    loci = panel["locus"].tolist()
    check_columns(founders, ["person_id", *loci], "founders")
    men = pedigree.loc[pedigree["sex"] == "M", ["person_id", "father_id", "generation"]].reset_index(drop=True)
    index = pd.Series(np.arange(len(men)), index=men["person_id"].to_numpy())
    info = pedigree.set_index("person_id")
    father = men["father_id"].fillna("").astype(str).to_numpy()
    has_father = father != ""
    known = pd.Series(father).isin(pedigree["person_id"]).to_numpy()
    if (has_father & ~known).any():
        raise ValueError(
            f"pedigree: father_id not in the pedigree for {men.loc[has_father & ~known, 'person_id'].tolist()[:10]}"
        )
    with_father = men.loc[has_father]
    father_sex = info.loc[with_father["father_id"], "sex"].to_numpy()
    if (father_sex != "M").any():
        raise ValueError(
            f"pedigree: father is not a man for {with_father.loc[father_sex != 'M', 'person_id'].tolist()[:10]}"
        )
    father_gen = info.loc[with_father["father_id"], "generation"].to_numpy()
    if (father_gen >= with_father["generation"].to_numpy()).any():
        bad = with_father.loc[father_gen >= with_father["generation"].to_numpy(), "person_id"].tolist()
        raise ValueError(f"pedigree: father not of an earlier generation for {bad[:10]}")
    haps = np.zeros((len(men), len(loci)), dtype=np.int16)
    founder_ids = men.loc[~has_father, "person_id"]
    given = founders.set_index("person_id")
    absent = founder_ids[~founder_ids.isin(given.index)].tolist()
    if absent:
        raise ValueError(f"founders: no haplotype for founding men {absent[:10]}")
    haps[~has_father] = given.loc[founder_ids, loci].to_numpy(np.int16)
    rng = np.random.default_rng(seed)
    rates = panel["mutation_rate"].to_numpy(float)
    ranges = stationary_distributions(panel, allele_frequencies)
    lo = np.array([ranges[str(locus)][0][0] for locus in loci], dtype=np.int16)[None, :]
    hi = np.array([ranges[str(locus)][0][-1] for locus in loci], dtype=np.int16)[None, :]
    generations = men["generation"].to_numpy()
    for gen in np.unique(generations[has_father]):
        sons = np.flatnonzero(has_father & (generations == gen))
        parent = haps[index.loc[father[sons]].to_numpy()]
        mutate = rng.random(parent.shape) < rates[None, :]
        step = np.where(rng.random(parent.shape) < 0.5, -1, 1).astype(np.int16)
        child = parent + mutate * step
        # Out-of-range mutations do nothing, as in msprime.SMM.
        haps[sons] = np.where((child < lo) | (child > hi), parent, child)
    out = pd.DataFrame(haps, columns=loci)
    out.insert(0, "person_id", men["person_id"].to_numpy())
    return out


def simulate_y_haplotypes(
    pedigree: pd.DataFrame,
    *,
    panel: pd.DataFrame | None = None,
    model: str = "out_of_africa_3g09",
    seed: int,
    allele_frequencies: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Y-STR haplotypes of every man in the pedigree (founders by msprime, then inheritance).

    Parameters
    ----------
    pedigree
        ``person_id``, ``sex``, ``father_id`` (biological), ``generation``, ``population``.
    panel, model, seed, allele_frequencies
        As for :func:`founder_haplotypes`.

    Returns
    -------
    pandas.DataFrame
        ``person_id`` and one ``int16`` column per locus, one row per man.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["A", "B", "C"], "sex": ["M", "M", "F"],
    ...     "father_id": ["", "A", "A"], "generation": [0, 1, 1], "population": ["CEU"] * 3})
    >>> simulate_y_haplotypes(people, seed=3)["person_id"].tolist()
    ['A', 'B']
    """
    check_columns(pedigree, ["person_id", "sex", "father_id", "generation", "population"], "pedigree")
    seed = check_integer(seed, "seed", minimum=0)
    panel = ystr_panel() if panel is None else panel
    if allele_frequencies is None:
        allele_frequencies = ystr_allele_frequencies()
    sex = pedigree["sex"].astype(str)
    bad_sex = pedigree.loc[~sex.isin(["F", "M"]), "person_id"].tolist()
    if bad_sex:
        raise ValueError(f"pedigree: sex must be 'F' or 'M'; not so for {bad_sex[:10]}")
    founding = pedigree.loc[(sex == "M") & (pedigree["father_id"].fillna("").astype(str) == "")]
    seeds = np.random.SeedSequence(seed).spawn(2)
    haps = founder_haplotypes(
        founding["population"].tolist(),
        panel=panel,
        model=model,
        seed=int(seeds[0].generate_state(1)[0]),
        allele_frequencies=allele_frequencies,
    )
    founders = pd.DataFrame(haps, columns=panel["locus"].tolist())
    founders.insert(0, "person_id", founding["person_id"].to_numpy())
    return inherit_haplotypes(
        pedigree, founders, panel=panel, seed=int(seeds[1].generate_state(1)[0]), allele_frequencies=allele_frequencies
    )


def ystr_database(
    people: pd.DataFrame,
    haplotypes: pd.DataFrame,
    *,
    fraction: float,
    seed: int,
) -> pd.DataFrame:
    """A public Y-STR genealogy database: a random share of living men, haplotype and surname.

    Recreational genetic-genealogy sites (Ysearch and SMGF, searched by
    :cite:t:`gymrek2013surnames`) let men publish their Y-STR haplotype with their
    surname so that others of the same paternal line can find them.

    Parameters
    ----------
    people
        The pedigree with ``person_id``, ``sex``, ``alive``, ``surname``.
    haplotypes
        Output of :func:`simulate_y_haplotypes`.
    fraction
        Share of living men (adults, if ``people`` has an ``age`` column) who have
        published their haplotype, in [0, 1].
    seed
        Random seed.

    Returns
    -------
    pandas.DataFrame
        ``ystr_profile_id`` ("Y000001", ...), ``person_id`` (the truth, for scoring; a real
        database does not show it), ``surname`` and one column per locus.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["A", "B"], "sex": ["M", "M"], "alive": [True, True],
    ...     "surname": ["Ames", "Ames"]})
    >>> haps = pd.DataFrame({"person_id": ["A", "B"], "DYS19": [14, 15]})
    >>> ystr_database(people, haps, fraction=1.0, seed=0)["surname"].tolist()
    ['Ames', 'Ames']
    """
    fraction = check_probability(fraction, "fraction")
    seed = check_integer(seed, "seed", minimum=0)
    check_columns(people, ["person_id", "sex", "alive", "surname"], "people")
    check_columns(haplotypes, ["person_id"], "haplotypes")
    living_men = (people["sex"] == "M") & people["alive"].astype(bool)
    if "age" in people.columns:  # genealogy customers are adults
        living_men &= pd.to_numeric(people["age"], errors="coerce").fillna(0).to_numpy() >= ADULT_AGE
    living_men = people.loc[living_men, ["person_id", "surname"]]
    missing = living_men.loc[~living_men["person_id"].isin(haplotypes["person_id"]), "person_id"].tolist()
    if missing:
        raise ValueError(f"haplotypes: no Y haplotype for living men {missing[:10]}")
    rng = np.random.default_rng(seed)
    chosen = living_men.iloc[np.sort(rng.permutation(len(living_men))[: int(round(fraction * len(living_men)))])]
    table = chosen.merge(haplotypes, on="person_id", how="left", validate="one_to_one")
    table.insert(0, "ystr_profile_id", [f"Y{i + 1:06d}" for i in range(len(table))])
    return table.reset_index(drop=True)


def ystr_tables(
    people: pd.DataFrame,
    cohort: pd.DataFrame,
    *,
    fraction: float = 0.1,
    model: str = "out_of_africa_3g09",
    seed: int,
) -> dict[str, Any]:
    """The world's Y tables: participants' released haplotypes and the public database.

    This is the one step the world pipeline calls.

    Parameters
    ----------
    people
        The whole pedigree (see the world contract).
    cohort
        The study's participants: ``participant_id``, ``person_id``.
    fraction
        Share of living men in the public Y-STR database.
    model
        Demographic model of the world.
    seed
        Random seed.

    Returns
    -------
    dict
        ``"ystr"``: ``participant_id`` and the loci, one row per male participant (released
        with the genotypes, as the 1000 Genomes sequences were); ``"ystr_database"``: see
        :func:`ystr_database`.
    """
    check_columns(cohort, ["participant_id", "person_id"], "cohort")
    seeds = np.random.SeedSequence(check_integer(seed, "seed", minimum=0)).spawn(2)
    haplotypes = simulate_y_haplotypes(people, model=model, seed=int(seeds[0].generate_state(1)[0]))
    released = cohort[["participant_id", "person_id"]].merge(haplotypes, on="person_id", how="inner")
    database = ystr_database(people, haplotypes, fraction=fraction, seed=int(seeds[1].generate_state(1)[0]))
    return {"ystr": released.drop(columns="person_id").reset_index(drop=True), "ystr_database": database}


_LOCUS_COLUMNS = [(locus, "integer") for locus in YSTR_PANEL["locus"]]
register_table(
    "ystr",
    "ystr.csv",
    [("participant_id", "string"), *_LOCUS_COLUMNS],
    "Y-STR haplotypes (repeat counts at the loci of genshare.cohort.ystr.YSTR_PANEL) of the male participants, "
    "released with their genotypes as sequencing data would reveal them",
)
register_table(
    "ystr_database",
    "ystr_database.csv",
    [("ystr_profile_id", "string"), ("person_id", "string"), ("surname", "string"), *_LOCUS_COLUMNS],
    "public Y-STR genealogy database: a share of living adult men with their haplotype and surname "
    "(person_id is the truth, for scoring; a real database does not show it)",
)


def y_chromosomes(state: Any) -> None:
    """World pipeline step: the ``ystr`` and ``ystr_database`` tables (see :func:`ystr_tables`).

    Runs after the records step (it needs the cohort table and the people's ages); its
    random stream comes from its own name, so adding it changes no other step's draws.
    """
    seed = int(state.seed_sequence("ystr").generate_state(1)[0])
    state.tables.update(
        ystr_tables(
            state.people, state.tables["cohort"], fraction=state.p["ystr_share"], model=state.p["model"], seed=seed
        )
    )
