"""Which packages the distribution contains (the rest of the metadata is in pyproject.toml).

Every subpackage of ``genshare`` is found by discovery, so a new one cannot be left out.
The top-level ``data/`` folder (catalogue, DUO terms, data-use table, default synthetic
world) stays where learners browse it and is mapped into the package at build time as
``genshare/data``, where :func:`genshare.paths.data_dir` finds it through
``importlib.resources`` once installed.
"""

from setuptools import find_packages, setup

DATA = {"genshare.data": "data", "genshare.data.synthetic": "data/synthetic"}

setup(
    packages=[*find_packages(include=["genshare", "genshare.*"]), *DATA],
    package_dir=DATA,
    package_data={
        "genshare.exercises": ["reasoning.json"],  # each exercise's "Why", for check()
        "genshare.data": ["*.csv", "*.json"],
        "genshare.data.synthetic": ["*.csv", "*.csv.gz", "*.json", "*.npz", "*.sha256", "*.md", "*.vcf", "*.vcf.gz"],
    },
    include_package_data=False,
)
