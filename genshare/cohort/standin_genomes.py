"""The default ('transmission') genome simulator, with the interface of :mod:`genshare.cohort.genomes`.

``simulate_world(genome_simulator="transmission")`` uses it instead of msprime's
fixed-pedigree model. The model and the algorithm are described in
:mod:`genshare.cohort.genetics`: founders carry coalescent haplotypes (a library of
coalescent blocks, permuted within populations); everyone below them inherits one
recombined copy of each chromosome from each biological parent (crossovers as a Poisson
process along each chromosome's genetic length), carried as mosaics of founder haplotypes
and transmitted generation by generation, all meioses of a generation at once. Genotypes
are materialised only for the samples, chromosome by chromosome. Only the samples'
ancestors are simulated, and a person's mosaics are dropped once all their needed children
exist. No tree sequence is produced, so true IBD segments are not available from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import logging
import time

import numpy as np
import pandas as pd

from genshare.cohort.genetics import (
    CHROM_SPAN, LIBRARY_BLOCKS, UNIT, Mosaics, chromosome_lengths, founder_block_haplotypes, founder_mosaics,
    simulate_library, transmit_mosaics, _quotas,
)
from genshare.populations import POPULATIONS

__all__ = ["Genomes", "simulate_genomes"]

_log = logging.getLogger(__name__)

#: Children made at once (bounds the work arrays of :func:`transmit_mosaics`).
_CHUNK = 2500
#: Sample genome copies whose founder haplotypes are looked up at once.
_COPIES = 2000


@dataclass(frozen=True)
class Genomes:
    """Genotypes of the samples (int8, samples x SNPs), the SNP table, and the tree
    sequence with each sample's two nodes (None and empty here)."""

    genotypes: np.ndarray
    snps: pd.DataFrame
    tree_sequence: Any = None
    sample_nodes: dict[str, tuple[int, int]] = field(default_factory=dict)


def _concat(parts: list[Mosaics]) -> Mosaics:
    """Tables whose owners follow each other (each part's owners above the previous part's)."""
    return Mosaics(owner=np.concatenate([p.owner for p in parts]), start=np.concatenate([p.start for p in parts]),
                   hap=np.concatenate([p.hap for p in parts]))


def _keep(mosaics: Mosaics, wanted: np.ndarray) -> Mosaics:
    """Only the copies of the people (slots) where the boolean ``wanted`` is True."""
    sel = wanted[mosaics.owner // 2]
    return Mosaics(owner=mosaics.owner[sel], start=mosaics.start[sel], hap=mosaics.hap[sel])


def simulate_genomes(
    pedigree: pd.DataFrame, samples: list[str], *, n_snps: int, model: str, seed: int, n_chromosomes: int = 22,
    array_fraction: float = 0.8, array_min_maf: float = 0.05, library_blocks: int = LIBRARY_BLOCKS,
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
    array_fraction, array_min_maf
        Share of ``array`` SNPs and their minimum minor allele frequency in the founders.
    library_blocks
        Independent coalescent simulations in the founders' block library.

    Returns
    -------
    Genomes
        ``genotypes`` (int8, len(samples) x n_snps, 0/1/2), ``snps`` (``snp_id``,
        ``chrom``, ``pos``, ``cm``, ``ref``, ``alt``, ``panel``, ``freq_<POP>`` among
        founders).
    """
    clock = time.process_time()
    library_seed, meiosis_seed, snp_seed = np.random.SeedSequence(seed).spawn(3)
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
    # Founder haplotype 2i + k is copy k of founders[i]. Copies are owned by "slots", numbered in
    # order of creation (founders, then each generation), so that tables stay sorted by owner
    # when a generation is appended: person p's copies are 2 * slot[p] and 2 * slot[p] + 1.
    hap_population = np.repeat(population[founders], 2)
    slot = np.full(n, -1, dtype=np.int64)
    slot[founders] = np.arange(len(founders))
    mosaics = founder_mosaics(np.arange(2 * len(founders)), np.arange(2 * len(founders)))
    # The last generation in which each needed person still has a needed child to make.
    children = np.flatnonzero(needed & (father >= 0))
    last_use = np.full(n, -1)
    np.maximum.at(last_use, father[children], generation[children])
    np.maximum.at(last_use, mother[children], generation[children])
    is_sample = np.zeros(n, dtype=bool)
    is_sample[sample_rows] = True
    _, chrom_morgans = chromosome_lengths(n_chromosomes)
    rng = np.random.default_rng(meiosis_seed)
    n_slots = len(founders)
    done: list[Mosaics] = [_keep(mosaics, is_sample[founders])]
    for g in range(1, int(generation.max()) + 1):
        rows = np.flatnonzero(needed & (generation == g) & (father >= 0))
        if not len(rows):
            continue
        slot[rows] = n_slots + np.arange(len(rows))
        keys = mosaics.keys()
        new = []
        for start in range(0, len(rows), _CHUNK):  # chunks bound memory; each is vectorised
            part = rows[start : start + _CHUNK]
            parents = slot[np.stack([father[part], mother[part]], axis=1).ravel()]  # meiosis 2j + k
            gametes = transmit_mosaics(mosaics, np.stack([2 * parents, 2 * parents + 1], axis=1), chrom_morgans, rng, keys)
            # Gamete 2j + k becomes copy k of part[j].
            new.append(Mosaics(owner=2 * slot[part][0] + gametes.owner, start=gametes.start, hap=gametes.hap))
        born = _concat(new)
        # Owners of the table are slots; which slots are still needed, and which are samples.
        slot_person = np.full(n_slots + len(rows), -1, dtype=np.int64)
        slot_person[slot[slot >= 0]] = np.flatnonzero(slot >= 0)
        done.append(_keep(born, is_sample[slot_person]))
        n_slots += len(rows)
        mosaics = _concat([_keep(mosaics, last_use[slot_person] > g), _keep(born, last_use[slot_person] > g)])
    sampled = _concat(done)
    del mosaics, done
    _log.debug("mosaics: %.1f s CPU, %d segments for %d sampled copies", time.process_time() - clock,
               len(sampled.owner), 2 * len(sample_rows))

    # Founder haplotypes, chromosome by chromosome, gathered for the samples' two copies.
    counts = {pop: int((population[founders] == pop).sum()) for pop in POPULATIONS}
    library = simulate_library(counts, library_blocks, library_seed, model, array_min_maf)
    _log.debug("library: %.1f s CPU", time.process_time() - clock)
    chrom_bp, chrom_morgans = chromosome_lengths(n_chromosomes)
    snps_per_chrom = _quotas(n_snps, chrom_morgans)
    snp_rng = np.random.default_rng(snp_seed)
    copies = np.stack([2 * slot[sample_rows], 2 * slot[sample_rows] + 1], axis=1).ravel()
    out = np.empty((len(sample_rows), n_snps), dtype=np.int8)
    tables, freqs, filled = [], [], 0
    for c in range(n_chromosomes):  # 22 chromosomes, each vectorised
        table, haps = founder_block_haplotypes(
            library, hap_population, int(snps_per_chrom[c]), c + 1, int(chrom_bp[c]), float(chrom_morgans[c]),
            array_fraction, snp_rng,
        )
        axis = c * CHROM_SPAN + np.round(table["morgans"].to_numpy() / UNIT).astype(np.int64)
        cols = np.arange(len(table))
        for s in range(0, len(copies), _COPIES):
            part = copies[s : s + _COPIES]
            which = sampled.haplotype_at(part[:, None], axis[None, :])  # (copies, SNPs of chromosome)
            alleles = haps[which, cols[None, :]]
            out[s // 2 : (s + len(part)) // 2, filled : filled + len(table)] = alleles[0::2] + alleles[1::2]
        freqs.append({pop: haps[hap_population == pop].mean(axis=0) for pop in POPULATIONS if (hap_population == pop).any()})
        tables.append(table)
        filled += len(table)

    _log.debug("genotypes: %.1f s CPU", time.process_time() - clock)
    snps = pd.concat(tables, ignore_index=True)
    snps["cm"] = np.round(snps.pop("morgans") * 100, 6)
    snps.insert(0, "snp_id", [f"sy{i + 1:06d}" for i in range(len(snps))])
    for pop in POPULATIONS:
        snps[f"freq_{pop}"] = np.round(np.concatenate([f[pop] for f in freqs]), 6) if pop in freqs[0] else np.nan
    return Genomes(genotypes=out, snps=snps)
