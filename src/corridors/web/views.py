"""What each page shows, as plain data: the HTML page renders it, its JSON twin returns it.

Views only call the analytics core (``corridors.analytics``) and the store's reference tables and
arrange their answers for a page; they compute no statistics of their own.
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from corridors.analytics import reference, regions
from corridors.analytics.corridors import corridor_table, edition_years, editions
from corridors.analytics.editions import editions_held
from corridors.analytics.lenses import BUILTIN, INCOME_NAMES, available_lenses, get_lens, lens_roles
from corridors.analytics.selection import Selection
from corridors.analytics.stocks import stock
from corridors.api import respond
from corridors.api.deps import Invalid
from corridors.languages import N_, Labels
from corridors.languages import gettext as _
from corridors.observatory import selection
from corridors.store import provenance
from corridors.store.serving import Store

#: Category names as the pages show them, in the reader's language.
CATEGORY_LABELS = Labels({
    "south-south": N_("South–South"),
    "south-north": N_("South–North"),
    "north-south": N_("North–South"),
    "north-north": N_("North–North"),
})
#: World Bank income groups by code, in the reader's language.
INCOME_LABELS = Labels(INCOME_NAMES)
#: Ratification statuses (corridors.governance) as the pages show them.
STATUS_LABELS = Labels({
    "in force": N_("in force"), "not in force": N_("not in force"), "denounced": N_("denounced"),
    "signed": N_("signed"), "not ratified": N_("not ratified"), "unknown": N_("unknown"),
    "partly in force": N_("partly in force"),
})


#: How a ratification status is known (corridors.governance.ratifications).
BASIS_LABELS = Labels({
    "listed": N_("listed"), "listed (status inferred)": N_("listed (status inferred)"),
    "absent from a complete list": N_("absent from a complete list"),
    "absent from an incomplete list": N_("absent from an incomplete list"),
    "no list loaded": N_("no list loaded"),
})


def coverage_label(text: str | None) -> str:
    """A ratification list's coverage ("39 of 54 known", "12 of 12 known (complete)") in the
    reader's language; other wording (a total the publisher does not state) as published."""
    import re

    if text == "no ratification list loaded (0 known)":
        return _("no ratification list loaded (0 known)")
    match = re.fullmatch(r"(\d+) of (\d+) known( \(complete\))?", text or "")
    if not match:
        return text or "–"
    known, expected, complete = match.groups()
    found = _("{known} of {expected} known").format(known=known, expected=expected)
    return found + (" " + _("(complete)") if complete else "")


def label(labels: Labels, value: str | None, missing: str = N_("unclassified")) -> str:
    """``value``'s label in the reader's language (the value itself when the table lacks it)."""
    if value is None:
        return _(missing)
    return labels.get(value, value)


def lens_note(lens) -> str:
    """A lens's note in the reader's language."""
    from corridors.analytics.lenses import EMERGING_NOTE

    listed = ", ".join(lens.destination.countries)
    if lens.note and lens.note == EMERGING_NOTE.format(codes=listed):
        return _(EMERGING_NOTE).format(codes=listed)
    return _(lens.note) if lens.note else ""


def _pick_year(chosen: Selection, year: int | None) -> int:
    """The year asked for (checked against the edition's), else the selection's default year."""
    years = list(chosen.years)
    if year is None:
        return chosen.year
    if year not in years:
        raise Invalid("year", year, "one of " + ", ".join(map(str, years)))
    return year


def _lens_choices() -> list[dict[str, str]]:
    return [{"id": lens.id, "title": _(lens.title)} for lens in available_lenses().values()]


def _lens(lens_id: str):
    lenses = available_lenses()
    if lens_id not in lenses:
        raise Invalid("lens", lens_id, "one of " + ", ".join(lenses))
    return get_lens(lens_id)


def controls(store: Store, con: duckdb.DuckDBPyConnection, edition: str, year: int | None,
             lens: str | None, sex: str | None = None, hidden: dict | None = None) -> dict:
    return {
        "years": edition_years(con, edition), "year": year,
        "lenses": _lens_choices() if lens else [], "lens": lens,
        "sexes": ["total", "female", "male"] if sex else [], "sex": sex,
        "editions": list(editions_held(con)), "edition": edition,
        "hidden": hidden or {},
    }


def overview(store: Store, con: duckdb.DuckDBPyConnection, *, year: int | None, lens: str,
             edition: str | None) -> dict[str, Any]:
    """The South-South picture for a year and a lens."""
    chosen = selection(con, edition)
    edition = chosen.edition
    year = _pick_year(chosen, year)
    lens_obj = _lens(lens)

    def compute() -> dict[str, Any]:
        summary = regions.category_summary(con, lenses=lens_obj, edition=edition, years=None)
        this_year = summary.filter(pl.col("year") == year)
        by_cat = {r["category"]: r for r in this_year.to_dicts()}
        world = stock(con, year=year, edition=edition)
        contiguity = regions.contiguity_share(con, lenses=lens_obj, edition=edition, years=year)
        top = regions.top_corridors(con, lenses=lens_obj, edition=edition, years=year,
                                    category="south-south", n=10)
        names = reference.names(con)
        shares = regions.south_south_share_by_destination(
            con, lens_obj, year, "total", edition).select(
            "iso3", "immigrants", "south_south", "share", "unclassified", "unknown_origin",
            pl.col("iso3").replace_strict(names, default=None).alias("name"))
        roles = lens_roles(con, [lens_obj], [year])  # the map: which countries are South
        not_south = sorted(roles.filter(pl.col("south_destination").not_())["iso3"].to_list())
        unclassified = set(roles.filter(pl.col("south_destination").is_null())["iso3"].to_list())
        shares = shares.filter(~pl.col("iso3").is_in(unclassified))
        ss = by_cat.get("south-south", {})
        headline = {
            "world_migrants": world["value"][0] if world.height else None,
            "south_south": ss.get("value"),
            "south_south_share": ss.get("share"),
            "classified_total": ss.get("classified_total"),
            "unclassified": ss.get("unclassified"),
            "unknown_origin": ss.get("unknown_origin"),
            "share_contiguous": contiguity["share_contiguous"][0] if contiguity.height else None,
        }
        found = provenance.sources(con, reference.income_sources(con), [edition])
        found += [s for s in provenance.sources(con, respond.ids_in(world, "source"))
                  if s not in found]
        return {
            "page": "overview", "edition": edition, "year": year, "lens": lens,
            "lens_title": lens_obj.title, "lens_citation": lens_obj.citation,
            "headline": headline,
            "categories": summary.sort("year", "category").to_dicts(),
            "map": shares.to_dicts(),
            "not_south": not_south,
            "top_corridors": top.to_dicts(),
            "sources": found,
        }

    # the lens's title in the reader's language (the figures are the same in every language)
    return {**store.memo(("page-overview", year, lens, edition), compute),
            "lens_title": _(lens_obj.title)}


def sources_page(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    from corridors.web import geometry

    rows = reference.provenance(con)
    return {"page": "sources", "sources": rows, "geometry": geometry.LICENCE}


def methods_page(con: duckdb.DuckDBPyConnection, store: Store | None = None) -> dict[str, Any]:
    """The lenses, the classification year behind each estimate year, the income thresholds
    behind each lens in the default year, and (with a store) who ratifies each instrument by lens
    category in that year (the paper's "over half of C097 ratifiers are in the South")."""
    from corridors.analytics.lenses import year_mapping
    from corridors.analytics.ratifiers import ratifiers_by_category
    from corridors.analytics.thresholds import lens_thresholds
    from corridors.governance.instruments import instruments
    from corridors.records.governance import governance

    chosen = list(available_lenses().values())
    lenses = [lens.describe() | {"title": _(lens.title), "note": lens_note(lens)} for lens in chosen]
    years = sorted({y for e in editions(con) for y in edition_years(con, e)})
    mapping = year_mapping(con, years).to_dicts() if years else []
    year = selection(con).year if years else None
    thresholds = lens_thresholds(con, chosen, [year]).to_dicts() if year else []
    ratifiers: list[dict[str, Any]] = []
    if store is not None and year:
        ratifications = governance(store, con).ratifications
        lens = get_lens("wb-lmic")
        for key in instruments():
            frame = ratifiers_by_category(con, ratifications, key, lens, year, "origin")
            counts = {r["group"]: r for r in frame.iter_rows(named=True)}
            south = counts["south"]
            ratifiers.append({"instrument": key, "south": south["ratifiers"],
                              "north": counts["north"]["ratifiers"],
                              "unclassified": counts["unclassified"]["ratifiers"],
                              "south_share": south["share"], "list_complete": south["list_complete"],
                              "coverage": south["coverage"]})
    return {"page": "methods", "lenses": lenses, "year_mapping": mapping, "year": year,
            "thresholds": thresholds, "ratifiers": ratifiers, "ratifiers_lens": "wb-lmic",
            "income_groups": dict(INCOME_LABELS), "sources": provenance.sources(
                con, reference.income_sources(con))}


def explore(store: Store, con: duckdb.DuckDBPyConnection, *, origin: str | None,
            destination: str | None, year: int | None, sex: str, edition: str | None,
            limit: int, offset: int, all_years: bool = False, lens: str = "wb-lmic",
            category: str | None = None, neighbour: bool | None = None,
            community: str | None = None, sort: str = "stock") -> dict[str, Any]:
    """The corridor table filtered as asked: one page of rows, sorted, with the totals of every
    row that passes. One year (the selection's default year unless asked) unless ``all_years``."""
    from corridors.analytics import corridor_filters

    picked = selection(con, edition)
    edition = picked.edition
    _lens(lens)
    year = None if all_years else _pick_year(picked, year)
    chosen = corridor_filters.CorridorFilter(lens=lens, category=category, neighbour=neighbour,
                                             community=community, sort=sort)
    try:
        chosen.check()
    except Exception as error:  # a LensError: the message names what is accepted
        raise Invalid("filter", category if "category" in str(error) else sort,
                      str(error)) from None

    def compute() -> pl.DataFrame:
        return corridor_table(con, edition=edition, years=year, sex=sex, origin=origin,
                              destination=destination,
                              lenses=list(BUILTIN.values()))

    frame = store.memo(("page-explore", origin, destination, year, sex, edition), compute)
    frame = store.memo(("page-explore-filtered", origin, destination, year, sex, edition, chosen),
                       lambda: corridor_filters.apply(frame, chosen))
    names = reference.names(con)
    chunk = frame.slice(offset, limit).with_columns(
        pl.col("origin").replace_strict(names, default=None).alias("origin_name"),
        pl.col("destination").replace_strict(names, default=None).alias("destination_name"))
    return {
        "page": "explore", "edition": edition, "year": year, "sex": sex, "origin": origin,
        "destination": destination, "lens": lens, "category": category,
        "neighbour": neighbour, "community": community, "sort": sort,
        "total": frame.height, "limit": limit, "offset": offset,
        "totals": corridor_filters.totals(frame, sex),
        "rows": chunk.to_dicts(),
        "sources": provenance.sources(con, reference.income_sources(con), [edition]),
    }


def country(store: Store, con: duckdb.DuckDBPyConnection, iso3: str, *, year: int | None,
            lens: str, edition: str | None) -> dict[str, Any]:
    """A country profile with every origin and destination (for the map)."""
    from corridors.records.profiles import country_record, with_sources

    chosen = selection(con, edition)
    edition = chosen.edition
    year = _pick_year(chosen, year)
    _lens(lens)
    record = country_record(store, con, iso3, year, lens, edition, 300)
    record["sources"] = with_sources(con, record)
    record["page"] = "country"
    record["income_group_name"] = INCOME_LABELS.get(record.get("income_group") or "", None)
    record["income_periods"] = income_periods(record.get("income_history") or [])
    from corridors.records.governance import country_ratifications

    record["ratifications"] = country_ratifications(store, con, iso3)
    from corridors.web import remittance_views

    record["remittances"] = remittance_views.country(store, con, iso3)
    record["partners"] = partners_record(store, con, iso3, record["year"], lens,
                                         record["edition"])
    return record


def partners_record(store: Store, con: duckdb.DuckDBPyConnection, iso3: str, year: int,
                    lens: str, edition: str) -> dict[str, Any]:
    """The country's South–South picture: partners both ways marked South/North, neighbour and
    community; neighbour and community shares; the largest South–South corridors; the groups
    it belongs to (for the links to their pages)."""
    from corridors.analytics.partners import country_partners
    from corridors.analytics.region_profiles import groups_of

    def compute() -> dict[str, Any]:
        found = country_partners(con, iso3, edition=edition, year=year, lens=_lens(lens))
        record = found.to_dict()
        record["groups"] = groups_of(con, iso3, year)
        return record

    return store.memo(("page-partners", iso3, year, lens, edition), compute)


def income_periods(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive data years with the same income group, as periods (for reading)."""
    periods: list[dict[str, Any]] = []
    for row in history:
        group = row.get("income_group")
        if periods and periods[-1]["income_group"] == group:
            periods[-1]["to"] = row["data_year"]
        else:
            periods.append({"income_group": group, "from": row["data_year"],
                            "to": row["data_year"],
                            "name": INCOME_LABELS.get(group or "", _("not classified"))})
    return periods


def corridor(store: Store, con: duckdb.DuckDBPyConnection, origin: str, destination: str, *,
             edition: str | None, year: int | None = None, sex: str = "total",
             lens: str = "wb-lmic") -> dict[str, Any]:
    """A corridor over every year of an edition; ``year`` picks the year of the headline
    figures (default: the selection's default year), ``sex`` the series they are of."""
    from corridors.records.profiles import corridor_record, with_sources

    picked = selection(con, edition)
    edition = picked.edition
    year = _pick_year(picked, year)
    _lens(lens)
    record = dict(corridor_record(store, con, origin, destination, edition))
    record["sources"] = with_sources(con, record)
    record["page"] = "corridor"
    record["year"], record["sex"], record["lens"] = year, sex, lens
    record["selected"] = corridor_year(record.get("trend") or [], record.get("groups") or [],
                                       year, sex, lens)
    from corridors.records.flows import corridor_flows_or_missing

    record["flows"] = corridor_flows_or_missing(store, con, origin, destination)
    from corridors.web import remittance_views

    record["remittances"] = remittance_views.corridor(store, con, origin, destination)
    return record


def corridor_year(trend: list[dict[str, Any]], groups: list[dict[str, Any]], year: int, sex: str,
                  lens: str) -> dict[str, Any]:
    """The corridor's figures in the chosen year and sex (read from its profile's rows): stock,
    female share, shares of both ends' totals (of both sexes), change and growth (of both sexes)
    and the category under the lens."""
    row = next((t for t in trend if t["year"] == year), None)
    group = next((g for g in groups if g["year"] == year), {})
    column = {"total": "total", "female": "female", "male": "male"}[sex]
    return {
        "year": year, "sex": sex, "present": row is not None,
        "stock": row.get(column) if row else None,
        "female_share": row.get("female_share") if row else None,
        "origin_share": row.get("origin_share") if row else None,
        "destination_share": row.get("destination_share") if row else None,
        "change": row.get("change") if row else None,
        "growth_rate": row.get("growth_rate") if row else None,
        "category": group.get(lens),
    }
