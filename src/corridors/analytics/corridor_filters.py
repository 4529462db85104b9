"""Corridor filters: keep the rows of the corridor table a reader asks for, sort them, and total
them. The data explorer and its downloads use them, so the page, its JSON twin, its CSV and its
workbook hold the same rows.

- ``category``: the corridor's category under one lens (``south-south`` ... ``unknown-origin``);
- ``neighbour``: both ends share a land border (True) or not (False);
- ``community``: both ends are full members of that regional economic community that year (the
  corridor table's ``shared_recs``, the one membership rule);
- ``sort``: a column of :data:`SORTS`, largest first (names A–Z for the ends).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from corridors.analytics.corridors import safe
from corridors.analytics.lenses import CATEGORIES, LensError

#: Categories a corridor can have under a lens (the four and the two that are not classified).
ALL_CATEGORIES = (*CATEGORIES, "unclassified", "unknown-origin")

#: Sort keys: option value -> column of the corridor table (descending, except names).
SORTS = {"stock": "stock", "change": "change", "growth": "growth_rate",
         "female_share": "female_share", "origin_share": "origin_share",
         "destination_share": "destination_share", "origin": "origin",
         "destination": "destination"}


@dataclass(frozen=True)
class CorridorFilter:
    lens: str = "wb-lmic"
    category: str | None = None
    neighbour: bool | None = None
    community: str | None = None
    sort: str = "stock"

    def check(self) -> CorridorFilter:
        if self.category is not None and self.category not in ALL_CATEGORIES:
            raise LensError(f"category must be one of {', '.join(ALL_CATEGORIES)}, "
                            f"not {self.category!r}")
        if self.sort not in SORTS:
            raise LensError(f"sort by one of {', '.join(SORTS)}, not {self.sort!r}")
        return self


def apply(frame: pl.DataFrame, chosen: CorridorFilter) -> pl.DataFrame:
    """The rows of a corridor table (with the lens's ``category_<lens>`` column) that pass the
    filter, sorted; a ``category`` column holds the chosen lens's category."""
    chosen.check()
    column = f"category_{safe(chosen.lens)}"
    if column not in frame.columns:
        raise LensError(f"the corridor table has no category under lens {chosen.lens!r}")
    frame = frame.with_columns(pl.col(column).alias("category"))
    if chosen.category is not None:
        frame = frame.filter(pl.col("category") == chosen.category)
    if chosen.neighbour is not None:
        frame = frame.filter(pl.col("contiguous") == chosen.neighbour)
    if chosen.community is not None:
        frame = frame.filter(pl.col("shared_recs").list.contains(chosen.community))
    key = SORTS[chosen.sort]
    names = key in ("origin", "destination")
    return frame.sort([key, "stock", "origin", "destination"],
                      descending=[not names, True, False, False], nulls_last=True)


def totals(frame: pl.DataFrame, sex: str = "total") -> dict[str, float | int | None]:
    """Rows, migrants and the share of women among them (where the sexes are known; rows of
    both sexes only) of filtered rows."""
    if frame.is_empty() or sex != "total":
        return {"rows": frame.height, "stock": float(frame["stock"].sum() or 0),
                "female_share": None}
    known = frame.filter(pl.col("female_share").is_not_null())
    women = float((known["stock"] * known["female_share"]).sum()) if known.height else None
    return {"rows": frame.height, "stock": float(frame["stock"].sum()),
            "female_share": (women / float(known["stock"].sum())
                             if women is not None and known["stock"].sum() else None)}
