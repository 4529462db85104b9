"""Response models: what each endpoint answers, as published in ``/openapi.json``.

Every response carries ``sources``: the publications its figures come from, with edition, licence
and the SHA-256 of the file the store was built from (the store's ``provenance`` table).
"""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class SourcePublic(BaseModel):
    """One publication a figure comes from."""

    source_id: str = Field(description="Registry id, e.g. ims2020-destination.")
    publisher: str
    title: str
    edition: str
    licence: str
    url: str | None = None
    file_name: str
    sha256: str
    fetched_at: datetime | None = None


class Page(BaseModel, Generic[T]):
    """One page of a list; follow ``next`` for the following page."""

    items: list[T]
    total: int = Field(description="Rows matching the query, over all pages.")
    limit: int
    offset: int
    next: str | None = Field(None, description="URL of the next page, if any.")
    sources: list[SourcePublic]


class Provenanced(BaseModel):
    """Base of single-object responses."""

    model_config = ConfigDict(extra="allow")
    sources: list[SourcePublic]


class StockPublic(BaseModel):
    """A bilateral international migrant stock (persons). An omitted origin or destination in the
    query means all, summed (shown as ALL)."""

    origin: str = Field(description="ISO3 of the country of origin; ALL = all origins, summed.")
    destination: str = Field(description="ISO3 of the country of destination; ALL = all.")
    year: int
    sex: str
    value: int = Field(description="Persons.")
    edition: str
    source: str | None = Field(description="source_id of the publication (see sources).")
    licence: str | None = None
    sha256: str | None = Field(None, description="SHA-256 of the published file.")


class CountryPublic(BaseModel):
    """A country or area with the groupings it belongs to (UNSD M49 and the IMS annex)."""

    iso3: str
    m49: int
    iso2: str | None = None
    name: str
    short_name: str
    continent: str | None = None
    un_subregion: str | None = None
    intermediate_region: str | None = None
    ims_region: str | None = None
    sdg_region: str | None = None
    development_group: str | None = None
    least_developed: bool | None = None
    lldc: bool | None = None
    sids: bool | None = None


class GroupPublic(BaseModel):
    """A group of countries in one grouping (continent, SDG region, income group, community...)."""

    grouping: str
    group: str
    members: list[str] = Field(description="ISO3 codes of the member countries.")


class ErrorPublic(BaseModel):
    """An error: ``message`` says what was expected."""

    message: str
    detail: list[dict] | None = None


class LensPublic(BaseModel):
    """A named, cited definition of "South"."""

    lens: str
    title: str
    origin_south: str = Field(description="Which origins count as South.")
    destination_south: str = Field(description="Which destinations count as South.")
    citation: str
    source: str = Field(description="built-in, or the file a custom lens came from.")
    note: str = ""


class CategoryPublic(BaseModel):
    """Stock (persons) and share of one category of migration in a year under a lens."""

    edition: str
    lens: str
    year: int
    sex: str
    category: str = Field(description="south-south | south-north | north-south | north-north")
    value: float = Field(description="Persons.")
    share: float | None = Field(description="Fraction (0..1) of the classified stock.")
    classified_total: float
    unclassified: float
    unknown_origin: float


class ThresholdPublic(BaseModel):
    """The World Bank income thresholds behind a lens in one year (GNI per capita, US$, Atlas)."""

    lens: str
    year: int
    data_year: int | None = Field(description="The year of the GNI data the classification uses.")
    fiscal_year: str | None = Field(description="The World Bank fiscal year of the classification, e.g. FY22.")
    l_max: float | None = Field(description="Low income: GNI per capita up to this (US$).")
    lm_max: float | None = Field(description="Lower-middle income: up to this (US$).")
    um_max: float | None = Field(description="Upper-middle income: up to this (US$).")
    origin_south_gni_max: float | None = Field(
        description="Up to which GNI per capita an origin counts as South (empty: no income rule).")
    destination_south_gni_max: float | None = Field(
        description="Up to which GNI per capita a destination counts as South.")
    origin_rule: str
    destination_rule: str


class RatifierGroupPublic(BaseModel):
    """Ratifiers of an instrument in one lens category (south, north, unclassified)."""

    instrument: str
    lens: str
    year: int
    role: str = Field(description="origin | destination: which rule of the lens decides South.")
    group: str = Field(description="south | north | unclassified")
    ratifiers: int
    share: float | None = Field(description="Fraction (0..1) of the classified ratifiers.")
    countries: list[str] = Field(description="ISO3 codes of the ratifiers in the group.")
    known: int = Field(description="Countries with a ratification on record.")
    list_complete: bool = Field(description="False: counts are lower bounds.")
    coverage: str


class GroupSharePublic(BaseModel):
    """Intra-group shares of one group in a year (fractions 0..1)."""

    group: str
    group_code: str | int | None = None
    year: int
    sex: str
    countries: int
    emigrants: float
    immigrants: float
    intra_group: float
    origin_view_share: float | None
    destination_view_share: float | None
    grouping: str
    edition: str


class ContiguityPublic(BaseModel):
    """Share (0..1) of South-South stock between countries sharing a land border."""

    edition: str
    lens: str
    year: int
    sex: str
    south_south: float
    contiguous: float
    share_contiguous: float | None


class TopCorridorPublic(BaseModel):
    """One of the largest corridors in a year."""

    edition: str
    lens: str
    year: int
    sex: str
    rank: int
    origin: str
    origin_name: str | None
    destination: str
    destination_name: str | None
    stock: float
    change: float | None
    growth_rate: float | None = Field(description="Exponential annual rate since the previous "
                                      "year of the edition (fraction).")
    female_share: float | None
    category: str | None
    contiguous: bool


class CorridorPublic(BaseModel):
    """One row of the corridor table: a corridor in a year for one sex."""

    model_config = ConfigDict(extra="allow")
    edition: str
    origin: str
    destination: str
    year: int
    sex: str
    stock: float
    origin_share: float | None
    destination_share: float | None
    change: float | None
    growth_rate: float | None
    female_share: float | None
    contiguous: bool | None
    same_continent: bool | None
    same_rec: bool | None
    shared_recs: list[str]


class RankedPublic(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    stock: float
    share: float | None


class CountryProfilePublic(BaseModel):
    """A country in a year: migrants in and out, shares, South-South shares, trend, history."""

    model_config = ConfigDict(extra="allow")
    iso3: str
    name: str
    m49: int | None
    edition: str
    year: int
    lens: str
    immigrants: float = Field(description="International migrants living in the country.")
    emigrants: float = Field(description="People born in the country living abroad.")
    immigrants_unknown_origin: float
    female_share_immigrants: float | None
    female_share_emigrants: float | None
    population: float | None
    immigrants_share_of_population: float | None
    emigrants_share_of_population: float | None
    south_south_share_immigrants: float | None
    south_south_share_emigrants: float | None
    income_group: str | None
    groups: dict[str, str | None]
    top_origins: list[RankedPublic]
    top_destinations: list[RankedPublic]
    income_history: list[dict]
    trend: list[dict]
    caption: str
    sources: list[SourcePublic]


class CorridorProfilePublic(BaseModel):
    """A corridor over every year of an edition."""

    model_config = ConfigDict(extra="allow")
    origin: str
    origin_name: str
    destination: str
    destination_name: str
    edition: str
    contiguous: bool
    same_continent: bool | None
    same_un_subregion: bool | None
    same_sdg_region: bool | None
    trend: list[dict]
    groups: list[dict]
    shared_communities: list[dict]
    lenses: list[str]
    caption: str
    sources: list[SourcePublic]


# -- governance (``/ratifications``, ``/instruments``, ``/communities``, ``/agreements``,
# ``/practices``, ``/scorecard``) ------------------------------------------------------------

class RatificationStatusPublic(BaseModel):
    """A country's status on one instrument. ``unknown`` = absent from an incomplete list."""

    model_config = ConfigDict(extra="allow")
    instrument: str
    title: str
    status: str = Field(description="in force | not in force | denounced | signed | "
                                    "not ratified | unknown")
    year: int | None = Field(description="Year of ratification or accession, when known.")
    basis: str = Field(description="How the status is known (listed, absent from a complete or "
                                   "an incomplete list, no list loaded).")
    coverage: str = Field(description="How complete the instrument's list is, e.g. "
                                      "'39 of 54 known'.")
    list_complete: bool
    source_url: str | None = None


class RatificationsPublic(BaseModel):
    """A country's status on every tracked instrument, with the completeness of each list."""

    model_config = ConfigDict(extra="allow")
    iso3: str
    name: str
    instruments: list[RatificationStatusPublic]
    lists_complete: bool
    incomplete_lists: list[str]
    completeness: str
    how_to_complete: str | None
    sources: list[SourcePublic]


class InstrumentPublic(BaseModel):
    """A tracked instrument and how complete its ratification list is."""

    model_config = ConfigDict(extra="allow")
    id: str
    body: str
    title: str
    year: int
    subject: str
    group: str
    migrant_specific: bool
    fundamental: bool
    known: int = Field(description="Countries with a ratification on record.")
    expected: int | None = Field(description="Total the authoritative source states.")
    list_complete: bool
    coverage: str


class CommunityPublic(BaseModel):
    """A regional economic community: members in the year and free movement."""

    model_config = ConfigDict(extra="allow")
    rec_code: str
    rec_name: str
    members: int = Field(description="Full members in the year: member, suspended (still a State "
                                     "Party) and withdrawn before it left")
    suspended: int = Field(description="Of the full members, those suspended")
    associates: int
    observers: int
    member_codes: list[str]
    free_movement: str | None
    free_movement_status: str = Field(description="in force | partly in force | not in force | "
                                                  "unknown")
    scope: str | None


class AgreementPublic(BaseModel):
    """A labour agreement with its coded checklist and alignment score (fractions 0..1)."""

    model_config = ConfigDict(extra="allow")
    id: str
    title: str
    kind: str
    parties: list[str]
    year_signed: int | None
    score: float | None = Field(description="yes / known provisions.")
    coverage: float = Field(description="known / 10 provisions.")
    score_min: float
    score_max: float
    score_text: str
    source: str
    checklist: list[dict]


class PracticePublic(BaseModel):
    """A good practice (GFMD / ILO database fields)."""

    model_config = ConfigDict(extra="allow")
    id: str
    title: str
    countries: list[str]
    communities: list[str]
    level: str
    themes: list[str]
    gcm_objectives: list[int]
    summary: str
    source: str
    link: str | None
    score: float = Field(description="BM25 relevance to q (0 without q).")


class PracticePagePublic(Page[PracticePublic]):
    """Search results with facet counts (per country, level, theme and GCM objective)."""

    facets: dict[str, dict[str, int]]


class RankedCorridorPublic(BaseModel):
    """A large South-South corridor and its governance coverage (fractions 0..1)."""

    model_config = ConfigDict(extra="allow")
    rank: int
    origin: str
    origin_name: str
    destination: str
    destination_name: str
    year: int
    edition: str
    lens: str
    stock: float
    evidenced: float = Field(description="Mean coverage with unknown counted as 0.")
    possible: float = Field(description="Mean coverage with unknown counted as 1.")
    known_share: float
    weakest: str


class ScorecardPublic(BaseModel):
    """A corridor's governance scorecard in a year."""

    model_config = ConfigDict(extra="allow")
    corridor: dict
    stock: dict
    trend: list[dict]
    instruments: dict[str, list[dict]]
    communities: dict
    agreements: list[dict]
    indicators: list[dict]
    coverage: dict
    lists: dict[str, str] = Field(description="How complete each ratification list is.")
    lens: str
    category: str | None
    formulas: dict[str, str]
    sources: list[SourcePublic]


# -- flows (``/flows``) ------------------------------------------------------------------------

class CorridorFlowsPublic(BaseModel):
    """Estimated flows along a corridor, both ways, per period and sex (persons)."""

    model_config = ConfigDict(extra="allow")
    origin: str
    origin_name: str
    destination: str
    destination_name: str
    edition: str
    method: str
    method_name: str
    settings: dict
    flows: list[dict] = Field(description="period_start, period_end, sex, flow (origin to "
                                          "destination), reverse_flow, net.")
    caption: str
    sources: list[SourcePublic]


class FlowCategoryPublic(BaseModel):
    """Flow total and share of one category per lens, period and sex."""

    lens: str
    period_start: int
    period_end: int
    sex: str
    category: str
    value: float = Field(description="Persons.")
    share: float | None = Field(description="Of all flows (the six categories add up to 1).")
    classified_share: float | None = Field(description="Of the four South/North categories.")
