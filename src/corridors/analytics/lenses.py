"""Lenses: named, cited definitions of "South", applied year by year.

Whether a corridor is South–South depends on the definition of "South" (the GFMD 2018 background
paper, introduction: "adopting a clear understanding of what is observed"). A *lens* says, for each
country and each year, whether it counts as South **as an origin** and **as a destination**:

- ``wb-lmic``: World Bank low or lower-middle income (L, LM) at both ends;
- ``wb-non-high``: not high income (L, LM, UM) at both ends (Ratha & Shaw 2007);
- ``un-developing``: UN DESA "less developed regions" (IMS 2020 annex) at both ends;
- ``gfmd-2018``: origin L or LM; destination L or LM **or** on a list of emerging destinations
  (default: the six GCC states and the emerging hubs the paper names: Brazil, Mauritius, Singapore,
  South Africa);
- custom lenses from YAML files (see :func:`load_lenses`).

Income groups change over time, so a lens is evaluated for each IMS year Y with the World Bank
classification of **data year Y** (fiscal year FY(Y+2): IMS 2020 -> FY22, IMS 1990 -> FY92).
Years before the first classified data year (1987, FY89) use 1987; years after the last use the last;
see :func:`classification_year`. A country without a classification in that year (OGHIST ``..``) is
*unclassified*: its corridors get no category and are reported separately, never guessed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import polars as pl
import yaml

import corridors.codes as codes
from corridors.analytics.rules import CATEGORIES as CATEGORIES  # the corridor vocabulary
from corridors.analytics.rules import category_sql as _category_sql
from corridors.analytics.rules import four_categories_sql
from corridors.analytics.rules import pair_category as pair_category
from corridors.errors import CorridorsError, InputError, NotFoundError
from corridors.languages import N_
from corridors.languages import gettext as _
from corridors.settings import settings
from corridors.yamlfile import read_yaml

INCOME_GROUPS = ("L", "LM", "UM", "H")
INCOME_NAMES = {
    "L": N_("Low income"),
    "LM": N_("Lower middle income"),
    "UM": N_("Upper middle income"),
    "H": N_("High income"),
}

#: Gulf Cooperation Council states (the paper's "GCC countries").
GCC = ("BHR", "KWT", "OMN", "QAT", "SAU", "ARE")
#: Emerging destinations named in the paper, section 1.1 ("emerging immigration hubs for the highly
#: skilled: Brazil; Mauritius; Singapore; South Africa; GCC countries").
EMERGING_HUBS = ("BRA", "MUS", "SGP", "ZAF")
GFMD_2018_EMERGING = GCC + EMERGING_HUBS

#: First World Bank data year with a classification (FY89 classifies 1987).
FIRST_CLASSIFIED_YEAR = 1987


class LensError(CorridorsError):
    """An unknown lens id or a lens file that cannot be used."""


class UnknownLensError(LensError, NotFoundError):
    """A lens id that is neither built in nor among the user's lenses."""


@dataclass(frozen=True)
class Rule:
    """Which countries count as South in one role (origin or destination).

    A country is South when it is listed in ``countries``, or its World Bank group that year is in
    ``income_groups``, or its UN development group is ``development_group``; ``exclude`` wins over
    everything. When a criterion cannot be decided (no classification that year) and no other
    criterion says South, the country is unclassified (None).
    """

    income_groups: tuple[str, ...] = ()
    development_group: str | None = None
    countries: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def describe(self) -> str:
        """The rule in words, in the current language (English outside a page or brief)."""
        parts = []
        if self.income_groups:
            parts.append(_("World Bank {groups}").format(groups="/".join(self.income_groups)))
        if self.development_group:
            parts.append(_("UN {group} regions").format(group=_(self.development_group)))
        if self.countries:
            parts.append(_("or one of {codes}").format(codes=", ".join(self.countries)))
        text = " ".join(parts) if parts else _("nobody")
        if self.exclude:
            text += " " + _("(except {codes})").format(codes=", ".join(self.exclude))
        return text


@dataclass(frozen=True)
class Lens:
    """A named, cited definition of South: one rule for origins, one for destinations."""

    id: str
    title: str
    citation: str
    origin: Rule
    destination: Rule
    note: str = ""
    source: str = "built-in"
    tags: tuple[str, ...] = field(default=())

    def describe(self) -> dict[str, str]:
        return {
            "lens": self.id,
            "title": self.title,
            "origin_south": self.origin.describe(),
            "destination_south": self.destination.describe(),
            "citation": self.citation,
            "source": self.source,
        }


def _codes(values: Iterable[str], what: str, file: str = "", lens: str = "") -> tuple[str, ...]:
    found = []
    for value in values:
        iso3 = codes.code_for(value)
        if iso3 is None:
            raise InputError.one(
                file or "lens definition", f"a country code (ISO3, M49 or name) in {what}",
                place=f"lens {lens!r}" if lens else None, value=value,
            )
        found.append(iso3)
    return tuple(found)


#: The GFMD 2018 lens's note (translated where it is shown: corridors.web.views.lens_note).
EMERGING_NOTE = N_("Emerging destinations count as South only as destinations: default {codes}.")


def gfmd_2018(emerging: Iterable[str] = GFMD_2018_EMERGING) -> Lens:
    """The 2018 GFMD co-chairs' flexible definition with a chosen list of emerging destinations."""
    listed = tuple(dict.fromkeys(_codes(emerging, "emerging destinations")))
    return Lens(
        id="gfmd-2018",
        title=N_("GFMD 2018 co-chairs' flexible definition"),
        citation=(
            "GFMD 2018 Roundtable 2.1 background paper (ILO with IOM), introduction: 'migration and "
            "mobility between low-income and lower-middle income countries but which may include in "
            "instances flows from these to upper-middle or even high-income countries along recently "
            "emerging corridors' (footnotes 2-4: World Bank Atlas GNI thresholds); emerging hubs "
            "named in section 1.1."
        ),
        origin=Rule(income_groups=("L", "LM")),
        destination=Rule(income_groups=("L", "LM"), countries=listed),
        note=EMERGING_NOTE.format(codes=", ".join(listed)),
    )


BUILTIN: dict[str, Lens] = {
    lens.id: lens
    for lens in (
        Lens(
            id="wb-lmic",
            title=N_("World Bank low and lower-middle income"),
            citation=(
                "World Bank country income classification (OGHIST, GNI per capita, Atlas method), "
                "as in the GFMD 2018 background paper, introduction and footnotes 2-3."
            ),
            origin=Rule(income_groups=("L", "LM")),
            destination=Rule(income_groups=("L", "LM")),
        ),
        Lens(
            id="wb-non-high",
            title=N_("World Bank non-high income"),
            citation=(
                "Ratha, D. and Shaw, W. (2007) South-South Migration and Remittances, World Bank "
                "Working Paper 102: 'South' = low- and middle-income countries (not high income)."
            ),
            origin=Rule(income_groups=("L", "LM", "UM")),
            destination=Rule(income_groups=("L", "LM", "UM")),
        ),
        Lens(
            id="un-developing",
            title=N_("UN DESA less developed regions"),
            citation=(
                "UN DESA Population Division, International Migrant Stock 2020, annex "
                "(aggregates correspondence table): 'Less developed regions'."
            ),
            origin=Rule(development_group=N_("less developed")),
            destination=Rule(development_group=N_("less developed")),
            note=N_("The annex grouping of the edition in the store, applied to every year."),
        ),
        gfmd_2018(),
    )
}


def classification_year(year: int, data_years: Sequence[int]) -> int:
    """The World Bank data year whose classification applies to an observation year.

    IMS year Y uses data year Y (classified in fiscal year FY(Y+2), published 1 July of Y+1).
    Before the first data year (1987) the first is used; after the last, the last; inside a gap,
    the latest data year before Y.
    """
    if not data_years:
        return year
    ordered = sorted(set(data_years))
    if year <= ordered[0]:
        return ordered[0]
    earlier = [y for y in ordered if y <= year]
    return earlier[-1]


def fiscal_year_label(data_year: int) -> str:
    """'FY22' for data year 2020."""
    return f"FY{(data_year + 2) % 100:02d}"


# --- custom lenses -----------------------------------------------------------------------------

_RULE_KEYS = {"income_groups", "development_group", "countries", "exclude"}
_LENS_KEYS = {"id", "title", "citation", "note", "south", "origin", "destination"}


def _rule(data: object, file: str, lens: str, role: str) -> Rule:
    if not isinstance(data, dict):
        raise InputError.one(file, f"a mapping under '{role}' with keys {', '.join(sorted(_RULE_KEYS))}",
                             place=f"lens {lens!r}", value=data)
    unknown = set(data) - _RULE_KEYS
    if unknown:
        raise InputError.one(file, f"only {', '.join(sorted(_RULE_KEYS))} under '{role}'", place=f"lens {lens!r}",
                             value=sorted(unknown)[0])
    groups = tuple(str(g).upper() for g in data.get("income_groups") or ())
    for group in groups:
        if group not in INCOME_GROUPS:
            raise InputError.one(file, f"income groups among {', '.join(INCOME_GROUPS)}", place=f"lens {lens!r}",
                                 value=group)
    development = data.get("development_group")
    if development is not None and str(development).lower() not in (
        "less developed", "more developed"
    ):
        raise InputError.one(file, "development_group 'less developed' or 'more developed'",
                             place=f"lens {lens!r}", value=development)
    return Rule(
        income_groups=groups,
        development_group=str(development).lower() if development else None,
        countries=_codes(data.get("countries") or (), f"{role}.countries", file, lens),
        exclude=_codes(data.get("exclude") or (), f"{role}.exclude", file, lens),
    )


def _lens_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in (".yaml", ".yml"))
    if path.exists():
        return [path]
    raise LensError(f"no lens file at {path}. Write one as described in docs/lenses.md.")


def load_lenses(path: Path | str | None = None) -> dict[str, Lens]:
    """Custom lenses from a YAML file or a folder of them (default: ``<home>/user/lenses/``).

    Format (one file may hold several lenses)::

        lenses:
          - id: sadc-plus-gulf              # letters, digits and '-'
            title: SADC view with Gulf destinations
            citation: Where the definition comes from
            south:                          # the rule for both roles ...
              income_groups: [L, LM]        # World Bank groups in that year: L, LM, UM, H
              development_group: less developed   # and/or UN DESA annex group
              countries: [ZAF]              # always South (ISO3, M49 or name)
              exclude: []                   # never South
            destination:                    # ... or a rule per role (overrides `south`)
              income_groups: [L, LM]
              countries: [ZAF, SAU, ARE]

    A missing default folder means no custom lenses; a missing explicit path is an error.
    """
    explicit = path is not None
    folder = Path(path) if path is not None else settings().user_dir / "lenses"
    if not explicit and not folder.exists():
        return {}
    found: dict[str, Lens] = {}
    for file in _lens_files(folder):
        name = str(file)
        try:
            document = read_yaml(file, hint="See docs/lenses.md.")
        except yaml.YAMLError as error:
            raise InputError.one(name, "valid YAML (see docs/lenses.md)", value=str(error)) from None
        entries = document.get("lenses") if isinstance(document, dict) else None
        if not isinstance(entries, list):
            raise InputError.one(name, "a top-level 'lenses:' list", value=type(document).__name__)
        for index, entry in enumerate(entries, start=1):
            where = f"lens #{index}"
            if not isinstance(entry, dict) or not entry.get("id"):
                raise InputError.one(name, "each lens to be a mapping with an 'id'", place=where,
                                     value=entry)
            lens_id = str(entry["id"]).strip()
            unknown = set(entry) - _LENS_KEYS
            if unknown:
                raise InputError.one(name, f"only {', '.join(sorted(_LENS_KEYS))} in a lens", place=f"lens {lens_id!r}",
                                     value=sorted(unknown)[0])
            if lens_id in BUILTIN or lens_id in found:
                raise InputError.one(name, "a lens id not already used", place=where,
                                     value=lens_id)
            base = entry.get("south")
            origin = entry.get("origin", base)
            destination = entry.get("destination", base)
            if origin is None or destination is None:
                raise InputError.one(name, "'south' or both 'origin' and 'destination'",
                                     place=f"lens {lens_id!r}")
            found[lens_id] = Lens(
                id=lens_id,
                title=str(entry.get("title") or lens_id),
                citation=str(entry.get("citation") or "user-defined"),
                origin=_rule(origin, name, lens_id, "origin"),
                destination=_rule(destination, name, lens_id, "destination"),
                note=str(entry.get("note") or ""),
                source=name,
            )
    return found


def available_lenses(path: Path | str | None = None) -> dict[str, Lens]:
    """Built-in lenses followed by the user's custom lenses."""
    return {**BUILTIN, **load_lenses(path)}


def get_lens(lens_id: str, path: Path | str | None = None,
             emerging: Iterable[str] | None = None) -> Lens:
    """A lens by id; ``emerging`` replaces the emerging-destination list of ``gfmd-2018``."""
    lenses = available_lenses(path)
    if lens_id not in lenses:
        raise UnknownLensError(
            f"unknown lens {lens_id!r}; available: {', '.join(lenses)}. Custom lenses go in "
            f"{settings().user_dir / 'lenses'} (see docs/lenses.md)."
        )
    lens = lenses[lens_id]
    if emerging is not None:
        if lens_id != "gfmd-2018":
            raise LensError("--emerging applies only to the gfmd-2018 lens")
        lens = replace(lens, **{k: getattr(gfmd_2018(emerging), k)
                                for k in ("destination", "note")})
    return lens


# --- applying lenses ---------------------------------------------------------------------------

def income_history(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every (iso3, data_year, fiscal_year, income_group) in the store."""
    return query(con,
        "SELECT iso3, data_year, fiscal_year, income_group FROM income_groups "
        "WHERE income_group IN ('L', 'LM', 'UM', 'H') ORDER BY iso3, data_year"
    )


def year_mapping(con: duckdb.DuckDBPyConnection, years: Iterable[int]) -> pl.DataFrame:
    """For each observation year: the World Bank data year and fiscal year used for it."""
    data_years = [r[0] for r in con.execute(
        "SELECT DISTINCT data_year FROM income_groups ORDER BY 1").fetchall()]
    rows = []
    for year in sorted(set(years)):
        data_year = classification_year(year, data_years)
        rows.append({"year": year, "data_year": data_year,
                     "fiscal_year": fiscal_year_label(data_year)})
    return pl.DataFrame(rows, schema={"year": pl.Int32, "data_year": pl.Int32,
                                      "fiscal_year": pl.String})


def _south(rule: Rule) -> pl.Expr:
    checks: list[tuple[pl.Expr, pl.Expr]] = []  # (decided, is_south)
    if rule.income_groups:
        checks.append((pl.col("income_group").is_not_null(),
                       pl.col("income_group").is_in(list(rule.income_groups))))
    if rule.development_group:
        checks.append((pl.col("development_group").is_not_null(),
                       pl.col("development_group").str.to_lowercase() == rule.development_group))
    any_south = pl.lit(False)
    all_decided = pl.lit(True)
    for decided, is_south in checks:
        any_south = any_south | (decided & is_south).fill_null(False)
        all_decided = all_decided & decided
    return (
        pl.when(pl.col("iso3").is_in(list(rule.exclude))).then(pl.lit(False))
        .when(pl.col("iso3").is_in(list(rule.countries))).then(pl.lit(True))
        .when(any_south).then(pl.lit(True))
        .when(all_decided).then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
    )


# --- residual origins [issue 11 item 5, branch provenance: the whole rule, kept in this block] --
def residual_south(rule: Rule, development_group: str) -> bool | None:
    """Whether a residual origin group (IMS 2015 "Other North" / "Other South", codes
    :data:`corridors.codes.RESIDUAL_ORIGINS`) is South under ``rule``; None = unclassified.

    Such a group has no income group and names none of its countries, so only a UN development
    group criterion can place it, and only where the answer cannot depend on which countries it
    holds: South when the rule counts the group's development group as South and excludes no
    country; North when the rule decides by development group alone (no income groups, no listed
    countries) and the group is not its South; otherwise unclassified. Under ``un-developing``
    Other South is South and Other North is North; under the income lenses both are unclassified.
    """
    if rule.development_group is None:
        return None
    if rule.development_group == development_group:
        return None if rule.exclude else True
    return None if (rule.income_groups or rule.countries) else False


def _residual_roles(lenses: Sequence[Lens], mapping: pl.DataFrame) -> pl.DataFrame:
    """:func:`lens_roles` rows of the residual origins, by :func:`residual_south`."""
    rows = [{"lens": lens.id, "iso3": code, "year": year, "data_year": data_year,
             "income_group": None, "development_group": group,
             "south_origin": residual_south(lens.origin, group),
             "south_destination": residual_south(lens.destination, group)}
            for lens in lenses for code, group in codes.RESIDUAL_ORIGINS.items()
            for year, data_year in mapping.select("year", "data_year").iter_rows()]
    return pl.DataFrame(rows, schema=ROLE_SCHEMA)
# --- end of the residual-origin rule -----------------------------------------------------------


#: Columns of :func:`lens_roles`.
ROLE_SCHEMA = pl.Schema({"lens": pl.String, "iso3": pl.String, "year": pl.Int32, "data_year": pl.Int32,
                         "income_group": pl.String, "development_group": pl.String,
                         "south_origin": pl.Boolean, "south_destination": pl.Boolean})


def lens_roles(con: duckdb.DuckDBPyConnection, lenses: Sequence[Lens],
               years: Iterable[int]) -> pl.DataFrame:
    """For each lens, country and year: South as origin? South as destination? (None = unclassified).

    Columns: lens, iso3, year, data_year, income_group, development_group, south_origin,
    south_destination. One block of rows per lens, in the order of ``lenses``; each block ends
    with the residual origins (IMS 2015 Other North / Other South, :func:`residual_south`).

    The build stores these rows for the built-in lenses (:mod:`corridors.analytics.facts`,
    whose ``roles`` reads them).
    """
    years = sorted(set(years))
    mapping = year_mapping(con, years)
    countries = query(con,
        "SELECT iso3, lower(development_group) AS development_group FROM countries "
        "UNION SELECT DISTINCT iso3, NULL FROM income_groups "
        "WHERE iso3 NOT IN (SELECT iso3 FROM countries)"
    )
    income = query(con,
        "SELECT iso3, data_year, income_group FROM income_groups "
        "WHERE income_group IN ('L', 'LM', 'UM', 'H')"
    ).with_columns(pl.col("data_year").cast(pl.Int32))
    base = (
        countries.join(mapping, how="cross")
        .join(income, on=["iso3", "data_year"], how="left")
    )
    frames = [
        pl.concat([base.select(
            pl.lit(lens.id).alias("lens"), "iso3", "year", "data_year", "income_group",
            "development_group",
            _south(lens.origin).alias("south_origin"),
            _south(lens.destination).alias("south_destination"),
        ).cast(ROLE_SCHEMA), _residual_roles([lens], mapping)])
        for lens in lenses
    ]
    return pl.concat(frames) if frames else pl.DataFrame(schema=ROLE_SCHEMA)


_counter = itertools.count()


def query(con: duckdb.DuckDBPyConnection, sql: str,
          params: dict | list | None = None) -> pl.DataFrame:
    """Run one parameterised query and return its rows as a polars frame.

    Uses the prepared-statement path (``execute``): with DuckDB 1.x the relation path
    (``con.sql(..., params=)``) is several times slower for large results.
    """
    cursor = con.execute(sql, params)
    if hasattr(cursor, "pl"):
        return cursor.pl()
    return pl.DataFrame(cursor.to_arrow_table())  # DuckDB 2: results are not frames directly


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame,
               stem: str = "frame") -> Iterator[str]:
    """Make a polars frame queryable in SQL under a fresh name for the duration of a block."""
    name = f"_{stem}_{next(_counter)}"
    con.register(name, frame.to_arrow())
    try:
        yield name
    finally:
        con.unregister(name)


#: The four-category rule (NULL when either end is unclassified), written once in
#: :mod:`corridors.analytics.rules`; ``{o}`` / ``{d}`` are the two South flags.
CATEGORY_SQL = four_categories_sql("{o}", "{d}")


def category_sql(origin_flag: str, destination_flag: str) -> str:
    """SQL for the four categories from two South flags (NULL when either is unclassified): the
    rule of :func:`corridors.analytics.rules.four_categories_sql`."""
    return four_categories_sql(origin_flag, destination_flag)


def corridor_category_sql(origin: str, origin_flag: str, destination_flag: str) -> str:
    """SQL for a corridor's category with ``unknown-origin`` and ``unclassified``
    (:func:`corridors.analytics.rules.category_sql`)."""
    return _category_sql(origin, origin_flag, destination_flag)
