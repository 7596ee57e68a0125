"""What a file holds, from its first bytes, never from its name.

One sniffer for every reader of users' files: the pre-release risk check
(:mod:`genshare.risk`) and the deposit validator (:mod:`genshare.deposit.validate`) both
refuse a PDF named ``.vcf`` or a PLINK file given as a table with the same words.
"""

from __future__ import annotations

import gzip
import zlib
from os import PathLike
from pathlib import Path

__all__ = ["file_kind"]


def file_kind(path: str | PathLike[str]) -> str:
    """What a file holds, from its first bytes (never from its name).

    Returns one of ``"vcf"``, ``"vcf.gz"`` (gzip or bgzip), ``"bed"`` (PLINK 1),
    ``"pgen"`` (PLINK 2), ``"pdf"``, ``"gzip"`` (compressed, not a VCF), ``"empty"``,
    ``"binary"`` (some other binary file) or ``"text"``.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "report.vcf")
    ...     _ = open(path, "wb").write(b"%PDF-1.7 ...")
    ...     file_kind(path)
    'pdf'
    """
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head:
        return "empty"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head[:3] == b"\x6c\x1b\x01":
        return "bed"
    if head[:2] == b"\x6c\x1b" and len(head) > 2 and 0x02 <= head[2] <= 0x20:
        return "pgen"
    if head[:2] == b"\x1f\x8b":
        try:
            inner = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, 64)
        except zlib.error:
            return "gzip"
        if not inner:  # the first block is longer than what was read: read through gzip
            try:
                with gzip.open(path, "rb") as handle:
                    inner = handle.read(64)
            except (OSError, EOFError, zlib.error):  # truncated or damaged: gzip, but unreadable
                return "gzip"
        return "vcf.gz" if inner.startswith(b"##fileformat=VCF") else "gzip"
    if head.startswith(b"##fileformat=VCF"):
        return "vcf"
    if b"\x00" in head:
        return "binary"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the end of the sample
            return "binary"
    return "text"
