"""Flow records from the store's saved flows: one corridor both ways per period and sex, and totals per
category under a lens, as the API's /flows routes and the dashboard's corridor page serve them.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import duckdb
import polars as pl
from fastapi import HTTPException

import corridors.codes as codes
from corridors.analytics import reference
from corridors.analytics.editions import editions_held
from corridors.analytics.flows import global_run
from corridors.analytics.flows.lenses import lens_flows
from corridors.analytics.flows.summaries import FlowIndex, corridor
from corridors.analytics.lenses import available_lenses, get_lens
from corridors.api.deps import Unknown
from corridors.store import provenance
from corridors.store.lookups import lookup
from corridors.store.serving import Store

FlowSex = Literal["both", "male", "female"]


METHOD_NAMES = {
    "demo": "demographic accounting (Abel 2013; Abel & Sander 2014): stayers and a "
            "quasi-independence model fitted by iterative proportional fitting",
    "diff-zero": "stock differencing, decreases ignored",
    "diff-return": "stock differencing, decreases read as returns",
    "rates-dennett": "Dennett migration rates",
}


def flows_edition(store: Store, con: duckdb.DuckDBPyConnection, edition: str | None) -> str:
    if edition is None or edition == "":
        return lookup(con, ("flows-default-edition",), lambda: global_run.default_edition(con))
    editions = editions_held(con)
    if edition not in editions:
        raise Unknown("edition", edition, "one of " + ", ".join(editions))
    return edition


def flow_periods(con: duckdb.DuckDBPyConnection, edition: str) -> list[tuple[int, int]]:
    """The edition's periods (consecutive stock years), looked up once per store file."""
    return list(lookup(con, ("flow-periods", edition),
                       lambda: tuple(global_run.periods(con, edition))))


def saved_flows(store: Store, con: duckdb.DuckDBPyConnection,
                edition: str) -> tuple[pl.DataFrame, dict[str, Any]]:
    """The store's saved flows of the edition (men and women, every period, the build's default
    settings) and those settings; loaded once per store file."""

    def compute() -> tuple[pl.DataFrame, dict[str, Any]] | None:
        frame = global_run.stored_flows(con, edition=edition,
                                        period_list=flow_periods(con, edition),
                                        sexes=("male", "female"))
        if frame is None:
            return None
        text = frame["settings"][0] if frame.height else "{}"
        return frame.drop("settings"), json.loads(text)

    found = store.memo(("saved-flows", edition), compute)
    if found is None:
        raise HTTPException(404, f"the store holds no saved flows for {edition}: run "
                                 "`corridors build` (it saves the default run), or see "
                                 "`corridors flows estimate --help`")
    return found


def flow_index(store: Store, con: duckdb.DuckDBPyConnection,
               edition: str) -> tuple[FlowIndex, dict[str, Any]]:
    """The saved flows of the edition held sorted by corridor (:class:`FlowIndex`) and their
    settings; kept per store file (prepared when the server starts:
    :mod:`corridors.records.prepare`)."""
    frame, settings = saved_flows(store, con, edition)
    return store.memo(("flow-index", edition), lambda: FlowIndex(frame), keep=True), settings


def _caption(method: str, settings: dict[str, Any]) -> str:
    text = f"Estimated from changes in bilateral stocks by {METHOD_NAMES.get(method, method)}"
    if settings.get("birthplace_match"):
        text += f", birthplace match {settings['birthplace_match']}"
    return (text + "; read from the store's saved flows table; no births or deaths in the store "
            "(see docs/flows.md)")


def corridor_flows(store: Store, con: duckdb.DuckDBPyConnection, origin: str, destination: str,
                   edition: str | None, sex: FlowSex = "both") -> dict[str, Any]:
    """Flows both ways along a corridor per period and sex, as ``corridors flows corridor``."""
    edition = flows_edition(store, con, edition)
    index, settings = flow_index(store, con, edition)
    rows = store.memo(("corridor-flows", origin, destination, edition),
                      lambda: corridor(index, origin, destination).to_dicts())
    if sex != "both":
        rows = [r for r in rows if r["sex"] == sex]
    method = rows[0]["method"] if rows else settings.get("method", "demo")
    names = codes.countries()
    return {
        "origin": origin, "origin_name": names[origin].name,
        "destination": destination, "destination_name": names[destination].name,
        "edition": edition, "method": method, "method_name": METHOD_NAMES.get(method, method),
        "settings": settings, "flows": rows, "caption": _caption(method, settings),
        "sources": provenance.sources(con, (), [edition]),
    }


def flow_summary(store: Store, con: duckdb.DuckDBPyConnection, lens: str, period: str | None,
                 sex: FlowSex, edition: str | None) -> dict[str, Any]:
    """Flow totals and shares per category under a lens, as ``corridors flows lenses``."""
    if lens not in available_lenses():
        raise Unknown("lens", lens, "one of " + ", ".join(available_lenses()))
    edition = flows_edition(store, con, edition)
    frame, settings = saved_flows(store, con, edition)
    if period is not None:
        held = flow_periods(con, edition)
        named = {f"{a}-{b}": (a, b) for a, b in held}
        start, end = named.get(period.replace("–", "-"), (None, None))
        if start is None:  # well-formed (the declared pattern) but not a period of the store
            raise Unknown("period", period, "one of " + ", ".join(f"{a}-{b}" for a, b in held))
    summary = store.memo(("flow-summary", lens, edition),
                         lambda: lens_flows(con, frame, get_lens(lens)))
    if period is not None:
        summary = summary.filter((pl.col("period_start") == start) & (pl.col("period_end") == end))
    summary = summary.filter(pl.col("sex") == sex)
    method = settings.get("method", "demo")
    return {"lens": lens, "edition": edition, "method": method, "settings": settings,
            "caption": _caption(method, settings) + "; a period takes each corridor's category "
                       "in its start year", "rows": summary.to_dicts(),
            "sources": provenance.sources(con, reference.income_sources(con), [edition])}


def corridor_flows_or_missing(store: Store, con: duckdb.DuckDBPyConnection, origin: str,
                               destination: str) -> dict[str, Any]:
    """The corridor page's flows (both directions per period and sex), or why there are none."""
    try:
        return corridor_flows(store, con, origin, destination, None)
    except HTTPException as error:
        return {"missing": error.detail}
