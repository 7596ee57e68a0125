"""Population-genetic summaries of genotype matrices.

Genotypes are ``numpy`` arrays of shape (people, SNPs) holding the number of alternate
alleles, 0, 1 or 2, with -1 for a missing call. Every function here is vectorised over
people and SNPs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from genshare._validation import MISSING, check_choice, check_genotypes, check_integer
from genshare.chunked import is_dask, snp_sums

__all__ = [
    "allele_frequencies",
    "allelic_chi2",
    "MISSING",
    "KINSHIP_ESTIMATORS",
    "MISSING_CALLS",
    "check_genotypes",
    "heterozygosity",
    "hudson_fst",
    "hwe_chi2",
    "inbreeding_coefficient",
    "kinship",
    "ld_r2",
    "pca",
    "site_frequency_spectrum",
]

# The genotype checks live with the package's other input checks; popgen re-exports them.
MISSING_CALLS = ("skip", "as_reference")
#: The two KING-robust kinship formulas :func:`kinship` offers.
KINSHIP_ESTIMATORS = ("within", "between")


def _counts(genotypes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-SNP counts of homozygous reference, heterozygous and homozygous alternate calls."""
    return (genotypes == 0).sum(axis=0), (genotypes == 1).sum(axis=0), (genotypes == 2).sum(axis=0)


def allele_frequencies(genotypes: npt.ArrayLike, missing: str = "skip") -> np.ndarray:
    """Alternate-allele frequency of each SNP: the package's one definition.

    Parameters
    ----------
    genotypes
        Shape (people, SNPs), a numpy array or a Dask array chunked by people.
    missing
        What a missing call (-1) means, one of:

        ``"skip"`` (default)
            Leave it out: the frequency is alternate alleles / (2 x called genotypes),
            and a SNP with no called genotype gets ``nan``. This is the usual estimate
            (what ``plink2 --freq`` reports) and the one for describing a sample.
        ``"as_reference"``
            Count it as two reference alleles: alternate alleles / (2 x people), so the
            denominator is fixed by the number of people and does not depend on anyone's
            data. A data release that adds noise needs this: replacing one person changes
            each frequency by at most 1/n, which bounds the sensitivity of the Laplace
            mechanism (:func:`genshare.deidentify.dp_allele_frequencies`). Never ``nan``;
            biased towards 0 by the share of missing calls.

        Both agree when no call is missing.

    Returns
    -------
    numpy.ndarray
        Shape (SNPs,), ``float64``.

    Examples
    --------
    >>> allele_frequencies([[0, 2], [1, 2], [1, -1]])
    array([0.33333333, 1.        ])
    >>> allele_frequencies([[0, 2], [1, 2], [1, -1]], missing="as_reference")
    array([0.33333333, 0.66666667])
    """
    check_choice(missing, "missing", MISSING_CALLS)
    if is_dask(genotypes):
        alt, called, n_people = snp_sums(genotypes)
    else:
        g = check_genotypes(genotypes)
        called = (g >= 0).sum(axis=0)
        alt = np.where(g > 0, g, 0).sum(axis=0, dtype=np.int64)
        n_people = g.shape[0]
    if missing == "as_reference":
        return alt / (2.0 * n_people)
    with np.errstate(invalid="ignore", divide="ignore"):
        return alt / (2.0 * called)


def heterozygosity(genotypes: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Observed and Hardy-Weinberg expected heterozygosity of each SNP.

    Returns
    -------
    observed, expected : numpy.ndarray
        Share of called genotypes that are heterozygous, and 2p(1-p).
    """
    g = check_genotypes(genotypes)
    hom_ref, het, hom_alt = _counts(g)
    called = hom_ref + het + hom_alt
    p = (het + 2.0 * hom_alt) / (2.0 * np.maximum(called, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = np.where(called > 0, het / np.maximum(called, 1), np.nan)
    return observed, 2 * p * (1 - p)


def inbreeding_coefficient(genotypes: npt.ArrayLike) -> np.ndarray:
    """Wright's F per SNP, 1 - observed / expected heterozygosity.

    Positive values mean fewer heterozygotes than Hardy-Weinberg predicts, as when
    people from differentiated populations are pooled (the Wahlund effect). Monomorphic
    SNPs get ``nan``.

    Examples
    --------
    >>> inbreeding_coefficient([[0], [2], [0], [2]])  # no heterozygotes at all
    array([1.])
    """
    observed, expected = heterozygosity(genotypes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(expected > 0, 1 - observed / np.where(expected > 0, expected, 1), np.nan)


def hwe_chi2(genotypes: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Chi-square test (1 degree of freedom) of Hardy-Weinberg equilibrium per SNP.

    Returns
    -------
    statistic, p_value : numpy.ndarray
        ``nan`` for monomorphic SNPs. The chi-square approximation is poor for rare
        variants; filter on minor allele frequency (say 5%) before interpreting p-values.
    """
    g = check_genotypes(genotypes)
    hom_ref, het, hom_alt = (c.astype(float) for c in _counts(g))
    n = hom_ref + het + hom_alt
    p = (het + 2 * hom_alt) / (2 * np.maximum(n, 1))
    q = 1 - p
    expected = np.stack([n * q * q, 2 * n * p * q, n * p * p])
    observed = np.stack([hom_ref, het, hom_alt])
    with np.errstate(invalid="ignore", divide="ignore"):
        statistic = np.where((p > 0) & (q > 0), ((observed - expected) ** 2 / expected).sum(axis=0), np.nan)
    # Survival function of chi-square with 1 df: erfc(sqrt(x / 2)).
    return statistic, _erfc(np.sqrt(statistic / 2))


def allelic_chi2(case_freq: npt.ArrayLike, control_freq: npt.ArrayLike, n_cases: int, n_controls: int) -> np.ndarray:
    """Allelic association test: the 1-df Pearson chi-square of allele counts, cases against controls, per SNP.

    The 2 x 2 table of alternate and reference allele counts (``2 * n_cases`` and
    ``2 * n_controls`` alleles) gives ``N1 * N0 / (N1 + N0) * (p1 - p0)**2 / (p * (1 - p))``,
    ``p`` the pooled frequency; the same statistic as ``plink --assoc`` (without its
    continuity correction). A SNP monomorphic in both groups has statistic 0.

    Parameters
    ----------
    case_freq, control_freq : array_like, shape (n_snps,)
        Alternate-allele frequencies of the cases and of the controls, in [0, 1].
    n_cases, n_controls
        How many people each frequency was computed from (at least 1).

    Returns
    -------
    numpy.ndarray, shape (n_snps,)

    Examples
    --------
    >>> allelic_chi2([0.5, 0.2, 0.0], [0.3, 0.2, 0.0], n_cases=50, n_controls=50).round(3)
    array([8.333, 0.   , 0.   ])
    """
    check_integer(n_cases, "n_cases", minimum=1)
    check_integer(n_controls, "n_controls", minimum=1)
    p1, p0 = (np.asarray(f, dtype=float) for f in (case_freq, control_freq))
    if p1.ndim != 1 or p1.shape != p0.shape:
        raise ValueError(
            f"case_freq and control_freq must be 1-D and of one length; got shapes {p1.shape} and {p0.shape}"
        )
    bad = ~((p1 >= 0) & (p1 <= 1) & (p0 >= 0) & (p0 <= 1))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"frequencies must be in [0, 1]; SNP {i} has case {p1[i]!r}, control {p0[i]!r}")
    n1, n0 = 2 * n_cases, 2 * n_controls
    pooled = (p1 * n1 + p0 * n0) / (n1 + n0)
    spread = pooled * (1 - pooled)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(spread > 0, n1 * n0 / (n1 + n0) * (p1 - p0) ** 2 / np.where(spread > 0, spread, 1), 0.0)


def _erfc(x: np.ndarray) -> np.ndarray:
    """Complementary error function, vectorised (Chebyshev fit, relative error < 1.2e-7).

    From Press et al., Numerical Recipes, section 6.2; used so that the package needs no
    SciPy.
    """
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    coefficients = (
        -1.26551223,
        1.00002368,
        0.37409196,
        0.09678418,
        -0.18628806,
        0.27886807,
        -1.13520398,
        1.48851587,
        -0.82215223,
        0.17087277,
    )
    poly = np.zeros_like(t)
    for c in reversed(coefficients[1:]):
        poly = t * (c + poly)
    value = t * np.exp(-z * z + coefficients[0] + poly)
    return np.where(x >= 0, value, 2.0 - value)


def site_frequency_spectrum(genotypes: npt.ArrayLike, folded: bool = True) -> np.ndarray:
    """Counts of SNPs by allele count among fully called SNPs.

    Parameters
    ----------
    folded
        If true, count the minor allele (index 0..n), else the alternate allele (0..2n).

    Examples
    --------
    >>> site_frequency_spectrum([[0, 1, 2], [0, 0, 2]], folded=False)
    array([1, 1, 0, 0, 1])
    """
    if not isinstance(folded, (bool, np.bool_)):
        raise ValueError(f"folded must be True or False; got {folded!r}")
    g = check_genotypes(genotypes)
    complete = (g >= 0).all(axis=0)
    counts = g[:, complete].sum(axis=0, dtype=np.int64)
    n_chrom = 2 * g.shape[0]
    if folded:
        counts = np.minimum(counts, n_chrom - counts)
        return np.bincount(counts, minlength=n_chrom // 2 + 1)
    return np.bincount(counts, minlength=n_chrom + 1)


def _standardise(genotypes: np.ndarray) -> np.ndarray:
    """Centre and scale each SNP that varies among called genotypes; missing calls become 0 (the mean).

    Genotypes take three values, so the means and standard deviations come from the counts
    of each value per SNP; the standardised matrix is then made in place (at 1,000 people
    and 30,000 SNPs its float64 copies are the cost).
    """
    counts = np.stack([(genotypes == value).sum(axis=0) for value in (0, 1, 2)]).astype(np.float64)
    n = counts.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (counts[1] + 2 * counts[2]) / n
        sd = np.sqrt((counts[0] * mean**2 + counts[1] * (1 - mean) ** 2 + counts[2] * (2 - mean) ** 2) / n)
    keep = np.flatnonzero((n > 0) & (sd > 0))
    kept = genotypes[:, keep] if keep.size < genotypes.shape[1] else genotypes
    z = kept.astype(np.float64)
    z -= mean[keep]
    z /= sd[keep]
    z[kept < 0] = 0.0
    return z


def ld_r2(genotypes_a: npt.ArrayLike, genotypes_b: npt.ArrayLike) -> np.ndarray:
    """Squared correlation (r^2) between the dosages of paired SNP columns.

    ``genotypes_a[:, k]`` is paired with ``genotypes_b[:, k]``; missing calls in either
    column drop that person from that pair. Monomorphic pairs get ``nan``.

    Examples
    --------
    >>> a = [[0], [1], [2], [1]]
    >>> ld_r2(a, a)
    array([1.])
    """
    a = check_genotypes(genotypes_a, "genotypes_a").astype(np.float64)
    b = check_genotypes(genotypes_b, "genotypes_b").astype(np.float64)
    if a.shape != b.shape:
        raise ValueError(f"genotypes_a and genotypes_b must have the same shape; got {a.shape} and {b.shape}")
    both = (a >= 0) & (b >= 0)
    n = both.sum(axis=0)
    a = np.where(both, a, 0.0)
    b = np.where(both, b, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_a, mean_b = a.sum(0) / n, b.sum(0) / n
        cov = (a * b).sum(0) / n - mean_a * mean_b
        var_a = (a * a).sum(0) / n - mean_a**2
        var_b = (b * b).sum(0) / n - mean_b**2
        r2 = cov**2 / (var_a * var_b)
    return np.where((var_a > 1e-12) & (var_b > 1e-12), r2, np.nan)


def hudson_fst(genotypes_1: npt.ArrayLike, genotypes_2: npt.ArrayLike) -> float:
    """Hudson's F_ST between two populations, as a ratio of averages over SNPs.

    Uses the estimator recommended by Bhatia et al. (2013): the sum over SNPs of the
    numerators divided by the sum of the denominators, with sample-size corrections.

    Examples
    --------
    >>> round(hudson_fst([[0, 0], [0, 0]], [[2, 2], [2, 2]]), 3)
    1.0
    """
    g1 = check_genotypes(genotypes_1, "genotypes_1")
    g2 = check_genotypes(genotypes_2, "genotypes_2")
    if g1.shape[1] != g2.shape[1]:
        raise ValueError(f"the two populations must have the same SNPs; got {g1.shape[1]} and {g2.shape[1]}")
    p1, p2 = allele_frequencies(g1), allele_frequencies(g2)
    n1 = 2.0 * (g1 >= 0).sum(axis=0)
    n2 = 2.0 * (g2 >= 0).sum(axis=0)
    ok = (n1 > 1) & (n2 > 1) & np.isfinite(p1) & np.isfinite(p2)
    p1, p2, n1, n2 = p1[ok], p2[ok], n1[ok], n2[ok]
    numerator = (p1 - p2) ** 2 - p1 * (1 - p1) / (n1 - 1) - p2 * (1 - p2) / (n2 - 1)
    denominator = p1 * (1 - p2) + p2 * (1 - p1)
    if denominator.sum() <= 0:
        raise ValueError(
            "F_ST is undefined here: no SNP has an allele that varies across the two populations "
            "with at least one called genotype in each (need people with called genotypes at a polymorphic SNP)"
        )
    return float(numerator.sum() / denominator.sum())


def pca(genotypes: npt.ArrayLike, n_components: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Principal components of standardised genotypes.

    Returns
    -------
    scores : numpy.ndarray
        Shape (people, n_components). The sign of each component is fixed so that its
        largest-magnitude loading is positive, so results are reproducible.
    explained : numpy.ndarray
        Share of variance explained by each component.
    """
    n_components = check_integer(n_components, "n_components", minimum=1)
    z = _standardise(check_genotypes(genotypes))
    if z.shape[1] == 0:
        raise ValueError("genotypes have no SNP that varies; principal components need at least one")
    if n_components > min(z.shape):
        raise ValueError(
            f"n_components must be at most {min(z.shape)} (the smaller of people and varying SNPs); got {n_components}"
        )
    # The leading components from the eigendecomposition of the smaller Gram matrix (people
    # x people, or SNPs x SNPs): the same as the singular value decomposition of z, whose
    # full form costs ten times more at 1,000 people and 30,000 SNPs.
    people_side = z.shape[0] <= z.shape[1]
    gram = z @ z.T if people_side else z.T @ z
    values, vectors = np.linalg.eigh(gram)
    top = np.argsort(values)[::-1][:n_components]
    variances = np.clip(values[top], 0.0, None)  # squared singular values
    if people_side:
        scores = vectors[:, top] * np.sqrt(variances)  # u s
        loadings = vectors[:, top].T @ z  # s vt: the same signs as vt
    else:
        loadings = vectors[:, top].T  # vt
        scores = z @ vectors[:, top]  # u s
    largest = np.abs(loadings).argmax(axis=1)
    signs = np.where(loadings[np.arange(n_components), largest] < 0, -1.0, 1.0)
    scores = scores * signs
    explained = variances / np.square(z).sum()  # the sum of all squared singular values
    return scores, explained


def kinship(
    genotypes_a: npt.ArrayLike, genotypes_b: npt.ArrayLike | None = None, estimator: str = "within"
) -> np.ndarray:
    """KING-robust kinship coefficient for every pair of people across two sets.

    For people i and j, counting over the SNPs called in both (Manichaikul et al. 2010),
    with ``N_hethet`` the SNPs where both are heterozygous, ``N_opp`` those where they are
    opposite homozygotes (0 and 2) and ``N_het_i`` the SNPs where i is heterozygous:

    ``estimator="within"`` (default; KING's within-family formula)::

        phi_ij = (N_hethet - 2 N_opp) / (N_het_i + N_het_j)

    ``estimator="between"`` (KING's between-family formula)::

        phi_ij = (N_hethet - 2 N_opp) / (2 m) + 1/2 - (N_het_i + N_het_j) / (4 m),
        m = min(N_het_i, N_het_j)

    Expected values: 0.5 for the same person (or identical twins), 0.25 for parent and
    child or full siblings, 0.125 for second-degree relatives, 0.0625 for first cousins,
    and about 0 for unrelated people from the same population. Values can be negative:
    despite the name this is an estimate, not a probability, and unrelated people from
    different populations get clearly negative values.

    Which formula the field's tools use: KING uses the within-family formula for pairs
    known to belong to one family (who share allele frequencies) and the between-family
    formula for other pairs, whose heterozygosity may differ; ``plink2 --make-king`` and
    ``--make-king-table`` report the between-family formula for every pair. The lessons'
    default, ``"within"``, applies the within-family formula to every pair. The two are
    related by ``between = within - (r - 1) * (1/2 - within)`` with
    ``r = (N_het_i + N_het_j) / (2 m) >= 1``: they agree when both people are equally
    heterozygous (r = 1); otherwise "between" is lower (for within < 1/2), the more so
    the more unequal the heterozygosity and the less related the pair, so unrelated pairs
    of different ancestries get more negative values and close relatives move little.
    Pass ``estimator="between"`` for plink2's numbers.

    Parameters
    ----------
    genotypes_a
        Shape (people_a, SNPs).
    genotypes_b
        Shape (people_b, SNPs); defaults to ``genotypes_a`` (all pairs within one set).
    estimator
        ``"within"`` or ``"between"``, as above.

    Returns
    -------
    numpy.ndarray
        Shape (people_a, people_b); ``nan`` where a pair shares no heterozygous call
        (``"within"``) or one of the pair has none (``"between"``).

    Examples
    --------
    >>> g = [[0, 1, 2, 1], [2, 1, 0, 1]]
    >>> kinship(g).round(3)
    array([[ 0.5, -0.5],
           [-0.5,  0.5]])
    >>> kinship([[1, 1, 0, 2], [1, 0, 0, 2]], estimator="between").round(3)
    array([[0.5 , 0.25],
           [0.25, 0.5 ]])
    """
    check_choice(estimator, "estimator", KINSHIP_ESTIMATORS)
    if is_dask(genotypes_a) or is_dask(genotypes_b):
        return _kinship_chunked(genotypes_a, genotypes_a if genotypes_b is None else genotypes_b, estimator)
    a = check_genotypes(genotypes_a, "genotypes_a")
    b = a if genotypes_b is None else check_genotypes(genotypes_b, "genotypes_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"genotypes_a and genotypes_b must have the same number of SNPs; got {a.shape[1]} and {b.shape[1]}"
        )
    n_snps = a.shape[1]
    # Counts of 0/1 products are exact in float32 below 2**24 SNPs, and float32 halves the
    # memory traffic of the matrix products, which are the whole cost.
    dtype = np.float32 if n_snps < 2**24 else np.float64
    # With h = heterozygous, c = called, s = signed homozygosity (+1 hom-alt, -1 hom-ref, 0
    # otherwise), summed over SNPs called in both people:
    #   N_het_i + N_het_j     = h_i.c_j + c_i.h_j
    #   N_hethet - 2 N_opp    = (h_i.c_j + c_i.h_j) - c_i.c_j + s_i.s_j
    # so without missing calls the whole estimator needs a single matrix product, s.s.
    # With missing calls (m = missing indicator), per pair:
    #   h_i.c_j = N_het_i - h_i.m_j,   c_i.c_j = n - N_miss_i - N_miss_j + m_i.m_j,
    # two sums that _pair_products computes as one; m_i.h_j is the transpose of
    # h.m within one set. When missing calls are rare, those sums are gathered over each
    # person's missing SNPs (a small share of the cost); otherwise they are one general
    # matrix product. So the estimator costs about one symmetric product (s.s), as
    # plink2's --make-king counts the same quantities with bit operations. What remains is
    # elementwise work on the pair matrices, done in place because at thousands of people
    # those matrices are the memory traffic.
    same = genotypes_b is None
    het_count_a = (a == 1).sum(axis=1).astype(np.float64)
    miss_count_a = (a < 0).sum(axis=1).astype(np.float64)
    het_count_b = het_count_a if same else (b == 1).sum(axis=1).astype(np.float64)
    miss_count_b = miss_count_a if same else (b < 0).sum(axis=1).astype(np.float64)
    missing = bool(miss_count_a.any() or miss_count_b.any())
    same_sign, coded_ab, coded_ba, scale = _pair_products(a, b, same, dtype, missing)
    # The rest is elementwise on the pair matrices, a block of rows at a time so that the
    # temporaries stay small (at thousands of people, memory traffic is the whole cost).
    out = np.empty(same_sign.shape)
    step = max(1, _ROW_BLOCK_BYTES // (8 * max(1, out.shape[1])))
    transposed = coded_ab if same else coded_ba  # m_i.h_j, read by columns
    with np.errstate(invalid="ignore", divide="ignore"):
        for first in range(0, out.shape[0], step):
            rows = slice(first, first + step)
            het_i = het_count_a[rows, None]  # N_het_i over SNPs called in both
            het_j = het_count_b[None, :]
            both_called = n_snps - miss_count_a[rows, None] - miss_count_b[None, :]
            if missing:
                coded = coded_ab[rows].astype(np.float64)  # h_i.m_j + B m_i.m_j
                miss_both = np.floor(coded / scale)
                het_i = het_i - (coded - scale * miss_both)
                het_j = het_j - np.fmod(transposed[:, rows].T.astype(np.float64), scale)
                both_called = both_called + miss_both
            hets = het_i + het_j
            numerator = hets - both_called  # N_hethet - 2 N_opp = hets - both_called + s.s
            numerator += same_sign[rows]
            if estimator == "within":
                numerator /= hets
                numerator[hets <= 0] = np.nan
            else:  # numerator / (2 m) + 1/2 - hets / (4 m) = (2 numerator + 2 m - hets) / (4 m)
                m = np.minimum(het_i, het_j)
                numerator *= 2
                numerator -= hets
                numerator += 2 * m
                numerator /= 4 * m
                numerator[m <= 0] = np.nan
            out[rows] = numerator
    return out


#: Bytes of each temporary pair matrix of :func:`kinship`'s elementwise step (a block of rows).
_ROW_BLOCK_BYTES = 4 << 20


#: Bytes of float-coded genotypes the matrix products hold at a time: the products are sums
#: over SNPs, so they are accumulated over chunks of SNPs and memory stays near this however
#: many SNPs there are (one chunk for 3,000 people and 10,000 SNPs).
_CHUNK_BYTES = 256 << 20


def _pair_products(a: np.ndarray, b: np.ndarray, same: bool, dtype: type, missing: bool):
    """Per-pair sums over SNPs: ``s_a . s_b``, ``(h_a + B m_a) . m_b`` and ``(h_b + B m_b) . m_a``.

    ``s`` is signed homozygosity, ``h`` the heterozygous and ``m`` the missing-call
    indicator, all accumulated over chunks of SNPs (:data:`_CHUNK_BYTES`). Each
    missing-call product holds two counts, ``h_a . m_b`` and ``m_a . m_b``, with ``B`` (the
    returned ``scale``) one more than the largest number of missing calls of anyone, so
    both are below ``B`` and integer division by ``B`` separates them. The sums are
    integers, kept in float32 while that is exact (below 2**24: fewer SNPs than that, and
    nobody missing more than 4,095 calls), in float64 otherwise. Within one set
    (``same``) ``s . s`` is one symmetric product and the third sum is the transpose of
    the second (returned as None). Without missing calls only ``s . s`` is computed.

    Returns
    -------
    tuple
        ``(s_a . s_b, (h_a + B m_a) . m_b, (h_b + B m_b) . m_a or None, B)``, the matrices
        of shape (people_a, people_b), (people_a, people_b) and (people_b, people_a).
    """
    n_snps = a.shape[1]
    scale = float(max((a < 0).sum(axis=1).max(), (b < 0).sum(axis=1).max()) + 1) if missing else 1.0
    # The totals stay in the products' dtypes: s.s lies in [-n_snps, n_snps] (``dtype`` is
    # float32 only below 2**24 SNPs) and (h + B m).m in [0, B**2), so both are exact.
    mdtype = np.float32 if scale * scale < 2**24 else np.float64
    # Missing calls are usually rare (0.5% in the worlds): then the missing-call sums are
    # gathered over each person's missing SNPs (:func:`_sparse_missing_products`), which
    # costs a small share of a matrix product; dense missingness uses matrix products.
    sparse = missing and max((a < 0).sum(axis=1).max(), (b < 0).sum(axis=1).max()) <= _SPARSE_MISSING * n_snps
    rows = (1 if same else 2) * (a.shape[0] + b.shape[0])
    chunk = max(1, _CHUNK_BYTES // (4 * rows))
    same_sign = coded_ab = coded_ba = None
    for start in range(0, n_snps, chunk):
        columns = slice(start, start + chunk)
        block_a = a[:, columns]
        block_b = block_a if same else b[:, columns]
        sign_a = _signed_homozygosity(block_a, dtype)
        if same:
            part = sign_a @ sign_a.T  # numpy computes a @ a.T as one symmetric product
        else:
            part = sign_a @ _signed_homozygosity(block_b, dtype).T
        del sign_a
        same_sign = _accumulate(same_sign, part)
        if missing and not sparse:
            coded_a = (block_a == 1).astype(mdtype)
            coded_a += mdtype(scale) * (block_a < 0)
            part = coded_a @ (block_b < 0).astype(mdtype).T
            coded_ab = _accumulate(coded_ab, part)
            if not same:
                coded_b = (block_b == 1).astype(mdtype)
                coded_b += mdtype(scale) * (block_b < 0)
                part = coded_b @ (block_a < 0).astype(mdtype).T
                coded_ba = _accumulate(coded_ba, part)
    if sparse:
        coded_ab = _sparse_missing_products(a, b, scale).T
        if not same:
            coded_ba = _sparse_missing_products(b, a, scale).T
    return same_sign, coded_ab, coded_ba, scale


#: Largest share of the SNPs that anyone may have missing for :func:`_pair_products` to
#: gather the missing-call sums instead of computing them as a matrix product (the gather
#: costs about one thousandth of the product per missing call at 0.5% missing).
_SPARSE_MISSING = 0.02


def _sparse_missing_products(a: np.ndarray, b: np.ndarray, scale: float) -> np.ndarray:
    """``(h_a + B m_a) . m_b`` as a (people_b, people_a) matrix, by gathering over b's missing calls.

    Row j is the sum of the columns of ``h_a + B m_a`` at the SNPs person j of ``b`` has
    missing. The columns are stored SNP-major (each one contiguous), with one extra column
    of zeros; each person's missing SNPs are listed in a row of a table padded with that
    extra column, so a block of people is one gather and one sum over the table's rows.
    Integers throughout: the sums are below ``B**2``, in uint16 when that is below 2**16.
    """
    itype = np.uint16 if scale * scale < 2**16 else np.uint32
    n_snps = a.shape[1]
    lookup = np.zeros(256, dtype=itype)  # genotype (as a byte: -1 is 255) -> h + B m
    lookup[1], lookup[255] = 1, itype(scale)
    coded = np.zeros((n_snps + 1, a.shape[0]), dtype=itype)
    coded[:n_snps] = lookup[a.view(np.uint8)].T
    person, snp = np.nonzero(b < 0)  # sorted by person
    counts = np.bincount(person, minlength=b.shape[0])
    width = max(int(counts.max()) if len(counts) else 0, 1)
    table = np.full((b.shape[0], width), n_snps, dtype=np.int64)
    table[person, np.arange(len(person)) - np.repeat(np.cumsum(counts) - counts, counts)] = snp
    out = np.empty((b.shape[0], a.shape[0]), dtype=np.float64)
    block = max(1, _CHUNK_BYTES // (8 * width * max(a.shape[0], 1)))
    for first in range(0, b.shape[0], block):  # blocks of people, to bound memory; vectorised within
        out[first : first + block] = coded[table[first : first + block]].sum(axis=1, dtype=itype)
    return out


def _accumulate(total: np.ndarray | None, part: np.ndarray) -> np.ndarray:
    """The first chunk's sums, or ``total += part`` in place for the next ones."""
    if total is None:
        return part
    total += part
    return total


def _kinship_chunked(genotypes_a, genotypes_b, estimator: str = "within") -> np.ndarray:
    """Kinship between two matrices, one or both Dask arrays: one block of the result per pair of chunks."""
    import dask.array as da

    a = genotypes_a if is_dask(genotypes_a) else da.from_array(np.asarray(genotypes_a), chunks=(len(genotypes_a), -1))
    b = genotypes_b if is_dask(genotypes_b) else da.from_array(np.asarray(genotypes_b), chunks=(len(genotypes_b), -1))
    for name, array in (("genotypes_a", a), ("genotypes_b", b)):
        if len(array.chunks[1]) != 1:
            raise ValueError(
                f"{name} is chunked along SNPs; chunk it by people only, e.g. array.rechunk({{0: 'auto', 1: -1}})"
            )
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"genotypes_a and genotypes_b must have the same number of SNPs; got {a.shape[1]} and {b.shape[1]}"
        )
    blocks = da.blockwise(lambda x, y: kinship(x, y, estimator), "ij", a, "ik", b, "jk", dtype=float, concatenate=True)
    return np.asarray(blocks.compute())


def _signed_homozygosity(genotypes: np.ndarray, dtype: type) -> np.ndarray:
    """+1 for homozygous alternate, -1 for homozygous reference, 0 for heterozygous or missing."""
    lookup: np.ndarray = np.zeros(256, dtype=dtype)  # genotype as a byte (-1 is 255) -> sign, one pass
    lookup[0], lookup[2] = -1, 1
    return lookup[np.ascontiguousarray(genotypes).view(np.uint8)]
