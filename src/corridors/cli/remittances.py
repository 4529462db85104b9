"""`corridors remittances ...`: money sent home by migrants, and what sending it costs.

Origin is the SENDING country throughout (the migrants' host); destination the receiving country
(their home). Thin: every command calls ``corridors.analytics.remittances`` and prints with
``emit``; heavy libraries load inside the commands, never when the CLI starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from corridors.cli._observatory import observatory
from corridors.cli._output import Format, emit

if TYPE_CHECKING:
    import polars as pl

ORDER = 35
DIRECTION = "Origin = sending country (the migrants' host); destination = receiving country."

app = typer.Typer(
    help="Remittances: received, paid and as a share of GDP (WDI); bilateral corridors under a "
         "lens (KNOMAD 2017, 2018); costs of sending USD 200 (Remittance Prices Worldwide, SDG "
         "10.c.1). " + DIRECTION,
    no_args_is_help=True,
)

LENS = typer.Option("wb-lmic", "--lens", "-l", help="Definition of South: wb-lmic, wb-non-high, "
                    "un-developing, gfmd-2018 or a custom lens (see `corridors ssm lenses`).")
LENS_FILE = typer.Option(None, "--lens-file", help="YAML file or folder of custom lenses.")
FORMAT = typer.Option(Format.table, "--format", "-f", help="table, csv or json.")
ORIGIN = typer.Option(None, "--origin", "-o", help="Sending country (ISO3, M49 or name).")
DESTINATION = typer.Option(None, "--destination", "-d",
                           help="Receiving country (ISO3, M49 or name).")
MATRIX_YEAR = typer.Option(None, "--year", "-y", help="Year of the bilateral matrix: 2017 or "
                           "2018 (default: every year in the store).")
TOP = typer.Option(None, "--top", "-n", help="Only the largest N corridors of each year.")


def _readable(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame for reading: percentages with their sign, shares as percentages, US$ and persons
    whole."""
    import polars as pl

    from corridors.cli.ssm import people

    out = frame
    for name in frame.columns:
        if name.endswith("_pct") and frame.schema[name].is_float():
            out = out.with_columns(pl.when(pl.col(name).is_null()).then(pl.lit("—"))
                                   .otherwise(pl.col(name).round(2).cast(pl.String) + " %")
                                   .alias(name))
        elif name == "received_share_gdp":
            out = out.rename({name: "share_of_gdp"})
        elif name == "usd_per_migrant" or name.endswith("per_migrant_usd"):
            out = out.with_columns(pl.col(name).round(0))
    return people(out)


def _show(frame: pl.DataFrame, fmt: Format, title: str, caption: str,
          drop: tuple[str, ...] = ()) -> None:
    if fmt is Format.table:
        emit(_readable(frame.drop([c for c in drop if c in frame.columns])), fmt, title=title,
             caption=caption)
    else:
        emit(frame, fmt)


def _sources(con, ids) -> str:
    """The sources footer of the stock commands for the source ids used (checksums: the JSON's
    ``source_id`` rows in `corridors sources`)."""
    from corridors.store.provenance import caption, sources

    return caption(sources(con, ids)) + "."


@app.command("country")
def country_command(
    code: str = typer.Argument(..., help="Country: ISO3 (NPL), M49 code or name."),
    year: int = typer.Option(None, "--year", "-y", help="One year (default: every year)."),
    fmt: Format = FORMAT,
) -> None:
    """Remittances received and paid (current US$), GDP and received as a share of GDP (0..1),
    per year; gaps are shown as gaps, never zero.

    Example: `corridors remittances country LSO --year 2016 --format json`
    """
    from corridors.analytics.remittances import country_remittances

    con = observatory().con
    frame = country_remittances(con, code, year)
    ids = [s for row in frame["sources"].to_list() for s in row]
    _show(frame, fmt, f"Remittances of {code.upper()} (current US$)",
          "received_share_gdp = received / GDP (WDI BX.TRF.PWKR.CD.DT / NY.GDP.MKTP.CD); paid = "
          "sent abroad by the country (the origin of those remittances). "
          + _sources(con, ids), drop=("sources",))


@app.command("summary")
def summary_command(lens: str = LENS, year: int = MATRIX_YEAR, lens_file: Path = LENS_FILE,
                    fmt: Format = FORMAT) -> None:
    """Bilateral remittances by category (south-south, south-north, north-south, north-north)
    under a lens: US$ and share of the classified total. Categories read in the direction of the
    money: north-south = sent from a North host to a South home.

    Example: `corridors remittances summary --lens wb-lmic --year 2017 --format json`
    """
    from corridors.analytics.lenses import get_lens
    from corridors.analytics.remittances import remittance_summary

    chosen = get_lens(lens, lens_file)
    con = observatory().con
    frame = remittance_summary(con, lenses=[chosen], years=year)
    _show(frame, fmt, f"Bilateral remittances by category — lens {chosen.id} (US$)",
          DIRECTION + " Shares are of the classified total; unclassified pairs are apart. "
          + _sources(con, frame["source_id"].to_list()), drop=("lens", "edition", "source_id"))


@app.command("corridors")
def corridors_command(
    origin: str = ORIGIN, destination: str = DESTINATION, year: int = MATRIX_YEAR,
    lens: str = LENS, category: str = typer.Option(None, "--category",
                                                   help="Keep one category, e.g. south-south."),
    top: int = TOP, lens_file: Path = LENS_FILE, fmt: Format = FORMAT,
) -> None:
    """Bilateral remittance corridors, largest first, with their category, the migrant stock of
    the same corridor (nearest IMS year) and US$ per migrant. `--destination NPL` lists Nepal's
    top senders; `--origin NPL` the countries Nepal sends to.

    Example: `corridors remittances corridors --destination NPL --year 2017 --top 5`
    """
    from corridors.analytics.lenses import get_lens
    from corridors.analytics.remittances import remittance_corridors

    chosen = get_lens(lens, lens_file)
    con = observatory().con
    frame = remittance_corridors(con, lens=chosen, years=year, origin=origin,
                                 destination=destination, category=category, limit=top)
    _show(frame, fmt, f"Remittance corridors — lens {chosen.id} (US$)",
          DIRECTION + " migrant_stock = migrants of the destination living in the origin. "
          + _sources(con, [*frame["source_id"].to_list(), "ims2020-bilateral"]),
          drop=("edition", "source_id", "stock_edition"))


@app.command("costs")
def costs_command(
    origin: str = ORIGIN, destination: str = DESTINATION,
    period: str = typer.Option(None, "--period", "-p", help="Quarter, e.g. 2020Q3, or 'latest' "
                               "(default: every quarter, a trend)."),
    fmt: Format = FORMAT,
) -> None:
    """Average total cost of sending USD 200 per corridor and quarter (SDG 10.c.1), as published:
    percent of the amount sent.

    Example: `corridors remittances costs --origin ZAF --destination LSO --format json`
    """
    from corridors.analytics.remittances import remittance_costs

    con = observatory().con
    frame = remittance_costs(con, origin=origin, destination=destination, period=period)
    _show(frame, fmt, "Cost of sending USD 200 (percent of the amount sent)",
          DIRECTION + " SDG 10.c: no corridor above 5 %. "
          + _sources(con, frame["source_id"].to_list()),
          drop=("year", "quarter", "edition", "source_id"))


@app.command("sdg")
def sdg_command(
    period: str = typer.Option(None, "--period", "-p", help="Quarter, e.g. 2020Q3, or 'latest' "
                               "(default: every quarter)."),
    fmt: Format = FORMAT,
) -> None:
    """SDG 10.c.1 per quarter: corridors priced, average cost, corridors above 5 % and at most
    3 %, and whether the targets hold (average below 3 %, no corridor above 5 %).

    Example: `corridors remittances sdg --period latest --format json`
    """
    from corridors.analytics.remittances import cost_targets

    con = observatory().con
    frame = cost_targets(con, period)
    _show(frame, fmt, "SDG 10.c.1: cost of sending USD 200",
          DIRECTION + " Simple average over the corridors priced that quarter. "
          + _sources(con, frame["source_id"].to_list()), drop=("source_id",))


@app.command("fees")
def fees_command(
    origin: str = ORIGIN, destination: str = DESTINATION, year: int = MATRIX_YEAR,
    lens: str = LENS, top: int = TOP, lens_file: Path = LENS_FILE, fmt: Format = FORMAT,
) -> None:
    """Costs beside volume and migrants: money lost to fees per corridor and year, estimated as
    remittances (KNOMAD) x average cost of sending USD 200 that year (RPW) / 100.

    Example: `corridors remittances fees --year 2017 --top 10`
    """
    from corridors.analytics.lenses import get_lens
    from corridors.analytics.remittances import remittance_fees

    chosen = get_lens(lens, lens_file)
    con = observatory().con
    frame = remittance_fees(con, lens=chosen, years=year, origin=origin, destination=destination,
                            limit=top)
    _show(frame, fmt, f"Money lost to fees (estimated, US$) — lens {chosen.id}",
          DIRECTION + " fees_usd = value_usd x cost_pct / 100 (cost of USD 200: an upper-side "
          "estimate for larger transfers).", drop=("stock_year",))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="remittances")
