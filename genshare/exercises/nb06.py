"""Checks for notebook 06 (membership inference and beacons)."""

from __future__ import annotations

import numpy as np

from genshare.exercises import Context, Exercise, Misconception, Number, Several, register


def _setup(ctx: Context) -> dict:
    """The notebook's pool (CEU cases), controls, reference panel and frequencies."""
    from genshare import popgen

    def build() -> dict:
        world = ctx.world
        array_snps = world.snps["panel"].to_numpy() == "array"
        ceu = world.cohort["population"].to_numpy() == "CEU"
        is_case = world.cohort["status"].to_numpy() == "case"
        cases = world.cohort_genotypes[ceu & is_case]
        controls = world.cohort_genotypes[ceu & ~is_case]
        reference = world.reference_genotypes[world.reference["population"].to_numpy() == "CEU"]
        return {
            "array_snps": array_snps,
            "cases": cases,
            "controls": controls,
            "released": popgen.allele_frequencies(cases, missing="skip"),
            "population": popgen.allele_frequencies(reference, missing="skip"),
            "frequencies": world.snps["freq_CEU"].to_numpy(),
        }

    return ctx.memo("06:setup", build)


def _homer(ctx: Context, statistic: str = "homer") -> tuple[float, float]:
    from genshare.attacks import homer_statistic, lr_membership_statistic, roc_curve

    s = _setup(ctx)
    function = homer_statistic if statistic == "homer" else lr_membership_statistic
    sequence_cols = np.flatnonzero(~s["array_snps"])
    rng = np.random.default_rng(1)
    array_cols = np.sort(rng.choice(np.flatnonzero(s["array_snps"]), size=sequence_cols.size, replace=False))
    out = []
    for cols in (sequence_cols, array_cols):
        inside = function(s["cases"][:, cols], s["released"][cols], s["population"][cols])
        outside = function(s["controls"][:, cols], s["released"][cols], s["population"][cols])
        out.append(float(roc_curve(inside, outside)[1]))
    return out[0], out[1]


_AUC = Number(what="an AUC", tolerance=0.0015)

register(
    Exercise(
        id="06.1",
        question="AUC of Homer's attack on the sequence SNPs and on as many random array SNPs",
        form=Several(labels=("AUC, sequence SNPs", "AUC, array SNPs"), forms=(_AUC, _AUC)),
        solve=lambda ctx: ctx.memo("06.1", lambda: _homer(ctx)),
        misconceptions=(
            Misconception(
                "swapped",
                lambda ctx: tuple(reversed(ctx.memo("06.1", lambda: _homer(ctx)))),
                "the two AUCs are in the wrong order: the sequence SNPs first, then the array SNPs.",
            ),
            Misconception(
                "LR statistic",
                lambda ctx: _homer(ctx, statistic="lr"),
                "the exercise asks for Homer's statistic (homer_statistic), not the likelihood-ratio statistic.",
            ),
        ),
        hint="score the cases and the controls with homer_statistic on each set of SNPs (the released "
        "and reference frequencies restricted to those SNPs), then take roc_curve(...)[1].",
    )
)


def _beacon(ctx: Context, restrict: bool = True, negate: bool = True) -> float:
    from genshare.attacks import Beacon, beacon_attack, roc_curve

    s = _setup(ctx)
    keep = s["frequencies"] >= 0.05 if restrict else np.ones(s["frequencies"].size, dtype=bool)
    beacon = Beacon(s["cases"][:, keep])
    inside = beacon_attack(s["cases"][:, keep], beacon, s["frequencies"][keep], n_queries=100)
    outside = beacon_attack(s["controls"][:, keep], beacon, s["frequencies"][keep], n_queries=100)
    sign = -1 if negate else 1
    return float(roc_curve(sign * inside[:, -1], sign * outside[:, -1])[1])


register(
    Exercise(
        id="06.2",
        question="AUC of the beacon attack (100 queries, full beacon) "
        "when only alleles with frequency >= 5% are answered",
        form=Number(what="an AUC", tolerance=0.0015),
        solve=lambda ctx: ctx.memo("06.2", lambda: _beacon(ctx)),
        misconceptions=(
            Misconception(
                "not restricted",
                lambda ctx: _beacon(ctx, restrict=False),
                "this is the power of the unrestricted beacon: build the Beacon, and run the attack, on "
                "the alleles with a population frequency of at least 5% only.",
            ),
            Misconception(
                "score not negated",
                lambda ctx: _beacon(ctx, negate=False),
                "beacon_attack returns a log-likelihood ratio where lower means 'more likely a member': "
                "negate it before roc_curve, which expects higher scores for members.",
            ),
        ),
        hint="restrict the cases, the controls and the frequencies to frequencies >= 0.05, build the "
        "beacon on the restricted cases, and use the score after the 100th query.",
    )
)
