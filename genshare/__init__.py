"""genshare: the code behind the Genomic Data Sharing teaching module.

Each module holds one idea:

- :mod:`genshare.catalogue` loads and validates the repository catalogue in ``data/``.
- :mod:`genshare.popgen` computes population-genetic summaries of genotype matrices
  (allele frequencies, Hardy-Weinberg, linkage disequilibrium, F_ST, PCA, kinship).
- :mod:`genshare.cohort` simulates, saves and loads the synthetic world the lessons use.
- :mod:`genshare.paths` says where the data are: the checkout's ``data/`` folder, or the
  copy installed inside the package (``genshare/data``) by ``pip install``.
- :mod:`genshare.check` is the learners' setup check, ``python -m genshare.check``.
- :mod:`genshare.teaching` writes the learner edition (what every launch route opens) and the notebooks' setup cell.

Everything the package generates is synthetic; no real person's data is used.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("genshare")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__"]
