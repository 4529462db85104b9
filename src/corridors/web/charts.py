"""Charts drawn on the server as inline SVG: no script library, nothing fetched, readable without
JavaScript. Every chart is a ``<figure>`` with a title, the unit and the source in its caption, an
accessible name, the numbers it draws in ``data-value`` attributes and as a data table (which is
also the list to tap on a phone and the CSV a reader downloads), a link that restores the view and
an embed snippet. ``app.js`` adds the PNG, SVG and CSV downloads.

Colours: the Okabe-Ito palette (distinguishable with colour-vision deficiencies) with fixed
colours for women and men in every chart, and ColorBrewer "Blues" for the map; countries outside
the lens's South and countries without data each have their own pattern, never a class colour.
"""

from __future__ import annotations

import contextvars
import math
import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from babel.numbers import format_compact_decimal, format_decimal
from markupsafe import Markup, escape
from starlette.datastructures import URL

import corridors.languages as languages
from corridors.codes import NOT_COUNTRY_NAMES
from corridors.languages import gettext as _
from corridors.web import geometry
from corridors.web.format import people, percent

#: South-South, South-North, North-South, North-North.
CATEGORY_COLOURS = {
    "south-south": "#0072B2",
    "south-north": "#E69F00",
    "north-south": "#009E73",
    "north-north": "#7F7F7F",
}
#: Women and men in the same colours in every chart (Okabe-Ito vermillion and blue, both 3:1 or
#: more on white); both sexes together in ink.
SEX_COLOURS = {"female": "#D55E00", "male": "#0072B2", "total": "#1a1a1a"}
#: Other series (immigrants, emigrants, ...): colours no chart uses for a sex.
SERIES_COLOURS = ("#009E73", "#CC79A7", "#1a1a1a", "#E69F00", "#56B4E9")
MAP_CLASSES = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
INK = "#1a1a1a"
GRID = "#d0d0d0"
MUTED = "#4d4d4d"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"


# --- the view a chart belongs to (set by the page renderer) ------------------------------------

@dataclass
class View:
    """The page being drawn: its path and the query that restores it exactly (year, lens, sex,
    edition, view, language...), for each chart's link, embed snippet and file name."""

    path: str = "/"
    query: dict[str, str] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)

    def link(self, anchor: str) -> str:
        return str(URL(self.path).include_query_params(**self.query)) + "#" + anchor

    def embed(self, anchor: str) -> str:
        return str(URL("/embed" + self.path).include_query_params(**self.query, chart=anchor))

    def unique(self, base: str) -> str:
        anchor, n = base, 1
        while anchor in self.ids:
            n += 1
            anchor = f"{base}-{n}"
        self.ids.add(anchor)
        return anchor


_view: contextvars.ContextVar[View | None] = contextvars.ContextVar("corridors_chart_view",
                                                                    default=None)


@contextmanager
def drawing(path: str, query: Mapping[str, object]) -> Iterator[View]:
    """Draw the charts of one page (``path`` + the query that restores it)."""
    view = View(path, {k: str(v) for k, v in query.items() if v is not None and v != ""})
    token = _view.set(view)
    try:
        yield view
    finally:
        _view.reset(token)


def slug(text: str, limit: int = 90) -> str:
    """'Immigrants in Côte d'Ivoire, 2020' -> 'immigrants-in-cote-d-ivoire-2020' (file names)."""
    spaced = "".join(c if c.isalnum() or c.isspace() else " " for c in text)  # 1990–2020: 2 numbers
    ascii_text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:limit].rstrip("-") or "chart"


def file_name(title: str) -> str:
    """A file name saying what a chart holds: its name (by default its title), then the sex,
    lens and edition of the view when it does not already say them
    (``kenya-immigrants-by-origin-2020-wb-lmic-ims2020``)."""
    base = slug(title)
    view = _view.get()
    for key in ("sex", "lens", "edition"):
        value = view.query.get(key) if view else None
        if value and value != "total" and slug(value) not in base:
            base += "-" + slug(value)
    return base


# --- the figure around every chart -------------------------------------------------------------

def _cell(value: object) -> str:
    if isinstance(value, tuple):  # (shown, raw[, link])
        shown, raw, *link = value
        text = escape(shown)
        if link and link[0]:
            text = Markup(f'<a href="{escape(link[0])}">{text}</a>')
        return f'<td class="num" data-value="{escape(raw)}">{text}</td>' if raw is not None \
            else f"<td>{text}</td>"
    return f"<td>{escape(value)}</td>"


def _data_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    return (f'<details class="chart-data"><summary>{escape(_("Data table"))}</summary>'
            f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(_("Data table"))}">'
            f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            f"</div></details>")


def _figure(kind: str, title: str, unit: str, source: str, svg: str, extra: str = "", *,
            header: Sequence[str] = (), rows: Sequence[Sequence[object]] = (),
            note: str | None = None, before: str = "", name: str | None = None) -> Markup:
    view = _view.get() or View()
    anchor = view.unique(slug(name or title, 60))
    caption = (
        f'<figcaption><strong class="chart-title">{escape(title)}</strong>'
        f'<span class="chart-unit">{escape(_("Unit:"))} {escape(unit)}.</span> '
        f'<span class="chart-source">{escape(_("Source:"))} {escape(source)}.</span></figcaption>'
    )
    note_html = f'<p class="chart-note">{escape(note)}</p>' if note else ""
    table = _data_table(header, rows) if header else ""
    link, embed = view.link(anchor), view.embed(anchor)
    snippet = (f'<iframe src="{escape(embed)}" title="{escape(title)}" width="640" height="480" '
               f'style="border:0" loading="lazy"></iframe>')
    buttons = "".join(
        f'<button type="button" data-action="{action}" hidden>{escape(text)}</button>'
        for action, text in (("png", _("Download PNG")), ("svg", _("Download SVG")),
                             ("csv", _("Download CSV")), ("copy", _("Copy link"))))
    tools = (
        f'<div class="chart-tools" data-link="{escape(link)}" '
        f'data-copied="{escape(_("Link copied"))}">{buttons}'
        f'<a class="chart-link" href="{escape(link)}">{escape(_("Link to this chart"))}</a>'
        f'<details class="chart-embed"><summary>{escape(_("Embed"))}</summary>'
        f'<label>{escape(_("Copy this HTML into your page:"))}'
        f'<textarea readonly rows="3" spellcheck="false">{escape(snippet)}</textarea></label>'
        f'</details><span class="chart-status" role="status"></span></div>')
    return Markup(
        f'<figure class="chart chart-{kind}" id="{anchor}" data-file="{escape(file_name(name or title))}">'
        f"{caption}{before}{svg}{extra}{note_html}{table}{tools}</figure>")


def reclassification_note(country: str, periods: Sequence[Mapping[str, object]]) -> str | None:
    """The note under a series a country's change of income group moves (``periods``: its
    income groups over time, as :func:`corridors.web.views.income_periods` gives them)."""
    names = [str(p.get("name")) for p in periods]
    if len(set(names)) < 2:
        return None
    return _("{country} changed World Bank income group over these years ({groups}): a lens "
             "may count it as South in some years and not in others, so part of this series' "
             "movement is reclassification, not migration.").format(
        country=country, groups=" → ".join(names))


# --- axes ---------------------------------------------------------------------------------------

def ticks(top: float) -> list[float]:
    """Axis ticks from 0 to just above ``top``: 3 to 6 round steps (1, 2, 2.5 or 5 times a power
    of ten), the smallest axis that holds the data (260 M -> 0, 50 M, ..., 300 M; never 500 M)."""
    if top <= 0 or not math.isfinite(top):
        return [0.0, 1.0]
    power = 10 ** math.floor(math.log10(top))
    best: tuple[float, float] | None = None
    for scale in (power / 100, power / 10, power):
        for k in (1, 2, 2.5, 5):
            step = k * scale
            count = math.ceil(top / step - 1e-9)
            if 3 <= count <= 6 and (best is None or (count * step, -step) < (best[0] * best[1], -best[1])):
                best = (count, step)
    count, step = best if best else (1, top)
    return [step * i for i in range(int(count) + 1)]


def _digits(step: float) -> int:
    """Decimals needed to write ``step`` exactly (0.25 -> 2)."""
    for digits in range(4):
        if abs(round(step, digits) - step) < 1e-9 * max(1.0, abs(step)):
            return digits
    return 4


def axis_labels(values: Sequence[float], as_share: bool) -> list[str]:
    """One number format for a whole axis: the same unit and decimals on every tick."""
    step = values[1] - values[0] if len(values) > 1 else 1.0
    where = languages.locale()
    if as_share:
        digits = _digits(round(step * 100, 9))
        return [percent(v, digits) for v in values]
    top = max(values)
    divisor = 1e9 if top >= 1e9 else 1e6 if top >= 1e6 else 1e3 if top >= 1e4 else 1
    digits = _digits(step / divisor)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if divisor == 1:
        return [format_decimal(v, pattern, locale=where) for v in values]
    unit = format_compact_decimal(divisor, format_type="short", locale=where)  # '1M', '1 k'
    return [unit.replace("1", format_decimal(v / divisor, pattern, locale=where), 1) if v else "0"
            for v in values]


def _y_grid(width: int, left: int, right: int, values: Sequence[float],
            py: Callable[[float], float], as_share: bool) -> list[str]:
    parts = []
    for v, label in zip(values, axis_labels(values, as_share), strict=True):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{py(v):.1f}" y2="{py(v):.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{py(v) + 5:.1f}" text-anchor="end" '
                     f'class="tick" fill="{MUTED}">{escape(label)}</text>')
    return parts


def _svg_open(width: float, height: float, title: str, role: str = "img", cls: str = "") -> str:
    css = f' class="{cls}"' if cls else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'role="{role}" aria-label="{escape(title)}"{css} font-family="{FONT}" '
            f'font-size="13" fill="{INK}">')


def _swatch(colour: str, dashed: bool = False) -> str:
    if dashed:
        shape = (f'<line x1="0" y1="6" x2="14" y2="6" stroke="{colour}" stroke-width="3" '
                 f'stroke-dasharray="4 2"/>')
    else:
        shape = f'<rect width="14" height="12" fill="{colour}"/>'
    return f'<svg width="14" height="12" aria-hidden="true">{shape}</svg>'


# --- charts -------------------------------------------------------------------------------------

def sex_of(series_name: str) -> str | None:
    """The sex a series is about, from its name ('Women', 'Somalia → Kenya, men'), in the
    page's language: so women and men get their colours in every chart without each template
    saying so."""
    words = {_("Women").lower(): "female", _("Men").lower(): "male",
             _("Both sexes").lower(): "total", "women": "female", "men": "male"}
    name = series_name.strip().lower()
    for word, sex in words.items():
        if name == word or name.endswith(", " + word):
            return sex
    return None


def line_chart(title: str, unit: str, source: str, x: Sequence[int | str],
               series: dict[str, Sequence[float | None]], *, as_share: bool = False,
               label_every: int = 1, sexes: Mapping[str, str] | None = None,
               note: str | None = None, name: str | None = None) -> Markup:
    """Lines over years, one per series (e.g. immigrants and emigrants); ``label_every``: print
    every n-th x label only (quarters), each point keeps its own in its tooltip. ``sexes`` names
    the sex of a series ("female", "male", "total"): it takes that sex's colour, and a second
    series of the same sex is dashed."""
    width, height, left, right, top, bottom = 640, 280, 78, 34, 16, 40
    sexes = sexes if sexes is not None else {n: sex for n in series if (sex := sex_of(n))}
    values = [v for s in series.values() for v in s if v is not None]
    grid = ticks(max(values or [1]))
    top_value = grid[-1]
    span_x = max(len(x) - 1, 1)

    def px(i: int) -> float:
        return left + (width - left - right) * i / span_x

    def py(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / top_value)

    parts = [_svg_open(width, height, title)]
    parts += _y_grid(width, left, right, grid, py, as_share)
    shown = [i for i in range(len(x)) if not i % max(label_every, 1)]
    for n, i in enumerate(shown):
        odd = " x-odd" if len(shown) > 6 and n % 2 else ""  # hidden on a phone
        parts.append(f'<text x="{px(i):.1f}" y="{height - 14}" text-anchor="middle" '
                     f'class="tick{odd}" fill="{MUTED}">{escape(x[i])}</text>')
    legend = []
    seen: dict[str, int] = {}
    others = 0
    for label_name, points in series.items():
        sex = (sexes or {}).get(label_name)
        if sex in SEX_COLOURS:
            colour = SEX_COLOURS[sex]
            dashed = seen.get(sex, 0) > 0
            seen[sex] = seen.get(sex, 0) + 1
        else:
            colour, dashed = SERIES_COLOURS[others % len(SERIES_COLOURS)], False
            others += 1
        dash = ' stroke-dasharray="7 4"' if dashed else ""
        coords = [(px(i), py(v)) for i, v in enumerate(points) if v is not None]
        if coords:
            d = "M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in coords)
            parts.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for i, v in enumerate(points):
            if v is None:
                continue
            label = percent(v) if as_share else people(v)
            parts.append(
                f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="4" fill="{colour}" '
                f'data-series="{escape(label_name)}" data-year="{escape(x[i])}" data-value="{v}">'
                f'<title>{escape(label_name)}, {escape(x[i])}: {escape(label)}</title></circle>')
        legend.append(f'<li><span class="swatch" data-colour="{colour}">{_swatch(colour, dashed)}'
                      f'</span>{escape(label_name)}</li>')
    parts.append("</svg>")
    fmt = percent if as_share else people
    rows = [[str(year), *((fmt(s[i]), s[i]) if s[i] is not None else ("–", None)
                          for s in series.values())] for i, year in enumerate(x)]
    return _figure("line", title, unit, source, "".join(parts),
                   f'<ul class="legend">{"".join(legend)}</ul>',
                   header=[_("Year"), *series], rows=rows, note=note, name=name)


def stacked_bars(title: str, unit: str, source: str, x: Sequence[int],
                 stacks: dict[str, Sequence[float]], *, labels: dict[str, str],
                 note: str | None = None, name: str | None = None) -> Markup:
    """One bar per year split into parts (the four categories); the share of each part shown."""
    width, height, left, right, top, bottom = 640, 300, 78, 20, 16, 40
    totals = [sum(s[i] or 0 for s in stacks.values()) for i in range(len(x))]
    grid = ticks(max(totals or [1]))
    top_value = grid[-1]
    band = (width - left - right) / max(len(x), 1)

    def py(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / top_value)

    parts = [_svg_open(width, height, title)]
    parts += _y_grid(width, left, right, grid, py, False)
    for i, year in enumerate(x):
        base = 0.0
        x0 = left + band * i + band * 0.15
        for part, values in stacks.items():
            v = values[i] or 0
            share = v / totals[i] if totals[i] else 0
            y1, y0 = py(base + v), py(base)
            parts.append(
                f'<rect x="{x0:.1f}" y="{y1:.1f}" width="{band * 0.7:.1f}" '
                f'height="{max(y0 - y1, 0):.1f}" fill="{CATEGORY_COLOURS.get(part, GRID)}" '
                f'data-category="{escape(part)}" data-year="{year}" data-value="{v}">'
                f'<title>{escape(labels.get(part, part))}, {year}: {people(v)} '
                f'({percent(share)})</title></rect>')
            base += v
        odd = " x-odd" if len(x) > 8 and i % 2 else ""
        parts.append(f'<text x="{x0 + band * 0.35:.1f}" y="{height - 14}" text-anchor="middle" '
                     f'class="tick{odd}" fill="{MUTED}">{year}</text>')
    parts.append("</svg>")
    legend = "".join(f'<li>{_swatch(CATEGORY_COLOURS.get(n, GRID))}{escape(labels.get(n, n))}</li>'
                     for n in stacks)
    rows = [[str(year), *((people(s[i]), s[i]) for s in stacks.values())]
            for i, year in enumerate(x)]
    return _figure("bars", title, unit, source, "".join(parts), f'<ul class="legend">{legend}</ul>',
                   header=[_("Year"), *(labels.get(n, n) for n in stacks)], rows=rows, note=note,
                   name=name)


def bar_list(title: str, unit: str, source: str, rows: Sequence[tuple[str, float, str | None]],
             *, as_share: bool = False) -> Markup:
    """Horizontal bars (label, value, link) for a ranked list such as top origins."""
    width, row_h, left, right = 640, 30, 210, 120
    height = row_h * len(rows) + 8
    top_value = max((v for _, v, _ in rows), default=1) or 1
    parts = [_svg_open(width, height, title)]
    for i, (label, value, link) in enumerate(rows):
        y = 4 + i * row_h
        bar = (width - left - right) * value / top_value
        text = percent(value) if as_share else people(value)
        name = escape(label if len(label) <= 20 else label[:19] + "…")
        label_svg = f'<text x="{left - 8}" y="{y + 20}" text-anchor="end">{name}</text>'
        if link:
            label_svg = f'<a href="{escape(link)}">{label_svg}</a>'
        parts.append(
            f'{label_svg}<rect x="{left}" y="{y + 4}" width="{bar:.1f}" height="{row_h - 8}" '
            f'fill="{CATEGORY_COLOURS["south-south"]}" data-value="{value}"><title>{escape(label)}: '
            f'{escape(text)}</title></rect>'
            f'<text x="{left + bar + 6:.1f}" y="{y + 20}" class="value">{escape(text)}</text>')
    parts.append("</svg>")
    table = [[(label, None, link) if link else label, (percent(v) if as_share else people(v), v)]
             for label, v, link in rows]
    return _figure("barlist", title, unit, source, "".join(parts),
                   header=[_("Name"), unit], rows=table)


# --- the map ------------------------------------------------------------------------------------

def _round_bound(value: float) -> float:
    """A class break people can read: 1, 2 or 5 times a power of ten (523 -> 500)."""
    if value <= 0:
        return 0.0
    power = 10 ** math.floor(math.log10(value))
    return min((k * power for k in (1, 2, 5, 10)), key=lambda b: abs(math.log(b / value)))


def class_breaks(values: Sequence[float], as_share: bool) -> list[float]:
    """Lower bounds of the map's classes above the first (which starts at 0): fifths for shares;
    rounded quintiles (1, 2, 5 x 10^k, each break larger than the last) for counts."""
    if as_share:
        return [0.2, 0.4, 0.6, 0.8]
    ordered = sorted(v for v in values if v is not None and v > 0)
    if not ordered:
        return []
    breaks: list[float] = []
    for q in (0.2, 0.4, 0.6, 0.8):
        bound = _round_bound(ordered[min(len(ordered) - 1, int(len(ordered) * q))])
        if bound > (breaks[-1] if breaks else 0) and bound <= ordered[-1]:
            breaks.append(bound)
    return breaks


def class_labels(breaks: Sequence[float], as_share: bool) -> list[str]:
    """Legend labels that do not overlap: 'under 20%', '20–39.9%', ..., '80% or more'."""
    if as_share:
        show = [percent(b, 0) for b in breaks]
        below = [percent(b - 0.001, 1) for b in breaks]
    else:
        show = [people(b) for b in breaks]
        below = [people(b - 1) for b in breaks]
    if not breaks:
        return [_("any value")]
    labels = [_("under {value}").format(value=show[0])]
    for k in range(1, len(breaks)):
        labels.append(f"{show[k - 1]}–{below[k]}")
    labels.append(_("{value} or more").format(value=show[-1]))
    return labels


def world_url() -> str:
    return f"/geo/world.svg?v={geometry.world_version()}"


def _patterns(uid: str) -> str:
    return (
        f'<defs><pattern id="{uid}-nodata" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#8c8c8c" stroke-width="1.2"/></pattern>'
        f'<pattern id="{uid}-north" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="#e0e0e0"/><circle cx="2.5" cy="2.5" r="1" '
        f'fill="#7f7f7f"/></pattern></defs>')


def world_map(title: str, unit: str, source: str, values: dict[str, float], *,
              names: dict[str, str], as_share: bool = False,
              link: Callable[[str], str] | None = None, highlight: str | None = None,
              not_south: Collection[str] | None = None, note: str | None = None,
              name: str | None = None) -> Markup:
    """A choropleth of the world (Natural Earth outlines, Equal Earth projection).

    The outlines are one file the browser keeps (:func:`corridors.web.geometry.world_svg`); the
    page sends each country's colour. ``not_south``: the countries the lens does not count as
    South, when the figure means something only there (drawn "not South", never as a class);
    ``highlight``: the page's own country, outlined on top."""
    breaks = class_breaks(list(values.values()), as_share)
    palette = MAP_CLASSES[-(len(breaks) + 1):] if len(breaks) < 4 else MAP_CLASSES
    view = _view.get() or View()
    uid = view.unique("map")
    href = world_url()
    role = "group" if link else "img"  # countries are links: keep them reachable
    fmt = (lambda v: percent(v)) if as_share else people
    parts = [_svg_open(geometry.WIDTH, geometry.HEIGHT, title, role, "map"), _patterns(uid)]
    rows = []
    last = ""
    for shape in geometry.world():
        iso3 = shape.iso3
        value = values.get(iso3) if iso3 else None
        country = names.get(iso3, shape.name) if iso3 else shape.name
        outside = not_south is not None and iso3 is not None and iso3 in not_south
        if outside:
            fill, label, data = f"url(#{uid}-north)", _("{name}: not South under this definition").format(
                name=country), ' data-class="not-south"'
        elif value is None:
            fill, label, data = f"url(#{uid}-nodata)", _("{name}: no data").format(name=country), \
                ' data-class="no-data"'
        else:
            k = sum(1 for b in breaks if value >= b)
            fill = palette[k]
            label = f"{country}: {fmt(value)}"
            data = f' data-value="{value}" data-class="{k}"'
        if value is not None and iso3 and not outside:
            rows.append([(country, None, link(iso3) if link else None), iso3, (fmt(value), value)])
        outline = ""
        if iso3 and iso3 == highlight:
            outline = f' stroke="{INK}" stroke-width="2.2" class="selected"'
        use = (f'<use href="{href}#{geometry.shape_id(shape)}" fill="{fill}"{outline} '
               f'data-iso3="{iso3 or ""}"{data}><title>{escape(label)}</title></use>')
        if link and iso3 and value is not None and not outside:
            use = f'<a href="{escape(link(iso3))}" aria-label="{escape(label)}">{use}</a>'
        if outline:
            last = use  # drawn last, so its outline is not hidden by its neighbours
        else:
            parts.append(use)
    parts.append(last)
    parts.append("</svg>")
    drawn = {shape.iso3 for shape in geometry.world()}
    for iso3, value in values.items():  # too small for the outlines: in the table all the same
        if iso3 not in drawn and value is not None and not (not_south and iso3 in not_south):
            page = link(iso3) if link and iso3 not in NOT_COUNTRY_NAMES else None  # no page: no link
            rows.append([(names.get(iso3, iso3), None, page), iso3, (fmt(value), value)])
    legend = [f'<li>{_swatch(palette[k])}{escape(text)}</li>'
              for k, text in enumerate(class_labels(breaks, as_share))]
    if not_south:
        legend.append(f'<li><svg width="14" height="12" aria-hidden="true">{_patterns(uid + "-l")}'
                      f'<rect width="14" height="12" fill="url(#{uid}-l-north)" stroke="#7f7f7f"/>'
                      f'</svg>{escape(_("not South under this definition"))}</li>')
    legend.append(f'<li><svg width="14" height="12" aria-hidden="true">{_patterns(uid + "-k")}'
                  f'<rect width="14" height="12" fill="url(#{uid}-k-nodata)" stroke="#767676"/>'
                  f'</svg>{escape(_("no data"))}</li>')
    if highlight:
        legend.append(f'<li><svg width="14" height="12" aria-hidden="true"><rect x="1" y="1" '
                      f'width="12" height="10" fill="none" stroke="{INK}" stroke-width="2"/></svg>'
                      f'{escape(names.get(highlight, highlight))}</li>')
    end = f"{uid}-end"
    skip = (f'<a class="skip-map" href="#{end}">{escape(_("Skip the map"))}</a>' if link else "")
    rows.sort(key=lambda r: -float(r[2][1] or 0))
    return _figure("map", title, unit, source, "".join(parts),
                   f'<ul class="legend">{"".join(legend)}</ul><span id="{end}" tabindex="-1"></span>',
                   header=[_("Country"), "ISO3", unit], rows=rows, note=note, before=skip,
                   name=name)
