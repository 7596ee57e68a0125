"""Sphinx extension: every launch button of a notebook page opens the learner edition.

The book shows the full edition (``notebooks/``); learners run the learner edition
(``learner/``, same file names: plain Markdown, no solutions, computed sentences shown when
run). sphinx-book-theme points its Binder and Colab buttons at ``notebooks/``; this handler
rewrites them to ``learner/`` and puts the browser route first, as the setup page recommends.

sphinx-book-theme builds a JupyterLite button from ``launch_buttons.jupyterlite_url`` but uses
that URL as written, which cannot point at the book's own ``lite/`` folder from pages at
different depths. This handler runs after the theme's (priority 501) and rewrites the button:
a link relative to the page to ``lite/lab/index.html?path=notebooks/NN-....ipynb`` (the site
that ``lite/build.py`` writes into the HTML output), labelled as running in the browser.
"""

from __future__ import annotations

from urllib.parse import quote

LITE_APP = "lite/lab/index.html"
#: The learner edition's folder in the repository and in the JupyterLite site.
LEARNER = "learner"


def _relabel(app, pagename, templatename, context, doctree):
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if button.get("text") == "JupyterLite":
                learner = pagename.replace("notebooks/", f"{LEARNER}/", 1)
                button["url"] = f"{context['pathto'](LITE_APP, 1)}?path={quote(learner + '.ipynb')}"
                button["text"] = "In your browser"
                button["tooltip"] = "Run in your browser (JupyterLite: no installation, no server)"
            elif button.get("text") in ("Binder", "Colab") and "/notebooks/" in button.get("url", ""):
                button["url"] = button["url"].replace("/notebooks/", f"/{LEARNER}/", 1)
                button["tooltip"] = f"Run the learner edition on {button['text']}"
        group["buttons"] = sorted(group.get("buttons", []), key=lambda b: b.get("text") != "In your browser")


def setup(app):
    app.connect("html-page-context", _relabel, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
