"""The package's layers: analysis and tools take arrays and tables and never import the simulator.

The attacks, defences, risk check, deposit tools and population genetics would run on real
data; like tskit, which never imports msprime, they must not depend on ``genshare.cohort``
(the synthetic world's simulator and storage) or on the teaching modules built on top of
them. The rule is read from the import statements (module level and inside functions;
doctests are examples, not imports). There are no exceptions: the last ones (genealogy's
reference date and relationship names) moved to ``genshare._facts``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "genshare"
#: Modules that must not import the simulator or the teaching layer.
ANALYSIS = sorted(
    [p for folder in ("attacks", "deidentify", "risk", "deposit") for p in (ROOT / folder).glob("*.py")]
    + [ROOT / name for name in ("access.py", "popgen.py", "catalogue.py", "filekind.py", "populations.py",
                                "chunked.py", "_safe_files.py", "_validation.py", "paths.py", "_facts.py")]
    + list((ROOT / "formats").glob("*.py"))
)
#: What they may not import.
FORBIDDEN = ("genshare.cohort", "genshare.challenge", "genshare.exercises", "genshare.assignment", "genshare.marking",
             "genshare.teaching", "genshare.kit")
#: Today's violations, each with the shared fact it needs; the fact already lives in a
#: dependency-free module (``genshare._facts``), so only the import line is left to change.



def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _violations() -> dict[tuple[str, str], None]:
    out = {}
    for path in ANALYSIS:
        name = path.relative_to(ROOT).as_posix()
        for module in _imports(path):
            if any(module == f or module.startswith(f + ".") for f in FORBIDDEN):
                # Report the imported module (genshare.cohort.x), not the names taken from it.
                parts = module.split(".")
                out[(name, ".".join(parts[:3]) if len(parts) > 2 and parts[1] == "cohort" else ".".join(parts[:2]))] = None
    return out


def test_the_analysis_layer_is_not_empty():
    assert len(ANALYSIS) > 20 and all(p.is_file() for p in ANALYSIS)


def test_no_import_of_the_simulator_or_the_teaching_layer():
    new = sorted(_violations())
    assert not new, ("analysis/tool modules import the simulator or the teaching layer (move the shared fact to a "
                     f"dependency-free module instead): {new}")


def test_the_rule_catches_an_import_inside_a_function(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from genshare.cohort.world import World\n", encoding="utf-8")
    assert "genshare.cohort.world" in _imports(probe)


def test_the_bottom_layer_imports_nothing_of_the_package():
    """The shared facts and the file formats sit below everything: they import no ``genshare`` module
    but the safe-file helpers and the facts themselves."""
    allowed = {"genshare._safe_files", "genshare._facts"}
    for path in [ROOT / "_facts.py", *sorted((ROOT / "formats").glob("*.py"))]:
        imported = {m for m in _imports(path) if m == "genshare" or m.startswith("genshare.")}
        outside = {m for m in imported if not any(m == a or m.startswith(a + ".") for a in allowed)}
        assert not outside, f"{path.relative_to(ROOT)} imports {sorted(outside)}"
