"""Known-answer and bad-input tests for genshare.attacks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genshare import attacks as A
from genshare import popgen


def independent(p: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n people at independent SNPs in Hardy-Weinberg equilibrium."""
    return ((rng.random((n, p.size)) < p).astype(np.int8) + (rng.random((n, p.size)) < p).astype(np.int8))


def parent_and_child(p: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Genotypes of a parent and of their child with an unrelated partner (Mendelian transmission)."""
    haplotypes = (rng.random((2, 2, p.size)) < p).astype(np.int8)  # (parent, partner) x 2 copies
    pick = rng.integers(0, 2, size=(2, p.size))
    cols = np.arange(p.size)
    child = haplotypes[0, pick[0], cols] + haplotypes[1, pick[1], cols]
    return haplotypes[0].sum(axis=0).astype(np.int8), child.astype(np.int8)


BAD_GENOTYPES = [
    (np.zeros(5, dtype=np.int8), "2-D"),
    (np.zeros((0, 5), dtype=np.int8), "empty"),
    (np.zeros((3, 5), dtype=float), "integers"),
    (np.full((3, 5), 3, dtype=np.int8), "only 0, 1, 2 or -1"),
]


# --- fingerprint ------------------------------------------------------------------------------


def test_uniqueness_curve_known_answers():
    g = np.array([[0, 0, 1], [0, 0, 2], [0, 0, 2], [1, 0, 2]], dtype=np.int8)
    full = A.uniqueness_curve(g, [3], seed=0)
    # Rows 1 and 2 are identical; rows 0 and 3 are unique.
    assert full["share_unique"].tolist() == [0.5]
    curve = A.uniqueness_curve(np.tile(g, (1, 50)), [1, 150], seed=3)
    assert list(curve["snps"]) == [1, 150]
    assert curve["share_unique"].is_monotonic_increasing


def test_uniqueness_curve_is_deterministic_and_nested():
    rng = np.random.default_rng(0)
    g = independent(rng.uniform(0.05, 0.5, 300), 200, rng)
    a = A.uniqueness_curve(g, [1, 5, 10, 20, 40, 300], seed=4)
    b = A.uniqueness_curve(g, [300, 40, 20, 10, 5, 1], seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert a["share_unique"].is_monotonic_increasing  # nested SNP sets can only split groups
    assert a["share_unique"].iloc[-1] == 1.0


def test_empirical_match_rate_agrees_with_random_match_probability():
    """On independent HWE SNPs, the share of matching pairs is the theoretical RMP."""
    rng = np.random.default_rng(1)
    p = rng.uniform(0.2, 0.5, size=6)
    g = independent(p, 6000, rng)
    codes = (g * (3 ** np.arange(6))).sum(axis=1)
    _, counts = np.unique(codes, return_counts=True)
    pairs = len(g) * (len(g) - 1) / 2
    empirical = (counts * (counts - 1) / 2).sum() / pairs
    assert empirical == pytest.approx(A.random_match_probability(p), rel=0.08)
    # ... and about 50 times less likely at six more SNPs.
    assert A.random_match_probability(np.tile(p, 2)) == pytest.approx(A.random_match_probability(p) ** 2)


def test_random_match_probability_values_and_errors():
    assert A.random_match_probability([0.0]) == 1.0  # monomorphic: everybody matches
    assert A.random_match_probability([0.5, 0.5]) == pytest.approx(0.375**2)
    for bad in ([], [1.2], [np.nan], [[0.1, 0.2]]):
        with pytest.raises(ValueError, match="allele_freqs"):
            A.random_match_probability(bad)


def test_match_genotype_tolerates_errors_and_missing_calls():
    rng = np.random.default_rng(2)
    db = independent(rng.uniform(0.1, 0.5, 1000), 50, rng)
    leaked = db[17].copy()
    leaked[:20] = (leaked[:20] + 1) % 3  # 2% genotyping errors
    leaked[20:120] = -1  # 10% missing
    assert A.match_genotype(leaked, db).empty  # an exact search misses it
    hits = A.match_genotype(leaked, db, max_discordance=0.05)
    assert hits["index"].tolist() == [17]
    assert hits.loc[0, "compared"] == 900
    assert hits.loc[0, "discordance"] == pytest.approx(20 / 900)


@pytest.mark.parametrize("bad, message", BAD_GENOTYPES)
def test_fingerprint_rejects_bad_genotypes(bad, message):
    with pytest.raises(ValueError, match=message):
        A.uniqueness_curve(bad, [1])


def test_fingerprint_rejects_bad_arguments():
    g = np.zeros((3, 4), dtype=np.int8)
    with pytest.raises(ValueError, match="between 1 and the number of SNPs"):
        A.uniqueness_curve(g, [5])
    with pytest.raises(ValueError, match="snp_counts is empty"):
        A.uniqueness_curve(g, [])
    with pytest.raises(ValueError, match="query has 3 SNPs but database has 4"):
        A.match_genotype([0, 1, 2], g)
    with pytest.raises(ValueError, match="one person"):
        A.match_genotype(g[:2], g)
    with pytest.raises(ValueError, match="max_discordance"):
        A.match_genotype(g[0], g, max_discordance=1.5)


# --- relatives --------------------------------------------------------------------------------


def test_kinship_known_values():
    rng = np.random.default_rng(3)
    p = rng.uniform(0.1, 0.9, 20_000)
    parent, child = parent_and_child(p, rng)
    g = np.vstack([parent, child, independent(p, 1, rng)[0]])
    k = A.kinship(g[:1], g)
    assert k[0, 0] == pytest.approx(0.5)
    assert k[0, 1] == pytest.approx(0.25, abs=0.02)
    assert k[0, 2] == pytest.approx(0.0, abs=0.02)


def test_relationship_degree_boundaries():
    labels = A.relationship_degree([0.354, 0.3539, 0.177, 0.0884, 0.0442, 0.0441, np.nan])
    assert labels.tolist() == [
        "duplicate or identical twin", "1st degree", "1st degree", "2nd degree", "3rd degree", "unrelated", "undetermined",
    ]


def test_familial_search_ranks_the_true_relative_first():
    rng = np.random.default_rng(4)
    p = rng.uniform(0.1, 0.9, 5000)
    parent, child = parent_and_child(p, rng)
    strangers = independent(p, 30, rng)
    database = np.vstack([strangers[:10], parent[None, :], strangers[10:]])
    profiles = pd.DataFrame({"name": [f"person {i}" for i in range(len(database))]})
    hits = A.familial_search(child, database, profiles, top=3)
    assert hits.loc[0, "entry"] == 10 and hits.loc[0, "degree"] == "1st degree"
    assert hits.loc[0, "name"] == "person 10" and hits.loc[0, "rank"] == 1
    assert (hits["kinship"] >= A.KING_THRESHOLDS["3rd degree"]).all()


def test_familial_search_bad_input():
    g = np.zeros((3, 4), dtype=np.int8)
    with pytest.raises(ValueError, match="profiles has 2 rows but database has 3"):
        A.familial_search(g[0], g, pd.DataFrame({"x": [1, 2]}))
    with pytest.raises(ValueError, match="top must be at least 1"):
        A.familial_search(g[0], g, top=0)
    with pytest.raises(ValueError, match="query has 3 SNPs but database has 4"):
        A.familial_search(g[0, :3], g)


# --- linkage ----------------------------------------------------------------------------------


def test_uniqueness_known_answer():
    t = pd.DataFrame({"zip": ["1", "1", "1", "2"], "sex": ["F", "F", "M", "M"]})
    assert A.uniqueness(t, ["zip"]) == 0.25
    assert A.uniqueness(t, ["zip", "sex"]) == 0.5


def test_linkage_attack_scores_outcomes():
    public = pd.DataFrame(
        {"id": ["a", "b", "c", "d"], "zip": ["1", "2", "2", "3"], "sex": ["F", "M", "M", "F"]}
    )
    released = pd.DataFrame({"zip": ["1", "2", "4", "3"], "sex": ["F", "M", "F", "F"], "truth": ["a", "b", "x", "e"]})
    result = A.linkage_attack(released, public, ["zip", "sex"], released_truth="truth", public_id="id")
    assert result["outcome"].tolist() == ["re-identified", "ambiguous", "no match", "wrong person"]
    assert result["candidates"].tolist() == [1, 2, 0, 1]
    assert result["matched_id"].isna().tolist() == [False, True, True, False]
    assert result["matched_id"].iloc[[0, 3]].tolist() == ["a", "d"]
    assert list(result.index) == list(released.index)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"quasi_identifiers": []}, "quasi_identifiers is empty"),
        ({"quasi_identifiers": ["zip", "age"]}, "has no column"),
        ({"released_truth": "truth"}, "released_truth needs public_id"),
        ({"released_truth": "nope", "public_id": "id"}, "released has no column\\(s\\) 'nope' \\(from released_truth\\)"),
    ],
)
def test_linkage_attack_bad_input(kwargs, message):
    public = pd.DataFrame({"id": ["a"], "zip": ["1"], "sex": ["F"]})
    released = pd.DataFrame({"zip": ["1"], "sex": ["F"], "truth": ["a"]})
    args = {"quasi_identifiers": ["zip", "sex"], **kwargs}
    with pytest.raises(ValueError, match=message):
        A.linkage_attack(released, public, **args)


def test_linkage_attack_rejects_mismatched_types_and_empty_tables():
    public = pd.DataFrame({"zip": [1], "sex": ["F"]})
    released = pd.DataFrame({"zip": ["1"], "sex": ["F"]})
    with pytest.raises(ValueError, match="column 'zip' has type"):
        A.linkage_attack(released, public, ["zip", "sex"])
    with pytest.raises(ValueError, match="released is empty"):
        A.linkage_attack(released.iloc[:0], public, ["sex"])
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        A.uniqueness([["1", "F"]], ["zip"])


# --- membership -------------------------------------------------------------------------------


def test_homer_statistic_near_zero_for_non_members_and_positive_for_members():
    """With a reference sample as large as the pool, non-members' D is centred on 0.

    (For a non-member, the pool and the reference frequencies are then two exchangeable
    estimates of the same population frequencies, so E[D] = 0.)
    """
    rng = np.random.default_rng(5)
    p = rng.uniform(0.05, 0.95, 5000)
    members = independent(p, 100, rng)
    others = independent(p, 400, rng)
    reference = independent(p, 100, rng)
    mix, pop = popgen.allele_frequencies(members), popgen.allele_frequencies(reference)
    d_members = A.homer_statistic(members, mix, pop)
    d_others = A.homer_statistic(others, mix, pop)
    # Non-members share the same released and reference frequencies, so their D values are
    # correlated; "near zero" is judged against their spread.
    assert abs(d_others.mean()) < 0.5 * d_others.std()
    assert d_members.mean() > 4 * d_others.std()
    assert (d_members > 0).all()
    assert (d_members > 0).all()
    _, auc = A.roc_curve(d_members, d_others)
    assert auc > 0.99


def test_homer_power_grows_with_snps_and_falls_with_pool_size():
    rng = np.random.default_rng(6)
    p = rng.uniform(0.05, 0.95, 4000)
    reference = popgen.allele_frequencies(independent(p, 4000, rng))

    def auc(n_snps, pool):
        members, others = independent(p, pool, rng), independent(p, 200, rng)
        mix = popgen.allele_frequencies(members)
        cols = slice(0, n_snps)
        d_m = A.homer_statistic(members[:200, cols], mix[cols], reference[cols])
        d_o = A.homer_statistic(others[:, cols], mix[cols], reference[cols])
        return A.roc_curve(d_m, d_o)[1]

    assert auc(4000, 200) > auc(200, 200)
    assert auc(1000, 200) > auc(1000, 2000)


def test_missing_calls_contribute_nothing_to_homer():
    d = A.homer_statistic(np.array([[-1, 2]]), [0.1, 0.9], [0.5, 0.5])
    assert d[0] == pytest.approx(0.4)


def test_lr_statistic_matches_formula():
    g = np.array([[1, 2, -1]], dtype=np.int8)
    m, p = np.array([0.3, 0.6, 0.5]), np.array([0.2, 0.5, 0.5])
    expected = np.log(0.3 / 0.2) + np.log(0.7 / 0.8) + 2 * np.log(0.6 / 0.5)
    assert A.lr_membership_statistic(g, m, p)[0] == pytest.approx(expected)


@pytest.mark.parametrize("function", [A.homer_statistic, A.lr_membership_statistic])
def test_membership_bad_input(function):
    g = np.zeros((2, 3), dtype=np.int8)
    with pytest.raises(ValueError, match="mixture_freqs has 2 SNPs but the genotypes have 3"):
        function(g, [0.1, 0.2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="between 0 and 1"):
        function(g, [0.1, 0.2, 1.3], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="1-D"):
        function(g, [[0.1, 0.2, 0.3]], [0.1, 0.2, 0.3])
    for bad, message in BAD_GENOTYPES:
        with pytest.raises(ValueError, match=message):
            function(bad, np.full(5, 0.5), np.full(5, 0.5))


def test_roc_curve_edges():
    curve, auc = A.roc_curve([1, 2], [1, 2])
    assert auc == pytest.approx(0.5)
    assert curve["true_positive_rate"].iloc[-1] == 1.0 and curve["false_positive_rate"].iloc[-1] == 1.0
    assert A.roc_curve([0.0], [1.0])[1] == 0.0
    with pytest.raises(ValueError, match="at least one"):
        A.roc_curve([], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        A.roc_curve([np.nan], [1.0])


# --- beacon -----------------------------------------------------------------------------------


def test_beacon_answers_presence_and_counts_queries():
    beacon = A.Beacon(np.array([[0, 1, -1], [0, 0, 2]], dtype=np.int8))
    assert beacon.query([0, 1, 2]).tolist() == [False, True, True]
    assert beacon.query(1).tolist() == [True]
    assert beacon.queries_answered == 4
    with pytest.raises(ValueError, match="between 0 and 2"):
        beacon.query([3])
    with pytest.raises(ValueError, match="integer SNP indices"):
        beacon.query([0.5])


def test_beacon_lrt_signs():
    # A "no" at an allele the person carries is strong evidence they are NOT in the beacon.
    assert A.beacon_lrt([False], [0.01], n_beacon=100)[0] > 5
    # A "yes" at a rare allele favours membership (negative statistic).
    assert A.beacon_lrt([True], [0.001], n_beacon=100)[0] < 0
    with pytest.raises(ValueError, match="allele_freqs must have shape"):
        A.beacon_lrt([True, False], [0.1], 10)
    with pytest.raises(ValueError, match="n_beacon must be at least 1"):
        A.beacon_lrt([True], [0.1], 0)
    # A beacon of one person: a "no" at an allele the person carries needs a genotyping error.
    assert A.beacon_lrt([False], [0.1], 1)[0] == pytest.approx(-np.log(1e-6) + 2 * np.log(0.9))
    with pytest.raises(ValueError, match="error_rate"):
        A.beacon_lrt([True], [0.1], 10, error_rate=0)


def test_beacon_attack_separates_members_from_non_members():
    rng = np.random.default_rng(7)
    p = rng.beta(0.2, 8, size=20_000)  # mostly rare variants, like sequence data
    members, others = independent(p, 50, rng), independent(p, 50, rng)
    beacon = A.Beacon(members)
    s_members = A.beacon_attack(members, beacon, p, n_queries=100)
    s_others = A.beacon_attack(others, beacon, p, n_queries=100)
    assert s_members.shape == (50, 100)
    _, auc = A.roc_curve(-s_members[:, -1], -s_others[:, -1])
    assert auc > 0.95
    _, auc_few = A.roc_curve(-s_members[:, 0], -s_others[:, 0])
    assert auc > auc_few  # more queries, more power


def test_beacon_attack_bad_input():
    g = np.zeros((2, 3), dtype=np.int8)
    beacon = A.Beacon(g)
    with pytest.raises(ValueError, match="allele_freqs has 2 SNPs but the genotypes have 3"):
        A.beacon_attack(g, beacon, [0.1, 0.2], 1)
    with pytest.raises(ValueError, match="genotypes have 2 SNPs but the beacon has 3"):
        A.beacon_attack(g[:, :2], beacon, [0.1, 0.2], 1)
    with pytest.raises(ValueError, match="n_queries"):
        A.beacon_attack(g, beacon, [0.1, 0.2, 0.3], 0)
