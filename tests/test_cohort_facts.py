"""The shared facts, the file formats and the size presets: declared once, and everyone reads the same ones."""

from __future__ import annotations

import gzip
import hashlib
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genshare import _facts
from genshare.cohort import identities, pedigree, records, storage, ystr
from genshare.cohort.parameters import DEFAULTS, SIZE_PARAMETERS, SIZES, quotas, validate_parameters
from genshare.deidentify import ZIP3_MIN_POPULATION, safe_harbor
from genshare.formats.checksums import file_sha256, manifest_text
from genshare.formats.vcf import BGZF_EOF, bgzf, write_vcf
from genshare.paths import world_dir

# --- known answers ------------------------------------------------------------------------------


def test_today_is_declared_once_and_the_rest_derive_from_it():
    assert str(_facts.REFERENCE_DATE) == "2026-01-01"
    assert (_facts.REFERENCE_YEAR, _facts.LAST_BIRTH_YEAR) == (2026, 2025)
    assert identities.REFERENCE_DATE is _facts.REFERENCE_DATE
    assert pedigree.LAST_BIRTH_YEAR == _facts.LAST_BIRTH_YEAR
    assert safe_harbor.__kwdefaults__["reference_year"] == _facts.REFERENCE_YEAR


def test_the_simulator_reexports_the_same_objects():
    assert records.ADULT_AGE is ystr.ADULT_AGE is _facts.ADULT_AGE == 18
    assert ystr.YSTR_PANEL is _facts.YSTR_PANEL and ystr.MAX_REPEAT_COUNT is _facts.MAX_REPEAT_COUNT
    assert pedigree.relationship_name is _facts.relationship_name
    assert storage.write_vcf is write_vcf


def test_relationship_names():
    assert _facts.relationship_name(1, 1, True) == "full_sibling"
    assert _facts.relationship_name(3, 3, False) == "half_second_cousin"
    assert _facts.relationship_name(0, 3, False) == "great_grandparent"
    assert _facts.relationship_name(7, 8, True) == "6th_cousin_once_removed"


def test_the_safe_harbor_zip3_rule_uses_the_named_threshold():
    table = pd.DataFrame({"zip5": ["39011", "40011"]})
    released, _ = safe_harbor(table, {"390": ZIP3_MIN_POPULATION, "400": ZIP3_MIN_POPULATION + 1})
    assert released["zip3"].tolist() == ["000", "400"]  # "more than 20,000" people


def test_quotas_known_answers():
    assert quotas(10, [0.25, 0.5, 0.25]).tolist() == [2, 5, 3]
    assert quotas(500, np.ones(3)).tolist() == [166, 167, 167]
    assert quotas(0, [1, 2]).tolist() == [0, 0]


def test_file_sha256_matches_hashlib_for_a_path_and_a_descriptor(tmp_path):
    path = tmp_path / "x.bin"
    data = os.urandom(3 * 2**20 + 5)  # more than one read
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()
    fd = os.open(path, os.O_RDONLY)
    try:
        assert file_sha256(fd) == hashlib.sha256(data).hexdigest()
    finally:
        os.close(fd)


def test_manifest_lines_are_sorted_sha256sum_lines():
    text = manifest_text({"b": b"2", "a": b"1"}).decode()
    assert text == f"{hashlib.sha256(b'1').hexdigest()}  a\n{hashlib.sha256(b'2').hexdigest()}  b\n"


def test_the_committed_manifest_is_what_manifest_text_writes():
    folder = world_dir()
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != storage.MANIFEST}
    assert manifest_text(files) == (folder / storage.MANIFEST).read_bytes()


def test_write_vcf_known_answer():
    snps = pd.DataFrame({"chrom": [1, 2], "pos": [10, 20], "snp_id": ["rs1", "rs2"], "ref": ["A", "C"],
                         "alt": ["G", "T"], "panel": ["array", "sequence"]})
    packed = write_vcf(np.array([[0, 2], [1, -1]]), ["S1", "S2"], snps, "known")
    assert packed.endswith(BGZF_EOF)
    lines = gzip.decompress(packed).decode().splitlines()
    assert lines[1] == "##fileDate=20260101"
    assert lines[-2:] == ["1\t10\trs1\tA\tG\t.\tPASS\tPANEL=array\tGT\t0/0\t0/1",
                          "2\t20\trs2\tC\tT\t.\tPASS\tPANEL=sequence\tGT\t1/1\t./."]


def test_size_presets():
    assert set(SIZES) == {"tiny", "small", "default"}
    for sizes in SIZES.values():
        assert tuple(sizes) == SIZE_PARAMETERS
        validate_parameters(1, **sizes)
    assert SIZES["default"] == {name: DEFAULTS[name] for name in SIZE_PARAMETERS}
    for name in SIZE_PARAMETERS:
        assert SIZES["tiny"][name] <= SIZES["small"][name] <= SIZES["default"][name] or name == "n_relatives"


# --- properties ---------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=8))
def test_quotas_sum_to_the_total_and_stay_within_one_of_the_exact_share(total, shares):
    if sum(shares) <= 0:
        return
    parts = quotas(total, shares)
    exact = total * np.array(shares) / np.sum(shares)
    assert parts.sum() == total and (parts >= 0).all()
    assert np.all(np.abs(parts - exact) < 1 + 1e-9)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=200_000), st.integers(0, 9))
def test_bgzf_round_trips_through_gzip(data, level):
    assert gzip.decompress(bgzf(data, level)) == data


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 6), st.integers(0, 6), st.booleans())
def test_relationship_names_are_symmetric(a, b, full):
    if a == b == 0:
        return
    assert _facts.relationship_name(a, b, full) == _facts.relationship_name(b, a, full)


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "..", "a/b", "a\\b", "a\nb"])
def test_manifest_text_refuses_a_name_it_cannot_hold(name):
    with pytest.raises(ValueError, match="not a plain file name"):
        manifest_text({name: b""})


def test_file_sha256_refuses_a_folder(tmp_path):
    with pytest.raises(ValueError, match="folder"):
        file_sha256(tmp_path)


def test_save_world_refuses_a_note_that_is_not_text(tmp_path):
    with pytest.raises(ValueError, match="note must be text"):
        storage.save_world(None, tmp_path / "w", note=b"bytes")
