"""Remittance sections of the country and corridor pages (and their JSON twins): inflows,
outflows, share of GDP and the costliest corridors into a country; along a migrant corridor
A -> B, the money its migrants send home (B -> A: origin is the sending country) and what sending
it costs over time. Every figure comes from ``corridors.analytics.remittances``."""

from __future__ import annotations

from typing import Any

import duckdb

from corridors.analytics import remittances
from corridors.analytics.lenses import BUILTIN
from corridors.languages import N_
from corridors.store import provenance
from corridors.store.serving import Store

COSTLIEST = 8


def _sources(con: duckdb.DuckDBPyConnection, *frames) -> list[dict[str, Any]]:
    ids: set[str] = set()
    for frame in frames:
        if "source_id" in frame.columns:
            ids |= set(frame["source_id"].unique().to_list())
        if "sources" in frame.columns:
            ids |= {s for row in frame["sources"].to_list() for s in row}
    return provenance.sources(con, sorted(ids))


def country(store: Store, con: duckdb.DuckDBPyConnection, iso3: str) -> dict[str, Any]:
    """Received, paid, GDP share per year; the costliest corridors sending to the country in the
    latest quarter priced for it."""
    def compute() -> dict[str, Any]:
        try:
            trend = remittances.country_remittances(con, iso3)
        except remittances.RemittanceDataError:
            trend = None
        if trend is None or trend.is_empty():
            # translated where the page shows it (the answer is kept for every language)
            return {"missing": N_("No WDI remittance figures for this country in the store.")}
        # the headline year: the latest with a share of GDP, else the latest with a figure
        shared = trend.filter(trend["received_share_gdp"].is_not_null())
        latest = (shared if shared.height else trend).tail(1).to_dicts()[0]
        costliest: list[dict[str, Any]] = []
        period = None
        costs_frame = None
        if remittances.cost_periods(con):
            costs_frame = remittances.remittance_costs(con, destination=iso3)
            if costs_frame.height:
                period = costs_frame["period"].max()
                costliest = (costs_frame.filter(costs_frame["period"] == period)
                             .sort("cost_pct", descending=True).head(COSTLIEST)
                             .select("origin", "destination", "period", "cost_pct",
                                     "above_5_pct").to_dicts())
        frames = [trend] + ([costs_frame] if costs_frame is not None else [])
        return {"missing": None, "trend": trend.drop("sources").to_dicts(), "latest": latest,
                "costliest": costliest, "cost_period": period,
                "sources": _sources(con, *frames)}

    return store.memo(("web-remittances-country", iso3), compute)


def corridor(store: Store, con: duckdb.DuckDBPyConnection, origin: str,
             destination: str) -> dict[str, Any]:
    """Along the migrant corridor origin -> destination, the remittances sent home: from
    ``destination`` (the sender) to ``origin`` (the receiver), per matrix year, and the cost of
    sending USD 200 that way per quarter."""
    def compute() -> dict[str, Any]:
        volumes = costs = None
        if remittances.bilateral_years(con):
            volumes = remittances.remittance_corridors(
                con, lens=BUILTIN["wb-lmic"], origin=destination, destination=origin)
        if remittances.cost_periods(con):
            costs = remittances.remittance_costs(con, origin=destination, destination=origin)
        frames = [f for f in (volumes, costs) if f is not None]
        return {
            "sender": destination, "receiver": origin,
            "volumes": [] if volumes is None else volumes.select(
                "year", "value_usd", "migrant_stock", "stock_year", "usd_per_migrant").to_dicts(),
            "costs": [] if costs is None else costs.select("period", "cost_pct",
                                                           "above_5_pct").to_dicts(),
            "sources": _sources(con, *frames),
        }

    return store.memo(("web-remittances-corridor", origin, destination), compute)
