"""The selection a question is asked over: edition, year, sex and lens, resolved once, by one rule.

**Default rule** (what a question gets for what it does not name; the CLI, the Python API, the
REST API and the web pages all resolve it here):

- *edition*: the newest edition of bilateral stock in the store, by the rule of
  :mod:`corridors.store.editions` (:func:`corridors.analytics.editions.default_edition`);
- *year*: the latest year of that edition's stock (IMS 2024: 2024; IMS 2020: 2020);
- *sex*: ``total`` (both sexes);
- *lens*: :data:`DEFAULT_LENS`, the World Bank's low and lower-middle income definition of "South".

A value that is named is checked against the store (an unknown edition or year is an error naming
what there is); nothing else is decided per interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from corridors.analytics.editions import check_sex, check_years, default_edition, edition_years

#: The lens a question gets when it names none.
DEFAULT_LENS = "wb-lmic"
#: The sex a question gets when it names none.
DEFAULT_SEX = "total"


def default_year(years: Sequence[int]) -> int:
    """The year a question about an edition gets when it names none: the edition's latest
    (``years``: the edition's years, in order)."""
    return max(years)


@dataclass(frozen=True)
class Selection:
    """An edition, a year of it, a sex and a lens, each either asked for (and checked) or the
    default; ``years`` are all the edition's years."""

    edition: str
    year: int
    years: tuple[int, ...]
    sex: str = DEFAULT_SEX
    lens: str = DEFAULT_LENS


def select(con: duckdb.DuckDBPyConnection, edition: str | None = None, year: int | None = None,
           sex: str | None = None, lens: str | None = None) -> Selection:
    """The selection with every value not named resolved by the default rule (module docstring).
    An edition, year or sex the store lacks raises :class:`~corridors.analytics.editions.NoDataError`
    (or :class:`~corridors.errors.CorridorsError` for a sex that is none of total/male/female)."""
    chosen = default_edition(con, edition)
    years = tuple(edition_years(con, chosen))
    picked = default_year(years) if year is None else check_years(con, chosen, year, list(years))[0]
    return Selection(edition=chosen, year=picked, years=years, sex=check_sex(sex or DEFAULT_SEX),
                     lens=lens or DEFAULT_LENS)
