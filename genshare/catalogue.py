"""Load and validate the repository catalogue (``data/repositories.csv``).

The catalogue is described by a Frictionless Data Package (``data/datapackage.json``)
whose Table Schema is the single statement of what a valid row looks like. This module
validates a CSV file against that schema with the ``frictionless`` library and returns a
:class:`pandas.DataFrame`. Any problem raises :class:`CatalogueError`; rows are never
dropped or repaired silently.
"""

from __future__ import annotations

import csv
import json
import re
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from genshare.paths import data_dir

__all__ = [
    "ACCESS_MODELS",
    "CatalogueError",
    "DEFAULT_CATALOGUE",
    "DEFAULT_DATA_USE",
    "DEFAULT_DESCRIPTOR",
    "annotate_data_use",
    "catalogue_schema",
    "find_repositories",
    "load_catalogue",
    "load_data_use",
]

DEFAULT_DESCRIPTOR = data_dir() / "datapackage.json"
DEFAULT_CATALOGUE = data_dir() / "repositories.csv"
DEFAULT_DATA_USE = data_dir() / "data_use.csv"

#: Access models, from least to most restrictive ("tiered" mixes several).
ACCESS_MODELS = ("open", "registered", "tiered", "controlled")

_INTEGER_FIELDS = ("scale", "scale_year")
_MAX_LISTED_ERRORS = 20


class CatalogueError(ValueError):
    """The catalogue file does not match its schema.

    The message names the file, the row (as a line number in the file, with the row's id
    where it has one) and the field for every problem found.
    """


def _resource_schema(name: str, descriptor: str | PathLike[str] | None) -> dict[str, Any]:
    path = Path(descriptor) if descriptor is not None else DEFAULT_DESCRIPTOR
    package = json.loads(path.read_text(encoding="utf-8"))
    for resource in package["resources"]:
        if resource["name"] == name:
            return resource["schema"]
    raise CatalogueError(f"{path}: no resource named '{name}' in the data package")


def catalogue_schema(descriptor: str | PathLike[str] | None = None) -> dict[str, Any]:
    """Return the Table Schema of the catalogue resource as a dictionary.

    Parameters
    ----------
    descriptor
        Path of a ``datapackage.json``; defaults to the one in ``data/``.

    Examples
    --------
    >>> schema = catalogue_schema()
    >>> schema["primaryKey"]
    ['id']
    """
    return _resource_schema("repositories", descriptor)


def _explain(error: dict[str, Any], fields: dict[str, dict[str, Any]]) -> str:
    """Say in plain words what is wrong with one cell."""
    name = error.get("fieldName", "")
    cell = error.get("cell", "")
    field = fields.get(name, {})
    constraints = field.get("constraints", {})
    kind = error["type"]
    if kind == "unique-error":
        first = re.search(r"position (\d+)", error.get("note", ""))
        also = f" (also on line {first.group(1)})" if first else ""
        return f"'{cell}' is repeated{also}; ids must be unique"
    if kind == "type-error":
        wanted = {"integer": "a whole number", "uri": "a well-formed http(s) URL"}.get(
            field.get("format") if field.get("format") == "uri" else field.get("type"), f"a valid {field.get('type')}"
        )
        return f"'{cell}' is not {wanted}"
    if kind == "constraint-error":
        if cell == "" and constraints.get("required"):
            return "is empty but required"
        if "enum" in constraints and cell not in constraints["enum"]:
            return f"'{cell}' is not one of {', '.join(constraints['enum'])}"
        if "pattern" in constraints and field.get("format") == "uri":
            return f"'{cell}' is not a well-formed http(s) URL"
        return f"'{cell}' breaks the rule: {error['note']}"
    return error.get("note") or error["message"]


def _locate(row_number: int | None, ids: list[str], filename: str, key: str = "id") -> str:
    """Name the row of a frictionless row number (the header is row 1 there)."""
    if row_number is None:
        return filename
    index = row_number - 2
    row_id = ids[index] if 0 <= index < len(ids) and ids[index] else None
    label = f", {key} '{row_id}'" if row_id else ""
    return f"{filename}, row {index + 1} (line {row_number}{label})"


def _check_header(columns: list[str], names: list[str], csv_path: Path) -> None:
    missing = [name for name in names if name not in columns]
    unexpected = [column for column in columns if column not in names]
    duplicated = sorted({column for column in columns if columns.count(column) > 1})
    problems = []
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    if unexpected:
        problems.append("unexpected column(s): " + ", ".join(unexpected))
    if duplicated:
        problems.append("repeated column(s): " + ", ".join(duplicated))
    if not problems and columns != names:
        problems.append("columns are not in the schema's order: expected " + ", ".join(names))
    if problems:
        raise CatalogueError(f"{csv_path}: header row: " + "; ".join(problems))


def _read_valid_table(csv_path: Path, schema: dict[str, Any], key: str, what: str) -> pd.DataFrame:
    """Validate a CSV file against a Table Schema; return it as strings, or raise CatalogueError."""
    from frictionless import Resource, Schema  # imported here: it is slow to import

    if not csv_path.is_file():
        raise CatalogueError(f"{csv_path}: {what} file not found")
    names = [field["name"] for field in schema["fields"]]
    fields = {field["name"]: field for field in schema["fields"]}
    try:
        with csv_path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"{csv_path}: not UTF-8 text ({exc})") from None
    _check_header(header, names, csv_path)
    raw = pd.read_csv(csv_path, dtype=str, keep_default_na=False, na_filter=False)
    ids = list(raw[key])

    resource = Resource(
        path=csv_path.name,
        basepath=str(csv_path.resolve().parent),
        schema=Schema.from_descriptor({k: v for k, v in schema.items() if k != "foreignKeys"}),
        format="csv",
        encoding="utf-8",
    )
    report = resource.validate(limit_errors=10_000)
    if not report.valid:
        task_errors = report.tasks[0].errors if report.tasks else []
        key_fields = schema.get("primaryKey", [])
        lines = []
        for d in (error.to_descriptor() for error in task_errors):
            where = _locate(d.get("rowNumber"), ids, csv_path.name, key)
            if d["type"] == "primary-key":
                if len(key_fields) > 1:  # a one-field key is reported as a unique-error already
                    lines.append(f"{where}: the combination of {' and '.join(key_fields)} repeats an earlier row")
            else:
                lines.append(f"{where}, field '{d.get('fieldName', '')}': {_explain(d, fields)}")
        if not lines:  # a file-level failure (encoding, unreadable file, ...)
            lines = [f"{csv_path.name}: {error.message}" for error in [*report.errors, *task_errors]]
        _raise_problems(csv_path, what, lines)
    return raw[names]


def _raise_problems(csv_path: Path, what: str, lines: list[str]) -> None:
    """Raise one CatalogueError listing the problems found in a file."""
    shown = lines[:_MAX_LISTED_ERRORS]
    message = f"{csv_path}: {len(lines)} problem(s) in the {what}:\n  " + "\n  ".join(shown)
    if len(lines) > len(shown):
        message += f"\n  ... and {len(lines) - len(shown)} more"
    raise CatalogueError(message)


def load_catalogue(
    path: str | PathLike[str] | None = None,
    descriptor: str | PathLike[str] | None = None,
) -> pd.DataFrame:
    """Load the repository catalogue and validate it against its Table Schema.

    Parameters
    ----------
    path
        CSV file to load; defaults to ``data/repositories.csv``.
    descriptor
        ``datapackage.json`` holding the schema; defaults to ``data/datapackage.json``.

    Returns
    -------
    pandas.DataFrame
        One row per repository, indexed 0..n-1, with the schema's columns in order.
        ``scale`` and ``scale_year`` are nullable integers (``Int64``), ``access_model`` is
        an ordered categorical (open < registered < tiered < controlled) and empty
        optional cells are ``<NA>``.

    Raises
    ------
    CatalogueError
        If the file is missing, a column is missing or unexpected, a value breaks the
        schema (unknown access model, non-numeric count, malformed URL, empty required
        field) or an id is repeated. The message lists every problem with its file, row
        and field.

    Examples
    --------
    >>> catalogue = load_catalogue()
    >>> bool(catalogue["id"].is_unique)
    True
    >>> "dbgap" in set(catalogue["id"])
    True
    """
    csv_path = Path(path) if path is not None else DEFAULT_CATALOGUE
    raw = _read_valid_table(csv_path, catalogue_schema(descriptor), key="id", what="catalogue")
    table = raw.replace("", pd.NA)
    for column in _INTEGER_FIELDS:
        table[column] = pd.to_numeric(table[column]).astype("Int64")
    table["access_model"] = pd.Categorical(table["access_model"], categories=ACCESS_MODELS, ordered=True)
    return table


def find_repositories(
    catalogue: pd.DataFrame,
    data_type: str,
    *,
    individual_level: bool = False,
) -> pd.DataFrame:
    """Repositories whose data types mention ``data_type``, with what it takes to get in.

    Parameters
    ----------
    catalogue
        A table returned by :func:`load_catalogue`.
    data_type
        Text to look for in the ``data_types`` column, case-insensitively
        (for example ``"RNA-seq"`` or ``"genotypes"``).
    individual_level
        If true, keep only repositories that release person-level genotypes or sequence
        (``individual_level_access`` other than ``"none"``).

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``access_model``, ``individual_level_access``,
        ``controlled_access_route`` and ``url``, ordered from the most open to the most
        restricted access model, then by name. Empty if nothing matches.

    Raises
    ------
    ValueError
        If ``data_type`` is empty or ``catalogue`` lacks the columns it needs.

    Examples
    --------
    >>> hits = find_repositories(load_catalogue(), "allele frequencies")
    >>> "Genome Aggregation Database (gnomAD)" in set(hits["name"])
    True
    """
    needle = data_type.strip() if isinstance(data_type, str) else ""
    if not needle:
        raise ValueError("data_type must be a non-empty string, for example 'RNA-seq'")
    columns = ["name", "access_model", "individual_level_access", "controlled_access_route", "url"]
    missing = [c for c in ["data_types", *columns] if c not in catalogue.columns]
    if missing:
        raise ValueError(f"catalogue lacks column(s) {', '.join(missing)}; load it with load_catalogue()")
    mask = catalogue["data_types"].str.contains(needle, case=False, regex=False, na=False)
    if individual_level:
        mask &= catalogue["individual_level_access"] != "none"
    return catalogue.loc[mask, columns].sort_values(["access_model", "name"]).reset_index(drop=True)


def load_data_use(
    path: str | PathLike[str] | None = None,
    descriptor: str | PathLike[str] | None = None,
    catalogue: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Load the data-use conditions of catalogued datasets and check them.

    Beyond its Table Schema, every row must name a repository of the catalogue, its DUO
    conditions must parse (:func:`genshare.access.parse_conditions`), controlled and
    registered datasets must have conditions, and a repository's consent label must
    translate (:func:`genshare.access.consent_label_to_duo`) to exactly the DUO
    conditions given beside it.

    Parameters
    ----------
    path
        CSV file to load; defaults to ``data/data_use.csv``.
    descriptor
        ``datapackage.json`` holding the schema; defaults to ``data/datapackage.json``.
    catalogue
        The catalogue the rows refer to; defaults to :func:`load_catalogue`.

    Returns
    -------
    pandas.DataFrame
        One row per dataset, with the schema's columns in order and ``<NA>`` for empty
        optional cells.

    Raises
    ------
    CatalogueError
        Listing every problem with its file, row and field.

    Examples
    --------
    >>> data_use = load_data_use()
    >>> data_use.loc[data_use["accession"] == "phs000424", "duo_conditions"].item()
    'GRU'
    """
    from genshare.access import consent_label_to_duo, parse_conditions, split_conditions

    csv_path = Path(path) if path is not None else DEFAULT_DATA_USE
    raw = _read_valid_table(csv_path, _resource_schema("data_use", descriptor), key="dataset", what="data-use table")
    known = set((catalogue if catalogue is not None else load_catalogue(descriptor=descriptor))["id"])
    datasets = list(raw["dataset"])
    problems = []
    for index, row in raw.iterrows():
        where = _locate(index + 2, datasets, csv_path.name, "dataset")
        if row["repository"] not in known:
            problems.append(f"{where}, field 'repository': '{row['repository']}' is not an id in the catalogue")
        codes = split_conditions(row["duo_conditions"])
        try:
            if codes:
                parse_conditions(codes)
            elif row["tier"] != "open":
                raise ValueError(f"a {row['tier']} dataset needs its data-use conditions")
        except ValueError as exc:
            problems.append(f"{where}, field 'duo_conditions': {exc}")
            continue  # a label cannot be compared with codes that are themselves wrong
        try:
            if row["basis"] == "consent group" and not row["consent_label"]:
                raise ValueError("basis 'consent group' needs the repository's consent_label")
            if row["consent_label"] and (translated := consent_label_to_duo(row["consent_label"])) != codes:
                raise ValueError(
                    f"{row['consent_label']} translates to '{'; '.join(translated)}', not '{row['duo_conditions']}'"
                )
        except ValueError as exc:
            problems.append(f"{where}, field 'consent_label': {exc}")
    if problems:
        _raise_problems(csv_path, "data-use table", problems)
    return raw.replace("", pd.NA)


def annotate_data_use(catalogue: pd.DataFrame, data_use: pd.DataFrame) -> pd.DataFrame:
    """The catalogue with the data-use conditions known for each repository's datasets.

    Parameters
    ----------
    catalogue
        A table returned by :func:`load_catalogue`.
    data_use
        A table returned by :func:`load_data_use`.

    Returns
    -------
    pandas.DataFrame
        The catalogue with two more columns: ``datasets_with_conditions`` (how many of
        the repository's datasets have recorded conditions) and ``data_use_conditions``
        (the distinct DUO condition sets, ``" | "``-separated; ``"open"`` for open data
        without conditions; ``"not recorded"`` when nothing is known, which is not the
        same as unrestricted).

    Raises
    ------
    ValueError
        If either table lacks the columns it needs.

    Examples
    --------
    >>> annotated = annotate_data_use(load_catalogue(), load_data_use()).set_index("id")
    >>> annotated.loc["gtex", "data_use_conditions"]
    'GRU | open'
    >>> annotated.loc["gnomad", "data_use_conditions"]
    'not recorded'
    """
    for table, columns, name in [(catalogue, ["id"], "catalogue"), (data_use, ["repository", "duo_conditions"], "data_use")]:
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise ValueError(f"{name} lacks column(s) {', '.join(missing)}")
    conditions = data_use["duo_conditions"].fillna("open")
    grouped = conditions.groupby(data_use["repository"])
    annotated = catalogue.copy()
    annotated["datasets_with_conditions"] = annotated["id"].map(grouped.size()).fillna(0).astype(int)
    summary = grouped.agg(lambda values: " | ".join(sorted(set(values))))
    annotated["data_use_conditions"] = annotated["id"].map(summary).fillna("not recorded")
    return annotated
