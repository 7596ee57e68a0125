"""Differentially private release of allele frequencies (Laplace mechanism; Dwork et al. 2006)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from genshare._validation import check_integer
from genshare.popgen import allele_frequencies

__all__ = ["dp_allele_frequencies", "laplace_scale"]


def laplace_scale(n_people: int, n_snps: int, epsilon: float) -> float:
    """Scale b of the Laplace noise added to each released allele frequency.

    Frequencies are computed as (alternate alleles) / (2 n), with missing calls counted as
    reference alleles so that the denominator does not depend on anyone's data. Replacing
    one person's genotypes changes each SNP's allele count by at most 2, so each frequency
    by at most 1/n, and the vector of m frequencies by at most m/n in L1 norm: the
    sensitivity. The Laplace mechanism with scale ``sensitivity / epsilon = m / (n epsilon)``
    is epsilon-differentially private.

    Examples
    --------
    >>> laplace_scale(n_people=1000, n_snps=10, epsilon=1.0)
    0.01
    """
    check_integer(n_people, "n_people", minimum=1)
    check_integer(n_snps, "n_snps", minimum=1)
    _check_epsilon(epsilon)
    return float(n_snps) / (float(n_people) * float(epsilon))


def _check_epsilon(epsilon: object) -> None:
    """epsilon must be one finite positive real number (not a list, a string or a bool)."""
    if (
        not isinstance(epsilon, (int, float, np.integer, np.floating))
        or isinstance(epsilon, (bool, np.bool_))
        or not np.isfinite(epsilon)
        or epsilon <= 0
    ):
        raise ValueError(f"epsilon must be a positive number; got {epsilon!r}")


def dp_allele_frequencies(
    genotypes: npt.ArrayLike, epsilon: float, seed: int | None = None, clip: bool = True
) -> np.ndarray:
    """Alternate-allele frequencies with Laplace noise, epsilon-differentially private.

    Parameters
    ----------
    genotypes
        Shape (people, SNPs); missing calls (-1) count as reference alleles.
    epsilon
        Privacy budget for the whole release (all SNPs together); smaller is more private.
    seed
        Seed of the noise (pass one for reproducible lessons; never reuse noise in practice).
    clip
        Clip the noisy frequencies to [0, 1]. Clipping is post-processing, so it does not
        weaken the guarantee.

    Returns
    -------
    numpy.ndarray
        One noisy frequency per SNP.

    Examples
    --------
    >>> g = np.array([[0, 2], [1, 2]])
    >>> dp_allele_frequencies(g, epsilon=1e9, seed=0).round(3).tolist()  # almost no noise
    [0.25, 1.0]

    Raises
    ------
    ValueError
        If ``epsilon`` is not one positive finite number, ``seed`` is not an integer or
        None, ``clip`` is not a boolean, or the genotypes are invalid.
    """
    _check_epsilon(epsilon)
    generator = isinstance(seed, (np.random.Generator, np.random.SeedSequence))
    integer = isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)) and seed >= 0
    if not (seed is None or generator or integer):
        raise ValueError(f"seed must be a non-negative integer, a numpy Generator or None; got {seed!r}")
    if not isinstance(clip, (bool, np.bool_)):
        raise ValueError(f"clip must be True or False; got {clip!r}")
    # Missing calls count as reference alleles over a fixed 2n, so one person's data move each
    # frequency by at most 1/n (the sensitivity); see popgen.allele_frequencies.
    exact = allele_frequencies(genotypes, missing="as_reference")
    scale = laplace_scale(int(np.shape(genotypes)[0]), exact.size, epsilon)
    noisy = exact + np.random.default_rng(seed).laplace(0.0, scale, size=exact.size)
    return np.clip(noisy, 0.0, 1.0) if clip else noisy
