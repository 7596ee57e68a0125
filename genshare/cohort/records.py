"""The records of the world: who is sampled where, and what public and clinical records say.

From the pedigree (:mod:`genshare.cohort.pedigree`) this module chooses the study cohort,
the genealogy database and the reference panel among living adults, and writes the
records in which their identities can be found: given names and dates of birth
(:func:`name_people`), the voter roll, the hospital's clinical records, the genealogy
site's profiles, and public family trees (:func:`family_trees`). Everything is synthetic.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from genshare._facts import ADULT_AGE
from genshare.cohort import identities as ids
from genshare.cohort.parameters import quotas
from genshare.cohort.pedigree import relative_pairs
from genshare.populations import POPULATIONS

__all__ = [
    "ADULT_AGE",
    "choose_samples",
    "clinical_records",
    "family_trees",
    "name_people",
    "sample_tables",
    "voter_roll",
]

#: Generations of ancestors a published family tree reaches (4: great-great-grandparents).
TREE_GENERATIONS = 4


def name_people(pedigree: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Add ``first_name``, ``date_of_birth`` and ``age`` (on :data:`identities.REFERENCE_DATE`)."""
    people = pedigree.copy()
    people["first_name"] = ids.draw_first_names(people["sex"].to_numpy(), rng)
    start = pd.to_datetime(people["birth_year"].astype(str) + "-01-01").to_numpy().astype("datetime64[D]")
    leap = (
        (people["birth_year"] % 4 == 0) & ((people["birth_year"] % 100 != 0) | (people["birth_year"] % 400 == 0))
    ).to_numpy()
    day = np.floor(rng.random(len(people)) * np.where(leap, 366, 365)).astype(np.int64)
    people["date_of_birth"] = start + day.astype("timedelta64[D]")
    days = (ids.REFERENCE_DATE - people["date_of_birth"].to_numpy().astype("datetime64[D]")).astype(np.int64)
    people["age"] = np.floor(days / 365.25).astype(np.int64)
    return people


def _draw(candidates: pd.DataFrame, n: int, rng: np.random.Generator, what: str, parameter: str) -> np.ndarray:
    if n > len(candidates):
        raise ValueError(
            f"{parameter}: {n} {what} wanted but the population has only {len(candidates)} eligible people; "
            "choose a larger population_size or fewer samples"
        )
    return candidates.index.to_numpy()[rng.choice(len(candidates), size=n, replace=False)]


def choose_samples(people: pd.DataFrame, p: dict[str, Any], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Row indices of the cohort, the database and the reference panel (disjoint sets).

    - The **cohort** is recruited among living adults in the ancestry shares ``p["ancestry"]``.
    - The **database** draws ``n_relatives`` of its profiles from close relatives (first
      cousin or closer) of distinct participants, and the rest at random from the other
      living adults, so with ``n_relatives=0`` it is a random sample of the population.
    - The **reference panel** has equal numbers from each population: the living adults
      with the largest share of that population's ancestry (all of it, in a population
      of the default size).

    Raises
    ------
    ValueError
        Naming the parameter, when the population has too few eligible people.
    """
    adult = people["alive"].to_numpy() & (people["age"].to_numpy() >= ADULT_AGE)
    free = pd.Series(adult, index=people.index)
    cohort_parts = []
    names = list(p["ancestry"])
    per_population = quotas(p["n_participants"], np.array([p["ancestry"][k] for k in names]))
    for pop, n in zip(names, per_population, strict=True):
        pool = people[free & (people["population"] == pop)]
        cohort_parts.append(_draw(pool, int(n), rng, f"{pop} participants", "n_participants"))
    cohort = rng.permutation(np.concatenate(cohort_parts))
    free[cohort] = False

    database_parts = []
    if p["n_relatives"]:
        pairs = relative_pairs(
            people, people.loc[cohort, "person_id"], people.loc[free, "person_id"], max_generations=2
        )
        pairs = pairs[pairs["degree"] <= 3]
        pairs = pairs.iloc[rng.permutation(len(pairs))].drop_duplicates("left_id").drop_duplicates("right_id")
        if len(pairs) < p["n_relatives"]:
            raise ValueError(
                f"n_relatives: {p['n_relatives']} participants with a close relative in the database wanted, but only "
                f"{len(pairs)} participants have a living adult relative (first cousin or closer) outside the cohort"
            )
        row_of = pd.Series(people.index.to_numpy(), index=people["person_id"].to_numpy())
        planted = row_of[pairs["right_id"].to_numpy()[: p["n_relatives"]]].to_numpy()
        free[planted] = False
        database_parts.append(planted)
    database_parts.append(
        _draw(people[free], p["n_database"] - p["n_relatives"], rng, "database profiles", "n_database")
    )
    database = rng.permutation(np.concatenate(database_parts))
    free[database] = False

    reference_parts = []
    for pop, n in zip(POPULATIONS, quotas(p["n_reference"], np.ones(len(POPULATIONS))), strict=True):
        # The least admixed: highest ancestry share first, ties in random order.
        share = people[f"ancestry_{pop}"].to_numpy() + rng.uniform(0, 1e-9, len(people))
        pool = np.flatnonzero(free.to_numpy())
        chosen = pool[np.argsort(-share[pool], kind="stable")[: int(n)]]
        if len(chosen) < n or (len(chosen) and share[chosen].min() < 0.5):
            raise ValueError(
                f"n_reference: {n} {pop} reference samples wanted but the population has too few living adults of "
                f"mostly {pop} ancestry; choose a larger population_size or a smaller n_reference"
            )
        reference_parts.append(np.sort(chosen))
    reference = np.concatenate(reference_parts)
    return {"cohort": cohort, "database": database, "reference": reference}


def voter_roll(people: pd.DataFrame, coverage: float, rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """The public voter roll (a share ``coverage`` of living adults, in random order) and
    each person's ``voter_id`` ("" if not registered)."""
    adult = people["alive"].to_numpy() & (people["age"].to_numpy() >= ADULT_AGE)
    on_roll = np.flatnonzero(adult & (rng.random(len(people)) < coverage))
    order = rng.permutation(len(on_roll))
    rows = on_roll[order]
    roll = people.iloc[rows][["first_name", "surname", "zip5", "date_of_birth", "sex"]].reset_index(drop=True)
    roll.insert(0, "voter_id", [f"V{i + 1:07d}" for i in range(len(roll))])
    voter_id = np.full(len(people), "", dtype=object)
    voter_id[rows] = roll["voter_id"].to_numpy()
    return roll, voter_id


def sample_tables(
    people: pd.DataFrame, roles: dict[str, np.ndarray], zip_codes: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """The cohort (without status), reference and database tables of the sampled people."""
    c, r, d = roles["cohort"], roles["reference"], roles["database"]
    zip3_of = dict(zip(zip_codes["zip5"], zip_codes["zip3"], strict=True))
    cohort = pd.DataFrame(
        {
            "participant_id": [f"C{i + 1:05d}" for i in range(len(c))],
            "person_id": people["person_id"].to_numpy()[c],
            "population": people["population"].to_numpy()[c],
            "sex": people["sex"].to_numpy()[c],
            "age": people["age"].to_numpy()[c],
        }
    )
    reference = pd.DataFrame(
        {
            "sample_id": [f"R{i + 1:05d}" for i in range(len(r))],
            "person_id": people["person_id"].to_numpy()[r],
            "population": people["population"].to_numpy()[r],
        }
    )
    database = pd.DataFrame(
        {
            "profile_id": [f"G{i + 1:06d}" for i in range(len(d))],
            "person_id": people["person_id"].to_numpy()[d],
            "first_name": people["first_name"].to_numpy()[d],
            "surname": people["surname"].to_numpy()[d],
            "sex": people["sex"].to_numpy()[d],
            "birth_year": people["birth_year"].to_numpy()[d],
            "zip3": [zip3_of[z] for z in people["zip5"].to_numpy()[d]],
        }
    )
    return {"cohort": cohort, "reference": reference, "database": database}


def family_trees(
    people: pd.DataFrame, database: pd.DataFrame, share: float, zip_codes: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Public family trees posted by some genealogy-database customers.

    A share ``share`` of the database's customers publish a tree, as many customers of
    genealogy sites do. A tree holds the owner's ancestors up to
    :data:`TREE_GENERATIONS` generations back along the *legal* parent links (the records
    a genealogist can find: a non-paternity event is invisible here), and every
    descendant of the owner's grandparents (aunts, uncles, cousins and their children),
    with names, birth and death years and the place (city) where each lived. Living
    people are listed too: real sites hide them, but a genealogist finds them in
    obituaries and public records, which this table stands in for.

    Returns
    -------
    pandas.DataFrame
        ``tree_id``, ``owner_profile_id``, ``record_id`` ("T00001-0001"), ``person_id``
        (ground truth for scoring; a real site does not have it), ``first_name``,
        ``surname``, ``sex``, ``birth_year``, ``death_year`` (empty if alive), ``place``,
        ``father_record`` and ``mother_record`` (record ids in the same tree, "" when the
        parent is not in the tree).
    """
    owners = database.iloc[np.sort(rng.choice(len(database), size=int(round(share * len(database))), replace=False))]
    tree_ids = np.array([f"T{i + 1:05d}" for i in range(len(owners))])
    row_of = pd.Series(np.arange(len(people)), index=people["person_id"].to_numpy())
    father = row_of.reindex(people["legal_father_id"].to_numpy()).fillna(-1).to_numpy(dtype=np.int64)
    mother = row_of.reindex(people["mother_id"].to_numpy()).fillna(-1).to_numpy(dtype=np.int64)
    # Ancestors along legal links, level by level.
    level = pd.DataFrame({"tree": np.arange(len(owners)), "row": row_of[owners["person_id"]].to_numpy(), "depth": 0})
    members = [level]
    for depth in range(1, TREE_GENERATIONS + 1):
        up = np.concatenate([father[level["row"]], mother[level["row"]]])
        tree = np.concatenate([level["tree"].to_numpy()] * 2)
        keep = up >= 0
        level = pd.DataFrame({"tree": tree[keep], "row": up[keep], "depth": depth})
        members.append(level)
    # Descendants of the grandparents, three generations down.
    children = pd.concat(
        [
            pd.DataFrame({"parent": father, "child": np.arange(len(people))}),
            pd.DataFrame({"parent": mother, "child": np.arange(len(people))}),
        ]
    )
    children = children[children["parent"] >= 0]
    level = members[2][["tree", "row"]]
    for _ in range(3):
        level = level.merge(children, left_on="row", right_on="parent")[["tree", "child"]].rename(
            columns={"child": "row"}
        )
        members.append(level.assign(depth=-1))
    tree = pd.concat(members, ignore_index=True).drop_duplicates(["tree", "row"]).sort_values(["tree", "row"])
    tree["number"] = tree.groupby("tree").cumcount() + 1
    record = pd.Series(
        [f"{t}-{n:04d}" for t, n in zip(tree_ids[tree["tree"].to_numpy()], tree["number"].to_numpy(), strict=True)],
        index=tree.index,
    )
    key = pd.Series(
        record.to_numpy(), index=pd.MultiIndex.from_arrays([tree["tree"].to_numpy(), tree["row"].to_numpy()])
    )

    def parent_record(parent_rows: np.ndarray) -> np.ndarray:
        index = pd.MultiIndex.from_arrays([tree["tree"].to_numpy(), parent_rows])
        return key.reindex(index).fillna("").to_numpy()

    rows = tree["row"].to_numpy()
    city_of = dict(zip(zip_codes["zip5"], zip_codes["city"], strict=True))
    return pd.DataFrame(
        {
            "tree_id": tree_ids[tree["tree"].to_numpy()],
            "owner_profile_id": owners["profile_id"].to_numpy()[tree["tree"].to_numpy()],
            "record_id": record.to_numpy(),
            "person_id": people["person_id"].to_numpy()[rows],
            "first_name": people["first_name"].to_numpy()[rows],
            "surname": people["surname"].to_numpy()[rows],
            "sex": people["sex"].to_numpy()[rows],
            "birth_year": people["birth_year"].to_numpy()[rows],
            "death_year": people["death_year"].to_numpy()[rows],
            "place": [city_of[z] for z in people["zip5"].to_numpy()[rows]],
            "father_record": parent_record(father[rows]),
            "mother_record": parent_record(mother[rows]),
        }
    )


_COMORBIDITIES = np.array(["none", "hypertension", "asthma", "depression", "chronic kidney disease", "HIV infection"])
_COMORBIDITY_WEIGHTS = np.array([0.45, 0.25, 0.1, 0.12, 0.05, 0.03])


def clinical_records(
    cohort: pd.DataFrame, persons: pd.DataFrame, geography: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """A hospital's view of the participants, with every direct identifier still present."""
    n = len(cohort)
    city_of = dict(zip(geography["zip5"], geography["city"], strict=True))
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
            "zip5": persons["zip5"].to_numpy(),
            "phone": [f"({a}) 555-01{line:02d}" for a, line in zip(area_codes, lines, strict=True)],
            "email": [
                f"{f.lower()}.{s.lower()}{k}@example.org"
                for f, s, k in zip(first, last, rng.integers(1, 99, size=n), strict=True)
            ],
            "date_of_birth": persons["date_of_birth"].to_numpy(),
            "sex": cohort["sex"],
            "age": cohort["age"],
            "admission_date": admission,
            "diagnosis": np.where(status == "case", "type 2 diabetes", "no diabetes"),
            "comorbidity": rng.choice(_COMORBIDITIES, size=n, p=_COMORBIDITY_WEIGHTS),
            "bmi": bmi,
        }
    )
