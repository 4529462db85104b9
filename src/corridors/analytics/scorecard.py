"""The corridor scorecard: governance next to volume, corridor by corridor.

For a corridor (origin -> destination) and a year it shows the migrant stock and its trend (from
the corridor table), both ends' status on the migrant-specific and fundamental instruments, the
regional communities they share and the status of their free-movement instruments, the agreements
covering both and their alignment scores, and five coverage indicators. The ranking lists the
largest South-South corridors under a lens by weakest evidenced coverage: where support should go
first.

Coverage indicators (each made of items whose value is 1, 0, a fraction, or unknown):

1. ``migrant_instruments``: for each end and each migrant-specific instrument (C097, C143, ICRMW,
   C118, C157, Smuggling Protocol): 1 if ratified by the end of the year, 0 if not, unknown if the
   list does not say (12 items).
2. ``fundamental_instruments``: the same for the 11 fundamental instruments (22 items).
3. ``free_movement``: 1 item. No shared community (among the 16 on record, whose membership lists
   are complete) -> 0. Shared communities -> the best free-movement status on record among them:
   in force 1, partly in force 0.5, not in force 0; unknown when none is in force or partly in
   force and one has no status on record.
4. ``bilateral_agreement``: the 10 checklist provisions of the best-scored government agreement
   (BLA, MoU, programme) between the two; all unknown when the registry holds none (the registry
   is not exhaustive: absence is not evidence).
5. ``social_security``: 1 item. 1 when an agreement covering both ends provides social-security
   portability (0.5 if it is only partly operational) or both ends ratified C157; else unknown.

For each indicator with n items, K known, and S the sum of known item values:
``value = S / K`` (over what is known), ``low = S / n`` (unknown counted as 0, the *evidenced*
coverage), ``high = (S + n - K) / n`` (unknown counted as 1), ``known_share = K / n``.
The corridor's ``evidenced`` coverage is the mean of the five ``low`` values, ``possible`` the mean
of the ``high`` values, ``known_share`` the mean of the known shares. The ranking sorts by
``evidenced`` (ascending), then by stock (descending). ``weakest`` names the indicator with the
lowest ``low``, ties broken by the lowest ``high`` (a known gap before an unknown one).

Why it lives in ``analytics`` and not in ``corridors.governance``: it combines governance
(ratifications, communities, agreements) with volumes and lenses (the corridor facts, the stock of
an edition). Imports run one way, store -> governance -> analytics: analytics may ask governance
(the membership rule, the ratification lists), governance asks nothing of analytics. A scorecard
inside governance would make the two packages import each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb

import corridors.codes as codes
from corridors.analytics.corridors import (
    NoDataError,
    check_years,
    corridor_table,
    default_edition,
    safe,
)
from corridors.analytics.editions import stock_sources
from corridors.analytics.facts import FACTS, CorridorIndex, categories, corridor_rows
from corridors.analytics.facts import stock_sources as fact_sources
from corridors.analytics.lenses import BUILTIN, get_lens
from corridors.analytics.profiles import EditionFacts, edition_facts
from corridors.errors import CorridorsError, InputError
from corridors.governance import agreements as agreements_mod
from corridors.governance import communities as communities_mod
from corridors.governance import ratifications as ratifications_mod
from corridors.governance.instruments import fundamental, instruments, migrant_specific
from corridors.governance.sources import MEMBERSHIP_FILES, governance_sources
from corridors.store import provenance

GOVERNMENT_KINDS = ("BLA", "MoU", "programme")

FORMULAS = {
    "migrant_instruments": "per end and migrant-specific instrument: 1 ratified by the year, "
                           "0 not, unknown if the list does not say (2 x 6 items)",
    "fundamental_instruments": "per end and fundamental instrument: 1 ratified by the year, "
                               "0 not, unknown (2 x 11 items)",
    "free_movement": "shared community with free movement in force 1, partly 0.5, not in force "
                     "or no shared community 0, status not on record unknown (1 item)",
    "bilateral_agreement": "checklist of the best-scored government agreement between the two "
                           "(10 items); all unknown when the registry holds none",
    "social_security": "1 if an agreement covering both ends provides portability (0.5 partly "
                       "operational) or both ratified C157; else unknown (1 item)",
    "evidenced": "mean over the 5 indicators of low = S / n (unknown counted as 0)",
    "possible": "mean over the 5 indicators of high = (S + n - K) / n (unknown counted as 1)",
    "known_share": "mean over the 5 indicators of K / n",
}


#: Origins that are not countries ("Other"; IMS 2015 Other North / South): never corridors.
_NOT_COUNTRIES = ", ".join(f"'{c}'" for c in codes.NOT_COUNTRY_NAMES)

@dataclass
class Governance:
    """Everything the scorecard reads besides the store, loaded once for a ranking."""

    ratifications: ratifications_mod.Ratifications
    memberships: list[communities_mod.Membership]
    free_movement: dict[str, communities_mod.FreeMovement]
    agreements: list[agreements_mod.Agreement] = field(default_factory=list)
    #: the curated reference folder read (None: the default one)
    reference: Path | str | None = None
    #: the communities' full members per year, worked out once (:meth:`members_in`)
    _members: dict[int, dict[str, set[str]]] = field(default_factory=dict, init=False,
                                                     repr=False, compare=False)

    def members_in(self, year: int) -> dict[str, set[str]]:
        """Each community's full members in ``year`` (the membership rule of
        :meth:`~corridors.governance.communities.Membership.full_member`); do not change it."""
        found = self._members.get(year)
        if found is None:
            found = self._members[year] = _members_of(self, year)
        return found

    def sources(self, con: duckdb.DuckDBPyConnection | None = None) -> list[dict]:
        """The sources of these facts: curated files, UN treaty tables, the shipped instruments
        and agreements, the user's imports (:func:`governance_sources`)."""
        ratifications = self.ratifications
        return governance_sources(
            con, reference=self.reference, reference_files=MEMBERSHIP_FILES,
            ratifications=getattr(ratifications, "_wrapped", ratifications),
            package_files=("instruments.yaml", "agreements.yaml"), agreements=self.agreements)

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection | None = None,
             reference: Path | str | None = None, mirror: Path | str | None = None,
             user_dir: Path | str | None = None) -> Governance:
        return cls(
            ratifications=ratifications_mod.load(reference, mirror=mirror, user_dir=user_dir),
            memberships=communities_mod.memberships(reference, con),
            free_movement=communities_mod.free_movement(reference),
            agreements=agreements_mod.registry(user_dir),
            reference=reference,
        )


def indicator(name: str, values: list[float | None], note: str | None = None) -> dict:
    """Summarise item values (None = unknown) into value / low / high / known share."""
    n = len(values)
    known = [v for v in values if v is not None]
    total = sum(known)
    return {
        "indicator": name,
        "items": n,
        "known": len(known),
        "value": total / len(known) if known else None,
        "low": total / n if n else 0.0,
        "high": (total + n - len(known)) / n if n else 0.0,
        "known_share": len(known) / n if n else 0.0,
        "formula": FORMULAS[name],
        "note": note,
    }


def _members_of(gov: Governance, year: int) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for m in gov.memberships:
        if m.full_member(year):
            out.setdefault(m.rec_code, set()).add(m.iso3)
    return out


class _RatifiedByYear(ratifications_mod.Ratifications):
    """The ratifications of a :class:`Governance` with ``ratified_by`` remembered, for a ranking
    that asks the same ends about the same instruments again and again (the records, coverage
    and sources are the given object's, shared, not copied)."""

    def __init__(self, ratifications: ratifications_mod.Ratifications) -> None:
        super().__init__(ratifications.records, ratifications.coverage, ratifications.sources)
        self._seen: dict[tuple[str, str, int], float | None] = {}

    def ratified_by(self, iso3: str, instrument_id: str, year: int) -> float | None:
        key = (iso3, instrument_id, year)
        if key not in self._seen:
            self._seen[key] = super().ratified_by(iso3, instrument_id, year)
        return self._seen[key]


def governance_indicators(gov: Governance, origin: str, destination: str, year: int, *,
                          members_of: dict[str, set[str]] | None = None,
                          statuses: bool = True) -> dict:
    """The governance half of the scorecard (no store needed).

    ``members_of``: the communities' members in ``year`` when the caller already has them (a
    ranking works them out once); ``statuses=False`` leaves out both ends' status on every
    instrument (``instruments``), which a ranking does not show."""
    rat = gov.ratifications
    ends = (origin, destination)
    migrant = [rat.ratified_by(e, i, year) for e in ends for i in migrant_specific()]
    fund = [rat.ratified_by(e, i, year) for e in ends for i in fundamental()]

    shared = communities_mod.shared(gov.memberships, origin, destination, year)
    names = communities_mod.communities(gov.memberships)
    shared_rows = []
    fm_values = []
    for code in shared:
        fm = gov.free_movement.get(code)
        value = fm.value if fm else None
        fm_values.append(value)
        shared_rows.append({
            "rec_code": code, "rec_name": names.get(code),
            "free_movement": fm.instrument if fm else None,
            "free_movement_status": fm.status if fm else "unknown",
            "scope": fm.scope if fm else None,
            "source_url": fm.source_url if fm else None,
        })
    if not shared:
        fm_item, fm_note = 0.0, "no shared regional community on record"
    elif 1.0 in fm_values:
        fm_item, fm_note = 1.0, None
    elif any(v for v in fm_values if v is not None):
        fm_item = max(v for v in fm_values if v is not None)
        fm_note = ("a shared community has no free-movement status on record"
                   if None in fm_values else None)
    elif None in fm_values:
        fm_item, fm_note = None, "a shared community has no free-movement status on record"
    else:
        fm_item, fm_note = 0.0, "no shared community has free movement in force"

    if members_of is None:
        members_of = gov.members_in(year)
    covering = agreements_mod.between(gov.agreements, origin, destination, year, members_of)
    government = [a for a in covering if a.kind in GOVERNMENT_KINDS]
    best = max(government, key=lambda a: (a.score()["score_min"], a.score()["coverage"]),
               default=None)
    if best is None:
        bla_values: list[float | None] = [None] * len(agreements_mod.PROVISIONS)
        bla_note = ("no government agreement between the two in the registry "
                    f"({len(gov.agreements)} agreements on record; absence is not evidence)")
    else:
        bla_values = [{"yes": 1.0, "no": 0.0}.get(best.value(k))
                      for k in agreements_mod.PROVISIONS]
        bla_note = f"best agreement: {best.id}"

    ss_item: float | None = None
    ss_note = "no social-security coordination on record (registry and C157 list incomplete)"
    for item in covering:
        if item.value("social_security_portability") == "yes" and item.operational != "no":
            value = 0.5 if item.operational == "partial" else 1.0
            if ss_item is None or value > ss_item:
                ss_item, ss_note = value, f"{item.id} (operational: {item.operational})"
    if ss_item != 1.0 and all(rat.ratified_by(e, "C157", year) == 1.0 for e in ends):
        ss_item, ss_note = 1.0, "both ends ratified C157"

    indicators = [
        indicator("migrant_instruments", migrant),
        indicator("fundamental_instruments", fund),
        indicator("free_movement", [fm_item], fm_note),
        indicator("bilateral_agreement", bla_values, bla_note),
        indicator("social_security", [ss_item], ss_note),
    ]
    coverage = {
        "evidenced": sum(i["low"] for i in indicators) / len(indicators),
        "possible": sum(i["high"] for i in indicators) / len(indicators),
        "known_share": sum(i["known_share"] for i in indicators) / len(indicators),
        "formula": {k: FORMULAS[k] for k in ("evidenced", "possible", "known_share")},
    }
    # weakest: least evidenced coverage, then the most certain gap (lowest upper bound)
    weakest = min(indicators, key=lambda i: (i["low"], i["high"], i["indicator"]))
    coverage["weakest"] = weakest["indicator"]
    return {
        "instruments": {
            role: [
                rat.status(e, i) for i in list(dict.fromkeys(migrant_specific() + fundamental()))
            ]
            for role, e in (("origin", origin), ("destination", destination))
        } if statuses else {},
        "communities": {"shared": shared_rows},
        "agreements": [dict(a.summary(), checklist=a.checklist()) for a in covering],
        "indicators": indicators,
        "coverage": coverage,
        "lists": {key: rat.coverage[key].text for key in instruments()},
    }


def _country(code: str, what: str) -> str:
    iso3 = codes.code_for(code)
    if iso3 is None:
        raise InputError.one(what, "a country code (ISO3, M49) or name", value=code)
    return iso3


def scorecard(con: duckdb.DuckDBPyConnection, origin: str, destination: str, year: int, *,
              edition: str | None = None, gov: Governance | None = None,
              reference: Path | str | None = None, facts: EditionFacts | None = None,
              index: CorridorIndex | None = None, with_sources: bool = True) -> dict:
    """The scorecard of one corridor in one year (see the module docstring).

    The stock figures are the corridor table's (:func:`corridors.analytics.corridors.corridor_table`)
    for this corridor, read from its own rows only. ``facts``: the edition's
    :class:`~corridors.analytics.profiles.EditionFacts` when the caller keeps them; ``index``: the
    corridor facts held in memory (:class:`~corridors.analytics.facts.CorridorIndex`), likewise;
    ``with_sources=False``: leave out the answer's ``sources`` (a caller that names them itself)."""
    o = _country(origin, "ORIGIN")
    d = _country(destination, "DESTINATION")
    facts = facts or edition_facts(con, edition)
    edition = facts.edition
    gov = gov or Governance.load(con, reference)
    check_years(con, edition, year, facts.years)
    lenses = list(BUILTIN.values())
    columns = ("year", "prev_year", "stock", "previous_stock", "change", "growth_rate",
               "female_share", "contiguous", *(f"category_{safe(lens.id)}" for lens in lenses),
               "source_ids")
    totals = [r[1:] for r in corridor_rows(con, edition, o, d, ("sex", *columns), index)
              if r[0] == "total"]
    by_year = {r[0]: r[:-1] for r in totals}
    ids_by_year = {r[0]: r[-1] for r in totals}
    row = by_year.get(year)
    if row is None:
        raise NoDataError(f"{edition} has no stock for {o} -> {d} in {year}")
    stock_sources = fact_sources(con, ids_by_year[year], index)
    names = codes.countries()
    result = {
        "corridor": {"origin": o, "origin_name": names[o].name, "destination": d,
                     "destination_name": names[d].name, "year": year, "edition": edition},
        "stock": {
            "value": row[2], "previous_year": row[1], "previous": row[3], "change": row[4],
            "growth_rate": row[5], "female_share": row[6], "contiguous": bool(row[7]),
            "categories": {lens.id: category for lens, category in zip(lenses, row[8:],
                                                                       strict=True)},
            "sources": stock_sources,
        },
        "trend": [{"year": r[0], "stock": r[2], "growth_rate": r[5]} for r in by_year.values()],
    }
    result.update(governance_indicators(gov, o, d, year))
    if with_sources:
        result["sources"] = sources(con, gov, edition)
    return result


def sources(con: duckdb.DuckDBPyConnection, gov: Governance, edition: str) -> list[dict]:
    """The sources of a scorecard or a ranking: the edition's stock files, then the governance
    facts' files (each with its SHA-256)."""
    stock = provenance.rows(con, stock_sources(con, edition))
    return provenance.public([*stock, *gov.sources(con)])


def south_south_corridors(con: duckdb.DuckDBPyConnection, lens_id: str, year: int, *,
                          edition: str | None = None, top: int = 50) -> list[dict]:
    """The ``top`` largest corridors (total stock) whose category under the lens is
    south-south in ``year``."""
    lens = get_lens(lens_id)
    edition = default_edition(con, edition)
    table = corridor_table(con, edition=edition, years=year, sex="total", lenses=[lens])
    column = f"category_{safe(lens.id)}"
    rows = table.filter(table[column] == "south-south").sort(
        ["stock", "origin", "destination"], descending=[True, False, False]).head(top)
    return [dict(r, edition=edition) for r in rows.to_dicts()]


def _top_south_south(con: duckdb.DuckDBPyConnection, lens_id: str, year: int, *,
                     edition: str | None = None, top: int = 50,
                     facts: EditionFacts | None = None) -> list[dict]:
    """origin, destination, stock and edition of :func:`south_south_corridors` in one query of
    the corridor facts."""
    lens = get_lens(lens_id)
    facts = facts or edition_facts(con, edition)
    edition = facts.edition
    check_years(con, edition, year, facts.years)
    with categories(con, [lens], [year]) as (joins, (category,)):
        rows = con.execute(f"""
            SELECT f.origin, f.destination, f.stock FROM {FACTS} f{joins}
            WHERE f.edition = $edition AND f.year = $year AND f.sex = 'total'
              AND {category} = 'south-south'
              AND f.origin NOT IN ({_NOT_COUNTRIES})
            ORDER BY f.stock DESC, f.origin, f.destination LIMIT $top
        """, {"edition": edition, "year": year, "top": top}).fetchall()
    return [{"origin": o, "destination": d, "stock": value, "edition": edition}
            for o, d, value in rows]


def rank(con: duckdb.DuckDBPyConnection, lens_id: str, year: int, *, edition: str | None = None,
         top: int = 50, gov: Governance | None = None,
         reference: Path | str | None = None, facts: EditionFacts | None = None,
         seen: dict[tuple[str, str, int], dict] | None = None) -> list[dict]:
    """The ``top`` largest South-South corridors under a lens, ordered by weakest evidenced
    governance coverage (then by stock): where should support go first?

    ``facts``: the edition's facts when the caller keeps them; ``seen``: a dict the caller keeps
    for the same ``gov`` across rankings, where each corridor's governance indicators in a year
    are remembered (the rankings of several lenses share most corridors)."""
    if top < 1:
        raise CorridorsError("--top must be at least 1")
    corridors_rows = _top_south_south(con, lens_id, year, edition=edition, top=top, facts=facts)
    gov = gov or Governance.load(con, reference)
    names = codes.countries()
    members_of = gov.members_in(year)
    remembered = replace(gov, ratifications=_RatifiedByYear(gov.ratifications))
    out = []
    for row in corridors_rows:
        key = (row["origin"], row["destination"], year)
        g = seen.get(key) if seen is not None else None
        if g is None:
            g = governance_indicators(remembered, row["origin"], row["destination"], year,
                                      members_of=members_of, statuses=False)
            if seen is not None:
                seen[key] = g
        by_name = {i["indicator"]: i for i in g["indicators"]}
        out.append({
            "origin": row["origin"], "origin_name": names[row["origin"]].name,
            "destination": row["destination"],
            "destination_name": names[row["destination"]].name,
            "year": year, "edition": row["edition"], "lens": lens_id, "stock": row["stock"],
            "evidenced": g["coverage"]["evidenced"], "possible": g["coverage"]["possible"],
            "known_share": g["coverage"]["known_share"], "weakest": g["coverage"]["weakest"],
            **{f"{k}_low": v["low"] for k, v in by_name.items()},
            "shared_communities": [c["rec_code"] for c in g["communities"]["shared"]],
            "agreements": [a["id"] for a in g["agreements"]],
        })
    out.sort(key=lambda r: (r["evidenced"], -r["stock"], r["origin"], r["destination"]))
    for position, row in enumerate(out, start=1):
        row["rank"] = position
    return [{"rank": r.pop("rank"), **r} for r in out]
