"""The HIPAA Safe Harbor de-identification method, 45 CFR 164.514(b)(2).

Safe Harbor lists 18 kinds of identifier that must be removed from health information
about a person (and their relatives, employers and household members) before it counts
as de-identified, and requires that the releaser have no actual knowledge that what
remains could identify the person. This module applies the 18 rules to a table: it finds
identifier columns by name and identifier patterns inside any remaining text, removes or
transforms them, and reports every change.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["IDENTIFIER_TYPES", "safe_harbor"]

#: The 18 identifier types of 45 CFR 164.514(b)(2)(i), letter by letter.
IDENTIFIER_TYPES = {
    "A": "names",
    "B": "geographic subdivisions smaller than a state (street, city, county, ZIP code)",
    "C": "all elements of dates except the year; ages over 89",
    "D": "telephone numbers",
    "E": "fax numbers",
    "F": "email addresses",
    "G": "social security numbers",
    "H": "medical record numbers",
    "I": "health plan beneficiary numbers",
    "J": "account numbers",
    "K": "certificate or license numbers",
    "L": "vehicle identifiers and serial numbers, including license plates",
    "M": "device identifiers and serial numbers",
    "N": "web URLs",
    "O": "IP addresses",
    "P": "biometric identifiers, including finger and voice prints",
    "Q": "full-face photographs and comparable images",
    "R": "any other unique identifying number, characteristic or code",
}

# Column names (normalised to lower case, non-letters as "_") that hold each kind of identifier.
_NAME_RULES: list[tuple[str, str]] = [
    ("A", r"(^|_)(name|names|first_?name|last_?name|surname|given_?name|family_?name|middle_?name|full_?name|patient_?name|maiden_?name)($|_)"),
    ("B", r"(^|_)(street|address|addr|city|town|county|precinct|neighbou?rhood|latitude|longitude|lat|lon|geocode)($|_)"),
    ("D", r"(^|_)(phone|telephone|tel|mobile|cell)($|_)"),
    ("E", r"(^|_)fax($|_)"),
    ("F", r"(^|_)(e_?mail|email_?address)($|_)"),
    ("G", r"(^|_)(ssn|social_?security(_?number)?)($|_)"),
    ("H", r"(^|_)(mrn|medical_?record(_?number)?|record_?number|chart_?number)($|_)"),
    ("I", r"(^|_)(health_?plan|beneficiary|insurance|member_?id|policy)(_|$)"),
    ("J", r"(^|_)(account|acct|billing)(_|$)"),
    ("K", r"(^|_)(licen[cs]e|certificate)(_|$)"),
    ("L", r"(^|_)(vehicle|vin|plate|licen[cs]e_?plate)(_|$)"),
    ("M", r"(^|_)(device|serial)(_|$)"),
    ("N", r"(^|_)(url|website|web_?page|homepage)($|_)"),
    ("O", r"(^|_)(ip|ip_?address|ipv4|ipv6)($|_)"),
    ("P", r"(^|_)(fingerprint|voice_?print|biometric|retina|iris)(_|$)"),
    ("Q", r"(^|_)(photo|photograph|face|image|picture)(_|$)"),
]
_ZIP_NAME = re.compile(r"(^|_)(zip|zip_?code|zip5|zip3|postal_?code|postcode)($|_)")
_DATE_NAME = re.compile(r"(^|_)(date|dob|birth|birthdate|birthday|admission|admitted|discharge|discharged|death|died|visit|dod)($|_)")
_AGE_NAME = re.compile(r"(^|_)age($|_)")

# Identifier patterns looked for inside any text that remains.
_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("F", re.compile(r"[A-Za-z0-9._%+-]+\s*(?:@|\(at\)|\[at\])\s*[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    ("N", re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)),
    ("O", re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")),
    ("G", re.compile(r"\b\d{3}[- ]?\d{2}[- ]?\d{4}\b")),
    ("D", re.compile(r"(?:\+?1[\s.-]?)?\(?\b\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b")),
    ("C", re.compile(r"\b(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})\b")),
    ("H", re.compile(r"\b(?:MRN|MR#|MR)[\s:#-]*\w+", re.IGNORECASE)),
]
_REDACTED = "[REDACTED]"


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_")


def safe_harbor(
    table: pd.DataFrame,
    zip3_population: Mapping[str, int] | pd.Series,
    *,
    keep: tuple[str, ...] = (),
    reference_year: int = 2026,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the HIPAA Safe Harbor rules to a table and report what changed.

    - Columns of identifier types A, B (except ZIP codes), D to Q are removed.
    - ZIP codes become their first three digits, or ``"000"`` where all ZIP codes
      sharing those digits hold 20,000 people or fewer (from ``zip3_population``).
    - Dates keep only the year; for people older than 89 the year is removed too, and
      ages over 89 become ``"90+"`` (ages are returned as text).
    - Any remaining text is scanned for e-mail addresses, URLs, IP addresses, social
      security, phone, record numbers and dates, which are replaced by ``[REDACTED]``.

    Rule R (other unique codes) needs judgement: a study code that is not derived from
    identifiers may stay (45 CFR 164.514(c)); list such columns in ``keep``.

    Parameters
    ----------
    table
        Records about people, one per row.
    zip3_population
        Population of each three-digit ZIP area (as text keys, e.g. ``"391"``).
    keep
        Columns to leave untouched (for example a random study identifier).
    reference_year
        Year used to compute ages from dates of birth when there is no age column.

    Returns
    -------
    released : pandas.DataFrame
    report : pandas.DataFrame
        One row per change: ``column``, ``identifier`` (the rule's letter), ``action``,
        ``cells`` changed.

    Examples
    --------
    >>> t = pd.DataFrame({"name": ["Ann Lee"], "zip5": ["39011"], "age": [93], "note": ["call 555-123-4567"]})
    >>> released, report = safe_harbor(t, {"390": 25_000})
    >>> released.to_dict("records")
    [{'zip3': '390', 'age': '90+', 'note': 'call [REDACTED]'}]
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"table must be a pandas DataFrame; got {type(table).__name__}")
    unknown = [c for c in keep if c not in table.columns]
    if unknown:
        raise ValueError(f"keep names column(s) not in the table: {', '.join(unknown)}")
    populations = {str(k): int(v) for k, v in dict(zip3_population).items()}
    out = table.copy()
    report: list[tuple[str, str, str, int]] = []

    def note(column: str, letter: str, action: str, cells: int) -> None:
        report.append((column, letter, action, int(cells)))

    # Ages first (they decide whether birth years may stay).
    age_columns = [c for c in out.columns if c not in keep and _AGE_NAME.search(_normalise(c))]
    over_89 = pd.Series(False, index=out.index)
    for c in age_columns:
        ages = pd.to_numeric(out[c], errors="coerce")
        old = ages > 89
        over_89 |= old.fillna(False)
        out[c] = np.where(old, "90+", ages.astype("Int64").astype(str).replace("<NA>", ""))
        note(c, "C", "ages over 89 pooled as 90+", old.sum())

    for column in list(out.columns):
        if column in keep:
            continue
        name = _normalise(column)
        letter = next((letter for letter, rule in _NAME_RULES if re.search(rule, name)), None)
        if letter is not None and not _ZIP_NAME.search(name):
            out = out.drop(columns=column)
            note(column, letter, "column removed", len(table))
            continue
        if _ZIP_NAME.search(name):
            zip3 = out[column].astype(str).str.extract(r"(\d{3})", expand=False)
            allowed = zip3.map(lambda z: isinstance(z, str) and populations.get(z, 0) > 20_000)
            new = np.where(allowed, zip3, "000")
            position = out.columns.get_loc(column)
            out = out.drop(columns=column)
            out.insert(position, "zip3", new)
            note(column, "B", "replaced by ZIP3 (000 where the area has 20,000 people or fewer)", len(table))
            note(column, "B", "ZIP3 set to 000", (~allowed).sum())
            continue
        if _DATE_NAME.search(name):
            dates = pd.to_datetime(out[column], errors="coerce", format="mixed")
            if dates.notna().any() or out[column].isna().all():
                years = dates.dt.year.astype("Int64")
                if not age_columns and re.search(r"birth|dob", name):
                    over_89 |= (reference_year - years > 89).fillna(False)
                hide = over_89 if re.search(r"birth|dob", name) else pd.Series(False, index=out.index)
                years = years.mask(hide)
                position = out.columns.get_loc(column)
                out = out.drop(columns=column)
                out.insert(position, f"{column}_year", years)
                note(column, "C", "date reduced to year", len(table))
                if hide.any():
                    note(column, "C", "year removed for ages over 89", hide.sum())
                continue

    # Identifier patterns in whatever text remains.
    for column in out.columns:
        if column in keep or not (out[column].dtype == object or pd.api.types.is_string_dtype(out[column])):
            continue
        text = out[column].astype("string")
        for letter, pattern in _PATTERNS:
            hits = text.str.contains(pattern, na=False)
            if hits.any():
                text = text.str.replace(pattern, _REDACTED, regex=True)
                note(column, letter, f"{IDENTIFIER_TYPES[letter]} found in text and redacted", hits.sum())
        out[column] = text.astype(object).where(text.notna(), None) if out[column].dtype == object else text.astype(str)
    return out.reset_index(drop=True), pd.DataFrame(report, columns=["column", "identifier", "action", "cells"])
