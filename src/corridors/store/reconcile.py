"""Every edition reconciles with its published totals: the gap between a destination's published
immigrant total (Table 1 of the destination workbook) and the sum of its bilateral rows is carried
as immigrants of unknown origin (``XXX``, UN DESA's "Other").

Why: a bilateral file may leave origins out. The derived IMS 2019 matrix dropped UN DESA's "Other"
origins and turned ``..`` into 0, so its rows fall 62.9 million persons short of the published
totals over 1990–2019 (11.4 million in 2019 alone). Without the gap carried, the invariant

    South–South + South–North + North–South + North–North + unclassified + unknown origin
        = the published world total

fails for the whole edition and every share computed from the edition is too high.

Rule (written once, here): for each edition, destination, year and sex that has both bilateral
rows and a published destination total, ``total − Σ bilateral`` (when at least one person) is
added to that destination's ``XXX`` row — creating it, with the totals' ``source_id``, where the
bilateral file had none. Destinations the bilateral file lacks entirely get their whole published
total as unknown origin. Where a publication counts one destination inside another's total in
some years (``PUBLISHED_WITHIN``, from its notes), the gap is taken over both. A bilateral sum
above its published total is never "corrected": it is reported (``excess`` in the result) and left
as published.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from corridors.codes import OTHER_ORIGIN

#: Destinations whose immigrants a publication counts inside another destination's total in some
#: years (a provider quirk, from the publication's own notes): (edition, destination) -> (the
#: destination whose total holds them, last year it does). IMS 2019 Table 1, note (13): "The
#: estimates of migrant stock for 1990 to 2005 refer to the former Netherlands Antilles" (shown
#: under Bonaire, Sint Eustatius and Saba, whose Curaçao and Sint Maarten totals are ".." then).
PUBLISHED_WITHIN: dict[tuple[str, str], tuple[str, int]] = {
    ("ims2019", "CUW"): ("BES", 2005),
    ("ims2019", "SXM"): ("BES", 2005),
}


def _within_values() -> str:
    rows = [f"('{e}', '{d}', '{into}', {last})" for (e, d), (into, last) in PUBLISHED_WITHIN.items()]
    return ", ".join(rows) or "(NULL, NULL, NULL, NULL)"


#: Published destination totals, one row per edition, destination, year and sex, for the sexes the
#: edition's bilateral stock has.
_GAPS = f"""
CREATE OR REPLACE TEMP TABLE stock_gaps AS
WITH published AS (
    SELECT edition, iso3 AS destination, year, sex, any_value(value) AS total,
           any_value(source_id) AS source_id
    FROM migrant_stock_totals
    WHERE view = 'destination' AND iso3 IS NOT NULL AND iso3 <> '{OTHER_ORIGIN}'
    GROUP BY ALL
),
within (edition, destination, holder, last_year) AS (VALUES {_within_values()}),
bilateral AS (
    SELECT s.edition, CASE WHEN s.year <= w.last_year THEN w.holder ELSE s.destination END AS destination,
           s.year, s.sex, sum(s.value) AS summed
    FROM migrant_stock s LEFT JOIN within w USING (edition, destination)
    GROUP BY ALL
),
kinds AS (SELECT DISTINCT edition, sex FROM migrant_stock)
SELECT p.edition, p.destination, p.year, p.sex, p.total, coalesce(b.summed, 0) AS summed,
       p.total - coalesce(b.summed, 0) AS gap, p.source_id
FROM published p
JOIN kinds k USING (edition, sex)
LEFT JOIN bilateral b USING (edition, destination, year, sex)
"""


@dataclass
class Reconciliation:
    """What the build carried: rows added or topped up, persons carried per edition, and
    destination-years whose bilateral sum exceeds the published total (left as published)."""

    rows: int = 0
    persons: dict[str, float] = field(default_factory=dict)
    excess: list[tuple[str, str, int, str, float]] = field(default_factory=list)


def carry_unknown_origin(con: duckdb.DuckDBPyConnection) -> Reconciliation:
    """Carry each destination's gap to its published total as unknown origin (see module doc)."""
    con.execute(_GAPS)
    found = Reconciliation()
    found.excess = [tuple(r) for r in con.execute(
        "SELECT edition, destination, year, sex, gap FROM stock_gaps WHERE gap <= -1 "
        "ORDER BY ALL").fetchall()]
    found.persons = dict(con.execute(
        "SELECT edition, sum(gap) FROM stock_gaps WHERE gap >= 1 GROUP BY 1 ORDER BY 1").fetchall())
    topped = con.execute(f"""
        UPDATE migrant_stock AS s SET value = s.value + g.gap
        FROM stock_gaps g
        WHERE g.gap >= 1 AND s.origin = '{OTHER_ORIGIN}' AND s.edition = g.edition
          AND s.destination = g.destination AND s.year = g.year AND s.sex = g.sex""").fetchone()
    added = con.execute(f"""
        INSERT INTO migrant_stock (edition, origin, destination, year, sex, value, source_id)
        SELECT g.edition, '{OTHER_ORIGIN}', g.destination, g.year, g.sex, g.gap, g.source_id
        FROM stock_gaps g
        WHERE g.gap >= 1 AND NOT EXISTS (
            SELECT 1 FROM migrant_stock s
            WHERE s.origin = '{OTHER_ORIGIN}' AND s.edition = g.edition
              AND s.destination = g.destination AND s.year = g.year AND s.sex = g.sex)""").fetchone()
    found.rows = int((topped[0] if topped else 0) + (added[0] if added else 0))
    con.execute("DROP TABLE stock_gaps")
    return found
