"""Frictionless data package: the descriptor (``datapackage.json``) for exported CSV tables.

A data package is a folder of CSV files plus ``datapackage.json``, which says what the folder is
(name, title, when it was made), under which licences, from which sources (official URL, edition,
file and its sha256), and for each CSV file (a *resource*) its format, its ``sha256`` hash and its
*table schema*: every field with its type and description, and the primary key. Tools such as
``frictionless validate datapackage.json`` check the files against it. The descriptor follows the
Data Package v1 specification (``tabular-data-package``), which v2 readers also accept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

NAME = "corridors-south-south"
DESCRIPTOR = "datapackage.json"

#: Licences as published -> (Open Definition id or None, licence URL), matched by prefix.
LICENCES = {
    "CC BY 3.0 IGO": (None, "https://creativecommons.org/licenses/by/3.0/igo/"),
    "CC BY-SA 4.0": ("CC-BY-SA-4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC BY 4.0": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
}

#: The rows of each table are identified by these fields (``regions-<grouping>`` as ``regions``).
PRIMARY_KEYS = {
    "stock": ("edition", "origin", "destination", "year", "sex"),
    "corridors": ("edition", "origin", "destination", "year", "sex"),
    "summary": ("edition", "lens", "year", "sex", "category"),
    "contiguity": ("edition", "lens", "year", "sex"),
    "top": ("edition", "lens", "year", "sex", "rank"),
    "regions": ("edition", "grouping", "group", "year", "sex"),
    "remittances": ("indicator", "area", "counterpart", "year"),
    "remittance-summary": ("lens", "year", "category"),
    "remittance-costs": ("origin", "destination", "period"),
    "survey": ("dataset", "indicator", "sex", "domain"),
}

_SHARE = "fraction between 0 and 1"
#: What each exported column means (units: persons unless said). docs/lenses.md has the formulas.
FIELDS = {
    "edition": "Edition of UN DESA's International Migrant Stock, e.g. ims2020",
    "origin": "Country of birth (ISO3); XXX = UN DESA 'Other' (unknown origin)",
    "destination": "Country of residence (ISO3)",
    "origin_name": "Name of the origin country",
    "destination_name": "Name of the destination country",
    "year": "Reference year (1 July estimates)",
    "sex": "total, male or female",
    "value": "Migrant stock, persons",
    "stock": "Migrant stock from origin living in destination, persons",
    "source_id": "corridors source id of the figures (see the package sources)",
    "lens": "Definition of 'South' (corridors lens id, see docs/lenses.md)",
    "category": "south-south, south-north, north-south or north-north under the lens",
    "share": f"value / classified_total, {_SHARE}",
    "classified_total": "Stock in the four categories, persons",
    "unclassified": "Stock with an end that has no group that year under the lens, persons",
    "unknown_origin": "Stock of unknown origin (UN DESA 'Other'), persons",
    "south_south": "South-South stock under the lens, persons",
    "contiguous": "Origin and destination share a land border",
    "share_contiguous": f"South-South stock between contiguous countries / South-South stock, {_SHARE}",
    "rank": "Rank of the corridor within lens, year and sex (1 = first)",
    "change": "Stock minus the stock in the previous year of the edition, persons",
    "growth_rate": "Exponential annual rate of change since the previous year of the edition, "
                   "ln(stock / previous_stock) / years",
    "female_share": f"Female stock / total stock, {_SHARE}",
    "origin_share": f"Share of the origin's emigrants living in the destination, {_SHARE}",
    "destination_share": f"Share of the destination's immigrants born in the origin, {_SHARE}",
    "prev_year": "Previous year of the edition",
    "previous_stock": "Stock in the previous year of the edition, persons",
    "same_continent": "Both ends in the same M49 region",
    "same_un_subregion": "Both ends in the same M49 sub-region",
    "same_sdg_region": "Both ends in the same SDG region",
    "shared_recs": "Regional economic communities both ends belong to that year, ';'-separated",
    "same_rec": "Both ends belong to at least one same regional economic community that year",
    "grouping": "Grouping of countries: continent, un-subregion, sdg-region, un-region, income, "
                "rec or custom",
    "group": "Group name (M49 / SDG region name, income group, community code)",
    "group_code": "Group code (M49 code or community code)",
    "countries": "Countries in the group that year",
    "emigrants": "Emigrants of the group's countries, persons",
    "immigrants": "Immigrants in the group's countries, persons",
    "intra_group": "Stock born in the group and living in the group, persons",
    "origin_view_share": f"intra_group / emigrants, {_SHARE}",
    "destination_view_share": f"intra_group / immigrants, {_SHARE}",
}

#: Columns that mean something else in one table than in the stock tables above.
TABLE_FIELDS = {
    "remittances": {
        "indicator": "BX.TRF.PWKR.CD.DT (WDI personal remittances received), BM.TRF.PWKR.CD.DT "
                     "(paid) or bilateral (World Bank / KNOMAD bilateral estimate)",
        "area": "Economy receiving the remittances (ISO3; for BM.TRF.PWKR.CD.DT the paying one)",
        "counterpart": "Economy sending a bilateral remittance (ISO3); _T for every counterpart",
        "year": "Year",
        "value": "Remittances in unit (US dollars, or millions of US dollars)",
        "unit": "Unit as stored: current US$ or US$ millions",
        "unit_mult": "Power of ten of the unit: 0 (US dollars) or 6 (millions of US dollars)",
        "obs_status": "A (as reported in the WDI) or E (estimate, KNOMAD)",
        "edition": "Edition of the source (WDI release, KNOMAD year)",
    },
    "remittance-summary": {
        "lens": "Definition of South (see docs/lenses.md)",
        "year": "Year of the KNOMAD bilateral remittance matrix",
        "category": "south-south, south-north, north-south or north-north in the direction of "
                    "the money: the sending country (the migrants' host) first",
        "value_usd": "Bilateral remittances of the category, US dollars",
        "share": f"value_usd / classified_total_usd, {_SHARE}",
        "classified_total_usd": "Remittances between countries both classified that year, US$",
        "unclassified_usd": "Remittances with an end not classified that year, US$",
        "world_usd": "Every published pair of the matrix, US$",
        "edition": "KNOMAD matrix year",
        "source_id": "corridors source id of the matrix",
    },
    "remittance-costs": {
        "origin": "SENDING country (ISO3): the migrants' host",
        "destination": "Receiving country (ISO3)",
        "period": "Quarter, e.g. 2020Q3",
        "year": "Year of the quarter",
        "quarter": "Quarter 1..4",
        "cost_pct": "Average total cost of sending USD 200, percent of the amount sent, as "
                    "published by Remittance Prices Worldwide (SDG 10.c.1)",
        "cost_pct_500": "Average total cost of sending USD 500, percent (where published)",
        "fx_margin_pct": "Average exchange-rate margin on USD 200, percent (where published)",
        "providers": "Number of providers priced (where published)",
        "above_5_pct": "cost_pct above 5 % (SDG 10.c: no corridor above 5 %)",
        "edition": "Edition of the RPW source",
        "source_id": "corridors source id (wb-rpw-databank: DataBank export; wb-rpw-filtered: quarters "
                     "after 2020Q3)",
    },
    "survey": {
        "dataset": "The survey (its mapping id, e.g. eph-2016q4)",
        "indicator": "ICLS-2018 indicator id or the estimated measure, e.g. mean(foreign_born)",
        "kind": "total, mean, ratio or quantile",
        "iso3": "Country the survey covers (ISO3)",
        "year": "Reference year of the survey",
        "domain": "The subpopulation as JSON (domain column: value); {} for all persons",
        "estimate": "The design-based estimate (empty when suppressed)",
        "se": "Standard error of the estimate",
        "cv": "Coefficient of variation (se / estimate)",
        "ci_low": "Lower bound of the 95 % confidence interval",
        "ci_high": "Upper bound of the 95 % confidence interval",
        "df": "Design degrees of freedom of the estimate (R's degf for its domain)",
        "ci_method": "How the interval was made: wald, t, logit, beta (proportions), "
                     "woodruff-t or woodruff-wald (quantiles)",
        "n": "Unweighted number of sample persons behind the estimate",
        "flag": "ok, caution or suppressed",
        "unit": "persons, proportion or mean, ratio, or value of the variable (quantiles)",
        "source_id": "corridors source id of the microdata file (see the package sources)",
    },
}


def describe(column: str, table: str = "") -> str:
    """What an exported column of ``table`` means ('' when corridors has no description)."""
    if column in TABLE_FIELDS.get(table, {}):
        return TABLE_FIELDS[table][column]
    if column.startswith("category_"):
        return f"Category under the lens {column.removeprefix('category_')} (see 'category')"
    return FIELDS.get(column, "")


def field_type(dtype: pl.DataType) -> str:
    """The Table Schema type of a polars column as written to CSV (lists as ';'-joined text)."""
    if dtype.is_integer():
        return "integer"
    if dtype.is_float():
        return "number"
    if dtype == pl.Boolean:
        return "boolean"
    if dtype == pl.Date:
        return "date"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    return "string"


def schema(name: str, frame: pl.DataFrame) -> dict:
    """The Table Schema of an export table: fields with types and descriptions, primary key."""
    table = name if name in PRIMARY_KEYS else name.split("-")[0]  # regions-<grouping>: regions
    fields = [{"name": c, "type": field_type(t), "description": describe(c, table)}
              for c, t in frame.schema.items()]
    out: dict = {"fields": fields}
    key = PRIMARY_KEYS.get(table)
    if key and set(key) <= set(frame.columns):
        out["primaryKey"] = list(key)
    return out


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def licences(sources: pl.DataFrame) -> list[dict]:
    """One entry per distinct licence of the sources: Open Definition id and URL where known,
    else the URL of a source published under it (where its terms are stated)."""
    out: list[dict] = []
    for text, rows in sources.group_by("licence", maintain_order=True):
        text = text[0]
        entry: dict = {"title": text}
        known = next((v for k, v in LICENCES.items() if text.startswith(k)), None)
        if known:
            if known[0]:
                entry["name"] = known[0]
            entry["path"] = known[1]
        else:
            urls = [u for u in rows["url"].to_list() if u]
            if urls:
                entry["path"] = urls[0]
            else:
                entry["name"] = "other-at"  # Open Definition: "Other (Attribution)"
        out.append(entry)
    return out


def source_entries(sources: pl.DataFrame) -> list[dict]:
    """The package's ``sources``: title, official URL, and corridors' provenance of each file."""
    out = []
    for row in sources.iter_rows(named=True):
        entry = {"title": row["title"]}
        if row.get("url"):
            entry["path"] = row["url"]
        entry |= {"id": row["source_id"], "publisher": row["publisher"], "edition": row["edition"],
                  "licence": row["licence"], "file": row["file_name"], "sha256": row["sha256"]}
        out.append(entry)
    return out


def descriptor(tables: Mapping[str, pl.DataFrame], files: Mapping[str, Path], sources: pl.DataFrame,
               *, title: str) -> dict:
    """The ``datapackage.json`` content for ``tables`` already written as CSV to ``files``
    (same keys; paths in the package folder)."""
    resources = []
    for name, frame in tables.items():
        path = files[name]
        resources.append({
            "name": name, "path": path.name, "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "bytes": path.stat().st_size, "hash": f"sha256:{sha256(path)}",
            "schema": schema(name, frame),
        })
    return {
        "profile": "tabular-data-package",
        "name": NAME,
        "title": title,
        "created": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "licenses": licences(sources),
        "sources": source_entries(sources),
        "resources": resources,
    }


def write(folder: Path, content: dict) -> Path:
    path = folder / DESCRIPTOR
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
