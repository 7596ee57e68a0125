"""Beacons and the re-identification attack on them (Shringarpure & Bustamante 2015).

A beacon answers one question about a dataset: "does anyone here carry allele A at
position P?" with yes or no. Each answer seems harmless, but a person's rare alleles are
shared by few others, so a run of "yes" answers at the alleles a person carries reveals
that they are in the beacon.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from genshare.popgen import check_genotypes

__all__ = ["Beacon", "beacon_attack", "beacon_lrt"]


class Beacon:
    """A yes/no allele-presence service over a set of genotypes.

    Parameters
    ----------
    genotypes
        Genotypes of the people in the beacon, shape (people, SNPs).

    Examples
    --------
    >>> beacon = Beacon(np.array([[0, 1, 0], [0, 0, 0]]))
    >>> beacon.query([0, 1, 2]).tolist()
    [False, True, False]
    >>> beacon.queries_answered
    3
    """

    def __init__(self, genotypes: npt.ArrayLike) -> None:
        g = check_genotypes(genotypes)
        self.size = g.shape[0]
        self.n_snps = g.shape[1]
        self._present = (g > 0).any(axis=0)  # the only thing a beacon knows
        self.queries_answered = 0

    def query(self, snps: int | Sequence[int] | np.ndarray) -> np.ndarray:
        """Answer whether anyone carries the alternate allele at each SNP index."""
        index = np.atleast_1d(np.asarray(snps))
        if not np.issubdtype(index.dtype, np.integer):
            raise ValueError(f"SNP indices must be integers; got dtype {index.dtype}")
        if index.size and (index.min() < 0 or index.max() >= self.n_snps):
            raise ValueError(f"SNP indices must lie between 0 and {self.n_snps - 1}")
        self.queries_answered += int(index.size)
        return self._present[index]

    def __repr__(self) -> str:
        return f"Beacon(people={self.size}, snps={self.n_snps}, queries_answered={self.queries_answered})"


def beacon_lrt(responses: npt.ArrayLike, allele_freqs: npt.ArrayLike, n_beacon: int, error_rate: float = 1e-6) -> np.ndarray:
    """Running log-likelihood ratio of "not in the beacon" against "in the beacon".

    For the i-th query at an allele of frequency f, the chance that none of N beacon
    members carries it is ``D_N = (1 - f) ** (2N)``. If the person is not in the beacon,
    "no" has probability D_N; if they are (they carry the allele), "no" can only come
    from a genotyping error in their data, probability ``error_rate * D_(N-1)``. Following
    Shringarpure & Bustamante (2015), the statistic after n queries is the sum of the
    log ratios. Low (very negative) values favour membership.

    Parameters
    ----------
    responses
        Beacon answers (True for yes), in query order; shape (queries,) or (people, queries).
    allele_freqs
        Population frequency of the queried allele, same shape as ``responses``.
    n_beacon
        Number of people in the beacon.
    error_rate
        Probability that the person's carrier status at a queried allele is wrong.

    Returns
    -------
    numpy.ndarray
        Cumulative statistic after each query, same shape as ``responses``.
    """
    x = np.asarray(responses, dtype=bool)
    f = np.asarray(allele_freqs, dtype=float)
    if x.shape != f.shape:
        raise ValueError(f"responses {x.shape} and allele_freqs {f.shape} must have the same shape")
    if np.isnan(f).any() or (f < 0).any() or (f > 1).any():
        raise ValueError("allele_freqs must hold frequencies between 0 and 1")
    if n_beacon < 2:
        raise ValueError(f"n_beacon must be at least 2; got {n_beacon}")
    if not 0 < error_rate < 1:
        raise ValueError(f"error_rate must be between 0 and 1; got {error_rate}")
    with np.errstate(divide="ignore"):
        log_d_n = 2 * n_beacon * np.log1p(-np.minimum(f, 1 - 1e-12))
        log_d_n1 = 2 * (n_beacon - 1) * np.log1p(-np.minimum(f, 1 - 1e-12))
    d_n, d_n1 = np.exp(log_d_n), np.exp(log_d_n1)
    yes_term = np.log1p(-d_n) - np.log1p(-error_rate * d_n1)
    no_term = log_d_n - (np.log(error_rate) + log_d_n1)
    return np.cumsum(np.where(x, yes_term, no_term), axis=-1)


def beacon_attack(
    genotypes: npt.ArrayLike,
    beacon: Beacon,
    allele_freqs: npt.ArrayLike,
    n_queries: int,
    error_rate: float = 1e-6,
) -> np.ndarray:
    """Query a beacon at each person's rarest alleles and return the running statistic.

    For every person, the attacker queries the SNPs where that person carries the
    alternate allele, rarest first (by ``allele_freqs`` from a reference population,
    skipping alleles the reference never saw), up to ``n_queries`` queries.

    Returns
    -------
    numpy.ndarray
        Shape (people, n_queries): :func:`beacon_lrt` after 1, 2, ..., n_queries queries.
        A person with fewer carried alleles than ``n_queries`` keeps their last value.
    """
    g = check_genotypes(genotypes)
    f = np.asarray(allele_freqs, dtype=float)
    if f.shape != (g.shape[1],):
        raise ValueError(f"allele_freqs must have one frequency per SNP ({g.shape[1]}); got shape {f.shape}")
    if g.shape[1] != beacon.n_snps:
        raise ValueError(f"genotypes have {g.shape[1]} SNPs but the beacon has {beacon.n_snps}")
    if n_queries < 1:
        raise ValueError(f"n_queries must be at least 1; got {n_queries}")
    usable = (g > 0) & (f > 0)[None, :]
    # Rarest carried alleles first; SNPs that cannot be queried sort last.
    key = np.where(usable, f[None, :], np.inf)
    order = np.argsort(key, axis=1, kind="stable")[:, :n_queries]
    valid = np.take_along_axis(usable, order, axis=1)
    answers = beacon.query(order.ravel()).reshape(order.shape)
    freqs = f[order]
    stat = beacon_lrt(answers, np.where(valid, freqs, 0.5), beacon.size, error_rate)
    # Queries a person cannot make add nothing: carry the last real value forward.
    increments = np.diff(np.concatenate([np.zeros((g.shape[0], 1)), stat], axis=1), axis=1)
    return np.cumsum(np.where(valid, increments, 0.0), axis=1)
