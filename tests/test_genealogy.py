"""Investigative genetic genealogy (genshare.attacks.genealogy): known answers, properties, hostile input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genshare.attacks.genealogy import (
    Triangulation,
    candidate_ancestors,
    descendants,
    identify_people,
    narrow,
    relationship_generations,
    score_ancestors,
    score_people,
)

# A hand-built family. Adam and Beth Stone (the true common ancestors) have three
# children; their great-grandchildren Owen (match G1), Pia (match G2) and Tom (the target)
# are second cousins. Decoys: Vic and Wendy Lee (only in Owen's tree), Xavier and Yola Roe
# (in both trees, but two generations up: first-cousin level, not second).
#           person_id first  surname sex  born  died  place     father  mother
PEOPLE = [
    ("PA", "Adam", "Stone", "M", 1850, 1920, "Oakton", "", ""),
    ("PB", "Beth", "Stone", "F", 1852, 1925, "Oakton", "", ""),
    ("PV", "Vic", "Lee", "M", 1850, 1915, "Elm", "", ""),
    ("PW", "Wendy", "Lee", "F", 1851, 1930, "Elm", "", ""),
    ("PX", "Xavier", "Roe", "M", 1875, 1950, "Elm", "", ""),
    ("PY", "Yola", "Roe", "F", 1877, 1955, "Elm", "", ""),
    ("PC", "Carl", "Stone", "M", 1875, 1940, "Oakton", "PA", "PB"),
    ("PD", "Dora", "Lee", "F", 1877, 1945, "Elm", "PV", "PW"),
    ("PE", "Ella", "Stone", "F", 1878, 1950, "Oakton", "PA", "PB"),
    ("PF", "Fred", "Moss", "M", 1876, 1949, "Oakton", "", ""),
    ("PG", "Gus", "Stone", "M", 1880, 1955, "Oakton", "PA", "PB"),
    ("PH", "Hana", "Wu", "F", 1882, 1960, "Oakton", "", ""),
    ("PI", "Ivan", "Stone", "M", 1900, 1970, "Oakton", "PC", "PD"),
    ("PL", "Lena", "Roe", "F", 1901, 1975, "Elm", "PX", "PY"),
    ("PJ", "Jane", "Moss", "F", 1902, 1980, "Oakton", "PF", "PE"),
    ("PR", "Rob", "Roe", "M", 1900, 1972, "Elm", "PX", "PY"),
    ("PK", "Kurt", "Stone", "M", 1905, 1985, "Oakton", "PG", "PH"),
    ("PU", "Uma", "Vale", "F", 1906, 1990, "Oakton", "", ""),
    ("PO", "Owen", "Stone", "M", 1930, None, "Oakton", "PI", "PL"),
    ("PP", "Pia", "Roe", "F", 1932, None, "Elm", "PR", "PJ"),
    ("PT", "Tom", "Stone", "M", 1935, None, "Oakton", "PK", "PU"),
    ("PZ", "Zoe", "Stone", "F", 1937, None, "Oakton", "PK", "PU"),
]
# Owen's tree: his ancestors. Pia's tree: her ancestors and her grandparents' other
# descendants (Kurt, Tom and Zoe are there through Ella's brother Gus? no: Pia's
# great-grandparents' descendants, as a genealogist who researched the family would add).
TREE_MEMBERS = {
    ("T1", "G1"): ["PO", "PI", "PL", "PC", "PD", "PA", "PB", "PV", "PW", "PX", "PY"],
    ("T2", "G2"): ["PP", "PR", "PJ", "PX", "PY", "PF", "PE", "PA", "PB", "PG", "PH", "PK", "PU", "PT", "PZ"],
}


def build_trees(people=PEOPLE, members=TREE_MEMBERS) -> pd.DataFrame:
    table = pd.DataFrame(people, columns=["person_id", "first_name", "surname", "sex", "birth_year", "death_year",
                                          "place", "father", "mother"]).set_index("person_id")
    rows = []
    for (tree, owner), ids in members.items():
        record = {pid: f"{tree}-{k + 1:02d}" for k, pid in enumerate(ids)}
        for pid in ids:
            p = table.loc[pid]
            rows.append({"tree_id": tree, "owner_profile_id": owner, "record_id": record[pid], "person_id": pid,
                         "first_name": p.first_name, "surname": p.surname, "sex": p.sex, "birth_year": p.birth_year,
                         "death_year": p.death_year, "place": p.place,
                         "father_record": record.get(p.father, ""), "mother_record": record.get(p.mother, "")})
    trees = pd.DataFrame(rows)
    trees["death_year"] = trees["death_year"].astype("Int64")
    return trees


PROFILES = pd.DataFrame({"profile_id": ["G1", "G2", "G3"], "first_name": ["Owen", "Pia", "Sam"],
                         "surname": ["Stone", "Roe", "Ash"], "sex": ["M", "F", "M"], "birth_year": [1930, 1932, 1960]})
MATCHES = pd.DataFrame({"profile_id": ["G1", "G2", "G3"], "relationships": ["second_cousin"] * 3})
TRUTH = pd.DataFrame({"participant_id": ["C1", "C1"], "profile_id": ["G1", "G2"], "common_ancestors": ["PA;PB", "PA;PB"]})
ADAM, BETH = "Adam Stone (M, b. 1850, Oakton)", "Beth Stone (F, b. 1852, Oakton)"


@pytest.fixture(scope="module")
def trees() -> pd.DataFrame:
    return build_trees()


# ---------------------------------------------------------------- known answers


def test_relationship_generations_both_orders():
    table = relationship_generations("second_cousin; first_cousin_once_removed; unrelated")
    assert sorted(map(tuple, table[["match_generation", "target_generation"]].values.tolist())) == [(2, 3), (3, 2), (3, 3)]
    assert relationship_generations("distant or unrelated").empty


def test_identify_people_links_records_across_trees(trees):
    records = identify_people(trees)
    adam = records[records["person"] == ADAM]
    assert sorted(adam["record_id"]) == ["T1-06", "T2-08"]
    assert records.groupby("person")["person_id"].nunique().max() == 1 if "person_id" in records else True
    # One identity per true person in this family (no two people share all five fields).
    assert records["person"].nunique() == trees["person_id"].nunique()


def test_candidate_ancestors_known_answer(trees):
    result = candidate_ancestors(MATCHES, trees, PROFILES)
    assert result.proceed and result.status == "ok"
    assert result.candidates[["father", "mother"]].values.tolist() == [[ADAM, BETH]]
    top = result.candidates.iloc[0]
    assert top["n_matches"] == 2 and top["matches"] == "G1; G2" and top["target_generations"] == "3"
    assert top["match_generations"] == "G1:3; G2:3"
    assert result.matches.set_index("profile_id").loc["G3", "note"] == "no public tree"
    assert top["agreed_generations"] == "3"
    assert score_ancestors(result, trees, TRUTH, "C1") == {
        "status": "ok", "n_candidates": 1, "n_true_couples": 1, "found": True, "rank": 1, "top_is_true": True}
    pedigree = pd.DataFrame([(p[0], p[7], p[8]) for p in PEOPLE], columns=["person_id", "father_id", "mother_id"])
    loose = score_ancestors(result, trees, TRUTH, "C1", people=pedigree, target_person_id="PT")
    assert loose["ancestral_rank"] == 1 and loose["top_is_ancestral"]


def test_generation_consistency_and_ranking(trees):
    # Allowing first cousins (2 generations up) makes the Roes a candidate, and the more recent couple ranks first.
    wide = MATCHES.assign(relationships="first_cousin; second_cousin")
    result = candidate_ancestors(wide, trees, PROFILES)
    assert result.candidates[["father", "mother"]].values.tolist() == [
        ["Xavier Roe (M, b. 1875, Elm)", "Yola Roe (F, b. 1877, Elm)"], [ADAM, BETH]]
    assert score_ancestors(result, trees, TRUTH, "C1")["rank"] == 2
    # The Roes are Owen's and Pia's grandparents but not Tom's ancestors.
    pedigree = pd.DataFrame([(p[0], p[7], p[8]) for p in PEOPLE], columns=["person_id", "father_id", "mother_id"])
    assert score_ancestors(result, trees, TRUTH, "C1", people=pedigree, target_person_id="PT")["ancestral_rank"] == 2
    assert result.candidates["target_generations"].tolist() == ["2", "3"]
    # Shared cM breaks ties before recency: the closer match pins the family down.
    # Shared cM decide between the two couples: second cousins' amounts (~229 cM) point to the
    # Stones three generations up, first cousins' (~866 cM) to the Roes two generations up.
    cm = pd.DataFrame({"profile_id": ["G1", "G2"], "shared_cm": [230.0, 240.0]})
    second = candidate_ancestors(cm, trees, PROFILES).candidates
    assert second[["father", "likely_generation", "shared_cm"]].iloc[0].tolist() == [ADAM, 3, 470.0]
    first = candidate_ancestors(cm.assign(shared_cm=[850.0, 880.0]), trees, PROFILES).candidates
    assert first[["father", "likely_generation"]].iloc[0].tolist() == ["Xavier Roe (M, b. 1875, Elm)", 2]
    assert (first["misfit"] >= 0).all() and first["misfit"].is_monotonic_increasing


def test_fail_closed(trees):
    one = candidate_ancestors(MATCHES[MATCHES["profile_id"] != "G2"], trees, PROFILES)
    assert one.status == "cannot proceed" and "only 1 of 2 matches" in one.reason and one.candidates.empty
    assert score_ancestors(one, trees, TRUTH, "C1")["found"] is False
    far = candidate_ancestors(MATCHES.assign(relationships="parent_child"), trees, PROFILES)
    assert far.status == "cannot proceed"
    siblings = candidate_ancestors(MATCHES.assign(relationships="full_sibling"), trees, PROFILES)
    assert siblings.status == "cannot proceed" and "no ancestral couple" in siblings.reason


def test_descendants_and_narrow_known_answer(trees):
    family = descendants((ADAM, BETH), trees)
    assert family.groupby("generation")["first_name"].apply(sorted).to_dict() == {
        1: ["Carl", "Ella", "Gus"], 2: ["Ivan", "Jane", "Kurt"], 3: ["Owen", "Pia", "Tom", "Zoe"]}
    assert score_people(family, trees, "PT") == {"n": 10, "found": True, "n_true_people": 10}
    third = descendants({"father": ADAM, "mother": BETH}, trees, generations="3")
    assert sorted(third["first_name"]) == ["Owen", "Pia", "Tom", "Zoe"]
    suspects = narrow(third, sex="M", age=(88, 96), on="2026-01-01", place="Oakton", living=True)
    assert suspects["first_name"].tolist() == ["Owen", "Tom"]
    assert narrow(suspects, birth_year=(1933, 1940))["first_name"].tolist() == ["Tom"]


def test_descendants_voter_roll(trees):
    roll = pd.DataFrame({"voter_id": ["V1", "V2", "V3"], "first_name": ["Tom", "Zoe", "Zoe"],
                         "surname": ["Stone", "Stone", "Stone"], "sex": ["M", "F", "F"],
                         "date_of_birth": pd.to_datetime(["1935-06-01", "1937-02-02", "1937-11-30"]),
                         "zip5": ["11111", "22222", "33333"]})
    family = descendants((ADAM, BETH), trees, voter_roll=roll).set_index("first_name")
    assert family.loc["Tom", ["voter_matches", "voter_id", "zip5"]].tolist() == [1, "V1", "11111"]
    assert family.loc["Zoe", ["voter_matches", "voter_id"]].tolist() == [2, ""]  # ambiguous: left empty
    assert family.loc["Carl", "voter_matches"] == 0
    # An exact date of birth decides an age the birth year alone cannot.
    exact = narrow(family.reset_index(), age=(90, 90), on="2026-01-01")
    assert "Tom" in exact["first_name"].tolist()
    assert narrow(family.reset_index(), age=(91, 91), on="2026-01-01")["first_name"].tolist().count("Tom") == 0


# ---------------------------------------------------------------- hostile input


def test_missing_columns(trees):
    with pytest.raises(ValueError, match="father_record"):
        identify_people(trees.drop(columns="father_record"))
    with pytest.raises(ValueError, match="relationships.*shared_cm"):
        candidate_ancestors(MATCHES[["profile_id"]], trees, PROFILES)
    with pytest.raises(ValueError, match="birth_year"):
        candidate_ancestors(MATCHES, trees, PROFILES.drop(columns="birth_year"))
    with pytest.raises(ValueError, match="place"):
        narrow(pd.DataFrame({"sex": ["F"]}), place="Elm")


def test_record_cycle_named(trees):
    bad = trees.copy()
    # Adam (T1-06) recorded as the father of his own grandfather... of Carl's father: a loop Adam -> Carl -> Adam.
    bad.loc[bad["record_id"] == "T1-06", "father_record"] = "T1-04"
    with pytest.raises(ValueError, match="cycle.*T1-04.*T1-06|cycle.*T1-06"):
        identify_people(bad)
    own = trees.copy()
    own.loc[own["record_id"] == "T1-06", "father_record"] = "T1-06"
    with pytest.raises(ValueError, match="cycle.*T1-06"):
        identify_people(own)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.assign(father_record=t["father_record"].where(t["record_id"] != "T1-01", "T9-99")), "unknown record.*T9-99"),
        (lambda t: t.assign(father_record=t["father_record"].where(t["record_id"] != "T1-01", "T2-08")), "another tree"),
        (lambda t: t.assign(mother_record=t["mother_record"].where(t["record_id"] != "T1-01", "T1-02")), "sex is not F"),
        (lambda t: t.assign(record_id=t["record_id"].where(t["record_id"] != "T1-02", "T1-01")), "unique.*T1-01"),
        (lambda t: t.assign(sex=t["sex"].where(t["record_id"] != "T1-03", "X")), "sex must be.*T1-03"),
        (lambda t: t.assign(birth_year=t["birth_year"].astype(float).where(t["record_id"] != "T1-03", np.nan)), "birth_year.*T1-03"),
        (lambda t: t.assign(first_name=t["first_name"].where(t["record_id"] != "T1-03", None)), "first_name.*T1-03"),
    ],
)
def test_bad_records_named(trees, change, message):
    with pytest.raises(ValueError, match=message):
        identify_people(change(trees.copy()))


def test_bad_couple_and_parameters(trees):
    with pytest.raises(ValueError, match="not in the family trees"):
        descendants(("Nobody Here (M, b. 1800, Elm)", BETH), trees)
    with pytest.raises(ValueError, match="no record has"):
        descendants((ADAM, "Dora Lee (F, b. 1877, Elm)"), trees)
    with pytest.raises(ValueError, match="couple must"):
        descendants("Adam", trees)
    with pytest.raises(ValueError, match="generations"):
        descendants((ADAM, BETH), trees, generations="three")
    with pytest.raises(ValueError, match="min_matches"):
        candidate_ancestors(MATCHES, trees, PROFILES, min_matches=1)
    with pytest.raises(ValueError, match="G9 are not in profiles"):
        candidate_ancestors(pd.DataFrame({"profile_id": ["G9"], "relationships": ["second_cousin"]}), trees, PROFILES)
    with pytest.raises(ValueError, match="repeated.*G1"):
        candidate_ancestors(pd.concat([MATCHES, MATCHES.iloc[:1]]), trees, PROFILES)
    with pytest.raises(ValueError, match="shared_cm.*G1"):
        candidate_ancestors(pd.DataFrame({"profile_id": ["G1"], "shared_cm": [np.nan]}), trees, PROFILES)
    with pytest.raises(ValueError, match="sex"):
        narrow(descendants((ADAM, BETH), trees), sex="male")
    with pytest.raises(ValueError, match="age.*low <= high"):
        narrow(descendants((ADAM, BETH), trees), age=(50, 40))
    with pytest.raises(ValueError, match="on must be a date"):
        narrow(descendants((ADAM, BETH), trees), age=(40, 50), on="not a date")
    with pytest.raises(ValueError, match="voter_roll.*zip5"):
        descendants((ADAM, BETH), trees, voter_roll=pd.DataFrame({"voter_id": ["V1"], "first_name": ["Tom"]}))
    with pytest.raises(ValueError, match="people and target_person_id"):
        score_ancestors(candidate_ancestors(MATCHES, trees, PROFILES), trees, TRUTH, "C1", target_person_id="PT")
    with pytest.raises(ValueError, match="result must be a Triangulation"):
        score_ancestors(pd.DataFrame(), trees, TRUTH, "C1")


def test_owner_not_found_in_own_tree(trees):
    renamed = PROFILES.assign(first_name=PROFILES["first_name"].replace("Owen", "Owain"))
    result = candidate_ancestors(MATCHES, trees, renamed)
    assert result.status == "cannot proceed"
    assert result.matches.set_index("profile_id").loc["G1", "note"] == "the owner's profile matches no record of the tree"


def test_never_reads_person_id(trees):
    blind = trees.drop(columns="person_id")
    result = candidate_ancestors(MATCHES, blind, PROFILES)
    assert result.candidates[["father", "mother"]].values.tolist() == [[ADAM, BETH]]
    assert len(descendants(result.candidates.iloc[0], blind)) == 10


# ---------------------------------------------------------------- properties


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(26)), relabel=st.booleans())
def test_row_order_and_record_ids_do_not_matter(trees, order, relabel):
    shuffled = trees.iloc[list(order)].reset_index(drop=True)
    if relabel:  # other record ids, consistently renamed
        new = {r: f"R{k:03d}" for k, r in enumerate(np.random.default_rng(len(order)).permutation(trees["record_id"]))}
        for c in ("record_id", "father_record", "mother_record"):
            shuffled[c] = shuffled[c].map(lambda r: new.get(r, ""))
    result = candidate_ancestors(MATCHES, shuffled, PROFILES)
    assert result.candidates[["father", "mother", "n_matches"]].values.tolist() == [[ADAM, BETH, 2]]
    assert score_ancestors(result, shuffled, TRUTH, "C1")["rank"] == 1


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(relationships=st.lists(st.sampled_from(["first_cousin", "second_cousin", "second_cousin_once_removed",
                                               "first_cousin_once_removed", "third_cousin", "avuncular"]),
                              min_size=1, max_size=4, unique=True))
def test_candidates_are_in_the_records(trees, relationships):
    result = candidate_ancestors(MATCHES.assign(relationships="; ".join(relationships)), trees, PROFILES)
    records = identify_people(trees).set_index("record_id")
    for _, row in result.candidates.iterrows():  # a handful of candidates
        for who in ("father", "mother"):
            ids = row[f"{who}_records"].split("; ")
            assert set(records.loc[ids, "person"]) == {row[who]}
        assert row["n_matches"] >= 2 and row["n_matches"] == len(row["matches"].split("; "))
    assert result.candidates["rank"].tolist() == list(range(1, len(result.candidates) + 1))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sex=st.sampled_from([None, "F", "M"]), low=st.integers(1840, 1950), span=st.integers(0, 60),
       place=st.sampled_from([None, "Oakton", "Elm", ["Oakton", "Elm"]]), living=st.sampled_from([None, True, False]),
       target=st.sampled_from(["PT", "PO", "PZ", "PC"]))
def test_narrowing_never_adds_and_scores_agree(trees, sex, low, span, place, living, target):
    family = descendants((ADAM, BETH), trees)
    once = narrow(family, sex=sex, birth_year=(low, low + span), place=place, living=living)
    assert set(once.index) <= set(family.index)
    assert set(narrow(once, sex=sex).index) == set(once.index)  # idempotent
    direct = trees.set_index("record_id").loc[once["records"].str.split("; ").explode().tolist() or [], "person_id"] \
        if len(once) else pd.Series(dtype=str)
    assert score_people(once, trees, target) == {"n": len(once), "found": bool((direct == target).any()),
                                                 "n_true_people": int(direct.nunique())}


def test_triangulation_is_a_result_object(trees):
    result = candidate_ancestors(MATCHES, trees, PROFILES)
    assert isinstance(result, Triangulation)
    assert list(result.matches.columns) == ["profile_id", "shared_cm", "relationships", "tree_id", "owner_record",
                                            "note", "usable"]


def test_empty_inputs_fail_closed(trees):
    none = candidate_ancestors(pd.DataFrame({"profile_id": [], "shared_cm": []}), trees, PROFILES)
    assert none.status == "cannot proceed" and "only 0 of 0" in none.reason
    no_trees = candidate_ancestors(MATCHES, trees.iloc[:0], PROFILES)
    assert no_trees.status == "cannot proceed" and set(no_trees.matches["note"]) == {"no public tree"}
    # A match sharing nothing detectable can only be a third cousin or unrelated: one match left, no triangulation.
    faint = candidate_ancestors(pd.DataFrame({"profile_id": ["G1", "G2"], "shared_cm": [230.0, 0.0],
                                              "n_segments": [5, 0]}), trees, PROFILES)
    assert faint.status == "cannot proceed"
    with pytest.raises(ValueError, match="not in the family trees"):
        descendants((ADAM, BETH), trees.iloc[:0])
    assert narrow(descendants((ADAM, BETH), trees).iloc[:0], sex="F").empty


def test_triangulation_reads_only_the_matches_trees(trees):
    # An investigator downloads only the matches' trees: the candidates are the same as with
    # every public tree, here the family's trees plus an unrelated tree that also holds the Stones.
    other = build_trees(members={("T3", "G9"): ["PZ", "PK", "PU", "PG", "PH", "PA", "PB"]})
    every = pd.concat([trees, other], ignore_index=True)
    theirs = every[every["owner_profile_id"].isin(MATCHES["profile_id"])]
    profiles = pd.concat([PROFILES, pd.DataFrame({"profile_id": ["G9"], "first_name": ["Zoe"], "surname": ["Stone"],
                                                  "sex": ["F"], "birth_year": [1937]})], ignore_index=True)
    full = candidate_ancestors(MATCHES, every, profiles)
    downloaded = candidate_ancestors(MATCHES, theirs, profiles[profiles["profile_id"].isin(MATCHES["profile_id"])])
    pd.testing.assert_frame_equal(full.candidates, downloaded.candidates)
    pd.testing.assert_frame_equal(full.matches, downloaded.matches)
