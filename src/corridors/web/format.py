"""Numbers formatted for people: thousands separators, millions in words, shares as percentages,
in the conventions of the reader's language (280,598,105 in English, 280 598 105 in French,
280.598.105 in Spanish; Babel's CLDR data).

Used as Jinja filters by the pages; the raw figure always travels beside it (``data-value``) so a
reader or a test can check it against the API.
"""

from __future__ import annotations

import copy
import math
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, format_decimal, parse_pattern

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


def _percent_pattern(digits: int) -> NumberPattern:
    """The reader's language's own percent pattern ('#,##0%' in English, '#,##0\u00a0%' in French
    and Spanish: '62,3 %') with ``digits`` decimals."""
    return _locale_percent(str(languages.locale()), digits)


@lru_cache(maxsize=32)
def _locale_percent(where: str, digits: int) -> NumberPattern:
    pattern = copy.copy(parse_pattern(Locale.parse(where).percent_formats[None].pattern))
    pattern.frac_prec = (digits, digits)
    return pattern


def percent(value: float | None, digits: int = 1) -> str:
    """A share between 0 and 1 -> '62.3%' (French, Spanish: '62,3 %')."""
    number = _number(value)
    if number is None:
        return "–"
    return _percent_pattern(digits).apply(number, languages.locale())


def signed_percent(value: float | None, digits: int = 1) -> str:
    number = _number(value)
    if number is None:
        return "–"
    text = _percent_pattern(digits).apply(abs(number), languages.locale())
    return ("+" if number >= 0 else "-") + text


FILTERS = {"people": people, "compact": compact, "percent": percent,
           "signed_percent": signed_percent}
