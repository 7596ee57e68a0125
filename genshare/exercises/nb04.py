"""Checks for notebook 04 (relatives and familial search on the pedigree world).

The checks read only small parts of the world (one pair of people on one chromosome, the
relationships table, and one pair's true segments), so each answers in well under a second,
without the notebook's full search.
"""

from __future__ import annotations

import numpy as np

from genshare.exercises import Context, Exercise, Misconception, Number, Share, register


def _pair(ctx: Context) -> tuple[int, int, int]:
    """Rows of section 1's participant, their first cousin and the stranger (as the notebook picks them)."""

    def build() -> tuple[int, int, int]:
        world = ctx.world
        truth = world.relationships
        cousins = truth[truth["relationship"] == "first_cousin"]
        if cousins.empty:
            raise ValueError("this world has no first-cousin pair of participant and database customer")
        pair = cousins.iloc[0]
        who = int(np.flatnonzero(world.cohort["participant_id"] == pair["participant_id"])[0])
        cousin = int(np.flatnonzero(world.database["profile_id"] == pair["profile_id"])[0])
        relatives = truth.loc[truth["participant_id"] == pair["participant_id"], "profile_id"]
        stranger = int(np.flatnonzero(~world.database["profile_id"].isin(relatives))[0])
        return who, cousin, stranger

    return ctx.memo("04:pair", build)


def _longest_run(ctx: Context, chrom_index: int = 1, other: str = "cousin", unit: str = "cm") -> float:
    """Longest run without an opposite homozygote between the participant and ``other`` on a chromosome.

    ``unit`` is ``"cm"`` (the answer), ``"snps"`` (the same run's SNP count) or ``"mb"``
    (its length in megabases).
    """
    world = ctx.world
    snps = world.snps
    who, cousin, stranger = _pair(ctx)
    chrom = snps["chrom"].unique()[chrom_index]
    on = (snps["chrom"] == chrom).to_numpy()
    a = world.cohort_genotypes[who, on]
    b = world.database_genotypes[cousin if other == "cousin" else stranger, on]
    cm = snps.loc[on, "cm"].to_numpy()
    cuts = np.flatnonzero(((a == 0) & (b == 2)) | ((a == 2) & (b == 0)))
    first = np.concatenate([[0], cuts + 1])
    last = np.concatenate([cuts, [len(a)]]) - 1
    keep = last >= first
    first, last = first[keep], last[keep]
    best = int(np.argmax(cm[last] - cm[first]))
    if unit == "snps":
        return float(last[best] - first[best] + 1)
    if unit == "mb":
        pos = snps.loc[on, "pos"].to_numpy()
        return float(pos[last[best]] - pos[first[best]]) / 1e6
    return float(cm[last[best]] - cm[first[best]])


register(
    Exercise(
        id="04.1",
        question="Longest run without an opposite homozygote (cM) between section 1's participant and first cousin "
        "on the second chromosome",
        form=Number(what="a length in centimorgans", tolerance=0.05),
        solve=lambda ctx: ctx.memo("04.1", lambda: _longest_run(ctx)),
        misconceptions=(
            Misconception(
                "length in SNPs",
                lambda ctx: _longest_run(ctx, unit="snps"),
                "this looks like a number of SNPs: measure the run on the genetic map, from the cM "
                "of its first SNP to the cM of its last.",
            ),
            Misconception(
                "length in megabases",
                lambda ctx: _longest_run(ctx, unit="mb"),
                "this looks like a physical length (base pairs): segments are measured on the "
                "genetic map, the cm column of the SNP table.",
            ),
            Misconception(
                "first chromosome",
                lambda ctx: _longest_run(ctx, chrom_index=0),
                "this is the first chromosome's longest run, as in section 1: the exercise asks about "
                "the second chromosome of the SNP table.",
            ),
            Misconception(
                "the stranger",
                lambda ctx: _longest_run(ctx, other="stranger"),
                "this is the run shared with the stranger: compare the participant with their first cousin.",
            ),
        ),
        hint="keep only the SNPs of the second chromosome, cut at every opposite homozygote "
        "(one person 0, the other 2) and take the longest stretch in cM.",
    )
)


def _share(
    ctx: Context, relationship: str = "second_cousin", exact: bool = False, among_related: bool = False
) -> float:
    """Share of participants with a relative of degree at most ``relationship``'s in the database."""
    world = ctx.world
    truth = world.relationships
    if relationship == "any":
        close = truth
    elif exact:
        close = truth[truth["relationship"] == relationship]
    else:
        degree = truth.loc[truth["relationship"] == relationship, "degree"]
        if degree.empty:
            raise ValueError(f"this world's relationships table has no {relationship} pair")
        close = truth[truth["degree"] <= degree.iloc[0]]
    denominator = truth["participant_id"].nunique() if among_related else len(world.cohort)
    return close["participant_id"].nunique() / denominator


register(
    Exercise(
        id="04.2",
        question="Share of participants with a relative of second cousin or closer (by degree) in the full database",
        form=Share(what="a share of the participants"),
        solve=lambda ctx: ctx.memo("04.2", lambda: _share(ctx)),
        misconceptions=(
            Misconception(
                "second cousins only",
                lambda ctx: _share(ctx, exact=True),
                "this counts second cousins only: 'second cousin or closer' also includes every "
                "relationship of a smaller degree (first cousins, siblings, parents, ...).",
            ),
            Misconception(
                "every relative",
                lambda ctx: _share(ctx, relationship="any"),
                "this counts relatives up to third cousins, every row of world.relationships: keep "
                "only the degrees up to that of second cousins.",
            ),
            Misconception(
                "first cousin or closer",
                lambda ctx: _share(ctx, relationship="first_cousin"),
                "this stops at first cousins: second cousins (and relationships of the same degree) count too.",
            ),
            Misconception(
                "among related participants",
                lambda ctx: _share(ctx, among_related=True),
                "divide by every participant in the cohort, not only by those with a relative in the database.",
            ),
        ),
        hint="keep the rows of world.relationships whose degree is at most that of second cousins, "
        "count the distinct participants, and divide by the cohort's size.",
    )
)


def _true_shared_cm(ctx: Context, other: str = "cousin", min_cm: float = 7.0, first_chromosome: bool = False) -> float:
    """True IBD (cM) that section 1's participant shares with ``other``, read from the world's truth.

    Sums ``world.ibd_segments`` of the pair (segments of at least ``min_cm``; with
    ``first_chromosome``, only those on the SNP table's first chromosome).
    """
    world = ctx.world
    who, cousin, stranger = _pair(ctx)
    a = world.cohort["person_id"].iloc[who]
    b = world.database["person_id"].iloc[cousin if other == "cousin" else stranger]
    segments = world.ibd_segments(a, b, min_cm=min_cm)
    if first_chromosome:
        segments = segments[segments["chrom"].astype(str) == str(world.snps["chrom"].iloc[0])]
    return float(segments["length_cm"].sum())


def _unphased_total(ctx: Context) -> float | None:
    """Total cM of the unphased runs that find_segments keeps for section 1's participant and first cousin.

    None on a world too sparse for segment search (a chromosome with fewer SNPs than
    ``find_segments`` needs): that wrong answer cannot arise there.
    """
    from genshare.attacks.segments import find_segments
    from genshare.popgen import allele_frequencies

    world = ctx.world
    who, cousin, _ = _pair(ctx)
    frequency = allele_frequencies(np.concatenate([world.cohort_genotypes, world.database_genotypes]))
    try:
        found = find_segments(
            world.cohort_genotypes[[who]],
            world.database_genotypes[[cousin]],
            chrom=world.snps["chrom"],
            cm=world.snps["cm"],
            frequencies=frequency,
        )
    except ValueError:
        return None
    return float(found["length_cm"].sum())


register(
    Exercise(
        id="04.3",
        question="True shared cM (segments of at least 7 cM, from world.ibd_segments) "
        "of section 1's participant and first cousin",
        form=Number(what="a length in centimorgans", tolerance=0.05),
        solve=lambda ctx: ctx.memo("04.3", lambda: _true_shared_cm(ctx)),
        misconceptions=(
            Misconception(
                "every true segment",
                lambda ctx: _true_shared_cm(ctx, min_cm=0.0),
                "this sums every true segment, however short: keep those of at least 7 cM (min_cm=7), "
                "the shortest a genealogy site reports.",
            ),
            Misconception(
                "first chromosome only",
                lambda ctx: _true_shared_cm(ctx, first_chromosome=True),
                "this is the first chromosome only, as in section 1: add up the true segments of every chromosome.",
            ),
            Misconception(
                "the stranger",
                lambda ctx: _true_shared_cm(ctx, other="stranger"),
                "this is what the participant truly shares with section 1's stranger: take the first cousin.",
            ),
            Misconception(
                "unphased runs",
                lambda ctx: _unphased_total(ctx),
                "this is the total of the unphased runs that find_segments keeps: the question asks for the "
                "truth, world.ibd_segments on the two person_id values.",
            ),
        ),
        hint="take the person_id of the participant (world.cohort) and of the first cousin (world.database), "
        "call world.ibd_segments(a, b, min_cm=7) and add up length_cm.",
    )
)
