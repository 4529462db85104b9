"""South-South summary records, as the API's /summary serves them: one lens and year cut from the
summary of every built-in lens and year of the edition (one query of the corridor facts, kept per
store file), so a year or lens never asked before is answered without reading again.
"""

from __future__ import annotations

import polars as pl

from corridors.analytics import regions
from corridors.analytics.facts import stored
from corridors.analytics.lenses import BUILTIN, get_lens
from corridors.observatory import edition_or_newest, years_of
from corridors.store.serving import Store


def summary_frame(store: Store, con, lens: str, year: int | None, sex: str, edition: str | None,
                  region: str | None = None) -> pl.DataFrame:
    """The four categories of ``lens`` in ``year`` (every year when None) for ``sex`` in the
    edition, within ``region`` when given (:func:`corridors.analytics.regions.category_summary`).
    A lens of the user's own, or a year the edition has not (the analytics say which), is
    computed alone. ``edition``: None for the default one (the one default rule)."""
    edition = edition_or_newest(con, edition)
    if not stored(get_lens(lens)) or (year is not None and year not in years_of(con, edition)):
        return store.memo(("summary", lens, year, sex, edition, region), lambda: (
            regions.category_summary(con, lenses=get_lens(lens), edition=edition, years=year,
                                     sex=sex, region=region)))
    every = store.memo(("summary-all", sex, edition, region), lambda: (
        regions.category_summary(con, lenses=list(BUILTIN.values()), edition=edition, sex=sex,
                                 region=region)), keep=region is None)
    wanted = every.filter(pl.col("lens") == lens)
    return wanted if year is None else wanted.filter(pl.col("year") == year)
