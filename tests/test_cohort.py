"""Tests for genshare.cohort: the synthetic world is realistic, reproducible and safe to store.

The realism tests check properties a population geneticist would look at; each would fail
on a naive simulator that draws independent genotypes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from genshare import popgen as pg
from genshare.cohort import POPULATIONS, WorldIntegrityError, load_world, save_world, simulate_world, storage
from genshare.cohort.parameters import DEFAULTS, SIZES
from genshare.cohort.pedigree import relationship_name, validate_pedigree
from genshare.cohort.storage import read_vcf_genotypes
from genshare.formats import checksums
from genshare.paths import data_dir

COMMITTED = data_dir() / "synthetic"
SMALL = dict(SIZES["tiny"])  # genshare.cohort.parameters.SIZES


@pytest.fixture(scope="module")
def world():
    return load_world(COMMITTED)


@pytest.fixture(scope="module")
def small_world():
    return simulate_world(seed=7, **SMALL)


def array_common(world, genotypes, min_maf=0.05):
    """Columns of array SNPs that are common in ``genotypes``."""
    p = pg.allele_frequencies(genotypes)
    maf = np.minimum(p, 1 - p)
    return (world.snps["panel"].to_numpy() == "array") & (maf >= min_maf)


# --- reproducibility ------------------------------------------------------------------------


def test_committed_world_regenerates_byte_for_byte(world, tmp_path):
    """Same seed, same parameters, same pinned versions: the same bytes."""
    info = json.loads((COMMITTED / "world.json").read_text())
    regenerated = simulate_world(seed=info["seed"], **info["parameters"])
    save_world(regenerated, tmp_path / "again", vcf=False)
    assert (tmp_path / "again" / "MANIFEST.sha256").read_text() == (COMMITTED / "MANIFEST.sha256").read_text()


def test_different_seeds_give_different_worlds(small_world):
    other = simulate_world(seed=8, **SMALL)
    assert not np.array_equal(other.cohort_genotypes, small_world.cohort_genotypes)
    again = simulate_world(seed=7, **SMALL)
    assert np.array_equal(again.cohort_genotypes, small_world.cohort_genotypes)
    pd.testing.assert_frame_equal(again.voter_roll, small_world.voter_roll)


# --- structure --------------------------------------------------------------------------------


def test_shapes_and_values(world):
    n_snps = len(world.snps)
    for name in ("cohort", "reference", "database"):
        g = getattr(world, f"{name}_genotypes")
        assert g.dtype == np.int8
        assert g.shape == (len(getattr(world, name)), n_snps)
        assert set(np.unique(g)) <= {-1, 0, 1, 2}
    assert len(world.cohort) == DEFAULTS["n_participants"] and n_snps == DEFAULTS["n_snps"]
    assert (world.reference_genotypes >= 0).all()  # reference panel is fully called
    assert 0.002 < (world.cohort_genotypes < 0).mean() < 0.01  # about 0.5% missing calls


def test_snp_table(world):
    snps = world.snps
    assert snps["snp_id"].is_unique
    assert snps["chrom"].nunique() == 22
    assert not snps.duplicated(["chrom", "pos"]).any()
    assert (snps.groupby("chrom")["pos"].apply(lambda s: s.is_monotonic_increasing)).all()
    assert (snps.groupby("chrom")["cm"].apply(lambda s: s.is_monotonic_increasing)).all() and (snps["cm"] >= 0).all()
    # Human-like genetic lengths: about 35 Morgans over the 22 autosomes.
    assert 2500 < snps.groupby("chrom")["cm"].max().sum() < 3800
    assert set(snps["ref"]) <= set("ACGT") and (snps["ref"] != snps["alt"]).all()
    for pop in POPULATIONS:
        assert snps[f"freq_{pop}"].between(0, 1).all()
    assert (snps["effect"] != 0).sum() == 20


def test_cohort_population_mix_and_phenotype(world):
    shares = world.cohort["population"].value_counts(normalize=True)
    assert shares["CEU"] == pytest.approx(0.5, abs=0.05)
    assert shares["YRI"] == pytest.approx(0.25, abs=0.05)
    assert (world.cohort["status"] == "case").mean() == pytest.approx(0.5, abs=0.01)
    # The phenotype is heritable: the causal SNPs' score differs between cases and controls.
    effect = world.snps["effect"].to_numpy()
    score = np.where(world.cohort_genotypes >= 0, world.cohort_genotypes, 0) @ effect
    case = world.cohort["status"].to_numpy() == "case"
    assert score[case].mean() > score[~case].mean()


def test_relationship_table_is_consistent(world):
    rel = world.relationships
    assert set(rel["participant_id"]) <= set(world.cohort["participant_id"])
    assert set(rel["profile_id"]) <= set(world.database["profile_id"])
    assert not rel.duplicated(["participant_id", "profile_id"]).any()
    assert rel["degree"].between(1, 8).all()
    # Degree and expected kinship agree: kinship about 2^-(degree + 1).
    assert np.allclose(np.round(-np.log2(rel["expected_kinship"]) - 1), rel["degree"])
    # Relationships arise naturally: most participants have a third cousin or closer in a 5% database.
    assert rel["participant_id"].nunique() > 0.5 * len(world.cohort)
    kinds = set(rel["relationship"])
    assert {"parent_child", "full_sibling", "first_cousin", "second_cousin", "third_cousin"} <= kinds


def test_relationships_agree_with_the_pedigree(world):
    people = world.people.set_index("person_id")
    person = dict(zip(world.cohort["participant_id"], world.cohort["person_id"]))
    person.update(zip(world.database["profile_id"], world.database["person_id"]))
    rel = world.relationships
    a = people.loc[rel["participant_id"].map(person)]
    b = people.loc[rel["profile_id"].map(person)]
    sib = (rel["relationship"] == "full_sibling").to_numpy()
    assert (a["father_id"].to_numpy()[sib] == b["father_id"].to_numpy()[sib]).all()
    assert (a["mother_id"].to_numpy()[sib] == b["mother_id"].to_numpy()[sib]).all()
    pc = (rel["relationship"] == "parent_child").to_numpy()
    a_id, b_id = rel["participant_id"].map(person).to_numpy(), rel["profile_id"].map(person).to_numpy()
    is_parent = (a["father_id"].to_numpy() == b_id) | (a["mother_id"].to_numpy() == b_id)
    is_child = (b["father_id"].to_numpy() == a_id) | (b["mother_id"].to_numpy() == a_id)
    assert (is_parent | is_child)[pc].all()
    # The name follows from the generations to the common ancestors and their number.
    gens = rel["generations"].str.split(",", expand=True).astype(int)
    full = rel["common_ancestors"].str.count(";") >= 1  # a couple (or two) of common ancestors
    names = [relationship_name(x, y, f) for x, y, f in zip(gens[0], gens[1], full)]
    assert names == rel["relationship"].tolist()


def test_the_pedigree_is_valid_and_deep_enough_for_third_cousins(world):
    validate_pedigree(world.people)
    living = world.people[world.people["alive"]]
    assert living["generation"].min() >= 4  # every living person has great-great-grandparents in the pedigree
    assert world.people["death_year"].isna().sum() == len(living)
    meta = world.metadata["relatives_per_living_adult"]
    assert meta["third_cousins"]["mean"] > meta["second_cousins"]["mean"] > meta["first_cousins"]["mean"] > 1
    assert world.metadata["n_living_adults"] * 0.05 <= len(world.database) * 1.01  # the database reaches 5%


def test_family_trees_follow_legal_parents(world):
    trees = world.family_trees
    assert trees["record_id"].is_unique
    people = world.people.set_index("person_id")
    record_person = dict(zip(trees["record_id"], trees["person_id"]))
    with_father = trees[trees["father_record"] != ""]
    assert (with_father["father_record"].map(record_person).to_numpy()
            == people.loc[with_father["person_id"], "legal_father_id"].to_numpy()).all()
    assert (with_father["father_record"].str[:6] == with_father["tree_id"]).all()  # links stay within a tree
    assert set(trees["owner_profile_id"]) <= set(world.database["profile_id"])
    for column in ("first_name", "surname", "birth_year"):
        assert (trees[column].to_numpy() == people.loc[trees["person_id"], column].to_numpy()).all()


def test_surnames_pass_down_the_legal_paternal_line(world):
    people = world.people.set_index("person_id")
    children = people[people["legal_father_id"] != ""]
    assert len(children) > 300
    fathers = people.loc[children["legal_father_id"]]
    assert (children["surname"].to_numpy() == fathers["surname"].to_numpy()).all()
    assert (fathers["sex"] == "M").all()
    assert (people.loc[children["father_id"], "sex"] == "M").all()
    assert (people.loc[children["mother_id"], "sex"] == "F").all()
    npe = (children["father_id"] != children["legal_father_id"]).mean()
    assert 0.005 < npe < 0.015  # non-paternity about 1% per generation


def test_voter_roll_lists_most_participants_and_matches_truth(world):
    people = world.people.set_index("person_id")
    in_cohort = people.loc[world.cohort["person_id"]]
    registered = in_cohort[in_cohort["voter_id"] != ""]
    assert 0.8 < len(registered) / len(in_cohort) < 0.97
    roll = world.voter_roll.set_index("voter_id").loc[registered["voter_id"]]
    for column in ("first_name", "surname", "zip5", "date_of_birth", "sex"):
        assert (roll[column].to_numpy() == registered[column].to_numpy()).all()
    adults = world.people["alive"] & (world.people["date_of_birth"] <= pd.Timestamp("2008-01-01"))
    assert 0.85 < len(world.voter_roll) / adults.sum() < 0.95


def test_geography_has_areas_above_and_below_safe_harbor_threshold(world):
    zip3 = world.zip_codes.groupby("zip3")["population"].sum()
    assert (zip3 > 20_000).any() and (zip3 <= 20_000).any()
    assert world.zip_codes["population"].sum() >= len(world.voter_roll)


def test_clinical_table_holds_direct_identifiers(world):
    clinical = world.clinical
    assert list(clinical["participant_id"]) == list(world.cohort["participant_id"])
    assert clinical["medical_record_number"].is_unique
    assert clinical["email"].str.endswith("@example.org").all()
    assert clinical["phone"].str.match(r"^\(\d{3}\) 555-01\d{2}$").all()
    for column in ("name", "street_address", "zip5", "date_of_birth"):
        assert clinical[column].notna().all()


# --- realism ----------------------------------------------------------------------------------


def test_hardy_weinberg_within_populations_and_wahlund_deficit_when_pooled(world):
    g, pops = world.cohort_genotypes, world.cohort["population"].to_numpy()
    for pop in POPULATIONS:
        sub = g[pops == pop]
        keep = array_common(world, sub)
        _, p_values = pg.hwe_chi2(sub[:, keep])
        assert np.mean(p_values < 0.05) < 0.08, pop  # close to the 5% expected by chance
        assert abs(np.nanmean(pg.inbreeding_coefficient(sub[:, keep]))) < 0.01, pop
    keep = array_common(world, g)
    _, p_values = pg.hwe_chi2(g[:, keep])
    assert np.mean(p_values < 0.05) > 0.3
    assert np.nanmean(pg.inbreeding_coefficient(g[:, keep])) > 0.05  # heterozygote deficit


def test_linkage_disequilibrium_decays_with_distance(world):
    pops = world.reference["population"].to_numpy()
    g = world.reference_genotypes[pops == "CEU"]
    idx = np.flatnonzero(array_common(world, g))
    chrom = world.snps["chrom"].to_numpy()[idx]
    pos = world.snps["pos"].to_numpy()[idx]
    near = (chrom[:-1] == chrom[1:]) & (pos[1:] - pos[:-1] < 5_000)
    r2_near = np.nanmean(pg.ld_r2(g[:, idx[:-1][near]], g[:, idx[1:][near]]))
    # Far pairs: random pairs of common SNPs on one chromosome, 1 to 20 Mb apart (at 2 SNPs per
    # coalescent block, neighbouring SNPs are rarely more than 1 Mb apart).
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, len(idx), (2, 40_000))
    far = (chrom[i] == chrom[j]) & (np.abs(pos[i] - pos[j]) > 1_000_000) & (np.abs(pos[i] - pos[j]) < 20_000_000)
    r2_far = np.nanmean(pg.ld_r2(g[:, idx[i[far]]], g[:, idx[j[far]]]))
    a, b = rng.choice(idx, 4000), rng.choice(idx, 4000)
    other = world.snps["chrom"].to_numpy()[a] != world.snps["chrom"].to_numpy()[b]
    r2_unlinked = np.nanmean(pg.ld_r2(g[:, a[other]], g[:, b[other]]))
    assert near.sum() > 200 and far.sum() > 200
    assert r2_near > 0.15
    assert r2_near > 5 * r2_far and r2_near > 5 * r2_unlinked
    assert r2_unlinked < 0.02  # what chance correlation gives with 167 people


def test_fst_between_continental_populations(world):
    """Hudson F_ST on common SNPs, in the range reported for human continental groups.

    Array-based studies of HapMap/1000 Genomes continental samples report F_ST of roughly
    0.1 to 0.2 between Africans and Europeans or East Asians, and somewhat less between
    Europeans and East Asians (Bhatia et al. 2013).
    """
    g, pops = world.reference_genotypes, world.reference["population"].to_numpy()
    keep = world.snps["panel"].to_numpy() == "array"
    fst = {
        (a, b): pg.hudson_fst(g[pops == a][:, keep], g[pops == b][:, keep])
        for a, b in [("YRI", "CEU"), ("YRI", "CHB"), ("CEU", "CHB")]
    }
    for pair, value in fst.items():
        assert 0.07 < value < 0.25, (pair, value)
    assert fst[("CEU", "CHB")] < fst[("YRI", "CHB")]


def test_kinship_of_relatives_matches_theory(world):
    k = pg.kinship(world.cohort_genotypes, world.database_genotypes)
    row = {pid: i for i, pid in enumerate(world.cohort["participant_id"])}
    col = {pid: i for i, pid in enumerate(world.database["profile_id"])}
    rel = world.relationships
    values = k[rel["participant_id"].map(row), rel["profile_id"].map(col)]
    by_kind = pd.Series(values).groupby(rel["relationship"].to_numpy()).mean()
    assert by_kind["parent_child"] == pytest.approx(0.25, abs=0.015)
    assert by_kind["full_sibling"] == pytest.approx(0.25, abs=0.02)
    assert by_kind["first_cousin"] == pytest.approx(0.0625, abs=0.015)
    # Unrelated pairs from the same population: centred on zero.
    related = np.zeros_like(k, dtype=bool)
    related[rel["participant_id"].map(row), rel["profile_id"].map(col)] = True
    person_pop = dict(zip(world.people["person_id"], world.people["population"]))
    same_pop = world.cohort["population"].to_numpy()[:, None] == world.database["person_id"].map(person_pop).to_numpy()[None, :]
    unrelated = k[same_pop & ~related]
    assert abs(np.nanmedian(unrelated)) < 0.01
    assert np.nanpercentile(unrelated, 99) < 0.09  # well below parent/child and siblings


def test_allele_frequency_spectrum_is_dominated_by_rare_variants(world):
    """Sequence SNPs are drawn with no frequency filter; they keep the excess of rare variants."""
    seq = world.snps["panel"].to_numpy() == "sequence"
    g = world.reference_genotypes[:, seq]
    p = pg.allele_frequencies(g)
    maf = np.minimum(p, 1 - p)
    assert np.mean(maf < 0.01) > 0.5
    sfs = pg.site_frequency_spectrum(g)
    assert sfs[1] == sfs[1:].max()  # singletons are the largest class of variable sites
    assert (np.diff(sfs[1:6]) < 0).all()  # and the spectrum falls off from there
    # The array panel, by design, is not: it was ascertained on common variants.
    assert np.mean(np.minimum(pg.allele_frequencies(world.reference_genotypes[:, ~seq]), 1 - pg.allele_frequencies(world.reference_genotypes[:, ~seq])) < 0.01) < 0.1


# --- storage ----------------------------------------------------------------------------------


def test_round_trip_is_lossless(small_world, tmp_path):
    save_world(small_world, tmp_path / "w")
    loaded = load_world(tmp_path / "w")
    for name in ("cohort", "reference", "database"):
        assert np.array_equal(getattr(loaded, f"{name}_genotypes"), getattr(small_world, f"{name}_genotypes"))
    for table in ("snps", "cohort", "reference", "database", "people", "relationships", "family_trees", "voter_roll",
                  "clinical", "zip_codes"):
        pd.testing.assert_frame_equal(getattr(loaded, table), getattr(small_world, table))
    assert loaded.seed == small_world.seed and loaded.parameters == small_world.parameters
    assert loaded.metadata == small_world.metadata


def test_vcf_is_bgzf_and_holds_the_same_genotypes(small_world, tmp_path):
    folder = save_world(small_world, tmp_path / "w", vcf=True)
    raw = (folder / "cohort.vcf.gz").read_bytes()
    assert raw[:4] == b"\x1f\x8b\x08\x04" and raw[12:14] == b"BC"  # BGZF block header
    assert raw.endswith(bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000"))
    text = gzip.decompress(raw).decode()
    assert text.startswith("##fileformat=VCFv4.3\n")
    samples, genotypes = read_vcf_genotypes(folder / "cohort.vcf.gz")
    assert samples == list(small_world.cohort["participant_id"])
    assert np.array_equal(genotypes, small_world.cohort_genotypes)


def test_data_package_describes_every_file_and_validates(tmp_path, small_world):
    from frictionless import Package

    folder = save_world(small_world, tmp_path / "w", vcf=True)
    descriptor = json.loads((folder / "datapackage.json").read_text())
    described = {resource["path"] for resource in descriptor["resources"]}
    present = {p.name for p in folder.iterdir()} - {"datapackage.json", "README.md", "MANIFEST.sha256", "world.json"}
    assert described == present
    report = Package(str(folder / "datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
    readme = (folder / "README.md").read_text()
    assert "synthetic" in readme and "CC0" in readme


def test_existing_folder_is_not_overwritten_without_force(small_world, tmp_path):
    target = tmp_path / "w"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="force"):
        save_world(small_world, target)
    assert (target / "keep.txt").read_text() == "mine"
    save_world(small_world, target, force=True)
    assert not (target / "keep.txt").exists()
    assert load_world(target).seed == small_world.seed
    assert [p.name for p in tmp_path.iterdir()] == ["w"]  # no leftovers


def _fail_on_write(monkeypatch, n: int, error: BaseException) -> None:
    """Make the n-th file written by save_world raise ``error``."""
    original = storage._write_file
    calls = {"n": 0}

    def failing(path, content):
        calls["n"] += 1
        if calls["n"] == n:
            raise error
        return original(path, content)

    monkeypatch.setattr(storage, "_write_file", failing)


def test_interrupted_write_leaves_nothing_behind(small_world, tmp_path, monkeypatch):
    _fail_on_write(monkeypatch, 5, OSError("disk full (simulated)"))
    with pytest.raises(OSError, match="disk full"):
        save_world(small_world, tmp_path / "w")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("error", [OSError("boom"), KeyboardInterrupt()])
def test_interrupted_force_write_keeps_the_old_world(small_world, tmp_path, monkeypatch, error):
    save_world(small_world, tmp_path / "w")
    before = (tmp_path / "w" / "MANIFEST.sha256").read_bytes()
    _fail_on_write(monkeypatch, 3, error)
    with pytest.raises(type(error)):
        save_world(small_world, tmp_path / "w", force=True)
    assert (tmp_path / "w" / "MANIFEST.sha256").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w"]


# --- several writers, killed writers, crashed replacements --------------------------------------

# A script for a child process: load a small saved world, then save it to DEST; with PAUSE set,
# stop for a minute after writing cohort.csv (touching READY first), so the parent can kill it
# in the middle of the write. With CRASH set, die (os._exit, no clean-up) right after the old
# world was renamed aside, as a power cut between the two renames would.
CHILD = """
import os, sys, time
from pathlib import Path
import genshare.cohort.storage as st
import genshare.cohort.__main__ as cli
src, dest, mode, ready = sys.argv[1:5]
world = st.load_world(src)
original_write, original_replace = st._write_file, os.replace
def paused_write(path, content):
    original_write(path, content)
    if path.name == "cohort.csv":
        Path(ready).touch()
        time.sleep(60)
def crashing_replace(a, b):
    original_replace(a, b)
    if Path(b).name.endswith(".old"):
        os._exit(9)
if mode in ("pause", "cli-pause"):
    st._write_file = paused_write
if mode == "crash":
    st.os.replace = crashing_replace
if mode == "race":
    while not Path(ready).exists():
        time.sleep(0.005)
if mode == "cli-pause":
    cli.simulate_world = lambda **kwargs: world
    sys.argv = ["genshare.cohort", "--seed", "1", "--out", dest, "--no-vcf"]
    sys.exit(cli.main())
try:
    st.save_world(world, dest, force=(mode == "crash"), vcf=False)
except (FileExistsError, st.WorldBusyError) as error:
    print(type(error).__name__, error, file=sys.stderr)
    sys.exit(3)
"""


def _child(source: Path, dest: Path, mode: str, ready: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(source), str(dest), mode, str(ready)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _wait_for(path: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "child never reached the pause"
        time.sleep(0.01)


@pytest.fixture(scope="module")
def saved_worlds(small_world, tmp_path_factory):
    """Two small saved worlds with different seeds, as sources for child processes."""
    folder = tmp_path_factory.mktemp("sources")
    other = simulate_world(seed=8, **SMALL)
    return save_world(small_world, folder / "a", vcf=False), save_world(other, folder / "b", vcf=False)


def test_two_processes_writing_one_folder_one_wins_the_other_fails(saved_worlds, tmp_path):
    dest, go = tmp_path / "out" / "w", tmp_path / "go"
    children = [_child(source, dest, "race", go) for source in saved_worlds]
    time.sleep(0.5)  # let both start and wait at the barrier
    go.touch()
    results = [(child.wait(timeout=60), child.communicate()[1]) for child in children]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 3], results
    loser_message = next(err for code, err in results if code == 3)
    assert "already exists" in loser_message or "another process is writing" in loser_message
    winner = saved_worlds[[code for code, _ in results].index(0)]
    assert (dest / "MANIFEST.sha256").read_bytes() == (winner / "MANIFEST.sha256").read_bytes()
    load_world(dest)
    assert [p.name for p in dest.parent.iterdir()] == ["w"]


def test_a_writer_holding_the_lock_makes_the_command_line_fail_with_exit_code_3(tmp_path, capsys):
    from genshare.cohort.__main__ import main

    dest = tmp_path / "w"
    with storage._claim(dest):
        assert main(["--seed", "3", "--out", str(dest), "--no-vcf"]) == 3
        assert "another process is writing this world right now" in capsys.readouterr().err
        with pytest.raises(storage.WorldBusyError, match="another process"):
            storage.check_destination(dest)
    assert not dest.exists() and list(tmp_path.iterdir()) == []


def test_command_line_exit_code_1_when_the_folder_cannot_be_written(tmp_path, capsys):
    from genshare.cohort.__main__ import main

    (tmp_path / "file").write_text("x")
    assert main(["--seed", "3", "--out", str(tmp_path / "file" / "w")]) == 1
    assert "is a file, not a folder" in capsys.readouterr().err


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_a_killed_writer_leaves_debris_that_the_next_run_removes(saved_worlds, small_world, tmp_path, signum):
    """The library installs no signal handlers: any of these ends the writer without clean-up."""
    dest, ready = tmp_path / "w", tmp_path / "ready"
    child = _child(saved_worlds[0], dest, "pause", ready)
    _wait_for(ready, child)
    child.send_signal(signum)
    child.wait(timeout=60)
    ready.unlink()
    debris = sorted(p.name for p in tmp_path.iterdir())
    assert debris == [".w.lock", f".w.partial-{child.pid}"] and not dest.exists()
    save_world(small_world, dest, vcf=False)  # the lock of the dead writer was released with it
    assert [p.name for p in tmp_path.iterdir()] == ["w"]
    load_world(dest)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_the_command_line_cleans_up_when_terminated(saved_worlds, tmp_path, signum):
    dest, ready = tmp_path / "w", tmp_path / "ready"
    child = _child(saved_worlds[0], dest, "cli-pause", ready)
    _wait_for(ready, child)
    child.send_signal(signum)
    assert child.wait(timeout=60) == 128 + signum
    ready.unlink()
    assert list(tmp_path.iterdir()) == []  # no staging folder, no lock file, no destination


def test_a_crash_between_the_renames_of_a_replacement_is_repaired(saved_worlds, small_world, tmp_path):
    dest = tmp_path / "w"
    shutil.copytree(saved_worlds[1], dest)
    before = (dest / "MANIFEST.sha256").read_bytes()
    child = _child(saved_worlds[0], dest, "crash", tmp_path / "unused")
    assert child.wait(timeout=60) == 9
    assert not dest.exists() and (tmp_path / ".w.old").is_dir()  # the state a crash leaves
    with pytest.raises(FileNotFoundError, match=r"\.w\.old"):
        load_world(dest)
    with pytest.raises(FileExistsError):  # the next writer restores the old world first ...
        save_world(small_world, dest, vcf=False)
    assert (dest / "MANIFEST.sha256").read_bytes() == before  # ... which is intact
    assert [p.name for p in tmp_path.iterdir()] == ["w"]


def test_a_crash_of_an_earlier_version_between_its_renames_is_repaired_too(small_world, tmp_path):
    save_world(small_world, tmp_path / "w", vcf=False)
    before = (tmp_path / "w" / "MANIFEST.sha256").read_bytes()
    (tmp_path / ".w.old-x1y2z3").mkdir()
    (tmp_path / "w").rename(tmp_path / ".w.old-x1y2z3" / "world")
    with pytest.raises(FileExistsError):
        save_world(small_world, tmp_path / "w", vcf=False)
    assert (tmp_path / "w" / "MANIFEST.sha256").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w"]


def test_leftovers_of_a_finished_replacement_are_removed(small_world, tmp_path):
    """A crash after the new world moved in but before the old one was deleted."""
    save_world(small_world, tmp_path / "w", vcf=False)
    shutil.copytree(tmp_path / "w", tmp_path / ".w.old")
    (tmp_path / ".w.partial-999999").mkdir()
    storage.check_destination(tmp_path / "w", force=True)
    assert [p.name for p in tmp_path.iterdir()] == ["w"]


@pytest.mark.parametrize("victim", ["cohort.csv", "genotypes.npz", "voter_roll.csv.gz", "world.json"])
def test_tampered_file_is_detected_and_named(small_world, tmp_path, victim):
    folder = save_world(small_world, tmp_path / "w")
    data = bytearray((folder / victim).read_bytes())
    data[len(data) // 2] ^= 0x01
    (folder / victim).write_bytes(bytes(data))
    with pytest.raises(WorldIntegrityError, match=rf"{victim}: checksum mismatch"):
        load_world(folder)


def test_missing_file_and_missing_manifest_are_detected(small_world, tmp_path):
    folder = save_world(small_world, tmp_path / "w")
    (folder / "people.csv.gz").unlink()
    with pytest.raises(WorldIntegrityError, match="people.csv.gz: listed in MANIFEST.sha256 but missing"):
        load_world(folder)
    (folder / "MANIFEST.sha256").unlink()
    with pytest.raises(WorldIntegrityError, match="no MANIFEST.sha256"):
        load_world(folder)
    with pytest.raises(FileNotFoundError):
        load_world(tmp_path / "nowhere")


def _rewrite_manifest(folder: Path, change) -> None:
    manifest = folder / "MANIFEST.sha256"
    manifest.write_text(change(manifest.read_text()))


def _add_entry(folder: Path, name: str, digest: str = "0" * 64) -> None:
    _rewrite_manifest(folder, lambda text: text + f"{digest}  {name}\n")


@pytest.fixture
def saved(small_world, tmp_path):
    return save_world(small_world, tmp_path / "w", vcf=False)


@pytest.mark.parametrize(
    "name",
    ["/etc/hostname", "../outside.txt", "sub/cohort.csv", "..", ".", "MANIFEST.sha256", "a\\b", "line\rbreak"],
)
def test_manifest_entries_must_be_plain_files_of_the_world(saved, tmp_path, name):
    (tmp_path / "outside.txt").write_text("not part of the world")
    _add_entry(saved, name)
    with pytest.raises(WorldIntegrityError, match="MANIFEST.sha256: line"):
        load_world(saved)


def test_manifest_entry_may_not_be_a_symlink_out_of_the_world(saved, tmp_path):
    (tmp_path / "outside.txt").write_text("secret")
    (saved / "notes.txt").symlink_to(tmp_path / "outside.txt")
    _add_entry(saved, "notes.txt", hashlib.sha256(b"secret").hexdigest())
    with pytest.raises(WorldIntegrityError, match=r"notes.txt: cannot be opened as a plain file .*symbolic link"):
        load_world(saved)


def test_manifest_entry_may_not_be_a_device_or_a_pipe(saved):
    os.mkfifo(saved / "pipe")  # opening it for reading would block forever
    _add_entry(saved, "pipe")
    with pytest.raises(WorldIntegrityError, match="pipe: not a regular file"):
        load_world(saved)


def test_manifest_entry_naming_a_huge_file_is_refused(saved, monkeypatch):
    monkeypatch.setattr(storage, "MAX_FILE_BYTES", 1000)
    with pytest.raises(WorldIntegrityError, match=r"bytes, more than the 1,000 a world file may have"):
        load_world(saved)


def test_files_are_hashed_in_bounded_chunks(saved, monkeypatch):
    sizes = []
    real_read = os.read

    def spy(fd, n):
        sizes.append(n)
        return real_read(fd, n)

    monkeypatch.setattr(checksums, "HASH_CHUNK", 4096)  # storage hashes through formats.checksums
    monkeypatch.setattr(storage.os, "read", spy)
    path = saved / "voter_roll.csv.gz"
    assert storage._sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert max(sizes) == 4096 and len(sizes) > 2


def test_manifest_lists_exactly_the_files_present(saved):
    (saved / "extra.csv").write_text("a,b\n")
    with pytest.raises(WorldIntegrityError, match="extra.csv not listed in MANIFEST.sha256"):
        load_world(saved)
    (saved / "extra.csv").unlink()
    (saved / ".DS_Store").write_bytes(b"\0")  # hidden files that systems add are never read, so ignored
    load_world(saved)


def test_manifest_may_not_list_a_file_twice_or_be_malformed(saved):
    _rewrite_manifest(saved, lambda text: text + text.splitlines()[0] + "\n")
    with pytest.raises(WorldIntegrityError, match="a second time"):
        load_world(saved)
    _rewrite_manifest(saved, lambda text: text.upper())
    with pytest.raises(WorldIntegrityError, match="line 1 is not"):
        load_world(saved)


def test_checksums_do_not_detect_a_deliberate_edit_with_a_rewritten_manifest(saved):
    """The documented limit: whoever edits a file and its manifest line is not caught.

    What would catch it: the manifest's own checksum, published elsewhere.
    """
    published = hashlib.sha256((saved / "MANIFEST.sha256").read_bytes()).hexdigest()
    cohort = saved / "cohort.csv"
    cohort.write_text(cohort.read_text().replace("case", "control", 1))
    new_digest = hashlib.sha256(cohort.read_bytes()).hexdigest()
    _rewrite_manifest(
        saved,
        lambda text: "".join(
            f"{new_digest}  cohort.csv\n" if line.endswith("  cohort.csv") else line + "\n" for line in text.splitlines()
        ),
    )
    load_world(saved)  # accepted: the checksums are consistent again
    assert hashlib.sha256((saved / "MANIFEST.sha256").read_bytes()).hexdigest() != published  # caught this way


def test_readme_says_what_the_checksums_prove(saved):
    readme = (saved / "README.md").read_text()
    assert "accidental damage" in readme and "does **not** detect a deliberate edit" in readme
    assert "signature" in readme and "published" in readme


def test_committed_manifest_matches_committed_files():
    for line in (COMMITTED / "MANIFEST.sha256").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((COMMITTED / name).read_bytes()).hexdigest() == digest, name


# --- bad parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, message",
    [
        ({"seed": -1}, "seed must be a non-negative integer"),
        ({"seed": 1.5}, "seed must be a non-negative integer"),
        ({"n_participants": 1}, "n_participants must be at least 2"),
        ({"n_snps": 0}, "n_snps must be at least 1"),
        ({"n_relatives": 50}, r"n_relatives \(50\) cannot exceed n_participants \(40\): more relatives than people"),
        ({"n_relatives": 30, "n_database": 20}, "more relatives than people in the genealogy database"),
        ({"model": "out_of_atlantis"}, "model 'out_of_atlantis' is unknown"),
        ({"missing_rate": 0.7}, "missing_rate"),
        ({"population_size": 10}, "population_size"),
        ({"ancestry": {"XYZ": 1.0}}, "ancestry"),
        ({"n_chromosomes": 0}, "n_chromosomes must be at least 1"),
        ({"colour": "blue"}, "unknown parameter"),
    ],
)
def test_bad_parameters_fail_before_simulating(params, message, monkeypatch):
    import genshare.cohort.world as world_module

    monkeypatch.setattr(world_module, "simulate_pedigree", lambda *a, **k: pytest.fail("simulation started"))
    kwargs = {**SMALL, "seed": 1, **params}
    with pytest.raises(ValueError, match=message):
        simulate_world(**kwargs)


# --- command line -----------------------------------------------------------------------------


def test_command_line_writes_and_refuses_to_overwrite(tmp_path, capsys):
    from genshare.cohort.__main__ import main

    args = ["--seed", "3", "--participants", "20", "--snps", "100", "--reference", "6", "--database", "20",
            "--relatives", "6", "--population", "800", "--no-vcf"]
    assert main([*args, "--out", str(tmp_path / "w")]) == 0
    assert load_world(tmp_path / "w").cohort_genotypes.shape == (20, 100)
    assert main([*args, "--out", str(tmp_path / "w")]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main([*args, "--out", str(tmp_path / "w"), "--force"]) == 0
    assert main(["--seed", "-4", "--out", str(tmp_path / "x")]) == 2
    assert "seed must be a non-negative integer" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


# --- one definition of every parameter; the pipeline's steps --------------------------------------


def test_every_parameter_reaches_the_command_line_and_the_docstring():
    from genshare.cohort.__main__ import build_parser
    from genshare.cohort.parameters import PARAMETERS

    help_text = build_parser().format_help()
    for spec in PARAMETERS:
        assert spec.name in simulate_world.__doc__
        if spec.flag:
            assert spec.flag in help_text
    args = build_parser().parse_args(["--seed", "1", "--out", "x"])
    assert {spec.name: getattr(args, spec.name) for spec in PARAMETERS if spec.flag} == {
        spec.name: spec.default for spec in PARAMETERS if spec.flag
    }


def test_an_added_step_adds_a_saved_table_without_changing_other_draws(tmp_path, monkeypatch, small_world):
    from genshare.cohort import schema
    from genshare.cohort import world as world_module

    def marks(state):
        rng = state.rng("marks")
        state.tables["marks"] = pd.DataFrame({"person_id": state.tables["cohort"]["person_id"],
                                              "mark": rng.integers(0, 9, len(state.tables["cohort"]))})

    monkeypatch.setitem(schema.TABLES, "marks", ("marks.csv", [("person_id", "string"), ("mark", "integer")]))
    monkeypatch.setitem(schema.DESCRIPTIONS, "marks", "A test table.")
    monkeypatch.setattr(world_module, "STEPS", [*world_module.STEPS, marks])
    world = simulate_world(seed=7, **SMALL)
    assert list(world.marks.columns) == ["person_id", "mark"]
    assert np.array_equal(world.cohort_genotypes, small_world.cohort_genotypes)  # other steps unchanged
    loaded = load_world(save_world(world, tmp_path / "w", vcf=False))
    pd.testing.assert_frame_equal(loaded.marks, world.marks)


def test_loading_a_world_does_not_import_the_simulators():
    # Every notebook's first cell imports genshare and loads the world; msprime (through
    # tskit and jsonschema) costs about a second to import, and only simulating needs it.
    # A structural guard; the first cells' time itself is measured by benchmarks/benchmark.py.
    code = "import sys, genshare.cohort as c; c.load_world(); print(sorted(m for m in ('msprime', 'tskit', 'demes') if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "[]", done.stdout
