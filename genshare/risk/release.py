"""The genotype side of the risk check: how well could a planned summary release be attacked?

For a planned release of allele frequencies (or a beacon) over n people and m SNPs, the
check estimates the power of a membership attack two ways:

- **by simulation**, running the module's own attacks
  (:func:`genshare.attacks.lr_membership_statistic`, :func:`genshare.attacks.beacon_attack`)
  on a panel simulated to match the user's data: the same n, the same m and the user's
  own allele frequencies, with independent SNPs;
- **analytically** for allele frequencies, from the normal approximation of the
  likelihood-ratio (LR) test of Sankararaman et al. (2009), written out in
  :func:`analytic_lr_power`.

It also says what differential privacy (the Laplace mechanism of
:func:`genshare.deidentify.laplace_scale`) at a few epsilons would cost in accuracy, and
what the noisy release leaves of the attack.

Independent SNPs are the attacker's best case: SNPs in linkage disequilibrium carry less
independent evidence, so real power with the same m is lower or equal. The check
therefore errs towards more risk, never less.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from genshare._validation import check_integer, check_probability
from genshare.attacks.beacon import Beacon, beacon_attack
from genshare.attacks.membership import lr_membership_statistic, roc_curve
from genshare.deidentify.privacy import laplace_scale

__all__ = ["REFERENCE_PANEL_SIZE", "analytic_lr_power", "beacon_power", "dp_cost", "membership_power", "power_at"]

#: Size of the public reference panel the attacker is assumed to hold: the 1000 Genomes
#: Project's phase 3 release, 2,504 people (The 1000 Genomes Project Consortium 2015).
REFERENCE_PANEL_SIZE = 2504

_SNP_BLOCK = 8192  # SNPs scored at a time (the LR statistic is a sum over SNPs)
SCORED_GENOTYPES = 20_000_000  # genotypes of scored people per group in the simulation, by default


def _normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _normal_quantile(p: float) -> float:
    """Inverse of the standard normal CDF (bisection on erfc; exact to 1e-12)."""
    low, high = -40.0, 40.0
    for _ in range(200):
        mid = 0.5 * (low + high)
        if _normal_cdf(mid) < p:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def analytic_lr_power(
    n_members: int, n_snps: int, n_reference: int = REFERENCE_PANEL_SIZE, alpha: float = 0.05
) -> float:
    """Power of the LR membership test at false-positive rate ``alpha``, normal approximation.

    The setting is that of Sankararaman et al. (2009): a pool of n people releases allele
    frequencies at s independent SNPs, and the attacker, holding a person's genotypes and
    a reference panel of R people from the same population, computes the LR statistic of
    :func:`genshare.attacks.lr_membership_statistic`. To first order in the frequency
    differences, each SNP adds to the statistic a term whose mean is larger by 1/n for a
    member than for a non-member and whose variance is 1/n + 1/R. Summing s independent
    SNPs, the statistic is approximately normal, and the test that calls "member" above
    the non-members' 1 - alpha quantile has power

    ``1 - beta = Phi( sqrt(s / n) / sqrt(1 + n / R) - z_(1-alpha) )``.

    With an unlimited reference panel this is ``Phi(sqrt(s/n) - z_(1-alpha))``: the power
    depends on the ratio of SNPs to people, which is the paper's central result (a pool of
    n people can release about n SNPs' frequencies before membership becomes detectable).
    The derivation is ours, from the paper's set-up; it ignores the frequencies' clipping
    and rare SNPs' skew, so the simulation in :func:`membership_power` is the check and
    this formula the explanation (the tests compare the two).

    Parameters
    ----------
    n_members, n_snps, n_reference
        People in the release, independent SNPs released, people in the attacker's panel.
    alpha
        False-positive rate the attacker accepts, strictly between 0 and 1.

    Examples
    --------
    >>> round(analytic_lr_power(1000, 10, n_reference=10**9), 3)  # few SNPs: about alpha
    0.061
    >>> round(analytic_lr_power(1000, 20_000, n_reference=10**9), 3)  # SNPs >> people: almost certain
    0.998
    """
    n_members = check_integer(n_members, "n_members", minimum=1)
    n_snps = check_integer(n_snps, "n_snps", minimum=0)
    n_reference = check_integer(n_reference, "n_reference", minimum=1)
    alpha = check_probability(alpha, "alpha", low_open=True, high_open=True)
    shift = math.sqrt(n_snps / n_members) / math.sqrt(1.0 + n_members / n_reference)
    return _normal_cdf(shift - _normal_quantile(1.0 - alpha))


def power_at(member_scores: np.ndarray, non_member_scores: np.ndarray, alpha: float) -> float:
    """True-positive rate at the strictest threshold whose false-positive rate is at most ``alpha``.

    Examples
    --------
    >>> power_at(np.array([3.0, 4.0]), np.array([0.0, 1.0, 2.0, 3.5]), alpha=0.0)  # only 4.0 is above every non-member
    0.5
    >>> power_at(np.array([3.0, 4.0]), np.array([0.0, 1.0, 2.0, 3.5]), alpha=0.25)
    1.0
    """
    curve, _ = roc_curve(member_scores, non_member_scores)
    allowed = curve["false_positive_rate"].to_numpy() <= alpha + 1e-12
    return float(curve["true_positive_rate"].to_numpy()[allowed].max())


def _frequencies(allele_freqs: npt.ArrayLike) -> np.ndarray:
    f = np.asarray(allele_freqs, dtype=np.float64)
    if f.ndim != 1 or f.size == 0:
        raise ValueError(f"allele_freqs must be a non-empty 1-D array; got shape {f.shape}")
    f = f[np.isfinite(f)]  # SNPs nobody was called at carry no information
    if ((f < 0) | (f > 1)).any():
        raise ValueError("allele_freqs must lie between 0 and 1")
    return f


def _genotypes(f: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` people's genotypes (int8) at independent SNPs: two allele draws per SNP, each alternate with chance f.

    The same distribution as ``rng.binomial(2, f)``, several times faster (uniform draws in float32).
    """
    out = np.empty((n, f.size), dtype=np.int8)
    f32 = f.astype(np.float32)
    for start in range(0, n, 64):
        rows = min(64, n - start)
        block = (rng.random((rows, f.size), dtype=np.float32) < f32).view(np.int8)
        block += (rng.random((rows, f.size), dtype=np.float32) < f32).view(np.int8)
        out[start : start + rows] = block
    return out


def _panel(f: np.ndarray, n_members: int, n_scored: int, n_reference: int, rng: np.random.Generator):
    """Scored members and non-members (explicit), the mixture and reference frequencies.

    Only the scored people are drawn one by one; the other members enter the mixture as
    one binomial count per SNP, which has exactly the distribution of the sum of their
    genotypes (independent SNPs in Hardy-Weinberg proportions), at a fraction of the memory.
    """
    members, others = _genotypes(f, n_scored, rng), _genotypes(f, n_scored, rng)
    rest = rng.binomial(2 * (n_members - n_scored), f)
    mixture_alt = members.sum(axis=0, dtype=np.int64) + rest
    reference = rng.binomial(2 * n_reference, f) / (2.0 * n_reference)
    return members, others, mixture_alt, rest, reference


def _lr_scores(people: np.ndarray, mixture: np.ndarray, reference: np.ndarray) -> np.ndarray:
    total = np.zeros(people.shape[0])
    for start in range(0, people.shape[1], _SNP_BLOCK):
        block = slice(start, start + _SNP_BLOCK)
        total += lr_membership_statistic(people[:, block], mixture[block], reference[block])
    return total


def membership_power(
    allele_freqs: npt.ArrayLike,
    n_members: int,
    *,
    n_reference: int = REFERENCE_PANEL_SIZE,
    alpha: float = 0.05,
    epsilons: tuple[float, ...] = (0.1, 1.0, 10.0),
    n_scored: int | None = None,
    seed: int = 0,
) -> dict:
    """Power of the LR membership attack on released allele frequencies, by simulation and analytically.

    A panel matching the release is simulated: ``n_members`` people with the given allele
    frequencies (independent SNPs), ``n_scored`` of them and as many non-members scored by
    :func:`genshare.attacks.lr_membership_statistic`, with the attacker's reference
    frequencies from a panel of ``n_reference`` people. The same attack is then run on
    frequencies released with the Laplace mechanism at each epsilon.

    Parameters
    ----------
    allele_freqs
        Shape (SNPs,): the user's alternate-allele frequencies (NaN for SNPs never called
        are dropped).
    n_members
        People whose frequencies would be released.
    n_reference
        Size of the attacker's reference panel.
    alpha
        False-positive rate at which power is read.
    epsilons
        Privacy budgets of the differentially private releases to compare.
    n_scored
        Members (and non-members) scored in the simulation, at most ``n_members``; by
        default as many as fit in about 20 million genotypes (at least 200, at most
        5,000), so that small releases, whose power is near the threshold, are measured
        precisely.
    seed
        Seed of the simulation.

    Returns
    -------
    dict
        ``n_members``, ``n_snps``, ``auc``, ``power`` (simulated, at ``alpha``),
        ``analytic_power``, ``alpha``, ``roc`` (false- and true-positive rates, for the
        figure) and ``dp`` (per epsilon: ``auc``, ``power``).

    Examples
    --------
    >>> f = np.random.default_rng(1).uniform(0.05, 0.5, size=2000)
    >>> result = membership_power(f, n_members=100, n_scored=50, epsilons=(), seed=1)
    >>> result["power"] > 0.9, round(result["analytic_power"], 2)
    (True, 1.0)
    """
    f = _frequencies(allele_freqs)
    n_members = check_integer(n_members, "n_members", minimum=1)
    n_reference = check_integer(n_reference, "n_reference", minimum=1)
    alpha = check_probability(alpha, "alpha", low_open=True, high_open=True)
    if n_scored is None:
        n_scored = int(np.clip(SCORED_GENOTYPES // max(f.size, 1), 200, 5000))
    n_scored = min(check_integer(n_scored, "n_scored", minimum=2), n_members)
    rng = np.random.default_rng(check_integer(seed, "seed", minimum=0))
    members, others, mixture_alt, _, reference = _panel(f, n_members, n_scored, n_reference, rng)
    mixture = mixture_alt / (2.0 * n_members)
    people = np.concatenate([members, others])
    scores = _lr_scores(people, mixture, reference)
    member_scores, other_scores = scores[:n_scored], scores[n_scored:]
    curve, auc = roc_curve(member_scores, other_scores)
    result: dict[str, Any] = {
        "n_members": n_members,
        "n_snps": int(f.size),
        "n_reference": n_reference,
        "n_scored": n_scored,
        "alpha": alpha,
        "auc": auc,
        "power": power_at(member_scores, other_scores, alpha),
        "analytic_power": analytic_lr_power(n_members, int(f.size), n_reference, alpha),
        "roc": {
            "false_positive_rate": curve["false_positive_rate"].round(4).tolist(),
            "true_positive_rate": curve["true_positive_rate"].round(4).tolist(),
        },
        "dp": {},
    }
    for epsilon in epsilons:
        # The release of genshare.deidentify.dp_allele_frequencies (missing calls count as
        # reference alleles there; the simulated panel has none), noise drawn here because
        # only the mixture's counts, not every member's genotypes, are simulated.
        scale = laplace_scale(n_members, int(f.size), epsilon)
        noisy = np.clip(mixture + rng.laplace(0.0, scale, size=f.size), 0.0, 1.0)
        noisy_scores = _lr_scores(people, noisy, reference)
        _, dp_auc = roc_curve(noisy_scores[:n_scored], noisy_scores[n_scored:])
        result["dp"][str(epsilon)] = {
            "auc": dp_auc,
            "power": power_at(noisy_scores[:n_scored], noisy_scores[n_scored:], alpha),
        }
    return result


class _SimulatedBeacon(Beacon):
    """A :class:`~genshare.attacks.Beacon` over ``n_beacon`` people of whom only some are drawn one by one.

    Its answers are those of a beacon over every member: an allele is present if a scored
    member carries it or if any of the other members does (drawn as one binomial count).
    """

    def __init__(self, scored_members: np.ndarray, others_carry: np.ndarray, n_beacon: int) -> None:
        super().__init__(np.vstack([scored_members, others_carry.astype(np.int8)[None, :]]))
        self.size = n_beacon  # the beacon's people, not the rows stored


def beacon_power(
    allele_freqs: npt.ArrayLike,
    n_members: int,
    *,
    queries: tuple[int, ...] = (1, 3, 10, 30, 100, 1000, 10_000),
    n_reference: int = REFERENCE_PANEL_SIZE,
    alpha: float = 0.05,
    n_scored: int = 100,
    seed: int = 0,
) -> dict:
    """Power of the beacon attack (:func:`genshare.attacks.beacon_attack`) on a beacon matching the release.

    The attacker queries each person's rarest alternate alleles (by the frequencies of a
    reference panel of ``n_reference`` people); power is read at ``alpha`` after each
    number of queries in ``queries`` (capped at the number of SNPs).

    Returns
    -------
    dict
        ``queries`` (the numbers used), ``power`` and ``auc`` (one per number of queries),
        ``n_members``, ``n_snps``, ``alpha``.

    Examples
    --------
    >>> f = np.random.default_rng(2).beta(0.2, 2.0, size=5000)
    >>> result = beacon_power(f, n_members=50, queries=(10, 1000), n_scored=40, seed=2)
    >>> result["power"][-1] >= result["power"][0]
    True
    """
    f = _frequencies(allele_freqs)
    n_members = check_integer(n_members, "n_members", minimum=1)
    alpha = check_probability(alpha, "alpha", low_open=True, high_open=True)
    n_scored = min(check_integer(n_scored, "n_scored", minimum=2), n_members)
    rng = np.random.default_rng(check_integer(seed, "seed", minimum=0))
    members, others, _, rest, reference = _panel(f, n_members, n_scored, n_reference, rng)
    beacon = _SimulatedBeacon(members, rest > 0, n_members)
    steps = sorted({min(check_integer(q, "queries", minimum=1), f.size) for q in queries})
    running = beacon_attack(np.concatenate([members, others]), beacon, reference, n_queries=steps[-1])
    power, auc = [], []
    for q in steps:
        # Low values favour membership: negate so that higher means "member".
        score = -running[:, q - 1]
        power.append(power_at(score[:n_scored], score[n_scored:], alpha))
        auc.append(roc_curve(score[:n_scored], score[n_scored:])[1])
    return {
        "n_members": n_members,
        "n_snps": int(f.size),
        "n_scored": n_scored,
        "alpha": alpha,
        "queries": steps,
        "power": power,
        "auc": auc,
    }


def dp_cost(
    n_members: int, n_snps: int, epsilons: tuple[float, ...] = (0.1, 1.0, 10.0), tolerance: float = 0.01
) -> list[dict]:
    """Accuracy lost by releasing m allele frequencies with the Laplace mechanism at each epsilon.

    The noise on each frequency is Laplace with scale b = m / (n epsilon)
    (:func:`genshare.deidentify.laplace_scale`): its mean absolute error is b, its root
    mean squared error ``sqrt(2) b``, and the share of frequencies off by more than
    ``tolerance`` is ``exp(-tolerance / b)`` (before clipping to [0, 1]).

    Examples
    --------
    >>> [round(row["mean_absolute_error"], 4) for row in dp_cost(1000, 10, (1.0, 10.0))]
    [0.01, 0.001]
    """
    rows = []
    for epsilon in epsilons:
        b = laplace_scale(n_members, n_snps, epsilon)
        rows.append(
            {
                "epsilon": float(epsilon),
                "laplace_scale": b,
                "mean_absolute_error": b,
                "rms_error": math.sqrt(2.0) * b,
                "tolerance": tolerance,
                "share_off_by_more_than_tolerance": math.exp(-tolerance / b),
            }
        )
    return rows
