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
    problem]`` lists once recorded for marking), or the table ``findings_table`` makes (or a
    selection of its rows).
    """

    what: str = "the findings validate(...) returns (a list, or findings_table's table)"

    def read(self, answer: Any, ctx: Context) -> frozenset[tuple[str, str]]:
        if isinstance(answer, (bool, str, bytes, Mapping)) or answer is None:
            raise AnswerFormError(f"expected {self.what}; got {type(answer).__name__}")
        if isinstance(answer, (int, float)) and not isinstance(answer, bool):
            raise AnswerFormError(f"expected {self.what}; a count does not say which findings")
        if isinstance(answer, pd.DataFrame):
            missing = [c for c in ("file", "field") if c not in answer.columns]
            if missing:
                raise AnswerFormError(f"expected {self.what}; the table has no column(s) {', '.join(missing)}")
            return frozenset(zip(answer["file"].astype(str), answer["field"].astype(str), strict=True))
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
    datasets = ctx.memo(
        "10:datasets",
        lambda: build_submission(world, assign_consent_groups(world.cohort["participant_id"], seed=world.seed)),
    )
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


def _risky(ctx: Context, keep: str = "Safe Harbor identifier") -> list:
    """The broken copy's findings (before any fix) whose problem starts with ``keep``."""
    findings = _broken_findings(ctx, drop_zip=False, fix_code=False)
    return [f for f in findings if str(f.problem).startswith(keep)] if keep else list(findings)


register(
    Exercise(
        id="10.1",
        question="Which findings of validate(broken), before any fix, would have put participants at risk if released?",
        form=Findings(),
        solve=lambda ctx: _risky(ctx),
        misconceptions=(
            Misconception(
                "every finding",
                lambda ctx: _risky(ctx, keep=""),
                "not every finding endangers participants: an undefined status code confuses the data's "
                "users but identifies nobody. Keep the findings about identifiers.",
            ),
            Misconception(
                "the undefined code",
                lambda ctx: [f for f in _risky(ctx, keep="") if f.field == "T2D"],
                "a wrong status code harms the data's quality, not the participants' privacy: look for the "
                "finding that names a Safe Harbor identifier (notebook 07).",
            ),
        ),
        hint="keep the findings of validate(broken), taken before you fix anything, whose problem names an "
        "identifier (findings_table(...) shows them; the problem column says which).",
    )
)


def _blocking(ctx: Context, permissive: tuple[str, ...] = ()) -> list[str]:
    """Consent groups of the study whose conditions keep their data out of the open tier."""
    from genshare.deposit import DEFAULT_GROUPS

    # What dms_plan refuses: every group whose permission is not "no restriction" (NRES).
    return [g.label for g in DEFAULT_GROUPS if g.duo[0] != "NRES" and g.label not in permissive]


register(
    Exercise(
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
    )
)
