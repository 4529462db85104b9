"""`corridors profile COUNTRY` and `corridors corridor ORIGIN DESTINATION`."""

from __future__ import annotations

from pathlib import Path

import typer

from corridors.cli._observatory import observatory
from corridors.cli._output import Format, emit
from corridors.cli.ssm import EDITION, FORMAT, LENS_FILE, LENS_HELP, people

ORDER = 35


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"


def _persons(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def profile_command(
    country: str = typer.Argument(..., help="ISO3 (KEN), M49 (404) or name."),
    year: int = typer.Option(None, "--year", "-y", help="Year (default: the latest)."),
    lens: str = typer.Option("wb-lmic", "--lens", "-l", help=LENS_HELP),
    edition: str = EDITION,
    top: int = typer.Option(10, "--top", "-n", help="How many top origins and destinations."),
    lens_file: Path = LENS_FILE,
    fmt: Format = FORMAT,
) -> None:
    """A country's immigrants and emigrants: share of population, female share, top origins and
    destinations, South–South share, income-group history and trend.

    `--format json` gives everything; `--format csv` the trend table.
    Example: `corridors profile KEN --year 2020 --format json`
    """
    from corridors.analytics.lenses import get_lens
    from corridors.analytics.profiles import country_profile

    con = observatory().con
    profile = country_profile(con, country, edition=edition, year=year,
                              lens=get_lens(lens, lens_file), top=top)
    if fmt is Format.json:
        emit(profile.to_dict(), fmt)
        return
    if fmt is Format.csv:
        emit(profile.trend, fmt)
        return
    emit({
        "country": f"{profile.name} ({profile.iso3}, M49 {profile.m49})",
        "year": str(profile.year),
        "immigrants": _persons(profile.immigrants),
        "immigrants of unknown origin": _persons(profile.immigrants_unknown_origin),
        "immigrants, share of population": _pct(profile.immigrants_share_of_population),
        "immigrants, female share": _pct(profile.female_share_immigrants),
        f"immigrants, South–South share ({profile.lens})":
            _pct(profile.south_south_share_immigrants),
        "emigrants": _persons(profile.emigrants),
        "emigrants, share of population": _pct(profile.emigrants_share_of_population),
        "emigrants, female share": _pct(profile.female_share_emigrants),
        f"emigrants, South–South share ({profile.lens})":
            _pct(profile.south_south_share_emigrants),
        "population": _persons(profile.population),
        "World Bank income group": profile.income_group or "unclassified",
        **{k.replace("_", " "): v for k, v in profile.groups.items()},
    }, fmt, title=f"{profile.name}: country profile, {profile.year}", caption=profile.caption)
    emit(people(profile.top_origins), fmt, title=f"Top origins of immigrants, {profile.year}")
    emit(people(profile.top_destinations), fmt,
         title=f"Top destinations of emigrants, {profile.year}")
    emit(people(profile.trend), fmt, title=f"Trend, {profile.edition}",
         caption=f"South–South shares under lens {profile.lens}. {profile.caption}")
    emit(profile.income_history, fmt, title="World Bank income group by data year",
         caption="Source: World Bank historical income classification (OGHIST).")


def corridor_command(
    origin: str = typer.Argument(..., help="Country of origin: ISO3, M49 or name."),
    destination: str = typer.Argument(..., help="Country of destination: ISO3, M49 or name."),
    edition: str = EDITION,
    fmt: Format = FORMAT,
) -> None:
    """One corridor: trend by sex, both ends' income and development groups and categories under
    every lens by year, contiguity and shared regional communities.

    `--format json` gives everything; `--format csv` the trend by sex.
    Example: `corridors corridor IND ARE --format json`
    """
    from corridors.analytics.profiles import corridor_profile

    con = observatory().con
    profile = corridor_profile(con, origin, destination, edition=edition)
    if fmt is Format.json:
        emit(profile.to_dict(), fmt)
        return
    if fmt is Format.csv:
        emit(profile.trend, fmt)
        return
    emit({
        "corridor": f"{profile.origin_name} ({profile.origin}) → "
                    f"{profile.destination_name} ({profile.destination})",
        "land neighbours": profile.contiguous,
        "same continent": profile.same_continent,
        "same UN sub-region": profile.same_un_subregion,
        "same SDG region": profile.same_sdg_region,
        "shared communities": ", ".join(profile.shared_communities["rec_code"].to_list()) or "—",
    }, fmt, title="Corridor profile", caption=profile.caption)
    emit(people(profile.trend), fmt, title=f"Stock by sex, {profile.edition}",
         caption=profile.caption)
    emit(profile.groups, fmt, title="Both ends' groups and the category under each lens",
         caption="Income group: World Bank classification of data year = year (FY year+2).")


def register(app: typer.Typer) -> None:
    app.command("profile")(profile_command)
    app.command("corridor")(corridor_command)
