"""Tests for genshare.cohort.genomes: genomes inherited through a pedigree on 22 autosomes.

Small pedigrees keep them fast; the truth is the identity by descent read off the copies'
founder mosaics (``Genomes.ibd_segments``), and expectations are the textbook ones (a child shares one
genome copy with each parent everywhere; full siblings share on average half their genome
through each parent, i.e. four times their kinship coefficient 1/4 summed over copy pairs;
first cousins a quarter of that).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from genshare import popgen as pg
from genshare.cohort.genomes import GENETIC_MAP, simulate_genomes

FAST = {"library_blocks": 40}
GENOME_CM = float(GENETIC_MAP["length_cm"].sum())


def families(n_families: int, population: str = "CEU") -> pd.DataFrame:
    """Independent three-generation families: grandparents, two children with spouses,
    two grandchildren (full siblings) through the son and one through the daughter (their
    first cousin)."""
    rows = []
    for f in range(n_families):
        p = f"f{f}_"
        rows += [
            (p + "gf", "", "", "M", 0), (p + "gm", "", "", "F", 0),
            (p + "son", p + "gf", p + "gm", "M", 1), (p + "daughter", p + "gf", p + "gm", "F", 1),
            (p + "son_wife", "", "", "F", 1), (p + "daughter_husband", "", "", "M", 1),
            (p + "sib1", p + "son", p + "son_wife", "F", 2), (p + "sib2", p + "son", p + "son_wife", "M", 2),
            (p + "cousin", p + "daughter_husband", p + "daughter", "M", 2),
        ]
    ped = pd.DataFrame(rows, columns=["person_id", "father_id", "mother_id", "sex", "generation"])
    ped["population"] = population
    return ped


@pytest.fixture(scope="module")
def family_genomes():
    ped = families(12)
    samples = [pid for pid in ped["person_id"] if pid.endswith(("sib1", "sib2", "cousin", "son", "gf"))]
    return ped, simulate_genomes(ped, samples, n_snps=400, seed=11, **FAST)


def shared(genomes, a, b):
    """Sum over genome-copy pairs of IBD length, as a share of the genome (= 4 x kinship)."""
    return genomes.ibd_segments(a, b, by_copy=True)["length_cm"].sum() / GENOME_CM


def test_shapes_order_and_snp_table(family_genomes):
    ped, g = family_genomes
    assert g.genotypes.dtype == np.int8
    assert g.genotypes.shape == (len(g.samples), 400)
    assert g.haplotypes.shape == (len(g.samples), 2, 400) and set(np.unique(g.haplotypes)) <= {0, 1}
    assert set(np.unique(g.genotypes)) <= {0, 1, 2}
    snps = g.snps
    assert list(snps.columns[:6]) == ["snp_id", "chrom", "pos", "cm", "ref", "alt"]
    assert snps["freq_CEU"].notna().all() and snps["freq_YRI"].isna().all()  # no founder of YRI: no frequency
    assert snps["chrom"].is_monotonic_increasing and set(snps["chrom"]) == set(range(1, 23))
    for _, chrom in snps.groupby("chrom"):
        assert chrom["pos"].is_monotonic_increasing and chrom["pos"].is_unique
        assert chrom["cm"].is_monotonic_increasing
    limit = snps["chrom"].map(GENETIC_MAP.set_index("chrom")["length_cm"])
    assert ((snps["cm"] >= 0) & (snps["cm"] <= limit)).all()
    assert snps["ref"].isin(list("ACGT")).all() and snps["alt"].isin(list("ACGT")).all()
    assert (snps["ref"] != snps["alt"]).all()


def test_mosaics_are_sorted_and_start_every_copy_at_zero(family_genomes):
    _, g = family_genomes
    m = g.mosaics
    assert np.array_equal(np.unique(m.owner), np.arange(2 * len(g.samples)))
    assert (np.diff(m.keys()) > 0).all()
    first = np.concatenate([[True], m.owner[1:] != m.owner[:-1]])
    assert (m.start[first] == 0).all()


def test_haplotypes_follow_the_mosaics_parent_to_child(family_genomes):
    """Where the child's paternal copy copies a founder haplotype that the father also carries
    (always, everywhere), its alleles are the father's alleles on that copy."""
    _, g = family_genomes
    rows = {pid: i for i, pid in enumerate(g.samples)}
    for f in range(3):
        seg = g.ibd_segments(f"f{f}_sib1", f"f{f}_son", by_copy=True)
        child, father = g.haplotypes[rows[f"f{f}_sib1"]], g.haplotypes[rows[f"f{f}_son"]]
        for _, s in seg.iterrows():
            cols = np.flatnonzero((g.snps["chrom"] == s["chrom"]) & (g.snps["cm"] > s["start_cm"] + 1e-3)
                                  & (g.snps["cm"] < s["end_cm"] - 1e-3))
            assert np.array_equal(child[int(s["copy_a"]), cols], father[int(s["copy_b"]), cols])


def test_founders_of_different_families_share_nothing_by_descent(family_genomes):
    _, g = family_genomes
    assert g.ibd_segments("f0_gf", "f1_gf").empty
    assert g.ibd_segments("f0_sib1", "f5_cousin").empty


def test_parent_and_child_share_one_copy_everywhere(family_genomes):
    _, g = family_genomes
    for f in range(12):
        seg = g.ibd_segments(f"f{f}_sib1", f"f{f}_son", by_copy=True)  # the son is sib1's father
        assert seg["length_cm"].sum() == pytest.approx(GENOME_CM, rel=1e-6)
        assert set(seg["copy_a"]) == {0}  # the paternal copy, listed first
        per_chrom = seg.groupby("chrom")["length_cm"].sum()
        assert np.allclose(per_chrom.to_numpy(), GENETIC_MAP.set_index("chrom").loc[per_chrom.index, "length_cm"], atol=0.01)


def test_siblings_and_cousins_share_what_theory_expects(family_genomes):
    _, g = family_genomes
    sibs = np.array([shared(g, f"f{f}_sib1", f"f{f}_sib2") for f in range(12)])
    cousins = np.array([shared(g, f"f{f}_sib1", f"f{f}_cousin") for f in range(12)])
    assert sibs.mean() == pytest.approx(1.0, abs=0.12)  # 4 x 1/4
    assert cousins.mean() == pytest.approx(0.25, abs=0.08)  # 4 x 1/16
    # Relative spread is larger for more distant relatives (fewer, longer segments per meiosis).
    assert cousins.std() / cousins.mean() > sibs.std() / sibs.mean()
    assert (sibs > 0.6).all() and (cousins > 0.02).all()


def test_no_segment_crosses_a_chromosome_end(family_genomes):
    _, g = family_genomes
    seg = g.ibd_segments("f0_sib1", "f0_sib2")
    limit = seg["chrom"].map(GENETIC_MAP.set_index("chrom")["length_cm"])
    assert ((seg["start_cm"] >= 0) & (seg["end_cm"] <= limit + 0.01)).all()  # lengths on the 0.01 cM grid
    assert (seg["length_cm"] > 0).all()


def test_genotypes_agree_with_inheritance(family_genomes):
    """A child's genotype is never an opposite homozygote of a parent's (Mendelian)."""
    _, g = family_genomes
    rows = {pid: i for i, pid in enumerate(g.samples)}
    for f in range(12):
        child, parent = g.genotypes[rows[f"f{f}_sib1"]], g.genotypes[rows[f"f{f}_son"]]
        assert not np.any(np.abs(child.astype(int) - parent) == 2)


def test_deterministic_for_a_seed():
    ped = families(2)
    samples = ["f0_sib1", "f1_cousin", "f0_gf"]
    a = simulate_genomes(ped, samples, n_snps=100, seed=5, **FAST)
    b = simulate_genomes(ped, samples, n_snps=100, seed=5, **FAST)
    c = simulate_genomes(ped, samples, n_snps=100, seed=6, **FAST)
    assert np.array_equal(a.genotypes, b.genotypes)
    pd.testing.assert_frame_equal(a.snps, b.snps)
    assert not np.array_equal(a.genotypes, c.genotypes)


@pytest.fixture(scope="module")
def founders():
    n = 120
    ped = pd.DataFrame({
        "person_id": [f"p{i}" for i in range(3 * n)], "father_id": "", "mother_id": "",
        "sex": np.tile(["F", "M"], 3 * n // 2), "generation": 0,
        "population": np.repeat(["YRI", "CEU", "CHB"], n),
    })
    return ped, simulate_genomes(ped, list(ped["person_id"]), n_snps=3000, seed=2, library_blocks=150)


def test_population_structure_between_founders(founders):
    ped, g = founders
    pops = ped["population"].to_numpy()
    array = g.snps["panel"].to_numpy() == "array"
    fst = {(a, b): pg.hudson_fst(g.genotypes[pops == a][:, array], g.genotypes[pops == b][:, array])
           for a, b in [("YRI", "CEU"), ("YRI", "CHB"), ("CEU", "CHB")]}
    for pair, value in fst.items():
        assert 0.05 < value < 0.3, (pair, value)
    assert fst[("CEU", "CHB")] < fst[("YRI", "CHB")]


def test_spectrum_before_ascertainment_is_dominated_by_rare_variants(founders):
    _, g = founders
    seq = g.snps["panel"].to_numpy() == "sequence"
    p = pg.allele_frequencies(g.genotypes[:, seq])
    assert np.mean(np.minimum(p, 1 - p) < 0.01) > 0.4
    sfs = pg.site_frequency_spectrum(g.genotypes[:, seq])
    assert sfs[1] == sfs[1:].max()
    arr = pg.allele_frequencies(g.genotypes[:, ~seq])
    assert np.mean(np.minimum(arr, 1 - arr) < 0.01) < 0.1  # the array SNPs are ascertained common


def test_linkage_disequilibrium_within_windows_not_between(founders):
    ped, g = founders
    ceu = g.genotypes[ped["population"].to_numpy() == "CEU"]
    snps = g.snps
    common = (snps["panel"] == "array").to_numpy()
    idx = np.flatnonzero(common)
    chrom, pos = snps["chrom"].to_numpy()[idx], snps["pos"].to_numpy()[idx]
    near = (chrom[:-1] == chrom[1:]) & (pos[1:] - pos[:-1] < 50_000)  # two SNPs of one coalescent block
    far = (chrom[:-1] == chrom[1:]) & (pos[1:] - pos[:-1] > 1_000_000)
    r2_near = np.nanmean(pg.ld_r2(ceu[:, idx[:-1][near]], ceu[:, idx[1:][near]]))
    r2_far = np.nanmean(pg.ld_r2(ceu[:, idx[:-1][far]], ceu[:, idx[1:][far]]))
    assert r2_near > 0.15 and r2_near > 3 * r2_far


def test_frequencies_are_those_of_the_founders(founders):
    ped, g = founders
    ceu = ped["population"].to_numpy() == "CEU"
    assert np.allclose(g.snps["freq_CEU"], g.genotypes[ceu].mean(axis=0) / 2, atol=1e-6)


# --- bad input ------------------------------------------------------------------------------------

def test_bad_input_is_refused_with_the_parameter_named():
    ped = families(1)
    ok = {"n_snps": 100, "seed": 1, **FAST}
    with pytest.raises(ValueError, match="n_snps"):
        simulate_genomes(ped, ["f0_sib1"], **{**ok, "n_snps": 0})
    with pytest.raises(ValueError, match=r"n_chromosomes \(22\) cannot exceed n_snps \(10\)"):
        simulate_genomes(ped, ["f0_sib1"], **{**ok, "n_snps": 10})
    with pytest.raises(ValueError, match="snps_per_block"):
        simulate_genomes(ped, ["f0_sib1"], **{**ok, "snps_per_block": 0})
    with pytest.raises(ValueError, match="n_snps"):
        simulate_genomes(ped, ["f0_sib1"], **{**ok, "n_snps": 2.5})
    with pytest.raises(ValueError, match="samples: not in the pedigree.*nobody"):
        simulate_genomes(ped, ["f0_sib1", "nobody"], **ok)
    with pytest.raises(ValueError, match="samples: person ids repeated"):
        simulate_genomes(ped, ["f0_sib1", "f0_sib1"], **ok)
    with pytest.raises(ValueError, match="model"):
        simulate_genomes(ped, ["f0_sib1"], **{**ok, "model": "nope"})


def test_bad_pedigrees_are_refused_with_the_offending_ids():
    ped = families(1)
    ok = {"n_snps": 100, "seed": 1, **FAST}
    missing_parent = ped.copy()
    missing_parent.loc[missing_parent["person_id"] == "f0_sib1", "father_id"] = "ghost"
    with pytest.raises(ValueError, match=r"^pedigree: .*father_id.*ghost"):
        simulate_genomes(missing_parent, ["f0_sib1"], **ok)
    wrong_sex = ped.copy()
    wrong_sex.loc[wrong_sex["person_id"] == "f0_son", "sex"] = "F"
    with pytest.raises(ValueError, match=r"^pedigree: .*(male|'M').*f0_son"):
        simulate_genomes(wrong_sex, ["f0_sib1"], **ok)
    cycle = ped.copy()  # the grandfather made a child of his own grandson
    cycle.loc[cycle["person_id"] == "f0_gf", ["father_id", "mother_id"]] = ["f0_sib2", "f0_sib1"]
    with pytest.raises(ValueError, match=r"^pedigree: .*(ancestor|cycle|earlier generation).*f0_(gf|sib)"):
        simulate_genomes(cycle, ["f0_sib1"], **ok)
    one_parent = ped.copy()
    one_parent.loc[one_parent["person_id"] == "f0_sib1", "mother_id"] = ""
    with pytest.raises(ValueError, match=r"^pedigree: .*f0_sib1"):
        simulate_genomes(one_parent, ["f0_sib1"], **ok)
    with pytest.raises(ValueError, match=r"^pedigree.*lacks.*population"):
        simulate_genomes(ped.drop(columns="population"), ["f0_sib1"], **ok)
    bad_pop = ped.assign(population="Atlantis")
    with pytest.raises(ValueError, match="population must be one of"):
        simulate_genomes(bad_pop, ["f0_sib1"], **ok)


# --- the simulator's only Mendelian facts that need no truth ------------------------------------------


def test_inherits_one_copy_from_each_parent():
    """A parent and child are never opposite homozygotes; siblings' kinship is about 1/4; the
    SNP table's frequencies are the founders'; a seed gives the same genomes."""
    ped = families(6)
    samples = list(ped["person_id"])
    g = simulate_genomes(ped, samples, n_snps=2000, seed=3, library_blocks=30)
    row = {pid: i for i, pid in enumerate(samples)}
    for _, person in ped[ped["father_id"] != ""].iterrows():
        for parent in (person["father_id"], person["mother_id"]):
            a, b = g.genotypes[row[person["person_id"]]], g.genotypes[row[parent]]
            assert not np.any(np.abs(a.astype(int) - b) == 2), (person["person_id"], parent)
    sib = [pg.kinship(g.genotypes[[row[f"f{f}_sib1"]]], g.genotypes[[row[f"f{f}_sib2"]]])[0, 0] for f in range(6)]
    assert np.mean(sib) == pytest.approx(0.25, abs=0.07)
    founders = (ped["father_id"] == "").to_numpy()
    assert np.allclose(g.snps["freq_CEU"], g.genotypes[founders].mean(axis=0) / 2, atol=1e-6)
