"""The release challenge: known scores on planted releases, and hostile releases and guesses."""

from __future__ import annotations

import dataclasses
import multiprocessing
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genshare import challenge
from genshare.attacks import linkage_attack, lr_membership_statistic, roc_curve
from genshare.challenge import (
    SCOREBOARD_COLUMNS,
    Release,
    append_to_scoreboard,
    load_release,
    make_release,
    read_scoreboard,
    save_release,
    score_attack,
    score_release,
    study_pool,
)
from genshare.cohort import load_world
from genshare.cohort.parameters import SIZES
from genshare.exercises import evaluate
from genshare.popgen import allele_frequencies

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def world():
    return load_world()


def tiny_world() -> SimpleNamespace:
    """Four voters and three participants, small enough to score by hand."""
    dob = pd.to_datetime(["1980-01-02", "1975-05-06", "1975-05-06", "1990-03-04"]).astype("datetime64[s]")
    voter_roll = pd.DataFrame({"voter_id": ["V1", "V2", "V3", "V4"], "zip5": ["39011", "39018", "39018", "39099"],
                               "date_of_birth": dob, "sex": ["F", "M", "M", "F"]})
    people = pd.DataFrame({"person_id": ["P1", "P2", "P3"], "voter_id": ["V1", "V2", ""]})
    cohort = pd.DataFrame({"participant_id": ["C1", "C2", "C3"], "person_id": ["P1", "P2", "P3"]})
    clinical = pd.DataFrame({
        "participant_id": ["C1", "C2", "C3"], "name": ["Ann Lee", "Bo Diaz", "Cy Roy"],
        "zip5": ["39011", "39018", "39025"], "date_of_birth": pd.to_datetime(["1980-01-02", "1975-05-06", "1960-01-01"]).astype("datetime64[s]"),
        "sex": ["F", "M", "F"], "diagnosis": ["type 2 diabetes", "type 2 diabetes", "no diabetes"],
    })
    return SimpleNamespace(voter_roll=voter_roll, people=people, cohort=cohort, clinical=clinical)


# --- known scores on planted releases ----------------------------------------------------------


def test_tiny_world_by_hand():
    w = tiny_world()
    leaks = score_release(w, Release("clinical", table=w.clinical[["zip5", "date_of_birth", "sex", "diagnosis"]]))
    # C1 is unique on the roll; C2 has a look-alike (V3); C3 is not on the roll.
    assert (leaks.evaluated, leaks.records_released, leaks.people_reidentified, leaks.utility) == (True, 3, 1, 1.0)
    named = score_release(w, Release("clinical", table=w.clinical[["name", "diagnosis"]]))
    assert named.people_reidentified == 3  # a direct identifier identifies by itself
    partly = w.clinical[["name", "zip5", "date_of_birth", "sex"]].assign(name=["*", "Bo Diaz", np.nan])
    # Suppressing single cells is a row-by-row choice that could carry data: not evaluated.
    mixed = score_release(w, Release("clinical", table=partly))
    assert not mixed.evaluated and "column 'name' is written in 3 ways" in mixed.note
    dropped = w.clinical.loc[[0, 1], ["name", "zip5", "date_of_birth", "sex"]].assign(name="*")
    assert score_release(w, Release("clinical", table=dropped)).people_reidentified == 1  # C1 by linkage
    suppressed = w.clinical[["zip5", "sex", "diagnosis"]].assign(zip5="*****", sex="*")
    none = score_release(w, Release("clinical", table=suppressed))
    assert (none.people_reidentified, none.utility, none.utility_met) == (0, 0.0, False)
    coarse = w.clinical[["zip5", "sex", "diagnosis"]].assign(zip5=w.clinical["zip5"].str[:3] + "**")
    assert score_release(w, Release("clinical", table=coarse)).people_reidentified == 0


def _clinical_truth(world):
    voter = dict(zip(world.people["person_id"], world.people["voter_id"]))
    return world.cohort["person_id"].map(voter).to_numpy()


def test_clinical_leak_matches_linkage_attack(world):
    table = world.clinical[["zip5", "date_of_birth", "sex", "diagnosis"]]
    board = score_release(world, Release("clinical", table=table))
    expected = linkage_attack(table.assign(truth=_clinical_truth(world)), world.voter_roll, ["zip5", "date_of_birth", "sex"],
                              released_truth="truth", public_id="voter_id")
    assert board.people_reidentified == int((expected["outcome"] == "re-identified").sum()) > 0
    assert board.utility == 1.0 and board.utility_met


def test_clinical_in_between_matches_linkage_attack(world):
    table = pd.DataFrame({"zip3": world.clinical["zip5"].str[:3], "birth_year": world.clinical["date_of_birth"].dt.year,
                          "sex": world.clinical["sex"], "diagnosis": world.clinical["diagnosis"]})
    board = score_release(world, Release("clinical", table=table))
    roll = world.voter_roll.assign(zip3=world.voter_roll["zip5"].str[:3], birth_year=world.voter_roll["date_of_birth"].dt.year)
    expected = linkage_attack(table.assign(truth=_clinical_truth(world)), roll, ["zip3", "birth_year", "sex"],
                              released_truth="truth", public_id="voter_id")
    assert board.people_reidentified == int((expected["outcome"] == "re-identified").sum())
    # Same release written as anonymity.generalize writes it (ZIP "396**", years as text).
    text = table.assign(zip3=table["zip3"] + "**", birth_year=table["birth_year"].astype(str))
    assert score_release(world, Release("clinical", table=text)).people_reidentified == board.people_reidentified


def test_clinical_fully_suppressed(world):
    table = world.clinical[["zip5", "date_of_birth", "sex"]].assign(zip5="*****", date_of_birth="*", sex=np.nan)
    board = score_release(world, Release("clinical", table=table))
    assert (board.evaluated, board.people_reidentified, board.utility, board.utility_met) == (True, 0, 0.0, False)


def test_unknown_columns_and_genotypes_are_not_evaluated(world):
    board = score_release(world, Release("clinical", table=world.clinical))
    assert not board.evaluated and "age" in board.note and not board.utility_met
    genotypes = score_release(world, Release("genotypes", genotypes=world.cohort_genotypes[:3]))
    assert not genotypes.evaluated and not genotypes.utility_met


def test_frequencies_known_scores(world):
    pool = study_pool(world)
    ids = world.snps["snp_id"]
    cases = world.cohort_genotypes[pool["members"]]
    exact = allele_frequencies(cases, missing="as_reference")
    board = score_release(world, Release("frequencies", frequencies=pd.Series(exact, index=ids)))
    released = np.round(exact, challenge.FREQUENCY_DECIMALS)  # what a frequency release carries
    stats = [lr_membership_statistic(world.cohort_genotypes[rows], released, pool["reference_freqs"])
             for rows in (pool["members"], pool["non_members"])]
    assert board.membership_auc == pytest.approx(roc_curve(*stats)[1], abs=1e-6)
    assert board.membership_auc > 0.6 and board.utility == 1.0 and board.utility_met
    nothing = score_release(world, Release("frequencies", frequencies=pd.Series(exact, index=ids) * np.nan))
    assert (nothing.membership_auc, nothing.utility, nothing.utility_met) == (0.5, 0.0, False)
    frequency = pool["reference_freqs"]
    common = pd.Series(exact, index=ids)[np.minimum(frequency, 1 - frequency) >= 0.05]  # a public cutoff
    middle = score_release(world, Release("frequencies", frequencies=common))
    assert middle.evaluated and middle.records_released == len(common) and 0.0 <= middle.utility <= 1.0


def test_snps_left_out_by_choice_rather_than_a_cutoff_are_not_evaluated(world):
    """Round six named 195 of 197 pool members by which SNPs a release left out (one per voter)."""
    pool = study_pool(world)
    exact = pd.Series(allele_frequencies(world.cohort_genotypes[pool["members"]], missing="as_reference"),
                      index=world.snps["snp_id"])
    for kind, release in (("frequencies", Release("frequencies", frequencies=exact.iloc[::2])),
                          ("beacon", Release("beacon", answers=(exact > 0).iloc[::2]))):
        board = score_release(world, release)
        assert not board.evaluated and "cutoff of the reference panel's minor allele frequency" in board.note, kind


def test_beacon_known_scores(world):
    pool = study_pool(world)
    answers = pd.Series((world.cohort_genotypes[pool["members"]] > 0).any(axis=0), index=world.snps["snp_id"])
    full = score_release(world, Release("beacon", answers=answers))
    assert full.utility == 1.0 and full.beacon_auc > 0.5
    closed = score_release(world, Release("beacon", answers=answers, max_queries=0))
    # A beacon nobody may query is no release (fourth adversarial round: it tied the best release
    # while its answers file held every answer): not evaluated, never passing.
    assert not closed.evaluated and not closed.utility_met and "max_queries is 0" in closed.note
    empty = score_release(world, Release("beacon", answers=answers.iloc[:0]))
    assert (empty.beacon_auc, empty.utility) == (0.5, 0.0)


# --- the scorer does not trust column names ----------------------------------------------


def _naive(world):
    return world.clinical[["zip5", "date_of_birth", "sex", "diagnosis", "bmi"]]


def test_quasi_identifiers_hidden_in_an_attribute_column_are_not_scored_as_safe(world):
    clinical = world.clinical
    hidden = pd.DataFrame({
        "zip3": clinical["zip5"].str[:3], "diagnosis": clinical["diagnosis"],
        "bmi": clinical["zip5"] + "|" + clinical["date_of_birth"].dt.strftime("%Y-%m-%d") + "|" + clinical["sex"],
    })
    numeric = hidden.assign(bmi=pd.to_numeric(clinical["zip5"]))  # ZIP5 as a number
    for table in (hidden, numeric):
        board = score_release(world, Release("clinical", table=table))
        assert not board.evaluated and not board.utility_met and "'bmi'" in board.note
        assert not evaluate("11.1", table, world=world).correct


def test_a_shifted_date_of_birth_is_not_scored_as_safe(world):
    table = _naive(world).assign(date_of_birth=world.clinical["date_of_birth"] + pd.Timedelta(days=1))
    board = score_release(world, Release("clinical", table=table))
    assert not board.evaluated and "date_of_birth" in board.note and "neither the row's true" in board.note
    assert score_release(world, Release("clinical", table=_naive(world))).people_reidentified > 0
    assert not evaluate("11.1", table[["date_of_birth", "sex", "diagnosis"]].assign(
        zip3=world.clinical["zip5"].str[:3]), world=world).correct


@pytest.mark.parametrize("column, value", [("sex", "X"), ("diagnosis", "flu"), ("state", "ZZ"), ("zip3", "999"),
                                           ("birth_year", "1800"), ("bmi", "29.45"), ("bmi", "99")])
def test_any_untruthful_cell_fails_closed(column, value):
    w = tiny_world()
    w.clinical["state"], w.clinical["bmi"] = "SY", [29.4, 31.0, 22.5]
    table = pd.DataFrame({"zip3": ["390", "390", "390"], "birth_year": ["1980", "1975", "1960"], "sex": ["F", "M", "F"],
                          "diagnosis": w.clinical["diagnosis"], "state": "SY", "bmi": ["29", "31", "22"]})
    assert score_release(w, Release("clinical", table=table)).evaluated  # truthful, generalised
    table.loc[0, column] = value
    board = score_release(w, Release("clinical", table=table))
    assert not board.evaluated and repr(column) in board.note and "row 0" in board.note


@SETTINGS
@given(st.integers(min_value=-400, max_value=400).filter(lambda d: d != 0))
def test_every_date_shift_is_refused(days):
    w = tiny_world()
    table = w.clinical[["date_of_birth", "sex"]].assign(date_of_birth=w.clinical["date_of_birth"] + pd.Timedelta(days=days))
    assert not score_release(w, Release("clinical", table=table)).evaluated


def test_membership_auc_is_reported_and_ranked_as_max_of_auc_and_its_complement(world, tmp_path):
    pool = study_pool(world)
    controls = np.round(allele_frequencies(world.cohort_genotypes[pool["non_members"]], missing="as_reference"),
                        challenge.FREQUENCY_DECIMALS)
    stats = [lr_membership_statistic(world.cohort_genotypes[rows], controls, pool["reference_freqs"])
             for rows in (pool["members"], pool["non_members"])]
    raw = roc_curve(*stats)[1]
    assert raw < 0.45  # members rank *below* non-members: an attacker reads it the other way round
    board = score_release(world, Release("frequencies", frequencies=pd.Series(controls, index=world.snps["snp_id"])))
    assert board.membership_auc == pytest.approx(1 - raw, abs=1e-6)
    # Ranking: a row whose raw AUC is 0.2 (written before this rule, or by hand with the key) is
    # as exposed as 0.8, so it ranks below a release at 0.7.
    path = tmp_path / "board.csv"
    append_to_scoreboard(path, "first", board)
    key = challenge._board_key(path, None, create=False)
    rows = []
    for team, auc in (("below half", "0.2000"), ("seventy", "0.7000")):
        row = challenge._row(team, board)
        row.update(membership_auc=auc, utility_met="yes", evaluated="yes")
        row["signature"] = challenge._signature(key, row)
        rows.append(challenge._csv_line(row[c] for c in SCOREBOARD_COLUMNS))
    with path.open("a") as handle:
        handle.write("".join(rows))
    ranked = read_scoreboard(path)
    assert [t for t in ranked["team"] if t != "first"] == ["seventy", "below half"]


# --- the shared scoreboard: atomic creation, locked appends, signed rows -------------------


def _append_at_once(path, barrier, team, board):
    barrier.wait()
    append_to_scoreboard(path, team, board)


def test_concurrent_first_rows_write_one_header(tmp_path, world):
    board = score_release(world, Release("clinical", table=world.clinical[["sex"]]))
    context = multiprocessing.get_context("fork")
    for attempt in range(3):
        path = tmp_path / f"board{attempt}.csv"
        barrier = context.Barrier(6)
        workers = [context.Process(target=_append_at_once, args=(path, barrier, f"team {i}", board)) for i in range(6)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        assert all(worker.exitcode == 0 for worker in workers)
        lines = path.read_text().splitlines()
        assert lines.count(",".join(SCOREBOARD_COLUMNS)) == 1 and len(lines) == 7
        assert sorted(read_scoreboard(path)["team"]) == [f"team {i}" for i in range(6)]


def test_hand_built_rows_and_results_are_refused(tmp_path, world):
    path = tmp_path / "board.csv"
    board = score_release(world, Release("clinical", table=world.clinical[["sex", "diagnosis"]]))
    append_to_scoreboard(path, "honest", board)
    with pytest.raises(ValueError, match="not made by score_release"):
        append_to_scoreboard(path, "forger", challenge.Scoreboard("clinical", True, 1000, 0, None, None, 1.0, 0.9))
    with pytest.raises(ValueError, match="not made by score_release"):
        append_to_scoreboard(path, "forger", dataclasses.replace(board, people_reidentified=0, utility=1.0))
    honest = path.read_text()
    with path.open("a") as handle:  # a row typed by hand, and one copied with its score edited
        handle.write("forger,steward,clinical,yes,1000,0,,,1.0000,0.90,yes,,,,,\n")
    with pytest.raises(ValueError, match="line\\(s\\) 3"):
        read_scoreboard(path)
    path.write_text(honest.replace("honest,", "thief,", 1))
    with pytest.raises(ValueError, match="line\\(s\\) 2"):
        read_scoreboard(path)
    path.write_text(honest)
    assert read_scoreboard(path)["team"].tolist() == ["honest"]
    (tmp_path / "board.csv.key").write_text("another key\n")
    with pytest.raises(ValueError, match="not signed"):
        read_scoreboard(path)


def test_a_course_secret_signs_the_rows(tmp_path, world, monkeypatch):
    path = tmp_path / "board.csv"
    board = score_attack(world, make_release(world, "beacon", seed=1), [])
    monkeypatch.setenv(challenge.SECRET_ENV, "course secret")
    append_to_scoreboard(path, "team a", board)
    assert not (tmp_path / "board.csv.key").exists()
    assert read_scoreboard(path)["team"].tolist() == ["team a"]
    with pytest.raises(ValueError, match="not signed"):
        read_scoreboard(path, secret="a guess")
    monkeypatch.delenv(challenge.SECRET_ENV)
    with pytest.raises(ValueError, match="no key"):
        read_scoreboard(path)
    assert read_scoreboard(path, secret="course secret")["team"].tolist() == ["team a"]


# --- the attacker's role --------------------------------------------------------------------------


def test_attacker_round_trip(world):
    release = make_release(world, "clinical", seed=4)
    assert "participant_id" not in release.table.columns
    _, truth = challenge._make(world, "clinical", 4)
    perfect = {record: voter for record, voter in truth.items() if voter}
    score = score_attack(world, release, perfect)
    assert (score.correct, score.wrong, score.recall) == (len(perfect), 0, 1.0)
    assert score_attack(world, release, {}).guesses == 0
    for kind in ("frequencies", "beacon"):
        release = make_release(world, kind, seed=2)
        _, members = challenge._make(world, kind, 2)
        claimed = list(members.index[members.to_numpy()])
        score = score_attack(world, release, claimed)
        assert (score.correct, score.wrong, score.false_positive_rate) == (len(claimed), 0, 0.0)
        everyone = score_attack(world, release, list(members.index))
        assert everyone.false_positive_rate == 1.0 and everyone.recall == 1.0


def test_attacker_release_is_deterministic_and_tamper_evident(world):
    a, b = make_release(world, "frequencies", seed=9), make_release(world, "frequencies", seed=9)
    assert a.frequencies.equals(b.frequencies) and a.candidates.equals(b.candidates)
    tampered = Release("frequencies", frequencies=a.frequencies * 0.5, candidates=a.candidates,
                       candidate_genotypes=a.candidate_genotypes, seed=9)
    with pytest.raises(ValueError, match="differs"):
        score_attack(world, tampered, [])
    with pytest.raises(ValueError, match="seed"):
        score_attack(world, Release("frequencies", frequencies=a.frequencies), [])


def test_scoreboard_file(tmp_path, world):
    path = tmp_path / "board.csv"
    regions = pd.DataFrame({"zip3": world.clinical["zip5"].str[:3], "diagnosis": world.clinical["diagnosis"]})
    good = score_release(world, Release("clinical", table=regions))
    assert good.utility_met and good.people_reidentified == 0
    bad = score_release(world, Release("clinical", table=world.clinical))
    append_to_scoreboard(path, "team a", bad)
    append_to_scoreboard(path, "team b", good)
    append_to_scoreboard(path, "team c", score_attack(world, make_release(world, "beacon", seed=1), []))
    frame = read_scoreboard(path)
    assert tuple(frame.columns) == (*SCOREBOARD_COLUMNS, "harm")  # the ranking's measure, computed on reading
    stewards = frame[frame["role"] == "steward"]
    assert stewards["team"].tolist() == ["team b", "team a"]
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="not a release-challenge scoreboard"):
        append_to_scoreboard(tmp_path / "other.csv", "x", good)
    with pytest.raises(ValueError, match="team"):
        append_to_scoreboard(path, "two\nlines", good)


# --- hostile input --------------------------------------------------------------------------------


@SETTINGS
@given(st.text(min_size=1, max_size=8).filter(lambda s: not (s.strip("*").isdigit() or set(s.strip()) <= {"*"} or s.strip() == "")
                                                and s.strip() not in {"nan", "None", "<NA>", "NaT"}))
def test_unreadable_zip_names_the_column(value):
    w = tiny_world()
    table = w.clinical[["zip5", "sex"]].assign(zip5=[value, "39011", "39018"])
    _refused_naming(w, table, "zip5")


def _refused_naming(w, table, column):
    """Fail closed, naming the column: a ValueError, or (for a value padded with spaces, which
    could carry hidden data) a release reported as not evaluated."""
    try:
        result = score_release(w, Release("clinical", table=table))
    except ValueError as error:
        assert column in str(error)
        return
    assert not result.evaluated and column in result.note, result


@SETTINGS
@given(st.text(min_size=1, max_size=12).filter(lambda s: s.strip() not in {"", "*", "nan", "None", "<NA>", "NaT"}
                                                 and not set(s.strip()) <= {"*"}))
def test_unreadable_dates_name_the_column(value):
    w = tiny_world()
    table = w.clinical[["date_of_birth"]].astype(str).assign(date_of_birth=[value, "1975-05-06", "1960"])
    try:
        result = score_release(w, Release("clinical", table=table))
    except ValueError as error:
        assert "date_of_birth" in str(error)
    else:  # only readable forms pass, and padded ones are not evaluated (fail closed)
        assert (not result.evaluated and "date_of_birth" in result.note) or \
            re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?|\d{4}-\d{4}", value.strip()), value


@SETTINGS
@given(st.lists(st.integers(min_value=-5, max_value=10), min_size=1, max_size=4))
def test_release_index_must_be_clinical_rows(index):
    w = tiny_world()
    table = pd.DataFrame({"sex": [("F", "M", "F")[i] if 0 <= i <= 2 else "F" for i in index]}, index=index)
    if len(set(index)) == len(index) and set(index) <= {0, 1, 2}:
        assert score_release(w, Release("clinical", table=table)).evaluated
    else:
        with pytest.raises(ValueError, match="index"):
            score_release(w, Release("clinical", table=table))


@SETTINGS
@given(st.floats(allow_nan=False) | st.just(float("inf")))
def test_frequencies_out_of_range_are_refused(world, value):
    freqs = pd.Series([0.5, value], index=world.snps["snp_id"].iloc[:2])
    if 0.0 <= value <= 1.0:
        return
    with pytest.raises(ValueError, match="frequencies"):
        score_release(world, Release("frequencies", frequencies=freqs))


@pytest.mark.parametrize("release, field", [
    (lambda w: Release("clinical"), "table"),
    (lambda w: Release("table"), "kind"),
    (lambda w: Release("clinical", table=[1, 2]), "table"),
    (lambda w: Release("frequencies", frequencies=[0.1]), "frequencies"),
    (lambda w: Release("frequencies", frequencies=pd.Series([0.1], index=["nope"])), "frequencies"),
    (lambda w: Release("beacon", answers=pd.Series([1], index=w.snps["snp_id"].iloc[:1])), "answers"),
    (lambda w: Release("beacon", answers=pd.Series([True]), max_queries=-1), "max_queries"),
])
def test_malformed_releases_name_the_field(world, release, field):
    with pytest.raises(ValueError, match=field):
        score_release(world, release(world))


@SETTINGS
@given(st.one_of(st.none(), st.integers(), st.text(), st.lists(st.integers(), min_size=1, max_size=3),
                 st.lists(st.text(max_size=4), min_size=1, max_size=3)))
def test_malformed_membership_guesses(world, guesses):
    release = make_release(world, "beacon", seed=1)
    with pytest.raises(ValueError, match="guesses"):
        score_attack(world, release, guesses)


@SETTINGS
@given(st.dictionaries(st.text(max_size=6), st.one_of(st.text(max_size=4), st.integers(), st.none()), min_size=1, max_size=3))
def test_malformed_reidentification_guesses(world, guesses):
    release = make_release(world, "clinical", seed=1)
    valid = all(k in set(release.table["record_id"]) and isinstance(v, str) and v for k, v in guesses.items())
    if valid:
        return
    with pytest.raises(ValueError, match="guesses"):
        score_attack(world, release, guesses)


# --- a saved release, and the marker's challenge columns -----------------------------------------

#: A small world for marking (seconds to simulate), as in tests/test_marking.py.
SMALL = dict(SIZES["small"])  # genshare.cohort.parameters.SIZES


def test_saved_releases_round_trip(tmp_path, world):
    table = world.clinical[["zip5", "date_of_birth", "sex", "diagnosis"]].iloc[::3].copy()
    table = table.drop(index=table.index[1]).assign(sex="*")  # a row dropped, a column suppressed
    freqs = make_release(world, "frequencies", seed=1).frequencies.copy()
    reference = study_pool(world)["reference_freqs"]
    freqs[np.minimum(reference, 1 - reference) < 0.01] = np.nan  # rare SNPs left out by a public cutoff
    answers = make_release(world, "beacon", seed=1).answers
    for name, release in [("c", Release("clinical", table=table)), ("f", Release("frequencies", frequencies=freqs)),
                          ("b", Release("beacon", answers=answers, max_queries=20))]:
        challenge.save_release(release, tmp_path / name)
        loaded = challenge.load_release(tmp_path / name)
        assert score_release(world, loaded) == score_release(world, release), name
        row = challenge.scoreboard_row(world, tmp_path / name)
        board = score_release(world, release)
        assert row["evaluated"] == 1 and row["utility_met"] == int(board.utility_met)
        assert row["people_reidentified"] == board.people_reidentified
    with pytest.raises(ValueError, match="one release per folder"):
        challenge.save_release(Release("frequencies", frequencies=freqs), tmp_path / "c")
    with pytest.raises(ValueError, match="cannot be saved"):
        challenge.save_release(Release("genotypes", genotypes=np.zeros((2, 3), dtype=np.int8)), tmp_path / "g")


@pytest.mark.parametrize("files, needle", [
    ({}, "found none"),
    ({"clinical.csv": "row,sex\n0,F\n", "beacon.csv": "snp_id,answer\n"}, "exactly one release file"),
    ({"clinical.csv": "row,sex\nfirst,F\n"}, "line 2, field 'row'"),
    ({"clinical.csv": "row,sex\n0,F\n0,M\n"}, "repeats row"),
    ({"clinical.csv": "sex\nF\n"}, "no column(s) row"),
    ({"frequencies.csv": "snp_id,frequency\nsnp1,high\n"}, "line 2, field 'frequency'"),
    ({"beacon.csv": "snp_id,answer\nsnp1,maybe\n"}, "line 2, field 'answer'"),
    ({"beacon.csv": "snp_id,answer\n", "release.json": '{"max_queries": "all"}'}, "max_queries"),
    ({"clinical.csv": b"row,sex\n0,\xff\n"}, "not a readable CSV"),
])
def test_unreadable_saved_release_fails_closed(tmp_path, world, files, needle):
    folder = tmp_path / "challenge"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    row = challenge.scoreboard_row(world, folder)
    assert row["evaluated"] == 0 and row["utility_met"] == 0 and row["people_reidentified"] == ""
    assert needle in row["note"], row["note"]


def test_release_file_behind_a_symlink_is_not_read(tmp_path, world):
    secret = tmp_path / "elsewhere.csv"
    secret.write_text("row,sex\n0,F\n")
    (tmp_path / "challenge").mkdir()
    (tmp_path / "challenge" / "clinical.csv").symlink_to(secret)
    row = challenge.scoreboard_row(world, tmp_path / "challenge")
    assert row["evaluated"] == 0 and "symbolic links" in row["note"]


@given(text=st.text(max_size=30))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_frequency_cell_is_scored_or_refused_never_passed_silently(tmp_path_factory, world, text):
    folder = tmp_path_factory.mktemp("hostile")
    snp = world.snps["snp_id"].iloc[0]
    pd.DataFrame({"snp_id": [snp], "frequency": [text]}).to_csv(folder / "frequencies.csv", index=False)
    row = challenge.scoreboard_row(world, folder)
    assert row["evaluated"] in (0, 1)
    if row["evaluated"] == 0:
        assert row["note"].startswith("release not") and row["utility_met"] == 0


def test_marking_adds_the_challenge_columns(tmp_path):
    from genshare.assignment import world_for
    from genshare.marking import mark_folder

    course, cache, subs = "challenge-marking", tmp_path / "worlds", tmp_path / "submissions"
    for learner in ("steward", "broken"):
        (subs / learner / "challenge").mkdir(parents=True)
        (subs / learner / "answers.json").write_text('{"answers": {}}')
    steward_world = load_world(world_for(course, "steward", cache=cache, **SMALL))
    table = steward_world.clinical[["zip5", "sex", "diagnosis"]].assign(zip5=lambda t: t["zip5"].str[:3]).rename(columns={"zip5": "zip3"})
    release = Release("clinical", table=table)
    challenge.save_release(release, subs / "steward" / "challenge")
    (subs / "broken" / "challenge" / "clinical.csv").write_text("row,sex\n999999,F\n")
    out = tmp_path / "scores.csv"
    rows = mark_folder(subs, course, out, cache=cache, world_params=SMALL)
    expected = score_release(steward_world, release)
    sheet = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("learner")
    assert {"challenge_evaluated", "challenge_people_reidentified", "challenge_utility", "challenge_utility_met"} <= set(sheet.columns)
    assert sheet.loc["steward", "challenge_kind"] == "clinical"
    assert sheet.loc["steward", "challenge_evaluated"] == "1"
    assert int(sheet.loc["steward", "challenge_people_reidentified"]) == expected.people_reidentified
    assert float(sheet.loc["steward", "challenge_utility"]) == pytest.approx(expected.utility)
    assert sheet.loc["steward", "challenge_utility_met"] == str(int(expected.utility_met))
    assert sheet.loc["broken", "challenge_evaluated"] == "0" and sheet.loc["broken", "challenge_utility_met"] == "0"
    assert sheet.loc["broken", "challenge_people_reidentified"] == ""
    assert "not a row of world.clinical" in sheet.loc["broken", "challenge_note"]
    assert len(rows) == 2


# --- Ranking releases by the harm they allow ----------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from genshare.challenge import merge_scoreboards, rank_scoreboard, release_harm  # noqa: E402


def _steward(team, kind, *, met="yes", released="", reid="", membership="", beacon="", evaluated="yes"):
    row = {c: "" for c in SCOREBOARD_COLUMNS}
    row.update(team=team, role="steward", kind=kind, evaluated=evaluated, records_released=released,
               people_reidentified=reid, membership_auc=membership, beacon_auc=beacon, utility_met=met)
    return row


def test_notebook_11s_worked_board_puts_the_protected_table_first():
    """The board notebook 11 builds: the unprotected releases must not win (they did, by 'fewest re-identified')."""
    rows = pd.DataFrame([
        _steward("exact frequencies", "frequencies", membership="0.7200"),
        _steward("full beacon", "beacon", beacon="0.7900"),
        _steward("safe harbor-like table", "clinical", released="1000", reid="1"),
    ])
    ranked = rank_scoreboard(rows)
    assert ranked["team"].tolist() == ["safe harbor-like table", "exact frequencies", "full beacon"]
    assert ranked["harm"].round(3).tolist() == [0.001, 0.44, 0.58]


def test_a_release_that_was_not_evaluated_is_never_safe():
    rows = pd.DataFrame([_steward("hidden columns", "clinical", evaluated="no", met="no"), _steward("beacon", "beacon", beacon="0.99")])
    assert release_harm(rows).tolist() == [1.0, pytest.approx(0.98)]


_auc = st.floats(0.0, 1.0, allow_nan=False).map(lambda a: f"{a:.4f}")


@settings(max_examples=200, deadline=None)
@given(protected_harm=st.floats(0.0, 0.5), exact_auc=st.floats(0.5, 1.0), beacon_auc=st.floats(0.5, 1.0),
       kind=st.sampled_from(["clinical", "frequencies", "beacon"]), met=st.sampled_from(["yes", "no"]))
def test_unprotected_releases_never_outrank_a_less_harmful_release_of_the_same_utility(protected_harm, exact_auc, beacon_auc, kind, met):
    if kind == "clinical":
        protected = _steward("protected", kind, met=met, released="10000", reid=str(round(protected_harm * 10000)))
    else:
        auc = f"{0.5 + protected_harm / 2:.4f}"
        protected = _steward("protected", kind, met=met, **({"membership": auc} if kind == "frequencies" else {"beacon": auc}))
    exact = _steward("exact frequencies", "frequencies", met=met, membership=f"{exact_auc:.4f}")
    full = _steward("full beacon", "beacon", met=met, beacon=f"{beacon_auc:.4f}")
    ranked = rank_scoreboard(pd.DataFrame([exact, full, protected]))["team"].tolist()
    harm = release_harm(pd.DataFrame([protected, exact, full])).tolist()
    if harm[0] < harm[1]:
        assert ranked.index("protected") < ranked.index("exact frequencies")
    if harm[0] < harm[2]:
        assert ranked.index("protected") < ranked.index("full beacon")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["clinical", "frequencies", "beacon"]), st.sampled_from(["yes", "no"]),
                          st.integers(0, 50), _auc), min_size=1, max_size=12))
def test_the_board_is_sorted_by_utility_then_harm(rows):
    frame = pd.DataFrame([
        _steward(f"t{i}", kind, met=met, released="50", reid=str(reid) if kind == "clinical" else "",
                 membership=auc if kind == "frequencies" else "", beacon=auc if kind == "beacon" else "")
        for i, (kind, met, reid, auc) in enumerate(rows)
    ])
    ranked = rank_scoreboard(frame)
    keys = list(zip(ranked["utility_met"] != "yes", ranked["harm"]))
    assert keys == sorted(keys)


def test_merging_teams_boards(tmp_path, small_world_and_release=None):
    from genshare.challenge import _board_key, _signature, read_scoreboard

    boards = []
    for team in ("a", "b"):
        path = tmp_path / f"team-{team}.csv"
        key = _board_key(path, "team-secret", create=True)
        row = _steward(f"team {team}", "beacon", beacon="0.6100")
        row["signature"] = _signature(key, row)
        path.write_text(",".join(SCOREBOARD_COLUMNS) + "\n" + ",".join(row[c] for c in SCOREBOARD_COLUMNS) + "\n", encoding="utf-8")
        boards.append(path)
    merged = merge_scoreboards(boards + boards[:1], tmp_path / "board.csv", keys={str(p): "team-secret" for p in boards},
                               secret="instructor")
    assert read_scoreboard(merged, secret="instructor")["team"].tolist() == ["team a", "team b"]
    with pytest.raises(ValueError, match="exists"):
        merge_scoreboards(boards, merged, keys={str(p): "team-secret" for p in boards}, secret="instructor")
    forged = tmp_path / "forged.csv"
    forged.write_text(boards[0].read_text(encoding="utf-8").replace("0.6100", "0.5000"), encoding="utf-8")
    with pytest.raises(ValueError, match="not signed"):
        merge_scoreboards([forged], tmp_path / "other.csv", keys={str(forged): "team-secret"}, secret="instructor")


def test_a_suppressed_cell_is_only_a_suppression():
    """Cells that end in '*' but carry data (here in Unicode spaces) are values, not suppressions
    (the adversarial round's covert channel)."""
    from genshare.challenge import _suppressed

    cells = pd.Series(["*", "**", " * ", "", None, "\u2003\u2001\u2004*", "3901*", "nan"])
    assert _suppressed(cells).tolist() == [True, True, True, True, True, False, False, True]


def test_merging_never_trusts_a_key_file_beside_a_teams_board(tmp_path, monkeypatch):
    monkeypatch.delenv("GENSHARE_CHALLENGE_SECRET", raising=False)
    board = tmp_path / "team.csv"
    board.write_text(",".join(SCOREBOARD_COLUMNS) + "\n", encoding="utf-8")
    (tmp_path / "team.csv.key").write_text("the team's own key\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no key to check"):
        merge_scoreboards([board], tmp_path / "board.csv")


def test_a_team_name_is_never_a_spreadsheet_formula(tmp_path, world):
    regions = pd.DataFrame({"zip3": world.clinical["zip5"].str[:3], "diagnosis": world.clinical["diagnosis"]})
    path = tmp_path / "board.csv"
    append_to_scoreboard(path, "=HYPERLINK(\"http://x\")", score_release(world, Release("clinical", table=regions)))
    assert read_scoreboard(path)["team"].tolist() == ["'=HYPERLINK(\"http://x\")"]


def test_covert_channels_of_the_second_adversarial_round_are_refused(world):
    """Spaces around a value (ASCII or Unicode) and freely placed year bands carried ZIP code,
    birth date and sex past the scorer: such releases are not evaluated."""
    base = pd.DataFrame({"zip3": world.clinical["zip5"].str[:3], "diagnosis": world.clinical["diagnosis"]})
    padded = base.assign(sex=world.clinical["sex"] + "\u2003" * 3)
    spaced_star = base.assign(sex=" \t*  ")
    year = world.clinical["date_of_birth"].dt.year
    unaligned = base.assign(birth_year=(year - 7).astype(str) + "-" + (year + 2).astype(str))
    aligned = base.assign(birth_year=(year // 10 * 10).astype(str) + "-" + (year // 10 * 10 + 9).astype(str))
    many_stars = base.assign(sex="*" * 9)
    for table in (padded, spaced_star, many_stars):
        assert not score_release(world, Release("clinical", table=table)).evaluated
    with pytest.raises(ValueError, match="multiple of its width"):
        score_release(world, Release("clinical", table=unaligned))
    assert score_release(world, Release("clinical", table=aligned)).evaluated


def test_a_planted_key_file_is_refused(tmp_path, monkeypatch):
    """A world-readable key left beside a board before its first append would let whoever
    planted it sign rows (second adversarial round)."""
    import os

    from genshare.challenge import _board_key

    monkeypatch.delenv("GENSHARE_CHALLENGE_SECRET", raising=False)
    board = tmp_path / "board.csv"
    (tmp_path / "board.csv.key").write_text("planted\n", encoding="utf-8")
    os.chmod(tmp_path / "board.csv.key", 0o644)
    with pytest.raises(ValueError, match="0600"):
        _board_key(board, None, create=True)


def test_merging_reads_each_board_once_and_refuses_a_fifo(tmp_path):
    import os

    fifo = tmp_path / "team.csv"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="team.csv"):
        merge_scoreboards([fifo], tmp_path / "board.csv", secret="instructor")


# --- covert channels: one way of writing each column -------------------------------------------


def _truthful_table():
    w = tiny_world()
    w.clinical["state"], w.clinical["bmi"] = "SY", [29.4, 31.0, 22.5]
    table = pd.DataFrame({"zip3": ["390", "390", "390"], "birth_year": ["1980", "1975", "1960"], "sex": ["F", "M", "F"],
                          "diagnosis": w.clinical["diagnosis"], "state": "SY", "bmi": ["29.4", "31.0", "22.5"]})
    assert score_release(w, Release("clinical", table=table)).evaluated
    return w, table


@pytest.mark.parametrize("column, cells", [
    ("sex", ["*", "", "*"]),                       # two spellings of a suppression
    ("sex", ["*", "**", "*"]),
    ("sex", ["nan", "None", "nan"]),
    ("sex", [np.nan, "*", np.nan]),
    ("sex", ["F", "*", "F"]),                      # one cell suppressed, the others kept
    ("bmi", ["29.4", "31", "22.5"]),               # two roundings
    ("bmi", ["29", "31.0", "22"]),                 # one rounding, two spellings
    ("bmi", ["29.4", "031.0", "22.5"]),            # leading zero
    ("bmi", ["29.4", "31.00", "22.5"]),            # trailing zero
    ("bmi", ["29.4", "3.1e1", "22.5"]),            # exponent
    ("zip3", ["390", "390**", "390"]),             # two spellings of one prefix
    ("zip3", ["390", "39*", "390"]),               # two levels
    ("birth_year", ["1980", "1970-1979", "1960"]),  # two levels
])
def test_a_column_written_two_ways_is_not_evaluated(column, cells):
    """A choice made row by row (level, spelling, which cell to suppress) could carry hidden data:
    the third adversarial round hid 33 bits a row in such choices and re-identified 262 of 265
    people through releases that scored 0."""
    w, table = _truthful_table()
    table[column] = pd.Series(cells, index=table.index, dtype=object)
    board = score_release(w, Release("clinical", table=table))
    assert not board.evaluated and repr(column) in board.note, board.note


@pytest.mark.parametrize("column, cells", [("sex", ["*", "*", "*"]), ("sex", ["", "", ""]), ("sex", [np.nan] * 3),
                                           ("bmi", ["29", "31", "22"]), ("bmi", [29.0, 31.0, 22.0]),
                                           ("birth_year", ["1980-1989", "1970-1979", "1960-1969"]),
                                           ("zip3", ["39*", "39*", "39*"])])
def test_a_column_written_one_way_is_evaluated(column, cells):
    w, table = _truthful_table()
    table[column] = pd.Series(cells, index=table.index, dtype=object)
    assert score_release(w, Release("clinical", table=table)).evaluated


@SETTINGS
@given(st.lists(st.sampled_from(["", "*", "**", "nan", "None", "<NA>", "NaT"]), min_size=3, max_size=3))
def test_suppression_spellings_must_agree_within_a_column(spellings):
    w, table = _truthful_table()
    board = score_release(w, Release("clinical", table=table.assign(sex=spellings)))
    assert board.evaluated == (len(set(spellings)) == 1), board.note


@pytest.mark.parametrize("value", ["NaN", "NONE", "none", "n/a"])
def test_other_spellings_are_values_not_suppressions(value):
    """Only the exact forms in _SUPPRESSED mean "suppressed"; anything else is read as a value,
    which must be the row's truth (the comorbidity "none" is a true value)."""
    w, table = _truthful_table()
    board = score_release(w, Release("clinical", table=table.assign(sex=value)))
    assert not board.evaluated and "'sex'" in board.note


@pytest.mark.parametrize("row", ["00", "01", "\u0661", "\uff11", "+1", " 1"])
def test_a_saved_row_index_has_one_spelling(tmp_path, world, row):
    folder = tmp_path / "challenge"
    folder.mkdir()
    (folder / "clinical.csv").write_text(f"row,sex\n{row},F\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2, field 'row'"):
        challenge.load_release(folder)


def test_beacon_answers_have_one_spelling(tmp_path):
    folder = tmp_path / "challenge"
    folder.mkdir()
    (folder / "beacon.csv").write_text("snp_id,answer\nsnp1,yes\nsnp2,true\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3, field 'answer'.*one pair of words"):
        challenge.load_release(folder)
    for text in ("snp_id,answer\nsnp1,Yes\n", "snp_id,answer\nsnp1, yes\n"):
        (folder / "beacon.csv").write_text(text, encoding="utf-8")
        with pytest.raises(ValueError, match="line 2, field 'answer'"):
            challenge.load_release(folder)
    (folder / "beacon.csv").write_text("snp_id,answer\nsnp1,1\nsnp2,0\n", encoding="utf-8")
    assert challenge.load_release(folder).answers.tolist() == [True, False]


# --- fourth adversarial round: the saved files have one form for one content --------------------


def _save_and_read(tmp_path, release, edit=None):
    folder = tmp_path / "challenge"
    path = challenge.save_release(release, folder)
    if edit is not None:
        path.write_bytes(edit(path.read_bytes()))
    return challenge.load_release(folder)


def test_saved_clinical_rows_are_sorted_by_their_released_values(tmp_path, world):
    table = world.clinical[["zip5", "sex", "diagnosis"]].assign(zip5=world.clinical["zip5"].str[:3] + "**")
    path = challenge.save_release(Release("clinical", table=table), tmp_path / "c")
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    released = [tuple(line.split(",")[1:]) for line in lines]
    assert released == sorted(released)
    assert score_release(world, challenge.load_release(tmp_path / "c")) == score_release(world, Release("clinical", table=table))


def test_row_order_that_could_carry_data_is_refused(tmp_path, world):
    """The fourth round stored every participant's voter in the order of 998 rows (909 of 909 re-identified
    from the file, 1 reported): a saved release must list its rows in the one order save_release writes."""
    table = world.clinical[["sex", "diagnosis"]]

    def swap(content):
        head, *lines = content.decode().splitlines(keepends=True)
        first = next(i for i in range(1, len(lines)) if lines[i].split(",", 1)[1] != lines[0].split(",", 1)[1])
        lines[0], lines[first] = lines[first], lines[0]
        return (head + "".join(lines)).encode()

    with pytest.raises(ValueError, match=r"line \d+: rows must be sorted by their released values"):
        _save_and_read(tmp_path, Release("clinical", table=table), swap)


@pytest.mark.parametrize("edit, needle", [
    (lambda b: b.replace(b"\n", b"\r\n", 3), "line 1: not written as save_release writes it"),
    (lambda b: b.replace(b"\n", b"\n\n", 2), "line 2: (not written as save_release writes it|0 fields)"),
    (lambda b: b.replace(b",F\n", b',"F"\n', 1), "not written as save_release writes it"),
    (lambda b: b"\xef\xbb\xbf" + b, "line 1: starts with a byte-order mark"),
    (lambda b: b.rstrip(b"\n"), "not written as save_release writes it"),
])
def test_csv_layout_has_one_form(tmp_path, world, edit, needle):
    """Quotes, line ends and blank lines chosen line by line carried 911 of 911 identities in round four."""
    with pytest.raises(ValueError, match=needle):
        _save_and_read(tmp_path, Release("clinical", table=world.clinical[["sex"]].iloc[:20]), edit)


@pytest.mark.parametrize("spelling", ["0.250", ".25", "2.5e-1", "+0.25", " 0.25", "0.25 "])
def test_frequencies_have_one_spelling(tmp_path, spelling):
    folder = tmp_path / "challenge"
    folder.mkdir()
    (folder / "frequencies.csv").write_text(f"snp_id,frequency\nsnp1,0.5\nsnp2,{spelling}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3, field 'frequency'"):
        challenge.load_release(folder)
    (folder / "frequencies.csv").write_text("snp_id,frequency\nsnp1,0.5\nsnp2,0.25\nsnp3,0.0001\nsnp4,\n", encoding="utf-8")
    assert challenge.load_release(folder).frequencies.iloc[:3].tolist() == [0.5, 0.25, 0.0001]


@pytest.mark.parametrize("spelling", ["0.12345", "1e-05", "-0.0", "0.1234000001"])
def test_frequencies_carry_four_decimals_and_no_negative_zero(tmp_path, spelling):
    """Round five hid 10 digits a SNP at the 1e-13 place (196 of 196 pool members named from the file)."""
    folder = tmp_path / "challenge"
    folder.mkdir()
    (folder / "frequencies.csv").write_text(f"snp_id,frequency\nsnp1,{spelling}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2, field 'frequency'.*at most 4 decimals"):
        challenge.load_release(folder)


def test_saved_frequencies_are_rounded_and_scored_as_saved(tmp_path, world):
    freqs = (make_release(world, "frequencies", seed=1).frequencies + 1e-9).clip(0, 1)
    path = challenge.save_release(Release("frequencies", frequencies=freqs), tmp_path / "f")
    written = [line.split(",")[1] for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    assert all(len(v.split(".")[-1]) <= 4 for v in written if "e" not in v and v)
    assert score_release(world, challenge.load_release(tmp_path / "f")) == score_release(world, Release("frequencies", frequencies=freqs))


@pytest.mark.parametrize("kind, body", [("frequencies.csv", "snp_id,frequency,x\nsnp1,0.5,Ana Diaz\n"),
                                        ("beacon.csv", "snp_id,answer,x\nsnp1,yes,Ana Diaz\n")])
def test_summary_files_have_exactly_their_columns(tmp_path, kind, body):
    """Round five published every pool member's name in a column the loader never read."""
    folder = tmp_path / "challenge"
    folder.mkdir()
    (folder / kind).write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match="columns must be exactly"):
        challenge.load_release(folder)


@pytest.mark.parametrize("extra", ["members.txt", "release.json", ".hidden"])
def test_a_release_folder_holds_only_the_release(tmp_path, world, extra):
    folder = tmp_path / "challenge"
    challenge.save_release(Release("clinical", table=world.clinical[["sex"]]), folder)
    (folder / extra).write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="the folder must hold only the release"):
        challenge.load_release(folder)


def test_the_scorers_beacon_attack_asks_alleles_the_reference_never_saw(world):
    """Round five: lying only where a reference-bound attacker asks hid the pool (0.526 reported, 0.932 real)."""
    pool = study_pool(world)
    members = world.cohort_genotypes[pool["members"]]
    truth = (members > 0).any(axis=0)
    unseen = (pool["reference_freqs"] == 0) & truth
    assert unseen.any()
    honest = score_release(world, Release("beacon", answers=pd.Series(truth, index=world.snps["snp_id"])))
    lying = truth | (pool["reference_freqs"] > 0)  # "yes" wherever the reference saw the allele
    gamed = score_release(world, Release("beacon", answers=pd.Series(lying, index=world.snps["snp_id"])))
    assert gamed.beacon_auc > 0.6 and honest.beacon_auc >= gamed.beacon_auc - 0.05


@pytest.mark.parametrize("kind, body", [("beacon.csv", "snp_id,answer\nsnp2,yes\nsnp1,no\n"),
                                        ("frequencies.csv", "snp_id,frequency\nsnp2,0.5\nsnp1,0.5\n")])
def test_snp_lines_come_sorted_by_snp_id(tmp_path, kind, body):
    folder = tmp_path / "challenge"
    folder.mkdir()
    (folder / kind).write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match="line 3: rows must be sorted by snp_id"):
        challenge.load_release(folder)


@pytest.mark.parametrize("header", [",".join(f"c{i}" for i in range(52_000)), "row," + ",".join(["sex"] * 3)])
def test_wide_or_repeated_headers_are_refused_before_parsing(tmp_path, header):
    folder = tmp_path / "challenge"
    folder.mkdir()
    (folder / "clinical.csv").write_text(header + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="columns; at most 64|repeated column"):
        challenge.load_release(folder)


def test_a_data_line_wider_than_its_header_is_refused(tmp_path):
    folder = tmp_path / "challenge"
    folder.mkdir()
    (folder / "clinical.csv").write_text("row,sex\n0,F" + ",x" * 52_000 + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2: 52,002 fields where the header has 2"):
        challenge.load_release(folder)


def test_a_deeply_nested_release_json_names_the_file(tmp_path):
    folder = tmp_path / "challenge"
    folder.mkdir()
    (folder / "beacon.csv").write_text("snp_id,answer\nsnp1,yes\n", encoding="utf-8")
    (folder / "release.json").write_text('{"max_queries": ' + "[" * 1900 + "]" * 1900 + "}", encoding="utf-8")
    with pytest.raises(ValueError, match="release.json"):
        challenge.load_release(folder)


def test_a_scoreboard_with_a_huge_header_is_refused_at_once(tmp_path):
    board = tmp_path / "board.csv"
    board.write_text(",".join(f"c{i}" for i in range(50_000)) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a release-challenge scoreboard: its first line"):
        challenge.read_scoreboard(board, secret="k")


def test_stewards_are_ranked_before_attackers():
    rows = [dict.fromkeys(challenge.SCOREBOARD_COLUMNS, "") | {"team": t, "role": r, "evaluated": "yes", "utility_met": "yes",
                                                               "people_reidentified": "0"}
            for t, r in (("a", "attacker"), ("s", "steward"))]
    assert challenge.rank_scoreboard(pd.DataFrame(rows))["role"].tolist() == ["steward", "attacker"]


def test_a_date_of_birth_with_a_time_of_day_is_refused():
    """Round five hid each person's voter in the time of day of an in-memory date of birth."""
    w = tiny_world()
    table = w.clinical[["date_of_birth", "sex"]].assign(date_of_birth=w.clinical["date_of_birth"] + pd.Timedelta(minutes=7))
    with pytest.raises(ValueError, match="column 'date_of_birth', row 0: .* has a time of day"):
        score_release(w, Release("clinical", table=table))


def test_a_release_carries_only_its_own_kind():
    w = tiny_world()
    with pytest.raises(ValueError, match="a 'clinical' release carries only table; got genotypes"):
        Release("clinical", table=w.clinical[["sex"]], genotypes=np.zeros((3, 2), dtype=np.int8))


def test_messages_name_rows_as_plain_numbers_and_blank_columns_are_refused():
    w = tiny_world()
    board = score_release(w, Release("clinical", table=w.clinical[["sex"]].assign(sex=["F", "*", "F"])))
    assert "row 1:" in board.note and "np.int64" not in board.note and "dropna" in board.note
    with pytest.raises(ValueError, match="a column without a name"):
        score_release(w, Release("clinical", table=w.clinical[["sex"]].rename(columns={"sex": " "})))


def test_a_beacon_lying_where_either_attacker_asks_is_caught_by_the_other(world):
    """Round six: lying only at alleles the reference never saw beat an unseen-first attacker (0.51)
    while the default attacker still reached 0.79; the scorer reports the worse of the two."""
    pool = study_pool(world)
    truth = (world.cohort_genotypes[pool["members"]] > 0).any(axis=0)
    lies = truth & ~(pool["reference_freqs"] == 0)  # "no" wherever the reference never saw the allele
    board = score_release(world, Release("beacon", answers=pd.Series(lies, index=world.snps["snp_id"])))
    honest = score_release(world, Release("beacon", answers=pd.Series(truth, index=world.snps["snp_id"])))
    # The reference-bound attacker's AUC (0.75 on the committed world) is reported, not the
    # unseen-first attacker's (about 0.5).
    assert board.beacon_auc > 0.7 and honest.beacon_auc >= board.beacon_auc


def test_spellings_are_compared_whole_and_direct_identifiers_are_not_padded():
    """Round seven: cells differing only after their 29th character, and whitespace-only names
    read as suppressed, carried every voter (911 of 911) past the one-spelling rule."""
    w = tiny_world()
    base = w.clinical[["sex"]]
    long = [" " * 29 + tail for tail in ("\t", " ", "\t\t")]
    board = score_release(w, Release("clinical", table=base.assign(name=long)))
    assert not board.evaluated and "'name'" in board.note
    same = score_release(w, Release("clinical", table=base.assign(name=[" " * 40] * 3)))
    assert not same.evaluated and "spaces around its value" in same.note


@pytest.mark.parametrize("limit", [10_001, 10**949])
def test_a_beacon_query_limit_is_a_few_digits(tmp_path, limit):
    """Round seven hid 196 pool members' voters in a 949-digit max_queries."""
    with pytest.raises(ValueError, match="max_queries"):
        Release("beacon", answers=pd.Series([True], index=["snp1"]), max_queries=limit)
    folder = tmp_path / "challenge"
    folder.mkdir()
    (folder / "beacon.csv").write_text("snp_id,answer\nsnp1,yes\n", encoding="utf-8")
    (folder / "release.json").write_text('{"max_queries": %d}' % min(limit, 10**400), encoding="utf-8")
    with pytest.raises(ValueError, match="field 'max_queries': expected a whole number from 0 to 10,000"):
        challenge.load_release(folder)


def test_release_json_and_column_order_have_one_form(tmp_path, world):
    """Round eight: whitespace inside release.json named 196 pool members; the order of a clinical
    file's columns carried about 40 bits."""
    pool = study_pool(world)
    truth = pd.Series((world.cohort_genotypes[pool["members"]] > 0).any(axis=0), index=world.snps["snp_id"])
    folder = tmp_path / "b"
    challenge.save_release(Release("beacon", answers=truth, max_queries=50), folder)
    assert (folder / "release.json").read_bytes() == b'{"max_queries": 50}\n'
    assert challenge.load_release(folder).max_queries == 50
    (folder / "release.json").write_bytes(b'{"max_queries":  50}\n')
    with pytest.raises(ValueError, match="release.json: not written as save_release writes it"):
        challenge.load_release(folder)
    table = world.clinical[["diagnosis", "sex", "zip5"]]
    path = challenge.save_release(Release("clinical", table=table), tmp_path / "c")
    assert path.read_text(encoding="utf-8").splitlines()[0] == "row,zip5,sex,diagnosis"
    lines = path.read_text(encoding="utf-8").splitlines()
    swapped = [",".join([p[0], p[2], p[1], p[3]]) for p in (line.split(",") for line in lines)]
    path.write_text("\n".join(swapped) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1: columns must come in the order save_release writes them"):
        challenge.load_release(tmp_path / "c")


def test_tied_rows_come_in_one_order_and_any_other_file_is_refused(world, tmp_path):
    """Round nine (structural): rows with the same released values were written in the table's
    order, so a steward could hide log2 k! bits per class of k in the order of their row ids.
    save_release now sorts ties by row, and load_release rebuilds the canonical text of what it
    read and refuses a file that differs in any byte."""
    table = world.clinical[["sex", "diagnosis"]].iloc[:40]
    shuffled = table.sample(frac=1.0, random_state=3)
    a, b = save_release(Release("clinical", table=table), tmp_path / "a"), save_release(
        Release("clinical", table=shuffled), tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()  # the order of the table handed in carries nothing
    loaded = load_release(tmp_path / "a")
    pd.testing.assert_frame_equal(loaded.table.sort_index(), table.astype(str).sort_index(), check_dtype=False)
    lines = a.read_text().splitlines(keepends=True)
    body = lines[1:]
    tie = next(i for i in range(len(body) - 1) if body[i].split(",", 1)[1] == body[i + 1].split(",", 1)[1])
    body[tie], body[tie + 1] = body[tie + 1], body[tie]  # swap two rows that look alike
    a.write_text("".join([lines[0], *body]))
    with pytest.raises(ValueError, match=rf"clinical.csv, line {tie + 3}: rows must be sorted by their released values, then by row"):
        load_release(tmp_path / "a")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["F", "M", "*"]), min_size=1, max_size=12), st.randoms(use_true_random=False))
def test_save_then_load_is_the_identity_and_order_free(tmp_path_factory, sexes, random):
    """Property: whatever the order of the table, the saved bytes are one text, and loading them
    gives back the same cells."""
    folder = tmp_path_factory.mktemp("release")
    table = pd.DataFrame({"sex": sexes}, index=range(len(sexes)))
    order = list(table.index)
    random.shuffle(order)
    first = save_release(Release("clinical", table=table), folder / "one").read_bytes()
    second = save_release(Release("clinical", table=table.loc[order]), folder / "two").read_bytes()
    assert first == second
    loaded = load_release(folder / "one")
    pd.testing.assert_frame_equal(loaded.table.sort_index(), table, check_index_type=False, check_dtype=False)


def test_in_memory_releases_are_scored_as_published(world):
    """Round nine: score_release scored the Python object, so the kind of missing value in a
    suppressed cell (None, NaN, pd.NA, NaT: 2 bits a cell), the order of rows, unused
    categories and DataFrame.attrs could carry hidden data past it. It now scores the
    release as save_release writes it and load_release reads it back."""
    table = world.clinical[["zip5", "sex", "diagnosis"]].copy()
    table["zip5"] = table["zip5"].str[:3] + "**"
    plain = score_release(world, Release("clinical", table=table.assign(comorbidity="")))
    kinds = np.array([None, np.nan, pd.NA, pd.NaT], dtype=object)
    coded = table.assign(comorbidity=kinds[np.arange(len(table)) % 4])
    coded = coded.sample(frac=1.0, random_state=1)
    coded["sex"] = coded["sex"].astype(pd.CategoricalDtype(["F", "M", "X", "Y"]))
    coded.attrs["hidden"] = "data"
    board = score_release(world, Release("clinical", table=coded))
    assert dataclasses.astuple(board)[:8] == dataclasses.astuple(plain)[:8]


def test_summary_releases_are_attacked_with_outsiders_too(world):
    """Round nine: mixing the controls into a beacon or into the released frequencies made
    members and the study's controls look alike (beacon AUC 0.545), while the same attack still
    told members from people outside the study (0.778). Both are attacked now; the stronger counts."""
    pool = study_pool(world)
    assert len(pool["outsiders"]) == len(pool["non_members"])
    outsiders = world.database.iloc[pool["outsiders"]]
    assert not outsiders["person_id"].isin(world.cohort["person_id"]).any()
    snp_ids = world.snps["snp_id"]
    both = np.concatenate([pool["members"], pool["non_members"]])
    mixed = (world.cohort_genotypes[both] > 0).any(axis=0)
    board = score_release(world, Release("beacon", answers=pd.Series(mixed, index=snp_ids)))
    assert board.beacon_auc > 0.7, board
    blend = allele_frequencies(world.cohort_genotypes[both], missing="as_reference")
    board = score_release(world, Release("frequencies", frequencies=pd.Series(blend, index=snp_ids)))
    assert board.membership_auc > 0.58, board
    assert "people outside the study" in board.note
