"""The data model of a world: its tables, declared once, and :class:`World`, which holds them.

:class:`World` is what a simulated or loaded world is (the pipeline,
:mod:`genshare.cohort.world`, makes one; storage, :mod:`genshare.cohort.storage`, saves
and loads one); :data:`CORE_TABLES` are its table fields.

:data:`TABLES` drives saving (CSV columns and dtypes), loading, the data package and the
README of a saved world; :func:`normalise_table` gives a table its schema's column order
and dtypes, on save and load alike.

Types are Table Schema types (https://specs.frictionlessdata.io/table-schema/):
``string``, ``integer``, ``number``, ``boolean`` and ``date``. An ``integer`` column listed
in :data:`OPTIONAL` may be empty (pandas ``Int64`` with ``<NA>``; an empty CSV field).

Examples
--------
>>> TABLES["relationships"][0]
'relationships.csv.gz'
>>> [name for name, _ in TABLES["relationships"][1]][-2:]
['generations', 'common_ancestors']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from genshare._validation import check_number
from genshare.populations import POPULATIONS

if TYPE_CHECKING:
    from genshare.cohort.genetics import Mosaics

__all__ = ["CORE_TABLES", "DESCRIPTIONS", "OPTIONAL", "TABLES", "World", "normalise_table", "register_table"]

#: Every table of a world: file name and (column, Table Schema type) pairs.
TABLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "snps": (
        "snps.csv.gz",
        [
            ("snp_id", "string"),
            ("chrom", "integer"),
            ("pos", "integer"),
            ("cm", "number"),
            ("ref", "string"),
            ("alt", "string"),
            ("panel", "string"),
            *[(f"freq_{pop}", "number") for pop in POPULATIONS],
            ("effect", "number"),
        ],
    ),
    "cohort": (
        "cohort.csv",
        [
            ("participant_id", "string"),
            ("person_id", "string"),
            ("population", "string"),
            ("sex", "string"),
            ("age", "integer"),
            ("status", "string"),
        ],
    ),
    "reference": ("reference.csv", [("sample_id", "string"), ("person_id", "string"), ("population", "string")]),
    "database": (
        "database.csv",
        [
            ("profile_id", "string"),
            ("person_id", "string"),
            ("first_name", "string"),
            ("surname", "string"),
            ("sex", "string"),
            ("birth_year", "integer"),
            ("zip3", "string"),
        ],
    ),
    "people": (
        "people.csv.gz",
        [
            ("person_id", "string"),
            ("sex", "string"),
            ("birth_year", "integer"),
            ("date_of_birth", "date"),
            ("death_year", "integer"),
            ("alive", "boolean"),
            ("generation", "integer"),
            ("population", "string"),
            ("father_id", "string"),
            ("mother_id", "string"),
            ("legal_father_id", "string"),
            ("first_name", "string"),
            ("surname", "string"),
            ("zip5", "string"),
            ("voter_id", "string"),
        ],
    ),
    "relationships": (
        "relationships.csv.gz",
        [
            ("participant_id", "string"),
            ("profile_id", "string"),
            ("relationship", "string"),
            ("degree", "integer"),
            ("expected_kinship", "number"),
            ("generations", "string"),
            ("common_ancestors", "string"),
        ],
    ),
    "family_trees": (
        "family_trees.csv.gz",
        [
            ("tree_id", "string"),
            ("owner_profile_id", "string"),
            ("record_id", "string"),
            ("person_id", "string"),
            ("first_name", "string"),
            ("surname", "string"),
            ("sex", "string"),
            ("birth_year", "integer"),
            ("death_year", "integer"),
            ("place", "string"),
            ("father_record", "string"),
            ("mother_record", "string"),
        ],
    ),
    "voter_roll": (
        "voter_roll.csv.gz",
        [
            ("voter_id", "string"),
            ("first_name", "string"),
            ("surname", "string"),
            ("zip5", "string"),
            ("date_of_birth", "date"),
            ("sex", "string"),
        ],
    ),
    "clinical": (
        "clinical.csv",
        [
            ("participant_id", "string"),
            ("medical_record_number", "string"),
            ("name", "string"),
            ("street_address", "string"),
            ("city", "string"),
            ("state", "string"),
            ("zip5", "string"),
            ("phone", "string"),
            ("email", "string"),
            ("date_of_birth", "date"),
            ("sex", "string"),
            ("age", "integer"),
            ("admission_date", "date"),
            ("diagnosis", "string"),
            ("comorbidity", "string"),
            ("bmi", "number"),
        ],
    ),
    "zip_codes": (
        "zip_codes.csv",
        [
            ("zip5", "string"),
            ("zip3", "string"),
            ("city", "string"),
            ("state", "string"),
            ("population", "integer"),
        ],
    ),
}

#: Integer columns that may be empty: (table, column).
OPTIONAL = {("people", "death_year"), ("family_trees", "death_year")}

#: Descriptions of tables added with :func:`register_table` (the built-in tables are
#: described in :mod:`genshare.cohort.storage`).
DESCRIPTIONS: dict[str, str] = {}


def register_table(key: str, filename: str, columns: list[tuple[str, str]], description: str) -> None:
    """Declare a table made by an extra pipeline step, so that it is saved, described and loaded.

    The step puts the table in ``state.tables[key]``; the world then has it as
    ``world.<key>`` (through ``World.extra_tables``).

    Raises
    ------
    ValueError
        If ``key`` or ``filename`` is already used by another table.
    """
    if key in TABLES and TABLES[key] != (filename, columns):
        raise ValueError(f"table {key!r} is already declared")
    if any(f == filename and k != key for k, (f, _) in TABLES.items()):
        raise ValueError(f"file name {filename!r} is already used by another table")
    TABLES[key] = (filename, list(columns))
    DESCRIPTIONS[key] = description


def normalise_table(frame: pd.DataFrame, columns: list[tuple[str, str]], table: str = "") -> pd.DataFrame:
    """Give a table the column order and dtypes of its schema (used on save and load alike).

    Parameters
    ----------
    frame
        The table, as built in memory or as read from CSV (all strings).
    columns
        (name, Table Schema type) pairs from :data:`TABLES`.
    table
        The table's key in :data:`TABLES`, to know which integer columns may be empty.

    Raises
    ------
    KeyError
        If a column is missing.
    """
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for name, kind in columns:
        values = frame[name].reset_index(drop=True)
        if kind == "integer" and (table, name) in OPTIONAL:
            out[name] = pd.to_numeric(values.replace("", np.nan) if values.dtype == object else values).astype("Int64")
        elif kind == "integer":
            out[name] = pd.to_numeric(values).astype("int64")
        elif kind == "number":
            out[name] = pd.to_numeric(values.replace("", np.nan) if values.dtype != float else values).astype("float64")
        elif kind == "boolean":
            if values.dtype == bool:
                out[name] = values
            else:
                text = values.astype(str).str.lower()
                if not text.isin(["true", "false"]).all():
                    raise ValueError(
                        f"column {name!r} must hold true or false; got {sorted(set(text) - {'true', 'false'})[:3]}"
                    )
                out[name] = text == "true"
        elif kind == "date":
            out[name] = pd.to_datetime(values).astype("datetime64[s]")
        else:
            out[name] = values.astype(str)
    return out


#: Tables that are fields of :class:`World` (others made by added steps go to ``extra_tables``).
CORE_TABLES = (
    "snps",
    "cohort",
    "reference",
    "database",
    "people",
    "relationships",
    "family_trees",
    "voter_roll",
    "clinical",
    "zip_codes",
)


@dataclass(frozen=True)
class World:
    """Everything in one synthetic world. Row *i* of each genotype matrix is row *i* of its table.

    Attributes
    ----------
    seed, parameters
        The seed and every argument of :func:`genshare.cohort.simulate_world` that made this world.
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
        >>> from genshare.cohort import simulate_world
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
        ids_ = np.concatenate(
            [
                self.cohort["person_id"].to_numpy(),
                self.reference["person_id"].to_numpy(),
                self.database["person_id"].to_numpy(),
            ]
        ).astype(str)
        index = pd.Series(np.arange(len(ids_)), index=ids_)
        index = index[~index.index.duplicated()]  # a person in two sets has one genome
        values = np.atleast_1d(np.asarray(people, dtype=object)).astype(str)
        rows = index.reindex(values).to_numpy()
        missing = np.flatnonzero(np.isnan(rows))
        if missing.size:
            raise ValueError(
                f"{name} {str(values[missing[0]])!r} is not a genotyped person of this world "
                "(a person_id of world.cohort, world.reference or world.database)"
            )
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
        >>> from genshare.cohort import simulate_world
        >>> world = simulate_world(seed=1, n_participants=20, n_snps=200, n_reference=9,
        ...                        n_database=30, population_size=1000)
        >>> pid = world.cohort["person_id"].iloc[0]
        >>> round(world.ibd_segments(pid, pid, by_copy=True).query("copy_a == copy_b")["length_cm"].sum())
        7372
        """
        from genshare.cohort.genetics import chromosome_lengths
        from genshare.cohort.genomes import ibd_table

        min_cm = check_number(min_cm, "min_cm", minimum=0.0)
        rows = np.stack(
            [self._truth_rows(person_a, "person_a")[:1], self._truth_rows(person_b, "person_b")[:1]], axis=1
        )
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
        return pd.DataFrame(
            {
                "person_a": np.atleast_1d(np.asarray(people_a, dtype=object)).astype(str),
                "person_b": np.atleast_1d(np.asarray(people_b, dtype=object)).astype(str),
                "shared_cm": np.bincount(pair, weights=length, minlength=len(a)),
                "n_segments": np.bincount(pair, minlength=len(a)).astype(np.int64),
                "longest_cm": longest,
            }
        )

    def select_snps(self, keep: Any) -> World:
        """This world with only some of its SNPs; every person and every other table unchanged.

        Parameters
        ----------
        keep
            Row indices of :attr:`snps` to keep, increasing and distinct (so the SNP table
            stays ordered by chromosome and position).

        Returns
        -------
        World
            ``snps`` and the three genotype matrices restricted to ``keep``; the phase shown
            to learners restricted likewise (:meth:`haplotypes` gives the same copies at the
            kept SNPs); ``parameters["n_snps"]`` set to the number kept; no founder mosaics
            (they describe whole genomes, so :meth:`ibd_segments` says the truth is unknown).
            ``metadata`` is unchanged: say how the world was derived there or in
            :func:`genshare.cohort.save_world`'s ``note``.

        Raises
        ------
        ValueError
            If ``keep`` is not a non-empty list of whole numbers, or is out of range, repeated
            or not increasing.

        Examples
        --------
        >>> from genshare.cohort import simulate_world
        >>> from genshare.cohort.parameters import SIZES
        >>> world = simulate_world(seed=7, **SIZES["tiny"])
        >>> fewer = world.select_snps([0, 10, 20])
        >>> fewer.cohort_genotypes.shape, fewer.parameters["n_snps"], len(fewer.people) == len(world.people)
        ((40, 3), 3, True)
        >>> bool((fewer.haplotypes("cohort") == world.haplotypes("cohort")[:, :, [0, 10, 20]]).all())
        True
        """
        rows = np.asarray(keep)
        if rows.ndim != 1 or rows.size == 0 or not np.issubdtype(rows.dtype, np.integer):
            raise ValueError(
                f"keep must be a non-empty list of SNP row indices (whole numbers); got {rows.dtype} "
                f"values of shape {rows.shape}"
            )
        if rows[0] < 0 or rows[-1] >= len(self.snps) or (np.diff(rows) <= 0).any():
            raise ValueError(f"keep must be increasing, distinct SNP row indices from 0 to {len(self.snps) - 1}")
        genotypes = {name: getattr(self, f"{name}_genotypes") for name in ("cohort", "reference", "database")}
        phase = {
            name: np.packbits(self.haplotypes(name)[:, 0, rows][genotypes[name][:, rows] == 1]) for name in self.phase
        }
        return replace(
            self,
            parameters={**self.parameters, "n_snps": int(rows.size)},
            snps=self.snps.iloc[rows].reset_index(drop=True),
            cohort_genotypes=np.ascontiguousarray(genotypes["cohort"][:, rows]),
            reference_genotypes=np.ascontiguousarray(genotypes["reference"][:, rows]),
            database_genotypes=np.ascontiguousarray(genotypes["database"][:, rows]),
            phase=phase,
            mosaics=None,
        )

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
