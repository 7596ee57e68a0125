"""Surname inference from Y-chromosome STRs (Gymrek et al. 2013).

A man's Y chromosome and his surname both usually come from his father. Genetic
genealogy databases publish Y-STR haplotypes with surnames, so the haplotype in a
"de-identified" genome can be looked up: the surname of the closest paternal relatives in
the database is probably the target's :cite:p:`gymrek2013surnames`. Combined with age and
place from the study's metadata, a surname narrows the target to a few people in public
records.

The method
----------
**Time to the most recent common ancestor (TMRCA).** Two men whose paternal lines meet
``t`` generations ago are separated by ``2t`` meioses. Under the stepwise mutation model
each lineage gains and loses repeats at a locus as two Poisson processes of rate
``mu/2`` each, so the difference ``d`` of their repeat counts follows a Skellam
distribution, ``P(d | t) = exp(-2 mu t) I_|d|(2 mu t)`` (``I`` the modified Bessel
function), independently across loci. Following :cite:t:`walsh2001estimating`, the
posterior of ``t`` given the differences at all loci uses a uniform prior on
``1..max_generations`` generations. Two simplifications: the likelihood ignores the
range bounds of real Y-STRs (which matter only for deep ancestry, not for the recent
relatives that carry a surname), and each database profile is compared with the target
independently.

**Ranking surnames.** For each of the ``candidates`` database profiles nearest to the
target (by total repeat difference), ``p_recent`` is the posterior probability that the
target and the profile share a paternal ancestor at most ``recent_generations``
generations ago. A surname's score is the largest ``p_recent`` among its profiles; its
TMRCA is that profile's maximum-likelihood ``t``. Surnames are ranked by score.

**Confidence and abstention (fail closed).** The confidence of the top surname is the
probability that its best profile is a recent paternal relative *and* that no other
surname's best profile is (treating the profiles as independent):
``p_best * prod(1 - p_other)``. Two surnames with equally close profiles (a surname
changed by non-paternity, adoption or a name change on one side) therefore give a low
confidence. Below ``min_confidence`` the function returns an explicit ``no_answer`` with
the reason, never the top of an uninformative ranking. Gymrek et al. likewise reported a
surname only when the top match was clearly better than the rest; this module's exact
rule is its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from genshare._validation import check_columns, check_integer, check_number

__all__ = [
    "NoYChromosomeError",
    "SurnameInference",
    "infer_surname",
    "infer_surnames",
    "narrow_by_records",
    "tmrca_posterior",
]


class NoYChromosomeError(ValueError):
    """The target has no Y chromosome (a woman), so no Y-STR surname inference is possible."""


@dataclass(frozen=True)
class SurnameInference:
    """The answer of :func:`infer_surname`.

    Attributes
    ----------
    status
        ``"answer"`` or ``"no_answer"`` (abstained: ``surname`` is ``None``).
    surname
        The inferred surname, or ``None`` when abstaining.
    confidence
        Confidence of the top-ranked surname (reported even when abstaining).
    reason
        Why the function answered or abstained, in words.
    ranking
        One row per candidate surname, best first: ``surname``, ``p_recent``,
        ``tmrca_generations`` (maximum-likelihood TMRCA of its closest profile),
        ``steps`` (total repeat difference to that profile), ``mismatches`` (loci that
        differ), ``profiles`` (candidate profiles with that surname).
    """

    status: str
    surname: str | None
    confidence: float
    reason: str
    ranking: pd.DataFrame = field(repr=False)

    @property
    def answered(self) -> bool:
        """True when a surname is given."""
        return self.status == "answer"


def _mutation_rates(panel: pd.DataFrame | None, loci: list[str]) -> np.ndarray:
    if panel is None:
        from genshare._facts import YSTR_PANEL

        panel = YSTR_PANEL
    check_columns(panel, ["locus", "mutation_rate"], "panel")
    rates = panel.drop_duplicates("locus").set_index("locus")["mutation_rate"]
    unknown = [locus for locus in loci if locus not in rates.index]
    if unknown:
        raise ValueError(f"panel has no mutation rate for locus {unknown[:5]}")
    values = pd.to_numeric(rates.loc[loci], errors="coerce").to_numpy(float)
    bad = [locus for locus, v in zip(loci, values, strict=True) if not (np.isfinite(v) and 0 < v < 1)]
    if bad:
        raise ValueError(f"panel: mutation_rate must lie in (0, 1) for locus {bad[:5]}")
    return values


def _max_repeat_count() -> int:
    from genshare._facts import MAX_REPEAT_COUNT

    return MAX_REPEAT_COUNT


def _repeat_counts(values: Any, name: str, loci: list[str], ids: Sequence[Any] | None = None) -> np.ndarray:
    """Check repeat counts (whole numbers from 0 to MAX_REPEAT_COUNT, no missing value); return int32 array.

    NaN, infinities, negative, fractional and implausibly large counts (above
    :data:`genshare.cohort.ystr.MAX_REPEAT_COUNT`) are refused here, before any table
    sized by the counts is built (a count of 10**6 would otherwise ask for gigabytes).
    """
    frame = pd.DataFrame(values, columns=loci) if not isinstance(values, pd.DataFrame) else values[loci]
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    largest = _max_repeat_count()
    for locus in loci:
        raw, num = frame[locus], numeric[locus]
        rows = ids if ids is not None else list(range(len(frame)))
        not_number = num.isna() & raw.notna()
        if not_number.any():
            row = rows[int(np.flatnonzero(not_number.to_numpy())[0])]
            raise ValueError(
                f"{name}: repeat count at locus {locus} is not a number (row {row!r}: {raw[not_number].iloc[0]!r})"
            )
        if num.isna().any():
            row = rows[int(np.flatnonzero(num.isna().to_numpy())[0])]
            raise ValueError(
                f"{name}: missing repeat count at locus {locus} (row {row!r}); call it, or pass loci=[...] without it"
            )
        values_ = num.to_numpy(dtype=float)
        infinite = ~np.isfinite(values_)
        if infinite.any():
            row = rows[int(np.flatnonzero(infinite)[0])]
            raise ValueError(
                f"{name}: repeat count at locus {locus} must be a finite whole number "
                f"(row {row!r}: {raw[infinite].iloc[0]!r})"
            )
        bad = (num != np.round(num)) | (num < 0) | raw.map(lambda v: isinstance(v, (bool, np.bool_)))
        if bad.any():
            row = rows[int(np.flatnonzero(bad.to_numpy())[0])]
            raise ValueError(
                f"{name}: repeat count at locus {locus} must be a non-negative integer "
                f"(row {row!r}: {raw[bad].iloc[0]!r}); microvariants such as 14.2 are not supported"
            )
        huge = values_ > largest
        if huge.any():
            row = rows[int(np.flatnonzero(huge)[0])]
            raise ValueError(
                f"{name}: repeat count at locus {locus} is {raw[huge].iloc[0]!r} (row {row!r}); "
                f"Y-STR alleles have at most {largest} repeats (MAX_REPEAT_COUNT)"
            )
    return numeric.to_numpy(dtype=float).astype(np.int32)


def _target_series(target_haplotype: Any) -> pd.Series:
    if isinstance(target_haplotype, pd.DataFrame):
        if len(target_haplotype) != 1:
            raise ValueError(f"target_haplotype must be one haplotype; got a table of {len(target_haplotype)} rows")
        target_haplotype = target_haplotype.iloc[0]
    if isinstance(target_haplotype, Mapping):
        target_haplotype = pd.Series(dict(target_haplotype), dtype=object)
    if not isinstance(target_haplotype, pd.Series):
        raise ValueError(
            "target_haplotype must be a pandas Series or a mapping from locus name to repeat count; "
            f"got {type(target_haplotype).__name__}"
        )
    return target_haplotype


def _resolve_loci(
    target_loci: list[str], database: pd.DataFrame, loci: Sequence[str] | None, panel_loci: set[str]
) -> list[str]:
    db_loci = [c for c in database.columns if c in panel_loci]
    if loci is not None:
        if isinstance(loci, str):
            raise ValueError(f"loci must be a list of locus names; got the string {loci!r}")
        loci = list(loci)
        if not loci:
            raise ValueError("loci must name at least one locus")
        for where, have in (("target_haplotype", target_loci), ("database", list(database.columns))):
            absent = [locus for locus in loci if locus not in have]
            if absent:
                raise ValueError(f"loci: {where} has no locus {absent[:5]}")
        return loci
    not_in_db = [locus for locus in target_loci if locus not in database.columns]
    if not_in_db:
        raise ValueError(
            f"target_haplotype has locus {not_in_db[:5]} that the database does not hold; "
            "the panels must match (or pass loci=[...])"
        )
    not_in_target = [locus for locus in db_loci if locus not in target_loci]
    if not_in_target:
        raise ValueError(
            f"target_haplotype lacks locus {not_in_target[:5]} that the database holds; "
            "the panels must match (or pass loci=[...] to compare on a subset)"
        )
    if not target_loci:
        raise ValueError("target_haplotype names no locus")
    return list(target_loci)


def _log_pmf_table(rates: np.ndarray, max_step: int, generations: np.ndarray) -> np.ndarray:
    """log P(|d| = k | t) up to a constant, each locus, k = 0..max_step, t in ``generations``: (L, K+1, T).

    Skellam(mu t, mu t): ``P(d) = exp(-x) I_d(x)`` with ``x = 2 mu t``. The modified Bessel
    function is summed from its power series in log space,
    ``I_k(x) = sum_m (x/2)^(2m+k) / (m! (m+k)!)``, with enough terms for the largest ``x``
    (the factor 2 for d != 0 does not depend on t and cancels in the posterior).
    """
    x = 2.0 * rates[:, None, None] * generations[None, None, :]  # (L, 1, T)
    k = np.arange(max_step + 1, dtype=float)[None, :, None]  # (1, K+1, 1)
    x_max = float(x.max(initial=0.0))
    n_terms = int(x_max + 10.0 * np.sqrt(x_max) + 30)
    log_half_x = np.log(x / 2.0)
    log_fact = np.concatenate([[0.0], np.cumsum(np.log(np.arange(1, n_terms + max_step + 2)))])
    k_int = np.arange(max_step + 1)
    total = np.full(np.broadcast_shapes(x.shape, k.shape), -np.inf)
    for m in range(n_terms):
        term = (2 * m + k) * log_half_x - log_fact[m] - log_fact[m + k_int][None, :, None]
        total = np.logaddexp(total, term)
    return total - x


def tmrca_posterior(
    differences: np.ndarray,
    mutation_rates: np.ndarray,
    *,
    max_generations: int = 300,
) -> np.ndarray:
    """Posterior of the TMRCA (generations) for pairs of Y haplotypes, under the SMM.

    Parameters
    ----------
    differences
        Absolute repeat differences, shape (pairs, loci), non-negative integers.
    mutation_rates
        Per-generation mutation rate of each locus, shape (loci,).
    max_generations
        The uniform prior runs over ``1..max_generations``.

    Returns
    -------
    numpy.ndarray
        Shape (pairs, max_generations); row *i* sums to 1; column *j* is ``t = j + 1``.

    Examples
    --------
    >>> post = tmrca_posterior(np.zeros((1, 20), int), np.full(20, 0.003), max_generations=100)
    >>> round(float(post[0, :10].sum()), 2)   # an exact 20-locus match: recent ancestry likely
    0.68
    """
    max_generations = check_integer(max_generations, "max_generations", minimum=1)
    array = np.asarray(differences)
    if array.dtype.kind not in "iuf":
        raise ValueError(f"differences must hold whole numbers of repeats; got dtype {array.dtype}")
    if array.dtype.kind == "f" and not (np.isfinite(array).all() and (array == np.round(array)).all()):
        raise ValueError("differences must hold finite whole numbers of repeats (no NaN, infinity or fraction)")
    largest = _max_repeat_count()
    if array.size and np.abs(array.astype(float)).max() > largest:
        raise ValueError(
            f"differences must lie between -{largest} and {largest} repeats (MAX_REPEAT_COUNT); "
            f"got {np.abs(array.astype(float)).max():g}"
        )
    diffs = np.abs(array.astype(np.int64))
    if diffs.ndim != 2:
        raise ValueError(f"differences must have shape (pairs, loci); got {diffs.shape}")
    rates = np.asarray(mutation_rates, dtype=float)
    if rates.shape != (diffs.shape[1],):
        raise ValueError(f"mutation_rates must have one rate per locus ({diffs.shape[1]}); got shape {rates.shape}")
    generations = np.arange(1, max_generations + 1, dtype=float)
    table = _log_pmf_table(rates, int(diffs.max(initial=0)), generations)
    loglik = table[np.arange(len(rates))[None, :], diffs].sum(axis=1)  # (pairs, T)
    loglik -= loglik.max(axis=1, keepdims=True)
    post = np.exp(loglik)
    return post / post.sum(axis=1, keepdims=True)


def _time_grid(
    recent_generations: int, max_generations: int, step_until: int = 40, n_log: int = 40
) -> tuple[np.ndarray, np.ndarray]:
    """TMRCA grid for ranking: every generation up to ``max(recent, step_until)``, then geometric steps.

    Each point carries the number of integer generations it stands for, so that sums over
    the grid approximate sums over the uniform prior on ``1..max_generations`` (the
    likelihood changes slowly at large ``t``).
    """
    dense = min(max(recent_generations, step_until), max_generations)
    points = np.arange(1, dense + 1, dtype=float)
    if max_generations > dense:
        tail = np.unique(np.round(np.geomspace(dense + 1, max_generations, n_log)))
        points = np.concatenate([points, tail])
    edges = np.concatenate([[0.5], (points[1:] + points[:-1]) / 2, [max_generations + 0.5]])
    return points, np.diff(edges)


def _rank(
    targets: np.ndarray,
    db: np.ndarray,
    surnames: np.ndarray,
    rates: np.ndarray,
    *,
    candidates: int,
    recent_generations: int,
    max_generations: int,
    chunk: int = 64,
) -> pd.DataFrame:
    """Long table: one row per (target, surname) among each target's nearest profiles."""
    k = min(candidates, len(db))
    generations, weights = _time_grid(recent_generations, max_generations)
    log_weights = np.log(weights)
    frames = []
    max_step = int(np.abs(targets[:, None, :].max(axis=0) - db.min(axis=0)).max(initial=0))
    max_step = max(max_step, int(np.abs(db.max(axis=0) - targets.min(axis=0)).max(initial=0)))
    table = _log_pmf_table(rates, max_step, generations)  # (L, K+1, T)
    recent = generations <= recent_generations
    locus_index = np.arange(len(rates))[None, None, :]
    for start in range(0, len(targets), chunk):
        block = targets[start : start + chunk]
        diffs = np.abs(block[:, None, :] - db[None, :, :])  # (b, m, L)
        steps = diffs.sum(axis=2)
        nearest = (
            np.argpartition(steps, k - 1, axis=1)[:, :k]
            if k < len(db)
            else np.tile(np.arange(len(db)), (len(block), 1))
        )
        near = np.take_along_axis(diffs, nearest[:, :, None], axis=1)  # (b, k, L)
        loglik = table[locus_index, near].sum(axis=2)  # (b, k, T)
        logpost = loglik + log_weights
        logpost -= logpost.max(axis=2, keepdims=True)
        post = np.exp(logpost)
        post /= post.sum(axis=2, keepdims=True)
        frames.append(
            pd.DataFrame(
                {
                    "target": np.repeat(np.arange(start, start + len(block)), k),
                    "surname": surnames[nearest].ravel(),
                    "p_recent": post[:, :, recent].sum(axis=2).ravel(),
                    "tmrca_generations": generations[loglik.argmax(axis=2)].ravel().astype(int),
                    "steps": np.take_along_axis(steps, nearest, axis=1).ravel(),
                    "mismatches": (near > 0).sum(axis=2).ravel(),
                }
            )
        )
    long = pd.concat(frames, ignore_index=True)
    long = long.sort_values(["target", "p_recent", "steps"], ascending=[True, False, True], kind="stable")
    counts = long.groupby(["target", "surname"]).size().rename("profiles")
    best = long.drop_duplicates(["target", "surname"]).join(counts, on=["target", "surname"])
    return best.reset_index(drop=True)


def _decide(ranking: pd.DataFrame, min_confidence: float) -> tuple[str, str | None, float, str]:
    if ranking.empty:
        return "no_answer", None, 0.0, "the database holds no profile to compare with"
    p = ranking["p_recent"].to_numpy(float)
    confidence = float(p[0] * np.prod(1.0 - p[1:]))
    top = str(ranking["surname"].iloc[0])
    if confidence >= min_confidence:
        generations = int(ranking["tmrca_generations"].iloc[0])
        return (
            "answer",
            top,
            confidence,
            (
                f"closest profile with surname {top} implies a TMRCA of about {generations} "
                f"generation{'' if generations == 1 else 's'}; confidence {confidence:.2f}"
            ),
        )
    if p[0] < min_confidence:
        why = f"no profile is likely to share a recent paternal ancestor (best p_recent {p[0]:.2f})"
    else:
        why = f"surnames {top} and {ranking['surname'].iloc[1]} are both close (p_recent {p[0]:.2f} and {p[1]:.2f})"
    return "no_answer", None, confidence, f"abstained: {why}; confidence {confidence:.2f} < {min_confidence}"


def _check_database(database: Any, loci: list[str]) -> tuple[np.ndarray, np.ndarray]:
    check_columns(database, ["surname", *loci], "database", what="columns", allow_empty_table=True)
    ids = database["ystr_profile_id"].tolist() if "ystr_profile_id" in database.columns else list(database.index)
    haps = _repeat_counts(database, "database", loci, ids)
    surnames = database["surname"]
    blank = surnames.isna() | (surnames.astype(str).str.strip() == "")
    if blank.any():
        raise ValueError(f"database: empty surname in row {ids[int(np.flatnonzero(blank.to_numpy())[0])]!r}")
    return haps, surnames.astype(str).to_numpy()


def _parameters(
    candidates: Any, recent_generations: Any, max_generations: Any, min_confidence: Any
) -> tuple[int, int, int, float]:
    candidates = check_integer(candidates, "candidates", minimum=1)
    max_generations = check_integer(max_generations, "max_generations", minimum=1)
    recent_generations = check_integer(recent_generations, "recent_generations", minimum=1, maximum=max_generations)
    min_confidence = check_number(min_confidence, "min_confidence", minimum=0, maximum=1, low_open=True)
    return candidates, recent_generations, max_generations, min_confidence


def infer_surname(
    target_haplotype: pd.Series | Mapping[str, int],
    database: pd.DataFrame,
    *,
    sex: str | None = None,
    loci: Sequence[str] | None = None,
    panel: pd.DataFrame | None = None,
    candidates: int = 20,
    recent_generations: int = 10,
    max_generations: int = 300,
    min_confidence: float = 0.5,
) -> SurnameInference:
    """Infer a man's surname from his Y-STR haplotype and a public genealogy database.

    Parameters
    ----------
    target_haplotype
        Repeat count per locus (a Series indexed by locus, or a mapping), non-negative integers.
    database
        Public Y-STR database: ``surname`` and one column per locus (other columns ignored).
    sex
        The target's sex if known; ``"F"`` raises :class:`NoYChromosomeError`.
    loci
        Compare on these loci only (both sides must have them). By default the target's
        and the database's loci must be the same set.
    panel
        Locus table with ``locus`` and ``mutation_rate`` (default
        :data:`genshare.cohort.ystr.YSTR_PANEL`).
    candidates
        Number of nearest profiles (by total repeat difference) scored in detail.
    recent_generations
        A profile is a "recent" paternal relative if the TMRCA is at most this many
        generations (surnames are a few centuries old).
    max_generations
        Upper end of the uniform TMRCA prior.
    min_confidence
        Below this confidence the function abstains.

    Returns
    -------
    SurnameInference

    Raises
    ------
    NoYChromosomeError
        If ``sex == "F"`` or the haplotype has no called locus at all.
    ValueError
        For missing loci, non-integer repeat counts, panels that do not match, or bad
        parameters (the message names the locus, row or parameter).

    Examples
    --------
    >>> db = pd.DataFrame({"surname": ["Ames", "Ames", "Bell"],
    ...                    "DYS19": [14, 14, 17], "DYS390": [24, 24, 21], "DYS391": [10, 10, 12]})
    >>> result = infer_surname({"DYS19": 14, "DYS390": 24, "DYS391": 10}, db, min_confidence=0.1)
    >>> result.surname, result.status
    ('Ames', 'answer')
    """
    if sex is not None and str(sex).upper() == "F":
        raise NoYChromosomeError(
            "target is a woman (sex='F'): she has no Y chromosome, so her surname cannot be inferred "
            "from Y-STRs; it can be inferred through a father's or brother's Y haplotype"
        )
    target = _target_series(target_haplotype)
    if len(target) and target.isna().all():
        raise NoYChromosomeError(
            "target_haplotype has no called Y-STR locus (all missing): a woman's genome has no Y chromosome; "
            "no surname can be inferred from it"
        )
    candidates, recent_generations, max_generations, min_confidence = _parameters(
        candidates, recent_generations, max_generations, min_confidence
    )
    if not isinstance(database, pd.DataFrame):
        raise ValueError(f"database must be a pandas DataFrame; got {type(database).__name__}")
    from genshare._facts import YSTR_PANEL

    panel_loci = set((YSTR_PANEL if panel is None else panel)["locus"])
    chosen = _resolve_loci([str(i) for i in target.index], database, loci, panel_loci)
    rates = _mutation_rates(panel, chosen)
    target_counts = _repeat_counts(
        pd.DataFrame([target.loc[chosen].to_numpy()], columns=chosen), "target_haplotype", chosen, ["target"]
    )
    db, surnames = _check_database(database, chosen)
    if len(db) == 0:
        ranking = pd.DataFrame(columns=["surname", "p_recent", "tmrca_generations", "steps", "mismatches", "profiles"])
    else:
        ranking = _rank(
            target_counts,
            db,
            surnames,
            rates,
            candidates=candidates,
            recent_generations=recent_generations,
            max_generations=max_generations,
        )
        ranking = ranking.drop(columns="target").reset_index(drop=True)
    status, surname, confidence, reason = _decide(ranking, min_confidence)
    return SurnameInference(status, surname, confidence, reason, ranking)


def infer_surnames(
    targets: pd.DataFrame,
    database: pd.DataFrame,
    *,
    id_column: str = "participant_id",
    loci: Sequence[str] | None = None,
    panel: pd.DataFrame | None = None,
    candidates: int = 20,
    recent_generations: int = 10,
    max_generations: int = 300,
    min_confidence: float = 0.5,
) -> pd.DataFrame:
    """:func:`infer_surname` for many targets at once (vectorised).

    Parameters
    ----------
    targets
        ``id_column`` and one column per locus, one row per man.
    database, loci, panel, candidates, recent_generations, max_generations, min_confidence
        As for :func:`infer_surname`.

    Returns
    -------
    pandas.DataFrame
        ``id_column``, ``status``, ``surname`` ("" when abstaining), ``confidence``,
        ``tmrca_generations`` and ``steps`` of the top surname's closest profile.

    Examples
    --------
    >>> db = pd.DataFrame({"surname": ["Ames", "Bell"], "DYS19": [14, 17], "DYS390": [24, 21]})
    >>> t = pd.DataFrame({"participant_id": ["S1", "S2"], "DYS19": [14, 10], "DYS390": [24, 30]})
    >>> infer_surnames(t, db, min_confidence=0.05)["status"].tolist()
    ['answer', 'no_answer']
    """
    candidates, recent_generations, max_generations, min_confidence = _parameters(
        candidates, recent_generations, max_generations, min_confidence
    )
    check_columns(targets, [id_column], "targets", what="id_column", allow_empty_table=True)
    if not isinstance(database, pd.DataFrame):
        raise ValueError(f"database must be a pandas DataFrame; got {type(database).__name__}")
    from genshare._facts import YSTR_PANEL

    panel_loci = set((YSTR_PANEL if panel is None else panel)["locus"])
    target_loci = [c for c in targets.columns if c in panel_loci]
    chosen = _resolve_loci(target_loci, database, loci, panel_loci)
    rates = _mutation_rates(panel, chosen)
    ids = targets[id_column].tolist()
    haps = _repeat_counts(targets, "targets", chosen, ids)
    db, surnames = _check_database(database, chosen)
    out = pd.DataFrame(
        {id_column: ids, "status": "no_answer", "surname": "", "confidence": 0.0, "tmrca_generations": 0, "steps": -1}
    )
    if len(db) == 0 or len(haps) == 0:
        return out
    ranked = _rank(
        haps,
        db,
        surnames,
        rates,
        candidates=candidates,
        recent_generations=recent_generations,
        max_generations=max_generations,
    )
    p = ranked["p_recent"].to_numpy(float)
    ranked["log_miss"] = np.log1p(-np.minimum(p, 1 - 1e-15))
    first = ranked.drop_duplicates("target").set_index("target")
    total_miss = ranked.groupby("target")["log_miss"].sum()
    confidence = first["p_recent"] * np.exp(total_miss - first["log_miss"])
    rows = first.index.to_numpy()
    out.loc[rows, "confidence"] = confidence.to_numpy()
    answered = confidence.to_numpy() >= min_confidence
    out.loc[rows[answered], "status"] = "answer"
    out.loc[rows[answered], "surname"] = first["surname"].to_numpy()[answered]
    out.loc[rows, "tmrca_generations"] = first["tmrca_generations"].to_numpy()
    out.loc[rows, "steps"] = first["steps"].to_numpy()
    return out


def narrow_by_records(
    surname: str | None,
    records: pd.DataFrame,
    *,
    sex: str = "M",
    birth_year: int | None = None,
    tolerance: int = 0,
    zip3: str | None = None,
) -> pd.DataFrame:
    """People in public records who match an inferred surname, sex, birth year and area.

    Gymrek et al. combined the inferred surname with the age and US state in the
    participants' public metadata and searched public records for people who fit.

    Parameters
    ----------
    surname
        The inferred surname. ``None`` (an abstention) is refused: there is nothing to narrow.
    records
        Public records with ``surname``, ``sex``, ``date_of_birth`` (or ``birth_year``) and
        ``zip5``, for example the world's voter roll.
    sex
        Keep people of this sex.
    birth_year
        Keep people born within ``tolerance`` years of it (age in metadata gives the year).
    tolerance
        Years either side of ``birth_year``.
    zip3
        Keep people whose ZIP code starts with these three digits.

    Returns
    -------
    pandas.DataFrame
        The matching rows of ``records``.

    Examples
    --------
    >>> roll = pd.DataFrame({"surname": ["Ames", "Ames"], "sex": ["M", "M"],
    ...     "date_of_birth": ["1950-02-01", "1972-06-30"], "zip5": ["39011", "39311"]})
    >>> len(narrow_by_records("Ames", roll, birth_year=1950))
    1
    """
    if surname is None or (isinstance(surname, str) and not surname.strip()):
        raise ValueError("surname is missing: the inference abstained, so there is nothing to narrow with")
    if not isinstance(surname, str):
        raise ValueError(f"surname must be a string; got {type(surname).__name__}")
    check_columns(records, ["surname", "sex", "zip5"], "records", what="columns", allow_empty_table=True)
    tolerance = check_integer(tolerance, "tolerance", minimum=0)
    keep = (records["surname"].astype(str) == surname) & (records["sex"].astype(str) == sex)
    if birth_year is not None:
        birth_year = check_integer(birth_year, "birth_year", minimum=1800, maximum=2100)
        if "birth_year" in records.columns:
            years = pd.to_numeric(records["birth_year"], errors="coerce")
        elif "date_of_birth" in records.columns:
            years = pd.to_datetime(records["date_of_birth"], errors="coerce").dt.year
        else:
            raise ValueError("records needs a birth_year or date_of_birth column to narrow by birth_year")
        keep &= (years - birth_year).abs() <= tolerance
    if zip3 is not None:
        if not (isinstance(zip3, str) and len(zip3) == 3 and zip3.isdigit()):
            raise ValueError(f"zip3 must be three digits as a string; got {zip3!r}")
        keep &= records["zip5"].astype(str).str[:3] == zip3
    return records.loc[keep]
