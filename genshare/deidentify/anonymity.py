"""k-anonymity (Sweeney 2002), l-diversity (Machanavajjhala et al. 2007) and generalisation.

A table is k-anonymous on a set of quasi-identifiers when every combination of their
values that occurs, occurs at least k times: each person hides in a crowd of k. It is
l-diverse for a sensitive attribute when every such crowd holds at least l distinct
sensitive values, so that knowing someone's crowd does not reveal their value.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from genshare._validation import check_columns

__all__ = [
    "date_hierarchy",
    "generalize",
    "k_anonymity",
    "l_diversity",
    "numeric_hierarchy",
    "suppression_hierarchy",
    "zip_hierarchy",
]

Level = Callable[[pd.Series], pd.Series]


def _check(table: pd.DataFrame, columns: str | Sequence[str], what: str = "quasi_identifiers") -> list[str]:
    """The column names as a list: one name (a string) or a sequence of names, all in ``table``."""
    if isinstance(columns, Mapping):
        columns = list(columns)
    return check_columns(table, columns, "table", what=what, allow_empty_table=True)


def _class_sizes(table: pd.DataFrame, columns: list[str]) -> pd.Series:
    return table.groupby(columns, dropna=False, sort=False)[columns[0]].transform("size")


def k_anonymity(table: pd.DataFrame, quasi_identifiers: str | Sequence[str]) -> int:
    """The k of ``table``: the size of its smallest equivalence class (0 for an empty table).

    Parameters
    ----------
    table
        The released records, one per row.
    quasi_identifiers
        A column name or a list of them. Missing values form a class of their own.

    Raises
    ------
    ValueError
        If ``table`` is not a DataFrame or a quasi-identifier is not one of its columns
        (all such names are listed).

    Examples
    --------
    >>> t = pd.DataFrame({"zip": ["1", "1", "1", "2", "2", "2"], "sex": ["F"] * 6})
    >>> k_anonymity(t, ["zip", "sex"])
    3
    """
    columns = _check(table, quasi_identifiers)
    return int(_class_sizes(table, columns).min()) if len(table) else 0


def l_diversity(table: pd.DataFrame, quasi_identifiers: str | Sequence[str], sensitive: str) -> int:
    """Distinct l-diversity: the fewest distinct sensitive values in any equivalence class.

    A missing sensitive value is not a value: it adds no diversity, because it does not
    stop an attacker from learning the value of the others in the class (a class with
    ``["HIV", NaN]`` is 1-diverse, not 2-diverse), and a class whose sensitive values are
    all missing counts 0. This is the fail-closed choice; it can only lower l.

    Parameters
    ----------
    table
        The released records, one per row.
    quasi_identifiers
        A column name or a list of them.
    sensitive
        The one sensitive column, not among the quasi-identifiers.

    Returns
    -------
    int
        l, from 0 (some class has no known sensitive value) up; 0 for an empty table.

    Examples
    --------
    >>> t = pd.DataFrame({"zip": ["1", "1", "2", "2"], "hiv": ["yes", "yes", "no", "yes"]})
    >>> l_diversity(t, ["zip"], "hiv")  # everyone in ZIP 1 has the same value
    1
    >>> l_diversity(t.assign(hiv=["yes", None, "no", "yes"]), "zip", "hiv")  # a missing value adds nothing
    1
    """
    columns = _check(table, quasi_identifiers)
    if not isinstance(sensitive, str):
        raise ValueError(f"sensitive must be the name of one column; got {sensitive!r}")
    _check(table, [sensitive], "sensitive")
    if sensitive in columns:
        raise ValueError(f"the sensitive column {sensitive!r} cannot also be a quasi-identifier")
    if not len(table):
        return 0
    return int(table.groupby(columns, dropna=False, sort=False)[sensitive].nunique(dropna=True).min())


# --- generalisation hierarchies ---------------------------------------------------------------


def zip_hierarchy() -> list[Level]:
    """ZIP5 -> first four digits -> ZIP3 -> suppressed."""
    return [
        lambda s: s.astype(str),
        lambda s: s.astype(str).str[:4] + "*",
        lambda s: s.astype(str).str[:3] + "**",
        lambda s: pd.Series("*****", index=s.index),
    ]


def date_hierarchy() -> list[Level]:
    """Date -> year and month -> year -> five-year band -> decade -> suppressed."""

    def band(width: int) -> Level:
        def level(s: pd.Series) -> pd.Series:
            start = (pd.to_datetime(s).dt.year // width) * width
            return start.astype(str) + "-" + (start + width - 1).astype(str)

        return level

    return [
        lambda s: pd.to_datetime(s).dt.strftime("%Y-%m-%d"),
        lambda s: pd.to_datetime(s).dt.strftime("%Y-%m"),
        lambda s: pd.to_datetime(s).dt.year.astype(str),
        band(5),
        band(10),
        lambda s: pd.Series("*", index=s.index),
    ]


def numeric_hierarchy(widths: Sequence[int] = (5, 10, 20)) -> list[Level]:
    """A number -> bands of each width in turn -> suppressed (for ages, say)."""

    def band(width: int) -> Level:
        def level(s: pd.Series) -> pd.Series:
            start = (pd.to_numeric(s) // width) * width
            return start.astype(int).astype(str) + "-" + (start + width - 1).astype(int).astype(str)

        return level

    return [lambda s: s.astype(str), *[band(w) for w in widths], lambda s: pd.Series("*", index=s.index)]


def suppression_hierarchy() -> list[Level]:
    """The value itself -> suppressed (for attributes with no useful middle ground, such as sex)."""
    return [lambda s: s.astype(str), lambda s: pd.Series("*", index=s.index)]


def generalize(
    table: pd.DataFrame,
    hierarchies: Mapping[str, Sequence[Level]],
    k: int,
    max_suppression: float = 0.05,
    *,
    counts: str | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Coarsen quasi-identifiers and suppress the fewest records needed to make ``table`` k-anonymous.

    Every combination of generalisation levels (the full lattice) is tried. For each,
    the records in equivalence classes smaller than k must be suppressed; combinations
    that would suppress more than ``max_suppression`` of the records are rejected. Among
    the rest, the one with the least precision loss (the mean, over quasi-identifiers, of
    level / highest level, after Sweeney 2002) wins; ties go to fewer suppressed records,
    then to the first in lattice order.

    Parameters
    ----------
    table
        The table to release.
    hierarchies
        For each quasi-identifier, its generalisation levels: functions from the column
        to its coarsened version, level 0 being the original.
    k
        Required anonymity, at least 1.
    max_suppression
        Largest share of records that may be suppressed, between 0 and 1.
    counts
        Name of a column of ``table`` holding how many records each row stands for (a
        table of distinct combinations and their counts, as :mod:`genshare.risk` reads a
        large file). Every size and share is then weighted by it, so the search costs the
        same for a thousand records or a billion. ``None``: one record per row.

    Returns
    -------
    released : pandas.DataFrame
        The generalised table without the suppressed records; k-anonymous on the
        quasi-identifiers by construction.
    summary : pandas.Series
        The chosen level of each quasi-identifier, ``suppressed`` (records removed),
        ``precision_loss`` and ``k`` achieved.

    Examples
    --------
    >>> t = pd.DataFrame({"zip5": ["39011", "39012", "39013", "39024"], "sex": ["F", "F", "M", "M"]})
    >>> released, summary = generalize(t, {"zip5": zip_hierarchy(), "sex": suppression_hierarchy()},
    ...                                k=2, max_suppression=0)
    >>> released["zip5"].tolist(), released["sex"].tolist(), int(summary["k"])
    (['390**', '390**', '390**', '390**'], ['F', 'F', 'M', 'M'], 2)

    The same table as distinct combinations with their counts:

    >>> c = t.assign(count=1)
    >>> int(generalize(c, {"zip5": zip_hierarchy(), "sex": suppression_hierarchy()}, k=2, max_suppression=0,
    ...                counts="count")[1]["k"])
    2
    """
    if not isinstance(hierarchies, Mapping):
        raise ValueError("hierarchies must map each quasi-identifier to its list of generalisation levels")
    columns = _check(table, list(hierarchies), "hierarchies")
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be an integer of at least 1; got {k!r}")
    if not 0.0 <= max_suppression <= 1.0:
        raise ValueError(f"max_suppression must be between 0 and 1; got {max_suppression}")
    weights = _weights(table, counts, columns)
    records = int(weights.sum())
    if records < k:
        raise ValueError(f"k = {k} is larger than the table ({records} records): no release can be {k}-anonymous")
    for column in columns:
        column_levels = hierarchies[column]
        if len(column_levels) < 1 or not all(callable(level) for level in column_levels):
            raise ValueError(f"hierarchy for {column!r} must be a non-empty list of functions")
    # Precompute every level of every column once.
    coarse = {c: [pd.Series(level(table[c]), index=table.index) for level in hierarchies[c]] for c in columns}
    best: tuple[tuple[float, int], tuple[int, ...], np.ndarray, np.ndarray] | None = None
    for levels in itertools.product(*[range(len(coarse[c])) for c in columns]):
        candidate = pd.DataFrame({c: coarse[c][level] for c, level in zip(columns, levels, strict=True)})
        sizes = (
            candidate.assign(_weight=weights)
            .groupby(columns, dropna=False, sort=False)["_weight"]
            .transform("sum")
            .to_numpy()
        )
        small = sizes < k
        suppressed = int(weights[small].sum())
        if suppressed > max_suppression * records:
            continue
        loss = float(np.mean([level / max(len(coarse[c]) - 1, 1) for c, level in zip(columns, levels, strict=True)]))
        key = (loss, suppressed)
        if best is None or key < best[0]:
            best = (key, levels, sizes, small)
    if best is None:  # cannot happen: the top of the lattice merges everyone into one class
        raise ValueError("no generalisation reaches k within max_suppression")  # pragma: no cover
    (loss, suppressed), levels, sizes, small = best
    released = table.copy()
    for c, level in zip(columns, levels, strict=True):
        released[c] = coarse[c][level]
    released = released.loc[~small]
    summary: dict[str, int | float] = {f"level_{c}": level for c, level in zip(columns, levels, strict=True)}
    summary["suppressed"] = suppressed
    summary["precision_loss"] = round(loss, 4)
    summary["k"] = int(sizes[~small].min()) if (~small).any() else 0
    return released, pd.Series(summary, dtype=object)


def _weights(table: pd.DataFrame, counts: str | None, columns: list[str]) -> np.ndarray:
    """How many records each row stands for: ``table[counts]`` checked (whole numbers >= 0), or 1 each."""
    if counts is None:
        return np.ones(len(table), dtype=np.int64)
    if counts not in table.columns:
        raise ValueError(
            f"counts names column {counts!r}, which table does not have; its columns are {list(table.columns)}"
        )
    if counts in columns:
        raise ValueError(f"counts column {counts!r} cannot also be a quasi-identifier")
    values = pd.to_numeric(table[counts], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"table column {counts!r}, row {table.index[i]!r}: a count must be a whole number >= 0; "
            f"got {table[counts].iloc[i]!r}"
        )
    return values.astype(np.int64)
