"""`corridors lenses ...`: what stands behind each definition of South. Thin: calls
``corridors.analytics.thresholds``; heavy libraries load inside the command."""

from __future__ import annotations

from pathlib import Path

import typer

from corridors.cli._observatory import observatory
from corridors.cli._output import Format, emit

ORDER = 31

app = typer.Typer(help="What stands behind each definition of South (lens): the World Bank "
                       "income thresholds, year by year.", no_args_is_help=True)


@app.command("thresholds")
def thresholds_command(
    lens: str = typer.Option(None, "--lens", "-l", help="One lens (default: every lens)."),
    year: list[int] = typer.Option(None, "--year", "-y", help="Year(s) (default: every year of "
                                   "the latest edition of the stock)."),
    lens_file: Path = typer.Option(None, "--lens-file", help="YAML file or folder of custom "
                                   "lenses."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table, csv or json."),
) -> None:
    """The World Bank GNI per capita thresholds (US$, Atlas method) behind each lens per year:
    the data year and fiscal year used, the low / lower-middle / upper-middle ceilings, and up to
    which GNI per capita a country counts as South under the lens.

    Example: `corridors lenses thresholds --lens wb-lmic --year 2020`
    """
    from corridors.analytics.lenses import available_lenses, get_lens
    from corridors.analytics.thresholds import lens_thresholds

    obs = observatory()
    con = obs.con
    chosen = [get_lens(lens, lens_file)] if lens else list(available_lenses(lens_file).values())
    years = list(year) if year else list(obs.select().years)
    frame = lens_thresholds(con, chosen, years)
    if fmt is Format.table:
        import polars as pl

        emit(frame.drop("origin_rule", "destination_rule").with_columns(
            pl.col("year", "data_year").cast(pl.String)), fmt,
             title="Income thresholds behind each lens (GNI per capita, US$, Atlas method)",
             caption="Source: World Bank OGHIST, sheet Thresholds. Data year Y = fiscal year "
                     "Y+2. Empty: the rule uses no income group (or includes high income).")
    else:
        emit(frame, fmt)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="lenses")
