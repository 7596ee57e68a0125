"""Known-answer tests for genshare.popgen."""

from __future__ import annotations

import numpy as np
import pytest

from genshare import popgen as pg


def hwe_sample(p: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Genotypes of n people under Hardy-Weinberg at allele frequencies p (independent SNPs)."""
    return (rng.random((n, len(p))) < p).astype(np.int8) + (rng.random((n, len(p))) < p).astype(np.int8)


def test_allele_frequencies_ignore_missing():
    g = np.array([[0, 2, -1], [1, 2, -1], [2, -1, -1]], dtype=np.int8)
    f = pg.allele_frequencies(g)
    assert f[0] == pytest.approx(0.5) and f[1] == pytest.approx(1.0) and np.isnan(f[2])


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros(3, dtype=np.int8), "2-D"),
        (np.zeros((0, 3), dtype=np.int8), "empty"),
        (np.zeros((2, 3), dtype=float), "integers"),
        (np.array([[0, 3]]), "only 0, 1, 2 or -1"),
        (np.array([[0, -2]]), "only 0, 1, 2 or -1"),
    ],
)
def test_bad_genotypes_are_rejected(bad, message):
    with pytest.raises(ValueError, match=message):
        pg.allele_frequencies(bad)


def test_hwe_holds_for_hwe_data_and_fails_for_a_mixture():
    rng = np.random.default_rng(1)
    p = rng.uniform(0.2, 0.8, size=2000)
    _, pv = pg.hwe_chi2(hwe_sample(p, 500, rng))
    assert 0.03 < np.mean(pv < 0.05) < 0.07  # about the nominal 5%
    # Two populations with very different frequencies, pooled: heterozygote deficit.
    a, b = hwe_sample(np.full(500, 0.1), 300, rng), hwe_sample(np.full(500, 0.9), 300, rng)
    pooled = np.vstack([a, b])
    assert np.nanmean(pg.inbreeding_coefficient(pooled)) > 0.5
    _, pv = pg.hwe_chi2(pooled)
    assert np.mean(pv < 0.05) > 0.99


def test_erfc_matches_math():
    import math

    x = np.linspace(-3, 5, 41)
    assert np.allclose(pg._erfc(x), [math.erfc(v) for v in x], rtol=2e-7, atol=1e-12)


def test_fst_zero_within_and_high_between():
    rng = np.random.default_rng(2)
    p = rng.uniform(0.05, 0.95, size=3000)
    same = pg.hudson_fst(hwe_sample(p, 400, rng), hwe_sample(p, 400, rng))
    assert abs(same) < 0.005
    q = np.clip(p + rng.normal(0, 0.2, size=p.size), 0.01, 0.99)
    assert pg.hudson_fst(hwe_sample(p, 400, rng), hwe_sample(q, 400, rng)) > 0.05


def test_ld_r2_known_values():
    a = np.array([[0], [1], [2], [1], [0]], dtype=np.int8)
    assert pg.ld_r2(a, a)[0] == pytest.approx(1.0)
    assert pg.ld_r2(a, 2 - a)[0] == pytest.approx(1.0)  # perfect negative correlation
    b = np.array([[1], [1], [1], [1], [1]], dtype=np.int8)
    assert np.isnan(pg.ld_r2(a, b)[0])  # monomorphic
    with pytest.raises(ValueError, match="same shape"):
        pg.ld_r2(a, np.zeros((4, 1), dtype=np.int8))


def test_sfs_counts_minor_alleles():
    g = np.array([[0, 1, 2, 0], [0, 0, 2, 1]], dtype=np.int8)
    # Alternate-allele counts per SNP are 0, 1, 4, 1 out of 4 chromosomes.
    assert pg.site_frequency_spectrum(g, folded=False).tolist() == [1, 2, 0, 0, 1]
    # Folded (minor allele): 0, 1, 0, 1.
    assert pg.site_frequency_spectrum(g).tolist() == [2, 2, 0]


def test_kinship_identical_unrelated_and_parent_child():
    rng = np.random.default_rng(3)
    p = rng.uniform(0.1, 0.9, size=20_000)
    h = (rng.random((4, 2, p.size)) < p).astype(np.int8)  # four unrelated founders' haplotypes
    mother, father = h[0].sum(0), h[1].sum(0)
    pick = rng.integers(0, 2, size=(2, p.size))
    child = h[0, pick[0], np.arange(p.size)] + h[1, pick[1], np.arange(p.size)]
    g = np.vstack([mother, father, child, h[2].sum(0)]).astype(np.int8)
    k = pg.kinship(g)
    assert np.allclose(np.diag(k), 0.5)  # identical genotypes
    assert k[0, 2] == pytest.approx(0.25, abs=0.02) and k[1, 2] == pytest.approx(0.25, abs=0.02)
    assert k[0, 1] == pytest.approx(0.0, abs=0.02) and k[2, 3] == pytest.approx(0.0, abs=0.02)
    assert np.allclose(k, k.T)


def test_kinship_with_missing_calls_matches_kinship_on_called_sites():
    rng = np.random.default_rng(4)
    g = rng.integers(0, 3, size=(5, 400)).astype(np.int8)
    g_missing = g.copy()
    g_missing[0, :50] = -1
    k = pg.kinship(g_missing)
    expected = pg.kinship(g[:, 50:])[0]
    assert k[0] == pytest.approx(expected)


def test_kinship_rejects_mismatched_snps():
    with pytest.raises(ValueError, match="same number of SNPs"):
        pg.kinship(np.zeros((2, 5), dtype=np.int8), np.zeros((2, 6), dtype=np.int8))


def test_pca_separates_two_groups_and_is_sign_stable():
    rng = np.random.default_rng(5)
    g = np.vstack([hwe_sample(np.full(300, 0.2), 50, rng), hwe_sample(np.full(300, 0.8), 50, rng)])
    scores, explained = pg.pca(g, 2)
    assert scores.shape == (100, 2) and explained[0] > explained[1]
    first, second = np.sign(scores[:50, 0]), np.sign(scores[50:, 0])
    assert len(set(first)) == 1 and len(set(second)) == 1 and first[0] != second[0]
    again, _ = pg.pca(g, 2)
    assert np.allclose(scores, again)
    with pytest.raises(ValueError, match="n_components"):
        pg.pca(g, 0)


@pytest.mark.parametrize("shape", [(40, 300), (300, 40), (50, 50)])
def test_pca_matches_the_singular_value_decomposition(shape):
    # pca eigendecomposes the smaller Gram matrix; the textbook route is the SVD of the
    # standardised genotypes, with the same sign convention (largest loading positive).
    rng = np.random.default_rng(11)
    g = hwe_sample(rng.uniform(0.05, 0.95, shape[1]), shape[0], rng)
    g[rng.random(g.shape) < 0.02] = -1
    scores, explained = pg.pca(g, 3)
    z = pg._standardise(g)
    u, s, vt = np.linalg.svd(z, full_matrices=False)
    signs = np.sign(vt[np.arange(3), np.abs(vt[:3]).argmax(axis=1)])
    assert np.allclose(scores, u[:, :3] * s[:3] * signs, atol=1e-8)
    assert np.allclose(explained, s[:3] ** 2 / (s**2).sum(), atol=1e-12)


@pytest.mark.skipif(
    __import__("shutil").which("plink2") is None and not __import__("os").environ.get("CI"),
    reason="plink2 is not installed (apt-get install plink2); CI installs it and never skips this test",
)
def test_between_family_kinship_agrees_with_plink2_make_king(tmp_path):
    """plink2 --make-king-table reports KING-robust's between-family estimator; so must we (within 1e-4)."""
    import subprocess

    import pandas as pd

    from genshare.cohort.storage import write_vcf

    rng = np.random.default_rng(3)
    n, m = 12, 400
    g = hwe_sample(rng.uniform(0.05, 0.95, m), n, rng)
    g[1] = g[0]  # a duplicate
    g[2, :200] = g[0, :200]  # a close relative
    g[rng.random((n, m)) < 0.02] = -1  # missing calls: both count over SNPs called in both
    snps = pd.DataFrame(
        {"snp_id": [f"s{i}" for i in range(m)], "chrom": 1, "pos": np.arange(1, m + 1) * 1000, "ref": "A", "alt": "G", "panel": "array"}
    )
    (tmp_path / "t.vcf.gz").write_bytes(write_vcf(g, [f"S{i}" for i in range(n)], snps, "kinship test"))
    subprocess.run(
        ["plink2", "--vcf", str(tmp_path / "t.vcf.gz"), "--make-king-table", "--threads", "1", "--out", str(tmp_path / "t")],
        check=True, capture_output=True,
    )
    table = pd.read_csv(tmp_path / "t.kin0", sep="\t")
    i, j = table["#IID1"].str[1:].astype(int), table["IID2"].str[1:].astype(int)
    ours = pg.kinship(g, estimator="between")[i, j]
    assert np.abs(ours - table["KINSHIP"].to_numpy()).max() < 1e-4
    # The lessons' default (the within-family formula for every pair) differs, as its docstring says.
    assert np.abs(pg.kinship(g)[i, j] - table["KINSHIP"].to_numpy()).max() > 1e-2


@pytest.mark.skipif(
    __import__("shutil").which("plink2") is None and not __import__("os").environ.get("CI"),
    reason="plink2 is not installed (apt-get install plink2); CI installs it and never skips this test",
)
def test_allele_frequencies_agree_with_plink2_freq(tmp_path):
    """missing="skip" is plink2 --freq's ALT_FREQS (among called alleles); "as_reference" is not, by design."""
    import subprocess

    import pandas as pd

    from genshare.cohort.storage import write_vcf

    rng = np.random.default_rng(4)
    n, m = 30, 200
    g = hwe_sample(rng.uniform(0.02, 0.98, m), n, rng)
    g[rng.random((n, m)) < 0.1] = -1
    snps = pd.DataFrame(
        {"snp_id": [f"s{i}" for i in range(m)], "chrom": 1, "pos": np.arange(1, m + 1) * 1000, "ref": "A", "alt": "G", "panel": "array"}
    )
    (tmp_path / "t.vcf.gz").write_bytes(write_vcf(g, [f"S{i}" for i in range(n)], snps, "frequency test"))
    subprocess.run(
        ["plink2", "--vcf", str(tmp_path / "t.vcf.gz"), "--freq", "--threads", "1", "--out", str(tmp_path / "t")],
        check=True, capture_output=True,
    )
    plink = pd.read_csv(tmp_path / "t.afreq", sep="\t")["ALT_FREQS"].to_numpy()
    assert np.abs(pg.allele_frequencies(g, missing="skip") - plink).max() < 1e-6
    assert np.abs(pg.allele_frequencies(g, missing="as_reference") - plink).max() > 1e-3


@pytest.mark.parametrize("estimator", ["within", "between"])
def test_kinship_across_two_sets_equals_the_block_of_all_pairs_and_a_direct_count(estimator):
    """The within-one-set path (one symmetric product) and the two-set path agree, with missing calls, and match counting."""
    rng = np.random.default_rng(11)
    g = hwe_sample(rng.uniform(0.05, 0.95, 500), 14, rng)
    g[rng.random(g.shape) < 0.05] = -1
    g[3, :250] = g[2, :250]
    everyone = pg.kinship(g, estimator=estimator)
    assert np.array_equal(pg.kinship(g[:5], g[5:], estimator=estimator), everyone[:5, 5:])
    x, y = g[2], g[3]
    both = (x >= 0) & (y >= 0)
    x, y = x[both], y[both]
    hethet = np.sum((x == 1) & (y == 1))
    opposite = np.sum(np.abs(x.astype(int) - y) == 2)
    het_x, het_y = np.sum(x == 1), np.sum(y == 1)
    if estimator == "within":
        expected = (hethet - 2 * opposite) / (het_x + het_y)
    else:
        m = min(het_x, het_y)
        expected = (hethet - 2 * opposite) / (2 * m) + 0.5 - (het_x + het_y) / (4 * m)
    assert everyone[2, 3] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("estimator", ["within", "between"])
@pytest.mark.parametrize("missing_rate", [0.005, 0.3])
def test_kinship_missing_calls_gathered_or_multiplied_give_the_same_values(monkeypatch, estimator, missing_rate):
    """Rare missing calls are summed by gathering each person's missing SNPs, others by a matrix
    product (pg._SPARSE_MISSING chooses); both give the same kinship, within one set and across
    two, in 16-bit sums and in 32-bit ones."""
    rng = np.random.default_rng(12)
    g = hwe_sample(rng.uniform(0.05, 0.95, 2000), 12, rng)
    g[rng.random(g.shape) < missing_rate] = -1
    if missing_rate > 0.1:
        g[4, :1500] = -1  # and one person missing most calls (sums above 2**16)
    results = []
    for threshold in (1.0, 0.0):  # everything gathered, then everything multiplied
        monkeypatch.setattr(pg, "_SPARSE_MISSING", threshold)
        results.append((pg.kinship(g, estimator=estimator), pg.kinship(g[:5], g[5:], estimator=estimator)))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    np.testing.assert_array_equal(results[0][1], results[0][0][:5, 5:])


# --- allelic association test ---------------------------------------------------------------


def _pearson_2x2(case_freq: float, control_freq: float, n_cases: int, n_controls: int) -> float:
    """Pearson's chi-square of the 2 x 2 allele-count table, by its definition sum (O - E)^2 / E."""
    table = np.array([[case_freq * 2 * n_cases, (1 - case_freq) * 2 * n_cases],
                      [control_freq * 2 * n_controls, (1 - control_freq) * 2 * n_controls]])
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    return float(((table - expected) ** 2 / expected).sum())


def test_allelic_chi2_is_pearsons_chi_square_of_the_allele_table():
    case, control = np.array([0.5, 0.12, 0.9, 0.31]), np.array([0.3, 0.2, 0.85, 0.31])
    got = pg.allelic_chi2(case, control, n_cases=50, n_controls=80)
    want = [_pearson_2x2(a, b, 50, 80) for a, b in zip(case, control)]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-20)


@pytest.mark.parametrize("seed", range(5))
def test_allelic_chi2_is_symmetric_and_zero_without_difference(seed):
    rng = np.random.default_rng(seed)
    case, control = rng.random(50), rng.random(50)
    np.testing.assert_allclose(pg.allelic_chi2(case, control, 40, 60), pg.allelic_chi2(control, case, 60, 40))
    assert (pg.allelic_chi2(case, control, 40, 60) >= 0).all()
    np.testing.assert_array_equal(pg.allelic_chi2(case, case, 40, 60), 0.0)
    np.testing.assert_array_equal(pg.allelic_chi2([0.0, 1.0], [0.0, 1.0], 3, 3), [0.0, 0.0])  # monomorphic


@pytest.mark.parametrize("args, needle", [
    (([0.5, 1.2], [0.1, 0.1], 10, 10), "SNP 1"),
    (([0.5, np.nan], [0.1, 0.1], 10, 10), "SNP 1"),
    (([0.5], [0.1, 0.1], 10, 10), "one length"),
    (([0.5], [0.1], 0, 10), "n_cases"),
    (([0.5], [0.1], 10, 2.5), "n_controls"),
])
def test_allelic_chi2_bad_input_names_the_problem(args, needle):
    with pytest.raises(ValueError, match=needle):
        pg.allelic_chi2(*args)
