"""The *lite world* of the JupyterLite site: the committed world with fewer SNPs.

The committed synthetic world (``data/synthetic``) is too large for the in-browser site's
25 MB budget (issue 11): its genotype matrices grow with the SNP density that segment search
needs. The site therefore carries a world derived from it, deterministically, at build time:

- **the same people and every table, byte for byte** (cohort, reference, database, the whole
  pedigree, relationships, family trees, voter roll, clinical records, Y-STRs, ZIP codes), so
  every lesson that works on tables, names, pedigrees or Y-STRs gives the book's numbers;
- **a genome-wide subset of the SNPs**: for each panel (``array``: common SNPs of a genotyping
  array; ``sequence``: any variant, mostly rare), :data:`LITE_SNPS` gives how many SNPs to keep,
  evenly spaced along that panel's SNPs in the SNP table (which is ordered by chromosome and
  position), so every chromosome keeps SNPs in proportion to its share of the panel; the
  genotype matrices keep exactly those columns. The counts are the smallest the lessons need
  (notebook 03 draws up to 1,000 SNPs of each panel) with room to spare: rare ``sequence``
  SNPs compress to about a sixth of an ``array`` SNP, so the site stays within budget.

Lessons that compute on genotypes (fingerprints, kinship, membership inference, summary
statistics) run the same code on fewer SNPs, so their numbers differ from the book's (they
are computed in the browser, not copied). Segment search needs dense SNPs (hundreds per
segment) and finds nothing meaningful here; see the README's JupyterLite paragraph.

The lite world is written with :func:`genshare.cohort.save_world` (so it loads with
:func:`genshare.cohort.load_world` and its checksums verify), with ``world.json``'s
``n_snps`` set to the subset's size and ``metadata["lite_world"]`` recording where it came
from (the source world's seed, SNP count and manifest checksum, and the rule), and a
section of its ``README.md`` (``save_world``'s ``note``) saying the same: the saved world
is never edited afterwards, so its manifest is the one ``save_world`` wrote.

``python lite/lite_world.py [--source data/synthetic] [--out DIR]`` writes one;
``lite/build.py`` calls :func:`cached_lite_world`, which derives it again only when the
source world, this file (so also ``LITE_SNPS``) or the world writer/reader changed.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import shutil
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from the checkout
    sys.path.insert(0, str(ROOT))

#: SNPs of each panel in the lite world (all of a panel's SNPs if it has fewer). With the
#: committed world's tables (about 4 MB compressed), the JupyterLite application and the
#: wheels (about 19 MB), this keeps the site near 24 MB, under its 25 MB budget, whatever the
#: committed world's SNP density (tests/test_jupyterlite.py checks the built site).
LITE_SNPS = {"array": 1_500, "sequence": 1_000}
#: Where cached lite worlds live (one folder per source world, SNP count and version of this file).
CACHE = ROOT / "_build" / "lite-world"
MANIFEST = "MANIFEST.sha256"


def snp_subset(n_total: int, n_keep: int) -> np.ndarray:
    """Indices of ``n_keep`` SNPs evenly spaced among ``n_total`` (all of them if fewer).

    Parameters
    ----------
    n_total
        SNPs in the source world (its ``snps`` table, ordered by chromosome and position).
    n_keep
        SNPs to keep, at least 1.

    Returns
    -------
    numpy.ndarray
        Sorted, distinct ``int64`` indices, shape (min(n_keep, n_total),); the first and last
        SNP are always kept.

    Examples
    --------
    >>> snp_subset(10, 4).tolist()
    [0, 3, 6, 9]
    >>> snp_subset(3, 5).tolist()
    [0, 1, 2]
    """
    if isinstance(n_keep, bool) or not isinstance(n_keep, (int, np.integer)) or n_keep < 1:
        raise ValueError(f"n_keep must be an integer >= 1, got {n_keep!r}")
    if isinstance(n_total, bool) or not isinstance(n_total, (int, np.integer)) or n_total < 1:
        raise ValueError(f"n_total must be an integer >= 1 (the source world has SNPs), got {n_total!r}")
    if n_keep >= n_total:
        return np.arange(n_total, dtype=np.int64)
    # Integer arithmetic, so the choice is the same on every platform.
    return (np.arange(n_keep, dtype=np.int64) * (n_total - 1)) // (n_keep - 1) if n_keep > 1 else np.zeros(1, np.int64)


def lite_snps(panel, quotas: dict[str, int] | None = None) -> np.ndarray:
    """Indices of the lite world's SNPs: per panel, ``quotas[panel]`` SNPs evenly spaced among its own.

    Parameters
    ----------
    panel
        The ``panel`` column of the source world's SNP table, shape (SNPs,).
    quotas
        SNPs to keep per panel (default :data:`LITE_SNPS`). A panel missing from it is an error,
        so that a new kind of SNP is never dropped or kept without a decision.

    Returns
    -------
    numpy.ndarray
        Sorted ``int64`` indices into the SNP table.

    Examples
    --------
    >>> lite_snps(["array"] * 6 + ["sequence"] * 4, {"array": 3, "sequence": 2}).tolist()
    [0, 2, 5, 6, 9]
    """
    quotas = LITE_SNPS if quotas is None else quotas
    panel = np.asarray(panel, dtype=object)
    if panel.ndim != 1 or panel.size == 0:
        raise ValueError(f"panel must be the SNP table's panel column, one value per SNP; got shape {panel.shape}")
    unknown = sorted(set(map(str, panel.tolist())) - set(quotas))
    if unknown:
        raise ValueError(
            f"snps: panel value(s) {unknown} have no quota in lite/lite_world.py LITE_SNPS {quotas}; "
            "add one (how many of these SNPs the browser's world keeps)"
        )
    keep = []
    for name, quota in quotas.items():
        members = np.flatnonzero(panel == name)
        if members.size:
            keep.append(members[snp_subset(int(members.size), quota)])
    return np.sort(np.concatenate(keep))


def derive_lite_world(source: Path, out: Path, quotas: dict[str, int] | None = None) -> Path:
    """Write the lite world of the world in ``source`` to ``out`` (replaced if it exists).

    Parameters
    ----------
    source
        A saved world (checked by :func:`genshare.cohort.load_world`: a damaged source is refused).
    out
        Destination folder.
    quotas
        SNPs to keep per panel, evenly spaced (:func:`lite_snps`; default :data:`LITE_SNPS`).

    Returns
    -------
    pathlib.Path
        ``out``, a saved world that :func:`genshare.cohort.load_world` reads.

    Examples
    --------
    >>> import tempfile
    >>> from genshare.cohort import load_world, save_world, simulate_world
    >>> from genshare.cohort.parameters import SIZES
    >>> small = simulate_world(seed=7, **SIZES["tiny"])
    >>> with tempfile.TemporaryDirectory() as scratch:
    ...     full = save_world(small, Path(scratch) / "full", vcf=False)
    ...     lite = load_world(derive_lite_world(full, Path(scratch) / "lite", {"array": 15, "sequence": 5}))
    >>> lite.cohort_genotypes.shape, lite.metadata["lite_world"]["source_n_snps"]
    ((40, 20), 300)
    """
    from genshare.cohort import load_world, save_world
    from genshare.formats.checksums import file_sha256

    source, out = Path(source), Path(out)
    world = load_world(source)
    n_total = len(world.snps)
    quotas = dict(LITE_SNPS if quotas is None else quotas)
    keep = lite_snps(world.snps["panel"].to_numpy(), quotas)
    source_manifest = file_sha256(source / MANIFEST)
    per_panel = ", ".join(f"{name} {quota:,}" for name, quota in quotas.items())
    rule = (
        f"{len(keep):,} of the {n_total:,} SNPs: per panel at most {per_panel} SNPs, evenly spaced among "
        "that panel's SNPs in table order (of n SNPs, k kept: indices floor(i * (n - 1) / (k - 1)), i = 0..k-1); "
        "every person and every other table unchanged"
    )
    # The phase shown to learners is kept for these SNPs; the founder mosaics (the true IBD,
    # several MB) stay with the full world: world.ibd_segments says so in the browser.
    lite = dataclasses.replace(
        world.select_snps(keep),
        metadata={
            **world.metadata,
            "lite_world": {
                "source_seed": int(world.seed),
                "source_n_snps": int(n_total),
                "source_manifest_sha256": source_manifest,
                "snps_per_panel": quotas,
                "rule": rule,
                "made_by": "lite/lite_world.py (the JupyterLite site's world)",
            },
        },
    )
    note = (
        "## This is the lite world of the in-browser (JupyterLite) site\n\n"
        f"It was derived from the world of seed {world.seed} with {n_total:,} SNPs (whose "
        f"`{MANIFEST}` has SHA-256 `{source_manifest}`) by `lite/lite_world.py`: {rule}. "
        "The command above regenerates that full world, not this one. Segment search needs "
        "far denser SNPs than this; use the full world (Binder, Colab or a local install) for it.\n"
    )
    save_world(lite, out, force=True, vcf=False, note=note)
    load_world(out)  # fail here, at build time, if anything above broke the world
    return out


def _fingerprint(source: Path, quotas: dict[str, int]) -> str:
    digest = hashlib.sha256()
    digest.update((source / MANIFEST).read_bytes())
    digest.update(repr(sorted(quotas.items())).encode())
    # This file, and the code that writes and reads worlds: a change to either derives it again.
    for code in (Path(__file__), ROOT / "genshare" / "cohort" / "storage.py", ROOT / "genshare" / "cohort" / "schema.py",
                 ROOT / "genshare" / "formats" / "checksums.py"):
        digest.update(code.read_bytes())
    return digest.hexdigest()[:16]


def cached_lite_world(source: Path, quotas: dict[str, int] | None = None, cache: Path = CACHE) -> Path:
    """The lite world of ``source``, from ``cache`` if already derived, else derived into it.

    The cache key is the source's manifest (so any change to the world), the quotas and this
    file's text; a cached world is used only if :func:`genshare.cohort.load_world` accepts it.
    """
    from genshare.cohort import WorldIntegrityError, load_world

    source = Path(source)
    if not (source / MANIFEST).is_file():
        raise FileNotFoundError(f"{source}: no {MANIFEST}; not a saved world (the lite world is derived from one)")
    quotas = dict(LITE_SNPS if quotas is None else quotas)
    folder = Path(cache) / _fingerprint(source, quotas)
    if folder.is_dir():
        try:
            load_world(folder)
            return folder
        except (WorldIntegrityError, OSError, ValueError):
            shutil.rmtree(folder)
    if Path(cache).is_dir():
        for stale in Path(cache).iterdir():  # keep one lite world only
            if stale.is_dir():
                shutil.rmtree(stale)
    return derive_lite_world(source, folder, quotas)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "data" / "synthetic")
    parser.add_argument("--out", type=Path, help="write here (default: the build cache, _build/lite-world/...)")
    args = parser.parse_args(argv)
    out = derive_lite_world(args.source, args.out) if args.out else cached_lite_world(args.source)
    print(f"lite world: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
