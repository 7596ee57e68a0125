"""A synthetic population with a pedigree: who descends from whom, over eight generations.

:func:`simulate_pedigree` builds the people of Synthetica from founders born around 1790
down to people born in the 2000s, generation by generation. The cohort, the reference
panel and the genealogy database are later drawn from the living adults, so relatives
arise naturally instead of being planted. :func:`validate_pedigree` refuses a pedigree
that cannot be true; :func:`relative_pairs` lists every pair of people related at third
cousin or closer, and :func:`cousin_counts` counts first, second and third cousins for
every living person. Everything is vectorised per generation (numpy) or as table joins
(pandas); no Python loop runs over people.

Model assumptions (documented, stylised; not a fit to any real population)
--------------------------------------------------------------------------
- **Generations.** Couples form within a generation; a child belongs to the generation
  after its parents. Founders (generation 0, no parents in the pedigree) are born
  1780-1800. Mothers are 17-44 years old at a birth (normal, mean 28, sd 5.5), so
  generations are about 29 years apart and birth years of one generation overlap the
  next, as in real populations.
- **Family sizes.** Counts are of children who survive to adulthood. Each adult finds a
  partner with probability :data:`PARTNERED` (0.88); a share of couples, :data:`CHILDLESS`
  (0.10), have no children; the others have ``1 + Poisson(.)`` children, with the mean
  per couple (:data:`CHILDREN_PER_COUPLE`) falling from 4.3 for couples born around 1790
  to 1.9 for couples born around 1970, with a small rise for the parents of the baby boom.
  These end points are the module's own stylised assumptions (net of child deaths), shaped
  after the United States fertility decline that :cite:t:`jones2008fertility` document for
  women born between 1826 and 1960 (children ever born per woman).
  Couples are monogamous: half-siblings arise only from non-paternity.
- **Geography.** Everyone lives in one of the synthetic ZIP codes. A child grows up in the
  parents' ZIP code and moves to a random ZIP code (weighted by the areas' sizes) with
  probability :data:`MOVE` (0.25) per generation. Partners come from the same ZIP3 area
  with probability :data:`LOCAL_MATING` (0.85), otherwise from anywhere.
- **Ancestry.** Founders belong to one of :data:`genshare.populations.POPULATIONS`, drawn
  with the world's ancestry shares. A partner comes from the same population with
  probability :data:`SAME_POPULATION` (0.98). Each person's genetic ancestry is the mean of
  their biological parents'; their ``population`` label is the population with the largest
  share of their ancestry (the mother's label on an exact tie, as for the child of a first
  mixed couple).
- **Surnames** pass from the legal father to his children (women keep their birth surname
  in these records). Founders draw surnames from a list for their population with
  Zipf-like frequencies, so common surnames are founded more than once by unrelated men.
- **Non-paternity.** With probability :data:`NON_PATERNITY` (0.01) per child, the
  biological father is another man of the father's generation living in the same ZIP3
  area: historical extra-pair paternity rates estimated from Y chromosomes and genealogies
  are about 1 to 2% per generation :cite:p:`larmuseau2016cuckolded`. The legal father (the one
  in the records and the source of the surname) is the mother's partner.
- **Deaths.** Age at death is normal around a mean that rises from 60 (born 1790) to 82
  (born 2000), sd 13, between 18 and 104, and never before one's last child is born.
  People alive on :data:`genshare.cohort.identities.REFERENCE_DATE` are ``alive``; children
  who would be born after 2025 are not (yet) in the pedigree.
- **Consanguinity.** Siblings, half-siblings and first cousins never become a couple (a
  couple found to be that close is split and its members try once more); more distant
  cousins may, as they do in small real populations. Kinship coefficients assume
  non-inbred founders.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from genshare._facts import LAST_BIRTH_YEAR, ORDINAL, relationship_name
from genshare.cohort import identities as ids
from genshare.populations import POPULATIONS

__all__ = [
    "CHILDLESS",
    "CHILDREN_PER_COUPLE",
    "LIVING_ADULTS_PER_FOUNDER",
    "LOCAL_MATING",
    "MOVE",
    "NON_PATERNITY",
    "PARTNERED",
    "LAST_BIRTH_YEAR",
    "PedigreeError",
    "SAME_POPULATION",
    "cousin_counts",
    "relationship_name",
    "relative_pairs",
    "simulate_pedigree",
    "validate_pedigree",
]

#: Number of generations (founders are generation 0; the youngest are generation 7).
N_GENERATIONS = 8
#: Birth years of the founders (uniform).
FOUNDER_BIRTH_YEARS = (1780, 1800)
#: Share of adults who find a partner.
PARTNERED = 0.88
#: Share of couples without children.
CHILDLESS = 0.10
#: Mean number of children reaching adulthood per couple, by the parents' generation
#: (0 = founders). Stylised from the US fertility decline (see the module docstring).
CHILDREN_PER_COUPLE = (4.3, 3.9, 3.4, 2.9, 2.4, 2.7, 1.9)
#: Mothers' age at a birth: mean, sd, range.
MOTHER_AGE = (28.0, 5.5, 17, 44)
#: Partners' age difference (husband older), mean and sd in years.
SPOUSE_AGE_GAP = (2.5, 3.0)
#: Probability of moving to another ZIP code as a young adult.
MOVE = 0.25
#: Probability that partners come from the same ZIP3 area.
LOCAL_MATING = 0.85
#: Probability that partners come from the same population.
SAME_POPULATION = 0.98
#: Probability that a child's biological father is not the legal father.
NON_PATERNITY = 0.01
#: Mean age at death for people born in 1790 and in 2000 (linear between), its sd and range.
DEATH_AGE = (60.0, 82.0, 13.0, 18, 104)
#: Living adults (18 or older on the reference date) per founder with these assumptions
#: (measured: 11.2 with 4,650 founders, seed 1); used to choose the number of founders for
#: a target population.
LIVING_ADULTS_PER_FOUNDER = 11.0


class PedigreeError(ValueError):
    """A pedigree that cannot be true; the message names the offending ``person_id`` values."""


# --------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------

# Surname pools by population: slices of identities.SURNAMES (English/Hispanic, Chinese,
# Nigerian), each drawn with Zipf-like frequencies.
_SURNAME_POOLS = {
    "CEU": ids.SURNAMES[: list(ids.SURNAMES).index("Wang")],
    "CHB": ids.SURNAMES[list(ids.SURNAMES).index("Wang") : list(ids.SURNAMES).index("Adeyemi")],
    "YRI": ids.SURNAMES[list(ids.SURNAMES).index("Adeyemi") :],
}


def _zipf_draw(pool: np.ndarray, n: int, rng: np.random.Generator, exponent: float = 0.9) -> np.ndarray:
    weights = 1.0 / np.arange(1, len(pool) + 1) ** exponent
    return rng.choice(pool, size=n, p=weights / weights.sum()).astype(object)


def _zip_draw(zips: pd.DataFrame, n: int, rng: np.random.Generator) -> np.ndarray:
    weights = zips["weight"].to_numpy(dtype=float)
    return rng.choice(len(zips), size=n, p=weights / weights.sum())


def _match(frame: pd.DataFrame) -> pd.DataFrame:
    """Match women and men within each ``group`` by the quantile of ``key`` (birth year)."""
    frame = frame.sort_values(["group", "sex", "key"], kind="stable")
    frame["rank"] = frame.groupby(["group", "sex"]).cumcount()
    counts = frame.groupby(["group", "sex"]).size().unstack(fill_value=0).reindex(columns=["F", "M"], fill_value=0)
    frame = frame.join(counts.min(axis=1).rename("couples"), on="group")
    frame = frame[frame["couples"] > 0]
    size = frame.groupby(["group", "sex"])["row"].transform("size")
    # The k-th couple takes the woman and the man at the same quantile of their sex's ages.
    frame["slot"] = np.floor((frame["rank"] + 0.5) * frame["couples"] / size).astype(np.int64)
    frame = frame.drop_duplicates(["group", "sex", "slot"])  # the larger sex: one per slot
    women = frame[frame["sex"] == "F"][["group", "slot", "row"]]
    men = frame[frame["sex"] == "M"][["group", "slot", "row"]]
    return women.merge(men, on=["group", "slot"], suffixes=("_f", "_m"))[["row_f", "row_m"]]


def _pair(gen: pd.DataFrame, rng: np.random.Generator, n_zip3: int, everyone_partners: bool = False) -> pd.DataFrame:
    """Form couples within one generation: local, mostly within population, similar ages.

    Every partnering adult gets a mating group (ZIP3 area x population, each kept with
    probability :data:`LOCAL_MATING` / :data:`SAME_POPULATION`, else drawn at random).
    Within a group, women and men are each sorted by birth year and matched by quantile,
    so partners have similar ages. Who is left over (the surplus sex of a group) tries
    again within their population anywhere in the state, then with anyone, so that small
    groups are not left single.
    """
    n = len(gen)
    partnering = rng.random(n) < (1.0 if everyone_partners else PARTNERED)
    area = np.where(rng.random(n) < LOCAL_MATING, gen["zip3_index"].to_numpy(), rng.integers(0, n_zip3, n))
    pop = np.where(rng.random(n) < SAME_POPULATION, gen["pop_index"].to_numpy(), rng.integers(0, len(POPULATIONS), n))
    # The husband is a little older: shift men's birth years before matching on them.
    shift = np.where(gen["sex"].to_numpy() == "M", rng.normal(*SPOUSE_AGE_GAP, n), 0.0)
    frame = pd.DataFrame(
        {
            "row": np.arange(n),
            "sex": gen["sex"].to_numpy(),
            "key": gen["birth_year"].to_numpy() + shift + rng.uniform(0, 1e-3, n),
        }
    )[partnering]
    found = []
    for group in (area * len(POPULATIONS) + pop, pop, np.zeros(n, dtype=np.int64)):
        frame["group"] = group[frame["row"].to_numpy()]
        couples = _match(frame)
        found.append(couples)
        frame = frame[~frame["row"].isin(np.concatenate([couples["row_f"], couples["row_m"]]))]
    return pd.concat(found, ignore_index=True)


def _close_kin(couples: pd.DataFrame, gen: pd.DataFrame, everyone: pd.DataFrame) -> np.ndarray:
    """True for couples who share a parent or a grandparent (siblings, first cousins, ...)."""

    def lineage(rows: np.ndarray) -> np.ndarray:
        parents = gen[["father", "mother"]].to_numpy()[rows]  # (couples, 2), -1 for founders
        up = [parents]
        known = np.maximum(parents, 0)
        grand = np.concatenate([everyone["father"].to_numpy()[known], everyone["mother"].to_numpy()[known]], axis=1)
        up.append(np.where(np.repeat(parents, 2, axis=1) >= 0, grand, -1))
        return np.concatenate(up, axis=1)

    her, him = lineage(couples["row_f"].to_numpy()), lineage(couples["row_m"].to_numpy())
    shared = (her[:, :, None] == him[:, None, :]) & (her[:, :, None] >= 0)
    return shared.any(axis=(1, 2))


def _unrelated_couples(
    gen: pd.DataFrame, gens: list[pd.DataFrame], rng: np.random.Generator, n_zip3: int
) -> pd.DataFrame:
    """Couples of one generation, none of them siblings or first cousins.

    Couples who turn out to be that closely related are split, and their members try once
    more among themselves (with fresh mating groups); who is still left stays single.
    """
    everyone = pd.concat([g[["father", "mother"]] for g in gens[:-1]] + [gen[["father", "mother"]]], ignore_index=True)
    couples = _pair(gen, rng, n_zip3)
    if gen["father"].max() < 0:
        return couples
    related = _close_kin(couples, gen, everyone)
    if related.any():
        again = np.concatenate([couples.loc[related, "row_f"], couples.loc[related, "row_m"]])
        retry = _pair(gen.iloc[again].reset_index(drop=True), rng, n_zip3, everyone_partners=True)
        retry = pd.DataFrame({"row_f": again[retry["row_f"]], "row_m": again[retry["row_m"]]})
        retry = retry[~_close_kin(retry, gen, everyone)]
        couples = pd.concat([couples[~related], retry], ignore_index=True)
    return couples


def simulate_pedigree(
    n_founders: int,
    ancestry: dict[str, float],
    zip_codes: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Simulate the whole population of Synthetica, every generation, the dead included.

    Parameters
    ----------
    n_founders
        People in generation 0 (born 1780-1800). About :data:`LIVING_ADULTS_PER_FOUNDER`
        living adults result per founder.
    ancestry
        Population -> share among founders (keys among ``POPULATIONS``, shares summing
        to a positive number).
    zip_codes
        The synthetic geography: ``zip5``, ``zip3`` and ``population`` (used as relative
        weights of where founders live and where movers go).
    rng
        Random generator.

    Returns
    -------
    pandas.DataFrame
        One row per person, parents before children: ``person_id`` ("P0000001", ...),
        ``sex``, ``birth_year``, ``death_year`` (float, NaN if alive), ``alive``,
        ``generation``, ``population``, ``father_id`` (biological; "" for founders),
        ``mother_id``, ``legal_father_id``, ``surname``, ``zip5`` and one ancestry share
        column ``ancestry_<POP>`` per population.

    Examples
    --------
    >>> zips = pd.DataFrame({"zip5": ["39011", "39311"], "zip3": ["390", "393"], "population": [1, 1]})
    >>> people = simulate_pedigree(60, {"CEU": 1.0}, zips, np.random.default_rng(1))
    >>> int(people["generation"].max()), bool((people["population"] == "CEU").all())
    (7, True)
    >>> validate_pedigree(people) is None
    True
    """
    zips = zip_codes[["zip5", "zip3"]].copy()
    zips["weight"] = zip_codes["population"].to_numpy(dtype=float) + 1e-9
    zip3_names, zip3_index = np.unique(zips["zip3"].to_numpy(), return_inverse=True)
    n_pops = len(POPULATIONS)
    shares = np.array([float(ancestry.get(p, 0.0)) for p in POPULATIONS])
    shares = shares / shares.sum()

    # Generation 0.
    pop0 = rng.choice(n_pops, size=n_founders, p=shares)
    zip0 = _zip_draw(zips, n_founders, rng)
    sex0 = np.where(rng.random(n_founders) < 0.5, "F", "M")
    gens = [
        pd.DataFrame(
            {
                "sex": sex0,
                "birth_year": rng.integers(FOUNDER_BIRTH_YEARS[0], FOUNDER_BIRTH_YEARS[1] + 1, n_founders),
                "generation": 0,
                "father": -1,
                "mother": -1,
                "legal_father": -1,
                "zip_index": zip0,
                "zip3_index": zip3_index[zip0],
                **{f"ancestry_{p}": (pop0 == k).astype(float) for k, p in enumerate(POPULATIONS)},
            }
        )
    ]
    gens[0]["surname"] = ""
    for k, p in enumerate(POPULATIONS):
        men = (pop0 == k) & (sex0 == "M")
        gens[0].loc[men, "surname"] = _zipf_draw(_SURNAME_POOLS[p], int(men.sum()), rng)
        women = (pop0 == k) & (sex0 == "F")
        gens[0].loc[women, "surname"] = _zipf_draw(_SURNAME_POOLS[p], int(women.sum()), rng)
    gens[0]["pop_index"] = pop0
    offset = 0

    for g in range(N_GENERATIONS - 1):
        parents = gens[-1]
        parents.index = np.arange(offset, offset + len(parents))
        couples = _unrelated_couples(parents.reset_index(drop=True), gens, rng, len(zip3_names))
        mothers = couples["row_f"].to_numpy() + offset
        fathers = couples["row_m"].to_numpy() + offset
        mean = CHILDREN_PER_COUPLE[g]
        lam = mean / (1 - CHILDLESS) - 1
        n_children = np.where(rng.random(len(couples)) < CHILDLESS, 0, 1 + rng.poisson(lam, len(couples)))
        mother = np.repeat(mothers, n_children)
        legal = np.repeat(fathers, n_children)
        household = np.repeat(np.where(rng.random(len(couples)) < 0.5, mothers, fathers), n_children)
        n = len(mother)
        age = np.clip(rng.normal(MOTHER_AGE[0], MOTHER_AGE[1], n), MOTHER_AGE[2], MOTHER_AGE[3])
        birth = np.round(parents.loc[mother, "birth_year"].to_numpy() + age).astype(np.int64)
        # Fathers are at least 17 at a birth too (a rare couple of very different ages).
        birth = np.maximum(birth, parents.loc[legal, "birth_year"].to_numpy() + MOTHER_AGE[2])
        # Non-paternity: another man of the father's generation in the same ZIP3 area.
        father = legal.copy()
        npe = np.flatnonzero(rng.random(n) < NON_PATERNITY)
        if len(npe):
            # A man of about the same age in the same ZIP3 area: a near neighbour of the
            # legal father when men are sorted by area and birth year.
            men = parents.index[parents["sex"].to_numpy() == "M"].to_numpy()
            order = np.lexsort((parents.loc[men, "birth_year"].to_numpy(), parents.loc[men, "zip3_index"].to_numpy()))
            men = men[order]
            men_area = parents.loc[men, "zip3_index"].to_numpy()
            position = pd.Index(men).get_indexer(legal[npe])
            step = rng.integers(1, 6, len(npe)) * np.where(rng.random(len(npe)) < 0.5, -1, 1)
            pick = position + step
            pick = np.where((pick < 0) | (pick >= len(men)), position - step, pick)
            pick = np.clip(pick, 0, len(men) - 1)
            other = men[pick]
            other_birth = parents.loc[other, "birth_year"].to_numpy()
            keep = (
                (other != legal[npe])
                & (men_area[pick] == men_area[position])
                & (other_birth <= birth[npe] - MOTHER_AGE[2])
                & (other_birth >= birth[npe] - 60)
            )
            father[npe[keep]] = other[keep]
        kept = birth <= LAST_BIRTH_YEAR
        mother, legal, father, household, birth = mother[kept], legal[kept], father[kept], household[kept], birth[kept]
        n = len(mother)
        if n == 0:
            break
        zip_index = parents.loc[household, "zip_index"].to_numpy().copy()
        moves = rng.random(n) < MOVE
        zip_index[moves] = _zip_draw(zips, int(moves.sum()), rng)
        child = pd.DataFrame(
            {
                "sex": np.where(rng.random(n) < 0.5, "F", "M"),
                "birth_year": birth,
                "generation": g + 1,
                "father": father,
                "mother": mother,
                "legal_father": legal,
                "zip_index": zip_index,
                "zip3_index": zip3_index[zip_index],
            }
        )
        anc = np.zeros((n, n_pops))
        for k, p in enumerate(POPULATIONS):
            column = f"ancestry_{p}"
            anc[:, k] = (parents.loc[father, column].to_numpy() + parents.loc[mother, column].to_numpy()) / 2
            child[column] = anc[:, k]
        mother_pop = parents.loc[mother, "pop_index"].to_numpy()
        best = anc.argmax(axis=1)
        tie = np.isclose(anc[np.arange(n), best], anc[np.arange(n), mother_pop])
        child["pop_index"] = np.where(tie, mother_pop, best)
        child["surname"] = parents.loc[legal, "surname"].to_numpy()
        # Order each generation by birth year, so ids run oldest to youngest.
        child = child.sort_values("birth_year", kind="stable").reset_index(drop=True)
        offset += len(parents)
        gens[-1] = parents
        gens.append(child)

    people = pd.concat([gen.reset_index(drop=True) for gen in gens], ignore_index=True)
    n = len(people)
    person_id = np.array([f"P{i + 1:07d}" for i in range(n)], dtype=object)

    def ids_of(index: np.ndarray) -> np.ndarray:
        return np.where(index >= 0, person_id[np.maximum(index, 0)], "")

    father = people["father"].to_numpy()
    mother = people["mother"].to_numpy()
    # Deaths: never before one's last child is born.
    birth = people["birth_year"].to_numpy()
    mean = DEATH_AGE[0] + (DEATH_AGE[1] - DEATH_AGE[0]) * np.clip((birth - 1790) / 210, 0, 1)
    death = birth + np.clip(np.round(rng.normal(mean, DEATH_AGE[2])), DEATH_AGE[3], DEATH_AGE[4]).astype(np.int64)
    last_child = np.full(n, -1, dtype=np.int64)
    has = father >= 0
    for parent in (father, mother, people["legal_father"].to_numpy()):
        np.maximum.at(last_child, parent[has], birth[has])
    death = np.maximum(death, last_child)
    alive = death > LAST_BIRTH_YEAR
    table = pd.DataFrame(
        {
            "person_id": person_id,
            "sex": people["sex"].to_numpy(),
            "birth_year": birth,
            "death_year": np.where(alive, np.nan, death.astype(float)),
            "alive": alive,
            "generation": people["generation"].to_numpy(),
            "population": np.asarray(POPULATIONS)[people["pop_index"].to_numpy()],
            "father_id": ids_of(father),
            "mother_id": ids_of(mother),
            "legal_father_id": ids_of(people["legal_father"].to_numpy()),
            "surname": people["surname"].to_numpy(),
            "zip5": zips["zip5"].to_numpy()[people["zip_index"].to_numpy()],
        }
    )
    for p in POPULATIONS:
        table[f"ancestry_{p}"] = people[f"ancestry_{p}"].to_numpy()
    return table


# --------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------


def _name(values: Any, limit: int = 10) -> str:
    values = sorted(map(str, values))
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


def validate_pedigree(
    table: pd.DataFrame,
    *,
    columns: Sequence[str] = (),
    both_parents: bool = False,
    populations: Sequence[str] | None = None,
) -> None:
    """Refuse a pedigree that cannot be true, naming the offending people.

    The one check of a pedigree, used by the population simulator and by the genome
    simulator (:func:`genshare.cohort.genomes.simulate_genomes`, which asks for the
    options below). Checks, in order: the columns ``person_id``, ``sex``, ``father_id``,
    ``mother_id`` and ``columns`` exist (``legal_father_id`` is checked too when present);
    ids are non-empty and unique; sex is "F" or "M"; every parent id is "" or a known
    person; nobody is their own parent; fathers are male and mothers female; with
    ``both_parents``, everyone has both parents or neither; nobody is their own ancestor
    (no cycle of descent). When the columns are present, parents must be born before
    their children (``birth_year``) and belong to an earlier ``generation`` (whole
    numbers); with ``populations``, every ``population`` label must be one of them.

    Parameters
    ----------
    table
        One row per person.
    columns
        Further columns that must exist.
    both_parents
        Refuse people with exactly one known parent (a genome needs two or none).
    populations
        The allowed ``population`` labels; None (default) does not look at the column.

    Returns
    -------
    None
        When the pedigree is consistent.

    Raises
    ------
    PedigreeError
        Saying what is wrong and naming the ``person_id`` values concerned.

    Examples
    --------
    >>> bad = pd.DataFrame({"person_id": ["a", "b"], "sex": ["M", "F"],
    ...                     "father_id": ["b", ""], "mother_id": ["", ""]})
    >>> validate_pedigree(bad)
    Traceback (most recent call last):
    ...
    genshare.cohort.pedigree.PedigreeError: fathers must be male: a (father b is F)
    """
    if not isinstance(table, pd.DataFrame):
        raise PedigreeError(f"a pedigree must be a pandas DataFrame; got {type(table).__name__}")
    required = ["person_id", "sex", "father_id", "mother_id"]
    missing = [c for c in [*required, *(c for c in columns if c not in required)] if c not in table.columns]
    if populations is not None and "population" not in missing and "population" not in table.columns:
        missing.append("population")
    if missing:
        raise PedigreeError(f"pedigree lacks column(s) {', '.join(missing)}")
    pid = table["person_id"].astype(str).to_numpy()
    bad_id = table["person_id"].isna().to_numpy() | (pid == "")
    if bad_id.any():
        raise PedigreeError(f"empty person_id in row(s) {_name(np.flatnonzero(bad_id))}")
    dup = pd.Series(pid).duplicated(keep=False).to_numpy()
    if dup.any():
        raise PedigreeError(f"person_id must be unique; repeated: {_name(set(pid[dup]))}")
    sex = table["sex"].astype(str).to_numpy()
    bad_sex = ~np.isin(sex, ["F", "M"])
    if bad_sex.any():
        raise PedigreeError(f"sex must be 'F' or 'M': {_name(pid[bad_sex])}")
    known = pd.Index(pid)
    parents: dict[str, np.ndarray] = {}
    columns = ["father_id", "mother_id"] + (["legal_father_id"] if "legal_father_id" in table.columns else [])
    for column in columns:
        values = table[column].fillna("").astype(str).to_numpy()
        position = known.get_indexer(values)
        unknown = (values != "") & (position < 0)
        if unknown.any():
            raise PedigreeError(
                f"{column} names unknown people: "
                f"{_name(f'{c} ({column} {p})' for c, p in zip(pid[unknown], values[unknown], strict=True))}"
            )
        own = values == pid
        if own.any():
            raise PedigreeError(f"people who are their own parent ({column}): {_name(pid[own])}")
        parents[column] = np.where(values != "", position, -1)
    for column, wanted, word in [
        ("father_id", "M", "fathers must be male"),
        ("mother_id", "F", "mothers must be female"),
        ("legal_father_id", "M", "legal fathers must be male"),
    ]:
        if column not in parents:
            continue
        p = parents[column]
        wrong = (p >= 0) & (sex[np.maximum(p, 0)] != wanted)
        if wrong.any():
            label = column.removesuffix("_id").replace("_", " ")
            raise PedigreeError(
                f"{word}: "
                f"{_name(f'{c} ({label} {pid[q]} is {sex[q]})' for c, q in zip(pid[wrong], p[wrong], strict=True))}"
            )
    father, mother = parents["father_id"], parents["mother_id"]
    if both_parents:
        half = (father < 0) != (mother < 0)
        if half.any():
            raise PedigreeError(f"both parents or neither must be given; only one for {_name(pid[half])}")
    # Cycles: resolve people whose parents are resolved, one layer at a time.
    done = (father < 0) & (mother < 0)
    while True:
        ready = ~done & ((father < 0) | done[np.maximum(father, 0)]) & ((mother < 0) | done[np.maximum(mother, 0)])
        if not ready.any():
            break
        done |= ready
    if not done.all():
        # Of the unresolved, peel off those with no unresolved child: what stays lies on a cycle.
        left = ~done
        while True:
            has_child = np.zeros(len(pid), dtype=bool)
            for p in (father, mother):
                sel = left & (p >= 0)
                has_child[p[sel]] = True
            keep = left & has_child
            if (keep == left).all():
                break
            left = keep
        raise PedigreeError(f"people who are their own ancestors (a cycle of descent): {_name(pid[left])}")
    if "birth_year" in table.columns:
        birth = pd.to_numeric(table["birth_year"], errors="coerce").to_numpy(dtype=float)
        for column in ("father_id", "mother_id"):
            p = parents[column]
            early = (p >= 0) & (birth[np.maximum(p, 0)] >= birth)
            if early.any():
                raise PedigreeError(f"parents must be born before their children ({column}): {_name(pid[early])}")
    if "generation" in table.columns:
        generation = pd.to_numeric(table["generation"], errors="coerce").to_numpy(dtype=float)
        not_whole = ~np.isfinite(generation) | (generation != np.floor(generation))
        if not_whole.any():
            raise PedigreeError(f"generation must be a whole number: {_name(pid[not_whole])}")
        for column in ("father_id", "mother_id"):
            p = parents[column]
            late = (p >= 0) & (generation[np.maximum(p, 0)] >= generation)
            if late.any():
                raise PedigreeError(
                    f"parents must be of an earlier generation than their children ({column}): {_name(pid[late])}"
                )
    if populations is not None:
        label = table["population"]
        unknown_population = ~label.isin(list(populations)).to_numpy()
        if unknown_population.any():
            unknown_people = zip(pid[unknown_population], label[unknown_population], strict=True)
            raise PedigreeError(
                f"population must be one of {', '.join(populations)}: {_name(f'{c} ({v})' for c, v in unknown_people)}"
            )
    return None


# --------------------------------------------------------------------------------------
# Relatives
# --------------------------------------------------------------------------------------


def _ancestors(people: pd.DataFrame, focal: np.ndarray, depth: int) -> pd.DataFrame:
    """Ancestor table of ``focal`` (row indices): one row per path, ``(person, ancestor, depth)``.

    Depth 0 is the person themself. Uses biological parents.
    """
    father = people["_father"].to_numpy()
    mother = people["_mother"].to_numpy()
    level = pd.DataFrame({"person": focal, "ancestor": focal, "depth": 0})
    levels = [level]
    for d in range(1, depth + 1):
        up = np.concatenate([father[level["ancestor"].to_numpy()], mother[level["ancestor"].to_numpy()]])
        person = np.concatenate([level["person"].to_numpy()] * 2)
        keep = up >= 0
        level = pd.DataFrame({"person": person[keep], "ancestor": up[keep], "depth": d})
        levels.append(level)
    return pd.concat(levels, ignore_index=True)


def _indexed(people: pd.DataFrame) -> pd.DataFrame:
    index = pd.Series(np.arange(len(people)), index=people["person_id"].to_numpy())
    out = people[["person_id"]].copy()
    for column, new in (("father_id", "_father"), ("mother_id", "_mother")):
        values = people[column].fillna("").astype(str)
        out[new] = index.reindex(values.to_numpy()).fillna(-1).to_numpy(dtype=np.int64)
    return out


def relative_pairs(people: pd.DataFrame, left: Any, right: Any, max_generations: int = 4) -> pd.DataFrame:
    """Every pair (one person from ``left``, one from ``right``) related through a common
    ancestor at most ``max_generations`` generations up on both sides (third cousins and
    closer for 4), computed from the biological parents by joins of ancestor tables.

    The kinship coefficient is summed over the common ancestors that are not ancestors of
    another common ancestor of the pair, each contributing (1/2)^(a+b+1) (founders
    assumed non-inbred); the relationship is named from the closest such ancestors (least
    a+b): two of them (a couple) make a full relationship, one a half relationship; the
    degree is ``round(-log2(kinship)) - 1``, so double relationships count as closer.

    Parameters
    ----------
    people
        Pedigree with ``person_id``, ``father_id`` and ``mother_id`` (biological).
    left, right
        Sequences of person ids; a person in both is not paired with themself.
    max_generations
        Depth of the search above each person (4 reaches great-great-grandparents).

    Returns
    -------
    pandas.DataFrame
        ``left_id``, ``right_id``, ``relationship``, ``degree``, ``expected_kinship``,
        ``generations`` ("a,b": generations up from left and from right) and
        ``common_ancestors`` (";"-separated ids of the closest common ancestors).

    Examples
    --------
    >>> ped = pd.DataFrame({"person_id": ["gf", "gm", "f", "m", "u", "a", "x", "y"],
    ...     "father_id": ["", "", "gf", "", "gf", "", "f", "u"],
    ...     "mother_id": ["", "", "gm", "", "gm", "", "m", "a"]})
    >>> relative_pairs(ped, ["x"], ["y", "u", "gf"])[["right_id", "relationship", "degree", "generations"]]
      right_id  relationship  degree generations
    0       gf   grandparent       2         2,0
    1        u     avuncular       2         2,1
    2        y  first_cousin       3         2,2
    """
    table = _indexed(people)
    index = pd.Series(np.arange(len(table)), index=table["person_id"].to_numpy())
    left_rows = index.reindex(pd.Index(list(left))).to_numpy()
    right_rows = index.reindex(pd.Index(list(right))).to_numpy()
    if np.isnan(left_rows.astype(float)).any() or np.isnan(right_rows.astype(float)).any():
        unknown = [p for p in list(left) + list(right) if p not in index.index]
        raise ValueError(f"unknown person ids: {_name(unknown)}")
    a = _ancestors(table, np.unique(left_rows.astype(np.int64)), max_generations)
    b = _ancestors(table, np.unique(right_rows.astype(np.int64)), max_generations)
    common = a.merge(b, on="ancestor", suffixes=("_l", "_r"))
    common = common[common["person_l"] != common["person_r"]]
    columns = ["person_l", "person_r", "ancestor", "depth_l", "depth_r"]
    if common.empty:
        return pd.DataFrame(
            {
                c: pd.Series(dtype=t)
                for c, t in [
                    ("left_id", str),
                    ("right_id", str),
                    ("relationship", str),
                    ("degree", "int64"),
                    ("expected_kinship", float),
                    ("generations", str),
                    ("common_ancestors", str),
                ]
            }
        )
    common = common[columns]
    # Drop common ancestors that are ancestors of another common ancestor of the same pair.
    distinct = common[["person_l", "person_r", "ancestor"]].drop_duplicates()
    above = _ancestors(table, distinct["ancestor"].unique(), 2 * max_generations)
    above = above[above["depth"] > 0][["person", "ancestor"]].rename(columns={"person": "via", "ancestor": "upper"})
    redundant = distinct.merge(above, left_on="ancestor", right_on="via")[["person_l", "person_r", "upper"]]
    redundant = redundant.rename(columns={"upper": "ancestor"}).drop_duplicates()
    redundant["_drop"] = True
    common = common.merge(redundant, on=["person_l", "person_r", "ancestor"], how="left")
    common = common[common["_drop"].isna()].drop(columns="_drop")
    common["kin"] = 0.5 ** (common["depth_l"] + common["depth_r"] + 1)
    common["level"] = common["depth_l"] + common["depth_r"]
    pair = ["person_l", "person_r"]
    kinship = common.groupby(pair)["kin"].sum()
    closest = common[common["level"] == common.groupby(pair)["level"].transform("min")]
    # Among the closest, the most balanced (a, b) names the relationship.
    closest = closest.assign(gap=(closest["depth_l"] - closest["depth_r"]).abs())
    closest = closest[closest["gap"] == closest.groupby(pair)["gap"].transform("min")]
    first = closest.sort_values(pair + ["depth_l"]).groupby(pair).first()
    closest = closest.merge(first[["depth_l"]].rename(columns={"depth_l": "keep_l"}), left_on=pair, right_index=True)
    closest = closest[closest["depth_l"] == closest["keep_l"]]
    ids = table["person_id"].to_numpy()
    closest = closest.assign(aid=ids[closest["ancestor"].to_numpy()])
    grouped = closest.groupby(pair).agg(
        depth_l=("depth_l", "first"),
        depth_r=("depth_r", "first"),
        n=("ancestor", "nunique"),
        ancestors=("aid", lambda s: ";".join(sorted(set(s)))),
    )
    grouped["expected_kinship"] = kinship.reindex(grouped.index).to_numpy()
    out = grouped.reset_index()
    names = [
        relationship_name(int(x), int(y), bool(n >= 2))
        for x, y, n in zip(
            out["depth_l"], out["depth_r"], out["n"], strict=True
        )  # one call per related pair (not per person)
    ]
    result = pd.DataFrame(
        {
            "left_id": ids[out["person_l"].to_numpy()],
            "right_id": ids[out["person_r"].to_numpy()],
            "relationship": names,
            "degree": np.round(-np.log2(out["expected_kinship"].to_numpy()) - 1).astype(np.int64),
            "expected_kinship": out["expected_kinship"].to_numpy(),
            "generations": out["depth_l"].astype(str) + "," + out["depth_r"].astype(str),
            "common_ancestors": out["ancestors"].to_numpy(),
        }
    )
    return result.sort_values(["left_id", "degree", "right_id"], kind="stable").reset_index(drop=True)


def cousin_counts(people: pd.DataFrame, among: np.ndarray | None = None, max_degree: int = 3) -> pd.DataFrame:
    """Number of full siblings and first, second, third cousins of every person in ``among``.

    Counted by sibships (biological parent couples) rather than by pairs, so that the
    whole population is counted in a few joins: a person's d-th degree cousins (siblings
    for d = 0) are the people who descend, d + 1 generations down, from one of the
    person's couples d + 1 generations up, through another child of that couple than the
    person's own ancestor. So for each such couple the count is (its descendants at that
    depth) - (the descendants at the same depth of the person's own ancestor), summed over
    the person's couples. Exact for monogamous pedigrees without loops; half relatives
    (here only from non-paternity) are not counted. Only relatives who are themselves in
    ``among`` are counted.

    Parameters
    ----------
    people
        Pedigree with ``person_id``, ``father_id``, ``mother_id``.
    among
        Boolean mask of the people to count for and among (default: ``alive`` if that
        column exists, else everyone).
    max_degree
        Largest cousin degree (3 = third cousins).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``person_id``: ``full_siblings``, ``first_cousins``, ``second_cousins``,
        ``third_cousins`` (for ``max_degree=3``).

    Examples
    --------
    >>> ped = pd.DataFrame({"person_id": ["gf", "gm", "f", "m", "u", "a", "x", "y", "z"],
    ...     "father_id": ["", "", "gf", "", "gf", "", "f", "u", "u"],
    ...     "mother_id": ["", "", "gm", "", "gm", "", "m", "a", "a"]})
    >>> counts = cousin_counts(ped, max_degree=1)
    >>> counts.loc["x"].to_dict(), counts.loc["y"].to_dict()
    ({'full_siblings': 0, 'first_cousins': 2}, {'full_siblings': 1, 'first_cousins': 1})
    """
    table = _indexed(people)
    if among is None:
        among = people["alive"].to_numpy(dtype=bool) if "alive" in people.columns else np.ones(len(people), dtype=bool)
    focal = np.flatnonzero(among)
    anc = _ancestors(table, focal, max_degree)  # an ancestor at depth k has its parents' couple at depth k + 1
    father = table["_father"].to_numpy()
    mother = table["_mother"].to_numpy()
    fa, mo = father[anc["ancestor"].to_numpy()], mother[anc["ancestor"].to_numpy()]
    anc["couple"] = fa.astype(np.int64) * (len(table) + 1) + mo
    anc = anc[(fa >= 0) & (mo >= 0)].drop_duplicates(["person", "ancestor", "depth"])
    below_couple = anc.groupby(["couple", "depth"])["person"].transform("nunique")
    below_child = anc.groupby(["ancestor", "depth"])["person"].transform("nunique")
    others = (below_couple - below_child).groupby([anc["person"], anc["depth"]]).sum().unstack(fill_value=0)
    counts = others.reindex(index=focal, columns=range(max_degree + 1), fill_value=0).to_numpy(dtype=np.int64)
    names = ["full_siblings"] + [f"{ORDINAL[k]}_cousins" for k in range(1, max_degree + 1)]
    return pd.DataFrame(counts, columns=names, index=pd.Index(table["person_id"].to_numpy()[focal], name="person_id"))
