"""Where the module's data live, declared once.

Every loader asks this module for a location, so there is one place to change it:

- :func:`data_dir` is the folder holding the catalogue, the DUO terms, the data-use table
  and the default synthetic world;
- :func:`world_dir` is the synthetic world every lesson reads. It is the default world in
  :func:`data_dir` unless the environment variable ``GENSHARE_WORLD`` names another
  folder (a world written by ``python -m genshare.cohort --seed N --out FOLDER``). An
  instructor points every notebook at another world by setting that one variable.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DATA_DIR", "PROJECT_ROOT", "WORLD_ENV", "data_dir", "world_dir"]

#: Root of the project checkout (the folder holding ``_config.yml``).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The ``data/`` folder of the checkout.
DATA_DIR = PROJECT_ROOT / "data"

#: The environment variable that points the lessons at another synthetic world.
WORLD_ENV = "GENSHARE_WORLD"


def data_dir() -> Path:
    """The folder holding the module's data files (catalogue, DUO terms, default world)."""
    return DATA_DIR


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
