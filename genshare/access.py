"""Data-use conditions with the GA4GH Data Use Ontology (DUO), and checking a request against them.

A dataset's conditions are a list of DUO codes: exactly one *permission* (what kinds of
research are allowed: NRES, GRU, HMB, DS, POA) and any number of *modifiers* (extra
conditions such as IRB, NPUNCU, GS, PUB). Codes that take a parameter are written
``CODE:value``, for example ``DS:type 2 diabetes``, ``GS:United States``, ``TS:12``.
The terms and their identifiers are in ``data/duo_terms.csv``.

:func:`check_request` says whether a proposed research purpose fits a dataset's
conditions, why not if it does not, and which obligations come with a yes. It mirrors
the first screening a Data Access Committee does; it does not replace the committee.
:func:`consent_label_to_duo` translates dbGaP consent-group labels such as
``HMB-IRB-NPU-MDS`` into DUO codes, and :func:`screen_datasets` screens one purpose against
every dataset in the data-use table (``data/data_use.csv``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from genshare.paths import data_dir

__all__ = [
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


def duo_terms() -> pd.DataFrame:
    """The DUO terms the module uses: ``id``, ``shorthand``, ``label``, ``kind``, ``parameter``, ``meaning``, ``source``.

    Examples
    --------
    >>> terms = duo_terms().set_index("shorthand")
    >>> terms.loc["HMB", "id"]
    'DUO:0000006'
    """
    with DUO_FILE.open(newline="", encoding="utf-8") as handle:
        return pd.DataFrame(list(csv.DictReader(handle)))


@dataclass(frozen=True)
class ResearchPurpose:
    """What a requester proposes to do.

    Attributes
    ----------
    kind
        One of :data:`PURPOSE_KINDS`.
    disease
        The disease studied: required for ``kind="disease"``; for ``kind="methods"``, the
        disease the methods are developed for, if any.
    genetic
        Whether the study analyses genotypes (not phenotypes alone).
    commercial
        Whether the use is commercial.
    for_profit_organisation
        Whether the requester's organisation is for-profit.
    ethics_approval
        Whether the requester has approval from their own ethics committee.
    region
        Where the data will be used.
    months
        How long the data will be used.
    clinical_care
        Whether the data will inform the care of patients.
    """

    kind: str
    disease: str | None = None
    genetic: bool = True
    commercial: bool = False
    for_profit_organisation: bool = False
    ethics_approval: bool = False
    region: str | None = None
    months: int = 12
    clinical_care: bool = False

    def __post_init__(self) -> None:
        if self.kind not in PURPOSE_KINDS:
            raise ValueError(f"unknown research purpose kind {self.kind!r}; choose one of: {', '.join(PURPOSE_KINDS)}")
        if self.kind == "disease" and not self.disease:
            raise ValueError("a disease research purpose must name the disease")
        if self.months < 1:
            raise ValueError(f"months must be at least 1; got {self.months}")


@dataclass(frozen=True)
class Decision:
    """The outcome of :func:`check_request`. True when the request is permitted."""

    permitted: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)
    obligations: tuple[str, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return self.permitted


def parse_conditions(conditions: Iterable[str]) -> dict[str, str | None]:
    """Turn codes such as ``["DS:type 2 diabetes", "IRB"]`` (or DUO ids) into {shorthand: parameter}.

    Raises
    ------
    ValueError
        For an unknown code, a missing or unexpected parameter, a repeated code, or not
        exactly one permission.
    """
    terms = duo_terms()
    by_code = {row.shorthand: row for row in terms.itertuples()}
    by_id = {row.id: row.shorthand for row in terms.itertuples()}
    if isinstance(conditions, str):
        raise ValueError("conditions must be a list of codes, e.g. ['HMB', 'IRB'], not a single string")
    parsed: dict[str, str | None] = {}
    for raw in conditions:
        text = str(raw).strip()
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
        if code in parsed:
            raise ValueError(f"data-use code {code} is given twice")
        parsed[code] = value
    permissions = [code for code in parsed if by_code[code].kind == "permission"]
    if len(permissions) != 1:
        raise ValueError(f"conditions need exactly one permission (NRES, GRU, HMB, DS or POA); got {permissions or 'none'}")
    return parsed


def check_request(dataset_conditions: Iterable[str], research_purpose: ResearchPurpose) -> Decision:
    """Say whether a research purpose is permitted under a dataset's data-use conditions.

    Examples
    --------
    >>> purpose = ResearchPurpose(kind="disease", disease="type 2 diabetes", ethics_approval=True)
    >>> bool(check_request(["DS:type 2 diabetes", "IRB"], purpose))
    True
    >>> check_request(["HMB"], ResearchPurpose(kind="ancestry")).reasons
    ('HMB allows health, medical or biomedical research only, not research on population origins or ancestry',)
    """
    if not isinstance(research_purpose, ResearchPurpose):
        raise ValueError("research_purpose must be a ResearchPurpose")
    conditions = parse_conditions(dataset_conditions)
    purpose = research_purpose
    reasons: list[str] = []
    obligations: list[str] = []
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
        elif purpose.disease.strip().lower() != str(conditions["DS"]).strip().lower():
            reasons.append(f"DS limits use to research on {conditions['DS']}; the request studies {purpose.disease}")
    if "NPOA" in conditions and purpose.kind == "ancestry":
        reasons.append("NPOA prohibits research on population origins or ancestry")
    if "NMDS" in conditions and purpose.kind == "methods":
        reasons.append("NMDS prohibits methods development with these data")
    if "GSO" in conditions and not purpose.genetic:
        reasons.append("GSO allows genetic studies only; the request does not analyse genotypes")
    if purpose.clinical_care and "CC" not in conditions and permission != "NRES":
        reasons.append("the data are consented for research; use in clinical care needs the CC condition")
    if ("NCU" in conditions or "NPUNCU" in conditions) and purpose.commercial:
        reasons.append(f"{'NCU' if 'NCU' in conditions else 'NPUNCU'} prohibits commercial use")
    if ("NPU" in conditions or "NPUNCU" in conditions) and purpose.for_profit_organisation:
        reasons.append(f"{'NPU' if 'NPU' in conditions else 'NPUNCU'} allows not-for-profit organisations only")
    if "IRB" in conditions:
        if purpose.ethics_approval:
            obligations.append("provide documentation of your ethics committee's approval (IRB)")
        else:
            reasons.append("IRB requires approval from the requester's own ethics committee, which the request lacks")
    if "GS" in conditions and (purpose.region or "").strip().lower() != str(conditions["GS"]).strip().lower():
        reasons.append(f"GS limits use to {conditions['GS']}; the request is for {purpose.region or 'an unstated region'}")
    if "TS" in conditions:
        limit = int(conditions["TS"])
        if purpose.months > limit:
            reasons.append(f"TS limits use to {limit} months; the request asks for {purpose.months}")
        else:
            obligations.append(f"stop using the data after {limit} months")
    for code, duty in [
        ("PUB", "make your results available to the scientific community"),
        ("COL", "collaborate with the study's investigators"),
        ("RTN", "return derived or enriched data to the resource"),
        ("US", "only the named, approved users may access the data"),
        ("PS", "use the data only in the approved project"),
        ("IS", "use the data only within the approved institution"),
        ("RS", "check the research-type restriction with the Data Access Committee"),
    ]:
        if code in conditions:
            obligations.append(duty)
    if "MOR" in conditions:
        obligations.append(f"do not publish before {conditions['MOR']}")
    return Decision(permitted=not reasons, reasons=tuple(reasons), obligations=tuple(obligations))


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
        if _DBGAP_MODIFIERS[part]:
            codes.append(_DBGAP_MODIFIERS[part])
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
        Columns ``repository``, ``dataset``, ``tier``, ``decision`` (``"open"``: no request
        needed; ``"permitted"``; ``"refused"``), ``reasons`` and ``obligations`` (each
        joined with ``"; "``), in the table's order.

    Raises
    ------
    ValueError
        If ``data_use`` lacks a needed column or ``research_purpose`` is not a
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
    needed = ["repository", "dataset", "tier", "duo_conditions"]
    missing = [column for column in needed if column not in data_use.columns]
    if missing:
        raise ValueError(f"data_use lacks column(s) {', '.join(missing)}; load it with load_data_use()")
    rows = []
    for row in data_use[needed].itertuples(index=False):
        codes = split_conditions(row.duo_conditions)
        if row.tier == "open" and (not codes or codes == ["NRES"]):
            decision, reasons, obligations = "open", (), ()
        else:
            outcome = check_request(codes, research_purpose)
            decision = "permitted" if outcome else "refused"
            reasons, obligations = outcome.reasons, outcome.obligations
        rows.append((row.repository, row.dataset, row.tier, decision, "; ".join(reasons), "; ".join(obligations)))
    return pd.DataFrame(rows, columns=["repository", "dataset", "tier", "decision", "reasons", "obligations"])
