"""Linking a "de-identified" table to public records on quasi-identifiers (Sweeney 2000)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from genshare._validation import check_columns

__all__ = ["linkage_attack", "uniqueness"]


def uniqueness(table: pd.DataFrame, quasi_identifiers: Sequence[str]) -> float:
    """Share of rows whose combination of quasi-identifiers occurs only once in ``table``.

    Missing values count as a value of their own.

    Examples
    --------
    >>> t = pd.DataFrame({"zip": ["1", "1", "2"], "sex": ["F", "F", "M"]})
    >>> round(uniqueness(t, ["zip", "sex"]), 3)
    0.333
    """
    columns = check_columns(table, quasi_identifiers, "table")
    sizes = table.groupby(columns, dropna=False, sort=False)[columns[0]].transform("size")
    return float((sizes == 1).mean())


def linkage_attack(
    released: pd.DataFrame,
    public: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    released_truth: str | None = None,
    public_id: str | None = None,
) -> pd.DataFrame:
    """Join a released table to a public one on quasi-identifiers and classify each record.

    Parameters
    ----------
    released
        The "de-identified" release (for example clinical records without names).
    public
        Public records with identities (for example a voter roll).
    quasi_identifiers
        Columns present in both tables to join on.
    public_id
        Optional id column of ``public``; unique matches report it as ``matched_id``.
    released_truth
        Optional column of ``released`` holding each record's true public id (known only
        to the lesson, for scoring); needs ``public_id``. Unique matches are then scored
        as correct or wrong.

    Returns
    -------
    pandas.DataFrame
        One row per released record, in order: ``candidates`` (public records with the
        same quasi-identifiers), ``outcome`` (``unique match``, ``ambiguous``, ``no match``;
        or with truth, ``re-identified``, ``wrong person``, ``ambiguous``, ``no match``)
        and ``matched_id`` for unique matches when ``public_id`` is given.

    Examples
    --------
    >>> released = pd.DataFrame({"zip": ["1", "2", "3"], "sex": ["F", "M", "M"]})
    >>> public = pd.DataFrame({"id": ["a", "b", "c"], "zip": ["1", "2", "2"], "sex": ["F", "M", "M"]})
    >>> linkage_attack(released, public, ["zip", "sex"])["outcome"].tolist()
    ['unique match', 'ambiguous', 'no match']
    """
    columns = check_columns(released, quasi_identifiers, "released")
    check_columns(public, columns, "public")
    if released_truth is not None and public_id is None:
        raise ValueError("released_truth needs public_id: the truth is scored against the public table's ids")
    if released_truth is not None:
        check_columns(released, released_truth, "released", what="released_truth")
    if public_id is not None:
        check_columns(public, public_id, "public", what="public_id")
    for column in columns:
        if released[column].dtype != public[column].dtype:
            raise ValueError(
                f"column {column!r} has type {released[column].dtype} in released "
                f"but {public[column].dtype} in public; convert one so values can be compared"
            )
    keys = public[columns].copy()
    keys["_candidates"] = keys.groupby(columns, dropna=False, sort=False)[columns[0]].transform("size")
    if public_id is not None:
        keys["_id"] = public[public_id].to_numpy()
    first = keys.drop_duplicates(columns, keep="first")
    merged = released[columns].reset_index(drop=True).merge(first, on=columns, how="left", sort=False)
    candidates = merged["_candidates"].fillna(0).astype(int).to_numpy()
    result = pd.DataFrame({"candidates": candidates}, index=released.index)
    outcome = np.where(candidates == 0, "no match", np.where(candidates == 1, "unique match", "ambiguous")).astype(
        object
    )
    if public_id is not None:
        matched = np.where(candidates == 1, merged["_id"].to_numpy(dtype=object), None)
        result["matched_id"] = matched
        if released_truth is not None:
            truth = released[released_truth].to_numpy(dtype=object)
            unique = candidates == 1
            outcome[unique & (matched == truth)] = "re-identified"
            outcome[unique & (matched != truth)] = "wrong person"
    result.insert(1, "outcome", outcome)
    return result
