"""Stand-in genome simulator with the interface of ``genshare.cohort.genomes`` (issue 14).

Used by :func:`genshare.cohort.simulate_world` only while the msprime fixed-pedigree
simulator (:mod:`genshare.cohort.genomes`) is not available. Founders get coalescent
haplotypes from :func:`genshare.cohort.genetics.simulate_founders` (short blocks of
sequence spread along each chromosome); everyone below them inherits one recombined copy
of each chromosome from each biological parent (:func:`genshare.cohort.genetics.transmit`),
generation by generation. Only the samples' ancestors are simulated, and only two
generations are held in memory at a time. No tree sequence is produced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genshare.cohort.genetics import simulate_founders, transmit
from genshare.populations import POPULATIONS

__all__ = ["Genomes", "simulate_genomes"]

#: Meioses simulated at once (bounds the work arrays: chunk x SNPs x 4 bytes).
_CHUNK = 1000


@dataclass(frozen=True)
class Genomes:
    """Genotypes of the samples (int8, samples x SNPs), the SNP table, and the tree
    sequence with each sample's two nodes (None and empty here)."""

    genotypes: np.ndarray
    snps: pd.DataFrame
    tree_sequence: Any = None
    sample_nodes: dict[str, tuple[int, int]] = field(default_factory=dict)


def simulate_genomes(
    pedigree: pd.DataFrame, samples: list[str], *, n_snps: int, model: str, seed: int, n_chromosomes: int = 22
) -> Genomes:
    """Genotypes of ``samples`` by descent through ``pedigree`` from coalescent founders.

    Parameters
    ----------
    pedigree
        ``person_id``, ``father_id``, ``mother_id`` (biological), ``generation`` and
        ``population``; parents in earlier generations than their children.
    samples
        The person ids to return genotypes for, in this order.
    n_snps, model, seed, n_chromosomes
        Number of SNPs, demographic model name, seed, number of autosomes.

    Returns
    -------
    Genomes
        ``genotypes`` (int8, len(samples) x n_snps, 0/1/2), ``snps`` (``snp_id``,
        ``chrom``, ``pos``, ``cm``, ``ref``, ``alt``, ``panel``, ``freq_<POP>`` among
        founders).
    """
    founder_seed, meiosis_seed = np.random.SeedSequence(seed).spawn(2)
    n = len(pedigree)
    row_of = pd.Series(np.arange(n), index=pedigree["person_id"].to_numpy())
    father = row_of.reindex(pedigree["father_id"].to_numpy()).fillna(-1).to_numpy(dtype=np.int64)
    mother = row_of.reindex(pedigree["mother_id"].to_numpy()).fillna(-1).to_numpy(dtype=np.int64)
    generation = pedigree["generation"].to_numpy()
    sample_rows = row_of[list(samples)].to_numpy()
    # Everyone whose genome is needed: the samples and all their ancestors.
    needed = np.zeros(n, dtype=bool)
    frontier = np.unique(sample_rows)
    while len(frontier):
        needed[frontier] = True
        up = np.concatenate([father[frontier], mother[frontier]])
        up = np.unique(up[up >= 0])
        frontier = up[~needed[up]]
    founders = np.flatnonzero(needed & (father < 0))
    population = pedigree["population"].to_numpy()
    counts = {pop: int((population[founders] == pop).sum()) for pop in POPULATIONS}
    genomes = simulate_founders(counts, n_snps, n_chromosomes, founder_seed, model)
    position = np.full(n, -1, dtype=np.int64)
    current = np.empty((len(founders), 2, n_snps), dtype=np.int8)
    for pop in POPULATIONS:  # founders of each population take that population's genomes in order
        mine = np.flatnonzero(population[founders] == pop)
        current[mine] = genomes.haplotypes[genomes.populations == pop][: len(mine)]
    position[founders] = np.arange(len(founders))
    out = np.empty((len(sample_rows), n_snps), dtype=np.int8)
    where_sample = pd.Series(np.arange(len(sample_rows)), index=sample_rows)

    def record(rows: np.ndarray, haps: np.ndarray) -> None:
        hit = np.isin(rows, sample_rows)
        out[where_sample[rows[hit]].to_numpy()] = haps[hit].sum(axis=1, dtype=np.int8)

    rows_prev = founders
    record(rows_prev, current)
    rng = np.random.default_rng(meiosis_seed)
    for g in range(1, int(generation.max()) + 1):
        rows = np.flatnonzero(needed & (generation == g) & (father >= 0))
        if not len(rows):
            continue
        haps = np.empty((len(rows), 2, n_snps), dtype=np.int8)
        for start in range(0, len(rows), _CHUNK):  # chunks bound memory; each is vectorised
            part = rows[start : start + _CHUNK]
            haps[start : start + len(part), 0] = transmit(current[position[father[part]]], genomes.snps, genomes.chrom_morgans, rng)
            haps[start : start + len(part), 1] = transmit(current[position[mother[part]]], genomes.snps, genomes.chrom_morgans, rng)
        position[rows] = np.arange(len(rows))
        current, rows_prev = haps, rows
        record(rows, haps)

    snps = genomes.snps.copy()
    snps["cm"] = np.round(snps.pop("morgans") * 100, 6)
    snps.insert(0, "snp_id", [f"sy{i + 1:06d}" for i in range(len(snps))])
    for pop in POPULATIONS:
        mine = genomes.populations == pop
        snps[f"freq_{pop}"] = np.round(genomes.haplotypes[mine].mean(axis=(0, 1)), 6) if mine.any() else np.nan
    return Genomes(genotypes=out, snps=snps)
