"""`corridors export`: the South–South tables as Excel, CSV or Parquet, with sources and licences."""

from __future__ import annotations

from pathlib import Path

import typer

from corridors import store
from corridors.analytics.exports import FORMATS, TABLES, export, provenance, ssm_tables
from corridors.analytics.lenses import get_lens
from corridors.cli._output import console
from corridors.cli.ssm import EDITION, LENS_FILE, SEX

ORDER = 40


def export_command(
    tables: list[str] = typer.Argument(
        None, help=f"Tables to export (default: all): {', '.join(TABLES)}."),
    to: str = typer.Option("xlsx", "--to", help="xlsx (one workbook), csv or parquet (a folder)."),
    out: Path = typer.Option(..., "--out", "-o", help="Workbook path (xlsx) or folder (csv, "
                             "parquet)."),
    lens: list[str] = typer.Option(None, "--lens", "-l", help="Lens(es) to include; repeat the "
                                   "option for several (default: every built-in lens)."),
    year: list[int] = typer.Option(None, "--year", "-y", help="Year(s) (default: every year)."),
    sex: str = SEX,
    edition: str = EDITION,
    grouping: str = typer.Option("continent", "--grouping", "-g",
                                 help="Grouping of the regions table."),
    top: int = typer.Option(20, "--top", "-n", help="Corridors per lens and year in 'top'."),
    lens_file: Path = LENS_FILE,
) -> None:
    """Write the South–South tables (category summary, intra-group shares, contiguity, top
    corridors, the corridor table) with a sources-and-licences sheet.

    Example: `corridors export --to xlsx --out ssm.xlsx --year 2020 --lens wb-lmic`
    """
    if to not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--to")
    con = store.connect()
    lenses = [get_lens(name, lens_file) for name in lens] if lens else None
    frames = ssm_tables(con, tables or TABLES, lenses=lenses, edition=edition,
                        years=year or None, sex=sex, grouping=grouping, top=top)
    written = export(frames, out, to, provenance(con))
    for path in written:
        console.print(f"[green]wrote[/] {path}")


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
