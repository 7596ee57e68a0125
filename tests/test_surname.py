"""Y-STR haplotypes in the pedigree (genshare.cohort.ystr) and surname inference (genshare.attacks.surname).

Known answers (hand-built pedigrees and databases, the Skellam likelihood against a direct
sum), properties (hypothesis, derandomised) and hostile input (a ValueError naming the
locus, row or parameter; a woman gets NoYChromosomeError).
"""

from __future__ import annotations

from math import exp, lgamma, log

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genshare.attacks.surname import (
    NoYChromosomeError,
    _log_pmf_table,
    infer_surname,
    infer_surnames,
    narrow_by_records,
    tmrca_posterior,
)
from genshare.cohort.ystr import (
    HALF_RANGE,
    YSTR_PANEL,
    founder_haplotypes,
    inherit_haplotypes,
    simulate_y_haplotypes,
    stationary_distributions,
    ystr_database,
    ystr_panel,
)

PROPERTY = settings(derandomize=True, max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LOCI = YSTR_PANEL["locus"].tolist()


def _pedigree() -> pd.DataFrame:
    """Two founding lines; line B has a son born of non-paternity (biological father A1)."""
    rows = [
        # person_id, sex, father_id, legal_father_id, surname, generation, population, alive
        ("A0", "M", "", "", "Ames", 0, "CEU", False),
        ("B0", "M", "", "", "Bell", 0, "CEU", False),
        ("W0", "F", "", "", "Cole", 0, "CEU", False),
        ("A1", "M", "A0", "A0", "Ames", 1, "CEU", True),
        ("A2", "M", "A0", "A0", "Ames", 1, "CEU", True),
        ("B1", "M", "B0", "B0", "Bell", 1, "CEU", True),
        ("D1", "F", "A0", "A0", "Ames", 1, "CEU", True),
        ("N2", "M", "A1", "B1", "Bell", 2, "CEU", True),  # non-paternity: Y of A1, surname of B1
    ]
    return pd.DataFrame(rows, columns=["person_id", "sex", "father_id", "legal_father_id", "surname",
                                       "generation", "population", "alive"])


# --- the panel and the simulation ------------------------------------------------------------------

def test_panel_is_sourced_and_sane():
    assert 20 <= len(YSTR_PANEL) <= 40
    assert YSTR_PANEL["locus"].is_unique
    assert YSTR_PANEL["mutation_rate"].between(3e-4, 0.08).all()  # Ballantyne et al. 2010's range
    assert YSTR_PANEL["source"].str.len().gt(0).all()
    assert float(YSTR_PANEL.set_index("locus").loc["DYS458", "mutation_rate"]) == 0.00836


def test_panel_subset_and_errors():
    assert ystr_panel(["DYS390", "DYS19"])["locus"].tolist() == ["DYS390", "DYS19"]
    with pytest.raises(ValueError, match="DYS999"):
        ystr_panel(["DYS19", "DYS999"])
    with pytest.raises(ValueError, match="repeated"):
        ystr_panel(["DYS19", "DYS19"])
    with pytest.raises(ValueError, match="one string"):
        ystr_panel("DYS19")


def test_founders_shape_range_and_determinism():
    a = founder_haplotypes(["CEU"] * 20 + ["YRI"] * 5, seed=4)
    b = founder_haplotypes(["CEU"] * 20 + ["YRI"] * 5, seed=4)
    assert a.shape == (25, len(LOCI)) and a.dtype == np.int16
    np.testing.assert_array_equal(a, b)
    ranges = stationary_distributions()  # sourced loci: the sampled range; others: centre +/- HALF_RANGE
    lo = np.array([ranges[locus][0][0] for locus in LOCI])
    hi = np.array([ranges[locus][0][-1] for locus in LOCI])
    assert ((a >= lo) & (a <= hi)).all()
    centre = YSTR_PANEL["centre"].to_numpy()
    assert (np.abs(a - centre)[:, YSTR_PANEL["locus"].isin(["DYS458", "DYS570"]).to_numpy()] <= HALF_RANGE).all()
    assert len({tuple(row) for row in a}) > 15  # unrelated founders mostly differ
    with pytest.raises(ValueError, match="XYZ"):
        founder_haplotypes(["XYZ"], seed=1)


def test_inheritance_follows_biological_father():
    people = _pedigree()
    haps = simulate_y_haplotypes(people, seed=11).set_index("person_id")
    assert set(haps.index) == {"A0", "B0", "A1", "A2", "B1", "N2"}  # men only
    # With rates this low, father and son almost always match exactly; compare many seeds.
    same_bio = same_legal = 0
    for seed in range(30):
        h = simulate_y_haplotypes(people, seed=seed).set_index("person_id")
        same_bio += int((h.loc["N2"] == h.loc["A1"]).all())
        same_legal += int((h.loc["N2"] == h.loc["B1"]).all())
    assert same_bio >= 20 and same_legal == 0


def test_mutation_rate_matches_panel():
    """Father-to-son mutations per locus occur at the panel's rates (vectorised inheritance)."""
    n = 20000
    people = pd.DataFrame({"person_id": ["F"] + [f"S{i}" for i in range(n)], "sex": "M",
                           "father_id": [""] + ["F"] * n, "generation": [0] + [1] * n, "population": "CEU"})
    founders = pd.DataFrame([[ "F", *YSTR_PANEL["centre"].tolist()]], columns=["person_id", *LOCI])
    sons = inherit_haplotypes(people, founders, seed=5).iloc[1:]
    observed = (sons[LOCI].to_numpy() != YSTR_PANEL["centre"].to_numpy()).mean(axis=0)
    expected = YSTR_PANEL["mutation_rate"].to_numpy()
    assert abs(observed.sum() - expected.sum()) < 5 * np.sqrt(expected.sum() / n)
    assert (np.abs(sons[LOCI].to_numpy() - YSTR_PANEL["centre"].to_numpy()) <= 1).all()  # single steps


def test_inheritance_refuses_bad_pedigrees():
    people = _pedigree()
    founders = pd.DataFrame([["A0", *[15] * len(LOCI)]], columns=["person_id", *LOCI])
    with pytest.raises(ValueError, match="B0"):
        inherit_haplotypes(people, founders, seed=1)
    wrong = people.copy()
    wrong.loc[wrong.person_id == "A1", "father_id"] = "W0"
    with pytest.raises(ValueError, match="not a man.*A1"):
        simulate_y_haplotypes(wrong, seed=1)
    ghost = people.copy()
    ghost.loc[ghost.person_id == "A2", "father_id"] = "ZZ"
    with pytest.raises(ValueError, match="A2"):
        simulate_y_haplotypes(ghost, seed=1)


def test_database_takes_living_men_with_legal_surname():
    people = _pedigree()
    haps = simulate_y_haplotypes(people, seed=2)
    db = ystr_database(people, haps, fraction=1.0, seed=0)
    assert set(db.person_id) == {"A1", "A2", "B1", "N2"}
    assert db.set_index("person_id").loc["N2", "surname"] == "Bell"
    assert len(ystr_database(people, haps, fraction=0.5, seed=0)) == 2
    with pytest.raises(ValueError, match="fraction"):
        ystr_database(people, haps, fraction=1.5, seed=0)


# --- the attack: known answers ----------------------------------------------------------------------

def test_skellam_table_matches_direct_sum():
    rates = np.array([0.002, 0.3])
    gens = np.array([1.0, 7.0, 250.0])
    table = _log_pmf_table(rates, 4, gens)
    for i, mu in enumerate(rates):
        for j, t in enumerate(gens):
            lam = mu * t
            for d in range(5):
                direct = sum(exp(-2 * lam + (2 * n + d) * log(lam) - lgamma(n + d + 1) - lgamma(n + 1)) for n in range(400))
                assert np.exp(table[i, d, j]) == pytest.approx(direct, rel=1e-9)


def test_tmrca_posterior_known_answer():
    # Exact match at 20 loci of rate 0.003: L(t) = (exp(-x) I0(x))^20, x = 0.006 t; close to
    # exp(-0.12 t), so P(t <= 10) is about 1 - exp(-1.2) under a prior reaching far enough.
    post = tmrca_posterior(np.zeros((1, 20), int), np.full(20, 0.003), max_generations=200)
    assert post.sum() == pytest.approx(1.0)
    assert post[0, :10].sum() == pytest.approx(1 - np.exp(-1.2), abs=0.03)
    far = tmrca_posterior(np.full((1, 20), 3), np.full(20, 0.003), max_generations=200)
    assert far[0, :10].sum() < 1e-6


def _db() -> pd.DataFrame:
    base = {locus: 15 for locus in LOCI[:6]}
    rows = [
        ("Y1", "Ames", {**base}),
        ("Y2", "Ames", {**base, LOCI[0]: 16}),
        ("Y3", "Bell", {locus: 11 for locus in LOCI[:6]}),
        ("Y4", "Cole", {locus: 19 for locus in LOCI[:6]}),
    ]
    return pd.DataFrame([{"ystr_profile_id": pid, "surname": s, **h} for pid, s, h in rows])


def test_infer_surname_known_answer_and_ranking():
    target = pd.Series({locus: 15 for locus in LOCI[:6]})
    result = infer_surname(target, _db(), min_confidence=0.1)
    assert result.answered and result.surname == "Ames"
    assert result.ranking["surname"].iloc[0] == "Ames"
    assert result.ranking.set_index("surname").loc["Ames", "profiles"] == 2
    assert result.ranking["p_recent"].is_monotonic_decreasing
    assert 0 < result.confidence <= 1


def test_abstains_when_nothing_is_close_or_two_surnames_tie():
    far = pd.Series({locus: 5 for locus in LOCI[:6]})
    result = infer_surname(far, _db())
    assert result.status == "no_answer" and result.surname is None and "abstained" in result.reason
    tie = pd.concat([_db(), _db().iloc[[0]].assign(ystr_profile_id="Y5", surname="Dunn")], ignore_index=True)
    tied = infer_surname(pd.Series({locus: 15 for locus in LOCI[:6]}), tie, recent_generations=60)
    assert tied.status == "no_answer" and "both close" in tied.reason


def test_empty_database_is_an_explicit_no_answer():
    result = infer_surname({locus: 15 for locus in LOCI[:6]}, _db().iloc[:0])
    assert result.status == "no_answer" and result.surname is None


def test_batch_agrees_with_single():
    db = _db()
    targets = pd.DataFrame([{"participant_id": "T1", **{l: 15 for l in LOCI[:6]}},
                            {"participant_id": "T2", **{l: 5 for l in LOCI[:6]}}])
    batch = infer_surnames(targets, db, min_confidence=0.1).set_index("participant_id")
    for pid in ["T1", "T2"]:
        single = infer_surname(targets.set_index("participant_id").loc[pid], db, min_confidence=0.1)
        assert batch.loc[pid, "status"] == single.status
        assert batch.loc[pid, "confidence"] == pytest.approx(single.confidence)
        assert batch.loc[pid, "surname"] == (single.surname or "")


def test_attack_on_a_simulated_pedigree_beats_chance():
    from genshare.cohort.pedigree import simulate_pedigree

    zips = pd.DataFrame({"zip5": ["39011", "39311"], "zip3": ["390", "393"], "population": [1, 1]})
    people = simulate_pedigree(120, {"CEU": 1.0}, zips, np.random.default_rng(3))
    haps = simulate_y_haplotypes(people, seed=3)
    living = people[people.alive & (people.sex == "M")]
    targets = living.sample(40, random_state=1)
    db = ystr_database(people[~people.person_id.isin(targets.person_id)], haps, fraction=0.5, seed=1)
    result = infer_surnames(haps[haps.person_id.isin(targets.person_id)], db, id_column="person_id")
    truth = people.set_index("person_id").loc[result.person_id, "surname"].to_numpy()
    answered = result.status == "answer"
    assert answered.mean() > 0.3
    assert (result.surname[answered] == truth[answered]).mean() > 0.8


def test_narrow_by_records():
    roll = pd.DataFrame({"surname": ["Ames", "Ames", "Ames", "Bell"], "sex": ["M", "M", "F", "M"],
                         "date_of_birth": ["1950-01-02", "1951-05-05", "1950-03-03", "1950-01-01"],
                         "zip5": ["39011", "39311", "39011", "39011"]})
    assert len(narrow_by_records("Ames", roll)) == 2
    assert len(narrow_by_records("Ames", roll, birth_year=1950)) == 1
    assert len(narrow_by_records("Ames", roll, birth_year=1950, tolerance=1)) == 2
    assert len(narrow_by_records("Ames", roll, birth_year=1950, tolerance=1, zip3="393")) == 1
    with pytest.raises(ValueError, match="abstained"):
        narrow_by_records(None, roll)
    with pytest.raises(ValueError, match="zip3"):
        narrow_by_records("Ames", roll, zip3="39")


# --- hostile input ----------------------------------------------------------------------------------

def test_woman_gets_a_clear_error():
    with pytest.raises(NoYChromosomeError, match="woman"):
        infer_surname({locus: 15 for locus in LOCI[:6]}, _db(), sex="F")
    with pytest.raises(NoYChromosomeError, match="no Y chromosome"):
        infer_surname(pd.Series({locus: np.nan for locus in LOCI[:6]}), _db())


@pytest.mark.parametrize("bad, match", [
    ({**{l: 15 for l in LOCI[:6]}, LOCI[2]: np.nan}, f"missing repeat count at locus {LOCI[2]}"),
    ({**{l: 15 for l in LOCI[:6]}, LOCI[3]: 14.2}, f"locus {LOCI[3]} must be a non-negative integer"),
    ({**{l: 15 for l in LOCI[:6]}, LOCI[1]: "x"}, f"locus {LOCI[1]} is not a number"),
    ({**{l: 15 for l in LOCI[:6]}, LOCI[1]: -3}, f"locus {LOCI[1]} must be a non-negative integer"),
    ({l: 15 for l in LOCI[:5]}, f"lacks locus \\['{LOCI[5]}'\\]"),
    ({**{l: 15 for l in LOCI[:6]}, LOCI[7]: 12}, f"locus \\['{LOCI[7]}'\\] that the database does not hold"),
])
def test_bad_target_names_the_locus(bad, match):
    with pytest.raises(ValueError, match=match):
        infer_surname(bad, _db())


def test_subset_of_loci_and_bad_database():
    target = {locus: 15 for locus in LOCI[:5]}
    assert infer_surname(target, _db(), loci=LOCI[:5], min_confidence=0.1).surname == "Ames"
    with pytest.raises(ValueError, match="loci: database has no locus"):
        infer_surname({**target, "DYS999": 1}, _db(), loci=[*LOCI[:5], "DYS999"])
    broken = _db()
    broken.loc[2, LOCI[4]] = np.nan
    with pytest.raises(ValueError, match=f"database: missing repeat count at locus {LOCI[4]} \\(row 'Y3'\\)"):
        infer_surname({locus: 15 for locus in LOCI[:6]}, broken)
    with pytest.raises(ValueError, match="surname"):
        infer_surname({locus: 15 for locus in LOCI[:6]}, _db().drop(columns="surname"))


@pytest.mark.parametrize("param, value", [("candidates", 0), ("recent_generations", 0), ("max_generations", 2.5),
                                          ("min_confidence", 0.0), ("min_confidence", 1.5), ("recent_generations", 999)])
def test_bad_parameters_are_named(param, value):
    with pytest.raises(ValueError, match=param):
        infer_surname({locus: 15 for locus in LOCI[:6]}, _db(), **{param: value})


# --- properties -------------------------------------------------------------------------------------

haplotype = st.lists(st.integers(8, 30), min_size=6, max_size=6)


@PROPERTY
@given(target=haplotype, rows=st.lists(st.tuples(st.sampled_from(["Ames", "Bell", "Cole"]), haplotype), min_size=1, max_size=12))
def test_properties_of_any_answer(target, rows):
    db = pd.DataFrame([{"surname": s, **dict(zip(LOCI[:6], h))} for s, h in rows])
    result = infer_surname(dict(zip(LOCI[:6], target)), db)
    assert result.status in {"answer", "no_answer"}
    assert 0.0 <= result.confidence <= 1.0
    assert (result.surname is None) == (result.status == "no_answer")
    if result.answered:
        assert result.surname == result.ranking["surname"].iloc[0]
        assert result.confidence >= 0.5
    assert result.ranking["surname"].is_unique
    assert set(result.ranking["surname"]) <= set(db["surname"])


@settings(derandomize=True, max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=haplotype, rows=st.lists(haplotype, min_size=1, max_size=8), shift=st.integers(-3, 3))
def test_shifting_every_repeat_count_changes_nothing(target, rows, shift):
    """Only differences matter: adding the same number of repeats everywhere leaves the answer."""
    db = pd.DataFrame([{"surname": f"S{i % 3}", **dict(zip(LOCI[:6], h))} for i, h in enumerate(rows)])
    shifted = db.copy()
    shifted[LOCI[:6]] += shift + 5
    a = infer_surname(dict(zip(LOCI[:6], target)), db)
    b = infer_surname({l: v + shift + 5 for l, v in zip(LOCI[:6], target)}, shifted)
    assert a.status == b.status and a.surname == b.surname
    assert a.confidence == pytest.approx(b.confidence)


@PROPERTY
@given(d=st.lists(st.integers(0, 4), min_size=3, max_size=3), extra=st.integers(1, 3))
def test_more_difference_means_older_ancestor(d, extra):
    rates = YSTR_PANEL["mutation_rate"].to_numpy()[:3]
    near = tmrca_posterior(np.array([d]), rates, max_generations=150)
    worse = np.array([d]) + np.array([[extra, 0, 0]])
    far = tmrca_posterior(worse, rates, max_generations=150)
    assert far[0, :10].sum() <= near[0, :10].sum() + 1e-12


# --- the world step ------------------------------------------------------------------------------------

def test_world_has_the_y_tables():
    from genshare.cohort import simulate_world

    world = simulate_world(seed=3, n_participants=60, n_snps=300, n_reference=10, n_database=40, population_size=1500)
    men = world.cohort.loc[world.cohort["sex"] == "M", "participant_id"]
    assert sorted(world.ystr["participant_id"]) == sorted(men)
    assert list(world.ystr.columns) == ["participant_id", *LOCI]
    people = world.people.set_index("person_id")
    db = world.ystr_database
    assert (people.loc[db["person_id"], "sex"] == "M").all() and people.loc[db["person_id"], "alive"].all()
    assert (people.loc[db["person_id"], "surname"].to_numpy() == db["surname"].to_numpy()).all()
    assert db["ystr_profile_id"].is_unique
    adult_men = (world.people["sex"] == "M") & world.people["alive"] & (world.people["birth_year"] <= 2025 - 18)
    assert 0.05 < len(db) / adult_men.sum() < 0.15  # ystr_share 0.1 of living adult men
