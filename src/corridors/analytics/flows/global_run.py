"""Flows for every country pair in the store: one run per period and sex.

For a period ``year_start -> year_end`` and a sex the two stock tables are built from the store:

- off the diagonal, ``migrant_stock`` (origin = place of birth, destination = place of residence;
  ``XXX`` = the UN's "Other" origins, kept as a birthplace with no home);
- on the diagonal, the **native-born at home** = total population (``population`` table) minus all
  immigrants living there. Table 2 of the IMS destination workbook gives population by sex for most
  countries; where a country's population by sex is missing (small territories, ``..`` in the
  source) the native-born of both sexes together are split half and half between men and women. A
  negative difference (immigrants above the population, possible when the two series come from
  different sources) is set to zero and counted in the run's diagnostics.

The store holds no births or deaths, so the default run is the closed demographic-accounting model
with the ``native`` birthplace match: the change in the world-wide total of each birthplace group is
treated as natural change of its native-born at home. Published estimates (Abel 2018; Abel & Cohen
2019) subtract WPP births and deaths instead; see docs/flows.md for what that leaves out.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

import duckdb
import numpy as np
import polars as pl

from corridors.analytics.flows.accounting import (
    DEFAULT_MAX_ITER,
    DEFAULT_TOL,
    BirthplaceMatch,
    demographic_accounting,
)
from corridors.analytics.flows.differencing import Decrease, difference
from corridors.analytics.flows.rates import dennett
from corridors.codes import OTHER_ORIGIN
from corridors.errors import CorridorsError
from corridors.store import literal
from corridors.store.frames import parquet_source

STORE_METHODS = ("demo", "diff-zero", "diff-return", "rates-dennett")
#: Every store table :func:`global_flows` reads (the build starts its flows once these are written).
READS = ("migrant_stock", "population")
SEXES = ("male", "female", "total")
FLOW_COLUMNS = ("edition", "method", "settings", "period_start", "period_end", "origin",
                "destination", "sex", "value")


class FlowsQueryError(CorridorsError):
    """A period, sex, method or edition the store cannot answer."""


@dataclass
class PeriodMatrices:
    """The two stock tables of one period and sex, over the same places."""

    places: list[str]
    start: np.ndarray
    end: np.ndarray
    notes: dict = field(default_factory=dict)


@dataclass
class PeriodRun:
    """Diagnostics of one period x sex run."""

    period_start: int
    period_end: int
    sex: str
    places: int
    total: float
    iterations: int
    gap: float
    converged: bool
    seconds: float
    notes: dict


def stock_years(con: duckdb.DuckDBPyConnection, edition: str) -> list[int]:
    """The years with bilateral stocks in an edition, ascending."""
    # values as checked literals, not bound: binding loads pandas (see corridors.store.literal)
    rows = con.execute("SELECT DISTINCT year FROM migrant_stock "
                       f"WHERE edition = {literal(edition)} ORDER BY year").fetchall()
    return [int(r[0]) for r in rows]


def default_edition(con: duckdb.DuckDBPyConnection) -> str:
    """The store's default edition (``analytics.corridors.default_edition``: the one rule of
    :mod:`corridors.store.editions`), as a FlowsQueryError when the store has no stock."""
    from corridors.analytics.corridors import NoDataError
    from corridors.analytics.corridors import default_edition as store_default

    try:
        return store_default(con)
    except NoDataError:
        raise FlowsQueryError("the store has no bilateral migrant stocks: run `corridors build`"
                              ) from None


def periods(con: duckdb.DuckDBPyConnection, edition: str) -> list[tuple[int, int]]:
    """Consecutive pairs of stock years, e.g. (1990, 1995) ... (2015, 2020)."""
    years = stock_years(con, edition)
    return list(zip(years[:-1], years[1:], strict=True))


def parse_period(text: str) -> tuple[int, int]:
    """``"2015-2020"`` -> (2015, 2020), or a FlowsQueryError saying what to type."""
    parts = str(text).replace("–", "-").split("-")
    try:
        start, end = (int(p) for p in parts)
    except ValueError:
        raise FlowsQueryError(f"period {text!r}: expected START-END, e.g. 2015-2020") from None
    if end <= start:
        raise FlowsQueryError(f"period {text!r}: the end year must come after the start year")
    return start, end


#: What one run of :func:`global_flows` has read from the store, by query and arguments: each
#: year is the end of one period and the start of the next, and its stocks of every sex go into
#: the native-born of each sex, so the same figures would otherwise be read up to eight times.
Memo = dict[tuple, object]


def _memoised(memo: Memo | None, key: tuple, compute):
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _stocks(con: duckdb.DuckDBPyConnection, edition: str, year: int, sex: str,
            memo: Memo | None = None) -> pl.DataFrame:
    """A year's stocks of one sex by origin and destination. With a ``memo`` the edition's
    stocks are read in one query, every year and sex at once (a run reads them all)."""
    if memo is not None:
        every = cast(dict[tuple[int, str], pl.DataFrame],
                     _memoised(memo, ("stocks", edition), lambda: _read_edition_stocks(con, edition)))
        if (year, sex) in every:
            return every[(year, sex)]
    return _memoised(memo, ("stocks", edition, year, sex), lambda: _read_stocks(con, edition, year, sex))


def _read_edition_stocks(con: duckdb.DuckDBPyConnection, edition: str
                         ) -> dict[tuple[int, str], pl.DataFrame]:
    """Every year's and sex's stocks of an edition as :func:`_read_stocks` reads one (a year
    without a sex is not in the result: :func:`_read_stocks` gives it, totals as male + female)."""
    frame = con.execute(
        "SELECT year, sex, origin, destination, sum(value) AS value FROM migrant_stock "
        f"WHERE edition = {literal(edition)} AND value IS NOT NULL "
        "GROUP BY year, sex, origin, destination").pl()
    return {(int(year), str(sex)): part.drop("year", "sex") for (year, sex), part
            in frame.partition_by("year", "sex", as_dict=True, maintain_order=False).items()}


def _read_stocks(con: duckdb.DuckDBPyConnection, edition: str, year: int, sex: str) -> pl.DataFrame:
    where = f"edition = {literal(edition)} AND year = {literal(int(year))}"
    frame = con.execute(
        "SELECT origin, destination, sum(value) AS value FROM migrant_stock "
        f"WHERE {where} AND sex = {literal(sex)} AND value IS NOT NULL "
        "GROUP BY origin, destination").pl()
    if frame.height == 0 and sex == "total":
        frame = con.execute(
            "SELECT origin, destination, sum(value) AS value FROM migrant_stock "
            f"WHERE {where} AND sex IN ('male', 'female') AND value IS NOT NULL "
            "GROUP BY origin, destination").pl()
    return frame


def _population(con: duckdb.DuckDBPyConnection, edition: str, year: int) -> pl.DataFrame:
    return con.execute(
        "SELECT iso3, sex, sum(value) AS value FROM population "
        f"WHERE edition = {literal(edition)} AND year = {literal(int(year))} AND iso3 IS NOT NULL "
        "AND value IS NOT NULL GROUP BY iso3, sex").pl()


def native_born(con: duckdb.DuckDBPyConnection, edition: str, population_edition: str, year: int,
                sex: str, memo: Memo | None = None) -> tuple[dict[str, float], dict]:
    """Native-born at home per country for one year and sex, with counts of the assumptions used.
    ``memo``: figures already read by this run (see :data:`Memo`)."""
    return _memoised(memo, ("native_born", edition, population_edition, year, sex),
                     lambda: _native_born(con, edition, population_edition, year, sex, memo))


def _native_born(con: duckdb.DuckDBPyConnection, edition: str, population_edition: str, year: int,
                 sex: str, memo: Memo | None) -> tuple[dict[str, float], dict]:
    pop = _memoised(memo, ("population", population_edition, year),
                    lambda: _population(con, population_edition, year))
    if pop.height == 0:
        raise FlowsQueryError(
            f"no population for {year} in edition {population_edition!r}: the native-born at home "
            "are population minus immigrants; run `corridors build` with the IMS tables")
    pops = {(r["iso3"], r["sex"]): r["value"] for r in pop.iter_rows(named=True)}
    immigrants_by = {}
    for s in ("male", "female", "total"):
        immigrants_by[s] = _memoised(memo, ("immigrants", edition, year, s), lambda s=s: dict(
            _stocks(con, edition, year, s, memo).group_by("destination").agg(pl.col("value").sum())
            .iter_rows()))
    countries = sorted({iso for iso, _ in pops})
    result: dict[str, float] = {}
    notes: dict[str, list[str]] = {"population_by_sex_missing": [], "native_born_negative": []}
    for iso in countries:
        if sex != "total" and (iso, sex) in pops:
            value = pops[(iso, sex)] - immigrants_by[sex].get(iso, 0.0)
        else:
            total_pop = pops.get((iso, "total"))
            if total_pop is None:
                total_pop = pops.get((iso, "male"), 0.0) + pops.get((iso, "female"), 0.0)
            value = total_pop - immigrants_by["total"].get(iso, 0.0)
            if sex != "total":
                notes["population_by_sex_missing"].append(iso)
                value = value / 2.0
        if value < 0:
            notes["native_born_negative"].append(iso)
            value = 0.0
        result[iso] = value
    return result, notes


def period_matrices(con: duckdb.DuckDBPyConnection, edition: str, year_start: int, year_end: int,
                    sex: str, population_edition: str | None = None,
                    memo: Memo | None = None) -> PeriodMatrices:
    """The start and end stock tables (rows = birthplace, columns = residence) for a period.
    ``memo``: figures already read by this run (see :data:`Memo`)."""
    population_edition = population_edition or edition
    years = _memoised(memo, ("years", edition), lambda: stock_years(con, edition))
    for y in (year_start, year_end):
        if y not in years:
            raise FlowsQueryError(f"edition {edition!r} has no stocks for {y}; years: "
                                  + ", ".join(map(str, years)))
    frames = [_stocks(con, edition, y, sex, memo) for y in (year_start, year_end)]
    if any(f.height == 0 for f in frames):
        raise FlowsQueryError(f"edition {edition!r} has no {sex} stocks for {year_start} or "
                              f"{year_end}")
    natives = [native_born(con, edition, population_edition, y, sex, memo)
               for y in (year_start, year_end)]
    places = sorted(set().union(*(set(f["origin"].unique().to_list())
                                  | set(f["destination"].unique().to_list()) for f in frames),
                                *(set(n[0]) for n in natives)))
    index = {p: i for i, p in enumerate(places)}
    mats = []
    for frame, (nb, _) in zip(frames, natives, strict=True):
        m = np.zeros((len(places), len(places)))
        o = frame["origin"].replace_strict(index, return_dtype=pl.Int64).to_numpy()
        d = frame["destination"].replace_strict(index, return_dtype=pl.Int64).to_numpy()
        np.add.at(m, (o, d), frame["value"].to_numpy())
        np.fill_diagonal(m, 0.0)  # a country's own-born are the native-born, set below
        for iso, value in nb.items():
            m[index[iso], index[iso]] = value
        mats.append(m)
    notes = {f"{k}_{y}": v for y, (_, n) in zip((year_start, year_end), natives, strict=True)
             for k, v in n.items() if v}
    return PeriodMatrices(places, mats[0], mats[1], notes)


def _estimate(matrices: PeriodMatrices, method: str, birthplace_match: str, tol: float,
              max_iter: int) -> tuple[np.ndarray, int, float, bool, dict]:
    if method == "demo":
        # demographic_accounting rejects a value outside BirthplaceMatch (ValueError)
        r = demographic_accounting(matrices.start, matrices.end,
                                   birthplace_match=cast(BirthplaceMatch, birthplace_match),
                                   tol=tol, max_iter=max_iter)
        return r.flows, r.iterations, r.gap, r.converged, r.notes
    if method in ("diff-zero", "diff-return"):
        decrease: Decrease = "zero" if method == "diff-zero" else "return"
        return difference(matrices.start, matrices.end, decrease), 0, 0.0, True, {}
    if method == "rates-dennett":
        return dennett(matrices.start, matrices.end), 0, 0.0, True, {}
    raise FlowsQueryError(f"method {method!r} over the store: choose one of "
                          + ", ".join(STORE_METHODS))


def method_settings(method: str, birthplace_match: str, tol: float, max_iter: int,
                    population_edition: str) -> dict:
    """The settings stored with every flow: enough to rerun it."""
    settings: dict[str, object] = {"method": method, "population_edition": population_edition,
                "native_born": "population minus immigrants; split 50/50 by sex where population "
                               "by sex is missing; negatives set to 0",
                "births_deaths": "none in the store"}
    if method == "demo":
        settings.update({"birthplace_match": birthplace_match, "stayers": True,
                         "tol": tol, "max_iter": max_iter})
    return settings


def global_flows(con: duckdb.DuckDBPyConnection, *, edition: str | None = None,
                 period_list: Sequence[tuple[int, int]] | None = None,
                 sexes: Iterable[str] = ("male", "female"), method: str = "demo",
                 birthplace_match: str = "native", population_edition: str | None = None,
                 tol: float = DEFAULT_TOL, max_iter: int = DEFAULT_MAX_ITER,
                 min_flow: float = 0.0) -> tuple[pl.DataFrame, list[PeriodRun]]:
    """Flows for all country pairs, each period and sex: a long frame with the columns of the
    ``flows`` table (see :data:`FLOW_COLUMNS`) and one :class:`PeriodRun` per run.

    Flows of at most ``min_flow`` persons are left out (zeros always are). Flows from or to the
    ``XXX`` pseudo-place ("Other" origins have no home) are dropped; moves of XXX-born people
    between countries are kept.
    """
    edition = edition or default_edition(con)
    population_edition = population_edition or edition
    if method not in STORE_METHODS:
        raise FlowsQueryError(f"method {method!r} over the store: choose one of "
                              + ", ".join(STORE_METHODS))
    sexes = list(sexes)
    for s in sexes:
        if s not in SEXES:
            raise FlowsQueryError(f"sex {s!r}: choose male, female or total")
    period_list = list(period_list or periods(con, edition))
    settings_json = json.dumps(method_settings(method, birthplace_match, tol, max_iter,
                                               population_edition), sort_keys=True)
    parts: list[pl.DataFrame] = []
    runs: list[PeriodRun] = []
    memo: Memo = {}
    for start, end in period_list:
        for sex in sexes:
            t0 = time.perf_counter()
            mats = period_matrices(con, edition, start, end, sex, population_edition, memo)
            flows, iterations, gap, converged, notes = _estimate(mats, method, birthplace_match,
                                                                 tol, max_iter)
            places = pl.Series(mats.places, dtype=pl.String)
            if OTHER_ORIGIN in mats.places:
                k = mats.places.index(OTHER_ORIGIN)
                notes["dropped_other_pseudo_home"] = float(flows[k, :].sum() + flows[:, k].sum())
                flows[k, :] = 0.0
                flows[:, k] = 0.0
            o, d = np.nonzero(flows > min_flow)
            parts.append(pl.DataFrame({
                "origin": places.gather(o), "destination": places.gather(d), "value": flows[o, d],
            }).with_columns(period_start=pl.lit(start, pl.Int32), period_end=pl.lit(end, pl.Int32),
                            sex=pl.lit(sex)))
            runs.append(PeriodRun(start, end, sex, len(mats.places), float(flows.sum()),
                                  iterations, gap, converged, time.perf_counter() - t0,
                                  {**mats.notes, **notes}))
    frame = pl.concat(parts) if parts else pl.DataFrame(
        schema={"origin": pl.String, "destination": pl.String, "value": pl.Float64,
                "period_start": pl.Int32, "period_end": pl.Int32, "sex": pl.String})
    frame = frame.with_columns(edition=pl.lit(edition), method=pl.lit(method),
                               settings=pl.lit(settings_json)).select(FLOW_COLUMNS)
    return frame, runs


#: Where a flows frame came from, for captions: read from the store or estimated now.
STORED = "stored"
ESTIMATED = "estimated"


def stored_flows(con: duckdb.DuckDBPyConnection, *, edition: str,
                 period_list: Sequence[tuple[int, int]], sexes: Iterable[str],
                 method: str = "demo", birthplace_match: str = "native",
                 population_edition: str | None = None, tol: float = DEFAULT_TOL,
                 max_iter: int = DEFAULT_MAX_ITER) -> pl.DataFrame | None:
    """The store's saved ``flows`` rows for these periods and sexes, or None unless the table
    holds every one of them estimated with exactly these settings (method, birthplace match,
    tolerance, iteration limit, population edition).

    ``corridors build`` saves the default run (demographic accounting, ``native`` match) of the
    latest edition with population, men and women; anything else is estimated on demand.
    """
    exists = con.execute("SELECT count(*) FROM information_schema.tables "
                         "WHERE table_name = 'flows'").fetchone()
    if not exists or not exists[0]:
        return None
    sexes = list(sexes)
    wanted = json.loads(json.dumps(method_settings(method, birthplace_match, tol, max_iter,
                                                   population_edition or edition)))
    held = con.execute(
        "SELECT DISTINCT period_start, period_end, sex, settings FROM flows "
        "WHERE edition = ? AND method = ?", [edition, method]).fetchall()
    matching = {(int(a), int(b), s) for a, b, s, text in held if json.loads(text) == wanted}
    complete = all((a, b, s) in matching for a, b in period_list for s in sexes)
    if not period_list or not sexes or not complete:
        return None  # nothing asked (an edition without periods) or not all of it saved
    pairs = [f"{a}-{b}" for a, b in period_list]
    text = next(t for *_, t in held if json.loads(t) == wanted)
    # the settings text is the same on every row: added once as a literal, not read 300,000 times
    frame = con.execute(
        "SELECT edition, method, period_start, period_end, origin, destination, sex, value "
        "FROM flows WHERE edition = ? AND method = ? AND list_contains(?, sex) "
        "AND list_contains(?, period_start || '-' || period_end) AND settings = ?",
        [edition, method, sexes, pairs, text]).pl()
    return frame.with_columns(pl.col("period_start", "period_end").cast(pl.Int32),
                              settings=pl.lit(text)).select(FLOW_COLUMNS)


def load_flows(con: duckdb.DuckDBPyConnection, *, edition: str | None = None,
               period_list: Sequence[tuple[int, int]] | None = None,
               sexes: Iterable[str] = ("male", "female"), method: str = "demo",
               birthplace_match: str = "native", tol: float = DEFAULT_TOL,
               max_iter: int = DEFAULT_MAX_ITER) -> tuple[pl.DataFrame, str, list[PeriodRun]]:
    """Flows for these periods and sexes: read from the store's ``flows`` table when it holds
    them with these settings (fast), else estimated now with :func:`global_flows`.

    Returns the frame, where it came from (:data:`STORED` or :data:`ESTIMATED`) and the runs'
    diagnostics (empty when read from the store: the build stops on a run that does not converge).
    """
    edition = edition or default_edition(con)
    period_list = list(period_list or periods(con, edition))
    sexes = list(sexes)
    frame = stored_flows(con, edition=edition, period_list=period_list, sexes=sexes,
                         method=method, birthplace_match=birthplace_match, tol=tol,
                         max_iter=max_iter)
    if frame is not None:
        return frame, STORED, []
    frame, runs = global_flows(con, edition=edition, period_list=period_list, sexes=sexes,
                               method=method, birthplace_match=birthplace_match, tol=tol,
                               max_iter=max_iter)
    return frame, ESTIMATED, runs


def write_flows(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> int:
    """Create or replace the store's ``flows`` table with ``frame`` (columns
    :data:`FLOW_COLUMNS`); returns the number of rows written."""
    missing = [c for c in FLOW_COLUMNS if c not in frame.columns]
    if missing:
        raise FlowsQueryError("a flows frame needs the columns " + ", ".join(missing))
    # edition, method and settings are the same on every row of a run: written as one value
    # each rather than handed over 300,000 times (the settings text is a few hundred characters)
    same = {c: frame[c][0] for c in ("edition", "method", "settings")
            if frame.height and frame[c].null_count() == 0 and bool((frame[c] == frame[c][0]).all())}
    con.execute(
        "CREATE OR REPLACE TABLE flows (edition VARCHAR, method VARCHAR, settings VARCHAR, "
        "period_start INTEGER, period_end INTEGER, origin VARCHAR, destination VARCHAR, "
        "sex VARCHAR, value DOUBLE)")
    columns = ", ".join(f"{literal(str(same[c]))}::VARCHAR AS {c}" if c in same else c
                        for c in FLOW_COLUMNS)
    with parquet_source(frame.select([c for c in FLOW_COLUMNS if c not in same])) as data:
        con.execute(f"INSERT INTO flows SELECT {columns} FROM {data}")
    return frame.height
