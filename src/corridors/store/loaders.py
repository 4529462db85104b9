"""From readers to store tables: one loader per reader module.

A loader takes a pulled source (its registry entry and cache folder) and returns frames keyed by
store table name, with the ``edition`` and ``source_id`` columns the store needs. Readers stay
ignorant of the store; loaders stay ignorant of file layouts.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import polars as pl

from corridors.sources.registry import Source

Frames = dict[str, pl.DataFrame]
Loader = Callable[[Source, Path], Frames]


def _reader(name: str):
    return importlib.import_module(f"corridors.readers.{name}")


def read_source(source: Source, folder: Path):
    """Call the reader the registry names for this source: ``module`` (its ``read``) or
    ``module:function`` when this source must have one particular layout."""
    module, _, function = (source.reader or "").partition(":")
    return getattr(_reader(module), function or "read")(folder / source.primary.name)


def reader_module(source: Source) -> str:
    return (source.reader or "").partition(":")[0]


def _tag(frame: pl.DataFrame, source: Source, edition: str | None = None) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(edition or source.edition).alias("edition"), pl.lit(source.id).alias("source_id")
    )


def load_un_desa_totals(source: Source, folder: Path) -> Frames:
    module = _reader("un_desa_totals")
    path = folder / source.primary.name
    kind = module.identify(path)
    if kind != source.id:
        from corridors.errors import InputError

        raise InputError.one(path.name, f"the {source.title} workbook", sheet="Table 1",
                             value=f"a {kind} workbook",
                             hint="The file in the cache is another publication: pull it again.")
    _, edition, view, layouts = module.WORKBOOKS[kind]
    tables = module.read_layouts(path, edition, view, layouts)  # identified once, read once
    out: Frames = {
        "migrant_stock_totals": _tag(tables.totals, source, tables.edition),
        "population": _tag(tables.population, source, tables.edition),
    }
    if tables.indicators.height:
        out["indicators"] = _tag(
            tables.indicators.with_columns(pl.lit("un-desa-ims").alias("dataset")),
            source, tables.edition,
        )
    return out


def load_un_desa_annex(source: Source, folder: Path) -> Frames:
    annex = read_source(source, folder)
    subregions = annex.locations.filter(pl.col("iso3").is_not_null()).select(
        "iso3", pl.col("subregion").alias("ims_subregion"))
    areas = annex.locations.filter(pl.col("iso3").is_null()).select(
        pl.col("area_m49").alias("m49"), "name", pl.col("location_type").fill_null("World").alias("area_type"),
        pl.col("parent_m49"))
    return {"_annex_countries": annex.countries.join(subregions, on="iso3", how="left"),
            "_annex_areas": areas}


def load_un_desa_bilateral(source: Source, folder: Path) -> Frames:
    tables = read_source(source, folder)
    if tables.edition != source.edition:
        from corridors.errors import InputError

        raise InputError.one(source.primary.name, f"the {source.edition} edition ({source.title})",
                             value=f"a file of the {tables.edition} edition",
                             hint="The file in the cache is another publication: pull it again.")
    out: Frames = {"migrant_stock": _tag(tables.stock, source, tables.edition)}
    if tables.totals is not None and tables.totals.height:
        out["_bilateral_totals"] = _tag(tables.totals, source, tables.edition)
    return out


def load_wpp(source: Source, folder: Path) -> Frames:
    frame = read_source(source, folder)
    return {"population": _tag(frame, source)}


def load_m49(source: Source, folder: Path) -> Frames:
    m49 = read_source(source, folder)
    expected = "overview" if source.id == "m49" else "methodology"
    if m49.layout != expected:
        from corridors.errors import InputError

        raise InputError.one(source.primary.name, f"the M49 {expected} layout",
                             value=f"the {m49.layout} layout",
                             hint="The file in the cache is another publication: pull it again.")
    if m49.layout != "overview":
        return {"_m49_developed": m49.countries.select("iso3", "developed_developing")}
    return {"_m49_countries": m49.countries, "areas": m49.areas}


def load_world_bank_income(source: Source, folder: Path) -> Frames:
    result = read_source(source, folder)
    if isinstance(result, pl.DataFrame):  # OGHIST: the history, and the thresholds behind it
        thresholds = _reader("world_bank_income").read_thresholds(folder / source.primary.name)
        return {"income_groups": result.with_columns(pl.lit(source.id).alias("source_id")),
                "income_thresholds": thresholds.with_columns(pl.lit(source.id).alias("source_id"))}
    return {"wb_classification": result.economies.with_columns(
        pl.lit(source.id).alias("source_id"))}


def _wdi_code(source: Source) -> str | None:
    """The WDI series code a source is registered for (the last code in its title)."""
    import re

    found = re.findall(r"\b[A-Z]{2}\.[A-Z0-9.]*[A-Z0-9]\b", source.title)
    return found[-1] if found else None


def load_world_bank_wdi(source: Source, folder: Path) -> Frames:
    """A WDI indicator; the file must hold the series the source is registered for (a CSV of
    another indicator in its place stops the build)."""
    indicator = read_source(source, folder)
    expected = _wdi_code(source)
    if expected and indicator.code != expected:
        from corridors.errors import InputError

        raise InputError.one(source.primary.name, f"the WDI series {expected} ({source.title})",
                             value=f"{indicator.code} ({indicator.name})",
                             hint="The file in the cache is another indicator: pull it again.")
    frame = indicator.values.with_columns(
        pl.lit("wdi").alias("dataset"), pl.lit(None, pl.Int32).alias("area_m49"),
        pl.lit("total").alias("sex"))
    return {"indicators": _tag(frame, source)}


def load_borders(source: Source, folder: Path) -> Frames:
    result = read_source(source, folder)
    if hasattr(result, "dyads"):
        return {"dyads": result.dyads.with_columns(pl.lit(source.id).alias("source_id"))}
    return {"contiguity": result.contiguity.select("iso3_a", "iso3_b").with_columns(
        pl.lit(source.id).alias("source_id"))}


def load_world_bank_bilateral(source: Source, folder: Path) -> Frames:
    """KNOMAD bilateral matrices: migrant stocks (persons) and remittances (US$ millions; origin =
    receiving economy, destination = sending economy, as in the migration sense)."""
    matrix = read_source(source, folder)
    frame = matrix.pairs.with_columns(
        pl.lit(matrix.kind).alias("kind"), pl.lit(matrix.year).alias("year"),
        pl.lit(matrix.unit).alias("unit"))
    return {"wb_bilateral": _tag(frame, source)}


def load_communities(source: Source, folder: Path) -> Frames:
    frame = pl.read_csv(folder / "rec_membership.csv", infer_schema=False,
                        empty_string_is_null=False)
    import corridors.codes as codes
    import corridors.links as links
    from corridors.errors import InputError, Problem

    problems = [
        Problem("rec_membership.csv", row=i + 2, value=iso3, expected="an ISO3 code of a country")
        for i, iso3 in enumerate(frame["iso3"]) if iso3 not in codes.countries()
    ] + [
        Problem("rec_membership.csv", row=i + 2, value=url,
                expected=f"a source_url that is {links.EXPECTED}")
        for i, url in enumerate(frame["source_url"]) if url and not links.is_web_address(url)
    ]
    if problems:
        raise InputError(problems)

    def year(col: str) -> pl.Expr:
        return pl.col(col).str.extract(r"(\d{4})").cast(pl.Int32, strict=False)

    return {"rec_membership": frame.select(
        "rec_code", "rec_name", "iso3", "member_type", year("since").alias("since"),
        year("until").alias("until"), "source_url", "note")}


def load_world_bank_rpw(source: Source, folder: Path) -> Frames:
    """Remittance Prices Worldwide corridor costs (origin = sending country)."""
    return {"remittance_costs": _tag(read_source(source, folder), source)}


#: The frames each loader may return, by name (store tables, and ``_`` parts the build puts
#: together): the build reads every source whose loader returns a frame of a table before it
#: writes that table. A loader returning a frame not named here stops the build.
WRITES: dict[str, frozenset[str]] = {
    "un_desa_totals": frozenset({"migrant_stock_totals", "population", "indicators"}),
    "un_desa_annex": frozenset({"_annex_countries", "_annex_areas"}),
    "un_desa_bilateral": frozenset({"migrant_stock", "_bilateral_totals"}),
    "wpp": frozenset({"population"}),
    "m49": frozenset({"_m49_countries", "areas", "_m49_developed"}),
    "world_bank_income": frozenset({"income_groups", "income_thresholds", "wb_classification"}),
    "world_bank_wdi": frozenset({"indicators"}),
    "borders": frozenset({"dyads", "contiguity"}),
    "communities": frozenset({"rec_membership"}),
    "world_bank_bilateral": frozenset({"wb_bilateral"}),
    "world_bank_bilateral_csv": frozenset({"wb_bilateral"}),
    "world_bank_gdp": frozenset({"indicators"}),
    "world_bank_rpw": frozenset({"remittance_costs"}),
}

LOADERS: dict[str, Loader] = {
    "un_desa_totals": load_un_desa_totals,
    "un_desa_annex": load_un_desa_annex,
    "un_desa_bilateral": load_un_desa_bilateral,
    "wpp": load_wpp,
    "m49": load_m49,
    "world_bank_income": load_world_bank_income,
    "world_bank_wdi": load_world_bank_wdi,
    "borders": load_borders,
    "communities": load_communities,
    "world_bank_bilateral": load_world_bank_bilateral,
    "world_bank_bilateral_csv": load_world_bank_bilateral,
    "world_bank_gdp": load_world_bank_wdi,
    "world_bank_rpw": load_world_bank_rpw,
}
