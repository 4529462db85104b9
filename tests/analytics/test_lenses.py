"""Lenses on a constructed store: year mapping, roles per year, unclassified countries, custom YAML
lenses, and the four-category summary with hand-computed answers (see ssm_store.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
import ssm_store

from corridors import settings as settings_module
from corridors.analytics import lenses as L
from corridors.analytics.facts import build_facts
from corridors.analytics.regions import category_summary
from corridors.errors import InputError
from corridors.store import connect


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ssm_store.build(tmp_path_factory.mktemp("ssm") / "corridors.duckdb")


@pytest.fixture
def con(store_path: Path):
    con = connect(store_path)
    yield con
    con.close()


def test_classification_year_maps_ims_years_to_world_bank_data_years():
    data_years = list(range(1987, 2025))
    assert L.classification_year(2020, data_years) == 2020
    assert L.fiscal_year_label(L.classification_year(2020, data_years)) == "FY22"
    assert L.fiscal_year_label(L.classification_year(1990, data_years)) == "FY92"
    assert L.classification_year(1985, data_years) == 1987
    assert L.classification_year(2030, data_years) == 2024
    assert L.classification_year(2012, [1987, 2010, 2015]) == 2010


def test_year_mapping_from_the_store(con):
    mapping = L.year_mapping(con, [1980, 2015, 2019, 2020])
    assert mapping.to_dicts() == [
        {"year": 1980, "data_year": 1987, "fiscal_year": "FY89"},
        {"year": 2015, "data_year": 2015, "fiscal_year": "FY17"},
        {"year": 2019, "data_year": 2015, "fiscal_year": "FY17"},
        {"year": 2020, "data_year": 2020, "fiscal_year": "FY22"},
    ]


def _role(roles: pl.DataFrame, lens: str, iso3: str, year: int) -> tuple:
    row = roles.filter((pl.col("lens") == lens) & (pl.col("iso3") == iso3)
                       & (pl.col("year") == year)).row(0, named=True)
    return row["south_origin"], row["south_destination"]


def test_roles_follow_the_income_group_of_each_year(con):
    roles = L.lens_roles(con, list(L.BUILTIN.values()), [2015, 2020])
    # India: LM in 2015, UM in 2020 (constructed)
    assert _role(roles, "wb-lmic", "IND", 2015) == (True, True)
    assert _role(roles, "wb-lmic", "IND", 2020) == (False, False)
    assert _role(roles, "wb-non-high", "IND", 2020) == (True, True)
    assert _role(roles, "un-developing", "SAU", 2020) == (True, True)
    assert _role(roles, "un-developing", "GBR", 2020) == (False, False)
    # Saudi Arabia (H) is South only as a destination under gfmd-2018
    assert _role(roles, "gfmd-2018", "SAU", 2020) == (False, True)
    assert _role(roles, "wb-lmic", "SAU", 2020) == (False, False)


def test_gfmd_default_list_is_gcc_and_the_hubs_the_paper_names():
    lens = L.BUILTIN["gfmd-2018"]
    assert set(lens.destination.countries) == {"BHR", "KWT", "OMN", "QAT", "SAU", "ARE", "BRA",
                                               "MUS", "SGP", "ZAF"}
    assert lens.origin.income_groups == ("L", "LM")


@pytest.mark.parametrize(("lens", "expected"), [
    ("wb-lmic", {"south-south": 170, "south-north": 100, "north-south": 10, "north-north": 640}),
    ("wb-non-high", {"south-south": 170, "south-north": 700, "north-south": 10, "north-north": 40}),
    ("un-developing", {"south-south": 570, "south-north": 300, "north-south": 10,
                       "north-north": 40}),
    ("gfmd-2018", {"south-south": 170, "south-north": 100, "north-south": 410,
                   "north-north": 240}),
])
def test_category_summary_2020_by_hand(con, lens, expected):
    frame = category_summary(con, lenses=L.BUILTIN[lens], years=2020)
    got = {r["category"]: r["value"] for r in frame.iter_rows(named=True)}
    assert got == expected
    assert frame["classified_total"].unique().to_list() == [920.0]
    assert frame["unknown_origin"].unique().to_list() == [5.0]
    assert frame["share"].sum() == pytest.approx(1.0)
    ss = frame.filter(pl.col("category") == "south-south")["share"][0]
    assert ss == pytest.approx(expected["south-south"] / 920)


def test_category_summary_changes_with_the_year(con):
    frame = category_summary(con, lenses=L.BUILTIN["gfmd-2018"], years=[2015, 2020])
    by = {(r["year"], r["category"]): r["value"] for r in frame.iter_rows(named=True)}
    # 2015: India is LM, so India -> Saudi Arabia is South-South under gfmd-2018
    assert by[(2015, "south-south")] == 80 + 50 + 200
    assert by[(2015, "south-north")] == 60 + 150
    assert by[(2015, "north-north")] == 40
    assert by[(2020, "north-south")] == 410


def test_female_summary_uses_female_stock(con):
    frame = category_summary(con, lenses=L.BUILTIN["wb-lmic"], years=2020, sex="female")
    got = {r["category"]: r["value"] for r in frame.iter_rows(named=True)}
    assert got == {"south-south": 40 + 20 + 10, "south-north": 50, "north-south": 5,
                   "north-north": 100 + 100 + 20}


def test_unclassified_countries_are_reported_not_guessed(store_path: Path, tmp_path: Path):
    path = tmp_path / "extra.duckdb"
    path.write_bytes(store_path.read_bytes())
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO countries (iso3, m49, name, short_name, continent, development_group) "
                "VALUES ('SSD', 728, 'South Sudan', 'South Sudan', 'Africa', 'less developed')")
    con.execute("INSERT INTO migrant_stock VALUES ('ims2020', 'SSD', 'UGA', 2020, 'male', 4, 't'),"
                " ('ims2020', 'SSD', 'UGA', 2020, 'female', 3, 't')")
    build_facts(con)  # the store changed: its derived tables again
    con.close()
    con = connect(path)
    wb = category_summary(con, lenses=L.BUILTIN["wb-lmic"], years=2020)
    assert wb["unclassified"].unique().to_list() == [7.0]
    assert wb["classified_total"].unique().to_list() == [920.0]
    un = category_summary(con, lenses=L.BUILTIN["un-developing"], years=2020)
    assert un.filter(pl.col("category") == "south-south")["value"][0] == 570 + 7
    con.close()


LENS_YAML = """
lenses:
  - id: east-africa-plus-gulf
    title: East Africa with Gulf destinations
    citation: constructed for a test
    south:
      income_groups: [L, LM]
    destination:
      income_groups: [L, LM]
      countries: [SAU, "826"]
  - id: not-kenya
    south:
      development_group: less developed
      exclude: [Kenya]
"""


def test_custom_lenses_from_yaml(con, tmp_path: Path):
    file = tmp_path / "mine.yaml"
    file.write_text(LENS_YAML, encoding="utf-8")
    found = L.load_lenses(file)
    assert list(found) == ["east-africa-plus-gulf", "not-kenya"]
    gulf = found["east-africa-plus-gulf"]
    assert gulf.destination.countries == ("SAU", "GBR")
    frame = category_summary(con, lenses=gulf, years=2020)
    got = {r["category"]: r["value"] for r in frame.iter_rows(named=True)}
    # KEN->GBR becomes South-South (GBR listed as a destination); IND (UM) -> SAU north-south
    assert got == {"south-south": 270, "south-north": 0, "north-south": 410 + 200 + 40,
                   "north-north": 0}
    no_ken = category_summary(con, lenses=found["not-kenya"], years=2020)
    got = {r["category"]: r["value"] for r in no_ken.iter_rows(named=True)}
    # Kenya excluded: KEN->UGA north-south, UGA->KEN and TZA->KEN south-north
    assert got["south-south"] == 400
    assert got["north-south"] == 100


def test_custom_lenses_default_folder_is_the_user_dir(tmp_path: Path):
    settings_module.override(home=tmp_path)
    assert L.load_lenses() == {}
    folder = tmp_path / "user" / "lenses"
    folder.mkdir(parents=True)
    (folder / "a.yml").write_text(LENS_YAML, encoding="utf-8")
    assert "not-kenya" in L.available_lenses()
    assert L.get_lens("not-kenya").source.endswith("a.yml")


@pytest.mark.parametrize(("text", "expected"), [
    ("lenses:\n  - id: x\n    south: {income_groups: [XL]}\n", "income groups among"),
    ("lenses:\n  - id: x\n    south: {countries: [Atlantis]}\n", "country code"),
    ("lenses:\n  - id: x\n    south: {colour: red}\n", "only"),
    ("lenses:\n  - id: wb-lmic\n    south: {income_groups: [L]}\n", "not already used"),
    ("lenses:\n  - id: x\n    origin: {income_groups: [L]}\n", "'south' or both"),
    ("just text\n", "top-level 'lenses:'"),
    ("lenses: [\n", "valid YAML"),
])
def test_bad_lens_files_say_what_is_wrong(tmp_path: Path, text: str, expected: str):
    file = tmp_path / "bad.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        L.load_lenses(file)
    assert expected in str(error.value)
    assert "bad.yaml" in str(error.value)


def test_unknown_lens_lists_the_available_ones():
    with pytest.raises(L.LensError, match="wb-lmic, wb-non-high, un-developing, gfmd-2018"):
        L.get_lens("global-south")


def test_emerging_list_can_be_replaced(con):
    lens = L.get_lens("gfmd-2018", emerging=["GBR"])
    assert lens.destination.countries == ("GBR",)
    frame = category_summary(con, lenses=lens, years=2020)
    got = {r["category"]: r["value"] for r in frame.iter_rows(named=True)}
    # SAU no longer listed; GBR is: KEN->GBR south-south, IND->SAU north-north
    assert got == {"south-south": 270, "south-north": 0, "north-south": 10 + 200 + 40,
                   "north-north": 400}
    with pytest.raises(L.LensError):
        L.get_lens("wb-lmic", emerging=["GBR"])


@pytest.mark.parametrize(("rule", "north", "south"), [
    (L.BUILTIN["un-developing"].origin, False, True),  # decided by development group alone
    (L.BUILTIN["wb-lmic"].origin, None, None),  # income groups: no residual group has one
    (L.BUILTIN["gfmd-2018"].destination, None, None),
    (L.Rule(income_groups=("L",), development_group="less developed"), None, True),
    (L.Rule(development_group="less developed", countries=("SGP",)), None, True),
    (L.Rule(development_group="less developed", exclude=("CHN",)), False, None),
    (L.Rule(countries=("KEN",)), None, None),  # a country list cannot place unnamed countries
    (L.Rule(development_group="more developed"), True, False),
])
def test_residual_origins_are_placed_only_where_their_development_group_decides(rule, north, south):
    """IMS 2015 Other North / Other South: South or North only when the answer cannot depend on
    which countries the group holds; unclassified (None) otherwise."""
    assert L.residual_south(rule, "more developed") is north
    assert L.residual_south(rule, "less developed") is south


def test_lens_roles_carry_the_residual_origins_for_every_lens_and_year(con):
    lenses = [L.BUILTIN["un-developing"], L.BUILTIN["wb-lmic"]]
    roles = L.lens_roles(con, lenses, [2000, 2020])
    residual = roles.filter(pl.col("iso3").is_in(["XON", "XOS"])).sort("lens", "iso3", "year")
    assert residual.select("lens", "iso3", "year", "south_origin", "south_destination").rows() == [
        ("un-developing", "XON", 2000, False, False), ("un-developing", "XON", 2020, False, False),
        ("un-developing", "XOS", 2000, True, True), ("un-developing", "XOS", 2020, True, True),
        ("wb-lmic", "XON", 2000, None, None), ("wb-lmic", "XON", 2020, None, None),
        ("wb-lmic", "XOS", 2000, None, None), ("wb-lmic", "XOS", 2020, None, None)]
