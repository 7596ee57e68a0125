"""Checks for notebook 05 (linkage of quasi-identifiers)."""

from __future__ import annotations

import pandas as pd

from genshare.exercises import Context, Exercise, Misconception, Number, Several, Share, register

_DIRECT = ["participant_id", "medical_record_number", "name", "street_address", "city", "phone", "email"]
_FULL = ["zip5", "date_of_birth", "sex"]


def _setup(ctx: Context) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The notebook's scored release and voter roll."""

    def build() -> tuple[pd.DataFrame, pd.DataFrame]:
        world = ctx.world
        release = world.clinical.drop(columns=_DIRECT)
        roll = world.voter_roll.assign(
            birth_year=world.voter_roll["date_of_birth"].dt.year,
            zip3=world.voter_roll["zip5"].str[:3],
        )
        voter_of = dict(zip(world.people["person_id"], world.people["voter_id"], strict=True))
        scored = release.assign(
            birth_year=release["date_of_birth"].dt.year,
            zip3=release["zip5"].str[:3],
            true_voter_id=world.cohort["person_id"].map(voter_of).to_numpy(),
        )
        return scored, roll

    return ctx.memo("05:setup", build)


def _attack(ctx: Context, columns: list[str]) -> pd.DataFrame:
    from genshare.attacks import linkage_attack

    scored, roll = _setup(ctx)
    return ctx.memo(
        "05:attack:" + ",".join(columns),
        lambda: linkage_attack(scored, roll, columns, released_truth="true_voter_id", public_id="voter_id"),
    )


def _exposed_counts(ctx: Context, everyone: bool = False, hiv_column: str = "comorbidity") -> tuple[int, int]:
    scored, _ = _setup(ctx)
    outcome = _attack(ctx, _FULL)["outcome"].to_numpy()
    exposed = scored if everyone else scored[outcome == "re-identified"]
    return int((exposed["diagnosis"] == "type 2 diabetes").sum()), int((exposed[hiv_column] == "HIV infection").sum())


_COUNT = Number(what="a count", tolerance=0)

register(
    Exercise(
        id="05.1",
        question="Among participants re-identified with ZIP5 + date of birth + sex: "
        "how many with type 2 diabetes, how many with HIV infection?",
        form=Several(labels=("type 2 diabetes", "HIV infection"), forms=(_COUNT, _COUNT)),
        solve=lambda ctx: _exposed_counts(ctx),
        misconceptions=(
            Misconception(
                "whole release",
                lambda ctx: _exposed_counts(ctx, everyone=True),
                "count only the re-identified participants (outcome 're-identified'), not every "
                "record of the release: the question is what the attack discloses.",
            ),
            Misconception(
                "HIV as diagnosis",
                lambda ctx: _exposed_counts(ctx, hiv_column="diagnosis"),
                "HIV infection is recorded in the comorbidity column, not in diagnosis.",
            ),
            Misconception(
                "swapped",
                lambda ctx: tuple(reversed(_exposed_counts(ctx))),
                "the two counts are in the wrong order: type 2 diabetes first, then HIV infection.",
            ),
        ),
        hint="run linkage_attack with the three quasi-identifiers, keep the release rows whose "
        "outcome is 're-identified', then count the diagnosis and the comorbidity.",
    )
)


def _coarse(ctx: Context, columns: list[str] | None = None, statistic: str = "median") -> tuple[float, float]:
    attack = _attack(ctx, columns or ["zip3", "birth_year", "sex"])
    share = float((attack["outcome"] == "re-identified").mean())
    return share, float(getattr(attack["candidates"], statistic)())


register(
    Exercise(
        id="05.2",
        question="Safe Harbor quasi-identifiers (zip3, birth year, sex): "
        "share re-identified, and median number of look-alikes",
        form=Several(
            labels=("share re-identified", "median look-alikes"), forms=(Share(tolerance=0.001), Number(tolerance=0.5))
        ),
        solve=lambda ctx: _coarse(ctx),
        misconceptions=(
            Misconception(
                "mean look-alikes",
                lambda ctx: _coarse(ctx, statistic="mean"),
                "the question asks for the median number of look-alikes: a few very large groups pull the mean up.",
            ),
            Misconception(
                "full ZIP code kept",
                lambda ctx: _coarse(ctx, ["zip5", "birth_year", "sex"]),
                "Safe Harbor keeps only the first three digits of the ZIP code (zip3), not the full ZIP5.",
            ),
            Misconception(
                "full date kept",
                lambda ctx: _coarse(ctx, ["zip3", "date_of_birth", "sex"]),
                "Safe Harbor keeps only the year of birth (birth_year), not the full date.",
            ),
        ),
        hint="run linkage_attack on ['zip3', 'birth_year', 'sex']; the share is the mean of outcome "
        "== 're-identified' and the look-alikes are in the candidates column.",
    )
)
