"""Turn the lessons' MyST Markdown into plain Markdown that every notebook frontend renders.

The book's notebooks are written in MyST (admonitions, dropdowns, ``{term}``, ``{doc}``
and ``{cite}`` roles, ``[text]{.static}`` spans). JupyterLab without jupyterlab-myst,
JupyterLite, Colab and VS Code render CommonMark and a little HTML only, and show MyST
raw. :func:`to_markdown` rewrites one Markdown text so that nothing MyST is left:

=====================================  ===============================================
MyST                                   plain Markdown
=====================================  ===============================================
``{admonition} Title`` (``:class:``)   a block quote opened by the title in bold
``{dropdown} Title``                   ``<details><summary>Title</summary>`` ... ``</details>``
``{term}`text <target>```              a link to the term in the book's glossary
``{doc}`path``` / ``{doc}`text <p>```  a link to that page of the published book
``{cite:t}`key``` / ``{cite:p}`key```  "Author (year)" / "(Author, year)", linked to
                                       the book's references page
``{claim}`id```                         "as of <date>; source: <host>", linked to the
                                       source (as ``_ext/policy_claims.py`` writes it)
``[text]{.static}``                    ``text``
=====================================  ===============================================

``{glue:text}`` roles are left for the caller (:mod:`genshare.teaching` turns the
paragraphs that hold them into cells that display the learner's own values); any other
role or directive is an error, so that new MyST cannot slip into the learner edition
unconverted. :data:`RESIDUE` lists what a converted text must not contain; the tests
render every learner notebook with a CommonMark renderer and look for it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

__all__ = ["Book", "MystError", "RESIDUE", "bibliography", "glossary_terms", "page_titles", "to_markdown"]

#: Strings that betray unconverted MyST in a learner notebook's Markdown.
RESIDUE = (
    "{glue",
    "{doc}",
    "{term}",
    "{cite",
    "]{.static}",
    ":class:",
    "{admonition}",
    "{dropdown}",
    "Citation Not Found",
    "{ref}",
    "{numref}",
    "{eq}",
    "{math}",
)

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}[ \t]*(?P<arg>.*)$")
_ROLE = re.compile(r"\{(?P<role>[\w:-]+)\}`(?P<content>[^`]*)`")
_STATIC = re.compile(r"\[(?P<text>[^\]]*)\]\{\.static\}")
_EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


class MystError(ValueError):
    """A MyST construct that the learner edition cannot convert (the message says where)."""


@dataclass(frozen=True)
class Book:
    """What links in converted text point at.

    Attributes
    ----------
    url
        The published book, e.g. ``https://owner.github.io/repo`` (no trailing slash).
    titles
        Document path without suffix (``chapters/glossary``) -> page title.
    terms
        Glossary term, lower case -> the term as the glossary writes it.
    citations
        BibTeX key -> (author text, year).
    claims
        Dated claim id -> (date checked, source URL), from ``data/policy.csv``.
    """

    url: str
    titles: Mapping[str, str] = field(default_factory=dict)
    terms: Mapping[str, str] = field(default_factory=dict)
    citations: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    claims: Mapping[str, tuple[date, str]] = field(default_factory=dict)

    def page(self, path: str) -> str:
        return f"{self.url}/{path}.html"


# ------------------------------------------------------------------- the book's facts


def page_titles(root: Path, documents: list[str]) -> dict[str, str]:
    """Document path (no suffix) -> the page's first level-1 heading (Markdown or notebook)."""
    import json

    titles = {}
    for doc in documents:
        md, nb = root / f"{doc}.md", root / f"{doc}.ipynb"
        if md.is_file():
            text = md.read_text(encoding="utf-8")
        elif nb.is_file():
            cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
            text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        else:
            raise MystError(f"{doc}: no such page ({md.name} or {nb.name})")
        match = re.search(r"^# (.+)$", text, flags=re.M)
        if match is None:
            raise MystError(f"{doc}: the page has no level-1 heading to use as its title")
        titles[doc] = match.group(1).strip()
    return titles


def glossary_terms(path: Path) -> dict[str, str]:
    """The terms of a ``{glossary}`` block: lower-cased term -> term as written."""
    text = path.read_text(encoding="utf-8")
    block = re.search(r"^```\{glossary\}\n(.*?)^```", text, flags=re.M | re.S)
    if block is None:
        raise MystError(f"{path}: no {{glossary}} block")
    terms = {}
    for line in block.group(1).splitlines():
        if line and not line[0].isspace():
            terms[line.strip().lower()] = line.strip()
    return terms


def _bib_field(entry: str, name: str) -> str | None:
    match = re.search(rf"\b{name}\s*=\s*", entry, flags=re.I)
    if match is None:
        return None
    rest = entry[match.end() :]
    if rest.startswith("{"):
        depth = 0
        for i, char in enumerate(rest):
            depth += char == "{"
            depth -= char == "}"
            if depth == 0:
                return rest[1:i]
        return None
    value = re.match(r'"([^"]*)"|(\w+)', rest)
    return None if value is None else (value.group(1) or value.group(2))


def _surname(author: str) -> str:
    author = author.strip()
    if author.startswith("{") and author.endswith("}"):
        return author[1:-1]  # a corporate author, {National Institutes of Health}
    name = author.split(",")[0] if "," in author else author.split()[-1]
    return name.replace("{", "").replace("}", "").strip()


def bibliography(path: Path) -> dict[str, tuple[str, str]]:
    """BibTeX key -> (author text as the book's author-year style writes it, year).

    One author: ``Sweeney``; two: ``Lin and Owen``; three or more: ``Homer et al.``.
    """
    text = path.read_text(encoding="utf-8")
    out = {}
    for match in re.finditer(r"^@\w+\{([^,\s]+),", text, flags=re.M):
        end = text.find("\n@", match.end())
        entry = text[match.end() : end if end != -1 else len(text)]
        authors_text = _bib_field(entry, "author") or _bib_field(entry, "editor") or _bib_field(entry, "organization")
        year = _bib_field(entry, "year") or "n.d."
        if authors_text is None:
            raise MystError(f"{path}: entry {match.group(1)!r} has no author")
        authors = [_surname(a) for a in re.split(r"\s+and\s+", authors_text.strip()) if a.strip()]
        if len(authors) == 1:
            names = authors[0]
        elif len(authors) == 2:
            names = f"{authors[0]} and {authors[1]}"
        else:
            names = f"{authors[0]} et al."
        out[match.group(1)] = (names, year.strip())
    return out


def glossary_anchor(term: str) -> str:
    """The HTML id Sphinx gives a glossary term (``term-`` + docutils' id rule, case kept)."""
    text = unicodedata.normalize("NFKD", term).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-zA-Z0-9]+", "-", " ".join(text.split()))
    return "term-" + text.strip("-")


# ---------------------------------------------------------------------- conversion


def _fences(text: str, book: Book, where: str) -> str:
    """Rewrite admonition and dropdown fences (innermost first) as plain Markdown."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        if match is None:
            out.append(lines[i])
            i += 1
            continue
        fence, name, arg, indent = match["fence"], match["name"], match["arg"].strip(), match["indent"]
        close = re.compile(rf"^{re.escape(indent)}{re.escape(fence[0])}{{{len(fence)}}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        if j == len(lines):
            raise MystError(f"{where}: the {{{name}}} fence opened on line {i + 1} is never closed")
        body = lines[i + 1 : j]
        while body and re.match(r"^\s*:[\w-]+:", body[0]):  # directive options (:class: tip)
            body = body[1:]
        inner = _fences("\n".join(body), book, where).strip("\n")
        if name == "admonition" or name in (
            "note",
            "tip",
            "important",
            "warning",
            "caution",
            "attention",
            "hint",
            "seealso",
        ):
            title = arg or name.capitalize()
            quoted = [f"> **{title}**", ">"] + [f"> {line}".rstrip() for line in inner.split("\n")]
            out.extend(quoted)
        elif name == "dropdown":
            out.extend([f"<details><summary>{arg or 'Details'}</summary>", "", inner, "", "</details>"])
        else:
            raise MystError(f"{where}: the {{{name}}} directive has no plain-Markdown form here")
        i = j + 1
    return "\n".join(out)


def _split_explicit(content: str) -> tuple[str | None, str]:
    match = _EXPLICIT.match(content)
    return (match["text"].strip(), match["target"].strip()) if match else (None, content.strip())


def _role(match: re.Match[str], book: Book, here: str, where: str) -> str:
    role, content = match["role"], match["content"]
    if role.startswith("glue"):
        return match.group(0)  # left for the caller
    if role == "term":
        text, target = _split_explicit(content)
        term = book.terms.get(target.lower())
        if term is None:
            raise MystError(f"{where}: {{term}} {target!r} is not in the glossary")
        return f"[{text or target}]({book.page('chapters/glossary')}#{glossary_anchor(term)})"
    if role == "doc":
        text, target = _split_explicit(content)
        base = here.rsplit("/", 1)[0] if "/" in here else ""
        path = str(Path(base, target)) if not target.startswith("/") else target.lstrip("/")
        parts: list[str] = []
        for part in path.split("/"):
            if part == "..":
                if parts:
                    parts.pop()
            elif part not in ("", "."):
                parts.append(part)
        path = "/".join(parts)
        if path not in book.titles:
            raise MystError(f"{where}: {{doc}} {target!r} is not a page of the book")
        return f"[{text or book.titles[path]}]({book.page(path)})"
    if role in ("cite:t", "cite:p", "cite"):
        keys = [k.strip() for k in content.split(",") if k.strip()]
        unknown = [k for k in keys if k not in book.citations]
        if unknown:
            raise MystError(f"{where}: citation {', '.join(unknown)} is not in references.bib")
        refs = book.page("chapters/references")
        if role == "cite:t":
            return "; ".join(f"[{book.citations[k][0]} ({book.citations[k][1]})]({refs})" for k in keys)
        return "(" + "; ".join(f"[{book.citations[k][0]}, {book.citations[k][1]}]({refs})" for k in keys) + ")"
    if role == "claim":
        key = content.strip()
        if key not in book.claims:
            raise MystError(f"{where}: claim {key!r} is not in data/policy.csv")
        checked, url = book.claims[key]
        host = urlparse(url).netloc.lower().removeprefix("www.")
        return f"as of {checked.day} {checked.strftime('%B')} {checked.year}; source: [{host}]({url})"
    raise MystError(f"{where}: the {{{role}}} role has no plain-Markdown form here")


def to_markdown(text: str, book: Book, here: str, where: str = "") -> str:
    """Plain Markdown for a MyST text of the page ``here`` (``notebooks/05-...``).

    ``{glue:...}`` roles are returned unchanged; everything else listed in the module's
    table is converted, and any other role or directive raises :class:`MystError`
    naming ``where``.

    Examples
    --------
    >>> book = Book("https://example.org/book", titles={"chapters/why-share": "Why share"},
    ...             terms={"beacon": "beacon"}, citations={"x2000": ("Sweeney", "2000")})
    >>> print(to_markdown("See {doc}`../chapters/why-share`, a {term}`beacon` and {cite:t}`x2000`.",
    ...                   book, "notebooks/01-x"))  # doctest: +NORMALIZE_WHITESPACE
    See [Why share](https://example.org/book/chapters/why-share.html),
    a [beacon](https://example.org/book/chapters/glossary.html#term-beacon)
    and [Sweeney (2000)](https://example.org/book/chapters/references.html).
    >>> print(to_markdown("```{admonition} Exercise 1\\n:class: note\\nCount them.\\n```", book, "notebooks/01-x"))
    > **Exercise 1**
    >
    > Count them.
    """
    where = where or here
    text = _fences(text, book, where)
    text = _STATIC.sub(lambda m: m["text"], text)
    return _ROLE.sub(lambda m: _role(m, book, here, where), text)
