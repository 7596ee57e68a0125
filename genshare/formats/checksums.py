"""SHA-256 checksums of files and the ``MANIFEST.sha256`` that lists them.

One way to compute the SHA-256 of a file (:func:`file_sha256`, read in 1 MiB blocks so
memory stays bounded) and one way to write manifest lines (:func:`manifest_text`, the
format ``sha256sum --check`` reads: ``<hex digest>  <name>``, sorted by name). The world
(:mod:`genshare.cohort.storage`) and the lite world write their manifests with it.

Examples
--------
>>> manifest_text({"b.txt": b"abc", "a.txt": b""}).decode().splitlines()[1][:16]
'ba7816bf8f01cfea'
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from os import PathLike

from genshare._safe_files import open_regular

__all__ = ["HASH_CHUNK", "file_sha256", "manifest_text"]

#: Bytes read at a time while hashing a file.
HASH_CHUNK = 2**20


def file_sha256(file: str | PathLike[str] | int) -> str:
    """SHA-256 of a file, as lower-case hex, read :data:`HASH_CHUNK` bytes at a time.

    Parameters
    ----------
    file
        A path (a symbolic link is followed; a folder, a FIFO or a device is refused, never
        opened and waited on), or a file descriptor opened for reading, hashed from its
        current position to its end and left open (for callers that check the open file
        with ``fstat`` first, so that what is hashed is what was checked).

    Returns
    -------
    str
        The 64 hex digits.

    Raises
    ------
    FileNotFoundError
        If the path does not exist.
    genshare._safe_files.NotRegularFileError
        If the path is not a regular file.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "x")
    ...     _ = open(path, "wb").write(b"abc")
    ...     file_sha256(path)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    if isinstance(file, int):
        while chunk := os.read(file, HASH_CHUNK):
            digest.update(chunk)
        return digest.hexdigest()
    with open_regular(file, follow_symlinks=True) as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_text(files: Mapping[str, bytes]) -> bytes:
    """The lines of a ``MANIFEST.sha256`` for files given by name and content.

    Parameters
    ----------
    files
        ``{file name: content}``; names are plain file names (no folder, no line break).

    Returns
    -------
    bytes
        One ``<sha256>  <name>`` line per file, sorted by name, ASCII (UTF-8 for names
        that need it), each ending in a newline.

    Raises
    ------
    ValueError
        If a name is empty, holds a path separator or a control character (the manifest
        could not hold it, or ``sha256sum --check`` would read another file).

    Examples
    --------
    >>> print(manifest_text({"x": b"abc"}).decode(), end="")
    ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  x
    """
    for name in files:
        if (
            not isinstance(name, str)
            or name in ("", ".", "..")
            or any(c in name for c in "/\\")
            or any(ord(c) < 32 for c in name)
        ):
            raise ValueError(f"manifest: {name!r} is not a plain file name")
    return "".join(
        f"{hashlib.sha256(content).hexdigest()}  {name}\n" for name, content in sorted(files.items())
    ).encode()
