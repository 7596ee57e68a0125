"""Data-use conditions with the GA4GH Data Use Ontology (DUO), and checking a request against them.

A dataset's conditions are a list of DUO codes: exactly one *permission* (what kinds of
research are allowed: NRES, GRU, HMB, DS, POA) and any number of *modifiers* (extra
conditions such as IRB, NPUNCU, GS, PUB). Codes that take a parameter are written
``CODE:value``, for example ``DS:type 2 diabetes``, ``GS:United States``, ``TS:12``.
The terms and their identifiers are in ``data/duo_terms.csv``.

:func:`check_request` says whether a proposed research purpose fits a dataset's
conditions: ``"permitted"`` (with the obligations that come with it), ``"refused"`` (with
every reason) or, failing closed, ``"needs review"`` when a condition cannot be evaluated
or depends on something the request does not state. It mirrors the first screening a
Data Access Committee does; it does not replace the committee. The data-use rules of the
module (DUO codes and their parameters, dbGaP consent-label grammar) live here;
:mod:`genshare.catalogue` calls :func:`parse_conditions`, :func:`split_conditions` and
:func:`consent_label_to_duo` to validate its tables.
:func:`consent_label_to_duo` translates dbGaP consent-group labels such as
``HMB-IRB-NPU-MDS`` into DUO codes, and :func:`screen_datasets` screens one purpose against
every dataset in the data-use table (``data/data_use.csv``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple, cast

import numpy as np
import pandas as pd

from genshare.paths import data_dir

__all__ = [
    "OUTCOMES",
    "PURPOSE_KINDS",
    "Decision",
    "ResearchPurpose",
    "check_request",
    "consent_label_to_duo",
    "duo_terms",
    "parse_conditions",
    "screen_datasets",
    "split_conditions",
]

DUO_FILE = data_dir() / "duo_terms.csv"

#: Kinds of research purpose a request can state.
PURPOSE_KINDS = {
    "disease": "research on a named disease",
    "health": "other health, medical or biomedical research",
    "ancestry": "research on population origins or ancestry",
    "methods": "development of methods, software or algorithms",
    "other": "research outside health and biomedicine",
}
_PERMITTED_KINDS = {
    "NRES": set(PURPOSE_KINDS),
    "GRU": set(PURPOSE_KINDS),
    "HMB": {"disease", "health", "methods"},
    "DS": {"disease", "methods"},
    "POA": {"ancestry"},
}


#: What :func:`check_request` can conclude, from best to worst for the requester. A screen
#: fails closed: a condition it cannot evaluate, or a fact the request does not state,
#: gives "needs review" (for the Data Access Committee), never "permitted".
OUTCOMES = ("permitted", "needs review", "refused")


class _Term(NamedTuple):
    id: str
    shorthand: str
    kind: str
    parameter: str


@lru_cache(maxsize=1)
def _read_duo_terms() -> tuple[tuple[dict[str, str], ...], dict[str, _Term], dict[str, str]]:
    """The DUO terms file, read once per process: rows, terms by shorthand, shorthand by id."""
    with DUO_FILE.open(newline="", encoding="utf-8") as handle:
        rows = tuple(csv.DictReader(handle))
    by_code = {row["shorthand"]: _Term(row["id"], row["shorthand"], row["kind"], row["parameter"]) for row in rows}
    by_id = {row["id"]: row["shorthand"] for row in rows}
    return rows, by_code, by_id


def duo_terms() -> pd.DataFrame:
    """The DUO terms the module uses: ``id``, ``shorthand``, ``label``, ``kind``, ``parameter``,
    ``meaning``, ``source``.

    The file is read once per process; each call returns a fresh copy.

    Examples
    --------
    >>> terms = duo_terms().set_index("shorthand")
    >>> terms.loc["HMB", "id"]
    'DUO:0000006'
    """
    return pd.DataFrame(list(_read_duo_terms()[0]))


def _flag(value: object, name: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ValueError(f"{name} must be True, False or None (not stated); got {value!r}")


def _text(value: object, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text or None (not stated); got {value!r}")
    return value.strip() or None


@dataclass(frozen=True)
class ResearchPurpose:
    """What a requester proposes to do.

    Every fact except ``kind`` may be left as ``None``, meaning *not stated*. A condition
    that depends on a fact the request does not state cannot be checked, so the request
    then needs review by the Data Access Committee; it is never permitted by default.

    Attributes
    ----------
    kind
        One of :data:`PURPOSE_KINDS`.
    disease
        The disease studied: required for ``kind="disease"``; for ``kind="methods"``, the
        disease the methods are developed for, if any.
    genetic
        Whether the study analyses genotypes (not phenotypes alone); checked by GSO.
    commercial
        Whether the use is commercial; checked by NCU and NPUNCU.
    for_profit_organisation
        Whether the requester's organisation is for-profit; checked by NPU and NPUNCU.
    ethics_approval
        Whether the requester has approval from their own ethics committee; checked by IRB.
    region
        Where the data will be used; checked by GS.
    months
        How long the data will be used, a whole number of at least 1; checked by TS.
    clinical_care
        Whether the data will also inform the care of patients (every kind of purpose is
        research; this says whether there is clinical use besides).

    Raises
    ------
    ValueError
        For an unknown kind, a disease purpose without a disease, or a fact of the wrong
        type (``ethics_approval="no"``, ``months=float("nan")``), naming the field.
    """

    kind: str
    disease: str | None = None
    genetic: bool | None = None
    commercial: bool | None = None
    for_profit_organisation: bool | None = None
    ethics_approval: bool | None = None
    region: str | None = None
    months: int | None = None
    clinical_care: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or self.kind not in PURPOSE_KINDS:
            raise ValueError(f"unknown research purpose kind {self.kind!r}; choose one of: {', '.join(PURPOSE_KINDS)}")
        for name in ("genetic", "commercial", "for_profit_organisation", "ethics_approval"):
            object.__setattr__(self, name, _flag(getattr(self, name), name))
        if not isinstance(self.clinical_care, (bool, np.bool_)):
            raise ValueError(f"clinical_care must be True or False; got {self.clinical_care!r}")
        object.__setattr__(self, "clinical_care", bool(self.clinical_care))
        for name in ("disease", "region"):
            object.__setattr__(self, name, _text(getattr(self, name), name))
        if self.kind == "disease" and not self.disease:
            raise ValueError("a disease research purpose must name the disease")
        months = self.months
        if months is not None:
            if isinstance(months, (bool, np.bool_)) or not isinstance(months, (int, np.integer)):
                raise ValueError(
                    f"months must be a whole number of months (at least 1) or None (not stated); got {months!r}"
                )
            if months < 1:
                raise ValueError(f"months must be at least 1; got {months}")
            object.__setattr__(self, "months", int(months))


@dataclass(frozen=True)
class Decision:
    """The outcome of :func:`check_request`; true only when the request is permitted.

    Attributes
    ----------
    outcome
        One of :data:`OUTCOMES`: ``"refused"`` when any condition is not met, else
        ``"needs review"`` when any condition could not be evaluated, else ``"permitted"``.
    reasons
        Why the request is refused: every unmet condition.
    obligations
        What a permitted requester must do.
    review
        What the Data Access Committee must still decide: conditions this screen cannot
        evaluate (RS, US, PS, IS) and conditions that depend on facts the request does
        not state.
    """

    outcome: str
    reasons: tuple[str, ...] = field(default_factory=tuple)
    obligations: tuple[str, ...] = field(default_factory=tuple)
    review: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}; got {self.outcome!r}")

    @property
    def permitted(self) -> bool:
        """True only for the outcome ``"permitted"``."""
        return self.outcome == "permitted"

    def __bool__(self) -> bool:
        return self.permitted


def _check_parameter(code: str, value: str, text: str) -> str:
    """Refuse a malformed parameter when the conditions are read, not when a request is checked."""
    if code == "TS":
        if not re.fullmatch(r"[0-9]+", value) or int(value) < 1:
            raise ValueError(f"TS needs a whole number of months of at least 1, written TS:12; got {text!r}")
        return str(int(value))
    if code == "MOR":
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                raise ValueError(value)
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"MOR needs a date written YYYY-MM-DD, as in MOR:2027-01-01; got {text!r}") from None
    return value


def parse_conditions(conditions: Iterable[str]) -> dict[str, str | None]:
    """Turn codes such as ``["DS:type 2 diabetes", "IRB"]`` (or DUO ids) into {shorthand: parameter}.

    Parameters are checked here: ``TS`` takes a whole number of months (``TS:12``) and
    ``MOR`` a date (``MOR:2027-01-01``); ``DS`` and ``GS`` take any non-empty text.

    Raises
    ------
    ValueError
        For conditions that are not a list of codes, an unknown code, a missing,
        unexpected or malformed parameter, a repeated code, or not exactly one permission.

    Examples
    --------
    >>> parse_conditions(["HMB", "TS:12", "DUO:0000021"])
    {'HMB': None, 'TS': '12', 'IRB': None}
    """
    _, by_code, by_id = _read_duo_terms()
    if isinstance(conditions, (str, bytes)):
        raise ValueError("conditions must be a list of codes, e.g. ['HMB', 'IRB'], not a single string")
    try:
        items = list(conditions)
    except TypeError:
        raise ValueError(f"conditions must be a list of codes, e.g. ['HMB', 'IRB']; got {conditions!r}") from None
    parsed: dict[str, str | None] = {}
    for raw in items:
        if not isinstance(raw, str):
            raise ValueError(f"each data-use code must be text such as 'HMB'; got {raw!r}")
        text = raw.strip()
        if text.upper().startswith("DUO:"):
            code, value = by_id.get(text.upper(), text), None
        else:
            code, _, value = text.partition(":")
            code, value = code.strip().upper(), (value.strip() or None)
        if code not in by_code:
            raise ValueError(f"unknown data-use code {text!r}; known codes: {', '.join(sorted(by_code))}")
        needs = by_code[code].parameter
        if needs and not value:
            raise ValueError(f"{code} needs a {needs}, written {code}:<{needs}>")
        if not needs and value:
            raise ValueError(f"{code} takes no parameter; got {text!r}")
        if value:
            value = _check_parameter(code, value, text)
        if code in parsed:
            raise ValueError(f"data-use code {code} is given twice")
        parsed[code] = value
    permissions = [code for code in parsed if by_code[code].kind == "permission"]
    if len(permissions) != 1:
        raise ValueError(
            f"conditions need exactly one permission (NRES, GRU, HMB, DS or POA); got {permissions or 'none'}"
        )
    return parsed


# Conditions the screen cannot evaluate: they name people, projects, institutions or
# research types that only the Data Access Committee can approve.
_COMMITTEE_DECIDES = {
    "US": "US: only users the data provider approves by name may use the data; "
    "the committee must approve the named users",
    "PS": "PS: use is limited to a project the data provider approves; the committee must approve this project",
    "IS": "IS: use is limited to approved institutions; the committee must check the requester's institution",
    "RS": "RS: the data provider restricts the research type in terms this screen cannot read; the committee decides",
}
_OBLIGATIONS = {
    "PUB": "make your results available to the scientific community",
    "COL": "collaborate with the study's investigators",
    "RTN": "return derived or enriched data to the resource",
}
_EVALUATED = {
    "NRES",
    "GRU",
    "HMB",
    "DS",
    "POA",
    "NPOA",
    "NMDS",
    "GSO",
    "CC",
    "NCU",
    "NPU",
    "NPUNCU",
    "IRB",
    "GS",
    "TS",
    "MOR",
    *_COMMITTEE_DECIDES,
    *_OBLIGATIONS,
}


def check_request(dataset_conditions: Iterable[str], research_purpose: ResearchPurpose) -> Decision:
    """Say whether a research purpose is permitted under a dataset's data-use conditions.

    The screen fails closed. A condition the request does not meet refuses it; a
    condition that depends on a fact the request does not state (``None`` in
    :class:`ResearchPurpose`), or that only the Data Access Committee can judge (RS, US,
    PS, IS), makes it ``"needs review"``. Only a request that meets every condition is
    ``"permitted"``, with the obligations the conditions impose. Regions (GS) and
    diseases (DS) are compared as text, ignoring case.

    Parameters
    ----------
    dataset_conditions
        DUO codes, as accepted by :func:`parse_conditions`.
    research_purpose
        What the requester proposes to do.

    Returns
    -------
    Decision
        ``outcome``, ``reasons`` (refusals), ``obligations`` and ``review`` (open questions).

    Examples
    --------
    >>> purpose = ResearchPurpose(kind="disease", disease="type 2 diabetes", ethics_approval=True)
    >>> check_request(["DS:type 2 diabetes", "IRB"], purpose).outcome
    'permitted'
    >>> check_request(["HMB"], ResearchPurpose(kind="ancestry")).reasons
    ('HMB allows health, medical or biomedical research only, not research on population origins or ancestry',)
    >>> check_request(["GRU", "NPU"], ResearchPurpose(kind="health")).outcome  # profit status not stated
    'needs review'
    """
    if not isinstance(research_purpose, ResearchPurpose):
        raise ValueError("research_purpose must be a ResearchPurpose")
    conditions = parse_conditions(dataset_conditions)
    purpose = research_purpose
    reasons: list[str] = []
    obligations: list[str] = []
    review: list[str] = []
    permission = next(code for code in conditions if code in _PERMITTED_KINDS)

    if purpose.kind not in _PERMITTED_KINDS[permission]:
        allowed = {
            "HMB": "health, medical or biomedical research only",
            "DS": f"research on {conditions.get('DS')} only (or methods for it)",
            "POA": "research on population origins or ancestry only",
        }[permission]
        reasons.append(f"{permission} allows {allowed}, not {PURPOSE_KINDS[purpose.kind]}")
    if permission == "DS" and purpose.kind in {"disease", "methods"}:
        if not purpose.disease:
            reasons.append(f"DS limits use to research on {conditions['DS']}; the request names no disease")
        elif purpose.disease.lower() != str(conditions["DS"]).strip().lower():
            reasons.append(f"DS limits use to research on {conditions['DS']}; the request studies {purpose.disease}")
    if "NPOA" in conditions and purpose.kind == "ancestry":
        reasons.append("NPOA prohibits research on population origins or ancestry")
    if "NMDS" in conditions and purpose.kind == "methods":
        reasons.append("NMDS prohibits methods development with these data")
    if "GSO" in conditions:
        if purpose.genetic is False:
            reasons.append("GSO allows genetic studies only; the request does not analyse genotypes")
        elif purpose.genetic is None:
            review.append("GSO allows genetic studies only; the request does not say whether it analyses genotypes")
    if purpose.clinical_care and "CC" not in conditions and permission != "NRES":
        reasons.append("the data are consented for research; use in clinical care needs the CC condition")
    for code, fact, refusal, question in [
        (
            "NCU",
            "commercial",
            "prohibits commercial use",
            "prohibits commercial use; the request does not say whether its use is commercial",
        ),
        (
            "NPU",
            "for_profit_organisation",
            "allows not-for-profit organisations only",
            "allows not-for-profit organisations only; the request does not say whether its organisation is for-profit",
        ),
    ]:
        applies = [c for c in (code, "NPUNCU") if c in conditions]
        if applies:
            value = getattr(purpose, fact)
            if value is True:
                reasons.append(f"{applies[0]} {refusal}")
            elif value is None:
                review.append(f"{applies[0]} {question}")
    if "IRB" in conditions:
        if purpose.ethics_approval is True:
            obligations.append("provide documentation of your ethics committee's approval (IRB)")
        elif purpose.ethics_approval is False:
            reasons.append("IRB requires approval from the requester's own ethics committee, which the request lacks")
        else:
            review.append(
                "IRB requires approval from the requester's own ethics committee; "
                "the request does not say whether it has one"
            )
    if "GS" in conditions:
        if purpose.region is None:
            review.append(f"GS limits use to {conditions['GS']}; the request does not say where the data will be used")
        elif purpose.region.lower() != str(conditions["GS"]).strip().lower():
            reasons.append(f"GS limits use to {conditions['GS']}; the request is for {purpose.region}")
    if "TS" in conditions:
        limit = int(cast(str, conditions["TS"]))  # parse_conditions requires TS:<months>
        if purpose.months is None:
            review.append(f"TS limits use to {limit} months; the request does not say for how long")
        elif purpose.months > limit:
            reasons.append(f"TS limits use to {limit} months; the request asks for {purpose.months}")
        else:
            obligations.append(f"stop using the data after {limit} months")
    for code, duty in _OBLIGATIONS.items():
        if code in conditions:
            obligations.append(duty)
    if "MOR" in conditions:
        obligations.append(f"do not publish before {conditions['MOR']}")
    for code, question in _COMMITTEE_DECIDES.items():
        if code in conditions:
            review.append(question)
    for code in conditions:
        if code not in _EVALUATED:  # a term added to duo_terms.csv that this screen does not know how to check
            review.append(f"{code}: this screen cannot evaluate the condition; the committee decides")
    outcome = "refused" if reasons else "needs review" if review else "permitted"
    return Decision(outcome=outcome, reasons=tuple(reasons), obligations=tuple(obligations), review=tuple(review))


#: dbGaP consent-label parts and the DUO codes they become. MDS (methods development
#: included) is a permission in dbGaP's labels with no DUO code of its own: DUO marks the
#: opposite, NMDS.
_DBGAP_ROOTS = {"GRU": "GRU", "HMB": "HMB", "DS": "DS"}
_DBGAP_MODIFIERS = {"IRB": "IRB", "NPU": "NPU", "PUB": "PUB", "COL": "COL", "GSO": "GSO", "MDS": None}


def split_conditions(text: str | None) -> list[str]:
    """Split ``"HMB; IRB"`` (the data-use table's format) into ``["HMB", "IRB"]``; empty gives ``[]``.

    Examples
    --------
    >>> split_conditions("DS:CVD; IRB")
    ['DS:CVD', 'IRB']
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return []
    return [part.strip() for part in str(text).split(";") if part.strip()]


def consent_label_to_duo(label: str) -> list[str]:
    """Translate a dbGaP consent-group label into DUO codes.

    A label is a root (``GRU``, ``HMB`` or ``DS-<disease>``) followed by modifiers
    (``IRB``, ``NPU``, ``PUB``, ``COL``, ``GSO``, ``MDS``), joined by hyphens.
    ``MDS`` says methods development *is* included. A restricted root (HMB or DS) without
    it does not list methods development among the allowed uses, so the translation adds
    DUO's NMDS: a screen then refers methods requests to the Data Access Committee rather
    than approving them. The disease stays as dbGaP abbreviates it (``DS-CVD`` becomes
    ``DS:CVD``).

    Many studies use labels of their own (for example one naming a single investigator).
    Those raise an error rather than a guess: read the study's use-limitation text.

    Parameters
    ----------
    label
        The label, for example ``"HMB-IRB-NPU-MDS"``.

    Returns
    -------
    list of str
        The permission first, then the modifiers in the label's order, then NMDS if added.

    Raises
    ------
    ValueError
        For an empty label, an unknown root or modifier, a DS root without a disease, or
        a repeated modifier.

    Examples
    --------
    >>> consent_label_to_duo("HMB-IRB-NPU-MDS")
    ['HMB', 'IRB', 'NPU']
    >>> consent_label_to_duo("DS-CVD-IRB")
    ['DS:CVD', 'IRB', 'NMDS']
    """
    if not isinstance(label, str) or not label.strip():
        raise ValueError("a consent label must be a non-empty string such as 'HMB-IRB'")
    parts = label.strip().upper().split("-")
    root, rest = parts[0], parts[1:]
    if root not in _DBGAP_ROOTS:
        raise ValueError(
            f"consent label {label!r} starts with {root!r}, not a standard root ({', '.join(_DBGAP_ROOTS)}); "
            "read the study's use-limitation text"
        )
    codes = [root]
    if root == "DS":
        if not rest or not rest[0] or rest[0] in _DBGAP_MODIFIERS:
            raise ValueError(f"consent label {label!r}: DS must be followed by a disease, as in DS-CVD")
        codes = [f"DS:{rest[0]}"]
        rest = rest[1:]
    seen: set[str] = set()
    for part in rest:
        if part not in _DBGAP_MODIFIERS:
            raise ValueError(
                f"consent label {label!r} has {part!r}, not a standard modifier ({', '.join(_DBGAP_MODIFIERS)}); "
                "read the study's use-limitation text"
            )
        if part in seen:
            raise ValueError(f"consent label {label!r} repeats {part}")
        seen.add(part)
        modifier = _DBGAP_MODIFIERS[part]
        if modifier:
            codes.append(modifier)
    if root in {"HMB", "DS"} and "MDS" not in seen:
        codes.append("NMDS")
    return codes


def screen_datasets(data_use: pd.DataFrame, research_purpose: ResearchPurpose) -> pd.DataFrame:
    """Screen one research purpose against every dataset of a data-use table.

    Parameters
    ----------
    data_use
        A table returned by :func:`genshare.catalogue.load_data_use`.
    research_purpose
        What the requester proposes to do.

    Returns
    -------
    pandas.DataFrame
        Columns ``repository``, ``dataset``, ``tier``, ``decision``, ``reasons``,
        ``review`` and ``obligations`` (each list joined with ``"; "``), in the table's
        order. ``decision`` is ``"open"`` (open tier without conditions, or NRES: no
        request needed) or the :func:`check_request` outcome: ``"permitted"``,
        ``"needs review"`` or ``"refused"``.

    Raises
    ------
    ValueError
        If ``data_use`` is not a table with the needed columns, a dataset's conditions do
        not parse (naming the dataset), or ``research_purpose`` is not a
        :class:`ResearchPurpose`.

    Examples
    --------
    >>> from genshare.catalogue import load_data_use
    >>> ancestry = ResearchPurpose(kind="ancestry")
    >>> screened = screen_datasets(load_data_use(), ancestry).set_index("dataset")
    >>> screened.loc["Framingham Cohort, consent group 1", "decision"]
    'refused'
    """
    if not isinstance(research_purpose, ResearchPurpose):
        raise ValueError("research_purpose must be a ResearchPurpose")
    if not isinstance(data_use, pd.DataFrame):
        raise ValueError(f"data_use must be a pandas DataFrame from load_data_use(); got {type(data_use).__name__}")
    needed = ["repository", "dataset", "tier", "duo_conditions"]
    missing = [column for column in needed if column not in data_use.columns]
    if missing:
        raise ValueError(f"data_use lacks column(s) {', '.join(missing)}; load it with load_data_use()")
    rows = []
    reasons: tuple[str, ...]
    review: tuple[str, ...]
    obligations: tuple[str, ...]
    for row in data_use[needed].itertuples(index=False):
        codes = split_conditions(row.duo_conditions)
        if row.tier == "open" and (not codes or codes == ["NRES"]):
            decision, reasons, review, obligations = "open", (), (), ()
        else:
            try:
                outcome = check_request(codes, research_purpose)
            except ValueError as error:
                raise ValueError(f"data_use, dataset {row.dataset!r}, field 'duo_conditions': {error}") from None
            decision, reasons, review, obligations = (
                outcome.outcome,
                outcome.reasons,
                outcome.review,
                outcome.obligations,
            )
        rows.append(
            (
                row.repository,
                row.dataset,
                row.tier,
                decision,
                "; ".join(reasons),
                "; ".join(review),
                "; ".join(obligations),
            )
        )
    return pd.DataFrame(rows, columns=["repository", "dataset", "tier", "decision", "reasons", "review", "obligations"])
