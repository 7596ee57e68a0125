"""Genomes of the people of a pedigree: 22 autosomes inherited through the pedigree.

The one genome model of the synthetic worlds (lessons, tests and benchmarks alike).

How the genomes are made
------------------------
1. **Founders** (people without parents in the pedigree) carry haplotypes drawn from the
   coalescent under the published demographic model (default Gutenkunst et al. 2009) in
   their own population, from a library of independent coalescent blocks
   (:func:`genshare.cohort.genetics.simulate_library`).
2. **Inheritance through the pedigree**: everyone below the founders inherits one
   recombined copy of each autosome from each biological parent (crossovers as a Poisson
   process along each chromosome's genetic length, :data:`GENETIC_MAP`). Copies are carried
   as *mosaics of founder haplotypes* and transmitted a whole generation at a time
   (:func:`genshare.cohort.genetics.transmit_mosaics`); only the samples' ancestors are
   simulated.
3. **SNPs like a genotyping array**: the genome is typed in short coalescent blocks
   (``snps_per_block`` SNPs each, default 2) spread evenly along every chromosome; in each,
   ``array`` SNPs are drawn among variants with minor allele frequency at least
   ``array_min_maf`` and ``sequence`` SNPs (a share ``1 - array_fraction``) among all.
4. **Phased haplotypes and true IBD**: the samples' two copies are returned separately
   (``haplotypes``, paternal copy first) together with their mosaics, from which
   :meth:`Genomes.ibd_segments` reads the true segments shared by descent of any pair.

SNP density
-----------
With 2 SNPs per block, ``n_snps`` SNPs make ``n_snps / 2`` independent blocks: 25,000 SNPs
(the default world) give about 3.4 blocks (6.8 SNPs) per centimorgan, so a 7 cM segment
spans about 47 SNPs in 24 independent blocks.

The genetic map
---------------
:data:`GENETIC_MAP` gives each autosome's GRCh38 length (Ensembl 113, as listed by
stdpopsim's ``HomSap`` catalogue) and its sex-averaged genetic length: the chromosome's
mean recombination rate in the HapMap phase II map lifted to GRCh38 (International
HapMap Consortium 2007; rates as computed by stdpopsim, Adrion et al. 2020) times its
length, about 3,690 cM in all; recombination is uniform within each chromosome.

References (``references.bib``): ``gutenkunst2009inferring`` (the demographic model),
``baumdicker2022msprime`` (msprime, for the founders' coalescent), ``hapmap2007second``
(the genetic map), ``adrion2020stdpopsim`` (the map's mean rate per chromosome).

Examples
--------
>>> import pandas as pd
>>> pedigree = pd.DataFrame({
...     "person_id": ["f", "m", "c"], "father_id": ["", "", "f"], "mother_id": ["", "", "m"],
...     "sex": ["M", "F", "F"], "generation": [0, 0, 1], "population": ["CEU", "CEU", "CEU"]})
>>> genomes = simulate_genomes(pedigree, ["c", "f"], n_snps=500, seed=1, library_blocks=20)
>>> genomes.genotypes.shape, genomes.genotypes.dtype.name
((2, 500), 'int8')
>>> round(genomes.ibd_segments("c", "f")["length_cm"].sum())  # a parent shares one copy
3686
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genshare._validation import check_choice, check_integer, check_number, check_probability
from genshare.cohort.demography import DEMOGRAPHIC_MODELS
from genshare.cohort.genetics import (
    CHROM_SPAN,
    GENETIC_MAP,
    LIBRARY_BLOCKS,
    SNPS_PER_BLOCK,
    UNIT,
    Mosaics,
    chromosome_lengths,
    founder_block_haplotypes,
    founder_mosaics,
    shared_intervals,
    simulate_library,
    transmit_mosaics,
)
from genshare.cohort.parameters import quotas
from genshare.cohort.pedigree import PedigreeError, validate_pedigree

_log = logging.getLogger(__name__)

__all__ = ["GENETIC_MAP", "Genomes", "ibd_table", "simulate_genomes"]

#: Columns the pedigree passed to :func:`simulate_genomes` must have.
PEDIGREE_COLUMNS = ("person_id", "father_id", "mother_id", "sex", "generation", "population")
#: Children made at once (bounds the work arrays of :func:`transmit_mosaics`).
_CHUNK = 2500
#: Sample genome copies whose founder haplotypes are looked up at once.
_COPIES = 2000
#: Copy pairs whose shared segments are computed at once.
_PAIRS = 20_000


def ibd_table(
    mosaics: Mosaics, chrom_morgans: np.ndarray, pairs: np.ndarray, *, by_copy: bool = False, min_cm: float = 0.0
) -> pd.DataFrame:
    """True IBD segments of pairs of genotyped people (rows ``i``, copies ``2i`` and ``2i + 1``).

    Parameters
    ----------
    mosaics
        The genotyped people's copies: owner ``2 * row + k`` is copy ``k`` of ``row``.
    chrom_morgans
        Genetic length of each chromosome, Morgans.
    pairs
        ``int`` (pairs, 2) of rows.
    by_copy
        False (default): the regions where the pair shares at least one copy (the union
        over the four pairs of copies: what unphased genotypes can see). True: one row per
        pair of copies sharing, with ``copy_a`` and ``copy_b``.
    min_cm
        Keep segments at least this long.

    Returns
    -------
    pandas.DataFrame
        ``pair`` (row of ``pairs``), ``chrom`` (1-based), ``start_cm``, ``end_cm``,
        ``length_cm`` (and ``copy_a``, ``copy_b`` with ``by_copy``), sorted by pair,
        chromosome and start.
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    keys = mosaics.keys()
    parts = []
    copies = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    for first in range(0, len(pairs), _PAIRS // 4):
        block = pairs[first : first + _PAIRS // 4]
        cp = (2 * block[:, None, :] + copies[None, :, :]).reshape(-1, 2)
        pair, start, end = shared_intervals(mosaics, cp, chrom_morgans, keys)
        parts.append((first + pair // 4, pair % 4, start, end))
    pair = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    which: np.ndarray | None = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int64)
    start = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, np.int64)
    end = np.concatenate([p[3] for p in parts]) if parts else np.zeros(0, np.int64)
    chrom = start // CHROM_SPAN
    if not by_copy:
        # Union over the four copy pairs: sort by (pair, start); a running maximum of the ends.
        order = np.lexsort((start, pair))
        pair, start, end, chrom = pair[order], start[order], end[order], chrom[order]
        key = pair * 64 + chrom
        new = np.ones(len(pair), dtype=bool)
        new[1:] = key[1:] != key[:-1]
        offset = key * (64 * CHROM_SPAN)  # monotone shift per group, larger than any axis span
        reach = np.maximum.accumulate(end + offset) - offset
        opens = new.copy()
        opens[1:] |= start[1:] > reach[:-1]
        firsts = np.flatnonzero(opens)
        lasts = np.concatenate([firsts[1:], [len(pair)]])[: len(firsts)] - 1
        pair, chrom, start, end = pair[firsts], chrom[firsts], start[firsts], reach[lasts]
        which = None
    out = pd.DataFrame(
        {
            "pair": pair,
            "chrom": (chrom + 1).astype(np.int64),
            "start_cm": (start - chrom * CHROM_SPAN) * (UNIT * 100),
            "end_cm": (end - chrom * CHROM_SPAN) * (UNIT * 100),
        }
    )
    out["length_cm"] = out["end_cm"] - out["start_cm"]
    if which is not None:
        out["copy_a"], out["copy_b"] = which // 2, which % 2
    out = out[out["length_cm"] >= min_cm]
    return out.sort_values(["pair", "chrom", "start_cm"], kind="stable").reset_index(drop=True)


@dataclass
class Genomes:
    """Simulated genomes of the sampled people of a pedigree.

    Attributes
    ----------
    haplotypes
        ``int8`` array of shape (samples, 2, SNPs): the alleles (0 reference, 1
        alternate) of each sample's paternal (0) and maternal (1) copy, rows in the order
        of the ``samples`` given to :func:`simulate_genomes`.
    snps
        One row per SNP, sorted by chromosome and position: ``snp_id``, ``chrom``, ``pos``
        (1-based, GRCh38-like coordinates), ``cm`` (sex-averaged genetic position within the
        chromosome), ``ref``, ``alt``, ``panel`` (``array`` or ``sequence``) and
        ``freq_<pop>`` (alternate-allele frequency among the founders of each population).
    mosaics
        The samples' copies as mosaics of founder haplotypes: owner ``2 * row + k`` is
        copy ``k`` of sample ``row``; ``start`` in units of :data:`genshare.cohort.genetics.UNIT`
        Morgans, chromosome ``c`` (0-based) from ``c * CHROM_SPAN``.
    samples
        The sample ids, in row order.
    chrom_morgans
        Genetic length of each simulated chromosome (Morgans).
    metadata
        How the genomes were made.
    """

    haplotypes: np.ndarray
    snps: pd.DataFrame
    mosaics: Mosaics
    samples: list[str]
    chrom_morgans: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def genotypes(self) -> np.ndarray:
        """``int8`` (samples, SNPs): alternate-allele counts 0, 1, 2."""
        return self.haplotypes.sum(axis=1, dtype=np.int8)

    def ibd_segments(self, person_a: str, person_b: str, *, by_copy: bool = False, min_cm: float = 0.0) -> pd.DataFrame:
        """True segments shared identical by descent through the pedigree by two samples.

        See :func:`ibd_table`; the ``pair`` column is dropped. ``by_copy=True`` gives one
        row per pair of copies (``copy_a``, ``copy_b``) instead of their union.
        """
        min_cm = check_number(min_cm, "min_cm", minimum=0.0)
        row = {s: i for i, s in enumerate(self.samples)}
        for name, person in (("person_a", person_a), ("person_b", person_b)):
            if person not in row:
                raise ValueError(f"{name} {person!r} is not one of the sampled people")
        table = ibd_table(
            self.mosaics, self.chrom_morgans, np.array([[row[person_a], row[person_b]]]), by_copy=by_copy, min_cm=min_cm
        )
        return table.drop(columns="pair")


# --- input checks -------------------------------------------------------------------------------


def _parent_ids(values: pd.Series) -> np.ndarray:
    """Parent ids as strings, '' for unknown (NaN/None/empty)."""
    return values.astype(object).where(values.notna(), "").astype(str).to_numpy()


def _pedigree_and_samples(pedigree: pd.DataFrame, samples: list[str], populations: list[str]) -> pd.DataFrame:
    """Check a pedigree and sample list for :func:`simulate_genomes`; return a clean copy.

    The pedigree is checked by :func:`genshare.cohort.pedigree.validate_pedigree` (ids,
    sexes, unknown parents, cycles, whole generations with parents of an earlier one), asked
    also for the columns of :data:`PEDIGREE_COLUMNS`, both parents or neither, and
    populations of the model; then the samples must be present and not repeated.

    Raises
    ------
    ValueError
        Naming the parameter and the offending ids.
    """
    if not isinstance(pedigree, pd.DataFrame):
        raise ValueError(f"pedigree must be a pandas DataFrame; got {type(pedigree).__name__}")
    try:
        validate_pedigree(pedigree, columns=PEDIGREE_COLUMNS, both_parents=True, populations=populations)
    except PedigreeError as error:
        message = str(error)
        raise PedigreeError(message if message.startswith("pedigree") else f"pedigree: {message}") from None
    if len(pedigree) == 0:
        raise ValueError("pedigree has no rows")
    ped = pedigree[list(PEDIGREE_COLUMNS)].copy()
    ped["person_id"] = ped["person_id"].astype(str)
    ped["father_id"] = _parent_ids(pedigree["father_id"])
    ped["mother_id"] = _parent_ids(pedigree["mother_id"])
    ped["generation"] = pd.to_numeric(ped["generation"]).astype(np.int64)
    if isinstance(samples, (str, bytes)) or not hasattr(samples, "__iter__"):
        raise ValueError(f"samples must be a list of person ids; got {type(samples).__name__}")
    samples = [str(s) for s in samples]
    if not samples:
        raise ValueError("samples is empty")
    if len(set(samples)) != len(samples):
        rep = pd.Series(samples)[pd.Series(samples).duplicated()].unique().tolist()[:5]
        raise ValueError(f"samples: person ids repeated: {rep}")
    absent = pd.Index(samples).difference(pd.Index(ped["person_id"]))
    if len(absent):
        raise ValueError(f"samples: not in the pedigree: {absent.tolist()[:5]}")
    return ped


def _concat(parts: list[Mosaics]) -> Mosaics:
    """Tables whose owners follow each other (each part's owners above the previous part's)."""
    return Mosaics(
        owner=np.concatenate([p.owner for p in parts]),
        start=np.concatenate([p.start for p in parts]),
        hap=np.concatenate([p.hap for p in parts]),
    )


def _keep(mosaics: Mosaics, wanted: np.ndarray) -> Mosaics:
    """Only the copies of the people (slots) where the boolean ``wanted`` is True."""
    sel = wanted[mosaics.owner // 2]
    return Mosaics(owner=mosaics.owner[sel], start=mosaics.start[sel], hap=mosaics.hap[sel])


def simulate_genomes(
    pedigree: pd.DataFrame,
    samples: list[str],
    *,
    n_snps: int,
    model: str = "out_of_africa_3g09",
    seed: int,
    n_chromosomes: int = 22,
    snps_per_block: int = SNPS_PER_BLOCK,
    array_fraction: float = 0.8,
    array_min_maf: float = 0.05,
    library_blocks: int = LIBRARY_BLOCKS,
) -> Genomes:
    """Simulate the genomes of ``samples`` through ``pedigree`` (see the module docstring).

    Parameters
    ----------
    pedigree
        One row per person with at least ``person_id``, ``father_id``, ``mother_id``
        (biological parents, ``""`` or missing for founders), ``sex`` (``"F"``/``"M"``),
        ``generation`` (integer; every parent of an earlier generation than the child) and
        ``population`` (a population of ``model``). Only the samples and their ancestors
        are simulated.
    samples
        Person ids whose genomes are returned, in the order of the rows.
    n_snps
        SNPs to type (positive), spread over the chromosomes in proportion to genetic length.
    model
        Demographic model of :data:`genshare.cohort.demography.DEMOGRAPHIC_MODELS`.
    seed
        Non-negative integer; same seed and inputs give the same genomes.
    n_chromosomes
        Autosomes simulated (1 to 22, the first ones of :data:`GENETIC_MAP`).
    snps_per_block
        SNPs typed per coalescent block (1 to 50).
    array_fraction, array_min_maf
        Share of ``array`` SNPs and their minimum minor allele frequency in the founders.
    library_blocks
        Independent coalescent simulations in the founders' block library.

    Returns
    -------
    Genomes

    Raises
    ------
    ValueError
        Naming the parameter, for bad values, samples not in the pedigree, parents missing
        from it, parents of the wrong sex and parents not older than their children.
    """
    n_snps = check_integer(n_snps, "n_snps", minimum=1)
    seed = check_integer(seed, "seed", minimum=0)
    model = check_choice(model, "model", DEMOGRAPHIC_MODELS)
    n_chromosomes = check_integer(n_chromosomes, "n_chromosomes", minimum=1, maximum=len(GENETIC_MAP))
    snps_per_block = check_integer(snps_per_block, "snps_per_block", minimum=1, maximum=50)
    array_fraction = check_probability(array_fraction, "array_fraction")
    array_min_maf = check_number(array_min_maf, "array_min_maf", minimum=0.0, maximum=0.5)
    library_blocks = check_integer(library_blocks, "library_blocks", minimum=1)
    if n_chromosomes > n_snps:
        raise ValueError(f"n_chromosomes ({n_chromosomes}) cannot exceed n_snps ({n_snps})")
    demography = DEMOGRAPHIC_MODELS[model]()
    model_pops = [p.name for p in demography.populations if p.default_sampling_time == 0]
    pedigree = _pedigree_and_samples(pedigree, samples, model_pops)
    samples = [str(s) for s in samples]

    clock = time.process_time()
    library_seed, meiosis_seed, snp_seed = np.random.SeedSequence(seed).spawn(3)
    n = len(pedigree)
    row_of = pd.Series(np.arange(n), index=pedigree["person_id"].to_numpy())
    father = row_of.reindex(pedigree["father_id"].to_numpy()).fillna(-1).to_numpy(dtype=np.int64)
    mother = row_of.reindex(pedigree["mother_id"].to_numpy()).fillna(-1).to_numpy(dtype=np.int64)
    generation = pedigree["generation"].to_numpy()
    sample_rows = row_of[samples].to_numpy()
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
    chrom_bp, chrom_morgans = chromosome_lengths(n_chromosomes)
    rng = np.random.default_rng(meiosis_seed)
    n_slots = len(founders)
    done: list[Mosaics] = [_keep(mosaics, is_sample[founders])]
    for g in range(int(generation.min()) + 1, int(generation.max()) + 1):
        rows = np.flatnonzero(needed & (generation == g) & (father >= 0))
        if not len(rows):
            continue
        slot[rows] = n_slots + np.arange(len(rows))
        keys = mosaics.keys()
        new = []
        for start in range(0, len(rows), _CHUNK):  # chunks bound memory; each is vectorised
            part = rows[start : start + _CHUNK]
            parents = slot[np.stack([father[part], mother[part]], axis=1).ravel()]  # meiosis 2j + k
            gametes = transmit_mosaics(
                mosaics, np.stack([2 * parents, 2 * parents + 1], axis=1), chrom_morgans, rng, keys
            )
            # Gamete 2j + k becomes copy k of part[j].
            new.append(Mosaics(owner=2 * slot[part][0] + gametes.owner, start=gametes.start, hap=gametes.hap))
        born = _concat(new)
        slot_person = np.full(n_slots + len(rows), -1, dtype=np.int64)
        slot_person[slot[slot >= 0]] = np.flatnonzero(slot >= 0)
        done.append(_keep(born, is_sample[slot_person]))
        n_slots += len(rows)
        mosaics = _concat([_keep(mosaics, last_use[slot_person] > g), _keep(born, last_use[slot_person] > g)])
    sampled = _concat(done)
    del mosaics, done
    # Renumber the owners: copy k of sample row i becomes owner 2i + k.
    owner_row = np.full(2 * n_slots, -1, dtype=np.int64)
    owner_row[2 * slot[sample_rows]] = 2 * np.arange(len(sample_rows))
    owner_row[2 * slot[sample_rows] + 1] = 2 * np.arange(len(sample_rows)) + 1
    new_owner = owner_row[sampled.owner]
    order = np.lexsort((sampled.start, new_owner))
    sampled = Mosaics(owner=new_owner[order], start=sampled.start[order], hap=sampled.hap[order])
    _log.debug(
        "mosaics: %.1f s CPU, %d segments for %d sampled copies",
        time.process_time() - clock,
        len(sampled.owner),
        2 * len(sample_rows),
    )

    # Founder haplotypes, chromosome by chromosome, gathered for the samples' two copies.
    counts = {pop: int((population[founders] == pop).sum()) for pop in model_pops}
    library = simulate_library(counts, library_blocks, library_seed, model, array_min_maf)
    snps_per_chrom = quotas(n_snps, chrom_morgans)
    snp_rng = np.random.default_rng(snp_seed)
    copies = np.arange(2 * len(sample_rows))
    out = np.empty((len(sample_rows), 2, n_snps), dtype=np.int8)
    flat = out.reshape(2 * len(sample_rows), n_snps)
    keys = sampled.keys()
    tables, freqs, filled = [], [], 0
    pops = [p for p in model_pops if counts[p] > 0]
    for c in range(n_chromosomes):  # chromosome by chromosome, each vectorised
        table, haps = founder_block_haplotypes(
            library,
            hap_population,
            int(snps_per_chrom[c]),
            c + 1,
            int(chrom_bp[c]),
            float(chrom_morgans[c]),
            array_fraction,
            snp_rng,
            snps_per_block,
        )
        axis = c * CHROM_SPAN + np.floor(table["morgans"].to_numpy() / UNIT).astype(np.int64)
        cols = np.arange(len(table))
        for s in range(0, len(copies), _COPIES):
            part = copies[s : s + _COPIES]
            idx = np.searchsorted(keys, part[:, None] * (64 * CHROM_SPAN) + axis[None, :], side="right") - 1
            flat[s : s + len(part), filled : filled + len(table)] = haps[sampled.hap[idx], cols[None, :]]
        freqs.append({pop: haps[hap_population == pop].mean(axis=0) for pop in pops})
        tables.append(table)
        filled += len(table)
    _log.debug("genotypes: %.1f s CPU", time.process_time() - clock)
    snps = pd.concat(tables, ignore_index=True)
    snps["cm"] = np.round(snps.pop("morgans") * 100, 6)
    snps = snps[["chrom", "pos", "cm", "ref", "alt", "panel"]]
    snps.insert(0, "snp_id", [f"sy{i + 1:06d}" for i in range(len(snps))])
    for pop in model_pops:
        snps[f"freq_{pop}"] = np.round(np.concatenate([f[pop] for f in freqs]), 6) if pop in pops else np.nan
    metadata = {
        "method": "transmission through the pedigree as mosaics of coalescent founder haplotypes",
        "model": model,
        "genetic_map": "HapMap II mean rate per chromosome (stdpopsim HomSap) x GRCh38 length; "
        "uniform within chromosome",
        "genome_cm": float(chrom_morgans.sum() * 100),
        "n_snps": n_snps,
        "snps_per_block": snps_per_block,
        "array_fraction": array_fraction,
        "array_min_maf": array_min_maf,
        "library_blocks": library_blocks,
        "simulated_people": int(needed.sum()),
        "founders": int(len(founders)),
    }
    return Genomes(
        haplotypes=out, snps=snps, mosaics=sampled, samples=samples, chrom_morgans=chrom_morgans, metadata=metadata
    )
