r"""Load and validate the repository catalogue (``data/repositories.csv``).

The catalogue is described by a Frictionless Data Package (``data/datapackage.json``)
whose Table Schema is the single statement of what a valid row looks like. This module
validates a CSV file against that schema with the ``frictionless`` library and returns a
:class:`pandas.DataFrame`. Any problem raises :class:`CatalogueError`; rows are never
dropped or repaired silently.

How a file is read, and where this is stricter than ``frictionless`` alone:

- The bytes must be UTF-8 (a byte-order mark is allowed); a cell holding other bytes is
  reported with its row and field, wherever it is in the file.
- The CSV is parsed strictly (RFC 4180 quoting). A quote that is never closed, or text
  after a closing quote, stops the parse: it is reported at the line where its row
  begins, with every problem found before it. A row with more or fewer cells than the
  header, and a blank line, are reported and not guessed at.
- Rows are numbered from 1 after the header, counting data rows only; ``line`` is the
  line of the file where the row starts, so cells with embedded newlines and blank lines
  do not shift the numbers.
- A ``pattern`` must match the whole cell: ``frictionless`` wraps it as ``^...$``, and
  ``$`` also matches before a final newline, so ``"tcga\n"`` would pass a pattern meant
  for ``"tcga"``; patterns are anchored with ``\Z`` here.
- Integers are written as ASCII digits with an optional sign (the Table Schema lexical
  form) and must fit in 64 bits: ``1_000``, ``1,000``, Arabic-Indic digits or ``2**63``
  are refused, although Python's ``int`` would accept some of them.
- The descriptor itself is checked first: not JSON, a missing key, a wrong type, a bad
  regular expression, or a field this module relies on being absent or of another type
  each raise :class:`CatalogueError` naming the descriptor, the resource and the field.
"""

from __future__ import annotations

import csv
import io
import json
import re
from os import PathLike
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from genshare.paths import data_dir

__all__ = [
    "ACCESS_MODELS",
    "CatalogueError",
    "DEFAULT_CATALOGUE",
    "DEFAULT_DATA_USE",
    "DEFAULT_DESCRIPTOR",
    "Problem",
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
_MAX_FILE_BYTES = 32 * 2**20  # the catalogue is a few tens of kilobytes
_INT64 = (-(2**63), 2**63 - 1)
_INTEGER = re.compile(r"[+-]?[0-9]+")  # [0-9] is ASCII only; int() would also take "1_000" and "١٢"
_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by surrogateescape

#: The fields each loader relies on, with the Table Schema type it needs.
_NEEDED_FIELDS = {
    "repositories": {"id": "string", "access_model": "string", "scale": "integer", "scale_year": "integer"},
    "data_use": {
        "repository": "string",
        "dataset": "string",
        "tier": "string",
        "consent_label": "string",
        "duo_conditions": "string",
        "basis": "string",
    },
}
_CONSTRAINTS = {
    "string": {"required", "unique", "pattern", "enum", "minLength", "maxLength"},
    "integer": {"required", "unique", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
}
_FORMATS = {"string": {"default", "uri"}, "integer": {"default"}}


class Problem(NamedTuple):
    """One problem found in a file: where it is and what is wrong.

    ``row`` counts data rows from 1 (the header is not a row), ``line`` is the line of the
    file where the row starts; ``key`` is the row's id where it has one; ``field`` is the
    column. Those that do not apply (a blank line has no row or field) are ``None``.
    """

    file: str
    row: int | None
    line: int | None
    key: str | None
    field: str | None
    message: str
    key_name: str = "id"

    def __str__(self) -> str:
        if self.row is None:
            where = f"{self.file}, line {self.line}" if self.line is not None else self.file
        else:
            label = f", {self.key_name} {_show(self.key)}" if self.key else ""
            where = f"{self.file}, row {self.row} (line {self.line}{label})"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class CatalogueError(ValueError):
    """The catalogue file does not match its schema.

    The message names the file, the row (as a line number in the file, with the row's id
    where it has one) and the field for every problem found. ``problems`` holds the same
    as :class:`Problem` tuples (all of them, even when the message shows only the first
    twenty); it is empty for a problem with the file as a whole.
    """

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


def _show(cell: str | None, limit: int = 60) -> str:
    """A cell for a message: quoted, control characters and stray bytes escaped, long text cut."""
    text = "" if cell is None else str(cell)
    shown = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode("ascii")
        for ch in text[:limit]
    )
    return f"'{shown}{'...' if len(text) > limit else ''}'"


def _frictionless() -> Any:
    """Import ``frictionless`` when a table is validated (it is slow to import, and optional to import this module)."""
    try:
        import frictionless
    except ImportError:
        raise ImportError(
            "genshare.catalogue validates tables with the 'frictionless' package, which is not installed; "
            "install it with `pip install frictionless` (or `pip install -r requirements.txt`)"
        ) from None
    return frictionless


# --------------------------------------------------------------------------------------
# The descriptor (datapackage.json)
# --------------------------------------------------------------------------------------


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"key(s) {', '.join(repeated)} appear twice in one object")
    return dict(pairs)


def _read_descriptor(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CatalogueError(f"{path}: data package descriptor not found")
    if path.stat().st_size > _MAX_FILE_BYTES:
        raise CatalogueError(f"{path}: larger than {_MAX_FILE_BYTES:,} bytes; not a data package descriptor")
    try:
        package = json.loads(path.read_bytes().decode("utf-8-sig"), object_pairs_hook=_no_duplicate_keys)
    except UnicodeDecodeError as exc:
        raise CatalogueError(
            f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
        ) from None
    except json.JSONDecodeError as exc:
        raise CatalogueError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except (ValueError, RecursionError) as exc:
        raise CatalogueError(f"{path}: not a usable JSON document: {exc}") from None
    if not isinstance(package, dict):
        raise CatalogueError(f"{path}: the descriptor must be a JSON object, not {type(package).__name__}")
    if not isinstance(package.get("resources"), list):
        raise CatalogueError(f"{path}: 'resources' must be a list of resources")
    return package


def _field_problems(field: Any, index: int) -> tuple[str, list[str]]:
    """Check one field descriptor; return its name (or a placeholder) and what is wrong with it."""
    if not isinstance(field, dict):
        return f"#{index + 1}", [f"field #{index + 1} must be an object, not {type(field).__name__}"]
    name = field.get("name")
    if not isinstance(name, str) or not name:
        return f"#{index + 1}", [f"field #{index + 1} needs a 'name' (a non-empty string)"]
    where = f"field '{name}'"
    kind = field.get("type")
    if not isinstance(kind, str) or kind not in _CONSTRAINTS:
        return name, [f"{where}: 'type' must be one of {', '.join(_CONSTRAINTS)}, not {kind!r}"]
    problems = []
    form = field.get("format", "default")
    if not isinstance(form, str) or form not in _FORMATS[kind]:
        problems.append(f"{where}: 'format' {field.get('format')!r} is not one of {', '.join(sorted(_FORMATS[kind]))}")
    for text_key in ("title", "description"):
        if text_key in field and not isinstance(field[text_key], str):
            problems.append(f"{where}: '{text_key}' must be a string")
    constraints = field.get("constraints", {})
    if not isinstance(constraints, dict):
        return name, [*problems, f"{where}: 'constraints' must be an object"]
    for key, value in constraints.items():
        if key not in _CONSTRAINTS[kind]:
            problems.append(
                f"{where}: constraint '{key}' is not checked for {kind} fields "
                f"(allowed: {', '.join(sorted(_CONSTRAINTS[kind]))})"
            )
        elif key in ("required", "unique") and not isinstance(value, bool):
            problems.append(f"{where}: constraint '{key}' must be true or false, not {value!r}")
        elif key == "pattern":
            if not isinstance(value, str):
                problems.append(f"{where}: constraint 'pattern' must be a string, not {value!r}")
                continue
            try:
                re.compile(value)
            except re.error as exc:
                problems.append(f"{where}: constraint 'pattern' {value!r} is not a valid regular expression ({exc})")
        elif key == "enum":
            wanted = str if kind == "string" else int
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(v, wanted) and not isinstance(v, bool) for v in value)
            ):
                problems.append(f"{where}: constraint 'enum' must be a non-empty list of {kind}s, not {value!r}")
        elif key in ("minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if not isinstance(value, int) or isinstance(value, bool) or (key.endswith("Length") and value < 0):
                problems.append(f"{where}: constraint '{key}' must be a whole number, not {value!r}")
    return name, problems


def _resource_schema(name: str, descriptor: str | PathLike[str] | None) -> dict[str, Any]:
    """The Table Schema of resource ``name``, checked; raise CatalogueError listing every problem."""
    path = Path(descriptor) if descriptor is not None else DEFAULT_DESCRIPTOR
    package = _read_descriptor(path)
    resources = [r for r in package["resources"] if isinstance(r, dict) and r.get("name") == name]
    if not resources:
        raise CatalogueError(f"{path}: no resource named '{name}' in the data package")
    if len(resources) > 1:
        raise CatalogueError(f"{path}: {len(resources)} resources are named '{name}'; names must be unique")
    schema = resources[0].get("schema")
    where = f"{path}: resource '{name}'"
    if not isinstance(schema, dict):
        raise CatalogueError(f"{where}: 'schema' must be a Table Schema object")
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        raise CatalogueError(f"{where}: the schema's 'fields' must be a non-empty list")
    problems: list[str] = []
    types: dict[str, str | None] = {}
    for index, field in enumerate(fields):
        field_name, field_problems = _field_problems(field, index)
        problems += field_problems
        if field_name in types:
            problems.append(f"field '{field_name}' is declared twice")
        types[field_name] = field.get("type") if isinstance(field, dict) else None
    key = schema.get("primaryKey", [])
    key = [key] if isinstance(key, str) else key
    if not isinstance(key, list) or not all(isinstance(k, str) and k in types for k in key):
        problems.append(f"'primaryKey' must name fields of the schema, not {schema.get('primaryKey')!r}")
    if schema.get("missingValues", [""]) != [""]:
        problems.append(
            f"'missingValues' must be [\"\"] (an empty cell is the only missing value), "
            f"not {schema.get('missingValues')!r}"
        )
    for needed, kind in _NEEDED_FIELDS.get(name, {}).items():
        if needed not in types:
            problems.append(f"field '{needed}' is missing; genshare.catalogue needs it")
        elif types[needed] != kind:
            problems.append(f"field '{needed}' must have type '{kind}', not {types[needed]!r}")
    if name == "repositories" and not problems:
        access = next(f for f in fields if f["name"] == "access_model").get("constraints", {}).get("enum")
        if access is None or not set(access) <= set(ACCESS_MODELS):
            problems.append(
                f"field 'access_model': constraint 'enum' must list only {', '.join(ACCESS_MODELS)}, not {access!r}"
            )
    if problems:
        raise CatalogueError(f"{where}: the schema is not usable:\n  " + "\n  ".join(problems))
    return schema


def catalogue_schema(descriptor: str | PathLike[str] | None = None) -> dict[str, Any]:
    """Return the Table Schema of the catalogue resource as a dictionary, after checking it.

    Parameters
    ----------
    descriptor
        Path of a ``datapackage.json``; defaults to the one in ``data/``.

    Raises
    ------
    CatalogueError
        If the descriptor is not JSON, lacks the resource or a key, has a value of the
        wrong type or a pattern that is not a regular expression, or lacks a field this
        module needs.

    Examples
    --------
    >>> schema = catalogue_schema()
    >>> schema["primaryKey"]
    ['id']
    """
    return _resource_schema("repositories", descriptor)


def _frictionless_schema(schema: dict[str, Any], where: str) -> Any:
    """The schema as frictionless sees it: patterns anchored at the very end, no foreign keys."""
    frictionless = _frictionless()
    fields = []
    for field in schema["fields"]:
        constraints = dict(field.get("constraints", {}))
        if "pattern" in constraints:
            constraints["pattern"] = f"(?:{constraints['pattern']})\\Z"  # frictionless adds ^...$
        fields.append({**field, "constraints": constraints})
    descriptor = {**{k: v for k, v in schema.items() if k != "foreignKeys"}, "fields": fields}
    try:
        return frictionless.Schema.from_descriptor(descriptor)
    except frictionless.FrictionlessException as exc:
        raise CatalogueError(f"{where}: frictionless cannot use the schema: {exc}") from None


# --------------------------------------------------------------------------------------
# The table (CSV)
# --------------------------------------------------------------------------------------


class _Row(NamedTuple):
    number: int  # data rows from 1
    line: int  # line of the file where the row starts
    cells: list[str]


def _explain(error: dict[str, Any], fields: dict[str, dict[str, Any]]) -> str:
    """Say in plain words what is wrong with one cell."""
    name = error.get("fieldName", "")
    cell = error.get("cell", "")
    field = fields.get(name, {})
    constraints = field.get("constraints", {})
    kind = error["type"]
    if kind == "type-error":
        wanted = {"integer": "a whole number", "uri": "a well-formed http(s) URL"}.get(
            "uri" if field.get("format") == "uri" else field.get("type", ""), f"a valid {field.get('type')}"
        )
        return f"{_show(cell)} is not {wanted}"
    if kind == "constraint-error":
        if cell == "" and constraints.get("required"):
            return "is empty but required"
        if "enum" in constraints and cell not in [str(v) for v in constraints["enum"]]:
            return f"{_show(cell)} is not one of {', '.join(map(str, constraints['enum']))}"
        if '"pattern"' in error.get("note", ""):
            if field.get("format") == "uri":
                return f"{_show(cell)} is not a well-formed http(s) URL"
            return f"{_show(cell)} does not match the pattern {constraints['pattern']} (the whole cell must match)"
        return f"{_show(cell)} breaks the rule: {error.get('note', '')}"
    return error.get("note") or error.get("message", kind)


def _parse(csv_path: Path) -> tuple[list[str], list[_Row], list[tuple[int, str]]]:
    """Split a CSV file into header and rows; return them and the line-level problems found."""
    if not csv_path.is_file():
        raise FileNotFoundError
    if csv_path.stat().st_size > _MAX_FILE_BYTES:
        raise CatalogueError(f"{csv_path}: larger than {_MAX_FILE_BYTES:,} bytes; refused")
    data = csv_path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", errors="surrogateescape")  # stray bytes are reported per cell below
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    problems: list[tuple[int, str]] = []
    end = 0
    try:
        for cells in reader:
            records.append((end + 1, cells))
            end = reader.line_num
    except csv.Error as exc:
        reason = {
            "unexpected end of data": "a quoted cell starting in this row is never closed (unbalanced '\"'), "
            "so the rest of the file cannot be read",
            "',' expected after '\"'": "text follows the closing quote of a cell (unbalanced '\"'); quote the "
            "whole cell and double every quote inside it; the file is read no further",
        }.get(str(exc), f"cannot be read as CSV ({exc}); the file is read no further")
        problems.append((end + 1, reason))
    if not records:
        if problems:
            raise CatalogueError(f"{csv_path}, line {problems[0][0]}: {problems[0][1]}")
        raise CatalogueError(f"{csv_path}: the file is empty; it needs at least a header row")
    header = records[0][1]
    rows, number = [], 0
    for line, cells in records[1:]:
        if not cells:
            problems.append((line, "blank line; delete it (a row is never skipped silently)"))
            continue
        number += 1
        rows.append(_Row(number, line, cells))
    return header, rows, problems


def _check_header(columns: list[str], names: list[str], csv_path: Path) -> None:
    shown = [_show(column)[1:-1] for column in columns]
    missing = [name for name in names if name not in columns]
    unexpected = [s for column, s in zip(columns, shown, strict=True) if column not in names]
    duplicated = sorted({s for column, s in zip(columns, shown, strict=True) if columns.count(column) > 1})
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


def _read_valid_table(
    csv_path: Path, schema: dict[str, Any], key: str, what: str, descriptor_where: str
) -> tuple[pd.DataFrame, list[Problem], list[tuple[int, int]]]:
    """Read a CSV file and check it against a Table Schema.

    Returns the well-formed rows as strings (columns in schema order), every problem
    found, and the (row number, line) of each returned row; the caller adds its own
    checks and raises.
    """
    frictionless_schema = _frictionless_schema(schema, descriptor_where)
    try:
        header, rows, line_problems = _parse(csv_path)
    except FileNotFoundError:
        raise CatalogueError(f"{csv_path}: {what} file not found") from None
    names = [field["name"] for field in schema["fields"]]
    fields = {field["name"]: field for field in schema["fields"]}
    _check_header(header, names, csv_path)
    key_index = names.index(key)
    file = csv_path.name

    def problem(row: _Row | None, field: str | None, message: str, line: int | None = None) -> Problem:
        if row is None:
            return Problem(file, None, line, None, field, message, key)
        row_key = row.cells[key_index] if key_index < len(row.cells) else None
        return Problem(file, row.number, row.line, row_key or None, field, message, key)

    problems = [problem(None, None, message, line) for line, message in line_problems]
    good: list[_Row] = []
    flagged: set[tuple[int, str]] = set()
    for row in rows:
        if len(row.cells) != len(names):
            extra = len(row.cells) - len(names)
            detail = (
                f"{extra} cell(s) too many, the first extra one {_show(row.cells[len(names)])} (an unquoted comma?)"
                if extra > 0
                else f"{-extra} cell(s) missing"
            )
            problems.append(problem(row, None, f"has {len(row.cells)} cells but the header has {len(names)}: {detail}"))
            continue
        good.append(row)
        for name, cell in zip(names, row.cells, strict=True):  # same length: checked above
            bad = _NOT_UTF8.search(cell)
            if bad:
                byte = ord(bad.group()) - 0xDC00
                message = f"holds the byte 0x{byte:02x}, which is not UTF-8 text; save the file as UTF-8"
            elif fields[name]["type"] == "integer" and cell != "":
                if not _INTEGER.fullmatch(cell):
                    message = f"{_show(cell)} is not a whole number"  # in ASCII digits, as the Table Schema says
                elif len(cell.lstrip("+-").lstrip("0")) > 19 or not _INT64[0] <= int(cell) <= _INT64[1]:
                    message = f"{_show(cell)} is too large: a whole number here must fit in 64 bits"
                else:
                    continue
            else:
                continue
            problems.append(problem(row, name, message))
            flagged.add((row.number, name))

    frictionless = _frictionless()
    # Stray bytes (reported above) become U+FFFD for frictionless, which cannot encode them.
    cells = [[_NOT_UTF8.sub("\ufffd", cell) for cell in row.cells] for row in good]
    resource = frictionless.Resource(data=[names, *cells], schema=frictionless_schema)
    report = resource.validate(limit_errors=100_000)
    errors = [error.to_descriptor() for task in report.tasks for error in task.errors]
    key_fields = schema.get("primaryKey", [])
    key_fields = [key_fields] if isinstance(key_fields, str) else key_fields
    for d in [error.to_descriptor() for error in report.errors] + errors:
        position = d.get("rowNumber")
        if position is None or not 2 <= position < len(good) + 2:
            problems.append(Problem(file, None, None, None, None, d.get("message", d.get("type", "")), key))
            continue
        row = good[position - 2]
        earlier = re.search(r"position (\d+)", d.get("note", ""))
        earlier_row = (
            good[int(earlier.group(1)) - 2] if earlier and 2 <= int(earlier.group(1)) < len(good) + 2 else None
        )
        if d["type"] == "primary-key":
            if len(key_fields) > 1 and earlier_row and not any((row.number, k) in flagged for k in key_fields):
                # a one-field key is reported as a unique-error already
                problems.append(
                    problem(
                        row,
                        None,
                        f"the combination of {' and '.join(key_fields)} repeats row {earlier_row.number} "
                        f"(line {earlier_row.line})",
                    )
                )
            continue
        name = d.get("fieldName", "")
        if (row.number, name) in flagged:
            continue
        flagged.add((row.number, name))
        if d["type"] == "unique-error":
            also = f" (also row {earlier_row.number}, line {earlier_row.line})" if earlier_row else ""
            message = f"{_show(d.get('cell', ''))} is repeated{also}; ids must be unique"
        else:
            message = _explain(d, fields)
        problems.append(problem(row, name, message))
    table = pd.DataFrame([row.cells for row in good], columns=names, dtype=str)
    return table, problems, [(row.number, row.line) for row in good]


def _raise_problems(csv_path: Path, what: str, problems: list[Problem], names: list[str]) -> None:
    """Raise one CatalogueError listing the problems found in a file, in file order."""
    order = {name: i for i, name in enumerate(names)}
    problems = sorted(
        problems,
        key=lambda p: (p.line if p.line is not None else float("inf"), order.get(p.field, -1)),  # type: ignore[arg-type]
    )
    lines = [str(p) for p in problems]
    shown = lines[:_MAX_LISTED_ERRORS]
    message = f"{csv_path}: {len(lines)} problem(s) in the {what}:\n  " + "\n  ".join(shown)
    if len(lines) > len(shown):
        message += f"\n  ... and {len(lines) - len(shown)} more (all are in the error's .problems)"
    raise CatalogueError(message, problems)


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
        If the file or the descriptor is missing or unusable (see the module notes), a
        column is missing or unexpected, a row has too many or too few cells, a quote is
        unbalanced, a line is blank, a cell holds bytes that are not UTF-8, a value breaks
        the schema (unknown access model, a count that is not ASCII digits or does not
        fit in 64 bits, malformed URL, an id with a trailing newline, empty required
        field) or an id is repeated. The message lists every problem with its file, row,
        line and field; ``error.problems`` holds them as :class:`Problem` tuples.
    ImportError
        If the ``frictionless`` package is not installed (the message says how to
        install it).

    Examples
    --------
    >>> catalogue = load_catalogue()
    >>> bool(catalogue["id"].is_unique)
    True
    >>> "dbgap" in set(catalogue["id"])
    True
    """
    csv_path = Path(path) if path is not None else DEFAULT_CATALOGUE
    descriptor_path = Path(descriptor) if descriptor is not None else DEFAULT_DESCRIPTOR
    schema = catalogue_schema(descriptor)
    raw, problems, _ = _read_valid_table(
        csv_path, schema, key="id", what="catalogue", descriptor_where=f"{descriptor_path}: resource 'repositories'"
    )
    if problems:
        _raise_problems(csv_path, "catalogue", problems, list(raw.columns))
    table = raw.replace("", pd.NA)
    for column in _INTEGER_FIELDS:  # every cell was checked: ASCII digits, within 64 bits
        table[column] = pd.array(
            [pd.NA if pd.isna(v) else int(v) for v in raw[column].replace("", pd.NA)], dtype="Int64"
        )
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
        Listing every problem with its file, row, line and field, in one pass: problems
        with the file's structure and schema, repositories missing from the catalogue,
        DUO codes :func:`genshare.access.parse_conditions` refuses, and consent labels
        that do not translate to the codes beside them. A field that already breaks the
        schema is not checked again.
    ImportError
        If the ``frictionless`` package is not installed.

    Examples
    --------
    >>> data_use = load_data_use()
    >>> data_use.loc[data_use["accession"] == "phs000424", "duo_conditions"].item()
    'GRU'
    """
    from genshare.access import consent_label_to_duo, parse_conditions, split_conditions

    csv_path = Path(path) if path is not None else DEFAULT_DATA_USE
    descriptor_path = Path(descriptor) if descriptor is not None else DEFAULT_DESCRIPTOR
    schema = _resource_schema("data_use", descriptor)
    raw, problems, places = _read_valid_table(
        csv_path,
        schema,
        key="dataset",
        what="data-use table",
        descriptor_where=f"{descriptor_path}: resource 'data_use'",
    )
    known = set((catalogue if catalogue is not None else load_catalogue(descriptor=descriptor))["id"])
    flagged = {(p.row, p.field) for p in problems}  # a field with a schema problem is not checked again
    for row, (number, line) in zip(raw.itertuples(index=False), places, strict=True):  # places: one per row

        def add(field: str, message: str, number: int = number, line: int = line, row: Any = row) -> None:
            problems.append(Problem(csv_path.name, number, line, row.dataset or None, field, message, "dataset"))

        def clean(*names: str, number: int = number) -> bool:
            return not any((number, name) in flagged for name in names)

        if clean("repository") and row.repository not in known:
            add("repository", f"{_show(row.repository)} is not an id in the catalogue")
        if not clean("duo_conditions", "tier"):
            continue
        codes = split_conditions(row.duo_conditions)
        try:
            if codes:
                parse_conditions(codes)
            elif row.tier != "open":
                raise ValueError(f"a {row.tier} dataset needs its data-use conditions")
        except ValueError as exc:
            add("duo_conditions", str(exc))
            continue  # a label cannot be compared with codes that are themselves wrong
        if not clean("consent_label", "basis"):
            continue
        try:
            if row.basis == "consent group" and not row.consent_label:
                raise ValueError("basis 'consent group' needs the repository's consent_label")
            if row.consent_label and (translated := consent_label_to_duo(row.consent_label)) != codes:
                raise ValueError(
                    f"{row.consent_label} translates to '{'; '.join(translated)}', not '{row.duo_conditions}'"
                )
        except ValueError as exc:
            add("consent_label", str(exc))
    if problems:
        _raise_problems(csv_path, "data-use table", problems, list(raw.columns))
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
    for table, columns, name in [
        (catalogue, ["id"], "catalogue"),
        (data_use, ["repository", "duo_conditions"], "data_use"),
    ]:
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
