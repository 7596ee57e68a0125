"""The tables of a world, declared once: file name, columns and their Table Schema types.

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

import numpy as np
import pandas as pd

from genshare.populations import POPULATIONS

__all__ = ["DESCRIPTIONS", "OPTIONAL", "TABLES", "normalise_table", "register_table"]

#: Every table of a world: file name and (column, Table Schema type) pairs.
TABLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "snps": ("snps.csv.gz", [
        ("snp_id", "string"), ("chrom", "integer"), ("pos", "integer"), ("cm", "number"), ("ref", "string"),
        ("alt", "string"), ("panel", "string"), *[(f"freq_{pop}", "number") for pop in POPULATIONS], ("effect", "number"),
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
    "people": ("people.csv.gz", [
        ("person_id", "string"), ("sex", "string"), ("birth_year", "integer"), ("date_of_birth", "date"),
        ("death_year", "integer"), ("alive", "boolean"), ("generation", "integer"), ("population", "string"),
        ("father_id", "string"), ("mother_id", "string"), ("legal_father_id", "string"), ("first_name", "string"),
        ("surname", "string"), ("zip5", "string"), ("voter_id", "string"),
    ]),
    "relationships": ("relationships.csv.gz", [
        ("participant_id", "string"), ("profile_id", "string"), ("relationship", "string"), ("degree", "integer"),
        ("expected_kinship", "number"), ("generations", "string"), ("common_ancestors", "string"),
    ]),
    "family_trees": ("family_trees.csv.gz", [
        ("tree_id", "string"), ("owner_profile_id", "string"), ("record_id", "string"), ("person_id", "string"),
        ("first_name", "string"), ("surname", "string"), ("sex", "string"), ("birth_year", "integer"),
        ("death_year", "integer"), ("place", "string"), ("father_record", "string"), ("mother_record", "string"),
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
                    raise ValueError(f"column {name!r} must hold true or false; got {sorted(set(text) - {'true', 'false'})[:3]}")
                out[name] = text == "true"
        elif kind == "date":
            out[name] = pd.to_datetime(values).astype("datetime64[s]")
        else:
            out[name] = values.astype(str)
    return out
