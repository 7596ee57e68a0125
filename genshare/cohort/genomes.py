"""Genomes of the people of a pedigree: 22 autosomes inherited through the pedigree.

How the genomes are made
------------------------
1. **Inheritance through the pedigree** uses msprime's fixed-pedigree model
   (:class:`msprime.FixedPedigree`, Kelleher et al. 2016; Anderson-Trocmé et al. 2023):
   every meiosis of the given pedigree is simulated on 22 autosomes of human genetic
   length, so relatives share long segments exactly as their pedigree implies. Only the
   sampled people and their ancestors are simulated. The 22 autosomes lie end to end on
   one coordinate axis, separated by a one-base interval with recombination rate
   :math:`\\log 2`, so that each chromosome is inherited independently (msprime's
   documented way to simulate several chromosomes on a discrete genome).
   Recombination is uniform within each chromosome; its genetic length is that of
   :data:`GENETIC_MAP`.
2. **Founder genomes** (people without parents in the pedigree) come from the coalescent
   under the published demographic model (default Gutenkunst et al. 2009), sampled in
   the population each founder belongs to. Completing the whole tree sequence above the
   founders with msprime is the textbook route, but it costs too much here: one 0.5 Morgan
   stretch for 1,000 people under the out-of-Africa model took 16 s on the 2-core
   machine this module is built on, and the autosomes are 37 Morgans long. Instead
   the genome is typed in short *windows* (``window_length`` bases; default 5 kb,
   within which linkage disequilibrium comes from the coalescent) spread evenly along
   every chromosome. A library of ``library_windows`` independent coalescent windows is
   simulated for a panel of ``panel_haplotypes`` haplotypes per population; each
   genome window draws one library window at random, and each founder haplotype copies,
   in each genome window, one panel haplotype of its population drawn at random. Windows
   are independent of each other (as real loci 100 kb or more apart nearly are), so the
   copying creates no shared segments between unrelated founders; the approximation is
   that founder alleles are drawn from a finite panel (two founders of one population
   carry the same panel haplotype in a window with probability ``1 / panel_haplotypes``),
   and that window patterns are resampled from a finite library.
3. **SNPs like a genotyping array**: in every window, ``array`` SNPs are drawn among
   biallelic variants with minor allele frequency at least ``array_min_maf`` (default
   0.05) in the panel, and ``sequence`` SNPs (a share ``1 - array_fraction``) among all
   the window's biallelic variants, so that they keep the excess of rare variants of
   sequence data. Alleles are nucleotides (msprime's Jukes-Cantor mutation model).

The genetic map
---------------
:data:`GENETIC_MAP` gives each autosome's GRCh38 length (Ensembl 113, as listed by
stdpopsim's ``HomSap`` catalogue) and its sex-averaged genetic length: the chromosome's
mean recombination rate in the HapMap phase II map lifted to GRCh38 (International
HapMap Consortium 2007; rates as computed by stdpopsim, Adrion et al. 2020) times its
length. The 22 lengths add up to about 3,690 cM; for the acrocentric chromosomes (13, 14,
15, 21, 22) multiplying by the whole assembly length counts their unmapped short arms,
so their lengths are somewhat longer than the map's own.

References: :cite:t:`gutenkunst2009`, :cite:t:`kelleher2016msprime`,
:cite:t:`hapmap2007`, :cite:t:`adrion2020stdpopsim`.

Examples
--------
>>> import pandas as pd
>>> pedigree = pd.DataFrame({
...     "person_id": ["f", "m", "c"], "father_id": ["", "", "f"], "mother_id": ["", "", "m"],
...     "sex": ["M", "F", "F"], "generation": [0, 0, 1], "population": ["CEU", "CEU", "CEU"]})
>>> genomes = simulate_genomes(pedigree, ["c", "f"], n_snps=500, seed=1,
...                            library_windows=20, panel_haplotypes=20)
>>> genomes.genotypes.shape, genomes.genotypes.dtype.name
((2, 500), 'int8')
>>> round(genomes.ibd_segments("c", "f")["length_cm"].sum())  # a parent shares one copy
3686
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msprime
import numpy as np
import pandas as pd
import tskit

from genshare._validation import check_choice, check_integer, check_number, check_probability
from genshare.cohort.demography import DEMOGRAPHIC_MODELS, MUTATION_RATE, RECOMBINATION_RATE

__all__ = ["GENETIC_MAP", "Genomes", "simulate_genomes", "validate_pedigree_for_genomes"]

#: The 22 autosomes: GRCh38 length in bases and sex-averaged genetic length in
#: centimorgans (mean HapMap II rate, as computed by stdpopsim's HomSap catalogue, times
#: the length; see the module docstring for the source and its caveat).
GENETIC_MAP = pd.DataFrame(
    {
        "chrom": np.arange(1, 23),
        "length_bp": [
            248956422, 242193529, 198295559, 190214555, 181538259, 170805979, 159345973, 145138636,
            138394717, 133797422, 135086622, 133275309, 114364328, 107043718, 101991189, 90338345,
            83257441, 80373285, 58617616, 64444167, 46709983, 50818468,
        ],
        "rate_per_bp": [
            1.1523470111585671e-08, 1.1042947599187705e-08, 1.1258496243179589e-08, 1.148200397734684e-08,
            1.1244324085272748e-08, 1.1265873463291707e-08, 1.177126324439884e-08, 1.1604882118427952e-08,
            1.219866363355389e-08, 1.3333710355319759e-08, 1.1721276661036567e-08, 1.3098075878935492e-08,
            1.3061005794618377e-08, 1.3629801391728677e-08, 1.738760443308643e-08, 1.4831470988338458e-08,
            1.55382549450431e-08, 1.4645528336185072e-08, 1.8384797447801312e-08, 1.6788552013988714e-08,
            1.724434082825555e-08, 2.1057233894035443e-08,
        ],
    }
)
GENETIC_MAP["length_cm"] = GENETIC_MAP["length_bp"] * GENETIC_MAP["rate_per_bp"] * 100.0

#: Columns the pedigree passed to :func:`simulate_genomes` must have.
PEDIGREE_COLUMNS = ("person_id", "father_id", "mother_id", "sex", "generation", "population")


@dataclass
class Genomes:
    """Simulated genomes of the sampled people of a pedigree.

    Attributes
    ----------
    genotypes
        ``int8`` array of shape (samples, SNPs): alternate-allele counts 0, 1, 2, rows in
        the order of the ``samples`` given to :func:`simulate_genomes`.
    snps
        One row per SNP, sorted by chromosome and position: ``snp_id``, ``chrom``, ``pos``
        (1-based, GRCh38-like coordinates), ``cm`` (sex-averaged genetic position within the
        chromosome), ``ref``, ``alt``, ``panel`` (``array`` or ``sequence``) and
        ``freq_<pop>`` (alternate-allele frequency among the founders of each population).
    tree_sequence
        The :class:`tskit.TreeSequence` of the inheritance through the pedigree (the
        ancestry of the samples back to the founders; its roots are founders' genomes). Its
        coordinates are the chromosomes laid end to end; see ``chromosomes``.
    sample_nodes
        ``person_id`` -> the two node ids of that person's genome copies in
        ``tree_sequence`` (paternal first).
    chromosomes
        One row per autosome: ``chrom``, ``offset`` (its first coordinate in the tree
        sequence), ``length_bp``, ``length_cm``.
    metadata
        How the genomes were made (method, model, parameters, sources), for the world's
        metadata.
    """

    genotypes: np.ndarray
    snps: pd.DataFrame
    tree_sequence: tskit.TreeSequence
    sample_nodes: dict[str, tuple[int, int]]
    chromosomes: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)

    def ibd_segments(self, person_a: str, person_b: str, *, min_cm: float = 0.0) -> pd.DataFrame:
        """True segments shared identical by descent through the pedigree by two samples.

        Computed with :meth:`tskit.TreeSequence.ibd_segments` between the two people's
        genome copies, cut at chromosome ends, and with abutting pieces of one pair of
        copies merged (a change of common ancestor along a shared stretch does not end it).

        Parameters
        ----------
        person_a, person_b
            Person ids among the samples.
        min_cm
            Keep segments at least this long (centimorgans, non-negative).

        Returns
        -------
        pandas.DataFrame
            ``chrom``, ``start_cm``, ``end_cm``, ``length_cm``, ``copy_a``, ``copy_b`` (0 or
            1: which genome copy of each person), ``left``, ``right`` (tree-sequence
            coordinates), sorted by chromosome and start.
        """
        min_cm = check_number(min_cm, "min_cm", minimum=0.0)
        for name, person in (("person_a", person_a), ("person_b", person_b)):
            if person not in self.sample_nodes:
                raise ValueError(f"{name} {person!r} is not one of the sampled people")
        return ibd_segments(self.tree_sequence, self.sample_nodes[person_a], self.sample_nodes[person_b],
                            self.chromosomes, min_cm=min_cm)


def ibd_segments(
    ts: tskit.TreeSequence,
    nodes_a: tuple[int, int],
    nodes_b: tuple[int, int],
    chromosomes: pd.DataFrame,
    *,
    min_cm: float = 0.0,
) -> pd.DataFrame:
    """IBD segments between the genome copies ``nodes_a`` and ``nodes_b`` (see :meth:`Genomes.ibd_segments`)."""
    columns = ["chrom", "start_cm", "end_cm", "length_cm", "copy_a", "copy_b", "left", "right"]
    found = ts.ibd_segments(between=[list(nodes_a), list(nodes_b)], store_pairs=True, store_segments=True)
    rows = []
    for (x, y), segments in found.items():
        a, b = (x, y) if x in nodes_a else (y, x)
        for seg in segments:
            rows.append((list(nodes_a).index(a), list(nodes_b).index(b), seg.left, seg.right))
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=float if c.endswith("cm") or c in ("left", "right") else int) for c in columns})
    seg = pd.DataFrame(rows, columns=["copy_a", "copy_b", "left", "right"])
    # Cut at chromosome ends: each piece is the overlap of a segment with one chromosome.
    starts = chromosomes["offset"].to_numpy(dtype=float)
    ends = starts + chromosomes["length_bp"].to_numpy(dtype=float)
    first = np.searchsorted(ends, seg["left"].to_numpy(), side="right")
    last = np.searchsorted(starts, seg["right"].to_numpy(), side="left") - 1
    reps = np.maximum(last - first + 1, 0)
    idx = np.repeat(np.arange(len(seg)), reps)
    chrom_idx = np.concatenate([np.arange(f, f + r) for f, r in zip(first, reps)]) if len(seg) else np.zeros(0, int)
    pieces = seg.iloc[idx].reset_index(drop=True)
    pieces["left"] = np.maximum(pieces["left"].to_numpy(), starts[chrom_idx])
    pieces["right"] = np.minimum(pieces["right"].to_numpy(), ends[chrom_idx])
    pieces["chrom_idx"] = chrom_idx
    pieces = pieces[pieces["right"] > pieces["left"]]
    # Merge abutting pieces of the same pair of copies on the same chromosome.
    pieces = pieces.sort_values(["copy_a", "copy_b", "chrom_idx", "left"]).reset_index(drop=True)
    key = pieces[["copy_a", "copy_b", "chrom_idx"]].to_numpy()
    new = np.ones(len(pieces), dtype=bool)
    if len(pieces) > 1:
        same = (key[1:] == key[:-1]).all(axis=1) & (pieces["left"].to_numpy()[1:] <= pieces["right"].to_numpy()[:-1])
        new[1:] = ~same
    group = np.cumsum(new) - 1
    merged = pieces.groupby(group).agg(copy_a=("copy_a", "first"), copy_b=("copy_b", "first"),
                                       chrom_idx=("chrom_idx", "first"), left=("left", "min"), right=("right", "max"))
    ci = merged["chrom_idx"].to_numpy()
    cm_per_bp = (chromosomes["length_cm"].to_numpy() / chromosomes["length_bp"].to_numpy())[ci]
    out = pd.DataFrame({
        "chrom": chromosomes["chrom"].to_numpy()[ci],
        "start_cm": (merged["left"].to_numpy() - starts[ci]) * cm_per_bp,
        "end_cm": (merged["right"].to_numpy() - starts[ci]) * cm_per_bp,
    })
    out["length_cm"] = out["end_cm"] - out["start_cm"]
    out["copy_a"] = merged["copy_a"].to_numpy()
    out["copy_b"] = merged["copy_b"].to_numpy()
    out["left"] = merged["left"].to_numpy()
    out["right"] = merged["right"].to_numpy()
    out = out[out["length_cm"] >= min_cm]
    return out.sort_values(["chrom", "start_cm", "copy_a", "copy_b"]).reset_index(drop=True)[columns]


# --- input checks -------------------------------------------------------------------------------

def _parent_ids(values: pd.Series) -> np.ndarray:
    """Parent ids as strings, '' for unknown (NaN/None/empty)."""
    return values.astype(object).where(values.notna(), "").astype(str).to_numpy()


def validate_pedigree_for_genomes(pedigree: pd.DataFrame, samples: list[str], populations: list[str]) -> pd.DataFrame:
    """Check a pedigree and sample list for :func:`simulate_genomes`; return a clean copy.

    A minimal check (the population module has the full one): required columns, unique
    ids, both parents known or both unknown, parents present in the pedigree, fathers
    ``"M"`` and mothers ``"F"``, every parent of an earlier generation than the child
    (which also rules out cycles and people who are their own ancestor), populations of
    the model, samples present and not repeated.

    Raises
    ------
    ValueError
        Naming the parameter and the offending ids.
    """
    if not isinstance(pedigree, pd.DataFrame):
        raise ValueError(f"pedigree must be a pandas DataFrame; got {type(pedigree).__name__}")
    missing = [c for c in PEDIGREE_COLUMNS if c not in pedigree.columns]
    if missing:
        raise ValueError(f"pedigree lacks the column(s) {missing}; it needs {list(PEDIGREE_COLUMNS)}")
    ped = pedigree[list(PEDIGREE_COLUMNS)].copy()
    ped["person_id"] = ped["person_id"].astype(str)
    ped["father_id"] = _parent_ids(pedigree["father_id"])
    ped["mother_id"] = _parent_ids(pedigree["mother_id"])
    if len(ped) == 0:
        raise ValueError("pedigree has no rows")
    dup = ped["person_id"][ped["person_id"].duplicated()].unique()
    if len(dup):
        raise ValueError(f"pedigree: person_id repeated: {list(dup[:5])}")
    if (ped["person_id"] == "").any():
        raise ValueError("pedigree: person_id may not be empty")
    gen = pd.to_numeric(ped["generation"], errors="coerce")
    if gen.isna().any() or (gen != np.floor(gen)).any():
        bad = ped["person_id"][gen.isna() | (gen != np.floor(gen))].tolist()[:5]
        raise ValueError(f"pedigree: generation must be an integer; not for {bad}")
    ped["generation"] = gen.astype(np.int64)
    half = (ped["father_id"] == "") != (ped["mother_id"] == "")
    if half.any():
        raise ValueError(f"pedigree: both parents or neither must be given; only one for {ped['person_id'][half].tolist()[:5]}")
    index = pd.Index(ped["person_id"])
    for role, sex in (("father_id", "M"), ("mother_id", "F")):
        known = ped[role] != ""
        pos = index.get_indexer(ped.loc[known, role])
        if (pos < 0).any():
            absent = ped.loc[known, role][pos < 0].unique().tolist()[:5]
            raise ValueError(f"pedigree: {role} not in the pedigree: {absent}")
        wrong = ped["sex"].to_numpy()[pos] != sex
        if wrong.any():
            who = ped.loc[known, role][wrong].unique().tolist()[:5]
            raise ValueError(f"pedigree: {role} must refer to people of sex {sex!r}; not so for {who}")
        older = ped["generation"].to_numpy()[pos] < ped.loc[known, "generation"].to_numpy()
        if not older.all():
            kids = ped.loc[known, "person_id"][~older].tolist()[:5]
            raise ValueError(
                f"pedigree: every {role} must be of an earlier generation than the child (a cycle or a "
                f"person who is their own ancestor otherwise); not so for {kids}"
            )
    bad_pop = ~ped["population"].isin(populations)
    if bad_pop.any():
        raise ValueError(
            f"pedigree: population must be one of {populations}; got {ped['population'][bad_pop].unique().tolist()[:5]}"
        )
    if isinstance(samples, (str, bytes)) or not hasattr(samples, "__iter__"):
        raise ValueError(f"samples must be a list of person ids; got {type(samples).__name__}")
    samples = [str(s) for s in samples]
    if not samples:
        raise ValueError("samples is empty")
    if len(set(samples)) != len(samples):
        rep = pd.Series(samples)[pd.Series(samples).duplicated()].unique().tolist()[:5]
        raise ValueError(f"samples: person ids repeated: {rep}")
    absent = pd.Index(samples).difference(index)
    if len(absent):
        raise ValueError(f"samples: not in the pedigree: {absent.tolist()[:5]}")
    return ped


# --- the pedigree part ---------------------------------------------------------------------------

def _ancestors_of(ped: pd.DataFrame, samples: list[str]) -> np.ndarray:
    """Boolean mask of the pedigree rows that are samples or ancestors of samples."""
    index = pd.Index(ped["person_id"])
    father = index.get_indexer(ped["father_id"])  # -1 where unknown
    mother = index.get_indexer(ped["mother_id"])
    keep = np.zeros(len(ped), dtype=bool)
    frontier = index.get_indexer(samples)
    while len(frontier):  # one pass per generation
        frontier = frontier[~keep[frontier]]
        keep[frontier] = True
        parents = np.concatenate([father[frontier], mother[frontier]])
        frontier = np.unique(parents[parents >= 0])
    return keep


def _chromosome_axis() -> tuple[pd.DataFrame, msprime.RateMap]:
    """Chromosome offsets on one axis and the recombination map (log 2 between chromosomes)."""
    lengths = GENETIC_MAP["length_bp"].to_numpy(dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    chromosomes = pd.DataFrame({
        "chrom": GENETIC_MAP["chrom"].to_numpy(), "offset": offsets,
        "length_bp": lengths, "length_cm": GENETIC_MAP["length_cm"].to_numpy(),
    })
    position = np.empty(2 * len(lengths) + 1)
    position[0:-1:2] = offsets
    position[1::2] = offsets + lengths
    position[-1] = offsets[-1] + lengths[-1] + 1
    rate = np.empty(2 * len(lengths))
    rate[0::2] = GENETIC_MAP["rate_per_bp"].to_numpy()
    rate[1::2] = np.log(2)
    return chromosomes, msprime.RateMap(position=position, rate=rate)


def _pedigree_tables(ped: pd.DataFrame, is_sample: np.ndarray, demography: msprime.Demography,
                     sequence_length: float) -> tskit.TableCollection:
    """The pedigree as msprime's fixed-pedigree input (as :class:`msprime.PedigreeBuilder` makes it)."""
    tables = tskit.TableCollection(sequence_length)
    tables.time_units = "generations"
    demography.insert_populations(tables)
    index = pd.Index(ped["person_id"])
    father = index.get_indexer(ped["father_id"]).astype(np.int32)
    mother = index.get_indexer(ped["mother_id"]).astype(np.int32)
    n = len(ped)
    parents = np.column_stack([father, mother]).ravel()
    tables.individuals.set_columns(
        flags=np.zeros(n, dtype=np.uint32),
        parents=parents,
        parents_offset=np.arange(n + 1, dtype=np.uint64) * 2,
    )
    generation = ped["generation"].to_numpy()
    time = (generation.max() - generation).astype(np.float64)
    pop_ids = {p.name: p.id for p in demography.populations}
    population = ped["population"].map(pop_ids).to_numpy(dtype=np.int32)
    tables.nodes.set_columns(
        flags=np.repeat(np.where(is_sample, tskit.NODE_IS_SAMPLE, 0).astype(np.uint32), 2),
        time=np.repeat(time, 2),
        population=np.repeat(population, 2),
        individual=np.repeat(np.arange(n, dtype=np.int32), 2),
    )
    tables.build_index()
    return tables


# --- founder genomes ----------------------------------------------------------------------------

@dataclass
class _Library:
    """Coalescent windows: genotypes (pops, panel haplotypes, sites) and per-site data."""

    genotypes: np.ndarray  # int8 (pops, panel, sites)
    window: np.ndarray  # library window of each site
    offset: np.ndarray  # position within the window (0-based)
    ref: np.ndarray
    alt: np.ndarray
    common: np.ndarray  # bool: MAF >= threshold in the pooled panel


def _library(pops: list[str], demography: msprime.Demography, n_windows: int, panel: int, window_length: int,
             min_maf: float, seed: int) -> _Library:
    """Simulate ``n_windows`` independent coalescent windows for ``panel`` haplotypes per population."""
    rng = np.random.default_rng(seed)
    ancestry_seed, mutation_seeds = int(rng.integers(1, 2**31 - 1)), rng.integers(1, 2**31 - 1, size=n_windows)
    replicates = msprime.sim_ancestry(
        samples=[msprime.SampleSet(panel, population=p, ploidy=1) for p in pops],
        demography=demography, sequence_length=window_length, recombination_rate=RECOMBINATION_RATE,
        random_seed=ancestry_seed, num_replicates=n_windows,
    )
    genos, windows, offsets, refs, alts = [], [], [], [], []
    for w, ts in enumerate(replicates):
        ts = msprime.sim_mutations(ts, rate=MUTATION_RATE, random_seed=int(mutation_seeds[w]))
        n_mut = np.bincount(ts.mutations_site, minlength=ts.num_sites)
        keep = np.flatnonzero(n_mut == 1)  # biallelic sites only
        if len(keep) == 0:
            continue
        g = ts.genotype_matrix()[keep]  # (sites, haplotypes), haplotypes grouped by population
        genos.append(g.astype(np.int8))
        windows.append(np.full(len(keep), w))
        offsets.append(ts.sites_position[keep].astype(np.int64))
        refs.append(np.array([ts.site(int(i)).ancestral_state for i in keep]))
        mut_of_site = np.searchsorted(ts.mutations_site, keep)
        alts.append(np.array([ts.mutation(int(m)).derived_state for m in mut_of_site]))
    g = np.concatenate(genos, axis=0)  # (sites, pops * panel)
    freq = g.mean(axis=1)
    maf = np.minimum(freq, 1 - freq)
    return _Library(
        genotypes=np.ascontiguousarray(g.T.reshape(len(pops), panel, -1)),
        window=np.concatenate(windows), offset=np.concatenate(offsets),
        ref=np.concatenate(refs), alt=np.concatenate(alts), common=maf >= min_maf,
    )


def _quotas(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder)."""
    raw = total * np.asarray(weights, dtype=float) / np.sum(weights)
    parts = np.floor(raw).astype(np.int64)
    parts[np.argsort(raw - parts, kind="stable")[::-1][: total - parts.sum()]] += 1
    return parts


def _choose_snps(lib: _Library, n_snps: int, snps_per_window: int, array_fraction: float, window_length: int,
                 chromosomes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Place genome windows along the chromosomes and choose library sites for their SNPs."""
    n_windows = int(np.ceil(n_snps / snps_per_window))
    per_window = np.full(n_windows, snps_per_window)
    per_window[: n_windows * snps_per_window - n_snps] -= 1  # exact total
    n_array_w = _quotas(int(round(array_fraction * n_snps)), per_window)
    n_array_w = np.minimum(n_array_w, per_window)
    n_seq_w = per_window - n_array_w
    # Library windows able to serve any genome window.
    n_lib = lib.window.max() + 1
    common_count = np.bincount(lib.window[lib.common], minlength=n_lib)
    all_count = np.bincount(lib.window, minlength=n_lib)
    eligible = np.flatnonzero((common_count >= snps_per_window) & (all_count >= 2 * snps_per_window))
    if len(eligible) == 0:
        raise ValueError("library_windows: no simulated window has enough variants; raise window_length or panel_haplotypes")
    source = rng.choice(eligible, size=n_windows)
    starts_by_window = np.searchsorted(lib.window, np.arange(n_lib))
    ends_by_window = np.searchsorted(lib.window, np.arange(n_lib), side="right")
    chosen, kinds = [], []
    for w in range(n_windows):  # loop over windows (thousands), choosing a few sites in each
        lo, hi = starts_by_window[source[w]], ends_by_window[source[w]]
        sites = np.arange(lo, hi)
        common = sites[lib.common[lo:hi]]
        take_a = rng.choice(common, size=n_array_w[w], replace=False)
        rest = np.setdiff1d(sites, take_a)
        take_s = rng.choice(rest, size=n_seq_w[w], replace=False)
        take = np.concatenate([take_a, take_s])
        order = np.argsort(lib.offset[take], kind="stable")
        chosen.append(take[order])
        kinds.append(np.array(["array"] * len(take_a) + ["sequence"] * len(take_s))[order])
    site = np.concatenate(chosen)
    window_of_snp = np.repeat(np.arange(n_windows), per_window)
    # Spread the windows over the chromosomes in proportion to genetic length, evenly spaced.
    per_chrom = _quotas(n_windows, chromosomes["length_cm"].to_numpy())
    chrom_of_window = np.repeat(np.arange(len(chromosomes)), per_chrom)
    rank = np.arange(n_windows) - np.repeat(np.cumsum(per_chrom) - per_chrom, per_chrom)
    length = chromosomes["length_bp"].to_numpy()[chrom_of_window]
    stretch = length // np.maximum(per_chrom[chrom_of_window], 1)
    jitter = rng.integers(0, np.maximum(stretch - window_length, 1))
    start = rank * stretch + jitter  # 0-based start of each window on its chromosome
    pos0 = start[window_of_snp] + lib.offset[site]
    ci = chrom_of_window[window_of_snp]
    cm = pos0 / chromosomes["length_bp"].to_numpy()[ci] * chromosomes["length_cm"].to_numpy()[ci]
    return pd.DataFrame({
        "chrom": chromosomes["chrom"].to_numpy()[ci], "pos": pos0 + 1, "cm": cm,
        "ref": lib.ref[site], "alt": lib.alt[site], "panel": np.concatenate(kinds),
        "_site": site, "_window": window_of_snp, "_coord": chromosomes["offset"].to_numpy()[ci] + pos0,
    })


# --- the whole simulation -----------------------------------------------------------------------

def simulate_genomes(
    pedigree: pd.DataFrame,
    samples: list[str],
    *,
    n_snps: int,
    model: str = "out_of_africa_3g09",
    seed: int,
    snps_per_window: int = 4,
    window_length: int = 5_000,
    array_fraction: float = 0.8,
    array_min_maf: float = 0.05,
    panel_haplotypes: int = 300,
    library_windows: int = 600,
) -> Genomes:
    """Simulate the genomes of ``samples`` through ``pedigree`` on 22 human autosomes.

    See the module docstring for the method (msprime's fixed-pedigree model through the
    pedigree; founders from the coalescent under ``model``; array-like SNP choice).

    Parameters
    ----------
    pedigree
        One row per person with at least ``person_id``, ``father_id``, ``mother_id``
        (biological parents, ``""`` or missing for founders), ``sex`` (``"F"``/``"M"``),
        ``generation`` (integer; every parent of an earlier generation than the child) and
        ``population`` (a population of ``model``). Only the samples and their ancestors
        are simulated.
    samples
        Person ids whose genomes are returned, in the order of the genotype rows.
    n_snps
        SNPs to type (positive), spread over the 22 autosomes in proportion to genetic
        length in windows of ``snps_per_window``.
    model
        Demographic model of :data:`genshare.cohort.demography.DEMOGRAPHIC_MODELS`.
    seed
        Non-negative integer; same seed and inputs give the same genomes.
    snps_per_window, window_length
        SNPs per typed window (positive) and window length in bases.
    array_fraction
        Share of SNPs chosen among common variants (``array`` panel); the rest are
        ``sequence`` SNPs of any frequency.
    array_min_maf
        Minor allele frequency threshold of ``array`` SNPs (default 0.05).
    panel_haplotypes, library_windows
        Size of the coalescent panel per population and number of simulated windows.

    Returns
    -------
    Genomes
        ``genotypes`` (``int8``, samples x SNPs), ``snps``, ``tree_sequence``,
        ``sample_nodes``, ``chromosomes``, ``metadata``.

    Raises
    ------
    ValueError
        Naming the parameter, for bad values, samples not in the pedigree, parents missing
        from it, parents of the wrong sex and parents not older than their children.

    Examples
    --------
    See the module docstring.
    """
    n_snps = check_integer(n_snps, "n_snps", minimum=1)
    seed = check_integer(seed, "seed", minimum=0)
    model = check_choice(model, "model", DEMOGRAPHIC_MODELS)
    snps_per_window = check_integer(snps_per_window, "snps_per_window", minimum=1, maximum=50)
    window_length = check_integer(window_length, "window_length", minimum=100, maximum=1_000_000)
    array_fraction = check_probability(array_fraction, "array_fraction")
    array_min_maf = check_number(array_min_maf, "array_min_maf", minimum=0.0, maximum=0.5)
    panel_haplotypes = check_integer(panel_haplotypes, "panel_haplotypes", minimum=2)
    library_windows = check_integer(library_windows, "library_windows", minimum=1)
    demography = DEMOGRAPHIC_MODELS[model]()
    model_pops = [p.name for p in demography.populations if p.default_sampling_time == 0]
    ped = validate_pedigree_for_genomes(pedigree, samples, model_pops)
    samples = [str(s) for s in samples]

    # 1. Inheritance through the pedigree (samples and their ancestors only).
    keep = _ancestors_of(ped, samples)
    ped = ped[keep].reset_index(drop=True)
    index = pd.Index(ped["person_id"])
    sample_rows = index.get_indexer(samples)
    is_sample = np.zeros(len(ped), dtype=bool)
    is_sample[sample_rows] = True
    chromosomes, rate_map = _chromosome_axis()
    tables = _pedigree_tables(ped, is_sample, demography, rate_map.sequence_length)
    seeds = np.random.SeedSequence(seed).spawn(3)
    pedigree_seed = int(seeds[0].generate_state(1)[0]) % (2**31 - 2) + 1
    ts = msprime.sim_ancestry(initial_state=tables, model="fixed_pedigree", recombination_rate=rate_map,
                              random_seed=pedigree_seed)
    sample_nodes = {pid: (2 * int(r), 2 * int(r) + 1) for pid, r in zip(samples, sample_rows)}

    # 2. Founder genomes from a coalescent library; 3. SNPs chosen like an array.
    founder_rows = np.flatnonzero(ped["father_id"].to_numpy() == "")
    pops = [p for p in model_pops if (ped["population"].to_numpy()[founder_rows] == p).any()]
    library_seed = int(seeds[1].generate_state(1)[0])
    lib = _library(pops, demography, library_windows, panel_haplotypes, window_length, array_min_maf, library_seed)
    rng = np.random.default_rng(seeds[2])
    snps = _choose_snps(lib, n_snps, snps_per_window, array_fraction, window_length, chromosomes, rng)

    founder_nodes = np.sort(np.concatenate([2 * founder_rows, 2 * founder_rows + 1]))
    founder_pop = pd.Series(ped["population"].to_numpy()[founder_nodes // 2]).map({p: i for i, p in enumerate(pops)}).to_numpy()
    node_to_founder = np.full(2 * len(ped), -1, dtype=np.int64)
    node_to_founder[founder_nodes] = np.arange(len(founder_nodes))
    sample_node_arr = np.array([sample_nodes[s] for s in samples], dtype=np.int32).ravel()  # (2 * samples,)
    links = ts.tables.link_ancestors(samples=sample_node_arr, ancestors=founder_nodes)
    row_of_node = np.full(2 * len(ped), -1, dtype=np.int64)
    row_of_node[sample_node_arr] = np.arange(len(sample_node_arr))
    # An edge's parent is a founder copy, or a sampled person's copy when that person is an
    # ancestor of another sample (link_ancestors stops at the nearest listed node).
    e_child = row_of_node[links.child]
    e_founder = node_to_founder[links.parent]
    e_sample_parent = np.where(e_founder < 0, row_of_node[links.parent], -1)
    e_parent_time = ts.nodes_time[links.parent]
    e_left, e_right = links.left, links.right
    # Groups of edges from sampled ancestors, oldest first, so that a parent copy is
    # filled in before its children copy it.
    via_sample = np.flatnonzero(e_sample_parent >= 0)
    sample_groups = [via_sample[e_parent_time[via_sample] == t] for t in np.unique(e_parent_time[via_sample])[::-1]]
    direct = np.flatnonzero(e_founder >= 0)

    genotypes = np.zeros((len(samples), n_snps), dtype=np.int8)
    freqs = np.zeros((len(pops), n_snps))
    coord = snps["_coord"].to_numpy()
    site = snps["_site"].to_numpy()
    window = snps["_window"].to_numpy()
    chrom = snps["chrom"].to_numpy()
    founder_is_sample = row_of_node[founder_nodes] >= 0
    for c in chromosomes["chrom"]:  # one chromosome at a time bounds memory
        cols = np.flatnonzero(chrom == c)
        if len(cols) == 0:
            continue
        lo, hi = cols[0], cols[-1] + 1
        w0, w1 = window[lo], window[hi - 1] + 1
        # Founder haplotypes on this chromosome: each copies one panel haplotype per window.
        choice = rng.integers(0, panel_haplotypes, size=(len(founder_nodes), w1 - w0), dtype=np.int32)
        wcol = window[lo:hi] - w0
        founder_alleles = lib.genotypes[founder_pop[:, None], choice[:, wcol], site[None, lo:hi]]  # (founders, snps_c)
        for k in range(len(pops)):
            mine = founder_pop == k
            freqs[k, lo:hi] = founder_alleles[mine].mean(axis=0)
        # Which founder genome copy each sample genome copy descends from, SNP by SNP.
        a = np.searchsorted(coord[lo:hi], e_left, side="left")
        b = np.searchsorted(coord[lo:hi], e_right, side="left")
        n = np.maximum(b - a, 0)
        src = np.full((len(sample_node_arr), hi - lo), -1, dtype=np.int32)
        # A founder who is sampled carries their own genome.
        sampled_founders = np.flatnonzero(founder_is_sample)
        src[row_of_node[founder_nodes[sampled_founders]]] = sampled_founders[:, None]
        for group, from_sample in [(direct, False)] + [(g, True) for g in sample_groups]:
            count = n[group]
            if count.sum() == 0:
                continue
            rows = np.repeat(e_child[group], count)
            cols_c = np.arange(count.sum()) + np.repeat(a[group] - np.cumsum(count) + count, count)
            if from_sample:
                src[rows, cols_c] = src[np.repeat(e_sample_parent[group], count), cols_c]
            else:
                src[rows, cols_c] = np.repeat(e_founder[group], count)
        if (src < 0).any():
            raise RuntimeError("internal: a sample genome position has no founder ancestor")
        haps = founder_alleles[src, np.arange(hi - lo)[None, :]]
        genotypes[:, lo:hi] = haps[0::2] + haps[1::2]

    out = snps.drop(columns=["_site", "_window", "_coord"]).copy()
    out.insert(0, "snp_id", [f"sy{i + 1:06d}" for i in range(n_snps)])
    for k, p in enumerate(pops):
        out[f"freq_{p}"] = freqs[k]
    metadata = {
        "method": "msprime fixed pedigree through the pedigree; founders from coalescent windows",
        "model": model,
        "genetic_map": "HapMap II mean rate per chromosome (stdpopsim HomSap) x GRCh38 length; uniform within chromosome",
        "genome_cm": float(chromosomes["length_cm"].sum()),
        "n_snps": n_snps, "snps_per_window": snps_per_window, "window_length": window_length,
        "array_fraction": array_fraction, "array_min_maf": array_min_maf,
        "panel_haplotypes": panel_haplotypes, "library_windows": library_windows,
        "msprime": msprime.__version__, "tskit": tskit.__version__,
        "simulated_people": int(len(ped)),
    }
    return Genomes(genotypes=genotypes, snps=out, tree_sequence=ts, sample_nodes=sample_nodes,
                   chromosomes=chromosomes, metadata=metadata)
