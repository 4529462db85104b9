"""Benchmark: every South–South summary for all years and all lenses, from a built store, side by
side with the same computation in pandas over the raw files, in one run.

Summaries (issue 3, item 3a-3d), for the 7 years of IMS 2020 and the 4 built-in lenses:
  a. category totals and shares per lens and year;
  b. intra-group shares for 6 groupings (continent, SDG region, UN sub-region, UN DESA region,
     income group by year, regional economic communities) per year;
  c. share of South–South stock between land neighbours per lens and year;
  d. top 10 corridors by stock per lens and year, with change and growth.

Each side runs in a fresh Python process (bench/_measure.py): we report import time, the first
run (cold: includes DuckDB's lazy import of numpy/pandas/pyarrow on the first parameterised
query, and for pandas the reading of the raw files), a second run in the same process (warm), and
the peak resident memory of the process. Goal: the store side <= 1 s in total.

    CORRIDORS_MIRROR=../shared/sources python bench/bench_lenses.py [--store PATH]

Without --store, a store is built from the mirror into a temporary home first (not timed).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _measure import mirror, run_isolated  # noqa: E402

GROUPINGS = ["continent", "sdg-region", "un-subregion", "un-region", "income", "rec"]
GCC_AND_HUBS = ["BHR", "KWT", "OMN", "QAT", "SAU", "ARE", "BRA", "MUS", "SGP", "ZAF"]


# --- store side ----------------------------------------------------------------------------------

def store_side(store_path: str) -> dict:
    t0 = time.perf_counter()
    from corridors.analytics import regions
    from corridors.analytics.lenses import BUILTIN
    from corridors.store import connect
    imported = time.perf_counter() - t0

    def once() -> dict:
        con = connect(Path(store_path))
        lenses = list(BUILTIN.values())
        summary = regions.category_summary(con, lenses=lenses)
        groups = regions.intra_group_shares(con, GROUPINGS)
        contiguity = regions.contiguity_share(con, lenses=lenses)
        top = regions.top_corridors(con, lenses=lenses, n=10)
        con.close()
        ss = summary.filter((summary["lens"] == "wb-lmic") & (summary["year"] == 2020)
                            & (summary["category"] == "south-south"))["value"][0]
        africa = groups.filter((groups["grouping"] == "continent") & (groups["year"] == 2020)
                               & (groups["group"] == "Africa"))["origin_view_share"][0]
        contiguous = contiguity.filter((contiguity["lens"] == "wb-lmic")
                                       & (contiguity["year"] == 2020))["share_contiguous"][0]
        return {"rows": summary.height + groups.height + contiguity.height + top.height,
                "check_ss_wb_lmic_2020": ss, "check_africa_origin_view_2020": africa,
                "check_contiguous_wb_lmic_2020": contiguous}

    t1 = time.perf_counter()
    result = once()
    first = time.perf_counter() - t1
    t2 = time.perf_counter()
    once()
    warm = time.perf_counter() - t2
    return {**result, "import_s": imported, "first_s": first, "warm_s": warm}


# --- pandas side ---------------------------------------------------------------------------------

def pandas_side(mirror_path: str) -> dict:
    t0 = time.perf_counter()
    import numpy as np
    import pandas as pd
    imported = time.perf_counter() - t0
    root = Path(mirror_path)
    shared = root.parent

    def once() -> dict:
        # raw files
        long = pd.read_csv(root / "un-desa/ims2020/derived/ims2020_bilateral_by_sex_long.csv",
                           keep_default_na=False)
        stock = (long.groupby(["from", "to", "t"], as_index=False)["v"].sum()
                 .rename(columns={"from": "origin", "to": "destination", "t": "year"}))
        years = sorted(stock["year"].unique())
        oghist = pd.read_excel(root / "world-bank/OGHIST.xlsx",
                               sheet_name="Country Analytical History", header=None,
                               engine="calamine")
        header = oghist.index[oghist[1].astype(str).str.startswith("Data for calendar")][0]
        data_years = oghist.loc[header, 2:].astype(float).astype(int).tolist()
        body = oghist.loc[header + 1:, :].copy()
        body = body[body[0].astype(str).str.len() == 3]
        body.columns = ["iso3", "name"] + data_years
        income = body.melt(id_vars=["iso3", "name"], var_name="data_year", value_name="group")
        income["group"] = income["group"].astype(str).str.rstrip("*")
        income = income[income["group"].isin(["L", "LM", "UM", "H"])]
        m49 = pd.read_csv(root / "unsd/m49_overview.csv", keep_default_na=False)
        m49 = m49[m49["ISO-alpha3 Code"] != ""]
        places = pd.DataFrame({"iso3": m49["ISO-alpha3 Code"], "iso2": m49["ISO-alpha2 Code"],
                               "continent": m49["Region Name"],
                               "un-subregion": m49["Sub-region Name"]})
        places = pd.concat([places, pd.DataFrame([{
            "iso3": "CHI", "iso2": "", "continent": "Europe",
            "un-subregion": "Northern Europe"}])])
        annex = pd.read_excel(root / "un-desa/ims2020/aggregates_correspondence_table_2020_1.xlsx",
                              sheet_name="Annex", header=None, engine="calamine")
        annex = annex[annex[4].astype(str).str.fullmatch(r"[A-Z]{3}")]
        annex = pd.DataFrame({"iso3": annex[4], "sdg-region": annex[14], "un-region": annex[16],
                              "less_developed": annex[18].notna()})
        places = places.merge(annex, on="iso3", how="outer")
        borders = pd.read_csv(root / "geodatasource/GEODATASOURCE-COUNTRY-BORDERS.CSV",
                              keep_default_na=False)
        to3 = dict(zip(places["iso2"], places["iso3"], strict=False))
        borders = pd.DataFrame({"origin": borders["country_code"].map(to3),
                                "destination": borders["country_border_code"].map(to3)}).dropna()
        borders["contiguous"] = True
        rec = pd.read_csv(shared / "reference/rec_membership.csv", keep_default_na=False)
        rec = rec[rec["member_type"].isin(["member", "withdrawn", "suspended"])]

        # income group per year (data year = year, clamped to the OGHIST range)
        mapping = pd.DataFrame({"year": years,
                                "data_year": np.clip(years, min(data_years), max(data_years))})
        yearly = mapping.merge(income[["iso3", "data_year", "group"]], on="data_year")

        # roles per lens: South as origin / destination, by (iso3, year)
        known = yearly[["iso3", "year"]].assign(k=True)
        roles = {}
        lm = yearly.assign(s=yearly["group"].isin(["L", "LM"]))[["iso3", "year", "s"]]
        nh = yearly.assign(s=yearly["group"] != "H")[["iso3", "year", "s"]]
        roles["wb-lmic"] = (lm, lm)
        roles["wb-non-high"] = (nh, nh)
        dev = places.dropna(subset=["less_developed"])[["iso3", "less_developed"]]
        dev = dev.merge(pd.DataFrame({"year": years}), how="cross").rename(
            columns={"less_developed": "s"})
        roles["un-developing"] = (dev, dev)
        gulf = pd.concat([lm, pd.DataFrame({"iso3": GCC_AND_HUBS}).merge(
            pd.DataFrame({"year": years}), how="cross").assign(s=True)])
        gulf = gulf.groupby(["iso3", "year"], as_index=False)["s"].max()
        roles["gfmd-2018"] = (lm, gulf)
        del known

        # a. categories; c. contiguity; d. top corridors
        previous = dict(zip(years[1:], years[:-1], strict=False))
        prev = stock.assign(year=stock["year"].map({v: k for k, v in previous.items()}))
        prev = prev.dropna(subset=["year"]).rename(columns={"v": "prev"})
        prev["year"] = prev["year"].astype(int)
        base = stock.merge(prev, on=["origin", "destination", "year"], how="left")
        base["change"] = np.where(base["year"] == years[0], np.nan,
                                  base["v"] - base["prev"].fillna(0))
        base["growth"] = np.log(base["v"] / base["prev"]) / 5
        base = base.merge(borders, on=["origin", "destination"], how="left")
        summaries, contiguity, tops = [], [], []
        for lens, (origin_roles, destination_roles) in roles.items():
            frame = base.merge(origin_roles.rename(columns={"iso3": "origin", "s": "so"}),
                               on=["origin", "year"], how="left")
            frame = frame.merge(destination_roles.rename(
                columns={"iso3": "destination", "s": "sd"}), on=["destination", "year"],
                how="left")
            classified = frame["so"].notna() & frame["sd"].notna() & (frame["origin"] != "XXX")
            so = frame["so"].fillna(False).astype(bool).to_numpy()
            sd = frame["sd"].fillna(False).astype(bool).to_numpy()
            frame["category"] = np.select(
                [~classified.to_numpy(), so & sd, so & ~sd, ~so & sd],
                ["other", "south-south", "south-north", "north-south"], "north-north")
            table = frame[classified].groupby(["year", "category"])["v"].sum().unstack(
                fill_value=0)
            share = table.div(table.sum(axis=1), axis=0)
            summaries.append(share.assign(lens=lens))
            ss = frame[frame["category"] == "south-south"]
            c = ss.groupby("year").apply(
                lambda g: g.loc[g["contiguous"].fillna(False).astype(bool), "v"].sum()
                / g["v"].sum(), include_groups=False)
            contiguity.append(c.rename(lens))
            tops.append(frame[frame["origin"] != "XXX"].sort_values(
                ["year", "v"], ascending=[True, False]).groupby("year").head(10).assign(
                lens=lens))
        summary = pd.concat(summaries)
        contiguity_frame = pd.concat(contiguity, axis=1)

        # b. intra-group shares, six groupings
        members = []
        for grouping in ("continent", "sdg-region", "un-subregion", "un-region"):
            m = places[["iso3", grouping]].dropna().rename(columns={grouping: "group"})
            members.append(m.merge(pd.DataFrame({"year": years}), how="cross").assign(
                grouping=grouping))
        members.append(yearly.rename(columns={"group": "group"})[["iso3", "year", "group"]]
                       .assign(grouping="income"))
        r = rec.assign(since=pd.to_numeric(rec["since"]), until=pd.to_numeric(rec["until"]))
        r = r.merge(pd.DataFrame({"year": years}), how="cross")
        r = r[(r["since"].isna() | (r["since"] <= r["year"]))
              & (r["until"].isna() | (r["year"] <= r["until"]))]
        members.append(r[["iso3", "year", "rec_code"]].rename(columns={"rec_code": "group"})
                       .drop_duplicates().assign(grouping="rec"))
        members = pd.concat(members)
        em = stock.merge(members.rename(columns={"iso3": "origin"}), on=["origin", "year"])
        emigrants = em.groupby(["grouping", "group", "year"])["v"].sum()
        im = stock.merge(members.rename(columns={"iso3": "destination"}),
                         on=["destination", "year"])
        immigrants = im.groupby(["grouping", "group", "year"])["v"].sum()
        both = em.merge(members.rename(columns={"iso3": "destination"}),
                        on=["destination", "year", "grouping", "group"])
        intra = both.groupby(["grouping", "group", "year"])["v"].sum()
        groups = pd.DataFrame({"origin_view_share": intra / emigrants,
                               "destination_view_share": intra / immigrants}).fillna(0)
        return {
            "rows": len(summary) + len(groups) + contiguity_frame.size + len(pd.concat(tops)),
            "check_ss_wb_lmic_2020": float(table_value(summary, "wb-lmic", 2020, "south-south",
                                                       stock, roles)),
            "check_africa_origin_view_2020": float(
                groups.loc[("continent", "Africa", 2020), "origin_view_share"]),
            "check_contiguous_wb_lmic_2020": float(contiguity_frame.loc[2020, "wb-lmic"]),
        }

    def table_value(summary, lens, year, category, stock, roles) -> float:
        origin_roles, destination_roles = roles[lens]
        f = stock[stock["year"] == year].merge(
            origin_roles.rename(columns={"iso3": "origin", "s": "so"}), on=["origin", "year"])
        f = f.merge(destination_roles.rename(columns={"iso3": "destination", "s": "sd"}),
                    on=["destination", "year"])
        return f.loc[f["so"].astype(bool) & f["sd"].astype(bool), "v"].sum()

    t1 = time.perf_counter()
    result = once()
    first = time.perf_counter() - t1
    t2 = time.perf_counter()
    once()
    warm = time.perf_counter() - t2
    return {**result, "import_s": imported, "first_s": first, "warm_s": warm}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a built store (default: build one)")
    args = parser.parse_args()
    source = mirror()
    store = args.store
    if store is None:
        # built in child processes: a child forked from a large parent would inherit its peak
        # memory figure (ru_maxrss), so the parent stays small
        home = Path(tempfile.mkdtemp(prefix="bench-lenses-"))
        env = {**os.environ, "CORRIDORS_HOME": str(home), "CORRIDORS_MIRROR": str(source)}
        for step in ("pull", "build"):
            subprocess.run([sys.executable, "-c", "from corridors.cli.main import main; main()",
                            step], env=env, check=True, capture_output=True)
        store = home / "corridors.duckdb"
    ours = run_isolated("bench_lenses", "store_side", str(store))
    theirs = run_isolated("bench_lenses", "pandas_side", str(source))
    load = os.getloadavg()
    print(f"South-South summaries, IMS 2020, 7 years x 4 lenses + 6 groupings "
          f"(load average {load[0]:.1f} on {os.cpu_count()} cores)")
    print(f"{'':<34}{'import s':>10}{'first s':>10}{'warm s':>10}{'peak MiB':>10}")
    for label, r in (("corridors store (DuckDB+polars)", ours),
                     ("pandas over the raw files", theirs)):
        print(f"{label:<34}{r['import_s']:>10.3f}{r['first_s']:>10.3f}{r['warm_s']:>10.3f}"
              f"{r['peak_mib']:>10.0f}")
    print(f"ratio pandas / store: first run {theirs['first_s'] / ours['first_s']:.1f}x, "
          f"warm {theirs['warm_s'] / ours['warm_s']:.1f}x, "
          f"peak memory {theirs['peak_mib'] / ours['peak_mib']:.2f}x")
    goal = "met" if ours["first_s"] <= 1.0 else "NOT met"
    print(f"goal (every summary <= 1 s from a built store, first run): {goal}")
    for key in ("check_ss_wb_lmic_2020", "check_africa_origin_view_2020",
                "check_contiguous_wb_lmic_2020"):
        same = abs(ours[key] - theirs[key]) <= 1e-9 * max(1.0, abs(ours[key]))
        print(f"  {key}: store {ours[key]:.10g}  pandas {theirs[key]:.10g}  "
              f"{'agree' if same else 'DIFFER'}")


if __name__ == "__main__":
    main()
