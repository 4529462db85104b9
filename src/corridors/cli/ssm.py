"""`corridors ssm ...`: how much migration is South–South, under which definition of "South".

Thin: every command calls ``corridors.analytics.regions`` and prints with ``emit``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from corridors.analytics.choices import GROUPINGS, MIN_GROWTH_STOCK, RANKINGS, min_stock_for
from corridors.cli._observatory import observatory
from corridors.cli._output import Format, commands, emit

if TYPE_CHECKING:
    import polars as pl

    from corridors.observatory import Observatory

ORDER = 30

app = commands(
    help="South–South migration under a named definition of 'South' (a lens): category totals, "
         "intra-regional shares, contiguity and top corridors. Shares are fractions 0..1.",
    no_args_is_help=True,
)

LENS_HELP = ("Definition of South: wb-lmic, wb-non-high, un-developing, gfmd-2018 or a custom lens "
             "(see `corridors ssm lenses`).")


def lens_option(default: str = "wb-lmic"):
    return typer.Option(default, "--lens", "-l", help=LENS_HELP)


YEAR = typer.Option(None, "--year", "-y", help="Year (default: the latest of the edition).")
ALL_YEARS = typer.Option(False, "--all-years", help="Every year of the edition.")
SEX = typer.Option("total", "--sex", help="total, female or male.")
EDITION = typer.Option(None, "--edition", help="ims2024, ims2020, ims2019 or ims2015 (default: the "
                       "newest in the store, see `corridors summary`).")
FORMAT = typer.Option(Format.table, "--format", "-f", help="table, csv or json.")
LENS_FILE = typer.Option(None, "--lens-file", help="YAML file or folder of custom lenses "
                         "(default: <home>/user/lenses).")
EMERGING = typer.Option(None, "--emerging", help="gfmd-2018 only: comma-separated emerging "
                        "destinations replacing the default (GCC states, BRA, MUS, SGP, ZAF).")


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def _years(obs: Observatory, edition: str | None, year: int | None,
           all_years: bool) -> tuple[str, list[int]]:
    selection = obs.select(edition)
    if all_years:
        return selection.edition, list(selection.years)
    return selection.edition, [selection.year if year is None else year]


def people(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame for reading: shares and rates as percentages, stocks as whole persons."""
    import polars as pl

    out = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if name in ("year", "data_year", "prev_year"):
            out.append(column.cast(pl.String))
        elif name == "share" or name.endswith(("_share", "_rate")) or name.startswith("share_"):
            out.append(pl.when(column.is_null()).then(pl.lit("—"))
                       .otherwise((column * 100).round(1).cast(pl.String) + " %").alias(name))
        elif dtype == pl.Float64 and name not in ("year",):
            out.append(column.round(0).cast(pl.Int64, strict=False).alias(name))
        elif isinstance(dtype, pl.List):
            out.append(column.cast(pl.List(pl.String)).list.join(", ").alias(name))
        else:
            out.append(column)
    return frame.select(out)


#: Store tables (besides the stock) an answer reads: a lens its classifications, a grouping its
#: membership.
LENS_TABLES = ("income_groups", "countries")
GROUPING_TABLES = {"income": ("income_groups",), "rec": ("rec_membership",)}


def _caption(con, edition: str, lens_citation: str | None = None,
             tables: tuple[str, ...] = LENS_TABLES) -> str:
    """The stock commands' sources footer for the edition's stock and the tables the answer
    read, then the edition and the lens."""
    from corridors.analytics.editions import stock_sources
    from corridors.store.provenance import caption, of_tables, sources

    text = caption([*sources(con, stock_sources(con, edition)), *of_tables(con, tables)])
    text += f". Edition {edition}."
    if lens_citation:
        text += f" Lens: {lens_citation}"
    return text


@app.command("lenses")
def lenses_command(lens_file: Path = LENS_FILE, fmt: Format = FORMAT) -> None:
    """The definitions of South available, with their rules and citations."""
    import polars as pl

    from corridors.analytics.lenses import available_lenses

    frame = pl.DataFrame([lens.describe() for lens in available_lenses(lens_file).values()])
    emit(frame, fmt, title="Lenses: definitions of 'South'",
         caption="Income groups are those of the World Bank for data year Y (FY Y+2).")


@app.command("summary")
def summary_command(
    lens: str = lens_option(), year: int = YEAR, all_years: bool = ALL_YEARS, sex: str = SEX,
    edition: str = EDITION, lens_file: Path = LENS_FILE, emerging: str = EMERGING,
    region: str = typer.Option(None, "--region", help="Only corridors within a region or "
                               "community (both ends members): Africa, Western Asia, "
                               "Sub-Saharan Africa, ECOWAS, ..."),
    fmt: Format = FORMAT,
) -> None:
    """Stock and share of South–South, South–North, North–South and North–North migration.

    Shares are of the classified stock: unknown origins and unclassified countries are reported
    apart. Example: `corridors ssm summary --lens gfmd-2018 --year 2020 --format json`;
    within a community: `corridors ssm summary --region ECOWAS --year 2020`
    """
    from corridors.analytics.lenses import get_lens
    from corridors.analytics.regions import category_summary

    chosen = get_lens(lens, lens_file, _split(emerging))
    obs = observatory()
    con = obs.con
    edition, years = _years(obs, edition, year, all_years)
    frame = category_summary(con, lenses=chosen, edition=edition, years=years, sex=sex,
                             region=region)
    if fmt is Format.table:
        emit(people(frame.drop("edition")), fmt,
             title=f"Migrant stock by category — lens {chosen.id} ({chosen.title}), {sex}"
                   + (f", within {region}" if region else ""),
             caption=_caption(con, edition, chosen.citation))
    else:
        emit(frame, fmt)


@app.command("regions")
def regions_command(
    grouping: str = typer.Option("continent", "--grouping", "-g",
                                 help="continent, sdg-region, un-subregion, un-region (UN DESA "
                                      "regions), income, rec (regional economic communities) "
                                      "or custom."),
    members: str = typer.Option(None, "--members", help="custom grouping: comma-separated "
                                "countries, e.g. KEN,UGA,TZA"),
    name: str = typer.Option(None, "--name", help="custom grouping: the group's name."),
    year: int = YEAR, all_years: bool = ALL_YEARS, sex: str = SEX, edition: str = EDITION,
    fmt: Format = FORMAT,
) -> None:
    """Intra-group shares: of each group's emigrants, the share living in the group (origin
    view); of its immigrants, the share born in the group (destination view).

    Example: `corridors ssm regions --grouping rec --year 2020 --format json`
    """
    from corridors.analytics.regions import intra_group_shares

    if grouping not in GROUPINGS:
        raise typer.BadParameter(f"use one of {', '.join(GROUPINGS)}", param_hint="--grouping")
    obs = observatory()
    con = obs.con
    edition, years = _years(obs, edition, year, all_years)
    frame = intra_group_shares(con, grouping, edition=edition, years=years, sex=sex,
                               members=_split(members), name=name)
    if fmt is Format.table:
        emit(people(frame.drop("edition", "grouping")), fmt,
             title=f"Intra-group migration by {grouping}, {sex}",
             caption=_caption(con, edition, tables=GROUPING_TABLES.get(grouping, ("countries",))))
    else:
        emit(frame, fmt)


@app.command("contiguity")
def contiguity_command(
    lens: str = lens_option(), year: int = YEAR, all_years: bool = ALL_YEARS, sex: str = SEX,
    edition: str = EDITION, lens_file: Path = LENS_FILE, emerging: str = EMERGING,
    fmt: Format = FORMAT,
) -> None:
    """Share of South–South stock between countries that share a land border.

    One object with `share_contiguous` for one year, one per year with --all-years.
    Example: `corridors ssm contiguity --lens wb-lmic --year 2020 --format json`
    """
    from corridors.analytics.lenses import get_lens
    from corridors.analytics.regions import contiguity_share

    chosen = get_lens(lens, lens_file, _split(emerging))
    obs = observatory()
    con = obs.con
    edition, years = _years(obs, edition, year, all_years)
    frame = contiguity_share(con, lenses=chosen, edition=edition, years=years, sex=sex)
    if fmt is Format.table:
        emit(people(frame.drop("edition")), fmt,
             title=f"South–South stock between land neighbours — lens {chosen.id}, {sex}",
             caption=_caption(con, edition, chosen.citation))
    elif fmt is Format.json and len(years) == 1:
        emit(frame.to_dicts()[0], fmt)
    else:
        emit(frame, fmt)


@app.command("top")
def top_command(
    lens: str = lens_option(), year: int = YEAR, all_years: bool = ALL_YEARS, sex: str = SEX,
    edition: str = EDITION,
    by: str = typer.Option("stock", "--by", help="Rank by stock, change (persons since the "
                           "previous year) or growth (annual rate)."),
    category: str = typer.Option(None, "--category", help="Keep one category, e.g. south-south."),
    origin_region: str = typer.Option(None, "--origin-region",
                                      help="Origin in this continent / UN sub-region / SDG region."),
    destination_region: str = typer.Option(None, "--destination-region",
                                           help="Destination in this region."),
    n: int = typer.Option(10, "--top", "-n", help="How many corridors."),
    min_stock: int = typer.Option(
        None, "--min-stock", min=0,
        help=f"Only corridors with at least this many migrants in the year and the previous "
             f"year (default: {MIN_GROWTH_STOCK:,} with --by growth, none otherwise; 0 = all)."),
    lens_file: Path = LENS_FILE, emerging: str = EMERGING, fmt: Format = FORMAT,
) -> None:
    """The largest corridors by stock, change or growth.

    Ranking by growth leaves out small corridors (fewer than 10,000 migrants in either year
    compared), whose rates say little; --min-stock changes the threshold.

    Example: `corridors ssm top --lens wb-lmic --category south-south --year 2020 --top 5`
    """
    from corridors.analytics.lenses import get_lens
    from corridors.analytics.regions import top_corridors

    if by not in RANKINGS:
        raise typer.BadParameter(f"use one of {', '.join(RANKINGS)}", param_hint="--by")
    chosen = get_lens(lens, lens_file, _split(emerging))
    obs = observatory()
    con = obs.con
    edition, years = _years(obs, edition, year, all_years)
    frame = top_corridors(con, lenses=chosen, edition=edition, years=years, sex=sex, by=by,
                          category=category, origin_region=origin_region,
                          destination_region=destination_region, n=n, min_stock=min_stock)
    if fmt is Format.table:
        emit(people(frame.drop("edition", "lens", "sex")), fmt,
             title=f"Top corridors by {by} — lens {chosen.id}"
                   + (f", {category}" if category else "") + f", {sex}",
             caption=_caption(con, edition, chosen.citation) + _minimum(by, min_stock))
    else:
        emit(frame, fmt)


def _minimum(by: str, min_stock: int | None) -> str:
    min_stock = min_stock_for(by, min_stock)
    return (f" Corridors of at least {min_stock:,} migrants in both years (--min-stock)."
            if min_stock else "")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="ssm")
