"""`corridors export`: the South–South tables and the bilateral stock as Excel, CSV, Parquet,
SDMX-CSV or a Frictionless data package, with sources and licences."""

from __future__ import annotations

from pathlib import Path

import typer

from corridors import store
from corridors.analytics.corridors import default_edition
from corridors.analytics.exports import (
    ALL_TABLES,
    FORMATS,
    TABLES,
    check_tables,
    default_tables,
    export,
    provenance,
    ssm_tables,
)
from corridors.analytics.lenses import get_lens
from corridors.cli._output import console
from corridors.cli.ssm import EDITION, LENS_FILE

ORDER = 40


def export_command(
    tables: list[str] = typer.Argument(
        None, help=f"Tables to export: {', '.join(ALL_TABLES)} (default: {', '.join(TABLES)}; "
        "for sdmx-csv, which exports stock and summary only: both)."),
    to: str = typer.Option("xlsx", "--to", help="xlsx (one workbook); csv, parquet, sdmx-csv or "
                           "datapackage (a folder; datapackage adds datapackage.json)."),
    out: Path = typer.Option(..., "--out", "-o", help="Workbook path (xlsx) or folder (the other "
                             "formats)."),
    lens: list[str] = typer.Option(None, "--lens", "-l", help="Lens(es) to include; repeat the "
                                   "option for several (default: every built-in lens)."),
    year: list[int] = typer.Option(None, "--year", "-y", help="Year(s) (default: every year)."),
    sex: list[str] = typer.Option(None, "--sex", help="total, female or male; repeat the option "
                                  "for several (default: total)."),
    edition: str = EDITION,
    grouping: str = typer.Option("continent", "--grouping", "-g",
                                 help="Grouping of the regions table."),
    top: int = typer.Option(20, "--top", "-n", help="Corridors per lens and year in 'top'."),
    lens_file: Path = LENS_FILE,
) -> None:
    """Write the South–South tables (category summary, intra-group shares, contiguity, top
    corridors, the corridor table) or the bilateral stock (`stock`), with their sources and
    licences.

    Examples: `corridors export --to xlsx --out ssm.xlsx --year 2020 --lens wb-lmic`;
    `corridors export stock --to sdmx-csv --out sdmx/ --year 2020 --sex female`;
    `corridors export summary top --to datapackage --out ssm-package/`
    """
    if to not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--to")
    check_tables(tables or [], to)
    con = store.connect()
    lenses = [get_lens(name, lens_file) for name in lens] if lens else None
    edition = default_edition(con, edition)
    frames = ssm_tables(con, tables or default_tables(to), lenses=lenses, edition=edition,
                        years=year or None, sex=sex or "total", grouping=grouping, top=top)
    written = export(frames, out, to, provenance(con, edition))
    for path in written:
        console.print(f"[green]wrote[/] {path}")


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
