"""Read a user's own files for the risk check: tables (CSV/TSV) and genotypes (VCF, PLINK).

Everything here reads and never writes: the user's files are opened read-only and
nothing is created next to them (no index, no cache). Large files are streamed: a table
is read in chunks of rows, and a genotype file one block of variants at a time, keeping
only what the risk check needs (counts of quasi-identifier combinations, the Safe
Harbor findings, per-SNP allele counts), so memory does not grow with the file.

Genotype files are read with well-kept libraries, installed as the optional extra
``risk`` (``pip install -e ".[risk]"``): ``cyvcf2`` (htslib) for VCF, plain or
bgzip-compressed, and ``pgenlib`` (PLINK 2's own reader) for PLINK 1 ``.bed`` and
PLINK 2 ``.pgen`` filesets. Without them the genotype part of the check is reported as
not assessed, with the command that installs them.

Every problem raises :class:`RiskInputError`, whose message names the file and says
what is wrong.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from genshare._safe_files import (
    MAX_LINE_CHARS,
    CappedReader,
    LineTooLongError,
    NotRegularFileError,
    capped_lines,
    open_regular,
)
from genshare.deidentify.safe_harbor import REPORT_COLUMNS, safe_harbor
from genshare.filekind import file_kind

__all__ = [
    "GenotypeSummary",
    "MissingReaderError",
    "RiskInputError",
    "TableSummary",
    "file_kind",
    "read_genotype_summary",
    "read_table_summary",
]

#: Rows of a table read at a time.
CHUNK_ROWS = 200_000
#: Variants of a genotype file counted at a time.
CHUNK_VARIANTS = 4096
#: How to install the optional readers.
INSTALL_HINT = 'pip install "genshare[risk]" (or pip install cyvcf2 pgenlib)'


class RiskInputError(ValueError):
    """A file given to the risk check cannot be used; the message names the file and the problem."""


class MissingReaderError(RiskInputError):
    """The optional library that reads this kind of genotype file is not installed."""


def _problem(path: Path, message: str) -> RiskInputError:
    return RiskInputError(f"{path}: {message}")


def _existing_file(path: str | PathLike[str], what: str) -> Path:
    if not isinstance(path, (str, PathLike)):
        raise RiskInputError(f"{what} must be a path to a file; got {type(path).__name__}")
    path = Path(path)
    if not path.exists():
        raise _problem(path, f"{what} not found (no such file)")
    if not path.is_file():
        raise _problem(path, f"{what} is not a regular file (a directory?)")
    return path


# --- tables --------------------------------------------------------------------------------------


@contextmanager
def _table_bytes(path: Path, compressed: bool) -> Iterator[io.BufferedReader[CappedReader]]:
    """The table's bytes (inflated if gzip), refusing a line longer than :data:`MAX_LINE_CHARS`.

    The file is opened only if it is a regular file (a FIFO swapped in is never waited on),
    and every line is counted as it streams past, so an endless line (say a small gzip file
    that inflates to gigabytes without a line break) raises :class:`LineTooLongError`
    instead of filling memory.
    """
    try:
        raw = open_regular(path, follow_symlinks=True)
    except NotRegularFileError as error:
        raise RiskInputError(str(error)) from None
    try:
        inner = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        with io.BufferedReader(CappedReader(inner, str(path))) as capped:
            yield capped
    finally:
        raw.close()


@dataclass
class TableSummary:
    """What the risk check keeps of a table: combinations of quasi-identifiers with counts, and findings.

    Attributes
    ----------
    path
        The file read.
    n_rows
        Data rows (the header excluded).
    columns
        Every column of the file, in order.
    quasi_identifiers
        The columns the user named.
    combinations
        One row per distinct combination of quasi-identifier values, the values as text
        (an empty cell is ``""``), with a ``count`` column; shape (combinations, QIs + 1).
    safe_harbor
        The findings of :func:`genshare.deidentify.safe_harbor` over every chunk, summed:
        ``column, identifier, action, cells, status``.
    sample_ids
        The values of the sample-id column, if one was named.
    """

    path: Path
    n_rows: int
    columns: list[str]
    quasi_identifiers: list[str]
    combinations: pd.DataFrame
    safe_harbor: pd.DataFrame
    sample_ids: list[str] | None = None
    chunks: int = 1


def _delimiter(path: Path, first_line: str) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if ".tsv" in suffixes or ".tab" in suffixes:
        return "\t"
    if ".csv" in suffixes:
        return ","
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def read_table_summary(
    path: str | PathLike[str],
    quasi_identifiers: str | Sequence[str],
    *,
    sample_id_column: str | None = None,
    zip3_population: dict[str, int] | None = None,
    keep: Sequence[str] = (),
    chunk_rows: int = CHUNK_ROWS,
) -> TableSummary:
    """Stream a CSV or TSV table and keep what the risk check needs.

    The file is read ``chunk_rows`` rows at a time, every cell as text (so that ZIP codes
    keep their leading zeros and nothing is guessed). Quasi-identifier combinations are
    counted across chunks, and :func:`~genshare.deidentify.safe_harbor` is run on each
    chunk with the findings summed (a finding that depends on the whole column, such as
    "every value is distinct", is decided per chunk, which can only report more, never
    less).

    Parameters
    ----------
    path
        A ``.csv`` or ``.tsv`` file (``.gz`` compressed allowed), header in the first line.
    quasi_identifiers
        The column(s) an attacker could link on (such as ZIP code, birth date, sex).
    sample_id_column
        Optional column holding the sample ids that the genotype file uses.
    zip3_population
        Population of each three-digit ZIP area, for Safe Harbor's 20,000-person rule;
        ``None`` treats every area as small (every ZIP3 becomes 000: fail closed).
    keep
        Columns Safe Harbor should leave alone (a random study code).
    chunk_rows
        Rows read at a time, at least 2. Safe Harbor's findings per chunk include every
        finding on the whole table (a value distinct or unique in the table is so in its
        chunk), and may add some (a code repeated only across chunks).

    Returns
    -------
    TableSummary

    Raises
    ------
    RiskInputError
        Missing file, a file that is not a text table (a PDF, a VCF, a binary file), an
        empty file or a table with no rows, or named columns that the table lacks (all of
        them listed, with the columns it has).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "t.csv")
    ...     _ = open(path, "w").write("zip,sex\\n02138,F\\n02138,F\\n02139,M\\n")
    ...     summary = read_table_summary(path, ["zip", "sex"])
    >>> summary.n_rows, summary.combinations["count"].tolist()
    (3, [2, 1])
    """
    path = _existing_file(path, "table")
    kind = file_kind(path)
    compressed = kind == "gzip" and path.suffix.lower() == ".gz"
    if kind == "empty":
        raise _problem(path, "the table is empty (0 bytes): no header and no rows")
    if kind != "text" and not compressed:
        raise _problem(path, f"not a CSV/TSV text table: its content is {kind.upper()}, whatever its name says")
    if isinstance(quasi_identifiers, str):
        quasi_identifiers = [quasi_identifiers]
    quasi_identifiers = list(quasi_identifiers)
    if not quasi_identifiers:
        raise _problem(path, "name at least one quasi-identifier column")
    if not isinstance(chunk_rows, int) or isinstance(chunk_rows, bool) or chunk_rows < 2:
        # Two rows at least: Safe Harbor's "every value is distinct" needs two values to compare.
        raise RiskInputError(f"chunk_rows must be an integer of at least 2; got {chunk_rows!r}")
    with (
        _table_bytes(path, compressed) as raw,
        io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as handle,
    ):
        too_long = False
        try:
            first_line = handle.readline(MAX_LINE_CHARS + 1)
        except LineTooLongError:  # the byte count passed the cap before the characters did
            first_line, too_long = "", True
        except (OSError, EOFError, zlib.error) as error:
            raise _problem(path, f"cannot be read ({type(error).__name__}: {error}); truncated or corrupt?") from None
    if too_long or len(first_line) > MAX_LINE_CHARS:
        raise _problem(
            path,
            f"the first line (the header) is longer than {MAX_LINE_CHARS:,} characters: not a table "
            "of this kind, or an endless line; refused rather than read whole",
        )
    if not first_line.strip():
        raise _problem(path, "the table is empty: the first line (the header) is blank")
    sep = _delimiter(path, first_line)
    # The header as written: pandas renames a repeated name (zip5, zip5.1), which would hide it.
    header = next(csv.reader([first_line.rstrip("\r\n")], delimiter=sep), [])
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise _problem(
            path, f"the header repeats column name(s) {', '.join(map(repr, repeated))}; each column needs its own name"
        )
    options = dict(sep=sep, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8-sig")
    try:
        with _table_bytes(path, compressed) as raw:
            columns = list(pd.read_csv(raw, nrows=0, **options).columns)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        raise _problem(path, f"cannot be read as a table ({error})") from None
    if len(columns) != len(header):
        raise _problem(
            path,
            f"the header cannot be read consistently (found {len(header)} names, the table reader "
            f"{len(columns)}); check its quoting",
        )
    wanted = quasi_identifiers + ([sample_id_column] if sample_id_column else []) + list(keep)
    missing = [c for c in wanted if c not in columns]
    if missing:
        raise _problem(
            path,
            f"the table has no column(s) {', '.join(map(repr, missing))}; "
            f"its columns are {', '.join(map(repr, columns))}",
        )
    counts: list[pd.Series] = []
    findings: list[pd.DataFrame] = []
    sample_ids: list[str] | None = [] if sample_id_column else None
    n_rows = chunks = 0
    try:
        with _table_bytes(path, compressed) as raw:
            reader = pd.read_csv(raw, chunksize=chunk_rows, **options)
            for chunk in reader:
                if chunk.empty:  # a header with no rows: reported below
                    continue
                chunks += 1
                n_rows += len(chunk)
                counts.append(chunk.groupby(quasi_identifiers, sort=False).size())
                released = chunk.replace("", np.nan)
                findings.append(safe_harbor(released, zip3_population or {}, keep=list(keep))[1])
                if sample_ids is not None:
                    sample_ids.extend(chunk[sample_id_column].tolist())
                if len(counts) > 8:  # merge as we go: memory follows distinct combinations, not rows
                    counts = [pd.concat(counts).groupby(level=list(range(len(quasi_identifiers))), sort=False).sum()]
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise _problem(path, f"cannot be read as a table after {n_rows} rows ({error})") from None
    except LineTooLongError:
        raise _problem(
            path,
            f"a line after row {n_rows} is longer than {MAX_LINE_CHARS:,} characters: not a table "
            "of this kind, or an endless line; refused rather than read whole",
        ) from None
    except (OSError, EOFError, zlib.error) as error:
        raise _problem(
            path, f"cannot be read after {n_rows} rows ({type(error).__name__}: {error}); truncated or corrupt?"
        ) from None
    if n_rows == 0:
        raise _problem(path, "the table has a header but no rows")
    total = pd.concat(counts).groupby(level=list(range(len(quasi_identifiers))), sort=False).sum()
    combinations = total.rename("count").reset_index()
    combinations.columns = [*quasi_identifiers, "count"]
    report = pd.concat(findings, ignore_index=True)
    if len(report):
        report = (
            report.groupby(["column", "identifier", "action", "status"], sort=False)["cells"]
            .sum()
            .reset_index()[REPORT_COLUMNS]
        )
        report = report[report["cells"] > 0].reset_index(drop=True)
    return TableSummary(path, n_rows, columns, quasi_identifiers, combinations, report, sample_ids, chunks)


# --- genotypes -----------------------------------------------------------------------------------


@dataclass
class GenotypeSummary:
    """What the risk check keeps of a genotype file: its samples and per-SNP allele counts.

    Attributes
    ----------
    path, kind
        The file read and its format (``vcf``, ``vcf.gz``, ``bed``, ``pgen``).
    samples
        Sample ids in file order.
    alt_counts, called
        Shape (SNPs,): alternate alleles counted, and people with a call, per SNP.
    multiallelic
        Records with more than one alternate allele (counted as "any alternate allele").
    reader
        The library and version that read the file.
    """

    path: Path
    kind: str
    samples: list[str]
    alt_counts: np.ndarray
    called: np.ndarray
    multiallelic: int = 0
    reader: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def n_snps(self) -> int:
        return int(self.alt_counts.size)

    @property
    def n_samples(self) -> int:
        return len(self.samples)

    def allele_frequencies(self) -> np.ndarray:
        """Alternate-allele frequency per SNP among called genotypes (NaN where nobody was called)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.called > 0, self.alt_counts / (2.0 * self.called), np.nan)


def _sidecar(path: Path, suffixes: Sequence[str], what: str) -> Path:
    for suffix in suffixes:
        candidate = path.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    raise _problem(
        path, f"the {what} file ({' or '.join(path.with_suffix(s).name for s in suffixes)}) is missing beside it"
    )


def _check_vcf_header(path: Path, kind: str) -> None:
    """Read the VCF's header lines with a length cap before htslib reads the file.

    htslib grows its line buffer to whatever a line holds, so a small bgzip file whose
    header inflates to gigabytes would exhaust memory there; here it is refused first.
    Only the lines up to the first record are read (the records are left to htslib).
    """
    try:
        with (
            _table_bytes(path, kind == "vcf.gz") as raw,
            io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="") as handle,
        ):
            while True:
                line = handle.readline(MAX_LINE_CHARS + 1)
                if len(line) > MAX_LINE_CHARS:
                    raise LineTooLongError(str(path))
                if not line.startswith("#"):
                    return
    except LineTooLongError:
        raise _problem(
            path,
            f"a header line is longer than {MAX_LINE_CHARS:,} characters: not a VCF, or an endless "
            "line; refused rather than read whole",
        ) from None
    except (OSError, EOFError, zlib.error) as error:
        raise _problem(path, f"cannot be read ({type(error).__name__}: {error}); truncated or corrupt?") from None


def _read_vcf(path: Path, kind: str, chunk_variants: int) -> GenotypeSummary:
    try:
        import cyvcf2
    except ImportError:
        raise MissingReaderError(f"{path}: reading VCF needs the optional cyvcf2 library: {INSTALL_HINT}") from None
    try:
        vcf = cyvcf2.VCF(str(path), gts012=True, lazy=True, threads=2)
    except (OSError, Exception) as error:  # cyvcf2 raises OSError or a bare Exception on a bad header
        raise _problem(path, f"cyvcf2 cannot read it as VCF ({error})") from None
    samples = list(vcf.samples)
    if not samples:
        vcf.close()
        raise _problem(path, "the VCF has no samples (no genotype columns after FORMAT): nothing to assess")
    repeated = pd.Index(samples)[pd.Index(samples).duplicated()].unique().tolist()
    if repeated:
        vcf.close()
        raise _problem(path, f"the VCF repeats sample id(s) {', '.join(map(str, repeated[:5]))}")
    block = np.empty((chunk_variants, len(samples)), dtype=np.int8)
    alt_parts, called_parts = [], []
    multiallelic = filled = 0
    n_records = 0

    def flush(rows: int) -> None:
        part = block[:rows]
        known = part != 3  # gts012: 0, 1, 2 alternate alleles, 3 unknown
        alt_parts.append(np.where(known, part, 0).sum(axis=1, dtype=np.int64))
        called_parts.append(known.sum(axis=1, dtype=np.int64))

    try:
        for record in vcf:
            n_records += 1
            if len(record.ALT) > 1:
                multiallelic += 1
            block[filled] = record.gt_types
            filled += 1
            if filled == chunk_variants:
                flush(filled)
                filled = 0
    except Exception as error:  # htslib parse errors surface as plain exceptions
        raise _problem(path, f"cannot be read after {n_records} variant records ({error})") from None
    finally:
        vcf.close()
    if filled:
        flush(filled)
    if n_records == 0:
        raise _problem(path, "the VCF has samples but no variant records: nothing to assess")
    notes = []
    if multiallelic:
        notes.append(f"{multiallelic} multi-allelic records counted as one SNP each (any alternate allele)")
    return GenotypeSummary(
        path,
        kind,
        samples,
        np.concatenate(alt_parts),
        np.concatenate(called_parts),
        multiallelic,
        f"cyvcf2 {cyvcf2.__version__}",
        notes,
    )


def _side_table(path: Path, **options) -> pd.DataFrame:
    """A PLINK sample file (.fam/.psam), read with the line-length cap; errors name the file."""
    try:
        with _table_bytes(path, False) as raw:
            return pd.read_csv(raw, dtype=str, **options)
    except LineTooLongError:
        raise _problem(path, f"a line is longer than {MAX_LINE_CHARS:,} characters: not a PLINK sample file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as error:
        raise _problem(path, f"cannot be read as a PLINK sample file ({error})") from None


def _count_lines(path: Path, *, skip_comments: bool) -> int:
    """Non-blank lines of a PLINK variant file (.bim/.pvar), each read with the line-length cap."""
    count = 0
    try:
        with _table_bytes(path, False) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as handle:
            for line in capped_lines(handle, str(path)):
                if line.strip() and not (skip_comments and line.startswith("#")):
                    count += 1
    except LineTooLongError:
        raise _problem(path, f"a line is longer than {MAX_LINE_CHARS:,} characters: not a PLINK variant file") from None
    except UnicodeDecodeError:
        raise _problem(path, "not UTF-8 text: not a PLINK variant file") from None
    return count


def _read_plink(path: Path, kind: str, chunk_variants: int) -> GenotypeSummary:
    try:
        import pgenlib
    except ImportError:
        raise MissingReaderError(
            f"{path}: reading PLINK files needs the optional pgenlib library: {INSTALL_HINT}"
        ) from None
    if kind == "bed":
        samples_file, variants_file = (
            _sidecar(path, [".fam"], "sample (.fam)"),
            _sidecar(path, [".bim"], "variant (.bim)"),
        )
        samples = _side_table(samples_file, sep=r"\s+", header=None, usecols=[1]).iloc[:, 0].tolist()
        n_variants = _count_lines(variants_file, skip_comments=False)
    else:
        samples_file, variants_file = (
            _sidecar(path, [".psam", ".fam"], "sample (.psam)"),
            _sidecar(path, [".pvar", ".bim"], "variant (.pvar)"),
        )
        table = _side_table(samples_file, sep="\t", comment=None)
        column = next((c for c in ("IID", "#IID") if c in table.columns), None)
        if column is None:
            raise _problem(samples_file, "no IID column in the sample file")
        samples = table[column].tolist()
        n_variants = _count_lines(variants_file, skip_comments=True)
    if not samples:
        raise _problem(samples_file, "no samples listed: nothing to assess")
    if n_variants == 0:
        raise _problem(variants_file, "no variants listed: nothing to assess")
    try:
        reader = pgenlib.PgenReader(bytes(str(path), "utf-8"), raw_sample_ct=len(samples))
    except Exception as error:  # pgenlib raises RuntimeError with PLINK's message
        raise _problem(path, f"pgenlib cannot read it ({error})") from None
    if reader.get_variant_ct() != n_variants or reader.get_raw_sample_ct() != len(samples):
        reader.close()
        raise _problem(
            path,
            f"has {reader.get_variant_ct()} variants x {reader.get_raw_sample_ct()} samples but "
            f"{variants_file.name} lists {n_variants} and {samples_file.name} {len(samples)}",
        )
    alt_parts, called_parts = [], []
    buffer = np.empty((chunk_variants, len(samples)), dtype=np.int8)
    try:
        for start in range(0, n_variants, chunk_variants):
            stop = min(start + chunk_variants, n_variants)
            part = buffer[: stop - start]
            reader.read_range(start, stop, part)  # allele 1 (ALT) dosage; -9 missing
            known = part >= 0
            alt_parts.append(np.where(known, part, 0).sum(axis=1, dtype=np.int64))
            called_parts.append(known.sum(axis=1, dtype=np.int64))
    finally:
        reader.close()
    return GenotypeSummary(
        path,
        kind,
        samples,
        np.concatenate(alt_parts),
        np.concatenate(called_parts),
        0,
        f"pgenlib {getattr(pgenlib, '__version__', '')}".strip(),
    )


def read_genotype_summary(path: str | PathLike[str], *, chunk_variants: int = CHUNK_VARIANTS) -> GenotypeSummary:
    """Stream a VCF (plain or bgzipped) or a PLINK ``.bed``/``.pgen`` fileset into per-SNP allele counts.

    The format is decided by the file's content, not its name. Only the samples and,
    per SNP, the number of alternate alleles and of called people are kept (memory is
    one block of ``chunk_variants`` variants). Genotype calls are read as unphased
    dosages; a multi-allelic record counts any alternate allele (and is reported).

    Parameters
    ----------
    path
        ``.vcf``, ``.vcf.gz``, ``.bed`` (with ``.bim``/``.fam``) or ``.pgen`` (with
        ``.pvar``/``.psam``).
    chunk_variants
        Variants counted at a time.

    Returns
    -------
    GenotypeSummary

    Raises
    ------
    RiskInputError
        Missing file, a file of another kind (a PDF or a table named ``.vcf``), a VCF
        with no samples or no records, repeated sample ids, a missing PLINK side file,
        or the optional reader not installed.
    """
    path = _existing_file(path, "genotype file")
    if not isinstance(chunk_variants, int) or chunk_variants < 1:
        raise RiskInputError(f"chunk_variants must be a positive integer; got {chunk_variants!r}")
    kind = file_kind(path)
    if kind in ("vcf", "vcf.gz"):
        _check_vcf_header(path, kind)
        return _read_vcf(path, kind, chunk_variants)
    if kind in ("bed", "pgen"):
        return _read_plink(path, kind, chunk_variants)
    described = {
        "pdf": "a PDF document",
        "empty": "empty (0 bytes)",
        "gzip": "gzip-compressed but not a VCF",
        "binary": "a binary file of unknown format",
        "text": "text but not a VCF (no ##fileformat=VCF line)",
    }
    raise _problem(
        path,
        f"not a genotype file: it is {described[kind]}; expected VCF (plain or bgzipped), "
        "PLINK 1 .bed or PLINK 2 .pgen",
    )
