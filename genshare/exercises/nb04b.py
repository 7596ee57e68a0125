"""Checks for notebook 04b (surnames from the Y chromosome).

Both exercises score :func:`genshare.attacks.infer_surnames` against the truth exactly as the
notebook does: a male participant's surname is *recovered* when the attack answers with his
own surname and *misattributed* when it answers with another one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genshare._facts import REFERENCE_YEAR
from genshare.exercises import Context, Exercise, Misconception, Number, Several, Share, register


def _loci() -> list[str]:
    from genshare.cohort.ystr import YSTR_PANEL

    return YSTR_PANEL["locus"].tolist()


def _true_surnames(ctx: Context) -> pd.Series:
    """Each male participant's true surname, indexed by participant id."""

    def build() -> pd.Series:
        world = ctx.world
        person = world.cohort.set_index("participant_id")["person_id"]
        surname = world.people.set_index("person_id")["surname"]
        ids = world.ystr["participant_id"]
        return pd.Series(surname.loc[person.loc[ids].to_numpy()].to_numpy(), index=ids.to_numpy())

    return ctx.memo("04b:truth", build)


def _confidences(ctx: Context, n_loci: int | None, recent_generations: int) -> pd.DataFrame:
    """The attack's top surname and confidence for every man (answering at any confidence; the
    thresholds that matter, 0.2 and 0.5, are applied by the caller as infer_surnames does)."""
    from genshare.attacks import infer_surnames

    world = ctx.world
    loci = _loci()[:n_loci] if n_loci else None
    return ctx.memo(
        f"04b:ranked:{n_loci}:{recent_generations}",
        lambda: infer_surnames(
            world.ystr, world.ystr_database, loci=loci, recent_generations=recent_generations, min_confidence=1e-9
        ),
    )


def _shares(
    ctx: Context, n_loci: int | None = 12, recent_generations: int = 20, min_confidence: float = 0.5
) -> tuple[float, float]:
    """(share recovered, share misattributed) among male participants."""
    ranked = _confidences(ctx, n_loci, recent_generations)
    true = _true_surnames(ctx).loc[ranked["participant_id"]].to_numpy()
    answered = ranked["confidence"].to_numpy() >= min_confidence
    correct = answered & (ranked["surname"].to_numpy() == true)
    return float(correct.mean()), float((answered & ~correct).mean())


_SHARES = Several(labels=("recovered", "misattributed"), forms=(Share(), Share()))

register(
    Exercise(
        id="04b.1",
        question="Shares of male participants whose surname is recovered and misattributed with the first 12 loci "
        "and recent_generations=20",
        form=_SHARES,
        solve=lambda ctx: _shares(ctx),
        misconceptions=(
            Misconception(
                "default window",
                lambda ctx: _shares(ctx, recent_generations=10),
                "these are the shares with the default window of 10 generations: pass recent_generations=20 "
                "to infer_surnames.",
            ),
            Misconception(
                "reckless threshold",
                lambda ctx: _shares(ctx, min_confidence=0.2),
                "keep the default, cautious threshold (min_confidence=0.5); the question changes only the "
                "loci and the window.",
            ),
            Misconception(
                "swapped",
                lambda ctx: tuple(reversed(_shares(ctx))),
                "give the share recovered first and the share misattributed second.",
            ),
            Misconception(
                "every locus",
                lambda ctx: _shares(ctx, n_loci=None),
                "compare only the first twelve loci: pass loci=loci[:12] to infer_surnames.",
            ),
        ),
        hint="run infer_surnames(world.ystr, database, loci=loci[:12], recent_generations=20), then score "
        "each man's answer against his true surname as the notebook's score() does.",
    )
)


def _recovered(ctx: Context) -> pd.DataFrame:
    """Men whose surname the default attack recovers, with their candidates on the voter roll."""

    def build() -> pd.DataFrame:
        world = ctx.world
        ranked = _confidences(ctx, None, 10)
        answered = ranked[ranked["confidence"].to_numpy() >= 0.5]
        true = _true_surnames(ctx).loc[answered["participant_id"]].to_numpy()
        recovered = answered.loc[answered["surname"].to_numpy() == true, ["participant_id", "surname"]].copy()
        reference_year = REFERENCE_YEAR
        cohort = world.cohort.set_index("participant_id")
        clinical = world.clinical.set_index("participant_id")
        recovered["birth_year"] = reference_year - cohort.loc[recovered["participant_id"], "age"].to_numpy() - 1
        recovered["zip3"] = clinical.loc[recovered["participant_id"], "zip5"].str[:3].to_numpy()
        roll = world.voter_roll
        men = pd.DataFrame(
            {"surname": roll["surname"], "zip3": roll["zip5"].str[:3], "birth_year": roll["date_of_birth"].dt.year}
        )[roll["sex"].to_numpy() == "M"]
        keys = men.merge(recovered, on=["surname", "zip3"], suffixes=("", "_target"))
        gap = keys["birth_year"] - keys["birth_year_target"]
        recovered["candidates"] = (
            keys[gap.between(0, 1)]
            .groupby("participant_id")
            .size()
            .reindex(recovered["participant_id"], fill_value=0)
            .to_numpy()
        )
        recovered["same_area"] = (
            keys.groupby("participant_id").size().reindex(recovered["participant_id"], fill_value=0).to_numpy()
        )
        alive_men = world.people[(world.people["sex"] == "M") & world.people["alive"]]
        recovered["carriers"] = alive_men["surname"].value_counts().reindex(recovered["surname"]).to_numpy()
        return recovered

    return ctx.memo("04b:recovered", build)


def _exposure(
    ctx: Context, column: str = "candidates", order: str = "carriers", statistic: str = "median"
) -> tuple[float, float]:
    """Median (over the ten rarest, then the ten commonest recovered surnames) of each surname's
    median number of candidates."""
    recovered = _recovered(ctx)
    by_surname = recovered.groupby("surname").agg(carriers=("carriers", "first"), candidates=(column, "median"))
    by_surname = by_surname.reset_index().sort_values([order, "surname"], kind="stable")
    rare, common = by_surname.head(10)["candidates"], by_surname.tail(10)["candidates"]
    if statistic == "mean":
        return float(np.mean(rare)), float(np.mean(common))
    return float(rare.median()), float(common.median())


_MEDIAN = Number(what="a median number of candidates", tolerance=0)

register(
    Exercise(
        id="04b.2",
        question="Median candidates left after narrowing, for the ten rarest and the ten commonest recovered surnames",
        form=Several(labels=("rarest", "commonest"), forms=(_MEDIAN, _MEDIAN)),
        solve=lambda ctx: _exposure(ctx),
        misconceptions=(
            Misconception(
                "no birth year",
                lambda ctx: _exposure(ctx, column="same_area"),
                "narrow by birth year too (within one year, as in section 4), not only by surname and ZIP3.",
            ),
            Misconception(
                "ordered by candidates",
                lambda ctx: _exposure(ctx, order="candidates"),
                "rank the surnames by how many living men carry them (their carriers), not by the "
                "candidates left: the question asks whether rare surnames leave fewer candidates.",
            ),
            Misconception(
                "mean",
                lambda ctx: _exposure(ctx, statistic="mean"),
                "take the median over the ten surnames, not the mean: a few crowded surnames pull the mean up.",
            ),
            Misconception(
                "swapped",
                lambda ctx: tuple(reversed(_exposure(ctx))),
                "give the rarest surnames' median first and the commonest surnames' second.",
            ),
        ),
        hint="group the recovered men of section 4 by surname (carriers, and the median of candidates), "
        "sort by carriers then surname, and take the median of candidates over the first ten and the last ten.",
    )
)
