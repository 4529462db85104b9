"""Numbers formatted for people: thousands separators, millions in words, shares as percentages,
in the conventions of the reader's language (280,598,105 in English, 280 598 105 in French,
280.598.105 in Spanish; Babel's CLDR data).

Used as Jinja filters by the pages; the raw figure always travels beside it (``data-value``) so a
reader or a test can check it against the API.
"""

from __future__ import annotations

import math

from babel.numbers import format_decimal, format_percent

import corridors.languages as languages
from corridors.languages import gettext as _


def _number(value: float | int | None) -> float | None:
    """The value as a float; None when it is missing (None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def people(value: float | int | None) -> str:
    """280598105 -> '280,598,105'."""
    number = _number(value)
    if number is None:
        return "–"
    return format_decimal(round(number), locale=languages.locale())


def compact(value: float | int | None) -> str:
    """280598105 -> '280.6 million'; 45210 -> '45,210'."""
    number = _number(value)
    if number is None:
        return "–"
    size = abs(number)
    where = languages.locale()
    if size >= 1e9:
        return _("{number} billion").format(number=format_decimal(number / 1e9, "#,##0.0", locale=where))
    if size >= 1e6:
        return _("{number} million").format(number=format_decimal(number / 1e6, "#,##0.0", locale=where))
    return format_decimal(round(number), locale=where)


def percent(value: float | None, digits: int = 1) -> str:
    """A share between 0 and 1 -> '62.3%'."""
    number = _number(value)
    if number is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(number, pattern, locale=languages.locale())


def signed_percent(value: float | None, digits: int = 1) -> str:
    number = _number(value)
    if number is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    text = format_percent(abs(number), pattern, locale=languages.locale())
    return ("+" if number >= 0 else "-") + text


FILTERS = {"people": people, "compact": compact, "percent": percent,
           "signed_percent": signed_percent}
