"""Remittances from the store built from the mirror; every expected value is recomputed here from
the raw mirror files (WDI CSVs, the KNOMAD 2018 CSV, the RPW DataBank export and quarter file)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from statistics import mean

import pytest

from corridors import codes
from corridors.analytics.lenses import BUILTIN, CATEGORIES, lens_roles
from corridors.analytics.remittances import (
    RemittanceDataError,
    cost_periods,
    cost_targets,
    country_remittances,
    nearest_stock_year,
    remittance_corridors,
    remittance_costs,
    remittance_fees,
    remittance_summary,
)
from corridors.errors import InputError

WB = "world-bank"
RECEIVED = f"{WB}/API_BX.TRF.PWKR.CD.DT_DS2_en_csv_v2_38454.csv"
PAID = f"{WB}/API_BM.TRF.PWKR.CD.DT_DS2_en_csv_v2_3012027.csv"
GDP = f"{WB}/derived/gdp_current_usd_wdi.csv"
MATRIX_2018 = f"{WB}/derived/Bilateralremittancematrix2018Oct2019.csv"
RPW = f"{WB}/RPW_corridors_databank_36d1ed87-9a2d-41da-8eac-c1c25d45fa65_Data.csv"
RPW_QUARTERS = f"{WB}/derived/jonsmirl_rpw_filtered.csv"


def wdi_value(path: Path, iso3: str, year: int) -> float | None:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[4:]
    header = rows[0]
    row = next(r for r in rows[1:] if r[1] == iso3)
    if str(year) not in header:
        return None  # a year after the file's last column
    cell = row[header.index(str(year))]
    return float(cell) if cell else None


def gdp_value(path: Path, iso3: str, year: int) -> float | None:
    for row in csv.DictReader(path.open(encoding="utf-8")):
        if row["Country Code"] == iso3 and row["Year"] == str(year):
            return float(row["Value"])
    return None


def test_lesotho_2016_share_of_gdp_is_received_over_gdp(store_con, mirror: Path):
    received = wdi_value(mirror / RECEIVED, "LSO", 2016)
    gdp = gdp_value(mirror / GDP, "LSO", 2016)
    row = country_remittances(store_con, "LSO", 2016).to_dicts()
    assert len(row) == 1
    assert row[0]["received_usd"] == received
    assert row[0]["gdp_usd"] == gdp
    assert row[0]["paid_usd"] == wdi_value(mirror / PAID, "LSO", 2016)
    assert row[0]["received_share_gdp"] == pytest.approx(received / gdp, rel=1e-12)
    assert 0.2 < row[0]["received_share_gdp"] < 0.23
    assert row[0]["sources"] == ["wdi-gdp-long", "wdi-remittances-paid", "wdi-remittances-received"]


@pytest.mark.parametrize("iso3", ["NPL", "PHL", "MOZ"])
def test_gaps_stay_gaps(store_con, mirror: Path, iso3: str):
    frame = country_remittances(store_con, codes.countries()[iso3].name)
    assert frame["iso3"].unique().to_list() == [iso3]
    for row in frame.iter_rows(named=True):
        assert row["received_usd"] == wdi_value(mirror / RECEIVED, iso3, row["year"])
        assert row["paid_usd"] == wdi_value(mirror / PAID, iso3, row["year"])
        gdp = gdp_value(mirror / GDP, iso3, row["year"])
        assert row["gdp_usd"] == gdp
        if gdp is None or row["received_usd"] is None:
            assert row["received_share_gdp"] is None
    # the GDP file ends in 2023 and the paid file (2021 edition) earlier: 2024 has neither
    last = frame.filter(frame["year"] == 2024).to_dicts()[0]
    assert last["gdp_usd"] is None and last["paid_usd"] is None
    assert last["received_share_gdp"] is None and last["received_usd"] > 0


def test_unknown_country_and_year(store_con):
    with pytest.raises(RemittanceDataError, match="unknown country 'Atlantis'"):
        country_remittances(store_con, "Atlantis")
    with pytest.raises(RemittanceDataError, match="no bilateral remittance matrix for 2016"):
        remittance_summary(store_con, lenses=[BUILTIN["wb-lmic"]], years=2016)


def _matrix_2018(mirror: Path) -> dict[tuple[str, str], float]:
    """(sender, receiver) -> US$ from the raw CSV (rows send, columns receive, US$ millions)."""
    with (mirror / MATRIX_2018).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    names = [codes.iso3_for_name(n) for n in rows[0][1:]]
    out = {}
    for row in rows[1:]:
        sender = codes.iso3_for_name(row[0])
        for receiver, cell in zip(names, row[1:], strict=True):
            if cell not in ("N/A", "") and float(cell):
                out[(sender, receiver)] = float(cell) * 1e6
    return out


@pytest.mark.parametrize("lens_id", sorted(BUILTIN))
def test_summary_2018_recomputed_from_the_raw_matrix(store_con, mirror: Path, lens_id: str):
    lens = BUILTIN[lens_id]
    roles = {r["iso3"]: r for r in lens_roles(store_con, [lens], [2018]).to_dicts()}
    totals = dict.fromkeys((*CATEGORIES, "unclassified"), 0.0)
    for (sender, receiver), value in _matrix_2018(mirror).items():
        south_sender = roles.get(sender, {}).get("south_destination")
        south_receiver = roles.get(receiver, {}).get("south_origin")
        if south_sender is None or south_receiver is None:
            totals["unclassified"] += value
            continue
        totals[f"{'south' if south_sender else 'north'}-{'south' if south_receiver else 'north'}"] \
            += value
    frame = remittance_summary(store_con, lenses=[lens], years=2018)
    assert frame["category"].to_list() == list(CATEGORIES)
    classified = sum(totals[c] for c in CATEGORIES)
    for row in frame.iter_rows(named=True):
        assert row["value_usd"] == pytest.approx(totals[row["category"]], rel=1e-9)
        assert row["share"] == pytest.approx(totals[row["category"]] / classified, rel=1e-9)
        assert row["unclassified_usd"] == pytest.approx(totals["unclassified"], rel=1e-9, abs=1)
    assert frame["share"].sum() == pytest.approx(1.0)


def test_summary_every_lens_and_year(store_con):
    frame = remittance_summary(store_con, lenses=list(BUILTIN.values()))
    assert frame.height == len(BUILTIN) * 2 * len(CATEGORIES)
    assert set(frame["year"]) == {2017, 2018}
    ss = frame.filter((frame["lens"] == "wb-lmic") & (frame["year"] == 2017)
                      & (frame["category"] == "south-south"))
    assert 0 < ss["share"][0] < 1


def test_corridors_pair_with_the_stock_of_the_nearest_ims_year(store_con, mirror: Path):
    raw = _matrix_2018(mirror)
    frame = remittance_corridors(store_con, lens=BUILTIN["wb-lmic"], years=2018,
                                 destination="NPL", limit=3)
    assert frame.height == 3
    top = sorted(((v, s) for (s, r), v in raw.items() if r == "NPL"), reverse=True)[:3]
    assert frame["origin"].to_list() == [s for _, s in top]
    assert frame["value_usd"].to_list() == pytest.approx([v for v, _ in top])
    row = frame.to_dicts()[0]
    assert row["stock_year"] == nearest_stock_year(2018, [2015, 2020]) == 2020
    stock = store_con.execute(
        "SELECT value FROM migrant_stock WHERE edition = ? AND sex = 'total' AND year = 2020 "
        "AND origin = 'NPL' AND destination = ?", [row["stock_edition"], row["origin"]]).fetchone()[0]
    assert row["migrant_stock"] == stock
    assert row["usd_per_migrant"] == pytest.approx(row["value_usd"] / stock)
    # Nepal's senders: the same rows as its corridors asked by destination, and by origin none
    sent = remittance_corridors(store_con, lens=BUILTIN["wb-lmic"], years=2018, origin="NPL")
    assert set(sent["destination"]) == {r for (s, r) in raw if s == "NPL"}


def _rpw_column(mirror: Path, quarter: str) -> dict[tuple[str, str], float]:
    with (mirror / RPW).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    index = rows[0].index(f"{quarter} [YR{quarter}]")
    return {(r[1].replace("KSV", "XKX"), r[5].replace("KSV", "XKX")): float(r[index])
            for r in rows[1:] if len(r) > index and r[3] == "ATCR.CORR" and r[index] != ".."
            and "ANT" not in (r[1], r[5])}


def test_costs_are_the_published_rpw_figures(store_con, mirror: Path):
    published = _rpw_column(mirror, "2020Q3")
    frame = remittance_costs(store_con, period="2020Q3")
    got = {(r["origin"], r["destination"]): r["cost_pct"] for r in frame.to_dicts()}
    assert got == published
    assert set(frame["source_id"]) == {"wb-rpw-databank"}
    one = remittance_costs(store_con, origin="ZAF", destination="Lesotho", period="2020q3")
    assert one["cost_pct"].to_list() == [published[("ZAF", "LSO")]]


def test_sdg_targets_per_quarter(store_con, mirror: Path):
    published = _rpw_column(mirror, "2020Q3")
    row = cost_targets(store_con, "2020Q3").to_dicts()[0]
    assert row["corridors"] == len(published)
    assert row["average_cost_pct"] == pytest.approx(mean(published.values()))
    assert row["corridors_above_5_pct"] == sum(v > 5 for v in published.values())
    assert row["corridors_at_most_3_pct"] == sum(v <= 3 for v in published.values())
    assert row["no_corridor_above_5_pct"] is (row["corridors_above_5_pct"] == 0)
    # after 2020Q3 the quarters come from the corridor-quarter file
    latest = cost_periods(store_con)[-1]
    quarters = [r for r in csv.DictReader((mirror / RPW_QUARTERS).open(encoding="utf-8"))
                if r["period"] == f"{latest[:4]}_{latest[5]}Q" and r["avg_cost_pct_200usd"]]
    row = cost_targets(store_con, "latest").to_dicts()[0]
    assert row["period"] == latest and row["corridors"] == len(quarters)
    assert row["corridors_above_5_pct"] == sum(float(r["avg_cost_pct_200usd"]) > 5
                                               for r in quarters)
    assert row["source_id"] == "wb-rpw-filtered"
    with pytest.raises(RemittanceDataError, match="periods are quarters such as 2020Q3"):
        cost_targets(store_con, "2020Q5")


def test_fees_are_volume_times_the_year_average_cost(store_con, mirror: Path):
    costs = [_rpw_column(mirror, f"2018Q{q}").get(("SAU", "NPL")) for q in (1, 2, 3, 4)]
    costs = [c for c in costs if c is not None]
    volume = _matrix_2018(mirror)[("SAU", "NPL")]
    row = remittance_fees(store_con, lens=BUILTIN["wb-lmic"], years=2018, origin="SAU",
                          destination="NPL").to_dicts()[0]
    assert row["cost_quarters"] == len(costs)
    assert row["cost_pct"] == pytest.approx(mean(costs))
    assert row["fees_usd"] == pytest.approx(volume * mean(costs) / 100)


def test_a_wdi_csv_of_another_indicator_stops_the_build(mirror: Path, tmp_path: Path):
    from corridors.sources.registry import get
    from corridors.store.loaders import LOADERS

    source = get("wdi-remittances-received")
    shutil.copy(mirror / PAID, tmp_path / source.primary.name)  # the paid series in its place
    with pytest.raises(InputError) as caught:
        LOADERS["world_bank_wdi"](source, tmp_path)
    message = str(caught.value)
    assert source.primary.name in message and "BM.TRF.PWKR.CD.DT" in message
    assert "expected the WDI series BX.TRF.PWKR.CD.DT" in message


def test_exports_hold_the_remittance_tables(store_con, tmp_path: Path):
    from corridors.analytics.datapackage import schema
    from corridors.analytics.exports import ssm_tables

    tables = ssm_tables(store_con, ["remittance-summary", "remittance-costs"])
    costs = tables["remittance-costs"]
    # one source per quarter: the DataBank export, then the quarter file after it ends
    assert costs.height == store_con.execute(
        "SELECT count(*) FROM remittance_costs WHERE source_id = 'wb-rpw-databank' OR period NOT IN "
        "(SELECT period FROM remittance_costs WHERE source_id = 'wb-rpw-databank')").fetchone()[0]
    assert tables["remittance-summary"].height == len(BUILTIN) * 2 * len(CATEGORIES)
    for name, frame in tables.items():
        key = schema(name, frame)["primaryKey"]
        assert frame.select(key).is_duplicated().sum() == 0
        assert all(f["description"] for f in schema(name, frame)["fields"])
