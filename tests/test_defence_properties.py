"""Property-based tests of the defences: Safe Harbor never releases what it promises to remove,
and a data-access screen never permits what it has not checked.

Every test runs a fixed, modest number of generated cases with ``derandomize=True``, so the
cases are the same on every run and in CI (no example database, no deadline: the machine is
shared). The counts are in ``EXAMPLES``.
"""

from __future__ import annotations

import importlib
import re

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genshare.access import OUTCOMES, ResearchPurpose, check_request, parse_conditions, screen_datasets
from genshare.deidentify import needs_review, safe_harbor

SH = importlib.import_module("genshare.deidentify.safe_harbor")

EXAMPLES = {"safe_harbor": 150, "free_text": 150, "check_request": 300, "purpose_types": 150, "conditions": 200, "screen": 60}


def deterministic(examples: int):
    return settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- Safe Harbor ---------------------------------------------------------------------------------

STYLES = ["snake", "camel", "pascal", "space", "upper", "kebab", "title space"]


def styled(words: list[str], style: str, digit: str) -> str:
    """One column name from its words, in one naming style, perhaps with a digit."""
    words = [*words, digit] if digit else list(words)
    if style == "snake":
        return "_".join(words)
    if style == "upper":
        return "_".join(w.upper() for w in words)
    if style == "kebab":
        return "-".join(words)
    if style == "space":
        return " ".join(words)
    if style == "title space":
        return " ".join(w.capitalize() for w in words)
    if style == "camel":
        return words[0] + "".join(w.capitalize() for w in words[1:])
    return "".join(w.capitalize() for w in words)  # pascal


# Names under which each removed identifier type is commonly stored.
REMOVED = {
    "A": [["name"], ["first", "name"], ["last", "name"], ["patient", "name"], ["surname"], ["full", "name"]],
    "B": [["street", "address"], ["home", "address"], ["address"], ["city"], ["county"], ["place", "of", "birth"]],
    "D": [["phone"], ["phone", "number"], ["cell", "phone"], ["telephone"], ["mobile"]],
    "E": [["fax"], ["fax", "number"]],
    "F": [["email"], ["e", "mail"], ["email", "address"]],
    "G": [["ssn"], ["social", "security", "number"]],
    "H": [["mrn"], ["medical", "record", "number"], ["patient", "id"]],
    "I": [["health", "plan", "id"], ["insurance", "number"], ["beneficiary", "id"]],
    "J": [["account", "number"], ["account"]],
    "K": [["license", "number"], ["certificate"]],
    "L": [["vehicle", "id"], ["license", "plate"], ["vin"]],
    "M": [["device", "serial"], ["serial", "number"], ["device", "id"]],
    "N": [["url"], ["website"], ["home", "page"]],
    "O": [["ip", "address"], ["ip"], ["ipv6"]],
    "P": [["fingerprint"], ["voice", "print"]],
    "Q": [["photo"], ["face", "image"]],
}
ZIP_NAMES = [["zip"], ["zip", "code"], ["postal", "code"], ["zip5"], ["home", "zip"]]
AGE_NAMES = [["age"], ["age", "at", "admission"], ["patient", "age"], ["age", "years"]]
BIRTH_NAMES = [["date", "of", "birth"], ["dob"], ["birth", "date"], ["birthday"], ["born"]]
POPULATIONS = {"021": 50_000, "390": 30_000, "405": 18_000, "100": 25_000}

secrets = st.integers(10_000, 99_999).map(lambda n: f"Qz{n}X")  # a value nothing else in the table can contain
phone_numbers = st.integers(2_000_000_000, 9_999_999_999)  # ten digits, stored as a number


@st.composite
def identifier_columns(draw):
    """(name, values, check) for one identifier column, with a check of the released table."""
    n = draw(st.integers(1, 5))
    style = draw(st.sampled_from(STYLES))
    digit = draw(st.sampled_from(["", "", "1", "2"]))
    kind = draw(st.sampled_from(["removed", "removed", "zip", "age", "birth"]))
    if kind == "removed":
        letter = draw(st.sampled_from(sorted(REMOVED)))
        name = styled(draw(st.sampled_from(REMOVED[letter])), style, digit)
        planted = draw(st.lists(st.one_of(secrets, phone_numbers), min_size=n, max_size=n))
        return kind, name, planted
    if kind == "zip":
        name = styled(draw(st.sampled_from(ZIP_NAMES)), style, "")
        codes = draw(st.lists(st.sampled_from(["02138", "39011", "40511", "10001", "00501"]), min_size=n, max_size=n))
        stored = [draw(st.sampled_from([c, int(c), float(int(c)), f"{c}-1234", f" {c} "])) for c in codes]
        return kind, name, list(zip(codes, stored))
    if kind == "age":
        name = styled(draw(st.sampled_from(AGE_NAMES)), style, digit)
        ages = draw(st.lists(st.integers(90, 115), min_size=n, max_size=n))
        stored = [draw(st.sampled_from([a, float(a), a + 0.5, f"{a}", f"{a} years", f"{a}+", f"{a} yrs"])) for a in ages]
        return kind, name, stored
    name = styled(draw(st.sampled_from(BIRTH_NAMES)), style, digit)
    years = draw(st.lists(st.integers(1900, 1935), min_size=n, max_size=n))
    stored = [draw(st.sampled_from([f"{y}-03-04", f"March 4, {y}", f"4 Mar {y}", y * 10_000 + 304, f"{y}0304", pd.Timestamp(f"{y}-03-04")]))
              for y in years]
    return kind, name, stored


@st.composite
def planted_tables(draw):
    columns = draw(st.lists(identifier_columns(), min_size=1, max_size=4))
    n = min(len(values) for _, _, values in columns)
    table, checks, names = {}, [], set()
    for kind, name, values in columns:
        if name in names or any(SH.column_words(name) == SH.column_words(other) for other in names):
            continue
        names.add(name)
        values = values[:n]
        if kind == "zip":
            table[name] = [stored for _, stored in values]
        else:
            table[name] = values
        checks.append((kind, name, values))
    table["diagnosis"] = draw(st.lists(st.sampled_from(["asthma", "none", "type 2 diabetes"]), min_size=n, max_size=n))
    return pd.DataFrame(table), checks


def cells(released: pd.DataFrame) -> list[str]:
    return [str(v) for v in released.to_numpy().ravel().tolist()] + [str(c) for c in released.columns]


@deterministic(EXAMPLES["safe_harbor"])
@given(planted_tables())
def test_no_planted_identifier_is_released(case):
    table, checks = case
    released, report = safe_harbor(table, POPULATIONS, reference_year=2026)
    text = cells(released)
    zip_columns = [c for c in released.columns if str(c).startswith("zip3")]
    zip_checks = [values for kind, _, values in checks if kind == "zip"]
    assert len(zip_columns) == len(zip_checks)
    for column, values in zip(zip_columns, zip_checks):  # the right area, or 000 where it holds 20,000 people or fewer
        assert released[column].tolist() == [c[:3] if POPULATIONS.get(c[:3], 0) > 20_000 else "000" for c, _ in values]
    for kind, name, values in checks:
        if kind == "removed":
            assert name not in released.columns
            for value in values:
                assert not any(str(value) in cell for cell in text), (name, value)
        elif kind == "zip":
            assert name not in released.columns
            for code, _ in values:
                assert not any(code in cell for cell in text)  # no five-digit ZIP anywhere
        elif kind == "age":
            assert released[name].tolist() == ["90+"] * len(values), (name, values)
        else:  # birth dates of people over 89: the year goes too
            year_column = f"{name}_year"
            assert released[year_column].isna().all(), (name, values)
            assert not any(re.search(r"\b(19[0-3]\d)\b", cell) for cell in text if cell != year_column)
    assert set(report["status"]) <= {"done", "needs review"}


# Free text: identifiers planted in prose, in the formats the scan claims to cover.
def _phone(n: int) -> list[str]:
    d = f"{n:010d}"
    return [f"({d[:3]}) {d[3:6]}-{d[6:]}", f"{d[:3]}.{d[3:6]}.{d[6:]}", f"+1 {d[:3]} {d[3:6]} {d[6:]}",
            f"+44 20 {d[2:6]} {d[6:]}", f"+33 1 {d[2:4]} {d[4:6]} {d[6:8]} {d[8:]}"]


MONTHS = ["January", "Feb", "March", "Apr", "August", "Sept", "December"]
free_text_secrets = st.one_of(
    st.integers(2_000_000_000, 9_999_999_999).flatmap(lambda n: st.sampled_from(_phone(n))),
    st.tuples(st.integers(100, 899), st.integers(10, 99), st.integers(1000, 9999)).map(lambda t: f"{t[0]}-{t[1]}-{t[2]}"),
    st.tuples(st.integers(1900, 2030), st.integers(1, 12), st.integers(1, 28), st.sampled_from(MONTHS)).flatmap(
        lambda t: st.sampled_from([
            f"{t[0]}-{t[1]:02d}-{t[2]:02d}", f"{t[1]}/{t[2]}/{t[0]}", f"{t[3]} {t[2]}, {t[0]}", f"{t[2]} {t[3]} {t[0]}",
            f"{t[0]}{t[1]:02d}{t[2]:02d}", f"{t[0]}-{t[1]:02d}-{t[2]:02d}T{t[2] % 24:02d}:15:00Z",
        ])
    ),
    st.tuples(*[st.integers(1, 254)] * 4).map(lambda t: ".".join(map(str, t))),
    st.lists(st.integers(1, 0xFFFF), min_size=8, max_size=8).flatmap(
        lambda g: st.sampled_from([":".join(f"{x:x}" for x in g), f"{g[0]:x}:{g[1]:x}::{g[7]:x}", f"fe80::{g[3]:x}:{g[4]:x}"])
    ),
    st.integers(100, 99_999).map(lambda n: f"user{n}@example.org"),
    st.integers(100, 99_999).map(lambda n: f"https://example.org/p/{n}"),
    st.integers(90, 114).map(lambda a: f"{a}-year-old"),
)
filler = st.lists(st.sampled_from(["seen", "today", "with", "cough", "follow", "up", "in", "clinic", "and"]), min_size=0, max_size=4)


def _core(secret: str) -> str:
    """The part of a planted identifier that must not survive (its digits or its name)."""
    digits = re.sub(r"\D", "", secret)
    return digits[-4:] if len(digits) >= 4 else secret


@deterministic(EXAMPLES["free_text"])
@given(st.lists(st.tuples(filler, free_text_secrets, filler), min_size=1, max_size=4), st.sampled_from(["notes", "Comments", "free text", "x"]))
def test_free_text_identifiers_are_redacted_and_the_text_is_reported(rows, name):
    texts = [" ".join([*before, secret, *after]) for before, secret, after in rows]
    released, report = safe_harbor(pd.DataFrame({name: texts}), POPULATIONS)
    for (_, secret, _), out in zip(rows, released[name]):
        assert secret not in out and "[REDACTED]" in out, (secret, out)
        if re.search(r"\d{4}", secret) or "@" in secret:
            assert _core(secret) not in out or _core(secret) in "[REDACTED]", (secret, out)
    assert name in set(needs_review(report)["column"])  # the scan is a teaching aid: never vouched for


@deterministic(EXAMPLES["safe_harbor"] // 3)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=2, max_size=6, unique=True), st.sampled_from(["ref", "code", "k"]))
def test_undecidable_columns_are_reported(tokens, name):
    codes = [f"{t}{i}" for i, t in enumerate(tokens)]  # distinct, each with a digit: maybe a unique identifier
    released, report = safe_harbor(pd.DataFrame({name: codes}), {})
    assert name in set(needs_review(report)["column"])


# --- check_request -------------------------------------------------------------------------------

DISEASES = ["CVD", "type 2 diabetes", "asthma"]
REGIONS = ["United States", "Europe"]
MODIFIERS = ["NPOA", "NMDS", "GSO", "CC", "NCU", "NPU", "NPUNCU", "IRB", "PUB", "COL", "RTN", "US", "PS", "IS", "RS"]
facts = st.sampled_from([True, False, None])


@st.composite
def conditions(draw):
    permission = draw(st.sampled_from(["NRES", "GRU", "HMB", "POA", "DS"]))
    codes = [f"DS:{draw(st.sampled_from(DISEASES))}" if permission == "DS" else permission]
    codes += draw(st.lists(st.sampled_from(MODIFIERS), unique=True, max_size=4))
    if draw(st.booleans()):
        codes.append(f"GS:{draw(st.sampled_from(REGIONS))}")
    if draw(st.booleans()):
        codes.append(f"TS:{draw(st.integers(1, 36))}")
    if draw(st.booleans()):
        codes.append("MOR:2027-01-01")
    return draw(st.permutations(codes))


@st.composite
def purposes(draw):
    kind = draw(st.sampled_from(["disease", "health", "ancestry", "methods", "other"]))
    disease = draw(st.sampled_from(DISEASES)) if kind == "disease" else draw(st.sampled_from([None, *DISEASES]))
    return ResearchPurpose(
        kind=kind, disease=disease, genetic=draw(facts), commercial=draw(facts), for_profit_organisation=draw(facts),
        ethics_approval=draw(facts), region=draw(st.sampled_from([None, *REGIONS])),
        months=draw(st.one_of(st.none(), st.integers(1, 48))), clinical_care=draw(st.booleans()),
    )


ALLOWED_KINDS = {"NRES": set("disease health ancestry methods other".split()), "GRU": set("disease health ancestry methods other".split()),
                 "HMB": {"disease", "health", "methods"}, "DS": {"disease", "methods"}, "POA": {"ancestry"}}


def oracle(codes: list[str], p: ResearchPurpose) -> tuple[bool, bool]:
    """(some condition is definitely unmet, some condition cannot be decided), written independently."""
    c = dict((code.split(":", 1) + [None])[:2] for code in codes)
    permission = next(k for k in c if k in ALLOWED_KINDS)
    unmet = p.kind not in ALLOWED_KINDS[permission]
    unmet |= permission == "DS" and p.kind in {"disease", "methods"} and (p.disease or "").lower() != c["DS"].lower()
    unmet |= "NPOA" in c and p.kind == "ancestry"
    unmet |= "NMDS" in c and p.kind == "methods"
    unmet |= p.clinical_care and "CC" not in c and permission != "NRES"
    unknown = False
    for code, fact, bad in [("GSO", p.genetic, False), ("NCU", p.commercial, True), ("NPUNCU", p.commercial, True),
                            ("NPU", p.for_profit_organisation, True), ("NPUNCU", p.for_profit_organisation, True),
                            ("IRB", p.ethics_approval, False)]:
        if code in c:
            unmet |= fact is bad
            unknown |= fact is None
    if "GS" in c:
        unmet |= p.region is not None and p.region.lower() != c["GS"].lower()
        unknown |= p.region is None
    if "TS" in c:
        unmet |= p.months is not None and p.months > int(c["TS"])
        unknown |= p.months is None
    unknown |= bool({"RS", "US", "PS", "IS"} & set(c))
    return unmet, unknown


@deterministic(EXAMPLES["check_request"])
@given(conditions(), purposes())
def test_never_permitted_when_a_condition_is_unmet_unknown_or_unevaluated(codes, purpose):
    decision = check_request(codes, purpose)
    unmet, unknown = oracle(codes, purpose)
    expected = "refused" if unmet else "needs review" if unknown else "permitted"
    assert decision.outcome == expected, (codes, purpose, decision)
    assert bool(decision) is (expected == "permitted")
    assert bool(decision.reasons) is unmet and (bool(decision.review) or unmet) is (unmet or unknown)


hostile = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), st.text(max_size=5),
                    st.sampled_from(["no", "yes", "false", "True", "0"]), st.just(np.bool_(True)), st.just([True]))


@deterministic(EXAMPLES["purpose_types"])
@given(st.sampled_from(["genetic", "commercial", "for_profit_organisation", "ethics_approval", "months", "region", "clinical_care"]), hostile)
def test_purposes_take_facts_of_the_right_type_or_raise_naming_the_field(name, value):
    try:
        purpose = ResearchPurpose(kind="health", **{name: value})
    except ValueError as error:
        assert name in str(error)
        return
    got = getattr(purpose, name)
    if name == "months":
        assert got is None or (type(got) is int and got >= 1)
    elif name == "region":
        assert got is None or (isinstance(got, str) and got.strip())
    else:
        assert got is None or type(got) is bool
        assert not (name == "clinical_care" and got is None)
    decision = check_request(["GRU", "IRB", "NPUNCU", "GSO", "TS:12", "GS:Europe"], purpose)
    assert decision.outcome in ("needs review", "refused")  # one fact stated leaves others unknown: never permitted


@deterministic(EXAMPLES["conditions"])
@given(st.lists(st.one_of(st.text(max_size=12), st.sampled_from(["TS:", "TS:abc", "TS:0", "TS:1.5", "TS:12", "MOR:x", "GS:", "DS:"]),
                          st.sampled_from(["GRU", "HMB", "IRB", "DUO:0000025"])), max_size=4))
def test_malformed_conditions_are_refused_when_parsed(codes):
    try:
        parsed = parse_conditions(codes)
    except ValueError:
        return
    if "TS" in parsed:
        assert parsed["TS"].isdigit() and int(parsed["TS"]) >= 1
    decision = check_request(codes, ResearchPurpose(kind="health"))
    assert decision.outcome in OUTCOMES


@deterministic(EXAMPLES["screen"])
@given(st.lists(conditions(), min_size=1, max_size=5), purposes())
def test_screens_agree_with_check_request(rows, purpose):
    table = pd.DataFrame({"repository": "r", "dataset": [f"d{i}" for i in range(len(rows))], "tier": "controlled",
                          "duo_conditions": ["; ".join(codes) for codes in rows]})
    screened = screen_datasets(table, purpose)
    assert set(screened["decision"]) <= set(OUTCOMES)
    assert screened["decision"].tolist() == [check_request(codes, purpose).outcome for codes in rows]


def test_example_counts_are_modest():
    assert sum(EXAMPLES.values()) <= 1_200
