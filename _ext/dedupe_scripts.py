"""Sphinx extension: drop script entries that appear twice on a page.

Jupyter Book 1 with sphinx-thebe 0.3 registers sphinx-thebe's inline configuration script
twice (once with filename None and once with filename ''), so every page declares
``const THEBE_JS_URL`` twice and the browser reports a SyntaxError. Removing duplicates
before the page is written fixes it; the browser test in tests/test_site.py checks it.
"""

from __future__ import annotations


def _dedupe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        key = (str(getattr(script, "filename", script) or ""), tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
