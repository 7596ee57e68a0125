"""The VCF 4.3 writer and its BGZF compression: the codecs every genotype file goes through.

:func:`write_vcf` writes the synthetic world's VCF files (:func:`genshare.cohort.save_world`)
and the deposit tools' (:mod:`genshare.deposit.dbgap`); :func:`bgzf` compresses in the
blocked gzip format of bgzip, htslib and tabix. Neither knows about the simulator, so the
tools that read and write genotype files need not import it.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pandas as pd

from genshare._facts import REFERENCE_DATE

__all__ = ["BGZF_EOF", "bgzf", "write_vcf"]

#: The empty BGZF block that ends every BGZF file.
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def bgzf(data: bytes, level: int = 6) -> bytes:
    """Compress ``data`` in the BGZF format used by bgzip, htslib and tabix.

    BGZF is a series of gzip members of at most 64 KiB each, with the compressed size
    recorded in an extra field, followed by an empty end-of-file member; any gzip reader
    reads it as one stream.

    Parameters
    ----------
    data
        The bytes to compress.
    level
        zlib compression level (0-9).

    Returns
    -------
    bytes
        The BGZF file's bytes.

    Examples
    --------
    >>> import gzip
    >>> packed = bgzf(b"hello")
    >>> gzip.decompress(packed), packed.endswith(BGZF_EOF)
    (b'hello', True)
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
    out.write(BGZF_EOF)
    return out.getvalue()


def write_vcf(genotypes: np.ndarray, samples: list[str], snps: pd.DataFrame, description: str) -> bytes:
    """Unphased VCF 4.3 text for a genotype matrix (people x SNPs), bgzip-compressed.

    Parameters
    ----------
    genotypes
        Integer matrix (people x SNPs): 0, 1 or 2 alternate alleles, -1 for a missing call.
    samples
        One sample name per row of ``genotypes``.
    snps
        One row per column of ``genotypes``: ``chrom``, ``pos``, ``snp_id``, ``ref``,
        ``alt`` and ``panel`` (written as ``INFO/PANEL``).
    description
        Free text for the ``##source`` header line.

    Returns
    -------
    bytes
        The BGZF-compressed VCF (``fileDate`` is :data:`genshare._facts.REFERENCE_DATE`,
        so the same input gives the same bytes).

    Examples
    --------
    >>> import gzip
    >>> snps = pd.DataFrame({"chrom": [1], "pos": [100], "snp_id": ["rs1"], "ref": ["A"],
    ...                      "alt": ["G"], "panel": ["array"]})
    >>> text = gzip.decompress(write_vcf(np.array([[1], [-1]]), ["S1", "S2"], snps, "demo")).decode()
    >>> text.splitlines()[-1].split()[-2:]
    ['0/1', './.']
    """
    contigs = snps.groupby("chrom")["pos"].max()
    header = [
        "##fileformat=VCFv4.3",
        f"##fileDate={str(REFERENCE_DATE).replace('-', '')}",
        f"##source=genshare.cohort {description}",
        "##comment=Synthetic data: no real person's genotypes. CC0 1.0.",
        *[f"##contig=<ID={chrom},length={int(length)}>" for chrom, length in contigs.items()],
        "##INFO=<ID=PANEL,Number=1,Type=String,"
        'Description="array (common SNP on a genotyping array) or sequence (any variant)">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]),
    ]
    fixed = (
        snps["chrom"].astype(str)
        + "\t"
        + snps["pos"].astype(str)
        + "\t"
        + snps["snp_id"]
        + "\t"
        + snps["ref"]
        + "\t"
        + snps["alt"]
        + "\t.\tPASS\tPANEL="
        + snps["panel"]
        + "\tGT\t"
    )
    # Every call is 4 bytes ("0/1" and a tab); the last tab of each line becomes a newline.
    table = np.frombuffer(b"./.\t0/0\t0/1\t1/1\t", dtype=np.uint8).reshape(4, 4)
    body = table[genotypes.T.astype(np.int16) + 1]  # (SNPs, people, 4)
    body[:, -1, 3] = ord("\n")
    body = body.reshape(len(snps), -1)
    text = ("\n".join(header) + "\n").encode("ascii") + b"".join(
        prefix.encode("ascii") + row.tobytes() for prefix, row in zip(fixed, body, strict=True)
    )
    return bgzf(text)
