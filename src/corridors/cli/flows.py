"""`corridors flows estimate|corridor|regions|lenses`: migration flows from stocks, for every country pair
in the store (saved by the build or estimated on demand) or for a user's own matrices."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from corridors.analytics.choices import DEFAULT_MAX_ITER, DEFAULT_RESCALE_TOL, DEFAULT_TOL
from corridors.cli._observatory import observatory
from corridors.cli._output import Format, commands, console, console_err, emit
from corridors.cli.ssm import people
from corridors.codes import code_for
from corridors.errors import CorridorsError

ORDER = 60

flows_app = commands(
    help="Migration flows estimated from changes in bilateral stocks (Abel 2013; Abel & Sander "
         "2014; Abel 2018; Abel & Cohen 2019): for every country pair in the store, or for your "
         "own census or sub-national matrices.",
    no_args_is_help=True,
)


class Method(StrEnum):
    demo = "demo"
    diff_zero = "diff-zero"
    diff_return = "diff-return"
    rates_dennett = "rates-dennett"
    rates_rvr = "rates-rvr"


class Match(StrEnum):
    rescale = "rescale"
    open = "open"
    open_dr = "open-dr"
    native = "native"


class Sex(StrEnum):
    both = "both"
    male = "male"
    female = "female"
    total = "total"


METHOD_HELP = (
    "demo = demographic accounting (stayers + quasi-independence IPF; default); diff-zero / "
    "diff-return = stock differencing (falls ignored / read as returns); rates-dennett = a total "
    "shared by start stocks; rates-rvr = Rogers & von Rabenau (own matrices only; can be negative)."
)
MATCH_HELP = (
    "demo only: how birthplace totals are made equal. rescale (default for your matrices: native-"
    "born adjusted to the global balance, both tables fitted to the midpoint birthplace totals, "
    "as Abel & Sander 2014), open "
    "(moves in/out of the system), open-dr, native (default over the store: the gap is natural "
    "change at home, for when births and deaths are unknown)."
)


def _sourced(con, edition: str, caption: str, *, lenses: bool = False) -> str:
    """A caption followed by the sources footer of the stock commands, for flows estimated from
    ``edition`` (its stock and population; the lenses' classifications too)."""
    from corridors.analytics.flows.summaries import sources
    from corridors.store.provenance import caption as sources_caption

    return f"{caption} {sources_caption(sources(con, edition, lenses=lenses))}."


def _source_text(source: str) -> str:
    from corridors.analytics.flows.global_run import STORED

    return ("read from the store's saved `flows` table" if source == STORED
            else "estimated now (the store's `flows` table does not hold these settings)")


def _sexes(sex: Sex) -> list[str]:
    return ["male", "female"] if sex is Sex.both else [sex.value]


def _own_matrices(stock_start: Path, stock_end: Path, births: Path | None, deaths: Path | None,
                  seed: Path | None, method: Method, match: Match | None, stayers: bool,
                  total: float | None, tol: float, max_iter: int, rescale_tol: float,
                  fmt: Format) -> None:
    from corridors.analytics.flows.own_matrices import estimate_own_flows

    result = estimate_own_flows(stock_start, stock_end, births, deaths, seed=seed,
                                method=method.value, birthplace_match=match.value if match else None,
                                stayers=stayers, total=total, tol=tol, max_iter=max_iter,
                                rescale_tol=rescale_tol)
    if fmt is Format.json:
        emit(result.report(), fmt)
        return
    excess = result.excess_births
    if fmt is Format.csv:
        emit(result.records(), fmt)
        for row in excess:
            console_err.print(f"[yellow]excess births:[/] {row['place']}: {row['births']:,.6g} births, "
                              f"{row['native_born_end']:,.6g} native-born at home at the end; "
                              f"{row['treatment']}", highlight=False)
        return
    emit(result.records(), fmt, title="Estimated flows (origin -> destination)",
         caption=f"{result.caption}; total {result.total:,.2f}")
    if excess:
        emit([{k: row[k] for k in ("place", "births", "native_born_end", "excess")} for row in excess],
             fmt, title="Births above the native-born at home at the end",
             caption="Their births were taken off all the place's end residents in proportion to "
                     "their stocks by birthplace, as in Abel (2018); check the births if this is "
                     "unexpected.")


def estimate_command(
    stock_start: Path | None = typer.Option(None, "--stock-start", help="Your stock matrix at the start "
                                     "(CSV: header row of place codes, first column place of birth)."),
    stock_end: Path | None = typer.Option(None, "--stock-end", help="Your stock matrix at the end."),
    births: Path | None = typer.Option(None, "--births", help="Births per place over the period "
                                "(CSV place,value); with --deaths."),
    deaths: Path | None = typer.Option(None, "--deaths", help="Deaths per place over the period "
                                "(CSV place,value); with --births."),
    period: str | None = typer.Option(None, "--period", help="Over the store: a period such as 2015-2020 "
                               "(default: every period of the edition)."),
    sex: Sex = typer.Option(Sex.both, "--sex", help="Over the store: both (male and female runs), "
                            "male, female or total."),
    method: Method = typer.Option(Method.demo, "--method", "-m", help=METHOD_HELP),
    match: Match | None = typer.Option(None, "--birthplace-match", help=MATCH_HELP),
    total: float | None = typer.Option(None, "--total", help="rates-dennett: total movers M (default: "
                                "sum of |change in residence totals|)."),
    edition: str | None = typer.Option(None, "--edition", help="Over the store: ims2024, "
                                "ims2020, ... (default: the newest in the store)."),
    tol: float = typer.Option(DEFAULT_TOL, "--tol", help="IPF tolerance: largest margin gap "
                              "relative to the largest margin."),
    max_iter: int = typer.Option(DEFAULT_MAX_ITER, "--max-iter", help="IPF iteration limit "
                                 "(non-convergence stops with an error)."),
    seed_matrix: Path | None = typer.Option(None, "--seed-matrix", help="Your matrices, demo: auxiliary "
                                     "origin x destination weights (CSV in the stock layout, "
                                     "origin in the first column), e.g. a distance matrix as in "
                                     "Abel (2018). Shapes the moves with --no-stayers; under the "
                                     "stayer assumption it does not change them (as in the "
                                     "reference)."),
    stayers: bool = typer.Option(True, "--stayers/--no-stayers", help="Your matrices, demo: hold "
                                 "stayers at min(start, end) (default) or fit the independence "
                                 "model with stayers free (Azose & Raftery 2019)."),
    rescale_tol: float = typer.Option(DEFAULT_RESCALE_TOL, "--rescale-tol", help="Your matrices, "
                                      "demo with rescale: stop the birthplace-total fit when no "
                                      "cell moves by this many persons in a sweep (0.001 as the "
                                      "reference; lower runs it further)."),
    top: int = typer.Option(25, "--top", "-n", help="Over the store: largest flows to show per "
                            "period and sex (0 = all)."),
    save: bool = typer.Option(False, "--save", help="Over the store: write the flows to the "
                              "store's `flows` table (replacing it)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """Estimate flows from two stock tables: yours (--stock-start/--stock-end) or the store's.

    Examples:

      corridors flows estimate --stock-start s2010.csv --stock-end s2015.csv --method demo --format json

      corridors flows estimate --stock-start s1.csv --stock-end s2.csv --births b.csv --deaths d.csv

      corridors flows estimate --period 2015-2020 --sex female --top 10
    """
    import polars as pl

    from corridors.analytics.flows.global_run import (
        default_edition,
        global_flows,
        load_flows,
        parse_period,
        periods,
        write_flows,
    )
    from corridors.analytics.flows.summaries import period_totals

    if stock_start or stock_end:
        if not (stock_start and stock_end):
            raise CorridorsError("give both --stock-start and --stock-end")
        if period or save or edition:
            raise CorridorsError("--period, --edition and --save apply to the store, not to your "
                                 "own matrices")
        _own_matrices(stock_start, stock_end, births, deaths, seed_matrix, method, match, stayers,
                      total, tol, max_iter, rescale_tol, fmt)
        return
    if births or deaths or total is not None or seed_matrix or not stayers:
        raise CorridorsError("--births, --deaths, --total, --seed-matrix and --no-stayers apply to "
                             "your own matrices (--stock-start/--stock-end); the store has no "
                             "births or deaths")
    if method is Method.rates_rvr:
        raise CorridorsError("rates-rvr solves one equation per pair and birthplace: use it on your "
                             "own matrices; over the store choose demo, diff-zero, diff-return or "
                             "rates-dennett")
    con = observatory(read_only=not save).con
    edition = edition or default_edition(con)
    period_list = [parse_period(period)] if period else periods(con, edition)
    options: dict[str, Any] = {"edition": edition, "period_list": period_list, "sexes": _sexes(sex),
               "method": method.value, "birthplace_match": (match or Match.native).value,
               "tol": tol, "max_iter": max_iter}
    if save:  # --save always estimates: it is how a user refreshes the stored table
        frame, runs = global_flows(con, **options)
        source = "estimated now"
    else:
        frame, source, runs = load_flows(con, **options)
        source = _source_text(source)
    if save:
        n = write_flows(con, frame)
        console_err.print(f"[green]saved[/] {n:,} flows to the store's `flows` table")
    shown = frame.drop("settings", "edition", "method")
    if top:
        shown = (shown.sort("value", descending=True)
                 .group_by(["period_start", "period_end", "sex"], maintain_order=True).head(top))
    shown = shown.sort(["period_start", "sex", "value"], descending=[False, False, True])
    if fmt is Format.table:
        totals = period_totals(frame)
        emit(totals, fmt, title=f"Total estimated flows, {edition} ({method.value})")
        for run in runs:
            if not run.converged:
                console.print(f"[red]not converged:[/] {run.period_start}-{run.period_end} {run.sex}")
    emit(shown.with_columns(pl.col("value").round(0)), fmt,
         title=f"Largest flows ({method.value}, {edition})" if top else None,
         caption=_sourced(con, edition, f"{source}. Native-born = population minus immigrants; no "
                          "births/deaths in the store (see docs/flows.md)."))


def corridor_command(
    origin: str = typer.Argument(..., help="Origin country: ISO3, M49 or name."),
    destination: str = typer.Argument(..., help="Destination country: ISO3, M49 or name."),
    sex: Sex = typer.Option(Sex.both, "--sex", help="both (male and female), male, female or total."),
    method: Method = typer.Option(Method.demo, "--method", "-m", help=METHOD_HELP),
    edition: str | None = typer.Option(None, "--edition", help="ims2024, ims2020, ... (default: the "
                                "newest in the store, see `corridors summary`)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """Flows along one corridor in each period, both ways, with the net flow.

    Uses the store's saved `flows` table when it holds this method and edition, otherwise
    estimates all periods on the fly (a few seconds).
    """
    import polars as pl

    from corridors.analytics.flows.global_run import FlowsQueryError, default_edition, load_flows
    from corridors.analytics.flows.summaries import corridor

    codes_ = []
    for text in (origin, destination):
        code = code_for(text)
        if code is None:
            raise CorridorsError(f"unknown country {text!r}: use an ISO3 code (e.g. KEN), an M49 "
                                 "number or a name as `corridors countries` lists it")
        codes_.append(code)
    if method is Method.rates_rvr:
        raise CorridorsError("rates-rvr is for your own matrices: see `corridors flows estimate`")
    con = observatory().con
    edition = edition or default_edition(con)
    frame, source, _ = load_flows(con, edition=edition, sexes=_sexes(sex), method=method.value)
    source = _source_text(source)
    result = corridor(frame, *codes_)
    if result.height == 0:
        raise FlowsQueryError(f"no flows for {edition} {method.value}")
    result = result.with_columns(pl.col("flow", "reverse_flow", "net").round(0))
    if fmt is Format.table:
        result = result.drop("origin", "destination", "edition", "method")
    emit(result, fmt,
         title=f"Flows {codes_[0]} -> {codes_[1]} ({method.value}, {edition})",
         caption=_sourced(con, edition, f"{source}; net = flow - reverse flow. Method and "
                          "assumptions: docs/flows.md."))


def regions_command(
    by: str = typer.Option("sdg_region", "--by", help="sdg_region, continent, ims_region or "
                           "un_subregion (from the store's countries table)."),
    period: str | None = typer.Option(None, "--period", help="A period such as 2015-2020 (default: all)."),
    sex: Sex = typer.Option(Sex.both, "--sex", help="both, male, female or total."),
    lens: str | None = typer.Option(None, "--lens", "-l", help="Only South–South flows under this lens "
                             "(wb-lmic, wb-non-high, un-developing, gfmd-2018 or a custom lens; "
                             "category of the period's start year)."),
    lens_file: Path | None = typer.Option(None, "--lens-file", help="YAML file or folder of custom lenses "
                                   "(default: <home>/user/lenses)."),
    edition: str | None = typer.Option(None, "--edition", help="Edition (default: the newest in the store)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """Region-to-region flows per period (demographic accounting over the store).

    Example: `corridors flows regions --by continent --period 2015-2020 --lens wb-lmic`
    """
    import polars as pl

    from corridors.analytics.flows.global_run import (
        default_edition,
        load_flows,
        parse_period,
        periods,
    )
    from corridors.analytics.flows.lenses import south_south_flows
    from corridors.analytics.flows.summaries import regional_flows
    from corridors.analytics.lenses import get_lens

    chosen = get_lens(lens, lens_file) if lens else None
    con = observatory().con
    edition = edition or default_edition(con)
    period_list = [parse_period(period)] if period else periods(con, edition)
    frame, source, _ = load_flows(con, edition=edition, period_list=period_list, sexes=_sexes(sex))
    title = f"Flows between regions ({by}, {edition})"
    if chosen is not None:
        frame = south_south_flows(con, frame, chosen)
        title = f"South–South flows between regions — lens {chosen.id} ({by}, {edition})"
    out = regional_flows(con, frame, by)
    emit(out.with_columns(pl.col("value").round(0)), fmt, title=title,
         caption=_sourced(con, edition, f"{_source_text(source)}; demographic accounting, native "
                          "match (docs/flows.md).", lenses=chosen is not None))


def lenses_command(
    lens: list[str] = typer.Option(None, "--lens", "-l", help="Definition(s) of South, repeatable: "
                                   "wb-lmic, wb-non-high, un-developing, gfmd-2018 or a custom lens "
                                   "(`corridors ssm lenses`). Default: the four built-in lenses."),
    period: str | None = typer.Option(None, "--period", help="A period such as 2015-2020 (default: all)."),
    sex: Sex = typer.Option(Sex.both, "--sex", help="both (male + female runs, with each sex "
                            "shown too), male, female or total (estimated now)."),
    method: Method = typer.Option(Method.demo, "--method", "-m", help="demo, diff-zero, "
                                  "diff-return or rates-dennett."),
    lens_file: Path | None = typer.Option(None, "--lens-file", help="YAML file or folder of custom lenses "
                                   "(default: <home>/user/lenses)."),
    edition: str | None = typer.Option(None, "--edition", help="Edition (default: the newest in the store)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, csv or json (one "
                               "object per lens, period, sex and category with value and share)."),
) -> None:
    """South–South flows: flow totals and shares per lens, period and sex.

    A flow takes its corridor's category in the period's start year (as for stocks).

    Categories: south-south, south-north, north-south, north-north, unclassified, unknown-origin.

    share = of all flows (adds up to 1); classified_share = of the four South/North categories.

    Example: corridors flows lenses --lens wb-lmic --period 2015-2020 --format json
    """
    import polars as pl

    from corridors.analytics.flows.global_run import (
        default_edition,
        load_flows,
        parse_period,
        periods,
    )
    from corridors.analytics.flows.lenses import lens_flows
    from corridors.analytics.lenses import BUILTIN, get_lens

    if method is Method.rates_rvr:
        raise CorridorsError("rates-rvr is for your own matrices: see `corridors flows estimate`")
    chosen = [get_lens(x, lens_file) for x in lens] if lens else list(BUILTIN.values())
    con = observatory().con
    edition = edition or default_edition(con)
    period_list = [parse_period(period)] if period else periods(con, edition)
    frame, source, _ = load_flows(con, edition=edition, period_list=period_list, sexes=_sexes(sex),
                                  method=method.value)
    out = lens_flows(con, frame, chosen)
    title = f"Flows by South–South category ({method.value}, {edition})"
    if fmt is Format.table:
        columns = ["lens", "period", "sex", "category", "value", "share", "classified_share"]
        if len(chosen) == 1:
            columns.remove("lens")
            title = f"Flows by South–South category — lens {chosen[0].id} ({method.value}, {edition})"
        out = people(out.with_columns(period=pl.format("{}–{}", "period_start", "period_end"))
                     .select(columns))
    emit(out, fmt, title=title,
         caption=_sourced(con, edition, f"{_source_text(source)}. A period takes each corridor's "
                          "category in its start year. Lenses: "
                          + "; ".join(f"{x.id} = {x.title}" for x in chosen)
                          + ". Method and assumptions: docs/flows.md.", lenses=True))


def register(app: typer.Typer) -> None:
    flows_app.command("estimate")(estimate_command)
    flows_app.command("corridor")(corridor_command)
    flows_app.command("regions")(regions_command)
    flows_app.command("lenses")(lenses_command)
    app.add_typer(flows_app, name="flows")
