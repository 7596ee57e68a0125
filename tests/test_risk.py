"""The pre-release risk check (genshare.risk): real formats, bad input, known answers and properties."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genshare.cohort.storage import write_vcf
from genshare.deidentify import generalize, k_anonymity
from genshare.deidentify.anonymity import date_hierarchy, numeric_hierarchy, suppression_hierarchy, zip_hierarchy
from genshare.deidentify.privacy import laplace_scale
from genshare.risk import (
    RiskInputError,
    analytic_lr_power,
    dp_cost,
    file_kind,
    membership_power,
    read_genotype_summary,
    read_table_summary,
    risk_check,
    sha256,
    write_report,
)
from genshare.risk.__main__ import main
from genshare.risk.table import generalise_counts, uniqueness_summary

cyvcf2 = pytest.importorskip("cyvcf2", reason="the risk extra (cyvcf2) is not installed")
needs_bcftools = pytest.mark.skipif(shutil.which("bcftools") is None, reason="Debian bcftools not installed")
needs_plink2 = pytest.mark.skipif(shutil.which("plink2") is None, reason="plink2 not installed")

N_PEOPLE, N_SNPS = 40, 300


def _genotypes(seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    freqs = rng.uniform(0.02, 0.5, N_SNPS)
    g = rng.binomial(2, freqs, size=(N_PEOPLE, N_SNPS)).astype(np.int8)
    g[rng.random(g.shape) < 0.01] = -1
    return g


def _snps() -> pd.DataFrame:
    return pd.DataFrame({"snp_id": [f"rs{i + 1}" for i in range(N_SNPS)], "chrom": "1",
                         "pos": np.arange(1, N_SNPS + 1) * 1000, "ref": "A", "alt": "G", "panel": "array"})


SAMPLES = [f"S{i:03d}" for i in range(N_PEOPLE)]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """A study as a user would hold it: a table, the module's bgzipped VCF, and copies by other tools."""
    folder = tmp_path_factory.mktemp("study")
    g = _genotypes()
    vcf = folder / "study.vcf.gz"
    vcf.write_bytes(write_vcf(g, SAMPLES, _snps(), "risk test"))
    plain = folder / "study.vcf"
    plain.write_bytes(gzip.decompress(vcf.read_bytes()))
    rng = np.random.default_rng(2)
    table = pd.DataFrame({
        "sample_id": SAMPLES,
        "zip5": rng.choice(["39011", "39012", "39024", "39031"], N_PEOPLE),
        "birth_year": rng.integers(1950, 1960, N_PEOPLE).astype(str),
        "sex": rng.choice(["F", "M"], N_PEOPLE),
        "diagnosis": rng.choice(["asthma", "none"], N_PEOPLE),
    })
    csv = folder / "study.csv"
    table.to_csv(csv, index=False)
    tsv = folder / "study.tsv"
    table.to_csv(tsv, index=False, sep="\t")
    return {"folder": folder, "vcf": vcf, "plain": plain, "csv": csv, "tsv": tsv, "genotypes": g, "table": table}


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: sha256(p) for p in sorted(folder.iterdir()) if p.is_file()}


# --- reading real formats ------------------------------------------------------------------------


def _expected_counts(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    called = g >= 0
    return np.where(called, g, 0).sum(axis=0), called.sum(axis=0)


@pytest.mark.parametrize("name", ["vcf", "plain"])
def test_reads_the_vcf_the_module_writes(files, name):
    summary = read_genotype_summary(files[name], chunk_variants=64)
    alt, called = _expected_counts(files["genotypes"])
    assert summary.samples == SAMPLES
    assert summary.kind == ("vcf.gz" if name == "vcf" else "vcf")
    np.testing.assert_array_equal(summary.alt_counts, alt)
    np.testing.assert_array_equal(summary.called, called)


@needs_bcftools
def test_reads_a_vcf_written_by_bcftools(files, tmp_path):
    out = tmp_path / "bcftools.vcf.gz"
    subprocess.run(["bcftools", "view", "-Oz", "-o", str(out), str(files["vcf"])], check=True)
    assert b"bcftools" in gzip.decompress(out.read_bytes())[:5000]
    summary = read_genotype_summary(out)
    alt, called = _expected_counts(files["genotypes"])
    np.testing.assert_array_equal(summary.alt_counts, alt)
    np.testing.assert_array_equal(summary.called, called)


def test_reads_a_vcf_written_by_tskit(tmp_path):
    import msprime

    ts = msprime.sim_ancestry(samples=12, sequence_length=200_000, recombination_rate=1e-8, population_size=10_000, random_seed=3)
    ts = msprime.sim_mutations(ts, rate=2e-8, random_seed=3)
    path = tmp_path / "tskit.vcf"
    with open(path, "w") as handle:
        ts.write_vcf(handle, individual_names=[f"ind{i}" for i in range(ts.num_individuals)])
    summary = read_genotype_summary(path)
    # Alternate alleles per site: any allele other than the ancestral one (a site may hold several).
    dosage = (ts.genotype_matrix() > 0).reshape(ts.num_sites, -1, 2).sum(axis=2)
    assert summary.samples == [f"ind{i}" for i in range(12)]
    assert summary.n_snps == ts.num_sites > 0
    np.testing.assert_array_equal(summary.alt_counts, dosage.sum(axis=1))


@needs_plink2
@pytest.mark.parametrize("fileset", ["--make-pgen", "--make-bed"])
def test_reads_plink_files_written_by_plink2(files, tmp_path, fileset):
    prefix = tmp_path / "study"
    subprocess.run(["plink2", "--vcf", str(files["vcf"]), fileset, "--out", str(prefix), "--silent"], check=True)
    summary = read_genotype_summary(prefix.with_suffix(".pgen" if fileset == "--make-pgen" else ".bed"))
    alt, called = _expected_counts(files["genotypes"])
    assert summary.samples == SAMPLES
    np.testing.assert_array_equal(summary.called, called)
    np.testing.assert_array_equal(summary.alt_counts, alt)


@needs_plink2
def test_plink_fileset_missing_its_side_file(files, tmp_path):
    prefix = tmp_path / "study"
    subprocess.run(["plink2", "--vcf", str(files["vcf"]), "--make-bed", "--out", str(prefix), "--silent"], check=True)
    prefix.with_suffix(".bim").unlink()
    with pytest.raises(RiskInputError, match=r"study\.bed: the variant \(\.bim\) file \(study\.bim\) is missing beside it"):
        read_genotype_summary(prefix.with_suffix(".bed"))


def test_a_vcf_given_as_the_table(files):
    with pytest.raises(RiskInputError, match=r"study\.vcf\.gz: not a CSV/TSV text table: its content is VCF\.GZ"):
        read_table_summary(files["vcf"], ["zip5"])


def test_tables_csv_and_tsv_agree(files):
    a = read_table_summary(files["csv"], ["zip5", "sex"])
    b = read_table_summary(files["tsv"], ["zip5", "sex"])
    pd.testing.assert_frame_equal(a.combinations, b.combinations)
    expected = files["table"].groupby(["zip5", "sex"]).size()
    got = a.combinations.set_index(["zip5", "sex"])["count"].sort_index()
    assert got.to_dict() == expected.sort_index().to_dict()


# --- the whole check -----------------------------------------------------------------------------


def test_full_check_writes_html_and_json_and_modifies_nothing(files, tmp_path):
    before = _hashes(files["folder"])
    summary = risk_check(files["csv"], ["zip5", "birth_year", "sex"], k=3, genotypes=files["vcf"],
                         sample_id_column="sample_id", release="beacon", epsilons=(1.0, 10.0))
    html_path, json_path = write_report(summary, tmp_path / "report")
    assert _hashes(files["folder"]) == before  # nothing changed, nothing added (no index files)
    data = json.loads(json_path.read_text())
    assert data["recommendation"]["tier"] == "controlled"  # individual-level genotypes
    assert data["genotypes"]["samples"] == N_PEOPLE and data["genotypes"]["sample_ids"] == "match the table"
    assert data["inputs"]["table"]["sha256"] == before["study.csv"]
    assert data["inputs"]["table"]["unchanged_after_check"] and data["inputs"]["genotypes"]["unchanged_after_check"]
    page = html_path.read_text()
    assert '<html lang="en">' in page
    images = page.count("<img ")
    assert images >= 3 and page.count('alt="') >= images
    assert "Safe Harbor" in page and "before-you-share" in page


def test_k_anonymity_and_generalisation_match_the_deidentify_module(files):
    summary = risk_check(files["csv"], ["zip5", "birth_year", "sex"], k=3)
    t = summary["table"]
    assert t["uniqueness"]["k_achieved"] == k_anonymity(files["table"], ["zip5", "birth_year", "sex"])
    hierarchies = {"zip5": zip_hierarchy(), "birth_year": numeric_hierarchy(), "sex": suppression_hierarchy()}
    _, expected = generalize(files["table"], hierarchies, k=3)
    for column in hierarchies:
        assert t["generalisation"]["levels"][column]["level"] == expected[f"level_{column}"]
    assert t["generalisation"]["rows_suppressed"] == expected["suppressed"]


def test_safe_harbor_identifiers_are_found_in_the_table(tmp_path):
    path = tmp_path / "clinic.csv"
    pd.DataFrame({"name": ["Ann Lee", "Bo Yu"], "email": ["a@example.org", "b@example.org"], "sex": ["F", "M"],
                  "note": ["call 555-123-4567", "fine"]}).to_csv(path, index=False)
    summary = risk_check(path, ["sex"], k=2)
    sh = summary["table"]["safe_harbor"]
    assert {"name", "email"} <= set(sh["identifier_columns"])
    assert "note" in sh["identifiers_in_text"]
    assert summary["recommendation"]["components"]["table"] == "controlled"


def test_a_clean_k_anonymous_table_is_registered_not_open(tmp_path):
    path = tmp_path / "clean.csv"
    pd.DataFrame({"sex": ["F", "M"] * 10, "smoker": ["yes"] * 10 + ["no"] * 10}).to_csv(path, index=False)
    summary = risk_check(path, ["sex"], k=5)
    assert summary["recommendation"]["tier"] == "registered"


def test_release_planned_without_size_is_not_assessed_and_controlled(files):
    summary = risk_check(files["csv"], ["sex"], k=2, release="frequencies")
    assert summary["release"]["status"] == "not assessed"
    assert summary["recommendation"]["tier"] == "controlled"
    assert any(item["part"] == "release" for item in summary["not_assessed"])


def test_missing_reader_is_reported_not_passed(files, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_cyvcf2(name, *args, **kwargs):
        if name == "cyvcf2":
            raise ImportError("no cyvcf2")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_cyvcf2)
    summary = risk_check(genotypes=files["vcf"], release="frequencies")
    assert summary["genotypes"]["status"] == "not assessed" and "pip install" in summary["genotypes"]["reason"]
    assert summary["release"]["status"] == "not assessed"
    assert summary["recommendation"]["tier"] == "controlled"


def test_small_release_is_open_and_large_one_controlled():
    small = risk_check(release="frequencies", n_members=5000, n_snps=20, seed=1)
    large = risk_check(release="frequencies", n_members=100, n_snps=5000, seed=1)
    assert small["recommendation"]["tier"] == "open" and not small["release"]["detectable"]
    assert large["recommendation"]["tier"] == "controlled" and large["release"]["detectable"]
    assert small["release"]["frequencies_from"] == "assumed"


# --- attack power and differential privacy --------------------------------------------------------


@pytest.mark.parametrize("n, m", [(200, 200), (500, 2000), (1000, 5000)])
def test_simulated_power_agrees_with_the_analytic_approximation(n, m):
    f = np.random.default_rng(n).uniform(0.05, 0.5, m)
    result = membership_power(f, n, epsilons=(), seed=4)
    assert abs(result["power"] - result["analytic_power"]) < 0.15


def test_analytic_power_grows_with_snps_and_falls_with_people():
    assert analytic_lr_power(1000, 100) < analytic_lr_power(1000, 1000) < analytic_lr_power(1000, 10_000)
    assert analytic_lr_power(100, 1000) > analytic_lr_power(10_000, 1000)
    assert analytic_lr_power(10**6, 1, alpha=0.05) == pytest.approx(0.05, abs=0.01)


def test_dp_cost_is_the_laplace_scale():
    rows = dp_cost(2504, 100_000, (0.5, 5.0))
    assert [r["laplace_scale"] for r in rows] == [laplace_scale(2504, 100_000, 0.5), laplace_scale(2504, 100_000, 5.0)]
    assert all(r["rms_error"] == pytest.approx(np.sqrt(2) * r["laplace_scale"]) for r in rows)


# --- bad input: each a clear message naming the file ------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.vcf.gz"
    with pytest.raises(RiskInputError, match=r"nowhere\.vcf\.gz.*not found"):
        read_genotype_summary(path)
    with pytest.raises(RiskInputError, match=r"nowhere\.csv.*not found"):
        risk_check(tmp_path / "nowhere.csv", ["zip5"])


def test_a_pdf_named_vcf(tmp_path):
    path = tmp_path / "genotypes.vcf"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n")
    assert file_kind(path) == "pdf"
    with pytest.raises(RiskInputError, match=r"genotypes\.vcf: not a genotype file: it is a PDF"):
        read_genotype_summary(path)
    with pytest.raises(RiskInputError, match=r"genotypes\.vcf: not a CSV/TSV"):
        read_table_summary(path, ["zip5"])


def test_a_table_named_vcf(files, tmp_path):
    path = tmp_path / "table.vcf"
    shutil.copy(files["csv"], path)
    with pytest.raises(RiskInputError, match=r"table\.vcf: not a genotype file: it is text but not a VCF"):
        read_genotype_summary(path)


@needs_bcftools
def test_vcf_with_no_samples(files, tmp_path):
    path = tmp_path / "sites-only.vcf.gz"
    subprocess.run(["bcftools", "view", "-G", "-Oz", "-o", str(path), str(files["vcf"])], check=True)
    with pytest.raises(RiskInputError, match=r"sites-only\.vcf\.gz: the VCF has no samples"):
        read_genotype_summary(path)


def test_vcf_with_no_samples_written_by_hand(tmp_path):
    path = tmp_path / "sites.vcf"
    path.write_text("##fileformat=VCFv4.3\n##contig=<ID=1>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t10\t.\tA\tG\t.\tPASS\t.\n")
    with pytest.raises(RiskInputError, match=r"sites\.vcf: the VCF has no samples"):
        read_genotype_summary(path)


def test_mismatched_sample_ids(files, tmp_path):
    table = files["table"].copy()
    table.loc[0, "sample_id"] = "NOT-IN-VCF"
    path = tmp_path / "renamed.csv"
    table.to_csv(path, index=False)
    with pytest.raises(RiskInputError, match=r"sample ids do not match between .*study\.vcf\.gz and .*renamed\.csv.*S000.*NOT-IN-VCF"):
        risk_check(path, ["sex"], genotypes=files["vcf"], sample_id_column="sample_id")


def test_a_named_column_the_table_lacks(files):
    with pytest.raises(RiskInputError, match=r"study\.csv: the table has no column\(s\) 'zip3', 'dob'; its columns are 'sample_id'"):
        read_table_summary(files["csv"], ["zip5", "zip3", "dob"])


@pytest.mark.parametrize("content, problem", [(b"", "empty \\(0 bytes\\)"), (b"zip5,sex\n", "a header but no rows"),
                                              (b"\n\n", "the first line \\(the header\\) is blank")])
def test_empty_tables(tmp_path, content, problem):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(RiskInputError, match=rf"empty\.csv: .*{problem}"):
        read_table_summary(path, ["zip5"])


def test_huge_table_is_streamed_in_chunks(tmp_path):
    rng = np.random.default_rng(5)
    n = 60_000
    table = pd.DataFrame({"zip5": rng.integers(39000, 39100, n).astype(str), "sex": rng.choice(["F", "M"], n)})
    path = tmp_path / "huge.csv"
    table.to_csv(path, index=False)
    streamed = read_table_summary(path, ["zip5", "sex"], chunk_rows=5_000)
    whole = read_table_summary(path, ["zip5", "sex"], chunk_rows=n)
    assert streamed.chunks == 12 and whole.chunks == 1 and streamed.n_rows == n
    key = ["zip5", "sex"]
    pd.testing.assert_frame_equal(streamed.combinations.sort_values(key).reset_index(drop=True),
                                  whole.combinations.sort_values(key).reset_index(drop=True))


def test_huge_vcf_is_streamed_in_blocks(files):
    streamed = read_genotype_summary(files["vcf"], chunk_variants=7)
    whole = read_genotype_summary(files["vcf"], chunk_variants=100_000)
    np.testing.assert_array_equal(streamed.alt_counts, whole.alt_counts)


def test_cli_reports_and_fails_with_the_file_named(files, tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["--table", str(files["csv"]), "--qi", "zip5", "--qi", "sex", "--k", "2", "--out", str(out)]) == 0
    assert "recommended access tier" in capsys.readouterr().out
    assert (out / "risk-report.html").is_file() and (out / "risk-report.json").is_file()
    assert main(["--table", str(tmp_path / "gone.csv"), "--qi", "zip5", "--out", str(out)]) == 2
    assert "gone.csv: table not found" in capsys.readouterr().err


def test_report_never_overwrites_an_input(tmp_path):
    path = tmp_path / "risk-report.json"
    pd.DataFrame({"sex": ["F", "M"] * 5}).to_csv(path, index=False)
    summary = risk_check(path, ["sex"], k=2)
    before = sha256(path)
    with pytest.raises(ValueError, match="is one of the files checked"):
        write_report(summary, tmp_path)
    assert sha256(path) == before


# --- properties of the table side ----------------------------------------------------------------

_tables = st.integers(1, 40).flatmap(lambda n: st.fixed_dictionaries({
    "zip5": st.lists(st.sampled_from(["39011", "39012", "39021", "40011"]), min_size=n, max_size=n),
    "age": st.lists(st.integers(18, 95), min_size=n, max_size=n),
    "sex": st.lists(st.sampled_from(["F", "M"]), min_size=n, max_size=n),
}))


def _counts(table: pd.DataFrame) -> pd.DataFrame:
    return table.astype(str).groupby(list(table.columns), sort=False).size().rename("count").reset_index()


@settings(max_examples=40, deadline=None)
@given(_tables, st.integers(2, 6))
def test_uniqueness_on_counts_matches_k_anonymity_on_rows(data, k):
    table = pd.DataFrame(data)
    summary = uniqueness_summary(_counts(table), k)
    assert summary["k_achieved"] == k_anonymity(table, list(table.columns))
    sizes = table.groupby(list(table.columns))["sex"].transform("size")
    assert summary["unique_rows"] == int((sizes == 1).sum())
    assert summary["rows_below_k"] == int((sizes < k).sum())
    assert sum(summary["class_size_counts"].values()) == len(table)


@settings(max_examples=30, deadline=None)
@given(_tables, st.integers(2, 4), st.sampled_from([0.0, 0.05, 0.2]))
def test_weighted_generalisation_chooses_what_generalize_chooses(data, k, max_suppression):
    table = pd.DataFrame(data)[["zip5", "age", "sex"]].astype(str)  # the lattice order of both functions
    result = generalise_counts(_counts(table), k, {"zip5": "zip", "age": "number", "sex": "suppress"}, max_suppression)
    if len(table) < k:
        assert not result["reachable"]
        return
    hierarchies = {"zip5": zip_hierarchy(), "age": numeric_hierarchy(), "sex": suppression_hierarchy()}
    released, expected = generalize(table, hierarchies, k=k, max_suppression=max_suppression)
    for column in hierarchies:
        assert result["levels"][column]["level"] == expected[f"level_{column}"]
    assert result["rows_suppressed"] == expected["suppressed"]
    assert result["k_after"] == expected["k"] and (result["k_after"] >= k or result["k_after"] == 0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables, st.integers(2, 7), st.sampled_from([",", "\t"]))
def test_streamed_table_counts_match_pandas_and_leave_the_file_alone(data, chunk_rows, sep):
    table = pd.DataFrame(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("t.tsv" if sep == "\t" else "t.csv")
        table.to_csv(path, index=False, sep=sep)
        before = sha256(path)
        summary = read_table_summary(path, ["zip5", "age", "sex"], chunk_rows=chunk_rows)
        assert sha256(path) == before and sorted(p.name for p in Path(folder).iterdir()) == [path.name]
    assert summary.n_rows == len(table)
    got = summary.combinations.set_index(["zip5", "age", "sex"])["count"].to_dict()
    assert got == _counts(table).set_index(["zip5", "age", "sex"])["count"].to_dict()


_records = st.integers(2, 30).flatmap(lambda n: st.fixed_dictionaries({
    "patient_name": st.lists(st.sampled_from(["Ann Lee", "Bo Yu", "Cy Diaz"]), min_size=n, max_size=n),
    "code": st.lists(st.text("AB0123456789", min_size=1, max_size=6), min_size=n, max_size=n),
    "note": st.lists(st.sampled_from(["fine", "call 555-123-4567", "seen on 3 Mar 2021 by a nurse", ""]), min_size=n, max_size=n),
    "sex": st.lists(st.sampled_from(["F", "M"]), min_size=n, max_size=n),
}))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_records, st.integers(2, 6))
def test_streaming_never_loses_a_safe_harbor_finding(data, chunk_rows):
    table = pd.DataFrame(data)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.csv"
        table.to_csv(path, index=False)
        whole = read_table_summary(path, ["sex"], chunk_rows=len(table) + 1).safe_harbor
        streamed = read_table_summary(path, ["sex"], chunk_rows=chunk_rows).safe_harbor
    def found(report, status):
        return set(map(tuple, report.loc[report["status"] == status, ["column", "identifier"]].to_numpy()))
    assert found(whole, "done") <= found(streamed, "done")
    assert found(whole, "needs review") <= found(streamed, "needs review")
    removed = streamed[streamed["action"] == "column removed"]
    assert removed["column"].tolist() == ["patient_name"] and removed["cells"].tolist() == [len(table)]


def test_date_hierarchy_is_used_for_dates(tmp_path):
    path = tmp_path / "dates.csv"
    pd.DataFrame({"date_of_birth": ["1950-03-01", "1950-03-02", "1951-07-09", "1951-07-10"],
                  "sex": ["F", "F", "M", "M"]}).to_csv(path, index=False)
    g = risk_check(path, ["date_of_birth", "sex"], k=2, max_suppression=0.0)["table"]["generalisation"]
    assert g["levels"]["date_of_birth"]["hierarchy"] == "date"
    assert len(date_hierarchy()) == 6 and g["levels"]["date_of_birth"]["level"] == 1  # year and month is enough


# --- the chapter says what the code does ---------------------------------------------------------

CHAPTER = Path(__file__).resolve().parents[1] / "chapters" / "before-you-share.md"


def test_chapter_options_exist_and_its_worked_numbers_are_the_codes(capsys):
    import re

    options = set(re.findall(r"(--[a-z][a-z0-9-]+)", CHAPTER.read_text()))
    with pytest.raises(SystemExit) as help_exit:
        main(["--help"])
    assert help_exit.value.code == 0
    accepted = set(re.findall(r"(--[a-z][a-z0-9-]+)", capsys.readouterr().out))
    assert options <= accepted, f"options in the chapter that the command does not have: {options - accepted}"
    # The worked example (n = 1,000, s = 10,000, R = 2,504) and exercise 2 (n = 5,000, s = 13,500).
    assert round(analytic_lr_power(1000, 10_000, 2504), 2) == 0.85
    assert analytic_lr_power(5000, 13_530, 10**12) == pytest.approx(0.5, abs=0.01)


def test_a_truncated_gzip_file_is_named_gzip_not_a_crash(tmp_path):
    """A gzip header whose first block is cut short: the sniffer says 'gzip' instead of raising EOFError."""
    import gzip as _gzip

    whole = _gzip.compress(b"##fileformat=VCFv4.3\n" + b"x" * 100_000)
    path = tmp_path / "cut.vcf.gz"
    path.write_bytes(whole[:40])
    assert file_kind(path) == "gzip"
