"""The synthetic world: a study cohort, relatives in a genealogy database, a reference
panel, and the public records in which their identities can be found.

Everything here is simulated from one seed; no real person's data is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genshare._validation import check_integer, check_number
from genshare.cohort import identities as ids
from genshare.cohort.demography import DEMOGRAPHIC_MODELS
from genshare.cohort.genetics import simulate_founders, transmit
from genshare.populations import POPULATIONS

__all__ = [
    "POPULATIONS",
    "RELATIONSHIPS",
    "TABLES",
    "World",
    "normalise_table",
    "simulate_world",
    "validate_parameters",
]


#: Relationship kinds that link a cohort participant to a database profile, with their
#: degree and expected kinship coefficient.
RELATIONSHIPS = {
    "parent_child": (1, 0.25),
    "full_sibling": (1, 0.25),
    "first_cousin": (3, 0.0625),
}


#: Every table of a world: file name and (column, Table Schema type) pairs.
TABLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "snps": ("snps.csv", [
        ("snp_id", "string"), ("chrom", "integer"), ("pos", "integer"), ("ref", "string"), ("alt", "string"),
        ("panel", "string"), *[(f"freq_{pop}", "number") for pop in POPULATIONS], ("effect", "number"),
    ]),
    "cohort": ("cohort.csv", [
        ("participant_id", "string"), ("person_id", "string"), ("population", "string"), ("sex", "string"),
        ("age", "integer"), ("status", "string"),
    ]),
    "reference": ("reference.csv", [("sample_id", "string"), ("person_id", "string"), ("population", "string")]),
    "database": ("database.csv", [
        ("profile_id", "string"), ("person_id", "string"), ("first_name", "string"), ("surname", "string"),
        ("sex", "string"), ("birth_year", "integer"), ("zip3", "string"),
    ]),
    "people": ("people.csv", [
        ("person_id", "string"), ("first_name", "string"), ("surname", "string"), ("sex", "string"),
        ("date_of_birth", "date"), ("zip5", "string"), ("population", "string"), ("father_id", "string"),
        ("mother_id", "string"), ("voter_id", "string"),
    ]),
    "relationships": ("relationships.csv", [
        ("participant_id", "string"), ("profile_id", "string"), ("relationship", "string"), ("degree", "integer"),
        ("expected_kinship", "number"),
    ]),
    "voter_roll": ("voter_roll.csv.gz", [
        ("voter_id", "string"), ("first_name", "string"), ("surname", "string"), ("zip5", "string"),
        ("date_of_birth", "date"), ("sex", "string"),
    ]),
    "clinical": ("clinical.csv", [
        ("participant_id", "string"), ("medical_record_number", "string"), ("name", "string"),
        ("street_address", "string"), ("city", "string"), ("state", "string"), ("zip5", "string"),
        ("phone", "string"), ("email", "string"), ("date_of_birth", "date"), ("sex", "string"), ("age", "integer"),
        ("admission_date", "date"), ("diagnosis", "string"), ("comorbidity", "string"), ("bmi", "number"),
    ]),
    "zip_codes": ("zip_codes.csv", [
        ("zip5", "string"), ("zip3", "string"), ("city", "string"), ("state", "string"), ("population", "integer"),
    ]),
}


def normalise_table(frame: pd.DataFrame, columns: list[tuple[str, str]]) -> pd.DataFrame:
    """Give a table the column order and dtypes of its schema (used on save and load alike)."""
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for name, kind in columns:
        values = frame[name].reset_index(drop=True)
        if kind == "integer":
            out[name] = pd.to_numeric(values).astype("int64")
        elif kind == "number":
            out[name] = pd.to_numeric(values.replace("", np.nan) if values.dtype != float else values).astype("float64")
        elif kind == "date":
            out[name] = pd.to_datetime(values).astype("datetime64[s]")
        else:
            out[name] = values.astype(str)
    return out



@dataclass(frozen=True)
class World:
    """Everything in one synthetic world. Row *i* of each genotype matrix is row *i* of its table.

    Attributes
    ----------
    seed, parameters
        The seed and every argument of :func:`simulate_world` that made this world.
    snps
        One row per SNP: ``snp_id``, ``chrom``, ``pos``, ``ref``, ``alt``, population
        allele frequencies ``freq_YRI``, ``freq_CEU``, ``freq_CHB`` (among founders) and the
        ``effect`` of the SNP on the study phenotype's liability (0 for most SNPs).
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
        Ground truth for every named person: ``person_id``, names, ``sex``,
        ``date_of_birth``, ``zip5``, ``population``, ``father_id``, ``mother_id``,
        ``voter_id`` (empty if not on the voter roll).
    relationships
        True relationships between participants and profiles: ``participant_id``,
        ``profile_id``, ``relationship``, ``degree``, ``expected_kinship``.
    voter_roll
        The public voter roll: ``voter_id``, ``first_name``, ``surname``, ``zip5``,
        ``date_of_birth``, ``sex``.
    clinical
        The hospital's records of the participants before de-identification.
    zip_codes
        The synthetic geography: ``zip5``, ``zip3``, ``city``, ``state``, ``population``.
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
    metadata: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"World(seed={self.seed}, participants={len(self.cohort)}, snps={len(self.snps)}, "
            f"reference={len(self.reference)}, database={len(self.database)}, "
            f"relative_pairs={len(self.relationships)}, voters={len(self.voter_roll)})"
        )


# --------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------

DEFAULTS: dict[str, Any] = {
    "n_participants": 1000,
    "n_snps": 10_000,
    "n_reference": 500,
    "n_database": 2000,
    "n_relatives": 300,
    "population_size": 100_000,
    "voter_coverage": 0.9,
    "n_chromosomes": 22,
    "missing_rate": 0.005,
    "model": "out_of_africa_3g09",
    "ancestry": dict(zip(POPULATIONS, (0.25, 0.5, 0.25))),
}


#: Bytes of memory a world needs per (named person x SNP): haplotypes, founder genomes,
#: dosages and the transmission work arrays (measured: 10,000 and 40,000 SNPs with the
#: default sizes peak at about 0.47 and 1.4 GB), and per resident of Synthetica (the
#: voter roll and background residents as pandas tables), plus the libraries themselves.
_BYTES_PER_GENOTYPE = 6
_BYTES_PER_RESIDENT = 1000
_BASE_BYTES = 200 * 2**20


def _physical_memory() -> int | None:
    """Bytes of physical memory on this machine, or None if the system does not say."""
    import os

    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def memory_needed(p: dict[str, Any]) -> int:
    """Rough peak memory, in bytes, of :func:`simulate_world` with validated parameters ``p``."""
    named = p["n_participants"] + p["n_database"] + p["n_reference"] + 6 * p["n_relatives"]
    return _BYTES_PER_GENOTYPE * named * p["n_snps"] + _BYTES_PER_RESIDENT * p["population_size"] + _BASE_BYTES


def validate_parameters(seed: Any, **params: Any) -> dict[str, Any]:
    """Check every parameter of :func:`simulate_world` and return them with defaults filled.

    Every parameter is checked for its type as well as its range (``voter_coverage="0.9"``,
    ``n_snps=1e4`` or ``ancestry=[0.5, 0.5]`` are refused, not converted), and the memory
    the world would need is compared with the machine's before anything is simulated.

    Raises
    ------
    ValueError
        Naming the parameter and saying why, for example a negative seed, fewer than two
        participants, no SNPs, more relatives than people, an unknown model, or a size
        that would need more memory than the machine has.
    """
    unknown = sorted(map(str, set(params) - set(DEFAULTS)))
    if unknown:
        raise ValueError(f"unknown parameter(s): {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")
    p = {**DEFAULTS, **params}
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    reasons = {"n_participants": " (a cohort needs at least two people)", "n_snps": " (no SNPs to simulate)"}
    for name, minimum in [
        ("n_participants", 2), ("n_snps", 1), ("n_reference", 0), ("n_database", 0),
        ("n_relatives", 0), ("population_size", 1), ("n_chromosomes", 1),
    ]:
        value = check_integer(p[name], name)
        if value < minimum:
            raise ValueError(f"{name} must be at least {minimum}; got {value}{reasons.get(name, '')}")
        p[name] = value
    if p["n_relatives"] > p["n_participants"]:
        raise ValueError(
            f"n_relatives ({p['n_relatives']}) cannot exceed n_participants ({p['n_participants']}): "
            "more relatives than people"
        )
    if p["n_relatives"] > p["n_database"]:
        raise ValueError(
            f"n_relatives ({p['n_relatives']}) cannot exceed n_database ({p['n_database']}): "
            "more relatives than people in the genealogy database"
        )
    if p["n_chromosomes"] > p["n_snps"]:
        raise ValueError(f"n_chromosomes ({p['n_chromosomes']}) cannot exceed n_snps ({p['n_snps']})")
    if not isinstance(p["model"], str) or p["model"] not in DEMOGRAPHIC_MODELS:
        raise ValueError(f"model {p['model']!r} is unknown; choose one of: {', '.join(DEMOGRAPHIC_MODELS)}")
    p["voter_coverage"] = check_number(p["voter_coverage"], "voter_coverage", minimum=0.0, maximum=1.0)
    p["missing_rate"] = check_number(p["missing_rate"], "missing_rate", minimum=0.0, maximum=0.5, high_open=True)
    ancestry = p["ancestry"]
    if not isinstance(ancestry, dict) or not ancestry or not all(isinstance(k, str) for k in ancestry) or set(ancestry) - set(POPULATIONS):
        raise ValueError(f"ancestry must map some of {', '.join(POPULATIONS)} to proportions; got {ancestry!r}")
    shares = {k: check_number(v, f"ancestry[{k!r}]", minimum=0.0) for k, v in ancestry.items()}
    if sum(shares.values()) <= 0:
        raise ValueError(f"ancestry proportions must be non-negative and not all zero; got {ancestry!r}")
    named = p["n_participants"] + p["n_database"] + p["n_reference"] + 6 * p["n_relatives"]
    if p["population_size"] < named:
        raise ValueError(
            f"population_size ({p['population_size']}) must be at least the number of named people "
            f"in the world ({named}: participants, database profiles, reference panel and relatives' families)"
        )
    needed, available = memory_needed(p), _physical_memory()
    if available is not None and needed > available:
        raise ValueError(
            f"this world would need about {needed / 2**30:,.1f} GiB of memory (n_snps={p['n_snps']:,} SNPs for "
            f"about {named:,} named people, and population_size={p['population_size']:,} residents) but this "
            f"machine has {available / 2**30:,.1f} GiB; choose smaller n_snps, n_participants, n_database, "
            "n_reference, n_relatives or population_size"
        )
    # A fixed key order, so that the same proportions give the same world however written.
    p["ancestry"] = {k: shares[k] for k in POPULATIONS if k in shares}
    return p


# --------------------------------------------------------------------------------------
# The pedigree plan
# --------------------------------------------------------------------------------------


class _People:
    """Growing table of people, built column by column (sizes are small: families only)."""

    def __init__(self) -> None:
        self.population: list[str] = []
        self.sex: list[str] = []
        self.father: list[int] = []
        self.mother: list[int] = []
        self.age: list[float] = []
        self.anchor: list[int] = []  # a relative whose ZIP3 the person tends to share, or -1

    def add(self, population: str, sex: str, age: float, father: int = -1, mother: int = -1, anchor: int = -1) -> int:
        self.population.append(population)
        self.sex.append(sex)
        self.age.append(age)
        self.father.append(father)
        self.mother.append(mother)
        self.anchor.append(anchor)
        return len(self.sex) - 1

    def __len__(self) -> int:
        return len(self.sex)


def _plan(p: dict[str, Any], rng: np.random.Generator) -> tuple[_People, dict[str, np.ndarray], pd.DataFrame]:
    """Decide who exists, who is related to whom, and who sits in which dataset."""
    people = _People()
    names = list(p["ancestry"])
    shares = np.array([p["ancestry"][k] for k in names], dtype=float)
    shares /= shares.sum()

    def population_draw(n: int) -> np.ndarray:
        return np.array(names)[rng.choice(len(names), size=n, p=shares)]

    def sex() -> str:
        return "F" if rng.random() < 0.5 else "M"

    n_part, n_rel = p["n_participants"], p["n_relatives"]
    part_pop = population_draw(n_part)
    with_relative = np.zeros(n_part, dtype=bool)
    with_relative[rng.choice(n_part, size=n_rel, replace=False)] = True
    kinds = np.array(list(RELATIONSHIPS))[np.arange(n_rel) % len(RELATIONSHIPS)]
    rng.shuffle(kinds)

    cohort_person = np.empty(n_part, dtype=np.int64)
    db_person: list[int] = []
    links = []
    kind_iter = iter(kinds)
    for i in range(n_part):  # planning is per family (hundreds), not a genotype hot path
        pop = part_pop[i]
        if not with_relative[i]:
            cohort_person[i] = people.add(pop, sex(), float(ids.adult_ages(1, rng)[0]))
            continue
        kind = next(kind_iter)
        if kind == "parent_child":
            child_age = rng.uniform(18, 60)
            parent_age = min(child_age + rng.uniform(20, 40), 95.0)
            parent_sex = sex()
            parent = people.add(pop, parent_sex, parent_age)
            mate = people.add(pop, "F" if parent_sex == "M" else "M", min(parent_age + rng.uniform(-5, 5), 95.0), anchor=parent)
            father, mother = (parent, mate) if parent_sex == "M" else (mate, parent)
            child = people.add(pop, sex(), child_age, father, mother, anchor=parent)
            participant, relative = (parent, child) if rng.random() < 0.5 else (child, parent)
        elif kind == "full_sibling":
            age_1 = float(ids.adult_ages(1, rng, high=80)[0])
            age_2 = max(18.0, age_1 + rng.choice([-1, 1]) * rng.uniform(1, 8))
            parents_age = max(age_1, age_2) + rng.uniform(20, 40)
            father = people.add(pop, "M", parents_age)
            mother = people.add(pop, "F", parents_age - rng.uniform(0, 5), anchor=father)
            participant = people.add(pop, sex(), age_1, father, mother, anchor=father)
            relative = people.add(pop, sex(), age_2, father, mother, anchor=participant)
        else:  # first cousins through a pair of siblings
            age_1 = rng.uniform(18, 75)
            age_2 = max(18.0, age_1 + rng.uniform(-12, 12))
            parent_1_age, parent_2_age = age_1 + rng.uniform(20, 40), age_2 + rng.uniform(20, 40)
            grand_age = max(parent_1_age, parent_2_age) + rng.uniform(20, 35)
            grandfather = people.add(pop, "M", grand_age)
            grandmother = people.add(pop, "F", grand_age - rng.uniform(0, 5), anchor=grandfather)
            sibling_1 = people.add(pop, sex(), parent_1_age, grandfather, grandmother, anchor=grandfather)
            sibling_2 = people.add(pop, sex(), parent_2_age, grandfather, grandmother)
            spouse_1 = people.add(pop, "F" if people.sex[sibling_1] == "M" else "M", parent_1_age + rng.uniform(-5, 5), anchor=sibling_1)
            spouse_2 = people.add(pop, "F" if people.sex[sibling_2] == "M" else "M", parent_2_age + rng.uniform(-5, 5), anchor=sibling_2)
            f1, m1 = (sibling_1, spouse_1) if people.sex[sibling_1] == "M" else (spouse_1, sibling_1)
            f2, m2 = (sibling_2, spouse_2) if people.sex[sibling_2] == "M" else (spouse_2, sibling_2)
            participant = people.add(pop, sex(), age_1, f1, m1, anchor=sibling_1)
            relative = people.add(pop, sex(), age_2, f2, m2, anchor=sibling_2)
        cohort_person[i] = participant
        db_person.append(relative)
        degree, expected = RELATIONSHIPS[kind]
        links.append((i, len(db_person) - 1, kind, degree, expected))

    # Unrelated genealogy-database customers and the reference panel.
    for pop in population_draw(p["n_database"] - n_rel):
        db_person.append(people.add(pop, sex(), float(ids.adult_ages(1, rng)[0])))
    n_ref = p["n_reference"]
    ref_pop = np.array(names)[np.arange(n_ref) % len(names)] if n_ref else np.array([], dtype=str)
    reference_person = [people.add(pop, sex(), float(ids.adult_ages(1, rng)[0])) for pop in ref_pop]

    # Shuffle database order so relatives are not listed first.
    db_order = rng.permutation(len(db_person))
    db_person_arr = np.asarray(db_person, dtype=np.int64)[db_order]
    new_index = np.empty_like(db_order)
    new_index[db_order] = np.arange(len(db_order))
    relationships = pd.DataFrame(links, columns=["participant", "profile", "relationship", "degree", "expected_kinship"])
    relationships["profile"] = new_index[relationships["profile"].to_numpy()] if len(relationships) else relationships["profile"]
    roles = {
        "cohort": cohort_person,
        "database": db_person_arr,
        "reference": np.asarray(reference_person, dtype=np.int64),
    }
    return people, roles, relationships


def _genotypes(people: _People, p: dict[str, Any], seeds: np.random.SeedSequence) -> tuple[np.ndarray, pd.DataFrame, dict[str, np.ndarray]]:
    """Haplotypes for every planned person: founders from msprime, the rest by descent."""
    father = np.asarray(people.father)
    mother = np.asarray(people.mother)
    population = np.asarray(people.population)
    is_founder = father < 0
    founder_ids = np.flatnonzero(is_founder)
    counts = {pop: int((population[founder_ids] == pop).sum()) for pop in POPULATIONS}
    genetics_seed, meiosis_seed = seeds.spawn(2)
    genomes = simulate_founders(counts, p["n_snps"], p["n_chromosomes"], genetics_seed, p["model"])

    haplotypes = np.empty((len(people), 2, p["n_snps"]), dtype=np.int8)
    for pop in POPULATIONS:  # founders of each population take that population's genomes in order
        mine = founder_ids[population[founder_ids] == pop]
        haplotypes[mine] = genomes.haplotypes[genomes.populations == pop][: len(mine)]

    # Children in order of generation: each pass handles everyone whose parents are done.
    rng = np.random.default_rng(meiosis_seed)
    done = is_founder.copy()
    while not done.all():
        ready = np.flatnonzero(~done & done[np.maximum(father, 0)] & done[np.maximum(mother, 0)])
        haplotypes[ready, 0] = transmit(haplotypes[father[ready]], genomes.snps, genomes.chrom_morgans, rng)
        haplotypes[ready, 1] = transmit(haplotypes[mother[ready]], genomes.snps, genomes.chrom_morgans, rng)
        done[ready] = True

    freqs = {pop: genomes.haplotypes[genomes.populations == pop].mean(axis=(0, 1)) for pop in POPULATIONS if counts[pop]}
    return haplotypes, genomes.snps, freqs


def simulate_world(seed: int = 2026, **params: Any) -> World:
    """Simulate a complete synthetic world from one seed.

    Parameters
    ----------
    seed
        Non-negative integer; the same seed and parameters (and the same pinned package
        versions) give the same world.
    n_participants
        People in the study cohort (default 1,000).
    n_snps
        Biallelic SNPs genotyped (default 10,000), spread over ``n_chromosomes``
        chromosomes (default 22).
    n_reference
        People in the reference panel, drawn from the same populations (default 500).
    n_database
        Profiles in the consumer genealogy database (default 2,000).
    n_relatives
        Participants who have one relative in the database (default 300): a parent or
        child, a full sibling or a first cousin, in equal shares.
    population_size
        Adults living in Synthetica (default 100,000); the voter roll lists
        ``voter_coverage`` (default 0.9) of them, chosen at random.
    missing_rate
        Share of genotype calls set missing (-1) in the cohort and database (default 0.005).
    model
        Demographic model (default ``"out_of_africa_3g09"``).
    ancestry
        Shares of YRI, CEU and CHB ancestry among participants and database customers
        (default 0.25, 0.5, 0.25).

    Returns
    -------
    World

    Raises
    ------
    ValueError
        If a parameter is invalid; raised before any simulation starts.

    Examples
    --------
    >>> world = simulate_world(seed=1, n_participants=20, n_snps=200, n_reference=10,
    ...                        n_database=30, n_relatives=6, population_size=500)
    >>> world.cohort_genotypes.shape
    (20, 200)
    >>> sorted(str(kind) for kind in world.relationships["relationship"].unique())
    ['first_cousin', 'full_sibling', 'parent_child']
    """
    p = validate_parameters(seed, **params)
    root = np.random.SeedSequence(seed)
    plan_seed, genotype_seed, identity_seed, phenotype_seed, missing_seed = root.spawn(5)
    people, roles, links = _plan(p, np.random.default_rng(plan_seed))
    haplotypes, snps, freqs = _genotypes(people, p, genotype_seed)
    dosages = {role: haplotypes[idx].sum(axis=1, dtype=np.int8) for role, idx in roles.items()}
    del haplotypes

    # SNP table.
    snps = snps.drop(columns="morgans")
    snps.insert(0, "snp_id", [f"sy{i + 1:06d}" for i in range(len(snps))])
    for pop in POPULATIONS:
        snps[f"freq_{pop}"] = np.round(freqs[pop], 6) if pop in freqs else np.nan

    # Phenotype: liability threshold model with 20 common causal SNPs, heritability 0.4.
    prng = np.random.default_rng(phenotype_seed)
    pooled = dosages["cohort"].mean(axis=0) / 2
    common = np.flatnonzero((pooled > 0.1) & (pooled < 0.9))
    effect = np.zeros(len(snps))
    if len(common):
        causal = prng.choice(common, size=min(20, len(common)), replace=False)
        effect[causal] = np.round(prng.normal(0, 1, size=len(causal)), 4)
    # Integer arithmetic (effects in units of 1e-4) keeps the score identical on every
    # machine, whatever BLAS it uses, so the same seed always gives the same cases.
    called = np.where(dosages["cohort"] >= 0, dosages["cohort"], 0).astype(np.int64)
    score = (called @ np.round(effect * 10_000).astype(np.int64)).astype(float)
    score = (score - score.mean()) / (score.std() or 1.0)
    liability = np.sqrt(0.4) * score + np.sqrt(0.6) * prng.normal(size=len(score))
    status = np.where(liability > np.median(liability), "case", "control")
    snps["effect"] = effect

    # Missing calls in the array-genotyped sets.
    mrng = np.random.default_rng(missing_seed)
    for role in ("cohort", "database"):
        mask = mrng.random(dosages[role].shape) < p["missing_rate"]
        dosages[role][mask] = -1

    tables = _identities(people, roles, links, status, p, np.random.default_rng(identity_seed))
    tables["snps"] = snps
    tables = {key: normalise_table(frame, TABLES[key][1]) for key, frame in tables.items()}
    return World(
        seed=int(seed),
        parameters={k: p[k] for k in DEFAULTS},
        cohort_genotypes=dosages["cohort"],
        reference_genotypes=dosages["reference"],
        database_genotypes=dosages["database"],
        **tables,
    )


# --------------------------------------------------------------------------------------
# Identities and records
# --------------------------------------------------------------------------------------


def _identities(
    people: _People,
    roles: dict[str, np.ndarray],
    links: pd.DataFrame,
    status: np.ndarray,
    p: dict[str, Any],
    rng: np.random.Generator,
) -> dict[str, pd.DataFrame]:
    n_named = len(people)
    sex = np.asarray(people.sex)
    father = np.asarray(people.father)
    mother = np.asarray(people.mother)
    anchor = np.asarray(people.anchor)
    age = np.asarray(people.age)

    # Surnames pass down the paternal line (founders draw one; spouses keep their own).
    surname = ids.draw_surnames(n_named, rng)
    has_father = np.flatnonzero(father >= 0)
    for child in has_father:  # children come after their fathers in the table
        surname[child] = surname[father[child]]
    first = ids.draw_first_names(sex, rng)
    dob = ids.dates_of_birth(age, rng)

    # Geography. Relatives live in their anchor's ZIP3 area 60% of the time.
    n_zip3 = 6
    geography = ids.make_geography(p["population_size"], n_zip3=n_zip3, zips_per_zip3=7, rng=rng)
    zip_weights = geography["population"].to_numpy() / geography["population"].sum()
    zip5 = rng.choice(geography["zip5"].to_numpy(), size=n_named, p=zip_weights)
    follow = (anchor >= 0) & (rng.random(n_named) < 0.6)
    zip3_of = dict(zip(geography["zip5"], geography["zip3"]))
    for person in np.flatnonzero(follow):  # anchors precede the people who follow them
        area = zip3_of[zip5[anchor[person]]]
        options = geography.loc[geography["zip3"] == area]
        zip5[person] = rng.choice(options["zip5"].to_numpy(), p=options["population"].to_numpy() / options["population"].sum())

    # Background residents fill each ZIP code up to its population.
    named_per_zip = pd.Series(zip5).value_counts().reindex(geography["zip5"], fill_value=0).to_numpy()
    background_per_zip = np.maximum(geography["population"].to_numpy() - named_per_zip, 0)
    geography["population"] = named_per_zip + background_per_zip
    n_bg = int(background_per_zip.sum())
    bg_sex = np.where(rng.random(n_bg) < 0.5, "F", "M")
    bg_first = ids.draw_first_names(bg_sex, rng)
    bg_surname = ids.draw_surnames(n_bg, rng)
    bg_dob = ids.dates_of_birth(ids.adult_ages(n_bg, rng), rng)
    bg_zip = np.repeat(geography["zip5"].to_numpy(), background_per_zip)

    # The voter roll: living adults (age <= 95 at the reference date), a random share registered.
    alive = age <= 95
    on_roll = alive & (rng.random(n_named) < p["voter_coverage"])
    bg_on_roll = rng.random(n_bg) < p["voter_coverage"]
    roll = pd.DataFrame(
        {
            "first_name": np.concatenate([first[on_roll], bg_first[bg_on_roll]]),
            "surname": np.concatenate([surname[on_roll], bg_surname[bg_on_roll]]),
            "zip5": np.concatenate([zip5[on_roll], bg_zip[bg_on_roll]]),
            "date_of_birth": np.concatenate([dob[on_roll], bg_dob[bg_on_roll]]),
            "sex": np.concatenate([sex[on_roll], bg_sex[bg_on_roll]]),
        }
    )
    order = rng.permutation(len(roll))
    roll = roll.iloc[order].reset_index(drop=True)
    roll.insert(0, "voter_id", [f"V{i + 1:07d}" for i in range(len(roll))])
    voter_id = np.full(n_named, "", dtype=object)
    named_rows = np.flatnonzero(order < on_roll.sum())  # rows of the roll that hold named people
    voter_id[np.flatnonzero(on_roll)[order[named_rows]]] = roll["voter_id"].to_numpy()[named_rows]

    person_id = np.array([f"P{i + 1:06d}" for i in range(n_named)], dtype=object)
    population = np.asarray(people.population)
    people_table = pd.DataFrame(
        {
            "person_id": person_id,
            "first_name": first,
            "surname": surname,
            "sex": sex,
            "date_of_birth": dob,
            "zip5": zip5,
            "population": population,
            "father_id": np.where(father >= 0, person_id[np.maximum(father, 0)], ""),
            "mother_id": np.where(mother >= 0, person_id[np.maximum(mother, 0)], ""),
            "voter_id": voter_id,
        }
    )

    c = roles["cohort"]
    cohort_ages = np.floor(age[c]).astype(int)
    cohort = pd.DataFrame(
        {
            "participant_id": [f"C{i + 1:05d}" for i in range(len(c))],
            "person_id": person_id[c],
            "population": population[c],
            "sex": sex[c],
            "age": cohort_ages,
            "status": status,
        }
    )
    r = roles["reference"]
    reference = pd.DataFrame(
        {"sample_id": [f"R{i + 1:05d}" for i in range(len(r))], "person_id": person_id[r], "population": population[r]}
    )
    d = roles["database"]
    dob_years = pd.DatetimeIndex(dob).year.to_numpy()
    database = pd.DataFrame(
        {
            "profile_id": [f"G{i + 1:06d}" for i in range(len(d))],
            "person_id": person_id[d],
            "first_name": first[d],
            "surname": surname[d],
            "sex": sex[d],
            "birth_year": dob_years[d],
            "zip3": [zip3_of[z] for z in zip5[d]],
        }
    )
    relationships = pd.DataFrame(
        {
            "participant_id": cohort["participant_id"].to_numpy()[links["participant"].to_numpy(dtype=int)],
            "profile_id": database["profile_id"].to_numpy()[links["profile"].to_numpy(dtype=int)],
            "relationship": links["relationship"].to_numpy(dtype=object),
            "degree": links["degree"].to_numpy(dtype=int),
            "expected_kinship": links["expected_kinship"].to_numpy(dtype=float),
        }
    )
    clinical = _clinical_records(cohort, people_table.iloc[c].reset_index(drop=True), geography, rng)
    return {
        "cohort": cohort,
        "reference": reference,
        "database": database,
        "people": people_table,
        "relationships": relationships,
        "voter_roll": roll,
        "clinical": clinical,
        "zip_codes": geography,
    }


_COMORBIDITIES = np.array(["none", "hypertension", "asthma", "depression", "chronic kidney disease", "HIV infection"])
_COMORBIDITY_WEIGHTS = np.array([0.45, 0.25, 0.1, 0.12, 0.05, 0.03])


def _clinical_records(cohort: pd.DataFrame, persons: pd.DataFrame, geography: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A hospital's view of the participants, with every direct identifier still present."""
    n = len(cohort)
    city_of = dict(zip(geography["zip5"], geography["city"]))
    area_codes = rng.integers(201, 990, size=n)
    lines = rng.integers(0, 100, size=n)
    admission = ids.REFERENCE_DATE - rng.integers(30, 5 * 365, size=n).astype("timedelta64[D]")
    mrn = 1_000_000 + rng.choice(9_000_000, size=n, replace=False)
    first = persons["first_name"].to_numpy(dtype=str)
    last = persons["surname"].to_numpy(dtype=str)
    status = cohort["status"].to_numpy()
    bmi = np.round(np.where(status == "case", 31.0, 27.0) + rng.normal(0, 4.5, size=n), 1)
    return pd.DataFrame(
        {
            "participant_id": cohort["participant_id"],
            "medical_record_number": [f"MRN-{m}" for m in mrn],
            "name": np.char.add(np.char.add(first, " "), last),
            "street_address": ids.street_addresses(n, rng),
            "city": [city_of[z] for z in persons["zip5"]],
            "state": ids.STATE,
            "zip5": persons["zip5"],
            "phone": [f"({a}) 555-01{line:02d}" for a, line in zip(area_codes, lines)],
            "email": [f"{f.lower()}.{s.lower()}{k}@example.org" for f, s, k in zip(first, last, rng.integers(1, 99, size=n))],
            "date_of_birth": persons["date_of_birth"],
            "sex": cohort["sex"],
            "age": cohort["age"],
            "admission_date": admission,
            "diagnosis": np.where(status == "case", "type 2 diabetes", "no diabetes"),
            "comorbidity": rng.choice(_COMORBIDITIES, size=n, p=_COMORBIDITY_WEIGHTS),
            "bmi": bmi,
        }
    )
