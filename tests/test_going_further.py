"""The code shown on the 'Going further: biobank scale' page runs, at a reduced size.

The page's code is displayed, not executed, by the book build (Binder has no Dask), so it
could rot unnoticed. This test takes the page's Python blocks as they are written, shrinks
the cohort (fewer and smaller chunks), runs them, and checks what they compute.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("dask.distributed", reason="the going-further page needs the optional extra genshare[dask]")

PAGE = Path(__file__).resolve().parents[1] / "chapters" / "going-further.md"
#: Reductions applied to the page's code: each must match exactly once, so that an edit to
#: the page that changes these lines fails here instead of running at full size.
SHRINK = {
    "def chunk(block_id, rows=10_000):": "def chunk(block_id, rows=300):",
    "n_chunks = 50": "n_chunks = 3",
    "chunks=((10_000,) * n_chunks,": "chunks=((300,) * n_chunks,",
}


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", PAGE.read_text(encoding="utf-8"), flags=re.S | re.M)


def test_page_code_runs_and_computes_what_it_says():
    blocks = python_blocks()
    assert len(blocks) == 2, "the page's code blocks changed; update this test"
    build = blocks[0]
    for old, new in SHRINK.items():
        assert build.count(old) == 1, f"expected the line {old!r} once on the page"
        build = build.replace(old, new)

    namespace: dict = {}
    exec(compile(build, f"{PAGE.name} (block 1)", "exec"), namespace)
    n_people = 3 * 300
    assert namespace["biobank"].shape == (n_people, namespace["source"].shape[1])
    scores, matches = np.asarray(namespace["scores"]), np.asarray(namespace["matches"])
    assert scores.shape == (n_people,) and np.isfinite(scores).all()
    assert matches.shape == (10, n_people)
    # the lazily built biobank is reproducible chunk by chunk
    assert np.array_equal(namespace["biobank"][:300].compute(), namespace["chunk"]((0, 0)))

    cluster_code = blocks[1]
    assert "LocalCluster(n_workers=2, threads_per_worker=1)" in cluster_code
    try:
        exec(compile(cluster_code, f"{PAGE.name} (block 2)", "exec"), namespace)
        assert np.array_equal(np.asarray(namespace["scores"]), scores)  # same answer on the workers
    finally:
        if "client" in namespace:
            cluster = namespace["client"].cluster
            namespace["client"].close()
            cluster.close()
