"""Surname recovery against the Y-STR database's share of men, and the length of patrilines.

Usage (from the repository root; build the world into a temporary folder, never into data/):

    python -m genshare.cohort --seed 1 --out /tmp/ystr_world --no-vcf
    python benchmarks/ystr_surnames.py /tmp/ystr_world [--seed 7] [--founders sourced|uniform]
        [--loci sourced|all] [--min-confidence 0.5] [--json out.json]

``--founders uniform`` draws every locus's founder alleles from the bounded uniform
distribution (an empty allele-frequency table), the model before the sourced frequencies;
``--loci sourced`` runs the attack on the 10 loci with sourced frequencies only.

What it measures, on the world's own pedigree:

1. **Patrilines.** Every living man is traced up his biological father line
   (``father_id``) to the founder who starts it. Reported: living (adult) men per
   patriline, the founders' generation depth (generations from the founder down to the
   living men of the line) and the surnames per patriline.
2. **Founders' Y-STR diversity.** Nei's unbiased gene diversity per locus of the founders'
   haplotypes (:func:`genshare.cohort.ystr.gene_diversity`), and the share held by the most
   common haplotype of the seven single-copy minimal-haplotype loci.
3. **Surname recovery against database share.** Haplotypes of every man are simulated
   again down the world's pedigree (:func:`genshare.cohort.ystr.simulate_y_haplotypes`),
   then for each share of living adult men in a public database the male participants'
   surnames are inferred (:func:`genshare.attacks.surname.infer_surnames`, default
   settings) and scored as recovered, misattributed or abstained. Participants' own
   profiles are removed from the database (Gymrek et al. looked for relatives, not the
   participants themselves); the ``self_included`` columns keep them, as the lesson does.

Nothing here is timed; the numbers are for the issue tracker and the lesson's text.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pandas as pd

from genshare.attacks.surname import infer_surnames
from genshare.cohort import load_world
from genshare.cohort.identities import REFERENCE_DATE
from genshare.cohort.ystr import (
    YSTR_PANEL,
    gene_diversity,
    simulate_y_haplotypes,
    ystr_allele_frequencies,
    ystr_database,
)

SHARES = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
MINIMAL_LOCI = ["DYS19", "DYS389I", "DYS389II", "DYS390", "DYS391", "DYS392", "DYS393"]


def patrilines(people: pd.DataFrame) -> pd.DataFrame:
    """One row per man: his founder (top of his biological father line) and the depth below it."""
    men = people[people["sex"] == "M"].set_index("person_id")
    father = men["father_id"].fillna("").astype(str)
    founder = pd.Series(np.where(father == "", father.index, ""), index=father.index)
    depth = pd.Series(0, index=father.index)
    current = father.copy()
    steps = 0
    while (current != "").any():
        steps += 1
        moving = current != ""
        depth[moving] += 1
        nxt = father.reindex(current[moving]).fillna("").to_numpy()
        top = nxt == ""
        founder[moving[moving].index[top]] = current[moving].to_numpy()[top]
        current[moving] = nxt
        if steps > 1000:
            raise RuntimeError("father_id loops")
    return pd.DataFrame({"founder": founder, "depth": depth})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("world")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--founders", choices=["sourced", "uniform"], default="sourced")
    parser.add_argument("--loci", choices=["all", "sourced"], default="all")
    parser.add_argument("--min-confidence", type=float, default=0.5)
    parser.add_argument("--json")
    args = parser.parse_args(argv)

    world = load_world(args.world)
    people = world.people.copy()
    age_days = (REFERENCE_DATE - people["date_of_birth"].to_numpy().astype("datetime64[D]")).astype(int)
    people["age"] = age_days // 365.25
    living_men = (people["sex"] == "M") & people["alive"].astype(bool)
    adult_men = living_men & (people["age"] >= 18)

    lines = patrilines(people)
    living = lines.loc[people.loc[living_men, "person_id"]]
    per_line = living.groupby("founder").size()
    adult_per_line = lines.loc[people.loc[adult_men, "person_id"]].groupby("founder").size()
    surnames = people.set_index("person_id")["surname"]
    names_per_line = surnames.reindex(living.index).groupby(living["founder"].to_numpy()).nunique()
    report: dict = {
        "founders": args.founders, "attack_loci": args.loci, "seed": args.seed,
        "min_confidence": args.min_confidence,
        "living_men": int(living_men.sum()),
        "living_adult_men": int(adult_men.sum()),
        "founders_with_living_men": int(per_line.size),
        "living_men_per_patriline": {"mean": float(per_line.mean()), "median": float(per_line.median()),
                                     "p90": float(per_line.quantile(0.9)), "max": int(per_line.max()),
                                     "share_of_lines_with_1": float((per_line == 1).mean())},
        "living_adult_men_per_patriline_mean": float(adult_per_line.mean()),
        "founder_depth_of_living_men": {str(k): int(v) for k, v in living["depth"].value_counts().sort_index().items()},
        "surnames_per_patriline_mean": float(names_per_line.mean()),
        "generations": sorted(int(g) for g in people["generation"].unique()),
    }

    table = ystr_allele_frequencies()
    if args.founders == "uniform":
        table = table.iloc[:0]
    haps = simulate_y_haplotypes(people, seed=args.seed, allele_frequencies=table)
    loci = YSTR_PANEL["locus"].tolist()
    attack_loci = sorted(ystr_allele_frequencies()["locus"].unique()) if args.loci == "sourced" else None
    founders = haps[haps["person_id"].isin(lines.index[lines["depth"] == 0])]
    report["founder_gene_diversity"] = {k: round(float(v), 3) for k, v in gene_diversity(founders[loci]).items()}
    report["founder_gene_diversity_mean"] = float(np.mean(list(report["founder_gene_diversity"].values())))
    modal = founders[MINIMAL_LOCI].value_counts(normalize=True)
    report["founder_modal_minimal7_share"] = float(modal.iloc[0])

    cohort_men = world.cohort[["participant_id", "person_id"]].merge(haps, on="person_id", how="inner")
    truth = surnames.reindex(cohort_men["person_id"]).to_numpy()
    rows = []
    for share in SHARES:
        database = ystr_database(people, haps, fraction=share, seed=args.seed)
        for label, db in (("self_excluded", database[~database["person_id"].isin(cohort_men["person_id"])]),
                          ("self_included", database)):
            answers = infer_surnames(cohort_men.drop(columns="person_id"), db, loci=attack_loci,
                                     min_confidence=args.min_confidence)
            answered = answers["status"].to_numpy() == "answer"
            correct = answered & (answers["surname"].to_numpy() == truth)
            rows.append({"share": share, "database": label, "profiles": len(db),
                         "recovered": float(correct.mean()), "misattributed": float((answered & ~correct).mean()),
                         "abstained": float((~answered).mean())})
    curve = pd.DataFrame(rows)
    report["recovery"] = rows
    report["male_participants"] = len(cohort_men)

    print(json.dumps({k: v for k, v in report.items() if k != "recovery"}, indent=1))
    print(curve.pivot(index="share", columns="database", values=["recovered", "misattributed"]).round(3).to_string())
    print("Gymrek et al. 2013 projection: ~0.12 recovered (US males of European ancestry)")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(report, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
