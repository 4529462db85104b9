"""South–South analytics on the store built from the mirror, checked against independent computations
straight from the raw files: the IMS 2020 bilateral long CSV (polars), World Bank OGHIST (read with
python-calamine), UNSD M49, GeoDataSource borders and the curated community membership list.

Nothing here goes through corridors' readers or store: the only shared piece is the definitions.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from corridors.analytics.lenses import BUILTIN
from corridors.analytics.profiles import country_profile
from corridors.analytics.regions import category_summary, contiguity_share, intra_group_shares

pytestmark = pytest.mark.mirror

WORLD_2020 = 280_598_105  # IMS 2020, Table 1, WORLD, both sexes


@pytest.fixture(scope="module")
def stock(mirror: Path) -> pl.DataFrame:
    """Both-sexes bilateral stock 2020 from the derived long file (total = male + female)."""
    raw = pl.read_csv(mirror / "un-desa/ims2020/derived/ims2020_bilateral_by_sex_long.csv",
                      schema_overrides={"v": pl.Int64})
    return (raw.filter(pl.col("t") == 2020)
            .group_by("from", "to").agg(pl.col("v").sum())
            .rename({"from": "origin", "to": "destination"}))


@pytest.fixture(scope="module")
def stock_by_sex(mirror: Path) -> pl.DataFrame:
    raw = pl.read_csv(mirror / "un-desa/ims2020/derived/ims2020_bilateral_by_sex_long.csv",
                      schema_overrides={"v": pl.Int64})
    return raw.filter(pl.col("t") == 2020)


@pytest.fixture(scope="module")
def income_2020(mirror: Path) -> dict[str, str]:
    """World Bank group for data year 2020 (FY22) from OGHIST; '..' = unclassified (absent)."""
    rows = CalamineWorkbook.from_path(str(mirror / "world-bank/OGHIST.xlsx")).get_sheet_by_name(
        "Country Analytical History").to_python()
    header = next(r for r in rows if str(r[1]).startswith("Data for calendar year"))
    column = [i for i, v in enumerate(header) if v == 2020.0][0]
    groups = {}
    for row in rows[rows.index(header) + 1:]:
        code, value = str(row[0]).strip(), str(row[column]).strip().rstrip("*")
        if len(code) == 3 and value in ("L", "LM", "UM", "H"):
            groups[code] = value
    return groups


@pytest.fixture(scope="module")
def m49(mirror: Path) -> pl.DataFrame:
    frame = pl.read_csv(mirror / "unsd/m49_overview.csv", infer_schema_length=0)
    frame = frame.select(
        pl.col("ISO-alpha3 Code").alias("iso3"), pl.col("ISO-alpha2 Code").alias("iso2"),
        pl.col("Region Name").alias("continent"), pl.col("Sub-region Name").alias("subregion"))
    # IMS reports the Channel Islands as one area (CHI); M49 lists Guernsey and Jersey, both in
    # Europe / Northern Europe.
    return pl.concat([frame, pl.DataFrame({"iso3": ["CHI"], "iso2": [None],
                                           "continent": ["Europe"],
                                           "subregion": ["Northern Europe"]})])


def categories(stock: pl.DataFrame, south_origin: set[str], south_destination: set[str],
               known: set[str]) -> dict[str, int]:
    out = {"south-south": 0, "south-north": 0, "north-south": 0, "north-north": 0,
           "unclassified": 0, "unknown-origin": 0}
    for origin, destination, value in stock.select("origin", "destination", "v").iter_rows():
        if origin == "XXX":
            out["unknown-origin"] += value
        elif origin not in known or destination not in known:
            out["unclassified"] += value
        else:
            o, d = origin in south_origin, destination in south_destination
            key = ("south" if o else "north") + "-" + ("south" if d else "north")
            out[key] += value
    return out


def store_categories(con, lens: str) -> dict[str, int]:
    frame = category_summary(con, lenses=BUILTIN[lens], edition="ims2020", years=2020)
    got = {r["category"]: int(r["value"]) for r in frame.iter_rows(named=True)}
    got["unclassified"] = int(frame["unclassified"][0])
    got["unknown-origin"] = int(frame["unknown_origin"][0])
    return got


def test_categories_add_up_to_the_published_world_total(store_con):
    for lens in BUILTIN:
        assert sum(store_categories(store_con, lens).values()) == WORLD_2020


def test_wb_lmic_matches_oghist_and_the_raw_stock(store_con, stock, income_2020):
    south = {c for c, g in income_2020.items() if g in ("L", "LM")}
    expected = categories(stock, south, south, set(income_2020))
    assert store_categories(store_con, "wb-lmic") == expected


def test_wb_non_high_matches_oghist_and_the_raw_stock(store_con, stock, income_2020):
    south = {c for c, g in income_2020.items() if g != "H"}
    expected = categories(stock, south, south, set(income_2020))
    assert store_categories(store_con, "wb-non-high") == expected


def test_gfmd_2018_matches_oghist_plus_emerging_list(store_con, stock, income_2020):
    south = {c for c, g in income_2020.items() if g in ("L", "LM")}
    emerging = {"SAU", "ARE", "KWT", "QAT", "BHR", "OMN", "BRA", "MUS", "SGP", "ZAF"}
    expected = categories(stock, south, south | emerging, set(income_2020) | emerging)
    assert store_categories(store_con, "gfmd-2018") == expected


def test_un_developing_matches_the_annex_definition(store_con, stock, m49):
    # IMS 2020 annex, note b: "More developed regions comprise all countries and areas of Europe
    # and Northern America, plus Australia, New Zealand and Japan."
    more = set(m49.filter((pl.col("continent") == "Europe")
                          | (pl.col("subregion") == "Northern America"))["iso3"].drop_nulls())
    more |= {"AUS", "NZL", "JPN"}
    known = set(m49["iso3"].drop_nulls())
    south = known - more
    assert store_categories(store_con, "un-developing") == categories(stock, south, south, known)


def test_contiguity_share_matches_geodatasource_borders(store_con, stock, income_2020, mirror,
                                                        m49):
    borders = pl.read_csv(mirror / "geodatasource/GEODATASOURCE-COUNTRY-BORDERS.CSV",
                          infer_schema_length=0)
    to3 = dict(m49.drop_nulls("iso2").select("iso2", "iso3").iter_rows())
    pairs = {(to3.get(a), to3.get(b)) for a, b in borders.select(
        "country_code", "country_border_code").iter_rows() if b}
    south = {c for c, g in income_2020.items() if g in ("L", "LM")}
    ss = stock.filter(pl.col("origin").is_in(south) & pl.col("destination").is_in(south))
    contiguous = sum(v for o, d, v in ss.select("origin", "destination", "v").iter_rows()
                     if (o, d) in pairs)
    row = contiguity_share(store_con, lenses=BUILTIN["wb-lmic"], edition="ims2020",
                           years=2020).row(0, named=True)
    assert row["south_south"] == ss["v"].sum()
    assert row["contiguous"] == contiguous
    assert row["share_contiguous"] == pytest.approx(contiguous / ss["v"].sum(), rel=1e-12)


def test_continent_shares_match_m49(store_con, stock, m49):
    region = dict(m49.drop_nulls("iso3").select("iso3", "continent").iter_rows())
    frame = intra_group_shares(store_con, "continent", edition="ims2020", years=2020)
    got = {r["group"]: r for r in frame.iter_rows(named=True)}
    assert set(got) == {"Africa", "Americas", "Asia", "Europe", "Oceania"}
    for name, row in got.items():
        emigrants = stock.filter(pl.col("origin").replace_strict(region, default=None) == name)
        immigrants = stock.filter(pl.col("destination").replace_strict(region, default=None)
                                  == name)
        intra = emigrants.filter(pl.col("destination").replace_strict(region, default=None)
                                 == name)["v"].sum()
        assert row["origin_view_share"] == pytest.approx(intra / emigrants["v"].sum(), rel=1e-12)
        assert row["destination_view_share"] == pytest.approx(intra / immigrants["v"].sum(),
                                                              rel=1e-12)


def test_ecowas_share_matches_the_membership_list(store_con, stock, shared):
    members = pl.read_csv(shared / "reference/rec_membership.csv", infer_schema_length=0)
    ecowas = members.filter(
        (pl.col("rec_code") == "ECOWAS")
        & pl.col("member_type").is_in(["member", "withdrawn", "suspended"])
        & (pl.col("since").is_null() | (pl.col("since").cast(pl.Int32) <= 2020))
        & (pl.col("until").is_null() | (pl.col("until").cast(pl.Int32) >= 2020))
    )["iso3"].to_list()
    assert len(ecowas) == 15  # Mauritania withdrew in 2000 and is an associate since 2017
    emigrants = stock.filter(pl.col("origin").is_in(ecowas))
    intra = emigrants.filter(pl.col("destination").is_in(ecowas))["v"].sum()
    immigrants = stock.filter(pl.col("destination").is_in(ecowas))["v"].sum()
    row = intra_group_shares(store_con, "rec", edition="ims2020", years=2020).filter(
        pl.col("group_code") == "ECOWAS").row(0, named=True)
    assert (row["intra_group"], row["emigrants"], row["immigrants"]) == (
        intra, emigrants["v"].sum(), immigrants)


def test_country_profile_matches_the_raw_stock(store_con, stock_by_sex):
    for code in ("KEN", "CIV", "ARE"):
        profile = country_profile(store_con, code, edition="ims2020", year=2020)
        inbound = stock_by_sex.filter(pl.col("to") == code)
        outbound = stock_by_sex.filter(pl.col("from") == code)
        assert profile.immigrants == inbound["v"].sum()
        assert profile.emigrants == outbound["v"].sum()
        female_in = inbound.filter(pl.col("sex") == "Female")["v"].sum()
        assert profile.female_share_immigrants == pytest.approx(female_in / inbound["v"].sum())


def test_income_groups_of_2000_match_oghist(store_con, mirror):
    """A time-varying grouping: IMS year 2000 uses World Bank data year 2000 (FY02)."""
    raw = pl.read_csv(mirror / "un-desa/ims2020/derived/ims2020_bilateral_by_sex_long.csv",
                      schema_overrides={"v": pl.Int64})
    stock = (raw.filter(pl.col("t") == 2000).group_by("from", "to").agg(pl.col("v").sum()))
    rows = CalamineWorkbook.from_path(str(mirror / "world-bank/OGHIST.xlsx")).get_sheet_by_name(
        "Country Analytical History").to_python()
    header = next(r for r in rows if str(r[1]).startswith("Data for calendar year"))
    fy02 = next(r for r in rows if str(r[1]).startswith("Bank's fiscal year")).index("FY02")
    assert header[fy02] == 2000.0
    group = {str(r[0]).strip(): str(r[fy02]).strip().rstrip("*")
             for r in rows[rows.index(header) + 1:] if len(str(r[0]).strip()) == 3}
    group = {k: v for k, v in group.items() if v in ("L", "LM", "UM", "H")}
    frame = intra_group_shares(store_con, "income", edition="ims2020", years=2000)
    got = {r["group_code"]: r for r in frame.iter_rows(named=True)}
    for code in ("L", "LM", "UM", "H"):
        members = {k for k, v in group.items() if v == code}
        out = stock.filter(pl.col("from").is_in(members))
        intra = out.filter(pl.col("to").is_in(members))["v"].sum()
        into = stock.filter(pl.col("to").is_in(members))["v"].sum()
        assert (got[code]["intra_group"], got[code]["emigrants"], got[code]["immigrants"]) == (
            intra, out["v"].sum(), into)


def test_female_categories_add_up_to_the_female_stock(store_con, stock_by_sex):
    frame = category_summary(store_con, lenses=list(BUILTIN.values()), edition="ims2020",
                             years=2020, sex="female")
    female = stock_by_sex.filter(pl.col("sex") == "Female")["v"].sum()
    for lens, part in frame.group_by("lens"):
        total = part["value"].sum() + part["unclassified"][0] + part["unknown_origin"][0]
        assert total == female, lens


@pytest.mark.parametrize(("grouping", "group", "code"), [
    ("continent", "Africa", "002"),
    ("un-subregion", "Western Asia", "145"),
    ("sdg-region", "Eastern and South-Eastern Asia", "1832"),
    ("un-region", "Latin America and the Caribbean", "904"),
    ("income", "Lower middle income", "LM"),
    ("rec", "Economic Community of West African States", "ECOWAS"),
])
def test_group_holds_the_name_and_group_code_the_code(store_con, grouping, group, code):
    frame = intra_group_shares(store_con, grouping, edition="ims2020", years=2020)
    codes = dict(frame.select("group", "group_code").iter_rows())
    assert codes[group] == code
    assert None not in codes.values()
