"""Glue a computed value into a lesson's prose, in the book and in every notebook frontend.

The book (Jupyter Book with myst-nb) inserts values into text with the ``{glue:text}`` role:
a sentence says ``{glue:text}`n_unique``` and the build puts in the number that the
notebook computed. myst-nb's own :func:`myst_nb.glue` does this, but importing myst-nb
pulls in Sphinx, which the learners' lean environment (Binder, Colab, JupyterLite) does
not install. :func:`glue` writes exactly the same notebook output as
``myst_nb.glue`` (the same MIME bundle and ``scrapbook`` metadata), so the book finds
it, and it needs only IPython.

Notebook frontends (JupyterLab, Colab, JupyterLite, VS Code) do not resolve ``{glue}``
roles. The learner edition of a notebook (:mod:`genshare.teaching`) therefore turns each
paragraph that states a glued value into a small code cell that calls :func:`say`: run, it
displays the paragraph as Markdown with the values that *this* kernel glued, formatted
exactly as the book formats them (:func:`format_text`, myst-nb's rule), so the book and the
learner's notebook say the same thing on the same world, and a learner on another world
reads their own numbers.

Every number a notebook's prose states about a computed result is glued, so the text
follows the computation on any synthetic world (see ``tests/test_notebook_numbers.py``).
"""

from __future__ import annotations

import re
from ast import literal_eval
from collections.abc import Mapping
from typing import Any

__all__ = ["GLUE_PREFIX", "format_text", "glue", "glued", "notebook_values", "render", "say"]

#: MIME prefix of values that are stored but not shown (as in myst-nb).
GLUE_PREFIX = "application/papermill.record/"

#: The ``text/plain`` form of every value glued in this process (this kernel), by name.
_GLUED: dict[str, str] = {}

#: A field of a :func:`say` template, ``{name}`` or ``{name:format_spec}``, or an escaped
#: brace, ``{{`` or ``}}`` (as in :meth:`str.format`).
_FIELD = re.compile(r"\{\{|\}\}|\{([A-Za-z_]\w*)(?::([^{}]*))?\}")


def glue(name: str, variable: Any, display: bool = False) -> None:
    """Store ``variable`` under ``name`` for the book's ``{glue}`` roles and for :func:`say`.

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
    >>> glued()["n_people"]
    '1000'
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be a Python identifier, got {name!r}")
    from IPython.core.formatters import format_display_data
    from IPython.display import display as ipy_display

    mimebundle, metadata = format_display_data(variable)
    if "text/plain" in mimebundle:
        _GLUED[name] = str(mimebundle["text/plain"])
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = dict(name=name, mime_prefix=prefix)
    ipy_display({prefix + key: value for key, value in mimebundle.items()}, raw=True, metadata=metadata)


def glued() -> dict[str, str]:
    """A copy of the values glued so far in this process: name -> ``text/plain`` form."""
    return dict(_GLUED)


def notebook_values(notebook: Mapping[str, Any]) -> dict[str, str]:
    """The values an executed notebook glued: name -> ``text/plain`` form, from its outputs.

    Reads the ``scrapbook`` metadata :func:`glue` (and ``myst_nb.glue``) writes, so it works on
    a notebook as JSON or as an ``nbformat`` node; a later glue of a name wins, as in the book.

    Examples
    --------
    >>> cell = {"cell_type": "code", "outputs": [{"output_type": "display_data", "metadata": {"scrapbook":
    ...         {"name": "n", "mime_prefix": GLUE_PREFIX}}, "data": {GLUE_PREFIX + "text/plain": "12"}}]}
    >>> notebook_values({"cells": [cell]})
    {'n': '12'}
    """
    values: dict[str, str] = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if scrapbook:
                values[scrapbook["name"]] = output.get("data", {}).get(scrapbook.get("mime_prefix", "") + "text/plain")
    return values


def format_text(text: str, format_spec: str = "") -> str:
    """Format a glued value's ``text/plain`` form as the book's ``{glue:text}`` role does.

    This is myst-nb's rule (``myst_nb.core.variables.format_plain_text``, myst-nb 1.4):
    the text is read as a Python literal when it is one, converted to ``int`` for the
    format types ``b c d o x X``, to ``float`` for ``e E f F g G n %``, to ``str`` for
    ``s``, then formatted. ``tests/test_glue.py`` compares the two on arbitrary values.

    Examples
    --------
    >>> format_text("0.8734", ".1%"), format_text("12345", ","), format_text("'six'")
    ('87.3%', '12,345', 'six')
    """
    try:
        value: Any = literal_eval(text)
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError):
        value = text
    if format_spec == "":
        return str(value)
    kind = format_spec[-1]
    if kind == "s":
        value = str(value)
    elif kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    return format(value, format_spec)


def render(template: str, values: Mapping[str, str] | None = None) -> str:
    r"""Fill the ``{name:format_spec}`` fields of ``template`` with glued values.

    Parameters
    ----------
    template
        Markdown with fields ``{name}`` / ``{name:spec}`` (the learner edition writes the
        book's ``{glue:text}`name:spec``` roles this way); ``{{`` and ``}}`` stand for
        literal braces, as in :meth:`str.format` (LaTeX such as ``\\mathrm{{Pop}}``).
    values
        name -> ``text/plain`` form; default: what this kernel glued (:func:`glued`).

    Raises
    ------
    KeyError
        If a field names a value that was not glued, saying which and what to run.

    Examples
    --------
    >>> render("{n:,} people, {share:.0%} unique", {"n": "12000", "share": "0.61"})
    '12,000 people, 61% unique'
    >>> print(render("$\\mathrm{{Pop}}_j$ for {n} people", {"n": "3"}))
    $\mathrm{Pop}_j$ for 3 people
    """
    values = _GLUED if values is None else values
    missing = sorted({m.group(1) for m in _FIELD.finditer(template) if m.group(1)} - set(values))
    if missing:
        raise KeyError(
            f"not computed yet: {', '.join(missing)}. Run the notebook's cells from the top "
            "(Run > Run All Above Selected Cell), then this cell again."
        )

    def fill(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(0)[0]  # an escaped brace
        return format_text(values[match.group(1)], match.group(2) or "")

    return _FIELD.sub(fill, template)


def say(template: str) -> None:
    """Display ``template`` as Markdown, with the values this kernel glued filled in.

    The learner edition's computed sentences call this: the cell's output is the
    paragraph the book shows, with the learner's own numbers. It renders in JupyterLab,
    Notebook 7, Colab, JupyterLite and VS Code (a ``text/markdown`` output).

    Examples
    --------
    >>> glue("n_example", 1234)
    >>> say("There are {n_example:,} people.")  # doctest: +ELLIPSIS
    <IPython.core.display.Markdown object>
    """
    from IPython.display import Markdown, display

    text = render(template)
    display(Markdown(text))
