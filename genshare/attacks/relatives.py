"""Familial search: finding a person through relatives in a genealogy database (Erlich et al. 2018)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from genshare._validation import check_choice, check_genotypes, check_integer, check_number
from genshare.attacks.segments import (
    DEFAULT_MIN_CM,
    DEFAULT_MIN_SNPS,
    find_phased_segments,
    find_segments,
    infer_relationship,
    summarise_pairs,
)
from genshare.popgen import kinship

__all__ = [
    "KING_THRESHOLDS",
    "erlich_identification_probability",
    "familial_search",
    "kinship",
    "relationship_degree",
    "segment_search",
]

#: Lower bounds of the kinship coefficient for each degree of relationship, as used by
#: KING (Manichaikul et al. 2010): halfway, on a log scale, between the expected values.
KING_THRESHOLDS = {
    "duplicate or identical twin": 0.354,
    "1st degree": 0.177,
    "2nd degree": 0.0884,
    "3rd degree": 0.0442,
}


def relationship_degree(kinship_values: npt.ArrayLike) -> np.ndarray:
    """Name the degree of relationship for kinship coefficients (KING's cut-offs).

    ``nan`` (a pair that shares no heterozygous call, see :func:`kinship`) is labelled
    ``"undetermined"``, never ``"unrelated"``.

    Examples
    --------
    >>> relationship_degree([0.5, 0.25, 0.12, 0.06, 0.01]).tolist()
    ['duplicate or identical twin', '1st degree', '2nd degree', '3rd degree', 'unrelated']
    """
    try:
        values = np.asarray(kinship_values)
    except (ValueError, TypeError) as error:
        raise ValueError(f"kinship_values cannot be read as an array: {error}") from None
    if values.dtype.kind not in "iuf":
        raise ValueError(f"kinship_values must hold numbers; got dtype {values.dtype}")
    values = values.astype(float)
    labels = np.full(values.shape, "unrelated", dtype=object)
    for label, bound in sorted(KING_THRESHOLDS.items(), key=lambda item: item[1]):
        labels[values >= bound] = label
    labels[np.isnan(values)] = "undetermined"  # no shared heterozygous call: kinship unknown
    return labels


def _query_and_database(query: npt.ArrayLike, database: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Check the genotypes of a search: one person (SNPs,) or several (people, SNPs), and a
    database on the same SNPs; return both as 2-D arrays."""
    if np.ndim(query) not in (1, 2):
        raise ValueError(
            f"query must be one person's genotypes (SNPs,) or several (people, SNPs); got shape {np.shape(query)}"
        )
    q = check_genotypes(np.atleast_2d(query), "query")
    db = check_genotypes(database, "database")
    if q.shape[1] != db.shape[1]:
        raise ValueError(f"query has {q.shape[1]} SNPs but database has {db.shape[1]}")
    return q, db


def familial_search(
    query: npt.ArrayLike,
    database: npt.ArrayLike,
    profiles: pd.DataFrame | None = None,
    top: int = 5,
    min_kinship: float = KING_THRESHOLDS["3rd degree"],
    estimator: str = "between",
) -> pd.DataFrame:
    """Rank database entries by kinship with each query person and infer the relationship.

    Parameters
    ----------
    query
        Genotypes of the people searched for, shape (people, SNPs), or one person (SNPs,).
    database
        Genotypes of the database, shape (entries, SNPs).
    profiles
        Optional table with one row per database entry (for example the genealogy site's
        names); its columns are joined to the result.
    top
        Keep at most this many candidates per query person (an integer, at least 1).
    min_kinship
        Keep only candidates at least this related (default: third degree); a finite
        number (NaN is refused: it would silently keep no one).
    estimator
        KING formula (see :func:`genshare.popgen.kinship`): ``"between"`` (default), the
        between-family estimator that KING and ``plink2 --make-king`` apply to pairs not
        known to share a family, which is exactly a search of a database of strangers;
        ``"within"`` only for pairs already known to belong to one family.

    Returns
    -------
    pandas.DataFrame
        One row per (query, candidate): ``query`` (row in ``query``), ``entry`` (row in
        ``database``), ``kinship``, ``degree`` and ``rank`` (1 = closest), then the columns
        of ``profiles``.

    Examples
    --------
    >>> g = np.array([[0, 1, 2, 1, 0, 1], [0, 1, 2, 1, 0, 1], [2, 1, 0, 1, 2, 1]])
    >>> familial_search(g[:1], g[1:], top=1)[["entry", "degree"]].values.tolist()
    [[0, 'duplicate or identical twin']]
    """
    q, db = _query_and_database(query, database)
    if profiles is not None and not isinstance(profiles, pd.DataFrame):
        raise ValueError(f"profiles must be a pandas DataFrame or None; got {type(profiles).__name__}")
    if profiles is not None and len(profiles) != db.shape[0]:
        raise ValueError(f"profiles has {len(profiles)} rows but database has {db.shape[0]} entries")
    top = check_integer(top, "top", minimum=1)
    min_kinship = check_number(min_kinship, "min_kinship")
    check_choice(estimator, "estimator", ("within", "between"))
    k = kinship(q, db, estimator=estimator)
    k_sorted = np.where(np.isnan(k), -np.inf, k)
    n_keep = min(top, db.shape[0])
    best = np.argsort(-k_sorted, axis=1, kind="stable")[:, :n_keep]
    rows = np.repeat(np.arange(q.shape[0]), n_keep)
    entries = best.ravel()
    values = k[rows, entries]
    result = pd.DataFrame(
        {"query": rows, "entry": entries, "kinship": values, "rank": np.tile(np.arange(1, n_keep + 1), q.shape[0])}
    )
    result = result[result["kinship"] >= min_kinship].reset_index(drop=True)
    result.insert(3, "degree", relationship_degree(result["kinship"].to_numpy()))
    if profiles is not None:
        result = result.join(profiles.reset_index(drop=True), on="entry")
    return result


def segment_search(
    query: npt.ArrayLike,
    database: npt.ArrayLike,
    snps: pd.DataFrame,
    *,
    candidates: int = 50,
    min_cm: float = DEFAULT_MIN_CM,
    min_snps: int = DEFAULT_MIN_SNPS,
    min_total_cm: float = 0.0,
    query_haplotypes: npt.ArrayLike | None = None,
    database_haplotypes: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """Find relatives as genealogy services do: shared segments in cM, on kinship-chosen candidates.

    Two steps, both vectorised: (1) between-family KING kinship of every query person
    with every database entry (:func:`genshare.popgen.kinship`), keeping each query
    person's ``candidates`` highest-kinship entries (a fast prefilter: comparing segments
    costs far more per pair); (2) shared segments of those pairs
    (:func:`genshare.attacks.segments.find_segments`), their total, count and longest
    segment, and the relationships consistent with the total
    (:func:`genshare.attacks.segments.infer_relationship`).

    Parameters
    ----------
    query, database
        Genotypes, shape (people, SNPs) (or one person, (SNPs,)) and (entries, SNPs).
    snps
        The SNP table with ``chrom``, ``cm`` and (optional) ``pos``, one row per SNP.
    candidates
        Entries per query person passed to segment comparison (integer >= 1).
    min_cm, min_snps
        Segment thresholds, see :func:`~genshare.attacks.segments.find_segments`.
    min_total_cm
        Keep pairs sharing at least this many cM in all (default 0: any segment).
    query_haplotypes, database_haplotypes
        Optional phased genotypes, shape (people, 2, SNPs) (for example
        ``world.haplotypes("cohort")``): given both, segments are found from the phase
        (:func:`~genshare.attacks.segments.find_phased_segments`, which finds far
        more segments under 20 cM than the unphased runs at the default world's density;
        ``min_snps`` is not used); otherwise
        from the unphased genotypes.

    Returns
    -------
    pandas.DataFrame
        One row per (query, entry) with at least one segment: ``query``, ``entry``,
        ``kinship``, ``shared_cm``, ``n_segments``, ``longest_cm``, ``relationships``,
        ``closest``; sorted by query then shared cM (largest first).
    """
    q, db = _query_and_database(query, database)
    if not isinstance(snps, pd.DataFrame) or not {"chrom", "cm"} <= set(snps.columns):
        raise ValueError("snps must be a DataFrame with columns 'chrom' and 'cm' (the genetic map), one row per SNP")
    if len(snps) != q.shape[1]:
        raise ValueError(f"snps has {len(snps)} rows but the genotypes have {q.shape[1]} SNPs")
    candidates = check_integer(candidates, "candidates", minimum=1)
    min_total_cm = check_number(min_total_cm, "min_total_cm", minimum=0.0)
    k = kinship(q, db, estimator="between")
    n_keep = min(candidates, db.shape[0])
    best = np.argsort(-np.where(np.isnan(k), -np.inf, k), axis=1, kind="stable")[:, :n_keep]
    pairs = np.stack([np.repeat(np.arange(q.shape[0]), n_keep), best.ravel()], axis=1)
    position = snps["pos"].to_numpy() if "pos" in snps.columns else None
    if (query_haplotypes is None) != (database_haplotypes is None):
        raise ValueError("query_haplotypes and database_haplotypes go together: give both (phased search) or neither")
    if query_haplotypes is not None:
        hq = np.asarray(query_haplotypes)
        hq = hq[None] if hq.ndim == 2 else hq
        hd = np.asarray(database_haplotypes)
        if hq.shape[::2] != q.shape or hd.shape[::2] != db.shape:
            raise ValueError(
                f"query_haplotypes {hq.shape} and database_haplotypes {hd.shape} must be the genotypes' "
                f"people x 2 x SNPs ({q.shape[0]}, 2, {q.shape[1]}) and ({db.shape[0]}, 2, {db.shape[1]})"
            )
        segments = find_phased_segments(
            hq, hd, chrom=snps["chrom"].to_numpy(), cm=snps["cm"].to_numpy(), pos=position, pairs=pairs, min_cm=min_cm
        )
    else:
        segments = find_segments(
            q,
            db,
            chrom=snps["chrom"].to_numpy(),
            cm=snps["cm"].to_numpy(),
            pos=position,
            pairs=pairs,
            min_cm=min_cm,
            min_snps=min_snps,
        )
    summary = summarise_pairs(segments).rename(columns={"a": "query", "b": "entry"})
    summary = summary[summary["shared_cm"] >= min_total_cm]
    summary.insert(2, "kinship", k[summary["query"].to_numpy(), summary["entry"].to_numpy()])
    inferred = infer_relationship(summary["shared_cm"].to_numpy(), summary["n_segments"].to_numpy())
    summary["relationships"] = inferred["relationships"].to_numpy()
    summary["closest"] = inferred["closest"].to_numpy()
    return summary.sort_values(["query", "shared_cm"], ascending=[True, False], kind="stable").reset_index(drop=True)


def erlich_identification_probability(
    coverage: float | npt.ArrayLike,
    *,
    max_generation: int = 4,
    population_size: float = 250e6,
    children_per_couple: float = 2.5,
    min_cm: float = 6.0,
    min_segments: int = 2,
    genome_morgans: float = 35.0,
    n_chromosomes: int = 22,
) -> np.ndarray:
    """Probability that a target has at least one detectable relative in a database: Erlich et al.'s model.

    The population-genetic model of the supplement of Erlich et al. (2018), section 3
    (equations 2, 4, 5 and 8, the ones behind their Figure 1B), with their parameters as
    defaults: a monogamous Wright-Fisher population of ``population_size`` people in the
    current generation, shrinking by ``children_per_couple / 2`` per generation going
    back; a relative counts if the two share at least ``min_segments`` IBD segments of at
    least ``min_cm`` cM (their detectability threshold: two segments of 6 cM); relatives
    up to common ancestors ``max_generation`` generations back (2 = first cousins,
    3 = second, 4 = third cousins), plus cousins once removed up to one generation less;
    the database holds people of the current and previous generation in proportion to
    their numbers. The genome is ``genome_morgans`` Morgans on ``n_chromosomes``
    chromosomes, so ``2 L g + 22`` blocks.

    Sources, as checked for this release: the paper's main text states the results this
    model reproduces (about 60% of searches for people of European descent find a
    third-cousin-or-closer match in a database of 1.28 million; a database covering 2% of
    a population gives a third-cousin match to nearly anyone) and the figure legends use
    2.5 children per couple. The other defaults (two segments of at least 6 cM, 250
    million people) follow our reading of the supplement (doi:10.1126/science.aau4832),
    which could not be re-read for this release; the result barely depends on
    ``population_size`` (150 and 250 million give the same curve to two decimals).

    Parameters
    ----------
    coverage
        Share(s) of the population in the database, in (0, 1].

    Returns
    -------
    numpy.ndarray
        The probability of at least one match, one value per coverage.

    Examples
    --------
    >>> erlich_identification_probability([0.001, 0.02]).round(2).tolist()
    [0.23, 0.99]
    """
    from math import comb

    cover = np.atleast_1d(np.asarray(coverage, dtype=float))
    if not np.all(np.isfinite(cover)) or np.any(cover <= 0) or np.any(cover > 1):
        raise ValueError(f"coverage must lie in (0, 1]; got {cover.tolist()}")
    max_generation = check_integer(max_generation, "max_generation", minimum=1)
    population_size = check_number(population_size, "population_size", minimum=1.0)
    r = check_number(children_per_couple, "children_per_couple", minimum=0.0, low_open=True)
    morgans = check_number(min_cm, "min_cm", minimum=0.0) / 100
    min_segments = check_integer(min_segments, "min_segments", minimum=1)

    def detect(meioses: int, share: float) -> float:
        n = n_chromosomes + round(genome_morgans * meioses)
        f = np.exp(-meioses * morgans) * share
        return 1.0 - sum(comb(n, k) * f**k * (1 - f) ** (n - k) for k in range(min_segments))

    couples = population_size / 2 * (r / 2) ** -np.arange(1, max_generation + 2, dtype=float)
    p_direct = p_removed = 0.0
    none_direct = none_removed = 1.0
    for g in range(1, max_generation + 1):
        f = 2.0 ** (2 * g - 2) / couples[g - 1]
        f_removed = 2.0 ** (2 * g - 1) / couples[g]
        p_direct += none_direct * f * detect(2 * g, 2.0 ** -(2 * g - 2))
        if g < max_generation:
            p_removed += none_removed * f_removed * detect(2 * g + 1, 2.0 ** -(2 * g - 1))
        none_direct *= 1 - f
        none_removed *= 1 - f_removed
    size = cover * population_size
    same = np.round(size * (r / 2) / (1 + r / 2))
    older = np.round(size / (1 + r / 2))
    return 1.0 - (1 - p_direct) ** same * (1 - p_removed) ** older
