"""Sphinx extension: the "run in your browser" (JupyterLite) launch button on notebook pages.

sphinx-book-theme builds a JupyterLite button from ``launch_buttons.jupyterlite_url`` but uses
that URL as written, which cannot point at the book's own ``lite/`` folder from pages at
different depths. This handler runs after the theme's (priority 501) and rewrites the button:
a link relative to the page to ``lite/lab/index.html?path=notebooks/NN-....ipynb`` (the site
that ``lite/build.py`` writes into the HTML output), labelled as running in the browser.
"""

from __future__ import annotations

from urllib.parse import quote

LITE_APP = "lite/lab/index.html"


def _relabel(app, pagename, templatename, context, doctree):
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if button.get("text") == "JupyterLite":
                button["url"] = f"{context['pathto'](LITE_APP, 1)}?path={quote(pagename + '.ipynb')}"
                button["text"] = "In your browser"
                button["tooltip"] = "Run in your browser (JupyterLite: no installation, no server)"


def setup(app):
    app.connect("html-page-context", _relabel, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
