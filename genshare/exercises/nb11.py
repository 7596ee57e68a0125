"""Checks for notebook 11 (the release challenge)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from genshare.exercises import AnswerFormError, Context, Exercise, Form, Misconception, Number, Several, register

_DIRECT = ["participant_id", "medical_record_number", "name", "street_address", "city", "phone", "email"]
#: The epsilons exercise 2 tries, and the seed of its noise (as in the notebook). The grid
#: reaches far enough that the noise no longer moves the top association signals (at
#: epsilon 10 million it is a few millionths of a frequency), so on every world some epsilon
#: meets the utility requirement and the exercise has an answer (tests/test_exercise_worlds.py).
EPSILONS = (300.0, 1000.0, 3000.0, 10_000.0, 30_000.0, 100_000.0, 300_000.0, 1_000_000.0, 3_000_000.0, 10_000_000.0)
NOISE_SEED = 2


@dataclass(frozen=True)
class ClinicalRelease(Form):
    """A clinical release: the table (a DataFrame keeping ``world.clinical``'s index) or a
    :class:`genshare.challenge.Release` of kind ``clinical``."""

    what: str = "a clinical release table (a DataFrame with world.clinical's index)"

    def read(self, answer: Any, ctx: Context) -> pd.DataFrame:
        from genshare.challenge import Release

        if isinstance(answer, Release):
            if answer.kind != "clinical":
                raise AnswerFormError(f"expected {self.what}; got a {answer.kind!r} release")
            answer = answer.table
        if not isinstance(answer, pd.DataFrame):
            raise AnswerFormError(f"expected {self.what}; got {type(answer).__name__}")
        return answer

    def same(self, a: pd.DataFrame, b: pd.DataFrame) -> bool:
        return bool(a.equals(b))


def _naive(ctx: Context) -> pd.DataFrame:
    return ctx.world.clinical.drop(columns=_DIRECT + ["age", "admission_date"])


def _decade_release(ctx: Context) -> pd.DataFrame:
    naive = _naive(ctx)
    decade = naive["date_of_birth"].dt.year // 10 * 10
    return pd.DataFrame(
        {
            "zip3": naive["zip5"].str[:3],
            "sex": naive["sex"],
            "diagnosis": naive["diagnosis"],
            "birth_year": decade.astype(str) + "-" + (decade + 9).astype(str),
        },
        index=naive.index,
    )


def _score(table: pd.DataFrame, ctx: Context):
    from genshare.challenge import Release, score_release

    return score_release(ctx.world, Release("clinical", table=table))


def _best_release(ctx: Context) -> pd.DataFrame:
    """The notebook's solution (ZIP3, sex, decade of birth, diagnosis); on a world where a
    person is still unique with those, the ZIP3 region and diagnosis alone."""
    table = _decade_release(ctx)
    board = _score(table, ctx)
    if board.utility_met and board.people_reidentified == 0:
        return table
    return table[["zip3", "diagnosis"]]


_HINT_UNJUDGED = (
    "the scorer cannot judge a column of your release and never passes what it cannot judge: "
    "release only the columns it knows (coarsened or suppressed as you like)."
)
_HINT_UTILITY = (
    "the utility requirement counts type 2 diabetes cases by ZIP3 region: a release that loses the "
    "region (or the diagnosis) cannot meet it, however safe it is."
)
_HINT_REIDENTIFIED = (
    "people are still re-identified: a combination of ZIP code, date of birth and sex is unique for "
    "many voters. Coarsen or drop quasi-identifiers until no row links to one voter."
)


def _judge_release(table: pd.DataFrame, ctx: Context) -> tuple[bool, str | None]:
    try:
        board = _score(table, ctx)
    except ValueError as error:
        return False, f"the scorer refused the release ({error})."
    if not board.evaluated:
        return False, _HINT_UNJUDGED
    if not board.utility_met:
        return False, _HINT_UTILITY
    if board.people_reidentified > 0:
        return False, _HINT_REIDENTIFIED
    return True, None


register(
    Exercise(
        id="11.1",
        question="A clinical release that meets the utility requirement and re-identifies nobody",
        form=ClinicalRelease(),
        solve=_best_release,
        misconceptions=(
            Misconception("direct identifiers dropped only", _naive, _HINT_REIDENTIFIED),
            Misconception("region dropped too", lambda ctx: _decade_release(ctx).drop(columns="zip3"), _HINT_UTILITY),
            Misconception(
                "a column the scorer cannot judge",
                lambda ctx: _decade_release(ctx).assign(age=ctx.world.clinical["age"]),
                _HINT_UNJUDGED,
            ),
        ),
        hint=_HINT_REIDENTIFIED,
        judge=_judge_release,
    )
)


def _trade(ctx: Context) -> pd.DataFrame:
    """Exercise 2's table: AUC, signals kept and utility met for each epsilon tried."""
    from genshare.challenge import Release, score_release, study_pool
    from genshare.deidentify import dp_allele_frequencies

    def build() -> pd.DataFrame:
        world = ctx.world
        cases = world.cohort_genotypes[study_pool(world)["members"]]
        snp_ids = world.snps["snp_id"].to_numpy()
        rows = []
        for epsilon in EPSILONS:
            noisy = pd.Series(dp_allele_frequencies(cases, epsilon=epsilon, seed=NOISE_SEED), index=snp_ids)
            result = score_release(world, Release("frequencies", frequencies=noisy))
            rows.append(
                {
                    "epsilon": epsilon,
                    "AUC": result.membership_auc,
                    "signals kept": result.utility,
                    "met": result.utility_met,
                }
            )
        return pd.DataFrame(rows)

    return ctx.memo("11:trade", build)


def _smallest(
    ctx: Context, need_utility: bool = True, largest: bool = False, second: str = "AUC"
) -> tuple[float, float] | None:
    trade = _trade(ctx)
    chosen = trade[trade["met"]] if need_utility else trade
    if chosen.empty:
        return None
    row = chosen.loc[chosen["epsilon"].idxmax() if largest else chosen["epsilon"].idxmin()]
    return float(row["epsilon"]), float(row[second])


def _auc_or_none(answer: Any) -> Any:
    if answer is None:
        raise AnswerFormError("no epsilon tried meets the utility requirement on this world")
    return answer


register(
    Exercise(
        id="11.2",
        question=f"Smallest epsilon among {', '.join(f'{e:g}' for e in EPSILONS)} (seed {NOISE_SEED}) whose noisy "
        "frequencies meet the utility requirement, and the membership AUC it leaves",
        form=Several(
            labels=("epsilon", "AUC"),
            forms=(Number(what="an epsilon", tolerance=1e-6), Number(what="an AUC", tolerance=0.0015)),
        ),
        solve=lambda ctx: _auc_or_none(_smallest(ctx)),
        misconceptions=(
            Misconception(
                "smallest epsilon regardless of utility",
                lambda ctx: _smallest(ctx, need_utility=False),
                "the release must still meet the utility requirement: look at which epsilons keep enough "
                "association signals before taking the smallest.",
            ),
            Misconception(
                "largest epsilon",
                lambda ctx: _smallest(ctx, largest=True),
                "a larger epsilon means less noise (a weaker privacy guarantee): the question asks for the "
                "most noise that still keeps the signals, which is the smallest epsilon that passes.",
            ),
            Misconception(
                "signals kept instead of the AUC",
                lambda ctx: _smallest(ctx, second="signals kept"),
                "the second value is the membership-inference AUC the release leaves (membership_auc), "
                "not the share of association signals it keeps.",
            ),
        ),
        hint="score each noisy release (dp_allele_frequencies(cases, epsilon, seed=2)) and keep the "
        "smallest epsilon whose scoreboard says the utility requirement is met, with its AUC.",
    )
)
