"""The world's data model (genshare.cohort.schema.World) and what depends on it."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from genshare.cohort import World, load_world, save_world, schema, simulate_world, world
from genshare.cohort.parameters import SIZES

ROOT = Path(__file__).resolve().parents[1] / "genshare" / "cohort"


@pytest.fixture(scope="module")
def tiny():
    return simulate_world(seed=7, **SIZES["tiny"])


def _imported(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_world_lives_in_the_data_model_and_storage_does_not_import_the_pipeline():
    assert world.World is schema.World is World
    assert "genshare.cohort.world" not in _imported(ROOT / "storage.py")
    assert "genshare.cohort.world" not in _imported(ROOT / "schema.py")
    assert set(schema.CORE_TABLES) <= set(schema.TABLES)


# --- select_snps: known answer, properties, bad input -------------------------------------------


def test_select_snps_keeps_the_columns_asked_for_and_every_person(tiny):
    keep = [0, 5, 99, len(tiny.snps) - 1]
    fewer = tiny.select_snps(keep)
    assert fewer.snps["snp_id"].tolist() == tiny.snps["snp_id"].iloc[keep].tolist()
    assert fewer.parameters["n_snps"] == 4 and tiny.parameters["n_snps"] == SIZES["tiny"]["n_snps"]
    for name in ("cohort", "reference", "database"):
        assert np.array_equal(getattr(fewer, f"{name}_genotypes"), getattr(tiny, f"{name}_genotypes")[:, keep])
        assert np.array_equal(fewer.haplotypes(name), tiny.haplotypes(name)[:, :, keep])
        assert getattr(fewer, name).equals(getattr(tiny, name))
    assert fewer.people.equals(tiny.people) and fewer.metadata == tiny.metadata
    assert fewer.founder_mosaics() is None
    with pytest.raises(ValueError, match="no founder mosaics"):
        fewer.ibd_segments(fewer.cohort["person_id"].iloc[0], fewer.cohort["person_id"].iloc[1])


def test_a_world_with_fewer_snps_saves_and_loads_with_its_note(tiny, tmp_path):
    fewer = tiny.select_snps(np.arange(0, len(tiny.snps), 7))
    folder = save_world(fewer, tmp_path / "fewer", vcf=False, note="## Derived\n\nEvery seventh SNP.\n")
    loaded = load_world(folder)  # checksums verify: the note is covered by the manifest
    assert np.array_equal(loaded.cohort_genotypes, fewer.cohort_genotypes)
    assert (folder / "README.md").read_text(encoding="utf-8").endswith("\n\n## Derived\n\nEvery seventh SNP.\n")


@pytest.mark.parametrize("keep, message", [
    ([], "non-empty"),
    ([0.5, 1.5], "whole numbers"),
    ([[0, 1]], "non-empty"),
    ([3, 2], "increasing"),
    ([1, 1], "increasing"),
    ([-1, 2], "from 0 to"),
    ([0, 10**6], "from 0 to"),
])
def test_select_snps_refuses_bad_rows(tiny, keep, message):
    with pytest.raises(ValueError, match=message):
        tiny.select_snps(keep)
