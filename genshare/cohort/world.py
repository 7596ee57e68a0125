"""The synthetic world: a population with a pedigree, a study cohort, a genealogy database,
a reference panel, and the records in which their identities can be found.

:func:`simulate_world` runs :data:`STEPS` in order on one :class:`WorldState`:
geography -> pedigree (:mod:`~genshare.cohort.pedigree`) -> names and dates -> who is
sampled where -> genomes (:func:`genshare.cohort.genomes.simulate_genomes`) -> phenotype ->
missing calls -> records (:mod:`~genshare.cohort.records`) -> true relationships ->
family trees -> summary. Each step draws from its own random stream, derived from the
seed and the step's name, so adding a step (for example a Y-chromosome step) changes no
other step's draws. Everything is simulated; no real person's data is used.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genshare._facts import ADULT_AGE, LAST_BIRTH_YEAR
from genshare._validation import check_number
from genshare.cohort import identities as ids
from genshare.cohort import records
from genshare.cohort.genetics import Mosaics
from genshare.cohort.genomes import simulate_genomes
from genshare.cohort.parameters import DEFAULTS, docstring, validate_parameters
from genshare.cohort.pedigree import (
    LIVING_ADULTS_PER_FOUNDER,
    cousin_counts,
    relative_pairs,
    simulate_pedigree,
    validate_pedigree,
)
from genshare.cohort.schema import TABLES, normalise_table
from genshare.cohort.ystr import y_chromosomes
from genshare.populations import POPULATIONS

__all__ = [
    "POPULATIONS",
    "RELATIONSHIPS",
    "STEPS",
    "TABLES",
    "World",
    "WorldState",
    "normalise_table",
    "simulate_world",
    "validate_parameters",
]

#: Common relationship kinds with their degree and expected kinship coefficient (the
#: relationships table names any relationship up to third cousin; these are the closest).
RELATIONSHIPS = {
    "parent_child": (1, 0.25),
    "full_sibling": (1, 0.25),
    "half_sibling": (2, 0.125),
    "grandparent": (2, 0.125),
    "avuncular": (2, 0.125),
    "first_cousin": (3, 0.0625),
    "second_cousin": (5, 1 / 64),
    "third_cousin": (7, 1 / 256),
}

#: Share of the population living in the metropolitan ZIP3 area (the others share the rest).
CITY_SHARE = 0.6
#: ZIP3 areas and ZIP codes per area of Synthetica.
N_ZIP3, ZIPS_PER_ZIP3 = 6, 7
#: Tables that are fields of :class:`World` (others made by added steps go to ``extra_tables``).
_CORE = ("snps", "cohort", "reference", "database", "people", "relationships", "family_trees", "voter_roll", "clinical", "zip_codes")


@dataclass(frozen=True)
class World:
    """Everything in one synthetic world. Row *i* of each genotype matrix is row *i* of its table.

    Attributes
    ----------
    seed, parameters
        The seed and every argument of :func:`simulate_world` that made this world.
    snps
        One row per SNP: ``snp_id``, ``chrom``, ``pos``, ``cm`` (genetic position,
        centimorgans), ``ref``, ``alt``, ``panel``, allele frequencies ``freq_<POP>`` among
        founders, and the ``effect`` of the SNP on the study phenotype's liability.
    cohort_genotypes, reference_genotypes, database_genotypes
        ``int8`` arrays (people x SNPs) of alternate-allele counts, -1 where missing.
    cohort
        The study's participants: ``participant_id``, ``person_id``, ``population``,
        ``sex``, ``age``, ``status`` (case or control).
    reference
        Reference panel: ``sample_id``, ``person_id``, ``population``.
    database
        Consumer genealogy profiles: ``profile_id``, ``person_id`` and what the site
        shows, ``first_name``, ``surname``, ``sex``, ``birth_year``, ``zip3``.
    people
        The whole pedigree, every generation, the dead included: ``person_id``, ``sex``,
        ``birth_year``, ``date_of_birth``, ``death_year`` (<NA> if alive), ``alive``,
        ``generation`` (0 = founders), ``population``, ``father_id`` (biological),
        ``mother_id``, ``legal_father_id`` (in the records; source of the surname),
        ``first_name``, ``surname``, ``zip5``, ``voter_id`` ("" if not on the roll).
    relationships
        Every participant x profile pair related at third cousin or closer:
        ``participant_id``, ``profile_id``, ``relationship``, ``degree``,
        ``expected_kinship``, ``generations`` ("a,b"), ``common_ancestors``.
    family_trees
        Public family trees posted by some database customers (see
        :func:`genshare.cohort.records.family_trees`).
    voter_roll
        The public voter roll: ``voter_id``, ``first_name``, ``surname``, ``zip5``,
        ``date_of_birth``, ``sex``.
    clinical
        The hospital's records of the participants before de-identification.
    zip_codes
        The synthetic geography: ``zip5``, ``zip3``, ``city``, ``state``, ``population``
        (living residents of every age).
    metadata
        Summary numbers of the world (living adults, cousins per person, ...).
    mosaics
        The true ancestry of every genotyped genome copy: a
        :class:`genshare.cohort.genetics.Mosaics` whose owner ``2 * row + k`` is copy
        ``k`` (0 paternal, 1 maternal) of genotyped row ``row``, rows numbered through the
        cohort, then the reference panel, then the database. Two copies are identical by
        descent through the pedigree exactly where they copy the same founder haplotype;
        :meth:`ibd_segments` and :meth:`ibd_summary` read the truth from it. None for a
        world saved without it. A loaded world reads it from ``truth.npz`` on first use
        (here a function that returns it; :meth:`founder_mosaics` always gives the mosaics).
    extra_tables
        Tables added by extra pipeline steps, by name; also readable as attributes.
    """

    seed: int
    parameters: dict[str, Any]
    snps: pd.DataFrame
    cohort_genotypes: np.ndarray
    reference_genotypes: np.ndarray
    database_genotypes: np.ndarray
    cohort: pd.DataFrame
    reference: pd.DataFrame
    database: pd.DataFrame
    people: pd.DataFrame
    relationships: pd.DataFrame
    voter_roll: pd.DataFrame
    clinical: pd.DataFrame
    zip_codes: pd.DataFrame
    family_trees: pd.DataFrame = field(default_factory=pd.DataFrame)
    metadata: dict[str, Any] = field(default_factory=dict)
    mosaics: Mosaics | Callable[[], Mosaics] | None = None
    phase: dict[str, np.ndarray] = field(default_factory=dict)
    extra_tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def founder_mosaics(self) -> Mosaics | None:
        """The genotyped copies' founder mosaics (read from the saved world on first use), or None."""
        if callable(self.mosaics):
            loaded = self.mosaics()
            object.__setattr__(self, "mosaics", loaded)  # read once, then kept
            return loaded
        return self.mosaics

    def _known_mosaics(self) -> Mosaics:
        """The founder mosaics; a clear error when the world was saved without them."""
        mosaics = self.founder_mosaics()
        if mosaics is None:
            raise ValueError("this world holds no founder mosaics (saved without them), so its true IBD is unknown")
        return mosaics

    def haplotypes(self, which: str) -> np.ndarray:
        """The phased genotypes of ``"cohort"``, ``"reference"`` or ``"database"``, as a service phases them.

        Each heterozygous call is split into its two copies with the phase the world
        stores: the true one with switch errors (one per ``parameters["phasing_switch_cm"]``
        cM on average), as statistical phasing leaves them.

        Returns
        -------
        numpy.ndarray
            ``int8`` (people, 2, SNPs): the allele (0 or 1) on each copy, -1 where the
            call is missing; the two copies add up to the genotypes.

        Examples
        --------
        >>> world = simulate_world(seed=1, n_participants=20, n_snps=200, n_reference=9,
        ...                        n_database=30, population_size=1000)
        >>> h = world.haplotypes("cohort")
        >>> h.shape, bool((h.sum(axis=1)[h[:, 0] >= 0] == world.cohort_genotypes[h[:, 0] >= 0]).all())
        ((20, 2, 200), True)
        """
        if which not in ("cohort", "reference", "database"):
            raise ValueError(f"which must be 'cohort', 'reference' or 'database'; got {which!r}")
        if which not in self.phase:
            raise ValueError(f"this world holds no phase for {which!r} (saved without it)")
        g = getattr(self, f"{which}_genotypes")
        het = g == 1
        n_het = int(het.sum())
        packed = self.phase[which]
        if packed.size != -(-n_het // 8):
            raise ValueError(f"the phase of {which!r} holds {packed.size * 8} bits for {n_het} heterozygous calls")
        first = np.where(g < 0, -1, g // 2).astype(np.int8)
        first[het] = np.unpackbits(packed, count=n_het)
        second = np.where(g < 0, -1, g - first).astype(np.int8)
        return np.stack([first, second], axis=1)

    def _truth_rows(self, people: Any, name: str) -> np.ndarray:
        """Genotyped rows (cohort, reference, database) of person ids; a clear error otherwise."""
        self._known_mosaics()
        ids_ = np.concatenate([self.cohort["person_id"].to_numpy(), self.reference["person_id"].to_numpy(),
                               self.database["person_id"].to_numpy()]).astype(str)
        index = pd.Series(np.arange(len(ids_)), index=ids_)
        index = index[~index.index.duplicated()]  # a person in two sets has one genome
        values = np.atleast_1d(np.asarray(people, dtype=object)).astype(str)
        rows = index.reindex(values).to_numpy()
        missing = np.flatnonzero(np.isnan(rows))
        if missing.size:
            raise ValueError(f"{name} {str(values[missing[0]])!r} is not a genotyped person of this world "
                             "(a person_id of world.cohort, world.reference or world.database)")
        return rows.astype(np.int64)

    def ibd_segments(self, person_a: str, person_b: str, *, by_copy: bool = False, min_cm: float = 0.0) -> pd.DataFrame:
        """The true segments two genotyped people share identical by descent through the pedigree.

        Read from the founder mosaics of their genome copies (where two copies carry the
        same founder haplotype), so this is the truth that segment finders are scored
        against: chance runs of identical alleles are not in it.

        Parameters
        ----------
        person_a, person_b
            ``person_id`` values of the cohort, reference panel or database.
        by_copy
            False (default): the regions where the two share at least one copy (what
            unphased genotypes can see). True: one row per pair of copies, with
            ``copy_a`` and ``copy_b`` (0 paternal, 1 maternal).
        min_cm
            Keep segments at least this long (cM).

        Returns
        -------
        pandas.DataFrame
            ``chrom``, ``start_cm``, ``end_cm``, ``length_cm`` (and ``copy_a``,
            ``copy_b``), sorted by chromosome and start.

        Examples
        --------
        >>> world = simulate_world(seed=1, n_participants=20, n_snps=200, n_reference=9,
        ...                        n_database=30, population_size=1000)
        >>> pid = world.cohort["person_id"].iloc[0]
        >>> round(world.ibd_segments(pid, pid, by_copy=True).query("copy_a == copy_b")["length_cm"].sum())
        7372
        """
        from genshare.cohort.genetics import chromosome_lengths
        from genshare.cohort.genomes import ibd_table

        min_cm = check_number(min_cm, "min_cm", minimum=0.0)
        rows = np.stack([self._truth_rows(person_a, "person_a")[:1], self._truth_rows(person_b, "person_b")[:1]], axis=1)
        morgans = chromosome_lengths(int(self.parameters.get("n_chromosomes", 22)))[1]
        return ibd_table(self._known_mosaics(), morgans, rows, by_copy=by_copy, min_cm=min_cm).drop(columns="pair")

    def ibd_table(self, people_a: Any, people_b: Any, *, by_copy: bool = False, min_cm: float = 0.0) -> pd.DataFrame:
        """The true IBD segments of many pairs at once (``people_a[i]`` with ``people_b[i]``), vectorised.

        Returns
        -------
        pandas.DataFrame
            As :meth:`ibd_segments`, with a ``pair`` column (the index ``i``) first.
        """
        from genshare.cohort.genetics import chromosome_lengths
        from genshare.cohort.genomes import ibd_table

        min_cm = check_number(min_cm, "min_cm", minimum=0.0)
        a, b = self._truth_rows(people_a, "people_a"), self._truth_rows(people_b, "people_b")
        if a.shape != b.shape:
            raise ValueError(f"people_a and people_b must pair up one to one; got {a.size} and {b.size} people")
        morgans = chromosome_lengths(int(self.parameters.get("n_chromosomes", 22)))[1]
        return ibd_table(self._known_mosaics(), morgans, np.stack([a, b], axis=1), by_copy=by_copy, min_cm=min_cm)

    def ibd_summary(self, people_a: Any, people_b: Any, *, min_cm: float = 0.0) -> pd.DataFrame:
        """True IBD of many pairs at once: total, count and longest of the shared segments.

        Vectorised over the pairs (``people_a[i]`` with ``people_b[i]``); segments are the
        regions sharing at least one copy, as :meth:`ibd_segments` gives them, at least
        ``min_cm`` long.

        Returns
        -------
        pandas.DataFrame
            One row per pair, in order: ``person_a``, ``person_b``, ``shared_cm``,
            ``n_segments``, ``longest_cm``.
        """
        seg = self.ibd_table(people_a, people_b, min_cm=min_cm)
        a = np.atleast_1d(np.asarray(people_a, dtype=object))
        pair = seg["pair"].to_numpy()
        length = seg["length_cm"].to_numpy()
        longest = np.zeros(len(a))
        np.maximum.at(longest, pair, length)
        return pd.DataFrame({
            "person_a": np.atleast_1d(np.asarray(people_a, dtype=object)).astype(str),
            "person_b": np.atleast_1d(np.asarray(people_b, dtype=object)).astype(str),
            "shared_cm": np.bincount(pair, weights=length, minlength=len(a)),
            "n_segments": np.bincount(pair, minlength=len(a)).astype(np.int64),
            "longest_cm": longest,
        })

    def __getattr__(self, name: str) -> Any:
        extra = self.__dict__.get("extra_tables", {})
        if name in extra:
            return extra[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __repr__(self) -> str:
        return (
            f"World(seed={self.seed}, participants={len(self.cohort)}, snps={len(self.snps)}, "
            f"reference={len(self.reference)}, database={len(self.database)}, "
            f"pedigree={len(self.people)}, relative_pairs={len(self.relationships)}, voters={len(self.voter_roll)})"
        )


@dataclass
class WorldState:
    """What the pipeline's steps read and write.

    ``p`` holds the validated parameters; steps fill ``people`` (the pedigree with names),
    ``roles`` (row indices of the cohort, database and reference), ``genotypes`` (by
    role), ``tables`` (by table name; every table of :data:`genshare.cohort.schema.TABLES`
    must be there at the end), ``metadata`` and ``mosaics`` (the genotyped copies' founder
    mosaics).
    """

    seed: int
    p: dict[str, Any]
    people: pd.DataFrame = field(default_factory=pd.DataFrame)  # empty until the pedigree step
    roles: dict[str, np.ndarray] = field(default_factory=dict)
    genotypes: dict[str, np.ndarray] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    status: np.ndarray | None = None
    mosaics: Mosaics | None = None
    true_haplotypes: dict[str, np.ndarray] = field(default_factory=dict)
    phase: dict[str, np.ndarray] = field(default_factory=dict)

    def rng(self, step: str) -> np.random.Generator:
        """The random stream of one step: from the seed and the step's name only."""
        return np.random.default_rng(self.seed_sequence(step))

    def seed_sequence(self, step: str) -> np.random.SeedSequence:
        return np.random.SeedSequence([self.seed, zlib.crc32(step.encode())])


# --------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------


def geography(state: WorldState) -> None:
    """The ZIP codes of Synthetica (relative sizes; resident counts are filled in later)."""
    state.tables["zip_codes"] = ids.make_geography(
        state.p["population_size"], n_zip3=N_ZIP3, zips_per_zip3=ZIPS_PER_ZIP3, rng=state.rng("geography"), city_share=CITY_SHARE
    )


def pedigree(state: WorldState) -> None:
    """The population: founders and seven generations of descendants."""
    target = state.p["population_size"]
    n_founders = max(int(np.ceil(target / LIVING_ADULTS_PER_FOUNDER)), 20)
    for _ in range(4):  # growth depends on size and chance: rescale the founders until within 5%
        people = simulate_pedigree(n_founders, state.p["ancestry"], state.tables["zip_codes"], state.rng("pedigree"))
        living = int((people["alive"] & (people["birth_year"] <= LAST_BIRTH_YEAR - ADULT_AGE)).sum())
        if abs(living - target) <= 0.05 * target:
            break
        # At most halve or double per attempt: a tiny first population (a few founders who
        # cannot find partners) must not blow the next one up by orders of magnitude.
        n_founders = max(int(round(n_founders * float(np.clip(target / max(living, 1), 0.5, 2.0)))), 20)
    validate_pedigree(people)
    state.people = people


def names(state: WorldState) -> None:
    """Given names, dates of birth and ages."""
    state.people = records.name_people(state.people, state.rng("names"))


def samples(state: WorldState) -> None:
    """Who is in the cohort, the genealogy database and the reference panel."""
    state.roles = records.choose_samples(state.people, state.p, state.rng("samples"))


def genomes(state: WorldState) -> None:
    """Genotypes of every sampled person, by descent through the pedigree
    (:func:`genshare.cohort.genomes.simulate_genomes`), with their copies' founder mosaics."""
    order = np.concatenate([state.roles[r] for r in ("cohort", "reference", "database")])
    ids_ = state.people["person_id"].to_numpy()[order].tolist()
    seed = int(state.seed_sequence("genomes").generate_state(1)[0])
    result = simulate_genomes(
        state.people[["person_id", "father_id", "mother_id", "sex", "generation", "population"]],
        ids_, n_snps=state.p["n_snps"], model=state.p["model"], seed=seed, n_chromosomes=state.p["n_chromosomes"],
    )
    genotypes = result.genotypes
    start = 0
    for role in ("cohort", "reference", "database"):
        n = len(state.roles[role])
        state.genotypes[role] = np.ascontiguousarray(genotypes[start : start + n], dtype=np.int8)
        start += n
    state.tables["snps"] = result.snps.copy()
    state.mosaics = result.mosaics
    start = 0
    for role in ("cohort", "reference", "database"):
        n = len(state.roles[role])
        state.true_haplotypes[role] = result.haplotypes[start : start + n]
        start += n


def phenotype(state: WorldState) -> None:
    """Case/control status: liability threshold model, 20 common causal SNPs, heritability 0.4."""
    prng = state.rng("phenotype")
    cohort = state.genotypes["cohort"]
    snps = state.tables["snps"]
    pooled = cohort.mean(axis=0) / 2
    common = np.flatnonzero((pooled > 0.1) & (pooled < 0.9))
    effect = np.zeros(len(snps))
    if len(common):
        causal = prng.choice(common, size=min(20, len(common)), replace=False)
        effect[causal] = np.round(prng.normal(0, 1, size=len(causal)), 4)
    # Integer arithmetic (effects in units of 1e-4) keeps the score identical on every
    # machine, whatever BLAS it uses, so the same seed always gives the same cases.
    score = (cohort.astype(np.int64) @ np.round(effect * 10_000).astype(np.int64)).astype(float)
    score = (score - score.mean()) / (score.std() or 1.0)
    liability = np.sqrt(0.4) * score + np.sqrt(0.6) * prng.normal(size=len(score))
    state.status = np.where(liability > np.median(liability), "case", "control")
    snps["effect"] = effect


def missing_calls(state: WorldState) -> None:
    """Missing calls (-1) in the array-genotyped sets: the cohort and the database."""
    mrng = state.rng("missing_calls")
    for role in ("cohort", "database"):
        mask = mrng.random(state.genotypes[role].shape) < state.p["missing_rate"]
        state.genotypes[role][mask] = -1


def switch_parity(n_people: int, chrom: np.ndarray, cm: np.ndarray, switch_cm: float,
                  rng: np.random.Generator) -> np.ndarray:
    """Where statistical phasing has swapped a person's two copies: ``uint8`` (people, SNPs), 1 = swapped.

    Switch errors fall as a Poisson process along each chromosome's genetic map, one per
    ``switch_cm`` cM on average (0: none); each one swaps the copies from there on. The
    orientation carried into the next chromosome is as arbitrary as a phased
    chromosome's orientation is.
    """
    n_snps = len(cm)
    toggles = np.zeros((n_people, n_snps), dtype=np.uint8)
    if switch_cm <= 0 or n_snps == 0:
        return toggles
    change = np.flatnonzero(chrom[1:] != chrom[:-1]) + 1
    starts, ends = np.concatenate([[0], change]), np.concatenate([change, [n_snps]])
    lengths = cm[ends - 1] - cm[starts]
    counts = rng.poisson(lengths / switch_cm, size=(n_people, len(starts)))
    person = np.repeat(np.repeat(np.arange(n_people), len(starts)), counts.ravel())
    block = np.repeat(np.tile(np.arange(len(starts)), n_people), counts.ravel())
    where = cm[starts][block] + rng.random(len(block)) * lengths[block]
    # First SNP after each switch: search within its chromosome (cm restarts at each one).
    first = starts[block] + np.zeros(len(block), dtype=np.int64)
    for c in range(len(starts)):  # 22 chromosomes, each vectorised over people
        mine = block == c
        first[mine] += np.searchsorted(cm[starts[c] : ends[c]], where[mine], side="right")
    keep = first < ends[block]
    np.bitwise_xor.at(toggles, (person[keep], first[keep]), 1)
    return np.bitwise_xor.accumulate(toggles, axis=1)


def phasing(state: WorldState) -> None:
    """The phase a genealogy service infers for each genotyped person: the true copies with
    switch errors (one per ``phasing_switch_cm`` cM), stored as one bit per heterozygous call."""
    rng = state.rng("phasing")
    snps = state.tables["snps"]
    chrom, cm = snps["chrom"].to_numpy(), snps["cm"].to_numpy(dtype=float)
    for role in ("cohort", "reference", "database"):
        g = state.genotypes[role]
        flips = switch_parity(len(g), chrom, cm, float(state.p["phasing_switch_cm"]), rng)
        shown = state.true_haplotypes[role][:, 0, :].astype(np.uint8) ^ flips
        state.phase[role] = np.packbits(shown[g == 1])
    state.true_haplotypes.clear()


def public_records(state: WorldState) -> None:
    """The voter roll, the study's tables, clinical records and resident counts."""
    rng = state.rng("records")
    people = state.people
    roll, voter_id = records.voter_roll(people, state.p["voter_coverage"], rng)
    people["voter_id"] = voter_id
    zips = state.tables["zip_codes"]
    tables = records.sample_tables(people, state.roles, zips)
    tables["cohort"]["status"] = state.status
    living = people.loc[people["alive"], "zip5"].value_counts()
    zips["population"] = living.reindex(zips["zip5"], fill_value=0).to_numpy()
    persons = people.iloc[state.roles["cohort"]].reset_index(drop=True)
    tables["clinical"] = records.clinical_records(tables["cohort"], persons, zips, rng)
    tables["voter_roll"] = roll
    tables["people"] = people
    state.tables.update(tables)


def relationships(state: WorldState) -> None:
    """Every participant x profile pair related at third cousin or closer, from the pedigree."""
    cohort, database = state.tables["cohort"], state.tables["database"]
    pairs = relative_pairs(state.people, cohort["person_id"], database["person_id"], max_generations=4)
    participant = pd.Series(cohort["participant_id"].to_numpy(), index=cohort["person_id"].to_numpy())
    profile = pd.Series(database["profile_id"].to_numpy(), index=database["person_id"].to_numpy())
    table = pd.DataFrame(
        {
            "participant_id": participant[pairs["left_id"]].to_numpy(),
            "profile_id": profile[pairs["right_id"]].to_numpy(),
            **{c: pairs[c].to_numpy() for c in ("relationship", "degree", "expected_kinship", "generations", "common_ancestors")},
        }
    )
    state.tables["relationships"] = table.sort_values(["participant_id", "degree", "profile_id"], kind="stable").reset_index(drop=True)


def trees(state: WorldState) -> None:
    """Public family trees of some database customers."""
    state.tables["family_trees"] = records.family_trees(
        state.people, state.tables["database"], state.p["tree_share"], state.tables["zip_codes"], state.rng("family_trees")
    )


def summary(state: WorldState) -> None:
    """Numbers that describe the world: population sizes and cousins per living adult."""
    people = state.people
    adult = people["alive"].to_numpy() & (people["age"].to_numpy() >= ADULT_AGE)
    counts = cousin_counts(people, among=adult)
    meta = state.metadata
    meta["n_people"] = int(len(people))
    meta["n_living"] = int(people["alive"].sum())
    meta["n_living_adults"] = int(adult.sum())
    meta["n_founders"] = int((people["generation"] == 0).sum())
    meta["n_generations"] = int(people["generation"].max() + 1)
    meta["non_paternity_share"] = round(float((people["father_id"] != people["legal_father_id"])[people["father_id"] != ""].mean()), 6)
    meta["relatives_per_living_adult"] = {
        column: {
            "mean": round(float(counts[column].mean()), 3),
            "median": float(counts[column].median()),
            "p10": round(float(counts[column].quantile(0.1)), 1),
            "p90": round(float(counts[column].quantile(0.9)), 1),
            "share_with_none": round(float((counts[column] == 0).mean()), 4),
        }
        for column in counts.columns
    }
    meta["database_share_of_living_adults"] = round(len(state.tables["database"]) / max(int(adult.sum()), 1), 6)


#: The pipeline, in order. An extra step is a function of a :class:`WorldState`; add it
#: here (its random stream comes from its own name, so the other steps do not change).
STEPS: list[Callable[[WorldState], None]] = [
    geography,
    pedigree,
    names,
    samples,
    genomes,
    phenotype,
    missing_calls,
    phasing,
    public_records,
    y_chromosomes,
    relationships,
    trees,
    summary,
]


def simulate_world(seed: int = 2026, **params: Any) -> World:
    """Simulate a complete synthetic world from one seed.

    Parameters
    ----------
    {parameters}

    Returns
    -------
    World

    Raises
    ------
    ValueError
        If a parameter is invalid; raised before any simulation starts.

    Examples
    --------
    >>> world = simulate_world(seed=1, n_participants=20, n_snps=200, n_reference=9,
    ...                        n_database=30, population_size=1000)
    >>> world.cohort_genotypes.shape
    (20, 200)
    >>> int(world.people["generation"].max())
    7
    """
    p = validate_parameters(seed, **params)
    state = WorldState(seed=int(seed), p=p)
    for step in STEPS:
        step(state)
    tables = {}
    for key, (_, columns) in TABLES.items():
        tables[key] = normalise_table(state.tables[key], columns, key)
    core = {key: tables[key] for key in _CORE}
    extra = {key: frame for key, frame in tables.items() if key not in _CORE}
    return World(
        seed=int(seed),
        parameters={k: p[k] for k in DEFAULTS},
        cohort_genotypes=state.genotypes["cohort"],
        reference_genotypes=state.genotypes["reference"],
        database_genotypes=state.genotypes["database"],
        metadata=state.metadata,
        mosaics=state.mosaics,
        phase=dict(state.phase),
        extra_tables=extra,
        **core,
    )


simulate_world.__doc__ = (simulate_world.__doc__ or "").replace("{parameters}", docstring().replace("\n", "\n    "))
