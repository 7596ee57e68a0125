"""The IBD segment finder: known answers, properties, bad input, and relationship ranges."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genshare.attacks.segments import (
    SHARED_CM_PROJECT,
    find_segments,
    infer_relationship,
    segment_recall_precision,
    summarise_pairs,
    union_segments,
)

N_SNPS = 600


def _map(n_chrom: int = 2, per_chrom: int = N_SNPS // 2, cm_per_snp: float = 0.1):
    chrom = np.repeat(np.arange(1, n_chrom + 1), per_chrom)
    cm = np.tile(np.arange(per_chrom) * cm_per_snp, n_chrom)
    pos = np.tile(np.arange(1, per_chrom + 1) * 1000, n_chrom)
    return chrom, cm, pos


def _hwe(rng, n, m, p=0.5):
    return (rng.random((n, m)) < p).astype(np.int8) + (rng.random((n, m)) < p)


def test_known_segment_between_a_parent_like_pair():
    rng = np.random.default_rng(0)
    chrom, cm, pos = _map()
    g = _hwe(rng, 2, N_SNPS)
    # Person 1 carries one of person 0's alleles on SNPs 50-249 of chromosome 1: never opposite homozygous there.
    shared = slice(50, 250)
    g[1, shared] = np.where(g[0, shared] == 0, rng.integers(0, 2, 200), np.where(g[0, shared] == 2, rng.integers(1, 3, 200), g[1, shared]))
    g[0, 49], g[1, 49] = 0, 2  # cut just before
    g[0, 250], g[1, 250] = 2, 0  # and just after
    seg = find_segments(g, chrom=chrom, cm=cm, pos=pos, min_cm=7, min_snps=50)
    best = seg.sort_values("length_cm").iloc[-1]
    assert (best["chrom"], best["start_snp"], best["end_snp"]) == (1, 50, 249)
    assert best["length_cm"] == pytest.approx(19.9)
    assert (best["start_bp"], best["end_bp"]) == (51_000, 250_000)


def test_self_shares_every_chromosome_whole():
    rng = np.random.default_rng(1)
    chrom, cm, pos = _map()
    g = _hwe(rng, 3, N_SNPS)
    seg = find_segments(g, g, chrom=chrom, cm=cm, pairs=[[0, 0], [2, 2]], min_snps=10)
    summary = summarise_pairs(seg)
    assert summary["n_segments"].tolist() == [2, 2]
    assert summary["shared_cm"].tolist() == pytest.approx([2 * 29.9, 2 * 29.9])


def test_missing_calls_never_cut_and_chromosomes_always_do():
    chrom, cm, pos = _map()
    g = np.full((2, N_SNPS), -1, dtype=np.int8)
    seg = find_segments(g, chrom=chrom, cm=cm, min_cm=0, min_snps=1, min_expected_ibs0=0)
    assert seg[["chrom", "start_snp", "end_snp"]].values.tolist() == [[1, 0, 299], [2, 300, 599]]


def test_expected_opposite_homozygotes_bound_by_hand():
    """Each SNP at p = 0.5 adds 2 p^2 q^2 = 0.125 expected opposite homozygotes: 8 SNPs add 1."""
    g = np.array([[1] * 16, [1] * 16])  # no opposite homozygote anywhere
    chrom, cm = [1] * 16, np.arange(16.0)
    freq = np.full(16, 0.5)
    kwargs = dict(chrom=chrom, cm=cm, min_cm=0, min_snps=1, frequencies=freq)
    assert len(find_segments(g, min_expected_ibs0=2.0, **kwargs)) == 1  # 16 SNPs: 2.0 expected
    assert len(find_segments(g, min_expected_ibs0=2.01, **kwargs)) == 0
    # Rare SNPs add almost nothing: the same run at p = 0.01 falls far short.
    assert len(find_segments(g, min_expected_ibs0=0.01, **{**kwargs, "frequencies": np.full(16, 0.01)})) == 0
    for bad, message in ((np.full(15, 0.5), "frequencies"), (np.full(16, 1.5), "frequencies")):
        with pytest.raises(ValueError, match=message):
            find_segments(g, min_expected_ibs0=1, **{**kwargs, "frequencies": bad})
    for bad in (-1.0, float("nan")):
        with pytest.raises(ValueError, match="min_expected_ibs0"):
            find_segments(g, min_expected_ibs0=bad, **kwargs)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), site=st.integers(0, N_SNPS - 1))
def test_properties_symmetric_and_an_opposite_homozygote_never_lengthens(seed, site):
    rng = np.random.default_rng(seed)
    chrom, cm, _ = _map()
    g = _hwe(rng, 2, N_SNPS, p=0.1)  # rare alternate alleles: long runs
    one = find_segments(g[:1], g[1:], chrom=chrom, cm=cm, min_cm=2, min_snps=5)
    other = find_segments(g[1:], g[:1], chrom=chrom, cm=cm, min_cm=2, min_snps=5)
    cols = ["chrom", "start_snp", "end_snp", "length_cm"]
    assert one[cols].values.tolist() == other[cols].values.tolist()
    h = g.copy()
    h[0, site], h[1, site] = 0, 2
    cut = find_segments(h[:1], h[1:], chrom=chrom, cm=cm, min_cm=2, min_snps=5)
    assert cut["length_cm"].sum() <= one["length_cm"].sum() + 1e-9
    assert (cut["length_cm"].max() if len(cut) else 0) <= (one["length_cm"].max() if len(one) else 0) + 1e-9
    assert not ((cut["start_snp"] <= site) & (cut["end_snp"] >= site)).any()


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_all_pairs_equals_pairs_one_by_one(seed):
    rng = np.random.default_rng(seed)
    chrom, cm, _ = _map()
    g = _hwe(rng, 4, N_SNPS, p=0.08)
    every = find_segments(g, chrom=chrom, cm=cm, min_cm=1, min_snps=5)
    for i, j in [(0, 1), (1, 3), (2, 3)]:
        single = find_segments(g[[i]], g[[j]], chrom=chrom, cm=cm, min_cm=1, min_snps=5)
        mine = every[(every["a"] == i) & (every["b"] == j)]
        assert single["start_snp"].tolist() == mine["start_snp"].tolist()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (dict(cm=None), "cm is required"),
        (dict(chrom=None), "chrom is required"),
        (dict(cm="reverse"), "cm must not decrease"),
        (dict(pos="reverse"), "pos must increase"),
        (dict(cm="nan"), "does not cover"),
        (dict(cm="short"), "one value per SNP"),
        (dict(min_cm=-1.0), "min_cm"),
        (dict(min_cm=float("nan")), "min_cm"),
        (dict(min_snps=0), "min_snps"),
        (dict(min_snps=400), "fewer than min_snps"),
        (dict(chrom="interleaved"), "sorted by chromosome"),
        (dict(pairs=[[0, 5]]), "pairs"),
    ],
)
def test_bad_input_names_the_parameter(change, message):
    chrom, cm, pos = _map()
    g = _hwe(np.random.default_rng(2), 3, N_SNPS)
    kwargs = dict(chrom=chrom, cm=cm.astype(float), pos=pos, min_cm=7.0, min_snps=50)
    for key, value in change.items():
        if value == "reverse":
            kwargs[key] = kwargs[key][::-1].copy()
        elif value == "nan":
            kwargs[key] = kwargs[key].copy()
            kwargs[key][10] = np.nan
        elif value == "short":
            kwargs[key] = kwargs[key][:-1]
        elif value == "interleaved":
            kwargs[key] = np.tile([1, 2], N_SNPS // 2)
        else:
            kwargs[key] = value
    with pytest.raises(ValueError, match=message):
        find_segments(g, **kwargs)


def test_infer_relationship_ranges_and_bad_input():
    first = infer_relationship(866)
    assert first["closest"].iloc[0] == "first_cousin"
    assert "first_cousin" in infer_relationship(500)["relationships"].iloc[0]
    assert infer_relationship(3700)["closest"].iloc[0] == "parent_child"
    assert infer_relationship(5000)["closest"].iloc[0] == "self or identical twin"
    zero = infer_relationship([0.0], n_segments=[0])["relationships"].iloc[0]
    assert zero.endswith("unrelated") and "third_cousin" in zero
    for bad, message in ((-1, "shared_cm"), (float("nan"), "shared_cm"), ("x", "shared_cm")):
        with pytest.raises(ValueError, match=message):
            infer_relationship(bad)
    with pytest.raises(ValueError, match="n_segments"):
        infer_relationship(100.0, n_segments=0)
    assert (SHARED_CM_PROJECT["low_cm"] <= SHARED_CM_PROJECT["average_cm"]).all()
    assert (SHARED_CM_PROJECT["average_cm"] <= SHARED_CM_PROJECT["high_cm"]).all()


def test_union_and_recall_precision_known_answer():
    truth = union_segments(pd.DataFrame({"pair": [0, 0, 1], "chrom": [1, 1, 1], "start_cm": [0.0, 5.0, 0.0], "end_cm": [10.0, 30.0, 8.0]}))
    assert truth[["pair", "start_cm", "end_cm"]].values.tolist() == [[0, 0.0, 30.0], [1, 0.0, 8.0]]
    detected = pd.DataFrame({"pair": [0, 1], "chrom": [1, 2], "start_cm": [1.0, 0.0], "end_cm": [29.0, 8.0], "length_cm": [28.0, 8.0]})
    table = segment_recall_precision(detected, truth, bins=(0, 10, 100))
    assert table["recall"].tolist() == [0.0, 1.0]  # the 8 cM segment was "found" on the wrong chromosome
    assert table["precision"].tolist() == [0.0, 1.0]


def test_segment_search_finds_the_planted_relative_and_refuses_a_bad_map():
    from genshare.attacks import familial_search, segment_search

    rng = np.random.default_rng(7)
    chrom, cm, pos = _map(cm_per_snp=0.2)
    snps = pd.DataFrame({"chrom": chrom, "pos": pos, "cm": cm})
    db = _hwe(rng, 30, N_SNPS, p=0.3)
    query = _hwe(rng, 1, N_SNPS, p=0.3)
    query[0, :300] = db[4, :300]  # one whole chromosome in common with entry 4
    found = segment_search(query, db, snps, candidates=5, min_cm=20, min_snps=50)
    assert found["entry"].iloc[0] == 4 and found["n_segments"].iloc[0] == 1
    assert found["shared_cm"].iloc[0] == pytest.approx(59.8)
    with pytest.raises(ValueError, match="snps"):
        segment_search(query, db, snps.drop(columns="cm"))
    # familial_search ranks with KING's between-family estimator unless told otherwise.
    from genshare.popgen import kinship

    hits = familial_search(query, db, top=1, min_kinship=-1.0)
    assert hits["kinship"].iloc[0] == pytest.approx(kinship(query, db[[4]], estimator="between")[0, 0])
    with pytest.raises(ValueError, match="estimator"):
        familial_search(query, db, estimator="robust")


def test_erlich_model_grows_with_coverage_and_reaches_near_certainty_at_two_percent():
    from genshare.attacks import erlich_identification_probability

    coverage = np.array([0.001, 0.005, 0.01, 0.02, 0.05])
    third = erlich_identification_probability(coverage)  # third cousins or closer, 2 segments >= 6 cM
    assert np.all(np.diff(third) > 0)
    assert third[3] > 0.98  # "a database of ~2% of the target population": nearly everyone has a match
    closer = erlich_identification_probability(coverage, max_generation=3)
    assert np.all(closer < third)
    with pytest.raises(ValueError, match="coverage"):
        erlich_identification_probability(0.0)
    with pytest.raises(ValueError, match="min_segments"):
        erlich_identification_probability(0.01, min_segments=0)


# --- phased matching --------------------------------------------------------------------------------

from genshare.attacks.segments import find_phased_segments  # noqa: E402


def _haplotypes(rng, n, m, p=0.5):
    return (rng.random((n, 2, m)) < p).astype(np.int8)


def test_phased_known_segment_survives_a_switch_error():
    """Copy 0 of person 0 is shared with person 1 over SNPs 100-399 (30 cM); person 1's phase
    switches at SNP 250, so the shared haplotype moves from copy 1 to copy 0 there."""
    rng = np.random.default_rng(4)
    chrom, cm, _ = _map(1, 600, 0.1)
    h = _haplotypes(rng, 2, 600)
    h[1, 1, 100:250] = h[0, 0, 100:250]
    h[1, 0, 250:400] = h[0, 0, 250:400]
    found = find_phased_segments(h, chrom=chrom, cm=cm, frequencies=np.full(600, 0.5))
    assert len(found) == 1
    row = found.iloc[0]
    assert row["start_snp"] <= 100 + 3 and row["end_snp"] >= 399 - 3 and row["length_cm"] < 32
    # Without the shared stretch there is nothing.
    assert find_phased_segments(_haplotypes(rng, 2, 600), chrom=chrom, cm=cm, frequencies=np.full(600, 0.5)).empty


def test_phased_missing_calls_never_break_and_chromosomes_always_do():
    rng = np.random.default_rng(5)
    chrom, cm, _ = _map(2, 300, 0.1)
    h = _haplotypes(rng, 2, 600)
    h[1, 0, 200:400] = h[0, 1, 200:400]  # crosses from chromosome 1 into chromosome 2
    h[0, :, 250] = -1
    found = find_phased_segments(h, chrom=chrom, cm=cm, min_cm=5, frequencies=np.full(600, 0.5))
    assert set(found["chrom"]) == {1, 2}
    assert (found.groupby("chrom")["n_snps"].max() >= 95).all()


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_phased_properties_symmetric_and_found_segments_are_shared(seed):
    rng = np.random.default_rng(seed)
    chrom, cm, _ = _map(2, 400, 0.1)
    h = _haplotypes(rng, 3, 800, p=0.3)
    start = int(rng.integers(0, 600))
    h[2, int(rng.integers(2)), start : start + 150] = h[0, int(rng.integers(2)), start : start + 150]
    freq = np.full(800, 0.3)
    one = find_phased_segments(h[[0]], h[[2]], chrom=chrom, cm=cm, frequencies=freq)
    other = find_phased_segments(h[[2]], h[[0]], chrom=chrom, cm=cm, frequencies=freq)
    cols = ["chrom", "start_snp", "end_snp", "length_cm"]
    pd.testing.assert_frame_equal(one[cols], other[cols])
    genotypes = h.sum(axis=1)
    for _, row in one.iterrows():  # a found segment never holds an opposite homozygote
        span = slice(int(row["start_snp"]), int(row["end_snp"]) + 1)
        assert not np.any(np.abs(genotypes[0, span].astype(int) - genotypes[2, span]) == 2)


def test_phased_finder_on_the_lessons_genome_model():
    """Pedigree genomes of the one genome model, true phase: long true segments are found
    and what is found is true (the committed world's numbers are in the benchmark)."""
    from tests.segment_simulation import simulate_pedigree

    sim = simulate_pedigree(n_families=2, generations=4, n_snps=15_000, seed=2, min_generation=3)
    found = find_phased_segments(sim.haplotypes, chrom=sim.snps["chrom"], cm=sim.snps["cm"], pairs=sim.pairs)
    key = {tuple(p): k for k, p in enumerate(sim.pairs)}
    found["pair"] = [key[(a, b)] for a, b in zip(found["a"], found["b"], strict=True)]
    table = segment_recall_precision(found, sim.truth, bins=(10, 20, np.inf))
    assert (table["precision"] >= 0.95).all(), table
    assert (table["recall"] >= 0.9).all(), table  # 0.95 at 10-20 cM, 1.00 above (15,000 SNPs, true phase)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda h: h[:, 0], "shape \\(people, 2, SNPs\\)"),
        (lambda h: np.where(h == 1, 2, h), "alleles are 0 or 1"),
        (lambda h: h.astype(float), "must hold integers"),
    ],
)
def test_phased_bad_input_names_the_parameter(change, message):
    chrom, cm, _ = _map(1, 100, 0.1)
    h = _haplotypes(np.random.default_rng(0), 2, 100)
    with pytest.raises(ValueError, match=message):
        find_phased_segments(change(h), chrom=chrom, cm=cm)
    half = h.copy()
    half[0, 0, 5] = -1
    with pytest.raises(ValueError, match="missing on one copy only"):
        find_phased_segments(half, chrom=chrom, cm=cm)
    with pytest.raises(ValueError, match="min_score"):
        find_phased_segments(h, chrom=chrom, cm=cm, min_score=0)


def test_segment_search_on_phased_haplotypes_finds_the_planted_relative():
    from genshare.attacks import segment_search

    rng = np.random.default_rng(8)
    chrom, cm, pos = _map(cm_per_snp=0.2)
    snps = pd.DataFrame({"chrom": chrom, "pos": pos, "cm": cm})
    db_h = _haplotypes(rng, 30, N_SNPS, p=0.3)
    query_h = _haplotypes(rng, 1, N_SNPS, p=0.3)
    query_h[0, 1, :300] = db_h[4, 0, :300]  # one copy of chromosome 1 in common with entry 4
    found = segment_search(query_h.sum(axis=1), db_h.sum(axis=1), snps, candidates=5,
                           query_haplotypes=query_h, database_haplotypes=db_h)
    assert found["entry"].iloc[0] == 4 and found["n_segments"].iloc[0] == 1
    assert found["shared_cm"].iloc[0] == pytest.approx(59.8, abs=0.5)
    with pytest.raises(ValueError, match="go together"):
        segment_search(query_h.sum(axis=1), db_h.sum(axis=1), snps, query_haplotypes=query_h)


def test_phased_chain_across_two_switches_is_one_segment():
    """Copy 0 of person 0 is shared with person 1 over SNPs 100-399; person 1's phase switches
    twice (at 200 and 300), so the shared haplotype sits on copy 1, then 0, then 1 again:
    one chain of three stretches, two switches, one segment."""
    rng = np.random.default_rng(9)
    chrom, cm, _ = _map(1, 600, 0.1)
    h = _haplotypes(rng, 2, 600)
    h[1, 1, 100:200] = h[0, 0, 100:200]
    h[1, 0, 200:300] = h[0, 0, 200:300]
    h[1, 1, 300:400] = h[0, 0, 300:400]
    found = find_phased_segments(h, chrom=chrom, cm=cm, frequencies=np.full(600, 0.5))
    assert len(found) == 1
    row = found.iloc[0]
    assert row["start_snp"] <= 100 + 3 and row["end_snp"] >= 399 - 3 and row["length_cm"] < 32
    # With a switch costing more than a stretch is worth, the stretches at either end are
    # left out: only the middle one remains.
    alone = find_phased_segments(h, chrom=chrom, cm=cm, frequencies=np.full(600, 0.5), switch_penalty=500)
    assert len(alone) == 1 and 195 <= alone["start_snp"].iloc[0] <= 203 and 296 <= alone["end_snp"].iloc[0] <= 305


def _one_shared_copy(pattern, n_snps, first):
    """Two people sharing ``pattern`` on copy 0 of each from SNP ``first`` on; opposite homozygotes elsewhere."""
    h = np.zeros((2, 2, n_snps), dtype=np.int8)
    h[1] = 1  # person 0 is 0/0, person 1 is 1/1: no pair of copies agrees
    span = slice(first, first + len(pattern))
    h[0, 0, span] = h[1, 0, span] = h[1, 1, span] = pattern  # person 1 homozygous for the shared haplotype
    h[0, 1, span] = 1 - np.asarray(pattern)
    return h


def test_phased_allele_evidence_by_hand():
    """20 shared SNPs, ten of allele 1 (frequency 0.2) and ten of allele 0 (0.8): the evidence is
    10 (-log 0.2) + 10 (-log 0.8) = 18.326 nats; weighing agreement instead gives only
    20 (-log(0.2^2 + 0.8^2)) = 7.71 nats."""
    pattern = np.array([1, 0] * 10)
    h = _one_shared_copy(pattern, 60, 10)
    chrom, cm = [1] * 60, np.arange(60) * 0.5
    kwargs = dict(chrom=chrom, cm=cm, min_cm=0, frequencies=np.full(60, 0.2), score_slope=0)
    found = find_phased_segments(h, min_score=18.32, **kwargs)
    assert found[["start_snp", "end_snp", "length_cm"]].values.tolist() == [[10, 29, 9.5]]
    assert find_phased_segments(h, min_score=18.33, **kwargs).empty
    assert len(find_phased_segments(h, min_score=7.70, evidence="agreement", **kwargs)) == 1
    assert find_phased_segments(h, min_score=7.72, evidence="agreement", **kwargs).empty
    # A call missing in either person (SNP 10, allele 1) never breaks the segment and adds
    # nothing: 18.326 - 1.609 = 16.717 nats.
    for person in (0, 1):
        gap = h.copy()
        gap[person, :, 10] = -1
        found = find_phased_segments(gap, min_score=16.71, **kwargs)
        assert found[["start_snp", "end_snp"]].values.tolist() == [[10, 29]], person
        assert find_phased_segments(gap, min_score=16.72, **kwargs).empty, person


def test_phased_score_needed_falls_with_length_down_to_the_floor():
    """The segment above (18.33 nats, 9.5 cM): with 20 nats at 7 cM and 1 less per cM it needs
    17.5 and is found; squeezed to 3.8 cM it needs 20; a floor of 19 holds it to 19."""
    h = _one_shared_copy(np.array([1, 0] * 10), 60, 10)
    kwargs = dict(chrom=[1] * 60, min_cm=0, frequencies=np.full(60, 0.2), min_score=20, score_slope=1.0)
    assert len(find_phased_segments(h, cm=np.arange(60) * 0.5, **kwargs)) == 1
    assert find_phased_segments(h, cm=np.arange(60) * 0.2, **kwargs).empty
    assert find_phased_segments(h, cm=np.arange(60) * 0.5, score_floor=19, **kwargs).empty


def _switch_pair(both_switch):
    """Copy 0 of each person shared over SNPs 100-199, then copy 1 of person 0 with copy 1
    (both switch) or copy 0 (person 0 switches) of person 1 over SNPs 200-299; every other
    pair of copies agrees at single SNPs only; opposite homozygotes elsewhere."""
    rng = np.random.default_rng(11)
    h = np.zeros((2, 2, 400), dtype=np.int8)
    h[1] = 1
    k = np.arange(100, 200)
    x = rng.integers(0, 2, 100).astype(np.int8)
    odd = (k % 2).astype(np.int8)
    h[0, 0, k] = h[1, 0, k] = x
    h[0, 1, k] = np.where(odd, 1 - x, x)  # copies 1 never agree with each other
    h[1, 1, k] = np.where(odd, x, 1 - x)
    k = np.arange(200, 300)
    y = rng.integers(0, 2, 100).astype(np.int8)
    odd = (k % 2).astype(np.int8)
    if both_switch:
        h[0, 1, k] = h[1, 1, k] = y
        h[0, 0, k] = np.where(odd, 1 - y, y)
        h[1, 0, k] = np.where(odd, y, 1 - y)
    else:
        h[0, 1, k] = h[1, 0, k] = y
        h[1, 1, k] = 1 - y
        h[0, 0, k] = np.where(odd, 1 - y, y)
    return h


def test_phased_switch_of_both_people_costs_two_switches():
    """200 shared SNPs at frequency 0.5 are worth 200 log 2 = 138.63 nats; with a switch costing
    10, the move from copies (0, 0) to (1, 1) costs 20 and the move to (1, 0) costs 10."""
    kwargs = dict(chrom=[1] * 400, cm=np.arange(400) * 0.1, frequencies=np.full(400, 0.5), switch_penalty=10,
                  score_slope=0)
    total = 200 * np.log(2)
    for both, cost in ((True, 20), (False, 10)):
        h = _switch_pair(both)
        found = find_phased_segments(h, min_score=total - cost - 0.01, **kwargs)
        assert found[["start_snp", "end_snp"]].values.tolist() == [[100, 299]], (both, found)
        assert find_phased_segments(h, min_score=total - cost + 0.01, **kwargs).empty


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 3.0), st.floats(1.0, 15.0))
def test_phased_a_falling_threshold_only_adds_segments(seed, slope, floor):
    """Letting longer segments need less (any slope, any floor) keeps every segment found with a flat threshold."""
    rng = np.random.default_rng(seed)
    chrom, cm, _ = _map(2, 400, 0.1)
    h = _haplotypes(rng, 3, 800, p=0.3)
    for person in (1, 2):
        start, length = int(rng.integers(0, 600)), int(rng.integers(40, 200))
        h[person, int(rng.integers(2)), start : start + length] = h[0, int(rng.integers(2)), start : start + length]
    kwargs = dict(chrom=chrom, cm=cm, min_cm=2, frequencies=np.full(800, 0.3), min_score=15)
    flat = find_phased_segments(h, score_slope=0, **kwargs)
    falling = find_phased_segments(h, score_slope=slope, score_floor=floor, **kwargs)
    cols = ["a", "b", "start_snp", "end_snp"]
    assert set(map(tuple, flat[cols].values)) <= set(map(tuple, falling[cols].values))


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_phased_allele_and_agreement_evidence_agree_at_frequency_one_half(seed):
    """At p = 0.5 sharing either allele is worth log 2, as is agreement: both weighings find the same."""
    rng = np.random.default_rng(seed)
    chrom, cm, _ = _map(2, 400, 0.1)
    h = _haplotypes(rng, 3, 800)
    start = int(rng.integers(0, 700))
    h[1, 0, start : start + 100] = h[2, 1, start : start + 100] = h[0, 1, start : start + 100]
    kwargs = dict(chrom=chrom, cm=cm, min_cm=2, frequencies=np.full(800, 0.5))
    allele = find_phased_segments(h, evidence="allele", **kwargs)
    agreement = find_phased_segments(h, evidence="agreement", **kwargs)
    pd.testing.assert_frame_equal(allele, agreement)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(score_slope=-1.0), "score_slope"),
        (dict(score_floor=0.0), "score_floor"),
        (dict(evidence="likelihood"), "evidence"),
    ],
)
def test_phased_bad_threshold_or_evidence_names_the_parameter(kwargs, message):
    chrom, cm, _ = _map(1, 100, 0.1)
    h = _haplotypes(np.random.default_rng(0), 2, 100)
    with pytest.raises(ValueError, match=message):
        find_phased_segments(h, chrom=chrom, cm=cm, **kwargs)
