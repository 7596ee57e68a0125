"""The table side of the risk check: uniqueness, k-anonymity and the generalisation that reaches k.

Works on the counts of distinct quasi-identifier combinations that
:func:`genshare.risk.inputs.read_table_summary` keeps, so that the cost does not grow
with the number of rows. The definitions are those of :mod:`genshare.deidentify.anonymity`
(Sweeney 2002): a table is k-anonymous when each combination of quasi-identifier values
that occurs, occurs at least k times.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from genshare.deidentify.anonymity import (
    date_hierarchy,
    generalize,
    numeric_hierarchy,
    suppression_hierarchy,
    zip_hierarchy,
)

__all__ = ["HIERARCHIES", "choose_hierarchy", "generalise_counts", "uniqueness_summary"]

#: Generalisation hierarchies the risk check can apply, by name.
HIERARCHIES: dict[str, Callable[[], list]] = {
    "zip": zip_hierarchy,
    "date": date_hierarchy,
    "number": numeric_hierarchy,
    "suppress": suppression_hierarchy,
}


def uniqueness_summary(combinations: pd.DataFrame, k: int) -> dict:
    """Uniqueness and k-anonymity of a table given as combinations with counts.

    Parameters
    ----------
    combinations
        Quasi-identifier columns plus ``count`` (rows sharing those values), shape
        (combinations, QIs + 1).
    k
        The anonymity the user wants.

    Returns
    -------
    dict
        ``rows``, ``equivalence_classes``, ``k_achieved`` (the smallest class),
        ``unique_rows`` and ``unique_share`` (rows alone in their class),
        ``rows_below_k`` and ``share_below_k``, ``class_size_counts`` (rows by class size:
        1, 2, ..., up to k and "larger").

    Examples
    --------
    >>> c = pd.DataFrame({"zip": ["1", "2"], "count": [3, 1]})
    >>> s = uniqueness_summary(c, k=2)
    >>> s["k_achieved"], s["unique_rows"], s["rows_below_k"]
    (1, 1, 1)
    """
    sizes = combinations["count"].to_numpy(dtype=np.int64)
    rows = int(sizes.sum())
    unique = int(sizes[sizes == 1].sum())
    below = int(sizes[sizes < k].sum())
    by_size = {str(size): int(sizes[sizes == size].sum()) for size in range(1, k)}
    by_size[f"{k}+"] = int(sizes[sizes >= k].sum())
    return {
        "rows": rows,
        "equivalence_classes": int(sizes.size),
        "k_achieved": int(sizes.min()) if sizes.size else 0,
        "unique_rows": unique,
        "unique_share": unique / rows if rows else 0.0,
        "rows_below_k": below,
        "share_below_k": below / rows if rows else 0.0,
        "class_size_counts": by_size,
    }


_ZIP = re.compile(r"zip|postcode|postal", re.I)
_DATE = re.compile(r"date|dob|birth|born|admit|discharge|death", re.I)


def choose_hierarchy(name: str, values: pd.Series) -> str:
    """The hierarchy name for a quasi-identifier column: from its name, then its values.

    ZIP-like names give ``"zip"``, columns whose values are all numbers ``"number"``
    (a birth year is banded as a number), date-like names ``"date"``, anything else
    ``"suppress"`` (keep or remove). A hierarchy that fails on the values falls back to
    ``"suppress"`` in :func:`generalise_counts`.

    Examples
    --------
    >>> choose_hierarchy("zip5", pd.Series(["02138"])), choose_hierarchy("age", pd.Series(["34", "71"]))
    ('zip', 'number')
    """
    present = values[values != ""]
    if _ZIP.search(name):
        return "zip"
    if len(present) and pd.to_numeric(present, errors="coerce").notna().all():
        return "number"  # a birth year is a number to band, not a date
    if _DATE.search(name):
        return "date"
    return "suppress"


def _levels(name: str, hierarchy: str, values: pd.Series) -> tuple[list[pd.Series], str]:
    """Every level of one column's hierarchy applied to its distinct values (fallback: suppress)."""
    levels = HIERARCHIES[hierarchy]()
    try:
        out = [pd.Series(level(values), index=values.index).astype(str) for level in levels]
    except (ValueError, TypeError, OverflowError, pd.errors.ParserError):
        if hierarchy == "suppress":
            raise
        return _levels(name, "suppress", values)[0], "suppress"
    return out, hierarchy


def generalise_counts(
    combinations: pd.DataFrame,
    k: int,
    hierarchies: Mapping[str, str] | None = None,
    max_suppression: float = 0.05,
) -> dict:
    """The least-lossy generalisation that makes the table k-anonymous, and what it costs.

    :func:`genshare.deidentify.generalize` run on the distinct combinations weighted by
    their counts (its ``counts=``), so it costs the same for a thousand rows or a billion,
    with hierarchies chosen by name (:func:`choose_hierarchy`).

    Parameters
    ----------
    combinations
        Quasi-identifier columns plus ``count``.
    k
        Required anonymity, at least 1.
    hierarchies
        Hierarchy name per column (``zip``, ``date``, ``number``, ``suppress``); columns
        not given are chosen by :func:`choose_hierarchy`.
    max_suppression
        Largest share of rows that may be suppressed.

    Returns
    -------
    dict
        ``reachable`` (False if even full generalisation cannot reach k, when the table has
        fewer than k rows), ``levels`` (per column: hierarchy, level chosen, highest level,
        and an example of a generalised value), ``rows_suppressed``, ``share_suppressed``,
        ``precision_loss`` (0 = unchanged, 1 = everything suppressed) and ``k_after``.

    Examples
    --------
    >>> c = pd.DataFrame({"zip5": ["39011", "39012", "39013", "39024"], "sex": ["F", "F", "M", "M"], "count": 1})
    >>> g = generalise_counts(c, k=2, hierarchies={"sex": "suppress"}, max_suppression=0)
    >>> g["levels"]["zip5"]["level"], g["levels"]["sex"]["level"], g["k_after"]
    (2, 0, 2)
    """
    columns = [c for c in combinations.columns if c != "count"]
    hierarchies = dict(hierarchies or {})
    unknown = sorted(set(hierarchies) - set(columns))
    if unknown:
        raise ValueError(f"hierarchies name column(s) that are not quasi-identifiers: {', '.join(unknown)}")
    for column, name in hierarchies.items():
        if name not in HIERARCHIES:
            raise ValueError(f"hierarchy for {column!r} must be one of {', '.join(HIERARCHIES)}; got {name!r}")
    counts = combinations["count"].to_numpy(dtype=np.int64)
    rows = int(counts.sum())
    if rows < k:
        return {
            "reachable": False,
            "reason": f"the table has {rows} rows, fewer than k = {k}",
            "levels": {},
            "rows_suppressed": rows,
            "share_suppressed": 1.0,
            "precision_loss": 1.0,
            "k_after": 0,
        }
    coarse: dict[str, list[pd.Series]] = {}
    used: dict[str, str] = {}
    for column in columns:
        values = combinations[column].astype(str)
        wanted = hierarchies.get(column) or choose_hierarchy(column, values)
        coarse[column], used[column] = _levels(column, wanted, values)
    # Each level is already computed on the distinct values; generalize picks among them.
    chosen = {c: [lambda _, done=done: done for done in coarse[c]] for c in columns}
    _, summary = generalize(combinations, chosen, k, max_suppression, counts="count")
    levels = [int(summary[f"level_{c}"]) for c in columns]
    suppressed = int(summary["suppressed"])
    return {
        "reachable": True,
        "levels": {
            c: {
                "hierarchy": used[c],
                "level": int(level),
                "highest_level": len(coarse[c]) - 1,
                "example": f"{combinations[c].iloc[0]} -> {coarse[c][level].iloc[0]}",
            }
            for c, level in zip(columns, levels, strict=True)
        },
        "rows_suppressed": suppressed,
        "share_suppressed": suppressed / rows,
        "precision_loss": float(summary["precision_loss"]),
        "k_after": int(summary["k"]),
        "max_suppression": max_suppression,
    }
