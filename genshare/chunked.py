"""Run the genotype kernels on Dask arrays chunked by people, for cohorts larger than memory.

Dask is optional (``pip install "genshare[dask]"``). These functions accept a
``dask.array.Array`` wherever they accept a numpy genotype matrix:
:func:`genshare.popgen.allele_frequencies`, :func:`genshare.popgen.kinship` (and
:func:`genshare.attacks.kinship`), :func:`genshare.attacks.homer_statistic`,
:func:`genshare.attacks.lr_membership_statistic` and
:func:`genshare.deidentify.dp_allele_frequencies`. The array must be chunked along people
only (one chunk across SNPs); the work is done one chunk of people at a time and the
result is the same numpy array as for the whole matrix in memory. With a
``dask.distributed`` client active, the same calls run on its workers, on one machine or
many. (Other functions convert a Dask array to numpy, which needs it to fit in memory.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from genshare._validation import check_genotype_layout, check_genotype_range

__all__ = ["is_dask", "per_person", "snp_sums"]


def is_dask(array: Any) -> bool:
    """True if ``array`` is a Dask array (without importing Dask when it is not installed)."""
    return type(array).__module__.split(".")[0] == "dask"


def _check_chunks(array: Any, name: str) -> None:
    check_genotype_layout(array.shape, array.dtype, name)
    if len(array.chunks[1]) != 1:
        raise ValueError(
            f"{name} is chunked along SNPs ({len(array.chunks[1])} chunks); chunk it by people only, "
            "e.g. array.rechunk({0: 'auto', 1: -1})"
        )


def per_person(function: Callable[..., np.ndarray], genotypes: Any, *args: Any, **kwargs: Any) -> np.ndarray:
    """Apply ``function(block, *args)``, which returns one value per person, to each chunk of people.

    Examples
    --------
    >>> import dask.array as da
    >>> g = da.from_array(np.array([[0, 1], [2, 2], [1, 0]], dtype=np.int8), chunks=(2, 2))
    >>> per_person(lambda block: block.sum(axis=1), g).tolist()
    [1, 4, 1]
    """
    _check_chunks(genotypes, "genotypes")
    result = genotypes.map_blocks(lambda block: np.asarray(function(block, *args, **kwargs)), drop_axis=1, dtype=float)
    return np.asarray(result.compute())


def snp_sums(genotypes: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """Per-SNP alternate-allele count and called-genotype count, and the number of people.

    Examples
    --------
    >>> import dask.array as da
    >>> g = da.from_array(np.array([[0, 2], [1, -1]], dtype=np.int8), chunks=(1, 2))
    >>> [x.tolist() if hasattr(x, "tolist") else x for x in snp_sums(g)]
    [[1, 2], [2, 1], 2]
    """
    _check_chunks(genotypes, "genotypes")
    import dask

    alt = (genotypes.clip(min=0)).sum(axis=0, dtype=np.int64)
    called = (genotypes >= 0).sum(axis=0, dtype=np.int64)
    low, high = genotypes.min(), genotypes.max()
    alt, called, low, high = dask.compute(alt, called, low, high)
    check_genotype_range(low, high, "genotypes")
    return np.asarray(alt), np.asarray(called), int(genotypes.shape[0])
