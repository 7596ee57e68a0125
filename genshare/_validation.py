"""One vocabulary of input checks, shared by every public function of the package.

Each check takes the value and the *name of the parameter* it came from, and either
returns the value in a normal form (a numpy array of the right dtype, a Python ``int``
or ``float``, a list of column names) or raises an error whose message starts with that
name and says what was expected and what was given. Nothing is coerced silently: a
float is not an integer (``2.5`` is refused, not truncated to 2), a string is not a
number, NaN and infinity are not frequencies.

``ValueError`` is raised for a value of an acceptable kind that is out of range or the
wrong shape, and also for values of the wrong kind, so that callers need catch only one
exception type (the message says which parameter and why).

Examples
--------
>>> check_integer(3, "top", minimum=1)
3
>>> check_integer(2.5, "top", minimum=1)
Traceback (most recent call last):
...
ValueError: top must be an integer; got 2.5 (float)
>>> check_frequencies([0.1, 0.9], "allele_freqs").tolist()
[0.1, 0.9]
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "MISSING",
    "check_choice",
    "check_columns",
    "check_frequencies",
    "check_genotype_layout",
    "check_genotype_range",
    "check_genotypes",
    "check_integer",
    "check_number",
    "check_probability",
    "check_scores",
]

#: The code of a missing genotype call in every genotype matrix of the package.
MISSING = -1


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _as_array(values: Any, name: str) -> np.ndarray:
    """``np.asarray`` with its errors (ragged lists, odd objects) reported under ``name``."""
    try:
        return np.asarray(values)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{name} cannot be read as an array: {error}") from None


def check_integer(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` if it is an integer (not a bool, not a float) within bounds.

    Examples
    --------
    >>> check_integer(np.int64(4), "n_queries", minimum=1)
    4
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an integer; got {_describe(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}; got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}; got {value}")
    return value


def check_number(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` within ``[minimum, maximum]`` (ends open if asked).

    Booleans, strings, arrays, NaN and infinities are refused.

    Examples
    --------
    >>> check_number(0.5, "voter_coverage", minimum=0, maximum=1)
    0.5
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number; got {_describe(value)}")
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number; got {number}")
    low = "(" if low_open else "["
    high = ")" if high_open else "]"
    interval = f"{low}{'-inf' if minimum is None else minimum}, {'inf' if maximum is None else maximum}{high}"
    if minimum is not None and (number < minimum or (low_open and number == minimum)):
        raise ValueError(f"{name} must lie in {interval}; got {number}")
    if maximum is not None and (number > maximum or (high_open and number == maximum)):
        raise ValueError(f"{name} must lie in {interval}; got {number}")
    return number


def check_probability(value: Any, name: str, *, low_open: bool = False, high_open: bool = False) -> float:
    """A :func:`check_number` between 0 and 1.

    Examples
    --------
    >>> check_probability(1e-6, "error_rate", low_open=True, high_open=True)
    1e-06
    """
    return check_number(value, name, minimum=0.0, maximum=1.0, low_open=low_open, high_open=high_open)


def check_choice(value: Any, name: str, options: Iterable[str]) -> str:
    """Return ``value`` if it is one of the strings ``options``.

    Examples
    --------
    >>> check_choice("skip", "missing", ["skip", "as_reference"])
    'skip'
    """
    options = list(options)
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {_describe(value)}")
    return value


def check_genotypes(genotypes: npt.ArrayLike, name: str = "genotypes") -> np.ndarray:
    """Validate a genotype matrix and return it as an ``int8`` array of shape (people, SNPs).

    A genotype matrix holds the number of alternate alleles, 0, 1 or 2, and
    :data:`MISSING` (-1) for a missing call, in an integer dtype (floats and booleans are
    refused rather than rounded).

    Raises
    ------
    ValueError
        If the array is not two-dimensional, is empty, is not of an integer type, or holds
        values other than -1, 0, 1 and 2.

    Examples
    --------
    >>> check_genotypes([[0, 1, 2], [2, -1, 0]]).dtype
    dtype('int8')
    """
    array = _as_array(genotypes, name)
    check_genotype_layout(array.shape, array.dtype, name)
    check_genotype_range(array.min(), array.max(), name)
    return array.astype(np.int8, copy=False)


def check_genotype_layout(shape: tuple[int, ...], dtype: np.dtype, name: str = "genotypes") -> None:
    """The shape and dtype part of :func:`check_genotypes`, for arrays not in memory (Dask)."""
    if len(shape) != 2:
        raise ValueError(f"{name} must be a 2-D array (people x SNPs); got {len(shape)} dimension(s)")
    if shape[0] == 0 or shape[1] == 0:
        raise ValueError(f"{name} is empty: shape {tuple(shape)}; need at least one person and one SNP")
    if not np.issubdtype(dtype, np.integer):
        raise ValueError(f"{name} must hold integers 0, 1, 2 (or -1 for missing); got dtype {dtype}")


def check_genotype_range(low: Any, high: Any, name: str = "genotypes") -> None:
    """The value part of :func:`check_genotypes`, given the smallest and largest value."""
    low, high = int(low), int(high)
    if low < MISSING or high > 2:
        raise ValueError(f"{name} must hold only 0, 1, 2 or -1 (missing); found values from {low} to {high}")


def check_frequencies(
    values: npt.ArrayLike,
    name: str,
    *,
    shape: tuple[int, ...] | None = None,
    ndim: int | None = 1,
    n_snps: int | None = None,
) -> np.ndarray:
    """Validate allele frequencies and return them as a ``float64`` array.

    Every value must be a real number between 0 and 1 (no NaN, no infinity); the array
    must be non-empty, have ``ndim`` dimensions (if given), ``shape`` (if given) and
    ``n_snps`` values along its last axis (if given). Strings, booleans and objects are
    refused rather than converted.

    Examples
    --------
    >>> check_frequencies([0.0, 0.25, 1.0], "allele_freqs", n_snps=3).tolist()
    [0.0, 0.25, 1.0]
    """
    array = _as_array(values, name)
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold numbers (allele frequencies between 0 and 1); got dtype {array.dtype}")
    array = array.astype(np.float64, copy=False)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array of allele frequencies; got shape {array.shape}")
    if shape is not None and array.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}; got {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty; give at least one allele frequency")
    if n_snps is not None and array.shape[-1] != n_snps:
        raise ValueError(f"{name} has {array.shape[-1]} SNPs but the genotypes have {n_snps}")
    bad = ~((array >= 0) & (array <= 1))  # also true for NaN
    if bad.any():
        where = np.flatnonzero(bad.ravel())
        raise ValueError(
            f"{name} must hold frequencies between 0 and 1 (no NaN or infinity); "
            f"{where.size} value(s) are not, the first {array.ravel()[where[0]]!r} at position {int(where[0])}"
        )
    return array


def check_scores(values: npt.ArrayLike, name: str, *, allow_infinite: bool = False) -> np.ndarray:
    """Validate a non-empty 1-D array of real scores (no NaN) and return it as ``float64``.

    Infinities are refused unless ``allow_infinite`` (they then rank above or below every
    finite score).

    Examples
    --------
    >>> check_scores([1, 2.5], "member_scores").tolist()
    [1.0, 2.5]
    """
    array = _as_array(values, name)
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{name} must hold real numbers; got dtype {array.dtype}")
    array = array.astype(np.float64, copy=False)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of scores; got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty; give at least one score")
    if np.isnan(array).any():
        raise ValueError(f"{name} must not contain NaN; {int(np.isnan(array).sum())} value(s) are NaN")
    if not allow_infinite and np.isinf(array).any():
        raise ValueError(f"{name} must hold finite scores; {int(np.isinf(array).sum())} value(s) are infinite")
    return array


def check_columns(
    table: Any, columns: Any, name: str, *, what: str = "quasi_identifiers", allow_empty_table: bool = False
) -> list[str]:
    """Check that ``table`` is a DataFrame holding every column of ``columns``; return them as a list.

    ``columns`` is a column name (one string) or a list of names; a string is one column,
    never its letters. Duplicates and an empty list are refused.

    Examples
    --------
    >>> t = pd.DataFrame({"zip": ["1"], "sex": ["F"]})
    >>> check_columns(t, "zip", "table")
    ['zip']
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame; got {type(table).__name__}")
    if table.columns.duplicated().any():
        repeated = ", ".join(map(str, table.columns[table.columns.duplicated()]))
        raise ValueError(f"{name} has repeated column name(s) {repeated}")
    if isinstance(columns, str):
        columns = [columns]
    elif isinstance(columns, Iterable) and not isinstance(columns, (bytes, dict)):
        columns = list(columns)
    else:
        raise ValueError(f"{what} must be a column name or a list of column names; got {_describe(columns)}")
    if not columns:
        raise ValueError(f"{what} is empty; name at least one column")
    duplicated = sorted({str(c) for c in columns if columns.count(c) > 1})
    if duplicated:
        raise ValueError(f"{what} names column(s) {', '.join(duplicated)} more than once")
    unhashable = [c for c in columns if not isinstance(c, Hashable)]
    if unhashable:
        raise ValueError(f"{what} must list column names; got {_describe(unhashable[0])}")
    missing = [repr(c) for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"{name} has no column(s) {', '.join(missing)} (from {what}); it has {', '.join(map(str, table.columns))}"
        )
    if len(table) == 0 and not allow_empty_table:
        raise ValueError(f"{name} is empty")
    return columns
