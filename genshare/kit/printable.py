"""Printable editions of the book: a learner PDF and an instructor PDF.

Both are printed from the built HTML book (``_build/html``) by headless Chromium, the
browser the project already installs from Debian for its browser tests. Why Chromium
rather than Jupyter Book's LaTeX route or Typst: the PDF is then exactly the page learners
see (the same figures with their alt text, the same tables, the maths rendered by the same
MathJax served with the book), nothing has to be written twice, and Chromium writes a
*tagged* PDF (headings, lists, tables and figures with their alternative text in the
structure tree, for screen readers) with a document outline; TeX Live would add about a
gigabyte of Debian packages and untagged output, and Typst would need every page converted
to another markup.

:func:`compose` joins the pages of one edition into a single HTML document beside the book
(``_build/html/print/<edition>.html``, so every relative link to styles, scripts and images
still resolves):

- the **learner** edition holds the lessons (parts I to III, in the book's order) with their
  exercises, and leaves out every solution cell, every "Solution" and "Why" dropdown, the
  quizzes' feedback and the output of the checks that follow solutions;
- the **instructor** edition starts with the instructor guide and the instructor notes, then
  the same lessons with every solution, dropdown and quiz answer opened.

:func:`print_pdf` serves the book on 127.0.0.1 (MathJax loads its fonts and extensions over
HTTP), prints the composed page with Chromium on A4 or Letter paper and returns the PDF.
``python -m genshare.kit.printable`` (``make pdf``) writes both editions.
"""

from __future__ import annotations

import argparse
import functools
import html
import http.server
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

from genshare.kit.lessons import read_lessons
from genshare.paths import PROJECT_ROOT

__all__ = ["EDITIONS", "PAPER", "compose", "element_spans", "pages_of", "print_pdf", "write_editions"]

EDITIONS = ("learner", "instructor")
PAPER = {"a4": "A4", "letter": "letter"}
INSTRUCTOR_PAGES = ("chapters/instructor-guide", "chapters/instructor-notes")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_ARTICLE = re.compile(r'<article class="bd-article"[^>]*>(.*?)</article>', re.DOTALL)
_HEAD = re.compile(r"<head>(.*?)</head>", re.DOTALL)


class _SpanFinder(HTMLParser):
    """Start and end offsets of every element of a well-formed HTML fragment."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self._line_starts = [0]
        for line in text.splitlines(keepends=True):
            self._line_starts.append(self._line_starts[-1] + len(line))
        self._stack: list[tuple[str, dict[str, str], int]] = []
        self.spans: list[tuple[int, int, str, dict[str, str]]] = []
        self._text = text

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        self._stack.append((tag, {k: v or "" for k, v in attrs}, self._offset()))

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        end = self._text.index(">", self._offset()) + 1
        while self._stack:
            open_tag, attrs, start = self._stack.pop()
            if open_tag == tag:
                self.spans.append((start, end, tag, attrs))
                return


def element_spans(fragment: str, wanted: Callable[[str, dict[str, str]], bool]) -> list[tuple[int, int]]:
    """The (start, end) offsets of the outermost elements of ``fragment`` that ``wanted(tag, attrs)`` picks.

    Examples
    --------
    >>> text = '<div><details class="x"><p>a</p></details><p>b</p></div>'
    >>> [text[s:e] for s, e in element_spans(text, lambda tag, a: "x" in a.get("class", "").split())]
    ['<details class="x"><p>a</p></details>']
    """
    finder = _SpanFinder(fragment)
    finder.feed(fragment)
    finder.close()
    chosen = sorted((s, e) for s, e, tag, attrs in finder.spans if wanted(tag, attrs))
    outer: list[tuple[int, int]] = []
    for start, end in chosen:
        if outer and start < outer[-1][1]:
            continue  # inside one already chosen
        outer.append((start, end))
    return outer


def _remove(fragment: str, spans: Sequence[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        fragment = fragment[:start] + fragment[end:]
    return fragment


def _classes(attrs: dict[str, str]) -> set[str]:
    return set(attrs.get("class", "").split())


def _summary(fragment: str, start: int) -> str:
    found = re.search(r"<summary[^>]*>(.*?)</summary>", fragment[start : start + 2000], re.DOTALL)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip() if found else ""


def learner_article(fragment: str) -> str:
    """An article without its solutions, "Solution"/"Why" dropdowns, quiz feedback and check outputs.

    Examples
    --------
    >>> page = ('<p>Q</p><details class="admonition hide above-input"><p>answer</p></details>'
    ...         '<details class="sd-dropdown"><summary>Why</summary><p>because</p></details>')
    >>> learner_article(page)
    '<p>Q</p>'
    """
    spans = element_spans(fragment, lambda tag, attrs: tag == "details" and {"hide", "above-input"} <= _classes(attrs))
    fragment = _remove(fragment, spans)
    dropdowns = element_spans(fragment, lambda tag, attrs: tag == "details" and "sd-dropdown" in _classes(attrs))
    fragment = _remove(fragment, [(s, e) for s, e in dropdowns if _summary(fragment, s) in ("Solution", "Why")])
    fragment = _remove(fragment, element_spans(fragment, lambda tag, attrs: "gs-quiz-feedback" in _classes(attrs)))
    # A check cell's output says whether the solution above it was right (and why).
    cells = element_spans(fragment, lambda tag, attrs: tag == "div" and "cell" in _classes(attrs))
    outputs = []
    for start, end in cells:
        cell = fragment[start:end]
        if re.search(r"check</span><span class=\"p\">\(|\bcheck\(", cell):
            outputs += [
                (start + s, start + e)
                for s, e in element_spans(cell, lambda tag, attrs: "cell_output" in _classes(attrs))
            ]
    return _remove(fragment, outputs)


def instructor_article(fragment: str) -> str:
    """An article with every ``<details>`` (solutions, dropdowns, quiz options) open."""
    return re.sub(r"<details(?![^>]*\bopen\b)", "<details open", fragment)


def pages_of(edition: str) -> list[str]:
    """The pages of an edition, in order (paths without suffix, as in ``_toc.yml``)."""
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {', '.join(EDITIONS)}; got {edition!r}")
    lessons = [lesson.page for lesson in read_lessons()]
    return lessons if edition == "learner" else [*INSTRUCTOR_PAGES, *lessons]


def _anchor(page: str) -> str:
    return "page-" + page.replace("/", "-")


def _relink(fragment: str, included: set[str], book_url: str) -> str:
    """Links to a page of this edition go to its section; other pages, to the published book."""

    def fix(match: re.Match) -> str:
        target, fragment_id = match.group(1), match.group(2) or ""
        page = target.lstrip("./")
        if page in included:
            return f'href="#{fragment_id[1:] if fragment_id else _anchor(page)}"'
        return f'href="{book_url.rstrip("/")}/{page}.html{fragment_id}"'

    return re.sub(r'href="((?:\.\./)?(?:chapters|notebooks)/[\w.-]+?)\.html(#[^"]*)?"', fix, fragment)


_PRINT_CSS = """
@page { size: @PAPER@; margin: 16mm 15mm 18mm; }
html { font-size: 10.5pt; }
body { background: #fff; }
.kit-page { break-before: page; }
.kit-cover { min-height: 240mm; display: flex; flex-direction: column; justify-content: center; }
.kit-cover h1 { font-size: 2.2rem; }
.headerlink, .copybtn, button, .toggle-button, .gs-quiz-help { display: none !important; }
img { max-width: 100% !important; height: auto !important; break-inside: avoid; }
figure, .cell_output img, table { break-inside: avoid; }
table { font-size: 0.85rem; width: 100%; }
pre { white-space: pre-wrap !important; word-break: break-word; font-size: 0.8rem; }
div.cell_output { max-height: none !important; overflow: visible !important; }
h1, h2, h3 { break-after: avoid; }
a { color: #004b87; }
"""


def compose(html_root: Path | str, edition: str, paper: str = "a4", book_url: str | None = None) -> Path:
    """Write ``<html_root>/print/<edition>.html``: the edition's pages as one document.

    Raises
    ------
    FileNotFoundError
        When a page of the edition was not built (naming the file).
    ValueError
        For an unknown edition or paper size, a page without an article, or a head page without ``<head>``.
    """
    html_root = Path(html_root)
    if paper not in PAPER:
        raise ValueError(f"paper must be one of {', '.join(PAPER)}; got {paper!r}")
    pages = pages_of(edition)
    book_url = book_url or _book_url()
    head_page = html_root / "notebooks" / "06-membership-inference-and-beacons.html"  # has maths: loads MathJax
    if not head_page.is_file():
        raise FileNotFoundError(f"{head_page} is missing: build the book first (make book)")
    head_match = _HEAD.search(head_page.read_text(encoding="utf-8"))
    if head_match is None:
        raise ValueError(f"{head_page} has no <head> element: rebuild the book (make book)")
    head = head_match.group(1)
    title = "Genomic Data Sharing: " + ("learner edition" if edition == "learner" else "instructor edition")
    head = re.sub(r"<title>.*?</title>", f"<title>{html.escape(title)}</title>", head, flags=re.DOTALL)
    head += "\n<style>" + _PRINT_CSS.replace("@PAPER@", PAPER[paper]) + "</style>\n"
    transform = learner_article if edition == "learner" else instructor_article
    sections, contents = [], []
    for page in pages:
        path = html_root / f"{page}.html"
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: build the book first (make book)")
        found = _ARTICLE.search(path.read_text(encoding="utf-8"))
        if not found:
            raise ValueError(f'{path}: no <article class="bd-article"> to print')
        article = _relink(transform(found.group(1)), set(pages), book_url)
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", article, re.DOTALL)
        name = re.sub(r"<[^>]+>", "", heading.group(1)).replace("#", "").strip() if heading else page
        contents.append(f'<li><a href="#{_anchor(page)}">{name}</a></li>')
        sections.append(f'<section class="kit-page" id="{_anchor(page)}">{article}</section>')
    what = (
        "the lessons with their exercises; solutions are left out"
        if edition == "learner"
        else "the instructor guide and notes, then the lessons with every solution"
    )
    cover = (
        f'<section class="kit-cover"><h1>{html.escape(title)}</h1>'
        f"<p>{what}. Printed from the book on {time.strftime('%d %B %Y')}; the book itself is at "
        f'<a href="{book_url}">{book_url}</a>.</p>'
        f'<nav aria-label="Contents"><h2>Contents</h2><ol>{"".join(contents)}</ol></nav></section>'
    )
    document = (
        f'<!DOCTYPE html>\n<html lang="en" data-mode="light" data-theme="light"><head>{head}</head>'
        f'<body><main class="bd-article">{cover}{"".join(sections)}</main></body></html>\n'
    )
    out = html_root / "print" / f"{edition}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(document, encoding="utf-8")
    return out


def _book_url() -> str:
    config = (PROJECT_ROOT / "_config.yml").read_text(encoding="utf-8")
    found = re.search(r"^\s*baseurl:\s*(\S+)", config, re.MULTILINE)
    return found.group(1) if found else "https://genomic-data-sharing.github.io/genomic-data-sharing"


@contextmanager
def _serve(folder: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def print_pdf(
    html_root: Path | str,
    page: Path | str,
    out: Path | str,
    chromium: str | None = None,
    timeout: float = 600,
    query: str = "",
) -> Path:
    """Print ``page`` (a file under ``html_root``, opened with ``?query`` if given) to ``out`` with headless Chromium.

    Raises
    ------
    RuntimeError
        When Chromium is missing (Debian package ``chromium``) or fails.
    """
    html_root, page, out = Path(html_root).resolve(), Path(page).resolve(), Path(out)
    chromium = chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise RuntimeError("Chromium is not installed (Debian package chromium); it prints the PDFs")
    out.parent.mkdir(parents=True, exist_ok=True)
    relative = page.relative_to(html_root).as_posix()
    with _serve(html_root) as site, tempfile.TemporaryDirectory() as profile:
        command = [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--generate-pdf-document-outline",
            "--virtual-time-budget=30000",
            f"--print-to-pdf={out.resolve()}",
            site + relative + (f"?{query}" if query else ""),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        raise RuntimeError(f"Chromium could not print {relative}: {result.stderr.strip()[-800:]}")
    return out


def write_editions(html_root: Path | str, out_dir: Path | str, paper: str = "a4") -> dict[str, Path]:
    """Compose and print both editions; return their PDFs by edition."""
    written = {}
    for edition in EDITIONS:
        page = compose(html_root, edition, paper)
        name = f"genomic-data-sharing-{edition}{'' if paper == 'a4' else '-' + paper}.pdf"
        written[edition] = print_pdf(html_root, page, Path(out_dir) / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the learner and instructor PDFs from the built book.")
    parser.add_argument("--html", type=Path, default=PROJECT_ROOT / "_build" / "html", help="the built book")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "_build" / "pdf", help="folder for the PDFs")
    parser.add_argument("--paper", choices=sorted(PAPER), default="a4")
    args = parser.parse_args(argv)
    for edition, path in write_editions(args.html, args.out, args.paper).items():
        print(f"{edition}: {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
