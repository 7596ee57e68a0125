"""No number about a result is typed into a notebook's prose: it is glued from the computation.

The rule (shared by everyone who edits notebooks)
======================================================================
Every **markdown cell** of every notebook in ``notebooks/`` is checked as follows.

1. Markup is removed first, with its content:

   - MyST roles: ``{glue:text}`x```, ``{cite:t}`key```, ``{term}`pool```, ``{doc}`x```, ...;
   - inline code (```x```) and code blocks (fences whose info string is not a
     ``{directive}``, e.g. a ```python`` block);
   - math: ``$...$`` and ``$$...$$``;
   - URLs, link targets ``](...)`` and reference definitions ``[x]: url``;
   - directive lines: ```{admonition} Exercise 1``, ``:::{note}``, ``:class: tip``,
     a lone closing fence;
   - HTML comments, HTML tags (not the text between them), MyST targets ``(label)=``;
   - markdown structure that merely numbers things: a heading's own leading section
     number (``## 2. The attack``) and ordered-list markers (``1. `` at a line start).

2. In what remains, a **standalone number** is a run of digits (with ``,`` or ``.``
   between digits, and an optional ``%``: ``30``, ``1,000``, ``0.5``, ``12%``) that is not
   glued to a letter, underscore or hyphen on either side. ``SHA-256``, ``ZIP3``,
   ``NOT-OD-24-157``, ``GRCh38`` and ``2nd`` are therefore not standalone numbers.

3. A standalone number is allowed only if it is

   (a) a **year** 1900-2099 (four digits, no separators);
   (b) a **label** after one of the words exercise, notebook, section, part, chapter,
       step, figure, table, question, lesson, version, chromosome (singular or plural,
       any case), including list continuations: "notebooks 03 and 04",
       "sections 4, 5 or 6", "exercises 1 to 3";
   (c) in a **sentence that cites a source** with a ``{cite...}`` role (a sourced figure);
   (d) **declared static** with a MyST span, ``[45 minutes]{.static}``, for fixed facts
       that are not computed (time estimates, a parameter the notebook's code also states).

   Everything else about a result is glued from the cell that computed it
   (``from genshare.glue import glue``; prose uses ``{glue:text}`name```).

Sentences are split at ``.``, ``!`` or ``?`` followed by white space and a capital letter,
at blank lines, headings, list items and table rows.

Running it
----------
``pytest tests/test_notebook_numbers.py`` checks every notebook;
``python tests/test_notebook_numbers.py notebooks/06-*.ipynb`` gives a plain listing.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


LABEL_WORDS = (
    "exercise", "notebook", "section", "part", "chapter", "step", "figure", "table",
    "question", "lesson", "version", "chromosome",
)  # fmt: skip

_NUMBER = r"\d+(?:[.,]\d+)*%?"
_NUMBER_RE = re.compile(_NUMBER)
_LABEL_RE = re.compile(
    r"\b(?:" + "|".join(LABEL_WORDS) + r")s?[\s*_]+"
    r"(" + _NUMBER + r"(?:\s*(?:,|and|or|to|&|–|—)\s*" + _NUMBER + r")*)",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"(?:19|20)\d\d")

_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})(.*)$")
_BLOCK_MARKUP = [  # removed from each block (paragraph, list item, heading) before sentences
    (re.compile(r"<!--.*?-->", re.DOTALL), " "),  # HTML comments
    (re.compile(r"\$\$.*?\$\$", re.DOTALL), " "),  # display math
    (re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.MULTILINE), " "),  # reference definitions
    (re.compile(r"^\s*\([\w.:-]+\)=\s*$", re.MULTILINE), " "),  # MyST targets
    (re.compile(r"^\s*:[\w-]+:.*$", re.MULTILINE), " "),  # directive options
    (re.compile(r"^(\s*#{1,6}\s+)\d+(?:\.\d+)*\.?(?=\s)", re.MULTILINE), r"\1"),  # heading numbers
    (re.compile(r"^(\s*)\d+[.)](?=\s)", re.MULTILINE), r"\1"),  # ordered-list markers
]
_INLINE_MARKUP = [  # removed from each sentence
    (re.compile(r"\{[A-Za-z][\w:.+-]*\}(`+)(?:(?!\1).)*\1", re.DOTALL), " "),  # MyST roles with content
    (re.compile(r"(`+)(?:(?!\1).)*\1", re.DOTALL), " "),  # inline code
    (re.compile(r"(?<!\\)\$(?!\s)[^$\n]*?(?<![\s\\])\$"), " "),  # inline math
    (re.compile(r"\[[^\]]*\]\{\.static\}"), " "),  # declared static
    (re.compile(r"\]\([^)]*\)"), "]"),  # link targets
    (re.compile(r"<?\b(?:https?|ftp)://[^\s>)]+>?"), " "),  # bare URLs
    (re.compile(r"\{[#.][^}]*\}"), " "),  # other attributes: {#id}, {.class}
    (re.compile(r"</?[A-Za-z][^>]*>"), " "),  # HTML tags, not their text
]
_HEADING_LINE = re.compile(r"^(\s*#{1,6}\s.*)$", re.MULTILINE)
_BLOCK_BREAK = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*+]\s|#|\||\d+[.)]\s|>))")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"')\]*_]*\s+(?=[\"'(\[*_]*[A-Z])")


def _glued(char: str) -> bool:
    """A letter, underscore or hyphen (superscript digits such as ``¹³`` are not letters)."""
    return char.isalpha() or char in "_-"


def _without_fenced_code(text: str) -> str:
    """Drop directive fence lines and the content of plain code blocks; keep directive content."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (fence, is_code)
    for line in text.split("\n"):
        match = _FENCE_RE.match(line)
        if match:
            fence, info = match.group(1), match.group(2).strip()
            if stack and fence[0] == stack[-1][0][0] and len(fence) >= len(stack[-1][0]) and not info:
                stack.pop()  # closing fence
                out.append("")
                continue
            if not (stack and stack[-1][1]):  # an opening fence (inside code, everything is code)
                is_code = fence[0] != ":" and not info.startswith("{")
                stack.append((fence, is_code))
                out.append("")
                continue
        out.append("" if stack and stack[-1][1] else line)
    return "\n".join(out)


def strip_markup(text: str) -> str:
    """Remove markup whose digits are not prose (step 1 of the rule)."""
    text = _without_fenced_code(text)
    for pattern, replacement in _BLOCK_MARKUP + _INLINE_MARKUP:
        text = pattern.sub(replacement, text)
    return text


def sentences(text: str) -> list[str]:
    """Split a markdown cell into sentences (blocks, then sentence ends)."""
    result = []
    text = _HEADING_LINE.sub("\\1\n", _without_fenced_code(text))  # a heading is a block of its own
    for block in _BLOCK_BREAK.split(text):
        for pattern, replacement in _BLOCK_MARKUP:
            block = pattern.sub(replacement, block)
        block = " ".join(block.split())
        result.extend(s for s in _SENTENCE_BREAK.split(block) if s.strip())
    return result


def offending_numbers(text: str) -> list[tuple[str, str]]:
    """The standalone numbers in ``text`` that the rule refuses, each with surrounding words.

    Parameters
    ----------
    text
        The source of one markdown cell.

    Returns
    -------
    list of (number, context)
        In order of appearance; empty when the cell follows the rule.

    Examples
    --------
    >>> offending_numbers("The AUC is 0.878 with {glue:text}`n_snps` SNPs.")
    [('0.878', 'The AUC is 0.878 with SNPs.')]
    >>> offending_numbers("In 2008, notebook 03 showed it {cite:p}`homer2008resolving`.")
    []
    """
    found = []
    for sentence in sentences(text):
        if "{cite" in sentence:
            continue  # (c) a sourced figure
        plain = " ".join(strip_markup(sentence).split())
        allowed: set[int] = set()
        for label in _LABEL_RE.finditer(plain):  # (b) labels and their continuations
            allowed.update(m.start() + label.start(1) for m in _NUMBER_RE.finditer(label.group(1)))
        for match in _NUMBER_RE.finditer(plain):
            start, end = match.span()
            before = plain[start - 1] if start else " "
            after = plain[end] if end < len(plain) else " "
            if _glued(before) or _glued(after) or before.isdigit():
                continue  # glued to a word: SHA-256, ZIP3, GRCh38, NOT-OD-24-157
            if before in ".," and start >= 2 and plain[start - 2].isdigit():
                continue  # tail of a number already seen
            if _YEAR_RE.fullmatch(match.group()):
                continue  # (a) a year
            if start in allowed:
                continue  # (b) a label
            context = plain[max(0, start - 50) : end + 50].strip()
            found.append((match.group(), context))
    return found


def notebook_offences(path: Path) -> list[str]:
    """Every offending number in a notebook, as 'cell N: number in "...context..."'."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    lines = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        lines.extend(f'cell {index}: {number!r} in "...{context}..."' for number, context in offending_numbers(source))
    return lines


# --- the rule itself, by known answers ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The attack reaches an AUC of {glue:text}`auc_lr:.3f` with {glue:text}`n_snps` SNPs.",  # glued
        "Share: {glue:text}`share:.1%` of {glue}`n_people` people, {glue:md}`table`.",
        "Homer et al. resolved mixtures at 1% frequency {cite:p}`homer2008resolving`.",  # cited
        "Lin et al. estimated 75 SNPs suffice {cite:t}`lin2004genomic`, p. 183.",
        "NIH withdrew the data in 2008 and reopened them in 2018.",  # years
        "See notebook 03, notebooks 03 and 04, sections 4 and 5, Exercise 2 and chromosome 22.",  # labels
        "Chapters 1, 2 or 3; step 4; Figure 1; table 2; question 1; lesson 5; version 4.1; part 2.",
        "Exercises 1 to 3 follow.",
        "**Estimated time.** [45-60 minutes]{.static}.",  # static
        "The seed is [6]{.static}, as in the code below.",
        "Checksums use SHA-256; ZIP3 areas; NOT-OD-24-157; GRCh38; the 2nd cousin.",  # glued to words
        "Use `rng = np.random.default_rng(6)` and $p = 1 - (1 - q)^{30}$ or $$n = 30$$.",  # code, math
        "See [the notice](https://grants.nih.gov/grants/guide/notice-files/NOT-OD-24-157.html).",  # URLs
        "Read <https://example.org/v2/3> and https://example.org/page/42.",
        "## 2. The attack at full scale",  # heading number
        "1. First step\n2. Second step",  # ordered-list markers
        "```{admonition} Exercise 1\n:class: note\nCompute it.\n```",  # directive lines
        "<!-- 42 was the old value -->\nNothing here.",  # HTML comments
        "```python\nx = 42\n```",  # code block in markdown
        '<img src="fig.png" width="600" alt="a figure">',  # HTML tag attributes
        "(sec-3)=\n## Heading",  # MyST target
    ],
)
def test_rule_allows(text):
    assert offending_numbers(text) == []


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Its own table gives AUC 0.987 and 0.878 at the same ratio.", ["0.987", "0.878"]),
        ("The pool is the 267 CEU cases.", ["267"]),
        ("Released at 8,000 array SNPs; 12% of people are unique.", ["8,000", "12%"]),
        ("Ten queries suffice; 38 participants are unique.", ["38"]),
        ("Power falls (here 0.1, -0.05 and 0.1).", ["0.1", "0.1"]),  # -0.05 is glued to a hyphen
        ("A sentence cites nothing. Homer et al. found 30 {cite:p}`homer2008resolving`.", []),
        ("A sentence cites nothing: 30 {term}`SNP`s. Another cites {cite:p}`k`.", ["30"]),
        ("```{admonition} Exercise 1\n:class: note\nRepeat it with 2,000 SNPs.\n```", ["2,000"]),
        ("[45 minutes]{.static}, but 50 minutes in practice.", ["50"]),
        ("- The pool has 267 members.\n- It is notebook 6.", ["267"]),
        ("| pool | AUC |\n|---|---|\n| 50 | 0.84 |", ["50", "0.84"]),
        ("Year-like 2000 passes, but 2,000 does not; nor 2100.", ["2,000", "2100"]),
        ("About 3×10^19 pairs.", ["3", "10", "19"]),
        ("Once in 10¹³ pairs.", ["10"]),
    ],
)
def test_rule_refuses(text, numbers):
    assert [number for number, _ in offending_numbers(text)] == numbers


def test_message_gives_cell_and_context(tmp_path):
    notebook = {
        "cells": [
            {"cell_type": "code", "source": "print(267)", "metadata": {}, "outputs": []},
            {"cell_type": "markdown", "source": ["# Title\n", "The pool is the 267 CEU cases."], "metadata": {}},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    assert notebook_offences(path) == ["cell 1: '267' in \"...The pool is the 267 CEU cases....\""]


# --- every notebook -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    NOTEBOOKS,
    ids=[p.stem for p in NOTEBOOKS],
)
def test_no_unglued_result_numbers(path):
    offences = notebook_offences(path)
    assert not offences, (
        f"{path.name}: numbers in markdown that are not glued, cited, a year, a label or "
        f"declared [static]{{.static}} (see the rule in {Path(__file__).name}):\n  " + "\n  ".join(offences)
    )


def test_every_notebook_is_checked():
    assert len(NOTEBOOKS) >= 9


if __name__ == "__main__":  # python tests/test_notebook_numbers.py notebooks/*.ipynb
    status = 0
    for argument in sys.argv[1:] or map(str, NOTEBOOKS):
        for line in notebook_offences(Path(argument)):
            print(f"{Path(argument).name}: {line}")
            status = 1
    sys.exit(status)
