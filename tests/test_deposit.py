"""genshare.deposit: consent groups, dbGaP files, the validator, transfer packaging and the DMS plan."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from genshare.cohort import load_world
from genshare.deposit import (
    DEFAULT_GROUPS,
    ConsentGroup,
    DataSet,
    DepositError,
    StudyFacts,
    assign_consent_groups,
    build_submission,
    check_deposit,
    consent_table,
    decrypt_file,
    dms_plan,
    encrypt_file,
    file_digest,
    generate_keypair,
    read_dictionary,
    validate,
    verify_manifest,
    write_manifests,
    write_pgen,
    write_submission,
)
from genshare.deposit.validate import MAX_PER_PROBLEM

N_SUBJECTS = 40  # a small deposit keeps every test fast
N_SNPS = 50


@pytest.fixture(scope="module")
def world():
    return load_world()


@pytest.fixture(scope="module")
def consent(world):
    return assign_consent_groups(world.cohort["participant_id"], not_consented=0.1, seed=3)


def _small(datasets: dict[str, DataSet], subjects: set[str]) -> dict[str, DataSet]:
    out = {}
    for kind, dataset in datasets.items():
        table = dataset.table
        keep = table["SUBJECT_ID"].isin(subjects) if "SUBJECT_ID" in table else table["SAMPLE_ID"].isin(
            datasets["SubjectSampleMapping"].table.query("SUBJECT_ID in @subjects")["SAMPLE_ID"])
        out[kind] = DataSet(kind, table[keep].reset_index(drop=True), dataset.variables)
    return out


@pytest.fixture(scope="module")
def deposit(world, consent, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("deposit")
    datasets = build_submission(world, consent)
    subjects = set(world.cohort["participant_id"].iloc[:N_SUBJECTS])
    write_submission(folder, _small(datasets, subjects), world=world, n_snps=N_SNPS)
    return folder


@pytest.fixture
def copy(deposit, tmp_path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(deposit, target)
    return target


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n")


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --- consent groups ------------------------------------------------------------------------


def test_consent_groups_carry_duo_codes_from_genshare_access():
    table = consent_table().set_index("label")
    assert table.loc["HMB-IRB", "duo"] == "HMB; IRB; NMDS"
    assert table.loc["DS-T2D-IRB-NPU", "duo"] == "DS:T2D; IRB; NPU; NMDS"
    assert table.loc["GRU-PUB", "duo_ids"] == "DUO:0000042; DUO:0000019"
    with pytest.raises(ValueError, match="not a standard root"):
        ConsentGroup(4, "XYZ-IRB")
    with pytest.raises(ValueError):
        ConsentGroup(0, "GRU")  # 0 is for no consent


def test_assignment_is_seeded_and_complete(world):
    ids = world.cohort["participant_id"]
    a = assign_consent_groups(ids, seed=5)
    assert a.equals(assign_consent_groups(ids, seed=5))
    assert a.index.tolist() == ids.tolist() and set(a.unique()) <= {0, 1, 2, 3}
    only_one = assign_consent_groups(ids, shares=[1, 0, 0], not_consented=0)
    assert set(only_one) == {1}
    with pytest.raises(ValueError, match="distinct"):
        assign_consent_groups(["C1", "C1"])
    with pytest.raises(ValueError, match="shares"):
        assign_consent_groups(ids, shares=[0.5, 0.5])


# --- the submission files ------------------------------------------------------------------


def test_a_written_deposit_is_valid_and_consistent(world, consent, deposit):
    assert validate(deposit) == []
    check_deposit(deposit)  # no error
    mapping = pd.read_csv(deposit / "SubjectSampleMapping_DS.txt", sep="\t", dtype=str)
    consented = consent.iloc[:N_SUBJECTS]
    assert len(mapping) == int((consented != 0).sum())
    with gzip.open(deposit / "Genotypes.vcf.gz", "rt") as handle:
        header = next(line for line in handle if line.startswith("#CHROM")).rstrip("\n").split("\t")
    assert header[9:] == mapping["SAMPLE_ID"].tolist()
    dd = read_dictionary(deposit / "SubjectPhenotypes_DD.txt").set_index("VARNAME")
    assert dd.loc["BMI", "UNITS"] == "kg/m2" and dd.loc["T2D", "VALUES"] == "1=control; 2=case"


def test_ages_over_89_are_written_as_90_plus(world, consent):
    phenotypes = build_submission(world, consent)["SubjectPhenotypes"].table.set_index("SUBJECT_ID")
    ages = world.cohort.set_index("participant_id").loc[phenotypes.index, "age"]
    assert (phenotypes.loc[ages > 89, "AGE"] == "90+").all()
    assert (phenotypes.loc[ages <= 89, "AGE"] == ages[ages <= 89].astype(str)).all()


@pytest.mark.skipif(shutil.which("plink2") is None, reason="plink2 is not installed")
def test_pgen_written_by_plink2_keeps_the_sample_ids(copy):
    files = write_pgen(copy / "Genotypes.vcf.gz", copy / "Genotypes")
    assert all(f.exists() for f in files)
    psam = pd.read_csv(copy / "Genotypes.psam", sep="\t", dtype=str)
    mapping = pd.read_csv(copy / "SubjectSampleMapping_DS.txt", sep="\t", dtype=str)
    assert psam["#IID"].tolist() == mapping["SAMPLE_ID"].tolist()
    assert validate(copy) == []  # plink2's files are allowed beside the VCF
    out = subprocess.run(["plink2", "--pfile", str(copy / "Genotypes"), "--freq", "--out", str(copy / "f")],
                         capture_output=True, check=False)
    assert out.returncode == 0


# --- the validator: known answers ----------------------------------------------------------


def test_each_problem_is_reported_with_file_line_and_field(copy):
    pheno = copy / "SubjectPhenotypes_DS.txt"
    lines = _lines(pheno)
    header = lines[0].split("\t")
    cells = lines[2].split("\t")
    cells[header.index("T2D")] = "7"
    cells[header.index("BMI")] = "heavy"
    lines[2] = "\t".join(cells)
    _write(pheno, lines)
    findings = validate(copy)
    where = {(f.file, f.line, f.field) for f in findings}
    assert ("SubjectPhenotypes_DS.txt", 3, "T2D") in where
    assert ("SubjectPhenotypes_DS.txt", 3, "BMI") in where
    assert len(findings) == 2  # all at once, and nothing else


def test_a_sample_mapped_to_two_subjects_is_reported(copy):
    mapping = copy / "SubjectSampleMapping_DS.txt"
    lines = _lines(mapping)
    subject, sample = lines[1].split("\t")
    other = lines[2].split("\t")[0]
    _write(mapping, lines + [f"{other}\t{sample}"])
    problems = [f for f in validate(copy) if f.field == "SAMPLE_ID"]
    assert problems and "more than one subject" in problems[0].problem and problems[0].line == len(lines) + 1


def test_mismatched_genotype_ids_are_reported(copy):
    with gzip.open(copy / "Genotypes.vcf.gz", "rt") as handle:
        text = handle.read()
    first = pd.read_csv(copy / "SubjectSampleMapping_DS.txt", sep="\t", dtype=str)["SAMPLE_ID"].iloc[0]
    with gzip.open(copy / "Genotypes.vcf.gz", "wt") as handle:
        handle.write(text.replace(f"\t{first}", "\tNOBODY", 1))
    findings = [f for f in validate(copy) if f.file == "Genotypes.vcf.gz"]
    assert [f.field for f in findings] == ["NOBODY"] and "not in the Subject Sample Mapping" in findings[0].problem
    assert any(f.field == "SAMPLE_ID" and first in f.problem for f in validate(copy)) is False  # mapped but not genotyped is allowed


def test_safe_harbor_identifiers_in_phenotypes_are_reported(copy):
    pheno = copy / "SubjectPhenotypes_DS.txt"
    lines = _lines(pheno)
    lines = [lines[0] + "\tdate_of_birth"] + [line + "\t1950-03-04" for line in lines[1:]]
    header = lines[0].split("\t")
    cells = lines[1].split("\t")
    cells[header.index("AGE")] = "95"
    lines[1] = "\t".join(cells)
    _write(pheno, lines)
    dd = copy / "SubjectPhenotypes_DD.txt"
    _write(dd, _lines(dd) + ["date_of_birth\tDate of birth\tstring\t\t\t\t"])
    findings = validate(copy)
    assert any(f.field == "date_of_birth" and "Safe Harbor" in f.problem for f in findings)
    age = [f for f in findings if f.field == "AGE"]
    assert {f.line for f in age} == {2} and any("above the maximum" in f.problem for f in age)
    assert any("Safe Harbor would change '95' to '90+'" in f.problem for f in age)


def test_an_unknown_consent_label_is_reported(copy):
    dd = copy / "SubjectConsent_DD.txt"
    _write(dd, [line.replace("=GRU-PUB", "=MYLAB-ONLY") for line in _lines(dd)])
    findings = validate(copy)
    assert [(f.file, f.field) for f in findings] == [("SubjectConsent_DD.txt", "CONSENT")]
    assert "MYLAB" in findings[0].problem


def test_data_of_a_subject_without_consent_is_reported(copy, consent):
    silent = consent.iloc[:N_SUBJECTS][consent.iloc[:N_SUBJECTS] == 0].index
    assert len(silent), "the fixture's seed should give a non-consenting participant"
    mapping = copy / "SubjectSampleMapping_DS.txt"
    _write(mapping, _lines(mapping) + [f"{silent[0]}\tSAX1"])
    attributes = copy / "SampleAttributes_DS.txt"
    _write(attributes, _lines(attributes) + ["SAX1\tBlood\tDNA\tN"])
    findings = validate(copy)
    assert any("did not consent" in f.problem and f.file == "SubjectSampleMapping_DS.txt" for f in findings)


def test_an_empty_subject_id_does_not_shift_the_sample_owners(copy, consent):
    # Subjects and samples are paired by line: a blank SUBJECT_ID must not pair later
    # subjects with the samples of the rows before them.
    silent = consent.iloc[:N_SUBJECTS][consent.iloc[:N_SUBJECTS] == 0].index
    mapping = copy / "SubjectSampleMapping_DS.txt"
    lines = _lines(mapping) + [f"{silent[0]}\tSAX1"]
    lines[1] = "\t" + lines[1].split("\t")[1]
    _write(mapping, lines)
    attributes = copy / "SampleAttributes_DS.txt"
    _write(attributes, _lines(attributes) + ["SAX1\tBlood\tDNA\tN"])
    findings = validate(copy)
    assert ("SubjectSampleMapping_DS.txt", 2, "SUBJECT_ID") in {(f.file, f.line, f.field) for f in findings}
    assert any("did not consent" in f.problem and f.file == "SubjectSampleMapping_DS.txt" for f in findings)
    assert not any("SAX1" in f.problem and "not in the Subject Sample Mapping" in f.problem for f in findings)
    assert not any(f.file == "Genotypes.vcf.gz" and "did not consent" in f.problem for f in findings)


# --- the validator: bad input --------------------------------------------------------------


def test_missing_files_are_all_reported(copy):
    (copy / "SampleAttributes_DD.txt").unlink()
    (copy / "Genotypes.vcf.gz").unlink()
    files = {f.file for f in validate(copy)}
    assert {"SampleAttributes_DD.txt", "*.vcf.gz"} <= files
    with pytest.raises(FileNotFoundError, match="no such folder"):
        validate(copy / "nothing-here")


def test_a_pdf_named_vcf_is_refused(copy):
    (copy / "Genotypes.vcf.gz").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    findings = [f for f in validate(copy) if f.file == "Genotypes.vcf.gz"]
    assert len(findings) == 1 and "PDF" in findings[0].problem


def test_a_vcf_without_samples_is_refused(copy):
    (copy / "Genotypes.vcf.gz").unlink()
    _write(copy / "Genotypes.vcf", ["##fileformat=VCFv4.3", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO", "1\t10\trs1\tA\tG\t.\tPASS\t."])
    findings = [f for f in validate(copy) if f.file == "Genotypes.vcf"]
    assert len(findings) == 1 and "no samples" in findings[0].problem


def test_a_truncated_vcf_is_reported(copy):
    data = (copy / "Genotypes.vcf.gz").read_bytes()
    (copy / "Genotypes.vcf.gz").write_bytes(data[: len(data) // 2])
    assert any("truncated" in f.problem for f in validate(copy) if f.file == "Genotypes.vcf.gz")


@pytest.mark.parametrize("content", ["", "SUBJECT_ID\tAGE\tT2D\tBMI\tCOMORBIDITY\n"], ids=["zero bytes", "header only"])
def test_an_empty_table_is_reported(copy, content):
    (copy / "SubjectPhenotypes_DS.txt").write_text(content)
    findings = [f for f in validate(copy) if f.file == "SubjectPhenotypes_DS.txt"]
    assert findings and all(f.line in (0, 1) for f in findings)
    assert any("empty" in f.problem or "no rows" in f.problem for f in findings)


def test_validation_modifies_nothing(copy):
    (copy / "Genotypes.vcf.gz").write_bytes(b"%PDF-1.4")
    (copy / "notes.docx").write_bytes(b"PK\x03\x04")
    before = _digests(copy)
    findings = validate(copy)
    assert any(f.file == "notes.docx" for f in findings)
    assert _digests(copy) == before


def test_a_large_broken_table_is_streamed_and_its_findings_counted(copy):
    """More rows than one Safe Harbor chunk; every row broken: findings are capped and counted."""
    rows = ["SUBJECT_ID\tAGE\tT2D\tBMI\tCOMORBIDITY"] + [f"X{i:06d}\t40\t9\t25.0\t5" for i in range(60_000)]
    _write(copy / "SubjectPhenotypes_DS.txt", rows)
    findings = [f for f in validate(copy) if f.file == "SubjectPhenotypes_DS.txt"]
    t2d = [f for f in findings if f.field == "T2D"]
    assert len(t2d) == MAX_PER_PROBLEM
    summaries = [f for f in findings if f.line == 0 and "more finding(s)" in f.problem]
    assert any(f.problem.startswith(f"{60_000 - MAX_PER_PROBLEM} more") for f in summaries)
    with pytest.raises(DepositError, match="problem"):
        check_deposit(copy)


# --- the validator: properties -------------------------------------------------------------


def _corrupt_cell(folder: Path, name: str, row: int, column: str, value: str) -> None:
    path = folder / name
    lines = _lines(path)
    header = lines[0].split("\t")
    index = 1 + row % (len(lines) - 1)
    cells = lines[index].split("\t")
    cells[header.index(column)] = value
    lines[index] = "\t".join(cells)
    _write(path, lines)


def _drop_row(folder: Path, name: str, row: int) -> None:
    lines = _lines(folder / name)
    del lines[1 + row % (len(lines) - 1)]
    _write(folder / name, lines)


CORRUPTIONS = {
    "unknown consent code": ("SubjectConsent_DS.txt", lambda d, r: _corrupt_cell(d, "SubjectConsent_DS.txt", r, "CONSENT", "9")),
    "sex not a code": ("SubjectConsent_DS.txt", lambda d, r: _corrupt_cell(d, "SubjectConsent_DS.txt", r, "SEX", "F")),
    "empty subject id": ("SubjectSampleMapping_DS.txt", lambda d, r: _corrupt_cell(d, "SubjectSampleMapping_DS.txt", r, "SUBJECT_ID", "")),
    "unknown subject": ("SubjectSampleMapping_DS.txt", lambda d, r: _corrupt_cell(d, "SubjectSampleMapping_DS.txt", r, "SUBJECT_ID", "Q99")),
    "tumour flag": ("SampleAttributes_DS.txt", lambda d, r: _corrupt_cell(d, "SampleAttributes_DS.txt", r, "IS_TUMOR", "maybe")),
    "unmapped sample": ("SampleAttributes_DS.txt", lambda d, r: _corrupt_cell(d, "SampleAttributes_DS.txt", r, "SAMPLE_ID", "SA-X")),
    "bmi out of range": ("SubjectPhenotypes_DS.txt", lambda d, r: _corrupt_cell(d, "SubjectPhenotypes_DS.txt", r, "BMI", "800.0")),
    "age not a number": ("SubjectPhenotypes_DS.txt", lambda d, r: _corrupt_cell(d, "SubjectPhenotypes_DS.txt", r, "AGE", "forty")),
    "phone in phenotypes": ("SubjectPhenotypes_DS.txt", lambda d, r: _corrupt_cell(d, "SubjectPhenotypes_DS.txt", r, "BMI", "555-123-4567")),
    "phenotype of unknown subject": ("SubjectPhenotypes_DS.txt", lambda d, r: _corrupt_cell(d, "SubjectPhenotypes_DS.txt", r, "SUBJECT_ID", "Z1")),
    "dictionary row lost": ("SubjectPhenotypes_DS.txt", lambda d, r: _drop_row(d, "SubjectPhenotypes_DD.txt", 1 + r % 4)),
    "unknown type": ("SampleAttributes_DD.txt", lambda d, r: _corrupt_cell(d, "SampleAttributes_DD.txt", r, "TYPE", "text")),
    "attributes row lost": ("SubjectSampleMapping_DS.txt", lambda d, r: _drop_row(d, "SampleAttributes_DS.txt", r)),
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(CORRUPTIONS)), row=st.integers(min_value=0, max_value=10_000))
def test_any_single_corruption_is_reported_naming_its_file(deposit, tmp_path_factory, name, row):
    folder = tmp_path_factory.mktemp("corrupt")
    shutil.copytree(deposit, folder, dirs_exist_ok=True)
    expected_file, corrupt = CORRUPTIONS[name]
    corrupt(folder, row)
    findings = validate(folder)
    assert findings, f"{name}: not reported"
    assert expected_file in {f.file for f in findings}, f"{name}: reported as {findings}"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(min_size=0, max_size=300))
@example(data=b"l\x1b")  # the PLINK magic number cut short: sniffing read past the end
def test_any_bytes_as_a_vcf_give_findings_not_a_crash(deposit, tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("bytes")
    shutil.copytree(deposit, folder, dirs_exist_ok=True)
    (folder / "Genotypes.vcf.gz").write_bytes(data)
    assert any(f.file == "Genotypes.vcf.gz" for f in validate(folder))


# --- transfer ------------------------------------------------------------------------------


def test_manifests_match_md5sum_and_catch_changes(copy):
    written = write_manifests(copy)
    assert set(written) == {"md5", "sha256"}
    assert verify_manifest(copy, "md5") == [] and verify_manifest(copy, "sha256") == []
    if shutil.which("sha256sum"):
        assert subprocess.run(["sha256sum", "-c", "--quiet", "MANIFEST.sha256"], cwd=copy, check=False).returncode == 0
    (copy / "SubjectConsent_DS.txt").write_text("changed\n")
    assert verify_manifest(copy) == ["SubjectConsent_DS.txt: SHA256 differs from the manifest (changed or damaged)"]
    (copy / "SampleAttributes_DS.txt").unlink()
    assert "SampleAttributes_DS.txt: listed in MANIFEST.md5 but missing" in verify_manifest(copy, "md5")
    with pytest.raises(ValueError, match="algorithm"):
        file_digest(copy / "MANIFEST.md5", "sha1")


def test_crypt4gh_round_trip_and_wrong_key(copy, tmp_path):
    pytest.importorskip("crypt4gh")
    archive_pub, archive_sec = generate_keypair(tmp_path / "keys", "archive")
    _, submitter_sec = generate_keypair(tmp_path / "keys", "submitter")
    source = copy / "Genotypes.vcf.gz"
    before = file_digest(source)
    encrypted = encrypt_file(source, tmp_path / "Genotypes.vcf.gz.c4gh", archive_pub, submitter_sec)
    assert encrypted.read_bytes()[:8] == b"crypt4gh" and file_digest(source) == before
    decrypted = decrypt_file(encrypted, tmp_path / "back.vcf.gz", archive_sec)
    assert file_digest(decrypted) == before
    with pytest.raises(ValueError, match="cannot be decrypted"):
        decrypt_file(encrypted, tmp_path / "wrong.vcf.gz", submitter_sec)
    assert not (tmp_path / "wrong.vcf.gz").exists()
    with pytest.raises(FileNotFoundError):
        encrypt_file(tmp_path / "absent", tmp_path / "x.c4gh", archive_pub, submitter_sec)


# --- the DMS plan --------------------------------------------------------------------------


def test_dms_plan_is_generated_from_the_facts():
    facts = StudyFacts("Synthetic T2D study", "dbgap", "controlled", n_subjects=1000, n_not_consented=16)
    plan = dms_plan(facts).set_index("element")
    assert list(plan.index) == ["1", "2", "3", "4", "5", "6", "GDS"]
    assert "984 consenting participants" in plan.loc["1", "answer"]
    assert "2028-06-30" in plan.loc["2", "answer"]
    assert all(g.label in plan.loc["4", "answer"] for g in DEFAULT_GROUPS)


def test_dms_plan_fails_closed():
    with pytest.raises(ValueError, match="not in the catalogue"):
        dms_plan(StudyFacts("x", "my-lab-server", "controlled", 10, 0))
    with pytest.raises(ValueError, match="cannot go to the open tier"):
        dms_plan(StudyFacts("x", "dbgap", "open", 10, 0))
    with pytest.raises(ValueError, match="does not offer controlled access"):
        dms_plan(StudyFacts("x", "igsr", "controlled", 10, 0))


def test_safe_harbor_lines_stay_right_after_a_broken_row(copy):
    """A row with the wrong number of fields is reported; later Safe Harbor findings keep their true line."""
    pheno = copy / "SubjectPhenotypes_DS.txt"
    lines = _lines(pheno)
    lines[2] = lines[2] + "\textra"
    header = lines[0].split("\t")
    cells = lines[5].split("\t")
    cells[header.index("BMI")] = "call 555-123-4567"
    lines[5] = "\t".join(cells)
    _write(pheno, lines)
    findings = validate(copy)
    assert ("SubjectPhenotypes_DS.txt", 3, "") in {(f.file, f.line, f.field) for f in findings}
    redacted = [f for f in findings if "Safe Harbor would change" in f.problem]
    assert [(f.line, f.field) for f in redacted] == [(6, "BMI")]


def test_without_crypt4gh_the_error_says_how_to_install_it(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "crypt4gh", None)  # as if not installed
    with pytest.raises(ModuleNotFoundError, match="pip install 'crypt4gh=="):
        generate_keypair(tmp_path, "archive")


def test_generate_keypair_refuses_to_replace_keys_unless_asked(tmp_path):
    pytest.importorskip("crypt4gh")
    public, secret = generate_keypair(tmp_path, "archive")
    before = secret.read_bytes()
    with pytest.raises(FileExistsError, match=r"archive\.pub: a key file exists; pass overwrite=True"):
        generate_keypair(tmp_path, "archive")
    assert secret.read_bytes() == before
    public.unlink()  # half a pair left: still refused, naming the file that is there
    with pytest.raises(FileExistsError, match=r"archive\.sec"):
        generate_keypair(tmp_path, "archive")
    assert generate_keypair(tmp_path, "archive", overwrite=True)[1].read_bytes() != before
    with pytest.raises(ValueError, match="overwrite must be True or False"):
        generate_keypair(tmp_path, "other", overwrite="yes")
