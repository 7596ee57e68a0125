"""Hostile input for saved worlds, the learners' world cache, family trees and Y-STRs.

A world's files can be replaced together with their manifest (the checksums detect
accidents, not edits), so every file that matches its checksum must still be read
defensively: a small ``genotypes.npz`` that declares a huge array, malformed JSON, CSV or
gzip. Two processes may ask for one learner's world at once; a link may stand where a
cached world should be. Family trees merged across trees may loop, and Y-STR repeat
counts may be absurd.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genshare.assignment import world_for
from genshare.attacks import candidate_ancestors, descendants, identify_people
from genshare.attacks.surname import infer_surname, infer_surnames, tmrca_posterior
from genshare.cohort import WorldIntegrityError, load_world, save_world, simulate_world
from genshare.cohort.parameters import SIZES
from genshare.cohort.ystr import MAX_REPEAT_COUNT, YSTR_PANEL

SMALL = dict(SIZES["tiny"])  # genshare.cohort.parameters.SIZES


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    return save_world(simulate_world(seed=7, **SMALL), tmp_path_factory.mktemp("world") / "w", vcf=False)


@pytest.fixture
def world_copy(saved, tmp_path) -> Path:
    target = tmp_path / "w"
    shutil.copytree(saved, target)
    return target


def _resign(folder: Path) -> None:
    """Rewrite the manifest to match the files, as someone who edits a world can."""
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
             for p in sorted(folder.iterdir()) if p.name != "MANIFEST.sha256" and not p.name.startswith(".")]
    (folder / "MANIFEST.sha256").write_text("".join(lines))


def _npy(shape: tuple[int, ...], data: bytes, dtype: str = "|u1") -> bytes:
    """A .npy member: a header declaring ``shape`` and ``dtype``, then ``data`` (possibly far less)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buffer.getvalue() + data


def _write_npz(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def _members(folder: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(folder / "genotypes.npz") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# --- genotypes.npz declaring more than it holds ----------------------------------------------


def test_a_small_npz_declaring_gigabytes_is_refused_before_allocation(world_copy):
    members = _members(world_copy)
    members["cohort.npy"] = _npy((300_000, 20_000), b"\0" * 2**20)  # declares 6 GB, holds 1 MiB
    _write_npz(world_copy / "genotypes.npz", members)
    _resign(world_copy)
    tracemalloc.start()
    try:
        with pytest.raises(WorldIntegrityError, match=r"genotypes\.npz: cohort\.npy declares shape \(300000, 20000\)"):
            load_world(world_copy)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20  # the tables of a small world, never the declared 6 GB


def test_a_shape_that_disagrees_with_world_json_is_refused_before_reading(world_copy):
    members = _members(world_copy)
    members["reference.npy"] = _npy((300, 100), b"\x55" * 30_000)  # consistent in itself, but not this world
    _write_npz(world_copy / "genotypes.npz", members)
    _resign(world_copy)
    with pytest.raises(WorldIntegrityError, match=r"'reference' declares packed shape \(300, 100\), but world\.json gives"):
        load_world(world_copy)


@pytest.mark.parametrize("change", ["dtype", "ndim", "extra member", "missing member", "object"])
def test_npz_members_of_the_wrong_kind_are_refused(world_copy, change):
    members = _members(world_copy)
    if change == "dtype":
        members["database.npy"] = _npy((300, 15), b"\0" * 300 * 15 * 8, "<f8")
    elif change == "ndim":
        members["database.npy"] = _npy((300 * 15,), b"\0" * 300 * 15)
    elif change == "extra member":
        members["secret.npy"] = _npy((1,), b"\0")
    elif change == "missing member":
        del members["database.npy"]
    else:
        members["database.npy"] = _npy((2,), b"\0" * 16, "|O")
    _write_npz(world_copy / "genotypes.npz", members)
    _resign(world_copy)
    with pytest.raises(WorldIntegrityError, match=r"genotypes\.npz"):
        load_world(world_copy)


# --- malformed files whose checksums match -------------------------------------------------


@pytest.mark.parametrize("name, content", [
    ("world.json", b"{ not json"),
    ("world.json", b"[1, 2, 3]"),
    ("world.json", b'{"seed": "seven", "parameters": {}}'),
    ("world.json", b"\xff\xfe\x00"),
    ("genotypes.npz", b"PK\x03\x04 truncated"),
    ("genotypes.npz", b""),
    ("cohort.csv", b"\x00\x01\x02\xff\xfe"),
    ("cohort.csv", b""),
    ("snps.csv.gz", b"\x1f\x8b\x08\x00 not really gzip"),
])
def test_a_malformed_file_is_an_integrity_error_naming_it(world_copy, name, content):
    (world_copy / name).write_bytes(content)
    _resign(world_copy)
    with pytest.raises(WorldIntegrityError, match=name.replace(".", r"\.")):
        load_world(world_copy)


@pytest.mark.parametrize("name", ["genotypes.npz", "people.csv.gz", "family_trees.csv.gz", "world.json"])
def test_a_truncated_file_is_an_integrity_error_naming_it(world_copy, name):
    data = (world_copy / name).read_bytes()
    (world_copy / name).write_bytes(data[: len(data) // 2])
    _resign(world_copy)
    with pytest.raises(WorldIntegrityError, match=name.replace(".", r"\.")):
        load_world(world_copy)


def test_a_table_that_inflates_to_one_endless_line_is_refused(world_copy):
    block = 16 * 2**20
    member = gzip.compress(b"A" * block, compresslevel=9)
    (world_copy / "people.csv.gz").write_bytes(member * 96)  # 1.5 MiB on disk, 1.5 GiB and no line break inflated
    _resign(world_copy)
    with pytest.raises(WorldIntegrityError, match=r"people\.csv\.gz: a line is longer than"):
        load_world(world_copy)


def test_read_vcf_genotypes_names_the_file_and_line_of_a_bad_call(tmp_path):
    from genshare.cohort.storage import read_vcf_genotypes

    path = tmp_path / "x.vcf.gz"
    path.write_bytes(gzip.compress(b"##fileformat=VCFv4.3\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\n"
                                   b"1\t1\trs1\tA\tG\t.\tPASS\t.\tGT\t0/1\t2/2\n"))
    with pytest.raises(WorldIntegrityError, match=r"x\.vcf\.gz, line 3: call '2/2'"):
        read_vcf_genotypes(path)
    block = 16 * 2**20
    path.write_bytes(gzip.compress(b"A" * block) * 2)
    with pytest.raises(WorldIntegrityError, match=r"x\.vcf\.gz: cannot be read"):
        read_vcf_genotypes(path)


# --- the learners' world cache -------------------------------------------------------------

CHILD = r"""
import sys
from pathlib import Path
import genshare.cohort as cohort
from genshare.assignment import world_for

cache, go = Path(sys.argv[1]), Path(sys.argv[2])
real = cohort.simulate_world

def counted(*args, **kwargs):
    (cache / f"simulated-{__import__('os').getpid()}").touch()
    return real(*args, **kwargs)

cohort.simulate_world = counted
(cache / f"ready-{__import__('os').getpid()}").touch()
while not go.exists():
    pass
print(world_for("course", "ana", cache=cache, **eval(sys.argv[3])))
"""


def test_two_processes_making_one_learners_world_take_turns_and_reuse_it(tmp_path):
    cache, go = tmp_path / "cache", tmp_path / "go"
    cache.mkdir()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(cache), str(go), repr(SMALL)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    deadline = time.monotonic() + 120
    while len(list(cache.glob("ready-*"))) < 2:  # both started: release them together
        assert all(c.poll() is None for c in children), [c.communicate() for c in children]
        assert time.monotonic() < deadline, "children never started"
        time.sleep(0.05)
    go.touch()
    results = [c.communicate(timeout=600) for c in children]
    assert [c.returncode for c in children] == [0, 0], results
    folders = {out.strip() for out, _ in results}
    assert len(folders) == 1
    assert len(list(cache.glob("simulated-*"))) == 1  # the second waited and reused the first one's world
    assert load_world(Path(folders.pop())).seed is not None


def test_a_symbolic_link_where_a_cached_world_should_be_is_refused(tmp_path, saved):
    cache = tmp_path / "cache"
    folder = world_for("course", "ana", cache=cache, **SMALL)
    shutil.rmtree(folder)
    folder.symlink_to(saved)  # a world, but someone else's, through a link
    with pytest.raises(ValueError, match="symbolic link"):
        world_for("course", "ana", cache=cache, **SMALL)
    folder.unlink()
    folder.symlink_to(tmp_path / "nowhere")  # a dangling link
    with pytest.raises(ValueError, match="symbolic link"):
        world_for("course", "ana", cache=cache, **SMALL)
    assert not (tmp_path / "nowhere").exists()
    folder.unlink()
    folder.write_text("not a folder")
    with pytest.raises(NotADirectoryError, match="is a file"):
        world_for("course", "ana", cache=cache, **SMALL)


# --- family trees: a person their own ancestor across trees --------------------------------


def _record(tree, record, first, born, father="", mother="", sex="M"):
    return {"tree_id": tree, "owner_profile_id": f"G{tree}", "record_id": record, "first_name": first,
            "surname": "Ray", "sex": sex, "birth_year": born, "place": "Juniper", "death_year": None,
            "father_record": father, "mother_record": mother}


def _loop(length: int) -> pd.DataFrame:
    """``length`` trees, each acyclic; merged, man i's father is man i+1 and the last man's father is the first."""
    rows = []
    for i in range(length):
        son, father = f"Man{i}", f"Man{(i + 1) % length}"
        rows.append(_record(f"T{i}", f"t{i}-father", father, 1900 + 10 * ((i + 1) % length)))
        rows.append(_record(f"T{i}", f"t{i}-son", son, 1900 + 10 * i, father=f"t{i}-father"))
    return pd.DataFrame(rows)


def test_a_man_who_is_his_own_grandfather_across_trees_is_refused_naming_the_people():
    trees = _loop(3)
    for tree in trees["tree_id"].unique():  # each tree alone is fine
        identify_people(trees[trees["tree_id"] == tree])
    with pytest.raises(ValueError, match=r"their own ancestor.*Man0 Ray \(M, b\. 1900, Juniper\).*Man1.*Man2"):
        identify_people(trees)
    with pytest.raises(ValueError, match="their own ancestor"):
        descendants(("Man1 Ray (M, b. 1910, Juniper)", "Eve Ray (F, b. 1910, Juniper)"), trees)


@settings(max_examples=25, deadline=None)
@given(length=st.integers(1, 6))
def test_any_loop_across_trees_is_refused_and_an_open_chain_is_not(length):
    trees = _loop(length)
    with pytest.raises(ValueError, match="their own ancestor"):
        identify_people(trees)
    chain = trees[trees["record_id"] != f"t{length - 1}-son"]  # cut the loop: a line of fathers
    assert len(identify_people(chain)) == len(chain)


def test_candidate_ancestors_refuses_looping_trees():
    trees = _loop(2)
    matches = pd.DataFrame({"profile_id": ["GT0", "GT1"], "shared_cm": [200.0, 200.0],
                            "relationships": ["second_cousin", "second_cousin"]})
    profiles = pd.DataFrame({"profile_id": ["GT0", "GT1"], "first_name": ["Man0", "Man1"], "surname": "Ray",
                             "sex": "M", "birth_year": [1900, 1910]})
    with pytest.raises(ValueError, match="their own ancestor"):
        candidate_ancestors(matches, trees, profiles)


# --- Y-STR repeat counts -------------------------------------------------------------------


def _database() -> pd.DataFrame:
    loci = YSTR_PANEL["locus"].tolist()
    rng = np.random.default_rng(3)
    table = pd.DataFrame(rng.integers(10, 30, size=(30, len(loci))), columns=loci)
    table.insert(0, "surname", [f"Name{i % 7}" for i in range(30)])
    table.insert(0, "ystr_profile_id", [f"Y{i}" for i in range(30)])
    return table


@pytest.mark.parametrize("bad", [10**6, float("inf"), float("-inf"), float("nan"), -1, MAX_REPEAT_COUNT + 1])
def test_an_absurd_repeat_count_is_refused_before_any_large_allocation(bad):
    database = _database()
    target = database.iloc[0][YSTR_PANEL["locus"]].astype(object)
    target["DYS19"] = bad
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"target_haplotype: .*repeat count at locus DYS19"):
            infer_surname(target, database, sex="M")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20


@pytest.mark.parametrize("bad", [10**6, float("inf"), -3])
def test_an_absurd_repeat_count_in_the_database_or_targets_is_refused(bad):
    database = _database()
    broken = database.astype({"DYS390": object})
    broken.loc[4, "DYS390"] = bad
    with pytest.raises(ValueError, match=r"database: .*locus DYS390 .*row 'Y4'|database: .*locus DYS390"):
        infer_surname(database.iloc[0][YSTR_PANEL["locus"]], broken, sex="M")
    targets = broken.drop(columns=["surname"]).rename(columns={"ystr_profile_id": "participant_id"})
    with pytest.raises(ValueError, match="targets: .*locus DYS390"):
        infer_surnames(targets, database)


@pytest.mark.parametrize("bad", [10**6, np.inf, np.nan])
def test_tmrca_posterior_refuses_absurd_differences(bad):
    differences = np.zeros((1, 3))
    differences[0, 1] = bad
    with pytest.raises(ValueError, match="differences"):
        tmrca_posterior(differences, np.full(3, 0.003))


def test_the_largest_allowed_repeat_count_still_works():
    database = _database()
    target = database.iloc[0][YSTR_PANEL["locus"]].copy()
    target["DYS19"] = MAX_REPEAT_COUNT
    assert infer_surname(target, database, sex="M").status in ("answer", "no_answer")
