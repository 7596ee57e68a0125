"""Consent groups of a deposit: which participant agreed to which uses of their data.

A controlled-access repository releases a study's data per *consent group*: every participant
belongs to exactly one group, and each group carries the data-use conditions the participants
of that group agreed to. dbGaP writes a group as a short label (``HMB-IRB``, ``DS-T2D-IRB-NPU``)
and codes it as a number in the Subject Consent data set: ``1``, ``2``, ..., with ``0`` for
people who did not consent to sharing, whose data are not released.

The label grammar and its translation into GA4GH DUO codes live in :mod:`genshare.access`
(:func:`~genshare.access.consent_label_to_duo`); this module only groups people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from genshare._validation import check_integer
from genshare.access import consent_label_to_duo, duo_terms

__all__ = ["ConsentGroup", "DEFAULT_GROUPS", "NOT_CONSENTED", "assign_consent_groups", "consent_table"]

#: The CONSENT code dbGaP gives to people who did not consent to sharing: their data stay out.
NOT_CONSENTED = 0


@dataclass(frozen=True)
class ConsentGroup:
    """One consent group: its CONSENT code, dbGaP-style label and a plain-language description.

    Attributes
    ----------
    code
        The number written in the CONSENT column (1, 2, ...; 0 is reserved for no consent).
    label
        A dbGaP consent label such as ``"HMB-IRB"``; it must translate with
        :func:`genshare.access.consent_label_to_duo`.
    description
        What participants in this group agreed to, in words.

    Raises
    ------
    ValueError
        For a code below 1 or a label that is not a standard dbGaP consent label.

    Examples
    --------
    >>> group = ConsentGroup(2, "DS-T2D-IRB-NPU", "type 2 diabetes research only")
    >>> group.duo
    ('DS:T2D', 'IRB', 'NPU', 'NMDS')
    """

    code: int
    label: str
    description: str = ""

    def __post_init__(self) -> None:
        check_integer(self.code, "code", minimum=1)
        object.__setattr__(self, "code", int(self.code))
        consent_label_to_duo(self.label)  # raises on a label it cannot translate
        object.__setattr__(self, "label", self.label.strip().upper())

    @property
    def duo(self) -> tuple[str, ...]:
        """The group's data-use conditions as DUO shorthands (permission first)."""
        return tuple(consent_label_to_duo(self.label))

    @property
    def duo_ids(self) -> tuple[str, ...]:
        """The same conditions as DUO term identifiers (``DUO:0000006``...)."""
        ids = duo_terms().set_index("shorthand")["id"]
        return tuple(ids[code.partition(":")[0]] for code in self.duo)


#: The synthetic study's consent form offered three choices (an invented but typical design):
#: health research with local ethics approval, research on type 2 diabetes only by
#: not-for-profit organisations, or any research with results made public.
DEFAULT_GROUPS: tuple[ConsentGroup, ...] = (
    ConsentGroup(1, "HMB-IRB", "health, medical or biomedical research; the user's ethics committee must approve"),
    ConsentGroup(
        2, "DS-T2D-IRB-NPU", "research on type 2 diabetes only, by not-for-profit organisations, with ethics approval"
    ),
    ConsentGroup(3, "GRU-PUB", "any research purpose; results must be made public"),
)


def _check_groups(groups: Sequence[ConsentGroup]) -> tuple[ConsentGroup, ...]:
    groups = tuple(groups)
    if not groups or not all(isinstance(g, ConsentGroup) for g in groups):
        raise ValueError("groups must be a non-empty list of ConsentGroup")
    codes = [g.code for g in groups]
    if len(set(codes)) != len(codes):
        raise ValueError(f"consent group codes must be distinct; got {codes}")
    return groups


def assign_consent_groups(
    participants: Sequence[str] | pd.Series,
    *,
    groups: Sequence[ConsentGroup] = DEFAULT_GROUPS,
    shares: Sequence[float] | None = None,
    not_consented: float = 0.02,
    seed: int = 2026,
) -> pd.Series:
    """Give every participant the CONSENT code of the option they chose on the consent form.

    The synthetic study has no recorded choices, so they are drawn at random with the given
    shares (a simulation, seeded); a real study reads them from its consent records.

    Parameters
    ----------
    participants
        Participant ids, length n, distinct and non-empty.
    groups
        The consent groups offered.
    shares
        The share of consenting participants who chose each group (same order; summing to 1).
        Default: equal shares.
    not_consented
        The share of participants who did not consent to sharing (CONSENT 0), in [0, 1).
    seed
        Seed of the random choices.

    Returns
    -------
    pandas.Series
        Integer CONSENT codes (n), indexed by participant id, named ``CONSENT``.

    Raises
    ------
    ValueError
        For repeated or empty ids, shares that are not probabilities summing to 1 or do not
        match the groups, or a share of non-consenters outside [0, 1).

    Examples
    --------
    >>> codes = assign_consent_groups(["C1", "C2", "C3", "C4"], seed=1)
    >>> codes.index.tolist(), codes.name
    (['C1', 'C2', 'C3', 'C4'], 'CONSENT')
    """
    groups = _check_groups(groups)
    ids = pd.Index([str(p) for p in participants], name="SUBJECT_ID")
    if ids.has_duplicates or (ids == "").any():
        raise ValueError("participants must be distinct, non-empty ids")
    if shares is None:
        weights = np.full(len(groups), 1 / len(groups))
    else:
        weights = np.asarray(shares, dtype=float)
        if (
            weights.shape != (len(groups),)
            or not np.isfinite(weights).all()
            or (weights < 0).any()
            or not np.isclose(weights.sum(), 1)
        ):
            raise ValueError(
                f"shares must be {len(groups)} non-negative numbers summing to 1, one per group; got {list(shares)}"
            )
    if not (isinstance(not_consented, (int, float)) and 0 <= not_consented < 1):
        raise ValueError(f"not_consented must be a share in [0, 1); got {not_consented!r}")
    rng = np.random.default_rng(check_integer(seed, "seed", minimum=0))
    codes = np.array([g.code for g in groups])[rng.choice(len(groups), size=len(ids), p=weights)]
    codes[rng.random(len(ids)) < not_consented] = NOT_CONSENTED
    return pd.Series(codes.astype(int), index=ids, name="CONSENT")


def consent_table(groups: Sequence[ConsentGroup] = DEFAULT_GROUPS) -> pd.DataFrame:
    """The consent groups with their DUO codes: ``CONSENT``, ``label``, ``duo``, ``duo_ids``, ``description``.

    Examples
    --------
    >>> consent_table().loc[0, ["label", "duo"]].tolist()
    ['HMB-IRB', 'HMB; IRB; NMDS']
    """
    groups = _check_groups(groups)
    return pd.DataFrame(
        {
            "CONSENT": [g.code for g in groups],
            "label": [g.label for g in groups],
            "duo": ["; ".join(g.duo) for g in groups],
            "duo_ids": ["; ".join(g.duo_ids) for g in groups],
            "description": [g.description for g in groups],
        }
    )
