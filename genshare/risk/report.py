"""Write the risk check's summary as a self-contained HTML page with figures, and as JSON.

The HTML page embeds its figures (PNG, base64) so it can be mailed or archived as one
file; every figure has alternative text that states its content, colours come from the
Okabe-Ito palette (:mod:`genshare.plotting`) and every number in a figure is also in a
table. The JSON file holds the same summary for programs.
"""

from __future__ import annotations

import base64
import html
import io
import json
from os import PathLike
from pathlib import Path

from genshare._safe_files import atomic_destination, same_file
from genshare.plotting import ACCESS_COLOURS, LESSON_STYLE, OKABE_ITO

__all__ = ["BOOK_URL", "write_report"]

#: Where the lessons live (the module's repository; pass ``book_url`` to point at a built book).
BOOK_URL = "https://github.com/genomic-data-sharing/genomic-data-sharing/blob/main/"


def _figure(draw, alt: str, ncols: int = 1) -> str:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    with plt.rc_context(LESSON_STYLE):  # type: ignore[arg-type]  # matplotlib types the keys as a Literal of rc names
        fig, ax = plt.subplots(1, ncols, figsize=(6.5 if ncols == 1 else 7.5, 3.6))
        draw(ax)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" width="650">'
        f"<figcaption>{html.escape(alt)}</figcaption></figure>"
    )


def _class_sizes_figure(t: dict) -> str:
    counts = t["uniqueness"]["class_size_counts"]
    labels, values = list(counts), list(counts.values())
    k = t["k"]
    colours = [OKABE_ITO["vermillion"] if label != f"{k}+" else OKABE_ITO["bluish_green"] for label in labels]

    def draw(ax):
        ax.bar(labels, values, color=colours, edgecolor="black", hatch=None)
        for patch, label in zip(ax.patches, labels, strict=True):  # one bar per label
            if label != f"{k}+":
                patch.set_hatch("//")
        ax.set_xlabel("size of the row's group (rows sharing its quasi-identifiers)")
        ax.set_ylabel("rows")
        ax.set_title(f"Rows by group size; groups under k = {k} hatched")

    parts = ", ".join(f"{v} rows in groups of size {label}" for label, v in counts.items())
    return _figure(
        draw, f"Bar chart of rows by equivalence-class size on {', '.join(t['quasi_identifiers'])}: {parts}."
    )


def _roc_figure(r: dict) -> str:
    m = r["membership"]

    def draw(ax):
        ax.plot(
            m["roc"]["false_positive_rate"],
            m["roc"]["true_positive_rate"],
            color=OKABE_ITO["blue"],
            lw=2,
            label=f"LR attack (AUC {m['auc']:.2f})",
        )
        ax.plot([0, 1], [0, 1], color=OKABE_ITO["grey"], ls="--", label="guessing")
        ax.axvline(r["alpha"], color=OKABE_ITO["vermillion"], ls=":", label=f"false-positive rate {r['alpha']}")
        ax.set_xlabel("false-positive rate")
        ax.set_ylabel("true-positive rate (power)")
        ax.set_title("Membership attack on the released frequencies")
        ax.legend(loc="lower right")

    alt = (
        f"ROC curve of the likelihood-ratio membership attack on allele frequencies of {r['n_members']} people at "
        f"{r['n_snps']} SNPs: area under the curve {m['auc']:.2f}, power {m['power']:.2f} at a false-positive rate "
        f"of {r['alpha']}."
    )
    return _figure(draw, alt)


def _beacon_figure(r: dict) -> str:
    b = r["beacon"]

    def draw(ax):
        ax.plot(b["queries"], b["power"], marker="o", color=OKABE_ITO["orange"], lw=2)
        ax.axhline(
            r["power_threshold"], color=OKABE_ITO["grey"], ls="--", label=f"threshold {r['power_threshold']:.2f}"
        )
        ax.set_xscale("log")
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("queries per person (rarest alleles first)")
        ax.set_ylabel(f"power at false-positive rate {r['alpha']}")
        ax.set_title("Beacon attack")
        ax.legend(loc="lower right")

    points = ", ".join(
        f"{p:.2f} after {q} {'query' if q == 1 else 'queries'}" for q, p in zip(b["queries"], b["power"], strict=True)
    )
    return _figure(draw, f"Line chart of the beacon attack's power against the number of queries: {points}.")


def _dp_figure(r: dict) -> str:
    rows = r["dp_cost"]
    eps = [row["epsilon"] for row in rows]
    error = [row["mean_absolute_error"] for row in rows]
    power = [r["membership"]["dp"][str(e)]["power"] for e in eps]

    def draw(axes):
        left, right = axes
        left.plot(eps, error, marker="o", color=OKABE_ITO["blue"], lw=2)
        left.set_xscale("log")
        left.set_yscale("log")
        left.set_xlabel("epsilon (larger = less private)")
        left.set_ylabel("mean absolute error per frequency")
        left.set_title("Accuracy lost")
        right.plot(eps, power, marker="s", ls="--", color=OKABE_ITO["vermillion"], lw=2)
        right.axhline(
            r["power_threshold"], color=OKABE_ITO["grey"], ls=":", label=f"threshold {r['power_threshold']:.2f}"
        )
        right.set_xscale("log")
        right.set_ylim(0, 1.02)
        right.set_xlabel("epsilon (larger = less private)")
        right.set_ylabel(f"attack power at {r['alpha']}")
        right.set_title("Attack left")
        right.legend(loc="upper left")

    points = "; ".join(f"epsilon {e}: error {x:.3g}, power {p:.2f}" for e, x, p in zip(eps, error, power, strict=True))
    return _figure(
        draw,
        f"Two line charts against epsilon: the mean absolute error of released frequencies, and the "
        f"attack's power: {points}.",
        ncols=2,
    )


def _table(rows: list[list], header: list[str]) -> str:
    head = "".join(f'<th scope="col">{html.escape(str(h))}</th>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = """
body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#111}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #666;padding:.25rem .5rem;text-align:left}
.tier{display:inline-block;padding:.2rem .6rem;border:2px solid #111;font-weight:bold}
.na{border-left:6px solid #D55E00;padding-left:.6rem}figure{margin:1rem 0}img{max-width:100%;height:auto}
a{color:#0054a6}
"""


def write_report(summary: dict, out: str | PathLike[str], *, book_url: str = BOOK_URL) -> tuple[Path, Path]:
    """Write ``risk-report.html`` and ``risk-report.json`` into the folder ``out`` (created if needed).

    Parameters
    ----------
    summary
        What :func:`genshare.risk.risk_check` returned.
    out
        Output folder. The report never replaces a file the check read: if either
        output file is one of the inputs, nothing is written and ``ValueError`` is raised.
    book_url
        Base address of the lessons linked from the report.

    Returns
    -------
    (Path, Path)
        The HTML and JSON files.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out / "risk-report.json", out / "risk-report.html"
    inputs = [Path(v["path"]) for v in summary.get("inputs", {}).values()]
    for output in (json_path, html_path):
        for source in inputs:
            # Same device and inode: a hard link or a symbolic link to an input is that input.
            if same_file(output, source) or output.resolve() == source.resolve():
                raise ValueError(f"{output}: is one of the files checked ({source}); choose another output folder")
        if output.is_dir() and not output.is_symlink():
            raise IsADirectoryError(f"{output}: is a folder; choose another output folder")
    # Each file is written whole beside its final name and renamed into place, which also
    # replaces a link standing there instead of writing through it.
    with atomic_destination(json_path) as handle:
        handle.write((json.dumps(summary, indent=2, default=str) + "\n").encode("utf-8"))

    rec = summary["recommendation"]
    parts = [
        f"<h1>Pre-release risk check</h1><p>Checked on {summary['checked_on']} by genshare.risk. "
        "Synthetic simulations and rules of thumb: a guide for the people who decide, not a decision.</p>"
    ]
    colour = ACCESS_COLOURS.get(rec["tier"], "#999999")
    # Black text on every tier colour (contrast at least 4.5:1 on each Okabe-Ito colour used).
    parts.append(
        f'<h2>Recommended access tier</h2><p><span class="tier" style="background:{colour};color:#000">'
        f"{html.escape(rec['tier'])}</span></p>"
    )
    parts.append(_table([[r["component"], r["tier"], r["reason"]] for r in rec["reasons"]], ["part", "tier", "reason"]))
    if summary["not_assessed"]:
        items = "".join(
            f"<li><strong>{html.escape(i['part'])}</strong>: {html.escape(i['reason'])}</li>"
            for i in summary["not_assessed"]
        )
        parts.append(
            f'<section class="na"><h2>Not assessed</h2><p>These parts were not checked; they are not low '
            f"risk, only unknown.</p><ul>{items}</ul></section>"
        )

    t = summary["table"]
    parts.append("<h2>Table: quasi-identifiers and k-anonymity</h2>")
    if t["status"] == "assessed":
        u, g = t["uniqueness"], t["generalisation"]
        parts.append(
            f"<p>{html.escape(t['path'])}: {u['rows']} rows, quasi-identifiers "
            f"{html.escape(', '.join(t['quasi_identifiers']))}, chosen k = {t['k']}.</p>"
        )
        parts.append(
            _table(
                [
                    ["equivalence classes", u["equivalence_classes"]],
                    ["k achieved (smallest class)", u["k_achieved"]],
                    ["rows unique on the quasi-identifiers", f"{u['unique_rows']} ({u['unique_share']:.1%})"],
                    [f"rows in classes smaller than k = {t['k']}", f"{u['rows_below_k']} ({u['share_below_k']:.1%})"],
                ],
                ["measure", "value"],
            )
        )
        parts.append(_class_sizes_figure(t))
        if g["reachable"]:
            parts.append(f"<h3>Generalisation that reaches k = {t['k']}</h3>")
            parts.append(
                _table(
                    [
                        [c, v["hierarchy"], f"{v['level']} of {v['highest_level']}", v["example"]]
                        for c, v in g["levels"].items()
                    ],
                    ["column", "hierarchy", "level", "example"],
                )
            )
            parts.append(
                f"<p>Cost: {g['rows_suppressed']} rows suppressed ({g['share_suppressed']:.1%}), precision "
                f"loss {g['precision_loss']:.2f} (0 = unchanged, 1 = every value suppressed); "
                f"k after: {g['k_after']}.</p>"
            )
        else:
            parts.append(f"<p>No generalisation reaches k: {html.escape(g.get('reason', ''))}.</p>")
        sh = t["safe_harbor"]
        parts.append("<h3>Safe Harbor findings</h3>")
        if sh["findings"]:
            parts.append(
                _table(
                    [[f["column"], f["identifier"], f["action"], f["cells"], f["status"]] for f in sh["findings"]],
                    ["column", "rule", "what Safe Harbor would do", "cells", "status"],
                )
            )
        else:
            parts.append(
                "<p>No Safe Harbor identifier columns or patterns found by name or pattern. Names, places "
                "and rare facts written in prose have no pattern: read free text before release.</p>"
            )
        if not sh["zip3_population_given"]:
            parts.append(
                "<p>No ZIP3 populations were given, so every three-digit ZIP area was treated as holding "
                "20,000 people or fewer (set to 000).</p>"
            )
    else:
        parts.append(f'<p class="na">Not assessed: {html.escape(t["reason"])}.</p>')

    gt = summary["genotypes"]
    parts.append("<h2>Genotypes</h2>")
    if gt["status"] == "assessed":
        parts.append(
            _table(
                [
                    ["file", gt["path"]],
                    ["format (read with)", f"{gt['format']} ({gt['reader']})"],
                    ["samples", gt["samples"]],
                    ["SNPs", gt["snps"]],
                    ["polymorphic SNPs", gt["polymorphic_snps"]],
                    ["call rate", f"{gt['call_rate']:.3f}"],
                    ["sample ids", gt.get("sample_ids", "")],
                ],
                ["", ""],
            )
        )
    else:
        parts.append(f'<p class="na">Not assessed: {html.escape(gt["reason"])}.</p>')

    r = summary["release"]
    parts.append("<h2>Planned summary release</h2>")
    if r["status"] == "assessed":
        m = r["membership"]
        parts.append(
            f"<p>A release of {'a beacon' if r['kind'] == 'beacon' else 'allele frequencies'} over "
            f"{r['n_members']} people and {r['n_snps']} SNPs (frequencies from {r['frequencies_from']}), "
            f"attacked with a reference panel of {r['reference_panel']} people. Power is the share of members "
            f"the attacker detects while wrongly accusing {r['alpha']:.0%} of non-members.</p>"
        )
        parts.append(
            _table(
                [
                    ["LR attack on frequencies, simulated", f"{m['power']:.2f}", f"{m['auc']:.2f}"],
                    ["LR attack, analytic approximation", f"{m['analytic_power']:.2f}", ""],
                ]
                + (
                    [
                        [f"beacon attack, {q} {'query' if q == 1 else 'queries'}", f"{p:.2f}", f"{a:.2f}"]
                        for q, p, a in zip(
                            r["beacon"]["queries"], r["beacon"]["power"], r["beacon"]["auc"], strict=True
                        )
                    ]
                    if r["kind"] == "beacon"
                    else []
                ),
                ["attack", f"power at {r['alpha']}", "AUC"],
            )
        )
        parts.append(_roc_figure(r))
        if r["kind"] == "beacon":
            parts.append(_beacon_figure(r))
        parts.append("<h3>What differential privacy would cost</h3>")
        parts.append(
            _table(
                [
                    [
                        d["epsilon"],
                        f"{d['mean_absolute_error']:.3g}",
                        f"{d['share_off_by_more_than_tolerance']:.1%}",
                        f"{m['dp'][str(d['epsilon'])]['power']:.2f}",
                    ]
                    for d in r["dp_cost"]
                ],
                [
                    "epsilon",
                    "mean absolute error per frequency",
                    "frequencies off by more than 0.01",
                    "attack power after noise",
                ],
            )
        )
        parts.append(_dp_figure(r))
        parts.append(
            "<p>Simulated SNPs are independent: linkage disequilibrium in real data makes the attack weaker, "
            "not stronger, so these powers err towards risk.</p>"
        )
    elif r["status"] == "not planned":
        parts.append("<p>No summary release planned.</p>")
    else:
        parts.append(f'<p class="na">Not assessed: {html.escape(r["reason"])}.</p>')

    links = "".join(
        '<li><a href="'
        f'{html.escape(book_url + lesson["page"] + (".ipynb" if lesson["page"].startswith("notebooks") else ".md"))}">'
        f"{html.escape(lesson['title'])}</a></li>"
        for lesson in rec["lessons"]
    )
    parts.append(f"<h2>Lessons</h2><ul>{links}</ul>")
    files = "".join(
        f"<li>{html.escape(v['path'])}: SHA-256 {v['sha256']}"
        f"{' (unchanged after the check)' if v.get('unchanged_after_check') else ' (CHANGED during the check)'}</li>"
        for v in summary["inputs"].values()
    )
    parts.append(f"<h2>Files read (not modified)</h2><ul>{files}</ul>")
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><title>Pre-release risk check</title><style>{_CSS}</style>'
        f"</head><body><main>{''.join(parts)}</main></body></html>\n"
    )
    with atomic_destination(html_path) as handle:
        handle.write(page.encode("utf-8"))
    return html_path, json_path
