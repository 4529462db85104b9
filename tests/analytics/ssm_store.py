"""A small constructed store for the South–South analytics tests, with answers computable by hand.

Seven countries (real codes, invented numbers), IMS-style years 2015 and 2020, stock by sex only
(totals are derived as male + female, as for the IMS 2020 bilateral file).

Income groups (data years 2015 and 2020; 1987 only to exercise the year mapping):
    KEN LM/LM, UGA L/L, TZA L/LM, IND LM/UM, SAU H/H, GBR H/H, USA H/H
Development group: GBR, USA more developed; the others less developed.
Contiguity: KEN-UGA, KEN-TZA, UGA-TZA.
Communities: EAC = KEN (member, since 2000), TZA (since 2000), UGA (since 2016), GBR (observer);
COMESA = KEN, UGA (1994), TZA withdrawn 1994-2000; GCC = SAU (1981); SAARC = IND (1985).

Stock (male, female), 2020 | 2015:
    KEN->UGA 60,40 | 40,40     UGA->KEN 30,20 | 25,25     TZA->KEN 10,10 | -
    KEN->GBR 50,50 | 30,30     IND->SAU 300,100 | 150,50  IND->GBR 100,100 | 75,75
    GBR->KEN 5,5 | -           USA->GBR 20,20 | 20,20     XXX->KEN 3,2 | -
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from corridors.analytics.facts import build_facts
from corridors.store import create_schema

COUNTRIES = [
    # iso3, m49, name, continent, un_subregion, sdg_region, ims_region, development_group
    ("KEN", 404, "Kenya", "Africa", "Eastern Africa", "Sub-Saharan Africa", "Africa",
     "less developed"),
    ("UGA", 800, "Uganda", "Africa", "Eastern Africa", "Sub-Saharan Africa", "Africa",
     "less developed"),
    ("TZA", 834, "United Republic of Tanzania", "Africa", "Eastern Africa", "Sub-Saharan Africa",
     "Africa", "less developed"),
    ("IND", 356, "India", "Asia", "Southern Asia", "Central and Southern Asia", "Asia",
     "less developed"),
    ("SAU", 682, "Saudi Arabia", "Asia", "Western Asia", "Northern Africa and Western Asia",
     "Asia", "less developed"),
    ("GBR", 826, "United Kingdom", "Europe", "Northern Europe", "Europe and Northern America",
     "Europe", "more developed"),
    ("USA", 840, "United States of America", "Americas", "Northern America",
     "Europe and Northern America", "Northern America", "more developed"),
]

INCOME = {  # iso3: (2015, 2020)
    "KEN": ("LM", "LM"), "UGA": ("L", "L"), "TZA": ("L", "LM"), "IND": ("LM", "UM"),
    "SAU": ("H", "H"), "GBR": ("H", "H"), "USA": ("H", "H"),
}

STOCK = {  # (origin, destination): {year: (male, female)}
    ("KEN", "UGA"): {2020: (60, 40), 2015: (40, 40)},
    ("UGA", "KEN"): {2020: (30, 20), 2015: (25, 25)},
    ("TZA", "KEN"): {2020: (10, 10)},
    ("KEN", "GBR"): {2020: (50, 50), 2015: (30, 30)},
    ("IND", "SAU"): {2020: (300, 100), 2015: (150, 50)},
    ("IND", "GBR"): {2020: (100, 100), 2015: (75, 75)},
    ("GBR", "KEN"): {2020: (5, 5)},
    ("USA", "GBR"): {2020: (20, 20), 2015: (20, 20)},
    ("XXX", "KEN"): {2020: (3, 2)},
}

REC = [
    ("EAC", "East African Community", "KEN", "member", 2000, None),
    ("EAC", "East African Community", "TZA", "member", 2000, None),
    ("EAC", "East African Community", "UGA", "member", 2016, None),
    ("EAC", "East African Community", "GBR", "observer", 2010, None),
    ("COMESA", "Common Market for Eastern and Southern Africa", "KEN", "member", 1994, None),
    ("COMESA", "Common Market for Eastern and Southern Africa", "UGA", "member", 1994, None),
    ("COMESA", "Common Market for Eastern and Southern Africa", "TZA", "withdrawn", 1994, 2000),
    ("GCC", "Cooperation Council for the Arab States of the Gulf", "SAU", "member", 1981, None),
    ("SAARC", "South Asian Association for Regional Cooperation", "IND", "member", 1985, None),
]

POPULATION = {"KEN": 50_000, "UGA": 40_000, "TZA": 60_000, "IND": 1_000_000, "SAU": 30_000,
              "GBR": 65_000, "USA": 330_000}


def build(path: Path) -> Path:
    """Write the constructed store to ``path`` and return it."""
    con = duckdb.connect(str(path))
    create_schema(con)
    for iso3, m49, name, continent, subregion, sdg, ims, development in COUNTRIES:
        con.execute(
            "INSERT INTO countries (iso3, m49, name, short_name, continent, un_subregion, "
            "sdg_region, ims_region, development_group) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [iso3, m49, name, name, continent, subregion, sdg, ims, development],
        )
    for iso3, (g2015, g2020) in INCOME.items():
        for data_year, group in ((1987, g2015), (2015, g2015), (2020, g2020)):
            con.execute("INSERT INTO income_groups VALUES (?, ?, ?, ?, 'test-oghist')",
                        [iso3, data_year, f"FY{(data_year + 2) % 100:02d}", group])
    for a, b in (("KEN", "UGA"), ("KEN", "TZA"), ("UGA", "TZA")):
        con.execute("INSERT INTO contiguity VALUES (?, ?, 'test-borders'), (?, ?, 'test-borders')",
                    [a, b, b, a])
    for code, rec_name, iso3, member_type, since, until in REC:
        con.execute("INSERT INTO rec_membership VALUES (?, ?, ?, ?, ?, ?, 'https://example.org', '')",
                    [code, rec_name, iso3, member_type, since, until])
    for (origin, destination), years in STOCK.items():
        for year, (male, female) in years.items():
            for sex, value in (("male", male), ("female", female)):
                con.execute("INSERT INTO migrant_stock VALUES ('ims2020', ?, ?, ?, ?, ?, 'test-ims')",
                            [origin, destination, year, sex, value])
    for iso3, value in POPULATION.items():
        for year in (2015, 2020):
            con.execute("INSERT INTO population VALUES ('ims2020', ?, NULL, ?, 'total', ?, 'test-ims')",
                        [iso3, year, value])
    con.execute(
        "INSERT INTO provenance VALUES ('test-ims', 'UN DESA Population Division', "
        "'Constructed test stock', 'ims2020', 'CC BY 3.0 IGO', 'https://example.org/ims', "
        "'constructed', 'ims.csv', 'abc123', NULL, 18), "
        "('test-oghist', 'World Bank', 'Constructed income groups', 'FY22', 'CC BY 4.0', NULL, "
        "'constructed', 'OGHIST.xlsx', 'def456', NULL, 21)"
    )
    build_facts(con)  # the derived tables, as the build writes them
    con.close()
    return path
