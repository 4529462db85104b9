"""The SDMX structures of corridors' exports: concepts, code lists and dataflows, declared once.

A dataflow is one :class:`Dataflow` declaration in :data:`DATAFLOWS`: the export table it is
made from, its dimensions (time last), its attributes and the column holding ``OBS_VALUE``. Each
component names a concept of :data:`CONCEPTS`; a coded component also names a code list of
:data:`CODELISTS`. The SDMX-CSV writer (:mod:`.data`) and the SDMX-ML structure message
(:mod:`.message`) are both made from these declarations, so they cannot disagree.

The dataflows, data structure definitions, concept scheme and most code lists are corridors' own
(agency ``CORRIDORS``); they are not registered with any SDMX registry. Where the SDMX global
registry has a code list (``SDMX:CL_FREQ``, ``CL_SEX``, ``CL_OBS_STATUS``, ``CL_UNIT_MULT``), the
structures use it and the structure message refers to it (``isExternalReference``) with the codes
used here, so a registry that already holds it keeps its copy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import corridors.codes as codes
from corridors.analytics.choices import SDMX_TABLES

AGENCY = "CORRIDORS"
GLOBAL_AGENCY = "SDMX"
GLOBAL_REGISTRY = "https://registry.sdmx.org/ws/public/sdmxapi/rest/codelist"
_NOT_ID = re.compile(r"[^A-Za-z0-9_@$\-]+")


@dataclass(frozen=True)
class Code:
    """One code: its SDMX id, name, and the values of the store it stands for (default: its id)."""

    id: str
    name: str
    values: tuple[str, ...] = ()
    description: str = ""
    m49: int | None = None  # written as an annotation of area codes

    def stands_for(self) -> tuple[str, ...]:
        return self.values or (self.id,)


@dataclass(frozen=True)
class Codelist:
    """A code list: fixed codes, and optionally codes made from the values an export holds."""

    id: str
    name: str
    codes: tuple[Code, ...] = ()
    agency: str = AGENCY
    version: str = "1.0"
    description: str = ""
    from_values: Callable[[list[str]], list[Code]] | None = None

    @property
    def is_global(self) -> bool:
        """A code list of the SDMX global registry, referred to rather than defined here."""
        return self.agency == GLOBAL_AGENCY

    @property
    def url(self) -> str:
        return f"{GLOBAL_REGISTRY}/{self.agency}/{self.id}/{self.version}"

    def resolve(self, values: Iterable[str]) -> list[Code]:
        """The codes an export uses: the fixed codes standing for ``values``, then codes made
        from the values no fixed code stands for. Global code lists keep only the codes used."""
        wanted = {v for v in values if v is not None}
        fixed = [c for c in self.codes if not self.is_global or wanted & set(c.stands_for())]
        known = {v for c in self.codes for v in c.stands_for()}
        rest = sorted(wanted - known)
        if rest and self.from_values is not None:
            fixed += self.from_values(rest)
        return fixed


def code_id(value: str) -> str:
    """An SDMX id for a free-text value: runs of characters an id cannot hold become ``_``."""
    return _NOT_ID.sub("_", value).strip("_") or "_Z"


def _free_text_codes(values: list[str], name: Callable[[str], str] = str,
                     description: Callable[[str], str] = lambda _: "",
                     id_of: Callable[[str], str] = code_id) -> list[Code]:
    """A code per value, with an id made from the value (unique: a clash gets a suffix)."""
    used: set[str] = set()
    out = []
    for value in values:
        base = id_of(value)
        candidate, i = base, 2
        while candidate in used:
            candidate, i = f"{base}_{i}", i + 1
        used.add(candidate)
        out.append(Code(candidate, name(value), values=(value,), description=description(value)))
    return out


def _survey_indicator_codes(values: list[str]) -> list[Code]:
    """ICLS-2018 indicators named by their title and defined; other measures by their text."""
    from corridors.survey.indicators import INDICATORS

    known = {i.id: i for i in INDICATORS}
    return _free_text_codes(
        values, lambda v: known[v].title if v in known else v,
        lambda v: known[v].definition if v in known else "")


def _domain_name(value: str) -> str:
    return ", ".join(f"{k} = {v}" for k, v in json.loads(value).items()) or "All persons"


def _domain_codes(values: list[str]) -> list[Code]:
    """Survey domains (JSON objects of domain column = value) as codes: ``age_group_15-24``."""
    return _free_text_codes(values, _domain_name, id_of=lambda domain: code_id(
        "_".join(f"{column}_{value}" for column, value in json.loads(domain).items())))


def _lens_codes(values: list[str]) -> list[Code]:
    from corridors.analytics.lenses import BUILTIN

    return [Code(v, BUILTIN[v].title if v in BUILTIN else v, description=(
        BUILTIN[v].citation if v in BUILTIN else "a lens from the user's lens file"))
        for v in values]


def _area_codes() -> tuple[Code, ...]:
    countries = sorted(codes.countries().values(), key=lambda c: c.iso3)
    return (*(Code(c.iso3, c.name, m49=c.m49) for c in countries),
            Code(codes.OTHER_ORIGIN, "Other (origin not known or not specified, UN DESA)",
                 m49=2003),
            Code(codes.OTHER_NORTH, "Other North (countries of the more developed regions not "
                 "specified, UN DESA IMS 2015)"),
            Code(codes.OTHER_SOUTH, "Other South (countries of the less developed regions not "
                 "specified, UN DESA IMS 2015)"),
            Code("_T", "All areas (world)", description="every counterpart area together",
                 m49=1))


CODELISTS: dict[str, Codelist] = {cl.id: cl for cl in (
    Codelist("CL_FREQ", "Frequency", (Code("A", "Annual"),), GLOBAL_AGENCY, "2.1"),
    Codelist("CL_SEX", "Sex", (Code("_T", "Total", ("total",)), Code("M", "Male", ("male",)),
                               Code("F", "Female", ("female",))), GLOBAL_AGENCY, "2.1"),
    Codelist("CL_OBS_STATUS", "Observation status",
             (Code("A", "Normal value"), Code("E", "Estimated value")), GLOBAL_AGENCY, "2.3"),
    Codelist("CL_UNIT_MULT", "Unit multiplier", (Code("0", "Units"), Code("6", "Millions")),
             GLOBAL_AGENCY, "1.1"),
    Codelist("CL_AREA", "Countries and areas (ISO 3166 alpha-3, with their UN M49 code)",
             _area_codes(), description="The country table of corridors: ISO3 codes, names as "
             "UNSD M49 spells them, the M49 code as an annotation of type M49."),
    Codelist("CL_UNIT_MEASURE", "Unit of measure", (
        Code("PS", "Persons", ("persons",)),
        Code("USD", "US dollars", ("current US$", "US$ millions"),
             "current US dollars; UNIT_MULT says whether in units or millions"),
        Code("PROPORTION", "Proportion or mean per person", ("proportion or mean",)),
        Code("RATIO", "Ratio", ("ratio",)),
        Code("VALUE", "In the unit of the variable (a quantile, e.g. median monthly earnings)",
             ("value of the variable",)))),
    Codelist("CL_SSM_CATEGORY", "South–South category of a corridor", (
        Code("south-south", "South–South: origin and destination in the South"),
        Code("south-north", "South–North: origin in the South, destination in the North"),
        Code("north-south", "North–South: origin in the North, destination in the South"),
        Code("north-north", "North–North: origin and destination in the North"))),
    Codelist("CL_LENS", "Lens: a named, cited definition of the South", from_values=_lens_codes),
    Codelist("CL_REMITTANCE_INDICATOR", "Remittance indicator", (
        Code("BX_TRF_PWKR_CD_DT", "Personal remittances, received (current US$)",
             ("BX.TRF.PWKR.CD.DT",), "World Bank WDI series BX.TRF.PWKR.CD.DT"),
        Code("BM_TRF_PWKR_CD_DT", "Personal remittances, paid (current US$)",
             ("BM.TRF.PWKR.CD.DT",), "World Bank WDI series BM.TRF.PWKR.CD.DT"),
        Code("REM_BILATERAL", "Bilateral remittances received by REF_AREA from COUNTERPART_AREA",
             ("bilateral",), "World Bank / KNOMAD bilateral remittance matrix estimate"))),
    Codelist("CL_SURVEY", "Survey or census microdata file", from_values=_free_text_codes),
    Codelist("CL_SURVEY_INDICATOR", "Indicator estimated from microdata",
             from_values=_survey_indicator_codes),
    Codelist("CL_DOMAIN", "Domain of a survey estimate (subpopulation)",
             (Code("_T", "All persons", ("{}",)),), from_values=_domain_codes),
    Codelist("CL_RELIABILITY", "Reliability of a survey estimate", (
        Code("ok", "Reliable"), Code("caution", "Use with caution (high coefficient of variation "
                                                "or few sample persons)"),
        Code("suppressed", "Suppressed (too unreliable or disclosive to publish)"))),
)}


@dataclass(frozen=True)
class Concept:
    id: str
    name: str
    description: str = ""


CONCEPTS: dict[str, Concept] = {c.id: c for c in (
    Concept("FREQ", "Frequency"),
    Concept("REF_AREA", "Reference area",
            "For migrant stocks the country of residence (destination); for remittances the "
            "economy that receives (or, for remittances paid, pays) them; for survey estimates "
            "the country the survey covers."),
    Concept("COUNTERPART_AREA", "Counterpart area",
            "For migrant stocks the country of birth (origin); for bilateral remittances the "
            "economy they are sent from; _T for all counterparts together."),
    Concept("SEX", "Sex"),
    Concept("TIME_PERIOD", "Time period", "Year (mid-year for UN DESA stocks)."),
    Concept("LENS", "Lens", "A named, cited definition of the South applied per year."),
    Concept("CATEGORY", "South–South category"),
    Concept("INDICATOR", "Indicator"),
    Concept("SURVEY", "Survey", "The survey or census the estimate comes from."),
    Concept("DOMAIN", "Domain", "The subpopulation an estimate is for."),
    Concept("OBS_VALUE", "Observation value"),
    Concept("UNIT_MEASURE", "Unit of measure"),
    Concept("UNIT_MULT", "Unit multiplier", "Power of ten the value is expressed in."),
    Concept("OBS_STATUS", "Observation status"),
    Concept("SOURCE", "Source", "corridors source id(s), see sources-and-licences.csv (publisher, "
            "edition, licence, file and its SHA-256)."),
    Concept("EDITION", "Edition of the source"),
    Concept("SE", "Standard error", "Design-based standard error of the estimate."),
    Concept("CV", "Coefficient of variation"),
    Concept("CI_LOW", "Lower bound of the 95 % confidence interval"),
    Concept("CI_HIGH", "Upper bound of the 95 % confidence interval"),
    Concept("DF", "Design degrees of freedom", "R's degf of the design restricted to the "
            "estimate's domain: PSUs minus strata, or the rank of the replicate weights minus 1."),
    Concept("CI_METHOD", "Confidence interval method", "wald, t, logit or beta; woodruff-t or "
            "woodruff-wald for quantiles (see docs/survey.md)."),
    Concept("SAMPLE_SIZE", "Unweighted number of sample persons behind the estimate"),
    Concept("RELIABILITY", "Reliability flag"),
)}


@dataclass(frozen=True)
class Component:
    """A dimension or attribute: its concept, the export-table column that fills it (None: the
    ``fixed`` code), and either a code list or a text type."""

    concept: str
    column: str | None = None
    codelist: str | None = None
    text_type: str = "String"
    fixed: str | None = None
    mandatory: bool = False

    @property
    def source(self) -> str:
        """The export-table column of a component without a ``fixed`` code."""
        if self.column is None:
            raise ValueError(f"SDMX component {self.concept} has neither a column nor a fixed code")
        return self.column


def dim(concept: str, column: str | None = None, codelist: str | None = None, *,
        fixed: str | None = None) -> Component:
    return Component(concept, column, codelist, fixed=fixed)


def attr(concept: str, column: str | None = None, codelist: str | None = None, *,
         fixed: str | None = None, text_type: str = "String", mandatory: bool = False) -> Component:
    return Component(concept, column, codelist, text_type, fixed, mandatory)


FREQ_ANNUAL = dim("FREQ", codelist="CL_FREQ", fixed="A")
YEAR = Component("TIME_PERIOD", "year", text_type="ObservationalTimePeriod")
PERSONS = attr("UNIT_MEASURE", codelist="CL_UNIT_MEASURE", fixed="PS", mandatory=True)
ESTIMATED = attr("OBS_STATUS", codelist="CL_OBS_STATUS", fixed="E", mandatory=True)


@dataclass(frozen=True)
class Dataflow:
    """A dataflow and its data structure definition (``DSD_<id>``), made from an export table."""

    table: str
    id: str
    name: str
    description: str
    dimensions: tuple[Component, ...]  # the time dimension last
    attributes: tuple[Component, ...]
    measure: str = "value"  # the export-table column of OBS_VALUE
    measure_type: str = "Double"  # "Integer": whole numbers, written without decimals
    version: str = "1.0"
    agency: str = AGENCY

    @property
    def dsd_id(self) -> str:
        return f"DSD_{self.id}"

    @property
    def urn(self) -> str:
        """``AGENCY:ID(VERSION)``, the dataflow as SDMX-CSV names it."""
        return f"{self.agency}:{self.id}({self.version})"

    @property
    def components(self) -> tuple[Component, ...]:
        return (*self.dimensions, *self.attributes)


DATAFLOWS: dict[str, Dataflow] = {flow.table: flow for flow in (
    Dataflow("stock", "MIGRANT_STOCK", "International migrant stock by origin and destination",
             "UN DESA International Migrant Stock, bilateral, as stored (totals are male + "
             "female where the edition publishes only the sexes).",
             (FREQ_ANNUAL, dim("REF_AREA", "destination", "CL_AREA"),
              dim("COUNTERPART_AREA", "origin", "CL_AREA"), dim("SEX", "sex", "CL_SEX"), YEAR),
             (PERSONS, ESTIMATED, attr("SOURCE", "source_id"), attr("EDITION", "edition")),
             measure_type="Integer"),
    Dataflow("summary", "SSM_CATEGORY", "Migrant stock by South–South category under a lens",
             "The bilateral stock summed by category (South–South, South–North, North–South, "
             "North–North) under each lens, per year and sex; shares: divide by the sum of the "
             "four.",
             (FREQ_ANNUAL, dim("LENS", "lens", "CL_LENS"),
              dim("CATEGORY", "category", "CL_SSM_CATEGORY"), dim("SEX", "sex", "CL_SEX"), YEAR),
             (PERSONS, ESTIMATED, attr("SOURCE", "source_id"), attr("EDITION", "edition")),
             measure_type="Integer"),
    Dataflow("remittances", "REMITTANCES", "Personal remittances, by economy and bilateral",
             "World Bank WDI personal remittances received and paid (current US$, counterpart "
             "_T) and the World Bank / KNOMAD bilateral remittance estimates (US$ millions).",
             (FREQ_ANNUAL, dim("INDICATOR", "indicator", "CL_REMITTANCE_INDICATOR"),
              dim("REF_AREA", "area", "CL_AREA"),
              dim("COUNTERPART_AREA", "counterpart", "CL_AREA"), YEAR),
             (attr("UNIT_MEASURE", "unit", "CL_UNIT_MEASURE", mandatory=True),
              attr("UNIT_MULT", "unit_mult", "CL_UNIT_MULT", mandatory=True),
              attr("OBS_STATUS", "obs_status", "CL_OBS_STATUS", mandatory=True),
              attr("SOURCE", "source_id"), attr("EDITION", "edition"))),
    Dataflow("survey", "SURVEY_INDICATOR", "Indicators estimated from survey microdata",
             "The user's survey and census estimates saved in the store, with their design-based "
             "standard errors, confidence intervals, sample sizes and reliability flags.",
             (FREQ_ANNUAL, dim("SURVEY", "dataset", "CL_SURVEY"),
              dim("INDICATOR", "indicator", "CL_SURVEY_INDICATOR"),
              dim("REF_AREA", "iso3", "CL_AREA"), dim("SEX", "sex", "CL_SEX"),
              dim("DOMAIN", "domain", "CL_DOMAIN"), YEAR),
             (attr("UNIT_MEASURE", "unit", "CL_UNIT_MEASURE", mandatory=True),
              attr("SE", "se", text_type="Double"), attr("CV", "cv", text_type="Double"),
              attr("CI_LOW", "ci_low", text_type="Double"),
              attr("CI_HIGH", "ci_high", text_type="Double"),
              attr("DF", "df", text_type="Integer"), attr("CI_METHOD", "ci_method"),
              attr("SAMPLE_SIZE", "n", text_type="Integer"),
              attr("RELIABILITY", "flag", "CL_RELIABILITY", mandatory=True),
              attr("SOURCE", "source_id")),
             measure="estimate"),
)}
TABLES = tuple(DATAFLOWS)
assert TABLES == SDMX_TABLES, "list the table of each dataflow in corridors.analytics.choices"
