"""Packaging a deposit for transfer: checksum manifests and Crypt4GH encryption.

Repositories check that what arrived is what was sent by comparing checksums: dbGaP's
sequence route and the EGA ask for MD5 sums of the files. MD5 still detects accidental
damage but is no longer collision-resistant (RFC 6151), so a SHA-256 manifest is written
beside it. Both use the format of ``md5sum`` and ``sha256sum`` (``<hex>  <name>``), so
``sha256sum -c MANIFEST.sha256`` checks a folder on any Unix machine.

The EGA encrypts files in transit and at rest with the GA4GH Crypt4GH standard: a header
encrypted to the recipient's public key (X25519) holds the key that encrypts the data in
64 KiB ChaCha20-Poly1305 segments. Only the holder of the archive's private key can decrypt.
The ``crypt4gh`` package from the EGA does the work here. In a lesson the "archive" key pair
is generated on the spot: never use a real archive's key for an exercise.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from os import PathLike
from pathlib import Path

__all__ = [
    "MANIFESTS",
    "decrypt_file",
    "encrypt_file",
    "file_digest",
    "generate_keypair",
    "verify_manifest",
    "write_manifests",
]

#: Manifest file name per algorithm.
MANIFESTS = {"md5": "MANIFEST.md5", "sha256": "MANIFEST.sha256"}
_CHUNK = 2**20


def file_digest(path: str | PathLike[str], algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in 1 MiB chunks (memory stays bounded whatever its size).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = pathlib.Path(d, "x.txt"); _ = p.write_bytes(b"abc")
    ...     file_digest(p, "md5")
    '900150983cd24fb0d6963f7d28e17f72'
    """
    if algorithm not in MANIFESTS:
        raise ValueError(f"algorithm must be one of {', '.join(MANIFESTS)}; got {algorithm!r}")
    digest = hashlib.new(algorithm)
    with Path(path).open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifests(folder: str | PathLike[str], files: Iterable[str] | None = None) -> dict[str, Path]:
    """Write ``MANIFEST.md5`` and ``MANIFEST.sha256`` for the files of a folder.

    Parameters
    ----------
    folder
        The deposit folder.
    files
        File names inside ``folder``; default every regular file except the manifests, sorted.

    Returns
    -------
    dict
        ``{algorithm: manifest path}``.

    Raises
    ------
    FileNotFoundError
        If ``folder`` or a named file does not exist.
    ValueError
        If a name has a path separator or a line break (the manifest could not hold it).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    if files is None:
        names = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name not in MANIFESTS.values())
    else:
        names = [str(n) for n in files]
    for name in names:
        if "/" in name or "\\" in name or "\n" in name or name in ("", ".", ".."):
            raise ValueError(f"{name!r}: give plain file names inside the folder")
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{folder / name}: no such file")
    written = {}
    for algorithm, manifest in MANIFESTS.items():
        lines = [f"{file_digest(folder / name, algorithm)}  {name}\n" for name in names]
        (folder / manifest).write_text("".join(lines), encoding="utf-8")
        written[algorithm] = folder / manifest
    return written


def verify_manifest(folder: str | PathLike[str], algorithm: str = "sha256") -> list[str]:
    """Check a folder against its manifest; return the problems (empty: every file matches).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = pathlib.Path(d, "a.txt").write_text("x"); _ = write_manifests(d)
    ...     _ = pathlib.Path(d, "a.txt").write_text("y")
    ...     verify_manifest(d)
    ['a.txt: SHA256 differs from the manifest (changed or damaged)']
    """
    folder = Path(folder)
    if algorithm not in MANIFESTS:
        raise ValueError(f"algorithm must be one of {', '.join(MANIFESTS)}; got {algorithm!r}")
    manifest = folder / MANIFESTS[algorithm]
    if not manifest.is_file():
        return [f"{manifest.name}: missing"]
    problems = []
    width = {"md5": 32, "sha256": 64}[algorithm]
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != width or not all(c in "0123456789abcdef" for c in digest):
            problems.append(f"{manifest.name}, line {number}: not '<{algorithm}>  <name>'")
        elif not (folder / name).is_file():
            problems.append(f"{name}: listed in {manifest.name} but missing")
        elif file_digest(folder / name, algorithm) != digest:
            problems.append(f"{name}: {algorithm.upper()} differs from the manifest (changed or damaged)")
    return problems



def _require_crypt4gh() -> None:
    """Fail with instructions when the optional crypt4gh package is missing."""
    try:
        import crypt4gh  # noqa: F401
    except ImportError:
        raise ModuleNotFoundError(
            "Crypt4GH encryption needs the crypt4gh package: pip install 'crypt4gh==1.8.6' (or genshare[deposit]). "
            "It is native code, so the browser (JupyterLite) version of the lessons cannot run this step."
        ) from None

def generate_keypair(folder: str | PathLike[str], name: str = "archive", *, passphrase: str = "lesson passphrase") -> tuple[Path, Path]:
    """Generate a Crypt4GH key pair ``<name>.pub`` / ``<name>.sec`` (private key locked with a passphrase).

    For lessons: it stands in for an archive's key pair. A real deposit is encrypted to the
    archive's published public key; its private key never leaves the archive.
    """
    _require_crypt4gh()
    from crypt4gh.keys.c4gh import generate

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    public, secret = folder / f"{name}.pub", folder / f"{name}.sec"
    for path in (public, secret):
        if path.exists():
            path.unlink()
    generate(str(secret), str(public), passphrase=passphrase.encode("utf-8"), comment=f"genshare lesson key: {name}".encode())
    return public, secret


def _secret(secret_key: str | PathLike[str], passphrase: str) -> bytes:
    from crypt4gh.keys import get_private_key

    return get_private_key(str(secret_key), lambda: passphrase)


def encrypt_file(
    source: str | PathLike[str],
    destination: str | PathLike[str],
    recipient_public_key: str | PathLike[str],
    sender_secret_key: str | PathLike[str],
    *,
    passphrase: str = "lesson passphrase",
) -> Path:
    """Encrypt ``source`` into ``destination`` (``.c4gh``) for the holder of ``recipient_public_key``.

    The source is read and written in segments, not loaded whole; it is not changed.

    Raises
    ------
    FileNotFoundError
        If the source or a key is missing.
    ValueError
        If ``destination`` is the source.
    """
    _require_crypt4gh()
    import crypt4gh.lib
    from crypt4gh.keys import get_public_key

    source, destination = Path(source), Path(destination)
    for path in (source, Path(recipient_public_key), Path(sender_secret_key)):
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file")
    if destination.exists() and destination.resolve() == source.resolve():
        raise ValueError("destination must differ from the source: the source is never overwritten")
    keys = [(0, _secret(sender_secret_key, passphrase), get_public_key(str(recipient_public_key)))]
    with source.open("rb") as infile, destination.open("wb") as outfile:
        crypt4gh.lib.encrypt(keys, infile, outfile)
    return destination


def decrypt_file(
    source: str | PathLike[str],
    destination: str | PathLike[str],
    recipient_secret_key: str | PathLike[str],
    *,
    passphrase: str = "lesson passphrase",
) -> Path:
    """Decrypt a ``.c4gh`` file with the recipient's private key (what the archive does on arrival).

    Raises
    ------
    FileNotFoundError
        If the file or key is missing.
    ValueError
        If the file was not encrypted for this key, or is damaged (nothing is kept then).
    """
    _require_crypt4gh()
    import crypt4gh.lib

    source, destination = Path(source), Path(destination)
    for path in (source, Path(recipient_secret_key)):
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file")
    keys = [(0, _secret(recipient_secret_key, passphrase), None)]
    logger = logging.getLogger("crypt4gh")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # the package logs each failed key; the error below says it once
    try:
        with source.open("rb") as infile, destination.open("wb") as outfile:
            crypt4gh.lib.decrypt(keys, infile, outfile)
    except Exception as error:  # crypt4gh raises ValueError or its own errors for a wrong key or damage
        destination.unlink(missing_ok=True)
        raise ValueError(
            f"{source.name}: cannot be decrypted with the key {Path(recipient_secret_key).name} ({error}): "
            "it was encrypted for another key, or is damaged"
        ) from None
    finally:
        logger.setLevel(level)
    return destination

