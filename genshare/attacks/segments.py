"""Shared DNA segments between people, measured in centimorgans, as genealogy services match.

Two relatives share stretches of chromosome inherited from a common ancestor: segments
*identical by descent* (IBD). Wherever two people share at least one copy IBD, they can
never be *opposite homozygotes* (one 0, the other 2 alternate alleles, also called IBS0):
one of them would have to carry an allele the other lacks on the shared copy. So, from
unphased genotypes alone, a long run of SNPs without an opposite homozygote marks a
candidate shared segment. Between unrelated people such runs stay short, because at
common SNPs opposite homozygotes turn up every few dozen markers. This is the idea of
the "half-identical region" matching of genealogy services and of GERMLINE-free tools
such as the IBS0 runs of KING's IBD segment inference.

The length of a segment is measured on the genetic map, in centimorgans (cM), because
that is what predicts how far back a segment was inherited (a segment shrinks by
recombination each generation), and what genealogy services report. A match is usually
declared from segments of at least 7 cM (GEDmatch's one-to-one default: 7 cM and 500 SNPs;
services use 6 to 8 cM).

Genotypes are ``int8`` arrays (people x SNPs) of alternate-allele counts with -1 for a
missing call; a missing call never breaks a segment. SNPs are ordered along each
chromosome, chromosomes one after another, as in the world's ``snps`` table (``chrom``,
``pos``, ``cm``).

Functions
---------
- :func:`find_segments` -- the segments of chosen pairs (or all pairs) of people, from
  unphased genotypes (runs without an opposite homozygote: the by-hand first step);
- :func:`find_phased_segments` -- the same from phased haplotypes, tolerant of switch
  errors, as genealogy services match (at the default world's density it finds nearly every
  segment of 20 cM or more, 93% of 10-20 cM and 64% of 7-10 cM);
- :func:`summarise_pairs` -- total shared cM, number of segments, longest segment per pair;
- :func:`infer_relationship` -- the relationships consistent with a total shared cM
  (the Shared cM Project, version 4.0, Bettinger 2020);
- :func:`union_segments` -- segments of a pair's chromosome copies merged into the
  regions where they share at least one;
- :func:`segment_recall_precision` -- detected vs true segments by length bin.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from genshare._validation import check_choice, check_genotypes, check_integer, check_number

__all__ = [
    "DEFAULT_MIN_CM",
    "DEFAULT_MIN_EXPECTED_IBS0",
    "DEFAULT_MIN_SCORE",
    "DEFAULT_MIN_SNPS",
    "DEFAULT_SCORE_FLOOR",
    "DEFAULT_SCORE_SLOPE",
    "DEFAULT_STRETCH_NATS",
    "DEFAULT_SWITCH_PENALTY",
    "SHARED_CM_PROJECT",
    "find_phased_segments",
    "find_segments",
    "infer_relationship",
    "segment_recall_precision",
    "summarise_pairs",
    "union_segments",
]

#: Minimum segment length in centimorgans (GEDmatch's one-to-one default, with 500 SNPs).
DEFAULT_MIN_CM = 7.0
#: Minimum number of SNPs in a segment (a floor; :data:`DEFAULT_MIN_EXPECTED_IBS0` is the
#: criterion that adapts to the panel). Arrays of about 600,000 SNPs put roughly 1,000
#: SNPs in 7 cM.
DEFAULT_MIN_SNPS = 100
#: Minimum expected number of opposite homozygotes between unrelated people over a
#: segment, :math:`\sum 2p^2(1-p)^2`. Two unrelated genomes show about
#: :math:`\sum_{\text{genome}} 2p^2(1-p)^2` opposite homozygotes, hence about as many runs
#: between them (about 1,800 on a 40,000-SNP panel); each run survives the
#: bound with probability about :math:`e^{-12} = 6 \times 10^{-6}`, so about 0.01 chance
#: segments per unrelated pair (more where linkage disequilibrium lengthens runs).
#:
#: What it means for the default world (measured on seed 2026, 25,000 SNPs, two SNPs per
#: coalescent block, against the true segments of ``world.ibd_table``; 18,988 relative pairs
#: and 20,000 random cohort x database pairs): the runs that pass are real (precision 0.90
#: at 20-40 cM, 0.98 above 40 cM; no segment under 20 cM passes) but most shared segments
#: are too short to pass (recall 0.04 at 10-20 cM, 0.30 at 20-40 cM, 0.88 above 40 cM): 6%
#: of third cousins and 57% of second cousins show two segments of 6 cM or more. Unphased
#: genotypes are the by-hand first step; :func:`find_phased_segments` uses the phase
#: genealogy services infer and finds 7 cM segments at this density.
DEFAULT_MIN_EXPECTED_IBS0 = 12.0

#: Shared cM by relationship: average, minimum and maximum after outlier removal, from
#: the Shared cM Project version 4.0 (Bettinger 2020, references.bib ``bettinger2020scp``;
#: https://thegeneticgenealogist.com/2020/03/27/version-4-0-march-2020-update-to-the-shared-cm-project/,
#: whose full PDF has the ranges).
#: Relationship names follow the world's ``relationships`` table.
SHARED_CM_PROJECT = pd.DataFrame(
    [
        # relationship, degree, average, low, high
        ("parent_child", 1, 3485, 2376, 3720),
        ("full_sibling", 1, 2613, 1613, 3488),
        ("half_sibling", 2, 1759, 1160, 2436),
        ("grandparent", 2, 1754, 984, 2462),
        ("avuncular", 2, 1741, 1201, 2282),
        ("great_grandparent", 3, 887, 485, 1486),
        ("half_avuncular", 3, 871, 492, 1315),
        ("first_cousin", 3, 866, 396, 1397),
        ("half_first_cousin", 4, 449, 156, 979),
        ("first_cousin_once_removed", 4, 433, 102, 980),
        ("second_cousin", 5, 229, 41, 592),
        ("first_cousin_twice_removed", 5, 221, 33, 471),
        ("second_cousin_once_removed", 6, 122, 14, 353),
        ("half_second_cousin", 6, 120, 10, 325),
        ("third_cousin", 7, 73, 0, 234),
    ],
    columns=["relationship", "degree", "average_cm", "low_cm", "high_cm"],
)

_SEGMENT_COLUMNS = [
    "a",
    "b",
    "chrom",
    "start_snp",
    "end_snp",
    "n_snps",
    "start_cm",
    "end_cm",
    "length_cm",
    "start_bp",
    "end_bp",
]


def _check_map(
    chrom: npt.ArrayLike | None, cm: npt.ArrayLike | None, pos: npt.ArrayLike | None, n_snps: int, min_snps: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Validate the SNP map; return chrom values, cm (float), pos (or None) and chromosome block starts/ends."""
    if cm is None:
        raise ValueError(
            "cm is required: segments are measured on a genetic map (centimorgans per SNP, e.g. snps['cm'])"
        )
    if chrom is None:
        raise ValueError("chrom is required: segments never cross chromosomes (e.g. snps['chrom'])")
    chrom = np.asarray(chrom)
    try:
        cm = np.asarray(cm, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("cm must hold numbers (centimorgans); got values that are not numbers") from None
    if chrom.shape != (n_snps,) or cm.shape != (n_snps,):
        raise ValueError(
            f"chrom and cm must have one value per SNP ({n_snps}); got shapes {chrom.shape} and {cm.shape}"
        )
    bad = np.flatnonzero(~np.isfinite(cm))
    if bad.size:
        raise ValueError(f"cm: the genetic map does not cover {bad.size} SNP(s), e.g. SNP {bad[0]} has cm={cm[bad[0]]}")
    if n_snps == 0:
        raise ValueError("genotypes have no SNP; segments need SNPs")
    change = np.flatnonzero(chrom[1:] != chrom[:-1]) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [n_snps]])
    labels = chrom[starts]
    if len(pd.unique(labels)) != len(labels):
        seen = pd.Series(labels)
        repeated = seen[seen.duplicated()].iloc[0]
        raise ValueError(
            f"chrom: SNPs must be sorted by chromosome; chromosome {repeated!r} appears in more than one block"
        )
    same = np.ones(n_snps - 1, dtype=bool)
    same[change - 1] = False
    step = np.diff(cm)
    backwards = np.flatnonzero(same & (step < 0))
    if backwards.size:
        k = backwards[0] + 1
        raise ValueError(f"cm must not decrease along a chromosome; SNP {k} ({cm[k]} cM) comes after {cm[k - 1]} cM")
    if pos is not None:
        pos = np.asarray(pos)
        if pos.shape != (n_snps,) or pos.dtype.kind not in "iu":
            raise ValueError(
                f"pos must hold one integer base-pair position per SNP ({n_snps}); "
                f"got shape {pos.shape}, dtype {pos.dtype}"
            )
        unsorted = np.flatnonzero(same & (np.diff(pos) <= 0))
        if unsorted.size:
            k = unsorted[0] + 1
            raise ValueError(
                f"pos must increase along a chromosome (sorted positions); SNP {k} at {pos[k]} comes after {pos[k - 1]}"
            )
    sizes = ends - starts
    small = np.flatnonzero(sizes < min_snps)
    if small.size:
        k = small[0]
        raise ValueError(
            f"chrom: chromosome {labels[k]!r} has {sizes[k]} SNPs, fewer than min_snps={min_snps}, so no segment "
            "could ever be found on it; drop it or lower min_snps"
        )
    return chrom, cm, pos, starts, ends


def _check_pairs(pairs: npt.ArrayLike | None, n_a: int, n_b: int, same: bool) -> np.ndarray:
    if pairs is None:
        if same:
            i, j = np.triu_indices(n_a, k=1)
        else:
            i, j = (x.ravel() for x in np.meshgrid(np.arange(n_a), np.arange(n_b), indexing="ij"))
        return np.stack([i, j], axis=1).astype(np.int64)
    pairs = np.asarray(pairs)
    if pairs.size == 0:
        return np.empty((0, 2), dtype=np.int64)
    if pairs.ndim != 2 or pairs.shape[1] != 2 or pairs.dtype.kind not in "iu":
        raise ValueError(
            f"pairs must be an integer array of shape (pairs, 2) of row indices; "
            f"got shape {pairs.shape}, dtype {pairs.dtype}"
        )
    for column, limit, name in ((0, n_a, "genotypes_a"), (1, n_b, "genotypes_b")):
        out = np.flatnonzero((pairs[:, column] < 0) | (pairs[:, column] >= limit))
        if out.size:
            raise ValueError(
                f"pairs: row {out[0]} refers to person {pairs[out[0], column]}, outside the {limit} rows of {name}"
            )
    return pairs.astype(np.int64)


def find_segments(
    genotypes_a: npt.ArrayLike,
    genotypes_b: npt.ArrayLike | None = None,
    *,
    chrom: npt.ArrayLike | None,
    cm: npt.ArrayLike | None,
    pos: npt.ArrayLike | None = None,
    pairs: npt.ArrayLike | None = None,
    min_cm: float = DEFAULT_MIN_CM,
    min_snps: int = DEFAULT_MIN_SNPS,
    min_expected_ibs0: float = DEFAULT_MIN_EXPECTED_IBS0,
    frequencies: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """Shared segments: runs of SNPs without an opposite homozygote, at least ``min_cm`` long.

    For each pair, the SNPs of each chromosome are cut at every opposite homozygote
    (one person 0, the other 2); each stretch between two cuts (or a cut and the end of
    the chromosome) with at least ``min_snps`` SNPs and at least ``min_cm`` centimorgans
    from its first to its last SNP is reported. Missing calls (-1) never cut.

    No error tolerance: one opposite homozygote ends a segment. The synthetic genotypes
    have no calling errors (only missing calls, which never cut), and within a few
    generations new mutations on a shared segment are negligible, so tolerating an
    opposite homozygote would only join chance runs of unrelated people. On real array
    data with about 0.1% calling errors, genealogy tools allow one such site per few
    hundred SNPs; that would be a parameter here.

    Reported lengths run from the first to the last SNP of the run, so they can be
    slightly shorter than the true segment (the ends fall between SNPs) or longer (a run
    continues by chance past the true end until the next opposite homozygote).

    Parameters
    ----------
    genotypes_a
        Shape (people_a, SNPs).
    genotypes_b
        Shape (people_b, SNPs); defaults to ``genotypes_a`` (pairs within one set).
    chrom, cm
        Chromosome and genetic position (cM) of each SNP, shape (SNPs,): the world's
        ``snps["chrom"]`` and ``snps["cm"]``. Chromosomes must come in contiguous blocks
        and ``cm`` must not decrease within one.
    pos
        Optional base-pair positions (SNPs,), strictly increasing within a chromosome;
        reported as ``start_bp``/``end_bp``.
    pairs
        Shape (pairs, 2): row in ``genotypes_a``, row in ``genotypes_b``. Default: every
        pair (within one set: each unordered pair once).
    min_cm
        Minimum segment length in cM (default 7), a finite number >= 0.
    min_snps
        Minimum number of SNPs in a segment (default :data:`DEFAULT_MIN_SNPS`), an
        integer >= 1. Every chromosome must have at least this many SNPs.
    min_expected_ibs0
        Minimum number of opposite homozygotes that two *unrelated* people would be
        expected to show over the run, :math:`\\sum 2p^2(1-p)^2` over its SNPs (default
        :data:`DEFAULT_MIN_EXPECTED_IBS0`; 0 turns the criterion off). A run of
        unrelated people survives it with probability about :math:`e^{-\\text{bound}}`,
        so this bound, unlike a SNP count, means the same on any panel: rare SNPs, which
        almost never give an opposite homozygote, add almost nothing.
    frequencies
        Alternate-allele frequency of each SNP (SNPs,) for ``min_expected_ibs0``;
        default: estimated from the genotypes given (both sets pooled).

    Returns
    -------
    pandas.DataFrame
        One row per segment: ``a``, ``b`` (rows of the pair), ``chrom``, ``start_snp``,
        ``end_snp`` (inclusive SNP indices), ``n_snps``, ``start_cm``, ``end_cm``,
        ``length_cm``, ``start_bp``, ``end_bp`` (-1 without ``pos``); sorted by pair then
        position.

    Examples
    --------
    >>> g = np.array([[0, 1, 2, 1, 0, 2], [0, 1, 2, 1, 2, 0]])  # opposite homozygotes at SNPs 4 and 5
    >>> find_segments(g, chrom=[1] * 6, cm=[0, 2, 4, 6, 8, 10], min_cm=5, min_snps=3,
    ...               min_expected_ibs0=0)[["a", "b", "n_snps", "length_cm"]]  # two people: no allele-frequency bound
       a  b  n_snps  length_cm
    0  0  1       4        6.0
    """
    a = check_genotypes(genotypes_a, "genotypes_a")
    b = a if genotypes_b is None else check_genotypes(genotypes_b, "genotypes_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"genotypes_a and genotypes_b must have the same number of SNPs; got {a.shape[1]} and {b.shape[1]}"
        )
    min_cm = check_number(min_cm, "min_cm", minimum=0.0)
    min_snps = check_integer(min_snps, "min_snps", minimum=1)
    n_snps = a.shape[1]
    min_expected_ibs0 = check_number(min_expected_ibs0, "min_expected_ibs0", minimum=0.0)
    chrom_values, cm_at, bp, starts, ends = _check_map(chrom, cm, pos, n_snps, min_snps)
    pair_rows = _check_pairs(pairs, a.shape[0], b.shape[0], genotypes_b is None)
    if frequencies is None:
        counts = np.zeros(n_snps)
        called = np.zeros(n_snps)
        for g in (a,) if genotypes_b is None else (a, b):
            counts += np.where(g >= 0, g, 0).sum(axis=0)
            called += (g >= 0).sum(axis=0)
        freq = np.divide(counts, 2 * called, out=np.zeros(n_snps), where=called > 0)
    else:
        freq = np.asarray(frequencies, dtype=np.float64)
        if freq.shape != (n_snps,) or not np.all((freq >= 0) & (freq <= 1)):
            raise ValueError(
                f"frequencies must hold one allele frequency in [0, 1] per SNP ({n_snps}); got shape {freq.shape}"
            )
    expected = np.concatenate([[0.0], np.cumsum(2 * freq**2 * (1 - freq) ** 2)])  # cumulative, (SNPs + 1,)

    # Bit planes: homozygous reference and homozygous alternate, packed 8 SNPs to a byte,
    # so the opposite-homozygote test of a pair is two ANDs and an OR on 1/8 of the bytes.
    ref_a, alt_a = np.packbits(a == 0, axis=1), np.packbits(a == 2, axis=1)
    ref_b, alt_b = (ref_a, alt_a) if genotypes_b is None else (np.packbits(b == 0, axis=1), np.packbits(b == 2, axis=1))
    pieces = []
    chunk = max(1, (64 << 20) // max(n_snps, 1))  # 8 MB of packed bits at a time (index arrays of the cuts are larger)
    for first in range(0, len(pair_rows), chunk):
        p = pair_rows[first : first + chunk]
        i, j = p[:, 0], p[:, 1]
        opposite = (ref_a[i] & alt_b[j]) | (alt_a[i] & ref_b[j])
        # Unpack only the bytes holding an opposite homozygote (relatives have few).
        rows, byte = np.nonzero(opposite)
        bits = np.unpackbits(opposite[rows, byte][:, None], axis=1).astype(bool)
        hit_row, hit_bit = np.nonzero(bits)
        rows, snps = rows[hit_row], byte[hit_row] * 8 + hit_bit
        pieces.append(
            _runs(
                rows,
                snps,
                len(p),
                starts,
                ends,
                cm_at,
                min_cm,
                min_snps,
                offset=first,
                expected=expected,
                min_expected=min_expected_ibs0,
            )
        )
    runs = np.concatenate(pieces, axis=1) if pieces else np.empty((3, 0), dtype=np.int64)
    pair_index, start, stop = runs
    end = stop - 1
    return pd.DataFrame(
        {
            "a": pair_rows[pair_index, 0],
            "b": pair_rows[pair_index, 1],
            "chrom": chrom_values[start] if len(start) else np.array([], dtype=chrom_values.dtype),
            "start_snp": start,
            "end_snp": end,
            "n_snps": stop - start,
            "start_cm": cm_at[start],
            "end_cm": cm_at[end],
            "length_cm": cm_at[end] - cm_at[start],
            "start_bp": bp[start].astype(np.int64) if bp is not None else np.full(len(start), -1, dtype=np.int64),
            "end_bp": bp[end].astype(np.int64) if bp is not None else np.full(len(start), -1, dtype=np.int64),
        },
        columns=_SEGMENT_COLUMNS,
    )


def _runs(
    rows: np.ndarray,
    snps: np.ndarray,
    n_pairs: int,
    starts: np.ndarray,
    ends: np.ndarray,
    cm: np.ndarray,
    min_cm: float,
    min_snps: int,
    offset: int,
    expected: np.ndarray | None = None,
    min_expected: float = 0.0,
) -> np.ndarray:
    """Runs between opposite homozygotes, vectorised over pairs: shape (3, runs) of pair, first SNP, one past the last.

    ``rows, snps`` are the opposite homozygotes in row-major order (``np.nonzero``), so
    already sorted by pair then SNP: the run before each one starts just after the
    previous one of the same pair. Runs are first filtered on their SNP count (an upper
    bound), then cut at chromosome ends, then filtered again on SNPs and centimorgans.
    """
    n_snps = ends[-1]
    previous = np.zeros(len(rows), dtype=np.int64)
    same_pair = np.zeros(len(rows), dtype=bool)
    same_pair[1:] = rows[1:] == rows[:-1]
    previous[1:] = snps[:-1] + 1
    previous[~same_pair] = 0
    # The run after each pair's last opposite homozygote (or the whole genome without one).
    last = np.full(n_pairs, -1, dtype=np.int64)
    last[rows] = snps  # rows are sorted, so the last assignment per pair is its last site
    run_pair = np.concatenate([rows, np.arange(n_pairs)])
    run_start = np.concatenate([previous, last + 1])
    run_stop = np.concatenate([snps, np.full(n_pairs, n_snps, dtype=np.int64)])
    keep = run_stop - run_start >= min_snps
    run_pair, run_start, run_stop = run_pair[keep], run_start[keep], run_stop[keep]
    # Cut at chromosome ends: one piece per chromosome a run touches.
    first = np.searchsorted(starts, run_start, side="right") - 1
    final = np.searchsorted(starts, run_stop - 1, side="right") - 1
    pieces = final - first + 1
    index = np.repeat(np.arange(len(run_pair)), pieces)
    chrom = np.repeat(first, pieces) + (np.arange(len(index)) - np.repeat(np.cumsum(pieces) - pieces, pieces))
    piece_start = np.maximum(run_start[index], starts[chrom])
    piece_stop = np.minimum(run_stop[index], ends[chrom])
    piece_pair = run_pair[index]
    ok = piece_stop - piece_start >= min_snps
    ok[ok] = cm[piece_stop[ok] - 1] - cm[piece_start[ok]] >= min_cm
    if expected is not None and min_expected > 0:
        ok[ok] = expected[piece_stop[ok]] - expected[piece_start[ok]] >= min_expected
    order = np.lexsort((piece_start[ok], piece_pair[ok]))
    return np.stack([piece_pair[ok][order] + offset, piece_start[ok][order], piece_stop[ok][order]])


def summarise_pairs(segments: pd.DataFrame, pairs: npt.ArrayLike | None = None) -> pd.DataFrame:
    """Total shared cM, number of segments and longest segment for each pair.

    Parameters
    ----------
    segments
        The table :func:`find_segments` returns.
    pairs
        Optional (pairs, 2) array of the pairs searched, so that pairs without any
        segment are listed with zeros; default: only pairs with segments.

    Returns
    -------
    pandas.DataFrame
        ``a``, ``b``, ``shared_cm``, ``n_segments``, ``longest_cm``, one row per pair,
        sorted by ``shared_cm`` (largest first), ties by pair.

    Examples
    --------
    >>> s = pd.DataFrame({"a": [0, 0], "b": [1, 1], "length_cm": [10.0, 8.0]})
    >>> summarise_pairs(s, pairs=[[0, 1], [0, 2]]).values.tolist()
    [[0.0, 1.0, 18.0, 2.0, 10.0], [0.0, 2.0, 0.0, 0.0, 0.0]]
    """
    if not isinstance(segments, pd.DataFrame):
        raise ValueError(f"segments must be the DataFrame find_segments returns; got {type(segments).__name__}")
    missing = [c for c in ("a", "b", "length_cm") if c not in segments.columns]
    if missing:
        raise ValueError(f"segments lacks column(s) {missing}; pass the table find_segments returns")
    summary = (
        segments.groupby(["a", "b"], sort=True)["length_cm"]
        .agg(shared_cm="sum", n_segments="size", longest_cm="max")
        .reset_index()
    )
    if pairs is not None:
        pairs = np.asarray(pairs)
        if pairs.size and (pairs.ndim != 2 or pairs.shape[1] != 2 or pairs.dtype.kind not in "iu"):
            raise ValueError(f"pairs must be an integer array of shape (pairs, 2); got shape {pairs.shape}")
        every = pd.DataFrame(pairs.reshape(-1, 2), columns=["a", "b"]).drop_duplicates()
        summary = every.merge(summary, on=["a", "b"], how="left").fillna(
            {"shared_cm": 0.0, "n_segments": 0, "longest_cm": 0.0}
        )
    summary["n_segments"] = summary["n_segments"].astype(np.int64)
    return summary.sort_values(["shared_cm", "a", "b"], ascending=[False, True, True], kind="stable").reset_index(
        drop=True
    )


def infer_relationship(shared_cm: float | npt.ArrayLike, n_segments: int | npt.ArrayLike | None = None) -> pd.DataFrame:
    """The relationships whose published range of shared cM contains each value.

    Uses :data:`SHARED_CM_PROJECT` (the Shared cM Project, version 4.0): a relationship
    is a candidate when ``low_cm <= shared_cm <= high_cm``. Candidates are ordered by
    how close their average is to the value (closest first); the published ranges
    overlap, so a total alone names a range of relationships, not one.

    ``n_segments`` (optional) is the number of shared segments. Zero segments means
    nothing detectable is shared: the candidates are then only the relationships whose
    published minimum is 0 (third cousins can share nothing), plus ``"unrelated"``.
    A positive total with zero segments, or segments with a zero total, is refused.

    Values below every range and above 0 name the relationships with a minimum of 0 and
    ``"distant or unrelated"``; values above every range (above 3,720 cM) get
    ``"self or identical twin"``.

    Parameters
    ----------
    shared_cm
        Total shared cM, a number >= 0 or an array of them.
    n_segments
        Optional, the same shape: number of segments (integers >= 0).

    Returns
    -------
    pandas.DataFrame
        One row per value: ``shared_cm``, ``relationships`` (candidates separated by
        ``"; "``), ``closest`` (the first candidate), ``degree_range`` ("1-2", ...).

    Examples
    --------
    >>> infer_relationship(866)[["closest", "degree_range"]].values.tolist()
    [['first_cousin', '3-4']]
    >>> infer_relationship([0.0], n_segments=[0])["relationships"].tolist()
    ['third_cousin; unrelated']
    """
    try:
        values = np.atleast_1d(np.asarray(shared_cm, dtype=np.float64))
    except (TypeError, ValueError):
        raise ValueError(f"shared_cm must be a number or an array of numbers; got {shared_cm!r}") from None
    if values.ndim != 1:
        raise ValueError(f"shared_cm must be a number or a 1-D array; got shape {values.shape}")
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if bad.size:
        raise ValueError(f"shared_cm must be finite and >= 0; value {bad[0]} is {values[bad[0]]}")
    segments = None
    if n_segments is not None:
        segments = np.atleast_1d(np.asarray(n_segments))
        if segments.shape != values.shape or segments.dtype.kind not in "iu":
            raise ValueError(
                f"n_segments must be integers with the shape of shared_cm {values.shape}; "
                f"got shape {segments.shape}, dtype {segments.dtype}"
            )
        if (segments < 0).any():
            raise ValueError(f"n_segments must be >= 0; got {segments[segments < 0][0]}")
        inconsistent = np.flatnonzero((segments == 0) != (values == 0))
        if inconsistent.size:
            k = inconsistent[0]
            raise ValueError(
                f"n_segments and shared_cm disagree at value {k}: {segments[k]} segments but {values[k]} cM"
            )
    table = SHARED_CM_PROJECT
    low, high, average = (table[c].to_numpy(dtype=float) for c in ("low_cm", "high_cm", "average_cm"))
    names, degrees = table["relationship"].to_numpy(), table["degree"].to_numpy()
    inside = (values[:, None] >= low[None, :]) & (values[:, None] <= high[None, :])
    distance = np.where(inside, np.abs(values[:, None] - average[None, :]), np.inf)
    order = np.argsort(distance, axis=1, kind="stable")
    rows = []
    for k, value in enumerate(values):  # one row of the answer per value; the matching above is vectorised
        chosen = [c for c in order[k] if inside[k, c]]
        labels = [names[c] for c in chosen]
        degree = [degrees[c] for c in chosen]
        if segments is not None and segments[k] == 0:
            labels, degree = (
                [n for n, lo in zip(names, low) if lo == 0] + ["unrelated"],
                [d for d, lo in zip(degrees, low) if lo == 0],
            )
        elif value > high.max():
            labels, degree = ["self or identical twin"], [0]
        elif not labels:
            labels, degree = ["distant or unrelated"], []
        rows.append((value, "; ".join(labels), labels[0], f"{min(degree)}-{max(degree)}" if degree else "unknown"))
    return pd.DataFrame(rows, columns=["shared_cm", "relationships", "closest", "degree_range"])


def union_segments(segments: pd.DataFrame) -> pd.DataFrame:
    """Merge overlapping or abutting segments of the same pair and chromosome into one.

    True segments come per pair of chromosome *copies* (for example from a world's
    ``ibd_segments(a, b, by_copy=True)``); unphased genotypes see only
    where a pair shares at least one copy, the union of those. Vectorised.

    Parameters
    ----------
    segments
        Columns ``pair``, ``chrom``, ``start_cm``, ``end_cm``.

    Returns
    -------
    pandas.DataFrame
        ``pair``, ``chrom``, ``start_cm``, ``end_cm``, ``length_cm``, sorted.

    Examples
    --------
    >>> s = pd.DataFrame(
    ...     {"pair": [0, 0, 0], "chrom": [1, 1, 2], "start_cm": [0.0, 5.0, 0.0], "end_cm": [10.0, 20.0, 3.0]}
    ... )
    >>> union_segments(s)[["chrom", "start_cm", "end_cm"]].values.tolist()
    [[1.0, 0.0, 20.0], [2.0, 0.0, 3.0]]
    """
    missing = [c for c in ("pair", "chrom", "start_cm", "end_cm") if c not in segments.columns]
    if missing:
        raise ValueError(f"segments lacks column(s) {missing}")
    if len(segments) == 0:
        return pd.DataFrame({"pair": [], "chrom": [], "start_cm": [], "end_cm": [], "length_cm": []})
    table = segments.sort_values(["pair", "chrom", "start_cm"], kind="stable").reset_index(drop=True)
    start = table["start_cm"].to_numpy(dtype=float)
    end = table["end_cm"].to_numpy(dtype=float)
    new_group = np.ones(len(table), dtype=bool)
    new_group[1:] = (table["pair"].to_numpy()[1:] != table["pair"].to_numpy()[:-1]) | (
        table["chrom"].to_numpy()[1:] != table["chrom"].to_numpy()[:-1]
    )
    group = np.cumsum(new_group) - 1
    # Running maximum of the end within each group: shift each group above the previous one.
    shift = group * (end.max() - min(start.min(), 0) + 1.0)
    reach = np.maximum.accumulate(end + shift) - shift
    opens = new_group.copy()
    opens[1:] |= start[1:] > reach[:-1]
    first = np.flatnonzero(opens)
    last = np.concatenate([first[1:], [len(table)]]) - 1
    out = pd.DataFrame(
        {
            "pair": table["pair"].to_numpy()[first],
            "chrom": table["chrom"].to_numpy()[first],
            "start_cm": start[first],
            "end_cm": reach[last],
        }
    )
    out["length_cm"] = out["end_cm"] - out["start_cm"]
    return out


def segment_recall_precision(
    detected: pd.DataFrame,
    truth: pd.DataFrame,
    bins: Sequence[float] = (7, 10, 15, 20, 30, 50, np.inf),
    min_overlap: float = 0.5,
) -> pd.DataFrame:
    """Recall and precision of detected segments against true ones, by length bin (cM).

    A true segment is *recovered* when detected segments of the same pair cover at least
    ``min_overlap`` of its length; a detected segment is *correct* when true segments of
    the same pair cover at least ``min_overlap`` of it. Recall is bucketed by the true
    length, precision by the detected length.

    Parameters
    ----------
    detected, truth
        Tables with ``pair``, ``chrom``, ``start_cm``, ``end_cm`` and ``length_cm``
        (for example :func:`find_segments` with a ``pair`` column, and
        :func:`union_segments` of the true segments).
    bins
        Edges of the length bins in cM.
    min_overlap
        Share of a segment's length that must be covered, in (0, 1].

    Returns
    -------
    pandas.DataFrame
        One row per bin: ``bin``, ``true_segments``, ``recall``, ``detected_segments``,
        ``precision`` (``nan`` for an empty bin).
    """
    min_overlap = check_number(min_overlap, "min_overlap", minimum=0.0, maximum=1.0, low_open=True)
    edges = np.asarray(bins, dtype=float)
    recovered = _covered_share(truth, detected) >= min_overlap
    correct = _covered_share(detected, truth) >= min_overlap
    rows = []
    for low, high in zip(edges[:-1], edges[1:]):
        t = (truth["length_cm"] >= low) & (truth["length_cm"] < high)
        d = (detected["length_cm"] >= low) & (detected["length_cm"] < high)
        label = f"{low:g}+ cM" if np.isinf(high) else f"{low:g}-{high:g} cM"
        rows.append(
            (
                label,
                int(t.sum()),
                float(recovered[t.to_numpy()].mean()) if t.any() else np.nan,
                int(d.sum()),
                float(correct[d.to_numpy()].mean()) if d.any() else np.nan,
            )
        )
    return pd.DataFrame(rows, columns=["bin", "true_segments", "recall", "detected_segments", "precision"])


def _covered_share(segments: pd.DataFrame, cover: pd.DataFrame) -> np.ndarray:
    """Share of each segment's length covered by the union of ``cover``'s segments of the same pair."""
    if len(segments) == 0:
        return np.empty(0)
    share = np.zeros(len(segments))
    if len(cover) == 0:
        return share
    s = segments[["start_cm", "end_cm"]].to_numpy(dtype=float)
    # All (segment, cover) combinations of the same pair and chromosome, by a merge.
    left = pd.DataFrame(
        {
            "pair": segments["pair"].to_numpy(),
            "chrom": segments["chrom"].to_numpy(),
            "s": np.arange(len(s)),
            "s0": s[:, 0],
            "s1": s[:, 1],
        }
    )
    right = pd.DataFrame(
        {
            "pair": cover["pair"].to_numpy(),
            "chrom": cover["chrom"].to_numpy(),
            "c0": cover["start_cm"].to_numpy(dtype=float),
            "c1": cover["end_cm"].to_numpy(dtype=float),
        }
    )
    both = left.merge(right, on=["pair", "chrom"])
    overlap = np.clip(np.minimum(both["s1"], both["c1"]) - np.maximum(both["s0"], both["c0"]), 0, None)
    total = np.bincount(both["s"].to_numpy(), weights=overlap.to_numpy(), minlength=len(s))
    length = np.maximum(s[:, 1] - s[:, 0], 1e-12)
    return np.minimum(total / length, 1.0)


# --- phased matching ----------------------------------------------------------------------------

#: Score a phased segment of up to 7 cM needs, in nats (see :func:`find_phased_segments`):
#: unrelated haplotypes share a stretch of that evidence with probability about
#: :math:`e^{-17}` under a first-order haplotype model. Longer segments need
#: :data:`DEFAULT_SCORE_SLOPE` nats less per cM, down to :data:`DEFAULT_SCORE_FLOOR`
#: (17 at 7 cM, 14 at 10 cM, 10 from 14 cM on).
#:
#: Measured on the default world (seed 2026, 25,000 SNPs, a switch error per 15 cM; 18,988
#: relative pairs and 20,000 random cohort x database pairs, against ``world.ibd_table``), for
#: segments of 7-10 / 10-20 / 20-40 / 40+ cM: recall 0.64 / 0.93 / 0.99 / 1.00, precision
#: 0.979 / 0.985 / 1.00 / 1.00; 1 of 838 same-population pairs without a common pedigree
#: ancestor, and 81% of third cousins, show two segments of 6 cM or more. On a world not
#: used to choose these values (seed 2027): recall 0.65 / 0.93, precision 0.977 / 0.983, 0 of
#: 854, 80%. Choices measured there too (stretches of 4 nats): a flat 15 nats gives recall
#: 0.64 / 0.91 at precision 0.97 / 0.99; 16, 0.8 per cM, 10 gives 0.67 / 0.95 at 0.966 /
#: 0.981; 17, 1 per cM, 10 gives 0.65 / 0.94 at 0.975 / 0.981. Weighing agreement
#: instead of the shared allele (``evidence="agreement"``, the earlier finder) reached at best
#: 0.54 / 0.91 at precision 0.956 / 0.972 (16 nats, 0.8 per cM, floor 11), and 0.48 / 0.83
#: with a flat 15.5. ``benchmarks/benchmark.py --only segments`` measures all this again.
DEFAULT_MIN_SCORE = 17.0
#: Nats by which the score a segment needs falls per cM beyond 7 cM (see :func:`find_phased_segments`).
DEFAULT_SCORE_SLOPE = 1.0
#: The lowest score any segment needs, nats, however long.
DEFAULT_SCORE_FLOOR = 10.0
#: Cost of a switch error inside a segment, in nats: about :math:`-\log` of the chance of a
#: switch between two neighbouring SNPs (one per 15 cM per person, SNPs 0.15 cM apart). A
#: move between pairs of copies that changes both people's copy costs it twice. 3 and 5
#: did no better on the default world.
DEFAULT_SWITCH_PENALTY = 4.0
#: Minimum evidence (nats) of a stretch of agreement on one pair of copies for it to take
#: part in a segment. A stretch worth less than a switch error costs can only ever help as
#: a bridge between two others. On the default world, 5 instead of 4 (the switch penalty)
#: costs a little recall (0.64 / 0.93 instead of 0.65 / 0.94 at 7-10 / 10-20 cM) and saves a
#: quarter of the time (fewer stretches to chain); 6 gives 0.62 / 0.92.
DEFAULT_STRETCH_NATS = 5.0

# Bits of zeros at the low (trailing) and high (leading) end of every byte.
_LOW_ZEROS = np.array([8 if w == 0 else (w & -w).bit_length() - 1 for w in range(256)], dtype=np.int64)
_HIGH_ZEROS = np.array([8 - int(w).bit_length() for w in range(256)], dtype=np.int64)


def _check_haplotypes(h: npt.ArrayLike, name: str) -> np.ndarray:
    """Phased genotypes: int (people, 2, SNPs) of 0/1 alleles, -1 missing (both copies)."""
    h = np.asarray(h)
    if h.ndim != 3 or h.shape[1] != 2:
        raise ValueError(f"{name} must have shape (people, 2, SNPs): two phased copies per person; got shape {h.shape}")
    if h.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integers (0, 1 alleles, -1 missing); got dtype {h.dtype}")
    bad = (h < -1) | (h > 1)
    if bad.any():
        i, c, k = (int(x[0]) for x in np.nonzero(bad))
        raise ValueError(f"{name}: person {i}, copy {c}, SNP {k} holds {h[i, c, k]}; alleles are 0 or 1, -1 missing")
    half = (h[:, 0] < 0) != (h[:, 1] < 0)
    if half.any():
        i, k = (int(x[0]) for x in np.nonzero(half))
        raise ValueError(f"{name}: person {i}, SNP {k} is missing on one copy only; a missing call is missing on both")
    return h.astype(np.int8, copy=False)


class _Evidence:
    """Evidence of agreement over SNP intervals for given pairs: the summed weights of the SNPs called in both.

    The genome-wide cumulative weight, minus the weights of each person's missing calls
    (kept sparse: sorted keys ``person * (SNPs + 1) + SNP`` with their cumulative weights).
    A SNP missing in both people is subtracted twice (missing calls are 0.5% of calls in the
    worlds, so such SNPs are about 1 in 40,000); that only lowers a score.
    """

    def __init__(self, weight: np.ndarray, a: np.ndarray, b: np.ndarray, same: bool) -> None:
        self.n = len(weight)
        self.total = np.concatenate([[0.0], np.cumsum(weight)])
        self.sets = []
        for h in (a,) if same else (a, b):
            rows, cols = np.nonzero(h[:, 0] < 0)
            self.sets.append((rows * (self.n + 1) + cols, np.concatenate([[0.0], np.cumsum(weight[cols])])))
        if same:
            self.sets.append(self.sets[0])

    def __call__(self, i: np.ndarray, j: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        value = self.total[hi] - self.total[lo]
        for (key, cumulative), person in zip(self.sets, (i, j)):
            if len(key):
                base = person * (self.n + 1)
                value -= cumulative[np.searchsorted(key, base + hi)] - cumulative[np.searchsorted(key, base + lo)]
        return value


def _pack_haplotypes(a: np.ndarray, b: np.ndarray, same: bool) -> tuple[np.ndarray, ...]:
    """Allele-1 bits of each copy and called bits, eight SNPs to a byte (SNP k is bit k % 8 of byte k // 8)."""
    alleles_a = np.packbits(a == 1, axis=-1, bitorder="little")
    called_a = np.packbits(a[:, 0] >= 0, axis=-1, bitorder="little")
    if same:
        return alleles_a, called_a, alleles_a, called_a
    return (
        alleles_a,
        called_a,
        np.packbits(b == 1, axis=-1, bitorder="little"),
        np.packbits(b[:, 0] >= 0, axis=-1, bitorder="little"),
    )


def _agreement_stretches(
    packed: tuple[np.ndarray, ...],
    n_snps: int,
    pairs: np.ndarray,
    upper: np.ndarray,
    min_nats: float,
    cumulative: np.ndarray | None = None,
    row: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Maximal stretches of agreement on each of the four pairs of copies: (pair, start, stop, copies).

    ``copies`` is ``2 x + y`` for copy x of the first person and copy y of the second.

    Vectorised over pairs: the mismatch bits of each pair of copies (both called, alleles
    differ; ``packed`` from :func:`_pack_haplotypes`) are eight SNPs to a byte; stretches are
    the runs of zero bytes, extended bit by bit into the bytes on either side, so they are
    exact. A stretch that holds no whole byte (at most 14 SNPs) is missed. Only those whose
    evidence, ignoring missing calls (``upper``, cumulative weights), reaches ``min_nats``
    are returned; they may cross chromosome ends (cut by the caller). With ``cumulative``
    (each copy's cumulative allele evidence) and ``row`` (each pair's first person in it),
    stretches are then also held to ``min_nats`` of the alleles they share.
    """
    alleles_a, called_a, alleles_b, called_b = packed
    n_bytes = alleles_a.shape[-1]
    found = []
    chunk = max(1, (8 << 20) // max(n_bytes, 1))
    for first in range(0, len(pairs), chunk):  # blocks of pairs, to bound memory; vectorised within
        p = pairs[first : first + chunk]
        i, j = p[:, 0], p[:, 1]
        both = called_a[i] & called_b[j]
        # Zero bytes of all pairs in one flat array, each row led by a False guard (and one
        # at the very end), so the runs of zero bytes are where the flat array changes: an
        # opening then a closing, row after row.
        width = n_bytes + 1
        zero = np.zeros(len(p) * width + 1, dtype=bool)
        rows = zero[:-1].reshape(len(p), width)
        for x in (0, 1):
            copy_a = alleles_a[i, x]
            for y in (0, 1):
                mism = copy_a ^ alleles_b[j, y]
                mism &= both
                np.equal(mism, 0, out=rows[:, 1:])
                change = np.flatnonzero(zero[1:] != zero[:-1]) + 1  # first element after each change
                opening, closing = change[0::2], change[1::2]
                r_open = opening // width
                w_open = opening - r_open * width - 1
                w_close = closing - r_open * width - 1
                left = np.where(w_open > 0, _HIGH_ZEROS[mism[r_open, np.maximum(w_open - 1, 0)]], 0)
                right = np.where(w_close < n_bytes, _LOW_ZEROS[mism[r_open, np.minimum(w_close, n_bytes - 1)]], 0)
                start = np.maximum(8 * w_open - left, 0)
                stop = np.minimum(8 * w_close + right, n_snps)
                ok = upper[stop] - upper[start] >= min_nats
                if cumulative is not None and row is not None:
                    person = row[r_open[ok] + first]
                    ok[ok] = cumulative[person, x, stop[ok]] - cumulative[person, x, start[ok]] >= min_nats
                found.append((r_open[ok] + first, start[ok], stop[ok], np.full(int(ok.sum()), 2 * x + y)))
    if not found:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty
    pair, start, stop, copies = (np.concatenate([f[k] for f in found]).astype(np.int64) for k in range(4))
    return pair, start, stop, copies


def _cut_at_chromosomes(
    pair: np.ndarray, start: np.ndarray, stop: np.ndarray, copies: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut intervals [start, stop) at chromosome ends: one piece per chromosome touched, with its chromosome."""
    first = np.searchsorted(starts, start, side="right") - 1
    final = np.searchsorted(starts, stop - 1, side="right") - 1
    cross = np.flatnonzero(final > first)  # few: only these are cut
    if cross.size == 0:
        return pair, start, stop, copies, first
    pieces = final[cross] - first[cross] + 1
    index = np.repeat(cross, pieces)
    chrom = np.repeat(first[cross], pieces) + (np.arange(len(index)) - np.repeat(np.cumsum(pieces) - pieces, pieces))
    whole = np.ones(len(pair), dtype=bool)
    whole[cross] = False
    return (
        np.concatenate([pair[whole], pair[index]]),
        np.concatenate([start[whole], np.maximum(start[index], starts[chrom])]),
        np.concatenate([stop[whole], np.minimum(stop[index], ends[chrom])]),
        np.concatenate([copies[whole], copies[index]]),
        np.concatenate([first[whole], chrom]),
    )


def _chain(
    group: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    copies: np.ndarray,
    cumulative: np.ndarray | None = None,
    person: np.ndarray | None = None,
    stretch_evidence: np.ndarray | None = None,
) -> tuple[np.ndarray, ...]:
    """Join overlapping or abutting stretches into chains, with the fewest switches.

    Stretches are grouped by ``group`` (pair and chromosome). Within a group, stretches that
    overlap or abut (one starts at or before the SNP after another ends) form a chain; each
    chain covers its union with the fewest stretches, found greedily (from the first start,
    always to the stretch reaching furthest), which is the fewest switches between pairs of
    copies. Vectorised over chains; the loop runs once per stretch of the longest cover.

    Returns
    -------
    tuple
        Per chain: index of its group, first SNP, one past its last SNP, switches, and the
        start of the second and the end of the last-but-one stretch of the cover (for
        trimming a stretch at either end that adds less than a switch costs; -1 if none),
        the switches of the first and of the last step of the cover. With ``cumulative``
        (people, 2, SNPs + 1: each copy's cumulative allele weights, see
        :func:`_allele_weights`) and ``person`` (each stretch's row in it), also the evidence
        of the cover (each SNP counted once, on the copy of the stretch that first covers
        it), of its first stretch before the second starts, and of its last step;
        otherwise, with ``stretch_evidence`` (each stretch's own evidence), the sum of
        those over the cover (an upper bound: overlaps count twice) and zeros; otherwise
        three zeros.
    """
    if len(start) == 0:
        empty = np.zeros(0, dtype=np.int64)
        nothing = np.zeros(0)
        return empty, empty, empty, empty, empty, empty, empty, empty, nothing, nothing, nothing
    n = int(stop.max()) + 1
    s_key = group * n + start
    # Stretches arrive sorted by pair and start within each pair of copies; a stable sort
    # merges those runs (ties in any order: the cover below picks the furthest reach).
    order = np.argsort(s_key, kind="stable")
    s_key, start, stop, group, copies = s_key[order], start[order], stop[order], group[order], copies[order]
    weighted = cumulative is not None and person is not None
    row = person[order] if person is not None else np.zeros(len(order), dtype=np.int64)
    own = stretch_evidence[order] if stretch_evidence is not None else None

    def gain(k: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Evidence of stretch k's copy of the first person over [lo, hi)."""
        if cumulative is None:
            return np.zeros(len(k))
        x = copies[k] >> 1
        return cumulative[row[k], x, hi] - cumulative[row[k], x, lo]

    t_key = group * n + stop
    reach = np.maximum.accumulate(t_key)
    new = np.ones(len(s_key), dtype=bool)
    new[1:] = s_key[1:] > reach[:-1]
    first = np.flatnonzero(new)
    last = np.concatenate([first[1:], [len(s_key)]]) - 1
    # The stretch reaching furthest among those starting at or before each point: the latest
    # that set a new reach (a chain's first stretch always does).
    record = t_key == reach
    best = np.maximum.accumulate(np.where(record, np.arange(len(s_key)), 0))
    furthest_from = best[np.searchsorted(s_key, t_key, side="right") - 1]  # for each stretch, the next in the cover
    current = best[np.searchsorted(s_key, s_key[first], side="right") - 1]  # the furthest of those starting first
    switches = np.zeros(len(first), dtype=np.int64)
    first_cost = np.zeros(len(first), dtype=np.int64)
    last_cost = np.zeros(len(first), dtype=np.int64)
    second_start = np.full(len(first), -1, dtype=np.int64)
    previous_stop = np.full(len(first), -1, dtype=np.int64)
    head = current.copy()
    evidence = gain(head, start[head], stop[head]) if weighted else np.zeros(len(first))
    if not weighted and own is not None:
        evidence = own[head].copy()
    last_part = np.zeros(len(first))
    active = np.flatnonzero(t_key[current] < reach[last])
    while active.size:
        here = current[active]
        nxt = furthest_from[here]
        if weighted:
            last_part[active] = gain(nxt, stop[here], stop[nxt])
            evidence[active] += last_part[active]
        elif own is not None:
            evidence[active] += own[nxt]
        # Moving from copies (x, y) to (x', y') takes a switch error in each person whose copy changes.
        change = copies[here] ^ copies[nxt]
        cost = (change >> 1) + (change & 1)
        previous_stop[active] = stop[here]
        opening = switches[active] == 0
        second_start[active] = np.where(opening, start[nxt], second_start[active])
        first_cost[active] = np.where(opening, cost, first_cost[active])
        last_cost[active] = cost
        switches[active] += cost
        current[active] = nxt
        active = active[t_key[nxt] < reach[last[active]]]
    first_part = np.zeros(len(first))
    if weighted:
        ahead = switches > 0
        first_part[ahead] = gain(head[ahead], start[head[ahead]], np.maximum(second_start[ahead], start[head[ahead]]))
    return (
        group[first],
        start[first],
        stop[current],
        switches,
        second_start,
        previous_stop,
        first_cost,
        last_cost,
        evidence,
        first_part,
        last_part,
    )


#: Pairs handled at a time by :func:`find_phased_segments` (about 600 stretches of
#: agreement per unrelated pair at the default world's density, so about 100 MB at a time).
_PAIR_BLOCK = 2000


#: First people of the pairs handled at a time with allele evidence (their copies'
#: cumulative evidence, 2 x (SNPs + 1) numbers each: 100 MB at 25,000 SNPs).
_PEOPLE_BLOCK = 256


def _blocks(first_people: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive blocks [lo, hi) of pairs sorted by first person: at most _PAIR_BLOCK pairs and
    _PEOPLE_BLOCK people each."""
    rank = (
        np.concatenate([[0], np.cumsum(first_people[1:] != first_people[:-1])]) if len(first_people) else first_people
    )
    blocks, lo = [], 0
    while lo < len(first_people):  # one step per block
        hi = min(lo + _PAIR_BLOCK, int(np.searchsorted(rank, rank[lo] + _PEOPLE_BLOCK)))
        blocks.append((lo, hi))
        lo = hi
    return blocks


def _agreement_weights(freq: np.ndarray, sets: tuple[np.ndarray, ...], starts: np.ndarray) -> np.ndarray:
    r"""Evidence of agreement at each SNP, nats, given agreement at the SNP before (first-order linkage).

    Two unrelated haplotypes agree at SNPs k-1 and k with probability :math:`\sum_h f_h^2`
    over the four two-SNP haplotypes h and their frequencies f_h (counted on the haplotypes
    given), so agreement at k after agreement at k-1 is worth
    :math:`-\log(\sum_h f_h^2 / (p_{k-1}^2 + (1-p_{k-1})^2))`: less than
    :math:`-\log(p_k^2 + (1-p_k)^2)` where the two SNPs are in linkage disequilibrium
    (neighbouring SNPs of the worlds often share a coalescent block). The first SNP of each
    chromosome keeps the single-SNP evidence. Summed along a stretch, this is minus the log
    of the chance that unrelated haplotypes agree along it under a Markov chain of
    haplotypes, instead of under independent SNPs, which overstates the evidence.
    """
    n_snps = len(freq)
    counts = _two_snp_counts(sets, n_snps)
    n = counts.sum(axis=1)
    both = np.divide((counts**2).sum(axis=1), n**2, out=np.ones(n_snps), where=n > 0)
    single = freq**2 + (1 - freq) ** 2
    after = np.ones(n_snps, dtype=bool)
    after[starts] = False  # a chromosome's first SNP follows no SNP
    chance = single.copy()
    chance[after] = both[after] / np.clip(single[np.flatnonzero(after) - 1], 1e-12, None)
    return -np.log(np.clip(chance, 1e-12, 1.0))


def _two_snp_counts(sets: tuple[np.ndarray, ...], n_snps: int) -> np.ndarray:
    """Counts of the two-SNP haplotypes (SNP k-1, SNP k) at each SNP k: (SNPs, 4), columns 00, 01, 10, 11.

    Over the haplotypes called at both SNPs; row 0 (no SNP before) is zeros.
    """
    # Counts over haplotypes called at both SNPs: all of them (n), allele 1 at the first
    # (n1_), at the second (n_1), at both (n11); the four two-SNP haplotype counts follow.
    n, n1_, n_1, n11 = (np.zeros(n_snps) for _ in range(4))
    for h in sets:
        flat = h.reshape(-1, n_snps)
        for block in range(0, len(flat), 1024):  # haplotypes a block at a time, to bound memory
            part = flat[block : block + 1024]
            one = part == 1
            both = (part[:, 1:] >= 0) & (part[:, :-1] >= 0)
            first, second = one[:, :-1] & both, one[:, 1:] & both
            n[1:] += np.count_nonzero(both, axis=0)
            n1_[1:] += np.count_nonzero(first, axis=0)
            n_1[1:] += np.count_nonzero(second, axis=0)
            n11[1:] += np.count_nonzero(first & second, axis=0)
    return np.stack([n - n1_ - n_1 + n11, n_1 - n11, n1_ - n11, n11], axis=1)


def _allele_tables(
    freq: np.ndarray, sets: tuple[np.ndarray, ...] | None, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    r"""Evidence of sharing each allele, nats: given the allele before (SNPs, 4) and alone (SNPs, 2).

    Two haplotypes that share a segment by descent carry one haplotype, which shows allele
    :math:`a` at a SNP with probability :math:`f_a`; two unrelated haplotypes both show it
    with probability :math:`f_a^2`. The likelihood ratio of sharing :math:`a` is
    :math:`f_a / f_a^2`, worth :math:`-\log f_a` nats: a shared rare allele is strong
    evidence, a shared common one weak. Given the allele :math:`b` at the SNP before (first-order
    linkage), it is :math:`-\log f_{a \mid b}` with :math:`f_{a \mid b} = f_{ba} / f_b`
    counted on the haplotypes given (``sets``; without them, SNPs are independent).
    Column ``2 b + a`` of the first table; column ``a`` of the second (a chromosome's first
    SNP, or after a missing call).
    """
    n_snps = len(freq)
    alone = -np.log(np.clip(np.stack([1 - freq, freq], axis=1), 1e-12, 1.0))
    given = np.concatenate([alone, alone], axis=1)  # independent SNPs
    if sets is not None:
        counts = _two_snp_counts(sets, n_snps)
        before = counts.reshape(n_snps, 2, 2).sum(axis=2, keepdims=True)  # haplotypes with allele b at k-1
        conditional = np.divide(
            counts.reshape(n_snps, 2, 2), before, out=np.full((n_snps, 2, 2), np.nan), where=before > 0
        )
        linked = -np.log(np.clip(conditional.reshape(n_snps, 4), 1e-12, 1.0))
        given = np.where(np.isnan(linked), given, linked)
    given[starts] = np.concatenate([alone[starts], alone[starts]], axis=1)  # no SNP before a chromosome's first
    return given, alone


def _allele_weights(h: np.ndarray, given: np.ndarray, alone: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Cumulative evidence along each copy (people, 2, SNPs + 1), float64, from :func:`_allele_tables`.

    Element k is the evidence of sharing the copy's alleles at SNPs 0 to k-1; a missing
    call adds nothing and the SNP after it is weighed alone.
    """
    n_snps = h.shape[-1]
    # One lookup per call in a (SNPs, 8) table whose columns are: missing call (0, 0), alone
    # (allele 0, 1), after allele 0 (0, 1), after allele 1 (0, 1); the column is
    # 2 x (allele before) + 4 + allele, or 2 + allele with no allele before.
    table = np.concatenate([np.zeros((n_snps, 2)), alone, given], axis=1)
    code = np.empty(h.shape, dtype=np.int32)
    code[..., 0] = 2
    np.multiply(h[..., :-1], 2, out=code[..., 1:], dtype=np.int32)
    code[..., 1:] += 4  # a missing call before (-1) gives 2: alone
    code[..., starts] = 2  # a chromosome's first SNP follows no SNP
    code += h
    code[h < 0] = 0
    code += np.arange(n_snps, dtype=np.int32) * 8
    weight = np.take(table.ravel(), code)
    out = np.zeros(h.shape[:-1] + (n_snps + 1,))
    np.cumsum(weight, axis=-1, out=out[..., 1:])
    return out


def _score_threshold(length_cm: np.ndarray, min_score: float, score_slope: float, score_floor: float) -> np.ndarray:
    """The score a segment of each length needs: ``min_score`` up to 7 cM, then ``score_slope``
    nats less per cM, down to ``score_floor``."""
    return np.maximum(
        min_score - score_slope * np.maximum(length_cm - DEFAULT_MIN_CM, 0.0), min(score_floor, min_score)
    )


class _AlleleEvidence:
    """What :func:`_phased_block` needs to weigh each shared allele (see :func:`_allele_tables`).

    ``a`` holds the first people of the pairs (whose copies carry the shared alleles);
    ``missing_b`` the sorted keys ``person * (SNPs + 1) + SNP`` of the second people's
    missing calls; ``upper`` the cumulative largest weight of each SNP (an upper bound for
    choosing stretches).
    """

    def __init__(self, a: np.ndarray, b: np.ndarray, given: np.ndarray, alone: np.ndarray, starts: np.ndarray) -> None:
        self.a, self.given, self.alone, self.starts = a, given, alone, starts
        n_snps = a.shape[-1]
        rows, cols = np.nonzero(b[:, 0] < 0)
        self.missing_b = rows * (n_snps + 1) + cols
        self.upper = np.concatenate([[0.0], np.cumsum(np.maximum(given.max(axis=1), alone.max(axis=1)))])

    def weights(self, people: np.ndarray) -> np.ndarray:
        return _allele_weights(self.a[people], self.given, self.alone, self.starts)

    def missing_in_b(
        self, cumulative: np.ndarray, row: np.ndarray, j: np.ndarray, lo: np.ndarray, hi: np.ndarray
    ) -> np.ndarray:
        """For each interval [lo, hi) of person j (rows ``row`` of ``cumulative``), the evidence at j's missing calls.

        Taken on whichever copy of the first person weighs more there (so a score is never
        overstated); missing calls are sparse, so they are gathered interval by interval.
        """
        n = cumulative.shape[-1]
        first = np.searchsorted(self.missing_b, j * n + lo)
        count = np.searchsorted(self.missing_b, j * n + hi) - first
        if count.sum() == 0:
            return np.zeros(len(lo))
        owner = np.repeat(np.arange(len(lo)), count)
        cell = np.repeat(first - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
        snp = self.missing_b[cell] % n
        heavier = (cumulative[row[owner], :, snp + 1] - cumulative[row[owner], :, snp]).max(axis=1)
        return np.bincount(owner, weights=heavier, minlength=len(lo))


def _phased_block(
    packed: tuple[np.ndarray, ...],
    n_snps: int,
    pairs: np.ndarray,
    evidence: _Evidence,
    starts: np.ndarray,
    ends: np.ndarray,
    cm: np.ndarray,
    min_cm: float,
    min_score: float,
    switch_penalty: float,
    stretch_nats: float,
    score_slope: float = 0.0,
    score_floor: float = 0.0,
    alleles: _AlleleEvidence | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Steps 1-3 of :func:`find_phased_segments` for a block of pairs: (pair index, start, stop, score) of each segment.

    With ``alleles``, the evidence of each SNP is that of the allele shared there; otherwise
    that of agreement (``evidence``).
    """
    # 1. Stretches of agreement on each pair of copies, cut at chromosome ends. Stretches are
    # chosen on their evidence ignoring missing calls (an upper bound); scores are exact.
    cumulative, s_row, row = None, None, None
    if alleles is not None:
        people, row = np.unique(pairs[:, 0], return_inverse=True)
        cumulative = alleles.weights(people)
    upper = evidence.total if alleles is None else alleles.upper
    s_pair, s_start, s_stop, s_copies = _agreement_stretches(
        packed, n_snps, pairs, upper, stretch_nats, cumulative, row
    )
    s_pair, s_start, s_stop, s_copies, s_chrom = _cut_at_chromosomes(s_pair, s_start, s_stop, s_copies, starts, ends)
    if alleles is None or cumulative is None or row is None:
        keep = evidence.total[s_stop] - evidence.total[s_start] >= stretch_nats
    else:
        s_row = row[s_pair]
        x = s_copies >> 1
        own = cumulative[s_row, x, s_stop] - cumulative[s_row, x, s_start]
        keep = own >= stretch_nats
        s_row, own = s_row[keep], own[keep]
    s_pair, s_start, s_stop, s_copies, s_chrom = (
        s_pair[keep],
        s_start[keep],
        s_stop[keep],
        s_copies[keep],
        s_chrom[keep],
    )

    # 2. Chains of overlapping stretches (within a pair and chromosome), the fewest switches.
    n_chrom = len(starts)
    if alleles is not None and s_row is not None:
        # First on an upper bound of their evidence (each stretch's own, summed), to keep only
        # the pairs and chromosomes with a chain that could pass; then exactly, on those.
        group, seg_start, seg_stop, switches, _, _, first_cost, last_cost, bound, _, _ = _chain(
            s_pair * n_chrom + s_chrom, s_start, s_stop, s_copies, stretch_evidence=own
        )
        lowest = min(min_score, score_floor) if score_slope > 0 else min_score
        possible = (bound - switch_penalty * (switches - first_cost - last_cost).clip(0) >= lowest) & (
            cm[np.maximum(seg_stop - 1, 0)] - cm[seg_start] >= min_cm
        )
        keep = np.isin(s_pair * n_chrom + s_chrom, group[possible])
        s_pair, s_start, s_stop, s_copies, s_chrom, s_row = (
            s_pair[keep],
            s_start[keep],
            s_stop[keep],
            s_copies[keep],
            s_chrom[keep],
            s_row[keep],
        )
    (
        group,
        seg_start,
        seg_stop,
        switches,
        second_start,
        previous_stop,
        first_cost,
        last_cost,
        chain_evidence,
        first_part,
        last_part,
    ) = _chain(s_pair * n_chrom + s_chrom, s_start, s_stop, s_copies, cumulative, s_row)
    # Only chains that could reach the lowest threshold are scored exactly (the evidence
    # ignoring missing calls, and before trimming its ends, is an upper bound).
    lowest = min(min_score, score_floor) if score_slope > 0 else min_score
    if alleles is None:
        chain_evidence = evidence.total[seg_stop] - evidence.total[seg_start]
    upper_score = chain_evidence - switch_penalty * (switches - first_cost - last_cost).clip(0)
    hopeful = (upper_score >= lowest) & (cm[np.maximum(seg_stop - 1, 0)] - cm[seg_start] >= min_cm)
    group, seg_start, seg_stop, switches = group[hopeful], seg_start[hopeful], seg_stop[hopeful], switches[hopeful]
    second_start, previous_stop = second_start[hopeful], previous_stop[hopeful]
    first_cost, last_cost = first_cost[hopeful], last_cost[hopeful]
    chain_evidence, first_part, last_part = chain_evidence[hopeful], first_part[hopeful], last_part[hopeful]
    seg_pair = group // n_chrom
    i, j = pairs[seg_pair, 0], pairs[seg_pair, 1]
    # A stretch at either end of the cover that adds less evidence than its switch costs is left out.
    if alleles is None:
        last_part = evidence(i, j, np.maximum(previous_stop, 0), seg_stop)
    trim_end = (switches > 0) & (last_part < switch_penalty * last_cost)
    seg_stop = np.where(trim_end, previous_stop, seg_stop)
    switches = switches - trim_end * last_cost
    chain_evidence = chain_evidence - trim_end * last_part
    if alleles is None:
        first_part = evidence(i, j, seg_start, np.clip(second_start, seg_start, None))
    trim_start = (
        (switches > 0) & (second_start >= 0) & (second_start < seg_stop) & (first_part < switch_penalty * first_cost)
    )
    seg_start = np.where(trim_start, second_start, seg_start)
    switches = switches - trim_start * first_cost
    chain_evidence = chain_evidence - trim_start * first_part
    if alleles is None:
        score = evidence(i, j, seg_start, seg_stop) - switch_penalty * switches
    else:
        assert cumulative is not None
        row = np.searchsorted(people, i)
        score = (
            chain_evidence - alleles.missing_in_b(cumulative, row, j, seg_start, seg_stop) - switch_penalty * switches
        )

    # 3. Segments: enough evidence for their length, and long enough.
    length = cm[np.maximum(seg_stop - 1, 0)] - cm[seg_start]
    keep = (score >= _score_threshold(length, min_score, score_slope, score_floor)) & (length >= min_cm)
    return seg_pair[keep], seg_start[keep], seg_stop[keep], score[keep]


def find_phased_segments(
    haplotypes_a: npt.ArrayLike,
    haplotypes_b: npt.ArrayLike | None = None,
    *,
    chrom: npt.ArrayLike | None,
    cm: npt.ArrayLike | None,
    pos: npt.ArrayLike | None = None,
    pairs: npt.ArrayLike | None = None,
    min_cm: float = DEFAULT_MIN_CM,
    min_score: float = DEFAULT_MIN_SCORE,
    switch_penalty: float = DEFAULT_SWITCH_PENALTY,
    stretch_nats: float = DEFAULT_STRETCH_NATS,
    frequencies: npt.ArrayLike | None = None,
    score_slope: float = DEFAULT_SCORE_SLOPE,
    score_floor: float = DEFAULT_SCORE_FLOOR,
    evidence: str = "allele",
) -> pd.DataFrame:
    """Shared segments from phased haplotypes, tolerant of switch errors, as genealogy services match.

    Two relatives who share a segment by descent carry the *same haplotype* along it, one
    copy each: their alleles on those two copies agree at every SNP. The evidence of a
    stretch of agreement is a likelihood ratio (as in the LOD scores of IBDseq, Browning &
    Browning 2013): the shared haplotype shows allele :math:`a` at a SNP with probability
    :math:`f_a`, two unrelated haplotypes both show it with probability :math:`f_a^2`, so
    sharing it is worth :math:`-\\log f_a` nats; a shared rare allele is strong evidence, a
    shared common one weak. Unrelated haplotypes share a stretch worth :math:`E` nats with
    probability at most about :math:`e^{-E}`. Neighbouring SNPs in linkage disequilibrium are
    shared together more often than that by chance, so by default each allele is weighed
    given the allele before it on the same haplotype, :math:`-\\log f_{a \\mid b}` (two-SNP
    haplotype frequencies counted on the haplotypes given). Every SNP counts, where the
    unphased test (:func:`find_segments`) only sees opposite homozygotes, so far fewer SNPs
    suffice. ``evidence="agreement"`` weighs agreement itself instead, the same for either
    allele, :math:`-\\log(p^2 + (1-p)^2)` (given agreement at the SNP before): its expected
    evidence is lower at rare SNPs, and it finds fewer 7-20 cM segments.

    Statistical phasing makes *switch errors*: from some point on, a person's two copies
    are swapped. A shared haplotype then moves from one pair of copies to another (of the
    four: copy 0 or 1 of each person), and the stretch of agreement on the first pair of
    copies overlaps (or abuts) the stretch on the next. So:

    1. **Stretches**: on each pair of copies, the maximal runs of agreement (a missing call
       never breaks one; chromosome ends always do) worth at least ``stretch_nats``.
    2. **Chains**: stretches of the same pair of people that overlap or abut are joined;
       each chain is covered by the fewest stretches. Its *score* is the evidence of the
       whole chain (each SNP once) minus ``switch_penalty`` per switch error: one for a move
       that changes one person's copy, two for a move that changes both. A stretch at
       either end that adds less evidence than its switch costs is left out.
    3. **Segments**: chains at least ``min_cm`` long whose score reaches ``min_score`` at
       7 cM or less, ``score_slope`` nats less per cM beyond, but never less than
       ``score_floor``. Chance chains of unrelated people are short, true segments of
       relatives long, so the same score is more likely true on a longer chain: the
       threshold follows the posterior odds, not the evidence alone.

    This is the best path of a local alignment over the four pairs of copies restricted to
    stretches worth ``stretch_nats``. A chain never crosses an opposite homozygote (there
    all four pairs of copies disagree), so every segment lies within a run that
    :func:`find_segments`, the by-hand step, sees.

    How it relates to published phased IBD detectors: hap-IBD (Zhou, Browning & Browning
    2020) finds exact haplotype matches of a minimum length in cM with the positional
    Burrows-Wheeler transform (PBWT) and joins them across short gaps; phasedibd (Freyman
    et al. 2021, templated PBWT) finds matches on several templates of each person's phase,
    which tolerates switch errors, and joins them. Here, exact matches on all four pairs of
    copies are found for the pairs asked for (bit-parallel, not with a PBWT over everyone),
    joined across switch errors at a cost, and kept on their likelihood-ratio evidence and
    length, not on length alone. Unlike IBDseq and hap-IBD, there is no genotype-error
    model: a mismatch ends a stretch (the worlds have no calling errors, only missing calls).

    Parameters
    ----------
    haplotypes_a
        Shape (people_a, 2, SNPs): alleles 0/1 on each copy, -1 where the call is missing
        (for example ``world.haplotypes("cohort")``). A missing call never breaks a segment
        and adds no evidence.
    haplotypes_b
        Shape (people_b, 2, SNPs); defaults to ``haplotypes_a`` (pairs within one set).
    chrom, cm, pos, pairs
        As for :func:`find_segments`.
    min_cm
        Minimum segment length in cM (default 7).
    min_score
        Score a segment of up to 7 cM needs, nats (> 0; default :data:`DEFAULT_MIN_SCORE`).
    switch_penalty
        Cost of a switch error, nats (default :data:`DEFAULT_SWITCH_PENALTY`).
    stretch_nats
        Evidence a stretch of agreement needs to take part (default :data:`DEFAULT_STRETCH_NATS`).
        Stretches are found on bytes of eight SNPs: one shorter than 15 SNPs may be missed.
    frequencies
        Alternate-allele frequency of each SNP, in [0, 1]; given, SNPs are taken as
        independent. Default: estimated from the haplotypes given, together with the
        frequencies of the two-SNP haplotypes of neighbouring SNPs, so that linkage
        disequilibrium between neighbours does not count as evidence.
    score_slope
        Nats less per cM beyond 7 cM that a segment needs (>= 0; default
        :data:`DEFAULT_SCORE_SLOPE`; 0: every segment needs ``min_score``).
    score_floor
        The least score any segment needs, nats (> 0; default :data:`DEFAULT_SCORE_FLOOR`;
        ``min_score`` if larger).
    evidence
        ``"allele"`` (default): the likelihood ratio of the shared alleles; ``"agreement"``:
        the evidence of agreement, the same for either allele. With ``"allele"``, a SNP
        missing in the second person of a pair is weighed as the heavier of the first
        person's two alleles there and taken off (a score is never overstated).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`find_segments`.

    Examples
    --------
    >>> h = np.zeros((2, 2, 60), dtype=np.int8)
    >>> h[0, 0, 1::2] = h[1, 0, ::2] = h[0, 1, ::3] = h[1, 1, 1::3] = 1  # nothing in common
    >>> h[1, 1, 10:50] = h[0, 0, 10:50]  # but copy 1 of person 1 carries copy 0 of person 0 at SNPs 10-49
    >>> find_phased_segments(h, chrom=[1] * 60, cm=np.arange(60) * 0.5, min_cm=5,
    ...                      frequencies=[0.5] * 60)[["a", "b", "start_snp", "end_snp", "length_cm"]]
       a  b  start_snp  end_snp  length_cm
    0  0  1         10       50       20.0
    """
    a = _check_haplotypes(haplotypes_a, "haplotypes_a")
    b = a if haplotypes_b is None else _check_haplotypes(haplotypes_b, "haplotypes_b")
    if a.shape[2] != b.shape[2]:
        raise ValueError(
            f"haplotypes_a and haplotypes_b must have the same number of SNPs; got {a.shape[2]} and {b.shape[2]}"
        )
    min_cm = check_number(min_cm, "min_cm", minimum=0.0)
    min_score = check_number(min_score, "min_score", minimum=0.0, low_open=True)
    switch_penalty = check_number(switch_penalty, "switch_penalty", minimum=0.0)
    stretch_nats = check_number(stretch_nats, "stretch_nats", minimum=0.0)
    score_slope = check_number(score_slope, "score_slope", minimum=0.0)
    score_floor = check_number(score_floor, "score_floor", minimum=0.0, low_open=True)
    evidence = check_choice(evidence, "evidence", ["allele", "agreement"])
    n_snps = a.shape[2]
    same = haplotypes_b is None
    chrom_values, cm_at, bp, starts, ends = _check_map(chrom, cm, pos, n_snps, 1)
    pair_rows = _check_pairs(pairs, a.shape[0], b.shape[0], same)
    if frequencies is None:
        sets = (a,) if same else (a, b)
        counts = sum(np.where(h >= 0, h, 0).sum(axis=(0, 1)) for h in sets)
        called = sum((h >= 0).sum(axis=(0, 1)) for h in sets)
        freq = np.divide(counts, called, out=np.zeros(n_snps), where=called > 0)
    else:
        freq = np.asarray(frequencies, dtype=np.float64)
        if freq.shape != (n_snps,) or not np.all((freq >= 0) & (freq <= 1)):
            raise ValueError(
                f"frequencies must hold one allele frequency in [0, 1] per SNP ({n_snps}); got shape {freq.shape}"
            )
    sets = (a,) if same else (a, b)
    weight = -np.log(np.clip(freq**2 + (1 - freq) ** 2, 1e-12, 1.0))  # SNPs independent
    if frequencies is None and evidence == "agreement":
        weight = _agreement_weights(freq, sets, starts)
    agreement = _Evidence(weight, a, b, same)  # used only with evidence="agreement"
    alleles = None
    if evidence == "allele":
        given, alone = _allele_tables(freq, sets if frequencies is None else None, starts)
        alleles = _AlleleEvidence(a, b, given, alone, starts)

    # Blocks of pairs bound memory (chains never join two pairs; at most _PAIR_BLOCK pairs
    # and _PEOPLE_BLOCK first people, whose copies' cumulative evidence is held, at a time);
    # vectorised within a block.
    packed = _pack_haplotypes(a, b, same)
    by_first = np.argsort(pair_rows[:, 0], kind="stable")
    found = [
        _phased_block(
            packed,
            n_snps,
            pair_rows[by_first[lo:hi]],
            agreement,
            starts,
            ends,
            cm_at,
            min_cm,
            min_score,
            switch_penalty,
            stretch_nats,
            score_slope,
            score_floor,
            alleles,
        )
        for lo, hi in _blocks(pair_rows[by_first, 0])
    ]
    seg_pair = np.concatenate(
        [by_first[lo + f[0]] for f, (lo, _) in zip(found, _blocks(pair_rows[by_first, 0]))] or [np.zeros(0, np.int64)]
    )
    seg_start = np.concatenate([f[1] for f in found] or [np.zeros(0, np.int64)])
    seg_stop = np.concatenate([f[2] for f in found] or [np.zeros(0, np.int64)])
    order = np.lexsort((seg_start, seg_pair))
    seg_pair, seg_start, seg_stop = seg_pair[order], seg_start[order], seg_stop[order]
    end = seg_stop - 1
    return pd.DataFrame(
        {
            "a": pair_rows[seg_pair, 0],
            "b": pair_rows[seg_pair, 1],
            "chrom": chrom_values[seg_start] if len(seg_start) else np.array([], dtype=chrom_values.dtype),
            "start_snp": seg_start,
            "end_snp": end,
            "n_snps": seg_stop - seg_start,
            "start_cm": cm_at[seg_start],
            "end_cm": cm_at[end],
            "length_cm": cm_at[end] - cm_at[seg_start],
            "start_bp": bp[seg_start].astype(np.int64)
            if bp is not None
            else np.full(len(seg_start), -1, dtype=np.int64),
            "end_bp": bp[end].astype(np.int64) if bp is not None else np.full(len(seg_start), -1, dtype=np.int64),
        },
        columns=_SEGMENT_COLUMNS,
    )
