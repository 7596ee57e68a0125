"""Tests for genshare.cohort.pedigree: the population, its validation and relative counting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genshare.cohort import identities as ids
from genshare.cohort.pedigree import (
    NON_PATERNITY,
    PedigreeError,
    cousin_counts,
    relationship_name,
    relative_pairs,
    simulate_pedigree,
    validate_pedigree,
)


def family() -> pd.DataFrame:
    """Three generations and a bit: two founder couples, their children and grandchildren.

    gf+gm -> f, u (brothers); f+m -> x, w; u+a -> y, z; x+s -> c; y+t -> d (second cousins c, d)
    """
    rows = [
        ("gf", "M", "", ""), ("gm", "F", "", ""), ("m", "F", "", ""), ("a", "F", "", ""),
        ("f", "M", "gf", "gm"), ("u", "M", "gf", "gm"),
        ("x", "M", "f", "m"), ("w", "F", "f", "m"), ("y", "F", "u", "a"), ("z", "M", "u", "a"),
        ("s", "F", "", ""), ("t", "M", "", ""),
        ("c", "F", "x", "s"), ("d", "M", "t", "y"),
    ]
    return pd.DataFrame(rows, columns=["person_id", "sex", "father_id", "mother_id"])


@pytest.fixture(scope="module")
def population():
    rng = np.random.default_rng(3)
    geography = ids.make_geography(20_000, n_zip3=4, zips_per_zip3=3, rng=rng)
    return simulate_pedigree(600, {"YRI": 0.25, "CEU": 0.5, "CHB": 0.25}, geography, rng)


# --- validation -------------------------------------------------------------------------------


def test_a_consistent_pedigree_passes():
    assert validate_pedigree(family()) is None


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.assign(father_id=t["father_id"].replace("gf", "gm")), r"fathers must be male: f \(father gm is F\), u"),
        (lambda t: t.assign(mother_id=t["mother_id"].replace("m", "t")), r"mothers must be female: w \(mother t is M\), x"),
        (lambda t: t.assign(father_id=t["father_id"].replace("u", "nobody")), r"father_id names unknown people: y \(father_id nobody\)"),
        (lambda t: t.assign(person_id=t["person_id"].replace("w", "x")), r"repeated: x"),
        (lambda t: t.assign(sex=t["sex"].replace("F", "female")), r"sex must be 'F' or 'M'"),
        (lambda t: t.drop(columns="mother_id"), "lacks column"),
    ],
)
def test_inconsistent_pedigrees_are_refused_naming_the_people(edit, message):
    with pytest.raises(PedigreeError, match=message):
        validate_pedigree(edit(family()))


def test_a_person_who_is_their_own_ancestor_is_refused():
    table = family()
    table.loc[table["person_id"] == "gf", "father_id"] = "x"  # x is gf's grandson
    with pytest.raises(PedigreeError, match="own ancestors") as info:
        validate_pedigree(table)
    message = str(info.value)
    for person in ("gf", "f", "x"):
        assert person in message
    assert "gm" not in message and " m," not in message  # not on the loop


def test_own_parent_and_child_born_before_parent_are_refused():
    table = family()
    table.loc[table["person_id"] == "gf", "father_id"] = "gf"
    with pytest.raises(PedigreeError, match="own parent"):
        validate_pedigree(table)
    table = family().assign(birth_year=1900)
    with pytest.raises(PedigreeError, match="born before their children"):
        validate_pedigree(table)


@st.composite
def pedigrees(draw):
    """Random valid pedigrees: each person's parents come from earlier rows."""
    n = draw(st.integers(2, 30))
    sex = draw(st.lists(st.sampled_from("FM"), min_size=n, max_size=n))
    father, mother = [], []
    for i in range(n):
        men = [j for j in range(i) if sex[j] == "M"]
        women = [j for j in range(i) if sex[j] == "F"]
        father.append(draw(st.sampled_from([-1, *men])))
        mother.append(draw(st.sampled_from([-1, *women])))
    ids_ = [f"I{i}" for i in range(n)]
    return pd.DataFrame({
        "person_id": ids_, "sex": sex,
        "father_id": ["" if f < 0 else ids_[f] for f in father],
        "mother_id": ["" if m < 0 else ids_[m] for m in mother],
    })


@settings(max_examples=60, deadline=None)
@given(pedigrees(), st.data())
def test_valid_pedigrees_pass_and_a_back_edge_is_caught(table, data):
    validate_pedigree(table)
    # Make an ancestor the child of one of its descendants: a loop.
    with_parent = table.index[(table["father_id"] != "")].tolist()
    if not with_parent:
        return
    child = data.draw(st.sampled_from(with_parent))
    father = table.at[child, "father_id"]
    row = table.index[table["person_id"] == father][0]
    if table.at[child, "sex"] != "M":
        return
    table.at[row, "father_id"] = table.at[child, "person_id"]
    with pytest.raises(PedigreeError, match=table.at[child, "person_id"]):
        validate_pedigree(table)


# --- relatives ---------------------------------------------------------------------------------


def test_cousin_counts_on_a_hand_built_pedigree():
    counts = cousin_counts(family(), max_degree=2)
    assert counts.loc["x"].to_dict() == {"full_siblings": 1, "first_cousins": 2, "second_cousins": 0}
    assert counts.loc["c"].to_dict() == {"full_siblings": 0, "first_cousins": 0, "second_cousins": 1}
    assert counts.loc["d", "second_cousins"] == 1
    assert counts.loc["gf"].sum() == 0


def test_relative_pairs_name_known_relationships():
    pairs = relative_pairs(family(), ["x", "c"], ["w", "y", "u", "gf", "d", "z", "c"])
    got = {(a, b): (r, d, k, g, anc) for a, b, r, d, k, g, anc in pairs.itertuples(index=False)}
    assert got[("x", "w")] == ("full_sibling", 1, 0.25, "1,1", "f;m")
    assert got[("x", "y")] == ("first_cousin", 3, 0.0625, "2,2", "gf;gm")
    assert got[("x", "u")] == ("avuncular", 2, 0.125, "2,1", "gf;gm")
    assert got[("x", "gf")] == ("grandparent", 2, 0.125, "2,0", "gf")
    assert got[("x", "c")] == ("parent_child", 1, 0.25, "0,1", "x")
    assert got[("c", "d")] == ("second_cousin", 5, 1 / 64, "3,3", "gf;gm")
    assert got[("c", "y")] == ("first_cousin_once_removed", 4, 1 / 32, "3,2", "gf;gm")
    assert ("c", "c") not in got


def test_half_siblings_from_non_paternity():
    table = family()
    table.loc[table["person_id"] == "w", "father_id"] = "u"  # w's biological father is her uncle
    pairs = relative_pairs(table, ["x"], ["w"])
    assert pairs["relationship"].tolist() == ["half_sibling"]
    # Half siblings through the mother, and first cousins through the fathers: kinship adds up.
    assert pairs["expected_kinship"].iloc[0] == pytest.approx(1 / 8 + 1 / 16)


@pytest.mark.parametrize(
    "a, b, full, name",
    [(0, 1, False, "parent_child"), (0, 3, False, "great_grandparent"), (1, 1, True, "full_sibling"),
     (1, 2, False, "half_avuncular"), (2, 4, True, "first_cousin_twice_removed"), (4, 4, False, "half_third_cousin")],
)
def test_relationship_names(a, b, full, name):
    assert relationship_name(a, b, full) == name


# --- the simulated population --------------------------------------------------------------------


def test_simulated_population_is_a_valid_pedigree_of_eight_generations(population):
    validate_pedigree(population)
    assert population["generation"].max() == 7
    assert (population.loc[population["generation"] == 0, "father_id"] == "").all()
    assert population["birth_year"].max() <= 2025
    assert population.loc[population["alive"], "death_year"].isna().all()
    assert (population.loc[~population["alive"], "death_year"] <= 2025).all()
    living = population[population["alive"]]
    assert living["generation"].min() >= 4  # living people have great-great-grandparents in it


def test_surnames_follow_legal_fathers(population):
    people = population.set_index("person_id")
    children = people[people["legal_father_id"] != ""]
    assert (children["surname"].to_numpy() == people.loc[children["legal_father_id"], "surname"].to_numpy()).all()
    # Common surnames were founded by several unrelated men.
    founders = people[(people["generation"] == 0) & (people["sex"] == "M")]
    assert founders["surname"].value_counts().max() > 5


def test_non_paternity_rate_is_about_one_percent(population):
    children = population[population["father_id"] != ""]
    rate = (children["father_id"] != children["legal_father_id"]).mean()
    assert rate == pytest.approx(NON_PATERNITY, abs=0.004)


def test_relationship_table_agrees_with_the_pedigree(population):
    people = population.set_index("person_id")
    living = population.loc[population["alive"], "person_id"].to_numpy()
    rng = np.random.default_rng(0)
    left, right = rng.choice(living, 300, replace=False), rng.choice(living, 600, replace=False)
    pairs = relative_pairs(population, left, right)
    siblings = pairs[pairs["relationship"] == "full_sibling"]
    a, b = people.loc[siblings["left_id"]], people.loc[siblings["right_id"]]
    assert (a["father_id"].to_numpy() == b["father_id"].to_numpy()).all()
    assert (a["mother_id"].to_numpy() == b["mother_id"].to_numpy()).all()
    parents = pairs[pairs["relationship"] == "parent_child"]
    for x, y in zip(parents["left_id"], parents["right_id"]):  # a handful of pairs
        assert x in (people.at[y, "father_id"], people.at[y, "mother_id"]) or y in (people.at[x, "father_id"], people.at[x, "mother_id"])
    assert set(pairs["degree"]) <= set(range(1, 9))
    assert pairs["expected_kinship"].between(0, 0.5).all()


def test_cousin_counts_agree_with_the_pair_table(population):
    """Full first cousins of a few people, counted both ways."""
    living = population.loc[population["alive"], "person_id"].to_numpy()
    counts = cousin_counts(population)
    pairs = relative_pairs(population, living[:200], living)
    first = pairs[pairs["relationship"] == "first_cousin"].groupby("left_id").size()
    assert (counts.loc[living[:200], "first_cousins"] == first.reindex(living[:200], fill_value=0)).all()
