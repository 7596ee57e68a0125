"""Submission files in dbGaP's formats: data sets (DS), their data dictionaries (DD) and VCF.

dbGaP's Study Submission Guide (https://www.ncbi.nlm.nih.gov/gap/docs/submissionguide/, page
last modified 8 January 2025) asks for tab-delimited text
files, each data set (DS) with a data dictionary (DD) that describes every column:

- **Subject Consent DS**: one row per subject, ``SUBJECT_ID``, ``CONSENT`` (the consent
  group's code, 0 for no consent) and ``SEX``;
- **Subject Sample Mapping DS**: ``SUBJECT_ID``, ``SAMPLE_ID``; each sample belongs to one subject;
- **Sample Attributes DS**: ``SAMPLE_ID`` and what the sample is (``BODY_SITE``,
  ``ANALYTE_TYPE``, ``IS_TUMOR``);
- **Subject Phenotypes DS**: ``SUBJECT_ID`` then the phenotype variables;
- a **DD** per DS with the columns ``VARNAME``, ``VARDESC``, ``TYPE``, ``UNITS``, ``MIN``,
  ``MAX`` and ``VALUES``; an encoded variable lists its codes as ``code=meaning``, the first
  in the ``VALUES`` column and the rest in the cells after it, one per cell.

Genotypes go as bgzip-compressed VCF (dbGaP Molecular Data Submission Guide,
https://www.ncbi.nlm.nih.gov/gap/docs/moleculardatasection/), with the sample ids of
the mapping in the header. The files are named ``<Kind>_DS.txt`` and ``<Kind>_DD.txt``.

Simplifications, stated: the guide also takes Excel files and other optional data sets
(pedigree, multiple phenotype tables); this module writes one phenotype table and text only.
Types are written ``string``, ``integer``, ``decimal`` or ``encoded value``.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from genshare._safe_files import atomic_destination, capped_lines, open_regular
from genshare.deposit.consent import DEFAULT_GROUPS, NOT_CONSENTED, ConsentGroup
from genshare.formats.vcf import write_vcf

__all__ = [
    "DD_COLUMNS",
    "KINDS",
    "TYPES",
    "DataSet",
    "Variable",
    "build_submission",
    "read_dictionary",
    "write_pgen",
    "write_submission",
]

#: The data dictionary's columns, in order (value codes continue in the cells after VALUES).
DD_COLUMNS = ["VARNAME", "VARDESC", "TYPE", "UNITS", "MIN", "MAX", "VALUES"]
#: Variable types a DD may state.
TYPES = ("string", "integer", "decimal", "encoded value")
#: The data sets of a deposit and the columns each must have, in this order first.
KINDS: dict[str, tuple[str, ...]] = {
    "SubjectConsent": ("SUBJECT_ID", "CONSENT", "SEX"),
    "SubjectSampleMapping": ("SUBJECT_ID", "SAMPLE_ID"),
    "SampleAttributes": ("SAMPLE_ID", "BODY_SITE", "ANALYTE_TYPE", "IS_TUMOR"),
    "SubjectPhenotypes": ("SUBJECT_ID",),
}
GENOTYPE_FILE = "Genotypes.vcf.gz"


@dataclass(frozen=True)
class Variable:
    """One column of a data set, as its data dictionary row describes it.

    Attributes
    ----------
    name
        VARNAME, the column header.
    description
        VARDESC.
    type
        One of :data:`TYPES`.
    units
        UNITS (for measurements, e.g. ``kg/m2``); empty when there are none.
    minimum, maximum
        MIN and MAX for numbers, or None.
    values
        ``{code: meaning}``: every allowed code of an encoded value, or special codes a
        numeric variable may also hold (``{"90+": "90 years or older"}``).

    Examples
    --------
    >>> Variable("SEX", "Sex", "encoded value", values={"1": "male", "2": "female"}).dd_row()
    ['SEX', 'Sex', 'encoded value', '', '', '', '1=male', '2=female']
    """

    name: str
    description: str
    type: str
    units: str = ""
    minimum: float | None = None
    maximum: float | None = None
    values: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"variable {self.name!r}: type must be one of {', '.join(TYPES)}; got {self.type!r}")
        if self.type == "encoded value" and not self.values:
            raise ValueError(f"variable {self.name!r}: an encoded value needs its codes (values)")
        for text in (self.name, self.description, self.units, *map(str, self.values), *self.values.values()):
            if "\t" in text or "\n" in text or "\r" in text:
                raise ValueError(
                    f"variable {self.name!r}: tabs and line breaks cannot be written in a DD cell; found in {text!r}"
                )

    def dd_row(self) -> list[str]:
        """The DD row: the seven columns, then one cell per further code."""
        codes = [f"{code}={meaning}" for code, meaning in self.values.items()]

        def number(x: float | None) -> str:
            return "" if x is None else f"{x:g}"

        return [
            self.name,
            self.description,
            self.type,
            self.units,
            number(self.minimum),
            number(self.maximum),
            *(codes or [""]),
        ]


@dataclass(frozen=True)
class DataSet:
    """A data set (DS) with its variables (the DD): one dbGaP submission table.

    Attributes
    ----------
    kind
        One of :data:`KINDS` (the file names are ``<kind>_DS.txt`` and ``<kind>_DD.txt``).
    table
        The data, one column per variable, written as text.
    variables
        One :class:`Variable` per column, in the table's order.
    """

    kind: str
    table: pd.DataFrame
    variables: tuple[Variable, ...]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        names = [v.name for v in self.variables]
        if list(self.table.columns) != names:
            raise ValueError(
                f"{self.kind}: the table's columns {list(self.table.columns)} must be the variables {names}, in order"
            )
        missing = [c for c in KINDS[self.kind] if c not in names]
        if missing:
            raise ValueError(f"{self.kind}: a {self.kind} data set needs column(s) {', '.join(missing)}")

    def write(self, folder: str | PathLike[str]) -> tuple[Path, Path]:
        """Write ``<kind>_DS.txt`` and ``<kind>_DD.txt`` (tab-delimited, UTF-8) into ``folder``.

        Cells are written exactly as they are, never quoted or escaped: ``5" tall`` stays
        ``5" tall``. dbGaP's submission files are plain tab-delimited text with no quoting
        or escape convention (its loaders and the validator here split each line on tabs),
        so a quote or a backslash added by a CSV writer would become part of the value. For
        the same reason a value holding a tab, a carriage return or a line feed cannot be
        written faithfully, and is refused rather than escaped; an empty cell (missing
        value) is written as nothing.

        Raises
        ------
        ValueError
            Naming the data set, the row (0-based position in the table) and the column, if
            a value or a column name holds a tab, carriage return or line feed.

        Examples
        --------
        >>> import tempfile
        >>> table = pd.DataFrame({"SUBJECT_ID": ["S1"], "HEIGHT": ['5" tall']})
        >>> variables = (Variable("SUBJECT_ID", "Subject", "string"), Variable("HEIGHT", "Height", "string"))
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     ds, dd = DataSet("SubjectPhenotypes", table, variables).write(folder)
        ...     ds.read_text().splitlines()[1]
        'S1\\t5" tall'
        """
        text = self.table.astype("string").fillna("")
        for name in text.columns:
            if _BREAKS.search(str(name)):
                raise ValueError(
                    f"{self.kind}: column name {str(name)!r} holds a tab or line break, "
                    "which a tab-delimited file cannot hold"
                )
            column = text[name]
            bad = column.str.contains(_BREAKS).to_numpy(dtype=bool)
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise ValueError(
                    f"{self.kind}: row {row}, field {name}: the value {column.iloc[row]!r} holds a tab, "
                    "carriage return or line feed, which dbGaP's tab-delimited files cannot hold "
                    f"(there is no escape); {int(bad.sum())} value(s) of {name} do"
                )
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        ds, dd = folder / f"{self.kind}_DS.txt", folder / f"{self.kind}_DD.txt"
        lines = ["\t".join(map(str, text.columns))]
        lines += ["\t".join(row) for row in text.itertuples(index=False, name=None)]
        with atomic_destination(ds) as handle:
            handle.write(("\n".join(lines) + "\n").encode("utf-8"))
        dd_lines = ["\t".join(DD_COLUMNS)] + ["\t".join(variable.dd_row()) for variable in self.variables]
        with atomic_destination(dd) as handle:
            handle.write(("\n".join(dd_lines) + "\n").encode("utf-8"))
        return ds, dd


#: What a cell of a tab-delimited file cannot hold.
_BREAKS = re.compile(r"[\t\r\n]")


def read_dictionary(path: str | PathLike[str]) -> pd.DataFrame:
    """Read a DD file into ``VARNAME, VARDESC, TYPE, UNITS, MIN, MAX, VALUES`` (codes joined by ``"; "``).

    For reading, not checking: :func:`genshare.deposit.validate` reports what is wrong with one.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        Naming the file, if it is not a regular file (a FIFO, a folder), is not UTF-8, has a
        line longer than 16 Mi characters, is empty or has no ``VALUES`` column.
    """
    path = Path(path)
    try:
        with (
            open_regular(path, follow_symlinks=True) as raw,
            io.TextIOWrapper(raw, encoding="utf-8", newline="") as handle,
        ):
            rows = list(csv.reader(capped_lines(handle, path.name), delimiter="\t", quoting=csv.QUOTE_NONE))
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    except csv.Error as error:
        raise ValueError(f"{path}: cannot be read as tab-delimited text ({error})") from None
    if not rows:
        raise ValueError(f"{path}: empty; a data dictionary starts with the header {' '.join(DD_COLUMNS)}")
    header, body = rows[0], rows[1:]
    if "VALUES" not in header:
        raise ValueError(f"{path}: the header has no VALUES column; it has {header[:8]}")
    width = header.index("VALUES")
    out = [row[:width] + [""] * (width - len(row[:width])) + ["; ".join(c for c in row[width:] if c)] for row in body]
    return pd.DataFrame(out, columns=header[:width] + ["VALUES"])


def _codes(groups: Sequence[ConsentGroup]) -> dict[str, str]:
    codes = {str(NOT_CONSENTED): "not consented to sharing: no data released"}
    codes.update({str(g.code): f"{g.label} ({g.description})" if g.description else g.label for g in groups})
    return codes


def build_submission(
    world, consent: pd.Series, *, groups: Sequence[ConsentGroup] = DEFAULT_GROUPS
) -> dict[str, DataSet]:
    """The four dbGaP data sets of the synthetic study, built from a world and consent codes.

    Subjects are the cohort's participants (``SUBJECT_ID`` = ``participant_id``); each has one
    blood DNA sample with a new id (``SAMPLE_ID`` = ``"SA"`` + the participant's number).
    People with CONSENT 0 appear in the consent data set only. The phenotypes are those a
    de-identified release keeps: age (ages over 89 written ``90+``, HIPAA Safe Harbor),
    case status, BMI and comorbidity; names, addresses, dates and record numbers stay home.

    Parameters
    ----------
    world
        A loaded world (:func:`genshare.cohort.load_world`).
    consent
        CONSENT codes indexed by participant id (:func:`~genshare.deposit.assign_consent_groups`),
        covering every participant.
    groups
        The consent groups the codes refer to.

    Returns
    -------
    dict
        ``{kind: DataSet}`` for every kind of :data:`KINDS`.

    Raises
    ------
    ValueError
        If ``consent`` does not give a code to every participant, or gives one no group has.

    Examples
    --------
    >>> from genshare.cohort import load_world
    >>> from genshare.deposit import assign_consent_groups
    >>> world = load_world()
    >>> datasets = build_submission(world, assign_consent_groups(world.cohort["participant_id"]))
    >>> list(datasets), list(datasets["SubjectSampleMapping"].table.columns)
    (['SubjectConsent', 'SubjectSampleMapping', 'SampleAttributes', 'SubjectPhenotypes'], ['SUBJECT_ID', 'SAMPLE_ID'])
    """
    cohort = world.cohort.set_index("participant_id")
    clinical = world.clinical.set_index("participant_id").loc[cohort.index]
    consent = pd.Series(consent)
    missing = cohort.index.difference(consent.index)
    if len(missing):
        raise ValueError(f"consent gives no code to {len(missing)} participant(s), e.g. {missing[0]}")
    consent = consent.loc[cohort.index].astype(int)
    known = {NOT_CONSENTED, *(g.code for g in groups)}
    unknown = sorted(set(consent.unique()) - known)
    if unknown:
        raise ValueError(f"consent uses code(s) {unknown} that no consent group has")
    subject = pd.Index(cohort.index, name="SUBJECT_ID")
    sex_code = {"M": "1", "F": "2"}
    consent_ds = DataSet(
        "SubjectConsent",
        pd.DataFrame(
            {
                "SUBJECT_ID": subject,
                "CONSENT": consent.to_numpy().astype(str),
                "SEX": cohort["sex"].map(sex_code).to_numpy(),
            }
        ),
        (
            Variable("SUBJECT_ID", "De-identified study subject id", "string"),
            Variable(
                "CONSENT",
                "Consent group, from the consent form the subject signed",
                "encoded value",
                values=_codes(groups),
            ),
            Variable(
                "SEX",
                "Sex of the subject, as recorded at enrolment",
                "encoded value",
                values={"1": "male", "2": "female"},
            ),
        ),
    )
    shared = subject[(consent != NOT_CONSENTED).to_numpy()]
    samples = pd.Index("SA" + shared.str.replace(r"\D", "", regex=True), name="SAMPLE_ID")
    mapping_ds = DataSet(
        "SubjectSampleMapping",
        pd.DataFrame({"SUBJECT_ID": shared, "SAMPLE_ID": samples}),
        (
            Variable("SUBJECT_ID", "De-identified study subject id", "string"),
            Variable("SAMPLE_ID", "De-identified sample id, as in the genotype files", "string"),
        ),
    )
    attributes_ds = DataSet(
        "SampleAttributes",
        pd.DataFrame({"SAMPLE_ID": samples, "BODY_SITE": "Blood", "ANALYTE_TYPE": "DNA", "IS_TUMOR": "N"}),
        (
            Variable("SAMPLE_ID", "De-identified sample id", "string"),
            Variable("BODY_SITE", "Body site the sample was taken from", "string"),
            Variable("ANALYTE_TYPE", "Analyte extracted from the sample", "string"),
            Variable(
                "IS_TUMOR", "Whether the sample is tumour tissue", "encoded value", values={"Y": "yes", "N": "no"}
            ),
        ),
    )
    rows = clinical.loc[shared]
    age = cohort.loc[shared, "age"].astype(int)
    comorbidities = sorted(world.clinical["comorbidity"].unique())
    comorbidity_code = {name: str(i) for i, name in enumerate(comorbidities)}
    phenotypes_ds = DataSet(
        "SubjectPhenotypes",
        pd.DataFrame(
            {
                "SUBJECT_ID": shared,
                "AGE": np.where(age > 89, "90+", age.astype(str)),
                "T2D": cohort.loc[shared, "status"].map({"control": "1", "case": "2"}).to_numpy(),
                "BMI": rows["bmi"].map(lambda b: f"{b:.1f}").to_numpy(),
                "COMORBIDITY": rows["comorbidity"].map(comorbidity_code).to_numpy(),
            }
        ),
        (
            Variable("SUBJECT_ID", "De-identified study subject id", "string"),
            Variable("AGE", "Age at enrolment", "integer", "years", 18, 89, values={"90+": "90 years or older"}),
            Variable("T2D", "Type 2 diabetes status", "encoded value", values={"1": "control", "2": "case"}),
            Variable("BMI", "Body mass index at enrolment", "decimal", "kg/m2", 10, 80),
            Variable(
                "COMORBIDITY",
                "Main comorbidity recorded at enrolment",
                "encoded value",
                values={code: name for name, code in comorbidity_code.items()},
            ),
        ),
    )
    return {d.kind: d for d in (consent_ds, mapping_ds, attributes_ds, phenotypes_ds)}


def write_submission(
    folder: str | PathLike[str],
    datasets: Mapping[str, DataSet],
    *,
    world=None,
    n_snps: int | None = None,
) -> list[Path]:
    """Write the data sets (DS and DD) and, with ``world``, the genotypes as bgzipped VCF.

    The VCF holds the genotypes of the mapped samples only, with ``SAMPLE_ID`` in its header,
    written by the world's own VCF writer (:func:`genshare.cohort.storage.write_vcf`).

    Parameters
    ----------
    folder
        Where to write; created if needed. Existing files of the same names are replaced.
    datasets
        ``{kind: DataSet}`` from :func:`build_submission` (or built by hand).
    world
        The world the genotypes come from; None writes no VCF.
    n_snps
        Write only the first ``n_snps`` SNPs (a smaller file for a lesson); None writes all.

    Returns
    -------
    list of Path
        The files written, in order.

    Examples
    --------
    >>> import tempfile
    >>> from genshare.cohort import load_world
    >>> from genshare.deposit import assign_consent_groups, validate
    >>> world = load_world()
    >>> datasets = build_submission(world, assign_consent_groups(world.cohort["participant_id"]))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     files = write_submission(folder, datasets, world=world, n_snps=20)
    ...     [p.name for p in files][-1], validate(folder)
    ('Genotypes.vcf.gz', [])
    """
    folder = Path(folder)
    written: list[Path] = []
    for dataset in datasets.values():
        written.extend(dataset.write(folder))
    if world is not None:
        mapping = datasets["SubjectSampleMapping"].table
        index = world.cohort.reset_index(drop=True).reset_index().set_index("participant_id")["index"]
        rows = index.loc[mapping["SUBJECT_ID"]].to_numpy()
        snps = world.snps if n_snps is None else world.snps.iloc[:n_snps]
        genotypes = world.cohort_genotypes[rows][:, : len(snps)]
        path = folder / GENOTYPE_FILE
        path.write_bytes(write_vcf(genotypes, mapping["SAMPLE_ID"].tolist(), snps.reset_index(drop=True), "deposit"))
        written.append(path)
    return written


def write_pgen(vcf: str | PathLike[str], out_prefix: str | PathLike[str]) -> list[Path]:
    """Convert a VCF to PLINK 2 ``.pgen/.pvar/.psam`` with the ``plink2`` program itself.

    PLINK 2 is the reference writer of its own format; it must be on the PATH (Debian package
    ``plink2``). Sample ids are kept as in the VCF (``--double-id`` is not used: the IID is
    the VCF sample id and there is no family id).

    Raises
    ------
    FileNotFoundError
        If ``plink2`` is not installed or the VCF does not exist.
    RuntimeError
        If plink2 fails (its log is quoted).
    """
    program = shutil.which("plink2")
    if program is None:
        raise FileNotFoundError(
            "plink2 is not installed (Debian: apt install plink2); the VCF alone is a complete deposit"
        )
    vcf = Path(vcf)
    if not vcf.is_file():
        raise FileNotFoundError(f"{vcf}: no such file")
    out_prefix = Path(out_prefix)
    result = subprocess.run(
        [program, "--vcf", str(vcf), "--make-pgen", "--out", str(out_prefix), "--threads", "1", "--memory", "1024"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"plink2 failed on {vcf}: {result.stdout[-800:]}{result.stderr[-400:]}")
    return [out_prefix.with_suffix(s) for s in (".pgen", ".pvar", ".psam")]
