"""The quizzes exported for Moodle (GIFT) and Canvas (QTI 1.2) parse back to the bank."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree as ET

from genshare.lms import gift, main, qti_package, qti_xml
from genshare.quiz import arrange, load_quizzes

BANK = arrange(load_quizzes())
QUESTIONS = [q for page in BANK.values() for q in page]


def _gift_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def test_gift_parses_back_to_every_question_and_its_answer():
    text = gift()
    blocks = re.findall(r"^::([^:]+):: (.*?) \{\n(.*?)\n\}", text, flags=re.M | re.S)
    assert [b[0] for b in blocks] == [q.id for q in QUESTIONS]
    for (qid, prompt, body), q in zip(blocks, QUESTIONS):
        options = [re.match(r"  ([=~])((?:\\.|[^#\\])*)#(.*)", line) for line in body.splitlines()]
        assert all(options), body
        assert [_gift_unescape(o.group(2)) for o in options] == [opt.text for opt in q.options]
        assert [o.group(1) == "=" for o in options] == [opt.correct for opt in q.options]
        assert _gift_unescape(prompt).startswith(q.prompt)
    assert text.count("$CATEGORY:") == len(BANK)


def test_qti_is_well_formed_and_scores_the_right_option():
    root = ET.fromstring(qti_xml())
    items = root.findall(".//item")
    assert [i.get("ident") for i in items] == [q.id for q in QUESTIONS]
    for item, q in zip(items, QUESTIONS):
        labels = [l.get("ident") for l in item.findall(".//response_label")]
        assert len(labels) == len(q.options)
        scored = [c for c in item.findall(".//respcondition") if c.find("setvar") is not None]
        assert len(scored) == 1 and scored[0].find("setvar").text == "100"
        right = labels[[o.correct for o in q.options].index(True)]
        assert scored[0].find(".//varequal").text == right
        assert len(item.findall("itemfeedback")) == len(q.options)


def test_qti_package_holds_a_manifest_that_names_the_document(tmp_path):
    archive = zipfile.ZipFile(io.BytesIO(qti_package()))
    assert set(archive.namelist()) == {"imsmanifest.xml", "genshare-quizzes.xml"}
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    hrefs = [e.get("href") for e in manifest.iter() if e.get("href")]
    assert "genshare-quizzes.xml" in hrefs
    assert main(["--gift", str(tmp_path / "q.gift"), "--qti", str(tmp_path / "q.zip")]) == 0
    assert (tmp_path / "q.gift").read_text(encoding="utf-8") == gift()
