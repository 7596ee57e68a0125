# %% [markdown]
# # Draft of notebook 04 on the pedigree world (issue 14 item 5): structure and code
#
# NOT a lesson yet. This is the h14c-segments draft of the rewrite, in "percent" script
# form so that the book and nbval ignore it. It is written against the world contract of
# issue 14 (people = whole pedigree, snps with cm, relationships to third cousin,
# family_trees) and must be turned into notebooks/04-relatives-and-familial-search.ipynb
# (glue every number, exercises with hidden solutions, objectives, prerequisites, time,
# key points, what's next) once the integrated world is on main.
#
# Measured on h14b's genomes (benchmarks/benchmark.py --only segments): with the world's
# default 20,000 SNPs (about 5 per cM, in windows of 4 linked SNPs) runs without an
# opposite homozygote of 7 cM arise by chance between strangers, so segments shorter than
# about 30 cM cannot be told from chance; 100,000 SNPs detect 15 cM and longer with
# precision >= 0.98. The world needs more SNPs (or the lesson a higher min_cm) for the
# Erlich threshold (two segments of 6 cM) to mean what it means on real arrays.
#
# On h14a's pedigree world (seed 2026, 20,000 SNPs, generated at 13:50 from their
# branch), segment_search(candidates=20, min_cm=7, min_snps=200) gives median shared cM
# 3,462 parent_child, 2,712 full_sibling, 1,090 first_cousin, 536 second_cousin,
# 405 third_cousin, but 375 for pairs not related within third cousin: at this density
# chance runs (windows of 4 linked SNPs, 20% rare "sequence" SNPs that are almost never
# opposite homozygous) swamp everything beyond first cousins. Section 2's claim
# ("cousins separate from strangers") holds only with a denser world.
#
# Section 3 on the same world, genealogy only (a participant counts when a true relative
# of third cousin or closer is among a random database of the given size; 20 draws;
# 39,889 living adults), next to erlich_identification_probability (their model, two
# segments >= 6 cM):
#   coverage 0.1%: 0.311 vs 0.232 | 0.2%: 0.520 vs 0.411 | 0.5%: 0.831 vs 0.734
#   1%: 0.965 vs 0.929 | 2%: 0.998 vs 0.995 | 5%: 1.000 vs 1.000
# The pedigree world reproduces the shape of Erlich's curve; the detectable curve (two
# segments >= 6 cM found by find_segments) needs the denser world to be meaningful.

# %% Setup
import numpy as np
import pandas as pd

from genshare.attacks import erlich_identification_probability, infer_relationship, kinship, segment_search
from genshare.attacks.segments import SHARED_CM_PROJECT, find_segments, summarise_pairs
from genshare.cohort import load_world

world = load_world()
snps = world.snps
rng = np.random.default_rng(2018)

# %% [markdown]
# ## 1. A participant's relatives by shared centimorgans
# Kinship prefilter (KING between-family), then segments on the candidates.

# %%
hits = segment_search(world.cohort_genotypes, world.database_genotypes, snps, candidates=20, min_cm=7.0)
hits["participant_id"] = world.cohort["participant_id"].to_numpy()[hits["query"]]
hits["profile_id"] = world.database["profile_id"].to_numpy()[hits["entry"]]
truth = world.relationships[["participant_id", "profile_id", "relationship"]]
scored = hits.merge(truth, on=["participant_id", "profile_id"], how="left").fillna({"relationship": "unrelated (or beyond third cousin)"})
example = scored[scored["participant_id"] == scored["participant_id"].iloc[0]]

# %% [markdown]
# ## 2. Cousins separate from strangers where kinship alone could not
# Shared cM and kinship by true relationship, next to the Shared cM Project ranges.

# %%
by_relationship = scored.groupby("relationship")[["kinship", "shared_cm", "n_segments"]].median()
published = SHARED_CM_PROJECT.set_index("relationship")[["average_cm", "low_cm", "high_cm"]]
comparison = by_relationship.join(published, how="left")
# Overlap of first/second/third cousins with strangers: kinship vs shared cM (share of
# strangers above the 10th percentile of each relationship's values).

# %% [markdown]
# ## 3. Erlich et al. 2018's central figure from first principles
# Database grows from 0.1% to 5% of the living adults; a participant "has a match" when
# a third-cousin-or-closer relative in the database is detectable: at least two shared
# segments of at least 6 cM (Erlich et al.'s threshold, supplement section 3). The
# paper's model (their Figure 1B) is `erlich_identification_probability`.

# %%
living = int(world.metadata.get("n_living_adults", len(world.people)))
coverages = np.array([0.001, 0.002, 0.005, 0.01, 0.02, 0.05])
relatives = world.relationships.merge(world.database[["profile_id"]].reset_index(names="entry"), on="profile_id")
relatives = relatives.merge(world.cohort[["participant_id"]].reset_index(names="query"), on="participant_id")
pairs = relatives[["query", "entry"]].to_numpy()
segments = find_segments(world.cohort_genotypes, world.database_genotypes, chrom=snps["chrom"], cm=snps["cm"],
                         pairs=pairs, min_cm=6.0)
detected = summarise_pairs(segments, pairs)
detectable = detected[detected["n_segments"] >= 2]
observed = []
for coverage in coverages:  # one random database per size (a handful of sizes)
    size = min(int(round(coverage * living)), len(world.database))
    chosen = rng.choice(len(world.database), size=size, replace=False)
    hit = detectable[np.isin(detectable["b"], chosen)]
    observed.append(hit["a"].nunique() / len(world.cohort))
model = erlich_identification_probability(coverages)  # 250 million people, 2.5 children per couple

# %% [markdown]
# ## 4. Investigative genetic genealogy, scaled down (the Golden State Killer workflow)
# Target: a participant; matches: a few distant database relatives; public family trees.
# Step 1 triangulate: the common ancestors of the matches' trees (family_trees records
# linked by father_record/mother_record); step 2 list their descendants in the trees;
# step 3 narrow by sex, birth year window and place; score every step against
# world.relationships / world.people (true common_ancestors).

# %%
trees = world.family_trees
parents = trees.set_index("record_id")[["father_record", "mother_record"]]


def ancestors(record: str) -> set[str]:
    found, frontier = set(), [record]
    while frontier:
        nxt = []
        for r in frontier:
            if r in parents.index:
                for p in parents.loc[r].dropna():
                    if p and p not in found:
                        found.add(p)
                        nxt.append(p)
        frontier = nxt
    return found
# (to finish: choose a target with >= 3 matches whose owners have trees; intersect the
# ancestor sets by person_id; descendants of the shared ancestors; filter by the
# target's sex, decade of birth and ZIP3; report candidates left at each step and
# whether the true person is among them.)
