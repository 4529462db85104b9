"""`corridors build`, `corridors summary`, `corridors stock`, `corridors countries`."""

from __future__ import annotations

import typer

from corridors.cli._observatory import observatory
from corridors.cli._output import Format, console, emit

ORDER = 20


def build_command() -> None:
    """Read every pulled source into one DuckDB store (atomically: the old store keeps serving
    until the new one is complete; Ctrl+C stops it and keeps the old one)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from corridors.pipeline import build
    from corridors.sources import registry

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console.real, transient=True) as bar:
        task = bar.add_task("building", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        report = build(progress)
    console.print(
        f"[green]build:[/] {report.path} in {report.seconds:.1f} s — "
        + ", ".join(f"{t} {n:,}" for t, n in report.rows.items() if n)
    )
    stand_ins = {s.alternate_of: s.id for s in registry().values()
                 if s.alternate_of and s.id in report.read}
    unread = [sid for sid in report.skipped
              if sid not in stand_ins and registry()[sid].alternate_of not in report.read]
    for sid in report.skipped:
        if sid in stand_ins:
            console.print(f"{sid}: read from its mirror copy {stand_ins[sid]}")
    if unread:
        console.print(f"[yellow]not pulled (optional):[/] {', '.join(unread)}")
    for warning in report.warnings:
        console.print(f"[yellow]note:[/] {warning}")


def summary_command(
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
) -> None:
    """What the store holds: the editions present (years, sexes) and the one every command uses
    by default, with the World Bank years its lenses apply; world totals by year; sources."""
    from corridors.analytics.overview import store_summary

    con = observatory().con
    parts = store_summary(con)
    if fmt is Format.json:
        emit({k: v.to_dicts() for k, v in parts.items()}, fmt)
        return
    if fmt is Format.csv:
        emit(parts["editions"], fmt)
        return
    coverage = parts["coverage"]
    default = coverage.filter("default")["edition"]
    emit(coverage, fmt, title="Editions of UN DESA International Migrant Stock in the store",
         caption=(f"Default edition (CLI, API, web pages, lenses, flows): {default[0]} — the "
                  "newest in the store; choose another with --edition / ?edition=."
                  if default.len() else "No bilateral stock: run `corridors build`."))
    if parts["lens_years"].height:
        years = parts["lens_years"]
        console.print("Lenses classify each year of " + years["edition"][0]
                      + " with the World Bank income groups of that data year: "
                      + ", ".join(f"{y} → {fy}" for y, fy in zip(years["year"],
                                                              years["fiscal_year"], strict=True))
                      + ".")
    emit(parts["editions"].drop("source"), fmt, title="Bilateral migrant stock in the store",
         caption="UN DESA International Migrant Stock; migrants in the world, 'Other' origins "
                 "included; women where the edition is by sex.")
    emit(parts["sources"].drop("licence"), fmt, title="Sources (provenance)",
         caption="Licences and full checksums: `corridors sources`.")


def stock_command(
    origin: str = typer.Option(None, "--origin", help="Origin: ISO3 or M49 (default: all, summed)."),
    destination: str = typer.Option(
        None, "--destination", help="Destination: ISO3 or M49 (default: all, summed)."),
    year: int = typer.Option(None, "--year", help="Year (default: every year of the edition)."),
    sex: str = typer.Option("total", "--sex", help="total, female or male."),
    edition: str = typer.Option(
        None, "--edition", help="ims2024, ims2020, ims2019 or ims2015 (default: the newest in the "
        "store, see `corridors summary`)."),
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
) -> None:
    """International migrant stock (persons) by origin, destination, year and sex.

    Example: `corridors stock --origin VEN --destination COL --year 2020 --format json`
    """
    from corridors.analytics.stocks import stock_rows

    con = observatory().con
    rows = stock_rows(con, origin, destination, year, sex, edition)
    if fmt is Format.table:
        src = rows[0]["source"] if rows else ""
        emit([{k: v for k, v in row.items() if k not in ("licence", "sha256")} for row in rows],
             fmt, title="International migrant stock (persons)",
             caption=f"Source: {src}, UN DESA (CC BY 3.0 IGO)")
    else:
        emit(rows, fmt)


def countries_command(
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
) -> None:
    """Countries and areas with their codes and groupings."""
    con = observatory().con
    from corridors.analytics.reference import country_table

    emit(country_table(con), fmt, title="Countries and areas")


def register(app: typer.Typer) -> None:
    app.command("build")(build_command)
    app.command("summary")(summary_command)
    app.command("stock")(stock_command)
    app.command("countries")(countries_command)
