"""The checks for understanding exported for a learning-management system: GIFT and QTI 1.2.

Instructors at universities load quizzes into Moodle or Canvas. The questions live once,
in ``data/quizzes.json`` (:mod:`genshare.quiz`); this module writes them in the two formats
those systems import, with each option's explanation as its feedback and the source cited:

- **GIFT**, Moodle's plain-text format (`the Moodle documentation
  <https://docs.moodle.org/en/GIFT_format>`_): one ``::title:: prompt { =right #why ~wrong
  #why }`` per question, with ``~ = # { } :`` escaped by a backslash;
- **QTI 1.2** (IMS Question and Test Interoperability, the version Canvas and Moodle
  import): one ``questestinterop`` XML document with an ``assessment`` of ``item`` elements,
  each a ``multiple_choice_question`` whose ``resprocessing`` scores the right option 100,
  packaged with an ``imsmanifest.xml`` in a ZIP as Canvas expects.

Options are written in :func:`genshare.quiz.arrange`'s order (the right one at every
position equally often). ``tests/test_lms.py`` parses both back and compares them with the
bank.

Command line::

    python -m genshare.lms --gift quizzes.gift --qti quizzes-qti.zip
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.etree import ElementTree as ET

from genshare.quiz import Question, arrange, load_quizzes

__all__ = ["gift", "qti_package", "qti_xml"]

_GIFT_SPECIAL = "~=#{}:\\"


def _gift_escape(text: str) -> str:
    return "".join("\\" + c if c in _GIFT_SPECIAL else c for c in text).replace("\n", " ")


def gift(bank: Mapping[str, tuple[Question, ...]] | None = None) -> str:
    """The bank (default: every page, arranged) in Moodle's GIFT format, one category per page.

    Examples
    --------
    >>> from genshare.quiz import Option
    >>> q = Question("two-plus", "2 + 2 = ?", "k", "Arithmetic",
    ...              (Option("4", True, "Yes."), Option("5", False, "No: 4.")))
    >>> print(gift({"p": (q,)}))
    $CATEGORY: genshare/p
    <BLANKLINE>
    ::two-plus:: 2 + 2 \\= ? (Source\\: Arithmetic) {
      =4#Yes.
      ~5#No\\: 4.
    }
    <BLANKLINE>
    """
    bank = arrange(load_quizzes()) if bank is None else bank
    parts = []
    for page, questions in bank.items():
        parts.append(f"$CATEGORY: genshare/{page}\n")
        for q in questions:
            lines = [f"::{q.id}:: {_gift_escape(q.prompt)} ({_gift_escape('Source: ' + q.source_text)}) {{"]
            for option in q.options:
                mark = "=" if option.correct else "~"
                lines.append(f"  {mark}{_gift_escape(option.text)}#{_gift_escape(option.explanation)}")
            lines.append("}\n")
            parts.append("\n".join(lines))
    return "\n".join(parts)


def qti_xml(
    bank: Mapping[str, tuple[Question, ...]] | None = None,
    title: str = "Genomic data sharing: checks for understanding",
) -> bytes:
    """The bank as one QTI 1.2 ``questestinterop`` document (UTF-8 bytes)."""
    bank = arrange(load_quizzes()) if bank is None else bank
    root = ET.Element("questestinterop")
    assessment = ET.SubElement(root, "assessment", ident="genshare-quizzes", title=title)
    for page, questions in bank.items():
        section = ET.SubElement(assessment, "section", ident=f"page-{page}", title=f"Page {page}")
        for q in questions:
            item = ET.SubElement(section, "item", ident=q.id, title=q.id)
            meta = ET.SubElement(ET.SubElement(item, "itemmetadata"), "qtimetadata")
            for label, entry in (("question_type", "multiple_choice_question"), ("points_possible", "1")):
                field = ET.SubElement(meta, "qtimetadatafield")
                ET.SubElement(field, "fieldlabel").text = label
                ET.SubElement(field, "fieldentry").text = entry
            presentation = ET.SubElement(item, "presentation")
            ET.SubElement(
                ET.SubElement(presentation, "material"), "mattext", texttype="text/plain"
            ).text = f"{q.prompt} (Source: {q.source_text})"
            choices = ET.SubElement(
                ET.SubElement(presentation, "response_lid", ident="response1", rcardinality="Single"), "render_choice"
            )
            for index, option in enumerate(q.options):
                choice = ET.SubElement(choices, "response_label", ident=f"{q.id}-{index}")
                ET.SubElement(ET.SubElement(choice, "material"), "mattext", texttype="text/plain").text = option.text
            processing = ET.SubElement(item, "resprocessing")
            ET.SubElement(
                ET.SubElement(processing, "outcomes"),
                "decvar",
                maxvalue="100",
                minvalue="0",
                varname="SCORE",
                vartype="Decimal",
            )
            for index, _option in enumerate(q.options):
                condition = ET.SubElement(processing, "respcondition", attrib={"continue": "Yes"})
                ET.SubElement(
                    ET.SubElement(condition, "conditionvar"), "varequal", respident="response1"
                ).text = f"{q.id}-{index}"
                ET.SubElement(condition, "displayfeedback", feedbacktype="Response", linkrefid=f"{q.id}-{index}-fb")
            right = next(i for i, o in enumerate(q.options) if o.correct)
            condition = ET.SubElement(processing, "respcondition", attrib={"continue": "No"})
            ET.SubElement(
                ET.SubElement(condition, "conditionvar"), "varequal", respident="response1"
            ).text = f"{q.id}-{right}"
            ET.SubElement(condition, "setvar", action="Set", varname="SCORE").text = "100"
            for index, option in enumerate(q.options):
                feedback = ET.SubElement(item, "itemfeedback", ident=f"{q.id}-{index}-fb")
                verdict = "Correct." if option.correct else "Not quite."
                ET.SubElement(
                    ET.SubElement(ET.SubElement(feedback, "flow_mat"), "material"), "mattext", texttype="text/plain"
                ).text = f"{verdict} {option.explanation}"
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def qti_package(bank: Mapping[str, tuple[Question, ...]] | None = None) -> bytes:
    """A ZIP with the QTI document and an IMS content-package manifest, as Canvas imports."""
    manifest = ET.Element(
        "manifest", identifier="genshare-quizzes-manifest", xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    )
    ET.SubElement(manifest, "organizations")
    resources = ET.SubElement(manifest, "resources")
    resource = ET.SubElement(
        resources, "resource", identifier="genshare-quizzes", type="imsqti_xmlv1p2", href="genshare-quizzes.xml"
    )
    ET.SubElement(resource, "file", href="genshare-quizzes.xml")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "imsmanifest.xml", b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(manifest, encoding="utf-8")
        )
        archive.writestr("genshare-quizzes.xml", qti_xml(bank))
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m genshare.lms", description=__doc__.splitlines()[0])
    parser.add_argument("--gift", help="write the GIFT file (Moodle) here")
    parser.add_argument("--qti", help="write the QTI 1.2 package (Canvas, Moodle) here, a .zip")
    args = parser.parse_args(argv)
    if not (args.gift or args.qti):
        parser.error("give --gift and/or --qti")
    try:
        if args.gift:
            Path(args.gift).write_text(gift(), encoding="utf-8")
        if args.qti:
            Path(args.qti).write_bytes(qti_package())
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("written: " + ", ".join(p for p in (args.gift, args.qti) if p))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
