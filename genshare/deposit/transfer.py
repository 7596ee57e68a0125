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

What is refused, so that no file is ever lost: a destination that is an input (compared by
device and inode, so a hard link or a symbolic link to the source counts); every output is
written to a temporary file beside it and renamed into place only when complete, so a wrong
key, a wrong passphrase or a damaged file leaves an existing destination as it was. Crypt4GH
has no end-of-file marker, so :func:`encrypt_file` declares the plaintext's length in the
header (an edit list ``[0, size]``, part of the standard) and :func:`decrypt_file` refuses a
file whose data stop short of it, or, without a declared length, one that ends on a full
segment (see :func:`decrypt_file`). Manifests list every file of the folder and nothing
outside it (:func:`verify_manifest`).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, redirect_stderr
from os import PathLike
from pathlib import Path
from typing import IO, cast

from genshare._safe_files import atomic_destination, open_regular, regular_file_problem, same_file

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

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If ``algorithm`` is unknown, or ``path`` is not a regular file (a folder, a FIFO or
        a device is refused, never opened and waited on).
    """
    if algorithm not in MANIFESTS:
        raise ValueError(f"algorithm must be one of {', '.join(MANIFESTS)}; got {algorithm!r}")
    digest = hashlib.new(algorithm)
    with open_regular(path, follow_symlinks=True) as handle:  # a FIFO or a device is refused, never waited on
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _plain_name(name: str) -> bool:
    """Whether ``name`` is a plain file name inside a folder (no path, no line break, not ``.``/``..``)."""
    return not (any(c in name for c in "/\\\n\r\x00") or name in ("", ".", "..") or os.path.isabs(name))


def _regular_files(folder: Path) -> tuple[list[str], list[str]]:
    """The names of the regular files of ``folder`` (manifests left out), and what else it holds, described."""
    files, others = [], []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name in MANIFESTS.values():
            continue
        problem = regular_file_problem(entry)
        if problem is None:
            files.append(entry.name)
        else:
            others.append(f"{entry.name!r} {problem}")
    return files, others


def write_manifests(folder: str | PathLike[str], files: Iterable[str] | None = None) -> dict[str, Path]:
    """Write ``MANIFEST.md5`` and ``MANIFEST.sha256`` for the files of a folder.

    Parameters
    ----------
    folder
        The deposit folder.
    files
        File names inside ``folder``; default every regular file except the manifests, sorted.
        :func:`verify_manifest` fails on a file of the folder that is not listed, so a
        subset is for a folder whose other files will be removed before transfer.

    Returns
    -------
    dict
        ``{algorithm: manifest path}``.

    Raises
    ------
    FileNotFoundError
        If ``folder`` or a named file does not exist.
    ValueError
        If a name has a path separator or a line break (the manifest could not hold it),
        is not valid UTF-8, or names something other than a regular file (a symbolic link,
        a folder, a FIFO); without ``files``, if the folder holds anything but regular files.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = pathlib.Path(d, "a.txt").write_text("x")
    ...     sorted(p.name for p in write_manifests(d).values())
    ['MANIFEST.md5', 'MANIFEST.sha256']
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    if files is None:
        names, others = _regular_files(folder)
        if others:
            raise ValueError(
                f"{folder}: holds {'; '.join(others[:5])}: a manifest lists regular files only; "
                "move it out of the deposit folder"
            )
    else:
        names = [str(n) for n in files]
    for name in names:
        if not _plain_name(name):
            raise ValueError(f"{name!r}: give plain file names inside the folder")
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                f"{name!r}: the name is not valid UTF-8, which a manifest cannot hold; rename the file"
            ) from None
        problem = regular_file_problem(folder / name)
        if problem == "no such file":
            raise FileNotFoundError(f"{folder / name}: no such file")
        if problem:
            raise ValueError(f"{folder / name}: {problem}")
    written = {}
    for algorithm, manifest in MANIFESTS.items():
        lines = [f"{file_digest(folder / name, algorithm)}  {name}\n" for name in names]
        with atomic_destination(folder / manifest) as handle:
            handle.write("".join(lines).encode("utf-8"))
        written[algorithm] = folder / manifest
    return written


#: Largest manifest :func:`verify_manifest` reads (a line per file: far more than any deposit).
MAX_MANIFEST_BYTES = 2**24


def verify_manifest(folder: str | PathLike[str], algorithm: str = "sha256") -> list[str]:
    """Check a folder against its manifest; return the problems (empty: every file matches).

    The rules: the manifest is UTF-8 text of ``<hex digest>  <name>`` lines, as
    :func:`write_manifests` and ``sha256sum`` write them; each name is a plain file name
    inside the folder (no ``/``, ``\\``, ``..`` or absolute path) listed once, and names a
    regular file (a symbolic link is refused, wherever it points); the manifest lists at
    least one file; and every file of the folder except the two manifests is listed (a
    file added after the manifest was written is a problem, not a pass).

    Raises
    ------
    FileNotFoundError
        If ``folder`` is not a folder.
    ValueError
        If ``algorithm`` is not ``md5`` or ``sha256``.

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
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    manifest = folder / MANIFESTS[algorithm]
    problem = regular_file_problem(manifest)
    if problem == "no such file":
        return [f"{manifest.name}: missing"]
    if problem:
        return [f"{manifest.name}: {problem}"]
    with open_regular(manifest) as handle:
        raw = handle.read(MAX_MANIFEST_BYTES + 1)
    if len(raw) > MAX_MANIFEST_BYTES:
        return [f"{manifest.name}: larger than {MAX_MANIFEST_BYTES:,} bytes; not a manifest of a deposit"]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return [f"{manifest.name}: not UTF-8 text (byte {error.start} cannot be read); not a manifest"]
    problems: list[str] = []
    listed: set[str] = set()
    width = {"md5": 32, "sha256": 64}[algorithm]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    for number, line in enumerate(lines, start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != width or not all(c in "0123456789abcdef" for c in digest):
            problems.append(f"{manifest.name}, line {number}: not '<{algorithm}>  <name>'")
            continue
        if not _plain_name(name):
            problems.append(
                f"{manifest.name}, line {number}: {name[:80]!r} is not a plain file name inside the folder "
                "(no '/', '\\', '..' or absolute path); refused, not read"
            )
            continue
        if name in listed:
            problems.append(f"{manifest.name}, line {number}: {name} is listed a second time")
            continue
        listed.add(name)
        problem = regular_file_problem(folder / name)
        if problem == "no such file":
            problems.append(f"{name}: listed in {manifest.name} but missing")
        elif problem:
            problems.append(f"{name}: {problem}; only regular files are checked")
        elif _digest_of_regular(folder / name, algorithm) != digest:
            problems.append(f"{name}: {algorithm.upper()} differs from the manifest (changed or damaged)")
    if not lines:
        problems.append(f"{manifest.name}: lists no files; an empty manifest proves nothing")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name in listed:
            continue
        if entry.name in MANIFESTS.values():
            # The other manifest may stand unlisted, but only as a manifest: a regular file.
            problem = regular_file_problem(entry)
            if problem:
                problems.append(f"{entry.name}: {problem} where a manifest may stand; refused, not read")
            continue
        problems.append(
            f"{entry.name!r}: in the folder but not listed in {manifest.name} (added after the manifest was written?)"
        )
    return problems


def _digest_of_regular(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open_regular(path) as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _require_crypt4gh() -> None:
    """Fail with instructions when the optional crypt4gh package is missing."""
    try:
        import crypt4gh  # noqa: F401
    except ImportError:
        raise ModuleNotFoundError(
            "Crypt4GH encryption needs the crypt4gh package: pip install 'crypt4gh==1.8.6' (or genshare[deposit]). "
            "It is native code, so the browser (JupyterLite) version of the lessons cannot run this step."
        ) from None


def generate_keypair(
    folder: str | PathLike[str],
    name: str = "archive",
    *,
    passphrase: str = "lesson passphrase",
    overwrite: bool = False,
) -> tuple[Path, Path]:
    """Generate a Crypt4GH key pair ``<name>.pub`` / ``<name>.sec`` (private key locked with a passphrase).

    For lessons: it stands in for an archive's key pair. A real deposit is encrypted to the
    archive's published public key; its private key never leaves the archive.

    Parameters
    ----------
    folder, name
        The key files are ``folder/<name>.pub`` and ``folder/<name>.sec``.
    passphrase
        Locks the private key.
    overwrite
        Replace key files that exist. Off by default: a replaced private key can no longer
        decrypt what was encrypted to the old public key.

    Raises
    ------
    FileExistsError
        If a key file exists and ``overwrite`` is false.
    """
    _require_crypt4gh()
    from crypt4gh.keys.c4gh import generate

    if not isinstance(passphrase, str) or not passphrase:
        raise ValueError("passphrase must be a non-empty string")
    if not isinstance(name, str) or not _plain_name(name):
        raise ValueError(f"name must be a plain file name; got {name!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    public, secret = folder / f"{name}.pub", folder / f"{name}.sec"
    if not isinstance(overwrite, bool):
        raise ValueError(f"overwrite must be True or False; got {overwrite!r}")
    for path in (public, secret):
        if path.is_symlink() or path.exists():
            if path.is_dir() and not path.is_symlink():
                raise IsADirectoryError(f"{path}: is a folder; cannot write a key there")
            if not overwrite:
                raise FileExistsError(
                    f"{path}: a key file exists; pass overwrite=True to replace the pair (files encrypted "
                    "to the old public key can then no longer be decrypted)"
                )
    for path in (public, secret):
        if path.is_symlink() or path.exists():
            path.unlink()
    generate(
        str(secret), str(public), passphrase=passphrase.encode("utf-8"), comment=f"genshare lesson key: {name}".encode()
    )
    return public, secret


#: Largest key file read (a Crypt4GH or OpenSSH key is a few hundred bytes).
MAX_KEY_BYTES = 64 * 1024


def _key_file(path: str | PathLike[str], what: str) -> Path:
    path = Path(path)
    problem = regular_file_problem(path, follow_symlinks=True)
    if problem == "no such file":
        raise FileNotFoundError(f"{path}: no such file ({what})")
    if problem:
        raise ValueError(f"{path}: {problem}; expected a {what} file")
    if path.stat().st_size > MAX_KEY_BYTES:
        raise ValueError(
            f"{path}: {path.stat().st_size:,} bytes, too large for a {what} (a key file is a few hundred bytes)"
        )
    return path


@contextmanager
def _quiet_crypt4gh() -> Iterator[None]:
    """Silence crypt4gh's log and its printed messages: the errors raised here say it once, with the file."""
    logger = logging.getLogger("crypt4gh")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with redirect_stderr(io.StringIO()):
            yield
    finally:
        logger.setLevel(level)


def _public(path: str | PathLike[str]) -> bytes:
    """The X25519 public key in a Crypt4GH or OpenSSH public key file; ValueError naming the file otherwise."""
    from crypt4gh.keys import get_public_key

    path = _key_file(path, "public key")
    try:
        with _quiet_crypt4gh():
            key = get_public_key(str(path))
    except SystemExit:  # crypt4gh exits on some bad keys; a library must not
        raise ValueError(f"{path}: not a Crypt4GH or OpenSSH public key") from None
    except Exception as error:  # noqa: BLE001 - binascii, NotImplementedError, ValueError ...
        raise ValueError(f"{path}: not a Crypt4GH or OpenSSH public key ({type(error).__name__}: {error})") from None
    if not isinstance(key, bytes) or len(key) != 32:
        raise ValueError(f"{path}: does not hold a 32-byte X25519 public key (a private key given as public?)")
    return key


def _secret(path: str | PathLike[str], passphrase: str) -> bytes:
    """The X25519 private key of a key file, unlocked with ``passphrase``; ValueError naming the file otherwise.

    crypt4gh's own parser calls ``sys.exit(2)`` on a wrong passphrase; that is caught here
    and turned into an error a program can handle.
    """
    from crypt4gh.keys import get_private_key

    if not isinstance(passphrase, str):
        raise ValueError(f"passphrase must be a string; got {type(passphrase).__name__}")
    path = _key_file(path, "private key")
    try:
        with _quiet_crypt4gh():
            key = get_private_key(str(path), lambda: passphrase)
    except SystemExit:
        raise ValueError(
            f"{path}: cannot be unlocked: the passphrase is wrong, or the private key is damaged"
        ) from None
    except Exception as error:  # noqa: BLE001 - binascii, ValueError, struct errors ...
        raise ValueError(f"{path}: not a Crypt4GH or OpenSSH private key ({type(error).__name__}: {error})") from None
    if not isinstance(key, bytes) or len(key) != 32:
        raise ValueError(f"{path}: does not hold a 32-byte X25519 private key")
    return key


def _refuse_same(destination: Path, *others: Path) -> None:
    """Refuse a destination that is one of the inputs (same device and inode: hard links and links too)."""
    for other in others:
        if same_file(destination, other) or destination.resolve() == Path(other).resolve():
            raise ValueError(
                f"{destination}: is the same file as {other}; the destination must be another file "
                "(an input is never overwritten)"
            )
    if not destination.parent.is_dir():
        raise FileNotFoundError(f"{destination.parent}: no such folder for the destination")
    if destination.is_dir() and not destination.is_symlink():
        raise IsADirectoryError(f"{destination}: is a folder; give a file name")


def encrypt_file(
    source: str | PathLike[str],
    destination: str | PathLike[str],
    recipient_public_key: str | PathLike[str],
    sender_secret_key: str | PathLike[str],
    *,
    passphrase: str = "lesson passphrase",
) -> Path:
    """Encrypt ``source`` into ``destination`` (``.c4gh``) for the holder of ``recipient_public_key``.

    The source is read and written in 64 KiB segments, not loaded whole; it is not changed.
    The output is a standard Crypt4GH file whose header also holds an edit list
    ``[0, size]``: it declares the plaintext's length, so that :func:`decrypt_file` (and
    any Crypt4GH reader that honours edit lists) can tell a complete file from one cut at
    a segment boundary. The destination is written to a temporary file beside it and
    renamed into place only when complete.

    Raises
    ------
    FileNotFoundError
        If the source or a key is missing.
    ValueError
        If ``destination`` is the source or a key (by device and inode, so a hard link is
        refused too), the source is empty or changes while it is read, a key file is not
        a key (the message names it), or the passphrase does not unlock the private key.
    """
    _require_crypt4gh()
    from crypt4gh import SEGMENT_SIZE, header, sodium

    source, destination = Path(source), Path(destination)
    problem = regular_file_problem(source, follow_symlinks=True)
    if problem == "no such file":
        raise FileNotFoundError(f"{source}: no such file")
    if problem:
        raise ValueError(f"{source}: {problem}; only a regular file can be encrypted")
    public = _public(recipient_public_key)
    secret = _secret(sender_secret_key, passphrase)
    _refuse_same(destination, source, Path(recipient_public_key), Path(sender_secret_key))
    keys = [(0, secret, public)]
    with open_regular(source, follow_symlinks=True) as infile:
        size = os.fstat(infile.fileno()).st_size
        if size == 0:
            raise ValueError(f"{source}: is empty; there is nothing to encrypt (a deposit holds no empty files)")
        session_key = os.urandom(32)
        packets = [
            *header.encrypt(header.make_packet_data_enc(0, session_key), keys),
            *header.encrypt(header.make_packet_data_edit_list([0, size]), keys),
        ]
        segment = bytearray(SEGMENT_SIZE)
        cipher = bytearray(SEGMENT_SIZE + _CIPHER_DIFF)
        left = size
        with atomic_destination(destination) as outfile:
            outfile.write(header.serialize(packets))
            while left > 0:
                n = _read_into(infile, memoryview(segment)[: min(SEGMENT_SIZE, left)])
                if n == 0:
                    raise ValueError(
                        f"{source}: became shorter while it was encrypted ({size - left:,} of {size:,} "
                        "bytes read); encrypt it again when nothing writes to it"
                    )
                length = sodium.chacha20poly1305_encrypt(cipher, bytes(segment[:n]), session_key)
                outfile.write(cipher[:length])
                left -= n
            if infile.read(1):
                raise ValueError(f"{source}: grew while it was encrypted; encrypt it again when nothing writes to it")
    return destination


#: Bytes a Crypt4GH segment adds to its plaintext (12-byte nonce and 16-byte MAC).
_CIPHER_DIFF = 28
#: Header limits: far above what a real header holds (a packet per recipient and an edit list).
_MAX_PACKETS = 64
_MAX_PACKET_BYTES = 2**20


def _read_into(handle: IO[bytes], view: memoryview) -> int:
    """Fill ``view`` from ``handle`` unless the file ends first; return the bytes read."""
    reader = cast(io.BufferedIOBase, handle)  # open_regular's handles are buffered binary files
    total = 0
    while total < len(view):
        n = reader.readinto(view[total:])
        if not n:
            break
        total += n
    return total


def _read_header(infile: IO[bytes], name: str) -> bytes:
    """The raw Crypt4GH header, read with bounds (a forged packet length cannot make it read gigabytes)."""
    start = infile.read(16)
    if len(start) < 16 or start[:8] != b"crypt4gh":
        raise ValueError(f"{name}: not a Crypt4GH file (it does not start with the 'crypt4gh' magic bytes)")
    count = int.from_bytes(start[12:16], "little")
    if not 1 <= count <= _MAX_PACKETS:
        raise ValueError(f"{name}: the header declares {count} packets; damaged, or not a Crypt4GH file")
    parts = [start]
    for index in range(count):
        length_bytes = infile.read(4)
        length = int.from_bytes(length_bytes, "little")
        if len(length_bytes) < 4 or not 4 < length <= _MAX_PACKET_BYTES:
            raise ValueError(f"{name}: header packet {index + 1} is truncated or has an impossible length; damaged")
        packet = infile.read(length - 4)
        if len(packet) < length - 4:
            raise ValueError(f"{name}: header packet {index + 1} is truncated; damaged")
        parts += [length_bytes, packet]
    return b"".join(parts)


class _EditList:
    """Writes the bytes an edit list keeps: lengths alternate skip, keep, ...; after an odd
    list the rest is kept, after an even one the rest is dropped (the Crypt4GH rules)."""

    def __init__(self, out: IO[bytes], edits: list[int] | None) -> None:
        self.out, self.left, self.skipping, self.written = out, deque(edits or []), True, 0
        self.keep_all = edits is None

    def write(self, data: bytes) -> None:
        if self.keep_all:
            self.out.write(data)
            self.written += len(data)
            return
        view = memoryview(data)
        while len(view):
            if not self.left:
                if not self.skipping:
                    self.out.write(view)
                    self.written += len(view)
                return
            n = min(self.left[0], len(view))
            if not self.skipping:
                self.out.write(view[:n])
                self.written += n
            view = view[n:]
            self.left[0] -= n
            if self.left[0] == 0:
                self.left.popleft()
                self.skipping = not self.skipping


def decrypt_file(
    source: str | PathLike[str],
    destination: str | PathLike[str],
    recipient_secret_key: str | PathLike[str],
    *,
    passphrase: str = "lesson passphrase",
) -> Path:
    """Decrypt a ``.c4gh`` file with the recipient's private key (what the archive does on arrival).

    Every segment's MAC is checked (ChaCha20-Poly1305), and the file must be complete.
    Crypt4GH has no end marker, so a file cut exactly after a full 64 KiB segment still
    authenticates segment by segment; the rule used here is:

    - if the header holds an edit list of an even number of lengths (it ends on a "keep",
      as :func:`encrypt_file` writes ``[0, size]``), the data must reach the end of the
      last kept range: fewer bytes are a truncated file;
    - otherwise (no edit list, or one that keeps "to the end") the end of the data is not
      declared, and the last segment must be a short one (less than 64 KiB of plaintext):
      a body that is empty or ends on a full segment cannot be told apart from a truncated
      one and is refused. A file of that kind from another tool can be re-encrypted with
      :func:`encrypt_file`, which declares its length.

    The output goes to a temporary file beside ``destination``, renamed over it only when
    every check passed: a wrong key or a damaged file never deletes or truncates an
    existing ``destination``.

    What Crypt4GH cannot tell: each 64 KiB segment is authenticated on its own, not bound to
    its position, so segments of one file swapped, dropped and duplicated to the same length
    decrypt without error (the format's design, not this reader's). Compare the decrypted
    file with the sender's checksum manifest (:func:`verify_manifest`), as repositories do.

    Raises
    ------
    FileNotFoundError
        If the file or key is missing.
    ValueError
        If ``destination`` is the source or the key (same device and inode), the key file
        is not a key or the passphrase does not unlock it (naming the file), the file was
        not encrypted for this key, or it is damaged or truncated.
    """
    _require_crypt4gh()
    from crypt4gh import SEGMENT_SIZE, header
    from crypt4gh.lib import decrypt_block

    source, destination = Path(source), Path(destination)
    problem = regular_file_problem(source, follow_symlinks=True)
    if problem == "no such file":
        raise FileNotFoundError(f"{source}: no such file")
    if problem:
        raise ValueError(f"{source}: {problem}; only a regular file can be decrypted")
    secret = _secret(recipient_secret_key, passphrase)
    _refuse_same(destination, source, Path(recipient_secret_key))
    keys = [(0, secret, None)]
    key_name = Path(recipient_secret_key).name

    def refuse(reason: str) -> ValueError:
        return ValueError(
            f"{source.name}: cannot be decrypted with the key {key_name} ({reason}): "
            "it was encrypted for another key, or is damaged"
        )

    with open_regular(source, follow_symlinks=True) as infile, _quiet_crypt4gh():
        raw = _read_header(infile, source.name)
        try:
            session_keys, edits = header.deconstruct(io.BytesIO(raw), keys)
            edits = None if edits is None else list(edits)
        except ValueError as error:
            raise refuse(str(error)) from None
        declared_end = sum(edits) if edits is not None and len(edits) % 2 == 0 else None
        segment = bytearray(SEGMENT_SIZE)
        cipher = bytearray(SEGMENT_SIZE + _CIPHER_DIFF)
        total = 0
        last = None
        with atomic_destination(destination) as outfile:
            out = _EditList(outfile, edits)
            while n := _read_into(infile, memoryview(cipher)):
                if n <= _CIPHER_DIFF:
                    raise refuse(f"a segment of {n} bytes is too short to hold data")
                try:
                    plain = decrypt_block(segment, bytes(cipher[:n]), session_keys)
                except ValueError as error:
                    raise refuse(f"segment {total // SEGMENT_SIZE + 1}: {error}") from None
                out.write(bytes(segment[:plain]))
                total += plain
                last = plain
            if declared_end is not None and total < declared_end:
                raise ValueError(
                    f"{source.name}: truncated: the header declares {declared_end:,} bytes of data but "
                    f"only {total:,} could be decrypted; nothing was written"
                )
            if declared_end is None and (last is None or last == SEGMENT_SIZE):
                raise ValueError(
                    f"{source.name}: cannot tell whether it is complete: it declares no length and "
                    + ("holds no data" if last is None else f"ends on a full {SEGMENT_SIZE // 1024} KiB segment")
                    + ", which is also what a file cut at a segment boundary looks like; refused "
                    "(encrypt_file declares the length)"
                )
    return destination
