"""The pre-release risk check: one function that reads the user's files and returns a summary.

:func:`risk_check` reads a table and/or a genotype file (streamed, read-only), measures
quasi-identifier uniqueness and k-anonymity, looks for Safe Harbor identifiers, estimates
the power of membership attacks on a planned summary release, and recommends an access
tier with its reasons. :func:`genshare.risk.report.write_report` turns the summary into
HTML and JSON.

It fails closed: a part that cannot be assessed (no table given, a reader not
installed, a release whose size is unknown) is listed under ``not_assessed`` and keeps
the recommendation at controlled access; it is never counted as low risk.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from genshare._validation import check_choice, check_integer, check_probability
from genshare.formats.checksums import file_sha256
from genshare.risk.inputs import MissingReaderError, RiskInputError, read_genotype_summary, read_table_summary
from genshare.risk.release import REFERENCE_PANEL_SIZE, beacon_power, dp_cost, membership_power
from genshare.risk.table import generalise_counts, uniqueness_summary

__all__ = ["LESSONS", "RELEASES", "TIERS", "risk_check", "sha256"]

#: Access tiers from least to most restrictive.
TIERS = ("open", "registered", "controlled")
#: Planned releases the check can assess.
RELEASES = ("none", "frequencies", "beacon")
#: Power above which a membership attack counts as a real risk: twice the false-positive rate.
POWER_FACTOR = 2.0

#: The lessons a finding points to: page of the book -> title.
LESSONS: dict[str, str] = {
    "notebooks/05-linkage-of-quasi-identifiers": "Linkage of quasi-identifiers",
    "notebooks/07-safe-harbor-and-k-anonymity": "Safe Harbor and k-anonymity",
    "notebooks/06-membership-inference-and-beacons": "Membership inference and beacons",
    "notebooks/08-protecting-summary-statistics": "Protecting summary statistics",
    "chapters/access-and-governance": "Access and governance",
    "chapters/before-you-share": "Before you share: the risk check",
}


#: SHA-256 of a regular file, as lower-case hex (the one file hasher,
#: :func:`genshare.formats.checksums.file_sha256`, which refuses anything else, such as a FIFO).
sha256 = file_sha256


def _stricter(a: str, b: str) -> str:
    return a if TIERS.index(a) >= TIERS.index(b) else b


def _table_part(
    path, quasi_identifiers, k, sample_id_column, zip3_population, keep, hierarchies, max_suppression, chunk_rows
):
    summary = read_table_summary(
        path,
        quasi_identifiers,
        sample_id_column=sample_id_column,
        zip3_population=zip3_population,
        keep=keep,
        chunk_rows=chunk_rows,
    )
    unknown = sorted(set(hierarchies or {}) - set(summary.quasi_identifiers))
    if unknown:
        raise RiskInputError(
            f"{summary.path}: hierarchies given for column(s) {', '.join(unknown)}, "
            "which are not among the quasi-identifiers named"
        )
    uniqueness = uniqueness_summary(summary.combinations, k)
    generalisation = generalise_counts(summary.combinations, k, hierarchies, max_suppression)
    findings = summary.safe_harbor.to_dict("records")
    removed = sorted({f["column"] for f in findings if f["action"] == "column removed"})
    redacted = sorted({f["column"] for f in findings if "found in text" in f["action"]})
    transformed = sorted({f["column"] for f in findings if f["status"] == "done"} - set(removed) - set(redacted))
    review = [f for f in findings if f["status"] == "needs review"]
    part = {
        "status": "assessed",
        "path": str(summary.path),
        "rows": summary.n_rows,
        "columns": summary.columns,
        "chunks_read": summary.chunks,
        "quasi_identifiers": summary.quasi_identifiers,
        "k": k,
        "uniqueness": uniqueness,
        "generalisation": generalisation,
        "safe_harbor": {
            "identifier_columns": removed,
            "identifiers_in_text": redacted,
            "columns_to_transform": transformed,
            "needs_review": review,
            "findings": findings,
            "zip3_population_given": zip3_population is not None,
        },
    }
    return part, summary


def _genotype_part(path, chunk_variants):
    summary = read_genotype_summary(path, chunk_variants=chunk_variants)
    freqs = summary.allele_frequencies()
    called = np.isfinite(freqs)
    polymorphic = called & (freqs > 0) & (freqs < 1)
    part = {
        "status": "assessed",
        "path": str(summary.path),
        "format": summary.kind,
        "reader": summary.reader,
        "samples": summary.n_samples,
        "snps": summary.n_snps,
        "polymorphic_snps": int(polymorphic.sum()),
        "snps_never_called": int((~called).sum()),
        "call_rate": float(summary.called.sum() / (summary.n_snps * summary.n_samples)),
        "notes": summary.notes,
    }
    return part, summary, freqs


def _release_part(release, freqs, n_members, n_snps, alpha, epsilons, seed, assumed):
    if n_snps is not None and freqs is not None and n_snps < freqs.size:
        # Released SNPs: a random subset of the file's SNPs, of the planned size.
        freqs = np.random.default_rng(seed).choice(freqs, size=n_snps, replace=False)
    part = {
        "status": "assessed",
        "kind": release,
        "n_members": n_members,
        "alpha": alpha,
        "frequencies_from": "assumed" if assumed else "the genotype file",
        "reference_panel": REFERENCE_PANEL_SIZE,
    }
    membership = membership_power(freqs, n_members, alpha=alpha, epsilons=tuple(epsilons), seed=seed)
    part["n_snps"] = membership["n_snps"]
    part["membership"] = membership
    part["dp_cost"] = dp_cost(n_members, membership["n_snps"], tuple(epsilons))
    if release == "beacon":
        part["beacon"] = beacon_power(freqs, n_members, alpha=alpha, seed=seed)
    threshold = POWER_FACTOR * alpha
    powers = [membership["power"], membership["analytic_power"]] + (
        part["beacon"]["power"] if release == "beacon" else []
    )
    part["power_threshold"] = threshold
    part["detectable"] = bool(max(powers) > threshold)
    safe = [float(e) for e in epsilons if membership["dp"][str(e)]["power"] <= threshold]
    part["epsilons_below_threshold"] = safe
    return part


def risk_check(
    table: str | PathLike[str] | None = None,
    quasi_identifiers: str | Sequence[str] = (),
    *,
    k: int = 5,
    genotypes: str | PathLike[str] | None = None,
    sample_id_column: str | None = None,
    release: str = "none",
    n_snps: int | None = None,
    n_members: int | None = None,
    alpha: float = 0.05,
    epsilons: Sequence[float] = (0.1, 1.0, 10.0),
    zip3_population: Mapping[str, int] | None = None,
    keep: Sequence[str] = (),
    hierarchies: Mapping[str, str] | None = None,
    max_suppression: float = 0.05,
    seed: int = 0,
    chunk_rows: int = 200_000,
    chunk_variants: int = 4096,
) -> dict:
    """Check a dataset before release; return a JSON-ready summary with a recommended access tier.

    Parameters
    ----------
    table
        A CSV/TSV file of records about people (streamed in chunks of ``chunk_rows``).
    quasi_identifiers
        The table's columns an outsider could link on (required with ``table``).
    k
        The k-anonymity the release should reach, at least 2.
    genotypes
        A VCF (plain or bgzipped) or PLINK ``.bed``/``.pgen`` (streamed; needs the
        optional ``risk`` extra).
    sample_id_column
        The table's column holding the genotype file's sample ids; both lists must match.
    release
        The planned summary release: ``"none"``, ``"frequencies"`` (allele frequencies
        of everyone in the genotype file) or ``"beacon"`` (a beacon over them).
    n_snps, n_members
        Size of the planned release (SNPs, people); default: the genotype file's. Without
        a genotype file both must be given, and allele frequencies are assumed (uniform
        minor-allele frequencies between 0.01 and 0.5, said so in the summary).
    alpha
        False-positive rate at which attack power is read.
    epsilons
        Differential-privacy budgets to cost.
    zip3_population, keep
        Passed to Safe Harbor (:func:`genshare.deidentify.safe_harbor`).
    hierarchies
        Generalisation hierarchy per quasi-identifier (``zip``, ``date``, ``number``,
        ``suppress``); the rest are chosen from names and values.
    max_suppression
        Largest share of rows the suggested generalisation may suppress.
    seed
        Seed of the simulations.

    Returns
    -------
    dict
        ``inputs`` (paths and SHA-256 of the files read), ``table``, ``genotypes``,
        ``release``, ``not_assessed`` (every part that could not be assessed, with the
        reason), ``recommendation`` (``tier``, ``components``, ``reasons``, ``lessons``) and
        ``timings`` (wall seconds of each part).

    Raises
    ------
    RiskInputError
        For any problem with the files (missing, wrong kind, empty, no samples, columns
        the table lacks, sample ids that do not match), naming the file.
    ValueError
        For parameters out of range.
    """
    k = check_integer(k, "k", minimum=2)
    release = check_choice(release, "release", RELEASES)
    alpha = check_probability(alpha, "alpha", low_open=True, high_open=True)
    max_suppression = check_probability(max_suppression, "max_suppression")
    seed = check_integer(seed, "seed", minimum=0)
    epsilons = [float(e) for e in epsilons]
    if any(not np.isfinite(e) or e <= 0 for e in epsilons):
        raise ValueError(f"epsilons must be positive numbers; got {epsilons}")
    if n_snps is not None:
        n_snps = check_integer(n_snps, "n_snps", minimum=1)
    if n_members is not None:
        n_members = check_integer(n_members, "n_members", minimum=1)
    if table is None and genotypes is None and release == "none":
        raise ValueError("nothing to check: give a table, a genotype file or a planned release")
    if table is not None and not quasi_identifiers:
        raise RiskInputError(f"{table}: name the quasi-identifier columns to check (quasi_identifiers)")

    hashes: dict[str, dict[str, Any]] = {}
    for name, path in (("table", table), ("genotypes", genotypes)):
        if path is not None and Path(path).is_file():
            hashes[name] = {"path": str(path), "sha256": sha256(path)}
    out: dict = {
        "tool": "genshare.risk",
        "checked_on": date.today().isoformat(),
        "inputs": hashes,
        "parameters": {
            "k": k,
            "release": release,
            "alpha": alpha,
            "epsilons": epsilons,
            "seed": seed,
            "max_suppression": max_suppression,
        },
        "not_assessed": [],
    }

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    table_summary = None
    if table is not None:
        out["table"], table_summary = _table_part(
            table,
            quasi_identifiers,
            k,
            sample_id_column,
            zip3_population,
            keep,
            hierarchies,
            max_suppression,
            chunk_rows,
        )
    else:
        out["table"] = {"status": "not assessed", "reason": "no table given"}
        out["not_assessed"].append(
            {
                "part": "table",
                "requested": False,
                "reason": "no table given: quasi-identifiers and Safe Harbor identifiers were not checked",
            }
        )

    timings["table_seconds"], clock = time.perf_counter() - clock, time.perf_counter()
    freqs = None
    if genotypes is not None:
        try:
            out["genotypes"], genotype_summary, freqs = _genotype_part(genotypes, chunk_variants)
        except MissingReaderError as error:  # fail closed: reported as not assessed, never as low risk
            out["genotypes"] = {"status": "not assessed", "reason": str(error)}
            out["not_assessed"].append({"part": "genotypes", "reason": f"{error}"})
            genotype_summary = None
        if genotype_summary is not None and table_summary is not None and table_summary.sample_ids is not None:
            in_table, in_file = set(table_summary.sample_ids), set(genotype_summary.samples)
            only_file, only_table = sorted(in_file - in_table), sorted(in_table - in_file)
            if only_file or only_table:
                raise RiskInputError(
                    f"sample ids do not match between {genotype_summary.path} and {table_summary.path} "
                    f"(column {sample_id_column!r}): {len(only_file)} only in the genotype file "
                    f"(first: {', '.join(only_file[:3]) or '-'}), {len(only_table)} only in the table "
                    f"(first: {', '.join(only_table[:3]) or '-'})"
                )
            out["genotypes"]["sample_ids"] = "match the table"
        elif genotype_summary is not None:
            out["genotypes"]["sample_ids"] = "not compared (no sample_id_column given)"
    else:
        out["genotypes"] = {"status": "not assessed", "reason": "no genotype file given"}

    timings["genotypes_seconds"], clock = time.perf_counter() - clock, time.perf_counter()
    if release == "none":
        out["release"] = {"status": "not planned", "kind": "none"}
    else:
        assumed = freqs is None
        members = n_members if n_members is not None else (out["genotypes"].get("samples") if not assumed else None)
        if (
            assumed
            and out["genotypes"]["status"] == "not assessed"
            and genotypes is not None
            and (n_members is None or n_snps is None)
        ):
            reason = (
                f"the genotype file could not be read ({out['genotypes']['reason']}), "
                "and the release's size was not given"
            )
            out["release"] = {"status": "not assessed", "kind": release, "reason": reason}
            out["not_assessed"].append({"part": "release", "reason": reason})
        elif assumed and (n_members is None or n_snps is None):
            reason = "no genotype file and no release size (n_members and n_snps) given"
            out["release"] = {"status": "not assessed", "kind": release, "reason": reason}
            out["not_assessed"].append({"part": "release", "reason": reason})
        else:
            if assumed:
                rng = np.random.default_rng(seed)
                freqs = rng.uniform(0.01, 0.5, size=n_snps)
            out["release"] = _release_part(release, freqs, members, n_snps, alpha, epsilons, seed, assumed)

    timings["release_seconds"] = time.perf_counter() - clock
    out["timings"] = {key: round(value, 2) for key, value in timings.items()}
    for entry in hashes.values():  # the files read are compared with their checksums taken before
        entry["unchanged_after_check"] = sha256(entry["path"]) == entry["sha256"]
    out["recommendation"] = _recommend(out)
    return out


def _recommend(out: dict) -> dict:
    """The access tier of each part checked, and overall the strictest; a part that was asked for
    but could not be assessed is controlled (never counted as low risk)."""
    components: dict[str, str] = {}
    reasons: list[dict] = []
    lessons: list[str] = []

    def need(component: str, level: str, reason: str, *pages: str) -> None:
        components[component] = _stricter(level, components.get(component, "open"))
        reasons.append({"component": component, "tier": level, "reason": reason})
        lessons.extend(p for p in pages if p not in lessons)

    t = out["table"]
    if t["status"] == "assessed":
        sh, u, g = t["safe_harbor"], t["uniqueness"], t["generalisation"]
        if sh["identifier_columns"] or sh["identifiers_in_text"]:
            cols = sh["identifier_columns"] + sh["identifiers_in_text"]
            need(
                "table",
                "controlled",
                f"Safe Harbor identifiers found in column(s) {', '.join(cols)}: remove or "
                "transform them before any release",
                "notebooks/07-safe-harbor-and-k-anonymity",
            )
        if sh["needs_review"]:
            cols = sorted({f["column"] for f in sh["needs_review"]})
            need(
                "table",
                "controlled",
                f"column(s) {', '.join(cols)} need a person's review (free text or possibly "
                "unique codes); the check cannot vouch for them",
                "notebooks/07-safe-harbor-and-k-anonymity",
            )
        if u["k_achieved"] < t["k"]:
            fix = (
                (
                    f"generalising as suggested reaches k = {t['k']} with {g['rows_suppressed']} rows suppressed "
                    f"and precision loss {g['precision_loss']:.2f}"
                )
                if g["reachable"]
                else g.get("reason", "")
            )
            need(
                "table",
                "controlled",
                f"{u['rows_below_k']} of {u['rows']} rows ({u['share_below_k']:.1%}) are in "
                f"groups smaller than k = {t['k']} on {', '.join(t['quasi_identifiers'])} ({u['unique_rows']} unique); "
                f"{fix}",
                "notebooks/05-linkage-of-quasi-identifiers",
                "notebooks/07-safe-harbor-and-k-anonymity",
            )
        need(
            "table",
            "registered",
            "individual-level records, even k-anonymous ones, can be linked with outside data "
            "the check does not see; release them to registered users at the least",
            "notebooks/05-linkage-of-quasi-identifiers",
            "chapters/access-and-governance",
        )
    if out["genotypes"]["status"] == "assessed":
        need(
            "genotypes",
            "controlled",
            "individual-level genotypes: under the NIH Genomic Data Sharing policy they "
            "are shared through controlled access",
            "chapters/access-and-governance",
        )
    r = out["release"]
    if r["status"] == "assessed":
        m = r["membership"]
        what = "beacon" if r["kind"] == "beacon" else "allele frequencies"
        if r["detectable"]:
            safe = r["epsilons_below_threshold"]
            cost = {d["epsilon"]: d["mean_absolute_error"] for d in r["dp_cost"]}
            extra = (
                (
                    f"; a differentially private release at epsilon {', '.join(map(str, safe))} keeps the attack "
                    f"below that level, at a mean absolute error per frequency of {cost[max(safe)]:.3g} or more "
                    "(frequencies lie between 0 and 1)"
                )
                if safe
                else ""
            )
            need(
                "release",
                "controlled",
                f"a membership attack on the {what} of {r['n_members']} people at "
                f"{r['n_snps']} SNPs has power {m['power']:.2f} (simulated) / {m['analytic_power']:.2f} (analytic) "
                f"at a false-positive rate of {r['alpha']}, above {r['power_threshold']:.2f}{extra}",
                "notebooks/06-membership-inference-and-beacons",
                "notebooks/08-protecting-summary-statistics",
            )
        else:
            need(
                "release",
                "open",
                f"the membership attack on the {what} has power {m['power']:.2f} (simulated) / "
                f"{m['analytic_power']:.2f} (analytic), at most {r['power_threshold']:.2f}; NIH releases most "
                "genomic summary results openly, but not those of sensitive studies, which the check cannot judge",
                "notebooks/06-membership-inference-and-beacons",
            )
    for item in out["not_assessed"]:
        if item.get("requested", True):
            need(
                item["part"],
                "controlled",
                f"not assessed: {item['reason']}; what cannot be checked is not counted as low risk",
                "chapters/before-you-share",
            )
    if "chapters/before-you-share" not in lessons:
        lessons.append("chapters/before-you-share")
    tier = "open"
    for level in components.values():
        tier = _stricter(level, tier)
    return {
        "tier": tier,
        "components": components,
        "reasons": reasons,
        "lessons": [{"page": p, "title": LESSONS[p]} for p in lessons],
    }
