"""Founder haplotypes from the coalescent, and Mendelian transmission as haplotype mosaics.

The statistical model
---------------------
- **Chromosomes.** The 22 human autosomes of :data:`GENETIC_MAP` (GRCh38 lengths, and
  genetic lengths from the HapMap phase II map's mean rate on each chromosome, about
  3,690 cM in all), recombination uniform along each chromosome; ``n_chromosomes`` below
  22 keeps the first ones.
- **Meiosis.** Each gamete carries one recombined copy of each chromosome: crossovers
  follow a Poisson process along the chromosome's genetic length (no interference) and the
  copy the gamete starts from is chosen at random, independently for every chromosome.
- **Founders** (people with no parents in the world) carry haplotypes drawn from the
  coalescent under a published demographic model (:mod:`genshare.cohort.demography`), in
  their own population.

How it is computed (fast, and lean in memory)
---------------------------------------------
1. **Mosaics, not genotypes.** Every genome copy below the founders is a mosaic of
   founder haplotypes: a sorted list of breakpoints (genetic positions, in units of
   :data:`UNIT` Morgans on one axis where chromosome ``c`` starts at ``c *``
   :data:`CHROM_SPAN`) with the founder haplotype copied from each breakpoint on.
   :func:`transmit_mosaics` makes the gametes of a whole batch of meioses at once with
   sorted-array operations (no Python loop over people or SNPs): the gamete's breakpoints
   are its crossovers, the chromosome starts and the parent's two copies' breakpoints; at
   each, the copy in use is the parity of the crossovers before it. A copy seven
   generations below its founders holds a few hundred breakpoints whatever the number of
   SNPs, so the cost of transmission no longer grows with the SNP panel.
2. **Founder haplotypes from a library of coalescent blocks.** The genome is typed in
   short blocks (:data:`BLOCK_LENGTH` bases, ``snps_per_block`` SNPs each, default
   :data:`SNPS_PER_BLOCK`) spread
   evenly along each chromosome; within a block, linkage disequilibrium comes from the
   coalescent, and blocks about a megabase apart are independent, as real loci that far
   apart nearly are. Few SNPs per block and many blocks keep chance haplotype matches
   between unrelated people short: with 20 SNPs per block the SNPs come in clumps that
   match or mismatch together, and runs without an opposite homozygote between strangers
   span many blocks by chance. :func:`simulate_library` runs msprime ``library_blocks`` times for
   exactly the founders of each population (the cost of one run is set by the number of
   sampled haplotypes, not by the block length, so a few hundred longer runs replace
   thousands of short ones). Each genome block draws one library block, SNPs among its
   variants, and a fresh random permutation of the library's haplotypes *within each
   population* to hand to the founders. Haplotypes of one population are exchangeable
   under the coalescent, so each block is an exact coalescent sample for the founders,
   and independent permutations make different blocks independent. What reuse costs:
   blocks drawn from the same library block share their allele-frequency patterns.
3. **Genotypes only for the samples**, at the end, chromosome by chromosome: the
   founder haplotype in use at each SNP is looked up in the sample's two mosaics and the
   alleles are gathered from that chromosome's founder haplotypes.

4. **True identity by descent for free**: two genome copies are identical by descent
   through the pedigree exactly where they copy the same founder haplotype, so
   :func:`shared_intervals` reads the true shared segments of any pairs of copies off
   their mosaics (no tree sequence needed).

References: ``gutenkunst2009inferring`` (demographic model), ``baumdicker2022efficient``
(msprime 1.x), ``hapmap2007second`` and ``adrion2020stdpopsim`` (the genetic map's mean
rate per chromosome, as stdpopsim's ``HomSap`` catalogue gives it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from genshare.cohort.demography import DEMOGRAPHIC_MODELS, MUTATION_RATE, RECOMBINATION_RATE
from genshare.cohort.parameters import quotas

__all__ = [
    "CHROM_SPAN",
    "GENETIC_MAP",
    "UNIT",
    "Library",
    "Mosaics",
    "chromosome_lengths",
    "founder_mosaics",
    "founder_block_haplotypes",
    "shared_intervals",
    "simulate_library",
    "transmit_mosaics",
]

#: The 22 autosomes: GRCh38 length in bases and sex-averaged genetic length in
#: centimorgans (the mean rate of the HapMap phase II map lifted to GRCh38 on each
#: chromosome, as computed by stdpopsim's HomSap catalogue, times the length). For the
#: acrocentric chromosomes (13, 14, 15, 21, 22) multiplying by the whole assembly length
#: counts their unmapped short arms, so their lengths are somewhat longer than the map's own.
GENETIC_MAP = pd.DataFrame(
    {
        "chrom": np.arange(1, 23),
        "length_bp": [
            248956422,
            242193529,
            198295559,
            190214555,
            181538259,
            170805979,
            159345973,
            145138636,
            138394717,
            133797422,
            135086622,
            133275309,
            114364328,
            107043718,
            101991189,
            90338345,
            83257441,
            80373285,
            58617616,
            64444167,
            46709983,
            50818468,
        ],
        "rate_per_bp": [
            1.1523470111585671e-08,
            1.1042947599187705e-08,
            1.1258496243179589e-08,
            1.148200397734684e-08,
            1.1244324085272748e-08,
            1.1265873463291707e-08,
            1.177126324439884e-08,
            1.1604882118427952e-08,
            1.219866363355389e-08,
            1.3333710355319759e-08,
            1.1721276661036567e-08,
            1.3098075878935492e-08,
            1.3061005794618377e-08,
            1.3629801391728677e-08,
            1.738760443308643e-08,
            1.4831470988338458e-08,
            1.55382549450431e-08,
            1.4645528336185072e-08,
            1.8384797447801312e-08,
            1.6788552013988714e-08,
            1.724434082825555e-08,
            2.1057233894035443e-08,
        ],
    }
)
GENETIC_MAP["length_cm"] = GENETIC_MAP["length_bp"] * GENETIC_MAP["rate_per_bp"] * 100.0
#: Length of each coalescent block of sequence, in bases.
BLOCK_LENGTH = 50_000
#: SNPs kept per genome block by default: two, so that 25,000 SNPs make 12,500 independent
#: blocks (about 3.4 per cM) and a 7 cM segment spans about 24 of them.
SNPS_PER_BLOCK = 2
#: Independent msprime simulations in the block library.
LIBRARY_BLOCKS = 300
#: Variants of each library block kept as the pool for ``sequence`` SNPs (drawn uniformly).
SEQUENCE_POOL = 64
#: Resolution of genetic positions on the mosaic axis, in Morgans (0.01 cM: crossovers fall on
#: this grid, so that the saved mosaics are exactly the simulated ones, and small).
UNIT = 1e-4
#: Room given to each chromosome on the mosaic axis, in units (10 Morgans; no chromosome is longer).
CHROM_SPAN = 100_000


def chromosome_lengths(n_chromosomes: int = 22) -> tuple[np.ndarray, np.ndarray]:
    """Physical (bases) and genetic (Morgans) length of the first ``n_chromosomes`` autosomes.

    From :data:`GENETIC_MAP`; genetic lengths are rounded to the mosaic axis's
    resolution (:data:`UNIT`), so that every chromosome ends exactly on the axis.

    >>> bp, morgans = chromosome_lengths(22)
    >>> round(float(morgans.sum()) * 100), int(bp[0])
    (3686, 248956422)
    """
    if not 1 <= n_chromosomes <= len(GENETIC_MAP):
        raise ValueError(f"n_chromosomes must be between 1 and {len(GENETIC_MAP)}; got {n_chromosomes}")
    rows = GENETIC_MAP.iloc[:n_chromosomes]
    morgans = np.round(rows["length_cm"].to_numpy() / 100 / UNIT) * UNIT
    return rows["length_bp"].to_numpy(dtype=np.int64), morgans


# --- mosaics -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mosaics:
    """Genome copies as mosaics of founder haplotypes.

    Attributes
    ----------
    owner
        ``int64`` (segments,): the copy each segment belongs to, sorted.
    start
        ``int64`` (segments,): where the segment starts on the mosaic axis (units of
        :data:`UNIT` Morgans, chromosome ``c`` from ``c * CHROM_SPAN``), increasing within
        each owner; every owner's first segment starts at 0.
    hap
        ``int64`` (segments,): the founder haplotype copied from ``start`` on.
    """

    owner: np.ndarray
    start: np.ndarray
    hap: np.ndarray

    def keys(self) -> np.ndarray:
        """Sort keys ``owner * AXIS + start`` (increasing)."""
        return self.owner * _AXIS + self.start

    def haplotype_at(self, owners: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Founder haplotype of copy ``owners`` at ``positions`` (broadcast together)."""
        idx = np.searchsorted(self.keys(), owners * _AXIS + positions, side="right") - 1
        return self.hap[idx]


#: Length of the mosaic axis (all chromosomes), the multiplier of owners in sort keys.
_AXIS = 64 * CHROM_SPAN


def founder_mosaics(owners: np.ndarray, haps: np.ndarray) -> Mosaics:
    """Copies that are founder haplotypes end to end (one segment each)."""
    order = np.argsort(owners, kind="stable")
    return Mosaics(
        owner=np.asarray(owners, np.int64)[order],
        start=np.zeros(len(owners), np.int64),
        hap=np.asarray(haps, np.int64)[order],
    )


def _ranges(first: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(first[i], first[i] + counts[i])`` over i, vectorised."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    shift = np.repeat(first - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return np.arange(total, dtype=np.int64) + shift


def transmit_mosaics(
    mosaics: Mosaics,
    parent_copies: np.ndarray,
    chrom_morgans: np.ndarray,
    rng: np.random.Generator,
    keys: np.ndarray | None = None,
) -> Mosaics:
    """One gamete per meiosis, as a mosaic, for a batch of meioses at once.

    Parameters
    ----------
    mosaics
        The parents' copies.
    parent_copies
        ``int64`` (meioses, 2): the owner ids of the two copies of each meiosis's parent.
    chrom_morgans
        Genetic length of each chromosome, in Morgans.
    rng
        Random generator.
    keys
        ``mosaics.keys()`` if already computed (saves recomputing it for every batch).

    Returns
    -------
    Mosaics
        The gametes; gamete ``m`` has owner id ``m``.

    Examples
    --------
    >>> parents = founder_mosaics(np.array([0, 1]), np.array([10, 11]))
    >>> gamete = transmit_mosaics(parents, np.array([[0, 1]]), np.array([1.0]), np.random.default_rng(1))
    >>> set(gamete.hap.tolist()) <= {10, 11}
    True
    """
    parent_copies = np.asarray(parent_copies, dtype=np.int64)
    n_meioses, n_chrom = len(parent_copies), len(chrom_morgans)
    chrom_start = np.arange(n_chrom, dtype=np.int64) * CHROM_SPAN
    length_units = np.round(np.asarray(chrom_morgans) / UNIT).astype(np.int64)
    # Crossovers: Poisson counts per (meiosis, chromosome), uniform positions along it.
    counts = rng.poisson(chrom_morgans, size=(n_meioses, n_chrom))
    xo_m = np.repeat(np.repeat(np.arange(n_meioses), n_chrom), counts.ravel())
    xo_c = np.repeat(np.tile(np.arange(n_chrom), n_meioses), counts.ravel())
    xo_pos = chrom_start[xo_c] + 1 + (rng.random(xo_m.size) * length_units[xo_c]).astype(np.int64)
    xo_key = np.sort(xo_m * _AXIS + xo_pos)
    start_copy = rng.integers(0, 2, size=(n_meioses, n_chrom))
    # Candidate breakpoints: chromosome starts, crossovers, and both parental copies' breakpoints.
    keys = mosaics.keys() if keys is None else keys
    bounds = np.searchsorted(mosaics.owner, parent_copies)  # first row of each parental copy
    ends = np.searchsorted(mosaics.owner, parent_copies, side="right")
    lengths = ends - bounds
    rows = _ranges(bounds.ravel(), lengths.ravel())
    row_m = np.repeat(np.arange(n_meioses), lengths.sum(axis=1))
    cand = np.concatenate(
        [
            (np.arange(n_meioses)[:, None] * _AXIS + chrom_start[None, :]).ravel(),
            xo_key,
            row_m * _AXIS + mosaics.start[rows],
        ]
    )
    cand.sort()
    cand = cand[np.concatenate([[True], cand[1:] != cand[:-1]])]
    m, pos = cand // _AXIS, cand % _AXIS
    chrom = pos // CHROM_SPAN
    # Copy in use = start copy + crossovers on this chromosome up to here, modulo 2.
    n_xo = np.searchsorted(xo_key, cand, side="right") - np.searchsorted(xo_key, m * _AXIS + chrom * CHROM_SPAN)
    copy = (start_copy[m, chrom] + n_xo) % 2
    owner = parent_copies[m, copy]
    hap = mosaics.hap[np.searchsorted(keys, owner * _AXIS + pos, side="right") - 1]
    keep = np.ones(len(cand), dtype=bool)
    keep[1:] = (m[1:] != m[:-1]) | (hap[1:] != hap[:-1])
    return Mosaics(owner=m[keep], start=pos[keep], hap=hap[keep])


# --- founder haplotypes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Library:
    """Independent coalescent blocks simulated for exactly the founders of each population.

    Attributes
    ----------
    genotypes
        One ``uint8`` array (sites, bytes) per block: the block's haplotypes (0/1) packed
        eight to a byte along the haplotype axis (:func:`numpy.packbits`); haplotype
        columns follow ``populations``. Only the block's common sites and
        :data:`SEQUENCE_POOL` sites drawn uniformly among all its variants are kept.
    offsets, ref, alt
        Per block: site positions within the block (0-based), reference and alternate alleles.
    common
        Per block: ``True`` where the pooled minor allele frequency is at least the array threshold.
    pool
        Per block: ``True`` for the sites drawn uniformly among all variants (``sequence`` SNPs come from these).
    populations
        Population of each haplotype column.
    """

    genotypes: list[np.ndarray]
    offsets: list[np.ndarray]
    ref: list[np.ndarray]
    alt: list[np.ndarray]
    common: list[np.ndarray]
    pool: list[np.ndarray]
    populations: np.ndarray


def simulate_library(
    founders_per_population: dict[str, int],
    n_blocks: int,
    seed_sequence: np.random.SeedSequence,
    model: str = "out_of_africa_3g09",
    array_min_maf: float = 0.05,
) -> Library:
    """Simulate ``n_blocks`` independent coalescent blocks of :data:`BLOCK_LENGTH` bases."""
    import msprime  # here, not at the top: loading a world must not import the simulators

    demography = DEMOGRAPHIC_MODELS[model]()
    samples = {name: count for name, count in founders_per_population.items() if count > 0}
    rng = np.random.default_rng(seed_sequence)
    ancestry_seed = int(rng.integers(1, 2**31 - 1))
    mutation_seeds = rng.integers(1, 2**31 - 1, size=n_blocks)
    replicates = msprime.sim_ancestry(
        samples=samples,
        demography=demography,
        sequence_length=BLOCK_LENGTH,
        recombination_rate=RECOMBINATION_RATE,
        random_seed=ancestry_seed,
        num_replicates=n_blocks,
    )
    out: dict[str, list] = {"genotypes": [], "offsets": [], "ref": [], "alt": [], "common": [], "pool": []}
    populations: np.ndarray | None = None
    for b, ts in enumerate(replicates):
        ts = msprime.sim_mutations(ts, rate=MUTATION_RATE, random_seed=int(mutation_seeds[b]), discrete_genome=False)
        if populations is None:
            nodes = ts.individuals_nodes.ravel()
            populations = np.array([ts.population(ts.node(int(n)).population).metadata["name"] for n in nodes])
        pos = np.floor(ts.sites_position).astype(np.int64)
        distinct = np.flatnonzero(np.concatenate([[True], np.diff(pos) > 0])) if len(pos) else np.zeros(0, np.int64)
        g = ts.genotype_matrix(samples=nodes)[distinct]
        freq = g.mean(axis=1)
        is_common = np.minimum(freq, 1 - freq) >= array_min_maf
        pool = np.zeros(len(distinct), dtype=bool)
        pool[rng.choice(len(distinct), size=min(SEQUENCE_POOL, len(distinct)), replace=False)] = True
        kept = np.flatnonzero(is_common | pool)
        distinct, g, is_common = distinct[kept], g[kept], is_common[kept]
        out["genotypes"].append(np.packbits(g.astype(np.uint8), axis=1))
        out["pool"].append(pool[kept])
        out["offsets"].append(pos[distinct])
        out["ref"].append(np.array([ts.site(int(i)).ancestral_state for i in distinct], dtype=object))
        out["alt"].append(np.array([ts.site(int(i)).mutations[0].derived_state for i in distinct], dtype=object))
        out["common"].append(is_common)
    if populations is None:
        raise ValueError(f"n_blocks must be at least 1; got {n_blocks}")
    return Library(populations=populations, **out)


def founder_block_haplotypes(
    library: Library,
    founder_populations: np.ndarray,
    n_snps: int,
    chrom: int,
    chrom_bp: int,
    chrom_morgans: float,
    array_fraction: float,
    rng: np.random.Generator,
    snps_per_block: int = SNPS_PER_BLOCK,
) -> tuple[pd.DataFrame, np.ndarray]:
    """SNPs of one chromosome and the founders' haplotypes at them.

    Parameters
    ----------
    library
        Coalescent blocks (:func:`simulate_library`).
    founder_populations
        Population of each founder haplotype (founder haplotype ``h`` is row ``h``).
    n_snps
        SNPs on this chromosome.
    chrom, chrom_bp, chrom_morgans
        Chromosome number, physical and genetic length.
    array_fraction
        Share of ``array`` SNPs (drawn among common variants); the rest are ``sequence``
        SNPs drawn among all variants.
    rng
        Random generator.
    snps_per_block
        SNPs typed in each coalescent block (blocks are spread evenly along the chromosome).

    Returns
    -------
    (pandas.DataFrame, numpy.ndarray)
        The SNP table (``chrom``, ``pos``, ``ref``, ``alt``, ``panel``, ``morgans``) and
        ``int8`` founder haplotypes of shape (founder haplotypes, n_snps).
    """
    n_blocks = max(1, int(np.ceil(n_snps / snps_per_block)))
    per_block = quotas(n_snps, np.ones(n_blocks))
    n_array = np.minimum(quotas(int(round(array_fraction * n_snps)), per_block), per_block)
    n_common = np.array([c.sum() for c in library.common])
    n_all = np.array([p.sum() for p in library.pool])
    eligible = np.flatnonzero((n_common >= per_block.max()) & (n_all >= 2 * per_block.max()))
    if len(eligible) == 0:
        raise ValueError("library: no coalescent block has enough variants for the SNPs per block")
    source = rng.choice(eligible, size=n_blocks)
    # Founder haplotypes of each population, and the library columns of that population.
    groups = [
        (np.flatnonzero(founder_populations == p), np.flatnonzero(library.populations == p))
        for p in np.unique(founder_populations)
    ]
    stretch = chrom_bp // n_blocks
    starts = np.arange(n_blocks) * stretch + rng.integers(0, max(stretch - BLOCK_LENGTH, 1), size=n_blocks)
    haps = np.empty((len(founder_populations), n_snps), dtype=np.int8)
    n_lib = len(library.populations)
    pos, ref, alt, panel = [], [], [], []
    filled = 0
    column = np.empty(len(founder_populations), dtype=np.int64)
    for b in range(n_blocks):  # loop over blocks, each vectorised over the founders
        lib = int(source[b])
        common = np.flatnonzero(library.common[lib])
        take_a = rng.choice(common, size=n_array[b], replace=False)
        rest = np.setdiff1d(np.flatnonzero(library.pool[lib]), take_a)
        take_s = rng.choice(rest, size=per_block[b] - n_array[b], replace=False)
        take = np.concatenate([take_a, take_s])
        order = np.argsort(library.offsets[lib][take], kind="stable")
        take = take[order]
        for mine, cols in groups:  # a fresh within-population permutation for every block
            column[mine] = rng.permutation(cols)[: len(mine)]
        block = np.unpackbits(library.genotypes[lib][take], axis=1, count=n_lib)
        haps[:, filled : filled + len(take)] = block[:, column].T
        pos.append(starts[b] + library.offsets[lib][take] + 1)
        ref.append(library.ref[lib][take])
        alt.append(library.alt[lib][take])
        panel.append(order < n_array[b])
        filled += len(take)
    table = pd.DataFrame(
        {
            "chrom": chrom,
            "pos": np.concatenate(pos),
            "ref": np.concatenate(ref),
            "alt": np.concatenate(alt),
            "panel": np.where(np.concatenate(panel), "array", "sequence"),
        }
    )
    table["morgans"] = table["pos"] / chrom_bp * chrom_morgans
    return table, haps


# --- true identity by descent ----------------------------------------------------------------------


def shared_intervals(
    mosaics: Mosaics,
    copy_pairs: np.ndarray,
    chrom_morgans: np.ndarray,
    keys: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where pairs of genome copies carry the same founder haplotype: their true IBD segments.

    Two copies are identical by descent through the pedigree wherever they copy the same
    founder haplotype. Vectorised over the pairs: the candidate boundaries of a pair are
    both copies' breakpoints and the chromosome starts and ends; at each, the founder
    haplotype of both copies is looked up, and consecutive shared stretches are merged.
    Segments never cross a chromosome end.

    Parameters
    ----------
    mosaics
        The copies (owner ids as in ``copy_pairs``).
    copy_pairs
        ``int64`` (pairs, 2): owner ids of the two copies of each pair.
    chrom_morgans
        Genetic length of each chromosome (Morgans); chromosome ``c`` is
        ``[c * CHROM_SPAN, c * CHROM_SPAN + length)`` on the mosaic axis.
    keys
        ``mosaics.keys()`` if already computed.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        ``pair`` (row of ``copy_pairs``), ``start`` and ``end`` (mosaic axis units) of
        each shared segment, sorted by pair then start.

    Examples
    --------
    >>> m = Mosaics(owner=np.array([0, 0, 1]), start=np.array([0, 5_000, 0]), hap=np.array([7, 8, 7]))
    >>> shared_intervals(m, np.array([[0, 1]]), np.array([1.0]))
    (array([0]), array([0]), array([5000]))
    """
    copy_pairs = np.asarray(copy_pairs, dtype=np.int64).reshape(-1, 2)
    n_pairs, n_chrom = len(copy_pairs), len(chrom_morgans)
    keys = mosaics.keys() if keys is None else keys
    chrom_start = np.arange(n_chrom, dtype=np.int64) * CHROM_SPAN
    chrom_end = chrom_start + np.round(np.asarray(chrom_morgans) / UNIT).astype(np.int64)
    first = np.searchsorted(mosaics.owner, copy_pairs)
    count = np.searchsorted(mosaics.owner, copy_pairs, side="right") - first
    rows = _ranges(first.ravel(), count.ravel())
    row_pair = np.repeat(np.repeat(np.arange(n_pairs), 2), count.ravel())
    ends_key = (np.arange(n_pairs)[:, None] * _AXIS + chrom_end[None, :]).ravel()
    cand = np.concatenate(
        [
            (np.arange(n_pairs)[:, None] * _AXIS + chrom_start[None, :]).ravel(),
            ends_key,
            row_pair * _AXIS + mosaics.start[rows],
        ]
    )
    cand.sort()  # (np.unique would hash: several times slower here)
    cand = cand[np.concatenate([[True], cand[1:] != cand[:-1]])] if len(cand) else cand
    pair, pos = cand // _AXIS, cand % _AXIS
    hap_x = mosaics.hap[np.searchsorted(keys, copy_pairs[pair, 0] * _AXIS + pos, side="right") - 1]
    hap_y = mosaics.hap[np.searchsorted(keys, copy_pairs[pair, 1] * _AXIS + pos, side="right") - 1]
    chrom = pos // CHROM_SPAN
    live = pos < chrom_end[np.minimum(chrom, n_chrom - 1)]
    shared = (hap_x == hap_y) & live
    # A shared stretch runs from a candidate to the next one (same pair); merge neighbours.
    nxt = np.empty_like(pos)
    nxt[:-1] = pos[1:]
    nxt[-1:] = pos[-1:]
    opens = shared.copy()
    opens[1:] &= ~(shared[:-1] & (pair[1:] == pair[:-1]) & (chrom[1:] == chrom[:-1]))
    closes = shared.copy()
    closes[:-1] &= ~(shared[1:] & (pair[1:] == pair[:-1]) & (chrom[1:] == chrom[:-1]))
    start = pos[opens]
    end = nxt[closes]
    return pair[opens], start, end
