"""Where the module's data live, declared once.

Every loader asks this module for a location, so there is one place to change it:

- :func:`data_dir` is the folder holding the catalogue, the DUO terms, the data-use table
  and the default synthetic world;
- :func:`world_dir` is the synthetic world every lesson reads. It is the default world in
  :func:`data_dir` unless the environment variable ``GENSHARE_WORLD`` names another
  folder (a world written by ``python -m genshare.cohort --seed N --out FOLDER``). An
  instructor points every notebook at another world by setting that one variable.

The data are found in one of two places. In a source checkout (a clone, an editable
install, or ``PYTHONPATH`` pointing at the checkout) they are the checkout's top-level
``data/`` folder, which is where learners browse them. In an installed package (``pip
install .``, a wheel, ``pip install git+https://...`` on Colab) the build maps that same
folder into the package as ``genshare/data``, and it is found through
:mod:`importlib.resources`.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = ["PROJECT_ROOT", "WORLD_ENV", "data_dir", "in_checkout", "world_dir"]

#: The folder above the ``genshare`` package: the project checkout (holding ``_config.yml``)
#: when run from source, the ``site-packages`` folder when installed.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The environment variable that points the lessons at another synthetic world.
WORLD_ENV = "GENSHARE_WORLD"


def in_checkout() -> bool:
    """Whether ``genshare`` is imported from a source checkout (with its ``data/`` beside it)."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "data" / "datapackage.json").is_file()


def data_dir() -> Path:
    """The folder holding the module's data files (catalogue, DUO terms, default world).

    The checkout's ``data/`` when run from source, else the ``genshare/data`` folder that
    the build put into the installed package.

    Raises
    ------
    FileNotFoundError
        If neither exists (an installed package built without its data).

    Examples
    --------
    >>> (data_dir() / "repositories.csv").is_file()
    True
    """
    if in_checkout():
        return PROJECT_ROOT / "data"
    installed = resources.files("genshare") / "data"
    if not isinstance(installed, Path) or not installed.is_dir():
        raise FileNotFoundError(
            f"genshare's data folder is missing from the installed package ({installed}); "
            "reinstall it with `pip install --force-reinstall genshare` (or from the repository), "
            "or run from a checkout of the module"
        )
    return installed


def world_dir() -> Path:
    """The synthetic world the lessons read: ``$GENSHARE_WORLD`` if set, else the default world.

    Examples
    --------
    >>> world_dir().name  # doctest: +SKIP
    'synthetic'
    """
    chosen = os.environ.get(WORLD_ENV, "").strip()
    if chosen:
        return Path(chosen).expanduser()
    return data_dir() / "synthetic"
