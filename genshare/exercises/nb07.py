"""Checks for notebook 07 (Safe Harbor and k-anonymity)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from genshare.exercises import Context, Exercise, Misconception, Number, Several, Share, register

_QI = ["zip5", "date_of_birth", "sex"]


def _setup(ctx: Context) -> tuple[pd.DataFrame, dict]:
    from genshare.deidentify import date_hierarchy, zip_hierarchy
    from genshare.deidentify.anonymity import suppression_hierarchy

    def build() -> tuple[pd.DataFrame, dict]:
        world = ctx.world
        voter_of = dict(zip(world.people["person_id"], world.people["voter_id"], strict=True))
        truth = world.cohort["person_id"].map(voter_of).to_numpy()
        raw = world.clinical[["participant_id", *_QI, "diagnosis", "comorbidity"]].assign(truth=truth)
        hierarchies = {"zip5": zip_hierarchy(), "date_of_birth": date_hierarchy(), "sex": suppression_hierarchy()}
        return raw, hierarchies

    return ctx.memo("07:setup", build)


def _generalize(ctx: Context, k: int, max_suppression: float) -> tuple[pd.DataFrame, Any]:
    from genshare.deidentify import generalize

    raw, hierarchies = _setup(ctx)
    return ctx.memo(
        f"07:gen:{k}:{max_suppression}", lambda: generalize(raw, hierarchies, k=k, max_suppression=max_suppression)
    )


def _smallest_diverse_k(ctx: Context, column: str = "diagnosis", max_suppression: float = 0.05) -> int | None:
    from genshare.deidentify import l_diversity

    for candidate in range(2, 60):
        released, _ = _generalize(ctx, candidate, max_suppression)
        if l_diversity(released, _QI, column) >= 2:
            return candidate
    return None


register(
    Exercise(
        id="07.1",
        question="Smallest k for which the generalised release (5% suppression) is 2-diverse in diagnosis",
        form=Number(what="a value of k", tolerance=0),
        solve=lambda ctx: ctx.memo("07.1", lambda: _smallest_diverse_k(ctx)),
        misconceptions=(
            Misconception(
                "k-anonymity is enough",
                lambda ctx: 2,
                "k = 2 makes every group hold two records, but both can share a diagnosis: check "
                "l_diversity of the released table for each k, not k-anonymity.",
            ),
            Misconception(
                "comorbidity",
                lambda ctx: _smallest_diverse_k(ctx, column="comorbidity"),
                "the sensitive column of the question is diagnosis, not comorbidity.",
            ),
            Misconception(
                "one too early",
                lambda ctx: (lambda smallest: smallest - 1 if smallest and smallest > 3 else None)(
                    ctx.memo("07.1", lambda: _smallest_diverse_k(ctx))
                ),
                "at this k some group of the released table still holds a single diagnosis: "
                "l_diversity is below 2. Check l_diversity of each release, not only its k.",
            ),
            Misconception(
                "20% suppression",
                lambda ctx: _smallest_diverse_k(ctx, max_suppression=0.20),
                "keep the notebook's limit of 5% suppressed records (max_suppression=0.05): suppressing "
                "more changes which generalisation wins.",
            ),
        ),
        hint="generalise for k = 2, 3, ... (max_suppression=0.05) and stop at the first release whose "
        "l_diversity in diagnosis is at least 2.",
    )
)


def _summary(answer: Any) -> Any:
    """Read generalize's summary (a Series or dict with precision_loss and suppressed)."""
    if isinstance(answer, (pd.Series, dict)) and "precision_loss" in answer and "suppressed" in answer:
        return (answer["precision_loss"], answer["suppressed"])
    return answer


def _at(ctx: Context, max_suppression: float, kept: bool = False, k: int = 10) -> tuple[float, int]:
    _, summary = _generalize(ctx, k, max_suppression)
    loss = float(summary["precision_loss"])
    return (1 - loss if kept else loss), int(summary["suppressed"])


register(
    Exercise(
        id="07.2",
        question="With k = 10 and up to 20% suppression: precision lost and records suppressed",
        form=Several(
            labels=("precision_loss", "suppressed"),
            forms=(
                Share(what="the precision lost (a share)", tolerance=0.0005),
                Number(what="a number of records", tolerance=0),
            ),
            reader=_summary,
        ),
        solve=lambda ctx: _at(ctx, 0.20),
        misconceptions=(
            Misconception(
                "still 5% suppression",
                lambda ctx: _at(ctx, 0.05),
                "this is the release with at most 5% suppressed: set max_suppression=0.20.",
            ),
            Misconception(
                "precision kept",
                lambda ctx: _at(ctx, 0.20, kept=True),
                "give the precision lost (generalize's precision_loss), as the summary reports it, "
                "not the precision kept.",
            ),
            Misconception(
                "the release of the section above",
                lambda ctx: _at(ctx, 0.05, k=5),
                "this is the k = 5 release with at most 5% suppressed: generalise again with the k "
                "and the suppression limit the question gives.",
            ),
        ),
        hint="call generalize(raw, hierarchies, k=10, max_suppression=0.20) and read precision_loss "
        "and suppressed from the summary it returns (you may pass the summary itself).",
    )
)
