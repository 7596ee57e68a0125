"""Tests for genshare.access: DUO terms and checking requests against data-use conditions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genshare.access import (
    OUTCOMES,
    Decision,
    ResearchPurpose,
    check_request,
    consent_label_to_duo,
    duo_terms,
    parse_conditions,
    screen_datasets,
    split_conditions,
)

T2D = ResearchPurpose(kind="disease", disease="type 2 diabetes", ethics_approval=True, region="United States")


def test_outcomes():
    assert OUTCOMES == ("permitted", "needs review", "refused")


def test_duo_terms_table():
    terms = duo_terms()
    assert terms["id"].is_unique and terms["shorthand"].is_unique
    assert terms["id"].str.match(r"^DUO:\d{7}$").all()
    expected = {"NRES": "DUO:0000004", "GRU": "DUO:0000042", "HMB": "DUO:0000006", "DS": "DUO:0000007",
                "POA": "DUO:0000011", "NPUNCU": "DUO:0000018", "IRB": "DUO:0000021", "PUB": "DUO:0000019",
                "COL": "DUO:0000020", "GS": "DUO:0000022", "MOR": "DUO:0000024", "TS": "DUO:0000025"}
    assert terms.set_index("shorthand").loc[list(expected), "id"].to_dict() == expected
    assert set(terms.loc[terms["kind"] == "permission", "shorthand"]) == {"NRES", "GRU", "HMB", "DS", "POA"}
    assert terms["meaning"].str.len().gt(10).all()


# Known answers: (conditions, purpose, outcome, text expected in a reason, question or obligation)
UNIVERSITY = {"commercial": False, "for_profit_organisation": False}
CASES = [
    (["NRES"], ResearchPurpose(kind="other"), "permitted", None),
    (["GRU"], ResearchPurpose(kind="ancestry"), "permitted", None),
    (["GRU", "NPOA"], ResearchPurpose(kind="ancestry"), "refused", "NPOA prohibits"),
    (["HMB"], ResearchPurpose(kind="health"), "permitted", None),
    (["HMB"], ResearchPurpose(kind="methods"), "permitted", None),
    (["HMB", "NMDS"], ResearchPurpose(kind="methods"), "refused", "NMDS prohibits"),
    (["HMB"], ResearchPurpose(kind="ancestry"), "refused", "not research on population origins"),
    (["HMB"], ResearchPurpose(kind="other"), "refused", "health, medical or biomedical research only"),
    (["DS:type 2 diabetes"], T2D, "permitted", None),
    (["DS:Type 2 Diabetes"], T2D, "permitted", None),  # case does not matter
    (["DS:asthma"], T2D, "refused", "research on asthma"),
    (["DS:asthma"], ResearchPurpose(kind="health"), "refused", "research on asthma only"),
    (["DS:CVD"], ResearchPurpose(kind="methods", disease="CVD"), "permitted", None),  # methods for the named disease
    (["DS:CVD"], ResearchPurpose(kind="methods"), "refused", "names no disease"),
    (["DS:CVD", "NMDS"], ResearchPurpose(kind="methods", disease="CVD"), "refused", "NMDS prohibits"),
    (["POA"], ResearchPurpose(kind="ancestry"), "permitted", None),
    (["POA"], T2D, "refused", "population origins or ancestry only"),
    # IRB: approval stated, refused, or not stated
    (["HMB", "IRB"], ResearchPurpose(kind="health", ethics_approval=False), "refused", "which the request lacks"),
    (["HMB", "IRB"], ResearchPurpose(kind="health"), "needs review", "does not say whether it has one"),
    (["HMB", "IRB"], ResearchPurpose(kind="health", ethics_approval=True), "permitted", "IRB"),
    # commercial use and profit status: stated yes, stated no, or not stated
    (["GRU", "NPUNCU"], ResearchPurpose(kind="health", commercial=True, for_profit_organisation=False), "refused", "prohibits commercial use"),
    (["GRU", "NPUNCU"], ResearchPurpose(kind="health", commercial=False, for_profit_organisation=True), "refused", "not-for-profit"),
    (["GRU", "NPUNCU"], ResearchPurpose(kind="health", **UNIVERSITY), "permitted", None),
    (["GRU", "NPUNCU"], ResearchPurpose(kind="health"), "needs review", "does not say whether its use is commercial"),
    (["GRU", "NPUNCU"], ResearchPurpose(kind="health", commercial=False), "needs review", "is for-profit"),
    (["GRU", "NCU"], ResearchPurpose(kind="health", commercial=False, for_profit_organisation=True), "permitted", None),
    (["GRU", "NCU"], ResearchPurpose(kind="health", for_profit_organisation=False), "needs review", "commercial"),
    (["GRU", "NCU"], ResearchPurpose(kind="health", commercial=True), "refused", "NCU prohibits commercial use"),
    (["GRU", "NPU"], ResearchPurpose(kind="health", commercial=True, for_profit_organisation=False), "permitted", None),
    (["GRU", "NPU"], ResearchPurpose(kind="health", commercial=False), "needs review", "for-profit"),
    (["GRU", "NPU"], ResearchPurpose(kind="health", for_profit_organisation=True), "refused", "not-for-profit"),
    # genetic studies only
    (["GRU", "GSO"], ResearchPurpose(kind="health", genetic=False), "refused", "genetic studies only"),
    (["GRU", "GSO"], ResearchPurpose(kind="health", genetic=True), "permitted", None),
    (["GRU", "GSO"], ResearchPurpose(kind="health"), "needs review", "analyses genotypes"),
    # geography
    (["GRU", "GS:United States"], T2D, "permitted", None),
    (["GRU", "GS:Europe"], T2D, "refused", "limits use to Europe"),
    (["GRU", "GS:Europe"], ResearchPurpose(kind="health"), "needs review", "where the data will be used"),
    # time limit
    (["GRU", "TS:6"], ResearchPurpose(kind="health", months=12), "refused", "6 months"),
    (["GRU", "TS:24"], ResearchPurpose(kind="health", months=12), "permitted", "after 24 months"),
    (["GRU", "TS:12"], ResearchPurpose(kind="health", months=12), "permitted", "after 12 months"),
    (["GRU", "TS:12"], ResearchPurpose(kind="health"), "needs review", "for how long"),
    (["GRU", "PUB", "COL", "RTN", "MOR:2027-01-01"], ResearchPurpose(kind="health"), "permitted", "2027-01-01"),
    # conditions only the committee can judge
    (["GRU", "RS"], ResearchPurpose(kind="health"), "needs review", "RS: the data provider restricts"),
    (["GRU", "US"], ResearchPurpose(kind="health"), "needs review", "approve the named users"),
    (["GRU", "PS"], ResearchPurpose(kind="health"), "needs review", "approve this project"),
    (["GRU", "IS"], ResearchPurpose(kind="health"), "needs review", "institution"),
    (["HMB", "RS"], ResearchPurpose(kind="ancestry"), "refused", "HMB allows"),  # a refusal outranks a question
    # clinical care
    (["GRU"], ResearchPurpose(kind="health", clinical_care=True), "refused", "clinical care"),
    (["GRU", "CC"], ResearchPurpose(kind="health", clinical_care=True), "permitted", None),
    (["DUO:0000006", "DUO:0000021"], ResearchPurpose(kind="health", ethics_approval=True), "permitted", None),
]


@pytest.mark.parametrize("conditions, purpose, outcome, text", CASES)
def test_check_request_known_answers(conditions, purpose, outcome, text):
    decision = check_request(conditions, purpose)
    assert decision.outcome == outcome
    assert decision.permitted is (outcome == "permitted") and bool(decision) is (outcome == "permitted")
    assert bool(decision.reasons) is (outcome == "refused")  # a refusal always says why, and only a refusal
    if outcome == "needs review":
        assert decision.review  # and a question always says what is open
    if outcome == "permitted":
        assert decision.review == ()
    if text:
        assert any(text in line for line in (*decision.reasons, *decision.review, *decision.obligations)), decision


def test_several_problems_are_all_reported():
    decision = check_request(["DS:asthma", "IRB", "NPUNCU"], ResearchPurpose(kind="ancestry", commercial=True, ethics_approval=False))
    assert len(decision.reasons) == 3 and decision.outcome == "refused"
    open_questions = check_request(["GRU", "IRB", "NPUNCU", "GSO", "TS:6", "GS:Europe", "US"], ResearchPurpose(kind="health"))
    assert open_questions.outcome == "needs review" and len(open_questions.review) == 7


def test_duo_terms_are_read_once():
    """The terms file is read once per process, and callers get a copy they may change."""
    import genshare.access as access

    check_request(["HMB"], ResearchPurpose(kind="health"))
    reads = access._read_duo_terms.cache_info().misses
    for _ in range(3):
        check_request(["HMB", "IRB", "TS:12"], ResearchPurpose(kind="health", ethics_approval=True, months=6))
        parse_conditions(["GRU"])
    terms = duo_terms()
    terms.loc[0, "shorthand"] = "changed"
    assert duo_terms().loc[0, "shorthand"] == "NRES"
    assert access._read_duo_terms.cache_info().misses == reads == 1


@pytest.mark.parametrize(
    "conditions, message",
    [
        (["XYZ"], "unknown data-use code 'XYZ'"),
        (["HMB", "GRU"], "exactly one permission"),
        (["IRB"], "exactly one permission"),
        (["DS"], "DS needs a disease"),
        (["HMB:cancer"], "HMB takes no parameter"),
        (["HMB", "IRB", "IRB"], "given twice"),
        ("HMB", "not a single string"),
        (b"HMB", "not a single string"),
        (None, "must be a list of codes"),
        (42, "must be a list of codes"),
        (["HMB", None], "must be text"),
        (["HMB", 3], "must be text"),
        (["GRU", "TS:abc"], "TS needs a whole number of months"),
        (["GRU", "TS:0"], "TS needs a whole number of months"),
        (["GRU", "TS:-3"], "TS needs a whole number of months"),
        (["GRU", "TS:1.5"], "TS needs a whole number of months"),
        (["GRU", "TS:nan"], "TS needs a whole number of months"),
        (["GRU", "TS:١٢"], "TS needs a whole number of months"),  # Arabic-Indic digits
        (["GRU", "TS"], "TS needs a months"),
        (["GRU", "DUO:0000025"], "TS needs a months"),
        (["GRU", "MOR:soon"], "MOR needs a date"),
        (["GRU", "MOR:2027-02-30"], "MOR needs a date"),
        (["GRU", "MOR:27-01-01"], "MOR needs a date"),
        (["GRU", "GS:  "], "GS needs a region"),
        (["DUO:9999999"], "unknown data-use code"),
        ([], "exactly one permission"),
    ],
)
def test_bad_conditions(conditions, message):
    with pytest.raises(ValueError, match=message):
        parse_conditions(conditions)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"kind": "fun"}, "unknown research purpose kind"),
        ({"kind": None}, "unknown research purpose kind"),
        ({"kind": ["health"]}, "unknown research purpose kind"),
        ({"kind": "disease"}, "must name the disease"),
        ({"kind": "disease", "disease": "  "}, "must name the disease"),
        ({"kind": "disease", "disease": 7}, "disease must be text"),
        ({"kind": "health", "months": 0}, "months must be at least 1"),
        ({"kind": "health", "months": -5}, "months must be at least 1"),
        ({"kind": "health", "months": float("nan")}, "months must be a whole number"),
        ({"kind": "health", "months": 12.0}, "months must be a whole number"),
        ({"kind": "health", "months": "12"}, "months must be a whole number"),
        ({"kind": "health", "months": True}, "months must be a whole number"),
        ({"kind": "health", "ethics_approval": "no"}, "ethics_approval must be True, False or None"),
        ({"kind": "health", "ethics_approval": "yes"}, "ethics_approval must be True, False or None"),
        ({"kind": "health", "ethics_approval": 1}, "ethics_approval must be True, False or None"),
        ({"kind": "health", "ethics_approval": float("nan")}, "ethics_approval must be True, False or None"),
        ({"kind": "health", "commercial": "false"}, "commercial must be True, False or None"),
        ({"kind": "health", "for_profit_organisation": 0}, "for_profit_organisation must be True, False or None"),
        ({"kind": "health", "genetic": "yes"}, "genetic must be True, False or None"),
        ({"kind": "health", "clinical_care": None}, "clinical_care must be True or False"),
        ({"kind": "health", "clinical_care": "no"}, "clinical_care must be True or False"),
        ({"kind": "health", "region": 1}, "region must be text"),
    ],
)
def test_bad_purposes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ResearchPurpose(**kwargs)


def test_purposes_normalise_numpy_and_blank_values():
    purpose = ResearchPurpose(kind="health", ethics_approval=np.bool_(True), months=np.int64(6), region="  ")
    assert purpose.ethics_approval is True and purpose.months == 6 and type(purpose.months) is int and purpose.region is None
    assert check_request(["HMB", "IRB", "TS:6"], purpose).outcome == "permitted"
    with pytest.raises(ValueError, match="must be a ResearchPurpose"):
        check_request(["GRU"], {"kind": "health"})
    with pytest.raises(ValueError, match="outcome must be one of"):
        Decision(outcome="yes")


# --- dbGaP consent labels -------------------------------------------------------------------


@pytest.mark.parametrize(
    "label, codes",
    [
        ("GRU", ["GRU"]),
        ("GRU-IRB", ["GRU", "IRB"]),  # methods are part of general research use: no NMDS
        ("HMB", ["HMB", "NMDS"]),
        ("HMB-MDS", ["HMB"]),
        ("HMB-IRB-MDS", ["HMB", "IRB"]),
        ("HMB-IRB-NPU-MDS", ["HMB", "IRB", "NPU"]),
        ("hmb-irb", ["HMB", "IRB", "NMDS"]),
        ("DS-CVD-IRB", ["DS:CVD", "IRB", "NMDS"]),
        ("DS-CVD-IRB-MDS", ["DS:CVD", "IRB"]),
        ("DS-T2D-IRB-PUB-COL-GSO-MDS", ["DS:T2D", "IRB", "PUB", "COL", "GSO"]),
    ],
)
def test_consent_label_to_duo_known_answers(label, codes):
    assert consent_label_to_duo(label) == codes
    parse_conditions(codes)  # every translation is valid DUO


def test_translated_labels_decide_methods_requests_as_dbgap_states_them():
    methods = ResearchPurpose(kind="methods", ethics_approval=True)
    assert check_request(consent_label_to_duo("HMB-IRB-MDS"), methods)
    refused = check_request(consent_label_to_duo("HMB-IRB"), methods)
    assert not refused and any("NMDS" in reason for reason in refused.reasons)


@pytest.mark.parametrize(
    "label, message",
    [
        ("", "non-empty"),
        (None, "non-empty"),
        ("EDO", "not a standard root"),
        ("HMB-IRB-XYZ", "not a standard modifier"),
        ("DS", "DS must be followed by a disease"),
        ("DS-IRB", "DS must be followed by a disease"),
        ("HMB-IRB-IRB", "repeats IRB"),
    ],
)
def test_consent_label_bad_input(label, message):
    with pytest.raises(ValueError, match=message):
        consent_label_to_duo(label)


def test_split_conditions():
    assert split_conditions("HMB; IRB;NPU") == ["HMB", "IRB", "NPU"]
    assert split_conditions("") == [] and split_conditions(None) == [] and split_conditions(pd.NA) == []


# --- screening the data-use table -------------------------------------------------------------


def small_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "repository": ["a", "b", "c", "d", "e"],
            "dataset": ["open panel", "general", "cardio", "biobank", "non-profit"],
            "tier": ["open", "controlled", "controlled", "controlled", "controlled"],
            "duo_conditions": [pd.NA, "GRU", "DS:CVD; IRB", "HMB; RTN", "GRU; NPU"],
        }
    )


def test_screen_datasets_known_answers():
    ancestry = screen_datasets(small_table(), ResearchPurpose(kind="ancestry", ethics_approval=False)).set_index("dataset")
    assert ancestry["decision"].to_dict() == {
        "open panel": "open", "general": "permitted", "cardio": "refused", "biobank": "refused", "non-profit": "needs review"
    }
    assert "DS allows research on CVD only" in ancestry.loc["cardio", "reasons"] and "IRB requires" in ancestry.loc["cardio", "reasons"]
    assert "for-profit" in ancestry.loc["non-profit", "review"] and ancestry.loc["non-profit", "reasons"] == ""
    cardio = screen_datasets(
        small_table(), ResearchPurpose(kind="disease", disease="CVD", ethics_approval=True, for_profit_organisation=False)
    ).set_index("dataset")
    assert (cardio["decision"] != "refused").all() and set(cardio["decision"]) == {"open", "permitted"}
    assert "return derived" in cardio.loc["biobank", "obligations"]
    assert list(cardio.columns) == ["repository", "tier", "decision", "reasons", "review", "obligations"]
    silent = screen_datasets(small_table(), ResearchPurpose(kind="disease", disease="CVD")).set_index("dataset")
    assert silent.loc["cardio", "decision"] == "needs review" and silent.loc["non-profit", "decision"] == "needs review"


def test_screen_datasets_never_permits_what_it_cannot_evaluate():
    table = small_table().assign(duo_conditions=[pd.NA, "GRU; RS", "GRU; US", "GRU; TS:12", "GRU; NCU"])
    screened = screen_datasets(table, ResearchPurpose(kind="health"))
    assert screened["decision"].tolist() == ["open", "needs review", "needs review", "needs review", "needs review"]
    assert (screened["obligations"] == "").all()


def test_screen_datasets_bad_input():
    with pytest.raises(ValueError, match="lacks column"):
        screen_datasets(small_table().drop(columns="tier"), ResearchPurpose(kind="health"))
    with pytest.raises(ValueError, match="must be a ResearchPurpose"):
        screen_datasets(small_table(), "health")
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        screen_datasets([["a", "b"]], ResearchPurpose(kind="health"))
    with pytest.raises(ValueError, match="dataset 'open panel'.*unknown data-use code"):
        screen_datasets(small_table().assign(duo_conditions=["XYZ", "GRU", "GRU", "GRU", "GRU"]), ResearchPurpose(kind="health"))
    with pytest.raises(ValueError, match="dataset 'general'.*TS needs a whole number"):
        screen_datasets(small_table().assign(duo_conditions=[pd.NA, "GRU; TS:abc", "GRU", "GRU", "GRU"]), ResearchPurpose(kind="health"))
    with pytest.raises(ValueError, match="dataset 'general'.*exactly one permission"):
        screen_datasets(small_table().assign(duo_conditions=[pd.NA, pd.NA, "GRU", "GRU", "GRU"]), ResearchPurpose(kind="health"))
