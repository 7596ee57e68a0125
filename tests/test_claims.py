"""Dated claims (genshare.claims): the loader, staleness, the CLI, and the book's use of claims.

Known answers first, then properties, then bad input; last, checks of the real
``data/policy.csv`` against the pages that use it, including a heuristic that fails when a
chapter states a policy as current without a dated claim behind it.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genshare.claims import COLUMNS, Claim, ClaimsError, claims_for_page, load_claims, main, months_before, stale
from genshare.paths import PROJECT_ROOT

HEADER = ",".join(COLUMNS)
GOOD_ROWS = [
    "nih-gds-policy,NIH's GDS policy applies.,https://grants.nih.gov/x.html,2026-05-01,chapters/a.md;chapters/b.md",
    'ukb-rap,"UK Biobank data stay on the platform, mostly.",https://www.ukbiobank.ac.uk/,2026-12-06,chapters/b.md',
]


def write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "policy.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def claim(checked_on: date, claim_id: str = "c") -> Claim:
    return Claim(claim_id, "S.", "https://example.org/", checked_on, ("chapters/a.md",))


# --- known answers --------------------------------------------------------------------------


def test_loader_known_answer(tmp_path):
    claims = load_claims(write(tmp_path, *GOOD_ROWS))
    assert [c.claim_id for c in claims] == ["nih-gds-policy", "ukb-rap"]
    first, second = claims
    assert first.checked_on == date(2026, 5, 1)
    assert first.pages == ("chapters/a.md", "chapters/b.md")
    assert second.statement == "UK Biobank data stay on the platform, mostly."
    assert second.source_url == "https://www.ukbiobank.ac.uk/"
    assert [c.claim_id for c in claims_for_page(claims, "chapters/b.md")] == ["nih-gds-policy", "ukb-rap"]
    assert claims_for_page(claims, "chapters/c.md") == []


def test_staleness_known_answer(tmp_path):
    claims = load_claims(write(tmp_path, *GOOD_ROWS))
    assert [c.claim_id for c in stale(claims, date(2026, 12, 6))] == ["nih-gds-policy"]  # 7 months old
    assert stale(claims, date(2026, 11, 1)) == []  # exactly 6 months: not yet stale
    assert [c.claim_id for c in stale(claims, date(2026, 11, 2))] == ["nih-gds-policy"]
    assert [c.claim_id for c in stale(claims, date(2027, 7, 1))] == ["nih-gds-policy", "ukb-rap"]  # oldest first
    assert [c.claim_id for c in stale(claims, date(2026, 12, 6), months=0)] == ["nih-gds-policy"]


def test_months_before_known_answers():
    assert months_before(date(2026, 12, 6), 6) == date(2026, 6, 6)
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)  # the month is shorter
    assert months_before(date(2028, 8, 31), 6) == date(2028, 2, 29)  # leap year
    assert months_before(date(2026, 3, 15), 15) == date(2024, 12, 15)
    assert months_before(date(2026, 3, 15), 0) == date(2026, 3, 15)


def test_cli_warns_on_stale_claims_and_exits_zero(tmp_path, capsys):
    path = write(tmp_path, *GOOD_ROWS)
    assert main(["--check", "--path", str(path), "--today", "2026-12-06"]) == 0
    out = capsys.readouterr().out
    assert "2 dated claims; 1 checked more than 6 months before 2026-12-06." in out
    assert "warning: claim nih-gds-policy was last checked on 2026-05-01" in out
    assert "ukb-rap" not in out


def test_cli_fails_only_on_malformed_data(tmp_path, capsys):
    path = write(tmp_path, GOOD_ROWS[0], "Bad Id,S.,https://example.org/,2026-01-01,chapters/a.md")
    assert main(["--check", "--path", str(path), "--today", "2026-12-06"]) == 1
    err = capsys.readouterr().err
    assert "row 2 (line 3), field claim_id" in err
    assert main(["--check", "--path", str(tmp_path / "missing.csv")]) == 1
    assert main(["--check", "--path", str(path), "--today", "6 Dec 2026"]) == 2


# --- properties -----------------------------------------------------------------------------

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@settings(max_examples=200, deadline=None)
@given(checked=days, today=days, months=st.integers(0, 36))
def test_stale_means_older_than_the_cutoff(checked, today, months):
    is_stale = bool(stale([claim(checked)], today, months))
    assert is_stale == (checked < months_before(today, months))


@settings(max_examples=200, deadline=None)
@given(checked=days, today=days, later=st.integers(0, 4000), months=st.integers(0, 36))
def test_a_stale_claim_stays_stale(checked, today, later, months):
    if stale([claim(checked)], today, months):
        assert stale([claim(checked)], today + timedelta(days=later), months)


@settings(max_examples=100, deadline=None)
@given(today=days, months=st.integers(0, 36))
def test_a_claim_checked_today_is_never_stale(today, months):
    assert not stale([claim(today)], today, months)


@settings(max_examples=100, deadline=None)
@given(day=days, months=st.integers(0, 60))
def test_months_before_goes_back_whole_months(day, months):
    earlier = months_before(day, months)
    assert (day.year * 12 + day.month) - (earlier.year * 12 + earlier.month) == months
    assert earlier.day <= day.day


# --- bad input -------------------------------------------------------------------------------

GOOD = "a-claim,S.,https://example.org/,2026-01-01,chapters/a.md"


@pytest.mark.parametrize("row, where", [
    ("Bad_Id,S.,https://example.org/,2026-01-01,chapters/a.md", "row 1 (line 2), field claim_id"),
    ("a-claim, ,https://example.org/,2026-01-01,chapters/a.md", "field statement: is empty"),
    ("a-claim,S.,example.org,2026-01-01,chapters/a.md", "field source_url: must be an http(s) URL"),
    ("a-claim,S.,https://example.org/,06/12/2026,chapters/a.md", "field checked_on: must be an ISO date"),
    ("a-claim,S.,https://example.org/,2026-02-30,chapters/a.md", "field checked_on: '2026-02-30' is not a real day"),
    ("a-claim,S.,https://example.org/,2026-01-01,", "field pages: is empty"),
    ("a-claim,S.,https://example.org/,2026-01-01,chapters/a.md;;chapters/b.md", "field pages: has an empty entry"),
    ("a-claim,S.,https://example.org/,2026-01-01", "expected 5 cells"),
    ("a-claim,S.,https://example.org/,2026-01-01,chapters/a.md,extra", "expected 5 cells"),
    (",,,,", "the row is empty"),
])
def test_bad_rows_are_named_by_row_and_field(tmp_path, row, where):
    with pytest.raises(ClaimsError, match=re.escape(where)):
        load_claims(write(tmp_path, row))


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    path = write(tmp_path, GOOD, GOOD, "x,,ftp://a,2026-13-01,p")
    with pytest.raises(ClaimsError) as info:
        load_claims(path)
    problems = info.value.problems
    assert any("row 2" in p and "repeats row 1" in p for p in problems)
    assert {p.split("field ")[1].split(":")[0] for p in problems if "row 3" in p} == {"statement", "source_url", "checked_on"}


def test_a_future_check_date_is_refused_when_today_is_given(tmp_path):
    path = write(tmp_path, "a-claim,S.,https://example.org/,2027-01-01,chapters/a.md")
    assert load_claims(path)[0].checked_on == date(2027, 1, 1)
    with pytest.raises(ClaimsError, match=r"field checked_on: 2027-01-01 is after today \(2026-12-06\)"):
        load_claims(path, today=date(2026, 12, 6))


@pytest.mark.parametrize("header", ["claim_id,statement,source_url,checked_on", "id,statement,source_url,checked_on,pages"])
def test_a_wrong_header_is_refused(tmp_path, header):
    with pytest.raises(ClaimsError, match="line 1: the header must be"):
        load_claims(write(tmp_path, GOOD, header=header))


def test_missing_file_and_bad_parameters(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_claims(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="months must be an integer; got 2.5"):
        stale([], date(2026, 1, 1), months=2.5)
    with pytest.raises(ValueError, match="months must be at least 0"):
        stale([], date(2026, 1, 1), months=-1)
    with pytest.raises(ValueError, match="today must be a datetime.date"):
        stale([], "2026-01-01")
    with pytest.raises(ValueError, match=r"claims\[0\] must be a Claim"):
        stale(["nih-gds-policy"], date(2026, 1, 1))


# --- the real claims and the pages that use them ------------------------------------------------

CLAIMS = load_claims()
ROLE = re.compile(r"\{claim\}`([^`]+)`")


def page_texts() -> dict[str, str]:
    """Every chapter's Markdown and every notebook's markdown cells, by path from the root."""
    texts = {f"chapters/{p.name}": p.read_text(encoding="utf-8") for p in sorted((PROJECT_ROOT / "chapters").glob("*.md"))}
    for notebook in sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        texts[f"notebooks/{notebook.name}"] = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return texts


def test_every_claim_used_in_the_book_exists_and_lists_the_page():
    by_id = {c.claim_id: c for c in CLAIMS}
    for page, text in page_texts().items():
        for claim_id in ROLE.findall(text):
            assert claim_id in by_id, f"{page} uses claim {claim_id!r}, which is not in data/policy.csv"
            assert page in by_id[claim_id].pages, f"{page} uses claim {claim_id!r} but policy.csv does not list the page"


def test_every_page_named_by_a_claim_exists():
    for c in CLAIMS:
        for page in c.pages:
            assert (PROJECT_ROOT / page).is_file(), f"claim {c.claim_id} names {page}, which does not exist"


def test_every_catalogue_row_has_a_dated_claim():
    with (PROJECT_ROOT / "data" / "repositories.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_id = {c.claim_id: c for c in CLAIMS}
    for row in rows:
        c = by_id.get(f"catalogue-{row['id']}")
        assert c is not None, f"catalogue row {row['id']} has no claim catalogue-{row['id']} in policy.csv"
        assert c.source_url == row["access_source"], f"claim catalogue-{row['id']}: source differs from the row's access_source"


# A paragraph that names an NIH notice or says "as of", "currently" or "since <year>" states
# something as current. It needs a {claim} role in the same paragraph or the same section.
CURRENT = re.compile(r"NOT-OD-\d|\bas of\b|\bcurrently\b|\bsince (19|20)\d\d\b", re.IGNORECASE)
# The page that describes the mechanism itself.
NOT_POLICY_PAGES = {"chapters/what-changed.md"}
# Known undated statements, each to be converted to a {claim} role (strict: the test fails
# once the page is fixed, so the entry is removed then).
KNOWN_UNDATED: dict[str, str] = {}


def sections(text: str) -> list[str]:
    text = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", text, flags=re.M | re.S)  # code blocks say nothing about policy
    return re.split(r"^#{1,6} ", text, flags=re.M)


def undated_current_statements(text: str) -> list[str]:
    found = []
    for section in sections(text):
        if ROLE.search(section):
            continue
        for paragraph in re.split(r"\n\s*\n", section):
            if CURRENT.search(paragraph):
                found.append(" ".join(paragraph.split())[:160])
    return found


def test_the_heuristic_flags_an_undated_policy_statement():
    assert undated_current_statements("## NIH\n\nSince 2025 NIH requires NIST SP 800-171 (NOT-OD-24-157).\n")
    assert undated_current_statements("## UKB\n\nAs of November 2026 the data cannot be downloaded.\n")
    assert not undated_current_statements("## NIH\n\nNIH requires it ({claim}`nih-security-attestation`).\n\nSince 2025 too.\n")
    assert not undated_current_statements("## Code\n\n```python\n# as of now\n```\n")


@pytest.mark.parametrize("page", [
    pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN_UNDATED[p], strict=True)) if p in KNOWN_UNDATED else p
    for p in sorted(page_texts()) if p not in NOT_POLICY_PAGES
])
def test_pages_state_no_policy_as_current_without_a_dated_claim(page):
    undated = undated_current_statements(page_texts()[page])
    assert not undated, f"{page}: policy stated as current without a {{claim}} role in its section:\n" + "\n".join(undated)
