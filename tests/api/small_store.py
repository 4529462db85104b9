"""A small store we construct row by row, in the store's own schema, with figures we can add up
by hand (used by the API tests for edge cases: read-only, swapped files, hand-computed shares)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from corridors.analytics.facts import build_facts
from corridors.store import create_schema

#: Our own constructed figures (persons): origin, destination, year, male, female.
SMALL_STOCK = [
    ("UGA", "KEN", 2015, 100, 150), ("UGA", "KEN", 2020, 120, 180),
    ("SOM", "KEN", 2015, 900, 1000), ("SOM", "KEN", 2020, 1100, 1300),
    ("KEN", "GBR", 2015, 300, 200), ("KEN", "GBR", 2020, 330, 270),
    ("GBR", "KEN", 2015, 40, 10), ("GBR", "KEN", 2020, 50, 20),
    ("XXX", "KEN", 2020, 5, 5),
]
SMALL_INCOME = {"KEN": "LM", "UGA": "L", "SOM": "L", "GBR": "H"}


def make_small_store(path: Path) -> Path:
    """A store with four countries, two years and one source, written with create_schema."""
    con = duckdb.connect(str(path))
    create_schema(con)
    con.execute(
        "INSERT INTO provenance VALUES ('test-ims', 'UN DESA Population Division', "
        "'Constructed test stock', 'ims2020', 'CC BY 3.0 IGO', 'https://example.org', NULL, "
        "'test.csv', 'ab12', NULL, 18)")
    con.execute(
        "INSERT INTO provenance VALUES ('test-income', 'World Bank', 'Constructed income groups',"
        " 'FY26', 'CC BY 4.0', NULL, NULL, 'oghist.csv', 'cd34', NULL, 8)")
    places = {
        "KEN": (404, "Kenya", "Africa", "Eastern Africa", "Sub-Saharan Africa", "less developed"),
        "UGA": (800, "Uganda", "Africa", "Eastern Africa", "Sub-Saharan Africa", "less developed"),
        "SOM": (706, "Somalia", "Africa", "Eastern Africa", "Sub-Saharan Africa",
                "less developed"),
        "GBR": (826, "United Kingdom", "Europe", "Northern Europe", "Europe and Northern America",
                "more developed"),
    }
    for iso3, (m49, name, continent, sub, sdg, dev) in places.items():
        con.execute(
            "INSERT INTO countries (iso3, m49, name, short_name, continent, un_subregion, "
            "sdg_region, development_group) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [iso3, m49, name, name, continent, sub, sdg, dev])
    for iso3, group in SMALL_INCOME.items():
        for year in range(1987, 2025):
            con.execute("INSERT INTO income_groups VALUES (?, ?, ?, ?, 'test-income')",
                        [iso3, year, f"FY{(year + 2) % 100:02d}", group])
    con.execute("INSERT INTO contiguity VALUES ('KEN', 'UGA', 'test-borders'), "
                "('UGA', 'KEN', 'test-borders'), ('KEN', 'SOM', 'test-borders'), "
                "('SOM', 'KEN', 'test-borders')")
    for origin, destination, year, male, female in SMALL_STOCK:
        for sex, value in (("male", male), ("female", female), ("total", male + female)):
            con.execute("INSERT INTO migrant_stock VALUES ('ims2020', ?, ?, ?, ?, ?, 'test-ims')",
                        [origin, destination, year, sex, float(value)])
    build_facts(con)  # the derived tables, as the build writes them
    con.close()
    return path
