"""Slides for each part of the book, generated from the lessons' own material.

One reveal.js deck per part (``part-1.html`` to ``part-3.html``), made of what the lessons
already say, so that the slides cannot drift from the book:

- for every lesson, a title slide with its learning objectives and estimated time (the
  "Lesson at a glance" box), the speaker notes holding what to live-code and where learners
  stall (from ``chapters/instructor-notes.md``);
- for every notebook, its key figure (the first captioned figure of its outputs) with the
  caption, the figure's alternative text in the notes;
- the lesson's "Key points", the discussion prompts of the instructor guide that name the
  lesson, and its check-for-understanding questions (``data/quizzes.json``), with the answer
  and its explanation in the notes only.

MyST is turned into plain Markdown by :func:`genshare.myst.to_markdown` (links go to the
published book) and glued numbers are filled in from the committed notebooks, exactly as the
book shows them. reveal.js's Markdown plugin renders the text in the browser.

The decks work offline: reveal.js 5.2.1 (pinned, :mod:`genshare.kit.vendor`) is copied beside
them, and images are files in the deck's folder. Press ``S`` for the speaker view; open a deck
with ``?print-pdf`` and print it (or let Chromium do it) for a PDF, one slide a page.
``python -m genshare.kit.slides --out _build/slides`` (``make slides``) writes everything.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from genshare.glue import format_text, notebook_values
from genshare.kit.lessons import Lesson, page_file, page_title, read_lessons
from genshare.paths import PROJECT_ROOT

__all__ = ["Slide", "build_deck", "decks", "lesson_slides", "part_captions", "write_decks"]

_GLUE_LOCAL = re.compile(r"\{glue:text\}`(\w+)(?::([^`]*))?`")
_GLUE_OTHER = re.compile(r"\{glue:text\}`\.\./(notebooks/[^`]+?)\.ipynb::(\w+)(?::([^`]*))?`")
_PART_NUMBER = {"I": 1, "II": 2, "III": 3}


@dataclass
class Slide:
    """One slide: a title, Markdown content, speaker notes (Markdown) and an optional image."""

    title: str
    body: str = ""
    notes: str = ""
    image: tuple[str, str, str] | None = None  # (file name, alt text, caption)
    classes: list[str] = field(default_factory=list)


def part_captions(root: Path = PROJECT_ROOT) -> dict[str, str]:
    """The parts' captions from ``_toc.yml``: ``{"I": "Part I: Why and where to share", ...}``.

    Examples
    --------
    >>> part_captions()["II"]
    'Part II: Why genomic data is different'
    """
    found = re.findall(r'caption:\s*"(Part (I+): [^"]+)"', (root / "_toc.yml").read_text(encoding="utf-8"))
    return {number: caption for caption, number in found}


def _source(lesson: Lesson, root: Path) -> tuple[str, dict | None]:
    path = page_file(lesson.page, root)
    if path.suffix == ".md":
        return path.read_text(encoding="utf-8"), None
    notebook = json.loads(path.read_text(encoding="utf-8"))
    text = "\n\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    return text, notebook


def _fill_glue(text: str, values: dict[str, str], where: str) -> str:
    def local(match: re.Match) -> str:
        if match.group(1) not in values:
            raise ValueError(f"{where}: glued value {match.group(1)!r} is not in the notebook's outputs")
        return format_text(values[match.group(1)], match.group(2) or "")

    return _GLUE_LOCAL.sub(local, text)


def _fill_other_glue(text: str, root: Path, where: str) -> str:
    def other(match: re.Match) -> str:
        notebook = json.loads((root / f"{match.group(1)}.ipynb").read_text(encoding="utf-8"))
        values = notebook_values(notebook)
        if match.group(2) not in values:
            raise ValueError(f"{where}: glued value {match.group(2)!r} is not in {match.group(1)}.ipynb")
        return format_text(values[match.group(2)], match.group(3) or "")

    return _GLUE_OTHER.sub(other, text)


def _section(text: str, start: str, stop: str | None = None) -> str:
    """The text after the first line starting with ``start``, up to ``stop`` or the next heading."""
    found = re.search(rf"^{re.escape(start)}.*?$", text, re.MULTILINE)
    if not found:
        return ""
    rest = text[found.end() :]
    end = re.search(rf"^(?:{re.escape(stop)}|#{{1,2}} |```\s*$)" if stop else r"^#{1,2} |^```\s*$", rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


def _objectives(text: str) -> str:
    found = re.search(r"\*\*Learning objectives\.\*\*(.*?)(?=\n\s*\n|\*\*Prerequisites)", text, re.DOTALL)
    return found.group(1).strip() if found else ""


def _key_figure(notebook: dict) -> tuple[bytes, str, str] | None:
    """The first captioned figure of a notebook's outputs: (PNG bytes, alt text, caption)."""
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("mystnb", {})
        caption = meta.get("figure", {}).get("caption")
        if cell["cell_type"] != "code" or not caption:
            continue
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                data = "".join(png) if isinstance(png, list) else png
                return base64.b64decode(data), meta.get("image", {}).get("alt", caption), caption
    return None


def _notes_sections(root: Path) -> dict[str, str]:
    """The instructor notes' bullet list for each notebook: ``{"05": "- **Live-code** ..."}``."""
    text = (root / "chapters" / "instructor-notes.md").read_text(encoding="utf-8")
    out = {}
    for match in re.finditer(r"^## Notebook (\w+):.*?\n(.*?)(?=^```|^## )", text, re.MULTILINE | re.DOTALL):
        out[match.group(1)] = match.group(2).strip()
    return out


def _prompts(root: Path) -> list[str]:
    """The instructor guide's discussion prompts, one Markdown item each."""
    text = (root / "chapters" / "instructor-guide.md").read_text(encoding="utf-8")
    body = _section(text, "## Discussion prompts")
    return [item.strip() for item in re.split(r"^- ", body, flags=re.MULTILINE) if item.strip()]


def _names(lesson: Lesson, prompt: str) -> bool:
    if lesson.is_notebook:
        number = lesson.page.split("/")[1].split("-")[0]
        return re.search(rf"[Nn]otebook {re.escape(number)}\b", prompt) is not None
    return f"{{doc}}`{lesson.page.split('/')[1]}`" in prompt


def lesson_slides(
    lesson: Lesson,
    book,
    images: dict[str, bytes],
    root: Path = PROJECT_ROOT,
    quizzes: dict | None = None,
    prompts: list[str] | None = None,
    notes: dict[str, str] | None = None,
) -> list[Slide]:
    """The slides of one lesson (see the module docstring); figures are added to ``images``."""
    from genshare.myst import to_markdown
    from genshare.quiz import load_quizzes

    quizzes = load_quizzes() if quizzes is None else quizzes
    prompts = _prompts(root) if prompts is None else prompts
    notes = _notes_sections(root) if notes is None else notes
    text, notebook = _source(lesson, root)
    values = notebook_values(notebook) if notebook else {}

    def md(fragment: str, here: str = lesson.page) -> str:
        return _fill_glue(to_markdown(fragment, book, here, where=lesson.page), values, lesson.page).strip()

    title = page_title(lesson.page, root)
    key = lesson.page.split("/")[1].split("-")[0] if lesson.is_notebook else lesson.page.split("/")[1]
    speaker = [
        f"Book estimate: {lesson.estimate}"
        + (f"; workshop session {lesson.workshop_minutes} min." if lesson.workshop_minutes else ".")
    ]
    if lesson.is_notebook and key in notes:
        speaker.append(
            md(_fill_other_glue(notes[key], root, "chapters/instructor-notes.md"), "chapters/instructor-notes")
        )
    slides = [Slide(title, md(_objectives(text)), "\n\n".join(speaker), classes=["lesson-title"])]
    if notebook:
        figure = _key_figure(notebook)
        if figure:
            name = f"{lesson.page.split('/')[1]}.png"
            images[name] = figure[0]
            slides.append(Slide(title, "", f"Figure description: {figure[1]}", (name, figure[1], md(figure[2]))))
    points = _section(text, "## Key points", "**What's next")
    if points.strip():
        slides.append(Slide(f"Key points: {title}", md(points)))
    discussion = [md(p, "chapters/instructor-guide") for p in prompts if _names(lesson, p)]
    if discussion:
        slides.append(Slide("Discussion", "\n".join(f"- {p}" for p in discussion)))
    for question in quizzes.get(key, ()):
        options = "\n".join(f"- **{chr(65 + i)}.** {o.text}" for i, o in enumerate(question.options))
        (answer,) = [(chr(65 + i), o) for i, o in enumerate(question.options) if o.correct]
        slides.append(
            Slide(
                "Check your understanding",
                f"**{question.prompt}**\n\n{options}",
                f"Answer: {answer[0]}. {answer[1].explanation}\n\nSource: {question.source_text}",
            )
        )
    return slides


def decks(root: Path = PROJECT_ROOT, book=None) -> tuple[dict[str, list[Slide]], dict[str, bytes]]:
    """Every part's slides, by part (``"I"``, ``"II"``, ``"III"``), and the images they use."""
    from genshare.quiz import load_quizzes
    from genshare.teaching import the_book

    book = book or the_book(root)
    quizzes, prompts, notes = load_quizzes(), _prompts(root), _notes_sections(root)
    images: dict[str, bytes] = {}
    captions = part_captions(root)
    out: dict[str, list[Slide]] = {}
    for lesson in read_lessons():
        if lesson.part not in out:
            lessons = [x for x in read_lessons() if x.part == lesson.part]
            total = sum(x.minutes for x in lessons if not x.optional)
            out[lesson.part] = [
                Slide(
                    captions[lesson.part],
                    "\n".join(f"- {page_title(x.page, root)} ({x.estimate})" for x in lessons),
                    f"About {total // 60} h {total % 60:02d} min of lessons by the book's estimates.",
                    classes=["part-title"],
                )
            ]
        out[lesson.part] += lesson_slides(lesson, book, images, root, quizzes, prompts, notes)
    return out, images


def _slide_html(slide: Slide) -> str:
    body = f"## {slide.title}\n\n{slide.body}".rstrip()
    figure = ""
    if slide.image:
        name, alt, caption = slide.image
        figure = (
            f'<figure><img src="img/{html.escape(name)}" alt="{html.escape(alt)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
        return (
            f'<section class="{" ".join(slide.classes)}"><h2>{html.escape(slide.title)}</h2>{figure}'
            f'<aside class="notes">{html.escape(slide.notes)}</aside></section>'
        )
    notes = f"\n\nNote:\n{slide.notes}" if slide.notes else ""
    text = html.escape(body + notes, quote=False)
    return (
        f'<section class="{" ".join(slide.classes)}" data-markdown data-separator-notes="^Note:">'
        f"<textarea data-template>\n{text}\n</textarea></section>"
    )


_STYLE = """
.reveal { font-size: 30px; }
.reveal h2 { font-size: 1.5em; }
.reveal ul, .reveal ol { display: block; font-size: 0.8em; }
.reveal section p { font-size: 0.85em; }
.reveal figure img { max-height: 62vh; max-width: 100%; margin: 0; }
.reveal figcaption { font-size: 0.55em; color: #333; }
.reveal a { color: #004b87; }
"""


def build_deck(title: str, slides: list[Slide], reveal: str = "reveal") -> str:
    """The HTML of one deck; ``reveal`` is the (relative) folder holding reveal.js."""
    sections = "\n".join(_slide_html(slide) for slide in slides)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="{reveal}/dist/reveal.css">
<link rel="stylesheet" href="{reveal}/dist/theme/white.css">
<style>{_STYLE}</style>
</head>
<body>
<div class="reveal"><div class="slides">
{sections}
</div></div>
<script src="{reveal}/dist/reveal.js"></script>
<script src="{reveal}/plugin/markdown/markdown.js"></script>
<script src="{reveal}/plugin/notes/notes.js"></script>
<script>Reveal.initialize({{hash: true, slideNumber: "c/t", plugins: [RevealMarkdown, RevealNotes]}});</script>
</body>
</html>
"""


def write_decks(out: Path | str, root: Path = PROJECT_ROOT, vendor_reveal: bool = True) -> list[Path]:
    """Write ``part-1.html`` ... with their images (``img/``) and reveal.js (``reveal/``) into ``out``."""
    from genshare.kit.vendor import PACKAGES, vendor

    out = Path(out)
    (out / "img").mkdir(parents=True, exist_ok=True)
    if vendor_reveal:
        vendor(PACKAGES["reveal.js"], out / "reveal")
    by_part, images = decks(root)
    for name, data in images.items():
        (out / "img" / name).write_bytes(data)
    written = []
    captions = part_captions(root)
    for part, slides in by_part.items():
        path = out / f"part-{_PART_NUMBER[part]}.html"
        path.write_text(build_deck(captions[part], slides), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write one reveal.js deck per part of the book.")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "_build" / "slides")
    args = parser.parse_args(argv)
    for path in write_decks(args.out):
        print(f"written {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
