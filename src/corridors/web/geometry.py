"""World map geometry for the dashboard: Natural Earth country outlines, served by the package.

The outlines are Natural Earth's 1:110m admin-0 countries (public domain) as packaged in TopoJSON by
the maintained npm package ``world-atlas`` (version pinned below, ISC licence). The file
``static/geo/countries-110m.json`` is that package's file, byte for byte; ``python -m
corridors.web.geometry refresh`` fetches it again from the npm registry (``npm pack``) and checks its
SHA-256, so a maintainer can update it and nothing is fetched at run time.

This module decodes the TopoJSON, projects it with the Equal Earth projection (Šavrič, Patterson &
Jenny 2018: equal-area, so a country's colour covers a fair share of the map) and returns one SVG path
per country, keyed by ISO3 through the one country table (features carry ISO 3166-1 numeric = M49 ids).
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import corridors.codes as codes

#: Where the outlines come from: npm package, version, file and its SHA-256.
PACKAGE = "world-atlas"
VERSION = "2.0.2"
FILE = "countries-110m.json"
SHA256 = "2516c915867c7baf18ddec727aec46c315541a07cfb3d79a6559b05d5e94eee8"
LICENCE = (
    "Natural Earth 1:110m admin-0 countries (public domain), TopoJSON from the npm package "
    f"{PACKAGE} {VERSION} (ISC licence, Copyright 2013-2019 Michael Bostock)"
)

#: Features without an ISO numeric id, mapped as UN DESA's tables count them.
_UNCODED = {"N. Cyprus": "CYP", "Somaliland": "SOM", "Kosovo": "SRB"}

#: The SVG canvas the map is drawn on.
WIDTH = 960.0
HEIGHT = 468.0

_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2
_X_MAX = 2.7066297319  # Equal Earth x at longitude 180, latitude 0
_Y_MAX = 1.3173627591  # Equal Earth y at latitude 90


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Project a longitude/latitude (degrees) to Equal Earth coordinates (unit sphere)."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(_M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * math.sqrt(3) * lam * math.cos(theta) / (
        3 * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2))
    )
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


def _to_canvas(lon: float, lat: float) -> tuple[float, float]:
    x, y = equal_earth(lon, lat)
    scale = (WIDTH / 2) / _X_MAX
    return WIDTH / 2 + x * scale, HEIGHT / 2 - y * scale


@dataclass(frozen=True)
class Shape:
    """One country outline: ISO3 (or None when the table does not know it), name, SVG path."""

    iso3: str | None
    name: str
    path: str


def geometry_path() -> Path:
    return Path(str(resources.files("corridors.web").joinpath("static", "geo", FILE)))


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The arcs as longitude/latitude points (degrees)."""
    scale_x, scale_y = topology["transform"]["scale"]
    move_x, move_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + move_x, y * scale_y + move_y))
        arcs.append(points)
    return arcs


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def _clip(ring: list[tuple[float, float]], low: float, high: float) -> list[tuple[float, float]]:
    """The part of a ring between two meridians (Sutherland-Hodgman against each in turn)."""
    for bound, inside in ((low, lambda lon: lon >= low), (high, lambda lon: lon <= high)):
        if not ring:
            break
        kept: list[tuple[float, float]] = []
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            if inside(x1):
                if not inside(x0):
                    kept.append((bound, y0 + (y1 - y0) * (bound - x0) / (x1 - x0)))
                kept.append((x1, y1))
            elif inside(x0):
                kept.append((bound, y0 + (y1 - y0) * (bound - x0) / (x1 - x0)))
        ring = kept
    return ring


def split_at_antimeridian(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring that crosses longitude 180 (Fiji, Russia's Chukotka) as the pieces on either side,
    each closed along the meridian, so no line runs across the whole map."""
    unwrapped = [ring[0]]
    for lon, lat in ring[1:]:
        previous = unwrapped[-1][0]
        while lon - previous > 180:
            lon -= 360
        while previous - lon > 180:
            lon += 360
        unwrapped.append((lon, lat))
    if all(-180 <= lon <= 180 for lon, _ in unwrapped):
        return [ring]
    pieces = []
    for shift in (-360, 0, 360):
        piece = _clip([(lon + shift, lat) for lon, lat in unwrapped], -180, 180)
        if len(piece) >= 3:
            pieces.append(piece)
    return pieces


def _path(polygons: list[list[list[int]]], arcs: list[list[tuple[float, float]]]) -> str:
    parts = []
    for polygon in polygons:
        for ring in polygon:
            lonlat = _ring(ring, arcs)
            if len(lonlat) < 3:
                continue
            for piece in split_at_antimeridian(lonlat):
                points = [_to_canvas(lon, lat) for lon, lat in piece]
                head = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
                body = "L" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points[1:])
                parts.append(head + body + "Z")
    return "".join(parts)


@lru_cache(maxsize=1)
def world() -> tuple[Shape, ...]:
    """Every country outline (Antarctica left out), projected on the WIDTH x HEIGHT canvas."""
    topology = json.loads(geometry_path().read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    shapes: dict[str, Shape] = {}
    for feature in topology["objects"]["countries"]["geometries"]:
        name = feature.get("properties", {}).get("name", "")
        code = feature.get("id")
        if code == "010":  # Antarctica: no migrant stock, a third of the map
            continue
        iso3 = codes.iso3_for_m49(code) if code else _UNCODED.get(name)
        polygons = feature["arcs"] if feature["type"] == "MultiPolygon" else [feature["arcs"]]
        key = iso3 or name
        if key in shapes:  # e.g. Somaliland drawn as part of Somalia: one shape per country
            previous = shapes[key]
            shapes[key] = Shape(iso3, previous.name, previous.path + _path(polygons, arcs))
        else:
            shapes[key] = Shape(iso3, name, _path(polygons, arcs))
    return tuple(shapes.values())


def shape_id(shape: Shape) -> str:
    """The id of a country's outline in the world file (``c-KEN``; ``n-<name>`` without a code)."""
    if shape.iso3:
        return f"c-{shape.iso3}"
    return "n-" + "".join(ch if ch.isalnum() else "-" for ch in shape.name.lower())


#: Changes whenever the drawn outlines would (the source file or how it is projected), so the
#: world file's address changes with it and browsers may keep it for a year.
DRAWING = "1"


def world_version() -> str:
    return hashlib.sha256(f"{SHA256}:{DRAWING}:{WIDTH}x{HEIGHT}".encode()).hexdigest()[:12]


@lru_cache(maxsize=1)
def world_svg() -> bytes:
    """Every outline in one SVG file, one ``<path id="c-ISO3">`` each and no fill of its own:
    the maps on the pages draw each country with ``<use href="<file>#c-ISO3" fill=...>``, so the
    browser fetches the outlines once and keeps them, and each page sends only the colours."""
    paths = "".join(f'<path id="{shape_id(s)}" d="{s.path}"/>' for s in world())
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {HEIGHT:.0f}">'
            f'<title>World map outlines. {LICENCE}</title>{paths}</svg>').encode()


def refresh(target: Path | None = None) -> Path:
    """Fetch the outlines again from the npm registry (``npm pack``) and check their SHA-256."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to refresh the map outlines (apt-get install npm)")
    target = target or geometry_path()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npm, "pack", f"{PACKAGE}@{VERSION}"], cwd=tmp, check=True,
                       capture_output=True)
        with tarfile.open(Path(tmp) / f"{PACKAGE}-{VERSION}.tgz") as archive:
            member = archive.extractfile(f"package/{FILE}")
            if member is None:  # a folder or link of that name, not the file
                raise SystemExit(f"{PACKAGE} {VERSION}: package/{FILE} is not a file")
            data = member.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{PACKAGE} {VERSION}/{FILE}: sha256 {digest}, expected {SHA256}")
    target.write_bytes(data)
    return target


if __name__ == "__main__":  # pragma: no cover - maintainer tool
    if sys.argv[1:] == ["refresh"]:
        print(f"wrote {refresh()}")
    else:
        print("usage: python -m corridors.web.geometry refresh")
