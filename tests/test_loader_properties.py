"""Property-based tests of the catalogue loaders: hostile files give one CatalogueError
that names file, row and field of every planted problem, all at once, and nothing else.

Each test generates a table of valid rows (text with commas, quotes, newlines and any Unicode),
plants problems of known kinds in chosen rows (and blank lines between rows), writes the file,
and checks that the loader reports exactly the planted problems, each at the right row number,
line and field, in one error. The fuzz tests mutate valid files and descriptors at random and
check that the only failure is a CatalogueError.

The runs are deterministic (``derandomize=True``) and modest in size, so CI time stays bounded.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from tempfile import TemporaryDirectory

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from genshare.access import consent_label_to_duo, split_conditions
from genshare.catalogue import (
    DEFAULT_CATALOGUE,
    DEFAULT_DATA_USE,
    DEFAULT_DESCRIPTOR,
    CatalogueError,
    Problem,
    catalogue_schema,
    load_catalogue,
    load_data_use,
)

# Deterministic, bounded runs. Shrinking is off: each example validates a file with frictionless,
# and shrinking a failure can take minutes; the failing example is printed as generated.
_COMMON = dict(derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow],
               phases=[Phase.explicit, Phase.generate])
PROPERTIES = settings(max_examples=100, **_COMMON)
FUZZ = settings(max_examples=150, **_COMMON)

SCHEMA = catalogue_schema()
NAMES = [field["name"] for field in SCHEMA["fields"]]
FIELDS = {field["name"]: field for field in SCHEMA["fields"]}
REQUIRED_TEXT = [n for n in NAMES if FIELDS[n].get("constraints", {}).get("required") and FIELDS[n]["type"] == "string"
                 and "enum" not in FIELDS[n].get("constraints", {}) and "pattern" not in FIELDS[n].get("constraints", {})]
LATIN1_MARK = "QQLATIN1QQ"  # replaced by the bytes b"caf\xe9" after the file is written

# --- strategies --------------------------------------------------------------------------------

text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=25).filter(lambda s: LATIN1_MARK not in s)
urls = st.from_regex(r"https://[a-z]{1,10}\.(org|com)(/[a-z0-9]{1,6})?", fullmatch=True)
ids = st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True)


def enum(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(FIELDS[name]["constraints"]["enum"])


@st.composite
def valid_catalogue_row(draw, row_id: str) -> dict[str, str]:
    row = {name: draw(text) for name in REQUIRED_TEXT}
    has_scale = draw(st.booleans())
    row.update(
        id=row_id,
        url=draw(urls),
        access_source=draw(urls),
        access_model=draw(enum("access_model")),
        individual_level_access=draw(enum("individual_level_access")),
        ethics_approval=draw(st.one_of(st.just(""), enum("ethics_approval"))),
        scale=str(draw(st.integers(1, 2**63 - 1))) if has_scale else "",
        scale_unit=draw(text) if has_scale else "",
        scale_year=str(draw(st.integers(1990, 2100))) if has_scale else "",
        scale_source=draw(urls) if has_scale else "",
        controlled_access_route=draw(st.one_of(st.just(""), text)),
    )
    return row


def _lines(chunk: str) -> int:
    """Lines a CSV reader counts in ``chunk`` (\\r, \\n and \\r\\n end a line)."""
    return len(io.StringIO(chunk, newline="").readlines())


def write_table(path: Path, header: list[str], rows: list[list[str]], blank_before: set[int]) -> list[int]:
    """Write rows (blank lines before the rows in ``blank_before``); return each row's first line.

    Lines end with CRLF, as RFC 4180 says: with a bare LF, Python's writer leaves a cell holding
    only "\r" unquoted, which no reader can tell from a line break.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    starts, line = [], 2
    for index, cells in enumerate(rows):
        if index in blank_before:
            out.write("\n")
            line += 1
        before = out.tell()
        writer.writerow(cells)
        starts.append(line)
        line += _lines(out.getvalue()[before:])
    path.write_bytes(out.getvalue().encode("utf-8").replace(LATIN1_MARK.encode(), b"caf\xe9"))
    return starts


# Each kind of planted problem: the field it is reported under (None: the row as a whole) and how
# to make it. ``clean`` lists ids of earlier rows without problems (for a repeated id).
def _plant_catalogue(draw, kind: str, row: dict[str, str], clean: list[str]) -> str | None:
    if kind == "access_model":
        row["access_model"] = draw(st.sampled_from(["public", "Open", "open ", "", "closed"]))
        return "access_model"
    if kind == "id_pattern":
        row["id"] = draw(st.sampled_from([row["id"] + "\n", row["id"] + " ", "Upper", "-lead", "a_b", "é"]))
        return "id"
    if kind == "repeated_id" and clean:
        row["id"] = draw(st.sampled_from(clean))
        return "id"
    if kind in ("scale", "repeated_id"):
        row.update(scale_unit="x", scale_year="2020", scale_source="https://x.org")
        row["scale"] = draw(st.sampled_from(["1_000", "1,000", "\u0661\u0662", "\uff11", str(2**63), "-" + str(2**64),
                                             "12.5", "many", "0", "-3", " 7"]))
        return "scale"
    if kind == "scale_year":
        row["scale_year"] = draw(st.sampled_from(["1800", "2101", "twenty", "2e3"]))
        return "scale_year"
    if kind == "url":
        field = draw(st.sampled_from(["url", "access_source"]))
        row[field] = draw(st.sampled_from(["www.x.org", "https://x.org\n", "ftp://x.org", "https://", "http://a b.org"]))
        return field
    if kind == "required":
        field = draw(st.sampled_from(REQUIRED_TEXT))
        row[field] = ""
        return field
    if kind == "latin1":
        field = draw(st.sampled_from(REQUIRED_TEXT))
        row[field] += LATIN1_MARK
        return field
    raise AssertionError(kind)


CELL_KINDS = ["access_model", "id_pattern", "repeated_id", "scale", "scale_year", "url", "required", "latin1"]
ROW_KINDS = ["extra_cell", "missing_cell"]


def _plant_shape(draw, kind: str, cells: list[str]) -> list[str]:
    if kind == "extra_cell":
        return [*cells, *draw(st.lists(st.sampled_from(["", "x", "a,b"]), min_size=1, max_size=3))]
    return cells[: draw(st.integers(1, len(cells) - 1))]


def assert_problems(error: CatalogueError, expected: set[tuple], file: str) -> None:
    """The error lists exactly ``expected`` as (row, line, field), once each, all naming the file."""
    found = [(p.row, p.line, p.field) for p in error.problems]
    assert sorted(found, key=str) == sorted(expected, key=str), str(error)
    assert f"{len(expected)} problem(s)" in str(error)
    for p in error.problems:
        assert isinstance(p, Problem) and p.file == file
        text = str(p)
        assert text.startswith(file)
        if p.row is not None:
            assert f"row {p.row} (line {p.line}" in text
        if p.field is not None:
            assert f"field '{p.field}'" in text


# --- the catalogue ---------------------------------------------------------------------------------


@PROPERTIES
@given(st.data())
def test_valid_generated_catalogue_loads_and_keeps_every_cell(data):
    row_ids = data.draw(st.lists(ids, min_size=0, max_size=6, unique=True))
    rows = [data.draw(valid_catalogue_row(row_id)) for row_id in row_ids]
    with TemporaryDirectory() as folder:
        path = Path(folder) / "cat.csv"
        write_table(path, NAMES, [[row[n] for n in NAMES] for row in rows], set())
        table = load_catalogue(path)
    assert list(table["id"]) == row_ids
    for index, row in enumerate(rows):
        for name in NAMES:
            value = table.loc[index, name]
            assert (pd.isna(value) and row[name] == "") or str(value) == row[name]


@PROPERTIES
@given(st.data())
def test_every_planted_catalogue_problem_is_reported_at_once(data):
    n_rows = data.draw(st.integers(1, 8))
    row_ids = data.draw(st.lists(ids, min_size=n_rows, max_size=n_rows, unique=True))
    rows = [data.draw(valid_catalogue_row(row_id)) for row_id in row_ids]
    planted = data.draw(st.dictionaries(st.integers(0, n_rows - 1), st.sampled_from(CELL_KINDS + ROW_KINDS), max_size=n_rows))
    blank_before = data.draw(st.sets(st.integers(0, n_rows), max_size=2))
    cells, fields, clean = [], {}, []
    for index, row in enumerate(rows):
        kind = planted.get(index)
        if kind in CELL_KINDS:
            fields[index] = _plant_catalogue(data.draw, kind, row, clean)
        row_cells = [row[n] for n in NAMES]
        if kind in ROW_KINDS:
            row_cells = _plant_shape(data.draw, kind, row_cells)
            fields[index] = None
        if kind is None:
            clean.append(row["id"])
        cells.append(row_cells)
    if not planted and not blank_before:
        blank_before = {0}
    with TemporaryDirectory() as folder:
        path = Path(folder) / "cat.csv"
        starts = write_table(path, NAMES, cells, blank_before - {n_rows})
        if n_rows in blank_before:  # a blank line at the very end
            path.write_bytes(path.read_bytes() + b"\n")
        with pytest.raises(CatalogueError) as info:
            load_catalogue(path)
    expected = {(index + 1, starts[index], field) for index, field in fields.items()}
    expected |= {(None, starts[i] - 1, None) for i in blank_before if i < n_rows}
    if n_rows in blank_before:
        last = cells[-1]
        expected.add((None, starts[-1] + _lines(_csv_line(last)), None))
    assert_problems(info.value, expected, "cat.csv")
    for p in info.value.problems:
        if p.row is not None:
            row_id = cells[p.row - 1][0]
            assert p.key == (row_id or None)


def _csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue()


@PROPERTIES
@given(st.data())
def test_an_unclosed_quote_is_reported_where_its_cell_starts_with_the_problems_before_it(data):
    n_rows = data.draw(st.integers(2, 6))
    row_ids = data.draw(st.lists(ids, min_size=n_rows, max_size=n_rows, unique=True))
    rows = [data.draw(valid_catalogue_row(row_id)) for row_id in row_ids]
    broken = data.draw(st.integers(1, n_rows - 1))
    rows[0]["access_model"] = "public"  # one ordinary problem before the quote
    with TemporaryDirectory() as folder:
        path = Path(folder) / "cat.csv"
        cells = [[row[n] for n in NAMES] for row in rows]
        starts = write_table(path, NAMES, cells, set())
        text = path.read_bytes().decode()
        offset = sum(len(line) for line in io.StringIO(text, newline="").readlines()[: starts[broken] - 1])
        row_text = _csv_line(cells[broken])
        prefix = _csv_line(cells[broken][:1])[:-2] + ","  # the row's first cell and its comma
        assert text[offset:].startswith(row_text) and row_text.startswith(prefix)
        # Open a quote at the start of the broken row's second cell and never close it.
        rest = row_text[len(prefix) :] + "".join(_csv_line(c) for c in cells[broken + 1 :])
        path.write_text(text[:offset] + prefix + '"' + rest.replace('"', ""), encoding="utf-8", newline="")
        with pytest.raises(CatalogueError) as info:
            load_catalogue(path)
    problems = info.value.problems
    assert (1, 2, "access_model") in {(p.row, p.line, p.field) for p in problems}
    quote = [p for p in problems if "unbalanced" in p.message]
    assert len(quote) == 1 and quote[0].line == starts[broken] and quote[0].row is None


# --- the data-use table ----------------------------------------------------------------------------

CATALOGUE = load_catalogue()
with DEFAULT_DATA_USE.open(newline="", encoding="utf-8") as _handle:
    _reader = csv.DictReader(_handle)
    DATA_USE_HEADER = list(_reader.fieldnames or [])
    DATA_USE_ROWS = list(_reader)
DATA_USE_KINDS = ["repository", "tier", "accession", "source", "note", "duo_code", "label_mismatch", "repeated_key",
                  "extra_cell", "missing_cell", "latin1"]


def _plant_data_use(draw, kind: str, row: dict[str, str], earlier: list[dict[str, str]]) -> str | None:
    if kind == "repository":
        row["repository"] = draw(st.sampled_from(["nowhere", "tcga\n", "TCGA", ""]))
        return "repository"
    if kind == "tier":
        row["tier"] = draw(st.sampled_from(["secret", "Open", ""]))
        return "tier"
    if kind == "accession":
        row["accession"] = draw(st.sampled_from(["phs7", "phs0000001", "phs000007\n", "PHS000007"]))
        return "accession"
    if kind == "source":
        row["source"] = draw(st.sampled_from(["www.x.org", "https://x.org  https://y.org", "https://x.org\n", ""]))
        return "source"
    if kind == "note":
        row["note"] = ""
        return "note"
    if kind == "duo_code":
        row["duo_conditions"] = draw(st.sampled_from(["HMB; XYZ", "GRU; GRU", "IRB"]))
        return "duo_conditions"
    if kind == "label_mismatch" and row["consent_label"]:
        translated = consent_label_to_duo(row["consent_label"])
        row["duo_conditions"] = "GRU" if translated != ["GRU"] else "HMB"
        return "consent_label"
    if kind == "latin1":
        row["note"] += LATIN1_MARK
        return "note"
    row["note"] = ""  # fallback for kinds that do not apply to this row
    return "note"


@PROPERTIES
@given(st.data())
def test_every_planted_data_use_problem_is_reported_at_once(data):
    picks = data.draw(st.lists(st.integers(0, len(DATA_USE_ROWS) - 1), min_size=1, max_size=7, unique=True))
    suffixes = data.draw(st.lists(text, min_size=len(picks), max_size=len(picks)))
    rows = [dict(DATA_USE_ROWS[i], dataset=DATA_USE_ROWS[i]["dataset"] + f" #{n} " + s)
            for n, (i, s) in enumerate(zip(picks, suffixes))]
    planted = data.draw(st.dictionaries(st.integers(0, len(rows) - 1), st.sampled_from(DATA_USE_KINDS), max_size=len(rows)))
    blank_before = data.draw(st.sets(st.integers(0, len(rows) - 1), max_size=2))
    cells, fields, clean = [], {}, []
    for index, row in enumerate(rows):
        kind = planted.get(index)
        if kind == "repeated_key" and clean:
            source = data.draw(st.sampled_from(clean))
            row.update(repository=source["repository"], dataset=source["dataset"])
            fields[index] = None
        elif kind in ("extra_cell", "missing_cell"):
            fields[index] = None
        elif kind is not None:
            fields[index] = _plant_data_use(data.draw, kind, row, clean)
        row_cells = [row[n] for n in DATA_USE_HEADER]
        if kind in ("extra_cell", "missing_cell"):
            row_cells = _plant_shape(data.draw, kind, row_cells)
        if kind is None:
            clean.append(row)
        cells.append(row_cells)
    if not fields and not blank_before:
        blank_before = {0}
    with TemporaryDirectory() as folder:
        path = Path(folder) / "data_use.csv"
        starts = write_table(path, DATA_USE_HEADER, cells, blank_before)
        with pytest.raises(CatalogueError) as info:
            load_data_use(path, catalogue=CATALOGUE)
    expected = {(index + 1, starts[index], field) for index, field in fields.items()}
    expected |= {(None, starts[i] - 1, None) for i in blank_before}
    assert_problems(info.value, expected, "data_use.csv")


# --- fuzzing: whatever the bytes, only a CatalogueError ------------------------------------------

INSERTS = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.sampled_from(['"', '""', ",", "\n", "\r", "\r\n", "\x00", "\ufeff", ",,,", '"\n"', "1_000"]),
)


@FUZZ
@given(position=st.floats(0, 1), insert=INSERTS, raw=st.binary(max_size=3), delete=st.integers(0, 40))
def test_any_edit_of_the_catalogue_loads_or_raises_catalogue_error(position, insert, raw, delete):
    data = DEFAULT_CATALOGUE.read_bytes()
    at = int(position * len(data))
    mutated = data[:at] + insert.encode() + raw + data[at + delete :]
    with TemporaryDirectory() as folder:
        path = Path(folder) / "cat.csv"
        path.write_bytes(mutated)
        try:
            table = load_catalogue(path)
        except CatalogueError as error:
            assert str(error).startswith(str(path))
        else:
            assert str(table["scale"].dtype) == "Int64" and table["id"].is_unique


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=6),
              st.sampled_from(["string", "integer", "date", "[a-z", "(?:", "uri", "id"])),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=3)),
    max_leaves=6,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


DESCRIPTOR = json.loads(DEFAULT_DESCRIPTOR.read_text(encoding="utf-8"))
DESCRIPTOR_PATHS = [p for p in _paths(DESCRIPTOR) if p]


@FUZZ
@given(where=st.sampled_from(DESCRIPTOR_PATHS), value=json_values, drop=st.booleans())
def test_any_edit_of_the_descriptor_loads_or_raises_catalogue_error(where, value, drop):
    package = json.loads(json.dumps(DESCRIPTOR))
    parent = package
    for step in where[:-1]:
        parent = parent[step]
    if drop:
        del parent[where[-1]]
    else:
        parent[where[-1]] = value
    with TemporaryDirectory() as folder:
        path = Path(folder) / "datapackage.json"
        path.write_text(json.dumps(package), encoding="utf-8")
        for load in (lambda: load_catalogue(descriptor=path), lambda: load_data_use(descriptor=path, catalogue=CATALOGUE)):
            try:
                load()
            except CatalogueError as error:  # about the descriptor, or about a table it no longer fits
                assert str(path) in str(error) or "data/" in str(error)
