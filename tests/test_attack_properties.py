"""Hostile input for the attacks and popgen: a correct answer or a ValueError naming the parameter.

Two kinds of test:

- property-based tests (hypothesis, derandomised so every run tries the same cases):
  generated genotype matrices, frequency vectors, scores and parameters, valid or
  broken (NaN, infinity, negative, out of range, wrong dtype, wrong shape, empty,
  ragged), against simple reference implementations where they are cheap;
- known-answer tests for the edge cases of each attack.

``EXAMPLES`` bounds the cases per property test; the module's total is printed by
``python -m pytest tests/test_attack_properties.py -q -s -k count``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from genshare import attacks as A
from genshare import popgen
from genshare._validation import check_columns, check_frequencies, check_integer, check_number
from genshare.cohort import simulate_world
from genshare.populations import POPULATIONS

EXAMPLES = 40
PROPERTY = settings(derandomize=True, max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- strategies ---------------------------------------------------------------------------------

shapes = st.tuples(st.integers(1, 7), st.integers(1, 9))


@st.composite
def genotype_matrices(draw, shape=None):
    people, snps = draw(shapes) if shape is None else shape
    dtype = draw(st.sampled_from([np.int8, np.int16, np.int64, np.uint8]))
    low = 0 if dtype == np.uint8 else -1
    return draw(hnp.arrays(dtype, (people, snps), elements=st.integers(low, 2)))


#: Inputs that are not genotype matrices, each with the reason a check must give.
bad_genotypes = st.one_of(
    hnp.arrays(np.float64, shapes, elements=st.sampled_from([0.0, 1.0, 2.0, np.nan, np.inf])),  # floats
    hnp.arrays(np.bool_, shapes),  # booleans
    hnp.arrays(np.int64, shapes, elements=st.integers(-5, 5)).filter(lambda a: a.min() < -1 or a.max() > 2),
    hnp.arrays(np.int8, st.integers(1, 6), elements=st.integers(0, 2)),  # 1-D
    hnp.arrays(np.int8, st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)), elements=st.integers(0, 2)),
    st.sampled_from([np.zeros((0, 3), np.int8), np.zeros((3, 0), np.int8)]),  # empty
    st.just([[0, 1], [2]]),  # ragged
    st.just([["0", "1"], ["2", "1"]]),  # strings
    st.just(None),
)

good_frequency = st.floats(0.0, 1.0, allow_nan=False)
bad_frequency = st.one_of(
    st.just(np.nan), st.just(np.inf), st.just(-np.inf), st.floats(max_value=-1e-12, allow_nan=False, allow_infinity=False),
    st.floats(min_value=1.0 + 1e-9, allow_nan=False, allow_infinity=False),
)


@st.composite
def frequency_vectors(draw, n):
    return np.array(draw(st.lists(good_frequency, min_size=n, max_size=n)))


@st.composite
def broken_frequency_vectors(draw, n):
    """A vector of n frequencies with at least one bad entry, or of the wrong kind or shape."""
    kind = draw(st.sampled_from(["value", "length", "2-D", "strings", "object", "empty"]))
    if kind == "value":
        values = draw(st.lists(good_frequency, min_size=n, max_size=n))
        values[draw(st.integers(0, n - 1))] = draw(bad_frequency)
        return np.array(values)
    if kind == "length":
        return np.full(draw(st.integers(1, n + 3).filter(lambda m: m != n)), 0.5)
    if kind == "2-D":
        return np.full((2, n), 0.5)
    if kind == "strings":
        return np.array(["0.5"] * n)
    if kind == "object":
        return np.array([0.5] * (n - 1) + [None], dtype=object)
    return np.array([])


#: Values that are not integers (for integer parameters).
not_integers = st.one_of(
    st.floats(allow_nan=True).filter(lambda x: not (isinstance(x, float) and x.is_integer())),
    st.sampled_from([2.0, True, False, "3", None, [3], np.float64(2.5), complex(1, 1)]),
)
#: Values that are not finite real numbers.
not_numbers = st.sampled_from([np.nan, np.inf, -np.inf, "0.5", None, [0.5], True, complex(0.5, 0), np.array([0.1, 0.2])])


def raises_naming(name, call):
    """Assert ``call()`` raises ValueError whose message names ``name``."""
    with pytest.raises(ValueError) as info:
        call()
    assert name in str(info.value), f"message does not name {name!r}: {info.value}"


# --- reference implementations (slow and obvious) -----------------------------------------------


def reference_frequencies(g, missing):
    out = []
    for column in np.asarray(g, dtype=int).T:
        called = [x for x in column if x >= 0]
        if missing == "skip":
            out.append(sum(called) / (2 * len(called)) if called else math.nan)
        else:
            out.append(sum(called) / (2 * len(column)))
    return np.array(out)


def reference_kinship(x, y, estimator):
    both = (x >= 0) & (y >= 0)
    x, y = x[both], y[both]
    hethet = np.sum((x == 1) & (y == 1))
    opposite = np.sum(((x == 0) & (y == 2)) | ((x == 2) & (y == 0)))
    het_x, het_y = np.sum(x == 1), np.sum(y == 1)
    if estimator == "within":
        return (hethet - 2 * opposite) / (het_x + het_y) if het_x + het_y else math.nan
    m = min(het_x, het_y)
    return (hethet - 2 * opposite) / (2 * m) + 0.5 - (het_x + het_y) / (4 * m) if m else math.nan


def reference_auc(members, others):
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a, b in itertools.product(members, others))
    return wins / (len(members) * len(others))


# --- properties: genotype matrices -------------------------------------------------------------

GENOTYPE_FUNCTIONS = {
    "allele_frequencies": popgen.allele_frequencies,
    "heterozygosity": popgen.heterozygosity,
    "inbreeding_coefficient": popgen.inbreeding_coefficient,
    "hwe_chi2": popgen.hwe_chi2,
    "site_frequency_spectrum": popgen.site_frequency_spectrum,
    "kinship": popgen.kinship,
    "pca": lambda g: popgen.pca(g, 1),
    "allele_frequencies as_reference": lambda g: popgen.allele_frequencies(g, missing="as_reference"),
    "Beacon": A.Beacon,
    "uniqueness_curve": lambda g: A.uniqueness_curve(g, [1]),
    "homer_statistic": lambda g: A.homer_statistic(g, [0.5], [0.5]),
    "lr_membership_statistic": lambda g: A.lr_membership_statistic(g, [0.5], [0.5]),
}


@pytest.mark.parametrize("function", GENOTYPE_FUNCTIONS.values(), ids=GENOTYPE_FUNCTIONS.keys())
@PROPERTY
@given(bad=bad_genotypes)
def test_bad_genotype_matrices_are_refused_naming_the_parameter(function, bad):
    raises_naming("genotypes", lambda: function(bad))


@PROPERTY
@given(g=genotype_matrices(), missing=st.sampled_from(["skip", "as_reference"]))
def test_allele_frequencies_match_a_reference(g, missing):
    expected = reference_frequencies(g, missing)
    assert np.allclose(popgen.allele_frequencies(g, missing=missing), expected, equal_nan=True, rtol=0, atol=1e-12)
    if (np.asarray(g) >= 0).all():  # the two choices agree when nothing is missing
        assert np.allclose(popgen.allele_frequencies(g), popgen.allele_frequencies(g, missing="as_reference"))


@PROPERTY
@given(g=genotype_matrices(), estimator=st.sampled_from(["within", "between"]))
def test_kinship_matches_a_reference_pair_by_pair(g, estimator):
    g = np.asarray(g, dtype=np.int8)
    k = popgen.kinship(g, estimator=estimator)
    assert k.shape == (len(g), len(g))
    expected = np.array([[reference_kinship(x, y, estimator) for y in g] for x in g])
    assert np.allclose(k, expected, equal_nan=True, atol=1e-9)
    assert np.allclose(k, k.T, equal_nan=True)


@PROPERTY
@given(data=st.data(), estimator=st.sampled_from(["within", "between"]),
       chunk_bytes=st.sampled_from([1, 100, 256 << 20]), row_bytes=st.sampled_from([1, 24, 4 << 20]))
def test_kinship_across_two_sets_matches_a_reference_however_it_is_chunked(data, estimator, chunk_bytes, row_bytes):
    # kinship sums its matrix products over chunks of SNPs and finishes a block of rows at
    # a time (one SNP, one row at a time with 1 byte): every chunking must give the
    # reference's values.
    a = np.asarray(data.draw(genotype_matrices()), dtype=np.int8)
    b = np.asarray(data.draw(genotype_matrices(shape=(data.draw(st.integers(1, 6)), a.shape[1]))), dtype=np.int8)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(popgen, "_CHUNK_BYTES", chunk_bytes)
        patch.setattr(popgen, "_ROW_BLOCK_BYTES", row_bytes)
        k = popgen.kinship(a, b, estimator=estimator)
    expected = np.array([[reference_kinship(x, y, estimator) for y in b] for x in a])
    assert k.shape == (len(a), len(b))
    assert np.allclose(k, expected, equal_nan=True, atol=1e-9)


@PROPERTY
@given(data=st.data())
def test_homer_and_lr_statistics_match_a_reference(data):
    g = data.draw(genotype_matrices())
    n = g.shape[1]
    mix, pop = data.draw(frequency_vectors(n)), data.draw(frequency_vectors(n))
    g_int = np.asarray(g, dtype=int)
    y = g_int / 2
    d = np.where(g_int >= 0, np.abs(y - pop) - np.abs(y - mix), 0.0)
    assert np.allclose(A.homer_statistic(g, mix, pop), d.sum(axis=1), atol=1e-5)
    m, p = np.clip(mix, 1e-3, 1 - 1e-3), np.clip(pop, 1e-3, 1 - 1e-3)
    called = g_int >= 0
    terms = np.where(called, g_int * np.log(m / p) + (2 - g_int) * np.log((1 - m) / (1 - p)), 0.0)
    assert np.allclose(A.lr_membership_statistic(g, mix, pop), terms.sum(axis=1), atol=1e-9)


@pytest.mark.parametrize("name", ["mixture_freqs", "reference_freqs"])
@PROPERTY
@given(data=st.data())
def test_membership_statistics_refuse_bad_frequencies(name, data):
    g = data.draw(genotype_matrices())
    n = g.shape[1]
    freqs = {"mixture_freqs": np.full(n, 0.5), "reference_freqs": np.full(n, 0.5)}
    freqs[name] = data.draw(broken_frequency_vectors(n))
    raises_naming(name, lambda: A.homer_statistic(g, **freqs))
    raises_naming(name, lambda: A.lr_membership_statistic(g, **freqs))


@PROPERTY
@given(
    members=st.lists(st.one_of(st.integers(-3, 3).map(float), st.sampled_from([np.inf, -np.inf])), min_size=1, max_size=6),
    others=st.lists(st.one_of(st.integers(-3, 3).map(float), st.sampled_from([np.inf, -np.inf])), min_size=1, max_size=6),
)
def test_roc_auc_is_the_mann_whitney_probability(members, others):
    curve, auc = A.roc_curve(members, others)
    assert auc == pytest.approx(reference_auc(members, others), abs=1e-12)
    assert curve["true_positive_rate"].is_monotonic_increasing and curve["false_positive_rate"].is_monotonic_increasing
    assert curve["true_positive_rate"].iloc[-1] == 1.0 and curve["false_positive_rate"].iloc[-1] == 1.0


@PROPERTY
@given(
    which=st.sampled_from(["member_scores", "non_member_scores"]),
    bad=st.sampled_from([[np.nan], [1.0, np.nan], [], ["a"], [[1.0, 2.0]], [None], [1 + 2j]]),
)
def test_roc_curve_refuses_unrankable_scores(which, bad):
    scores = {"member_scores": [1.0], "non_member_scores": [0.0], which: bad}
    raises_naming(which, lambda: A.roc_curve(**scores))


@PROPERTY
@given(data=st.data())
def test_beacon_attack_always_returns_n_queries_columns(data):
    g = data.draw(genotype_matrices())
    n = g.shape[1]
    f = data.draw(frequency_vectors(n))
    n_queries = data.draw(st.integers(1, n + 4))
    beacon = A.Beacon(g)
    stat = A.beacon_attack(g, beacon, f, n_queries)
    assert stat.shape == (g.shape[0], n_queries)
    assert np.isfinite(stat).all()
    # Each person's real queries are their carried alleles with frequency > 0, at most n_queries.
    carried = ((np.asarray(g) > 0) & (f > 0)).sum(axis=1)
    assert beacon.queries_answered == int(np.minimum(carried, n_queries).sum())


@PROPERTY
@given(data=st.data())
def test_beacon_attack_refuses_bad_frequencies_and_query_counts(data):
    g = data.draw(genotype_matrices())
    n = g.shape[1]
    raises_naming("allele_freqs", lambda: A.beacon_attack(g, A.Beacon(g), data.draw(broken_frequency_vectors(n)), 3))
    bad_count = data.draw(st.one_of(not_integers, st.integers(max_value=0)))
    raises_naming("n_queries", lambda: A.beacon_attack(g, A.Beacon(g), np.full(n, 0.5), bad_count))


@PROPERTY
@given(
    n_beacon=st.one_of(not_integers, st.integers(max_value=1)),
    error_rate=st.one_of(not_numbers, st.sampled_from([0.0, 1.0, -0.1, 2.0])),
)
def test_beacon_lrt_refuses_bad_parameters(n_beacon, error_rate):
    raises_naming("n_beacon", lambda: A.beacon_lrt([True], [0.1], n_beacon=n_beacon))
    raises_naming("error_rate", lambda: A.beacon_lrt([True], [0.1], n_beacon=10, error_rate=error_rate))


@PROPERTY
@given(data=st.data())
def test_familial_search_keeps_what_it_promises(data):
    g = data.draw(genotype_matrices())
    q = data.draw(genotype_matrices(shape=(data.draw(st.integers(1, 3)), g.shape[1])))
    top = data.draw(st.integers(1, 4))
    min_kinship = data.draw(st.floats(-1, 0.6))
    result = A.familial_search(q, g, top=top, min_kinship=min_kinship)
    assert (result["kinship"] >= min_kinship).all()
    assert (result["rank"] <= top).all()
    k = popgen.kinship(q, g, estimator="between")  # familial_search's default: KING between-family
    assert np.allclose(result["kinship"], k[result["query"], result["entry"]])
    raises_naming("top", lambda: A.familial_search(q, g, top=data.draw(st.one_of(not_integers, st.integers(max_value=0)))))
    raises_naming("min_kinship", lambda: A.familial_search(q, g, min_kinship=data.draw(not_numbers)))


@PROPERTY
@given(g=genotype_matrices())
def test_uniqueness_with_every_snp_matches_a_reference(g):
    n_snps = g.shape[1]
    rows = [tuple(r) for r in np.asarray(g, dtype=int)]
    expected = np.mean([rows.count(r) == 1 for r in rows])
    result = A.uniqueness_curve(g, [n_snps])
    assert result["share_unique"].iloc[0] == pytest.approx(expected)


@PROPERTY
@given(data=st.data())
def test_uniqueness_curve_refuses_non_integer_snp_counts(data):
    g = data.draw(genotype_matrices())
    bad = data.draw(st.one_of(
        st.lists(not_integers, min_size=1, max_size=3),
        st.just([]), st.just(2), st.just("12"), st.just([[1, 2]]), st.just([0]), st.just([g.shape[1] + 1]),
    ))
    raises_naming("snp_counts", lambda: A.uniqueness_curve(g, bad))


@PROPERTY
@given(data=st.data())
def test_random_match_probability_matches_a_reference_or_refuses(data):
    n = data.draw(st.integers(1, 6))
    if data.draw(st.booleans()):
        f = data.draw(frequency_vectors(n))
        expected = np.prod([(1 - p) ** 4 + (2 * p * (1 - p)) ** 2 + p**4 for p in f])
        assert A.random_match_probability(f) == pytest.approx(expected, rel=1e-9)
    else:
        raises_naming("allele_freqs", lambda: A.random_match_probability(data.draw(broken_frequency_vectors(n))))


@PROPERTY
@given(data=st.data())
def test_match_genotype_matches_a_reference(data):
    db = data.draw(genotype_matrices())
    q = np.asarray(data.draw(genotype_matrices(shape=(1, db.shape[1]))))[0]
    limit = data.draw(st.floats(0, 1))
    result = A.match_genotype(q, db, limit)
    expected = []
    for i, row in enumerate(np.asarray(db, dtype=int)):
        both = (row >= 0) & (q >= 0)
        if both.sum() and np.mean(row[both] != q[both]) <= limit:
            expected.append(i)
    assert sorted(result["index"]) == expected
    raises_naming("max_discordance", lambda: A.match_genotype(q, db, data.draw(st.one_of(not_numbers, st.just(1.5)))))


@PROPERTY
@given(g=genotype_matrices(), bad=st.one_of(not_integers, st.integers(max_value=0)))
def test_pca_refuses_bad_component_counts(g, bad):
    raises_naming("n_components", lambda: popgen.pca(g, bad))


@PROPERTY
@given(value=st.one_of(st.integers(), not_integers))
def test_integer_check_accepts_exactly_the_integers(value):
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        assert check_integer(value, "x") == value
    else:
        raises_naming("x", lambda: check_integer(value, "x"))


@PROPERTY
@given(value=st.one_of(st.floats(allow_nan=True), st.integers(), not_numbers))
def test_number_check_accepts_exactly_the_finite_reals(value):
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        assert check_number(value, "x") == float(value)
    else:
        raises_naming("x", lambda: check_number(value, "x"))


@PROPERTY
@given(data=st.data())
def test_linkage_functions_refuse_bad_column_lists(data):
    table = pd.DataFrame({"zip": ["1", "1", "2"], "sex": ["F", "F", "M"]})
    bad = data.draw(st.sampled_from([[], ["zip", "zip"], ["nope"], 3, None, [["zip"]], {"zip": 1}]))
    raises_naming("quasi_identifiers", lambda: A.uniqueness(table, bad))
    raises_naming("quasi_identifiers", lambda: A.linkage_attack(table, table, bad))


@PROPERTY
@given(data=st.data())
def test_two_matrix_summaries_give_a_number_or_name_the_problem(data):
    a = data.draw(genotype_matrices())
    b = data.draw(genotype_matrices(shape=(data.draw(st.integers(1, 6)), a.shape[1])))
    try:
        fst = popgen.hudson_fst(a, b)
    except ValueError as error:
        assert "F_ST is undefined" in str(error)
    else:
        assert np.isfinite(fst)
    r2 = popgen.ld_r2(a, a)
    assert ((r2 >= -1e-9) & (r2 <= 1 + 1e-9) | np.isnan(r2)).all()
    raises_naming("genotypes_2", lambda: popgen.hudson_fst(a, data.draw(bad_genotypes)))
    raises_naming("genotypes_b", lambda: popgen.ld_r2(a, data.draw(bad_genotypes)))
    # (None is not bad here: it means "pairs within genotypes_a".)
    raises_naming("genotypes_b", lambda: popgen.kinship(a, data.draw(bad_genotypes.filter(lambda x: x is not None))))


@PROPERTY
@given(values=st.lists(st.one_of(st.floats(-1, 1), st.just(np.nan)), min_size=1, max_size=8))
def test_relationship_degree_labels_every_value(values):
    labels = A.relationship_degree(values)
    for value, label in zip(values, labels):
        if np.isnan(value):
            assert label == "undetermined"
        else:
            expected = "unrelated"
            for name, bound in sorted(A.KING_THRESHOLDS.items(), key=lambda item: item[1]):
                if value >= bound:
                    expected = name
            assert label == expected


@PROPERTY
@given(data=st.data())
def test_beacon_query_answers_presence_or_names_snps(data):
    g = data.draw(genotype_matrices())
    beacon = A.Beacon(g)
    index = data.draw(st.lists(st.integers(0, g.shape[1] - 1), max_size=5))
    assert beacon.query(np.array(index, dtype=int)).tolist() == [bool((np.asarray(g)[:, i] > 0).any()) for i in index]
    bad = data.draw(st.sampled_from([[g.shape[1]], [-1], [0.5], ["0"], [True], [[0], [0, 1]]]))
    raises_naming("snps", lambda: beacon.query(bad))


def test_dask_genotypes_of_the_wrong_kind_are_refused():
    import dask.array as da

    for bad, reason in [
        (da.from_array(np.zeros((4, 3)), chunks=(2, -1)), "integers"),
        (da.from_array(np.zeros(4, dtype=np.int8), chunks=2), "2-D"),
        (da.from_array(np.zeros((0, 3), dtype=np.int8), chunks=(1, -1)), "empty"),
    ]:
        with pytest.raises(ValueError, match=f"genotypes.*{reason}"):
            popgen.allele_frequencies(bad)


# --- known answers for the edge cases of each attack -------------------------------------------------


def test_roc_curve_of_tied_infinities_is_chance():
    assert A.roc_curve([np.inf], [np.inf])[1] == 0.5
    assert A.roc_curve([np.inf, 1.0], [-np.inf, 1.0])[1] == pytest.approx(0.875)
    raises_naming("member_scores", lambda: A.roc_curve([np.nan], [0.0]))


def test_familial_search_refuses_nan_min_kinship_and_fractional_top():
    g = np.array([[0, 1, 2, 1, 0, 1], [0, 1, 2, 1, 0, 1]])
    raises_naming("min_kinship", lambda: A.familial_search(g[:1], g, min_kinship=np.nan))
    raises_naming("top", lambda: A.familial_search(g[:1], g, top=2.5))
    assert len(A.familial_search(g[:1], g, top=2)) == 2


def test_beacon_lrt_refuses_nan_beacon_size():
    raises_naming("n_beacon", lambda: A.beacon_lrt([True], [0.1], n_beacon=np.nan))
    raises_naming("n_beacon", lambda: A.beacon_lrt([True], [0.1], n_beacon=10.0))
    raises_naming("responses", lambda: A.beacon_lrt(["no"], [0.1], n_beacon=10))
    raises_naming("responses", lambda: A.beacon_lrt([2], [0.1], n_beacon=10))


@pytest.mark.parametrize("bad", [np.nan, -0.1, 1.5, np.inf])
def test_beacon_attack_refuses_bad_frequencies_instead_of_skipping_them(bad):
    g = np.array([[1, 1, 1], [0, 1, 2]])
    f = np.array([0.1, bad, 0.2])
    raises_naming("allele_freqs", lambda: A.beacon_attack(g, A.Beacon(g), f, n_queries=3))


def test_beacon_attack_pads_to_n_queries_and_refuses_fractional_counts():
    g = np.array([[1, 1], [0, 0]])
    stat = A.beacon_attack(g, A.Beacon(g), [0.1, 0.2], n_queries=5)
    assert stat.shape == (2, 5)
    assert (stat[0, 2:] == stat[0, 1]).all() and (stat[1] == 0).all()
    raises_naming("n_queries", lambda: A.beacon_attack(g, A.Beacon(g), [0.1, 0.2], n_queries=2.5))
    raises_naming("beacon", lambda: A.beacon_attack(g, "beacon", [0.1, 0.2], n_queries=2))


def test_pca_and_uniqueness_refuse_fractions():
    g = np.array([[0, 1, 2], [2, 1, 0], [1, 1, 1]])
    raises_naming("n_components", lambda: popgen.pca(g, n_components=2.5))
    raises_naming("snp_counts", lambda: A.uniqueness_curve(g, [2.7]))
    raises_naming("seed", lambda: A.uniqueness_curve(g, [2], seed=1.5))
    assert A.uniqueness_curve(g, np.array([2, 3]))["snps"].tolist() == [2, 3]


def test_allele_frequencies_missing_choice():
    g = np.array([[0, 2, -1], [1, -1, -1]])
    assert np.allclose(popgen.allele_frequencies(g), [0.25, 1.0, np.nan], equal_nan=True)
    assert np.allclose(popgen.allele_frequencies(g, missing="as_reference"), [0.25, 0.5, 0.0])
    raises_naming("missing", lambda: popgen.allele_frequencies(g, missing="drop"))


def test_kinship_estimators_agree_for_equal_heterozygosity_and_refuse_unknown_names():
    g = np.array([[1, 1, 0, 2], [1, 1, 2, 0], [1, 0, 0, 2]])
    within, between = popgen.kinship(g), popgen.kinship(g, estimator="between")
    assert within[0, 1] == pytest.approx(between[0, 1])  # both have two heterozygous calls
    assert between[0, 2] < within[0, 2]  # unequal heterozygosity: between is lower
    raises_naming("estimator", lambda: popgen.kinship(g, estimator="plink"))


def test_check_columns_treats_a_string_as_one_column():
    table = pd.DataFrame({"zip": ["1"], "z": ["2"]})
    assert check_columns(table, "zip", "table") == ["zip"]
    assert check_frequencies(np.array([0, 1]), "f").dtype == np.float64


# --- simulate_world's parameters ---------------------------------------------------------------

SMALL = dict(n_participants=40, n_snps=300, n_reference=20, n_database=60, n_relatives=12, population_size=2000)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"voter_coverage": "0.9"}, "voter_coverage"),
        ({"voter_coverage": np.nan}, "voter_coverage"),
        ({"voter_coverage": None}, "voter_coverage"),
        ({"voter_coverage": 1.5}, "voter_coverage"),
        ({"missing_rate": "0.1"}, "missing_rate"),
        ({"missing_rate": np.inf}, "missing_rate"),
        ({"missing_rate": [0.1]}, "missing_rate"),
        ({"ancestry": [0.5, 0.5]}, "ancestry"),
        ({"ancestry": {"YRI": "half"}}, "ancestry"),
        ({"ancestry": {"YRI": np.nan}}, "ancestry"),
        ({"ancestry": {"YRI": -1.0, "CEU": 2.0}}, "ancestry"),
        ({"ancestry": {1: 1.0}}, "ancestry"),
        ({"model": ["out_of_africa_3g09"]}, "model"),
        ({"model": None}, "model"),
        ({"n_snps": 300.0}, "n_snps"),
        ({"n_snps": "300"}, "n_snps"),
        ({"n_participants": True}, "n_participants"),
        ({"n_database": 60.5}, "n_database"),
        ({"n_reference": None}, "n_reference"),
        ({"n_relatives": np.float64(3)}, "n_relatives"),
        ({"population_size": 2e3}, "population_size"),
        ({"n_chromosomes": "22"}, "n_chromosomes"),
        ({"seed": "1"}, "seed"),
        ({"seed": True}, "seed"),
        ({"n_snps": 10**9}, "memory"),
        ({"population_size": 10**13}, "memory"),
    ],
)
def test_simulate_world_names_every_bad_parameter_before_simulating(params, name, monkeypatch):
    import genshare.cohort.world as world_module

    monkeypatch.setattr(world_module, "simulate_pedigree", lambda *a, **k: pytest.fail("simulation started"))
    kwargs = {**SMALL, "seed": 1, **params}
    with pytest.raises(ValueError) as info:
        simulate_world(**kwargs)
    assert name in str(info.value)


def test_memory_refusal_says_how_much_is_needed(monkeypatch):
    import genshare.cohort.parameters as parameters_module

    monkeypatch.setattr(parameters_module, "_physical_memory", lambda: 2**30)
    with pytest.raises(ValueError, match=r"would need about [\d,.]+ GiB of memory .* this machine has 1.0 GiB"):
        simulate_world(1, n_snps=10**6)


def test_populations_are_declared_once():
    import genshare.cohort.world as world_module
    from genshare.cohort.demography import out_of_africa_3g09
    from genshare.plotting import POPULATION_COLOURS

    sampled = [p.name for p in out_of_africa_3g09().populations if p.default_sampling_time == 0]
    assert set(sampled) == set(POPULATIONS)
    assert tuple(world_module.DEFAULTS["ancestry"]) == POPULATIONS
    snp_columns = [c for c, _ in world_module.TABLES["snps"][1] if c.startswith("freq_")]
    assert snp_columns == [f"freq_{p}" for p in POPULATIONS]
    assert set(POPULATION_COLOURS) == set(POPULATIONS)


def test_count_generated_cases():
    """Report how many generated cases the property tests run (one line, for the closing note)."""
    import sys

    module = sys.modules[__name__]
    n_props = 0
    for name in dir(module):
        item = getattr(module, name)
        if name.startswith("test_") and hasattr(item, "hypothesis"):
            marks = getattr(item, "pytestmark", [])
            params = [m for m in marks if m.name == "parametrize"]
            n_props += math.prod(len(m.args[1]) for m in params) if params else 1
    print(f"\n{n_props} property-test runs x up to {EXAMPLES} examples = up to {n_props * EXAMPLES} generated cases")
    assert n_props > 0
