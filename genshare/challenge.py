"""The release challenge: prepare a release and let the module's attacks score it, or attack one.

Two roles, both on the learner's own world (:func:`genshare.cohort.load_world`):

*Steward*. The learner builds a :class:`Release` from their world: a de-identified clinical
table, allele frequencies of the study's pool (summary statistics) or a beacon over it,
with their choice of generalisation, suppression, noise or access tier. :func:`score_release`
runs every attack the module teaches that applies to that kind of release and returns a
:class:`Scoreboard`:

- clinical table: linkage to the voter roll (:mod:`genshare.attacks.linkage`, Sweeney
  2000) on every quasi-identifier the table keeps, at whatever granularity it keeps it;
  utility is the count of type 2 diabetes cases by ZIP3 region, compared with the truth;
- frequencies: likelihood-ratio membership inference (:mod:`genshare.attacks.membership`,
  Sankararaman et al. 2009) of the pool's members against non-members of the same
  population, as a ROC AUC; utility is the share of the top association signals
  (allelic chi-square of cases against controls) still among the release's top signals;
- beacon: the beacon attack (:mod:`genshare.attacks.beacon`, Shringarpure & Bustamante
  2015), as a ROC AUC, the worse of two attackers (one asks each person's rarest alleles
  the reference saw, the other those it never saw first); utility is the share of SNPs
  answered truthfully.

*Attacker*. :func:`make_release` gives the learner a release made from their world (a
clinical table with shuffled record ids, or frequencies / a beacon plus candidates whose
genotypes the attacker holds); :func:`score_attack` scores their guesses against the truth.

Fail closed: a release the scorer cannot evaluate (a column it does not know how to
attack, released genotypes) gets a scoreboard with ``evaluated=False`` and the reason, and
never counts as passing. Malformed input raises ``ValueError`` naming the field.

The scorer does not trust column names. It attacks each column as what its name says, so
it first checks that the content is that: every kept cell of a clinical release must be
its row's true value, or a generalisation of it in the forms above (a ZIP prefix; the
month, year or a band of years holding the date of birth; ``bmi`` rounded to one decimal
or a whole number). A release that hides quasi-identifiers under an attribute's name
(ZIP code, date of birth and sex in ``bmi``), shifts every date of birth by a day, or adds
noise to a quasi-identifier is therefore *not evaluated* (never "0 re-identified"): the
module's attacks cannot measure what such values still reveal, so the challenge does not
score them. Each column must also be written one way in every row: one generalisation
level (the same ZIP prefix length, date level or band, ``bmi`` rounding) and one spelling
(of a value and of a suppressed cell), or suppressed in every row; rows are dropped
rather than single cells suppressed. That is the global recoding with record
suppression :func:`genshare.deidentify.anonymity.generalize` makes, and it leaves no
choice made row by row (several bits a row) in which a release could hide data the
attacks do not read. A saved release has one form for one content too (see below: rows
in one order, one spelling per number, one CSV layout). What is left: which rows are
dropped (at most one bit a row, about people who are then not in the release), which
SNPs a summary release keeps (only by a cutoff of the reference panel's minor allele
frequency, so one number), and, for frequencies and beacons, whatever noise a steward
adds, which the scorer measures by its attacks but cannot tell from data hidden in it. A
beacon's ``beacon.csv`` describes the service to the scorer and is never published: its
access tier (``max_queries``, at least 1) limits what one user may ask.

Membership and beacon AUCs are reported and ranked as max(AUC, 1 - AUC): an attack whose
statistic ranks members *below* non-members reveals as much, read the other way round.

The workshop's scoreboard (:func:`append_to_scoreboard`, :func:`read_scoreboard`) is
created in one step with its header and appended under a lock, so teams may append at the
same time; only results made by the scorer are added, each row is signed with a key
(HMAC-SHA256), and a row typed or edited by hand is refused when the board is read.

The pool of every summary-statistics release is fixed by the world: the cases of the
cohort's most common population; its controls are the non-members and the reference
panel of that population gives the attacker's population frequencies (as in notebooks 06
and 08).

A saved release (for marking)
----------------------------
:func:`save_release` writes a steward's release to a folder and :func:`load_release` reads
it back; :func:`scoreboard_row` scores the release a learner handed in, and the marker
(:mod:`genshare.marking`) calls it for a submission's ``challenge/`` folder. The folder
holds exactly one release file, plain UTF-8 CSV read as data (never executed), written
as :func:`save_release` writes it and refused otherwise, so that nothing but the content
can carry data: quotes only where a value needs them, LF line ends, no blank lines or
byte-order mark, at most :data:`MAX_COLUMNS` columns; rows sorted (a clinical table by its
released values and then by row, the others by ``snp_id``); numbers in one spelling. Last,
:func:`load_release` writes the content it read back as text, as :func:`save_release` would,
and refuses a file that differs from it in any byte:

- ``clinical.csv``: a first column ``row`` (the row's index in ``World.clinical``, an
  integer in ASCII digits without leading zeros), then the released columns as text; a
  suppressed column is empty or ``*`` in every row;
- ``frequencies.csv``: columns ``snp_id,frequency``, each frequency as Python writes the
  float (``0.25``, ``1e-05``); an empty frequency is a suppressed SNP;
- ``beacon.csv``: columns ``snp_id,answer`` with ``yes`` or ``no`` (or ``true``/``false``,
  or ``1``/``0``, one pair for the whole file); an optional ``release.json`` ``{"max_queries": 50}`` sets the
  access tier.

Fail closed: a folder with no release file or several, a symbolic link, a file larger than
:data:`MAX_RELEASE_BYTES`, or a file that cannot be read gives a row that says why, with
``evaluated`` 0 and no score, never a pass.

Examples
--------
>>> from genshare.cohort import load_world
>>> world = load_world()                                          # doctest: +SKIP
>>> release = Release("clinical", table=world.clinical[["zip5", "sex", "diagnosis"]])  # doctest: +SKIP
>>> print(score_release(world, release))                          # doctest: +SKIP
"""

from __future__ import annotations

import csv
import errno
import hashlib
import hmac
import io
import json
import math
import os
import secrets
import stat
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from os import PathLike
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from genshare._validation import check_choice, check_integer, check_number
from genshare.attacks.beacon import Beacon, beacon_attack
from genshare.attacks.membership import lr_membership_statistic, roc_curve
from genshare.popgen import allele_frequencies, allelic_chi2

try:
    import fcntl
except ImportError:  # not on every platform (Windows, some browsers' Python): appends are then unlocked
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "ATTACK_KINDS",
    "MAX_COLUMNS",
    "MAX_QUERIES",
    "DIRECT_IDENTIFIERS",
    "KINDS",
    "QUASI_IDENTIFIERS",
    "Release",
    "Rules",
    "SCOREBOARD_COLUMNS",
    "AttackScore",
    "Scoreboard",
    "MAX_RELEASE_BYTES",
    "RELEASE_FILES",
    "append_to_scoreboard",
    "load_release",
    "make_release",
    "merge_scoreboards",
    "rank_scoreboard",
    "read_scoreboard",
    "release_harm",
    "save_release",
    "scoreboard_row",
    "score_attack",
    "score_release",
    "study_pool",
]

#: Largest per-user query limit a beacon may state (a limit is a few digits, not a place to keep data).
MAX_QUERIES = 10_000
#: Kinds of release a steward may submit. ``genotypes`` is known but never evaluated (fail closed).
KINDS = ("clinical", "frequencies", "beacon", "genotypes")
#: Kinds of release :func:`make_release` hands to an attacker.
ATTACK_KINDS = ("clinical", "frequencies", "beacon")
#: Columns of ``World.clinical`` that identify a person by themselves.
DIRECT_IDENTIFIERS = ("participant_id", "medical_record_number", "name", "street_address", "phone", "email")
#: Quasi-identifiers the linkage attack uses, each also derivable from the voter roll.
QUASI_IDENTIFIERS = ("zip5", "zip3", "date_of_birth", "birth_year", "sex")
#: Columns the attacks cannot use against the voter roll and that the scorer accepts as released attributes.
ATTRIBUTES = ("diagnosis", "comorbidity", "bmi", "state")
#: The diagnosis whose counts by region are the clinical release's utility.
COUNTED_DIAGNOSIS = "type 2 diabetes"
#: How a suppressed cell may be written: empty, one to five stars, or what Python, numpy and pandas
#: print for a missing value (exactly, so that a true value such as the comorbidity "none" stays a value).
_SUPPRESSED = {"", "*", "nan", "None", "<NA>", "NaT"}
#: The widths a band of birth years may have; it must start on a multiple of its width.
BAND_WIDTHS = (2, 5, 10, 20, 25, 50, 100)


@dataclass(frozen=True)
class Rules:
    """The challenge's fixed parameters (stated in the notebook; an instructor may change them).

    Attributes
    ----------
    region_tolerance
        Clinical utility: the share of true cases that must be counted in the right ZIP3
        region (1 minus the summed absolute count errors over the true total).
    top_signals, signals_required
        Frequencies utility: how many top association signals are compared, and the share
        of them the release must keep among its own top signals.
    beacon_queries, beacon_required
        Beacon: queries per person the attacker makes (at most the release's
        ``max_queries``), and the share of SNPs the beacon must answer truthfully.
    """

    region_tolerance: float = 0.9
    top_signals: int = 20
    signals_required: float = 0.5
    beacon_queries: int = 100
    beacon_required: float = 0.8

    def __post_init__(self) -> None:
        check_number(self.region_tolerance, "rules.region_tolerance", minimum=0.0, maximum=1.0)
        check_integer(self.top_signals, "rules.top_signals", minimum=1)
        check_number(self.signals_required, "rules.signals_required", minimum=0.0, maximum=1.0)
        check_integer(self.beacon_queries, "rules.beacon_queries", minimum=1)
        check_number(self.beacon_required, "rules.beacon_required", minimum=0.0, maximum=1.0)


@dataclass(frozen=True, eq=False)
class Release:
    """One release, as a steward submits it or as :func:`make_release` hands it out.

    Parameters
    ----------
    kind
        One of :data:`KINDS`.
    table
        ``clinical``: the released table, one row per participant. Its index must be the
        index of the row in ``World.clinical`` (keep it when you drop or coarsen columns;
        the scorer uses it as the truth, an attacker never sees it). Rows may be dropped
        and columns generalised or suppressed (missing or ``"*"``), each column one way
        in every row. Generalised values are read in the forms
        :mod:`genshare.deidentify.anonymity` writes: ``"3963*"``, ``"396**"``,
        ``"1993-01"``, ``"1993"``, ``"1990-1994"``.
    frequencies
        ``frequencies``: alternate-allele frequencies of the pool, a Series indexed by
        ``snp_id``; SNPs left out or NaN are suppressed.
    answers
        ``beacon``: the beacon's yes/no answer per ``snp_id`` (a boolean Series); SNPs
        left out are not answered.
    max_queries
        ``beacon`` access tier: the most queries one user may make (None: no limit).
    genotypes
        ``genotypes``: released genotypes (never evaluated, see the module docstring).
    candidates, candidate_genotypes
        Set by :func:`make_release` for membership challenges: ``candidate_id`` per row
        and the genotypes (candidates x SNPs, the world's SNPs in order) the attacker holds.
    pool_size
        ``beacon``: how many people the beacon covers (set by :func:`make_release`; a
        steward's beacon covers the study's pool, :func:`study_pool`).
    seed
        Set by :func:`make_release`; :func:`score_attack` rebuilds the truth from it.
    """

    kind: str
    table: pd.DataFrame | None = None
    frequencies: pd.Series | None = None
    answers: pd.Series | None = None
    max_queries: int | None = None
    genotypes: np.ndarray | None = None
    candidates: pd.DataFrame | None = None
    candidate_genotypes: np.ndarray | None = field(default=None, repr=False)
    pool_size: int | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        check_choice(self.kind, "release.kind", KINDS)
        needed = {"clinical": "table", "frequencies": "frequencies", "beacon": "answers", "genotypes": "genotypes"}[
            self.kind
        ]
        if getattr(self, needed) is None:
            raise ValueError(f"release.{needed} is required for a {self.kind!r} release")
        if self.table is not None and not isinstance(self.table, pd.DataFrame):
            raise ValueError(f"release.table must be a pandas DataFrame; got {type(self.table).__name__}")
        for name in ("frequencies", "answers"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, pd.Series):
                raise ValueError(
                    f"release.{name} must be a pandas Series indexed by snp_id; got {type(value).__name__}"
                )
        # A release carries its own kind's content only: anything else would travel with it unscored.
        own = {
            "clinical": {"table"},
            "frequencies": {"frequencies"},
            "beacon": {"answers", "max_queries"},
            "genotypes": {"genotypes"},
        }[self.kind]
        if self.kind in ("frequencies", "beacon"):
            own |= {"candidates", "candidate_genotypes", "pool_size"}  # set by make_release for an attacker
        stray = [
            name
            for name in (
                "table",
                "frequencies",
                "answers",
                "max_queries",
                "genotypes",
                "candidates",
                "candidate_genotypes",
                "pool_size",
            )
            if name not in own and getattr(self, name) is not None
        ]
        if stray:
            raise ValueError(
                f"a {self.kind!r} release carries only {', '.join(sorted(own))}; got {', '.join(stray)} too"
            )
        if self.max_queries is not None:
            check_integer(self.max_queries, "release.max_queries", minimum=0, maximum=MAX_QUERIES)
        if self.pool_size is not None:
            check_integer(self.pool_size, "release.pool_size", minimum=1)

    def beacon(self) -> Beacon:
        """The beacon this release describes, as a :class:`genshare.attacks.Beacon` over its answered SNPs.

        The beacon's size is ``pool_size``: a one-row matrix carries the answers and the
        other rows are empty, so that :func:`genshare.attacks.beacon_lrt` sees the right
        ``n_beacon``. SNP ``j`` of the beacon is ``answers.index[j]``.
        """
        if self.kind != "beacon" or self.pool_size is None:
            raise ValueError("release.pool_size is needed to build a beacon (only a 'beacon' release has one)")
        return _answers_beacon(cast(pd.Series, self.answers).to_numpy(dtype=bool), self.pool_size)


@dataclass(frozen=True)
class Scoreboard:
    """What the attacks achieved against one release, and the utility it kept.

    ``evaluated`` is False when the scorer could not judge the release (``note`` says
    why); such a release never passes. AUCs are ROC areas, reported as max(AUC, 1 - AUC)
    (0.5 is guessing, 1 certain; an attack that ranks members below non-members is read the
    other way round, as an attacker would); None where the attack does not apply.
    """

    kind: str
    evaluated: bool
    records_released: int
    people_reidentified: int
    membership_auc: float | None
    beacon_auc: float | None
    utility: float
    utility_required: float
    note: str = ""
    _seal: str = field(default="", compare=False, repr=False)

    @property
    def utility_met(self) -> bool:
        """Whether the release kept the utility the rules require (False if not evaluated)."""
        return bool(self.evaluated and self.utility >= self.utility_required)

    def to_frame(self) -> pd.DataFrame:
        """The scoreboard as a two-column table (measure, value), for display."""
        rows = {
            "release": self.kind,
            "evaluated": "yes" if self.evaluated else f"NO: {self.note}",
            "records (rows or SNPs) released": self.records_released,
            "people re-identified": self.people_reidentified if self.evaluated else "not evaluated",
            "membership-inference power (AUC)": _show(self.membership_auc),
            "beacon exposure (AUC)": _show(self.beacon_auc),
            "utility kept": f"{self.utility:.3f} (required {self.utility_required:.2f})",
            "utility requirement met": "yes" if self.utility_met else "no",
        }
        return pd.DataFrame({"measure": list(rows), "value": [str(v) for v in rows.values()]})

    def __str__(self) -> str:
        return self.to_frame().to_string(index=False)


#: Seals the results this process's scorer made (a hand-built Scoreboard has no valid seal).
_PROCESS_KEY = secrets.token_bytes(32)


def _result_digest(result: Any) -> str:
    values = [(f.name, getattr(result, f.name)) for f in fields(result) if f.name != "_seal"]
    return hmac.new(_PROCESS_KEY, repr((type(result).__name__, values)).encode("utf-8"), hashlib.sha256).hexdigest()


def _sealed(result: Any) -> Any:
    object.__setattr__(result, "_seal", _result_digest(result))
    return result


def _is_sealed(result: Any) -> bool:
    return hmac.compare_digest(str(getattr(result, "_seal", "")), _result_digest(result))


def _show(value: float | None) -> str:
    return "does not apply" if value is None else f"{value:.3f}"


# --------------------------------------------------------------------------------------
# The study's pool (the people behind every summary-statistics release)
# --------------------------------------------------------------------------------------


def study_pool(world: Any) -> dict[str, Any]:
    """Members, non-members and the attacker's reference frequencies for summary releases.

    Returns a dict: ``population`` (the cohort's most common one), ``members`` and
    ``non_members`` (row indices into ``world.cohort``: its cases and its controls),
    ``reference_freqs`` (alternate-allele frequencies of the reference panel of that
    population, missing calls skipped; shape (SNPs,)), ``reference_size`` (people in
    that panel) and ``outsiders`` (row indices into ``world.database``: people of that
    population who are not in the study, at most as many as the controls).

    A summary release is attacked twice, with the controls and with the outsiders as the
    non-members, and the stronger attack is reported: a release that mixes the controls
    into the pool (so that members and controls look alike) still separates members from
    the population outside the study.
    """
    cohort = world.cohort
    population = cohort["population"].value_counts().sort_index().idxmax()
    in_population = cohort["population"].to_numpy() == population
    case = cohort["status"].to_numpy() == "case"
    members = np.flatnonzero(in_population & case)
    non_members = np.flatnonzero(in_population & ~case)
    panel = world.reference["population"].to_numpy() == population
    if members.size < 2 or non_members.size < 2 or panel.sum() < 2:
        raise ValueError(f"the world has too few {population} cases, controls or reference samples for the challenge")
    reference = np.nan_to_num(allele_frequencies(world.reference_genotypes[panel], missing="skip"), nan=0.0)
    # Outsiders: people of the same population outside the study (genealogy-database profiles
    # of people who are not participants), as many as the controls, in profile order.
    origin = world.people.set_index("person_id")["population"]
    database = world.database
    outside = (database["person_id"].map(origin).to_numpy() == population) & ~database["person_id"].isin(
        cohort["person_id"]
    ).to_numpy()
    outsiders = np.flatnonzero(outside)[: non_members.size]
    return {
        "population": population,
        "members": members,
        "non_members": non_members,
        "reference_freqs": reference,
        "reference_size": int(panel.sum()),
        "outsiders": outsiders,
    }


# --------------------------------------------------------------------------------------
# Steward: scoring a release
# --------------------------------------------------------------------------------------


def score_release(world: Any, release: Release, rules: Rules | None = None) -> Scoreboard:
    """Run every attack that applies to ``release`` on ``world`` and return the scoreboard.

    Parameters
    ----------
    world
        The learner's :class:`genshare.cohort.World`.
    release
        A :class:`Release` of kind ``clinical``, ``frequencies``, ``beacon`` (scored) or
        ``genotypes`` (reported as not evaluated).
    rules
        The challenge's parameters (:class:`Rules` defaults if None).

    Raises
    ------
    ValueError
        If the release is malformed (the message names the field, row or SNP).

    Examples
    --------
    >>> board = score_release(world, Release("clinical", table=world.clinical[["sex"]]))  # doctest: +SKIP
    >>> board.people_reidentified                                                        # doctest: +SKIP
    0
    """
    rules = Rules() if rules is None else rules
    if not isinstance(rules, Rules):
        raise ValueError(f"rules must be a Rules; got {type(rules).__name__}")
    if not isinstance(release, Release):
        raise ValueError(f"release must be a genshare.challenge.Release; got {type(release).__name__}")
    release = _as_published(release)
    if release.kind == "clinical":
        return _sealed(_score_clinical(world, release.table, rules))
    if release.kind == "frequencies":
        return _sealed(_score_frequencies(world, release.frequencies, rules))
    if release.kind == "beacon":
        return _sealed(_score_beacon(world, release, rules))
    return _sealed(
        Scoreboard(
            "genotypes",
            False,
            int(np.shape(cast(np.ndarray, release.genotypes))[0])
            if np.ndim(cast(np.ndarray, release.genotypes))
            else 0,
            0,
            None,
            None,
            0.0,
            1.0,
            note="released genotypes are not scored by this challenge: every genotype row is a fingerprint "
            "(notebook 03) and a link to relatives (notebook 04); treat such a release as re-identifying everyone",
        )
    )


def _as_published(release: Release) -> Release:
    """``release`` as it would be published: written with :func:`save_release` and read back
    with :func:`load_release`.

    The scorer scores this, never the Python object handed in, so that nothing the file
    would not carry (which kind of missing value a cell holds, the order of rows, unused
    categories, ``DataFrame.attrs``, integer or float row labels) can carry hidden data or
    change a score. A ``genotypes`` release is never saved or scored and is returned as is.
    """
    if release.kind not in RELEASE_FILES:
        return release
    with tempfile.TemporaryDirectory(prefix="genshare-release-") as folder:
        save_release(release, folder)
        try:
            return load_release(folder)
        except ValueError as error:
            raise ValueError(f"the release as save_release writes it: {error}") from None


def _not_evaluated(kind: str, records: int, required: float, note: str) -> Scoreboard:
    return Scoreboard(kind, False, records, 0, None, None, 0.0, required, note=note)


# --- clinical tables ---------------------------------------------------------------------


def _suppressed(values: pd.Series) -> np.ndarray:
    """Cells that are suppressed: empty, a missing value (or how one prints), or only ASCII stars.

    Only ASCII spaces and tabs around the token are ignored. A cell that merely *ends* in a
    star, or hides other characters (Unicode spaces can carry data) is not a suppression:
    it is read as a value, which must then be the row's true value or a generalisation of it.
    """
    text = values.astype(str).str.strip(" \t")
    return (values.isna() | text.isin(_SUPPRESSED) | text.str.fullmatch(r"\*{1,5}")).to_numpy()


def _zip_levels(values: pd.Series, column: str, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Each value's known prefix and its length (0 if suppressed); ``width`` is 5 (zip5) or 3 (zip3)."""
    text = values.astype(str).str.strip()
    gone = _suppressed(values)
    prefix = text.str.rstrip("*")
    good = (prefix.str.fullmatch(r"[0-9]*") & (text.str.len() == width)).to_numpy() | gone
    # zip3 may also be written with its two stars for the dropped digits ("396**").
    if width == 3:
        good |= (prefix.str.fullmatch(r"[0-9]{1,3}") & (text.str.len() == 5)).to_numpy()
    bad = np.flatnonzero(~good)
    if bad.size:
        raise ValueError(
            f"release.table column {column!r}, row {values.index[bad[0]]!r}: cannot read {text.iloc[bad[0]]!r} "
            f"as a ZIP code (digits, then '*' for generalised digits)"
        )
    prefix = prefix.where(~gone, "")
    return prefix.to_numpy(dtype=object), prefix.str.len().to_numpy(dtype=np.int64)


def _date_keys(values: pd.Series, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Each value's level (``day``, ``month``, ``year``, ``band:<start mod width>:<width>``, ``""``) and key."""
    if pd.api.types.is_datetime64_any_dtype(values):
        # A date is a day: a time of day or a time zone would be data the file does not keep.
        timed = values.notna() & ((values != values.dt.normalize()) | (values.dt.tz is not None))
        if timed.any():
            i = int(np.flatnonzero(timed.to_numpy())[0])
            raise ValueError(
                f"release.table column {column!r}, row {values.index[i]!r}: {values.iloc[i]} has a time of day "
                "or a time zone; release the date only (e.g. .dt.normalize(), .dt.tz_localize(None))"
            )
        text = values.dt.strftime("%Y-%m-%d").where(values.notna(), "")
    elif pd.api.types.is_integer_dtype(values) or pd.api.types.is_float_dtype(values):
        numbers = pd.to_numeric(values)
        fractional = (numbers % 1 != 0) & numbers.notna()
        if fractional.any():
            raise ValueError(
                f"release.table column {column!r}, row {values.index[fractional.to_numpy()][0]!r}: "
                "a year must be a whole number"
            )
        text = numbers.astype("Int64").astype(str).where(numbers.notna(), "")
    else:
        text = values.astype(str).str.strip()
    text = text.astype(object).astype(str)
    gone = _suppressed(values) | (text == "").to_numpy()
    dob = column == "date_of_birth"
    day = text.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").to_numpy() & dob
    month = text.str.fullmatch(r"[0-9]{4}-[0-9]{2}").to_numpy() & dob
    year = text.str.fullmatch(r"[0-9]{4}").to_numpy()
    band = text.str.extract(r"^([0-9]{4})-([0-9]{4})$")
    start = pd.to_numeric(band[0]).to_numpy()
    width = pd.to_numeric(band[1]).to_numpy() - start + 1
    # A band is one of a few widths, aligned on its width (1950-1959, not 1947-1956): where a
    # free band starts could carry hidden data (several bits a row), an aligned one cannot.
    whole = np.nan_to_num(width).astype(np.int64)
    is_band = (
        ~np.isnan(width)
        & np.isin(whole, BAND_WIDTHS)
        & (np.nan_to_num(start).astype(np.int64) % np.where(whole > 0, whole, 1) == 0)
    )
    readable = gone | day | month | year | is_band
    if not readable.all():
        i = int(np.flatnonzero(~readable)[0])
        raise ValueError(
            f"release.table column {column!r}, row {values.index[i]!r}: cannot read {text.iloc[i]!r} as "
            "a date of birth or birth year (YYYY-MM-DD, YYYY-MM, YYYY, a band YYYY-YYYY of "
            f"{', '.join(map(str, BAND_WIDTHS))} years starting on a multiple of its width, or '*')"
        )
    safe_width = np.where(is_band, width, 1).astype(np.int64)
    band_level = np.char.add(
        np.char.add("band:", (np.where(is_band, start, 0).astype(np.int64) % safe_width).astype(str)),
        np.char.add(":", safe_width.astype(str)),
    )
    levels = np.select([gone, day, month, year, is_band], ["", "day", "month", "year", band_level], default="")
    keys = np.where(gone, "", text.to_numpy(dtype=str))
    return levels.astype(object), keys.astype(object)


def _roll_date_key(dob: pd.Series, level: str) -> np.ndarray:
    year = dob.dt.year.to_numpy()
    if level == "day":
        return dob.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    if level == "month":
        return dob.dt.strftime("%Y-%m").to_numpy(dtype=object)
    if level == "year":
        return year.astype(str).astype(object)
    _, offset, width = level.split(":")
    start = (year - int(offset)) // int(width) * int(width) + int(offset)
    return np.char.add(np.char.add(start.astype(str), "-"), (start + int(width) - 1).astype(str)).astype(object)


def _clinical_truth(world: Any, index: pd.Index) -> np.ndarray:
    """The voter id of each clinical row in ``index`` ("" if the person is not on the roll)."""
    person = world.cohort.set_index("participant_id")["person_id"]
    voter = world.people.set_index("person_id")["voter_id"]
    ids = world.clinical.loc[index, "participant_id"].map(person).map(voter)
    return ids.fillna("").astype(str).to_numpy(dtype=object)


def _join(columns: list[np.ndarray], separator: str) -> pd.Series:
    """Row-wise join of equal-length string arrays (vectorised by pandas)."""
    first = pd.Series(np.asarray(columns[0], dtype=object)).astype(str)
    return (
        first.str.cat([pd.Series(np.asarray(c, dtype=object)).astype(str) for c in columns[1:]], sep=separator)
        if len(columns) > 1
        else first
    )


def _link(table: pd.DataFrame, roll: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """For each row: how many voters share its known quasi-identifiers, and the voter id when exactly one does.

    Each row is matched at its own granularity (rows are grouped by which columns they
    keep and how finely; each group is one vectorised join).
    """
    parts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for column in columns:
        if column in ("zip5", "zip3"):
            prefix, length = _zip_levels(table[column], column, 5 if column == "zip5" else 3)
            parts[column] = (length.astype(str).astype(object), prefix)
        elif column in ("date_of_birth", "birth_year"):
            parts[column] = _date_keys(table[column], column)
        else:  # sex
            gone = _suppressed(table[column])
            values = table[column].astype(str).str.strip().to_numpy(dtype=object)
            bad = np.flatnonzero(~gone & ~np.isin(values, ["F", "M"]))
            if bad.size:
                raise ValueError(
                    f"release.table column 'sex', row {table.index[bad[0]]!r}: expected 'F', 'M' or '*'; "
                    f"got {values[bad[0]]!r}"
                )
            parts[column] = (np.where(gone, "", "1").astype(object), np.where(gone, "", values).astype(object))
    n = len(table)
    candidates = np.full(n, len(roll), dtype=np.int64)
    matched = np.full(n, "", dtype=object)
    if not columns or n == 0:
        return candidates, matched
    pattern = _join([parts[c][0] for c in columns], "|")
    for level_key, rows in pattern.groupby(pattern, sort=True).groups.items():
        rows = np.asarray(rows)
        levels = level_key.split("|")
        release_keys, roll_keys = [], []
        for column, level in zip(columns, levels, strict=True):
            if level in ("", "0"):
                continue  # suppressed: no constraint
            release_keys.append(parts[column][1][rows].astype(str))
            if column in ("zip5", "zip3"):
                roll_keys.append(roll["zip5"].str[: int(level)].to_numpy(dtype=str))
            elif column in ("date_of_birth", "birth_year"):
                roll_keys.append(_roll_date_key(roll["date_of_birth"], level).astype(str))
            else:
                roll_keys.append(roll["sex"].to_numpy(dtype=str))
        if not release_keys:
            continue  # every quasi-identifier suppressed: the whole roll matches
        release_key = _join(release_keys, "\x1f")
        roll_key = _join(roll_keys, "\x1f")
        counts = roll_key.value_counts()
        first = pd.Series(roll["voter_id"].to_numpy(dtype=object), index=roll_key.to_numpy()).groupby(level=0).first()
        candidates[rows] = release_key.map(counts).fillna(0).astype(np.int64).to_numpy()
        unique = candidates[rows] == 1
        matched[rows[unique]] = release_key[unique].map(first).to_numpy(dtype=object)
    return candidates, matched


def _excerpt(value: Any, limit: int = 30) -> str:
    text = "".join(c if c.isprintable() else "?" for c in str(value))
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _schemes(values: pd.Series, column: str) -> np.ndarray:
    """How each cell of ``values`` is written: its generalisation level and its spelling, as a short phrase.

    A column of a release must be written one way in every row (:func:`_mixed_scheme`);
    this names the way. Cells the column's reader cannot parse raise ``ValueError`` (from
    :func:`_zip_levels` and :func:`_date_keys`).
    """
    text = values.astype(str)
    missing = values.isna().to_numpy()
    gone = _suppressed(values)
    # The whole spelling is compared (repr, so spaces and tabs show); messages shorten it later.
    spelled = np.where(missing, "a missing value", text.map(repr).to_numpy(dtype=object))
    schemes = np.full(len(values), "its value", dtype=object)
    if column in ("zip5", "zip3"):
        prefix, length = _zip_levels(values, column, 5 if column == "zip5" else 3)
        width = text.str.len().to_numpy()
        schemes = np.char.add(
            np.char.add("a ZIP prefix of ", length.astype(str)),
            np.char.add(" digit(s) in ", np.char.add(width.astype(str), " characters")),
        ).astype(object)
    elif column in ("date_of_birth", "birth_year"):
        levels, _ = _date_keys(values, column)
        schemes = np.char.add("a date at level ", levels.astype(str)).astype(object)
    elif column == "bmi":
        whole = text.str.fullmatch(r"0|[1-9][0-9]*").to_numpy()
        tenth = text.str.fullmatch(r"(0|[1-9][0-9]*)\.[0-9]").to_numpy()
        schemes = np.select(
            [whole, tenth], ["a whole number", "a number with one decimal"], default="another numeral"
        ).astype(object)
    return np.where(gone, np.char.add("suppressed, written as ", spelled.astype(str)).astype(object), schemes)


def _mixed_scheme(table: pd.DataFrame) -> str:
    """Why ``table`` is not written one way per column, or "" if every column is.

    Each column of a clinical release is kept at one level for every row (the same ZIP
    prefix length, the same date level or band, ``bmi`` rounded one way) and written with
    one spelling, or suppressed in every row with one spelling; rows are dropped rather than
    cells suppressed. This is the full-domain (global) recoding with record suppression that
    :func:`genshare.deidentify.anonymity.generalize` makes. A choice made row by row (which
    cell to suppress, how finely to keep it, ``"*"`` or ``""``, ``"29"`` or ``"29.0"``)
    could carry hidden data, several bits a row, that the scorer's attacks do not read, so a
    release with one is not evaluated.
    """
    for column in table.columns:
        schemes = _schemes(table[column], str(column))
        kinds, first = np.unique(schemes.astype(str), return_index=True)
        if len(kinds) > 1:
            order = np.argsort(first)
            shown = "; ".join(f"row {table.index[first[i]]!r}: {_excerpt(kinds[i], 60)}" for i in order[:3])
            advice = ""
            if any(k.startswith("suppressed") for k in kinds) and not all(k.startswith("suppressed") for k in kinds):
                advice = (
                    f"; to leave out some rows' {column}, drop those rows (for example "
                    f"table.dropna(subset=[{str(column)!r}]))"
                )
            return (
                f"column {column!r} is written in {len(kinds)} ways ({shown}{'; ...' if len(kinds) > 3 else ''}); keep "
                "each column at one level and one spelling in every row, or suppress it in every row, and drop "
                f"rows instead of suppressing single cells (row-by-row choices can carry hidden data){advice}"
            )
    return ""


def _untruthful(world: Any, table: pd.DataFrame) -> str:
    """Why the scorer cannot trust ``table``'s content, or "" if every cell is truthful.

    The scorer attacks what each column claims to be, so it checks the claim: every kept
    cell must be its row's true value in ``world.clinical``, or a generalisation of it in
    the forms the module reads (a ZIP prefix, a month, a year or a band holding the date of
    birth; ``bmi`` rounded to one decimal or to a whole number). A column whose content is
    something else (quasi-identifiers hidden under an attribute's name, a date of birth
    shifted by a day, noise) cannot be judged by these attacks, so the release is not
    evaluated: fail closed, rather than "0 re-identified".
    """
    truth = world.clinical.loc[table.index]
    for column in table.columns:
        values = table[column]
        # Spaces around a value (ASCII or Unicode, around a '*' too) carry nothing a reader needs
        # and can carry hidden data: such a cell is refused, not tidied.
        text = values.astype(str)
        padded = np.flatnonzero(values.notna().to_numpy() & (text != text.str.strip()).to_numpy())
        if padded.size:
            row = table.index[padded[0]]
            return (
                f"column {column!r}, row {row!r}: {_excerpt(values.iloc[padded[0]])} has spaces around its value "
                f"({padded.size} such cell(s)); write values without padding"
            )
        kept = ~_suppressed(values)
        if not kept.any() or column in DIRECT_IDENTIFIERS:
            continue  # a kept direct identifier counts as re-identifying whatever it holds
        if column in ("zip5", "zip3"):
            prefix, length = _zip_levels(values, column, 5 if column == "zip5" else 3)
            true = truth["zip5"].astype(str).to_numpy(dtype=object)
            ok = np.array([t.startswith(p) for t, p in zip(true, prefix, strict=True)], dtype=bool)
        elif column in ("date_of_birth", "birth_year"):
            levels, keys = _date_keys(values, column)
            ok = np.ones(len(values), dtype=bool)
            for level in set(levels[kept]):
                rows = np.flatnonzero(kept & (levels == level))
                expected = _roll_date_key(truth["date_of_birth"].iloc[rows], level).astype(str)
                ok[rows] = expected == keys[rows].astype(str)
        elif column == "bmi":
            # Exactly the true value rounded to a whole number or to one decimal (numpy's
            # rounding, half to even), so that no rounding choice is left to carry data.
            # Written as a plain numeral ("29" or "29.4": no sign, exponent or extra zeros).
            text = values.astype(str)
            plain = text.str.fullmatch(r"(0|[1-9][0-9]*)(\.[0-9])?").to_numpy()
            number = pd.to_numeric(text.where(plain, ""), errors="coerce").to_numpy(dtype=float)
            true = truth["bmi"].to_numpy(dtype=float)
            ok = plain & np.isfinite(number) & ((number == np.round(true)) | (number == np.round(true, 1)))
            if ok[kept].all() and not (
                (number == np.round(true))[kept].all() or (number == np.round(true, 1))[kept].all()
            ):
                row = table.index[np.flatnonzero(kept & (number != np.round(true)))[0]]
                return (
                    f"column 'bmi' is rounded in two ways (row {row!r} is not the whole-number rounding that other "
                    "rows use); round every row the same way"
                )
        else:  # sex, diagnosis, comorbidity, state: the true value itself
            ok = values.astype(str).str.strip().to_numpy(dtype=object) == truth[column].astype(
                str
            ).str.strip().to_numpy(dtype=object)
        bad = np.flatnonzero(kept & ~ok)
        if bad.size:
            row = table.index[bad[0]]
            if column in ("zip3", "zip5") and str(values.iloc[bad[0]]).startswith("000"):
                return (
                    f"column {column!r}, row {row!r}: '000' is Safe Harbor's code for a small area, which the scorer "
                    f"does not read ({bad.size} such row(s)); drop those rows, or release a coarser ZIP prefix"
                )
            if column == "bmi":
                return (
                    f"column 'bmi', row {row!r}: {_excerpt(values.iloc[bad[0]])} is not the row's true bmi "
                    f"rounded to a whole number or one decimal ({bad.size} such row(s)); the scorer reads bmi "
                    "as a number (bands such as '15-19' are not read: round it instead, or drop the column)"
                )
            return (
                f"column {column!r}, row {row!r}: {_excerpt(values.iloc[bad[0]])} is neither the row's true "
                f"{column} nor a generalisation of it ({bad.size} such row(s)); the scorer judges truthful "
                "releases (columns kept, generalised, suppressed or rows dropped), not perturbed or relabelled "
                "values, which its attacks cannot measure"
            )
    return ""


def _region_counts(world: Any, table: pd.DataFrame) -> tuple[float, str]:
    """Clinical utility: 1 - sum |released - true| cases by ZIP3 / true total (at least 0)."""
    truth = (
        world.clinical.loc[world.clinical["diagnosis"] == COUNTED_DIAGNOSIS, "zip5"].astype(str).str[:3].value_counts()
    )
    if "diagnosis" not in table.columns:
        return 0.0, "no diagnosis column: case counts cannot be computed"
    region = pd.Series("", index=table.index, dtype=object)
    for column, width in (("zip3", 3), ("zip5", 5)):
        if column in table.columns:
            prefix, length = _zip_levels(table[column], column, width)
            three = pd.Series(prefix, index=table.index).str[:3].where(length >= 3, "")
            region = region.where(region != "", three)
    cases = table["diagnosis"].astype(str).to_numpy() == COUNTED_DIAGNOSIS
    released = region[cases & (region != "").to_numpy()].value_counts()
    error = (released.reindex(truth.index, fill_value=0) - truth).abs().sum() + released.drop(
        truth.index, errors="ignore"
    ).sum()
    return max(0.0, 1.0 - float(error) / float(truth.sum())), ""


def _score_clinical(world: Any, table: pd.DataFrame, rules: Rules) -> Scoreboard:
    # Row labels as Python values, so that messages say "row 957", not "row np.int64(957)".
    table = table.set_axis(pd.Index(table.index.tolist(), dtype=object), axis=0)
    blank = [repr(c) for c in table.columns if str(c).strip() == ""]
    if blank:
        raise ValueError(f"release.table has a column without a name ({', '.join(blank)}); name or drop it")
    if table.columns.duplicated().any():
        raise ValueError(
            "release.table has repeated column name(s) "
            f"{', '.join(map(str, table.columns[table.columns.duplicated()]))}"
        )
    index = table.index
    if index.has_duplicates:
        raise ValueError(
            f"release.table index repeats row {index[index.duplicated()][0]!r}; "
            "each row of world.clinical may be released once"
        )
    unknown_rows = ~index.isin(world.clinical.index)
    if unknown_rows.any():
        raise ValueError(
            f"release.table index {index[unknown_rows][0]!r} is not a row of world.clinical; "
            "keep world.clinical's index"
        )
    records = len(table)
    known = set(DIRECT_IDENTIFIERS) | set(QUASI_IDENTIFIERS) | set(ATTRIBUTES)
    unknown = [str(c) for c in table.columns if c not in known]
    if unknown:
        return _not_evaluated(
            "clinical",
            records,
            rules.region_tolerance,
            f"the scorer cannot attack column(s) {', '.join(_excerpt(c)[1:-1] for c in unknown[:5])}"
            f"{' ...' if len(unknown) > 5 else ''}; release only "
            f"{', '.join(QUASI_IDENTIFIERS + ATTRIBUTES)} (generalised or suppressed as you choose"
            + ("; safe_harbor's date_of_birth_year is birth_year: rename it" if "date_of_birth_year" in unknown else "")
            + ")",
        )
    untruthful = _mixed_scheme(table) or _untruthful(world, table)
    if untruthful:
        return _not_evaluated("clinical", records, rules.region_tolerance, untruthful)
    utility, why = _region_counts(world, table)
    direct = [c for c in table.columns if c in DIRECT_IDENTIFIERS and not _suppressed(table[c]).all()]
    # A row that keeps a direct identifier is re-identified by it; the others face the linkage.
    exposed = (
        ~np.logical_and.reduce([_suppressed(table[c]) for c in direct]) if direct else np.zeros(records, dtype=bool)
    )
    columns = [c for c in QUASI_IDENTIFIERS if c in table.columns]
    candidates, matched = _link(table, world.voter_roll, columns)
    truth = _clinical_truth(world, index)
    linked = (candidates == 1) & (matched == truth) & (truth != "")
    note = (
        f"direct identifier(s) {', '.join(direct)} released: every row that keeps one counts as re-identified"
        if direct
        else why
    )
    return Scoreboard(
        "clinical", True, records, int((exposed | linked).sum()), None, None, utility, rules.region_tolerance, note=note
    )


# --- summary statistics ---------------------------------------------------------------------


def _snp_positions(world: Any, series: pd.Series, field_name: str) -> np.ndarray:
    ids = world.snps["snp_id"].to_numpy(dtype=object)
    if series.index.has_duplicates:
        raise ValueError(f"release.{field_name} repeats snp_id {series.index[series.index.duplicated()][0]!r}")
    position = pd.Index(ids).get_indexer(series.index)
    if (position < 0).any():
        raise ValueError(
            f"release.{field_name} has snp_id {series.index[position < 0][0]!r}, which is not a SNP of this world"
        )
    return position


def _unruled_snp_set(world: Any, released: np.ndarray, what: str) -> str:
    """Why the set of SNPs a summary release keeps is not a public rule, or "" if it is one.

    A steward may leave SNPs out, but only by one rule everyone can apply: keep the SNPs
    whose minor allele frequency in the reference panel (the attacker's) is at least a
    cutoff, and leave out the rarer ones (rare alleles give membership away most). Which SNPs
    are kept is then one number, the cutoff; chosen SNP by SNP it could carry tens of
    thousands of bits (the sixth adversarial round named 195 of 197 pool members by it).
    """
    kept = np.zeros(len(world.snps), dtype=bool)
    kept[released] = True
    if kept.all() or not kept.any():
        return ""
    frequency = study_pool(world)["reference_freqs"]
    maf = np.minimum(frequency, 1.0 - frequency)
    if maf[~kept].max() < maf[kept].min():
        return ""
    offender = int(np.flatnonzero(~kept & (maf >= maf[kept].min()))[0])
    return (
        f"the {what} leaves out SNP {world.snps['snp_id'].iloc[offender]!r} (reference minor allele frequency "
        f"{maf[offender]:.4f}) but keeps rarer ones; leave SNPs out only below a cutoff of the reference panel's "
        "minor allele frequency (keep every SNP at or above it), so that which SNPs are kept carries nothing else"
    )


def _score_frequencies(world: Any, frequencies: pd.Series, rules: Rules) -> Scoreboard:
    position = _snp_positions(world, frequencies, "frequencies")
    try:
        values = frequencies.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise ValueError("release.frequencies must hold numbers (NaN for a suppressed SNP)") from None
    bad = ~np.isnan(values) & ((values < 0) | (values > 1))
    if bad.any() or np.isinf(values).any():
        raise ValueError(
            f"release.frequencies for snp_id {frequencies.index[np.flatnonzero(bad | np.isinf(values))[0]]!r} "
            "is not between 0 and 1"
        )
    # A frequency release carries FREQUENCY_DECIMALS decimals (as save_release writes it): digits
    # beyond them change nothing a user needs and could hold hidden data.
    values = np.round(values, FREQUENCY_DECIMALS) + 0.0
    keep = ~np.isnan(values)
    position, values = position[keep], values[keep]
    unruled = _unruled_snp_set(world, position, "release")
    if unruled:
        return _not_evaluated("frequencies", int(position.size), rules.signals_required, unruled)
    pool = study_pool(world)
    cases = world.cohort_genotypes[pool["members"]]
    controls = world.cohort_genotypes[pool["non_members"]]
    # Utility: the top association signals of the exact data, found again among the release's own top signals.
    control_freq = allele_frequencies(controls, missing="as_reference")
    exact = allele_frequencies(cases, missing="as_reference")
    n_cases, n_controls = len(cases), len(controls)
    top = rules.top_signals
    exact_top = set(np.argsort(-allelic_chi2(exact, control_freq, n_cases, n_controls), kind="stable")[:top].tolist())
    if position.size:
        chi2 = allelic_chi2(values, control_freq[position], n_cases, n_controls)
        release_top = set(position[np.argsort(-chi2, kind="stable")[:top]].tolist())
        utility = len(exact_top & release_top) / top
        outsiders = world.database_genotypes[pool["outsiders"]]
        stats = [
            lr_membership_statistic(g[:, position], values, pool["reference_freqs"][position])
            for g in (cases, controls, outsiders)
        ]
        auc = max(_fold(roc_curve(stats[0], other)[1]) for other in stats[1:] if len(other))
    else:
        utility, auc = 0.0, 0.5
    return Scoreboard(
        "frequencies",
        True,
        int(position.size),
        0,
        round(float(auc), 6),
        None,
        utility,
        rules.signals_required,
        note=f"pool: {n_cases} {pool['population']} cases; {int(position.size)} SNPs released; attacked with "
        f"{n_controls} controls and {pool['outsiders'].size} people outside the study as non-members",
    )


def _fold(auc: float) -> float:
    """max(AUC, 1 - AUC): an attack whose statistic ranks members *below* non-members is as
    strong as the same attack read the other way round, which any attacker would do."""
    return max(float(auc), 1.0 - float(auc))


def _answers_beacon(answers: np.ndarray, size: int) -> Beacon:
    """A Beacon giving ``answers`` (shape (SNPs,)) over ``size`` people (row 0 carries the yes answers)."""
    matrix = np.zeros((size, answers.size), dtype=np.int8)
    matrix[0] = answers
    return Beacon(matrix)


def _score_beacon(world: Any, release: Release, rules: Rules) -> Scoreboard:
    answers = cast(pd.Series, release.answers)  # required for a beacon (Release.__post_init__)
    if release.max_queries == 0:
        return _not_evaluated(
            "beacon",
            int(answers.size),
            rules.beacon_required,
            "max_queries is 0: a beacon that answers no query is not a release anyone can use "
            "(and its answers file would be the release); allow at least one query per user",
        )
    position = _snp_positions(world, answers, "answers")
    if answers.dtype != bool:
        raise ValueError(f"release.answers must be True/False per snp_id; got dtype {answers.dtype}")
    pool = study_pool(world)
    cases = world.cohort_genotypes[pool["members"]]
    controls = world.cohort_genotypes[pool["non_members"]]
    truth = (cases > 0).any(axis=0)
    values = answers.to_numpy(dtype=bool)
    unruled = _unruled_snp_set(world, position, "beacon")
    if unruled:
        return _not_evaluated("beacon", int(position.size), rules.beacon_required, unruled)
    utility = float((truth[position] == values).sum()) / truth.size
    limit = rules.beacon_queries if release.max_queries is None else min(rules.beacon_queries, release.max_queries)
    if position.size == 0 or limit == 0:
        auc = 0.5
    else:
        beacon = _answers_beacon(values, len(cases))
        freqs = pool["reference_freqs"][position]
        # The worst of two attackers: one who asks the rarest alleles the reference saw, and one
        # who asks the alleles it never saw first (at 1 / 4n for n reference people). A steward
        # who lies only where one of them asks is caught by the other.
        unseen = 1.0 / (4 * pool["reference_size"])
        outsiders = world.database_genotypes[pool["outsiders"]]
        aucs: list[float] = []
        for frequency in (None, unseen):
            finals = [
                beacon_attack(g[:, position], beacon, freqs, n_queries=limit, unseen_frequency=frequency)[:, -1]
                for g in (cases, controls, outsiders)
                if len(g)
            ]
            # Low statistics point to membership; non-members are the controls, then the outsiders.
            aucs.extend(_fold(roc_curve(-finals[0], -other)[1]) for other in finals[1:])
        auc = max(aucs)
    return Scoreboard(
        "beacon",
        True,
        int(position.size),
        0,
        None,
        round(float(auc), 6),
        utility,
        rules.beacon_required,
        note=f"pool: {len(cases)} {pool['population']} cases; attacker makes {limit} queries per person; attacked "
        f"with {len(controls)} controls and {pool['outsiders'].size} people outside the study as non-members",
    )


# --------------------------------------------------------------------------------------
# Attacker: releases from the learner's world, and scoring guesses
# --------------------------------------------------------------------------------------

#: Quasi-identifier sets an attacker's clinical release may keep (one is drawn from the seed).
_ATTACK_VARIANTS = (
    {"zip5": 5, "date_of_birth": "day", "sex": 1},
    {"zip5": 3, "date_of_birth": "day", "sex": 1},
    {"zip5": 5, "date_of_birth": "year", "sex": 1},
)


def _fingerprint(release: Release) -> str:
    digest = hashlib.sha256()
    for part in (release.table, release.frequencies, release.answers, release.candidates):
        if part is not None:
            digest.update(pd.util.hash_pandas_object(part, index=True).to_numpy().tobytes())
    if release.candidate_genotypes is not None:
        digest.update(np.ascontiguousarray(release.candidate_genotypes).tobytes())
    return digest.hexdigest()


def _make(world: Any, kind: str, seed: int) -> tuple[Release, Any]:
    rng = np.random.default_rng([seed, ATTACK_KINDS.index(kind)])
    if kind == "clinical":
        clinical = world.clinical
        n = len(clinical)
        rows = np.sort(rng.choice(n, size=max(1, int(round(0.6 * n))), replace=False))
        rows = rng.permutation(rows)
        variant = _ATTACK_VARIANTS[int(rng.integers(len(_ATTACK_VARIANTS)))]
        chosen = clinical.iloc[rows]
        table = pd.DataFrame({"record_id": [f"R{i + 1:04d}" for i in range(len(rows))]})
        table["zip5"] = chosen["zip5"].astype(str).str[: variant["zip5"]].str.ljust(5, "*").to_numpy()
        dob = chosen["date_of_birth"]
        table["date_of_birth"] = (
            dob.dt.strftime("%Y-%m-%d") if variant["date_of_birth"] == "day" else dob.dt.year.astype(str)
        ).to_numpy()
        table["sex"] = chosen["sex"].to_numpy()
        for column in ("diagnosis", "comorbidity", "bmi"):
            table[column] = chosen[column].to_numpy()
        truth = pd.Series(_clinical_truth(world, chosen.index), index=table["record_id"].to_numpy())
        return Release("clinical", table=table, seed=seed), truth
    pool = study_pool(world)
    members, non_members = pool["members"], pool["non_members"]
    # Half the pool is released; candidates are drawn from the released half and from non-members.
    released = np.sort(rng.choice(members, size=max(2, members.size // 2), replace=False))
    n_each = int(min(25, released.size, non_members.size))
    chosen = np.concatenate(
        [rng.choice(released, n_each, replace=False), rng.choice(non_members, n_each, replace=False)]
    )
    is_member = np.repeat([True, False], n_each)
    order = rng.permutation(chosen.size)
    chosen, is_member = chosen[order], is_member[order]
    candidates = pd.DataFrame({"candidate_id": [f"K{i + 1:03d}" for i in range(chosen.size)]})
    genotypes = world.cohort_genotypes[chosen]
    snp_ids = world.snps["snp_id"].to_numpy(dtype=object)
    pool_genotypes = world.cohort_genotypes[released]
    truth = pd.Series(is_member, index=candidates["candidate_id"].to_numpy())
    if kind == "frequencies":
        freqs = pd.Series(allele_frequencies(pool_genotypes, missing="as_reference"), index=snp_ids, name="frequency")
        return Release(
            "frequencies", frequencies=freqs, candidates=candidates, candidate_genotypes=genotypes, seed=seed
        ), truth
    answers = pd.Series((pool_genotypes > 0).any(axis=0), index=snp_ids, name="answer")
    return Release(
        "beacon",
        answers=answers,
        pool_size=int(released.size),
        candidates=candidates,
        candidate_genotypes=genotypes,
        seed=seed,
    ), truth


def make_release(world: Any, kind: str, seed: int) -> Release:
    """A release from ``world`` for the attacker role; the truth stays with the module.

    Parameters
    ----------
    world
        The learner's world.
    kind
        ``clinical``: a de-identified clinical table (about 60% of the participants, in a
        shuffled order, with a ``record_id``, ZIP code, date of birth and sex at a
        granularity drawn from the seed, and the diagnoses). Guess who each record is on
        the voter roll. ``frequencies`` or ``beacon``: allele frequencies of (or a beacon
        over) half of the study's pool, plus 50 ``candidates`` (half of them in the
        release) whose genotypes you hold (``candidate_genotypes``, candidates x SNPs).
        Guess which candidates are in it.
    seed
        Any non-negative integer; the same seed gives the same release.

    Examples
    --------
    >>> release = make_release(world, "frequencies", seed=1)   # doctest: +SKIP
    >>> release.candidates.shape                               # doctest: +SKIP
    (50, 1)
    """
    kind = check_choice(kind, "kind", ATTACK_KINDS)
    seed = check_integer(seed, "seed", minimum=0)
    return _make(world, kind, seed)[0]


@dataclass(frozen=True)
class AttackScore:
    """How an attacker's guesses fared against the truth.

    ``guesses`` counts the claims made, ``correct`` and ``wrong`` split them. For a
    re-identification, ``possible`` is the number of records whose person is on the
    voter roll; for membership, the number of candidates who are members, and
    ``false_positive_rate`` is the share of non-members wrongly claimed.
    """

    kind: str
    guesses: int
    correct: int
    wrong: int
    possible: int
    false_positive_rate: float | None = None
    _seal: str = field(default="", compare=False, repr=False)

    @property
    def precision(self) -> float:
        """Share of claims that were right (0 if no claim)."""
        return self.correct / self.guesses if self.guesses else 0.0

    @property
    def recall(self) -> float:
        """Share of what could be found that was found."""
        return self.correct / self.possible if self.possible else 0.0

    def __str__(self) -> str:
        lines = [
            f"{self.kind} attack: {self.guesses} guesses, {self.correct} correct, {self.wrong} wrong",
            f"precision {self.precision:.3f}, recall {self.recall:.3f} (of {self.possible})",
        ]
        if self.false_positive_rate is not None:
            lines.append(f"false-positive rate {self.false_positive_rate:.3f}")
        return "\n".join(lines)


def score_attack(world: Any, release: Release, guesses: Any) -> AttackScore:
    """Score an attacker's guesses on a release made by :func:`make_release` from ``world``.

    Parameters
    ----------
    guesses
        ``clinical``: a mapping ``record_id -> voter_id`` or a DataFrame with those two
        columns (records you do not claim are left out). ``frequencies`` / ``beacon``: the
        ``candidate_id`` values you claim are in the release (any iterable of strings).

    Raises
    ------
    ValueError
        If the release was not made by :func:`make_release` from this world (the scorer
        cannot know the truth: fail closed), or a guess names an unknown record or
        candidate, repeats a record, or is not a string.

    Examples
    --------
    >>> release = make_release(world, "beacon", seed=3)               # doctest: +SKIP
    >>> score_attack(world, release, ["K001", "K007"]).guesses        # doctest: +SKIP
    2
    """
    if not isinstance(release, Release):
        raise ValueError(f"release must be a genshare.challenge.Release; got {type(release).__name__}")
    if release.seed is None or release.kind not in ATTACK_KINDS:
        raise ValueError(
            "release was not made by make_release (release.seed is missing): there is no truth to score against"
        )
    original, truth = _make(world, release.kind, release.seed)
    if _fingerprint(original) != _fingerprint(release):
        raise ValueError("release differs from the one make_release gives for this world and seed: it cannot be scored")
    if release.kind == "clinical":
        claims = _read_reidentification_guesses(guesses, truth.index)
        right = sum(1 for record, voter in claims.items() if truth[record] != "" and truth[record] == voter)
        return _sealed(AttackScore("clinical", len(claims), right, len(claims) - right, int((truth != "").sum())))
    claimed = _read_membership_guesses(guesses, truth.index)
    is_member = truth.to_numpy(dtype=bool)
    chosen = truth.index.isin(list(claimed))
    right = int((chosen & is_member).sum())
    fpr = float((chosen & ~is_member).sum()) / max(1, int((~is_member).sum()))
    return _sealed(
        AttackScore(
            release.kind, int(chosen.sum()), right, int(chosen.sum()) - right, int(is_member.sum()), round(fpr, 6)
        )
    )


def _read_reidentification_guesses(guesses: Any, records: pd.Index) -> dict[str, str]:
    if isinstance(guesses, pd.DataFrame):
        missing = [c for c in ("record_id", "voter_id") if c not in guesses.columns]
        if missing:
            raise ValueError(f"guesses has no column(s) {', '.join(missing)}; it needs record_id and voter_id")
        pairs = list(zip(guesses["record_id"].tolist(), guesses["voter_id"].tolist(), strict=True))
    elif isinstance(guesses, Mapping):
        pairs = list(guesses.items())
    else:
        raise ValueError(
            f"guesses must be a mapping record_id -> voter_id or a DataFrame; got {type(guesses).__name__}"
        )
    claims: dict[str, str] = {}
    known = set(records)
    for record, voter in pairs:
        if not isinstance(record, str) or record not in known:
            raise ValueError(f"guesses: record_id {record!r} is not a record of this release")
        if not isinstance(voter, str) or not voter:
            raise ValueError(f"guesses: voter_id for record {record!r} must be a non-empty string; got {voter!r}")
        if record in claims:
            raise ValueError(f"guesses: record_id {record!r} is guessed more than once")
        claims[record] = voter
    return claims


def _read_membership_guesses(guesses: Any, candidates: pd.Index) -> set[str]:
    if isinstance(guesses, (str, bytes, Mapping, pd.DataFrame)) or not isinstance(guesses, Iterable):
        raise ValueError(f"guesses must be a list or set of candidate_id strings; got {type(guesses).__name__}")
    known = set(candidates)
    claimed = set()
    for item in guesses:
        if not isinstance(item, str) or item not in known:
            raise ValueError(f"guesses: candidate_id {item!r} is not a candidate of this release")
        claimed.add(item)
    return claimed


# --------------------------------------------------------------------------------------
# The shared scoreboard of a workshop (a CSV file)
# --------------------------------------------------------------------------------------

#: Columns of the shared scoreboard CSV, in order. Empty cells where a measure does not apply.
SCOREBOARD_COLUMNS = (
    "team",
    "role",
    "kind",
    "evaluated",
    "records_released",
    "people_reidentified",
    "membership_auc",
    "beacon_auc",
    "utility",
    "utility_required",
    "utility_met",
    "guesses",
    "correct",
    "wrong",
    "note",
    "signature",
)
#: The environment variable holding the key that signs scoreboard rows (see :func:`append_to_scoreboard`).
SECRET_ENV = "GENSHARE_CHALLENGE_SECRET"


def _row(team: str, result: Scoreboard | AttackScore) -> dict[str, str]:
    def fmt(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float):
            return f"{value:.4f}"
        return str(value)

    if isinstance(result, Scoreboard):
        values = {
            "role": "steward",
            "utility_met": result.utility_met,
            **{f.name: getattr(result, f.name) for f in fields(result)},
        }
    elif isinstance(result, AttackScore):
        values = {
            "role": "attacker",
            "kind": result.kind,
            "guesses": result.guesses,
            "correct": result.correct,
            "wrong": result.wrong,
        }
    else:
        raise ValueError(f"result must be a Scoreboard or an AttackScore; got {type(result).__name__}")
    # A spreadsheet would run a cell that starts with = + - @ (or a tab or CR) as a formula.
    values["team"] = "'" + team if team[:1] in ("=", "+", "-", "@", "\t", "\r") else team
    return {column: fmt(values.get(column)) for column in SCOREBOARD_COLUMNS}


def _board_key(path: Path, secret: str | bytes | None, *, create: bool) -> bytes:
    """The key scoreboard rows are signed with: ``secret``, else ``$GENSHARE_CHALLENGE_SECRET``,
    else the key file beside the scoreboard (created with it, mode 0600)."""
    if secret is not None:
        key = secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)
        if not key:
            raise ValueError("secret must not be empty")
        return key
    chosen = os.environ.get(SECRET_ENV, "")
    if chosen:
        return chosen.encode("utf-8")
    key_path = path.with_name(path.name + ".key")
    if create:
        _create_once(key_path, (secrets.token_hex(32) + "\n").encode("ascii"), mode=0o600)
    try:
        fd = os.open(key_path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ValueError(
            f"{path}: no key to check its rows with: pass secret=, set {SECRET_ENV}, or keep {key_path.name} "
            "beside it (append_to_scoreboard creates it)"
        ) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{key_path} is not a regular file")
        if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o077):
            raise ValueError(
                f"{key_path}: not a key this user made (it must be yours and readable by you only, "
                "mode 0600): a key someone else planted could sign rows; remove it, or pass secret="
            )
        key = handle.read(4097).strip()
    if not key or len(key) > 4096:
        raise ValueError(f"{key_path} does not hold a key")
    return key


def _create_once(path: Path, content: bytes, mode: int = 0o644) -> None:
    """Create ``path`` holding ``content``, atomically: it appears complete or not at all;
    if it exists already (another process was first) it is left as it is."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        except OSError:  # no hard links here (some file systems): exclusive creation instead
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            except FileExistsError:
                return
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
    finally:
        temporary.unlink(missing_ok=True)


def _signature(key: bytes, row: Mapping[str, str]) -> str:
    message = json.dumps([str(row[c]) for c in SCOREBOARD_COLUMNS if c != "signature"], ensure_ascii=False)
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def _csv_line(values: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(list(values))
    return buffer.getvalue()


def append_to_scoreboard(
    path: str | PathLike[str], team: str, result: Scoreboard | AttackScore, *, secret: str | bytes | None = None
) -> Path:
    """Append one result to the workshop's scoreboard CSV (created with its header if absent).

    The file has the columns :data:`SCOREBOARD_COLUMNS`; an existing file with other
    columns is refused rather than extended. Safe with several processes at once: the file
    appears with its header in one step (a hard link of a complete file), and each row is
    appended under an exclusive lock.

    Only results made by :func:`score_release` or :func:`score_attack` are accepted (a
    hand-built or altered :class:`Scoreboard` is refused), and each row is signed (HMAC-SHA256
    over its cells, column ``signature``) with the key of :func:`read_scoreboard`: ``secret``,
    else the environment variable ``GENSHARE_CHALLENGE_SECRET``, else a random key kept
    beside the scoreboard in ``<scoreboard>.key`` (created with it, readable by its owner
    only). :func:`read_scoreboard` refuses a row whose signature does not match, such as one
    typed or edited by hand. Whoever holds the key can sign rows: for a workshop, the
    instructor keeps the secret, scores the releases teams hand in (:func:`save_release`,
    :func:`scoreboard_row`) and appends them.

    Raises
    ------
    ValueError
        If ``team`` is empty or holds a line break, ``result`` was not made by the scorer, or
        the file is not a release-challenge scoreboard.

    Examples
    --------
    >>> append_to_scoreboard("scoreboard.csv", "team a", score_release(world, release))   # doctest: +SKIP
    PosixPath('scoreboard.csv')
    """
    if not isinstance(team, str) or not team.strip() or any(ch in team for ch in "\r\n"):
        raise ValueError(f"team must be a non-empty one-line name; got {team!r}")
    if not isinstance(result, (Scoreboard, AttackScore)):
        raise ValueError(f"result must be a Scoreboard or an AttackScore; got {type(result).__name__}")
    if not _is_sealed(result):
        raise ValueError(
            "result was not made by score_release or score_attack in this session (a hand-built or "
            "altered result is not added to the scoreboard)"
        )
    path = Path(path)
    key = _board_key(path, secret, create=True)
    row = _row(team.strip(), result)
    row["signature"] = _signature(key, row)
    _create_once(path, _csv_line(SCOREBOARD_COLUMNS).encode("utf-8"))
    fd = os.open(path, os.O_RDWR | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "r+b", buffering=0) as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ValueError(f"{path} is not a regular file")
        locked = _lock(handle.fileno())
        try:
            handle.seek(0)
            first = handle.read(64 * 1024).decode("utf-8", errors="replace").split("\n", 1)[0]
            header = next(csv.reader([first]), [])
            if tuple(header) != SCOREBOARD_COLUMNS:
                raise ValueError(f"{path} is not a release-challenge scoreboard: its header is {header}")
            os.write(handle.fileno(), _csv_line(row[c] for c in SCOREBOARD_COLUMNS).encode("utf-8"))
        finally:
            if locked:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return path


def _lock(fd: int) -> bool:
    """Take an exclusive lock on ``fd``; False where the platform or file system has none
    (a browser's Python, some network file systems), where appends stay unlocked."""
    if fcntl is None:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as error:
        if error.errno in (errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL, errno.ENOLCK):
            return False
        raise
    return True


def read_scoreboard(
    path: str | PathLike[str] | io.BytesIO, *, secret: str | bytes | None = None, name: str | None = None
) -> pd.DataFrame:
    """Read a shared scoreboard, check every row's signature, and rank the stewards' releases.

    Stewards' releases that meet their utility requirement come first; among them, and then
    among the others, the least harmful first, on one scale for every kind of release
    (:func:`release_harm`, added as the column ``harm``: the attack's advantage over
    guessing), so that no unprotected release can top the board; ties by fewest people
    re-identified, then the lower of the folded AUCs. A release that was not evaluated
    never counts as meeting its utility requirement, and its harm is 1. Attackers' rows
    follow in their order. ``secret`` as in :func:`append_to_scoreboard`.

    Raises
    ------
    ValueError
        If the file is not a release-challenge scoreboard, there is no key to check it
        with, or a row's signature does not match (the message names the lines: rows typed
        or edited by hand, or signed with another key).

    Examples
    --------
    >>> read_scoreboard("scoreboard.csv")[["team", "people_reidentified"]]   # doctest: +SKIP
    """
    if isinstance(path, io.BytesIO):  # a board already read (merge_scoreboards): ``name`` names it
        if secret is None:
            raise ValueError(f"{name}: a board read from memory is checked with secret= only")
        source, path = path, Path(name or "scoreboard")
    else:
        path = Path(path)
        with open(path, "rb") as handle:
            source = io.BytesIO(handle.read(MAX_RELEASE_BYTES + 1))
        if len(source.getvalue()) > MAX_RELEASE_BYTES:
            raise ValueError(f"{path}: larger than {MAX_RELEASE_BYTES:,} bytes; not a scoreboard")
    # The header is checked before pandas reads anything: a file with 50,000 columns would
    # otherwise take minutes to parse.
    first = source.getvalue().split(b"\n", 1)[0].rstrip(b"\r")
    if first.decode("utf-8", errors="replace") != ",".join(SCOREBOARD_COLUMNS):
        shown = first[:200].decode("utf-8", errors="replace")
        raise ValueError(
            f"{path} is not a release-challenge scoreboard: its first line is {shown!r}, not the header "
            f"{','.join(SCOREBOARD_COLUMNS)}"
        )
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    if tuple(frame.columns) != SCOREBOARD_COLUMNS:
        raise ValueError(f"{path} is not a release-challenge scoreboard: its columns are {list(frame.columns)}")
    key = _board_key(path, secret, create=False)
    forged = []
    for i, row in enumerate(frame.to_dict("records")):
        if not hmac.compare_digest(str(row["signature"]), _signature(key, row)):
            forged.append(i + 2)
            if len(forged) > 10:
                break  # enough to name; a hostile board of a million rows is refused at once
    if forged:
        shown = ", ".join(map(str, forged[:10])) + (" ..." if len(forged) > 10 else "")
        raise ValueError(
            f"{path}, line(s) {shown}: not signed by the challenge scorer with this scoreboard's key "
            "(typed or edited by hand, or signed with another key); remove them"
        )
    return rank_scoreboard(frame)


def rank_scoreboard(frame: pd.DataFrame) -> pd.DataFrame:
    """Rank scoreboard rows as :func:`read_scoreboard` does (without checking signatures).

    Stewards first, those meeting their utility requirement first, then by :func:`release_harm`
    (added as the column ``harm``), fewest people re-identified, lower folded AUC; attackers
    after, in their order.
    """
    number = lambda column, default: pd.to_numeric(frame[column].replace("", np.nan)).fillna(default)  # noqa: E731
    fold = lambda values: np.maximum(values, 1.0 - values)  # noqa: E731
    worst = np.maximum(fold(number("membership_auc", 0.5)), fold(number("beacon_auc", 0.5)))
    met = (frame["utility_met"] == "yes") & (frame["evaluated"] == "yes")
    harm = release_harm(frame)
    ranked = frame.assign(
        harm=harm.round(4).where(frame["role"] == "steward", np.nan),
        _met=~met,
        _harm=harm,
        _reid=number("people_reidentified", math.inf),
        _worst=worst,
    )
    ranked = ranked.assign(_attacker=frame["role"] != "steward")
    columns = ["_attacker", "_met", "_harm", "_reid", "_worst"]
    return ranked.sort_values(columns, kind="stable").drop(columns=columns).reset_index(drop=True)


def release_harm(frame: pd.DataFrame) -> pd.Series:
    """How much each steward's release lets its attack do beyond guessing, on one scale from 0 to 1.

    Releases of different kinds are attacked differently, so their raw scores do not compare:
    a frequency release or a beacon re-identifies nobody by name, yet lets an attacker tell
    who took part. The scoreboard ranks them on the attack's advantage over guessing:

    - a clinical release: the share of its records re-identified (a guess re-identifies
      essentially none);
    - a frequency release or a beacon: the attack's ROC AUC, folded (max(AUC, 1 - AUC)) and
      rescaled as 2 * AUC - 1 (the Gini coefficient): 0 is a coin toss, 1 names every member;
      the worse of the membership and beacon attacks counts;
    - a release that was not evaluated: 1 (fail closed: it cannot rank as safe).

    So the unprotected releases (the exact frequencies, the full beacon), whose attacks
    reach an AUC of 0.7 to 0.8, score 0.4 to 0.6, far below a generalised table that
    re-identifies one person in a thousand.

    Parameters
    ----------
    frame
        Scoreboard rows (the columns of :data:`SCOREBOARD_COLUMNS`, as text).

    Returns
    -------
    pandas.Series
        The harm of each row (attackers' rows: NaN).

    Examples
    --------
    >>> rows = pd.DataFrame({"role": ["steward"] * 3, "kind": ["clinical", "frequencies", "beacon"],
    ...     "evaluated": ["yes"] * 3, "records_released": ["1000", "", ""], "people_reidentified": ["1", "0", "0"],
    ...     "membership_auc": ["", "0.72", ""], "beacon_auc": ["", "", "0.79"]})
    >>> release_harm(rows).round(3).tolist()
    [0.001, 0.44, 0.58]
    """

    def number(column: str) -> pd.Series:
        return pd.to_numeric(frame[column].replace("", np.nan), errors="coerce")

    auc = np.fmax(number("membership_auc"), number("beacon_auc"))
    auc = np.maximum(auc, 1.0 - auc)
    released = number("records_released")
    share = number("people_reidentified") / released.where(released > 0)
    clinical = frame["kind"] == "clinical"
    harm = pd.Series(np.where(clinical, share.fillna(0.0), 2.0 * auc - 1.0), index=frame.index)
    harm = harm.where(frame["evaluated"] == "yes", 1.0).fillna(1.0)
    return harm.where(frame["role"] == "steward", np.nan)


def merge_scoreboards(
    paths: Iterable[str | PathLike[str]],
    out: str | PathLike[str],
    *,
    keys: Mapping[str, str | bytes] | None = None,
    secret: str | bytes | None = None,
) -> Path:
    """Merge the teams' scoreboard files into one board ``out`` (one header, every row checked).

    Each file's rows are checked with a key you hold (``keys[str(path)]``, else ``secret``,
    else ``GENSHARE_CHALLENGE_SECRET``; never a key file beside a team's board, which the team
    could have used to sign rows of its own) and refused, naming the file and lines, if any
    was typed or edited by hand; the accepted rows are signed again with
    ``out``'s key (``secret`` as in :func:`append_to_scoreboard`) and written in one step.
    A row that appears twice (the same team's file sent twice) is kept once.

    Raises
    ------
    ValueError
        If a file is not a scoreboard, a row's signature does not match, or ``out`` exists.

    Examples
    --------
    >>> merge_scoreboards(["team-a.csv", "team-b.csv"], "board.csv")   # doctest: +SKIP
    PosixPath('board.csv')
    """
    target = Path(out)
    if target.exists():
        raise ValueError(f"{target} exists: merge into a new file")
    rows: list[dict[str, str]] = []
    seen: set[tuple[str, ...]] = set()
    for item in paths:
        path = Path(item)
        # Never the key file beside a team's board: the team holds it and could sign anything.
        key = (keys or {}).get(str(path), secret if secret is not None else os.environ.get(SECRET_ENV) or None)
        if key is None:
            raise ValueError(
                f"{path}: no key to check its rows with: pass keys={{path: key}} or secret= (a key you "
                f"hold, not the key file beside a team's board), or set {SECRET_ENV}"
            )
        from genshare._safe_files import open_regular

        with open_regular(path) as handle:  # a regular file, read once: what is checked is what is copied
            content = handle.read(MAX_RELEASE_BYTES + 1)
        if len(content) > MAX_RELEASE_BYTES:
            raise ValueError(f"{path}: larger than {MAX_RELEASE_BYTES:,} bytes; not a scoreboard")
        read_scoreboard(io.BytesIO(content), secret=key, name=str(path))  # columns and every signature
        for row in pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False).to_dict("records"):
            cells = tuple(str(row[c]) for c in SCOREBOARD_COLUMNS if c != "signature")
            if cells not in seen:
                seen.add(cells)
                rows.append({c: str(row[c]) for c in SCOREBOARD_COLUMNS})
    key = _board_key(target, secret, create=True)
    for row in rows:
        row["signature"] = _signature(key, row)
    import tempfile

    fd, name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".merging", dir=target.parent
    )  # O_EXCL: no planted link
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(
                _csv_line(SCOREBOARD_COLUMNS) + "".join(_csv_line(row[c] for c in SCOREBOARD_COLUMNS) for row in rows)
            )
        os.link(tmp, target)  # fails if out appeared meanwhile: never overwrite a board
    finally:
        tmp.unlink(missing_ok=True)
    return target


# --------------------------------------------------------------------------------------
# A release saved to a folder (what a learner hands in), and its row for the marker
# --------------------------------------------------------------------------------------

#: The release file of each kind a steward may hand in (see the module docstring).
RELEASE_FILES = {"clinical": "clinical.csv", "frequencies": "frequencies.csv", "beacon": "beacon.csv"}
#: Largest release file read (bytes).
MAX_RELEASE_BYTES = 16 * 1024**2
_OPTIONS_FILE = "release.json"
_YES = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}
_PAIRS = (("yes", "no"), ("true", "false"), ("1", "0"))
_PAIR = {word: pair for pair in _PAIRS for word in pair}


def _release_text(release: Release, answer_words: tuple[str, str] = ("yes", "no")) -> str:
    """The one text of ``release``'s file, as :func:`save_release` writes it.

    One canonical file per content: cells as pandas writes them, rows sorted (clinical: by the
    released values; the others: by ``snp_id``), quotes only where needed, LF line ends.
    :func:`load_release` rebuilds this text from what it read and refuses a file that differs,
    so that nothing but the content can be handed in.
    """
    if release.kind == "clinical":
        table = cast(pd.DataFrame, release.table)  # each kind's field is required (Release.__post_init__)
        if "row" in table.columns:
            raise ValueError("release.table has a column named 'row', which the saved file uses for the row index")
        for column in table.columns:
            values = table[column]
            if values.dtype == object or pd.api.types.is_string_dtype(values):
                # A line break has no place in a clinical value, and a lone carriage return
                # would split the CSV line (the csv module quotes only "\n" here).
                control = values.map(lambda v: isinstance(v, str) and ("\r" in v or "\n" in v))
                if control.any():
                    i = int(np.flatnonzero(control.to_numpy(dtype=bool))[0])
                    raise ValueError(
                        f"release.table column {column!r}, row {values.index[i]!r}: {_excerpt(values.iloc[i])} "
                        "holds a line break"
                    )
            # The file keeps a date's day only: refuse what it would drop.
            if pd.api.types.is_datetime64_any_dtype(values):
                timed = values.notna() & ((values != values.dt.normalize()) | (values.dt.tz is not None))
                if timed.any():
                    i = int(np.flatnonzero(timed.to_numpy())[0])
                    raise ValueError(
                        f"release.table column {column!r}, row {values.index[i]!r}: {values.iloc[i]} has a time "
                        "of day or a time zone; release the date only (e.g. .dt.normalize(), .dt.tz_localize(None))"
                    )
        frame = table[_column_order(list(table.columns))].rename_axis("row").reset_index()
        # Cells as pandas writes them, read back with the csv module (which, unlike pandas' reader,
        # keeps a quoted carriage return inside a cell as the cell's own character).
        reader = csv.reader(
            io.StringIO(frame.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n"), newline="")
        )
        header = next(reader)
        frame = pd.DataFrame(list(reader), columns=header, dtype=object)
        released = [c for c in frame.columns if c != "row"]
        # Sorted by the released values, then by row: rows that look alike come in one order too,
        # so that the order of tied rows (log2 k! bits in a class of k) carries nothing.
        order = frame.assign(_row=frame["row"].astype(np.int64)).sort_values([*released, "_row"], kind="stable").index
        frame = frame.loc[order]
    elif release.kind == "frequencies":
        frequencies = cast(pd.Series, release.frequencies)
        try:
            values = frequencies.to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise ValueError("release.frequencies must hold numbers (NaN for a suppressed SNP)") from None
        bad = np.isinf(values) | (~np.isnan(values) & ((values < 0) | (values > 1)))
        if bad.any():  # checked before rounding: 1.00001 is out of range, not 1.0
            raise ValueError(
                f"release.frequencies for snp_id {frequencies.index[np.flatnonzero(bad)[0]]!r} is not between 0 and 1"
            )
        frame = pd.DataFrame(
            {"snp_id": frequencies.index.astype(str), "frequency": _frequency_texts(values)}
        ).sort_values("snp_id", kind="stable")
    else:
        given = cast(pd.Series, release.answers)
        if given.dtype != bool:
            raise ValueError(f"release.answers must be True/False per snp_id; got dtype {given.dtype}")
        answers = np.where(given.to_numpy(dtype=bool), *answer_words)
        frame = pd.DataFrame({"snp_id": given.index.astype(str), "answer": answers}).sort_values(
            "snp_id", kind="stable"
        )
    return _csv_text(list(frame.columns), frame.astype(str).values.tolist())


def save_release(release: Release, folder: str | PathLike[str]) -> Path:
    """Write a steward's ``release`` into ``folder`` (created if needed) in the format
    :func:`load_release` reads; returns the release file.

    Raises
    ------
    ValueError
        For a ``genotypes`` release (never scored) or a folder that already holds another release file.

    Examples
    --------
    >>> path = save_release(Release("clinical", table=world.clinical[["sex"]]), "challenge")  # doctest: +SKIP
    >>> path.name                                                                            # doctest: +SKIP
    'clinical.csv'
    """
    if not isinstance(release, Release):
        raise ValueError(f"release must be a genshare.challenge.Release; got {type(release).__name__}")
    if release.kind not in RELEASE_FILES:
        raise ValueError(
            f"a {release.kind!r} release cannot be saved for scoring; save a {', '.join(RELEASE_FILES)} release"
        )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    others = [name for kind, name in RELEASE_FILES.items() if kind != release.kind and (folder / name).exists()]
    if others:
        raise ValueError(f"{folder} already holds {', '.join(others)}: one release per folder")
    path = folder / RELEASE_FILES[release.kind]
    path.write_text(_release_text(release), encoding="utf-8", newline="")
    if release.kind == "beacon":
        options = folder / _OPTIONS_FILE
        if release.max_queries is not None:
            options.write_text(_options_text(int(release.max_queries)), encoding="utf-8", newline="")
        elif options.exists():
            options.unlink()
    return path


#: Most columns a saved release or a scoreboard may have (a clinical release has at most 16).
MAX_COLUMNS = 64
#: Most lines a saved release may have (a release has one per record or SNP).
MAX_RELEASE_LINES = 2_000_000
#: Decimals a released allele frequency carries (1 / 10,000: finer than any pool's 1 / 2n).
FREQUENCY_DECIMALS = 4


def _frequency_text(value: float) -> str:
    """How a released frequency is written: rounded to :data:`FREQUENCY_DECIMALS`, as Python writes the float."""
    return _frequency_texts(np.array([value], dtype=float))[0]


def _frequency_texts(values: np.ndarray) -> list[str]:
    """:func:`_frequency_text` of every value (shape (SNPs,)), rounded in one step; ``""`` for NaN."""
    rounded = np.round(np.asarray(values, dtype=float), FREQUENCY_DECIMALS) + 0.0
    return ["" if v != v else repr(v) for v in rounded.tolist()]


def _csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    """The one way the challenge writes a CSV table: quotes only where needed, LF line ends, no blank lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _first_different_line(text: str, expected: str) -> int:
    """The first line (1-based) where ``text`` and ``expected`` differ, or where the shorter ends."""
    lines, wanted = text.split("\n"), expected.split("\n")
    differing = (i for i, (x, y) in enumerate(zip(lines, wanted, strict=False)) if x != y)
    return next(differing, min(len(lines), len(wanted)) - 1) + 1


def _parse_csv(text: str, name: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of ``text`` as the challenge writes it (:func:`_csv_text`), or ``ValueError`` naming the line.

    Read with the standard library's CSV reader, bounded before anything is built (at most
    :data:`MAX_COLUMNS` columns, every row as wide as the header). The text must be exactly
    the canonical form of its content: where quotes, line ends or blank lines may be chosen
    line by line, a file could carry hidden data in them.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{name}: empty file; expected a header line")
        if len(header) > MAX_COLUMNS:
            raise ValueError(f"{name}, line 1: {len(header):,} columns; at most {MAX_COLUMNS}")
        rows = []
        for row in reader:
            if len(row) != len(header):
                raise ValueError(
                    f"{name}, line {reader.line_num}: {len(row):,} fields where the header has {len(header)}"
                )
            rows.append(row)
    except csv.Error as error:
        raise ValueError(f"{name}, line {reader.line_num}: not a readable CSV line ({error})") from None
    if len(set(header)) != len(header):
        repeated = sorted({c for c in header if header.count(c) > 1})
        raise ValueError(f"{name}: repeated column name(s) {_excerpt(', '.join(repeated), 120)}")
    canonical = _csv_text(header, rows)
    if text != canonical:
        line = _first_different_line(text, canonical)
        raise ValueError(
            f"{name}, line {line}: not written as save_release writes it (quotes only where a value needs "
            "them, LF line ends, no blank lines, a final line end, no byte-order mark); write the file "
            "with save_release"
        )
    return header, rows


def _read_csv(path: Path, columns: tuple[str, ...], *, exact: bool = False) -> pd.DataFrame:
    if path.is_symlink() or not path.is_file():
        raise ValueError(f"{path.name} is not a regular file (symbolic links are not followed)")
    with open(path, "rb") as handle:
        content = handle.read(MAX_RELEASE_BYTES + 1)
    if len(content) > MAX_RELEASE_BYTES:
        raise ValueError(f"{path.name} is larger than {MAX_RELEASE_BYTES} bytes")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path.name}: not a readable CSV file (not UTF-8: {error})") from None
    if text.count("\n") > MAX_RELEASE_LINES:
        raise ValueError(
            f"{path.name}: more than {MAX_RELEASE_LINES:,} lines; a release has one line per record or SNP"
        )
    if text.startswith("\ufeff"):
        raise ValueError(
            f"{path.name}, line 1: starts with a byte-order mark; write the file with save_release (UTF-8 without one)"
        )
    header, rows = _parse_csv(text, path.name)
    missing = [c for c in columns if c not in header]
    if missing:
        raise ValueError(
            f"{path.name}: no column(s) {', '.join(missing)}; its columns are {_excerpt(','.join(header), 120)}"
        )
    if exact and header != list(columns):
        raise ValueError(
            f"{path.name}: its columns must be exactly {','.join(columns)} (any other column would be "
            f"published unread); got {_excerpt(','.join(header), 120)}"
        )
    return pd.DataFrame(rows, columns=header, dtype=object)


def _column_order(columns: list[str]) -> list[str]:
    """The one order of a clinical file's columns: as :data:`DIRECT_IDENTIFIERS`, :data:`QUASI_IDENTIFIERS`
    and :data:`ATTRIBUTES` list them, any other column after them in its own order."""
    known = list(DIRECT_IDENTIFIERS) + list(QUASI_IDENTIFIERS) + list(ATTRIBUTES)
    return [c for c in known if c in columns] + [c for c in columns if c not in known]


def _options_text(max_queries: int | None) -> str:
    """The one way ``release.json`` is written."""
    return json.dumps({"max_queries": max_queries}) + "\n"


def _check_sorted(path: Path, keys: list[tuple[Any, ...]], by: str) -> None:
    """Rows must come in one order (sorted by ``by``), so that the order of lines carries nothing."""
    for i in range(1, len(keys)):
        if keys[i] < keys[i - 1]:
            raise ValueError(
                f"{path.name}, line {i + 2}: rows must be sorted by {by} (the order save_release writes), "
                "so that their order carries nothing; write the file with save_release"
            )


def load_release(folder: str | PathLike[str]) -> Release:
    """Read the release saved in ``folder`` (format in the module docstring).

    Raises
    ------
    ValueError
        If the folder holds no release file or several, or a file is unreadable; the message
        names the file, line (1 is the header) and field.
    """
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    present = [kind for kind, name in RELEASE_FILES.items() if (folder / name).exists() or (folder / name).is_symlink()]
    if len(present) != 1:
        found = ", ".join(RELEASE_FILES[k] for k in present) or "none"
        raise ValueError(
            f"{folder.name}/ must hold exactly one release file ({', '.join(RELEASE_FILES.values())}); found {found}"
        )
    kind = present[0]
    allowed = {RELEASE_FILES[kind]} | ({_OPTIONS_FILE} if kind == "beacon" else set())
    others = sorted(entry.name for entry in folder.iterdir() if entry.name not in allowed)
    if others:
        shown = ", ".join(ascii(name)[:60] for name in others[:5]) + (" ..." if len(others) > 5 else "")
        raise ValueError(
            f"{folder.name}/ holds {shown} beside {RELEASE_FILES[kind]}; the folder must hold only the release "
            f"(anything else would be handed in unread)"
        )
    path = folder / RELEASE_FILES[kind]
    if kind == "clinical":
        frame = _read_csv(path, ("row",))
        # ASCII digits without leading zeros: one spelling per index, so the field carries nothing else.
        bad = ~frame["row"].str.fullmatch(r"0|[1-9][0-9]{0,11}")
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise ValueError(
                f"{path.name}, line {line}, field 'row': expected the row's index in world.clinical (an integer "
                "in ASCII digits, without leading zeros); "
                f"got {frame['row'][bad].iloc[0]!r}"
            )
        released = [c for c in frame.columns if c != "row"]
        if list(frame.columns) != ["row", *_column_order(released)]:
            raise ValueError(
                f"{path.name}, line 1: columns must come in the order save_release writes them "
                f"(row, then {', '.join(_column_order(released))}); write the file with save_release"
            )
        rows = frame["row"].astype(np.int64)
        _check_sorted(
            path,
            [
                (*values, row)
                for values, row in zip(frame[released].itertuples(index=False, name=None), rows, strict=True)
            ],
            "their released values, then by row",
        )
        table = frame.set_index(rows.rename(None)).drop(columns="row")
        return _exactly_as_saved(path, Release("clinical", table=table))
    if kind == "frequencies":
        frame = _read_csv(path, ("snp_id", "frequency"), exact=True)
        _check_sorted(path, [(v,) for v in frame["snp_id"]], "snp_id")
        text = frame["frequency"]
        values = pd.to_numeric(text.where(text != "", np.nan), errors="coerce")
        # One spelling per number, as save_release writes it (Python's shortest repr of the float).
        canonical = pd.Series(_frequency_texts(values.to_numpy(dtype=float)), index=values.index)
        bad = (values.isna() & (text != "")) | (text != canonical)
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise ValueError(
                f"{path.name}, line {line}, field 'frequency': expected a number written as save_release "
                f"writes it (at most {FREQUENCY_DECIMALS} decimals, e.g. 0.25, 0.0001) or an empty cell; "
                f"got {text[bad].iloc[0]!r}"
            )
        return _exactly_as_saved(
            path,
            Release(
                "frequencies",
                frequencies=pd.Series(values.to_numpy(dtype=float), index=frame["snp_id"].to_numpy(dtype=object)),
            ),
        )
    frame = _read_csv(path, ("snp_id", "answer"), exact=True)
    _check_sorted(path, [(v,) for v in frame["snp_id"]], "snp_id")
    text = frame["answer"]
    bad = ~text.isin(list(_YES))
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise ValueError(
            f"{path.name}, line {line}, field 'answer': expected yes or no (or true/false, 1/0; lower case, "
            f"no spaces); got {frame['answer'][bad].iloc[0]!r}"
        )
    # One pair of words for the whole file: a spelling chosen SNP by SNP could carry hidden data.
    pairs = text.map(_PAIR)
    if pairs.nunique() > 1:
        line = int(np.flatnonzero((pairs != pairs.iloc[0]).to_numpy())[0]) + 2
        raise ValueError(
            f"{path.name}, line {line}, field 'answer': {text.iloc[line - 2]!r} is written differently from line 2's "
            f"{text.iloc[0]!r}; write every answer with one pair of words ({' or '.join('/'.join(p) for p in _PAIRS)})"
        )
    max_queries = None
    options = folder / _OPTIONS_FILE
    if options.exists() or options.is_symlink():
        if options.is_symlink() or not options.is_file() or options.stat().st_size > 4096:
            raise ValueError(f"{_OPTIONS_FILE} must be a small regular file")
        try:
            data = json.loads(options.read_text(encoding="utf-8"))
        except RecursionError:
            raise ValueError(
                f'{_OPTIONS_FILE}: nested too deeply; expected {{"max_queries": <number or null>}}'
            ) from None
        except (ValueError, UnicodeDecodeError) as error:
            raise ValueError(f"{_OPTIONS_FILE}: not valid JSON ({error})") from None
        if not isinstance(data, dict) or set(data) - {"max_queries"}:
            raise ValueError(f"{_OPTIONS_FILE}: expected an object with only 'max_queries'; got {data!r}")
        max_queries = data.get("max_queries")
        if max_queries is not None and (
            isinstance(max_queries, bool) or not isinstance(max_queries, int) or not 0 <= max_queries <= MAX_QUERIES
        ):
            raise ValueError(
                f"{_OPTIONS_FILE}, field 'max_queries': expected a whole number from 0 to {MAX_QUERIES:,} "
                f"or null; got {_excerpt(max_queries)}"
            )
        # Exactly the bytes save_release writes: spaces, escapes or repeated keys could carry data.
        if options.read_bytes() != _options_text(max_queries).encode("utf-8"):
            raise ValueError(
                f"{_OPTIONS_FILE}: not written as save_release writes it ({_options_text(max_queries)!r}); "
                "write the folder with save_release"
            )
    answers = pd.Series(text.map(_YES).to_numpy(dtype=bool), index=frame["snp_id"].to_numpy(dtype=object))
    return _exactly_as_saved(
        path,
        Release("beacon", answers=answers, max_queries=max_queries),
        _PAIR[text.iloc[0]] if len(text) else ("yes", "no"),
    )


def _exactly_as_saved(path: Path, release: Release, answer_words: tuple[str, str] = ("yes", "no")) -> Release:
    """``release`` if ``path`` holds exactly the text :func:`save_release` writes for it, else ``ValueError``.

    The checks before this one name the usual mistakes; this one closes what they do not
    foresee: any file that is not the one canonical text of its content is refused.
    """
    text = path.read_bytes().decode("utf-8")
    expected = _release_text(release, answer_words)
    if text != expected:
        line, wanted = _first_different_line(text, expected), expected.split("\n")
        raise ValueError(
            f"{path.name}, line {line}: not the file save_release writes for this content "
            f"(expected {_excerpt(wanted[line - 1] if line <= len(wanted) else '', 60)}); "
            "write the file with save_release"
        )
    return release


def scoreboard_row(world: Any, folder: str | PathLike[str], rules: Rules | None = None) -> dict[str, Any]:
    """Score the release saved in ``folder`` on ``world``: the marker's ``challenge_*`` columns.

    Returns
    -------
    dict
        ``kind``, ``evaluated`` (1 or 0), ``records_released``, ``people_reidentified``,
        ``membership_auc``, ``beacon_auc`` (empty where the attack does not apply),
        ``utility``, ``utility_required``, ``utility_met`` (1 or 0) and ``note``. A release
        that cannot be read or judged fails closed: ``evaluated`` and ``utility_met`` are 0,
        the scores are empty and ``note`` says why.

    Examples
    --------
    >>> scoreboard_row(world, "submissions/ana/challenge")["people_reidentified"]   # doctest: +SKIP
    0
    """
    empty = {
        "kind": "",
        "evaluated": 0,
        "records_released": "",
        "people_reidentified": "",
        "membership_auc": "",
        "beacon_auc": "",
        "utility": "",
        "utility_required": "",
        "utility_met": 0,
    }
    try:
        release = load_release(folder)
        board = score_release(world, release, rules)
    except (ValueError, OSError) as error:
        return {**empty, "note": f"release not scored: {error}"}
    if not board.evaluated:
        return {
            **empty,
            "kind": board.kind,
            "records_released": board.records_released,
            "note": f"release not evaluated: {board.note}",
        }
    return {
        "kind": board.kind,
        "evaluated": 1,
        "records_released": board.records_released,
        "people_reidentified": board.people_reidentified,
        "membership_auc": "" if board.membership_auc is None else board.membership_auc,
        "beacon_auc": "" if board.beacon_auc is None else board.beacon_auc,
        "utility": round(board.utility, 6),
        "utility_required": board.utility_required,
        "utility_met": int(board.utility_met),
        "note": board.note,
    }
