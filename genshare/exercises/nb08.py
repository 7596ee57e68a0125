"""Checks for notebook 08 (protecting summary statistics)."""

from __future__ import annotations

import numpy as np

from genshare.exercises import Context, Exercise, Misconception, Number, Several, register


def _setup(ctx: Context) -> dict:
    from genshare import popgen

    def build() -> dict:
        world = ctx.world
        array_snps = world.snps["panel"].to_numpy() == "array"
        ceu = world.cohort["population"].to_numpy() == "CEU"
        is_case = world.cohort["status"].to_numpy() == "case"
        cases = world.cohort_genotypes[ceu & is_case][:, array_snps]
        controls = world.cohort_genotypes[ceu & ~is_case][:, array_snps]
        in_panel = world.reference["population"].to_numpy() == "CEU"
        reference = popgen.allele_frequencies(world.reference_genotypes[in_panel][:, array_snps])
        exact = popgen.allele_frequencies(cases, missing="as_reference")
        return {"cases": cases, "controls": controls, "reference": reference, "exact": exact}

    return ctx.memo("08:setup", build)


def _power(s: dict, released: np.ndarray, columns) -> float:
    from genshare.attacks import lr_membership_statistic, roc_curve

    members = lr_membership_statistic(s["cases"][:, columns], released, s["reference"][columns])
    others = lr_membership_statistic(s["controls"][:, columns], released, s["reference"][columns])
    return float(roc_curve(members, others)[1])


def _common(ctx: Context, minor: bool = True, threshold: float = 0.2) -> tuple[int, float]:
    s = _setup(ctx)
    exact = s["exact"]
    frequency = np.minimum(exact, 1 - exact) if minor else exact
    common = np.flatnonzero(frequency >= threshold)
    return int(common.size), _power(s, exact[common], common)


register(
    Exercise(
        id="08.1",
        question="Releasing only SNPs with minor allele frequency >= 20% among cases: "
        "SNPs left, and AUC of the attack on the exact release",
        form=Several(
            labels=("SNPs left", "AUC"),
            forms=(
                Number(what="a number of SNPs (or their columns)", tolerance=0, count=True),
                Number(what="an AUC", tolerance=0.0015),
            ),
        ),
        solve=lambda ctx: ctx.memo("08.1", lambda: _common(ctx)),
        misconceptions=(
            Misconception(
                "allele frequency, not minor",
                lambda ctx: _common(ctx, minor=False),
                "the minor allele frequency is min(p, 1 - p): an alternative-allele frequency of 0.9 "
                "is a minor allele frequency of 0.1.",
            ),
            Misconception(
                "percent as 20",
                lambda ctx: _common(ctx, threshold=0.02),
                "20% is 0.2 as a frequency: a threshold of 0.02 keeps most rare variants.",
            ),
        ),
        hint="keep the columns where min(exact, 1 - exact) >= 0.2, then run the notebook's "
        "attack_power on the exact frequencies of those SNPs only.",
    )
)


register(
    Exercise(
        id="08.2",
        question="Total epsilon of two releases of the same frequencies at epsilon = 500 each",
        form=Number(what="an epsilon", tolerance=1e-6),
        solve=lambda ctx: 1000.0,
        misconceptions=(
            Misconception(
                "each release has its own budget",
                lambda ctx: 500.0,
                "the privacy budget is shared by everything released about the same people: the "
                "epsilons of releases of the same data add up (sequential composition).",
            ),
            Misconception(
                "averaging adds privacy",
                lambda ctx: 250.0,
                "averaging two noisy releases does not make them more private: anyone can average "
                "them, and the noise partly cancels. The budgets of the two releases combine.",
            ),
        ),
        hint="two releases about the same people each spend their epsilon; what does sequential "
        "composition say about the total?",
        uses_world=False,
    )
)
