"""The Python API: one object over the store, returning polars frames.

>>> from corridors import Observatory
>>> obs = Observatory()                       # the store built by `corridors build`
>>> obs.stock(origin="VEN", destination="COL", year=2020)          # doctest: +SKIP
>>> obs.summary_by_category("wb-lmic", year=2020).to_pandas()       # doctest: +SKIP
>>> obs.country_profile("KEN", year=2020).immigrants                # doctest: +SKIP

Every frame converts with ``.to_pandas()`` or ``.to_arrow()``. Lenses are named by id
(``wb-lmic``, ``wb-non-high``, ``un-developing``, ``gfmd-2018`` or a custom lens file's id).
The CLI, the REST API and the dashboard call the same analytics functions, so numbers agree.

The observatory owns the connection, the selection (:meth:`Observatory.select`: the edition,
year, sex and lens a question is asked over, resolved by the one default rule of
:mod:`corridors.analytics.selection`) and the provenance look-up (:meth:`Observatory.provenance`).
Importing it loads DuckDB only; the data-frame libraries load with the first method that needs
them, so the CLI's quick answers stay quick.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

import corridors.store as store
from corridors.analytics import reference, stocks
from corridors.analytics.selection import Selection, select
from corridors.store import provenance as provenance_table
from corridors.store.lookups import lookup

if TYPE_CHECKING:
    import polars as pl


def _lens_list(lenses: str | Sequence[str] | None):
    from corridors.analytics.lenses import get_lens

    if lenses is None:
        return None
    if isinstance(lenses, str):
        lenses = [lenses]
    return [get_lens(lens) for lens in lenses]


def _years(year: int | Sequence[int] | None) -> list[int] | None:
    if year is None:
        return None
    return [year] if isinstance(year, int) else list(year)


class Observatory:
    """Read-only access to a built store: stocks, South–South lenses, profiles, flows,
    governance, and the provenance of every figure."""

    def __init__(self, path: Path | str | None = None, *,
                 con: duckdb.DuckDBPyConnection | None = None, read_only: bool = True):
        """Open the store at ``path`` (default: the one ``corridors build`` made; read-only unless
        ``read_only=False``, for saving flows into it), or ask over a connection already open
        (``con``: e.g. a served request's cursor; it stays the caller's to close)."""
        self._owned = con is None
        self.con: duckdb.DuckDBPyConnection = (
            store.connect(Path(path) if path else None, read_only=read_only) if con is None else con)

    @classmethod
    def over(cls, con: duckdb.DuckDBPyConnection) -> Observatory:
        """The observatory over an open connection (the REST API's request cursor)."""
        return cls(con=con)

    def __enter__(self) -> Observatory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owned:
            self.con.close()

    # --- the selection (edition, year, sex, lens) -------------------------------------------
    def select(self, edition: str | None = None, year: int | None = None, sex: str | None = None,
               lens: str | None = None) -> Selection:
        """The edition, year, sex and lens a question is asked over, each named one checked and
        the rest resolved by the one default rule of :mod:`corridors.analytics.selection`
        (newest edition, its latest year, total, ``wb-lmic``); ``.years``: the edition's years."""
        return select(self.con, edition, year, sex, lens)

    # --- stocks ---------------------------------------------------------------------------
    def stock(self, origin: str | int | None = None, destination: str | int | None = None,
              year: int | None = None, sex: str = "total", edition: str | None = None
              ) -> pl.DataFrame:
        """Migrant stock (persons); omitted origin/destination = all, summed."""
        return stocks.stock(self.con, origin, destination, year, sex, edition)

    def editions(self) -> list[str]:
        """Editions of bilateral stock in the store, newest first."""
        return stocks.editions(self.con)

    def default_edition(self) -> str:
        """The edition every method uses when none is given (the one rule of
        :mod:`corridors.store.editions`: the newest in the store), as the CLI and the API."""
        return stocks.latest_edition(self.con)

    def countries(self) -> pl.DataFrame:
        return self.con.execute("SELECT * FROM countries ORDER BY iso3").pl()

    # --- South–South lenses (issue 3) ---------------------------------------------------
    def corridors(self, lenses: str | Sequence[str] | None = None, year: int | Sequence[int] | None = None,
                  sex: str = "total", edition: str | None = None, origin: str | None = None,
                  destination: str | None = None) -> pl.DataFrame:
        """The corridor table: stock, shares, change, growth, female share, category per lens,
        contiguity, same region and community."""
        from corridors.analytics.corridors import corridor_table

        return corridor_table(self.con, edition=edition, years=_years(year), sex=sex,
                              lenses=_lens_list(lenses), origin=origin, destination=destination)

    def summary_by_category(self, lenses: str | Sequence[str] | None = None,
                            year: int | Sequence[int] | None = None, sex: str = "total",
                            edition: str | None = None) -> pl.DataFrame:
        """Totals and shares of South–South, South–North, North–South, North–North."""
        from corridors.analytics.regions import category_summary

        return category_summary(self.con, lenses=_lens_list(lenses), edition=edition,
                                years=_years(year), sex=sex)

    def regional_shares(self, grouping: str = "continent", year: int | Sequence[int] | None = None,
                        sex: str = "total", edition: str | None = None) -> pl.DataFrame:
        """Intra-group shares from the origin and destination views (continent, sdg-region,
        un-subregion, income, rec, ...)."""
        from corridors.analytics.regions import intra_group_shares

        return intra_group_shares(self.con, grouping=grouping, edition=edition, years=_years(year), sex=sex)

    def contiguity_share(self, lenses: str | Sequence[str] | None = None,
                         year: int | Sequence[int] | None = None, sex: str = "total",
                         edition: str | None = None) -> pl.DataFrame:
        """Share of South–South stock between land neighbours."""
        from corridors.analytics.regions import contiguity_share

        return contiguity_share(self.con, lenses=_lens_list(lenses), edition=edition,
                                years=_years(year), sex=sex)

    def top_corridors(self, lenses: str | Sequence[str] | None = None,
                      year: int | Sequence[int] | None = None, by: str = "stock", n: int = 20,
                      sex: str = "total", category: str | None = None,
                      edition: str | None = None) -> pl.DataFrame:
        from corridors.analytics.regions import top_corridors

        return top_corridors(self.con, lenses=_lens_list(lenses), edition=edition, years=_years(year),
                             sex=sex, by=by, category=category, n=n)

    def country_profile(self, country: str, year: int | None = None, lens: str = "wb-lmic",
                        edition: str | None = None):
        """Immigrants, emigrants, shares, top origins and destinations, trends, income groups."""
        from corridors.analytics.lenses import get_lens
        from corridors.analytics.profiles import country_profile

        return country_profile(self.con, country, edition=edition, year=year,
                               lens=get_lens(lens))

    def corridor_profile(self, origin: str, destination: str, edition: str | None = None):
        from corridors.analytics.profiles import corridor_profile

        return corridor_profile(self.con, origin, destination, edition=edition)

    # --- flows (issue 7) ----------------------------------------------------------------
    def flows(self, edition: str | None = None, method: str = "demo") -> pl.DataFrame:
        """Flows from stocks for every period, sex and country pair (saved, else estimated)."""
        from corridors.analytics.flows.global_run import load_flows

        frame, _where, _runs = load_flows(self.con, edition=edition, method=method)
        return frame

    def flows_by_category(self, lenses: str | Sequence[str] | None = None,
                          edition: str | None = None) -> pl.DataFrame:
        """Flow totals and shares per lens, period, sex and category."""
        from corridors.analytics.flows.lenses import lens_flows

        return lens_flows(self.con, self.flows(edition), _lens_list(lenses))

    def corridor_flows(self, origin: str, destination: str, edition: str | None = None
                       ) -> pl.DataFrame:
        from corridors.analytics.flows.summaries import corridor
        from corridors.analytics.profiles import resolve_country

        # one country at each end: "ALL" (resolve_code's None) is no corridor
        return corridor(self.flows(edition), resolve_country(self.con, origin),
                        resolve_country(self.con, destination))

    @staticmethod
    def estimate_flows(stock_start: Any, stock_end: Any, births: Any = None, deaths: Any = None,
                       **options: Any) -> Any:
        """Flows from your own stock matrices (CSV paths, or arrays with ``places=``), as
        ``corridors flows estimate --stock-start ... --stock-end ...``; needs no store.

        Options: ``seed`` (e.g. a distance matrix, path or array), ``method`` (default demo),
        ``birthplace_match`` (default rescale), ``stayers``, ``total``, ``tol``, ``max_iter``,
        ``rescale_tol``. Returns an :class:`~corridors.analytics.flows.own_matrices.OwnFlows`
        with ``flows``, ``total``, ``frame()``, ``excess_births``, ``settings``, ``notes``.
        """
        from corridors.analytics.flows.own_matrices import estimate_own_flows

        return estimate_own_flows(stock_start, stock_end, births, deaths, **options)

    # --- governance (issue 5) -------------------------------------------------------------
    def scorecard(self, origin: str, destination: str, year: int, edition: str | None = None):
        """Stock and trend beside both ends' instruments, communities, agreements, coverage."""
        from corridors.analytics.scorecard import scorecard

        return scorecard(self.con, origin, destination, year, edition=edition)

    def weakest_coverage(self, lens: str, year: int, top: int = 20):
        """The largest South–South corridors ranked by weakest governance coverage."""
        from corridors.analytics.scorecard import rank

        return rank(self.con, lens, year, top=top)

    # --- provenance -----------------------------------------------------------------------
    def sources(self) -> pl.DataFrame:
        """Provenance of every file in the store: edition, licence, sha256, where it came from."""
        return provenance_table.read(self.con).pl()

    def provenance(self, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """The provenance rows of the sources ``ids`` (default: every file in the store), as
        records: source, publisher, title, edition, licence, url, file, sha256, fetched at."""
        return reference.provenance(self.con, ids)

    # --- reference ------------------------------------------------------------------------
    def groups(self, grouping: str, year: int | None = None) -> list[dict[str, Any]]:
        """The groups of a grouping (continent, un-subregion, sdg-region, ims-region,
        development; income and rec in ``year``, default: the default selection's year) with
        their member ISO3 codes (rec: full members only)."""
        if grouping in reference.TIMED_GROUPINGS and year is None:
            year = self.select().year
        return reference.groups(self.con, grouping, year)

    def summary(self) -> dict[str, pl.DataFrame]:
        from corridors.analytics.overview import store_summary

        return store_summary(self.con)

    def sql(self, query: str, params: list[Any] | None = None) -> pl.DataFrame:
        """Any read-only SQL over the store's tables (see docs/store.md)."""
        return self.con.execute(query, params or []).pl()


def selection(con: duckdb.DuckDBPyConnection, edition: str | None = None) -> Selection:
    """The edition asked for (checked) or the default one, with its years and default year: the
    Observatory's selection (:meth:`corridors.observatory.Observatory.select`, the one default
    rule), resolved once per store file (:func:`corridors.store.lookups.lookup`)."""
    return lookup(con, ("selection", edition), lambda: Observatory.over(con).select(edition))


def edition_or_newest(con: duckdb.DuckDBPyConnection, edition: str | None = None) -> str:
    """The edition asked for (checked), else the newest in the store (:func:`selection`)."""
    return selection(con, edition).edition


def years_of(con: duckdb.DuckDBPyConnection, edition: str) -> list[int]:
    """The years of an edition's bilateral stock (:func:`selection`)."""
    return list(selection(con, edition).years)
