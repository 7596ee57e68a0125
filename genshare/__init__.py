"""genshare: the code behind the Genomic Data Sharing teaching module.

Each module holds one idea. Data and the synthetic world:

- :mod:`genshare.catalogue` loads and validates the repository catalogue in ``data/``.
- :mod:`genshare.populations` declares the world's populations once.
- :mod:`genshare.cohort` simulates, saves and loads the synthetic world the lessons use.
- :mod:`genshare.paths` says where the data are: the checkout's ``data/`` folder, or the
  copy installed inside the package (``genshare/data``) by ``pip install``.
- :mod:`genshare.popgen` computes population-genetic summaries of genotype matrices
  (allele frequencies, Hardy-Weinberg, linkage disequilibrium, F_ST, PCA, kinship).
- :mod:`genshare.chunked` runs the genotype kernels on Dask arrays chunked by people.

Attacks and defences (they take arrays and tables, never the simulator):

- :mod:`genshare.attacks` holds the re-identification attacks, one module each.
- :mod:`genshare.deidentify` holds the defences (Safe Harbor, k-anonymity, differential privacy).
- :mod:`genshare.access` checks data-use conditions (GA4GH DUO) and access requests.
- :mod:`genshare.risk` is the pre-release risk check on a user's own table and genotypes.
- :mod:`genshare.formats` writes VCF/BGZF and SHA-256 manifests without importing the simulator.
- :mod:`genshare.deposit` prepares a dbGaP-style deposit (files, validation, manifests, encryption).
- :mod:`genshare.filekind` tells what a file holds from its first bytes.
- :mod:`genshare.claims` reads the dated policy claims in ``data/policy.csv``.

Teaching and assessment:

- :mod:`genshare.check` is the learners' setup check, ``python -m genshare.check``.
- :mod:`genshare.teaching` writes the learner edition (what every launch route opens) and the notebooks' setup cell.
- :mod:`genshare.myst` turns the lessons' MyST into plain Markdown for the learner edition.
- :mod:`genshare.glue` puts computed values into the prose, in every notebook frontend.
- :mod:`genshare.lesson` stops a lesson cleanly where its route cannot run the rest.
- :mod:`genshare.plotting` holds the colour-blind-safe palettes of every figure.
- :mod:`genshare.assignment` gives each learner a world of their own.
- :mod:`genshare.exercises` checks a learner's answer on their own world.
- :mod:`genshare.quiz` and :mod:`genshare.lms` give the checks for understanding, in HTML and for LMSs.
- :mod:`genshare.kit` builds the instructor's kit: schedules, notes, printable editions and slides.
- :mod:`genshare.challenge` scores the release challenge and keeps its scoreboard.
- :mod:`genshare.marking` marks a class's submissions; :mod:`genshare.sandbox` runs a
  submitted notebook in a kernel-enforced sandbox.

Everything the package generates is synthetic; no real person's data is used.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("genshare")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["__version__"]
