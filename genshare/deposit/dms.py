"""An outline of an NIH Data Management and Sharing (DMS) Plan, generated from a study's facts.

The NIH Policy for Data Management and Sharing (NOT-OD-21-013, in effect since 25 January
2023) requires a DMS Plan for NIH-funded research that generates scientific data. The
elements of the Plan were first set by NOT-OD-21-014 (six narrative elements). As of
24 November 2026 those elements are superseded by NOT-OD-26-046 (released 25 February 2026):
for applications due on or after 25 May 2026 the Plan is a structured format page, answered
mostly yes or no, with a short text on limitations and a table of data types and
repositories. The policy itself is unchanged. For research under the Genomic Data Sharing (GDS)
Policy the outline adds, after the six elements, the GDS Policy's own expectations (an
Institutional Certification of each consent group's data-use limitations, registration in
dbGaP); these are not a numbered element of the format page.

:func:`dms_plan` fills that structure from the facts of a deposit (the repository from the
module's catalogue, the access tier, the consent groups and the dates), in the module's own
words. It is an outline to start from, not the official form: copy the answers into the
current NIH format page and check them against the funding opportunity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from genshare.catalogue import load_catalogue
from genshare.deposit.consent import DEFAULT_GROUPS, ConsentGroup

__all__ = ["ELEMENTS", "StudyFacts", "dms_plan", "dms_plan_markdown"]

#: The six elements of a DMS Plan under NOT-OD-26-046, as of 24 November 2026 (paraphrased), then the
#: GDS Policy's expectations (https://datascience.cancer.gov/data-sharing/submitting-data/key-documents).
ELEMENTS = (
    ("1", "Will the scientific data be shared to the maximum appropriate extent?"),
    ("2", "Will the data be shared by publication, or by the end of the period of performance for other findings?"),
    ("3", "Will the data stay available for at least as long as the repository's or journal's policy requires?"),
    (
        "4",
        "If not, or if sharing is limited in another way: "
        "the limitations and their ethical, legal or technical reasons",
    ),
    (
        "5",
        "For data from human participants: will their privacy, rights and confidentiality be protected "
        "(NOT-OD-22-213), including by access controls?",
    ),
    ("6", "The key types of scientific data, and the repository where each will be shared"),
    # Not an element of the format page: the GDS Policy's own expectations, added by this outline.
    (
        "GDS",
        "For research under the NIH Genomic Data Sharing Policy: Institutional Certification and dbGaP registration",
    ),
)
_TIERS = ("open", "registered", "controlled")


@dataclass(frozen=True)
class StudyFacts:
    """What the plan is generated from.

    Attributes
    ----------
    title
        The study's title.
    repository
        Its id in the repository catalogue (``data/repositories.csv``), e.g. ``"dbgap"``.
    tier
        ``"open"``, ``"registered"`` or ``"controlled"``.
    n_subjects, n_not_consented
        Participants enrolled, and those of them who did not consent to sharing.
    groups
        The consent groups (:class:`~genshare.deposit.ConsentGroup`).
    data_types
        ``(data type, format)`` pairs, e.g. ``("human genomic data: genotypes", "VCF")``.
    first_publication, end_of_award
        Expected dates; sharing is due by the earlier.
    gds_policy
        Whether the NIH Genomic Data Sharing Policy applies (large-scale human genomic data).
    """

    title: str
    repository: str
    tier: str
    n_subjects: int
    n_not_consented: int
    groups: tuple[ConsentGroup, ...] = DEFAULT_GROUPS
    data_types: tuple[tuple[str, str], ...] = (
        ("human genomic data: genome-wide SNP genotypes", "VCF (bgzip), sample ids as in the mapping"),
        (
            "human phenotype data: age, type 2 diabetes status, BMI, comorbidity",
            "dbGaP data sets with data dictionaries",
        ),
    )
    first_publication: date = date(2028, 6, 30)
    end_of_award: date = date(2029, 3, 31)
    gds_policy: bool = True
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.tier not in _TIERS:
            raise ValueError(f"tier must be one of {', '.join(_TIERS)}; got {self.tier!r}")
        if not (
            isinstance(self.n_subjects, int)
            and isinstance(self.n_not_consented, int)
            and 0 <= self.n_not_consented <= self.n_subjects
        ):
            raise ValueError(
                "n_subjects and n_not_consented must be whole numbers with 0 <= n_not_consented <= n_subjects"
            )
        if not self.groups:
            raise ValueError("a plan needs the study's consent groups")
        if not all(isinstance(d, date) for d in (self.first_publication, self.end_of_award)):
            raise ValueError("first_publication and end_of_award must be dates")


def dms_plan(facts: StudyFacts) -> pd.DataFrame:
    """Answer the DMS Plan elements (:data:`ELEMENTS`) from a study's facts.

    Fails closed: a repository not in the catalogue, or restricted consent groups planned for
    an open tier or for a repository that does not offer controlled access, is an error
    rather than a plan that promises what the consent does not allow.

    Returns
    -------
    pandas.DataFrame
        One row per element: ``element``, ``question``, ``answer``.

    Raises
    ------
    ValueError
        As above, naming the fact at fault.

    Examples
    --------
    >>> facts = StudyFacts("A study", "dbgap", "controlled", n_subjects=100, n_not_consented=2)
    >>> dms_plan(facts).loc[0, "answer"][:3]
    'Yes'
    """
    if not isinstance(facts, StudyFacts):
        raise ValueError("facts must be a StudyFacts")
    catalogue = load_catalogue().set_index("id")
    if facts.repository not in catalogue.index:
        raise ValueError(
            f"repository {facts.repository!r} is not in the catalogue; choose one of {', '.join(catalogue.index)}"
        )
    repo = catalogue.loc[facts.repository]
    restricted = [g.label for g in facts.groups if g.duo[0] != "NRES"]
    if restricted and facts.tier == "open":
        raise ValueError(f"consent groups {', '.join(restricted)} restrict use: their data cannot go to the open tier")
    if facts.tier == "controlled" and repo["individual_level_access"] not in ("controlled", "depends"):
        raise ValueError(
            f"{repo['name']} does not offer controlled access (catalogue: {repo['individual_level_access']})"
        )
    due = min(facts.first_publication, facts.end_of_award)
    shared = facts.n_subjects - facts.n_not_consented
    groups = "; ".join(f"group {g.code} {g.label} (DUO: {', '.join(g.duo)})" for g in facts.groups)
    answers = [
        f"Yes. Individual-level genotypes and phenotypes of the {shared} consenting participants, in {repo['name']}.",
        f"Yes. By {due.isoformat()}: the earlier of the first publication ({facts.first_publication.isoformat()}) "
        f"and the end of the award ({facts.end_of_award.isoformat()}).",
        f"Yes. For as long as {repo['name']} keeps the study ({repo['url']}).",
        f"Access is {facts.tier}: participants consented to limited uses, recorded per consent group: {groups}. "
        f"The {facts.n_not_consented} participants who did not consent to sharing are left out. "
        "Genotypes can identify people and their relatives even without names, so individual-level data are not open.",
        "Yes. Direct identifiers are removed (HIPAA Safe Harbor checked on every phenotype file), ids are study codes, "
        f"and access is through {repo['name']}'s controlled-access route: "
        f"{repo['controlled_access_route'] or 'none stated'}.",
        "; ".join(f"{kind} ({form}) in {repo['name']}" for kind, form in facts.data_types) + ".",
        (
            "Yes. The institution's Institutional Certification states the data-use limitations of each consent group; "
            "the funding institute's Genomic Program Administrator registers the study in dbGaP."
            if facts.gds_policy
            else "Not applicable: the GDS Policy does not apply."
        ),
    ]
    return pd.DataFrame({"element": [e for e, _ in ELEMENTS], "question": [q for _, q in ELEMENTS], "answer": answers})


def dms_plan_markdown(facts: StudyFacts) -> str:
    """The plan as Markdown, one heading per element, headed by the study's title and the sources."""
    plan = dms_plan(facts)
    lines = [
        f"# Data Management and Sharing Plan (outline): {facts.title}",
        "",
        "Elements of NOT-OD-26-046 (applications due on or after 25 May 2026), "
        "under the NIH DMS Policy NOT-OD-21-013; status as of 24 November 2026.",
        "",
    ]
    for row in plan.itertuples(index=False):
        heading = f"Element {row.element}" if row.element.isdigit() else "Genomic Data Sharing Policy"
        lines += [f"## {heading}. {row.question}", "", row.answer, ""]
    return "\n".join(lines)
