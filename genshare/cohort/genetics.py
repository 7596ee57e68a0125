"""Founder haplotypes from the coalescent, and Mendelian transmission to descendants.

Founders (people with no parents in the world) get haplotypes simulated with msprime
under a published demographic model, so that allele frequencies, linkage disequilibrium
and population structure are those of real data. Their descendants inherit one
recombined copy of each chromosome from each parent.

The genome is sampled as short blocks of sequence spread along chromosomes of human-like
physical and genetic length. Within a block, linkage disequilibrium comes from the
coalescent simulation; blocks are far apart and independent. Inheritance uses the
chromosomes' genetic lengths (in Morgans), so relatives share long stretches of genome as
real relatives do.
"""

from __future__ import annotations

from dataclasses import dataclass

import msprime
import numpy as np
import pandas as pd

from genshare.cohort.demography import DEMOGRAPHIC_MODELS, MUTATION_RATE, RECOMBINATION_RATE

__all__ = ["FounderGenomes", "simulate_founders", "transmit"]

#: Total genetic length given to the autosomes, in Morgans (the sex-averaged human
#: autosomal map is roughly 35 Morgans long).
TOTAL_MORGANS = 35.0
#: Total physical length of the autosomes, in bases (about that of the human autosomes).
TOTAL_BP = 2_875_000_000
#: Length of each independently simulated block of sequence, in bases.
BLOCK_LENGTH = 10_000
#: SNPs kept per block on average; fewer blocks are faster, more give more independent loci.
SNPS_PER_BLOCK = 10


@dataclass(frozen=True)
class FounderGenomes:
    """Phased haplotypes of founders and the SNPs they are typed at.

    Attributes
    ----------
    haplotypes
        ``int8`` array of shape (founders, 2, SNPs) with 0 (reference) or 1 (alternate).
    populations
        Population name of each founder.
    snps
        One row per SNP: ``chrom``, ``pos`` (1-based), ``ref``, ``alt``, ``panel``
        (``array`` or ``sequence``) and ``morgans`` (genetic position within the chromosome).
    chrom_morgans
        Genetic length of each chromosome, in chromosome order.
    """

    haplotypes: np.ndarray
    populations: np.ndarray
    snps: pd.DataFrame
    chrom_morgans: np.ndarray


def _chromosome_weights(n_chromosomes: int) -> np.ndarray:
    """Relative lengths decreasing from chromosome 1 to the last, like human autosomes."""
    weights = np.linspace(2.5, 1.0, n_chromosomes)
    return weights / weights.sum()


def _quotas(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder)."""
    raw = total * weights
    parts = np.floor(raw).astype(np.int64)
    parts[np.argsort(raw - parts)[::-1][: total - parts.sum()]] += 1
    return parts


def simulate_founders(
    founders_per_population: dict[str, int],
    n_snps: int,
    n_chromosomes: int,
    seed_sequence: np.random.SeedSequence,
    model: str = "out_of_africa_3g09",
    array_fraction: float = 0.8,
    array_min_maf: float = 0.05,
) -> FounderGenomes:
    """Simulate founder haplotypes and choose ``n_snps`` biallelic SNPs among their variants.

    The genome is sampled as short blocks (:data:`BLOCK_LENGTH` bases each) spread along
    chromosomes of human-like length. Each block is an independent coalescent simulation
    with recombination and mutation, so SNPs in the same block are in linkage
    disequilibrium while SNPs in different blocks are not, as in a real genome where LD
    decays within tens of kilobases.

    Two kinds of SNP are kept in every block, as in studies that combine a genotyping
    array with sequencing:

    - ``array`` SNPs (a share ``array_fraction``) are drawn among variants whose minor
      allele frequency in all founders is at least ``array_min_maf``, as arrays are
      designed from common variants;
    - ``sequence`` SNPs (the rest) are drawn uniformly among all variants, with no
      frequency filter, so they keep the excess of rare variants of sequence data.
    """
    demography = DEMOGRAPHIC_MODELS[model]()
    samples = {name: count for name, count in founders_per_population.items() if count > 0}
    weights = _chromosome_weights(n_chromosomes)
    chrom_morgans = weights * TOTAL_MORGANS
    chrom_bp = np.round(weights * TOTAL_BP).astype(np.int64)
    snps_per_chrom = _quotas(n_snps, weights)
    n_founders = sum(samples.values())
    haplotypes = np.empty((n_founders, 2, n_snps), dtype=np.int8)
    snp_blocks: list[pd.DataFrame] = []
    filled = 0
    pop_names: np.ndarray | None = None

    for chrom, (seeds, target) in enumerate(zip(seed_sequence.spawn(n_chromosomes), snps_per_chrom), start=1):
        ancestry_seed = int(seeds.generate_state(1)[0]) % (2**31 - 2) + 1
        rng = np.random.default_rng(seeds)
        n_blocks = max(1, int(np.ceil(target / SNPS_PER_BLOCK)))
        array_left, sequence_left = int(round(array_fraction * target)), 0
        sequence_left = int(target) - array_left
        block_tables, block_haps = [], []
        replicates = msprime.sim_ancestry(
            samples=samples,
            demography=demography,
            sequence_length=BLOCK_LENGTH,
            recombination_rate=RECOMBINATION_RATE,
            random_seed=ancestry_seed,
            num_replicates=10**9,  # drawn lazily until the chromosome has its SNPs
        )
        for block, ts in enumerate(replicates):
            if array_left + sequence_left == 0:
                break
            if pop_names is None:
                pop_names = np.array([ts.population(p).metadata["name"] for p in ts.individuals_population])
                nodes = ts.individuals_nodes.ravel()
            mutation_seed = int(rng.integers(1, 2**31 - 1))
            ts = msprime.sim_mutations(ts, rate=MUTATION_RATE, random_seed=mutation_seed, discrete_genome=False)
            pos = np.floor(ts.sites_position).astype(np.int64) + 1
            distinct = np.concatenate([[True], np.diff(pos) > 0]) if len(pos) else np.zeros(0, dtype=bool)
            genotypes = ts.genotype_matrix(samples=nodes)  # (sites, 2 * founders), one small block
            freq = genotypes.mean(axis=1)
            maf = np.minimum(freq, 1 - freq)
            # This block's share of what is still needed on this chromosome.
            blocks_left = max(n_blocks - block, 1)
            want_array = min(int(np.ceil(array_left / blocks_left)), array_left)
            want_sequence = min(int(np.ceil(sequence_left / blocks_left)), sequence_left)
            common = np.flatnonzero(distinct & (maf >= array_min_maf))
            take_array = rng.choice(common, size=min(want_array, len(common)), replace=False)
            others = np.setdiff1d(np.flatnonzero(distinct), take_array)
            take_sequence = rng.choice(others, size=min(want_sequence, len(others)), replace=False)
            array_left -= len(take_array)
            sequence_left -= len(take_sequence)
            keep = np.concatenate([take_array, take_sequence])
            order = np.argsort(keep)
            keep = keep[order]
            panel = np.array(["array"] * len(take_array) + ["sequence"] * len(take_sequence))[order]
            sites = [ts.site(int(i)) for i in keep]
            block_haps.append(genotypes[keep].astype(np.int8))
            block_tables.append(
                pd.DataFrame(
                    {
                        "block": block,
                        "offset": pos[keep],
                        "ref": [site.ancestral_state for site in sites],
                        "alt": [site.mutations[0].derived_state for site in sites],
                        "panel": panel,
                    }
                )
            )
        # Spread the blocks along the chromosome: one block in each equal stretch.
        n_done = len(block_tables)
        stretch = chrom_bp[chrom - 1] // n_done
        starts = np.arange(n_done) * stretch + rng.integers(0, max(stretch - BLOCK_LENGTH, 1), size=n_done)
        table = pd.concat(block_tables, ignore_index=True)
        table.insert(0, "chrom", chrom)
        table.insert(1, "pos", starts[table["block"].to_numpy()] + table["offset"].to_numpy())
        table["morgans"] = table["pos"] / chrom_bp[chrom - 1] * chrom_morgans[chrom - 1]
        snp_blocks.append(table.drop(columns=["block", "offset"]))
        chrom_haps = np.concatenate(block_haps, axis=0)  # (snps on chromosome, 2 * founders)
        haplotypes[:, :, filled : filled + len(table)] = chrom_haps.T.reshape(n_founders, 2, -1)
        filled += len(table)

    snps = pd.concat(snp_blocks, ignore_index=True)
    return FounderGenomes(haplotypes=haplotypes, populations=pop_names, snps=snps, chrom_morgans=chrom_morgans)


def transmit(
    parents: np.ndarray,
    snps: pd.DataFrame,
    chrom_morgans: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """One gamete from each parent: a recombined copy of each chromosome.

    Crossovers on each chromosome follow a Poisson process along its genetic length
    (no interference); the copy a gamete starts from is chosen at random.

    Parameters
    ----------
    parents
        ``int8`` haplotypes of shape (parents, 2, SNPs).
    snps
        SNP table with ``chrom`` and ``morgans`` columns, sorted by chromosome.
    chrom_morgans
        Genetic length of each chromosome.
    rng
        Random generator.

    Returns
    -------
    numpy.ndarray
        ``int8`` gametes of shape (parents, SNPs).
    """
    n_parents, _, n_snps = parents.shape
    chrom = snps["chrom"].to_numpy() - 1
    morgans = snps["morgans"].to_numpy()
    n_chrom = len(chrom_morgans)
    starts = np.searchsorted(chrom, np.arange(n_chrom))
    # Crossover counts and positions for every (parent, chromosome).
    counts = rng.poisson(chrom_morgans, size=(n_parents, n_chrom))
    parent_idx = np.repeat(np.repeat(np.arange(n_parents), n_chrom), counts.ravel())
    chrom_idx = np.repeat(np.tile(np.arange(n_chrom), n_parents), counts.ravel())
    where = rng.uniform(0.0, 1.0, size=parent_idx.size) * chrom_morgans[chrom_idx]
    # A crossover at genetic position x switches copies from the first SNP beyond x.
    ends = np.append(starts[1:], n_snps)
    first_after = np.empty(parent_idx.size, dtype=np.int64)
    for c in range(n_chrom):  # loop over chromosomes only (a handful), not people or SNPs
        sel = chrom_idx == c
        first_after[sel] = starts[c] + np.searchsorted(morgans[starts[c] : ends[c]], where[sel], side="right")
    toggles = np.zeros((n_parents, n_snps + 1), dtype=np.int8)
    np.add.at(toggles, (parent_idx, first_after), 1)
    switches = np.cumsum(toggles[:, :n_snps], axis=1, dtype=np.int32)
    # Reset the count at each chromosome start, then add the random starting copy.
    before_start = np.where(starts > 0, switches[:, np.maximum(starts - 1, 0)], 0)  # (parents, chrom)
    start_copy = rng.integers(0, 2, size=(n_parents, n_chrom))
    offset = np.repeat(start_copy - before_start, np.diff(np.append(starts, n_snps)), axis=1)
    copy = (switches + offset) % 2
    return np.where(copy == 0, parents[:, 0, :], parents[:, 1, :]).astype(np.int8)
