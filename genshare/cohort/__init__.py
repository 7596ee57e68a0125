"""A synthetic world for the re-identification and de-identification lessons.

>>> from genshare.cohort import simulate_world, save_world, load_world

``simulate_world`` builds the world in memory from one seed; ``save_world`` writes it as
VCF, CSV and a compact ``.npz`` with a data package and checksums; ``load_world`` reads it
back and checks it. ``python -m genshare.cohort --seed N --out DIR`` does the same from
the command line. Everything is synthetic: no real person's data is used.
"""

from genshare.cohort.storage import WorldIntegrityError, load_world, save_world
from genshare.cohort.world import POPULATIONS, RELATIONSHIPS, STEPS, World, WorldState, simulate_world

__all__ = [
    "POPULATIONS",
    "RELATIONSHIPS",
    "STEPS",
    "World",
    "WorldState",
    "WorldIntegrityError",
    "load_world",
    "save_world",
    "simulate_world",
]
