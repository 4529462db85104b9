"""Charts drawn on the server as inline SVG: no script library, nothing fetched, readable without
JavaScript. Every chart is a ``<figure>`` with a title, the unit and the source in its caption, an
accessible name, and the numbers it draws in ``data-value`` attributes.

Colours: the Okabe-Ito palette (distinguishable with colour-vision deficiencies) for categories and
ColorBrewer "Blues" for the map; text is dark on light for contrast.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from corridors.web import geometry
from corridors.web.format import compact, people, percent

#: South-South, South-North, North-South, North-North.
CATEGORY_COLOURS = {
    "south-south": "#0072B2",
    "south-north": "#E69F00",
    "north-south": "#009E73",
    "north-north": "#7F7F7F",
}
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
MAP_CLASSES = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#ececec"
INK = "#1a1a1a"
GRID = "#d0d0d0"


def _figure(kind: str, title: str, unit: str, source: str, svg: str, extra: str = "") -> Markup:
    caption = (
        f'<figcaption><strong class="chart-title">{escape(title)}</strong>'
        f'<span class="chart-unit">Unit: {escape(unit)}.</span> '
        f'<span class="chart-source">Source: {escape(source)}.</span></figcaption>'
    )
    return Markup(f'<figure class="chart chart-{kind}">{caption}{svg}{extra}</figure>')


def _nice_max(value: float) -> float:
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _axis_label(value: float, as_share: bool) -> str:
    return percent(value, 0) if as_share else compact(value).replace(" million", "M").replace(
        " billion", "B")


def _y_grid(width: int, left: int, right: int, top_value: float,
            py: Callable[[float], float], as_share: bool) -> list[str]:
    """Five horizontal grid lines with their axis labels, shared by the line and bar charts."""
    parts = []
    for k in range(5):
        v = top_value * k / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{py(v):.1f}" y2="{py(v):.1f}" '
                     f'stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end" '
                     f'class="tick">{escape(_axis_label(v, as_share))}</text>')
    return parts


def line_chart(title: str, unit: str, source: str, x: Sequence[int],
               series: dict[str, Sequence[float | None]], *, as_share: bool = False,
               label_every: int = 1) -> Markup:
    """Lines over years, one per series (e.g. immigrants and emigrants); ``label_every``: print
    every n-th x label only (quarters), each point keeps its own in its tooltip."""
    width, height, left, right, top, bottom = 640, 260, 64, 16, 14, 34
    values = [v for s in series.values() for v in s if v is not None]
    top_value = 1.0 if as_share and values and 0.5 < max(values) <= 1 else _nice_max(
        max(values or [1]))  # a share may pass 100 % (remittances of Lesotho, 1982-89: 2x GDP)
    if as_share and values and max(values) <= 0.5:
        top_value = _nice_max(max(values))
    span_x = max(len(x) - 1, 1)

    def px(i: int) -> float:
        return left + (width - left - right) * i / span_x

    def py(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / top_value)

    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">']
    parts += _y_grid(width, left, right, top_value, py, as_share)
    for i, year in enumerate(x):
        if i % max(label_every, 1):
            continue
        parts.append(f'<text x="{px(i):.1f}" y="{height - 12}" text-anchor="middle" '
                     f'class="tick">{year}</text>')
    legend = []
    for n, (name, points) in enumerate(series.items()):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        coords = [(px(i), py(v)) for i, v in enumerate(points) if v is not None]
        if coords:
            d = "M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in coords)
            parts.append(f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for i, v in enumerate(points):
            if v is None:
                continue
            label = percent(v) if as_share else people(v)
            parts.append(
                f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3.5" fill="{colour}" '
                f'data-series="{escape(name)}" data-year="{x[i]}" data-value="{v}">'
                f'<title>{escape(name)}, {x[i]}: {escape(label)}</title></circle>')
        legend.append(f'<li><span class="swatch" data-colour="{colour}">'
                      f'<svg width="12" height="12" aria-hidden="true"><rect width="12" '
                      f'height="12" fill="{colour}"/></svg></span>{escape(name)}</li>')
    parts.append("</svg>")
    return _figure("line", title, unit, source, "".join(parts),
                   f'<ul class="legend">{"".join(legend)}</ul>')


def stacked_bars(title: str, unit: str, source: str, x: Sequence[int],
                 stacks: dict[str, Sequence[float]], *, labels: dict[str, str]) -> Markup:
    """One bar per year split into parts (the four categories); the share of each part shown."""
    width, height, left, right, top, bottom = 640, 280, 64, 16, 14, 34
    totals = [sum(s[i] or 0 for s in stacks.values()) for i in range(len(x))]
    top_value = _nice_max(max(totals or [1]))
    band = (width - left - right) / max(len(x), 1)

    def py(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / top_value)

    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">']
    parts += _y_grid(width, left, right, top_value, py, False)
    for i, year in enumerate(x):
        base = 0.0
        x0 = left + band * i + band * 0.15
        for name, values in stacks.items():
            v = values[i] or 0
            share = v / totals[i] if totals[i] else 0
            y1, y0 = py(base + v), py(base)
            parts.append(
                f'<rect x="{x0:.1f}" y="{y1:.1f}" width="{band * 0.7:.1f}" '
                f'height="{max(y0 - y1, 0):.1f}" fill="{CATEGORY_COLOURS.get(name, GRID)}" '
                f'data-category="{escape(name)}" data-year="{year}" data-value="{v}">'
                f'<title>{escape(labels.get(name, name))}, {year}: {people(v)} '
                f'({percent(share)})</title></rect>')
            base += v
        parts.append(f'<text x="{x0 + band * 0.35:.1f}" y="{height - 12}" text-anchor="middle" '
                     f'class="tick">{year}</text>')
    parts.append("</svg>")
    legend = "".join(
        f'<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" '
        f'fill="{CATEGORY_COLOURS.get(n, GRID)}"/></svg>{escape(labels.get(n, n))}</li>'
        for n in stacks)
    return _figure("bars", title, unit, source, "".join(parts), f'<ul class="legend">{legend}</ul>')


def bar_list(title: str, unit: str, source: str, rows: Sequence[tuple[str, float, str | None]],
             *, as_share: bool = False) -> Markup:
    """Horizontal bars (label, value, link) for a ranked list such as top origins."""
    width, row_h, left, right = 640, 24, 190, 110
    height = row_h * len(rows) + 8
    top_value = max((v for _, v, _ in rows), default=1) or 1
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">']
    for i, (label, value, link) in enumerate(rows):
        y = 4 + i * row_h
        bar = (width - left - right) * value / top_value
        text = percent(value) if as_share else people(value)
        name = escape(label if len(label) <= 28 else label[:27] + "…")
        label_svg = f'<text x="{left - 8}" y="{y + 16}" text-anchor="end">{name}</text>'
        if link:
            label_svg = f'<a href="{escape(link)}">{label_svg}</a>'
        parts.append(
            f'{label_svg}<rect x="{left}" y="{y + 3}" width="{bar:.1f}" height="{row_h - 8}" '
            f'fill="{SERIES_COLOURS[0]}" data-value="{value}"><title>{escape(label)}: '
            f'{escape(text)}</title></rect>'
            f'<text x="{left + bar + 6:.1f}" y="{y + 16}" class="value">{escape(text)}</text>')
    parts.append("</svg>")
    return _figure("barlist", title, unit, source, "".join(parts))


def _classes(values: Sequence[float], as_share: bool) -> list[float]:
    """Upper bounds of the map's five classes: fixed fifths for shares, quantiles otherwise."""
    if as_share:
        return [0.2, 0.4, 0.6, 0.8, 1.0000001]
    ordered = sorted(v for v in values if v is not None and v > 0)
    if not ordered:
        return [1, 2, 3, 4, 5]
    bounds = [ordered[min(len(ordered) - 1, int(len(ordered) * q))] for q in (0.2, 0.4, 0.6, 0.8)]
    return [*bounds, ordered[-1] + 1]


def world_map(title: str, unit: str, source: str, values: dict[str, float], *,
              names: dict[str, str], as_share: bool = False,
              link: Callable[[str], str] | None = None, highlight: str | None = None) -> Markup:
    """A choropleth of the world (Natural Earth outlines, Equal Earth projection)."""
    bounds = _classes(list(values.values()), as_share)
    role = "group" if link else "img"  # countries are links: keep them reachable
    parts = [f'<svg viewBox="0 0 {geometry.WIDTH:.0f} {geometry.HEIGHT:.0f}" role="{role}" '
             f'aria-label="{escape(title)}" class="map">']
    for shape in geometry.world():
        iso3 = shape.iso3
        value = values.get(iso3) if iso3 else None
        name = names.get(iso3, shape.name) if iso3 else shape.name
        if value is None:
            fill, label, data = NO_DATA, f"{name}: no data", ""
        else:
            k = next((i for i, b in enumerate(bounds) if value < b), len(bounds) - 1)
            fill = MAP_CLASSES[k]
            label = f"{name}: {percent(value) if as_share else people(value)}"
            data = f' data-value="{value}"'
        stroke = f' stroke="{INK}" stroke-width="1.6"' if iso3 and iso3 == highlight else ""
        path = (f'<path d="{shape.path}" fill="{fill}"{stroke} data-iso3="{iso3 or ""}"{data}>'
                f'<title>{escape(label)}</title></path>')
        if link and iso3 and value is not None:
            path = f'<a href="{escape(link(iso3))}" aria-label="{escape(label)}">{path}</a>'
        parts.append(path)
    parts.append("</svg>")
    lower = 0.0
    legend = []
    for k, upper in enumerate(bounds):
        fmt = (lambda v: percent(v, 0)) if as_share else compact
        hi = min(upper, 1.0) if as_share else upper
        legend.append(f'<li><svg width="14" height="14" aria-hidden="true"><rect width="14" '
                      f'height="14" fill="{MAP_CLASSES[k]}"/></svg>{escape(fmt(lower))}'
                      f'–{escape(fmt(hi))}</li>')
        lower = upper if not as_share else round(upper, 2)
    legend.append(f'<li><svg width="14" height="14" aria-hidden="true"><rect width="14" '
                  f'height="14" fill="{NO_DATA}"/></svg>no data</li>')
    return _figure("map", title, unit, source, "".join(parts),
                   f'<ul class="legend">{"".join(legend)}</ul>')
