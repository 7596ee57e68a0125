"""Checks for notebook 04 (relatives and familial search)."""

from __future__ import annotations

import pandas as pd

from genshare.exercises import Context, Exercise, Misconception, Number, Several, register


def _hits(ctx: Context) -> pd.DataFrame:
    """The notebook's section 2: every participant's closest match, scored against the truth."""
    from genshare.attacks import familial_search

    def build() -> pd.DataFrame:
        world = ctx.world
        hits = familial_search(world.cohort_genotypes, world.database_genotypes, world.database, top=1)
        hits = hits.rename(columns={"degree": "inferred_degree"})
        hits.insert(0, "participant_id", world.cohort["participant_id"].to_numpy()[hits["query"]])
        true_profile = world.relationships[["participant_id", "profile_id", "relationship"]].rename(
            columns={"profile_id": "true_profile_id"}
        )
        hits = hits.merge(true_profile, on="participant_id", how="left")
        hits["correct"] = hits["profile_id"] == hits["true_profile_id"]
        return hits

    return ctx.memo("04:hits", build)


def _kinships(ctx: Context, wrong_only: bool = True, relationship: str | None = "parent_child") -> tuple[float, float]:
    """(largest kinship of a wrong match, smallest kinship of a true relative's match), as in the solution."""
    hits = _hits(ctx)
    truth = ctx.world.relationships
    pool = hits[~hits["correct"]] if wrong_only else hits
    # the solution merges every planted pair with the participant's closest match
    pairs = truth[["participant_id", "relationship"]].merge(hits[["participant_id", "kinship"]], on="participant_id")
    if relationship is not None:
        pairs = pairs[pairs["relationship"] == relationship]
    return float(pool["kinship"].max()), float(pairs["kinship"].min())


_KIN = Number(what="a kinship coefficient", tolerance=0.0006)

register(Exercise(
    id="04.1",
    question="Largest kinship of a wrong match, and smallest kinship of a true parent/child pair",
    form=Several(labels=("largest wrong kinship", "smallest parent/child kinship"), forms=(_KIN, _KIN)),
    solve=lambda ctx: ctx.memo("04.1", lambda: _kinships(ctx)),
    misconceptions=(
        Misconception(
            "swapped",
            lambda ctx: tuple(reversed(ctx.memo("04.1", lambda: _kinships(ctx)))),
            "the two values are in the wrong order: the largest wrong match first, then the "
            "smallest true parent/child pair.",
        ),
        Misconception(
            "all matches",
            lambda ctx: _kinships(ctx, wrong_only=False),
            "the largest kinship over all matches belongs to a true close relative: keep only "
            "the matches that are not the participant's true relative (correct is False).",
        ),
        Misconception(
            "all relationships",
            lambda ctx: _kinships(ctx, relationship=None),
            "the smallest kinship over every planted relative is a cousin's: the question asks "
            "about parent/child pairs only.",
        ),
    ),
    hint="take the maximum of hits['kinship'] where the match is wrong, and the minimum kinship "
         "of the matches of participants whose planted relationship is parent_child.",
))


def _roll(ctx: Context) -> pd.DataFrame:
    """The voter roll with each voter's age on the study's reference date and ZIP3 area."""
    from genshare.cohort.identities import REFERENCE_DATE

    def build() -> pd.DataFrame:
        reference = pd.Timestamp(REFERENCE_DATE)
        roll = ctx.world.voter_roll
        birth = roll["date_of_birth"]
        still_to_come = birth.dt.strftime("%m%d") > reference.strftime("%m%d")
        return roll.assign(age=reference.year - birth.dt.year - still_to_come, zip3=roll["zip5"].str[:3])

    return ctx.memo("04:roll", build)


def _known(ctx: Context) -> pd.DataFrame:
    """Participants with a correct first-degree match: the relative's surname and ZIP3, their sex and age."""
    hits = _hits(ctx)
    close = hits[hits["correct"] & (hits["inferred_degree"] == "1st degree")]
    return close[["participant_id", "surname", "zip3"]].merge(
        ctx.world.cohort[["participant_id", "person_id", "sex", "age"]], on="participant_id"
    )


def _candidates(ctx: Context, keys: tuple[str, ...] = ("zip3", "sex", "age"), per_participant: bool = True) -> float:
    """Average number of voter-roll candidates per participant when matching on ``keys``."""
    known = _known(ctx)
    roll = _roll(ctx)
    pairs = known.merge(roll[["voter_id", *keys]], on=list(keys))
    if not per_participant:
        return float(len(pairs))
    return float(pairs.groupby("participant_id").size().mean())


def _with_surname(ctx: Context) -> float:
    """The section's average with the surname (participants with no candidate count as 0)."""
    known = _known(ctx)
    pairs = known.merge(_roll(ctx)[["voter_id", "surname", "zip3", "sex", "age"]], on=["surname", "zip3", "sex", "age"])
    counts = pairs.groupby("participant_id").size()
    return float(counts.reindex(known["participant_id"], fill_value=0).mean())


register(Exercise(
    id="04.2",
    question="Average number of voter-roll candidates per participant matching on ZIP3 area, sex and age, without the surname",
    form=Number(what="an average number of candidates", tolerance=0.5),
    solve=lambda ctx: ctx.memo("04.2", lambda: _candidates(ctx)),
    misconceptions=(
        Misconception(
            "with the surname",
            lambda ctx: _with_surname(ctx),
            "this is the section's average with the surname: join the first-degree matches to the "
            "voter roll on ZIP3 area, sex and age only.",
        ),
        Misconception(
            "age ignored",
            lambda ctx: _candidates(ctx, keys=("zip3", "sex")),
            "only the surname is dropped: sex and age from the study file still narrow the list.",
        ),
        Misconception(
            "total, not average",
            lambda ctx: _candidates(ctx, per_participant=False),
            "this counts every (participant, voter) pair together: count the candidates of each "
            "participant, then average over participants.",
        ),
    ),
    hint="merge the first-degree matches (known) with the voter roll on zip3, sex and age, count "
         "the rows of each participant, then average.",
))
