"""Genotypes as fingerprints: how few SNPs single a person out (Lin, Owen & Altman 2004)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from genshare._validation import check_frequencies, check_genotypes, check_integer, check_probability

__all__ = ["match_genotype", "random_match_probability", "uniqueness_curve"]

_CHUNK = 2048  # SNPs hashed at a time; bounds memory at people x 2048 x 8 bytes


def uniqueness_curve(genotypes: npt.ArrayLike, snp_counts: Sequence[int], seed: int = 0) -> pd.DataFrame:
    """Share of people whose genotype is unique in the group, using k random SNPs.

    For each k in ``snp_counts`` the first k SNPs of one random order are used, so the
    curve is nested (each k adds SNPs to the previous set). A missing call counts as a
    value of its own.

    Each person's genotypes are hashed incrementally with random 64-bit weights (a
    polynomial hash modulo 2**64), so the whole curve costs one pass over the matrix.
    Two different genotype vectors share a hash with probability about 2**-60.

    Parameters
    ----------
    genotypes
        Shape (people, SNPs).
    snp_counts
        Numbers of SNPs to try, each an integer between 1 and the number of SNPs
        (``2.7`` is refused, not rounded).
    seed
        Non-negative integer seed for the random order of SNPs and the hash weights.

    Returns
    -------
    pandas.DataFrame
        Columns ``snps`` and ``share_unique``, one row per value of ``snp_counts`` (sorted).

    Examples
    --------
    >>> g = np.array([[0, 1, 2], [0, 1, 1], [0, 2, 2]])
    >>> uniqueness_curve(g, [3], seed=1)["share_unique"].tolist()
    [1.0]
    """
    g = check_genotypes(genotypes)
    n_people, n_snps = g.shape
    if isinstance(snp_counts, (str, bytes, Mapping)) or not isinstance(snp_counts, Iterable):
        raise ValueError(f"snp_counts must be a list of integers; got {type(snp_counts).__name__}")
    counts = np.array(sorted({check_integer(k, f"snp_counts[{i}]") for i, k in enumerate(snp_counts)}), dtype=np.int64)
    if counts.size == 0:
        raise ValueError("snp_counts is empty; give at least one number of SNPs")
    if counts[0] < 1 or counts[-1] > n_snps:
        raise ValueError(
            f"snp_counts must lie between 1 and the number of SNPs ({n_snps}); got {counts[0]}..{counts[-1]}"
        )
    seed = check_integer(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    order = rng.permutation(n_snps)[: counts[-1]]
    weights = rng.integers(1, 2**63, size=counts[-1], dtype=np.uint64) | np.uint64(1)
    running = np.zeros(n_people, dtype=np.uint64)
    shares = np.ones(len(counts))
    # Walk through the SNPs in segments that end at each checkpoint (and at most _CHUNK
    # long); each segment adds one integer matrix-vector product to the running hashes.
    # (A missing call, -1, wraps to 2**64 - 1 and so counts as a value of its own.)
    stops = np.union1d(counts, np.arange(_CHUNK, counts[-1], _CHUNK))
    start, done = 0, 0
    with np.errstate(over="ignore"):
        for stop in stops:
            running += g[:, order[start:stop]].astype(np.uint64) @ weights[start:stop]
            start = stop
            if done < len(counts) and counts[done] == stop:
                _, inverse, sizes = np.unique(running, return_inverse=True, return_counts=True)
                shares[done] = np.mean(sizes[inverse] == 1)
                done += 1
                if shares[done - 1] == 1.0:
                    break  # SNP sets are nested: once everyone is unique they stay unique
    return pd.DataFrame({"snps": counts, "share_unique": shares})


def random_match_probability(allele_freqs: npt.ArrayLike, per_snp: bool = False) -> float | np.ndarray:
    """Chance that two unrelated people have identical genotypes at all the given SNPs.

    Under Hardy-Weinberg equilibrium and independent SNPs, the chance of matching at one
    SNP with alternate-allele frequency p is ``(1-p)**4 + (2p(1-p))**2 + p**4``; the
    chance of matching at all SNPs is the product.

    Parameters
    ----------
    allele_freqs
        Alternate-allele frequency of each SNP.
    per_snp
        If true, return the match probability of each SNP instead of their product.

    Examples
    --------
    >>> round(random_match_probability([0.5]), 4)
    0.375
    >>> random_match_probability([0.5] * 40) < 1e-16
    True
    >>> random_match_probability([0.0, 0.5], per_snp=True).tolist()
    [1.0, 0.375]
    """
    p = check_frequencies(allele_freqs, "allele_freqs")
    if not isinstance(per_snp, (bool, np.bool_)):
        raise ValueError(f"per_snp must be True or False; got {per_snp!r}")
    q = 1 - p
    match = q**4 + (2 * p * q) ** 2 + p**4
    if per_snp:
        return match
    return float(np.exp(np.log(match).sum()))


def match_genotype(query: npt.ArrayLike, database: npt.ArrayLike, max_discordance: float = 0.0) -> pd.DataFrame:
    """Find database entries whose genotypes match a query sample.

    Only SNPs called in both the query and the entry are compared, so missing calls do not
    prevent a match, and up to ``max_discordance`` of the compared SNPs may disagree, to
    allow for genotyping errors.

    Parameters
    ----------
    query
        One person's genotypes, shape (SNPs,).
    database
        Shape (people, SNPs).
    max_discordance
        Largest share of compared SNPs that may differ, between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row per matching entry, best first: ``index`` (row in ``database``),
        ``discordance`` and ``compared`` (SNPs called in both).

    Examples
    --------
    >>> db = np.array([[0, 1, 2, 1], [2, 1, 0, 0]])
    >>> match_genotype([0, 1, 2, -1], db)["index"].tolist()
    [0]
    """
    if np.ndim(query) != 1:
        raise ValueError(f"query must be one person's genotypes (1-D); got shape {np.shape(query)}")
    q = check_genotypes(np.atleast_2d(query), "query")
    db = check_genotypes(database, "database")
    if db.shape[1] != q.shape[1]:
        raise ValueError(f"query has {q.shape[1]} SNPs but database has {db.shape[1]}")
    max_discordance = check_probability(max_discordance, "max_discordance")
    both = (db >= 0) & (q >= 0)
    compared = both.sum(axis=1)
    differ = ((db != q) & both).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        discordance = np.where(compared > 0, differ / np.maximum(compared, 1), np.nan)
    hits = np.flatnonzero((compared > 0) & (discordance <= max_discordance))
    result = pd.DataFrame({"index": hits, "discordance": discordance[hits], "compared": compared[hits]})
    return result.sort_values(["discordance", "index"]).reset_index(drop=True)
