"""Known-answer and bad-input tests for genshare.deidentify."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from genshare import deidentify as D


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
