"""Known-answer and bad-input tests for genshare.deidentify."""

from __future__ import annotations

import importlib
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genshare import deidentify as D
from genshare.deidentify.anonymity import suppression_hierarchy

SH = importlib.import_module("genshare.deidentify.safe_harbor")  # the module, not the function of that name


# --- Safe Harbor ------------------------------------------------------------------------------


@pytest.fixture
def awkward():
    """A table full of identifiers in awkward formats."""
    return pd.DataFrame(
        {
            "Patient Name": ["Ann  Lee", "O'Brien, Bo", "ZHANG Wei"],
            "SSN": ["123-45-6789", "123 45 6789", "123456789"],
            "Home-Address": ["12 Oak St, Apt 4", "PO Box 9", "1 Main"],
            "City": ["Ashford", "Upton", "Kestrel"],
            "ZIP Code": ["39011-1234", " 40511", "39399"],
            "DOB": ["1930-02-29", "03/04/1985", "2001-12-31"],
            "Admission Date": ["2025-01-02", "2024-12-31", "2023-06-30"],
            "Age": [95, 40, 24],
            "Phone Number": ["(555) 010-1234", "+1 555.010.9999", "555 010 0000"],
            "Fax": ["555-010-1111", "", None],
            "E-mail": ["ann@example.org", "bo (at) example.org", "WEI@EXAMPLE.ORG"],
            "MRN": ["MRN-1", "MRN-2", "MRN-3"],
            "Health Plan ID": ["HP1", "HP2", "HP3"],
            "Account No": ["A1", "A2", "A3"],
            "License Number": ["L1", "L2", "L3"],
            "Vehicle Plate": ["SY-1", "SY-2", "SY-3"],
            "Device Serial": ["D1", "D2", "D3"],
            "Website URL": ["https://ann.example.org", "www.bo.example", "n/a"],
            "IP Address": ["10.0.0.1", "192.168.1.20", "::1"],
            "Fingerprint": ["f1", "f2", "f3"],
            "Photo": ["a.jpg", "b.jpg", "c.jpg"],
            "notes": [
                "seen 2024-03-05, mail ann@example.org",
                "call 555-010-2222 or visit http://x.example/bo ip 10.1.2.3",
                "SSN 987-65-4321; MRN: 77123",
            ],
            "diagnosis": ["asthma", "none", "HIV infection"],
        }
    )


POPULATIONS = {"390": 25_000, "405": 18_000, "393": 30_000}


def test_safe_harbor_removes_every_identifier_column_and_pattern(awkward):
    released, report = D.safe_harbor(awkward, POPULATIONS)
    assert list(released.columns) == ["zip3", "DOB_year", "Admission Date_year", "Age", "notes", "diagnosis"]
    text = released.astype(str).to_string()
    for pattern in [
        r"\d{3}-\d{2}-\d{4}",  # SSN
        r"@|\(at\)",  # e-mail
        r"https?://|www\.",  # URL
        r"\b\d{1,3}(\.\d{1,3}){3}\b",  # IP address
        r"\d{3}[-. ]\d{4}",  # phone
        r"\d{4}-\d{2}-\d{2}",  # full date
        r"MRN",  # record number
        r"Ann|Lee|Brien|Wei|Oak|Ashford",  # names and places
    ]:
        assert not re.search(pattern, text), pattern
    assert released["diagnosis"].tolist() == ["asthma", "none", "HIV infection"]  # not identifying: kept
    assert set(report["identifier"]) >= set("ABCDEFGHIJKLMNOPQ")


def test_safe_harbor_zip_dates_and_ages(awkward):
    released, _ = D.safe_harbor(awkward, POPULATIONS)
    assert released["zip3"].tolist() == ["390", "000", "393"]  # 405 has 20,000 people or fewer
    assert released["Age"].tolist() == ["90+", "40", "24"]
    assert released["DOB_year"].isna().tolist() == [True, False, False]  # year hidden when older than 89
    assert released["DOB_year"].iloc[1:].tolist() == [1985, 2001]
    assert released["Admission Date_year"].tolist() == [2025, 2024, 2023]


def test_safe_harbor_keeps_what_it_is_told_and_rejects_bad_input(awkward):
    table = awkward.assign(study_id=["S1", "S2", "S3"])
    released, report = D.safe_harbor(table, POPULATIONS, keep=("study_id",))
    assert released["study_id"].tolist() == ["S1", "S2", "S3"]
    assert "study_id" not in set(report["column"])
    with pytest.raises(ValueError, match="keep names column"):
        D.safe_harbor(table, POPULATIONS, keep=("nope",))
    with pytest.raises(ValueError, match="DataFrame"):
        D.safe_harbor([["Ann"]], POPULATIONS)


def test_safe_harbor_without_age_column_uses_birth_year():
    t = pd.DataFrame({"date_of_birth": ["1920-05-01", "1990-05-01"], "x": [1, 2]})
    released, _ = D.safe_harbor(t, {}, reference_year=2026)
    assert released["date_of_birth_year"].isna().tolist() == [True, False]


# --- Safe Harbor: hostile input, case by case ----------------------------------------------------

BIG = {"021": 50_000, "390": 30_000, "393": 30_000}


@pytest.mark.parametrize(
    "age, released_age",
    [("90+", "90+"), ("95 years", "90+"), ("95 yrs", "90+"), ("95 years old", "90+"), (" 95 ", "90+"), (95.0, "90+"),
     (89.5, "90+"), (np.int64(101), "90+"), ("89", "89"), (40.5, "40.5"), (40, "40"), ("85+", "85+")],
)
def test_ages_in_every_format_pool_the_over_89_and_hide_their_birth_year(age, released_age):
    t = pd.DataFrame({"age": [age, 30], "date_of_birth": ["1930-05-01", "1996-05-01"]})
    released, report = D.safe_harbor(t, {}, reference_year=2026)
    assert released["age"].tolist() == [released_age, "30"]
    # Everyone here born in 1930 is over 89 by the birth year, whatever the age column says.
    assert released["date_of_birth_year"].isna().tolist() == [True, False]


@pytest.mark.parametrize("age", ["", None, np.nan, pd.NA, "   "])
def test_an_empty_age_falls_back_on_the_birth_date(age):
    t = pd.DataFrame({"age": [age, age], "DOB": ["1920-01-01", "1990-01-01"]})
    released, _ = D.safe_harbor(t, {}, reference_year=2026)
    assert released["DOB_year"].isna().tolist() == [True, False]
    assert released["age"].isna().all()


@pytest.mark.parametrize("age", ["ninety", "old", True, -3, float("inf"), "90-95"])
def test_an_unreadable_age_is_removed_and_reported_and_hides_the_birth_year(age):
    t = pd.DataFrame({"Age": [age], "BirthDate": ["1990-01-01"]})
    released, report = D.safe_harbor(t, {}, reference_year=2026)
    assert released["Age"].isna().all() and released["BirthDate_year"].isna().all()  # fail closed
    assert report["action"].str.contains("could not be read").any()


def test_age_without_a_birth_date_and_fractional_ages_do_not_crash():
    released, _ = D.safe_harbor(pd.DataFrame({"AgeAtAdmission": [95.5, 30.25, 12]}), {})
    assert released["AgeAtAdmission"].tolist() == ["90+", "30.25", "12"]


@pytest.mark.parametrize(
    "name, letter",
    [("StreetAddress", "B"), ("Address1", "B"), ("HomeAddress", "B"), ("home address", "B"), ("ADDRESS_LINE_2", "B"),
     ("PlaceOfBirth", "B"), ("PhoneNumber", "D"), ("CellPhone", "D"), ("phone2", "D"), ("MobileNo", "D"),
     ("FaxNumber", "E"), ("EmailAddress", "F"), ("e-mail", "F"), ("SSN", "G"), ("SocialSecurityNumber", "G"),
     ("MRN", "H"), ("MedicalRecordNumber", "H"), ("PatientID", "H"), ("HealthPlanID", "I"), ("AccountNo", "J"),
     ("UserName", "J"), ("DriversLicenseNumber", "K"), ("LicensePlate", "L"), ("VIN", "L"), ("DeviceSerial", "M"),
     ("WebsiteURL", "N"), ("IPAddress", "O"), ("ipv6", "O"), ("Fingerprint", "P"), ("FacePhoto", "Q"),
     ("FirstName", "A"), ("lastName", "A"), ("Patient Name", "A"), ("Surname", "A")],
)
def test_identifier_columns_are_found_under_any_naming_style(name, letter):
    released, report = D.safe_harbor(pd.DataFrame({name: ["x1", "x2"], "dx": ["a", "b"]}), {})
    assert list(released.columns) == ["dx"]
    assert report.loc[report["column"] == name, "identifier"].tolist() == [letter]


def test_column_words_split_every_style():
    words = SH.column_words
    assert words("AgeAtAdmission") == ["age", "at", "admission"]
    assert words("ZIPCode") == ["zip", "code"] and words("zip_code") == ["zip", "code"] and words("Zip Code 5") == ["zip", "code", "5"]
    assert words("dateOfBirth") == ["date", "of", "birth"] and words("Address1") == ["address", "1"]
    assert words("TumorStage") == ["tumor", "stage"]  # no "age" hidden inside a word


def test_words_inside_other_words_are_not_identifiers():
    t = pd.DataFrame({"TumorStage": ["II", "III"], "Hotel": ["a", "a"], "PlateletCount": [200.5, 300.5], "Interface": ["x", "x"]})
    released, report = D.safe_harbor(t, {})
    assert list(released.columns) == list(t.columns) and report.empty


@pytest.mark.parametrize(
    "zip_value, zip3",
    [(2138, "021"), (2138.0, "021"), ("2138", "021"), ("02138", "021"), ("02138-1234", "021"), ("021381234", "021"),
     (21381234, "021"), (np.int64(2138), "021"), (39011, "390"), ("39011 1234", "390"), ("  39011", "390"),
     (501, "000"), ("abcde", "000"), ("1234567", "000"), (-2138, "000"), (True, "000")],
)
def test_zip_codes_stored_as_numbers_keep_their_leading_zeros(zip_value, zip3):
    released, report = D.safe_harbor(pd.DataFrame({"ZipCode": [zip_value]}), BIG)
    assert released["zip3"].tolist() == [zip3]


def test_zip3_population_keys_may_be_numbers_and_bad_ones_are_refused():
    released, _ = D.safe_harbor(pd.DataFrame({"zip": ["02138"]}), {21: 50_000})
    assert released["zip3"].tolist() == ["021"]
    for bad, message in [({"2138x": 1}, "not a three-digit ZIP area"), ({"021": -1}, "non-negative whole number"),
                         ({"021": float("nan")}, "non-negative whole number"), (["021"], "must map")]:
        with pytest.raises(ValueError, match=message):
            D.safe_harbor(pd.DataFrame({"zip": ["02138"]}), bad)


def test_two_zip_columns_and_a_missing_zip():
    t = pd.DataFrame({"zip": ["02138", None], "work_zip": [39011, 39311]})
    released, report = D.safe_harbor(t, BIG)
    assert list(released.columns) == ["zip3", "zip3_2"]
    assert released["zip3"].iloc[0] == "021" and pd.isna(released["zip3"].iloc[1])
    assert released["zip3_2"].tolist() == ["390", "393"]


def test_an_empty_table_with_identifier_columns():
    t = pd.DataFrame({"zip": pd.Series([], dtype=object), "Age": [], "DOB": [], "Name": [], "notes": []})
    released, report = D.safe_harbor(t, BIG)
    assert list(released.columns) == ["zip3", "Age", "DOB_year", "notes"] and len(released) == 0


@pytest.mark.parametrize(
    "value, year",
    [("1950-03-03", 1950), ("03/04/1985", 1985), ("March 3, 2021", 2021), ("3 Mar 1950", 1950), ("19500303", 1950),
     (19500303, 1950), ("2021-03-03T10:15:00Z", 2021), ("2021-03-03 10:15", 2021), (1950, 1950),
     (pd.Timestamp("1977-07-07"), 1977), ("soon", None), ("03/04", None), ("1950-02-30", None), (3.5, None)],
)
def test_dates_in_any_format_keep_only_the_year(value, year):
    released, report = D.safe_harbor(pd.DataFrame({"VisitDate": [value]}), {})
    got = released["VisitDate_year"].iloc[0]
    assert (pd.isna(got) and year is None) or got == year
    if year is None:
        assert report["action"].str.contains("could not be read as dates").any()


def test_dates_under_a_name_that_does_not_say_so_keep_only_the_year():
    released, report = D.safe_harbor(pd.DataFrame({"seen": pd.to_datetime(["2021-03-03", "2022-04-04"])}), {})
    assert released["seen_year"].tolist() == [2021, 2022]


@pytest.mark.parametrize(
    "text, secret",
    [
        ("call +44 20 7946 0958 today", "7946"),
        ("call +33 1 23 45 67 89", "45 67"),
        ("call 0049 30 1234567", "1234567"),
        ("call (555) 010-2233", "010-2233"),
        ("call 555.010.2233", "010.2233"),
        ("local 010-2233", "010-2233"),
        ("seen March 3, 2021", "March 3"),
        ("born 3 Mar 1950", "Mar"),
        ("born 3rd of March 1950", "March"),
        ("born on 19500303", "19500303"),
        ("born on 03031950", "03031950"),
        ("at 2021-03-03T10:15:00Z", "10:15"),
        ("at 2021-03-03T10:15:00+01:00", "03T"),
        ("on 03/04/85", "03/04"),
        ("from 2001:db8::ff00:42:8329", "db8"),
        ("from fe80::1", "fe80"),
        ("from 2001:0db8:85a3:0000:0000:8a2e:0370:7334", "8a2e"),
        ("from ::ffff:192.0.2.128", "192.0.2"),
        ("from 10.0.0.1", "10.0.0"),
        ("mail ann@example.org", "example.org"),
        ("mail ann (at) example (dot) org", "example"),
        ("see https://x.example/ann", "x.example"),
        ("see www.ann.example", "ann.example"),
        ("SSN 123-45-6789", "6789"),
        ("SSN 123.45.6789", "6789"),
        ("MRN: 77123", "77123"),
        ("lives in 02138", "02138"),
        ("a 93-year-old", "93"),
        ("aged 97", "97"),
    ],
)
def test_free_text_patterns_are_redacted(text, secret):
    released, report = D.safe_harbor(pd.DataFrame({"notes": [text]}), {})
    assert secret not in released["notes"].iloc[0], released["notes"].iloc[0]
    assert "[REDACTED]" in released["notes"].iloc[0]
    assert D.needs_review(report)["column"].tolist() == ["notes"]  # scanned text is never vouched for


def test_what_cannot_be_decided_is_reported_not_passed():
    t = pd.DataFrame(
        {
            "comments": ["fine", "fine"],  # named as free text
            "story": ["Dr Smith saw him at home", "no issue"],  # prose
            "code": ["K-100", "K-207"],  # distinct codes: rule R?
            "badge": [1001, 1002],  # distinct numbers
            0: ["a", "b"],  # a name that says nothing
            "sex": ["F", "F"],
            "bmi": [21.5, 23.25],
            "comorbidity": ["chronic kidney disease"] * 2,  # a label shared by records is not prose
            "blob": [b"555-010-2233", {"phone": "555-010-2233"}],  # cannot be scanned
        }
    )
    released, report = D.safe_harbor(t, {})
    assert list(released.columns) == list(t.columns)  # nothing was removed...
    review = D.needs_review(report)
    assert set(review["column"]) == {"comments", "story", "code", "badge", "0", "blob"}  # ...but all this is reported
    assert set(report["status"]) == {"needs review"} and list(report.columns) == SH.REPORT_COLUMNS
    kept, report = D.safe_harbor(t, {}, keep=["code", "badge", 0, "comments", "story", "blob"])
    assert report.empty


def test_safe_harbor_bad_arguments():
    t = pd.DataFrame({"zip": ["02138"], "x": [1]})
    with pytest.raises(ValueError, match="repeated column"):
        D.safe_harbor(pd.DataFrame([[1, 2]], columns=["a", "a"]), {})
    with pytest.raises(ValueError, match="keep names column"):
        D.safe_harbor(t, {}, keep="zap")
    released, _ = D.safe_harbor(t, {}, keep="zip")  # a string is one column
    assert released["zip"].tolist() == ["02138"]
    with pytest.raises(ValueError, match="keep must be"):
        D.safe_harbor(t, {}, keep=3)
    for year in [2026.5, "2026", None]:
        with pytest.raises(ValueError, match="reference_year"):
            D.safe_harbor(t, {}, reference_year=year)


def test_a_duplicated_index_is_handled():
    t = pd.DataFrame({"notes": ["call 555-010-2233", "ok"], "age": [95, 3]}, index=[7, 7])
    released, _ = D.safe_harbor(t, {})
    assert released["notes"].tolist() == ["call [REDACTED]", "ok"] and released["age"].tolist() == ["90+", "3"]


def test_identifier_types_are_the_eighteen_of_the_rule():
    assert list(D.IDENTIFIER_TYPES) == list("ABCDEFGHIJKLMNOPQR")


# --- k-anonymity and l-diversity --------------------------------------------------------------


def test_k_anonymity_known_answer():
    t = pd.DataFrame({"zip": list("111222333"), "sex": ["F"] * 9})
    assert D.k_anonymity(t, ["zip", "sex"]) == 3
    assert D.k_anonymity(t.iloc[:7], ["zip", "sex"]) == 1
    assert D.k_anonymity(t.iloc[:0], ["zip"]) == 0


def test_l_diversity_detects_homogeneous_class():
    t = pd.DataFrame({"zip": list("111222"), "dx": ["a", "b", "c", "d", "d", "d"]})
    assert D.k_anonymity(t, ["zip"]) == 3
    assert D.l_diversity(t, ["zip"], "dx") == 1  # 3-anonymous, yet ZIP 2 reveals the diagnosis
    with pytest.raises(ValueError, match="cannot also be a quasi-identifier"):
        D.l_diversity(t, ["zip", "dx"], "dx")
    with pytest.raises(ValueError, match="no column"):
        D.l_diversity(t, ["zip"], "nope")


@pytest.mark.parametrize("function", [D.k_anonymity])
def test_anonymity_bad_input(function):
    t = pd.DataFrame({"zip": ["1"]})
    with pytest.raises(ValueError, match="empty"):
        function(t, [])
    with pytest.raises(ValueError, match="no column"):
        function(t, ["age"])


def test_a_string_names_one_column():
    t = pd.DataFrame({"zip": list("112"), "z": list("aaa"), "i": list("aaa"), "p": list("aaa"), "dx": list("abc")})
    assert D.k_anonymity(t, "zip") == 1 == D.k_anonymity(t, ["zip"])  # the column zip, not z, i and p
    assert D.k_anonymity(t, ("z", "i", "p")) == 3
    assert D.l_diversity(t, "zip", "dx") == 1
    with pytest.raises(ValueError, match="more than once"):  # one vocabulary: a repeat is refused, not guessed
        D.k_anonymity(t, ["zip", "zip"])


@pytest.mark.parametrize(
    "columns, message",
    [("nope", "no column.*'nope'"), (["zip", "age", "sex"], "no column.*'age', 'sex'"), (["zip", ["z"]], "must list column names"),
     (3, "must be a column name or a list"), (None, "must be a column name or a list"), ([], "empty"), ("", "no column")],
)
def test_quasi_identifier_errors_name_the_columns(columns, message):
    t = pd.DataFrame({"zip": list("112"), "dx": list("abc")})
    with pytest.raises(ValueError, match=message):
        D.k_anonymity(t, columns)
    with pytest.raises(ValueError, match=message):
        D.l_diversity(t, columns, "dx")


def test_l_diversity_does_not_count_a_missing_value_as_a_value():
    t = pd.DataFrame({"zip": list("1122"), "hiv": ["yes", None, "no", "yes"]})
    assert D.l_diversity(t, "zip", "hiv") == 1  # ZIP 1: "yes" and a missing value reveal "yes"
    assert D.l_diversity(t.assign(hiv=["yes", np.nan, "no", "yes"]), "zip", "hiv") == 1
    assert D.l_diversity(t.assign(hiv=[None, None, "no", "yes"]), "zip", "hiv") == 0  # nothing known in ZIP 1
    assert D.l_diversity(t.assign(hiv=["yes", "no", "no", "yes"]), "zip", "hiv") == 2
    assert D.l_diversity(t.iloc[:0], "zip", "hiv") == 0
    with pytest.raises(ValueError, match="sensitive must be the name of one column"):
        D.l_diversity(t, "zip", ["hiv"])
    with pytest.raises(ValueError, match="repeated column"):
        D.k_anonymity(pd.DataFrame([[1, 2]], columns=["a", "a"]), "a")


def random_table(rng: np.random.Generator, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zip5": rng.choice(["39011", "39012", "39018", "39025", "40511", "40522"], size=n),
            "dob": pd.to_datetime("1950-01-01") + pd.to_timedelta(rng.integers(0, 365 * 50, size=n), unit="D"),
            "sex": rng.choice(["F", "M"], size=n),
            "dx": rng.choice(["a", "b"], size=n),
        }
    )


HIERARCHIES = {"zip5": D.zip_hierarchy(), "dob": D.date_hierarchy(), "sex": D.anonymity.suppression_hierarchy()}


@pytest.mark.parametrize("k", [1, 2, 3, 5, 10, 25])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_generalize_never_returns_k_below_the_request(k, seed):
    rng = np.random.default_rng(seed)
    table = random_table(rng, int(rng.integers(30, 300)))
    for max_suppression in (0.0, 0.05, 0.3):
        released, summary = D.generalize(table, HIERARCHIES, k=k, max_suppression=max_suppression)
        assert D.k_anonymity(released, list(HIERARCHIES)) >= k
        assert summary["suppressed"] <= max_suppression * len(table)
        assert len(released) + summary["suppressed"] == len(table)
        assert (released["dx"].to_numpy() == table.loc[released.index, "dx"].to_numpy()).all()  # other columns intact


def test_generalize_k1_changes_nothing_and_more_suppression_means_less_loss():
    table = random_table(np.random.default_rng(3), 200)
    released, summary = D.generalize(table, HIERARCHIES, k=1)
    assert summary["precision_loss"] == 0 and summary["suppressed"] == 0
    _, strict = D.generalize(table, HIERARCHIES, k=5, max_suppression=0.0)
    _, lenient = D.generalize(table, HIERARCHIES, k=5, max_suppression=0.2)
    assert lenient["precision_loss"] <= strict["precision_loss"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"k": 0}, "k must be an integer of at least 1"),
        ({"k": 2.5}, "k must be an integer"),
        ({"k": 1000}, "larger than the table"),
        ({"k": 2, "max_suppression": 1.5}, "max_suppression"),
    ],
)
def test_generalize_bad_input(kwargs, message):
    table = random_table(np.random.default_rng(4), 50)
    with pytest.raises(ValueError, match=message):
        D.generalize(table, HIERARCHIES, **kwargs)
    with pytest.raises(ValueError, match="no column"):
        D.generalize(table, {"age": D.zip_hierarchy()}, k=2)
    with pytest.raises(ValueError, match="list of functions"):
        D.generalize(table, {"zip5": ["not a function"]}, k=2)


# --- differential privacy ---------------------------------------------------------------------


def test_laplace_scale_and_bad_parameters():
    assert D.laplace_scale(500, 100, 2.0) == pytest.approx(0.1)
    for kwargs, message in [
        ({"n_people": 0, "n_snps": 1, "epsilon": 1.0}, "n_people"),
        ({"n_people": 10, "n_snps": 0, "epsilon": 1.0}, "n_snps"),
        ({"n_people": 10, "n_snps": 1, "epsilon": 0.0}, "epsilon must be a positive number"),
        ({"n_people": 10, "n_snps": 1, "epsilon": -1.0}, "epsilon must be a positive number"),
        ({"n_people": 10, "n_snps": 1, "epsilon": float("inf")}, "epsilon"),
    ]:
        with pytest.raises(ValueError, match=message):
            D.laplace_scale(**kwargs)


def test_dp_noise_has_the_stated_laplace_scale():
    """Noise = released - exact should be Laplace(0, m / (n epsilon)): mean 0, mean |x| = b, variance 2 b^2."""
    rng = np.random.default_rng(0)
    g = rng.integers(0, 3, size=(200, 20_000)).astype(np.int8)
    exact = g.sum(axis=0) / 400
    epsilon = 50.0
    b = D.laplace_scale(200, 20_000, epsilon)  # 2.0
    noise = D.dp_allele_frequencies(g, epsilon, seed=1, clip=False) - exact
    assert abs(noise.mean()) < 4 * np.sqrt(2) * b / np.sqrt(noise.size)
    assert np.abs(noise).mean() == pytest.approx(b, rel=0.03)
    assert noise.var() == pytest.approx(2 * b**2, rel=0.05)
    # Laplace, not normal: the kurtosis is 6 in excess.
    assert ((noise - noise.mean()) ** 4).mean() / noise.var() ** 2 - 3 == pytest.approx(3, abs=0.6)


def test_dp_is_reproducible_clipped_and_checks_input():
    g = np.array([[0, 2, -1], [1, 2, 0]], dtype=np.int8)
    a = D.dp_allele_frequencies(g, 1.0, seed=3)
    assert np.array_equal(a, D.dp_allele_frequencies(g, 1.0, seed=3))
    assert ((a >= 0) & (a <= 1)).all()
    with pytest.raises(ValueError, match="epsilon"):
        D.dp_allele_frequencies(g, 0.0, seed=1)
    with pytest.raises(ValueError, match="only 0, 1, 2 or -1"):
        D.dp_allele_frequencies(np.array([[3]]), 1.0)
    with pytest.raises(ValueError, match="2-D"):
        D.dp_allele_frequencies(np.array([0, 1]), 1.0)


@pytest.mark.parametrize("epsilon", [[1.0], "1", "1.0", None, True, np.array([1.0, 2.0]), float("nan"), -1, 0, complex(1, 0)])
def test_dp_epsilon_must_be_one_positive_number(epsilon):
    g = np.array([[0, 2], [1, 1]], dtype=np.int8)
    with pytest.raises(ValueError, match="epsilon must be a positive number"):
        D.dp_allele_frequencies(g, epsilon, seed=1)
    with pytest.raises(ValueError, match="epsilon must be a positive number"):
        D.laplace_scale(2, 2, epsilon)


def test_dp_other_parameters_are_checked_and_lists_are_accepted():
    g = [[0, 2], [1, 1]]
    assert D.dp_allele_frequencies(g, 1e9, seed=0).round(3).tolist() == [0.25, 0.75]
    assert np.array_equal(D.dp_allele_frequencies(g, 1.0, seed=np.random.default_rng(5)), D.dp_allele_frequencies(g, 1.0, seed=np.random.default_rng(5)))
    for kwargs, message in [({"seed": "a"}, "seed"), ({"seed": 1.5}, "seed"), ({"seed": -1}, "seed"), ({"seed": True}, "seed"),
                            ({"clip": "yes"}, "clip")]:
        with pytest.raises(ValueError, match=message):
            D.dp_allele_frequencies(g, 1.0, **kwargs)
    for kwargs in [{"n_people": True, "n_snps": 1, "epsilon": 1.0}, {"n_people": 2, "n_snps": 2.0, "epsilon": 1.0}]:
        with pytest.raises(ValueError, match="must be an integer|must be at least 1"):
            D.laplace_scale(**kwargs)


# --- generalize on counts: the same search on distinct combinations --------------------------



@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["39011", "39012", "39021", "40011"]), st.sampled_from(["F", "M"]),
                          st.integers(min_value=1, max_value=4)), min_size=1, max_size=8, unique_by=lambda r: r[:2]),
       st.integers(min_value=1, max_value=5), st.sampled_from([0.0, 0.1, 0.3]))
def test_generalize_on_counts_equals_generalize_on_the_records(rows, k, max_suppression):
    hierarchies = {"zip5": D.zip_hierarchy(), "sex": suppression_hierarchy()}
    combinations = pd.DataFrame(rows, columns=["zip5", "sex", "count"])
    records = combinations.loc[combinations.index.repeat(combinations["count"])].drop(columns="count").reset_index(drop=True)
    if len(records) < k:
        with pytest.raises(ValueError, match="larger than the table"):
            D.generalize(combinations, hierarchies, k, max_suppression, counts="count")
        return
    _, by_record = D.generalize(records, hierarchies, k, max_suppression)
    released, by_count = D.generalize(combinations, hierarchies, k, max_suppression, counts="count")
    assert by_record.to_dict() == by_count.to_dict()
    assert int(released["count"].sum()) == len(records) - int(by_count["suppressed"])


@pytest.mark.parametrize("counts, needle", [("n", "does not have"), ("sex", "cannot also be a quasi-identifier")])
def test_generalize_counts_column_must_exist_and_be_apart(counts, needle):
    table = pd.DataFrame({"zip5": ["39011"], "sex": ["F"], "count": [2]})
    with pytest.raises(ValueError, match=needle):
        D.generalize(table, {"zip5": D.zip_hierarchy(), "sex": suppression_hierarchy()}, 1, counts=counts)


@pytest.mark.parametrize("bad", [-1, 1.5, np.nan, "two"])
def test_generalize_counts_must_be_whole_numbers(bad):
    table = pd.DataFrame({"zip5": ["39011", "39012"], "count": [2, bad]}, index=["a", "b"])
    with pytest.raises(ValueError, match=r"column 'count', row 'b': a count must be a whole number"):
        D.generalize(table, {"zip5": D.zip_hierarchy()}, 1, counts="count")
