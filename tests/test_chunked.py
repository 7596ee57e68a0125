"""Dask arrays chunked by people give the same answers as numpy arrays in memory."""

from __future__ import annotations

import dask.array as da
import numpy as np
import pandas as pd
import pytest

from genshare import popgen
from genshare.attacks import homer_statistic, kinship, lr_membership_statistic
from genshare.chunked import is_dask
from genshare.cohort import simulate_world
from genshare.deidentify import dp_allele_frequencies


@pytest.fixture(scope="module")
def world():
    return simulate_world(seed=5, n_participants=60, n_snps=500, n_reference=30, n_database=70, n_relatives=12, population_size=3000)


@pytest.fixture(scope="module")
def chunked(world):
    return da.from_array(world.cohort_genotypes, chunks=(17, -1)), da.from_array(world.database_genotypes, chunks=(23, -1))


def test_is_dask(chunked, world):
    assert is_dask(chunked[0]) and not is_dask(world.cohort_genotypes)


def test_same_answers_as_numpy(world, chunked):
    g, db = world.cohort_genotypes, world.database_genotypes
    dg, ddb = chunked
    freqs, ref = popgen.allele_frequencies(g), popgen.allele_frequencies(world.reference_genotypes)
    assert np.array_equal(popgen.allele_frequencies(dg), freqs, equal_nan=True)
    assert np.array_equal(kinship(dg, ddb), kinship(g, db), equal_nan=True)
    assert np.array_equal(kinship(dg), kinship(g), equal_nan=True)
    assert np.array_equal(kinship(g, ddb), kinship(g, db), equal_nan=True)
    assert np.array_equal(kinship(dg, ddb, estimator="between"), kinship(g, db, estimator="between"), equal_nan=True)
    for missing in ("skip", "as_reference"):
        assert np.array_equal(popgen.allele_frequencies(dg, missing=missing), popgen.allele_frequencies(g, missing=missing), equal_nan=True)
    assert np.array_equal(homer_statistic(dg, freqs, ref), homer_statistic(g, freqs, ref))
    assert np.allclose(lr_membership_statistic(dg, freqs, ref), lr_membership_statistic(g, freqs, ref), rtol=1e-12)
    assert np.array_equal(dp_allele_frequencies(dg, 5.0, seed=3), dp_allele_frequencies(g, 5.0, seed=3))


def test_same_answers_on_a_distributed_client(world, chunked):
    from dask.distributed import Client

    with Client(processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None):
        assert np.array_equal(kinship(chunked[0], chunked[1]), kinship(world.cohort_genotypes, world.database_genotypes), equal_nan=True)


def test_bad_chunking_and_values_are_rejected(world):
    by_snp = da.from_array(world.cohort_genotypes, chunks=(60, 100))
    with pytest.raises(ValueError, match="chunked along SNPs"):
        homer_statistic(by_snp, np.full(500, 0.5), np.full(500, 0.5))
    with pytest.raises(ValueError, match="chunked along SNPs"):
        kinship(by_snp)
    bad = da.from_array(np.full((4, 3), 5, dtype=np.int8), chunks=(2, -1))
    with pytest.raises(ValueError, match="only 0, 1, 2 or -1"):
        popgen.allele_frequencies(bad)
    with pytest.raises(ValueError, match="only 0, 1, 2 or -1"):
        homer_statistic(bad, np.full(3, 0.5), np.full(3, 0.5))


def test_other_genotype_functions_accept_dask_arrays_in_memory(world, chunked):
    """The remaining scanners convert a Dask array to numpy (it must fit in memory) and agree exactly."""
    from genshare.attacks import Beacon, beacon_attack, familial_search, match_genotype, uniqueness_curve

    g, db = world.cohort_genotypes, world.database_genotypes
    dg, ddb = chunked
    pd.testing.assert_frame_equal(uniqueness_curve(dg, [1, 5, 50], seed=2), uniqueness_curve(g, [1, 5, 50], seed=2))
    pd.testing.assert_frame_equal(match_genotype(g[3], dg, 0.1), match_genotype(g[3], g, 0.1))
    pd.testing.assert_frame_equal(familial_search(dg[:5], ddb, top=2), familial_search(g[:5], db, top=2))
    freqs = popgen.allele_frequencies(world.reference_genotypes)
    assert np.array_equal(
        beacon_attack(dg[:5], Beacon(dg), freqs, n_queries=10), beacon_attack(g[:5], Beacon(g), freqs, n_queries=10)
    )
