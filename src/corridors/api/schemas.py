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
