"""Save a synthetic world as files a genomics user recognises, and load it back.

A saved world is a folder holding:

- ``genotypes.npz``: the genotype matrices in a compact, fast format (2 bits per call);
- ``cohort.vcf.gz``, ``reference.vcf.gz``, ``database.vcf.gz``: the same genotypes as
  bgzip-compressed VCF 4.3 (optional);
- one CSV file per table (``voter_roll.csv.gz`` is gzip-compressed);
- ``world.json``: the seed, the parameters and the versions that made the world;
- ``datapackage.json``: a Frictionless Data Package describing every file;
- ``README.md``: what each file is;
- ``MANIFEST.sha256``: the SHA-256 checksum of every other file, checked on load.

Writing is atomic: files are written to a temporary folder next to the destination and
moved into place only when everything succeeded. Files are written byte-for-byte
reproducibly (no timestamps), so the same world always gives the same checksums.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import struct
import tempfile
import zipfile
import zlib
from importlib.metadata import version
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genshare.cohort.identities import REFERENCE_DATE
from genshare.cohort.world import TABLES, World, normalise_table
from genshare.paths import world_dir

__all__ = [
    "WorldIntegrityError",
    "load_world",
    "pack_genotypes",
    "read_vcf_genotypes",
    "save_world",
    "unpack_genotypes",
    "write_vcf",
]

_DESCRIPTIONS = {
    "snps": "One row per SNP: position on the synthetic chromosomes, alleles, panel (array or sequence), allele frequency in each simulated population, and effect on the study phenotype.",
    "cohort": "The study cohort as the study holds it: participant id, population, sex, age and case/control status. person_id links to the ground truth in people.csv.",
    "reference": "Reference panel: people from the same populations who are not in the cohort.",
    "database": "Profiles in a consumer genealogy database, with what the site shows about each customer.",
    "people": "Ground truth for every named person: identity, parents and voter-roll entry (empty when not registered).",
    "relationships": "True relationships between cohort participants and genealogy-database profiles.",
    "voter_roll": "Public voter roll of Synthetica: name, ZIP code, date of birth and sex.",
    "clinical": "Hospital records of the participants before de-identification, with direct identifiers.",
    "zip_codes": "The synthetic geography: ZIP codes of Synthetica with their populations.",
}
_GENOTYPE_SETS = ("cohort", "reference", "database")
_ID_COLUMNS = {"cohort": "participant_id", "reference": "sample_id", "database": "profile_id"}
MANIFEST = "MANIFEST.sha256"


class WorldIntegrityError(ValueError):
    """A saved world is incomplete, damaged or has been changed since it was written."""


# --------------------------------------------------------------------------------------
# Reproducible writers
# --------------------------------------------------------------------------------------


def _format_table(frame: pd.DataFrame, columns: list[tuple[str, str]]) -> bytes:
    out = frame[[name for name, _ in columns]].copy()
    for name, kind in columns:
        if kind == "date":
            out[name] = pd.to_datetime(out[name]).dt.strftime("%Y-%m-%d")
        elif kind == "number":
            out[name] = out[name].map(lambda x: "" if pd.isna(x) else repr(float(x)))
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _gzip_bytes(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as handle:
        handle.write(data)
    return buffer.getvalue()


def pack_genotypes(genotypes: np.ndarray) -> np.ndarray:
    """Pack a genotype matrix (people x SNPs, values -1..2) into 2 bits per call.

    The result is SNP-major, shape (SNPs, ceil(people / 4)), ``uint8``: person *i*'s call
    at a SNP sits in bits ``2 * (i % 4)`` of byte ``i // 4``, stored as call + 1 (0 missing,
    1..3 for 0..2 alternate alleles). SNP-major order keeps the long runs of reference
    calls at rare variants together, which compresses well.

    Examples
    --------
    >>> g = np.array([[0, 1], [2, -1], [1, 1]], dtype=np.int8)
    >>> bool((unpack_genotypes(pack_genotypes(g), n_people=3) == g).all())
    True
    """
    codes = (np.asarray(genotypes, dtype=np.int8).T + 1).astype(np.uint8)  # (SNPs, people)
    pad = (-codes.shape[1]) % 4
    codes = np.pad(codes, ((0, 0), (0, pad))).reshape(codes.shape[0], -1, 4)
    return codes[:, :, 0] | (codes[:, :, 1] << 2) | (codes[:, :, 2] << 4) | (codes[:, :, 3] << 6)


def unpack_genotypes(packed: np.ndarray, n_people: int) -> np.ndarray:
    """Inverse of :func:`pack_genotypes`: an ``int8`` matrix of shape (people, SNPs)."""
    shifts = np.array([0, 2, 4, 6], dtype=np.uint8)
    codes = (packed[:, :, None] >> shifts) & 3  # (SNPs, bytes, 4)
    calls = codes.reshape(packed.shape[0], -1)[:, :n_people].astype(np.int8) - 1
    return np.ascontiguousarray(calls.T)


def _write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Like ``numpy.savez_compressed`` but with fixed timestamps, so bytes are reproducible."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())


_BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def _bgzf(data: bytes, level: int = 6) -> bytes:
    """Compress ``data`` in the BGZF format used by bgzip, htslib and tabix.

    BGZF is a series of gzip members of at most 64 KiB each, with the compressed size
    recorded in an extra field, followed by an empty end-of-file member.
    """
    out = io.BytesIO()
    block = 65280
    for start in range(0, len(data), block):
        chunk = data[start : start + block]
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        deflated = compressor.compress(chunk) + compressor.flush()
        size = len(deflated) + 25  # header 18 + data + crc 4 + isize 4, minus 1
        out.write(struct.pack("<4BI2BH2BHH", 31, 139, 8, 4, 0, 0, 255, 6, 66, 67, 2, size))
        out.write(deflated)
        out.write(struct.pack("<II", zlib.crc32(chunk) & 0xFFFFFFFF, len(chunk)))
    out.write(_BGZF_EOF)
    return out.getvalue()


def write_vcf(genotypes: np.ndarray, samples: list[str], snps: pd.DataFrame, description: str) -> bytes:
    """Unphased VCF 4.3 text for a genotype matrix (people x SNPs), bgzip-compressed."""
    contigs = snps.groupby("chrom")["pos"].max()
    header = [
        "##fileformat=VCFv4.3",
        f"##fileDate={str(REFERENCE_DATE).replace('-', '')}",
        f"##source=genshare.cohort {description}",
        "##comment=Synthetic data: no real person's genotypes. CC0 1.0.",
        *[f"##contig=<ID={chrom},length={int(length)}>" for chrom, length in contigs.items()],
        '##INFO=<ID=PANEL,Number=1,Type=String,Description="array (common SNP on a genotyping array) or sequence (any variant)">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]),
    ]
    fixed = (
        snps["chrom"].astype(str) + "\t" + snps["pos"].astype(str) + "\t" + snps["snp_id"] + "\t"
        + snps["ref"] + "\t" + snps["alt"] + "\t.\tPASS\tPANEL=" + snps["panel"] + "\tGT\t"
    )
    # Every call is 4 bytes ("0/1" and a tab); the last tab of each line becomes a newline.
    table = np.frombuffer(b"./.\t0/0\t0/1\t1/1\t", dtype=np.uint8).reshape(4, 4)
    body = table[genotypes.T.astype(np.int16) + 1]  # (SNPs, people, 4)
    body[:, -1, 3] = ord("\n")
    body = body.reshape(len(snps), -1)
    text = ("\n".join(header) + "\n").encode("ascii") + b"".join(
        prefix.encode("ascii") + row.tobytes() for prefix, row in zip(fixed, body)
    )
    return _bgzf(text)


def read_vcf_genotypes(path: str | PathLike[str]) -> tuple[list[str], np.ndarray]:
    """Read the samples and genotype matrix (people x SNPs) of a VCF written by :func:`write_vcf`."""
    codes = {"./.": -1, "0/0": 0, "0/1": 1, "1/1": 2}
    rows, samples = [], []
    with gzip.open(path, "rt", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("##"):
                continue
            fields = line.rstrip("\n").split("\t")
            if line.startswith("#"):
                samples = fields[9:]
                continue
            rows.append([codes[call] for call in fields[9:]])
    return samples, np.array(rows, dtype=np.int8).T.reshape(len(samples), -1)


# --------------------------------------------------------------------------------------
# Save
# --------------------------------------------------------------------------------------


def _package(world: World, files: dict[str, bytes], vcf: bool) -> dict[str, Any]:
    resources = []
    for key, (filename, columns) in TABLES.items():
        resources.append(
            {
                "name": key.replace("_", "-"),
                "path": filename,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                **({"compression": "gz"} if filename.endswith(".gz") else {}),
                "description": _DESCRIPTIONS[key],
                "schema": {"fields": [{"name": n, "type": t} for n, t in columns]},
            }
        )
    resources.append(
        {
            "name": "genotypes",
            "path": "genotypes.npz",
            "format": "npz",
            "mediatype": "application/zip",
            "description": "Genotype matrices cohort, reference and database, packed 2 bits per call "
            "(SNP-major uint8; see genshare.cohort.storage.pack_genotypes). Unpacked, each is int8 people x "
            "SNPs: alternate-allele counts 0, 1, 2 and -1 for missing, rows in the order of cohort.csv, "
            "reference.csv and database.csv, columns in the order of snps.csv. Load with "
            "genshare.cohort.load_world.",
        }
    )
    if vcf:
        for name in _GENOTYPE_SETS:
            resources.append(
                {
                    "name": f"{name}-vcf",
                    "path": f"{name}.vcf.gz",
                    "format": "vcf",
                    "mediatype": "text/x-vcf",
                    "compression": "gz",
                    "description": f"The {name} genotypes as unphased VCF 4.3, compressed with bgzip (BGZF, which any gzip reader can read).",
                }
            )
    return {
        "name": f"synthetic-genomic-world-seed-{world.seed}",
        "title": f"Synthetic genomic world (seed {world.seed})",
        "description": "A simulated study cohort, genealogy database, reference panel, voter roll and "
        "clinical records for teaching genomic privacy. Entirely synthetic: no real person's data.",
        "licenses": [{"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/", "title": "CC0 1.0"}],
        "sources": [{"title": "Simulated with genshare.cohort and msprime"}],
        "resources": resources,
    }


def _readme(world: World, vcf: bool) -> str:
    n_people = {name: len(getattr(world, name)) for name in _GENOTYPE_SETS}
    lines = [
        f"# Synthetic genomic world (seed {world.seed})",
        "",
        "**Everything in this folder is synthetic.** It was simulated by `genshare.cohort` "
        "(coalescent simulation with msprime, Mendelian inheritance, invented identities). "
        "No file contains data from a real person. Released under CC0 1.0.",
        "",
        f"Regenerate it with `python -m genshare.cohort --seed {world.seed} --out DIR"
        + ("" if vcf else " --no-vcf")
        + "` (the parameters are in `world.json`).",
        "",
        "| file | contents |",
        "|---|---|",
        f"| `genotypes.npz` | genotype matrices, 2 bits per call (unpacked: int8, people x SNPs; 0/1/2 alternate alleles, -1 missing): "
        f"`cohort` ({n_people['cohort']} people), `reference` ({n_people['reference']}), `database` ({n_people['database']}) |",
    ]
    if vcf:
        lines.append("| `cohort.vcf.gz`, `reference.vcf.gz`, `database.vcf.gz` | the same genotypes as bgzip-compressed VCF 4.3 |")
    for key, (filename, _) in TABLES.items():
        lines.append(f"| `{filename}` | {_DESCRIPTIONS[key]} |")
    lines += [
        "| `world.json` | seed, parameters and software versions |",
        "| `datapackage.json` | Frictionless Data Package describing every file |",
        f"| `{MANIFEST}` | SHA-256 checksums of every other file, checked by `load_world` |",
        "",
    ]
    return "\n".join(lines)


def _world_files(world: World, vcf: bool) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for key, (filename, columns) in TABLES.items():
        data = _format_table(getattr(world, key), columns)
        files[filename] = _gzip_bytes(data) if filename.endswith(".gz") else data
    buffer_path = None
    with tempfile.TemporaryDirectory() as scratch:
        buffer_path = Path(scratch) / "genotypes.npz"
        _write_npz(buffer_path, {name: pack_genotypes(getattr(world, f"{name}_genotypes")) for name in _GENOTYPE_SETS})
        files["genotypes.npz"] = buffer_path.read_bytes()
    if vcf:
        for name in _GENOTYPE_SETS:
            ids = getattr(world, name)[_ID_COLUMNS[name]].tolist()
            files[f"{name}.vcf.gz"] = write_vcf(getattr(world, f"{name}_genotypes"), ids, world.snps, f"seed={world.seed} set={name}")
    info = {
        "seed": world.seed,
        "parameters": world.parameters,
        "generator": {pkg: version(pkg) for pkg in ("genshare", "msprime", "tskit", "numpy", "pandas")},
        "synthetic": True,
        "licence": "CC0-1.0",
    }
    files["world.json"] = (json.dumps(info, indent=2, sort_keys=True) + "\n").encode()
    files["datapackage.json"] = (json.dumps(_package(world, files, vcf), indent=2) + "\n").encode()
    files["README.md"] = _readme(world, vcf).encode()
    files[MANIFEST] = "".join(
        f"{hashlib.sha256(content).hexdigest()}  {name}\n" for name, content in sorted(files.items())
    ).encode()
    return files


def save_world(world: World, out: str | PathLike[str], *, force: bool = False, vcf: bool = True) -> Path:
    """Write ``world`` to the folder ``out``, atomically.

    Parameters
    ----------
    world
        The world to save.
    out
        Destination folder. It must not exist unless ``force`` is true.
    force
        Replace an existing folder. The old folder is removed only after the new one is
        complete.
    vcf
        Also write the genotypes as bgzip-compressed VCF (larger; the compact
        ``genotypes.npz`` is always written).

    Returns
    -------
    pathlib.Path
        The destination folder.

    Raises
    ------
    FileExistsError
        If ``out`` exists and ``force`` is false.
    """
    destination = Path(out)
    if destination.exists() and not force:
        raise FileExistsError(f"{destination} already exists; pass force=True (or --force) to replace it")
    destination.parent.mkdir(parents=True, exist_ok=True)
    files = _world_files(world, vcf)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.partial-", dir=destination.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes a private folder; give it normal permissions
    try:
        for name, content in files.items():
            (staging / name).write_bytes(content)
        if destination.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{destination.name}.old-", dir=destination.parent))
            os.replace(destination, retired / "world")
            os.replace(staging, destination)
            shutil.rmtree(retired)
        else:
            os.replace(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return destination


# --------------------------------------------------------------------------------------
# Load
# --------------------------------------------------------------------------------------


def _verify(folder: Path) -> dict[str, str]:
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise WorldIntegrityError(f"{folder}: no {MANIFEST}; this is not a saved world, or it is incomplete")
    expected: dict[str, str] = {}
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), start=1):
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise WorldIntegrityError(f"{manifest}: line {number} is not '<sha256>  <file>'")
        expected[name] = digest
    for name, digest in expected.items():
        path = folder / name
        if not path.is_file():
            raise WorldIntegrityError(f"{path}: listed in {MANIFEST} but missing")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != digest:
            raise WorldIntegrityError(
                f"{path}: checksum mismatch (expected {digest[:12]}..., found {actual[:12]}...); "
                "the file is damaged or was changed after the world was saved"
            )
    for required in ("world.json", "genotypes.npz", *(filename for filename, _ in TABLES.values())):
        if required not in expected:
            raise WorldIntegrityError(f"{folder}: {required} is not listed in {MANIFEST}")
    return expected


def _read_table(path: Path, columns: list[tuple[str, str]]) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False)
    return normalise_table(raw, columns)


def load_world(folder: str | PathLike[str] | None = None) -> World:
    """Read a world written by :func:`save_world`, after checking every file's checksum.

    Parameters
    ----------
    folder
        The world's folder. By default the world every lesson reads,
        :func:`genshare.paths.world_dir` (the committed world, or the folder named by the
        environment variable ``GENSHARE_WORLD``).

    Raises
    ------
    WorldIntegrityError
        If the manifest is missing, a file is missing, or a file's SHA-256 differs from
        the manifest (the message names the file).
    """
    path = Path(folder) if folder is not None else world_dir()
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such folder")
    _verify(path)
    info = json.loads((path / "world.json").read_text(encoding="utf-8"))
    tables = {key: _read_table(path / filename, columns) for key, (filename, columns) in TABLES.items()}
    with np.load(path / "genotypes.npz", allow_pickle=False) as archive:
        genotypes = {name: unpack_genotypes(archive[name], len(tables[name])) for name in _GENOTYPE_SETS}
    for name in _GENOTYPE_SETS:
        if genotypes[name].shape != (len(tables[name]), len(tables["snps"])):
            raise WorldIntegrityError(
                f"{path / 'genotypes.npz'}: '{name}' has shape {genotypes[name].shape}, "
                f"expected ({len(tables[name])}, {len(tables['snps'])})"
            )
    return World(
        seed=int(info["seed"]),
        parameters=info["parameters"],
        cohort_genotypes=genotypes["cohort"],
        reference_genotypes=genotypes["reference"],
        database_genotypes=genotypes["database"],
        **tables,
    )
