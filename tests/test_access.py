"""Tests for genshare.access: DUO terms and checking requests against data-use conditions."""

from __future__ import annotations

import pytest

import pandas as pd

from genshare.access import (
    ResearchPurpose,
    check_request,
    consent_label_to_duo,
    duo_terms,
    parse_conditions,
    screen_datasets,
    split_conditions,
)

T2D = ResearchPurpose(kind="disease", disease="type 2 diabetes", ethics_approval=True, region="United States")


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


# Known answers: (conditions, purpose, permitted, text expected in a reason or obligation)
CASES = [
    (["NRES"], ResearchPurpose(kind="other"), True, None),
    (["GRU"], ResearchPurpose(kind="ancestry"), True, None),
    (["GRU", "NPOA"], ResearchPurpose(kind="ancestry"), False, "NPOA prohibits"),
    (["HMB"], ResearchPurpose(kind="health"), True, None),
    (["HMB"], ResearchPurpose(kind="methods"), True, None),
    (["HMB", "NMDS"], ResearchPurpose(kind="methods"), False, "NMDS prohibits"),
    (["HMB"], ResearchPurpose(kind="ancestry"), False, "not research on population origins"),
    (["HMB"], ResearchPurpose(kind="other"), False, "health, medical or biomedical research only"),
    (["DS:type 2 diabetes"], T2D, True, None),
    (["DS:Type 2 Diabetes"], T2D, True, None),  # case does not matter
    (["DS:asthma"], T2D, False, "research on asthma"),
    (["DS:asthma"], ResearchPurpose(kind="health"), False, "research on asthma only"),
    (["DS:CVD"], ResearchPurpose(kind="methods", disease="CVD"), True, None),  # methods for the named disease
    (["DS:CVD"], ResearchPurpose(kind="methods"), False, "names no disease"),
    (["DS:CVD", "NMDS"], ResearchPurpose(kind="methods", disease="CVD"), False, "NMDS prohibits"),
    (["POA"], ResearchPurpose(kind="ancestry"), True, None),
    (["POA"], T2D, False, "population origins or ancestry only"),
    (["HMB", "IRB"], ResearchPurpose(kind="health"), False, "ethics committee"),
    (["HMB", "IRB"], ResearchPurpose(kind="health", ethics_approval=True), True, "IRB"),
    (["GRU", "NPUNCU"], ResearchPurpose(kind="health", commercial=True), False, "prohibits commercial use"),
    (["GRU", "NPUNCU"], ResearchPurpose(kind="health", for_profit_organisation=True), False, "not-for-profit"),
    (["GRU", "NCU"], ResearchPurpose(kind="health", for_profit_organisation=True), True, None),
    (["GRU", "NPU"], ResearchPurpose(kind="health", commercial=True, for_profit_organisation=False), True, None),
    (["GRU", "GSO"], ResearchPurpose(kind="health", genetic=False), False, "genetic studies only"),
    (["GRU", "GS:United States"], T2D, True, None),
    (["GRU", "GS:Europe"], T2D, False, "limits use to Europe"),
    (["GRU", "TS:6"], ResearchPurpose(kind="health", months=12), False, "6 months"),
    (["GRU", "TS:24"], ResearchPurpose(kind="health", months=12), True, "after 24 months"),
    (["GRU", "PUB", "COL", "RTN", "MOR:2027-01-01"], ResearchPurpose(kind="health"), True, "2027-01-01"),
    (["GRU"], ResearchPurpose(kind="health", clinical_care=True), False, "clinical care"),
    (["GRU", "CC"], ResearchPurpose(kind="health", clinical_care=True), True, None),
    (["DUO:0000006", "DUO:0000021"], ResearchPurpose(kind="health", ethics_approval=True), True, None),
]


@pytest.mark.parametrize("conditions, purpose, permitted, text", CASES)
def test_check_request_known_answers(conditions, purpose, permitted, text):
    decision = check_request(conditions, purpose)
    assert decision.permitted is permitted and bool(decision) is permitted
    if permitted:
        assert decision.reasons == ()
    else:
        assert decision.reasons  # a refusal always says why
    if text:
        assert any(text in line for line in (*decision.reasons, *decision.obligations)), decision


def test_several_problems_are_all_reported():
    decision = check_request(["DS:asthma", "IRB", "NPUNCU"], ResearchPurpose(kind="ancestry", commercial=True))
    assert len(decision.reasons) == 3


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
    ],
)
def test_bad_conditions(conditions, message):
    with pytest.raises(ValueError, match=message):
        parse_conditions(conditions)


def test_bad_purposes():
    with pytest.raises(ValueError, match="unknown research purpose kind"):
        ResearchPurpose(kind="fun")
    with pytest.raises(ValueError, match="must name the disease"):
        ResearchPurpose(kind="disease")
    with pytest.raises(ValueError, match="months"):
        ResearchPurpose(kind="health", months=0)
    with pytest.raises(ValueError, match="must be a ResearchPurpose"):
        check_request(["GRU"], {"kind": "health"})


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
            "repository": ["a", "b", "c", "d"],
            "dataset": ["open panel", "general", "cardio", "biobank"],
            "tier": ["open", "controlled", "controlled", "controlled"],
            "duo_conditions": [pd.NA, "GRU", "DS:CVD; IRB", "HMB; RTN"],
        }
    )


def test_screen_datasets_known_answers():
    ancestry = screen_datasets(small_table(), ResearchPurpose(kind="ancestry")).set_index("dataset")
    assert ancestry["decision"].to_dict() == {"open panel": "open", "general": "permitted", "cardio": "refused", "biobank": "refused"}
    assert "DS allows research on CVD only" in ancestry.loc["cardio", "reasons"] and "IRB requires" in ancestry.loc["cardio", "reasons"]
    cardio = screen_datasets(small_table(), ResearchPurpose(kind="disease", disease="CVD", ethics_approval=True)).set_index("dataset")
    assert (cardio["decision"] != "refused").all()
    assert "return derived" in cardio.loc["biobank", "obligations"]
    assert list(cardio.columns) == ["repository", "tier", "decision", "reasons", "obligations"]


def test_screen_datasets_bad_input():
    with pytest.raises(ValueError, match="lacks column"):
        screen_datasets(small_table().drop(columns="tier"), ResearchPurpose(kind="health"))
    with pytest.raises(ValueError, match="must be a ResearchPurpose"):
        screen_datasets(small_table(), "health")
    with pytest.raises(ValueError, match="unknown data-use code"):
        screen_datasets(small_table().assign(duo_conditions=["XYZ", "GRU", "GRU", "GRU"]), ResearchPurpose(kind="health"))
