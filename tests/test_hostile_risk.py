"""Hostile input for the pre-release risk check.

The report must never be written over an input (a hard link is the same file under
another name), a gzip table whose header inflates to gigabytes must be refused without
reading it whole, and a repeated column name must be refused before pandas renames it.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genshare.risk import RiskInputError, read_table_summary, risk_check, write_report
from genshare.risk.check import sha256


def _table(path: Path) -> Path:
    pd.DataFrame({"zip5": ["39011", "39012"] * 5, "sex": ["F", "M"] * 5}).to_csv(path, index=False)
    return path


def _endless_gzip(path: Path, prefix: bytes = b"", gib: float = 1.5) -> Path:
    """About 1.5 MiB of gzip whose line after ``prefix`` inflates to ``gib`` GiB with no line break."""
    block = 16 * 2**20
    member = gzip.compress(b"A" * block, compresslevel=9)
    path.write_bytes((gzip.compress(prefix) if prefix else b"") + member * int(gib * 2**30 / block))
    return path


# --- the report never replaces an input ----------------------------------------------------


@pytest.mark.parametrize("name", ["risk-report.json", "risk-report.html"])
def test_the_report_is_never_written_over_a_hard_link_of_an_input(tmp_path, name):
    (tmp_path / "data").mkdir()
    table = _table(tmp_path / "data" / "people.csv")
    summary = risk_check(table, ["zip5", "sex"], k=2)
    out = tmp_path / "report"
    out.mkdir()
    os.link(table, out / name)
    before = sha256(table)
    with pytest.raises(ValueError, match="is one of the files checked"):
        write_report(summary, out)
    assert sha256(table) == before
    assert sorted(p.name for p in out.iterdir()) == [name]  # nothing else written either


def test_the_report_is_never_written_through_a_symbolic_link_to_an_input(tmp_path):
    table = _table(tmp_path / "people.csv")
    summary = risk_check(table, ["zip5", "sex"], k=2)
    out = tmp_path / "report"
    out.mkdir()
    (out / "risk-report.html").symlink_to(table)
    before = sha256(table)
    with pytest.raises(ValueError, match="is one of the files checked"):
        write_report(summary, out)
    assert sha256(table) == before


def test_a_link_to_another_file_is_replaced_not_written_through(tmp_path):
    table = _table(tmp_path / "people.csv")
    summary = risk_check(table, ["zip5", "sex"], k=2)
    bystander = tmp_path / "notes.txt"
    bystander.write_text("keep me")
    out = tmp_path / "report"
    out.mkdir()
    (out / "risk-report.json").symlink_to(bystander)
    write_report(summary, out)
    assert bystander.read_text() == "keep me"
    assert not (out / "risk-report.json").is_symlink()


# --- endless lines -------------------------------------------------------------------------


def test_a_gzip_table_whose_header_inflates_to_gigabytes_is_refused(tmp_path):
    path = _endless_gzip(tmp_path / "table.csv.gz")
    assert path.stat().st_size < 2 * 2**20
    with pytest.raises(RiskInputError, match=r"table\.csv\.gz: the first line \(the header\) is longer than"):
        read_table_summary(path, ["zip5"])


def test_a_gzip_table_whose_row_inflates_to_gigabytes_is_refused(tmp_path):
    path = _endless_gzip(tmp_path / "table.csv.gz", prefix=b"zip5,sex\n39011,F\n")
    with pytest.raises(RiskInputError, match=r"table\.csv\.gz: a line after row \d+ is longer than"):
        read_table_summary(path, ["zip5"])


def test_a_vcf_whose_header_inflates_to_gigabytes_is_refused(tmp_path):
    pytest.importorskip("cyvcf2")
    path = _endless_gzip(tmp_path / "calls.vcf.gz", prefix=b"##fileformat=VCFv4.3\n##")
    with pytest.raises(RiskInputError, match=r"calls\.vcf\.gz: a header line is longer than"):
        risk_check(genotypes=path)


# --- repeated column names -----------------------------------------------------------------


@pytest.mark.parametrize("header", ["zip5,sex,zip5", "zip5,zip5,sex", "sex,zip5,zip5,zip5.1"])
def test_a_repeated_column_is_refused_naming_it(tmp_path, header):
    path = tmp_path / "table.csv"
    path.write_text(header + "\n" + ",".join(["1"] * len(header.split(","))) + "\n")
    with pytest.raises(RiskInputError, match=r"table\.csv: the header repeats column name\(s\) 'zip5'"):
        read_table_summary(path, ["sex"])


def test_a_repeated_column_in_a_gzip_tsv_is_refused(tmp_path):
    path = tmp_path / "table.tsv.gz"
    path.write_bytes(gzip.compress(b"zip5\tsex\tzip5\n1\tF\t2\n"))
    with pytest.raises(RiskInputError, match="'zip5'"):
        risk_check(path, ["sex"], k=2)


_NAMES = st.lists(st.sampled_from(["zip5", "sex", "age", "dob", "ZIP5", "zip5 "]), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=_NAMES)
def test_any_repeated_name_is_refused_and_distinct_names_are_read(tmp_path, names):
    path = tmp_path / "t.csv"
    path.write_text(",".join(names) + "\n" + ",".join(["x"] * len(names)) + "\n")
    if len(set(names)) < len(names):
        with pytest.raises(RiskInputError, match="repeats column name"):
            read_table_summary(path, [names[0]])
    else:
        assert read_table_summary(path, [names[0]]).columns == names


def test_a_fifo_given_as_the_table_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "table.csv")
    with pytest.raises(RiskInputError, match="not a regular file"):
        read_table_summary(tmp_path / "table.csv", ["zip5"])


@pytest.mark.skipif(shutil.which("plink2") is None, reason="plink2 not installed")
@pytest.mark.parametrize("side", [".bim", ".fam"])
def test_an_endless_line_in_a_plink_side_file_is_refused(tmp_path, side):
    pytest.importorskip("pgenlib")
    import numpy as np

    from genshare.cohort.storage import write_vcf

    rng = np.random.default_rng(1)
    genotypes = rng.integers(0, 3, size=(10, 20)).astype(np.int8)
    snps = pd.DataFrame({"snp_id": [f"rs{i}" for i in range(20)], "chrom": "1", "pos": np.arange(1, 21) * 100,
                         "ref": "A", "alt": "G", "panel": "array"})
    vcf = tmp_path / "study.vcf.gz"
    vcf.write_bytes(write_vcf(genotypes, [f"S{i}" for i in range(10)], snps, "test"))
    prefix = tmp_path / "study"
    subprocess.run(["plink2", "--vcf", str(vcf), "--make-bed", "--out", str(prefix), "--silent"], check=True)
    with prefix.with_suffix(side).open("a") as handle:
        handle.write("x" * (2**24 + 10) + "\n")
    with pytest.raises(RiskInputError, match=rf"study\{side}: a line is longer than"):
        risk_check(genotypes=prefix.with_suffix(".bed"))


def test_zip3_population_table_is_a_small_regular_file(tmp_path):
    """--zip3-population read a FIFO (hung) and inflated a gzip bomb (MemoryError): both refused by name."""
    import argparse
    import gzip
    import os

    from genshare.risk.__main__ import _zip3

    fifo = tmp_path / "zip3.csv"
    os.mkfifo(fifo)
    with pytest.raises(argparse.ArgumentTypeError, match="zip3.csv"):
        _zip3(str(fifo))
    bomb = tmp_path / "bomb.csv"
    bomb.write_bytes(gzip.compress(b"zip3,population\n" + b"0" * 20_000_000))
    big = tmp_path / "big.csv"
    big.write_bytes(b"zip3,population\n" + b"390,1000\n" * 200_000)
    with pytest.raises(argparse.ArgumentTypeError, match="big.csv.*larger than"):
        _zip3(str(big))
    good = tmp_path / "good.csv"
    good.write_text("zip3,population\n390,25000\n036,15000\n", encoding="utf-8")
    assert _zip3(str(good)) == {"390": 25000, "036": 15000}
