"""Checks for notebook 01 (the repository catalogue). These read the catalogue, not a world."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from genshare.exercises import Context, Exercise, Ids, Misconception, Share, register


@lru_cache(maxsize=1)
def _load() -> pd.DataFrame:
    from genshare.catalogue import load_catalogue

    return load_catalogue()


def _catalogue() -> pd.DataFrame:
    return _load().copy()


def _names(rows: pd.DataFrame) -> list[str]:
    return rows["name"].tolist()


def _name_of_id(ctx: Context) -> dict[str, str]:
    catalogue = _catalogue()
    return dict(zip(catalogue["id"], catalogue["name"], strict=True))


def _repositories(column: str = "name") -> Ids:
    return Ids(
        what="repository names (or ids), e.g. a list or the rows of the catalogue", column=column, aliases=_name_of_id
    )


def _holds_wgs(catalogue: pd.DataFrame) -> pd.Series:
    from genshare.catalogue import find_repositories

    return catalogue["name"].isin(find_repositories(catalogue, "whole-genome sequence")["name"])


register(
    Exercise(
        id="01.1",
        question="Which repositories hold whole-genome sequence?",
        form=_repositories(),
        solve=lambda ctx: _names(_catalogue()[_holds_wgs(_catalogue())]),
        misconceptions=(
            Misconception(
                "any sequence data",
                lambda ctx: _names(_catalogue()[_catalogue()["data_types"].str.contains("sequence", case=False)]),
                "'sequence reads' or exome sequence are not whole-genome sequence: read the data_types "
                "field as a list of kinds of data, and search for the kind the question names.",
            ),
            Misconception(
                "controlled access only",
                lambda ctx: _names(
                    _catalogue()[_holds_wgs(_catalogue()) & (_catalogue()["access_model"] == "controlled")]
                ),
                "the question asks which repositories hold the data, whatever their access model; the "
                "access model is the second half of the question (what you would have to do).",
            ),
        ),
        hint="search the data_types field of the catalogue for the kind of data the question names "
        "(find_repositories does this).",
        uses_world=False,
    )
)


def _releasing(catalogue: pd.DataFrame) -> pd.DataFrame:
    return catalogue[catalogue["individual_level_access"] != "none"]


register(
    Exercise(
        id="01.2",
        question="Among repositories releasing individual-level data, what share do so only under controlled access?",
        form=Share(what="a share (e.g. 0.5 or '50%')"),
        solve=lambda ctx: float((_releasing(_catalogue())["individual_level_access"] == "controlled").mean()),
        misconceptions=(
            Misconception(
                "all repositories as denominator",
                lambda ctx: float((_catalogue()["individual_level_access"] == "controlled").mean()),
                "the share is among repositories that release individual-level data at all: leave out "
                "those whose individual_level_access is 'none' before dividing.",
            ),
            Misconception(
                "access_model instead of individual_level_access",
                lambda ctx: float((_releasing(_catalogue())["access_model"] == "controlled").mean()),
                "a 'tiered' repository offers open summary data but controlled individual-level data: "
                "the question is about individual-level access, not the repository's overall model.",
            ),
        ),
        uses_world=False,
    )
)


def _committee_not_nih(
    catalogue: pd.DataFrame, models: tuple[str, ...] = ("controlled",), nih: bool = False
) -> list[str]:
    run_by_nih = catalogue["steward"].str.contains("National")
    keep = catalogue["access_model"].isin(models) & (run_by_nih if nih else ~run_by_nih)
    return _names(catalogue[keep])


register(
    Exercise(
        id="01.3",
        question="Which controlled-access archives reviewing every request are not run by NIH?",
        form=_repositories(),
        solve=lambda ctx: _committee_not_nih(_catalogue()),
        misconceptions=(
            Misconception(
                "tiered counted as reviewed",
                lambda ctx: _committee_not_nih(_catalogue(), ("controlled", "tiered")),
                "in a tiered repository only the controlled tier is reviewed; the question wants "
                "archives where each request is reviewed (access_model 'controlled').",
            ),
            Misconception(
                "run by NIH",
                lambda ctx: _committee_not_nih(_catalogue(), ("controlled", "tiered"), nih=True),
                "these are run by NIH institutes (look at the steward field): the researcher wants an "
                "archive that is not.",
            ),
        ),
        hint="combine two conditions: access_model is 'controlled', and the steward is not an NIH institute.",
        uses_world=False,
    )
)
