"""Sphinx extension: dated claims in the book, from ``data/policy.csv``.

- The role ``{claim}`claim-id``` writes "as of <checked_on>; source: <host>", the host
  linking to the claim's source (pages put it in parentheses). An unknown id is a build warning (an error with ``-W``).
- A page that uses a claim (through the role, or because ``policy.csv`` lists the page)
  which was checked more than ``policy_claims_months`` months (6) before the build date
  gets a warning banner at its top naming those claims; the build log says so too.
- The directive ``{claims-changelog}`` writes the table of every claim, newest check
  first, with its status at build time (the "What changed" page).

The build date is ``policy_claims_today`` (an ISO date) if set in the Sphinx config, else
the environment variable ``POLICY_CLAIMS_TODAY``, else today. The claims file is read with
``genshare/claims.py`` of the book's own checkout, so its validation (every problem named
by row and field) applies to the book too; a malformed file stops the build.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

_MODULE = "_genshare_claims_for_book"


def _claims_module(srcdir: Path):
    """genshare/claims.py of this checkout (not of whatever genshare is installed)."""
    if _MODULE in sys.modules:
        return sys.modules[_MODULE]
    path = srcdir / "genshare" / "claims.py"
    spec = importlib.util.spec_from_file_location(_MODULE, path)
    if spec is None or spec.loader is None:
        raise ExtensionError(f"policy_claims: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_MODULE] = module
    spec.loader.exec_module(module)
    return module


def _today(app) -> date:
    text = app.config.policy_claims_today or os.environ.get("POLICY_CLAIMS_TODAY", "")
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise ExtensionError(f"policy_claims: the build date must be an ISO date YYYY-MM-DD; got {text!r}") from error


def _load(app) -> None:
    srcdir = Path(app.srcdir)
    module = _claims_module(srcdir)
    path = srcdir / app.config.policy_claims_path
    today = _today(app)
    try:
        claims = module.load_claims(path, today=today)
    except (module.ClaimsError, FileNotFoundError) as error:
        raise ExtensionError(f"policy_claims: {error}") from error
    app.policy_claims = {c.claim_id: c for c in claims}
    app.policy_claims_path = path
    app.policy_claims_today = today
    app.policy_claims_stale = {c.claim_id for c in module.stale(claims, today, app.config.policy_claims_months)}
    if app.policy_claims_stale:
        logger.info(f"policy claims: {len(app.policy_claims_stale)} of {len(claims)} were checked more than "
                    f"{app.config.policy_claims_months} months before {today.isoformat()}: "
                    + ", ".join(sorted(app.policy_claims_stale)))


def _long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def _host(url: str) -> str:
    host = urlparse(url).netloc
    return host[4:] if host.startswith("www.") else host


def claim_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    env = inliner.document.settings.env
    app = env.app
    claim_id = text.strip()
    claim = app.policy_claims.get(claim_id)
    if claim is None:
        message = inliner.reporter.warning(
            f"unknown claim {claim_id!r}: add it to {app.config.policy_claims_path} (claim_id, statement, source_url, checked_on, pages)",
            line=lineno)
        problem = inliner.problematic(rawtext, rawtext, message)
        return [problem], [message]
    env.note_dependency(str(app.policy_claims_path))
    if not hasattr(env, "policy_claims_used"):
        env.policy_claims_used = {}
    env.policy_claims_used.setdefault(env.docname, set()).add(claim_id)
    container = nodes.inline(classes=["gs-claim"])
    container += nodes.Text(f"as of {_long_date(claim.checked_on)}; source: ")
    container += nodes.reference("", _host(claim.source_url), refuri=claim.source_url,
                                 reftitle=claim.statement)
    return [container], []


def _table(headers: list[str], rows: list[list[nodes.Node | str]], widths: list[int]) -> nodes.table:
    table = nodes.table(classes=["gs-claims-table"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for text in headers:
        entry = nodes.entry()
        entry += nodes.paragraph(text=text)
        row += entry
    head += row
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            paragraph = nodes.paragraph()
            paragraph += cell if isinstance(cell, nodes.Node) else nodes.Text(cell)
            entry += paragraph
            row += entry
        body += row
    return table


class ClaimsChangelog(Directive):
    """The table of every dated claim, newest check first, with its status at build time."""

    has_content = False

    def run(self):
        env = self.state.document.settings.env
        app = env.app
        env.note_dependency(str(app.policy_claims_path))
        claims = sorted(app.policy_claims.values(), key=lambda c: (-c.checked_on.toordinal(), c.claim_id))
        months = app.config.policy_claims_months
        today = app.policy_claims_today
        n_stale = sum(c.claim_id in app.policy_claims_stale for c in claims)
        summary = nodes.paragraph(text=(
            f"{len(claims)} dated claims; the most recent check was on {_long_date(claims[0].checked_on)}. "
            f"At this build ({_long_date(today)}), {n_stale} "
            f"{'was' if n_stale == 1 else 'were'} last checked more than {months} months earlier."))
        rows = []
        for c in claims:
            link = nodes.reference("", _host(c.source_url), refuri=c.source_url)
            status = f"older than {months} months: check" if c.claim_id in app.policy_claims_stale else "current"
            rows.append([c.checked_on.isoformat(), nodes.literal(text=c.claim_id), c.statement, link,
                         "; ".join(c.pages), status])
        table = _table(["Checked on", "Claim", "Statement", "Source", "Used on", "Status"], rows,
                       [10, 14, 40, 12, 16, 8])
        return [summary, table]


def _banner(app, doctree, docname) -> None:
    env = app.env
    used = set(getattr(env, "policy_claims_used", {}).get(docname, set()))
    source = env.doc2path(docname, False)
    source = str(source).replace(os.sep, "/")
    listed = {c.claim_id for c in app.policy_claims.values() if source in c.pages}
    old = sorted(used | listed, key=lambda i: (app.policy_claims[i].checked_on, i))
    old = [i for i in old if i in app.policy_claims_stale]
    if not old:
        return
    months = app.config.policy_claims_months
    banner = nodes.warning(classes=["gs-stale-claims"])
    banner += nodes.paragraph(text=(
        f"Some facts on this page may be out of date: at this build ({_long_date(app.policy_claims_today)}) "
        f"they were last checked more than {months} months ago. Check them against their sources "
        "before you teach (the page \u201cWhat changed since the last edition\u201d lists every dated claim)."))
    items = nodes.bullet_list()
    for claim_id in old:
        claim = app.policy_claims[claim_id]
        item = nodes.list_item()
        paragraph = nodes.paragraph()
        paragraph += nodes.Text(f"{claim.statement} Last checked {_long_date(claim.checked_on)}: ")
        paragraph += nodes.reference("", _host(claim.source_url), refuri=claim.source_url)
        item += paragraph
        items += item
    banner += items
    sections = list(doctree.findall(nodes.section))
    target = sections[0] if sections else doctree
    index = 1 if sections and isinstance(target[0], nodes.title) else 0
    target.insert(index, banner)


def _purge(app, env, docname) -> None:
    getattr(env, "policy_claims_used", {}).pop(docname, None)


def _merge(app, env, docnames, other) -> None:
    if not hasattr(env, "policy_claims_used"):
        env.policy_claims_used = {}
    for docname, used in getattr(other, "policy_claims_used", {}).items():
        if docname in docnames:
            env.policy_claims_used[docname] = used


def setup(app):
    app.add_config_value("policy_claims_path", "data/policy.csv", "env")
    app.add_config_value("policy_claims_today", "", "env")
    app.add_config_value("policy_claims_months", 6, "env")
    app.add_role("claim", claim_role)
    app.add_directive("claims-changelog", ClaimsChangelog)
    app.connect("builder-inited", _load)
    app.connect("doctree-resolved", _banner)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
