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

from genshare._validation import check_frequencies, check_genotypes, check_integer, check_probability

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
        self._present = np.asarray((g > 0).any(axis=0))  # the only thing a beacon knows
        self.queries_answered = 0

    def query(self, snps: int | Sequence[int] | np.ndarray) -> np.ndarray:
        """Answer whether anyone carries the alternate allele at each SNP index.

        ``snps`` is one index or an array of indices (integers, not booleans); the
        answer has the same shape.
        """
        try:
            index = np.atleast_1d(np.asarray(snps))
        except (ValueError, TypeError) as error:
            raise ValueError(f"snps cannot be read as SNP indices: {error}") from None
        if not np.issubdtype(index.dtype, np.integer):
            raise ValueError(f"snps must be integer SNP indices; got dtype {index.dtype}")
        if index.size and (index.min() < 0 or index.max() >= self.n_snps):
            raise ValueError(f"snps must lie between 0 and {self.n_snps - 1}; got {index.min()}..{index.max()}")
        self.queries_answered += int(index.size)
        return self._present[index]

    def __repr__(self) -> str:
        return f"Beacon(people={self.size}, snps={self.n_snps}, queries_answered={self.queries_answered})"


def _check_responses(responses: npt.ArrayLike) -> np.ndarray:
    try:
        x = np.asarray(responses)
    except (ValueError, TypeError) as error:
        raise ValueError(f"responses cannot be read as an array: {error}") from None
    if x.dtype.kind in "iu" and x.size and not np.isin(x, (0, 1)).all():
        raise ValueError("responses must be yes/no answers (True/False or 1/0); found other integers")
    if x.dtype.kind not in "biu":
        raise ValueError(f"responses must be yes/no answers (True/False or 1/0); got dtype {x.dtype}")
    if x.ndim not in (1, 2) or x.size == 0:
        raise ValueError(
            f"responses must be a non-empty array of shape (queries,) or (people, queries); got shape {x.shape}"
        )
    return x.astype(bool)


def beacon_lrt(
    responses: npt.ArrayLike, allele_freqs: npt.ArrayLike, n_beacon: int, error_rate: float = 1e-6
) -> np.ndarray:
    """Running log-likelihood ratio of "not in the beacon" against "in the beacon", one SNP frequency at a time.

    For the i-th query at an allele of frequency f, the chance that none of N beacon
    members carries it is ``D_N = (1 - f) ** (2N)``. If the person is not in the beacon,
    "no" has probability D_N; if they are (they carry the allele), "no" can only come
    from a genotyping error in their data, probability ``error_rate * D_(N-1)``. The
    statistic after n queries is the sum of the log ratios. Low (very negative) values
    favour membership.

    How this differs from the published test: Shringarpure & Bustamante (2015) do not
    use each queried SNP's own frequency. Their attacker knows only the distribution of
    allele frequencies (a beta distribution fitted to the site frequency spectrum), so
    ``D_N`` is an average over that distribution, the same for every query, and their
    statistic depends only on how many answers were "yes". This function uses the
    frequency of each queried allele in a reference population instead, as later attacks
    that assume the attacker knows such frequencies do; it is more powerful when those
    frequencies are right, and its values are not comparable with the published
    statistic's null distribution or thresholds.

    Parameters
    ----------
    responses
        Beacon answers (True or 1 for yes), in query order; shape (queries,) or (people, queries).
    allele_freqs
        Population frequency of the queried allele, same shape as ``responses``, between
        0 and 1 (no NaN).
    n_beacon
        Number of people in the beacon, an integer of at least 1.
    error_rate
        Probability that the person's carrier status at a queried allele is wrong,
        strictly between 0 and 1.

    Returns
    -------
    numpy.ndarray
        Cumulative statistic after each query, same shape as ``responses``.

    Examples
    --------
    >>> beacon_lrt([True, False], [0.01, 0.01], n_beacon=10).round(2).tolist()
    [-1.7, 12.09]
    """
    x = _check_responses(responses)
    f = check_frequencies(allele_freqs, "allele_freqs", ndim=None, shape=x.shape)
    n_beacon = check_integer(n_beacon, "n_beacon", minimum=1)
    error_rate = check_probability(error_rate, "error_rate", low_open=True, high_open=True)
    return np.cumsum(_lrt_terms(x, f, n_beacon, error_rate), axis=-1)


def _lrt_terms(x: np.ndarray, f: np.ndarray, n_beacon: int, error_rate: float) -> np.ndarray:
    """Each query's log ratio (checked inputs). A "yes" at frequency 0 gives -inf."""
    log_q = np.log1p(-np.minimum(f, 1 - 1e-12))  # log(1 - f)
    log_d_n, log_d_n1 = 2 * n_beacon * log_q, 2 * (n_beacon - 1) * log_q
    with np.errstate(divide="ignore"):
        # log(1 - D) as log(-expm1(log D)), accurate when D is within rounding of 1.
        yes_term = np.log(-np.expm1(log_d_n)) - np.log1p(-error_rate * np.exp(log_d_n1))
    no_term = log_d_n - (np.log(error_rate) + log_d_n1)
    return np.where(x, yes_term, no_term)


def beacon_attack(
    genotypes: npt.ArrayLike,
    beacon: Beacon,
    allele_freqs: npt.ArrayLike,
    n_queries: int,
    error_rate: float = 1e-6,
    unseen_frequency: float | None = None,
) -> np.ndarray:
    """Query a beacon at each person's rarest alleles and return the running statistic.

    For every person, the attacker queries the SNPs where that person carries the
    alternate allele, rarest first (by ``allele_freqs`` from a reference population),
    up to ``n_queries`` queries. Alleles the reference never saw (frequency 0) are
    skipped, or, with ``unseen_frequency``, taken to have that frequency: they are then
    the rarest of all and asked first, as an attacker who knows the reference's size
    would (a private allele is the strongest evidence of membership).

    Parameters
    ----------
    genotypes
        Genotypes of the people tested, shape (people, SNPs).
    beacon
        The :class:`Beacon` to query, over the same SNPs.
    allele_freqs
        Reference frequency of each SNP's alternate allele, shape (SNPs,), between 0
        and 1; NaN, negative or larger values are refused (never skipped).
    n_queries
        Queries per person, an integer of at least 1.
    error_rate
        As in :func:`beacon_lrt`.
    unseen_frequency
        Frequency assumed for alleles the reference never saw, strictly between 0 and 1
        (for a reference of n people, below 1 / (2n), e.g. 1 / (4n)); None skips them.

    Returns
    -------
    numpy.ndarray
        Shape (people, n_queries), always: :func:`beacon_lrt` after 1, 2, ...,
        n_queries queries. A person with fewer queryable alleles than ``n_queries``
        (including when there are fewer SNPs than ``n_queries``) keeps their last value
        (0 before any query).

    Examples
    --------
    >>> g = np.array([[0, 1, 2], [0, 0, 0]])
    >>> beacon_attack(g, Beacon(g), [0.1, 0.2, 0.3], n_queries=4).shape
    (2, 4)
    """
    g = check_genotypes(genotypes)
    if not isinstance(beacon, Beacon):
        raise ValueError(f"beacon must be a Beacon; got {type(beacon).__name__}")
    f = check_frequencies(allele_freqs, "allele_freqs", n_snps=g.shape[1])
    if g.shape[1] != beacon.n_snps:
        raise ValueError(f"genotypes have {g.shape[1]} SNPs but the beacon has {beacon.n_snps}")
    n_queries = check_integer(n_queries, "n_queries", minimum=1)
    error_rate = check_probability(error_rate, "error_rate", low_open=True, high_open=True)
    if unseen_frequency is not None:
        unseen_frequency = check_probability(unseen_frequency, "unseen_frequency", low_open=True, high_open=True)
        f = np.where(f > 0, f, unseen_frequency)
    usable = (g > 0) & (f > 0)[None, :]
    # Rarest carried alleles first; SNPs that cannot be queried sort last.
    key = np.where(usable, f[None, :], np.inf)
    order = np.argsort(key, axis=1, kind="stable")[:, :n_queries]
    valid = np.take_along_axis(usable, order, axis=1)
    asked = order[valid]  # only real queries reach the beacon (and its query counter)
    answers = np.zeros(order.shape, dtype=bool)
    answers[valid] = beacon.query(asked)
    # Queries a person cannot make add nothing: their running value stays where it was.
    terms = _lrt_terms(answers, np.where(valid, f[order], 0.5), beacon.size, error_rate)
    running = np.cumsum(np.where(valid, terms, 0.0), axis=1)
    if running.shape[1] < n_queries:  # fewer SNPs than queries: pad with the last value
        running = np.concatenate([running, np.repeat(running[:, -1:], n_queries - running.shape[1], axis=1)], axis=1)
    return running
