"""Preparing a deposit: consent groups, dbGaP submission files, a validator, transfer and a DMS plan.

- :mod:`genshare.deposit.consent`: consent groups with dbGaP labels and DUO codes;
- :mod:`genshare.deposit.dbgap`: the data sets (DS), data dictionaries (DD) and VCF of a deposit;
- :mod:`genshare.deposit.validate`: the curator's checks, every problem with file, line and field;
- :mod:`genshare.deposit.transfer`: MD5 and SHA-256 manifests, Crypt4GH encryption;
- :mod:`genshare.deposit.dms`: an NIH Data Management and Sharing Plan outline.
"""

from genshare.deposit.consent import DEFAULT_GROUPS, NOT_CONSENTED, ConsentGroup, assign_consent_groups, consent_table
from genshare.deposit.dbgap import DataSet, Variable, build_submission, read_dictionary, write_pgen, write_submission
from genshare.deposit.dms import StudyFacts, dms_plan, dms_plan_markdown
from genshare.deposit.transfer import (
    decrypt_file,
    encrypt_file,
    file_digest,
    generate_keypair,
    verify_manifest,
    write_manifests,
)
from genshare.deposit.validate import DepositError, Finding, check_deposit, findings_table, validate

__all__ = [
    "DEFAULT_GROUPS",
    "NOT_CONSENTED",
    "ConsentGroup",
    "DataSet",
    "DepositError",
    "Finding",
    "StudyFacts",
    "Variable",
    "assign_consent_groups",
    "build_submission",
    "check_deposit",
    "consent_table",
    "decrypt_file",
    "dms_plan",
    "dms_plan_markdown",
    "encrypt_file",
    "file_digest",
    "findings_table",
    "generate_keypair",
    "read_dictionary",
    "validate",
    "verify_manifest",
    "write_manifests",
    "write_pgen",
    "write_submission",
]
