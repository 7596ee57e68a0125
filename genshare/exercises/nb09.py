"""Checks for notebook 09 (data use conditions and access requests). These read the DUO
terms and the catalogue's data-use table, not a world."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from genshare.exercises import AnswerFormError, Context, Exercise, Form, Ids, Misconception, register


def _purpose(**facts: Any):
    from genshare.access import ResearchPurpose

    return ResearchPurpose(**facts)


_NOT_FOR_PROFIT = dict(commercial=False, for_profit_organisation=False)


class Conditions(Form):
    """A list of DUO condition codes (``["HMB", "IRB"]``, or one string ``"HMB-IRB"`` / ``"HMB, IRB"``)."""

    what = "a list of DUO condition codes, e.g. ['GRU', 'IRB']"

    def read(self, answer: Any, ctx: Context) -> tuple[str, ...]:
        from genshare.access import parse_conditions, split_conditions

        if isinstance(answer, str):
            answer = split_conditions(answer.replace("-", ";") if ":" not in answer else answer)
        if isinstance(answer, (pd.Series, pd.Index)):
            answer = answer.tolist()
        if not isinstance(answer, (list, tuple, set, frozenset)) or not all(isinstance(c, str) for c in answer):
            raise AnswerFormError(f"expected {self.what}")
        codes = tuple(sorted(c.strip() for c in answer))
        try:
            parse_conditions(codes)
        except ValueError as error:
            raise AnswerFormError(str(error)) from None
        return codes


#: What the depositor wants (exercise 09.1): each probe is a request, whether it must be
#: permitted, and the hint when the conditions decide it the other way.
_PROBES = (
    (
        "diabetes GWAS, university, IRB",
        _purpose(kind="disease", disease="type 2 diabetes", ethics_approval=True, **_NOT_FOR_PROFIT),
        True,
        "these conditions refuse the diabetes GWAS, which the participants' consent allows: health "
        "research by a university with ethics approval must remain possible.",
    ),
    (
        "ancestry study, university, IRB",
        _purpose(kind="ancestry", ethics_approval=True, **_NOT_FOR_PROFIT),
        False,
        "an ancestry study would be permitted: general research use (GRU) includes ancestry research. "
        "Participants consented to health research only, and not to ancestry research.",
    ),
    (
        "company study with IRB",
        _purpose(
            kind="disease",
            disease="type 2 diabetes",
            ethics_approval=True,
            commercial=True,
            for_profit_organisation=True,
        ),
        False,
        "a company would be permitted: participants did not want companies to use their data, so "
        "the conditions must exclude commercial use and for-profit organisations.",
    ),
    (
        "university study without IRB",
        _purpose(kind="disease", disease="asthma", ethics_approval=False, **_NOT_FOR_PROFIT),
        False,
        "a requester without their own ethics approval would be permitted: the committee asks that "
        "every user has their own approval (a condition exists for that).",
    ),
    (
        "asthma study, university, IRB",
        _purpose(kind="disease", disease="asthma", ethics_approval=True, **_NOT_FOR_PROFIT),
        True,
        "these conditions refuse an asthma study, which is health research: the participants consented "
        "to health research in general, not to research on one disease (DS).",
    ),
)

#: Conditions that put a duty or a restriction on every user. The participants and the committee
#: asked for none of these, so an answer that adds one refuses research they consented to.
_UNASKED_DUTIES = {"NMDS", "GSO", "GS", "MOR", "TS", "PUB", "COL", "RTN", "US", "PS", "IS", "RS", "CC"}


def _judge_conditions(codes: tuple[str, ...], ctx: Context) -> tuple[bool, str | None]:
    from genshare.access import check_request

    extra = sorted({code.split(":")[0] for code in codes} & _UNASKED_DUTIES)
    if extra:
        return False, (
            f"{', '.join(extra)} adds a duty or restriction that neither the participants nor the "
            "committee asked for: it would refuse or burden research they consented to."
        )
    for _, purpose, wanted, hint in _PROBES:
        outcome = check_request(list(codes), purpose).outcome
        if (outcome == "permitted") != wanted:
            return False, hint
    return True, None


register(
    Exercise(
        id="09.1",
        question="Conditions for a cohort consented to health research, no ancestry research, no companies, "
        "own ethics approval",
        form=Conditions(),
        solve=lambda ctx: ["HMB", "NPOA", "NPUNCU", "IRB"],
        judge=_judge_conditions,
        misconceptions=(
            Misconception("general research use", lambda ctx: ["GRU", "NPUNCU", "IRB"], _PROBES[1][3]),
            Misconception("companies not excluded", lambda ctx: ["HMB", "NPOA", "IRB"], _PROBES[2][3]),
            Misconception("no IRB condition", lambda ctx: ["HMB", "NPOA", "NPUNCU"], _PROBES[3][3]),
            Misconception(
                "one disease only", lambda ctx: ["DS:type 2 diabetes", "NPOA", "NPUNCU", "IRB"], _PROBES[4][3]
            ),
        ),
        uses_world=False,
    )
)


def _requests() -> dict:
    return {
        "diabetes GWAS, university, IRB": _purpose(
            kind="disease", disease="type 2 diabetes", ethics_approval=True, **_NOT_FOR_PROFIT
        ),
        "asthma study, university, IRB": _purpose(
            kind="disease", disease="asthma", ethics_approval=True, **_NOT_FOR_PROFIT
        ),
        "ancestry study, university": _purpose(kind="ancestry", **_NOT_FOR_PROFIT),
        "new imputation software, company": _purpose(
            kind="methods", commercial=True, for_profit_organisation=True, ethics_approval=False
        ),
        "clinical risk tool for patients": _purpose(kind="health", clinical_care=True, ethics_approval=True),
    }


#: How long each request of section 2 needs the data, in months (exercise 09.2 states them).
MONTHS_NEEDED = {
    "diabetes GWAS, university, IRB": 24,
    "asthma study, university, IRB": 12,
    "ancestry study, university": 6,
    "new imputation software, company": 12,
    "clinical risk tool for patients": 12,
}


def _allowed(conditions: list[str], months: dict[str, int] | int | None = None) -> list[str]:
    from genshare.access import check_request

    def needed(name: str) -> int:
        return months if isinstance(months, int) else (months or MONTHS_NEEDED)[name]

    return [
        name
        for name, purpose in _requests().items()
        if check_request(conditions, replace(purpose, region="United States", months=needed(name)))
    ]


register(
    Exercise(
        id="09.2",
        question="Requests of section 2 still allowed under GRU, PUB, GS:United States, TS:12, each requester in "
        "the US for as long as it needs the data (months_needed)",
        form=Ids(what="the names of the allowed requests (a list)"),
        solve=lambda ctx: _allowed(["GRU", "PUB", "GS:United States", "TS:12"]),
        misconceptions=(
            Misconception(
                "time limit ignored",
                lambda ctx: _allowed(["GRU", "PUB", "GS:United States"]),
                "TS:12 limits use to 12 months: compare it with how long each requester needs the data.",
            ),
            Misconception(
                "every request",
                lambda ctx: list(_requests()),
                "not every request can be allowed: research consent does not cover use in clinical "
                "care, and TS:12 limits use to 12 months; check each request with check_request.",
            ),
            Misconception(
                "one duration for everyone",
                lambda ctx: _allowed(["GRU", "PUB", "GS:United States", "TS:12"], months=24),
                "each requester needs the data for its own time (months_needed): give each request its "
                "own months, not one value for all.",
            ),
        ),
        hint="for each request of section 2, state region='United States' and its months from "
        "months_needed (dataclasses.replace), and keep the requests check_request permits.",
        uses_world=False,
    )
)


def _screen(**facts: Any) -> list[str]:
    from genshare.access import screen_datasets
    from genshare.catalogue import load_catalogue, load_data_use

    data_use = load_data_use(catalogue=load_catalogue())
    names = (
        data_use["accession"].fillna(data_use["repository"])
        + " "
        + data_use["consent_label"].fillna("(" + data_use["tier"] + ")")
    )
    base = dict(kind="methods", ethics_approval=True, commercial=False, for_profit_organisation=False)
    screen = screen_datasets(data_use, _purpose(**{**base, **facts}))
    return sorted(names[screen["decision"].to_numpy() == "refused"].tolist())


register(
    Exercise(
        id="09.3",
        question="A university methods project: which catalogued datasets are refused?",
        form=Ids(
            what="the refused datasets' short names (a list), or the screen table with a decision column",
            select=("decision", "refused"),
        ),
        solve=lambda ctx: _screen(),
        misconceptions=(
            Misconception(
                "methods counted as health research",
                lambda ctx: _screen(kind="health"),
                "a new statistical method is methods development (kind='methods'), not health research: "
                "some consents forbid methods development (NMDS).",
            ),
            Misconception(
                "no ethics approval",
                lambda ctx: _screen(ethics_approval=False),
                "the team has IRB approval: say so in the purpose (ethics_approval=True), otherwise "
                "IRB conditions cannot be met.",
            ),
        ),
        hint="describe the project with ResearchPurpose(kind='methods', ...), screen the data-use "
        "table with screen_datasets and keep the rows whose decision is 'refused'.",
        uses_world=False,
    )
)
