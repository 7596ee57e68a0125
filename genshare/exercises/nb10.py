"""Checks for notebook 10 (preparing a deposit)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from genshare.exercises import AnswerFormError, Context, Exercise, Form, Ids, Misconception, register

_PHENOTYPES = "SubjectPhenotypes_DS.txt"


@dataclass(frozen=True)
class Findings(Form):
    """The findings :func:`genshare.deposit.validate` returns, compared by (file, field).

    Reads the list ``validate`` returns (``Finding`` tuples, or their ``[file, line, field,
    problem]`` lists once recorded for marking), the table ``findings_table`` makes, or the
    number 0 (no finding left).
    """

    what: str = "the findings validate(...) returns (a list, or findings_table's table)"

    def read(self, answer: Any, ctx: Context) -> frozenset[tuple[str, str]]:
        if isinstance(answer, (bool, str, bytes, Mapping)) or answer is None:
            raise AnswerFormError(f"expected {self.what}; got {type(answer).__name__}")
        if isinstance(answer, (int, float)) and not isinstance(answer, bool):
            if answer == 0:
                return frozenset()
            raise AnswerFormError(f"expected {self.what}; a count other than 0 does not say which findings remain")
        if isinstance(answer, pd.DataFrame):
            missing = [c for c in ("file", "field") if c not in answer.columns]
            if missing:
                raise AnswerFormError(f"expected {self.what}; the table has no column(s) {', '.join(missing)}")
            return frozenset(zip(answer["file"].astype(str), answer["field"].astype(str)))
        if not isinstance(answer, Iterable):
            raise AnswerFormError(f"expected {self.what}; got {type(answer).__name__}")
        out = set()
        for item in answer:
            if hasattr(item, "file") and hasattr(item, "field"):
                out.add((str(item.file), str(item.field)))
            elif isinstance(item, (list, tuple)) and len(item) == 4:
                out.add((str(item[0]), str(item[2])))
            else:
                raise AnswerFormError(f"expected {self.what}; an item is {item!r}")
        return frozenset(out)


def _broken_findings(ctx: Context, drop_zip: bool, fix_code: bool) -> list:
    """The notebook's broken copy of the world's deposit, fixed as asked, then validated.

    The deposit holds the first 20 SNPs only (the findings concern the phenotypes file).
    """
    from genshare.deposit import assign_consent_groups, build_submission, validate, write_submission

    world = ctx.world
    datasets = ctx.memo("10:datasets", lambda: build_submission(world, assign_consent_groups(world.cohort["participant_id"], seed=world.seed)))
    with tempfile.TemporaryDirectory(prefix="genshare-check-10-") as folder:
        study = Path(folder)
        write_submission(study, datasets, world=world, n_snps=20)
        phenotypes = study / _PHENOTYPES
        original = pd.read_csv(phenotypes, sep="\t", dtype=str, keep_default_na=False)
        table = original.copy()
        table["zip5"] = "39011"
        table.loc[4, "T2D"] = "3"
        if drop_zip:
            table = table.drop(columns="zip5")
        if fix_code:
            table["T2D"] = original["T2D"]
        table.to_csv(phenotypes, sep="\t", index=False, lineterminator="\n")
        return validate(study)


register(Exercise(
    id="10.1",
    question="Findings left after fixing the broken copy of the deposit (validate(broken))",
    form=Findings(),
    solve=lambda ctx: _broken_findings(ctx, drop_zip=True, fix_code=True),
    misconceptions=(
        Misconception(
            "kept the ZIP code",
            lambda ctx: _broken_findings(ctx, drop_zip=False, fix_code=True),
            "the phenotypes still hold a five-digit ZIP code: a Safe Harbor identifier that, with age "
            "and sex, singles people out (notebook 05). Describing it in the dictionary would not make "
            "it safe to release.",
        ),
        Misconception(
            "kept the undefined code",
            lambda ctx: _broken_findings(ctx, drop_zip=True, fix_code=False),
            "a value that is not one of its variable's codes is still there: every encoded value must "
            "be a code the data dictionary defines, and the right one comes from the study's records.",
        ),
    ),
    hint="run validate(broken) again after your edits and read each finding's file, line and field: "
         "fix every one, and keep what the last validate(broken) returns.",
))


def _blocking(ctx: Context, permissive: tuple[str, ...] = ()) -> list[str]:
    """Consent groups of the study whose conditions keep their data out of the open tier."""
    from genshare.deposit import DEFAULT_GROUPS

    # What dms_plan refuses: every group whose permission is not "no restriction" (NRES).
    return [g.label for g in DEFAULT_GROUPS if g.duo[0] != "NRES" and g.label not in permissive]


register(Exercise(
    id="10.3",
    question="Which consent groups keep the study's data out of the open tier (dms_plan's refusal)?",
    form=Ids(what="dbGaP consent labels (e.g. a list of the groups' labels)"),
    solve=lambda ctx: _blocking(ctx),
    misconceptions=(
        Misconception(
            "only the disease-specific group restricts",
            lambda ctx: _blocking(ctx, permissive=("HMB-IRB", "GRU-PUB")),
            "a disease-specific consent is not the only restriction: 'health, medical or biomedical "
            "research only' (HMB) limits use too. Any group whose permission is not 'no restriction' "
            "(NRES) keeps its data out of the open tier.",
        ),
        Misconception(
            "general research use is open",
            lambda ctx: _blocking(ctx, permissive=("GRU-PUB",)),
            "general research use (GRU) is not 'no restriction' (NRES): it was consented for a "
            "controlled-access repository, and this group also carries a publication duty (PUB).",
        ),
    ),
    hint="read the message dms_plan raises for the open tier: it names every group whose "
         "data-use conditions rule out open release.",
    uses_world=False,
))
