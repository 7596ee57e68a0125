"""Membership inference from released allele frequencies (Homer et al. 2008; Sankararaman et al. 2009).

A study releases only the allele frequencies of its participants (the "mixture"). An
attacker who holds a person's genotypes and allele frequencies of the same population
from elsewhere (a reference panel) asks: are this person's alleles closer to the study's
frequencies than to the population's? If so, the person probably took part.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from genshare._validation import check_frequencies, check_genotypes, check_number, check_scores
from genshare.chunked import is_dask, per_person

__all__ = ["homer_statistic", "lr_membership_statistic", "roc_curve"]

_ROWS = 256  # people processed at a time, to bound memory on large matrices


def homer_statistic(
    genotypes: npt.ArrayLike, mixture_freqs: npt.ArrayLike, reference_freqs: npt.ArrayLike
) -> np.ndarray:
    """Sum of Homer's per-SNP distance differences for each person (a variant of Homer et al. 2008).

    For person i, ``D_i = sum_j |Y_ij - Pop_j| - |Y_ij - Mix_j|`` over SNPs j, where
    ``Y_ij`` is the person's allele dosage divided by 2, ``Mix_j`` the released
    (mixture) allele frequency and ``Pop_j`` the reference population frequency. Missing
    calls contribute nothing. ``D_i`` is near 0 on average for non-members and positive for
    members, increasingly so with more SNPs and smaller mixtures.

    How this differs from the published test: Homer et al. (2008) compute the same
    per-SNP differences ``D_ij`` but report a one-sample t statistic over SNPs,
    ``T_i = mean_j(D_ij) / (sd_j(D_ij) / sqrt(s))`` with s the number of SNPs, and read a
    p-value from the normal distribution. This function returns the plain sum
    ``s * mean_j(D_ij)``, with no division by the person's spread of ``D_ij``. The two
    agree in sign; they rank people the same only when everyone's ``sd_j(D_ij)`` is
    equal, and the sum has no null distribution to read p-values from (the lessons
    compare members with non-members by ROC curves instead). To get Homer's T, divide
    the sum by ``sqrt(s) * sd_j(D_ij)`` computed from the same terms.

    Parameters
    ----------
    genotypes
        Shape (people, SNPs); numpy or a Dask array chunked by people.
    mixture_freqs, reference_freqs
        Shape (SNPs,), frequencies between 0 and 1 (no NaN).

    Returns
    -------
    numpy.ndarray
        Shape (people,).

    Examples
    --------
    >>> g = np.array([[2, 0], [0, 2]])
    >>> homer_statistic(g, mixture_freqs=[1.0, 0.0], reference_freqs=[0.5, 0.5]).tolist()
    [1.0, -1.0]
    """
    if is_dask(genotypes):
        return per_person(homer_statistic, genotypes, mixture_freqs, reference_freqs)
    g = check_genotypes(genotypes)
    mix = check_frequencies(mixture_freqs, "mixture_freqs", n_snps=g.shape[1]).astype(np.float32)
    pop = check_frequencies(reference_freqs, "reference_freqs", n_snps=g.shape[1]).astype(np.float32)
    out = np.empty(g.shape[0])
    for start in range(0, g.shape[0], _ROWS):
        block = g[start : start + _ROWS]
        y = block.astype(np.float32) * np.float32(0.5)
        d = np.abs(y - pop) - np.abs(y - mix)
        d[block < 0] = 0.0
        out[start : start + _ROWS] = d.sum(axis=1, dtype=np.float64)
    return out


def lr_membership_statistic(
    genotypes: npt.ArrayLike,
    mixture_freqs: npt.ArrayLike,
    reference_freqs: npt.ArrayLike,
    clip: float = 1e-3,
) -> np.ndarray:
    """Likelihood-ratio membership statistic for each person (Sankararaman et al. 2009).

    ``L_i = sum_j x_ij log(m_j / p_j) + (2 - x_ij) log((1 - m_j) / (1 - p_j))``, the log
    likelihood of the person's genotypes under the mixture frequencies m against the
    reference frequencies p, assuming independent SNPs. Frequencies are clipped to
    ``[clip, 1 - clip]`` so that alleles unseen in one sample do not give infinite terms.
    Larger values point to membership.

    Examples
    --------
    >>> g = np.array([[2, 0], [0, 2]])
    >>> lr_membership_statistic(g, [0.9, 0.1], [0.5, 0.5]).round(3).tolist()
    [2.351, -6.438]
    """
    if is_dask(genotypes):
        return per_person(lr_membership_statistic, genotypes, mixture_freqs, reference_freqs, clip=clip)
    g = check_genotypes(genotypes)
    clip = check_number(clip, "clip", minimum=0.0, maximum=0.5, low_open=True, high_open=True)
    mix = np.clip(check_frequencies(mixture_freqs, "mixture_freqs", n_snps=g.shape[1]), clip, 1 - clip)
    pop = np.clip(check_frequencies(reference_freqs, "reference_freqs", n_snps=g.shape[1]), clip, 1 - clip)
    alt_weight = np.log(mix / pop)
    ref_weight = np.log((1 - mix) / (1 - pop))
    called = g >= 0
    alt = np.where(called, g, 0).astype(np.float64)
    ref = np.where(called, 2 - g, 0).astype(np.float64)
    return alt @ alt_weight + ref @ ref_weight


def roc_curve(member_scores: npt.ArrayLike, non_member_scores: npt.ArrayLike) -> tuple[pd.DataFrame, float]:
    """Receiver operating characteristic of a score that should be higher for members.

    Returns
    -------
    curve : pandas.DataFrame
        ``threshold``, ``false_positive_rate``, ``true_positive_rate``, from the strictest
        threshold to the most lenient.
    auc : float
        Area under the curve: the chance that a random member scores above a random
        non-member (ties count half). 0.5 is guessing, 1.0 is perfect separation.

    Scores may be infinite (``inf`` ranks above every finite score and ties with another
    ``inf``, so ``roc_curve([inf], [inf])`` gives 0.5); NaN is refused, since it cannot
    be ranked.

    Examples
    --------
    >>> _, auc = roc_curve([3, 4, 5], [0, 1, 2])
    >>> auc
    1.0
    >>> roc_curve([np.inf], [np.inf])[1]
    0.5
    """
    members = check_scores(member_scores, "member_scores", allow_infinite=True)
    others = check_scores(non_member_scores, "non_member_scores", allow_infinite=True)
    scores = np.concatenate([members, others])
    labels = np.concatenate([np.ones(members.size), np.zeros(others.size)])
    order = np.argsort(-scores, kind="stable")
    scores, labels = scores[order], labels[order]
    # Positions where the next score differs (!= rather than a difference, so that equal
    # infinities count as a tie, as they are).
    distinct = np.flatnonzero(scores[1:] != scores[:-1])
    cut = np.append(distinct, scores.size - 1)
    tpr = np.concatenate([[0.0], np.cumsum(labels)[cut] / members.size])
    fpr = np.concatenate([[0.0], np.cumsum(1 - labels)[cut] / others.size])
    thresholds = np.concatenate([[np.inf], scores[cut]])
    auc = float(np.trapezoid(tpr, fpr))
    return pd.DataFrame({"threshold": thresholds, "false_positive_rate": fpr, "true_positive_rate": tpr}), auc
