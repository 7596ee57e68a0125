"""A small pedigree with simulated genomes and its true shared segments, to validate the segment finder.

Used by tests/test_segments.py and the ``segments`` section of benchmarks/benchmark.py.
Genomes come from :func:`genshare.cohort.genomes.simulate_genomes`, the genome model of
every world the lessons load (transmission through the pedigree as mosaics of coalescent
founder haplotypes, on the 22 autosomes of the HapMap-based map); the true segments are
read off the copies' founder mosaics (:func:`genshare.cohort.genomes.ibd_table`), so every
true segment comes through the pedigree.

The pedigree: ``n_families`` founding couples at generation 0; every couple has 2 to 4
children; each child marries a spouse from outside (a founder of that generation), for
``generations`` generations. The last generations hold full siblings, first, second and
third cousins (and removed cousins) of one another; people of different families are
unrelated.
"""

from __future__ import annotations

import dataclasses
from itertools import combinations

import numpy as np
import pandas as pd


@dataclasses.dataclass
class PedigreeSimulation:
    genotypes: np.ndarray  # (samples, SNPs) int8
    snps: pd.DataFrame  # chrom, pos, cm, ...
    pedigree: pd.DataFrame
    samples: list[str]
    pairs: np.ndarray  # (pairs, 2) rows of genotypes
    relationship: np.ndarray  # (pairs,) true relationship name
    truth: pd.DataFrame  # union of true segments: pair, chrom, start_cm, end_cm, length_cm
    haplotypes: np.ndarray  # (samples, 2, SNPs) int8, true phase


def simulate_pedigree(*, n_families: int = 2, generations: int = 5, n_snps: int = 20_000, seed: int = 1,
                      min_generation: int = 3) -> PedigreeSimulation:
    from genshare.cohort.genomes import ibd_table, simulate_genomes

    rng = np.random.default_rng(seed)
    rows = []  # person_id, father_id, mother_id, sex, generation, family

    def add(father, mother, sex, generation, family):
        rows.append((f"p{len(rows)}", father, mother, sex, generation, family))
        return rows[-1][0]

    for family in range(n_families):
        couples = [(add("", "", "M", 0, family), add("", "", "F", 0, family))]
        for generation in range(1, generations + 1):
            nxt = []
            for father, mother in couples:
                for _ in range(int(rng.integers(2, 4))):
                    sex = "M" if rng.random() < 0.5 else "F"
                    child = add(father, mother, sex, generation, family)
                    if generation < generations:
                        spouse = add("", "", "F" if sex == "M" else "M", generation, family)
                        nxt.append((child, spouse) if sex == "M" else (spouse, child))
            couples = nxt
    ped = pd.DataFrame(rows, columns=["person_id", "father_id", "mother_id", "sex", "generation", "family"])
    ped["population"] = "CEU"
    samples = ped.loc[(ped["generation"] >= min_generation) & (ped["father_id"] != ""), "person_id"].tolist()
    genomes = simulate_genomes(ped, samples, n_snps=n_snps, seed=seed, library_blocks=100)
    pairs = np.array(list(combinations(range(len(samples)), 2)))
    truth = ibd_table(genomes.mosaics, genomes.chrom_morgans, pairs)
    relationship = np.array([relationship_of(ped, samples[i], samples[j]) for i, j in pairs])
    return PedigreeSimulation(genomes.genotypes, genomes.snps, ped, samples, pairs, relationship, truth, genomes.haplotypes)


def relationship_of(ped: pd.DataFrame, x: str, y: str) -> str:
    """Name the relationship of two people of the pedigree from their closest common ancestors."""
    father = dict(zip(ped["person_id"], ped["father_id"], strict=True))
    mother = dict(zip(ped["person_id"], ped["mother_id"], strict=True))

    def ancestors(person):
        found, frontier = {person: 0}, [person]
        while frontier:
            nxt = []
            for p in frontier:
                for parent in (father[p], mother[p]):
                    if parent and parent not in found:
                        found[parent] = found[p] + 1
                        nxt.append(parent)
            frontier = nxt
        return found

    ax, ay = ancestors(x), ancestors(y)
    common = set(ax) & set(ay)
    if not common:
        return "unrelated"
    best = min(ax[c] + ay[c] for c in common)
    closest = [c for c in common if ax[c] + ay[c] == best]
    a, b = sorted((ax[closest[0]], ay[closest[0]]))
    prefix = "" if len(closest) >= 2 else "half_"
    if a == 0:
        return {1: "parent_child", 2: "grandparent", 3: "great_grandparent"}.get(b, f"lineal_{b}")
    if a == 1:
        return prefix + {1: "full_sibling" if not prefix else "sibling", 2: "avuncular", 3: "great_avuncular"}.get(b, f"avuncular_{b}")
    ordinal = {2: "first", 3: "second", 4: "third", 5: "fourth"}.get(a, f"{a - 1}th")
    removed = {0: "", 1: "_once_removed", 2: "_twice_removed"}.get(b - a, f"_{b - a}_removed")
    return f"{prefix}{ordinal}_cousin{removed}"
