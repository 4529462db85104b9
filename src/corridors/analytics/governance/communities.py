"""Regional economic communities: who belonged when, and which free-movement instruments they have.

Membership comes with periods (``since``/``until`` years) from ``reference/rec_membership.csv`` (or
the store table ``rec_membership`` that the build loads from it); free-movement instruments from
``reference/rec_free_movement.csv``.

Period rule (the same as the corridor table's, ``corridors.analytics.corridors.rec_active``): a
membership row counts for the years ``since <= year <= until`` (``until`` is the year membership
ended, counted as a member year). A blank ``since`` means the start year was not stated: the row
counts for every year up to ``until`` and is flagged ``since_known = False``. Rows of type
``withdrawn`` are memberships that ended; ``suspended`` members remain parties and count as members.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from corridors.analytics.governance.reference import reference_file

MEMBER_TYPES = ("member", "associate", "observer", "suspended", "withdrawn")


@dataclass(frozen=True)
class Membership:
    rec_code: str
    rec_name: str
    iso3: str
    member_type: str
    since: int | None
    until: int | None
    source_url: str | None = None
    note: str | None = None

    def active(self, year: int) -> bool:
        return (self.since is None or self.since <= year) and (
            self.until is None or year <= self.until)

    def role(self, year: int) -> str | None:
        """The country's role in the community in ``year``: ``member`` (also for a later
        withdrawal within its period, and for a suspended member), ``associate``, ``observer``;
        else None."""
        if not self.active(year):
            return None
        return "member" if self.member_type in ("withdrawn", "suspended") else self.member_type


@dataclass(frozen=True)
class FreeMovement:
    rec_code: str
    instrument: str | None
    adopted: int | None
    in_force_text: str | None
    status: str  # in force | partly in force | not in force | unknown
    scope: str | None
    source_url: str | None
    note: str | None

    @property
    def value(self) -> float | None:
        """1 in force, 0.5 partly in force, 0 not in force, None unknown."""
        return {"in force": 1.0, "partly in force": 0.5, "not in force": 0.0}.get(self.status)


def _int(text: object) -> int | None:
    if text is None:
        return None
    value = str(text).strip()
    if not value or value.lower() in ("nan", "none"):
        return None
    return int(float(value))


def memberships(reference: Path | str | None = None,
                con: duckdb.DuckDBPyConnection | None = None) -> list[Membership]:
    """Every membership row; from the store table when ``con`` has rows, else the reference CSV."""
    if con is not None:
        rows = con.execute(
            "SELECT rec_code, rec_name, iso3, member_type, since, until, source_url, note "
            "FROM rec_membership").fetchall()
        if rows:
            return [Membership(r[0], r[1], r[2], r[3], _int(r[4]), _int(r[5]), r[6], r[7])
                    for r in rows]
    path = reference_file("rec_membership.csv", reference)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            Membership(r["rec_code"], r["rec_name"], r["iso3"], r["member_type"],
                       _int(r["since"]), _int(r["until"]), r["source_url"] or None,
                       r["note"] or None)
            for r in csv.DictReader(handle)
        ]


def communities(rows: list[Membership]) -> dict[str, str]:
    """Community code -> name."""
    return {m.rec_code: m.rec_name for m in rows}


def members(rows: list[Membership], rec_code: str, year: int | None = None,
            roles: tuple[str, ...] = ("member",)) -> list[str]:
    """ISO3 of the community's members in ``year`` (default: now, i.e. rows without ``until``
    that are not withdrawals)."""
    out = set()
    for m in rows:
        if m.rec_code != rec_code:
            continue
        if year is None:
            if m.until is None and m.member_type in roles:
                out.add(m.iso3)
        elif m.role(year) in roles:
            out.add(m.iso3)
    return sorted(out)


def of_country(rows: list[Membership], iso3: str, year: int | None = None) -> list[dict]:
    """The communities a country belongs to (any role) in ``year`` (default: now)."""
    out = []
    for m in rows:
        if m.iso3 != iso3:
            continue
        role = (m.member_type if m.until is None and m.member_type != "withdrawn" else None) \
            if year is None else m.role(year)
        if role:
            out.append({"rec_code": m.rec_code, "rec_name": m.rec_name, "role": role,
                        "since": m.since, "until": m.until, "since_known": m.since is not None,
                        "source_url": m.source_url, "note": m.note})
    return out


def shared(rows: list[Membership], a: str, b: str, year: int,
           roles: tuple[str, ...] = ("member",)) -> list[str]:
    """Communities in which both countries hold one of ``roles`` in ``year``."""
    first = {m.rec_code for m in rows if m.iso3 == a and m.role(year) in roles}
    second = {m.rec_code for m in rows if m.iso3 == b and m.role(year) in roles}
    return sorted(first & second)


def _fm_status(text: str) -> str:
    value = (text or "").strip().lower()
    if not value:
        return "unknown"
    if value.startswith("yes"):
        return "partly in force" if ("partial" in value or "phase" in value) else "in force"
    if value.startswith("no"):
        return "not in force"
    return "unknown"


def free_movement(reference: Path | str | None = None) -> dict[str, FreeMovement]:
    """Free-movement instrument per community code (``AU`` included), with a coded status:
    ``in force`` / ``partly in force`` (the source says yes for a phase or for some categories)
    / ``not in force`` / ``unknown`` (nothing retrieved)."""
    path = reference_file("rec_free_movement.csv", reference)
    out = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for r in csv.DictReader(handle):
            instrument = r["instrument"].strip()
            retrieved = bool(instrument) and not instrument.startswith("(no ")
            out[r["rec_code"]] = FreeMovement(
                rec_code=r["rec_code"], instrument=instrument if retrieved else None,
                adopted=_int(r["adopted"]), in_force_text=r["in_force"] or None,
                status=_fm_status(r["in_force"]) if retrieved else "unknown",
                scope=r["scope"] or None, source_url=r["source_url"] or None,
                note=r["note"] or None,
            )
    return out


def summary(rows: list[Membership], fm: dict[str, FreeMovement],
            year: int | None = None) -> list[dict]:
    """One row per community: members (count) in ``year`` and its free-movement status."""
    out = []
    for code, name in communities(rows).items():
        movement = fm.get(code)
        out.append({
            "rec_code": code, "rec_name": name,
            "members": len(members(rows, code, year)),
            "associates": len(members(rows, code, year, roles=("associate",))),
            "free_movement": movement.instrument if movement else None,
            "free_movement_status": movement.status if movement else "unknown",
            "scope": movement.scope if movement else None,
        })
    return out


def as_dict(item: Membership | FreeMovement) -> dict:
    return asdict(item)
