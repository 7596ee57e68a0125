"""Hostile input for genshare.deposit: transfer, manifests, DataSet.write and the validator.

Each test reproduces a defect found by feeding the tools files a depositor controls: a
destination that is the source, a wrong key or passphrase, a ciphertext cut at a segment
boundary, values with quotes or line breaks, manifests that list too little or point
outside the folder, and data sets that are links, FIFOs, folders or endless lines.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import string
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genshare.cohort import load_world
from genshare.deposit import (
    DataSet,
    Variable,
    assign_consent_groups,
    build_submission,
    decrypt_file,
    encrypt_file,
    file_digest,
    generate_keypair,
    validate,
    verify_manifest,
    write_manifests,
    write_submission,
)

SEGMENT = 65536


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    pytest.importorskip("crypt4gh")
    folder = tmp_path_factory.mktemp("keys")
    archive_pub, archive_sec = generate_keypair(folder, "archive")
    submitter_pub, submitter_sec = generate_keypair(folder, "submitter")
    return {"archive_pub": archive_pub, "archive_sec": archive_sec, "submitter_pub": submitter_pub,
            "submitter_sec": submitter_sec}


def _encrypt(keys, source: Path, destination: Path) -> Path:
    return encrypt_file(source, destination, keys["archive_pub"], keys["submitter_sec"])


def _file(path: Path, size: int) -> Path:
    path.write_bytes(bytes(i % 251 for i in range(size)))
    return path


@pytest.fixture(scope="module")
def deposit(tmp_path_factory) -> Path:
    world = load_world()
    consent = assign_consent_groups(world.cohort["participant_id"], not_consented=0.1, seed=3)
    datasets = build_submission(world, consent)
    subjects = set(world.cohort["participant_id"].iloc[:30])
    small = {}
    for kind, dataset in datasets.items():
        table = dataset.table
        if "SUBJECT_ID" in table:
            keep = table["SUBJECT_ID"].isin(subjects)
        else:
            mapping = datasets["SubjectSampleMapping"].table
            keep = table["SAMPLE_ID"].isin(mapping[mapping["SUBJECT_ID"].isin(subjects)]["SAMPLE_ID"])
        small[kind] = DataSet(kind, table[keep].reset_index(drop=True), dataset.variables)
    folder = tmp_path_factory.mktemp("deposit")
    write_submission(folder, small, world=world, n_snps=30)
    assert validate(folder) == []
    return folder


@pytest.fixture
def copy(deposit, tmp_path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(deposit, target)
    return target


# --- Crypt4GH: known answers ---------------------------------------------------------------


@pytest.mark.parametrize("size", [1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT])
def test_round_trip_at_every_segment_boundary(keys, tmp_path, size):
    source = _file(tmp_path / "data.bin", size)
    encrypted = _encrypt(keys, source, tmp_path / "data.c4gh")
    back = decrypt_file(encrypted, tmp_path / "back.bin", keys["archive_sec"])
    assert back.read_bytes() == source.read_bytes()


def test_files_we_write_are_read_by_the_crypt4gh_library_itself(keys, tmp_path):
    import crypt4gh.lib
    from crypt4gh.keys import get_private_key

    source = _file(tmp_path / "data.bin", 2 * SEGMENT)
    encrypted = _encrypt(keys, source, tmp_path / "data.c4gh")
    secret = get_private_key(str(keys["archive_sec"]), lambda: "lesson passphrase")
    out = io.BytesIO()
    with encrypted.open("rb") as handle:
        crypt4gh.lib.decrypt([(0, secret, None)], handle, out)
    assert out.getvalue() == source.read_bytes()


def _library_encrypt(keys, source: Path, destination: Path) -> Path:
    """Encrypt with crypt4gh's own function (no edit list), as another tool would."""
    import crypt4gh.lib
    from crypt4gh.keys import get_private_key, get_public_key

    secret = get_private_key(str(keys["submitter_sec"]), lambda: "lesson passphrase")
    with source.open("rb") as infile, destination.open("wb") as outfile:
        crypt4gh.lib.encrypt([(0, secret, get_public_key(str(keys["archive_pub"])))], infile, outfile)
    return destination


def test_files_of_other_tools_are_read_when_their_end_is_visible(keys, tmp_path):
    source = _file(tmp_path / "data.bin", SEGMENT + 10)
    encrypted = _library_encrypt(keys, source, tmp_path / "other.c4gh")
    assert decrypt_file(encrypted, tmp_path / "back.bin", keys["archive_sec"]).read_bytes() == source.read_bytes()


# --- Crypt4GH: the defects -----------------------------------------------------------------


def test_decrypting_a_file_onto_itself_is_refused_and_keeps_it(keys, tmp_path):
    encrypted = _encrypt(keys, _file(tmp_path / "data.bin", 1000), tmp_path / "data.c4gh")
    before = encrypted.read_bytes()
    with pytest.raises(ValueError, match="same file"):
        decrypt_file(encrypted, encrypted, keys["archive_sec"])
    os.link(encrypted, tmp_path / "hard-link.c4gh")
    with pytest.raises(ValueError, match="same file"):
        decrypt_file(encrypted, tmp_path / "hard-link.c4gh", keys["archive_sec"])
    with pytest.raises(ValueError, match="same file"):
        decrypt_file(encrypted, keys["archive_sec"], keys["archive_sec"])
    assert encrypted.read_bytes() == before


def test_a_wrong_key_never_touches_an_existing_destination(keys, tmp_path):
    encrypted = _encrypt(keys, _file(tmp_path / "data.bin", 5000), tmp_path / "data.c4gh")
    destination = tmp_path / "received.bin"
    destination.write_bytes(b"what was there before")
    with pytest.raises(ValueError, match="cannot be decrypted with the key submitter.sec"):
        decrypt_file(encrypted, destination, keys["submitter_sec"])
    assert destination.read_bytes() == b"what was there before"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.bin", "data.c4gh", "received.bin"]  # no temporary left


def test_a_damaged_file_never_touches_an_existing_destination(keys, tmp_path):
    encrypted = _encrypt(keys, _file(tmp_path / "data.bin", 3 * SEGMENT), tmp_path / "data.c4gh")
    data = bytearray(encrypted.read_bytes())
    data[-100] ^= 1  # a flipped bit in the last segment: the first two decrypt fine
    encrypted.write_bytes(bytes(data))
    destination = tmp_path / "received.bin"
    destination.write_bytes(b"old")
    with pytest.raises(ValueError, match="damaged"):
        decrypt_file(encrypted, destination, keys["archive_sec"])
    assert destination.read_bytes() == b"old"


def test_encrypting_into_a_hard_link_of_the_source_is_refused(keys, tmp_path):
    source = _file(tmp_path / "data.bin", 4000)
    before = source.read_bytes()
    os.link(source, tmp_path / "link.c4gh")
    with pytest.raises(ValueError, match="same file"):
        _encrypt(keys, source, tmp_path / "link.c4gh")
    (tmp_path / "sym.c4gh").symlink_to(source)
    with pytest.raises(ValueError, match="same file"):
        _encrypt(keys, source, tmp_path / "sym.c4gh")
    with pytest.raises(ValueError, match="same file"):
        _encrypt(keys, source, keys["archive_pub"])
    assert source.read_bytes() == before


@pytest.mark.parametrize("size, keep_segments", [(3 * SEGMENT, 1), (3 * SEGMENT, 2), (SEGMENT + 1, 1), (SEGMENT, 0)])
def test_a_file_cut_at_a_segment_boundary_is_truncated(keys, tmp_path, size, keep_segments):
    encrypted = _encrypt(keys, _file(tmp_path / "data.bin", size), tmp_path / "data.c4gh")
    data = encrypted.read_bytes()
    n_segments = -(-size // SEGMENT)
    header = len(data) - size - 28 * n_segments
    encrypted.write_bytes(data[: header + keep_segments * (SEGMENT + 28)])
    with pytest.raises(ValueError, match="truncated"):
        decrypt_file(encrypted, tmp_path / "back.bin", keys["archive_sec"])
    assert not (tmp_path / "back.bin").exists()


def test_a_file_without_a_declared_length_that_ends_on_a_full_segment_is_refused(keys, tmp_path):
    encrypted = _library_encrypt(keys, _file(tmp_path / "data.bin", 2 * SEGMENT), tmp_path / "other.c4gh")
    with pytest.raises(ValueError, match="cannot tell whether it is complete"):
        decrypt_file(encrypted, tmp_path / "back.bin", keys["archive_sec"])


def test_a_forged_header_length_is_refused_without_reading_it(keys, tmp_path):
    encrypted = _encrypt(keys, _file(tmp_path / "data.bin", 100), tmp_path / "data.c4gh")
    data = bytearray(encrypted.read_bytes())
    data[16:20] = (2**32 - 1).to_bytes(4, "little")  # the first packet claims 4 GiB
    encrypted.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="impossible length"):
        decrypt_file(encrypted, tmp_path / "back.bin", keys["archive_sec"])


def test_a_wrong_passphrase_raises_instead_of_exiting(keys, tmp_path):
    encrypted = _encrypt(keys, _file(tmp_path / "data.bin", 100), tmp_path / "data.c4gh")
    with pytest.raises(ValueError, match=r"archive\.sec: cannot be unlocked: the passphrase is wrong"):
        decrypt_file(encrypted, tmp_path / "back.bin", keys["archive_sec"], passphrase="not it")
    with pytest.raises(ValueError, match=r"submitter\.sec: cannot be unlocked"):
        encrypt_file(tmp_path / "data.bin", tmp_path / "x.c4gh", keys["archive_pub"], keys["submitter_sec"],
                     passphrase="not it")


@pytest.mark.parametrize("content", [b"", b"hello\n", b"\x00\xff" * 40, b"-----BEGIN CRYPT4GH PUBLIC KEY-----\n!!\n-----END\n"])
def test_key_files_that_are_not_keys_are_named(keys, tmp_path, content):
    bogus = tmp_path / "bogus.key"
    bogus.write_bytes(content)
    source = _file(tmp_path / "data.bin", 100)
    with pytest.raises(ValueError, match="bogus.key"):
        encrypt_file(source, tmp_path / "a.c4gh", bogus, keys["submitter_sec"])
    with pytest.raises(ValueError, match="bogus.key"):
        encrypt_file(source, tmp_path / "b.c4gh", keys["archive_pub"], bogus)
    encrypted = _encrypt(keys, source, tmp_path / "c.c4gh")
    with pytest.raises(ValueError, match="bogus.key"):
        decrypt_file(encrypted, tmp_path / "back.bin", bogus)


def test_a_private_key_given_as_public_is_named(keys, tmp_path):
    with pytest.raises(ValueError, match=r"archive\.sec"):
        encrypt_file(_file(tmp_path / "data.bin", 10), tmp_path / "x.c4gh", keys["archive_sec"], keys["submitter_sec"])


def test_a_fifo_as_source_is_refused_without_waiting(keys, tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(ValueError, match="FIFO"):
        _encrypt(keys, tmp_path / "pipe", tmp_path / "x.c4gh")
    with pytest.raises(ValueError, match="FIFO"):
        decrypt_file(tmp_path / "pipe", tmp_path / "y.bin", keys["archive_sec"])


# --- DataSet.write -------------------------------------------------------------------------


def _dataset(values: list[str], name: str = "NOTE") -> DataSet:
    table = pd.DataFrame({"SUBJECT_ID": [f"S{i}" for i in range(len(values))], name: values})
    return DataSet("SubjectPhenotypes", table, (Variable("SUBJECT_ID", "Subject", "string"), Variable(name, "A note", "string")))


def test_values_are_written_as_they_are_never_quoted(tmp_path):
    ds, _ = _dataset(['5" tall', "'single'", 'a "b" c', "back\\slash"]).write(tmp_path)
    assert ds.read_text(encoding="utf-8").splitlines()[1:] == ['S0\t5" tall', "S1\t'single'", 'S2\ta "b" c', "S3\tback\\slash"]


@pytest.mark.parametrize("breaker", ["\t", "\r", "\n", "\r\n"])
def test_a_tab_or_line_break_in_a_value_is_refused_naming_row_and_field(tmp_path, breaker):
    with pytest.raises(ValueError, match=r"SubjectPhenotypes: row 2, field NOTE"):
        _dataset(["fine", "also fine", f"two{breaker}lines"]).write(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_carriage_return_in_a_description_is_refused():
    with pytest.raises(ValueError, match="line breaks"):
        Variable("X", "one\rtwo", "string")


_CELL = st.text(st.characters(blacklist_characters="\t\r\n", blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(_CELL, min_size=1, max_size=5))
def test_any_text_without_tab_or_line_break_round_trips(tmp_path, values):
    import csv

    ds, _ = _dataset(values).write(tmp_path)
    with ds.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert [row[1] for row in rows[1:]] == values


# --- manifests -----------------------------------------------------------------------------


def _folder(tmp_path: Path, names=("a.txt", "b.txt")) -> Path:
    folder = tmp_path / "deposit"
    folder.mkdir()
    for name in names:
        (folder / name).write_text(name)
    return folder


def test_an_empty_manifest_fails(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    write_manifests(folder)
    assert verify_manifest(folder) == ["MANIFEST.sha256: lists no files; an empty manifest proves nothing"]
    folder = _folder(tmp_path)
    (folder / "MANIFEST.sha256").write_text("")
    problems = verify_manifest(folder)
    assert "MANIFEST.sha256: lists no files; an empty manifest proves nothing" in problems
    assert any("'a.txt': in the folder but not listed" in p for p in problems)


def test_a_file_that_is_not_listed_fails(tmp_path):
    folder = _folder(tmp_path)
    write_manifests(folder)
    assert verify_manifest(folder) == []
    (folder / "added-later.txt").write_text("x")
    assert verify_manifest(folder) == ["'added-later.txt': in the folder but not listed in MANIFEST.sha256 "
                                       "(added after the manifest was written?)"]


@pytest.mark.parametrize("name", ["/etc/passwd", "../outside.txt", "sub/../../outside.txt", "..", "."])
def test_paths_outside_the_folder_are_refused_not_read(tmp_path, name):
    folder = _folder(tmp_path)
    (tmp_path / "outside.txt").write_text("secret")
    digest = file_digest(tmp_path / "outside.txt")
    (folder / "MANIFEST.sha256").write_text(
        "".join(f"{file_digest(folder / n)}  {n}\n" for n in ("a.txt", "b.txt")) + f"{digest}  {name}\n")
    problems = verify_manifest(folder)
    assert problems == [f"MANIFEST.sha256, line 3: {name!r} is not a plain file name inside the folder "
                        "(no '/', '\\', '..' or absolute path); refused, not read"]


def test_a_symbolic_link_in_the_folder_is_refused_wherever_it_points(tmp_path):
    folder = _folder(tmp_path)
    (tmp_path / "outside.txt").write_text("secret")
    (folder / "link.txt").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(ValueError, match="symbolic link"):
        write_manifests(folder)
    (folder / "MANIFEST.sha256").write_text(
        "".join(f"{file_digest(folder / n)}  {n}\n" for n in ("a.txt", "b.txt", "link.txt")))
    assert verify_manifest(folder) == ["link.txt: is a symbolic link; give the file itself (a link could lead anywhere); "
                                       "only regular files are checked"]


def test_a_manifest_that_is_not_utf8_gives_a_clear_problem(tmp_path):
    folder = _folder(tmp_path)
    write_manifests(folder)
    (folder / "MANIFEST.sha256").write_bytes(b"\xff\xfe not text\n")
    assert verify_manifest(folder) == ["MANIFEST.sha256: not UTF-8 text (byte 0 cannot be read); not a manifest"]


def test_a_fifo_in_the_folder_is_reported_not_opened(tmp_path):
    folder = _folder(tmp_path)
    write_manifests(folder)
    os.mkfifo(folder / "pipe.txt")
    assert verify_manifest(folder) == ["'pipe.txt': in the folder but not listed in MANIFEST.sha256 "
                                       "(added after the manifest was written?)"]
    with pytest.raises(ValueError, match="FIFO"):
        write_manifests(folder)
    with pytest.raises(ValueError, match="FIFO"):
        write_manifests(folder, ["a.txt", "pipe.txt"])


_NAME = st.text(string.ascii_letters + string.digits + "-_.", min_size=1, max_size=12).filter(
    lambda n: n not in (".", "..") and not n.startswith("MANIFEST"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(listed=st.sets(_NAME, min_size=1, max_size=4), extra=_NAME)
def test_any_unlisted_file_fails(tmp_path_factory, listed, extra):
    folder = tmp_path_factory.mktemp("m")
    for name in listed:
        (folder / name).write_text(name)
    write_manifests(folder)
    assert verify_manifest(folder) == [] and verify_manifest(folder, "md5") == []
    if extra in listed:
        (folder / extra).write_text("changed")
        assert verify_manifest(folder) == [f"{extra}: SHA256 differs from the manifest (changed or damaged)"]
    else:
        (folder / extra).write_text("new")
        assert len(verify_manifest(folder)) == 1 and extra in verify_manifest(folder)[0]


# --- the validator -------------------------------------------------------------------------


def _endless_gzip(path: Path, gib: float = 1.5) -> None:
    """A small gzip file (about 1.5 MiB) whose single line inflates to ``gib`` GiB."""
    block = 16 * 2**20
    member = gzip.compress(b"A" * block, compresslevel=9)
    path.write_bytes(member * int(gib * 2**30 / block))


def test_an_endless_first_line_in_a_gzip_vcf_is_a_finding_not_a_memory_error(copy):
    _endless_gzip(copy / "Genotypes.vcf.gz")
    assert (copy / "Genotypes.vcf.gz").stat().st_size < 2 * 2**20
    findings = [f for f in validate(copy) if f.file == "Genotypes.vcf.gz"]
    assert [f.problem[:40] for f in findings] == ["a line is longer than 16,777,216 charact"]


def test_an_endless_line_in_a_text_data_set_is_a_finding(copy):
    with (copy / "SampleAttributes_DS.txt").open("a") as handle:
        handle.write("SA1\t" + "x" * (2**24 + 10) + "\n")
    findings = [f for f in validate(copy) if f.file == "SampleAttributes_DS.txt"]
    assert any("a line is longer than" in f.problem for f in findings)


def test_a_data_set_that_is_a_symbolic_link_is_refused_and_not_read(copy, tmp_path):
    outside = tmp_path / "passwd"
    outside.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (copy / "SubjectConsent_DS.txt").unlink()
    (copy / "SubjectConsent_DS.txt").symlink_to(outside)
    (copy / "Genotypes.vcf.gz").unlink()
    (copy / "Genotypes.vcf.gz").symlink_to(outside)
    findings = validate(copy)
    assert not any("root" in f.problem for f in findings)
    for name in ("SubjectConsent_DS.txt", "Genotypes.vcf.gz"):
        assert any(f.file == name and "symbolic link" in f.problem for f in findings), name


@pytest.mark.parametrize("name", ["Genotypes.vcf.gz", "SubjectConsent_DS.txt", "SubjectPhenotypes_DD.txt", "README.md"])
def test_a_fifo_named_like_a_deposit_file_is_reported_without_blocking(copy, name):
    (copy / name).unlink(missing_ok=True)
    os.mkfifo(copy / name)
    findings = [f for f in validate(copy) if f.file == name]
    assert any("FIFO" in f.problem for f in findings)


@pytest.mark.parametrize("name", ["Genotypes.vcf.gz", "SubjectConsent_DS.txt", "SampleAttributes_DD.txt", "notes.c4gh"])
def test_a_folder_named_like_a_file_is_a_finding_not_a_crash(copy, name):
    (copy / name).unlink(missing_ok=True)
    (copy / name).mkdir()
    findings = [f for f in validate(copy) if f.file == name]
    assert any("is a folder" in f.problem for f in findings)


def test_a_truncated_gzip_stream_is_still_reported(copy):
    data = (copy / "Genotypes.vcf.gz").read_bytes()
    (copy / "Genotypes.vcf.gz").write_bytes(data[: len(data) // 2])
    findings = [f for f in validate(copy) if f.file == "Genotypes.vcf.gz"]
    assert any("truncated or corrupt" in f.problem for f in findings)


@pytest.mark.parametrize("content, message", [(b"", "empty"), (b"A\tB\n", "no VALUES column"), (b"\xff\xfe\n", "not UTF-8")])
def test_read_dictionary_names_the_file_it_cannot_read(tmp_path, content, message):
    from genshare.deposit import read_dictionary

    path = tmp_path / "X_DD.txt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=rf"X_DD\.txt: .*{message}|X_DD\.txt: {message}"):
        read_dictionary(path)
    os.mkfifo(tmp_path / "pipe_DD.txt")
    with pytest.raises(ValueError, match="FIFO"):
        read_dictionary(tmp_path / "pipe_DD.txt")


def test_the_other_manifests_name_must_hold_a_manifest(tmp_path):
    """A folder, or a link, standing at the other manifest's name hid unlisted data from verify_manifest."""
    from genshare.deposit import verify_manifest, write_manifests

    (tmp_path / "data.txt").write_text("x\n", encoding="utf-8")
    write_manifests(tmp_path)
    assert verify_manifest(tmp_path, "sha256") == []
    (tmp_path / "MANIFEST.md5").unlink()
    (tmp_path / "MANIFEST.md5").mkdir()
    (tmp_path / "MANIFEST.md5" / "hidden.bin").write_bytes(b"unlisted")
    assert any("MANIFEST.md5" in problem for problem in verify_manifest(tmp_path, "sha256"))
