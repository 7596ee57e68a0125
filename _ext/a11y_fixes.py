"""Sphinx extension: two accessibility fixes to the HTML the extensions write (axe-core checks them).

1. Solution toggles are announced as solutions. myst-nb writes every hidden-cell toggle as
   ``<summary aria-label="Toggle hidden content">``; the ``aria-label`` replaces the visible
   label ("Show solution", set per cell by :func:`genshare.teaching.hide_solutions`), so a screen
   reader would not say that the control opens a solution. On toggles whose visible label names
   a solution, the label is dropped and the accessible name comes from the visible text.
2. The bibliography is a valid list. docutils marks the citation list ``role="list"`` and each
   entry ``role="doc-biblioentry"``, a role deprecated in DPUB-ARIA 1.1 that is not a list item,
   so assistive technology sees a list without items (axe-core: aria-required-children,
   critical). Each entry becomes ``role="listitem"``.
"""

from __future__ import annotations

import re

_SOLUTION_SUMMARY = re.compile(r'<summary aria-label="Toggle hidden content">(\s*<p class="collapsed admonition-title">Show solution</p>)')
_BIBLIOENTRY_RE = re.compile(r'(<div class="citation" id="[^"]+" role=)"doc-biblioentry"')


def _fix(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if not body:
        return
    if "Show solution" in body:
        body = _SOLUTION_SUMMARY.sub(r"<summary>\1", body)
    if 'role="list" class="citation-list"' in body:
        body = _BIBLIOENTRY_RE.sub(r'\1"listitem"', body)
    context["body"] = body


def setup(app):
    app.connect("html-page-context", _fix)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
