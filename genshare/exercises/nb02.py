"""Checks for notebook 02 (the synthetic world)."""

from __future__ import annotations

import numpy as np

from genshare.exercises import Context, Exercise, Misconception, Number, Several, Share, register


def _hwe_failing(ctx: Context, snps: str = "common") -> tuple[float, float]:
    from genshare import popgen

    world = ctx.world
    genotypes = world.cohort_genotypes
    population = world.cohort["population"].to_numpy()
    array_snps = world.snps["panel"].to_numpy() == "array"
    frequency = popgen.allele_frequencies(genotypes)
    common = array_snps & (np.minimum(frequency, 1 - frequency) >= 0.05)
    columns = common if snps == "common" else np.ones_like(common)
    out = []
    for rows in (population == "CEU", slice(None)):
        _, p_values = popgen.hwe_chi2(genotypes[rows][:, columns])
        out.append(float(np.mean(p_values < 0.05)))
    return out[0], out[1]


register(
    Exercise(
        id="02.1",
        question="Share of common array SNPs failing HWE (p < 0.05) in CEU participants and in the pooled cohort",
        form=Several(labels=("CEU share", "pooled share"), forms=(Share(tolerance=0.006), Share(tolerance=0.006))),
        solve=lambda ctx: ctx.memo("02.1", lambda: _hwe_failing(ctx)),
        misconceptions=(
            Misconception(
                "swapped",
                lambda ctx: tuple(reversed(ctx.memo("02.1", lambda: _hwe_failing(ctx)))),
                "the two values are in the wrong order: "
                "give the CEU participants' share first, then the pooled cohort's.",
            ),
            Misconception(
                "all SNPs",
                lambda ctx: _hwe_failing(ctx, snps="all"),
                "the question is about common array SNPs: with rare alleles the chi-square test's "
                "p-values are unreliable. Keep array SNPs with a minor allele frequency of at least 5%.",
            ),
        ),
        hint="test each group's genotypes separately (hwe_chi2 on the CEU rows, then on all rows), "
        "on the common array SNPs, and give the share of p-values below 0.05.",
    )
)


def _matches(ctx: Context, columns: tuple[str, ...] = ("zip5", "date_of_birth", "sex")) -> int:
    world = ctx.world
    first = world.people.set_index("person_id").loc[world.cohort["person_id"].iloc[0]]
    roll = world.voter_roll
    keep = np.ones(len(roll), dtype=bool)
    for column in columns:
        if column == "birth_year":
            keep &= (roll["date_of_birth"].dt.year == first["date_of_birth"].year).to_numpy()
        else:
            keep &= (roll[column] == first[column]).to_numpy()
    return int(keep.sum())


register(
    Exercise(
        id="02.3",
        question="How many people on the voter roll share the first participant's ZIP code, date of birth and sex?",
        form=Number(what="a count of people (or the matching rows of the roll)", tolerance=0, count=True),
        solve=lambda ctx: _matches(ctx),
        misconceptions=(
            Misconception(
                "ZIP and sex only",
                lambda ctx: _matches(ctx, ("zip5", "sex")),
                "all three attributes must match at once: ZIP code, date of birth and sex.",
            ),
            Misconception(
                "ZIP only",
                lambda ctx: _matches(ctx, ("zip5",)),
                "a ZIP code alone is shared by many people: the question asks for the people who share "
                "the ZIP code, the date of birth and the sex.",
            ),
            Misconception(
                "birth year instead of date",
                lambda ctx: _matches(ctx, ("zip5", "birth_year", "sex")),
                "compare the full date of birth, not only the year: the voter roll lists the whole date.",
            ),
            Misconception(
                "date of birth and sex only",
                lambda ctx: _matches(ctx, ("date_of_birth", "sex")),
                "the ZIP code matters too: people with the same birthday and sex elsewhere in the state do not match.",
            ),
        ),
        hint="find the first participant's ZIP code, date of birth and sex in world.people, then keep "
        "the voter-roll rows where all three are equal.",
    )
)
