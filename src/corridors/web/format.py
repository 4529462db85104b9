"""Numbers formatted for people: thousands separators, millions in words, shares as percentages.

Used as Jinja filters by the pages; the raw figure always travels beside it (``data-value``) so a
reader or a test can check it against the API.
"""

from __future__ import annotations

import math


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def people(value: float | int | None) -> str:
    """280598105 -> '280,598,105'."""
    if _missing(value):
        return "–"
    return f"{round(float(value)):,}"


def compact(value: float | int | None) -> str:
    """280598105 -> '280.6 million'; 45210 -> '45,210'."""
    if _missing(value):
        return "–"
    number = float(value)
    size = abs(number)
    if size >= 1e9:
        return f"{number / 1e9:,.1f} billion"
    if size >= 1e6:
        return f"{number / 1e6:,.1f} million"
    return f"{round(number):,}"


def percent(value: float | None, digits: int = 1) -> str:
    """A share between 0 and 1 -> '62.3%'."""
    if _missing(value):
        return "–"
    return f"{float(value) * 100:.{digits}f}%"


def signed_percent(value: float | None, digits: int = 1) -> str:
    if _missing(value):
        return "–"
    return f"{float(value) * 100:+.{digits}f}%"


FILTERS = {"people": people, "compact": compact, "percent": percent,
           "signed_percent": signed_percent}
