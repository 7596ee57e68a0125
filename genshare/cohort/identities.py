"""Synthetic identities: names, dates of birth, addresses and the geography they live in.

Names are drawn independently from short lists of common given names and surnames, so
any resemblance of a full name to a real person is coincidence. Surname frequencies
follow a Zipf-like law, as real surnames do, so common surnames are shared by many
unrelated people. Everyone lives in one synthetic state, "Synthetica" (SY), whose ZIP
codes and populations are invented.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genshare._facts import REFERENCE_DATE

__all__ = [
    "FEMALE_NAMES",
    "MALE_NAMES",
    "REFERENCE_DATE",
    "STATE",
    "SURNAMES",
    "dates_of_birth",
    "draw_first_names",
    "draw_surnames",
    "make_geography",
]

STATE = "SY"

MALE_NAMES = np.array(
    "James John Robert Michael William David Richard Joseph Thomas Charles Daniel Matthew Anthony "
    "Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Jason Edward "
    "Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin "
    "Samuel Gregory Alexander Patrick Frank Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan "
    "Henry Zachary Douglas Peter Kyle Noah Ethan Jeremy Walter Christian Keith Roger Terry Austin "
    "Sean Gerald Carl Harold Dylan Arthur Lawrence Jordan Jesse Bryan Billy Bruce Gabriel Joe Logan "
    "Alan Juan Albert Willie Elijah Wayne Randy Vincent Mason Roy Ralph Bobby Russell Bradley Philip "
    "Eugene Wei Jun Hao Ming Tunde Emeka Femi Kwame Chidi".split()
)
FEMALE_NAMES = np.array(
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty "
    "Sandra Margaret Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie "
    "Dorothy Rebecca Sharon Laura Cynthia Amy Kathleen Angela Shirley Brenda Emma Anna Pamela "
    "Nicole Samantha Katherine Christine Helen Debra Rachel Carolyn Janet Maria Catherine Heather "
    "Diane Olivia Julie Joyce Victoria Ruth Virginia Lauren Kelly Christina Joan Evelyn Judith "
    "Andrea Hannah Megan Cheryl Jacqueline Martha Madison Teresa Gloria Sara Janice Ann Kathryn "
    "Abigail Sophia Frances Jean Alice Judy Isabella Julia Grace Amber Denise Danielle Marilyn "
    "Beverly Charlotte Natalie Theresa Diana Brittany Doris Kayla Alexis Lori Marie Mei Li Xiu "
    "Ying Ngozi Folake Amara Adaeze Yetunde".split()
)
SURNAMES = np.array(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
    "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson "
    "Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman "
    "Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander "
    "Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis "
    "Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald "
    "Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford "
    "Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks "
    "Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice "
    "Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn "
    "Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott "
    "Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry "
    "Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval "
    "Wang Zhang Liu Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo Lin He Gao Luo Adeyemi Okafor "
    "Okonkwo Adebayo Balogun Eze Nwosu Afolabi Ogunleye Bello".split()
)
# Zipf-like surname frequencies (exponent about 0.9), so common surnames are shared widely.
_SURNAME_WEIGHTS = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.9
_SURNAME_WEIGHTS /= _SURNAME_WEIGHTS.sum()

_CITY_NAMES = np.array(
    "Ashford Brookvale Cedar_Falls Dunmore Eastwick Fairhaven Glenrock Harrow Ironwood Juniper "
    "Kingsbridge Lakemont Millbrook Northgate Oakridge Pinecrest Queensfield Riverton Stonebury "
    "Thornbury Upton Valewood Westfield Yarrow Zephyr_Hills Amberly Bellmont Clearwater Dovecote "
    "Elmstead Foxborough Greenhill Hollowell Ivydale Kestrel Larkspur Meadowvale Newhaven Orchard "
    "Pebble_Creek".replace("_", "~").split()
)
_STREET_NAMES = np.array(
    "Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Walnut Spring North Ridge Church "
    "Willow Mill Sunset Railroad Jackson Cherry Highland River Meadow Forest Chestnut Spruce "
    "Valley Lincoln Adams".split()
)
_STREET_TYPES = np.array(["St", "Ave", "Rd", "Ln", "Dr", "Ct", "Way", "Pl"])


def draw_first_names(sex: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One given name per person, from the list for their sex ('F' or 'M')."""
    female = sex == "F"
    names = np.empty(len(sex), dtype=object)
    names[female] = rng.choice(FEMALE_NAMES, size=int(female.sum()))
    names[~female] = rng.choice(MALE_NAMES, size=int((~female).sum()))
    return names


def draw_surnames(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` surnames drawn with Zipf-like frequencies."""
    return rng.choice(SURNAMES, size=n, p=_SURNAME_WEIGHTS).astype(object)


def dates_of_birth(ages: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dates of birth for people of the given (real-valued) ages on :data:`REFERENCE_DATE`."""
    days = np.floor(np.asarray(ages, dtype=float) * 365.25 + rng.uniform(0, 1, size=len(ages))).astype(np.int64)
    return REFERENCE_DATE - days.astype("timedelta64[D]")


def adult_ages(n: int, rng: np.random.Generator, low: float = 18.0, high: float = 95.0) -> np.ndarray:
    """Adult ages with a realistic shape: flat to about 60, thinning out towards 95."""
    ages = low + (high - low) * rng.beta(1.3, 1.9, size=n)
    return ages


def make_geography(
    population_size: int, n_zip3: int, zips_per_zip3: int, rng: np.random.Generator, city_share: float | None = None
) -> pd.DataFrame:
    """ZIP codes of Synthetica with their resident counts.

    ZIP3 areas get very unequal shares of the population (as real ones do), so that some
    exceed and some fall below the 20,000-person threshold that HIPAA Safe Harbor uses for
    three-digit ZIP codes. With ``city_share``, the first area (a metropolitan area) holds
    that share of the population and the others share the rest.

    Returns
    -------
    pandas.DataFrame
        ``zip5``, ``zip3``, ``city``, ``state``, ``population``; populations sum to
        ``population_size``.
    """
    area_share = 0.4 / n_zip3 + 0.6 * rng.dirichlet(np.full(n_zip3, 1.0))
    if city_share is not None and n_zip3 > 1:  # one metropolitan area holds city_share of everyone
        area_share = np.concatenate([[city_share], (1 - city_share) * area_share[1:] / area_share[1:].sum()])
    zip_share = np.concatenate([area_share[i] * rng.dirichlet(np.full(zips_per_zip3, 1.5)) for i in range(n_zip3)])
    counts = rng.multinomial(population_size, zip_share)
    prefixes = np.array([f"{p:03d}" for p in 390 + np.arange(n_zip3) * 3])
    zip3 = np.repeat(prefixes, zips_per_zip3)
    suffixes = np.tile(np.arange(zips_per_zip3) * 7 + 11, n_zip3)
    zip5 = np.array([f"{z}{s:02d}" for z, s in zip(zip3, suffixes, strict=True)])
    cities = (
        rng.choice(_CITY_NAMES, size=n_zip3, replace=False)
        if n_zip3 <= len(_CITY_NAMES)
        else rng.choice(_CITY_NAMES, size=n_zip3)
    )
    return pd.DataFrame(
        {
            "zip5": zip5,
            "zip3": zip3,
            "city": np.char.replace(np.repeat(cities, zips_per_zip3).astype(str), "~", " "),
            "state": STATE,
            "population": counts,
        }
    )


def street_addresses(n: int, rng: np.random.Generator) -> np.ndarray:
    """Invented street addresses such as '1432 Maple Ave'."""
    numbers = rng.integers(1, 9999, size=n).astype(str)
    streets = rng.choice(_STREET_NAMES, size=n)
    kinds = rng.choice(_STREET_TYPES, size=n)
    return np.char.add(np.char.add(np.char.add(numbers, " "), np.char.add(streets, " ")), kinds).astype(object)
