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
from genshare.cohort.schema import CORE_TABLES, TABLES, World, normalise_table
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
        state.p["population_size"],
        n_zip3=N_ZIP3,
        zips_per_zip3=ZIPS_PER_ZIP3,
        rng=state.rng("geography"),
        city_share=CITY_SHARE,
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
        ids_,
        n_snps=state.p["n_snps"],
        model=state.p["model"],
        seed=seed,
        n_chromosomes=state.p["n_chromosomes"],
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


def switch_parity(
    n_people: int, chrom: np.ndarray, cm: np.ndarray, switch_cm: float, rng: np.random.Generator
) -> np.ndarray:
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
            **{
                c: pairs[c].to_numpy()
                for c in ("relationship", "degree", "expected_kinship", "generations", "common_ancestors")
            },
        }
    )
    state.tables["relationships"] = table.sort_values(
        ["participant_id", "degree", "profile_id"], kind="stable"
    ).reset_index(drop=True)


def trees(state: WorldState) -> None:
    """Public family trees of some database customers."""
    state.tables["family_trees"] = records.family_trees(
        state.people,
        state.tables["database"],
        state.p["tree_share"],
        state.tables["zip_codes"],
        state.rng("family_trees"),
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
    meta["non_paternity_share"] = round(
        float((people["father_id"] != people["legal_father_id"])[people["father_id"] != ""].mean()), 6
    )
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
    core = {key: tables[key] for key in CORE_TABLES}
    extra = {key: frame for key, frame in tables.items() if key not in CORE_TABLES}
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
