"""Every parameter of the synthetic world, declared once.

:data:`PARAMETERS` is the one definition of each parameter (name, default, type, range,
help text and command-line flag). Everything else is derived from it:
:data:`DEFAULTS`, :func:`validate_parameters` (type and range checks),
the command line of ``python -m genshare.cohort`` (:func:`add_arguments`), the parameter
list in :func:`genshare.cohort.simulate_world`'s docstring (:func:`docstring`) and the world
sizes of ``benchmarks/benchmark.py`` (:func:`scaled`). :data:`SIZES` names the few world
sizes that tests, doctests, the lite world's example and the benchmark share, so that a
"small world" is written once.

Examples
--------
>>> DEFAULTS["n_participants"], DEFAULTS["population_size"]
(1000, 38000)
>>> validate_parameters(1, n_snps=500)["n_snps"]
500
>>> scaled(2)["population_size"]
76000
>>> validate_parameters(7, **SIZES["tiny"])["n_participants"]
40
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

import numpy as np

from genshare._validation import check_integer, check_number
from genshare.cohort.demography import DEMOGRAPHIC_MODELS
from genshare.populations import POPULATIONS

__all__ = [
    "DEFAULTS",
    "PARAMETERS",
    "SIZES",
    "SIZE_PARAMETERS",
    "Parameter",
    "add_arguments",
    "docstring",
    "memory_needed",
    "quotas",
    "scaled",
    "validate_parameters",
]


@dataclass(frozen=True)
class Parameter:
    """One parameter of :func:`genshare.cohort.simulate_world`.

    ``kind`` is "integer", "probability" (a number in [0, 1], or up to ``maximum``),
    "choice" (one of ``choices``) or "shares" (population -> non-negative share);
    ``flag`` is the command-line option ("" when the parameter has none: ancestry);
    ``scales`` says whether the benchmark's 2x and 4x worlds scale it.
    """

    name: str
    default: Any
    kind: str
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    flag: str = ""
    scales: str = ""  # "people", "snps" or ""


PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "n_participants",
        1000,
        "integer",
        "people in the study cohort, drawn from living adults",
        2,
        flag="--participants",
        scales="people",
    ),
    Parameter(
        "n_snps",
        25_000,
        "integer",
        "SNPs genotyped, spread over n_chromosomes autosomes (25,000 keeps the committed "
        "world, with its true IBD and phase, within 25 MB)",
        1,
        flag="--snps",
        scales="snps",
    ),
    Parameter(
        "n_reference",
        500,
        "integer",
        "people in the reference panel (living adults of one ancestry each)",
        0,
        flag="--reference",
        scales="people",
    ),
    Parameter(
        "n_database",
        2000,
        "integer",
        "profiles in the consumer genealogy database, drawn from living adults",
        0,
        flag="--database",
        scales="people",
    ),
    Parameter(
        "n_relatives",
        0,
        "integer",
        "participants who are given a close relative (first cousin or closer) in the database on purpose, as when "
        "families test together; 0 makes the database a random sample of the population",
        0,
        flag="--relatives",
    ),
    Parameter(
        "population_size",
        38_000,
        "integer",
        "living adults wanted in Synthetica: sets the number of founders of the pedigree (the actual count is "
        "in world.metadata['n_living_adults'])",
        100,
        flag="--population",
        scales="people",
    ),
    Parameter(
        "tree_share",
        0.3,
        "probability",
        "share of database customers who publish a family tree",
        0.0,
        1.0,
        flag="--tree-share",
    ),
    Parameter(
        "ystr_share",
        0.1,
        "probability",
        "share of living adult men in the public Y-STR genealogy database",
        0.0,
        1.0,
        flag="--ystr-share",
    ),
    Parameter(
        "voter_coverage",
        0.9,
        "probability",
        "share of living adults on the voter roll",
        0.0,
        1.0,
        flag="--voter-coverage",
    ),
    Parameter("n_chromosomes", 22, "integer", "autosomes simulated", 1, flag="--chromosomes"),
    Parameter(
        "missing_rate",
        0.005,
        "probability",
        "share of genotype calls set missing (-1) in the cohort and database",
        0.0,
        0.5,
        flag="--missing-rate",
    ),
    Parameter(
        "phasing_switch_cm",
        15.0,
        "probability",
        "mean distance in cM between switch errors in the phase the world shows (world.haplotypes), as a "
        "genealogy service's statistical phasing leaves them (Eagle on 150,000 UK Biobank samples: perfect "
        "phase in most 10 Mb segments, so on average more than about 14 Mb between switches; Loh et al. "
        "2016). The same paper's switch error rate, about 3 in 1,000 heterozygous sites, would mean a switch "
        "every few cM at array density if switches were spread evenly; the two readings agree only if "
        "many switches come in close pairs (a single mis-phased site), which the world does not model: "
        "it follows the 10 Mb reading and has no single-site errors; 0 shows the true phase",
        0.0,
        1e6,
        flag="--phasing-switch-cm",
    ),
    Parameter(
        "model",
        "out_of_africa_3g09",
        "choice",
        "demographic model above the founders",
        choices=tuple(DEMOGRAPHIC_MODELS),
        flag="--model",
    ),
    Parameter(
        "ancestry",
        dict(zip(POPULATIONS, (0.25, 0.5, 0.25), strict=True)),
        "shares",
        "shares of the founders' populations; the cohort is recruited in these shares too",
    ),
)

#: Default value of every parameter, by name.
DEFAULTS: dict[str, Any] = {p.name: p.default for p in PARAMETERS}
_BY_NAME = {p.name: p for p in PARAMETERS}

#: Bytes of memory per genotyped person x SNP (haplotypes, dosages, work arrays) and per
#: person of the pedigree (its tables), plus the libraries themselves.
_BYTES_PER_GENOTYPE = 12
_BYTES_PER_PERSON = 3000
_PEOPLE_PER_LIVING_ADULT = 3.2
_BASE_BYTES = 300 * 2**20


def _physical_memory() -> int | None:
    """Bytes of physical memory on this machine, or None if the system does not say."""
    import os

    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def memory_needed(p: dict[str, Any]) -> int:
    """Rough peak memory, in bytes, of :func:`simulate_world` with validated parameters ``p``."""
    genotyped = p["n_participants"] + p["n_database"] + p["n_reference"]
    return (
        _BYTES_PER_GENOTYPE * genotyped * p["n_snps"]
        + int(_BYTES_PER_PERSON * _PEOPLE_PER_LIVING_ADULT * p["population_size"])
        + _BASE_BYTES
    )


#: The parameters a size preset sets.
SIZE_PARAMETERS = ("n_participants", "n_snps", "n_reference", "n_database", "n_relatives", "population_size")
#: Named world sizes, declared once: ``simulate_world(seed, **SIZES[name])``. Each gives
#: the people and SNP counts (every other parameter keeps its default):
#:
#: - ``"tiny"``: 40 participants and 300 SNPs in a population of 2,000; the smallest
#:   whole world, for unit tests and doctests of anything that needs one.
#: - ``"small"``: 300 participants and 1,500 SNPs in a population of 8,000; large enough
#:   for the exercises' answers, the challenge and the marking sandbox to be meaningful.
#: - ``"default"``: the committed world (:data:`DEFAULTS`).
#:
#: To change one number, merge it into a copy
#: (``simulate_world(1, **{**SIZES["small"], "population_size": 20_000})``).
SIZES: dict[str, dict[str, int]] = {
    "tiny": dict(zip(SIZE_PARAMETERS, (40, 300, 12, 60, 12, 2000), strict=True)),
    "small": dict(zip(SIZE_PARAMETERS, (300, 1500, 60, 150, 30, 8000), strict=True)),
    "default": {name: int(DEFAULTS[name]) for name in SIZE_PARAMETERS},
}


def validate_parameters(seed: Any, **params: Any) -> dict[str, Any]:
    """Check every parameter of :func:`simulate_world` and return them with defaults filled.

    Every parameter is checked for its type as well as its range (``voter_coverage="0.9"``,
    ``n_snps=1e4`` or ``ancestry=[0.5, 0.5]`` are refused, not converted), and the memory
    the world would need is compared with the machine's before anything is simulated.

    Raises
    ------
    ValueError
        Naming the parameter and saying why.
    """
    unknown = sorted(map(str, set(params) - set(DEFAULTS)))
    if unknown:
        raise ValueError(f"unknown parameter(s): {', '.join(unknown)}; known: {', '.join(DEFAULTS)}")
    p = {**DEFAULTS, **params}
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    reasons = {"n_participants": " (a cohort needs at least two people)", "n_snps": " (no SNPs to simulate)"}
    for spec in PARAMETERS:
        value = p[spec.name]
        if spec.kind == "integer":
            value = check_integer(value, spec.name)
            if spec.minimum is not None and value < spec.minimum:
                raise ValueError(
                    f"{spec.name} must be at least {spec.minimum:g}; got {value}{reasons.get(spec.name, '')}"
                )
        elif spec.kind == "probability":
            value = check_number(
                value,
                spec.name,
                minimum=spec.minimum,
                maximum=spec.maximum,
                high_open=spec.maximum is not None and spec.maximum < 1,
            )
        elif spec.kind == "choice":
            if not isinstance(value, str) or value not in spec.choices:
                raise ValueError(f"{spec.name} {value!r} is unknown; choose one of: {', '.join(spec.choices)}")
        elif spec.kind == "shares":
            if (
                not isinstance(value, dict)
                or not value
                or not all(isinstance(k, str) for k in value)
                or set(value) - set(POPULATIONS)
            ):
                raise ValueError(f"{spec.name} must map some of {', '.join(POPULATIONS)} to proportions; got {value!r}")
            shares = {k: check_number(v, f"{spec.name}[{k!r}]", minimum=0.0) for k, v in value.items()}
            if sum(shares.values()) <= 0:
                raise ValueError(f"{spec.name} proportions must be non-negative and not all zero; got {value!r}")
            # A fixed key order, so that the same proportions give the same world however written.
            value = {k: shares[k] for k in POPULATIONS if k in shares}
        p[spec.name] = value
    if p["n_relatives"] > p["n_participants"]:
        raise ValueError(
            f"n_relatives ({p['n_relatives']}) cannot exceed n_participants ({p['n_participants']}): "
            "more relatives than people"
        )
    if p["n_relatives"] > p["n_database"]:
        raise ValueError(
            f"n_relatives ({p['n_relatives']}) cannot exceed n_database ({p['n_database']}): "
            "more relatives than people in the genealogy database"
        )
    if p["n_chromosomes"] > p["n_snps"]:
        raise ValueError(f"n_chromosomes ({p['n_chromosomes']}) cannot exceed n_snps ({p['n_snps']})")
    sampled = p["n_participants"] + p["n_database"] + p["n_reference"]
    if p["population_size"] < 2 * sampled:
        raise ValueError(
            f"population_size ({p['population_size']}) must be at least twice the number of people sampled from it "
            f"({sampled}: participants, database profiles and reference panel), so that the samples are a small "
            "part of the population"
        )
    needed, available = memory_needed(p), _physical_memory()
    if available is not None and needed > available:
        raise ValueError(
            f"this world would need about {needed / 2**30:,.1f} GiB of memory (n_snps={p['n_snps']:,} SNPs for "
            f"{sampled:,} genotyped people, and population_size={p['population_size']:,} living adults) but this "
            f"machine has {available / 2**30:,.1f} GiB; choose smaller n_snps, n_participants, n_database, "
            "n_reference or population_size"
        )
    return p


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add one command-line option per parameter that has a flag (all but ``ancestry``)."""
    types = {"integer": int, "probability": float, "choice": str}
    for spec in PARAMETERS:
        if not spec.flag:
            continue
        parser.add_argument(
            spec.flag,
            dest=spec.name,
            type=types[spec.kind],
            default=spec.default,
            choices=spec.choices or None,
            help=f"{spec.help} (default %(default)s)",
        )


def docstring() -> str:
    """The numpy-style parameter list of :func:`simulate_world`, generated from :data:`PARAMETERS`."""
    lines = [
        "seed",
        "    Non-negative integer; the same seed and parameters (and the same pinned package",
        "    versions) give the same world.",
    ]
    for spec in PARAMETERS:
        default = (
            ", ".join(f"{k} {v:g}" for k, v in spec.default.items()) if spec.kind == "shares" else f"{spec.default!r}"
        )
        option = f" Command line: ``{spec.flag}``." if spec.flag else ""
        lines += [spec.name, f"    {spec.help[0].upper()}{spec.help[1:]} (default {default}).{option}"]
    return "\n".join(lines)


def scaled(factor: float, axis: str = "both") -> dict[str, Any]:
    """The default world's sizes with people (``axis="people"``), SNPs (``"snps"``) or both
    multiplied by ``factor``: the benchmark's 1x, 2x and 4x worlds."""
    out = {}
    for spec in PARAMETERS:
        if spec.scales and axis in ("both", spec.scales):
            out[spec.name] = int(round(spec.default * factor))
        elif spec.kind == "integer":
            out[spec.name] = spec.default
    return out


def quotas(total: int, shares: Any) -> np.ndarray:
    """Split a whole number ``total`` into whole parts proportional to ``shares``.

    Largest remainder: every part gets the floor of its exact share, and the units left
    over go to the parts with the largest fractional remainders (the later part on a
    tie). Used to split the cohort over the ancestry shares, the reference panel over
    the populations and the SNPs over chromosomes and blocks.

    Parameters
    ----------
    total
        The whole number to split (non-negative).
    shares
        Non-negative weights, not all zero; they need not sum to 1.

    Returns
    -------
    numpy.ndarray
        ``int64`` parts, one per share, summing to ``total``.

    Examples
    --------
    >>> quotas(10, [0.25, 0.5, 0.25]).tolist()
    [2, 5, 3]
    >>> quotas(500, np.ones(3)).tolist()
    [166, 167, 167]
    """
    raw = total * np.asarray(shares, dtype=float) / np.sum(shares)
    parts = np.floor(raw).astype(np.int64)
    parts[np.argsort(raw - parts, kind="stable")[::-1][: total - parts.sum()]] += 1
    return parts
