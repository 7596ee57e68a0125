"""Checks for notebook 03 (genetic fingerprints)."""

from __future__ import annotations

import numpy as np

from genshare.exercises import Context, Exercise, Ids, Misconception, Number, register


def _fewest(ctx: Context, seed: int = 2, share: float = 0.99, panel: str = "array") -> int | None:
    from genshare.attacks import uniqueness_curve

    world = ctx.world
    array_snps = world.snps["panel"].to_numpy() == "array"
    columns = array_snps if panel == "array" else np.ones_like(array_snps)
    curve = ctx.memo(
        f"03.1:{seed}:{panel}", lambda: uniqueness_curve(world.cohort_genotypes[:, columns], range(5, 41), seed=seed)
    )
    reached = curve.loc[curve["share_unique"] >= share, "snps"]
    return int(reached.min()) if len(reached) else None


register(
    Exercise(
        id="03.1",
        question="Smallest number of array SNPs (5 to 40, seed=2) at which at least 99% of participants are unique",
        form=Number(what="a number of SNPs", tolerance=0),
        solve=lambda ctx: _fewest(ctx),
        misconceptions=(
            Misconception(
                "threshold 95%",
                lambda ctx: _fewest(ctx, share=0.95),
                "the question asks for at least 99% unique: compare share_unique with 0.99.",
            ),
            Misconception(
                "all SNPs",
                lambda ctx: _fewest(ctx, panel="all"),
                "use the array SNPs only (world.snps['panel'] == 'array'): sequence SNPs are mostly "
                "rare and a random draw of them tells fewer people apart.",
            ),
            Misconception(
                "another seed",
                lambda ctx: _fewest(ctx, seed=3),
                "this is the answer for another random draw of SNPs: the question fixes seed=2 "
                "(the second half asks how much the seed matters).",
            ),
        ),
        hint="run uniqueness_curve on all participants and the array SNPs with every count from 5 "
        "to 40 and seed=2, then take the smallest count whose share_unique is at least 0.99.",
    )
)


def _noisy_search(ctx: Context, threshold: float) -> list[str]:
    from genshare.attacks import match_genotype

    world = ctx.world
    database = world.cohort_genotypes
    rng = np.random.default_rng(10)
    noisy = database[9].copy()
    n_snps = noisy.size
    wrong = rng.choice(n_snps, size=n_snps // 10, replace=False)
    noisy[wrong] = (noisy[wrong] + rng.integers(1, 3, size=wrong.size)) % 3
    found = match_genotype(noisy, database, max_discordance=threshold)
    ids = world.cohort["participant_id"].to_numpy()
    return ids[found["index"].to_numpy(dtype=int)].tolist()


def _participant_ids(ctx: Context) -> np.ndarray:
    return ctx.world.cohort["participant_id"].to_numpy()


register(
    Exercise(
        id="03.2",
        question="Who does a 15% discordance threshold find for the leaked genotypes with 10% errors?",
        form=Ids(
            what="participant ids (a list, or the table match_genotype returns)",
            column="participant",
            rows=_participant_ids,
        ),
        solve=lambda ctx: _noisy_search(ctx, 0.15),
        misconceptions=(
            Misconception(
                "threshold of the first search",
                lambda ctx: _noisy_search(ctx, 0.03),
                "a threshold below the error rate finds nobody: with 10% wrong genotypes the right "
                "person disagrees at about 10% of the SNPs. Use the threshold the question gives.",
            ),
            Misconception(
                "threshold far too lenient",
                lambda ctx: _noisy_search(ctx, 0.7),
                "unrelated people disagree at well under 70% of the SNPs: a threshold that high "
                "matches strangers. Use the threshold the question gives.",
            ),
        ),
        hint="add 10% errors to participant 9's genotypes (as in section 3), search with "
        "match_genotype(..., max_discordance=0.15) and give the participant ids found.",
    )
)
