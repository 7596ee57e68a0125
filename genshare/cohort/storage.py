"""Save a synthetic world as files a genomics user recognises, and load it back.

A saved world is a folder holding:

- ``genotypes.npz``: the genotype matrices in a compact, fast format (2 bits per call);
- ``truth.npz``: what the simulation knows and a real study would not: the founder
  mosaics of every genotyped genome copy (the true identity by descent of any pair, see
  :func:`pack_mosaics`), and the phase a genealogy service would infer (one bit per
  heterozygous call, see :meth:`genshare.cohort.schema.World.haplotypes`);
- ``cohort.vcf.gz``, ``reference.vcf.gz``, ``database.vcf.gz``: the same genotypes as
  bgzip-compressed VCF 4.3 (optional);
- one CSV file per table (the large ones, ``*.csv.gz``, gzip-compressed);
- ``world.json``: the seed, the parameters and the versions that made the world;
- ``datapackage.json``: a Frictionless Data Package describing every file;
- ``README.md``: what each file is;
- ``MANIFEST.sha256``: the SHA-256 checksum of every other file, checked on load.

Writing is atomic and safe against other writers: files are written to a staging folder
next to the destination and moved into place only when everything succeeded, under a lock
that makes a second writer of the same folder fail instead of overwriting (see
:func:`save_world`). Files are written byte-for-byte reproducibly (no timestamps), so the
same world always gives the same checksums.

The checksums detect accidental damage (a truncated copy, a flipped bit, a file edited by
mistake). They cannot detect a deliberate edit by someone who also rewrites the manifest;
that needs checksums published somewhere the editor cannot change, or a signature.
"""

from __future__ import annotations

import glob
import gzip
import io
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genshare._safe_files import (
    MAX_LINE_CHARS,
    CappedReader,
    LineTooLongError,
    NotRegularFileError,
    capped_lines,
    open_regular,
)
from genshare.cohort.genetics import Mosaics
from genshare.cohort.schema import CORE_TABLES, DESCRIPTIONS, TABLES, World, normalise_table
from genshare.formats.checksums import file_sha256, manifest_text
from genshare.formats.vcf import write_vcf
from genshare.paths import world_dir

__all__ = [
    "MAX_FILE_BYTES",
    "WorldBusyError",
    "WorldIntegrityError",
    "check_destination",
    "load_world",
    "pack_genotypes",
    "pack_mosaics",
    "read_vcf_genotypes",
    "save_world",
    "unpack_genotypes",
    "unpack_mosaics",
    "write_vcf",
]

_DESCRIPTIONS = {
    "snps": "One row per SNP: position on the synthetic chromosomes, alleles, panel (array or sequence), "
    "allele frequency in each simulated population, and effect on the study phenotype.",
    "cohort": "The study cohort as the study holds it: participant id, population, sex, age and case/control "
    "status. person_id links to the ground truth in people.csv.gz.",
    "reference": "Reference panel: people from the same populations who are not in the cohort.",
    "database": "Profiles in a consumer genealogy database, with what the site shows about each customer.",
    "people": "Ground truth: the whole pedigree of Synthetica, every generation, the dead included: birth and "
    "death years, biological and legal parents, names, ZIP code and voter-roll entry (empty when not registered).",
    "relationships": "True relationships (third cousin or closer, from the pedigree) between cohort participants "
    "and genealogy-database profiles, with the common ancestors.",
    "family_trees": "Public family trees posted by some genealogy-database customers: names, birth and death "
    "years, places and legal parent links (person_id is ground truth for scoring).",
    "voter_roll": "Public voter roll of Synthetica: name, ZIP code, date of birth and sex.",
    "clinical": "Hospital records of the participants before de-identification, with direct identifiers.",
    "zip_codes": "The synthetic geography: ZIP codes of Synthetica with their living residents.",
}


def _description(key: str) -> str:
    """A table's description: the built-in ones here, tables added by steps in schema.DESCRIPTIONS."""
    return _DESCRIPTIONS.get(key) or DESCRIPTIONS[key]


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
        elif kind == "boolean":
            out[name] = np.where(out[name].to_numpy(dtype=bool), "true", "false")
        elif kind == "integer" and out[name].dtype == "Int64":
            out[name] = out[name].astype("string").fillna("")
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
    # Transpose the packed bytes (four times fewer than the calls), then write the people
    # held in bit pair k of every byte, rows k, k + 4, ..., each row contiguous.
    packed_t = np.ascontiguousarray(np.asarray(packed, dtype=np.uint8).T)  # (bytes, SNPs)
    calls = np.empty((packed_t.shape[0] * 4, packed_t.shape[1]), dtype=np.int8)
    for k in range(4):
        np.subtract((packed_t >> 2 * k) & 3, 1, out=calls[k::4], casting="unsafe")
    return calls[:n_people]


def _planes(values: np.ndarray, width: int) -> np.ndarray:
    """Little-endian byte planes of non-negative integers, shape (width, n): compresses far
    better than the interleaved bytes (the high planes are mostly zeros)."""
    values = np.asarray(values, dtype=np.int64)
    if values.size and (values.min() < 0 or values.max() >= 256**width):
        raise ValueError(f"values outside 0..{256**width - 1} cannot be stored in {width} bytes")
    return np.ascontiguousarray(values.astype("<u8").view(np.uint8).reshape(-1, 8)[:, :width].T)


def _unplanes(planes: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_planes`: ``int64`` values."""
    planes = np.asarray(planes, dtype=np.uint8)
    out = np.zeros(planes.shape[1], dtype=np.int64)
    for k in range(planes.shape[0]):
        out |= planes[k].astype(np.int64) << (8 * k)
    return out


def pack_mosaics(mosaics: Mosaics, n_copies: int) -> dict[str, np.ndarray]:
    """The founder mosaics of ``n_copies`` genome copies as compact arrays for ``truth.npz``.

    ``mosaic_counts`` (segments per copy, 2 byte planes), ``mosaic_steps`` (each segment's
    start minus the previous segment's start of the same copy, in units of
    :data:`genshare.cohort.genetics.UNIT` Morgans, 3 byte planes) and ``mosaic_haps`` (the
    founder haplotype copied, ``uint32``: kept whole, so that LZMA finds the runs of founder
    haplotypes that relatives' copies share).

    Examples
    --------
    >>> m = Mosaics(owner=np.array([0, 0, 1]), start=np.array([0, 5, 0]), hap=np.array([3, 4, 3]))
    >>> back = unpack_mosaics(pack_mosaics(m, 2))
    >>> back.start.tolist(), back.hap.tolist()
    ([0, 5, 0], [3, 4, 3])
    """
    owner = np.asarray(mosaics.owner, dtype=np.int64)
    counts = np.bincount(owner, minlength=n_copies)
    if len(counts) != n_copies:
        raise ValueError(f"mosaics: owners run to {owner.max()}, beyond the {n_copies} genome copies")
    steps = np.diff(mosaics.start, prepend=0)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])[counts > 0]
    steps[first] = mosaics.start[first]
    return {"mosaic_counts": _planes(counts, 2), "mosaic_steps": _planes(steps, 3), "mosaic_haps": _uint32(mosaics.hap)}


def _uint32(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.int64)
    if values.size and (values.min() < 0 or values.max() >= 2**32):
        raise ValueError(f"values outside 0..{2**32 - 1} cannot be stored in 4 bytes")
    return values.astype(np.uint32)


def unpack_mosaics(arrays: dict[str, np.ndarray]) -> Mosaics:
    """Inverse of :func:`pack_mosaics`."""
    counts = _unplanes(arrays["mosaic_counts"])
    steps = _unplanes(arrays["mosaic_steps"])
    haps = np.asarray(arrays["mosaic_haps"], dtype=np.int64)
    if counts.sum() != len(steps) or len(steps) != len(haps):
        raise ValueError(
            f"mosaics: {counts.sum()} segments counted but {len(steps)} starts and {len(haps)} haplotypes stored"
        )
    owner = np.repeat(np.arange(len(counts)), counts)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    # Start = cumulative sum of steps, restarted at each copy's first segment.
    total = np.cumsum(steps)
    base = np.repeat(total[first[counts > 0]] - steps[first[counts > 0]], counts[counts > 0])
    return Mosaics(owner=owner, start=total - base, hap=haps)


def _write_npz(path: Path, arrays: dict[str, np.ndarray], compression: int = zipfile.ZIP_DEFLATED) -> None:
    """Like ``numpy.savez_compressed`` but with fixed timestamps, so bytes are reproducible
    (``compression``: ``zipfile.ZIP_DEFLATED``, or ``ZIP_LZMA``, which ``numpy.load`` reads too)."""
    with zipfile.ZipFile(
        path, "w", compression=compression, compresslevel=9 if compression == zipfile.ZIP_DEFLATED else None
    ) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = compression
            archive.writestr(info, buffer.getvalue())


def read_vcf_genotypes(path: str | PathLike[str]) -> tuple[list[str], np.ndarray]:
    """Read the samples and genotype matrix (people x SNPs) of a VCF written by :func:`write_vcf`.

    Raises
    ------
    WorldIntegrityError
        Naming the file and line, if a line is longer than 16 Mi characters, a call is not
        one :func:`write_vcf` writes (``./.``, ``0/0``, ``0/1``, ``1/1``), a record has
        another number of samples than the header, or the file is not readable gzip text.
    """
    codes = {"./.": -1, "0/0": 0, "0/1": 1, "1/1": 2}
    rows, samples = [], []
    path = Path(path)
    try:
        with (
            open_regular(path, follow_symlinks=True) as raw,
            gzip.GzipFile(fileobj=raw, mode="rb") as inflated,
            io.TextIOWrapper(inflated, encoding="ascii", newline="") as handle,
        ):
            for number, line in enumerate(capped_lines(handle, path.name), start=1):
                if line.startswith("##"):
                    continue
                fields = line.rstrip("\r\n").split("\t")
                if line.startswith("#"):
                    samples = fields[9:]
                    continue
                calls = fields[9:]
                unknown = next((c for c in calls if c not in codes), None)
                if unknown is not None or len(calls) != len(samples):
                    what = (
                        f"call {unknown!r} is not one of {', '.join(codes)}"
                        if unknown is not None
                        else (f"{len(calls)} calls for {len(samples)} samples")
                    )
                    raise WorldIntegrityError(f"{path}, line {number}: {what}")
                rows.append([codes[call] for call in calls])
    except (LineTooLongError, NotRegularFileError, UnicodeDecodeError, OSError, EOFError, zlib.error) as error:
        raise WorldIntegrityError(
            f"{path}: cannot be read as a VCF of write_vcf ({type(error).__name__}: {error})"
        ) from None
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
                "description": _description(key),
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
            "reference.csv and database.csv, columns in the order of snps.csv.gz. Load with "
            "genshare.cohort.load_world.",
        }
    )
    if "truth.npz" in files:
        resources.append(
            {
                "name": "truth",
                "path": "truth.npz",
                "format": "npz",
                "mediatype": "application/zip",
                "description": "What the simulation knows: the founder-haplotype mosaics of every genotyped genome "
                "copy (copy k of genotyped row i is copy 2i + k, rows numbered through cohort, reference, database; "
                "see genshare.cohort.storage.pack_mosaics), from which the true IBD segments of any pair follow, "
                "and the phase shown to learners (one bit per heterozygous call, people-major, phase_<set>; see "
                "genshare.cohort.world.World.haplotypes).",
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
                    "description": f"The {name} genotypes as unphased VCF 4.3, compressed with bgzip "
                    "(BGZF, which any gzip reader can read).",
                }
            )
    return {
        "name": f"synthetic-genomic-world-seed-{world.seed}",
        "title": f"Synthetic genomic world (seed {world.seed})",
        "description": "A simulated study cohort, genealogy database, reference panel, voter roll and "
        "clinical records for teaching genomic privacy. Entirely synthetic: no real person's data.",
        "licenses": [
            {"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/", "title": "CC0 1.0"}
        ],
        "sources": [{"title": "Simulated with genshare.cohort and msprime"}],
        "resources": resources,
    }


def _readme(world: World, vcf: bool, note: str = "") -> str:
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
        "| `genotypes.npz` | genotype matrices, 2 bits per call "
        "(unpacked: int8, people x SNPs; 0/1/2 alternate alleles, -1 missing): "
        f"`cohort` ({n_people['cohort']} people), `reference` ({n_people['reference']}), "
        f"`database` ({n_people['database']}) |",
    ]
    if world.founder_mosaics() is not None or world.phase:
        lines.append(
            "| `truth.npz` | what only the simulation knows: each genotyped genome copy as a mosaic of founder "
            "haplotypes (the true IBD segments of any pair: `world.ibd_segments`), and the phase shown to "
            "learners (`world.haplotypes`) |"
        )
    if vcf:
        lines.append(
            "| `cohort.vcf.gz`, `reference.vcf.gz`, `database.vcf.gz` | "
            "the same genotypes as bgzip-compressed VCF 4.3 |"
        )
    for key, (filename, _) in TABLES.items():
        lines.append(f"| `{filename}` | {_description(key)} |")
    lines += [
        "| `world.json` | seed, parameters and software versions |",
        "| `datapackage.json` | Frictionless Data Package describing every file |",
        f"| `{MANIFEST}` | SHA-256 checksums of every other file, checked by `load_world` |",
        "",
        "## What the checksums prove",
        "",
        f"`load_world` recomputes the SHA-256 checksum of every file and compares it with `{MANIFEST}`, "
        "and refuses a file that is not listed. This detects **accidental damage**: an interrupted copy, "
        "a corrupted disk, a file changed by mistake. It does **not** detect a deliberate edit: whoever "
        f"can change a file here can also write its new checksum into `{MANIFEST}`. To know that the "
        "files are the ones that were published, compare the manifest with checksums published "
        "somewhere the editor cannot change (as data repositories publish checksums beside their "
        "downloads), or check a digital signature over the manifest, for example:",
        "",
        "```bash",
        "# in this folder",
        *(
            f"{command:<50}# {comment}"
            for command, comment in [
                (f"sha256sum --check {MANIFEST}", "accidental damage"),
                (f"sha256sum {MANIFEST}", "compare with the value published elsewhere"),
                (f"gpg --verify {MANIFEST}.asc {MANIFEST}", "or check the publisher's signature"),
            ]
        ),
        "```",
        "",
        "Regenerating the world from its seed, as above, gives the same bytes and so the same checksums.",
        "",
    ]
    return "\n".join(lines) + (f"\n{note}" if note else "")


def _world_files(world: World, vcf: bool, note: str = "") -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for key, (filename, columns) in TABLES.items():
        data = _format_table(getattr(world, key), columns)  # extra tables too (World.__getattr__)
        files[filename] = _gzip_bytes(data) if filename.endswith(".gz") else data
    buffer_path = None
    with tempfile.TemporaryDirectory() as scratch:
        buffer_path = Path(scratch) / "genotypes.npz"
        _write_npz(buffer_path, {name: pack_genotypes(getattr(world, f"{name}_genotypes")) for name in _GENOTYPE_SETS})
        files["genotypes.npz"] = buffer_path.read_bytes()
        mosaics = world.founder_mosaics()
        if mosaics is not None or world.phase:
            truth: dict[str, np.ndarray] = {}
            if mosaics is not None:
                n_copies = 2 * sum(len(getattr(world, name)) for name in _GENOTYPE_SETS)
                truth.update(pack_mosaics(mosaics, n_copies))
            truth.update({f"phase_{name}": world.phase[name] for name in _GENOTYPE_SETS if name in world.phase})
            _write_npz(Path(scratch) / "truth.npz", truth, zipfile.ZIP_LZMA)  # LZMA finds relatives' shared mosaics
            files["truth.npz"] = (Path(scratch) / "truth.npz").read_bytes()
    if vcf:
        for name in _GENOTYPE_SETS:
            ids = getattr(world, name)[_ID_COLUMNS[name]].tolist()
            files[f"{name}.vcf.gz"] = write_vcf(
                getattr(world, f"{name}_genotypes"), ids, world.snps, f"seed={world.seed} set={name}"
            )
    info = {
        "seed": world.seed,
        "parameters": world.parameters,
        "generator": {pkg: version(pkg) for pkg in ("genshare", "msprime", "tskit", "numpy", "pandas")},
        "synthetic": True,
        "licence": "CC0-1.0",
        "metadata": world.metadata,
    }
    files["world.json"] = (json.dumps(info, indent=2, sort_keys=True) + "\n").encode()
    files["datapackage.json"] = (json.dumps(_package(world, files, vcf), indent=2) + "\n").encode()
    files["README.md"] = _readme(world, vcf, note).encode()
    files[MANIFEST] = manifest_text(files)
    return files


class WorldBusyError(OSError):
    """Another process is writing the same world folder right now."""


def _sibling(destination: Path, kind: str) -> Path:
    """A hidden working name next to ``destination``: ``.NAME.lock``, ``.NAME.old``, ``.NAME.partial-PID``."""
    return destination.parent / f".{destination.name}.{kind}"


@contextmanager
def _claim(destination: Path) -> Iterator[None]:
    """Hold the write lock of ``destination`` (a lock file beside it) or raise WorldBusyError.

    The lock is an operating-system file lock (``flock``; ``msvcrt.locking`` on Windows), so
    it is released when its holder exits for any reason, including SIGKILL: a lock is never
    left stale. Whatever this process finds beside the destination while it holds the lock
    was left by a writer that has gone.
    """
    lock_path = _sibling(destination, "lock")
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock_fd(fd)
        except (BlockingIOError, PermissionError):  # held by another process (EWOULDBLOCK; EACCES on Windows)
            os.close(fd)
            raise WorldBusyError(
                f"{destination}: another process is writing this world right now (it holds {lock_path.name}); "
                "wait for it to finish, or choose another --out"
            ) from None
        try:  # the file may have been unlinked by the previous holder after we opened it
            same = os.fstat(fd).st_ino == os.stat(lock_path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        try:  # while still locked, so a process that opened the old file sees it was replaced
            lock_path.unlink(missing_ok=True)
        except OSError:  # pragma: no cover - Windows cannot delete an open file; the next writer reuses it
            pass
        os.close(fd)


def _lock_fd(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows has no fcntl
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _recover(destination: Path) -> None:
    """Undo what an interrupted writer left beside ``destination``; call only with the lock held.

    - ``.NAME.old`` is the previous world, renamed aside by a ``force`` replacement. If the
      destination is missing, the writer died between its two renames: the old world is
      renamed back. If the destination exists, the new world was already in place and the
      old one is deleted.
      Earlier versions of this module left ``.NAME.old-RANDOM/world``; it is treated the same.
    - ``.NAME.partial-*`` are unfinished staging folders of writers that were killed
      (SIGKILL, a power cut, or signals the writer could not handle): deleted.
    """
    retired = _sibling(destination, "old")
    # Versions before the lock renamed the old world to .NAME.old-RANDOM/world.
    legacy = [p / "world" for p in destination.parent.glob(f".{glob.escape(destination.name)}.old-*") if p.is_dir()]
    for old in [retired, *legacy]:
        if old.is_dir() and not old.is_symlink():
            if destination.exists():
                shutil.rmtree(old)
            else:
                os.replace(old, destination)
    for folder in legacy:
        shutil.rmtree(folder.parent, ignore_errors=True)
    for debris in destination.parent.glob(f".{glob.escape(destination.name)}.partial-*"):
        if debris.is_dir() and not debris.is_symlink():
            shutil.rmtree(debris, ignore_errors=True)
        else:
            debris.unlink(missing_ok=True)


def _make_parent(destination: Path) -> None:
    parent = destination.parent
    if parent.exists() and not parent.is_dir():
        raise NotADirectoryError(f"{destination}: {parent} is a file, not a folder")
    parent.mkdir(parents=True, exist_ok=True)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":  # pragma: no cover - directories cannot be opened on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, content: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def check_destination(out: str | PathLike[str], *, force: bool = False) -> Path:
    """Fail early if ``out`` cannot be written: it exists (without ``force``) or is being written.

    A quick check before a long simulation; :func:`save_world` checks again, under the lock.

    Raises
    ------
    FileExistsError
        If ``out`` exists and ``force`` is false.
    WorldBusyError
        If another process is writing ``out`` now.
    """
    destination = Path(out)
    _make_parent(destination)
    with _claim(destination):
        _recover(destination)
        if destination.exists() and not force:
            raise FileExistsError(f"{destination} already exists; pass force=True (or --force) to replace it")
    return destination


def save_world(
    world: World, out: str | PathLike[str], *, force: bool = False, vcf: bool = True, note: str = ""
) -> Path:
    """Write ``world`` to the folder ``out``, atomically and safely against other writers.

    The files are written to a staging folder ``.NAME.partial-PID`` beside the destination
    and moved into place by one rename once all of them are on disk. A lock file
    ``.NAME.lock`` beside the destination makes writers of the same folder take turns: a
    second writer fails at once with :class:`WorldBusyError` instead of waiting or
    overwriting. Holding the lock, a writer first tidies what interrupted writers left
    (their staging folders, or an old world renamed aside by a replacement that died half
    way, which is restored); so a killed run never leaves the destination missing or
    half-written, and its debris is gone after the next run.

    Parameters
    ----------
    world
        The world to save.
    out
        Destination folder. It must not exist unless ``force`` is true.
    force
        Replace an existing folder: the old folder is renamed aside to ``.NAME.old``, the
        new one renamed into place, and only then is the old one deleted. The destination
        name therefore always holds a complete world, except for the instant between the
        two renames; a crash there is repaired by the next writer (the old world comes back).
    vcf
        Also write the genotypes as bgzip-compressed VCF (larger; the compact
        ``genotypes.npz`` is always written).
    note
        Markdown appended to the folder's ``README.md`` after a blank line (for a world
        derived from another, how it was derived); empty (default) for none. It is
        written before the checksums, so the manifest covers it.

    Returns
    -------
    pathlib.Path
        The destination folder.

    Raises
    ------
    ValueError
        If ``note`` is not a string.
    FileExistsError
        If ``out`` exists and ``force`` is false (checked while holding the lock, so a world
        written by another process a moment earlier is never overwritten).
    WorldBusyError
        If another process is writing ``out`` at the same time.

    Examples
    --------
    >>> import tempfile
    >>> from genshare.cohort import simulate_world
    >>> small = simulate_world(seed=1, n_participants=10, n_snps=50, n_reference=4,
    ...                        n_database=10, n_relatives=2, population_size=500)
    >>> with tempfile.TemporaryDirectory() as scratch:
    ...     folder = save_world(small, Path(scratch) / "w", vcf=False)
    ...     sorted(p.name for p in Path(scratch).iterdir())
    ['w']
    """
    if not isinstance(note, str):
        raise ValueError(f"note must be text (Markdown); got {type(note).__name__}")
    destination = Path(out)
    _make_parent(destination)
    files = _world_files(world, vcf, note)
    retired = _sibling(destination, "old")
    with _claim(destination):
        _recover(destination)
        if destination.exists() and not force:
            raise FileExistsError(f"{destination} already exists; pass force=True (or --force) to replace it")
        staging = _sibling(destination, f"partial-{os.getpid()}")
        try:
            staging.mkdir()
            for name, content in files.items():
                _write_file(staging / name, content)
            _fsync_dir(staging)
            if destination.exists():
                os.replace(destination, retired)
                os.replace(staging, destination)
                _fsync_dir(destination.parent)
                shutil.rmtree(retired)
            else:
                os.replace(staging, destination)
            _fsync_dir(destination.parent)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if retired.exists() and not destination.exists():
                os.replace(retired, destination)
            raise
    return destination


# --------------------------------------------------------------------------------------
# Load
# --------------------------------------------------------------------------------------


#: Largest file a manifest entry may name (bytes). The default world's largest file is a
#: few megabytes; a much larger entry is refused rather than read.
MAX_FILE_BYTES = 4 * 2**30
_MAX_MANIFEST_BYTES = 2**20
_MANIFEST_LINE = re.compile(r"([0-9a-f]{64})  ([^\x00-\x1f/\\]+)")


def _sha256(path: Path) -> str:
    """SHA-256 of a regular file inside a world, read in 1 MiB chunks (memory stays bounded).

    The file is opened without following symbolic links and checked with ``fstat`` on the
    open descriptor, so what is hashed is the regular file that was checked.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise WorldIntegrityError(f"{path}: listed in {MANIFEST} but missing") from None
    except OSError as exc:  # ELOOP: a symbolic link
        raise WorldIntegrityError(
            f"{path}: cannot be opened as a plain file ({exc.strerror}); a symbolic link?"
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise WorldIntegrityError(f"{path}: not a regular file; a world holds only plain files")
        if info.st_size > MAX_FILE_BYTES:
            raise WorldIntegrityError(
                f"{path}: {info.st_size:,} bytes, more than the {MAX_FILE_BYTES:,} a world file may have; refused"
            )
        return file_sha256(fd)
    finally:
        os.close(fd)


def _verify(folder: Path) -> dict[str, str]:
    """Check a world folder against its manifest; return {file name: SHA-256}.

    The rules: every manifest line is ``<sha256>  <name>`` where ``name`` is a plain file
    name in the world folder (a world is flat, so no ``/``, no ``..``, no absolute path);
    each name appears once; each names a regular file (not a symbolic link, a device or a
    folder) of at most :data:`MAX_FILE_BYTES`; and the manifest lists exactly the files
    present: a visible file that is not listed is an error too. Hidden names (starting
    with ``.``, such as the ``.DS_Store`` some systems add) are ignored: they are never read.

    What this proves: no file was damaged or changed *by accident* since the manifest was
    written. It does not prove who wrote the files: someone who edits a file can rewrite
    its line in the manifest too. Against deliberate changes, compare the manifest with
    checksums published elsewhere, or check a signature over it.
    """
    manifest = folder / MANIFEST
    if not manifest.is_file() or manifest.is_symlink():
        raise WorldIntegrityError(f"{folder}: no {MANIFEST}; this is not a saved world, or it is incomplete")
    if manifest.stat().st_size > _MAX_MANIFEST_BYTES:
        raise WorldIntegrityError(f"{manifest}: larger than {_MAX_MANIFEST_BYTES:,} bytes; not a world's manifest")
    try:
        text = manifest.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise WorldIntegrityError(f"{manifest}: not UTF-8 text") from None
    expected: dict[str, str] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line and number == text.count("\n") + 1:
            break  # the newline that ends the last line
        match = _MANIFEST_LINE.fullmatch(line)
        if not match:
            raise WorldIntegrityError(
                f"{manifest}: line {number} is not '<sha256>  <file>' with a lower-case hex digest and a plain "
                f"file name inside the world folder (no '/', no '\\'): {line[:80]!r}"
            )
        digest, name = match.groups()
        if name in {".", ".."} or name == MANIFEST:
            raise WorldIntegrityError(f"{manifest}: line {number} names {name!r}, which is not a file of the world")
        if name in expected:
            raise WorldIntegrityError(f"{manifest}: line {number} lists {name} a second time")
        expected[name] = digest
    for required in ("world.json", "genotypes.npz", *(filename for filename, _ in TABLES.values())):
        if required not in expected:
            raise WorldIntegrityError(f"{folder}: {required} is not listed in {MANIFEST}")
    present = {entry.name for entry in folder.iterdir() if not entry.name.startswith(".")} - {MANIFEST}
    unlisted = sorted(present - set(expected))
    if unlisted:
        raise WorldIntegrityError(
            f"{folder}: {', '.join(unlisted)} not listed in {MANIFEST}; a world's manifest lists every file in it"
        )
    for name, digest in expected.items():
        path = folder / name
        actual = _sha256(path)
        if actual != digest:
            raise WorldIntegrityError(
                f"{path}: checksum mismatch (expected {digest[:12]}..., found {actual[:12]}...); "
                "the file is damaged or was changed after the world was saved"
            )
    return expected


def _read_table(path: Path, columns: list[tuple[str, str]], key: str = "") -> pd.DataFrame:
    """A table of the world, read with a cap on line length (a gzip that inflates to one endless line is refused)."""
    try:
        with open(path, "rb") as handle:  # _verify checked it is a regular file inside the world
            inner = gzip.GzipFile(fileobj=handle, mode="rb") if path.name.endswith(".gz") else handle
            with io.BufferedReader(CappedReader(inner, str(path))) as capped:
                raw = pd.read_csv(capped, dtype=str, keep_default_na=False, na_filter=False)
    except LineTooLongError:
        raise WorldIntegrityError(
            f"{path}: a line is longer than {MAX_LINE_CHARS:,} bytes; not a table of a world "
            "(or an endless line), refused rather than read whole"
        ) from None
    except (
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        UnicodeDecodeError,
        OSError,
        EOFError,
        zlib.error,
        ValueError,
    ) as error:  # OSError: gzip.BadGzipFile; ValueError: pandas' own decoding errors
        raise WorldIntegrityError(f"{path}: cannot be read as a CSV table ({type(error).__name__}: {error})") from None
    try:
        return normalise_table(raw, columns, key)
    except (KeyError, ValueError, TypeError, OverflowError) as error:
        raise WorldIntegrityError(f"{path}: does not match its schema: {error}") from error


#: Largest ``world.json`` read (the committed world's is under 2 KB).
_MAX_INFO_BYTES = 2**20
#: The numbers of people in ``world.json`` that size each genotype matrix.
_SIZE_PARAMETERS = {"cohort": "n_participants", "reference": "n_reference", "database": "n_database"}


def _read_info(path: Path) -> dict[str, Any]:
    """``world.json``: the seed, the parameters and the metadata; WorldIntegrityError naming it otherwise."""
    if path.stat().st_size > _MAX_INFO_BYTES:
        raise WorldIntegrityError(f"{path}: larger than {_MAX_INFO_BYTES:,} bytes; not a world's world.json")
    try:
        info = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise WorldIntegrityError(f"{path}: not valid JSON text ({type(error).__name__}: {error})") from None
    if not isinstance(info, dict):
        raise WorldIntegrityError(f"{path}: must hold a JSON object; got {type(info).__name__}")
    seed = info.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise WorldIntegrityError(f"{path}: 'seed' must be a non-negative whole number; got {seed!r}")
    for key in ("parameters", "metadata"):
        if not isinstance(info.get(key, {}), dict):
            raise WorldIntegrityError(f"{path}: {key!r} must be a JSON object; got {type(info[key]).__name__}")
    return info


def _declared_count(parameters: dict[str, Any], key: str) -> int | None:
    value = parameters.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _npz_headers(path: Path) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """The shape and dtype each genotype matrix of ``genotypes.npz`` declares, read without its data.

    A ``.npy`` member starts with a small header (magic, version, a Python literal with
    ``shape``, ``descr`` and ``fortran_order``); numpy allocates what it declares before
    reading the data, so a few compressed megabytes can ask for gigabytes. Here only the
    headers are read, and the member's stored (uncompressed) size must equal the header
    plus the data it declares.
    """
    expected = {f"{name}.npy" for name in _GENOTYPE_SETS}
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if sorted(names) != sorted(expected):
                raise WorldIntegrityError(
                    f"{path}: holds {sorted(names)[:6]}; a world's genotypes.npz holds exactly "
                    f"{', '.join(sorted(expected))}"
                )
            headers = {}
            for name in _GENOTYPE_SETS:
                info = archive.getinfo(f"{name}.npy")
                with archive.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(member)
                    elif version == (2, 0):
                        shape, _, dtype = np.lib.format.read_array_header_2_0(member)
                    else:
                        raise WorldIntegrityError(f"{path}: {name}.npy has .npy format version {version}; expected 1.0")
                    offset = member.tell()
                if dtype != np.uint8 or len(shape) != 2:
                    raise WorldIntegrityError(
                        f"{path}: {name}.npy declares a {dtype} array of shape {shape}; "
                        "packed genotypes are a 2-D uint8 array (SNPs x bytes)"
                    )
                if info.file_size != offset + int(np.prod(shape, dtype=object)):
                    raise WorldIntegrityError(
                        f"{path}: {name}.npy declares shape {shape} but stores "
                        f"{info.file_size - offset:,} bytes of data; damaged"
                    )
                headers[name] = (tuple(shape), dtype)
    except WorldIntegrityError:
        raise
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, zlib.error, KeyError, SyntaxError) as error:
        raise WorldIntegrityError(
            f"{path}: not a readable genotype archive ({type(error).__name__}: {error})"
        ) from None
    return headers


def _check_declared_shapes(
    path: Path,
    headers: dict[str, tuple[tuple[int, ...], np.dtype]],
    counts: dict[str, int | None],
    n_snps: int | None,
    against: str,
) -> None:
    """Each packed matrix must be (SNPs, ceil(people / 4)) for the sizes ``against`` gives."""
    for name, (shape, _) in headers.items():
        people = counts.get(name)
        if people is None or n_snps is None:
            continue
        wanted = (n_snps, -(-people // 4))
        if shape != wanted:
            raise WorldIntegrityError(
                f"{path}: '{name}' declares packed shape {shape}, but {against} gives {people} people and "
                f"{n_snps} SNPs, shape {wanted}; refused before reading it"
            )


def _load_genotypes(
    path: Path, headers: dict[str, tuple[tuple[int, ...], np.dtype]], people: dict[str, int]
) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: unpack_genotypes(archive[name], people[name]) for name in _GENOTYPE_SETS}
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, zlib.error, KeyError) as error:
        raise WorldIntegrityError(f"{path}: cannot be read ({type(error).__name__}: {error})") from None


def _mosaics_loader(path: Path, digest: str, n_copies: int) -> Any:
    """A function that reads the mosaics of ``truth.npz`` when first needed (most lessons never
    need them), after checking the file still has the checksum it had when the world was loaded."""

    def read() -> Mosaics:
        if _sha256(path) != digest:
            raise WorldIntegrityError(
                f"{path}: changed since the world was loaded (checksum mismatch); load the world again"
            )
        try:
            with np.load(path, allow_pickle=False) as archive:
                arrays = {k: archive[k] for k in ("mosaic_counts", "mosaic_steps", "mosaic_haps")}
        except (zipfile.BadZipFile, ValueError, EOFError, OSError, zlib.error, KeyError) as error:
            raise WorldIntegrityError(f"{path}: cannot be read ({type(error).__name__}: {error})") from None
        if arrays["mosaic_counts"].shape != (2, n_copies):
            raise WorldIntegrityError(
                f"{path}: mosaic_counts has shape {arrays['mosaic_counts'].shape}; "
                f"the tables give {n_copies} genome copies, shape (2, {n_copies})"
            )
        try:
            return unpack_mosaics(arrays)
        except ValueError as error:
            raise WorldIntegrityError(f"{path}: {error}") from None

    return read


def _load_truth(
    path: Path, listed: dict[str, str], genotypes: dict[str, np.ndarray], tables: dict[str, pd.DataFrame]
) -> tuple[Mosaics | None, dict[str, np.ndarray]]:
    """The mosaics and phase of ``truth.npz`` (None and {} for a world saved before it existed)."""
    if "truth.npz" not in listed:
        return None, {}
    n_copies = 2 * sum(len(tables[name]) for name in _GENOTYPE_SETS)
    n_calls = sum(g.size for g in genotypes.values())
    # What a world can hold: about 300 segments of 9 bytes per copy (a cap of 4,000) and one
    # bit per call; a member inflating beyond that is refused before numpy allocates it.
    cap = 4000 * 10 * n_copies + n_calls // 8 + 2**20
    try:
        with zipfile.ZipFile(path) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
        if inflated > cap:
            raise WorldIntegrityError(
                f"{path}: inflates to {inflated:,} bytes, more than a world of this size holds ({cap:,})"
            )
        with np.load(path, allow_pickle=False) as archive:
            names = set(archive.files)
            mosaics = None
            if {"mosaic_counts", "mosaic_steps", "mosaic_haps"} <= names:
                mosaics = _mosaics_loader(path, listed["truth.npz"], n_copies)
            phase = {}
            for name in _GENOTYPE_SETS:
                if f"phase_{name}" in names:
                    bits = archive[f"phase_{name}"]
                    wanted = -(-int((genotypes[name] == 1).sum()) // 8)
                    if bits.dtype != np.uint8 or bits.shape != (wanted,):
                        raise WorldIntegrityError(
                            f"{path}: phase_{name} has shape {bits.shape}, dtype {bits.dtype}; "
                            f"the genotypes have heterozygous calls for ({wanted},) uint8"
                        )
                    phase[name] = bits
    except WorldIntegrityError:
        raise
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, zlib.error, KeyError) as error:
        raise WorldIntegrityError(f"{path}: cannot be read ({type(error).__name__}: {error})") from None
    return mosaics, phase


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
        If the manifest is missing or malformed, names anything but a plain file of the
        folder (an absolute path, ``..``, a symbolic link, a device, a file over
        :data:`MAX_FILE_BYTES`), a listed file is missing, a visible file is not listed, or
        a file's SHA-256 differs from the manifest; or if a file that matches its
        checksum is still not what a world holds (``world.json`` not a JSON object with a
        seed, a table that is not CSV of its schema, a ``genotypes.npz`` that is not a zip
        of the three packed matrices). The message names the file. The shapes the
        matrices declare are checked against ``world.json`` and the tables before any
        matrix is read, so a small archive declaring a huge array is refused, not allocated.

    Notes
    -----
    The checksums detect accidental damage, not deliberate edits: anyone who can change
    a file can also rewrite its line in ``MANIFEST.sha256``. To check that a world is the
    one that was published, compare the manifest's own checksum with one published
    elsewhere, or verify a signature over it.
    """
    path = Path(folder) if folder is not None else world_dir()
    if not path.is_dir():
        retired = _sibling(path, "old")
        hint = (
            f"; an interrupted replacement left the previous world in {retired.name}: "
            "writing any world to this folder again restores it first"
            if retired.is_dir()
            else ""
        )
        raise FileNotFoundError(f"{path}: no such folder{hint}")
    expected_files = _verify(path)
    info = _read_info(path / "world.json")
    npz = path / "genotypes.npz"
    headers = _npz_headers(npz)
    parameters = info.get("parameters", {})
    _check_declared_shapes(
        npz,
        headers,
        {name: _declared_count(parameters, key) for name, key in _SIZE_PARAMETERS.items()},
        _declared_count(parameters, "n_snps"),
        "world.json",
    )
    tables = {key: _read_table(path / filename, columns, key) for key, (filename, columns) in TABLES.items()}
    _check_declared_shapes(
        npz, headers, {name: len(tables[name]) for name in _GENOTYPE_SETS}, len(tables["snps"]), "the tables"
    )
    genotypes = _load_genotypes(npz, headers, {name: len(tables[name]) for name in _GENOTYPE_SETS})
    for name in _GENOTYPE_SETS:
        if genotypes[name].shape != (len(tables[name]), len(tables["snps"])):
            raise WorldIntegrityError(
                f"{path / 'genotypes.npz'}: '{name}' has shape {genotypes[name].shape}, "
                f"expected ({len(tables[name])}, {len(tables['snps'])})"
            )
    mosaics, phase = _load_truth(path / "truth.npz", expected_files, genotypes, tables)
    return World(
        seed=int(info["seed"]),
        parameters=info["parameters"],
        mosaics=mosaics,
        phase=phase,
        cohort_genotypes=genotypes["cohort"],
        reference_genotypes=genotypes["reference"],
        database_genotypes=genotypes["database"],
        metadata=info.get("metadata", {}),
        extra_tables={key: frame for key, frame in tables.items() if key not in CORE_TABLES},
        **{key: frame for key, frame in tables.items() if key in CORE_TABLES},
    )
