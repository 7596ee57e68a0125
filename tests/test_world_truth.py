"""The truth every world carries: its genotyped copies' founder mosaics (true IBD) and the phase it shows.

Known answers first (a parent shares one copy everywhere; people without a common pedigree
ancestor share nothing by descent), then expectations over many pairs, then properties
(storage round trips, switch errors), then bad input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genshare.cohort import load_world, simulate_world
from genshare.cohort.genetics import GENETIC_MAP, Mosaics
from genshare.cohort.storage import pack_mosaics, save_world, unpack_mosaics
from genshare.cohort.world import switch_parity

GENOME_CM = float(GENETIC_MAP["length_cm"].sum())
SMALL = dict(n_participants=150, n_snps=3000, n_reference=20, n_database=400, population_size=3000)


@pytest.fixture(scope="module")
def world():
    return simulate_world(seed=5, **SMALL)


def _pairs(world, relationship):
    rel = world.relationships[world.relationships["relationship"] == relationship]
    a = world.cohort.set_index("participant_id").loc[rel["participant_id"], "person_id"].to_numpy()
    b = world.database.set_index("profile_id").loc[rel["profile_id"], "person_id"].to_numpy()
    return a, b


def _ancestors(people: pd.DataFrame, person: str) -> set[str]:
    parents = dict(zip(people["person_id"], zip(people["father_id"], people["mother_id"])))
    found, frontier = set(), [person]
    while frontier:
        frontier = [p for q in frontier for p in parents.get(q, ("", "")) if p and p not in found]
        found.update(frontier)
    return found


def test_a_parent_shares_one_copy_along_the_whole_map(world):
    a, b = _pairs(world, "parent_child")
    assert len(a) > 0
    summary = world.ibd_summary(a, b)
    assert np.allclose(summary["shared_cm"], GENOME_CM, atol=0.5)
    assert (summary["n_segments"] == 22).all()  # one per chromosome


def test_self_shares_both_copies(world):
    pid = world.cohort["person_id"].iloc[0]
    seg = world.ibd_segments(pid, pid, by_copy=True)
    same = seg[seg["copy_a"] == seg["copy_b"]]
    assert same["length_cm"].sum() == pytest.approx(2 * GENOME_CM, abs=0.5)


def test_relatives_share_near_their_expectations(world):
    """Regions sharing at least one copy: 3/4 of the map for full siblings, 1/4 for first
    cousins, 1/16 for second cousins (a small world adds a little through other ancestors)."""
    for relationship, expected, tolerance in [("full_sibling", 0.75, 0.1), ("first_cousin", 0.25, 0.07),
                                               ("second_cousin", 1 / 16, 0.04)]:
        a, b = _pairs(world, relationship)
        if len(a) < 5:
            continue
        share = world.ibd_summary(a, b)["shared_cm"].to_numpy() / GENOME_CM
        assert share.mean() == pytest.approx(expected, abs=tolerance), relationship


def test_no_common_pedigree_ancestor_means_no_ibd(world):
    rng = np.random.default_rng(0)
    people = world.people
    a = world.cohort["person_id"].to_numpy()[rng.integers(0, len(world.cohort), 300)]
    b = world.database["person_id"].to_numpy()[rng.integers(0, len(world.database), 300)]
    unrelated = np.array([x != y and not (_ancestors(people, x) & _ancestors(people, y)) for x, y in zip(a, b)])
    assert unrelated.sum() > 10
    summary = world.ibd_summary(a[unrelated], b[unrelated])
    assert (summary["shared_cm"] == 0).all()


def test_truth_and_phase_survive_saving(world, tmp_path):
    save_world(world, tmp_path / "w", vcf=False)
    loaded = load_world(tmp_path / "w")
    for field in ("owner", "start", "hap"):
        assert np.array_equal(getattr(loaded.founder_mosaics(), field), getattr(world.founder_mosaics(), field))
    for which in ("cohort", "reference", "database"):
        h = loaded.haplotypes(which)
        assert np.array_equal(h, world.haplotypes(which))
        g = getattr(loaded, f"{which}_genotypes")
        assert np.array_equal(np.where(g < 0, -1, h.sum(axis=1)), g) and ((h[:, 0] < 0) == (g < 0)).all()
    pid = world.cohort["person_id"].iloc[3]
    pd.testing.assert_frame_equal(loaded.ibd_segments(pid, world.database["person_id"].iloc[0]),
                                  world.ibd_segments(pid, world.database["person_id"].iloc[0]))


def test_switch_errors_fall_at_the_stated_rate():
    chrom = np.repeat(np.arange(1, 23), 500)
    cm = np.concatenate([np.linspace(0, length, 500) for length in GENETIC_MAP["length_cm"]])
    flips = switch_parity(200, chrom, cm, 10.0, np.random.default_rng(1))
    switches = (np.diff(flips, axis=1) != 0).sum(axis=1)
    # About one switch per 10 cM (a few fall between the same two SNPs and cancel, or at chromosome starts).
    assert switches.mean() == pytest.approx(GENOME_CM / 10, rel=0.08)
    assert not switch_parity(3, chrom, cm, 0.0, np.random.default_rng(1)).any()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(1, 30_000), st.integers(0, 2**20)), max_size=6), min_size=1, max_size=6))
def test_mosaics_pack_and_unpack_exactly(copies):
    owner, start, hap = [], [], []
    for k, segments in enumerate(copies):
        positions = np.cumsum([0] + [s for s, _ in segments])
        haps = [7] + [h for _, h in segments]
        owner += [k] * len(positions)
        start += positions.tolist()
        hap += haps
    m = Mosaics(owner=np.array(owner), start=np.array(start), hap=np.array(hap))
    back = unpack_mosaics(pack_mosaics(m, len(copies)))
    assert np.array_equal(back.owner, m.owner) and np.array_equal(back.start, m.start) and np.array_equal(back.hap, m.hap)


def test_bad_input_names_the_parameter(world):
    pid = world.cohort["person_id"].iloc[0]
    with pytest.raises(ValueError, match="person_b 'nobody' is not a genotyped person"):
        world.ibd_segments(pid, "nobody")
    with pytest.raises(ValueError, match="pair up one to one"):
        world.ibd_summary([pid, pid], [pid])
    with pytest.raises(ValueError, match="min_cm"):
        world.ibd_segments(pid, pid, min_cm=-1)
    with pytest.raises(ValueError, match="which must be"):
        world.haplotypes("voters")
    with pytest.raises(ValueError, match="cannot be stored"):
        pack_mosaics(Mosaics(owner=np.array([0]), start=np.array([0]), hap=np.array([2**33])), 1)
