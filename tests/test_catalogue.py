"""Tests for genshare.catalogue: the real catalogue loads, and every kind of bad input fails loudly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from genshare.access import consent_label_to_duo, split_conditions
from genshare.catalogue import (
    ACCESS_MODELS,
    DEFAULT_CATALOGUE,
    DEFAULT_DATA_USE,
    DEFAULT_DESCRIPTOR,
    CatalogueError,
    annotate_data_use,
    catalogue_schema,
    load_catalogue,
    load_data_use,
)

REQUIRED_REPOSITORIES = {"gtex", "tcga", "igsr", "geo", "gnomad", "topmed", "dbsnp", "ukb", "cbioportal", "synapse", "dbgap"}


def read_rows() -> tuple[list[str], list[dict[str, str]]]:
    with DEFAULT_CATALOGUE.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def catalogue_rows():
    return read_rows()


# --- the real catalogue -------------------------------------------------------------------


def test_real_catalogue_loads_with_every_required_repository():
    table = load_catalogue()
    assert REQUIRED_REPOSITORIES <= set(table["id"])
    assert table["id"].is_unique
    assert list(table.columns) == [field["name"] for field in catalogue_schema()["fields"]]


def test_column_types():
    table = load_catalogue()
    assert str(table["scale"].dtype) == "Int64"
    assert str(table["scale_year"].dtype) == "Int64"
    assert list(table["access_model"].cat.categories) == list(ACCESS_MODELS)
    assert table["access_model"].cat.ordered


def test_every_figure_has_a_year_unit_and_source():
    table = load_catalogue()
    with_scale = table[table["scale"].notna()]
    assert len(with_scale) >= 6
    assert with_scale["scale_unit"].notna().all()
    assert with_scale["scale_year"].notna().all()
    assert with_scale["scale_source"].str.match(r"https?://").all()
    # A source or year without a figure would be a dangling citation.
    without = table[table["scale"].isna()]
    assert without[["scale_unit", "scale_year", "scale_source"]].isna().all().all()


def test_known_facts():
    table = load_catalogue().set_index("id")
    assert table.loc["igsr", "scale"] == 3202  # 1000 Genomes high-coverage release (2022)
    assert table.loc["gtex", "scale"] == 838  # GTEx V8 donors with DNA data (NIH Common Fund)
    assert table.loc["gnomad", "individual_level_access"] == "none"
    assert table.loc["dbgap", "access_model"] == "tiered"
    assert table.loc["ukb", "access_model"] == "controlled"


def test_controlled_repositories_say_how_to_get_in():
    table = load_catalogue()
    restricted = table[table["individual_level_access"].isin(["registered", "controlled"])]
    assert restricted["controlled_access_route"].notna().all()


def test_empty_optional_cells_are_missing_not_empty_strings():
    table = load_catalogue()
    assert not (table == "").any().any()


def test_descriptor_is_a_frictionless_data_package():
    from frictionless import Package

    package = Package(str(DEFAULT_DESCRIPTOR))
    report = package.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
    descriptor = json.loads(DEFAULT_DESCRIPTOR.read_text())
    assert descriptor["licenses"][0]["name"] == "CC0-1.0"


# --- bad input -----------------------------------------------------------------------------


def test_missing_file(tmp_path):
    with pytest.raises(CatalogueError, match="not found"):
        load_catalogue(tmp_path / "nope.csv")


def test_missing_column(tmp_path, catalogue_rows):
    header, rows = catalogue_rows
    path = write_rows(tmp_path / "cat.csv", [c for c in header if c != "organisms"], rows)
    with pytest.raises(CatalogueError, match=r"cat\.csv: header row: missing column\(s\): organisms"):
        load_catalogue(path)


def test_unexpected_column(tmp_path, catalogue_rows):
    header, rows = catalogue_rows
    for row in rows:
        row["notes"] = "x"
    path = write_rows(tmp_path / "cat.csv", [*header, "notes"], rows)
    with pytest.raises(CatalogueError, match=r"unexpected column\(s\): notes"):
        load_catalogue(path)


def test_unknown_access_model(tmp_path, catalogue_rows):
    header, rows = catalogue_rows
    rows[2]["access_model"] = "public"
    path = write_rows(tmp_path / "cat.csv", header, rows)
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    message = str(info.value)
    assert "cat.csv" in message
    assert f"row 3 (line 4, id '{rows[2]['id']}')" in message
    assert "field 'access_model'" in message
    assert "'public' is not one of open, registered, controlled, tiered" in message


def test_duplicate_id(tmp_path, catalogue_rows):
    header, rows = catalogue_rows
    rows[3]["id"] = rows[1]["id"]
    path = write_rows(tmp_path / "cat.csv", header, rows)
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    message = str(info.value)
    assert "1 problem(s)" in message  # reported once, not once per key constraint
    assert f"row 4 (line 5, id '{rows[1]['id']}'), field 'id'" in message
    assert "repeated (also row 2, line 3)" in message


def test_non_numeric_count(tmp_path, catalogue_rows):
    header, rows = catalogue_rows
    row = next(i for i, r in enumerate(rows) if r["scale"])
    rows[row]["scale"] = "about 900"
    path = write_rows(tmp_path / "cat.csv", header, rows)
    with pytest.raises(CatalogueError, match=rf"row {row + 1} .*field 'scale': 'about 900' is not a whole number"):
        load_catalogue(path)


def test_thousands_separator_is_not_a_number(tmp_path, catalogue_rows):
    header, rows = catalogue_rows
    rows[0]["scale"], rows[0]["scale_unit"] = "1,000", "x"
    path = write_rows(tmp_path / "cat.csv", header, rows)
    with pytest.raises(CatalogueError, match="'1,000' is not a whole number"):
        load_catalogue(path)


@pytest.mark.parametrize("field", ["name", "steward", "description", "access_model"])
def test_empty_required_field(tmp_path, catalogue_rows, field):
    header, rows = catalogue_rows
    rows[4][field] = ""
    path = write_rows(tmp_path / "cat.csv", header, rows)
    with pytest.raises(CatalogueError, match=rf"row 5 \(line 6, id '{rows[4]['id']}'\), field '{field}': is empty but required"):
        load_catalogue(path)


@pytest.mark.parametrize("bad_url", ["gnomad.broadinstitute.org", "http://exa mple.org", "ftp://example.org/x", "https://"])
def test_malformed_url(tmp_path, catalogue_rows, bad_url):
    header, rows = catalogue_rows
    rows[5]["url"] = bad_url
    path = write_rows(tmp_path / "cat.csv", header, rows)
    with pytest.raises(CatalogueError, match=r"row 6 .*field 'url': .* is not a well-formed http\(s\) URL"):
        load_catalogue(path)


def test_every_problem_is_listed_not_just_the_first(tmp_path, catalogue_rows):
    header, rows = catalogue_rows
    rows[0]["access_model"] = "public"
    rows[7]["scale"] = "many"
    path = write_rows(tmp_path / "cat.csv", header, rows)
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    assert "2 problem(s)" in str(info.value)
    assert "row 1 " in str(info.value) and "row 8 " in str(info.value)


def test_error_is_a_value_error():
    assert issubclass(CatalogueError, ValueError)


def test_html_in_text_is_kept_and_rendered_escaped(tmp_path, catalogue_rows):
    header, rows = catalogue_rows
    rows[0]["description"] = '<script>alert("x")</script> <b>bold</b> & more'
    path = write_rows(tmp_path / "cat.csv", header, rows)
    table = load_catalogue(path)
    assert table.loc[0, "description"] == rows[0]["description"]  # nothing stripped or altered
    html = table.to_html()
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;" in html and "&amp; more" in html
    # The same holds for the rich display a notebook shows.
    assert "<script>" not in table._repr_html_()


def test_no_rows_is_an_empty_table_not_an_error(tmp_path, catalogue_rows):
    header, _ = catalogue_rows
    table = load_catalogue(write_rows(tmp_path / "cat.csv", header, []))
    assert len(table) == 0
    assert isinstance(table, pd.DataFrame)


# --- find_repositories --------------------------------------------------------------------


def test_find_repositories_known_answers():
    from genshare.catalogue import find_repositories

    table = load_catalogue()
    rna = find_repositories(table, "rna-seq")
    assert {"Genotype-Tissue Expression project (GTEx)", "Gene Expression Omnibus (GEO)"} <= set(rna["name"])
    # Ordered from most open to most restricted.
    order = [ACCESS_MODELS.index(m) for m in rna["access_model"]]
    assert order == sorted(order)
    aggregate_only = find_repositories(table, "allele frequencies", individual_level=True)
    assert "Genome Aggregation Database (gnomAD)" not in set(aggregate_only["name"])
    assert find_repositories(table, "no such data type").empty


@pytest.mark.parametrize("bad", ["", "   ", None])
def test_find_repositories_rejects_empty_query(bad):
    from genshare.catalogue import find_repositories

    with pytest.raises(ValueError, match="data_type must be a non-empty string"):
        find_repositories(load_catalogue(), bad)


def test_find_repositories_rejects_foreign_table():
    from genshare.catalogue import find_repositories

    with pytest.raises(ValueError, match="lacks column"):
        find_repositories(pd.DataFrame({"a": [1]}), "genotypes")


# --- data-use conditions (data/data_use.csv) ------------------------------------------------


def read_data_use_rows() -> tuple[list[str], list[dict[str, str]]]:
    with DEFAULT_DATA_USE.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_real_data_use_table_loads_and_is_consistent():
    table = load_data_use()
    catalogue_ids = set(load_catalogue()["id"])
    assert set(table["repository"]) <= catalogue_ids
    assert {"dbgap", "gtex", "tcga", "topmed", "igsr", "ukb"} <= set(table["repository"])
    assert not table.duplicated(["repository", "dataset"]).any()
    assert table["source"].str.match(r"^https?://").all() and table["note"].notna().all()
    labelled = table.dropna(subset=["consent_label"])
    assert (labelled["basis"] == "consent group").all()
    for label, conditions in zip(labelled["consent_label"], labelled["duo_conditions"]):
        assert consent_label_to_duo(label) == split_conditions(conditions)
    # controlled data always carry conditions; only open data may have none
    assert table.loc[table["duo_conditions"].isna(), "tier"].eq("open").all()


def test_known_consent_groups():
    table = load_data_use().set_index(["accession", "consent_label"])
    assert ("phs000424", "GRU") in table.index  # GTEx
    assert ("phs000178", "GRU") in table.index  # TCGA
    assert table.loc[("phs000007", "HMB-IRB-NPU-MDS"), "duo_conditions"] == "HMB; IRB; NPU"


def test_annotate_data_use():
    catalogue, data_use = load_catalogue(), load_data_use()
    annotated = annotate_data_use(catalogue, data_use).set_index("id")
    assert len(annotated) == len(catalogue) and list(annotated.columns)[-2:] == ["datasets_with_conditions", "data_use_conditions"]
    assert annotated.loc["dbgap", "datasets_with_conditions"] == (data_use["repository"] == "dbgap").sum() == 4
    assert annotated.loc["tcga", "data_use_conditions"] == "GRU"
    assert annotated.loc["gtex", "data_use_conditions"] == "GRU | open"
    unrecorded = set(catalogue["id"]) - set(data_use["repository"])
    assert (annotated.loc[sorted(unrecorded), "data_use_conditions"] == "not recorded").all()
    assert (annotated.loc[sorted(unrecorded), "datasets_with_conditions"] == 0).all()
    with pytest.raises(ValueError, match="data_use lacks column"):
        annotate_data_use(catalogue, data_use.drop(columns="duo_conditions"))


def _bad_data_use(tmp_path: Path, change) -> Path:
    header, rows = read_data_use_rows()
    header, rows = change(header, rows) or (header, rows)
    return write_rows(tmp_path / "data_use.csv", header, rows)


def _set(index: int, **values):
    def change(header, rows):
        rows[index].update(values)

    return change


@pytest.mark.parametrize(
    "change, message",
    [
        (_set(0, repository="nowhere"), r"row 1 .*'repository': 'nowhere' is not an id in the catalogue"),
        (_set(0, tier="secret"), r"row 1 .*'tier': 'secret' is not one of open, registered, controlled"),
        (_set(0, source="www.example.org"), r"row 1 .*'source'"),
        (_set(0, accession="phs7"), r"row 1 .*'accession'"),
        (_set(0, duo_conditions="HMB; IRB; XYZ"), r"row 1 .*unknown data-use code 'XYZ'"),
        (_set(0, duo_conditions="GRU"), r"row 1 .*HMB-IRB-MDS translates to 'HMB; IRB', not 'GRU'"),
        (_set(0, duo_conditions=""), r"row 1 .*a controlled dataset needs its data-use conditions"),
        (_set(0, consent_label=""), r"row 1 .*basis 'consent group' needs the repository's consent_label"),
        (_set(0, consent_label="EDO"), r"row 1 .*not a standard root"),
        (_set(0, note=""), r"row 1 .*'note': is empty but required"),
        (_set(1, dataset="Framingham Cohort, consent group 1"), r"row 2 .*repository and dataset repeats row 1 \(line 2\)"),
        (lambda header, rows: ([h for h in header if h != "basis"], rows), r"missing column\(s\): basis"),
    ],
)
def test_data_use_bad_input(tmp_path, change, message):
    path = _bad_data_use(tmp_path, change)
    with pytest.raises(CatalogueError, match=message):
        load_data_use(path)


def test_data_use_reports_every_problem_at_once(tmp_path):
    def change(header, rows):
        rows[0]["repository"] = "nowhere"
        rows[2]["duo_conditions"] = "GRU; GRU"

    with pytest.raises(CatalogueError, match=r"2 problem\(s\)") as info:
        load_data_use(_bad_data_use(tmp_path, change))
    assert "row 1" in str(info.value) and "row 3" in str(info.value)


def test_data_use_missing_file(tmp_path):
    with pytest.raises(CatalogueError, match="data-use table file not found"):
        load_data_use(tmp_path / "absent.csv")


# --- hostile files: each malformed-file case ----------------------------------------


def _catalogue_text() -> str:
    return DEFAULT_CATALOGUE.read_text(encoding="utf-8")


def _problems(path: Path, loader=load_catalogue, **kwargs) -> list:
    with pytest.raises(CatalogueError) as info:
        loader(path, **kwargs)
    return info.value.problems


def _write_raw_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def _raw_rows() -> list[list[str]]:
    with DEFAULT_CATALOGUE.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_row_with_an_extra_cell(tmp_path):
    rows = _raw_rows()
    rows[3].append("stray")
    [problem] = _problems(_write_raw_rows(tmp_path / "cat.csv", rows))
    assert (problem.file, problem.row, problem.line, problem.key) == ("cat.csv", 3, 4, rows[3][0])
    assert "has 18 cells but the header has 17" in problem.message and "'stray'" in problem.message


def test_row_with_a_missing_cell(tmp_path):
    rows = _raw_rows()
    rows[2] = rows[2][:-1]
    [problem] = _problems(_write_raw_rows(tmp_path / "cat.csv", rows))
    assert (problem.row, problem.line) == (2, 3) and "1 cell(s) missing" in problem.message


@pytest.mark.parametrize("broken", [',"open,', ',"open"x,'])
def test_unbalanced_quote(tmp_path, broken):
    text = _catalogue_text()
    line = text[: text.index(",open,")].count("\n") + 1
    path = tmp_path / "cat.csv"
    path.write_text(text.replace(",open,", broken, 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match=rf"cat\.csv, line {line}: .*unbalanced '\"'"):
        load_catalogue(path)


def test_unclosed_quote_at_the_end_of_the_file(tmp_path):
    path = tmp_path / "cat.csv"
    path.write_text(_catalogue_text() + '"never closed,x\n', encoding="utf-8")
    problems = _problems(path)
    assert any("never closed" in p.message and p.line == _catalogue_text().count("\n") + 1 for p in problems)


def test_latin1_byte_after_the_first_8_kib(tmp_path):
    rows = _raw_rows()
    rows[1][-1] = "x" * 9000  # push the bad byte beyond any sniffing buffer
    path = _write_raw_rows(tmp_path / "cat.csv", rows)
    last_row = rows[-1]
    path.write_bytes(path.read_bytes().replace(last_row[1].encode(), last_row[1].encode() + b" caf\xe9", 1))
    assert path.read_bytes().index(b"\xe9") > 8192
    [problem] = _problems(path)
    assert (problem.row, problem.key, problem.field) == (len(rows) - 1, last_row[0], "name")
    assert "0xe9, which is not UTF-8" in problem.message


def test_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "cat.csv"
    path.write_bytes(b"\xef\xbb\xbf" + DEFAULT_CATALOGUE.read_bytes())
    assert len(load_catalogue(path)) == len(load_catalogue())


@pytest.mark.parametrize(
    "value, reason",
    [
        ("1_000", "is not a whole number"),
        ("\u0661\u0660\u0660\u0660", "is not a whole number"),  # Arabic-Indic digits, int() accepts them
        ("\uff11\uff10", "is not a whole number"),  # full-width digits
        (" 12", "is not a whole number"),
        ("12.0", "is not a whole number"),
        (str(2**63), "must fit in 64 bits"),
        (str(10**30), "must fit in 64 bits"),
        ("9" * 5000, "must fit in 64 bits"),  # more digits than int() converts by default
    ],
)
def test_integers_are_ascii_digits_within_64_bits(tmp_path, catalogue_rows, value, reason):
    header, rows = catalogue_rows
    row = next(i for i, r in enumerate(rows) if r["scale"])
    rows[row]["scale"] = value
    [problem] = _problems(write_rows(tmp_path / "cat.csv", header, rows))
    assert (problem.row, problem.field) == (row + 1, "scale") and reason in problem.message


def test_largest_64_bit_integer_loads(tmp_path, catalogue_rows):
    header, rows = catalogue_rows
    row = next(i for i, r in enumerate(rows) if r["scale"])
    rows[row]["scale"] = str(2**63 - 1)
    assert load_catalogue(write_rows(tmp_path / "cat.csv", header, rows))["scale"][row] == 2**63 - 1


def test_id_with_a_trailing_newline_is_refused(tmp_path, catalogue_rows):
    header, rows = catalogue_rows
    tcga = next(i for i, r in enumerate(rows) if r["id"] == "tcga")
    rows.insert(tcga + 1, {**rows[tcga], "id": "tcga\n"})
    [problem] = _problems(write_rows(tmp_path / "cat.csv", header, rows))
    assert (problem.row, problem.line, problem.field) == (tcga + 2, tcga + 3, "id")
    assert r"'tcga\n' does not match the pattern" in problem.message


@pytest.mark.parametrize("field", ["url", "access_source"])
def test_url_with_a_trailing_newline_is_refused(tmp_path, catalogue_rows, field):
    header, rows = catalogue_rows
    rows[0][field] += "\n"
    [problem] = _problems(write_rows(tmp_path / "cat.csv", header, rows))
    assert problem.field == field and "is not a well-formed http(s) URL" in problem.message


def test_messages_name_the_right_row_after_a_blank_line(tmp_path):
    rows = _raw_rows()
    rows[5][7] = "public"  # access_model of the fifth data row
    path = _write_raw_rows(tmp_path / "cat.csv", rows)
    lines = path.read_text().split("\n")
    path.write_text("\n".join([*lines[:3], "", *lines[3:]]))
    problems = _problems(path)
    assert [(p.row, p.line, p.key, p.field) for p in problems] == [(None, 4, None, None), (5, 7, rows[5][0], "access_model")]
    assert "blank line" in problems[0].message


def test_line_numbers_count_the_newlines_inside_cells(tmp_path):
    rows = _raw_rows()
    rows[1][-1] = "first line\nsecond line\nthird line"  # description of data row 1 spans 3 lines
    rows[4][7] = "public"
    problems = _problems(_write_raw_rows(tmp_path / "cat.csv", rows))
    assert [(p.row, p.line, p.key) for p in problems] == [(4, 7, rows[4][0])]


def test_repeated_id_names_both_rows(tmp_path, catalogue_rows):
    header, rows = catalogue_rows
    rows[1]["description"] = "two\nlines"
    rows[3]["id"] = rows[1]["id"]
    [problem] = _problems(write_rows(tmp_path / "cat.csv", header, rows))
    assert (problem.row, problem.line) == (4, 6) and "also row 2, line 3" in problem.message


def test_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(CatalogueError, match="the file is empty"):
        load_catalogue(tmp_path / "empty.csv")


# --- hostile descriptors -------------------------------------------------------------------------


def _descriptor() -> dict:
    return json.loads(DEFAULT_DESCRIPTOR.read_text(encoding="utf-8"))


def _fields(package: dict, resource: str = "repositories") -> list:
    return next(r for r in package["resources"] if r["name"] == resource)["schema"]["fields"]


def _field(package: dict, name: str, resource: str = "repositories") -> dict:
    return next(f for f in _fields(package, resource) if f["name"] == name)


def _edit(change):
    def make(path: Path) -> Path:
        package = _descriptor()
        change(package)
        path.write_text(json.dumps(package), encoding="utf-8")
        return path

    return make


def _text(text: str | bytes):
    def make(path: Path) -> Path:
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        return path

    return make


BAD_DESCRIPTORS = {
    "not JSON": (_text("{\"resources\": [}"), "not valid JSON: .* at line 1"),
    "not UTF-8": (_text(b'{"name": "caf\xe9"}'), "not UTF-8 text"),
    "a list": (_text("[]"), "must be a JSON object"),
    "deeply nested": (_text("[" * 100_000 + "]" * 100_000), "not a usable JSON document"),
    "repeated key": (_text('{"resources": [], "resources": []}'), "appear twice"),
    "no resources": (_edit(lambda p: p.pop("resources")), "'resources' must be a list"),
    "resources not a list": (_edit(lambda p: p.update(resources={"a": 1})), "'resources' must be a list"),
    "no such resource": (_edit(lambda p: p["resources"].pop(0)), "no resource named 'repositories'"),
    "resource twice": (_edit(lambda p: p["resources"].append(p["resources"][0])), "2 resources are named"),
    "no schema": (_edit(lambda p: p["resources"][0].pop("schema")), "'schema' must be a Table Schema"),
    "fields not a list": (_edit(lambda p: p["resources"][0]["schema"].update(fields="id")), "'fields' must be a non-empty list"),
    "field not an object": (_edit(lambda p: _fields(p).append("x")), "field #18 must be an object"),
    "field without name": (_edit(lambda p: _field(p, "scale").pop("name")), "needs a 'name'"),
    "field without type": (_edit(lambda p: _field(p, "steward").pop("type")), "field 'steward': 'type' must be one of"),
    "unknown type": (_edit(lambda p: _field(p, "steward").update(type="date")), "not 'date'"),
    "unknown format": (_edit(lambda p: _field(p, "url").update(format="email")), "'format' 'email'"),
    "bad regex": (_edit(lambda p: _field(p, "id")["constraints"].update(pattern="[a-z")), "not a valid regular expression"),
    "pattern not a string": (_edit(lambda p: _field(p, "id")["constraints"].update(pattern=5)), "'pattern' must be a string"),
    "required not boolean": (_edit(lambda p: _field(p, "name")["constraints"].update(required="yes")), "'required' must be true or false"),
    "enum not a list": (_edit(lambda p: _field(p, "individual_level_access")["constraints"].update(enum="none")), "'enum' must be a non-empty list"),
    "minimum not a number": (_edit(lambda p: _field(p, "scale")["constraints"].update(minimum="1")), "'minimum' must be a whole number"),
    "constraints not an object": (_edit(lambda p: _field(p, "name").update(constraints=[])), "'constraints' must be an object"),
    "unknown constraint": (_edit(lambda p: _field(p, "name")["constraints"].update(maximum=3)), "constraint 'maximum' is not checked for string"),
    "field declared twice": (_edit(lambda p: _fields(p).append(_field(p, "name"))), "field 'name' is declared twice"),
    "needed field missing": (_edit(lambda p: _fields(p).remove(_field(p, "scale"))), "field 'scale' is missing"),
    "needed field of another type": (_edit(lambda p: _field(p, "scale").update(type="string", constraints={})), "field 'scale' must have type 'integer'"),
    "access model unknown to genshare": (
        _edit(lambda p: _field(p, "access_model")["constraints"]["enum"].append("public")),
        "'enum' must list only open, registered, tiered, controlled",
    ),
    "primary key names no field": (_edit(lambda p: p["resources"][0]["schema"].update(primaryKey=["ident"])), "'primaryKey' must name fields"),
    "other missing values": (_edit(lambda p: p["resources"][0]["schema"].update(missingValues=["", "NA"])), "'missingValues' must be"),
}


@pytest.mark.parametrize("case", sorted(BAD_DESCRIPTORS))
def test_bad_descriptor_is_a_catalogue_error_naming_it(tmp_path, case):
    make, message = BAD_DESCRIPTORS[case]
    descriptor = make(tmp_path / "datapackage.json")
    with pytest.raises(CatalogueError, match=message) as info:
        load_catalogue(DEFAULT_CATALOGUE, descriptor=descriptor)
    assert str(descriptor) in str(info.value)


def test_bad_data_use_descriptor(tmp_path):
    descriptor = _edit(lambda p: _field(p, "consent_label", "data_use")["constraints"].update(pattern="(unclosed"))(
        tmp_path / "datapackage.json"
    )
    with pytest.raises(CatalogueError, match=r"(?s)resource 'data_use'.*field 'consent_label'.*not a valid regular expression"):
        load_data_use(DEFAULT_DATA_USE, descriptor=descriptor, catalogue=load_catalogue())


def test_missing_descriptor(tmp_path):
    with pytest.raises(CatalogueError, match="descriptor not found"):
        load_catalogue(descriptor=tmp_path / "none.json")


# --- data-use table: everything at once, right rows -------------------------------------------------


def test_data_use_lists_schema_and_consistency_problems_in_one_pass(tmp_path):
    def change(header, rows):
        rows[0]["tier"] = "secret"  # a schema problem
        rows[2]["repository"] = "nowhere"  # a cross-table problem
        rows[3]["duo_conditions"] = "HMB; XYZ"  # a DUO problem
        rows[1]["note"] = "two\nlines"  # shifts the lines after it

    problems = _problems(_bad_data_use(tmp_path, change), load_data_use)
    assert [(p.row, p.line, p.field) for p in problems] == [(1, 2, "tier"), (3, 5, "repository"), (4, 6, "duo_conditions")]
    assert all(p.file == "data_use.csv" and p.key for p in problems)


def test_data_use_dataset_with_a_trailing_newline_is_not_a_new_dataset(tmp_path):
    def change(header, rows):
        rows.insert(1, {**rows[0], "repository": rows[0]["repository"] + "\n"})

    problems = _problems(_bad_data_use(tmp_path, change), load_data_use)
    assert [(p.row, p.field) for p in problems] == [(2, "repository")]


# --- frictionless is needed only when a table is validated -----------------------------------------


def test_catalogue_imports_without_frictionless_and_says_how_to_install_it():
    import subprocess
    import sys

    script = (
        "import sys; sys.modules['frictionless'] = None\n"
        "import genshare.catalogue as c\n"
        "try:\n    c.load_catalogue()\nexcept ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert "'frictionless' package" in out and "pip install frictionless" in out


def test_unbalanced_quote_in_the_header(tmp_path):
    path = tmp_path / "cat.csv"
    path.write_text('id,"name\nx,y\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"cat\.csv, line 1: a quoted cell .* never closed"):
        load_catalogue(path)
