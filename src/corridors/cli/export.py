"""`corridors export`: the South–South tables and the bilateral stock as Excel, CSV, Parquet,
SDMX-CSV or a Frictionless data package, with sources and licences."""

from __future__ import annotations

from pathlib import Path

import typer

from corridors.analytics.choices import ALL_TABLES, FORMATS, SDMX_TABLES, SDMX_VERSIONS, TABLES
from corridors.cli._observatory import observatory
from corridors.cli._output import console
from corridors.cli.ssm import EDITION, LENS_FILE

ORDER = 40


def export_command(
    tables: list[str] = typer.Argument(
        None, help=f"Tables to export: {', '.join(ALL_TABLES)} (default: {', '.join(TABLES)}; "
        f"for sdmx-csv, which has dataflows for {', '.join(SDMX_TABLES)}: those)."),
    to: str = typer.Option("xlsx", "--to", help="xlsx (one workbook); csv, parquet, sdmx-csv or "
                           "datapackage (a folder; datapackage adds datapackage.json, sdmx-csv "
                           "the SDMX-ML 2.1 structure message structure.xml)."),
    sdmx_version: str = typer.Option(SDMX_VERSIONS[0], "--sdmx-version", help="SDMX-CSV version of "
                                     "--to sdmx-csv: 2.0 (SDMX 3.0; the version sdmx1 reads) or "
                                     "1.0 (SDMX 2.1)."),
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
    corridors, the corridor table), the bilateral stock (`stock`), remittances (`remittances`)
    or the saved survey estimates (`survey`), with their sources and licences.

    Examples: `corridors export --to xlsx --out ssm.xlsx --year 2020 --lens wb-lmic`;
    `corridors export --to sdmx-csv --out sdmx/ --year 2020 --sex total --sex female`;
    `corridors export stock --to sdmx-csv --sdmx-version 1.0 --out sdmx-v1/ --year 2020`;
    `corridors export summary top --to datapackage --out ssm-package/`
    """
    from corridors.analytics.exports import (
        check_tables,
        default_tables,
        export,
        provenance,
        ssm_tables,
    )
    from corridors.analytics.lenses import get_lens

    if to not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--to")
    if sdmx_version not in SDMX_VERSIONS:
        raise typer.BadParameter(f"use one of {', '.join(SDMX_VERSIONS)}",
                                 param_hint="--sdmx-version")
    check_tables(tables or [], to)
    obs = observatory()
    con = obs.con
    lenses = [get_lens(name, lens_file) for name in lens] if lens else None
    edition = obs.select(edition).edition
    frames = ssm_tables(con, tables or default_tables(to), lenses=lenses, edition=edition,
                        years=year or None, sex=sex or "total", grouping=grouping, top=top)
    written = export(frames, out, to, provenance(con, edition), sdmx_version=sdmx_version)
    for path in written:
        frame = frames.get(path.stem) if path.suffix != ".xlsx" else None
        rows = "" if frame is None else f" ({frame.height:,} rows)"
        console.print(f"[green]wrote[/] {path}{rows}", soft_wrap=True)  # paths stay whole
        if frame is not None and frame.height == 0 and path.stem == "survey":
            console.print("  no survey estimates in the store: save some with "
                          "`corridors survey estimate ... --save`")


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
