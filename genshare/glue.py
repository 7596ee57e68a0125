"""Glue a computed value into a lesson's prose, without needing the book's build tools.

The book (Jupyter Book with myst-nb) inserts values into text with the ``{glue}`` role:
a sentence says ``{glue:text}`n_unique``` and the build puts in the number that the
notebook computed. myst-nb's own :func:`myst_nb.glue` does this, but importing myst-nb
pulls in Sphinx, which the learners' lean environment (Binder, Colab, JupyterLite) does
not install. :func:`glue` writes exactly the same notebook output as
``myst_nb.glue`` (the same MIME bundle and ``scrapbook`` metadata), so the book finds
it, and it needs only IPython.

Every number a notebook's prose states about a computed result is glued, so the text
follows the computation on any synthetic world (see ``tests/test_notebook_numbers.py``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["GLUE_PREFIX", "glue"]

#: MIME prefix of values that are stored but not shown (as in myst-nb).
GLUE_PREFIX = "application/papermill.record/"


def glue(name: str, variable: Any, display: bool = False) -> None:
    """Store ``variable`` under ``name`` for the book's ``{glue}`` roles.

    Parameters
    ----------
    name
        The key the prose uses, for example ``{glue:text}`n_unique```.
    variable
        Any object; what is stored is its display form (as ``myst_nb.glue`` does).
        Round floats before gluing them, or format them in the role
        (``{glue:text}`share:.1%```).
    display
        Show the value in the notebook as well (default: store it silently).

    Examples
    --------
    >>> glue("n_people", 1000)  # outside a notebook this displays nothing visible
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a Python identifier, got {name!r}")
    from IPython.core.formatters import format_display_data
    from IPython.display import display as ipy_display

    mimebundle, metadata = format_display_data(variable)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = dict(name=name, mime_prefix=prefix)
    ipy_display({prefix + key: value for key, value in mimebundle.items()}, raw=True, metadata=metadata)
