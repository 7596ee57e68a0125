"""Tests for genshare.access: DUO terms and checking requests against data-use conditions."""

from __future__ import annotations

import pytest

from genshare.access import ResearchPurpose, check_request, duo_terms, parse_conditions

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
