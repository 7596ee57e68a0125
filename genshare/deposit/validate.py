"""Check a deposit folder as a repository's curator would, and report every problem at once.

:func:`validate` reads the dbGaP-style files of :mod:`genshare.deposit.dbgap` and returns a
list of :class:`Finding` (file, line, field, problem); an empty list means nothing was found.
It fails closed: a file it cannot read, a file it does not know, a value it cannot check or
a phenotype column Safe Harbor cannot vouch for is a finding, never a pass.

What is checked:

- every expected file is there, is text of the right kind (a PDF named ``.vcf`` is refused),
  and has rows; every data set (DS) has its data dictionary (DD);
- the DD: the columns, a known TYPE, codes written ``code=meaning``, every DS column
  described and every described variable present;
- every value: of its variable's type (or one of its listed special codes), within MIN and
  MAX, an encoded value among its codes; ids and required columns never empty;
- ids across files: subjects unique and consented in the consent data set, each sample mapped
  to exactly one subject, mapped samples described in the sample attributes, no data for a
  subject who did not consent (CONSENT 0), genotype samples all mapped;
- consent groups: every CONSENT code other than 0 is labelled with a standard dbGaP consent
  label that :func:`genshare.access.consent_label_to_duo` translates;
- the phenotype data set contains nothing :func:`genshare.deidentify.safe_harbor` would remove,
  change or want reviewed (its detection, run on the file in chunks).

Files are streamed (line by line, or in chunks for the Safe Harbor scan), never loaded whole,
and opened read-only: nothing in the folder is changed. A line longer than
:data:`genshare._safe_files.MAX_LINE_CHARS` characters (16 Mi) is a finding, not read whole
(a small gzip file can inflate to gigabytes without a line break). Only regular files are
read: a symbolic link (wherever it points), a folder named like a file, a FIFO or a device
is a finding, examined with ``lstat`` and never opened. Repeated problems of one kind in one
file are reported up to :data:`MAX_PER_PROBLEM` times, then counted in one more finding.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from genshare._safe_files import (
    MAX_LINE_CHARS,
    LineTooLongError,
    NotRegularFileError,
    capped_lines,
    open_regular,
    regular_file_problem,
)
from genshare.access import consent_label_to_duo
from genshare.deidentify.safe_harbor import IDENTIFIER_TYPES, safe_harbor
from genshare.deposit.consent import NOT_CONSENTED
from genshare.deposit.dbgap import DD_COLUMNS, KINDS, TYPES
from genshare.filekind import file_kind

__all__ = ["MAX_PER_PROBLEM", "DepositError", "Finding", "check_deposit", "findings_table", "validate"]

#: How many findings of one kind one file reports in full; the rest are counted.
MAX_PER_PROBLEM = 20
#: Rows per chunk of the Safe Harbor scan.
CHUNK_ROWS = 50_000
#: Files a deposit folder may hold besides the data sets, the VCF and their dictionaries.
_ALLOWED = re.compile(r"(MANIFEST\.(md5|sha256)|README(\.md|\.txt)?|.+\.(pgen|pvar|psam|log|c4gh|pub|sec))$")
_VCF = re.compile(r".+\.vcf(\.gz|\.bgz)?$")
_GT = re.compile(r"^(\.|\d+)([/|](\.|\d+))*$")
#: Distinct readable genotype calls remembered while streaming one VCF.
_READABLE_CALLS = 4096


class Finding(NamedTuple):
    """One problem: the file, the line (1 = header; 0 = the whole file), the field and what is wrong."""

    file: str
    line: int
    field: str
    problem: str

    def __str__(self) -> str:
        where = (
            self.file + (f", line {self.line}" if self.line else "") + (f", field {self.field}" if self.field else "")
        )
        return f"{where}: {self.problem}"


class DepositError(ValueError):
    """Raised by :func:`check_deposit` when a deposit has findings; ``.findings`` lists them."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        shown = "\n".join(f"  - {f}" for f in findings[:10])
        more = f"\n  ... and {len(findings) - 10} more" if len(findings) > 10 else ""
        super().__init__(f"the deposit has {len(findings)} problem(s):\n{shown}{more}")


class _Report:
    """Collects findings, capping repeats of one problem in one file."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self._counts: Counter[tuple[str, str]] = Counter()

    def add(self, file: str, line: int, field: str, problem: str, kind: str | None = None) -> None:
        key = (file, kind or problem)
        self._counts[key] += 1
        if self._counts[key] <= MAX_PER_PROBLEM:
            self.findings.append(Finding(file, line, field, problem))

    def close(self) -> list[Finding]:
        for (file, kind), n in self._counts.items():
            if n > MAX_PER_PROBLEM:
                self.findings.append(Finding(file, 0, "", f"{n - MAX_PER_PROBLEM} more finding(s) like: {kind}"))
        return self.findings


@dataclass
class _Var:
    name: str
    type: str
    units: str
    minimum: float | None
    maximum: float | None
    codes: dict[str, str]


# ------------------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------------------


def _sniff(path: Path) -> str:
    """What a file starts as: 'gzip', 'pdf', 'binary', 'empty' or 'text' (:func:`genshare.filekind.file_kind`).

    Call only on a path :func:`_unusable` accepted (a regular file, not a link), so that
    sniffing never opens a FIFO or a device.
    """
    kind = file_kind(path)
    return {"vcf": "text", "vcf.gz": "gzip", "bed": "binary", "pgen": "binary"}.get(kind, kind)


_KIND_WORDS = {"pdf": "a PDF document", "binary": "a binary file", "gzip": "gzip-compressed data", "empty": "empty"}


def _unusable(path: Path) -> str | None:
    """Why a deposit file cannot be read (None if it can): it must be a regular file in the folder.

    A symbolic link is refused wherever it points (a link to ``/etc/passwd`` would
    otherwise be read, and a deposit holds the files themselves); so are folders, FIFOs,
    devices and sockets, which are examined with ``lstat`` and never opened.
    """
    problem = regular_file_problem(path)
    if problem is None or problem == "no such file":
        return problem
    return problem + "; a deposit holds regular files only"


def _text_lines(path: Path, handle_factory) -> Generator[str, None, None]:
    """Lines of a regular file, each at most :data:`MAX_LINE_CHARS` characters (else LineTooLongError)."""
    with open_regular(path) as raw, handle_factory(raw) as handle:
        yield from capped_lines(handle, path.name)


def _too_long(error: LineTooLongError) -> str:
    return f"a line is longer than {MAX_LINE_CHARS:,} characters: not a file of this kind, or an endless line ({error})"


def _rows(path: Path, report: _Report) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of a tab-delimited text file, streamed; problems reading it are findings."""
    problem = _unusable(path)
    if problem:
        report.add(path.name, 0, "", problem)
        return
    kind = _sniff(path)
    if kind != "text":
        report.add(path.name, 0, "", f"not a tab-delimited text file: {_KIND_WORDS[kind]}")
        return

    def text(raw):  # a byte-order mark is not part of the header
        return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")

    try:
        lines = _text_lines(path, text)
        yield from enumerate(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE), start=1)
    except UnicodeDecodeError:
        report.add(path.name, 0, "", "not UTF-8 text")
    except csv.Error as error:
        report.add(path.name, 0, "", f"cannot be read as tab-delimited text ({error})")
    except LineTooLongError as error:
        report.add(path.name, 0, "", _too_long(error))
    except (NotRegularFileError, OSError) as error:  # replaced by something else while being read
        report.add(path.name, 0, "", f"cannot be read ({error})")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _read_dd(path: Path, report: _Report) -> dict[str, _Var] | None:
    """The variables a DD describes, or None when it cannot be used (findings say why)."""
    name = path.name
    variables: dict[str, _Var] = {}
    header: list[str] | None = None
    for line, row in _rows(path, report):
        if header is None:
            header = row
            missing = [c for c in DD_COLUMNS if c not in row]
            if missing:
                report.add(name, 1, ", ".join(missing), f"the data dictionary lacks column(s) {', '.join(missing)}")
                return None
            continue
        cells = dict(zip(header, row, strict=False))  # a short row leaves its last cells out
        values_at = header.index("VALUES")
        varname = cells.get("VARNAME", "").strip()
        if not varname:
            report.add(name, line, "VARNAME", "empty variable name")
            continue
        if varname in variables:
            report.add(name, line, "VARNAME", f"variable {varname} is described twice")
            continue
        vtype = cells.get("TYPE", "").strip().lower()
        if vtype not in TYPES:
            report.add(
                name, line, "TYPE", f"{varname}: unknown type {cells.get('TYPE', '')!r}; use one of {', '.join(TYPES)}"
            )
            vtype = "unknown"
        if not cells.get("VARDESC", "").strip():
            report.add(name, line, "VARDESC", f"{varname}: no description")
        codes: dict[str, str] = {}
        for cell in row[values_at:]:
            if not cell.strip():
                continue
            code, sep, meaning = cell.partition("=")
            if not sep or not code.strip() or not meaning.strip():
                report.add(name, line, "VALUES", f"{varname}: value code {cell!r} is not written code=meaning")
            elif code.strip() in codes:
                report.add(name, line, "VALUES", f"{varname}: code {code.strip()} is listed twice")
            else:
                codes[code.strip()] = meaning.strip()
        if vtype == "encoded value" and not codes:
            report.add(name, line, "VALUES", f"{varname}: an encoded value lists no codes")
        limits = []
        for column in ("MIN", "MAX"):
            text = cells.get(column, "").strip()
            value = _number(text) if text else None
            if text and (value is None or vtype not in ("integer", "decimal")):
                report.add(
                    name,
                    line,
                    column,
                    f"{varname}: {column} {text!r} is not a number of an integer or decimal variable",
                )
                value = None
            limits.append(value)
        units = cells.get("UNITS", "").strip()
        if vtype == "decimal" and not units:
            report.add(name, line, "UNITS", f"{varname}: a decimal measurement needs its UNITS")
        if units and vtype not in ("integer", "decimal"):
            report.add(name, line, "UNITS", f"{varname}: UNITS {units!r} given for a variable of type {vtype}")
        variables[varname] = _Var(varname, vtype, units, limits[0], limits[1], codes)
    if header is None:
        report.add(name, 0, "", "the data dictionary is empty")
        return None
    if not variables:
        report.add(name, 0, "", "the data dictionary describes no variable")
    return variables


def _value_problem(value: str, var: _Var) -> str | None:
    """Why a non-empty value does not fit its variable, or None."""
    if value in var.codes:
        return None
    if var.type == "encoded value":
        return f"{value!r} is not one of the codes {', '.join(var.codes)}"
    if var.type in ("integer", "decimal"):
        number = _number(value)
        if number is None or (var.type == "integer" and not re.fullmatch(r"[+-]?\d+", value.strip())):
            return f"{value!r} is not {'an integer' if var.type == 'integer' else 'a decimal number'}"
        if var.minimum is not None and number < var.minimum:
            return f"{value} is below the minimum {var.minimum:g}"
        if var.maximum is not None and number > var.maximum:
            return f"{value} is above the maximum {var.maximum:g}"
    return None


# ------------------------------------------------------------------------------------------
# The checks
# ------------------------------------------------------------------------------------------


def _check_dataset(folder: Path, kind: str, report: _Report, ids: dict) -> dict[str, list[tuple[int, str]]] | None:
    """Check one DS against its DD; return {id column: [(line, id), ...]} for the cross-file checks."""
    ds, dd = folder / f"{kind}_DS.txt", folder / f"{kind}_DD.txt"
    ds_problem, dd_problem = _unusable(ds), _unusable(dd)
    if ds_problem == "no such file":
        report.add(ds.name, 0, "", f"missing: a deposit needs a {kind} data set")
        return None
    if ds_problem:
        report.add(ds.name, 0, "", ds_problem)
        return None
    variables = _read_dd(dd, report) if dd_problem is None else None
    if dd_problem == "no such file":
        report.add(dd.name, 0, "", f"missing: every data set needs its data dictionary ({ds.name} has none)")
    elif dd_problem:
        report.add(dd.name, 0, "", dd_problem)
    required = KINDS[kind]
    id_columns = [c for c in ("SUBJECT_ID", "SAMPLE_ID") if c in required]
    found: dict[str, list[tuple[int, str]]] = {c: [] for c in id_columns}
    header: list[str] | None = None
    n_rows = 0
    for line, row in _rows(ds, report):
        if header is None:
            header = [c.strip() for c in row]
            for column in required:
                if column not in header:
                    report.add(ds.name, 1, column, f"required column {column} is missing")
            repeated = sorted(c for c, n in Counter(header).items() if n > 1)
            for column in repeated:
                report.add(ds.name, 1, column, f"column {column} appears more than once")
            if variables is not None:
                for column in header:
                    if column not in variables:
                        report.add(ds.name, 1, column, f"column {column} is not described in {dd.name}")
                for column in variables:
                    if column not in header:
                        report.add(dd.name, 0, column, f"variable {column} is described but not in {ds.name}")
            if header[:1] != [required[0]]:
                report.add(ds.name, 1, header[0] if header else "", f"the first column must be {required[0]}")
            continue
        n_rows += 1
        if len(row) != len(header):
            report.add(
                ds.name, line, "", f"{len(row)} fields where the header has {len(header)}", "wrong number of fields"
            )
            continue
        for column, value in zip(header, row, strict=True):  # same length: checked just above
            value = value.strip()
            if not value:
                if column in required:
                    report.add(ds.name, line, column, f"empty {column}", f"empty {column}")
                continue
            if column in found:
                found[column].append((line, value))
            var = variables.get(column) if variables else None
            if var is not None and var.type != "unknown":
                problem = _value_problem(value, var)
                if problem:
                    report.add(ds.name, line, column, problem, f"{column}: value does not fit the dictionary")
        if kind == "SubjectConsent" and "CONSENT" in header and len(row) == len(header):
            ids["consent_of"][row[header.index("SUBJECT_ID")].strip() if "SUBJECT_ID" in header else ""] = row[
                header.index("CONSENT")
            ].strip()
    if header is None:
        report.add(ds.name, 0, "", "empty file: no header and no rows")
    elif n_rows == 0:
        report.add(ds.name, 0, "", "no rows: the data set has a header only")
    if kind == "SubjectConsent" and variables is not None and "CONSENT" in variables:
        _check_consent_codes(dd, variables["CONSENT"], report)
    return found


def _check_consent_codes(dd: Path, var: _Var, report: _Report) -> None:
    """Every consent group other than 0 must carry a standard dbGaP consent label."""
    for code, meaning in var.codes.items():
        if code == str(NOT_CONSENTED):
            continue
        if not re.fullmatch(r"[1-9]\d*", code):
            report.add(
                dd.name,
                0,
                "CONSENT",
                f"consent code {code!r} is not a whole number (0 for no consent, 1, 2, ... for groups)",
            )
            continue
        label = meaning.split()[0] if meaning.split() else ""
        try:
            consent_label_to_duo(label)
        except ValueError as error:
            report.add(dd.name, 0, "CONSENT", f"consent group {code}: {error}")


def _check_consented(
    report: _Report, file: str, rows: list[tuple[int, str]], subjects: set[str], silent: set[str], what: str
) -> None:
    """Every SUBJECT_ID of ``file`` must be in the Subject Consent data set and have consented."""
    for line, subject in rows:
        if subject not in subjects:
            report.add(file, line, "SUBJECT_ID", f"subject {subject} is not in the Subject Consent data set")
        elif subject in silent:
            report.add(file, line, "SUBJECT_ID", f"subject {subject} did not consent (CONSENT 0) but has {what}")


def _check_vcf(path: Path, report: _Report) -> list[tuple[int, str]]:
    """Check a VCF's form, streaming it; return [(line of the #CHROM header, sample id), ...]."""
    name = path.name
    problem = _unusable(path)
    if problem:
        report.add(name, 0, "", problem)
        return []
    kind = _sniff(path)
    if kind not in ("gzip", "text"):
        report.add(name, 0, "", f"not a VCF: the file is {_KIND_WORDS[kind]}")
        return []

    def text(raw):
        inner = gzip.GzipFile(fileobj=raw, mode="rb") if kind == "gzip" else raw
        return io.TextIOWrapper(inner, encoding="utf-8", newline="")

    samples: list[tuple[int, str]] = []
    header_line = 0
    n_fields = 0
    n_records = 0
    readable: set[str] = set()
    lines = _text_lines(path, text)
    try:
        first = next(lines, "")
        if not first.startswith("##fileformat=VCF"):
            if first:
                report.add(name, 1, "", "not a VCF: the first line is not ##fileformat=VCFv4.x")
            else:
                report.add(name, 1, "", "not a VCF: no ##fileformat=VCFv4.x line")
            lines.close()
            return []
        for number, line in enumerate(lines, start=2):
            if line.startswith("##"):
                continue
            line = line.rstrip("\r\n")
            if line.startswith("#"):
                fields = line.split("\t")
                header_line, n_fields = number, len(fields)
                if fields[:8] != ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]:
                    report.add(
                        name, number, "#CHROM", "the header line does not start #CHROM POS ID REF ALT QUAL FILTER INFO"
                    )
                if len(fields) <= 9 or fields[8] != "FORMAT":
                    report.add(name, number, "", "the VCF has no samples (no FORMAT column and sample ids)")
                    return []
                samples = [(number, s) for s in fields[9:]]
                for sample, n in Counter(fields[9:]).items():
                    if n > 1:
                        report.add(name, number, sample, f"sample {sample} appears {n} times in the header")
                continue
            if not header_line:
                report.add(name, number, "", "a record comes before the #CHROM header line")
                return samples
            n_records += 1
            fields = line.split("\t")
            if len(fields) != n_fields:
                report.add(
                    name,
                    number,
                    "",
                    f"{len(fields)} fields where the header has {n_fields}",
                    "VCF: wrong number of fields",
                )
                continue
            if not fields[8].startswith("GT"):
                report.add(name, number, "FORMAT", "the first FORMAT key must be GT", "VCF: FORMAT without GT")
                continue
            if fields[8] == "GT":
                # A row holds a handful of distinct calls ("0/0", "0/1", "./.", ...):
                # each new one is matched once, and the file's readable calls remembered.
                calls = set(fields[9:])
                unseen = calls - readable
                if all(_GT.match(call) for call in unseen):
                    if len(readable) + len(unseen) > _READABLE_CALLS:
                        readable.clear()  # a bound on memory, whatever the file holds
                    readable |= unseen
                    continue
            bad = next((i for i, call in enumerate(fields[9:]) if not _GT.match(call.split(":", 1)[0])), None)
            if bad is not None:
                report.add(
                    name,
                    number,
                    samples[bad][1],
                    f"genotype {fields[9 + bad]!r} cannot be read",
                    "VCF: unreadable genotype",
                )
    except LineTooLongError as error:
        report.add(name, 0, "", _too_long(error))
        return samples
    except NotRegularFileError as error:
        report.add(name, 0, "", f"cannot be read ({error})")
        return samples
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        report.add(name, 0, "", f"cannot be read to the end ({type(error).__name__}: {error}); truncated or corrupt?")
        return samples
    finally:
        lines.close()
    if not header_line:
        report.add(name, 0, "", "no #CHROM header line: not a complete VCF")
    elif n_records == 0:
        report.add(name, 0, "", "the VCF has no variant records")
    return samples


def _chunks(path: Path) -> Iterator[tuple[pd.DataFrame, list[int]]]:
    """The rows of a table in chunks of :data:`CHUNK_ROWS`, with each row's line number.

    Rows whose number of fields differs from the header's are left out (they are reported
    by the data-set check), so the line numbers stay those of the file.
    """
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    for line, row in _rows(path, _Report()):  # problems reading it are reported by the data-set check
        if header is None:
            header = [c.strip() for c in row]
            continue
        if len(row) == len(header):
            rows.append(row)
            lines.append(line)
        if len(rows) == CHUNK_ROWS:
            yield pd.DataFrame(rows, columns=header), lines
            rows, lines = [], []
    if rows and header is not None:
        yield pd.DataFrame(rows, columns=header), lines


def _check_safe_harbor(path: Path, variables: dict[str, _Var] | None, report: _Report) -> None:
    """Report every phenotype cell or column that Safe Harbor would change or wants reviewed.

    The detection is :func:`genshare.deidentify.safe_harbor` itself, run on each chunk of the
    file: a column it would remove or transform, a value it would change, and a column it
    says needs review are findings. The subject ids and the dictionary's encoded variables
    (codes from a fixed list) are kept out of its rule-R check for unique codes, as are
    measurements with units, which the dictionary types and bounds.
    """
    encoded = [v.name for v in (variables or {}).values() if v.type == "encoded value"]
    measured = {v.name for v in (variables or {}).values() if v.type in ("integer", "decimal") and v.units}
    removed: set[str] = set()
    reviewed: set[tuple[str, str]] = set()
    for chunk, lines in _chunks(path):
        if chunk.columns.duplicated().any():
            return  # repeated column names are reported by the data-set check; Safe Harbor needs unique ones
        keep = [c for c in ("SUBJECT_ID", *encoded) if c in chunk.columns]
        released, sh_report = safe_harbor(chunk, {}, keep=keep)
        for row in sh_report.itertuples(index=False):
            column = str(row.column)
            if row.identifier == "R" and column in measured:
                continue  # a measurement the dictionary types and bounds, not a code
            if row.status == "needs review" and (column, row.action) not in reviewed:
                reviewed.add((column, row.action))
                report.add(path.name, 0, column, f"Safe Harbor cannot vouch for this column: {row.action}")
            elif (
                row.status != "needs review" and row.cells and column not in released.columns and column not in removed
            ):
                removed.add(column)
                report.add(
                    path.name,
                    1,
                    column,
                    f"Safe Harbor identifier ({row.identifier}: "
                    f"{IDENTIFIER_TYPES.get(row.identifier, 'unknown')}): {row.action}",
                )
        for column in chunk.columns.intersection(released.columns):
            before = chunk[column].str.strip().reset_index(drop=True)
            after = released[column].astype("string").fillna("").reset_index(drop=True)
            changed = before.ne(after) & ~(before.eq("") & after.eq(""))
            for position in changed[changed].index:
                report.add(
                    path.name,
                    lines[position],
                    column,
                    f"Safe Harbor would change {before[position]!r} to {after[position]!r}",
                    f"{column}: Safe Harbor would change values",
                )


def validate(folder: str | PathLike[str]) -> list[Finding]:
    """Check a deposit folder; return every problem found (an empty list: nothing found).

    Parameters
    ----------
    folder
        A folder holding ``SubjectConsent``, ``SubjectSampleMapping``, ``SampleAttributes``
        and ``SubjectPhenotypes`` data sets (``<kind>_DS.txt``) with their dictionaries
        (``<kind>_DD.txt``) and genotypes as VCF (``*.vcf``, ``*.vcf.gz``), as
        :func:`genshare.deposit.write_submission` writes them.

    Returns
    -------
    list of Finding
        ``(file, line, field, problem)``, line 1 being the header and 0 the whole file.

    Raises
    ------
    FileNotFoundError
        If ``folder`` does not exist or is not a folder (nothing to check at all).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as empty:
    ...     [f.file for f in validate(empty)][:2]
    ['SubjectConsent_DS.txt', 'SubjectSampleMapping_DS.txt']
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    report = _Report()
    ids: dict = {"consent_of": {}}
    found: dict[str, dict[str, list[tuple[int, str]]] | None] = {}
    for kind in KINDS:
        found[kind] = _check_dataset(folder, kind, report, ids)
    phenotypes = folder / "SubjectPhenotypes_DS.txt"
    if _unusable(phenotypes) is None:
        dd = folder / "SubjectPhenotypes_DD.txt"
        _check_safe_harbor(phenotypes, _read_dd(dd, _Report()) if _unusable(dd) is None else None, report)

    known = {f"{kind}_{part}.txt" for kind in KINDS for part in ("DS", "DD")}
    vcfs = sorted(p for p in folder.iterdir() if _VCF.fullmatch(p.name))
    for path in sorted(folder.iterdir()):
        if path.name not in known and path not in vcfs and not _ALLOWED.fullmatch(path.name):
            report.add(
                path.name, 0, "", "not a file of a dbGaP deposit this check knows; remove it or check it by hand"
            )
        elif path.name not in known and path not in vcfs and _unusable(path):
            report.add(path.name, 0, "", _unusable(path) or "")
    if not vcfs:
        report.add("*.vcf.gz", 0, "", "missing: no genotype file (VCF) in the deposit")
    vcf_samples = {p.name: _check_vcf(p, report) for p in vcfs}

    # --- ids across files -----------------------------------------------------------------
    consent_of: dict[str, str] = ids["consent_of"]
    consent_ids = found["SubjectConsent"]
    if consent_ids:
        for subject, lines in _repeats(consent_ids["SUBJECT_ID"]).items():
            for line in lines[1:]:
                report.add(
                    "SubjectConsent_DS.txt",
                    line,
                    "SUBJECT_ID",
                    f"subject {subject} is listed more than once (first on line {lines[0]})",
                )
    subjects = set(consent_of) if consent_ids else None
    silent = {s for s, c in consent_of.items() if c == str(NOT_CONSENTED)}
    mapping = found["SubjectSampleMapping"]
    sample_owner: dict[str, str] = {}
    if mapping:
        owners: dict[str, list[tuple[int, str]]] = defaultdict(list)
        # Paired by line, not by position: a row with an empty id (reported above) has only
        # one of the two, and must not shift the pairs after it.
        sample_on = dict(mapping["SAMPLE_ID"])
        for line, subject in mapping["SUBJECT_ID"]:
            if line in sample_on:
                owners[sample_on[line]].append((line, subject))
        for sample, rows in owners.items():
            sample_owner[sample] = rows[0][1]
            if len({s for _, s in rows}) > 1:
                report.add(
                    "SubjectSampleMapping_DS.txt",
                    rows[1][0],
                    "SAMPLE_ID",
                    f"sample {sample} is mapped to more than one subject ({', '.join(sorted({s for _, s in rows}))})",
                )
            elif len(rows) > 1:
                report.add("SubjectSampleMapping_DS.txt", rows[1][0], "SAMPLE_ID", f"sample {sample} is listed twice")
        if subjects is not None:
            _check_consented(report, "SubjectSampleMapping_DS.txt", mapping["SUBJECT_ID"], subjects, silent, "a sample")
    attributes = found["SampleAttributes"]
    described: set[str] = set()
    if attributes:
        for sample, lines in _repeats(attributes["SAMPLE_ID"]).items():
            report.add("SampleAttributes_DS.txt", lines[1], "SAMPLE_ID", f"sample {sample} is described more than once")
        described = {s for _, s in attributes["SAMPLE_ID"]}
        if mapping:
            for line, sample in attributes["SAMPLE_ID"]:
                if sample not in sample_owner:
                    report.add(
                        "SampleAttributes_DS.txt",
                        line,
                        "SAMPLE_ID",
                        f"sample {sample} is not in the Subject Sample Mapping",
                    )
            for sample in sample_owner.keys() - described:
                line = next(line for line, s in mapping["SAMPLE_ID"] if s == sample)
                report.add(
                    "SubjectSampleMapping_DS.txt",
                    line,
                    "SAMPLE_ID",
                    f"sample {sample} has no row in the Sample Attributes data set",
                )
    pheno = found["SubjectPhenotypes"]
    if pheno:
        for subject, lines in _repeats(pheno["SUBJECT_ID"]).items():
            report.add("SubjectPhenotypes_DS.txt", lines[1], "SUBJECT_ID", f"subject {subject} has more than one row")
        if subjects is not None:
            _check_consented(report, "SubjectPhenotypes_DS.txt", pheno["SUBJECT_ID"], subjects, silent, "phenotypes")
    for name, samples in vcf_samples.items():
        for line, sample in samples:
            if mapping is not None and sample not in sample_owner:
                report.add(
                    name,
                    line,
                    sample,
                    f"genotype sample {sample} is not in the Subject Sample Mapping",
                    "VCF sample not mapped",
                )
            elif sample_owner.get(sample) in silent:
                report.add(
                    name,
                    line,
                    sample,
                    f"genotype sample {sample} belongs to a subject who did not consent",
                    "VCF sample not consented",
                )
    return report.close()


def _repeats(pairs: list[tuple[int, str]]) -> dict[str, list[int]]:
    lines: dict[str, list[int]] = defaultdict(list)
    for line, value in pairs:
        lines[value].append(line)
    return {value: found for value, found in lines.items() if len(found) > 1}


def findings_table(findings: list[Finding]) -> pd.DataFrame:
    """The findings as a table with columns ``file``, ``line``, ``field``, ``problem``."""
    return pd.DataFrame(findings, columns=list(Finding._fields))


def check_deposit(folder: str | PathLike[str]) -> None:
    """Validate a deposit and raise :class:`DepositError` listing every finding if there is any."""
    findings = validate(folder)
    if findings:
        raise DepositError(findings)
