"""Where the module's data live."""

from __future__ import annotations

from pathlib import Path

#: Root of the project checkout (the folder holding ``_config.yml``).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The ``data/`` folder of the checkout.
DATA_DIR = PROJECT_ROOT / "data"
