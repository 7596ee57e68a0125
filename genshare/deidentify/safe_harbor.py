"""The HIPAA Safe Harbor de-identification method, 45 CFR 164.514(b)(2).

Safe Harbor lists 18 kinds of identifier that must be removed from health information
about a person (and their relatives, employers and household members) before it counts
as de-identified, and requires that the releaser have no actual knowledge that what
remains could identify the person. This module applies the 18 rules to a table: it finds
identifier columns by the words of their names, looks for identifier patterns inside any
remaining text, removes or transforms what it finds, reports every change, and reports
what it could not decide (free text, codes that may be unique) for a person to review.

Pattern scanning of free text is a teaching aid, not a guarantee: a name, an address or a
rare diagnosis written in prose has no pattern to find.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import cast

import numpy as np
import pandas as pd

from genshare._facts import REFERENCE_YEAR

__all__ = ["IDENTIFIER_TYPES", "REPORT_COLUMNS", "ZIP3_MIN_POPULATION", "column_words", "needs_review", "safe_harbor"]

#: Safe Harbor rule B: a ZIP3 area may be released only if all the ZIP codes sharing
#: those three digits hold more than this many people (45 CFR 164.514(b)(2)(i)(B));
#: otherwise its ZIP3 becomes "000".
ZIP3_MIN_POPULATION = 20_000

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

#: Columns of the report :func:`safe_harbor` returns.
REPORT_COLUMNS = ["column", "identifier", "action", "cells", "status"]
_DONE, _REVIEW = "done", "needs review"

# Words (lower case, written together: "firstname", "ipaddress") that mark a column as
# holding one kind of identifier. Column names are split into words first (snake_case,
# camelCase, PascalCase, spaces, hyphens, digits), and runs of up to three neighbouring
# words are joined, so "FirstName", "first_name" and "first name" all give "firstname".
# The order matters: the first kind whose words appear wins ("EmailAddress" is F, not B).
_NAME_WORDS: list[tuple[str, frozenset[str]]] = [
    ("F", frozenset({"email", "emails", "emailaddress", "mail"})),
    ("O", frozenset({"ip", "ipaddress", "ipv4", "ipv6"})),
    ("E", frozenset({"fax", "faxnumber"})),
    (
        "D",
        frozenset(
            {
                "phone",
                "phones",
                "telephone",
                "tel",
                "mobile",
                "cellphone",
                "cellnumber",
                "pager",
                "phonenumber",
                "contactnumber",
            }
        ),
    ),
    ("G", frozenset({"ssn", "socialsecurity", "socialsecuritynumber", "socsec", "nationalid"})),
    (
        "H",
        frozenset(
            {
                "mrn",
                "medicalrecord",
                "medicalrecordnumber",
                "recordnumber",
                "chartnumber",
                "patientid",
                "hospitalnumber",
            }
        ),
    ),
    (
        "I",
        frozenset(
            {
                "healthplan",
                "beneficiary",
                "insurance",
                "insurer",
                "memberid",
                "policy",
                "policynumber",
                "medicaid",
                "medicare",
            }
        ),
    ),
    ("J", frozenset({"account", "accounts", "acct", "billing", "accountnumber", "username", "login"})),
    ("L", frozenset({"vehicle", "vin", "plate", "licenseplate", "licenceplate", "numberplate"})),
    ("K", frozenset({"license", "licence", "certificate", "licensenumber", "licencenumber"})),
    ("M", frozenset({"device", "serial", "serialnumber", "imei", "udi", "macaddress"})),
    ("N", frozenset({"url", "urls", "website", "webpage", "homepage", "web", "link"})),
    ("P", frozenset({"fingerprint", "voiceprint", "biometric", "biometrics", "retina", "iris", "faceprint"})),
    (
        "Q",
        frozenset(
            {"photo", "photos", "photograph", "face", "image", "images", "picture", "portrait", "selfie", "headshot"}
        ),
    ),
    (
        "A",
        frozenset(
            {
                "name",
                "names",
                "firstname",
                "lastname",
                "surname",
                "givenname",
                "familyname",
                "middlename",
                "fullname",
                "forename",
                "fname",
                "lname",
                "maidenname",
                "nickname",
                "initials",
                "alias",
            }
        ),
    ),
    (
        "B",
        frozenset(
            {
                "street",
                "address",
                "addr",
                "streetaddress",
                "homeaddress",
                "city",
                "town",
                "village",
                "county",
                "precinct",
                "neighborhood",
                "neighbourhood",
                "district",
                "latitude",
                "longitude",
                "lat",
                "lon",
                "lng",
                "geocode",
                "geolocation",
                "coordinates",
                "gps",
                "place",
                "birthplace",
                "residence",
            }
        ),
    ),
]
_ZIP_WORDS = frozenset({"zip", "zipcode", "zip5", "zip9", "zip3", "postcode", "postalcode"})
_AGE_WORDS = frozenset({"age", "ages"})
_DATE_WORDS = frozenset(
    {
        "date",
        "dates",
        "dob",
        "dod",
        "birth",
        "birthdate",
        "birthday",
        "born",
        "birthyear",
        "admission",
        "admitted",
        "discharge",
        "discharged",
        "died",
        "datetime",
        "timestamp",
        "dt",
    }
)
_BIRTH_WORDS = frozenset({"dob", "birth", "birthdate", "birthday", "born", "birthyear"})
_FREE_TEXT_WORDS = frozenset(
    {
        "note",
        "notes",
        "comment",
        "comments",
        "text",
        "remark",
        "remarks",
        "description",
        "narrative",
        "freetext",
        "memo",
        "message",
        "history",
        "summary",
        "details",
    }
)

# Identifier patterns looked for inside any text that remains, applied in this order.
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_PATTERNS: list[tuple[str, re.Pattern]] = [
    (
        "F",
        re.compile(
            r"[A-Za-z0-9._%+-]+\s*(?:@|\(at\)|\[at\])\s*[A-Za-z0-9-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[A-Za-z0-9-]+)+",
            re.I,
        ),
    ),
    ("N", re.compile(r"(?:(?:https?|ftp)://|www\.)\S+", re.I)),
    (
        "C",
        re.compile(r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?", re.I),
    ),
    (
        "O",
        re.compile(
            r"(?<![\w:.])(?=[0-9a-f:]*:[0-9a-f:]*:)(?:[0-9a-f]{1,4}|:)(?::[0-9a-f]{0,4}){1,7}"
            r"(?::\d{1,3}(?:\.\d{1,3}){3})?(?![\w:])",
            re.I,
        ),
    ),
    ("O", re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")),
    ("G", re.compile(r"(?<!\d)\d{3}[-. ]?\d{2}[-. ]?\d{4}(?!\d)")),
    ("D", re.compile(r"(?:\+|\b00)\d{1,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){1,4}(?!\d)")),
    ("D", re.compile(r"(?:\+?1[\s.-]?)?\(?(?<!\d)\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")),
    ("D", re.compile(r"(?<![\d-])\d{3}[-.]\d{4}(?![\d-])")),
    ("C", re.compile(r"(?<!\d)(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})(?!\d)")),
    (
        "C",
        re.compile(
            rf"(?<![\w])(?:{_DAY}(?:\s+of)?[\s/-]+{_MONTH},?(?:[\s/-]+\d{{2,4}})?"
            rf"|{_MONTH}[\s/-]+{_DAY}(?:,?\s+\d{{4}})?(?!\d)|{_MONTH},?\s+\d{{4}})(?![\w])",
            re.I,
        ),
    ),
    (
        "C",
        re.compile(
            r"(?<!\d)(?:(?:1[89]|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
            r"|(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:1[89]|20)\d{2})(?!\d)"
        ),
    ),
    (
        "C",
        re.compile(
            r"(?<!\d)(?:9\d|1[0-4]\d)(?:\.\d+)?\s*-?\s*(?:years?|yrs?|y/?o)\b|\baged?\s*:?\s*(?:9\d|1[0-4]\d)(?!\d)",
            re.I,
        ),
    ),
    ("B", re.compile(r"(?<!\d)\d{5}(?:-\d{4})?(?!\d)")),
    ("H", re.compile(r"\b(?:MRN|MR#|MR)[\s:#-]*\w+", re.I)),
]
_REDACTED = "[REDACTED]"


def column_words(name: object) -> list[str]:
    """The words of a column name, lower case: snake_case, camelCase, PascalCase, spaces and digits split.

    Examples
    --------
    >>> column_words("HomeAddress1"), column_words("ZIPCode"), column_words("date_of_birth")
    (['home', 'address', '1'], ['zip', 'code'], ['date', 'of', 'birth'])
    """
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name))
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    text = re.sub(r"([A-Za-z])(\d)|(\d)([A-Za-z])", lambda m: " ".join(g for g in m.groups() if g), text)
    return [word for word in re.split(r"[^a-z0-9]+", text.lower()) if word]


def _vocabulary(name: object) -> set[str]:
    """Every word of a column name and every run of two or three neighbouring words joined together."""
    words = column_words(name)
    return {"".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}


def _identifier_letter(vocabulary: set[str]) -> str | None:
    return next((letter for letter, words in _NAME_WORDS if vocabulary & words), None)


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _integral(value: object) -> int | None:
    """An int for whole numbers (int, numpy int, integral float); None otherwise."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return int(value)
    return None


# --- ages ---------------------------------------------------------------------------------------

_AGE_TEXT = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(\+|plus|and over|or over|or older|and older)?\s*"
    r"(?:-?\s*(?:years?|yrs?|y/?o|y)(?:\s*old)?)?\s*$",
    re.I,
)


def _read_age(value: object) -> tuple[str, float | None, str]:
    """(kind, age, plus) of one cell: kind is "missing", "number" or "unreadable"."""
    if _is_missing(value) or (isinstance(value, str) and not value.strip()):
        return "missing", None, ""
    if isinstance(value, (bool, np.bool_)):
        return "unreadable", None, ""
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        return ("number", number, "") if np.isfinite(number) and number >= 0 else ("unreadable", None, "")
    match = _AGE_TEXT.match(str(value))
    if not match:
        return "unreadable", None, ""
    return "number", float(match.group(1)), "+" if match.group(2) else ""


def _release_ages(column: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, int, int]:
    """Ages as text with those over 89 pooled as "90+".

    Returns the released column, whether each person may be over 89 (True also for an
    unreadable age, failing closed), whether the age is unknown, and the counts of pooled
    and unreadable cells.
    """
    released: list[str | None] = []
    over: list[bool] = []
    unknown: list[bool] = []
    pooled = unreadable = 0
    for value in column.tolist():
        kind, age, plus = _read_age(value)
        if kind == "missing":
            released.append(None)
            over.append(False)
            unknown.append(True)
        elif kind == "unreadable" or age is None:  # a "number" always has an age
            unreadable += 1
            released.append(None)
            over.append(True)
            unknown.append(False)
        elif age > 89 or (plus and age >= 90):
            pooled += 1
            released.append("90+")
            over.append(True)
            unknown.append(False)
        else:
            # "85+" may hide someone over 89: the text stays (it names no single age) but
            # the person counts as possibly over 89, so their birth year is removed.
            released.append(f"{age:g}{plus}")
            over.append(bool(plus))
            unknown.append(False)
    index = column.index
    return (
        _text_series(released, index),
        pd.Series(over, index=index),
        pd.Series(unknown, index=index),
        pooled,
        unreadable,
    )


# --- dates --------------------------------------------------------------------------------------


def _read_year(value: object) -> int | None | str:
    """The year of one date cell, None when missing, "unreadable" when it cannot be read."""
    if _is_missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (datetime, date, pd.Timestamp, np.datetime64)):
        return int(pd.Timestamp(value).year)
    whole = _integral(value)
    if whole is not None:
        if 1000 <= whole <= 2999:  # a year on its own
            return whole
        text = str(whole)
        if len(text) == 8:  # YYYYMMDD
            stamp = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
            return "unreadable" if pd.isna(stamp) else int(stamp.year)
        return "unreadable"
    if not isinstance(value, str):
        return "unreadable"
    text = value.strip()
    if not (re.search(r"\d{4}", text) or re.fullmatch(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2}", text)):
        return "unreadable"  # no year written: a parser would invent the current one
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    if re.fullmatch(r"\d{8}", text):
        stamp = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
        return "unreadable" if pd.isna(stamp) else int(stamp.year)
    try:
        stamp = pd.to_datetime(text, format="mixed", utc=True)
    except (ValueError, TypeError, OverflowError):
        return "unreadable"
    return "unreadable" if pd.isna(stamp) else int(stamp.year)


def _release_years(column: pd.Series) -> tuple[pd.Series, int]:
    years, unreadable = [], 0
    seen: dict[object, int | None | str] = {}  # each distinct value is parsed once (dates repeat)
    for value in column.tolist():
        try:
            year = seen[value] if value in seen else seen.setdefault(value, _read_year(value))
        except TypeError:  # an unhashable cell
            year = _read_year(value)
        if year == "unreadable":
            unreadable += 1
            year = None
        years.append(year)
    return pd.Series(years, index=column.index, dtype="Int64"), unreadable


# --- ZIP codes ----------------------------------------------------------------------------------


def _read_zip3(value: object, digits: int) -> str | None:
    """The first three digits of a ZIP code, "" when it cannot be read, None when missing.

    ``digits`` is 3 for a column of ZIP3 codes, 5 otherwise. Numbers lose their leading
    zeros (02138 stored as 2138), which are restored; ZIP+4 codes may be written with or
    without the hyphen.
    """
    if _is_missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    whole = _integral(value)
    if whole is not None:
        text = str(whole) if whole >= 0 else ""
        if digits == 5 and len(text) > 5:
            text = text.zfill(9) if len(text) <= 9 else ""
    elif isinstance(value, str):
        text = value.strip()
        plus4 = re.fullmatch(r"(\d{1,5})[- ](\d{4})", text)
        text = plus4.group(1) if plus4 else text
        if not re.fullmatch(r"\d+", text) or (digits == 5 and len(text) not in (1, 2, 3, 4, 5, 9)):
            return ""
    else:
        return ""
    if not text or len(text) > 9 or (digits == 3 and len(text) > 3):
        return ""
    return text.zfill(digits if len(text) <= digits else 9)[:3]


def _zip3_populations(zip3_population: Mapping | pd.Series) -> dict[str, int]:
    try:
        items = dict(zip3_population).items()
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"zip3_population must map three-digit ZIP areas to populations; got {type(zip3_population).__name__}"
        ) from error
    populations: dict[str, int] = {}
    for key, value in items:
        area = _read_zip3(key, 3)
        if not area:
            raise ValueError(f"zip3_population has key {key!r}, not a three-digit ZIP area such as '021'")
        count = _integral(value)
        if count is None or count < 0:
            raise ValueError(f"zip3_population[{key!r}] must be a non-negative whole number of people; got {value!r}")
        populations[area] = populations.get(area, 0) + count
    return populations


# --- free text ----------------------------------------------------------------------------------


def _scan_text(column: pd.Series) -> tuple[pd.Series, list[tuple[str, int]]]:
    """Redact identifier patterns in the text cells of a column; report hits per kind."""
    is_text = column.map(lambda v: isinstance(v, str))
    values = column.copy().astype(object)
    hits: dict[str, int] = {}
    text = column[is_text].astype(str)
    for letter, pattern in _PATTERNS:
        found = text.str.contains(pattern)
        if found.any():
            hits[letter] = hits.get(letter, 0) + int(found.sum())
            text = text.str.replace(pattern, _REDACTED, regex=True)
    values[is_text] = text
    if pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
        values = values.astype(column.dtype)  # keep pandas' string dtype
    return values, list(hits.items())


def _hashable(column: pd.Series) -> pd.Series:
    """The column with unhashable cells (lists, dicts) replaced by their repr, so it can be compared."""

    def key(value: object) -> object:
        try:
            hash(value)
        except TypeError:
            return repr(value)
        return value

    return column.map(key) if column.dtype == object else column


def _text_series(values: list, index: pd.Index) -> pd.Series:
    """Text values (None for missing) in pandas' default dtype for text, as the input's text columns have."""
    return pd.Series(values, index=index, dtype=None if any(isinstance(v, str) for v in values) else object)


def _looks_like_prose(column: pd.Series) -> bool:
    """Some value is a phrase of three or more words that no other record shares.

    Category labels repeated across records ("chronic kidney disease") are not prose; a
    sentence written about one person is.
    """
    words = column.map(lambda v: len(re.findall(r"[^\W\d_]{2,}", v)) if isinstance(v, str) else 0)
    once = ~_hashable(column).duplicated(keep=False)
    return bool(((words >= 3) & once).any())


def _may_be_unique_code(column: pd.Series) -> bool:
    """Every value distinct, at least two of them, and each a whole number or text with a digit."""
    values = _hashable(column.dropna())
    if len(values) < 2 or not values.is_unique:
        return False
    coded = values.map(lambda v: _integral(v) is not None or (isinstance(v, str) and bool(re.search(r"\d", v))))
    return bool(coded.all())


def _free_name(columns: Iterable[object], wanted: str) -> str:
    taken = {str(c) for c in columns}
    name, n = wanted, 2
    while name in taken:
        name, n = f"{wanted}_{n}", n + 1
    return name


def _as_columns(value: object, what: str) -> list:
    if isinstance(value, str):
        return [value]
    try:
        return list(cast(Iterable[object], value))  # anything else raises TypeError, named below
    except TypeError as error:
        raise ValueError(f"{what} must be a column name or a list of column names; got {value!r}") from error


def needs_review(report: pd.DataFrame) -> pd.DataFrame:
    """The rows of a :func:`safe_harbor` report that a person must still decide.

    Examples
    --------
    >>> t = pd.DataFrame({"notes": ["seen by Dr Smith on 3 Mar 2021"]})
    >>> needs_review(safe_harbor(t, {})[1])["column"].tolist()
    ['notes']
    """
    return report[report["status"] == _REVIEW].reset_index(drop=True)


def safe_harbor(
    table: pd.DataFrame,
    zip3_population: Mapping[str, int] | pd.Series,
    *,
    keep: str | Iterable[str] = (),
    reference_year: int = REFERENCE_YEAR,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the HIPAA Safe Harbor rules to a table, report what changed and what still needs review.

    Columns are recognised by the words of their names, whatever the style
    (``street_address``, ``StreetAddress``, ``Street Address``, ``Address1``):

    - Columns of identifier types A, B (except ZIP codes), D to Q are removed.
    - ZIP codes become their first three digits, or ``"000"`` where all ZIP codes
      sharing those digits hold :data:`ZIP3_MIN_POPULATION` (20,000) people or fewer
      (from ``zip3_population``) or
      where the value cannot be read as a ZIP code. Numbers get their leading zeros back
      (2138 is 02138, ZIP3 ``"021"``). The column is called ``zip3`` (or ``<column>_zip3``
      when that name is taken).
    - Ages become text, with ages over 89 (including ``"90+"``, ``"95 years"``, 89.5)
      pooled as ``"90+"``; an age that cannot be read is removed (reported).
    - Dates keep only the year (column ``<column>_year``); a date that cannot be read is
      removed (reported). The birth year is removed for everyone who may be over 89: an
      age over 89 or unreadable in any age column, or a birth year more than 89 years
      before ``reference_year``.
    - Any remaining text is scanned for e-mail addresses, URLs, IP addresses (v4 and v6),
      social security, telephone (US and international) and record numbers, ZIP codes,
      dates (numeric, compact such as ``19500303``, written out such as ``3 Mar 1950``,
      ISO date-times) and ages over 89, which are replaced by ``[REDACTED]``.

    Pattern scanning of free text is a teaching aid, not a guarantee: names, addresses,
    relatives and rare facts written in prose have no pattern. Every column left that
    holds prose (or is named as notes or comments), every column whose name says nothing
    (no letters) and every column whose values are all distinct codes (possibly rule R,
    "any other unique identifying number") is therefore reported with status
    ``"needs review"`` instead of being passed as safe. Rule R needs judgement: a study
    code that is not derived from identifiers may stay (45 CFR 164.514(c)); list such
    columns in ``keep``.

    Parameters
    ----------
    table
        Records about people, one per row; column names unique.
    zip3_population
        Population of each three-digit ZIP area (keys such as ``"021"``, or numbers).
    keep
        Column name(s) to leave untouched (for example a random study identifier).
    reference_year
        Year in which ages are computed from birth years (default
        :data:`genshare._facts.REFERENCE_YEAR`, the synthetic world's "today").

    Returns
    -------
    released : pandas.DataFrame
        The table with identifiers removed or transformed, index reset.
    report : pandas.DataFrame
        One row per finding (see :data:`REPORT_COLUMNS`): ``column``, ``identifier`` (the
        rule's letter, ``"?"`` when unknown), ``action``, ``cells`` and ``status``:
        ``"done"`` for a change made, ``"needs review"`` for what the function could not
        decide (see :func:`needs_review`).

    Raises
    ------
    ValueError
        If ``table`` is not a DataFrame or has repeated column names, ``keep`` names a
        column it lacks, ``zip3_population`` is not a mapping of ZIP3 areas to whole
        numbers, or ``reference_year`` is not a whole number.

    Examples
    --------
    >>> t = pd.DataFrame({"name": ["Ann Lee"], "zip5": ["39011"], "age": [93], "note": ["call 555-123-4567"]})
    >>> released, report = safe_harbor(t, {"390": 25_000})
    >>> released.to_dict("records")
    [{'zip3': '390', 'age': '90+', 'note': 'call [REDACTED]'}]
    >>> needs_review(report)[["column", "action"]].to_dict("records")  # doctest: +ELLIPSIS
    [{'column': 'note', 'action': 'free text: scanned for patterns only, ...'}]
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"table must be a pandas DataFrame; got {type(table).__name__}")
    repeated = sorted({str(c) for c in table.columns[table.columns.duplicated()]})
    if repeated:
        raise ValueError(f"table has repeated column name(s) {', '.join(repeated)}; names must be unique")
    keep = _as_columns(keep, "keep")
    unknown = [str(c) for c in keep if c not in table.columns]
    if unknown:
        raise ValueError(f"keep names column(s) not in the table: {', '.join(unknown)}")
    if _integral(reference_year) is None or isinstance(reference_year, float):
        raise ValueError(f"reference_year must be a whole number such as 2026; got {reference_year!r}")
    populations = _zip3_populations(zip3_population)
    out = table.reset_index(drop=True)
    report: list[tuple[str, str, str, int, str]] = []

    def note(column: object, letter: str, action: str, cells: int, status: str = _DONE) -> None:
        report.append((str(column), letter, action, int(cells), status))

    kinds: dict[object, str] = {}
    letters: dict[object, str] = {}
    for column in table.columns:
        if column in keep:
            continue
        vocabulary = _vocabulary(column)
        letter = _identifier_letter(vocabulary)
        if letter is not None:
            kinds[column], letters[column] = "identifier", letter
        elif vocabulary & _ZIP_WORDS:
            kinds[column] = "zip"
        elif vocabulary & _AGE_WORDS:
            kinds[column] = "age"
        elif vocabulary & _DATE_WORDS:
            kinds[column] = "birth date" if vocabulary & _BIRTH_WORDS else "date"
        elif pd.api.types.is_datetime64_any_dtype(table[column]) or (
            table[column].notna().any()
            and table[column].dropna().map(lambda v: isinstance(v, (date, np.datetime64))).all()
        ):
            kinds[column] = "date"  # dates under a name that does not say so
        else:
            kinds[column] = "other"

    # Ages first, then birth years: together they decide whose birth year may stay.
    over_89 = pd.Series(False, index=out.index)
    for column in [c for c, kind in kinds.items() if kind == "age"]:
        released, over, _, pooled, unreadable = _release_ages(out[column])
        over_89 |= over
        out[column] = released
        note(column, "C", "ages over 89 pooled as 90+", pooled)
        if unreadable:
            note(column, "C", "ages that could not be read removed (counted as possibly over 89)", unreadable)
    years: dict[object, tuple[pd.Series, int]] = {}
    for column in [c for c, kind in kinds.items() if kind in ("date", "birth date")]:
        years[column] = _release_years(out[column])
        if kinds[column] == "birth date":
            over_89 |= (reference_year - years[column][0] > 89).fillna(False).astype(bool)

    for column in list(table.columns):
        kind = kinds.get(column)
        if kind == "identifier":
            out = out.drop(columns=column)
            note(column, letters[column], "column removed", len(table))
        elif kind == "zip":
            digits = 3 if "zip3" in _vocabulary(column) else 5
            zip3 = out[column].map(lambda v, digits=digits: _read_zip3(v, digits))
            unreadable = int((zip3 == "").sum())
            allowed = zip3.map(lambda z: isinstance(z, str) and populations.get(z, 0) > ZIP3_MIN_POPULATION)
            new = _text_series(
                [z if ok else "000" for z, ok in zip(zip3.tolist(), allowed.tolist(), strict=True)], out.index
            )
            new = new.where(zip3.notna())
            position = out.columns.get_loc(column)
            out = out.drop(columns=column)
            out.insert(position, _free_name(out.columns, "zip3"), new)
            note(
                column, "B", "replaced by ZIP3 (000 where the area has 20,000 people or fewer)", int(zip3.notna().sum())
            )
            note(column, "B", "ZIP3 set to 000", int((~allowed & zip3.notna()).sum()))
            if unreadable:
                note(column, "B", "values that could not be read as ZIP codes set to 000", unreadable)
        elif kind in ("date", "birth date"):
            year, unreadable = years[column]
            hide = over_89 if kind == "birth date" else pd.Series(False, index=out.index)
            year = year.mask(hide)
            position = out.columns.get_loc(column)
            out = out.drop(columns=column)
            out.insert(position, _free_name(out.columns, f"{column}_year"), year)
            note(column, "C", "date reduced to year", len(table))
            if unreadable:
                note(column, "C", "values that could not be read as dates removed", unreadable)
            if hide.any():
                note(column, "C", "year removed for ages over 89", int(hide.sum()))

    # Identifier patterns in whatever text remains, then what cannot be vouched for.
    for column in [c for c, kind in kinds.items() if kind == "other"]:
        values = out[column]
        redacted = prose = False
        if values.map(lambda v: isinstance(v, str)).any():
            scanned, hits = _scan_text(values)
            for letter, cells in hits:
                note(column, letter, f"{IDENTIFIER_TYPES[letter]} found in text and redacted", cells)
                redacted = True
            if redacted:
                out[column] = scanned
            prose = _looks_like_prose(values) or bool(_vocabulary(column) & _FREE_TEXT_WORDS)
            if prose or redacted:
                cells = int(values.map(lambda v: isinstance(v, str) and bool(v.strip())).sum())
                note(
                    column,
                    "?",
                    "free text: scanned for patterns only, names, places and other identifiers in prose "
                    "are not found this way; read it before release",
                    cells,
                    _REVIEW,
                )
        odd = values.map(
            lambda v: not (_is_missing(v) or isinstance(v, (str, int, float, np.number, date, np.datetime64)))
        )
        if odd.any():
            note(
                column,
                "?",
                "values the scan cannot read (such as bytes, lists or objects); check them before release",
                int(odd.sum()),
                _REVIEW,
            )
        if not re.search(r"[A-Za-z]", str(column)):
            note(
                column, "?", "the column name does not say what it holds; check it before release", len(table), _REVIEW
            )
        if not (prose or redacted) and _may_be_unique_code(values):
            note(
                column,
                "R",
                "every value is a distinct code or number, possibly a unique identifier (rule R); "
                "list it in keep if it is a random study code",
                int(values.notna().sum()),
                _REVIEW,
            )
    return out.reset_index(drop=True), pd.DataFrame(report, columns=REPORT_COLUMNS)
