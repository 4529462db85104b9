"""Regional economic communities: who belonged when, and which free-movement instruments they have.

Membership comes with periods (``since``/``until`` years) from ``reference/rec_membership.csv`` (or
the store table ``rec_membership`` that the build loads from it); free-movement instruments from
``reference/rec_free_movement.csv``.

The membership rule lives here, once, for every interface (the corridor table, regional shares,
profiles, the scorecard, the API's groupings, the CLI and the dashboard); ``in_force_sql`` and
``full_member_sql`` are its SQL form, tested against the Python form for every row and year.

- **Roles as recorded**: ``member``, ``associate``, ``observer``, ``suspended``, ``withdrawn`` (a
  membership that has ended; its row covers the years the country was a member).
- **Period**: a row is in force in the years ``since <= year <= until`` (``until`` is the year the
  membership ended, counted as a member year; blank = current).
- **Unknown start**: a blank ``since`` (the source did not state it) is shown as unknown
  (``since_known = False``) and the row is not counted before ``UNKNOWN_START_CONFIRMED``, the year
  the curated lists are confirmed complete ("as of late 2025", reference/README.md).
- **Full membership** (what intra-community shares, shared communities and member counts use):
  roles ``member``, ``suspended`` (a suspended member remains a State Party, e.g. Venezuela in
  MERCOSUR since 2016) and ``withdrawn`` (for the years before it left). Associates and observers
  never count.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from corridors.governance.reference import reference_file

MEMBER_TYPES = ("member", "associate", "observer", "suspended", "withdrawn")

#: Roles that are full membership in a year the row is in force (see the module doc).
FULL_MEMBERSHIP = ("member", "suspended", "withdrawn")

#: A membership whose start year is unknown counts from this year: the curated lists are complete
#: "as of late 2025" (reference/README.md), so 2025 is the first year the data confirm it.
UNKNOWN_START_CONFIRMED = 2025


def in_force(since: int | None, until: int | None, year: int) -> bool:
    """Whether a membership row with this period is in force in ``year`` (the module's rule)."""
    start = UNKNOWN_START_CONFIRMED if since is None else since
    return start <= year and (until is None or year <= until)


def in_force_sql(alias: str, year: str) -> str:
    """SQL condition: membership row ``alias`` (with ``since``/``until``) is in force in the SQL
    expression ``year`` (the same rule as :func:`in_force`)."""
    return (f"(coalesce({alias}.since, {UNKNOWN_START_CONFIRMED}) <= {year} AND "
            f"({alias}.until IS NULL OR {year} <= {alias}.until))")


def listed_sql(alias: str, year: str) -> str:
    """SQL condition: row ``alias`` is shown for the SQL expression ``year`` (the same rule as
    :meth:`Membership.listed`: in its period, or of unknown start and not yet ended)."""
    return (f"(({alias}.since IS NULL OR {alias}.since <= {year}) AND "
            f"({alias}.until IS NULL OR {year} <= {alias}.until))")


def full_member_sql(alias: str, year: str) -> str:
    """SQL condition: row ``alias`` (with ``member_type``) is full membership in ``year``."""
    roles = ", ".join(f"'{r}'" for r in FULL_MEMBERSHIP)
    return f"({alias}.member_type IN ({roles}) AND {in_force_sql(alias, year)})"


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
        return in_force(self.since, self.until, year)

    def listed(self, year: int) -> bool:
        """Whether the row is shown for ``year``: in its period, or of unknown start and not yet
        ended (shown with its start as unknown, counted only from ``UNKNOWN_START_CONFIRMED``)."""
        return (self.since is None or self.since <= year) and (self.until is None or year <= self.until)

    def role(self, year: int) -> str | None:
        """The country's role in the community in ``year`` as recorded (``member``, ``associate``,
        ``observer``, ``suspended``, ``withdrawn`` for a membership that later ended), for every
        row shown that year; None otherwise. Counting uses :meth:`full_member`."""
        return self.member_type if self.listed(year) else None

    def full_member(self, year: int) -> bool:
        """Whether this row makes the country a full member in ``year`` (see the module doc)."""
        return self.active(year) and self.member_type in FULL_MEMBERSHIP

    def current(self) -> bool:
        """Whether the row describes the country's role now (no end year)."""
        return self.until is None and self.member_type != "withdrawn"


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
            roles: tuple[str, ...] = FULL_MEMBERSHIP) -> list[str]:
    """ISO3 of the community's countries holding one of ``roles`` in ``year`` (default: full
    members; year default: now, i.e. current rows)."""
    out = set()
    for m in rows:
        if m.rec_code != rec_code or m.member_type not in roles:
            continue
        if m.current() if year is None else m.active(year):
            out.add(m.iso3)
    return sorted(out)


def roles_of(rows: list[Membership], rec_code: str, year: int | None = None) -> list[dict]:
    """Every country with a role in the community in ``year`` (default: now): iso3, role as
    recorded, whether it counts as full membership that year, since/until and whether the start
    is known."""
    out = []
    for m in rows:
        if m.rec_code != rec_code or not (m.current() if year is None else m.listed(year)):
            continue
        counted = m.member_type in FULL_MEMBERSHIP and (year is None or m.full_member(year))
        out.append({"iso3": m.iso3, "role": m.member_type, "full_member": counted, "since": m.since,
                    "until": m.until, "since_known": m.since is not None})
    order = {r: i for i, r in enumerate(MEMBER_TYPES)}
    return sorted(out, key=lambda r: (not r["full_member"], order.get(r["role"], 9), r["iso3"]))


def of_country(rows: list[Membership], iso3: str, year: int | None = None) -> list[dict]:
    """The communities a country belongs to (any role) in ``year`` (default: now)."""
    out = []
    for m in rows:
        if m.iso3 != iso3:
            continue
        role = (m.member_type if m.current() else None) if year is None else m.role(year)
        if role:
            out.append({"rec_code": m.rec_code, "rec_name": m.rec_name, "role": role,
                        "full_member": m.full_member(year) if year is not None else
                        m.member_type in FULL_MEMBERSHIP,
                        "since": m.since, "until": m.until, "since_known": m.since is not None,
                        "source_url": m.source_url, "note": m.note})
    return out


def shared(rows: list[Membership], a: str, b: str, year: int,
           roles: tuple[str, ...] = FULL_MEMBERSHIP) -> list[str]:
    """Communities in which both countries hold one of ``roles`` in ``year`` (default: full
    members)."""
    first = {m.rec_code for m in rows if m.iso3 == a and m.active(year) and m.member_type in roles}
    second = {m.rec_code for m in rows if m.iso3 == b and m.active(year) and m.member_type in roles}
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
            "suspended": len(members(rows, code, year, roles=("suspended",))),
            "associates": len(members(rows, code, year, roles=("associate",))),
            "observers": len(members(rows, code, year, roles=("observer",))),
            "free_movement": movement.instrument if movement else None,
            "free_movement_status": movement.status if movement else "unknown",
            "scope": movement.scope if movement else None,
        })
    return out


def as_dict(item: Membership | FreeMovement) -> dict:
    return asdict(item)
