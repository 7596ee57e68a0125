"""Investigative genetic genealogy: from distant DNA matches and public family trees to a name.

This is the workflow that identified the Golden State Killer in 2018
:cite:p:`kqed2018gsk` and that Erlich et al. showed would reach almost anyone once a
genealogy database holds a few percent of a population :cite:p:`erlich2018familial`,
scaled down to the synthetic world. A genealogist who has a target's DNA (a crime-scene
sample, or a "de-identified" study genome) works in three steps:

1. **Triangulate the common ancestors** (:func:`candidate_ancestors`). Upload the DNA to a
   genealogy database and list the matches, each with its total shared centimorgans (cM)
   and the relationships that amount is consistent with (the Shared cM Project ranges,
   :func:`genshare.attacks.segments.infer_relationship`). Some matches have published a
   family tree. A second cousin shares great-grandparents with the target, a third cousin
   great-great-grandparents, so the common ancestors sit a known number of generations up
   each match's tree. An ancestral *couple* found in the trees of two or more matches, at
   generations consistent with each match's shared cM, is a candidate for the target's
   common ancestors; candidates are ranked by how many matches they explain.
2. **Build the descendancy tree** (:func:`descendants`). List every descendant of a
   candidate couple that public records show, with sex, birth year and place; living
   descendants are looked up in the voter roll for their date of birth and current ZIP code.
3. **Narrow** (:func:`narrow`). Keep the descendants whose sex, age (or birth year) and
   place fit what is known of the target: the crime scene, or a study's metadata.

Triangulation reads only the trees of the matches given, so passing just those trees (what
an investigator downloads) gives the same candidates as passing every public tree, faster;
the descendants step searches every tree it is given.

``score_*`` functions then compare each step with the truth. **Only they** read the
ground-truth ``person_id`` column (or the world's ``relationships`` table); the attack
itself uses only what a genealogist could see.

Records of one person across trees
----------------------------------
Each tree numbers its own records, so one real great-grandmother appears with a different
``record_id`` in every tree that holds her. As a genealogist does, this module treats
records as the same person when they agree on first name, surname, sex, birth year and
place (:func:`identify_people`); the person is then named by that key, for example
``"Ada Smith (F, b. 1890, Juniper)"``. Two different people who agree on all five fields
are merged (a known limitation of record linkage; the world has a few such pairs), and one
person recorded with a different spelling or year in two trees is not linked.

Failing closed
--------------
A target with fewer than ``min_matches`` matches that have a usable tree, or whose matches'
trees share no ancestral couple at consistent generations, gets a :class:`Triangulation`
whose ``status`` is ``"cannot proceed"`` with the reason, never a guess. Malformed input
(missing columns or values, duplicate record ids, parent records that point to unknown
records or to another tree, a father recorded as female, record cycles, a couple that is
not in the records) raises ``ValueError`` naming the field or the ids.

Examples
--------
A hand-built world is in ``tests/test_genealogy.py``; on the synthetic world::

    from genshare.cohort import load_world
    w = load_world()
    matches = ...  # profile_id and shared_cm, one row per match (e.g. from segment_search
                   # with the world's phased haplotypes, as genealogy services match)
    result = candidate_ancestors(matches, w.family_trees, w.database)
    if result.proceed:
        family = descendants(result.candidates.iloc[0], w.family_trees, voter_roll=w.voter_roll)
        suspects = narrow(family, sex="F", age=(30, 40), place="Juniper")
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genshare._facts import REFERENCE_DATE, relationship_name
from genshare._validation import check_choice, check_columns, check_integer
from genshare.attacks.segments import SHARED_CM_PROJECT, infer_relationship

__all__ = [
    "IDENTITY_FIELDS",
    "TREE_COLUMNS",
    "Triangulation",
    "candidate_ancestors",
    "descendants",
    "identify_people",
    "narrow",
    "relationship_generations",
    "score_ancestors",
    "score_people",
]

#: The record fields that identify one person across trees (record linkage by exact agreement).
IDENTITY_FIELDS = ("first_name", "surname", "sex", "birth_year", "place")
#: Columns a public family-tree table must have (``person_id``, the truth, is never read by the attack).
TREE_COLUMNS = (
    "tree_id",
    "owner_profile_id",
    "record_id",
    *IDENTITY_FIELDS,
    "death_year",
    "father_record",
    "mother_record",
)
#: Columns of the genealogy site's profiles used to find each tree's owner in their own tree.
PROFILE_COLUMNS = ("profile_id", "first_name", "surname", "sex", "birth_year")
#: Deepest generation a relationship name is decoded to (great-great-great-grandparents and beyond are not named).
_MAX_GENERATIONS = 6


def _generation_table() -> pd.DataFrame:
    """Every relationship name of :func:`genshare._facts.relationship_name` with its generations."""
    rows = [
        (relationship_name(a, b, full), a, b)
        for a in range(_MAX_GENERATIONS + 1)
        for b in range(_MAX_GENERATIONS + 1)
        for full in (True, False)
        if a + b > 0
    ]
    return pd.DataFrame(rows, columns=["relationship", "match_generation", "target_generation"]).drop_duplicates()


_GENERATIONS = _generation_table()


def relationship_generations(relationships: str | Iterable[str]) -> pd.DataFrame:
    """Generations up from a match and from the target to their common ancestors, for relationship names.

    A relationship names the generations on both sides up to the most recent common
    ancestor(s), without saying which side is which: a first cousin once removed is
    2 generations below the common ancestors on one side and 3 on the other. So each name
    gives both orders.

    Parameters
    ----------
    relationships
        One name or several (the world's names, e.g. ``"second_cousin"``), or a string of
        names separated by ``"; "`` as :func:`~genshare.attacks.segments.infer_relationship`
        returns. Names that are not relationships through a common ancestor
        (``"unrelated"``, ``"distant or unrelated"``, ``"self or identical twin"``) give no row.

    Returns
    -------
    pandas.DataFrame
        ``relationship``, ``match_generation``, ``target_generation`` (0 when one of the two
        is the ancestor).

    Examples
    --------
    >>> relationship_generations("first_cousin_once_removed").values.tolist()
    [['first_cousin_once_removed', 2, 3], ['first_cousin_once_removed', 3, 2]]
    """
    if isinstance(relationships, str):
        names = [n.strip() for n in relationships.split(";")]
    else:
        names = [n.strip() for text in relationships for n in str(text).split(";")]
    table = _GENERATIONS[_GENERATIONS["relationship"].isin(names)]
    return table.sort_values(["relationship", "match_generation"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Checking the public records
# --------------------------------------------------------------------------------------


def _ids(values: Iterable[Any], limit: int = 5) -> str:
    values = list(values)
    text = ", ".join(map(str, values[:limit]))
    return text + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _text(column: pd.Series) -> pd.Series:
    """A text column as plain Python strings (object dtype), missing values as ``""``."""
    values = column.to_numpy(dtype=object)
    values = np.where(pd.isna(values), "", values).astype(str).astype(object)
    return pd.Series(values, index=column.index, name=column.name)


_IDENTIFIED: dict[tuple[int, bytes], pd.DataFrame] = {}


def _identified(family_trees: pd.DataFrame) -> pd.DataFrame:
    """:func:`identify_people`, remembered for the last few tables (by a hash of their content).

    An investigator runs every step on the same public trees; checking and linking 40,000
    records once instead of at every call keeps a whole workflow under a second. The
    key is a hash of every value of the :data:`TREE_COLUMNS`, so any change to the records
    is checked again. The cached table is never handed out (callers only read it).
    """
    check_columns(family_trees, list(TREE_COLUMNS), "family_trees", what="TREE_COLUMNS", allow_empty_table=True)
    try:
        hashed = pd.util.hash_pandas_object(family_trees[list(TREE_COLUMNS)], index=False).to_numpy()
    except TypeError:  # unhashable cell values: let the checks explain
        return identify_people(family_trees)
    key = (len(family_trees), hashlib.sha256(hashed.tobytes()).digest())
    if key not in _IDENTIFIED:
        if len(_IDENTIFIED) >= 4:
            _IDENTIFIED.pop(next(iter(_IDENTIFIED)))
        _IDENTIFIED[key] = identify_people(family_trees)
    return _IDENTIFIED[key]


def identify_people(family_trees: pd.DataFrame) -> pd.DataFrame:
    """Check the public family trees and link records of one person across trees.

    Parameters
    ----------
    family_trees
        One row per record, with the columns of :data:`TREE_COLUMNS`: ``tree_id``,
        ``owner_profile_id``, ``record_id`` (unique), ``first_name``, ``surname``, ``sex``
        ("F"/"M"), ``birth_year``, ``place``, ``death_year`` (empty while alive),
        ``father_record`` and ``mother_record`` (record ids in the same tree, empty when
        unknown). Other columns are ignored (``person_id`` is never read).

    Returns
    -------
    pandas.DataFrame
        The records (same order, the columns above with empty parents as ``""`` and
        ``birth_year`` as integers) plus ``person`` (the identity key, the same for every
        record of one person, e.g. ``"Ada Smith (F, b. 1890, Juniper)"``), ``father`` and
        ``mother`` (the parents' identity keys, ``""`` when unknown).

    Raises
    ------
    ValueError
        Naming the column or the record ids: missing columns, missing identity values,
        repeated record ids, a sex other than F/M, parent records that do not exist or
        belong to another tree, a father record that is not male or a mother record that
        is not female, a record that is its own ancestor (a cycle), or a person who
        becomes their own ancestor once the records of one person are merged across trees
        (naming the people).

    Examples
    --------
    >>> trees = pd.DataFrame({"tree_id": "T1", "owner_profile_id": "G1",
    ...     "record_id": ["r1", "r2", "r3"], "first_name": ["Al", "Bea", "Cy"],
    ...     "surname": ["Ray", "Ray", "Ray"], "sex": ["M", "F", "M"],
    ...     "birth_year": [1900, 1902, 1930], "death_year": [1970, 1980, None],
    ...     "place": "Juniper", "father_record": ["", "", "r1"], "mother_record": ["", "", "r2"]})
    >>> identify_people(trees)[["person", "father"]].iloc[2].tolist()
    ['Cy Ray (M, b. 1930, Juniper)', 'Al Ray (M, b. 1900, Juniper)']
    """
    check_columns(family_trees, list(TREE_COLUMNS), "family_trees", what="TREE_COLUMNS", allow_empty_table=True)
    records = pd.DataFrame({c: _text(family_trees[c]) for c in TREE_COLUMNS if c not in ("birth_year", "death_year")})
    records["record_id"] = records["record_id"].astype(str)
    for column in ("tree_id", "owner_profile_id", "record_id", "first_name", "surname", "sex", "place"):
        empty = records.index[records[column] == ""]
        if len(empty):
            where = (
                _ids(records.loc[empty, "record_id"].replace("", "(no id)"))
                if column != "record_id"
                else f"rows {_ids(empty)}"
            )
            raise ValueError(f"family_trees.{column} is missing for record(s) {where}")
    years = pd.to_numeric(family_trees["birth_year"], errors="coerce")
    bad = ~np.isfinite(years.to_numpy(dtype=float)) | (years.to_numpy(dtype=float) % 1 != 0)
    if bad.any():
        raise ValueError(
            f"family_trees.birth_year must be a whole year; record(s) {_ids(records['record_id'][bad])} have "
            f"{_ids(family_trees['birth_year'][bad].tolist())}"
        )
    records["birth_year"] = years.to_numpy(dtype=float).astype(np.int64)
    death = pd.to_numeric(family_trees["death_year"], errors="coerce")
    given = _text(family_trees["death_year"]) != ""
    if (given & death.isna()).any():
        raise ValueError(
            "family_trees.death_year must be a year or empty; "
            f"record(s) {_ids(records['record_id'][given & death.isna()])}"
        )
    records["death_year"] = death.astype("Int64")
    sexes = ~records["sex"].isin(["F", "M"])
    if sexes.any():
        raise ValueError(
            f"family_trees.sex must be 'F' or 'M'; record(s) {_ids(records['record_id'][sexes])} have "
            f"{_ids(records['sex'][sexes].unique())}"
        )
    repeated = records["record_id"][records["record_id"].duplicated()]
    if len(repeated):
        raise ValueError(f"family_trees.record_id must be unique; repeated: {_ids(repeated.unique())}")

    row_of = pd.Series(np.arange(len(records)), index=records["record_id"].to_numpy())
    parents = {}
    for link, sex in (("father_record", "M"), ("mother_record", "F")):
        linked = records[link] != ""
        rows = row_of.reindex(records[link][linked].to_numpy())
        unknown = rows.isna().to_numpy()
        if unknown.any():
            child = records["record_id"][linked][unknown]
            raise ValueError(
                f"family_trees.{link} of record(s) {_ids(child)} point to unknown record(s) "
                f"{_ids(records[link][linked][unknown])}"
            )
        parent = np.full(len(records), -1, dtype=np.int64)
        parent[linked.to_numpy()] = rows.to_numpy(dtype=np.int64)
        has = parent >= 0
        other_tree = has & (records["tree_id"].to_numpy() != records["tree_id"].to_numpy()[np.where(has, parent, 0)])
        if other_tree.any():
            raise ValueError(
                f"family_trees.{link} of record(s) {_ids(records['record_id'][other_tree])} point to a record "
                "of another tree; parent records must be in the child's tree"
            )
        wrong_sex = has & (records["sex"].to_numpy()[np.where(has, parent, 0)] != sex)
        if wrong_sex.any():
            raise ValueError(
                f"family_trees.{link} of record(s) {_ids(records['record_id'][wrong_sex])} point to record(s) "
                f"{_ids(records[link][wrong_sex])} whose sex is not {sex}"
            )
        parents[link] = parent
    _check_acyclic(records["record_id"].to_numpy(), parents["father_record"], parents["mother_record"])

    records["person"] = (
        records["first_name"]
        + " "
        + records["surname"]
        + " ("
        + records["sex"]
        + ", b. "
        + records["birth_year"].astype(str)
        + ", "
        + records["place"]
        + ")"
    )
    _check_people_acyclic(records, parents["father_record"], parents["mother_record"])
    person = records["person"].to_numpy()
    for link, name in (("father_record", "father"), ("mother_record", "mother")):
        p = parents[link]
        records[name] = np.where(p >= 0, person[np.where(p >= 0, p, 0)], "")
    return records


def _on_cycles(n: int, child: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Which of ``n`` nodes lie on a cycle of the links child -> parent (-1: no parent)."""
    keep = parent >= 0
    child, parent = child[keep], parent[keep]

    def peel(source: np.ndarray, target: np.ndarray) -> np.ndarray:
        # Repeatedly remove nodes with no remaining incoming link; what is left is on or behind a cycle.
        alive = np.ones(n, dtype=bool)
        while True:
            live = alive[source] & alive[target]
            has_in = np.zeros(n, dtype=bool)
            has_in[target[live]] = True
            drop = alive & ~has_in
            if not drop.any():
                return alive
            alive &= ~drop

    return peel(parent, child) & peel(child, parent)


def _check_acyclic(record_ids: np.ndarray, father: np.ndarray, mother: np.ndarray) -> None:
    """Refuse record cycles (a record that is its own ancestor), naming the records on them."""
    rows = np.arange(len(father))
    on_cycle = _on_cycles(len(record_ids), np.concatenate([rows, rows]), np.concatenate([father, mother]))
    if on_cycle.any():
        raise ValueError(
            f"family_trees: record cycle (a record is its own ancestor) through record(s) {_ids(record_ids[on_cycle])}"
        )


def _check_people_acyclic(records: pd.DataFrame, father: np.ndarray, mother: np.ndarray) -> None:
    """Refuse a person who is their own ancestor once the records of one person are merged across trees.

    Each tree may be acyclic and still, merged with another, make a man his own grandson
    (tree 1: A is B's father; tree 2: B is C's father and C is A's father). Walking such
    a family up or down would never end, so the trees are refused, naming the people.
    """
    codes, people = pd.factorize(records["person"], sort=False)
    parent = np.concatenate(
        [
            np.where(father >= 0, codes[np.maximum(father, 0)], -1),
            np.where(mother >= 0, codes[np.maximum(mother, 0)], -1),
        ]
    )
    on_cycle = _on_cycles(len(people), np.concatenate([codes, codes]), parent)
    if on_cycle.any():
        names = sorted(np.asarray(people)[on_cycle])
        involved = sorted(records["record_id"][np.isin(codes, np.flatnonzero(on_cycle))])
        raise ValueError(
            f"family_trees: merged across trees, the records make someone their own ancestor; the people "
            f"on the cycle: {_ids(names)} (records {_ids(involved)}); check the parents recorded for them"
        )


# --------------------------------------------------------------------------------------
# Step 1: triangulate the common ancestors
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Triangulation:
    """The result of :func:`candidate_ancestors`.

    Attributes
    ----------
    status
        ``"ok"`` or ``"cannot proceed"``.
    reason
        Why the workflow cannot proceed (``""`` when it can).
    candidates
        One row per candidate ancestral couple, best first (empty when it cannot proceed):
        ``rank``, ``father``, ``mother`` (identity keys), ``n_matches``, ``matches``
        (profile ids, ``"; "``-separated), ``match_generations`` (``"G1:3; G2:4"``:
        generations above each match), ``target_generations`` (generations above the
        target that at least one of these matches allows, e.g. ``"2; 3; 4"``),
        ``agreed_generations`` (those every one of them allows; ``""`` when they disagree,
        which happens when the couple is above the most recent common ancestors of some
        match), ``likely_generation`` (the generation of the target whose implied
        relationships best fit the matches' shared cM, ``<NA>`` without shared cM or when
        fewer than ``min_matches`` matches allow any one generation), ``misfit`` (that fit,
        0 = every match shares exactly the published average), ``shared_cm`` (total of the
        matches explained), ``father_records``, ``mother_records`` (their record ids).
    matches
        One row per match: ``profile_id``, ``shared_cm``, ``relationships``, ``tree_id``
        (``""`` if none), ``owner_record``, ``usable`` and ``note`` (why a match is not used).
    """

    status: str
    reason: str
    candidates: pd.DataFrame
    matches: pd.DataFrame = field(repr=False)

    @property
    def proceed(self) -> bool:
        """True when there are candidate couples to follow."""
        return self.status == "ok"


_RANKING = ["n_matches", "misfit", "shared_cm", "mean_generation"]
_ASCENDING = {"n_matches": False, "misfit": True, "shared_cm": False, "mean_generation": True}
_CANDIDATE_COLUMNS = [
    "rank",
    "father",
    "mother",
    "n_matches",
    "matches",
    "match_generations",
    "target_generations",
    "agreed_generations",
    "likely_generation",
    "misfit",
    "shared_cm",
    "father_records",
    "mother_records",
]


def _match_table(matches: pd.DataFrame) -> pd.DataFrame:
    check_columns(matches, ["profile_id"], "matches", what="matches columns", allow_empty_table=True)
    if "relationships" not in matches.columns and "shared_cm" not in matches.columns:
        raise ValueError(
            "matches needs a 'relationships' column (names separated by '; ', as infer_relationship gives) "
            "or a 'shared_cm' column to infer them from"
        )
    table = pd.DataFrame({"profile_id": _text(matches["profile_id"]).to_numpy()})
    if (table["profile_id"] == "").any():
        raise ValueError(f"matches.profile_id is missing in row(s) {_ids(np.flatnonzero(table['profile_id'] == ''))}")
    repeated = table["profile_id"][table["profile_id"].duplicated()]
    if len(repeated):
        raise ValueError(f"matches.profile_id must be unique; repeated: {_ids(repeated.unique())}")
    if "shared_cm" in matches.columns:
        cm = pd.to_numeric(matches["shared_cm"], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(cm) | (cm < 0)
        if bad.any():
            raise ValueError(f"matches.shared_cm must be finite and >= 0; profile(s) {_ids(table['profile_id'][bad])}")
        table["shared_cm"] = cm
    else:
        table["shared_cm"] = np.nan
    if "relationships" in matches.columns:
        table["relationships"] = _text(matches["relationships"]).to_numpy()
    else:
        segments = matches["n_segments"].to_numpy() if "n_segments" in matches.columns else None
        inferred = (
            infer_relationship(table["shared_cm"].to_numpy(), segments)["relationships"].to_numpy()
            if len(table)
            else []
        )
        table["relationships"] = pd.Series(inferred, index=table.index, dtype=object)
    return table


def candidate_ancestors(
    matches: pd.DataFrame,
    family_trees: pd.DataFrame,
    profiles: pd.DataFrame,
    *,
    min_matches: int = 2,
) -> Triangulation:
    """Triangulate a target's common ancestors from matches' public family trees.

    For each match with a tree, the owner's record is found in their own tree (the record
    that agrees with the owner's profile on first name, surname, sex and birth year), and
    the tree is walked up from it along father and mother records. Every couple (the
    parents of a record on that line) ``k`` generations above the owner is a possible
    common ancestral couple of match and target if the match's relationship range contains
    a relationship with ``k`` generations on one side (e.g. a range containing
    ``second_cousin`` allows ``k = 3``). Couples are linked across trees by the identity
    key of :func:`identify_people` (never by ``person_id``). A couple found, at consistent
    generations, in the trees of at least ``min_matches`` matches is a candidate. The
    generations on the target's side that those matches allow are reported
    (``target_generations``, and ``agreed_generations`` where all of them agree) but not
    required to agree: a couple that is a common ancestor of the target may sit above the
    most recent common ancestors of one of the matches (a first cousin's great-grandparents
    are common ancestors too), and that match's shared cM then fits a closer relationship
    than the couple implies.

    Candidates are ranked by the number of matches they explain; then by how well those
    matches' shared cM fit the relationships the couple implies (``misfit``: for the
    likeliest generation of the target below the couple, the mean over the matches of
    ``|log((shared_cm + 1) / (average + 1))|``, the average from the Shared cM Project for
    the relationship the couple implies; this separates, for two matches who are siblings
    and so share every ancestor, their great-great-grandparents from their grandparents);
    then by the total shared cM of those matches (closer relatives pin the family down
    better); then by how recent they are. Matches given without ``shared_cm`` have no
    misfit and are ranked by the other keys.

    Only full relationships through a couple are triangulated; the target side must be at
    least one generation below the couple (a match who is the target's grandchild names the
    target as the ancestor, not a couple above both).

    Parameters
    ----------
    matches
        One row per match of the target in the genealogy database: ``profile_id`` and
        either ``relationships`` (candidate names separated by ``"; "``, as
        :func:`~genshare.attacks.segments.infer_relationship` returns) or ``shared_cm``
        (and optionally ``n_segments``) to infer them from.
    family_trees
        The public trees (see :func:`identify_people`).
    profiles
        The genealogy site's profiles: ``profile_id``, ``first_name``, ``surname``, ``sex``,
        ``birth_year`` (what the site shows of each match).
    min_matches
        Matches a couple must explain to be a candidate (integer >= 2: one tree alone
        cannot triangulate).

    Returns
    -------
    Triangulation
        ``status`` ``"ok"`` with ranked ``candidates``, or ``"cannot proceed"`` with the
        ``reason`` (too few matches with a usable tree, or no shared couple).

    Raises
    ------
    ValueError
        Naming the field or ids, for malformed matches, trees or profiles.

    Examples
    --------
    See ``tests/test_genealogy.py`` for a hand-built family; the shape of a call::

        result = candidate_ancestors(matches, w.family_trees, w.database)
        result.status, result.candidates.head()
    """
    min_matches = check_integer(min_matches, "min_matches", minimum=2)
    table = _match_table(matches)
    records = _identified(family_trees)
    check_columns(profiles, list(PROFILE_COLUMNS), "profiles", what="PROFILE_COLUMNS", allow_empty_table=True)
    shown = pd.DataFrame({c: _text(profiles[c]) for c in PROFILE_COLUMNS})
    unknown = ~table["profile_id"].isin(shown["profile_id"])
    if unknown.any():
        raise ValueError(f"matches.profile_id: profile(s) {_ids(table['profile_id'][unknown])} are not in profiles")

    # The owner's own record in each matched tree.
    owned = records[records["owner_profile_id"].isin(table["profile_id"])]
    key = ["first_name", "surname", "sex", "birth_year"]
    owned_key = owned[["tree_id", "owner_profile_id", "record_id"] + key].astype({"birth_year": str})
    owner = owned_key.merge(shown.rename(columns={"profile_id": "owner_profile_id"}), on=["owner_profile_id"] + key)
    found = owner.groupby("tree_id")["record_id"].agg(["first", "size"])
    trees_of = owned.drop_duplicates("tree_id")[["owner_profile_id", "tree_id"]]
    trees_of = trees_of.join(found, on="tree_id")
    trees_of = trees_of.assign(n=trees_of["size"].fillna(0).astype(int))
    # A profile with several trees: use the first tree in which the owner is found exactly once.
    trees_of = trees_of.assign(unclear=trees_of["n"] != 1).sort_values(["owner_profile_id", "unclear", "tree_id"])
    chosen = trees_of.drop_duplicates("owner_profile_id").set_index("owner_profile_id")
    table["tree_id"] = chosen["tree_id"].reindex(table["profile_id"]).fillna("").to_numpy()
    n_found = chosen["n"].reindex(table["profile_id"]).fillna(-1).to_numpy()
    table["owner_record"] = np.where(
        n_found == 1, chosen["first"].reindex(table["profile_id"]).fillna("").to_numpy(), ""
    )
    allowed = relationship_generations(table["relationships"])
    allowed = allowed[
        (allowed["match_generation"] >= 1)
        & (allowed["target_generation"] >= 1)
        & ~allowed["relationship"].str.startswith("half_")
    ]
    per_match = (
        table[["profile_id", "relationships"]].assign(name=table["relationships"].str.split(";")).explode("name")
    )
    per_match["name"] = per_match["name"].fillna("").str.strip()
    per_match = per_match.merge(allowed, left_on="name", right_on="relationship")[
        ["profile_id", "relationship", "match_generation", "target_generation"]
    ].drop_duplicates()
    table["note"] = np.select(
        [table["tree_id"] == "", n_found == 0, n_found > 1, ~table["profile_id"].isin(per_match["profile_id"])],
        [
            "no public tree",
            "the owner's profile matches no record of the tree",
            "the owner's profile matches several records of the tree",
            "the relationship range names no ancestral couple above both",
        ],
        default="",
    )
    table["usable"] = table["note"] == ""
    usable = table[table["usable"]]
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in _CANDIDATE_COLUMNS})
    if len(usable) < min_matches:
        return Triangulation(
            "cannot proceed",
            f"only {len(usable)} of {len(table)} matches have a public tree usable for triangulation "
            f"(at least {min_matches} are needed)",
            empty,
            table,
        )

    # Walk up every usable tree from its owner: the couples above the owner's direct line.
    row_of = pd.Series(np.arange(len(records)), index=records["record_id"].to_numpy())
    father_row = row_of.reindex(records["father_record"].to_numpy()).fillna(-1).to_numpy(dtype=np.int64)
    mother_row = row_of.reindex(records["mother_record"].to_numpy()).fillna(-1).to_numpy(dtype=np.int64)
    level = pd.DataFrame(
        {
            "profile_id": usable["profile_id"].to_numpy(),
            "row": row_of[usable["owner_record"].to_numpy()].to_numpy(),
            "generation": 0,
        }
    )
    couples = []
    while len(level):  # one pass per generation (records are acyclic, so this ends)
        f, m = father_row[level["row"].to_numpy()], mother_row[level["row"].to_numpy()]
        both = (f >= 0) & (m >= 0)
        couples.append(
            pd.DataFrame(
                {
                    "profile_id": level["profile_id"].to_numpy()[both],
                    "father_row": f[both],
                    "mother_row": m[both],
                    "generation": level["generation"].to_numpy()[both] + 1,
                }
            )
        )
        up = np.concatenate([f, m])
        keep = up >= 0
        level = pd.DataFrame(
            {
                "profile_id": np.concatenate([level["profile_id"].to_numpy()] * 2)[keep],
                "row": up[keep],
                "generation": np.concatenate([level["generation"].to_numpy()] * 2)[keep] + 1,
            }
        )
    couples = pd.concat(couples, ignore_index=True)
    person = records["person"].to_numpy()
    record_id = records["record_id"].to_numpy()
    couples = couples.assign(
        father=person[couples["father_row"]],
        mother=person[couples["mother_row"]],
        father_record=record_id[couples["father_row"]],
        mother_record=record_id[couples["mother_row"]],
    )
    consistent = couples.merge(
        per_match, left_on=["profile_id", "generation"], right_on=["profile_id", "match_generation"]
    )
    if consistent.empty:
        return Triangulation(
            "cannot proceed",
            "no ancestral couple in the usable trees sits at a generation consistent with its match's shared cM",
            empty,
            table,
        )
    pair = ["father", "mother"]
    n_matches = consistent.groupby(pair)["profile_id"].transform("nunique")
    consistent = consistent[n_matches >= min_matches]
    if consistent.empty:
        return Triangulation(
            "cannot proceed",
            f"no ancestral couple appears in the trees of {min_matches} or more matches "
            "at generations consistent with each match's shared cM",
            empty,
            table,
        )
    # Generations above the target: those any explaining match allows (the target descends from a common ancestor
    # couple at one of them, even when the couple is above the most recent common ancestors of some matches), and
    # those every explaining match allows.
    votes = consistent.groupby(pair + ["target_generation"])["profile_id"].nunique().rename("votes").reset_index()
    explained = consistent.groupby(pair)["profile_id"].nunique().rename("n").reset_index()
    votes = votes.merge(explained, on=pair)
    listed = lambda s: "; ".join(map(str, sorted(s)))  # noqa: E731
    generations = votes.groupby(pair)["target_generation"].agg(listed).rename("target_generations")
    agreed = (
        votes[votes["votes"] == votes["n"]].groupby(pair)["target_generation"].agg(listed).rename("agreed_generations")
    )
    consistent = consistent.join(generations, on=pair).join(agreed, on=pair)
    consistent["agreed_generations"] = consistent["agreed_generations"].fillna("")
    consistent = consistent.merge(table[["profile_id", "shared_cm"]], on="profile_id")
    # How well the matches' shared cM fit the relationships the couple implies, at each generation of the target:
    # |log| of the ratio to the Shared cM Project average, best over a match's rows, averaged over the matches that
    # allow that generation (at least min_matches of them). The best generation is the likeliest for the target.
    average = SHARED_CM_PROJECT.set_index("relationship")["average_cm"]
    expected = consistent["relationship"].map(average).to_numpy(dtype=float)
    consistent["misfit"] = np.abs(np.log((consistent["shared_cm"].to_numpy() + 1.0) / (expected + 1.0)))
    fit = consistent.groupby(pair + ["target_generation", "profile_id"])["misfit"].min().reset_index()
    fit = fit.groupby(pair + ["target_generation"]).agg(support=("profile_id", "nunique"), misfit=("misfit", "mean"))
    fit = fit[fit["support"] >= min_matches].reset_index()
    fit = (
        fit.sort_values(
            pair + ["misfit", "support", "target_generation"],
            ascending=[True, True, True, False, True],
            na_position="last",
        )
        .drop_duplicates(pair)
        .set_index(pair)
    )
    by_match = consistent.drop_duplicates(pair + ["profile_id", "generation"]).sort_values(
        pair + ["profile_id", "generation"]
    )
    by_match = by_match.assign(label=by_match["profile_id"] + ":" + by_match["generation"].astype(str))
    per_profile = consistent.drop_duplicates(pair + ["profile_id"])
    joined = lambda s: "; ".join(sorted(set(s)))  # noqa: E731
    candidates = pd.DataFrame(
        {
            "n_matches": per_profile.groupby(pair)["profile_id"].nunique(),
            "matches": per_profile.groupby(pair)["profile_id"].agg(joined),
            "match_generations": by_match.groupby(pair)["label"].agg("; ".join),
            "target_generations": consistent.groupby(pair)["target_generations"].first(),
            "agreed_generations": consistent.groupby(pair)["agreed_generations"].first(),
            "shared_cm": per_profile.groupby(pair)["shared_cm"].sum(min_count=1),
            "mean_generation": by_match.groupby(pair)["generation"].mean(),
            "likely_generation": fit["target_generation"].astype("Int64"),
            "misfit": fit["misfit"],
            "father_records": consistent.groupby(pair)["father_record"].agg(joined),
            "mother_records": consistent.groupby(pair)["mother_record"].agg(joined),
        }
    ).reset_index()
    candidates["likely_generation"] = candidates["likely_generation"].astype("Int64")
    order = _RANKING
    candidates = candidates.sort_values(
        order + ["father", "mother"],
        ascending=[_ASCENDING[c] for c in order] + [True, True],
        na_position="last",
        kind="stable",
    )
    candidates.insert(0, "rank", np.arange(1, len(candidates) + 1))
    return Triangulation("ok", "", candidates[_CANDIDATE_COLUMNS].reset_index(drop=True), table)


# --------------------------------------------------------------------------------------
# Step 2: the descendants of a couple
# --------------------------------------------------------------------------------------


def _couple_keys(couple: Any) -> tuple[str, str]:
    if isinstance(couple, (pd.Series, Mapping)):
        missing = [k for k in ("father", "mother") if k not in couple]
        if missing:
            raise ValueError(f"couple must have 'father' and 'mother' (identity keys); missing {', '.join(missing)}")
        father, mother = couple["father"], couple["mother"]
    elif isinstance(couple, tuple) and len(couple) == 2:
        father, mother = couple
    else:
        raise ValueError(
            f"couple must be a candidates row, a mapping with 'father' and 'mother', or a (father, mother) "
            f"tuple of identity keys; got {type(couple).__name__}"
        )
    if not isinstance(father, str) or not isinstance(mother, str) or not father or not mother:
        raise ValueError(f"couple: father and mother must be non-empty identity keys; got {father!r}, {mother!r}")
    return father, mother


_DESCENDANT_COLUMNS = [
    "person",
    "first_name",
    "surname",
    "sex",
    "birth_year",
    "death_year",
    "place",
    "generation",
    "father",
    "mother",
    "records",
]


def descendants(
    couple: Any,
    family_trees: pd.DataFrame,
    *,
    voter_roll: pd.DataFrame | None = None,
    generations: Iterable[int] | str | None = None,
) -> pd.DataFrame:
    """The descendants of an ancestral couple that the public family trees show.

    Children are the people recorded (in any tree) with this father and mother; their
    descendants are found generation by generation through either parent. Records of one
    person in several trees are merged (:func:`identify_people`), so a line that one tree
    stops at may continue in another. Spouses who married into the family are not
    descendants and are not listed.

    Only what the records hold can be found: a line that no published tree follows down
    to the present is invisible here, as it is to a genealogist until other records
    (birth indexes, obituaries) fill it in. Such records can be given in the same format
    (a table with :data:`TREE_COLUMNS` and their own ``tree_id`` and ``record_id`` values)
    appended to ``family_trees``.

    Living descendants (no death year) can be looked up in the voter roll, as a
    genealogist looks for a current address: a voter with the same first name, surname,
    sex and year of birth. Exactly one such voter gives ``voter_id``, ``date_of_birth`` and
    ``zip5``; none or several leave them empty (``voter_matches`` says how many).

    Parameters
    ----------
    couple
        A row of :attr:`Triangulation.candidates`, a mapping with ``father`` and ``mother``,
        or a ``(father, mother)`` tuple of identity keys.
    family_trees
        The public trees (see :func:`identify_people`).
    voter_roll
        Optional public voter roll: ``voter_id``, ``first_name``, ``surname``, ``sex``,
        ``date_of_birth``, ``zip5``.
    generations
        Keep only these generations below the couple (1 = children); an iterable of
        integers or a string like ``"3; 4"`` (the ``target_generations`` of a candidate).
        Default: every generation.

    Returns
    -------
    pandas.DataFrame
        One row per descendant, by generation then birth year: ``person`` (identity key),
        ``first_name``, ``surname``, ``sex``, ``birth_year``, ``death_year`` (``<NA>`` if
        alive), ``place``, ``generation``, ``father``, ``mother``, ``records`` (record ids,
        ``"; "``-separated), then with a voter roll ``voter_matches``, ``voter_id``,
        ``date_of_birth``, ``zip5``.

    Raises
    ------
    ValueError
        If the couple is not in the records (either person unknown, or no record has them
        as father and mother), or for malformed trees, voter roll or generations.

    Examples
    --------
    >>> trees = pd.DataFrame({"tree_id": "T1", "owner_profile_id": "G1",
    ...     "record_id": ["r1", "r2", "r3"], "first_name": ["Al", "Bea", "Cy"],
    ...     "surname": ["Ray", "Ray", "Ray"], "sex": ["M", "F", "M"],
    ...     "birth_year": [1900, 1902, 1930], "death_year": [1970, 1980, None],
    ...     "place": "Juniper", "father_record": ["", "", "r1"], "mother_record": ["", "", "r2"]})
    >>> couple = ("Al Ray (M, b. 1900, Juniper)", "Bea Ray (F, b. 1902, Juniper)")
    >>> descendants(couple, trees)[["person", "generation"]].values.tolist()
    [['Cy Ray (M, b. 1930, Juniper)', 1]]
    """
    father, mother = _couple_keys(couple)
    records = _identified(family_trees)
    keep_generations = _generations(generations)
    missing = [p for p in (father, mother) if not (records["person"] == p).any()]
    if missing:
        raise ValueError(f"couple: {' and '.join(repr(p) for p in missing)} not in the family trees' records")
    children = records.loc[(records["father"] == father) & (records["mother"] == mother), "person"].unique()
    if len(children) == 0:
        raise ValueError(f"couple: no record has {father!r} as father and {mother!r} as mother")
    found = [pd.DataFrame({"person": children, "generation": 1})]
    seen = pd.Index(children)
    current = children
    depth = 1
    while len(current):  # one pass per generation (records are acyclic, so this ends)
        depth += 1
        below = pd.Index(
            records.loc[records["father"].isin(current) | records["mother"].isin(current), "person"].unique()
        )
        below = below.difference(seen, sort=False)
        seen = seen.append(below)
        found.append(pd.DataFrame({"person": below.to_numpy(), "generation": depth}))
        current = below.to_numpy()
    family = pd.concat(found, ignore_index=True)
    mine = records[records["person"].isin(family["person"])]
    first = mine.drop_duplicates("person").set_index("person")
    listed = mine.groupby("person")["record_id"].agg(lambda s: "; ".join(sorted(s)))
    parents = mine[(mine["father"] != "") | (mine["mother"] != "")].drop_duplicates("person").set_index("person")
    table = family.join(first[["first_name", "surname", "sex", "birth_year", "death_year", "place"]], on="person")
    table["father"] = parents["father"].reindex(table["person"]).fillna("").to_numpy()
    table["mother"] = parents["mother"].reindex(table["person"]).fillna("").to_numpy()
    table["records"] = listed.reindex(table["person"]).to_numpy()
    table = table[_DESCENDANT_COLUMNS]
    if keep_generations is not None:
        table = table[table["generation"].isin(keep_generations)]
    if voter_roll is not None:
        table = _add_voters(table, voter_roll)
    return table.sort_values(["generation", "birth_year", "person"], kind="stable").reset_index(drop=True)


def _generations(generations: Iterable[int] | str | None) -> list[int] | None:
    if generations is None:
        return None
    if isinstance(generations, str):
        parts = [p.strip() for p in generations.split(";") if p.strip()]
        if not all(p.isdigit() for p in parts):
            raise ValueError(f"generations must be whole numbers >= 1 separated by ';'; got {generations!r}")
        values: list[Any] = [int(p) for p in parts]
    else:
        values = list(generations)
    if not values:
        raise ValueError("generations is empty; give at least one generation (1 = children) or None for all")
    return [check_integer(v, "generations", minimum=1) for v in values]


def _add_voters(table: pd.DataFrame, voter_roll: pd.DataFrame) -> pd.DataFrame:
    columns = ["voter_id", "first_name", "surname", "sex", "date_of_birth", "zip5"]
    check_columns(voter_roll, columns, "voter_roll", what="voter_roll columns", allow_empty_table=True)
    voters = voter_roll[columns].copy()
    voters["date_of_birth"] = pd.to_datetime(voters["date_of_birth"], errors="coerce")
    if voters["date_of_birth"].isna().any():
        raise ValueError(
            f"voter_roll.date_of_birth is missing or not a date for voter(s) "
            f"{_ids(voters['voter_id'][voters['date_of_birth'].isna()])}"
        )
    voters["birth_year"] = voters["date_of_birth"].dt.year.astype(np.int64)
    for c in ("first_name", "surname", "sex", "voter_id", "zip5"):
        voters[c] = _text(voters[c])
    key = ["first_name", "surname", "sex", "birth_year"]
    living = table[table["death_year"].isna()][["person"] + key]
    hits = living.merge(voters, on=key)
    count = hits.groupby("person").size()
    unique = hits[hits["person"].map(count) == 1].set_index("person")
    out = table.copy()
    out["voter_matches"] = count.reindex(out["person"]).fillna(0).astype(np.int64).to_numpy()
    out.loc[out["death_year"].notna().to_numpy(), "voter_matches"] = 0
    out["voter_id"] = unique["voter_id"].reindex(out["person"]).fillna("").to_numpy()
    out["date_of_birth"] = unique["date_of_birth"].reindex(out["person"]).to_numpy()
    out["zip5"] = unique["zip5"].reindex(out["person"]).fillna("").to_numpy()
    return out


# --------------------------------------------------------------------------------------
# Step 3: narrow with what is known of the target
# --------------------------------------------------------------------------------------


def _year_range(value: Any, name: str) -> tuple[int, int]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"{name} must be a (low, high) pair of whole numbers; got {value!r}")
    low, high = (check_integer(v, name) for v in value)
    if low > high:
        raise ValueError(f"{name} must have low <= high; got {value!r}")
    return low, high


def narrow(
    candidates: pd.DataFrame,
    *,
    sex: str | None = None,
    birth_year: tuple[int, int] | None = None,
    age: tuple[int, int] | None = None,
    on: str | np.datetime64 | None = None,
    place: str | Iterable[str] | None = None,
    living: bool | None = None,
) -> pd.DataFrame:
    """Keep the candidates consistent with what is known of the target.

    Each criterion given must hold; criteria left as ``None`` are not applied. What a
    record cannot decide is kept, never dropped (a suspect list must not lose the target):
    without a full date of birth, an age ``a`` on date ``on`` means a birth year of
    ``on.year - a - 1`` or ``on.year - a``, and both are kept.

    Parameters
    ----------
    candidates
        A table with ``sex``, ``birth_year``, ``place`` and ``death_year`` (as
        :func:`descendants` returns; ``date_of_birth`` is used for ages when present).
    sex
        ``"F"`` or ``"M"``.
    birth_year
        ``(low, high)``, inclusive.
    age
        ``(low, high)`` in whole years on the date ``on``, inclusive (e.g. a study's age
        band, or a witness's estimate).
    on
        The date ages refer to (default: the world's reference date,
        :data:`genshare._facts.REFERENCE_DATE`, on which the cohort's ages are given).
    place
        A place name or several (for example the crime scene's town, or the cities of a
        study's recruitment area).
    living
        True to keep only people without a death year (the target gave DNA recently).

    Returns
    -------
    pandas.DataFrame
        The rows of ``candidates`` that fit, in their order (a subset: narrowing never adds).

    Raises
    ------
    ValueError
        For a missing column a criterion needs, or a malformed criterion.

    Examples
    --------
    >>> people = pd.DataFrame({"person": ["a", "b", "c"], "sex": ["F", "M", "F"],
    ...     "birth_year": [1990, 1991, 1960], "place": ["Juniper"] * 3, "death_year": [None, None, None]})
    >>> narrow(people, sex="F", age=(30, 40), on="2026-01-01")["person"].tolist()
    ['a']
    """
    if not isinstance(candidates, pd.DataFrame):
        raise ValueError(f"candidates must be a pandas DataFrame; got {type(candidates).__name__}")
    keep = np.ones(len(candidates), dtype=bool)
    if sex is not None:
        check_columns(candidates, "sex", "candidates", what="sex", allow_empty_table=True)
        check_choice(sex, "sex", ("F", "M"))
        keep &= (candidates["sex"].astype("string") == sex).fillna(False).to_numpy(dtype=bool) | candidates[
            "sex"
        ].isna().to_numpy()
    if birth_year is not None or age is not None:
        check_columns(candidates, "birth_year", "candidates", what="birth_year", allow_empty_table=True)
        years = pd.to_numeric(candidates["birth_year"], errors="coerce").to_numpy(dtype=float)
        unknown = np.isnan(years)
    if birth_year is not None:
        low, high = _year_range(birth_year, "birth_year")
        keep &= unknown | ((years >= low) & (years <= high))
    if age is not None:
        low, high = _year_range(age, "age")
        try:
            date = pd.Timestamp(REFERENCE_DATE if on is None else on)
        except (TypeError, ValueError):
            raise ValueError(f"on must be a date; got {on!r}") from None
        if pd.isna(date):
            raise ValueError(f"on must be a date; got {on!r}")
        possible = unknown | ((date.year - years - 1 <= high) & (date.year - years >= low))
        if "date_of_birth" in candidates.columns:
            born = pd.to_datetime(candidates["date_of_birth"], errors="coerce")
            exact = (
                date.year
                - born.dt.year
                - ((born.dt.month > date.month) | ((born.dt.month == date.month) & (born.dt.day > date.day)))
            ).to_numpy(dtype=float)
            known = ~np.isnan(exact)
            possible = np.where(known, (exact >= low) & (exact <= high), possible)
        keep &= possible
    if place is not None:
        check_columns(candidates, "place", "candidates", what="place", allow_empty_table=True)
        places = [place] if isinstance(place, str) else list(place)
        if not places or not all(isinstance(p, str) and p for p in places):
            raise ValueError(f"place must be a place name or a non-empty list of them; got {place!r}")
        keep &= candidates["place"].isin(places).to_numpy(dtype=bool) | candidates["place"].isna().to_numpy()
    if living is not None:
        if not isinstance(living, (bool, np.bool_)):
            raise ValueError(f"living must be True, False or None; got {living!r}")
        check_columns(candidates, "death_year", "candidates", what="death_year", allow_empty_table=True)
        alive = candidates["death_year"].isna().to_numpy()
        keep &= alive if living else ~alive
    return candidates[keep]


# --------------------------------------------------------------------------------------
# Scoring against the truth (reads person_id and the world's relationships: never part of the attack)
# --------------------------------------------------------------------------------------


def _record_persons(records: pd.Series, family_trees: pd.DataFrame) -> pd.DataFrame:
    """Explode ``"; "``-separated record ids into (row, person_id) using the truth column."""
    check_columns(
        family_trees, ["record_id", "person_id"], "family_trees", what="scoring columns", allow_empty_table=True
    )
    truth = pd.Series(
        family_trees["person_id"].astype(str).to_numpy(), index=family_trees["record_id"].astype(str).to_numpy()
    )
    exploded = records.astype(str).str.split("; ").explode()
    person = truth.reindex(exploded.to_numpy())
    if person.isna().any():
        raise ValueError(f"records {_ids(exploded[person.isna().to_numpy()].unique())} are not in family_trees")
    return pd.DataFrame({"row": exploded.index.to_numpy(), "person_id": person.to_numpy()}).drop_duplicates()


def score_ancestors(
    result: Triangulation,
    family_trees: pd.DataFrame,
    relationships: pd.DataFrame,
    participant_id: str,
    *,
    people: pd.DataFrame | None = None,
    target_person_id: str | None = None,
) -> dict[str, Any]:
    """Score step 1: are the target's true common ancestors among the candidates, and at which rank?

    The truth is the world's ``relationships`` table: for each match of the target it names
    the most recent common ancestors (``common_ancestors``, ``";"``-separated person ids).
    A candidate couple is right when its father's and mother's records are the two people
    of one of these true couples (half relationships, with one common ancestor, have no
    true couple). With the pedigree (``people``) and the target's ``person_id``, a looser
    score is added: is a candidate a couple of the target's biological ancestors (then its
    descendants include the target, even if it is not the most recent common couple)?
    Uses ``person_id``, the ground truth: for scoring only.

    Parameters
    ----------
    result
        What :func:`candidate_ancestors` returned for the target.
    family_trees
        The trees with their ``person_id`` column.
    relationships
        ``participant_id``, ``profile_id``, ``common_ancestors`` (the world's table).
    participant_id
        The target.
    people, target_person_id
        Optional: the true pedigree (``person_id``, ``father_id``, ``mother_id``) and the
        target's person id, for the ancestral score.

    Returns
    -------
    dict
        ``status``; ``n_candidates``; ``n_true_couples`` (most recent common couples of the
        target with its matches); ``found`` (one of them is among the candidates); ``rank``
        (best rank of one, ``None`` if not found); ``top_is_true``; and with ``people``:
        ``ancestral_rank`` (best rank of a couple of the target's ancestors, or ``None``)
        and ``top_is_ancestral``.

    Examples
    --------
    ``score_ancestors(result, w.family_trees, w.relationships, "C00001")["rank"]``
    """
    if not isinstance(result, Triangulation):
        raise ValueError(f"result must be a Triangulation from candidate_ancestors; got {type(result).__name__}")
    check_columns(
        relationships,
        ["participant_id", "profile_id", "common_ancestors"],
        "relationships",
        what="relationships columns",
        allow_empty_table=True,
    )
    if (people is None) != (target_person_id is None):
        raise ValueError("people and target_person_id go together: give both for the ancestral score, or neither")
    mine = relationships[
        (relationships["participant_id"] == participant_id)
        & relationships["profile_id"].isin(result.matches["profile_id"])
    ]
    couples = mine["common_ancestors"].astype(str).str.split(";")
    couples = couples[couples.str.len() == 2]
    true = (
        pd.DataFrame(couples.tolist(), columns=["a", "b"]).drop_duplicates()
        if len(couples)
        else pd.DataFrame(columns=["a", "b"])
    )
    score: dict[str, Any] = {
        "status": result.status,
        "n_candidates": len(result.candidates),
        "n_true_couples": len(true),
        "found": False,
        "rank": None,
        "top_is_true": False,
    }
    if people is not None:
        score.update(ancestral_rank=None, top_is_ancestral=False)
    if not result.proceed:
        return score
    cands = result.candidates.reset_index(drop=True)
    fathers = _record_persons(cands["father_records"], family_trees)
    mothers = _record_persons(cands["mother_records"], family_trees)
    pairs = fathers.merge(mothers, on="row", suffixes=("_f", "_m"))
    ranks = cands["rank"].to_numpy()
    right = pd.concat(
        [
            pairs.merge(true, left_on=["person_id_f", "person_id_m"], right_on=["a", "b"]),
            pairs.merge(true, left_on=["person_id_f", "person_id_m"], right_on=["b", "a"]),
        ]
    )
    if len(right):
        best = int(ranks[right["row"].to_numpy()].min())
        score.update(found=True, rank=best, top_is_true=best == 1)
    if people is not None:
        above = _ancestors_of(people, str(target_person_id))
        ancestral = pairs[pairs["person_id_f"].isin(above) & pairs["person_id_m"].isin(above)]
        if len(ancestral):
            best = int(ranks[ancestral["row"].to_numpy()].min())
            score.update(ancestral_rank=best, top_is_ancestral=best == 1)
    return score


def _ancestors_of(people: pd.DataFrame, person_id: str) -> set[str]:
    """The biological ancestors of one person in the true pedigree (one join per generation)."""
    check_columns(people, ["person_id", "father_id", "mother_id"], "people", what="pedigree columns")
    parents = people.set_index(people["person_id"].astype(str))[["father_id", "mother_id"]].astype("string").fillna("")
    if person_id not in parents.index:
        raise ValueError(f"target_person_id {person_id!r} is not in people")
    found: set[str] = set()
    current = pd.Index([person_id])
    while len(current):  # one pass per generation
        up = parents.reindex(current).to_numpy().ravel()
        up = pd.Index(up[(up != "") & pd.notna(up)]).unique().difference(pd.Index(list(found)))
        found.update(up)
        current = up
    return found


def score_people(table: pd.DataFrame, family_trees: pd.DataFrame, target_person_id: str) -> dict[str, Any]:
    """Score steps 2 and 3: is the target in a list of people (descendants, or what narrowing left)?

    Parameters
    ----------
    table
        A table from :func:`descendants` or :func:`narrow` (uses its ``records`` column).
    family_trees
        The trees with their ``person_id`` column (the truth: for scoring only).
    target_person_id
        The target's true person id.

    Returns
    -------
    dict
        ``n`` (people listed), ``found`` (the target is one of them), ``n_true_people``
        (distinct true people behind the rows: fewer than ``n`` never; more when linkage
        by name merged two people).

    Examples
    --------
    ``score_people(narrowed, w.family_trees, "P0123456")["found"]``
    """
    check_columns(table, "records", "table", what="records", allow_empty_table=True)
    persons = _record_persons(table["records"].reset_index(drop=True), family_trees)
    return {
        "n": int(len(table)),
        "found": bool((persons["person_id"] == target_person_id).any()),
        "n_true_people": int(persons["person_id"].nunique()),
    }
