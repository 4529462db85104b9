"""Answers prepared when the server starts (records/prepare.py) are the answers computed when asked.

On the store built from the mirror (CORRIDORS_MIRROR): every corridor's facts held in memory
(``CorridorIndex``) equal the rows a query reads, for every corridor of every edition; every
country's profile facts read at once equal those read for one country; a summary cut from every
lens and year equals the summary computed for that lens and year; and an app that prepared its
answers serves the same bodies as one that did not, for profiles, corridors, scorecards, rankings
and summaries never asked before.
"""

from __future__ import annotations

import gc
import random
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient

from corridors.analytics import facts as corridor_facts
from corridors.analytics import regions
from corridors.analytics.flows.summaries import FlowIndex, corridor
from corridors.analytics.lenses import BUILTIN, Rule
from corridors.analytics.profiles import (
    GROUPS_LENS,
    corridor_profile,
    country_facts,
    country_profile,
    edition_facts,
)
from corridors.api.main import create_app
from corridors.records.flows import flows_edition, saved_flows
from corridors.records.prepare import prepare
from corridors.records.summaries import summary_frame
from corridors.store.serving import Store


@pytest.fixture(scope="module")
def index(built_store: Path) -> corridor_facts.CorridorIndex:
    from corridors.store import connect

    con = connect(built_store, read_only=True)
    try:
        return corridor_facts.CorridorIndex(con)
    finally:
        con.close()


def _pairs(store_con) -> list[tuple[str, str, str]]:
    return store_con.execute(f"SELECT DISTINCT edition, origin, destination FROM "
                             f"{corridor_facts.FACTS} ORDER BY ALL").fetchall()


def test_index_holds_every_corridor_once(store_con, index) -> None:
    pairs = _pairs(store_con)
    assert len(index.spans) == len(pairs)
    assert sum(n for _, n in index.spans.values()) == \
        store_con.execute(f"SELECT count(*) FROM {corridor_facts.FACTS}").fetchone()[0]


def test_index_rows_equal_the_query_for_corridors_of_every_edition(store_con, index) -> None:
    pairs = _pairs(store_con)
    chosen = random.Random(11).sample(pairs, 400)
    # the residual origins, the largest corridors and a pair with no facts at all
    chosen += [p for p in pairs if p[1] in ("XON", "XOS", "XXX")][:40]
    chosen += [("ims2020", "IND", "ARE"), ("ims2020", "MEX", "USA"), ("ims2015", "SYR", "TUR"),
               ("ims2020", "KEN", "KEN")]
    for edition, origin, destination in chosen:
        read = corridor_facts.corridor_rows(store_con, edition, origin, destination,
                                            corridor_facts.KEPT)
        held = corridor_facts.corridor_rows(store_con, edition, origin, destination,
                                            corridor_facts.KEPT, index)
        assert held == read, (edition, origin, destination)


def test_index_roles_and_sources_equal_the_query(store_con, index) -> None:
    years = edition_facts(store_con).years
    for iso3 in ("KEN", "IND", "BRA", "USA", "XON", "SSD"):
        assert corridor_facts.role_rows(store_con, GROUPS_LENS, iso3, years, index) == \
            corridor_facts.role_rows(store_con, GROUPS_LENS, iso3, years)
    ids = list(index.provenance)
    assert ids and corridor_facts.stock_sources(store_con, ids, index) == \
        corridor_facts.stock_sources(store_con, ids)


def test_unknown_column_is_refused(store_con) -> None:
    with pytest.raises(ValueError, match="not a kept corridor fact"):
        corridor_facts.corridor_rows(store_con, "ims2020", "IND", "ARE", ("stock", "nonsense"))


def test_corridor_profile_from_the_index_is_the_profile_read(store_con, index) -> None:
    for edition in ("ims2020", "ims2019", "ims2015"):
        facts = edition_facts(store_con, edition)
        for origin, destination in (("IND", "ARE"), ("VEN", "COL"), ("BFA", "CIV")):
            read = corridor_profile(store_con, origin, destination, facts=facts).to_dict()
            held = corridor_profile(store_con, origin, destination, facts=facts,
                                    index=index).to_dict()
            assert held == read


def test_every_country_read_at_once_equals_one_country_read_alone(store_con) -> None:
    facts = edition_facts(store_con)
    every = country_facts(store_con, facts=facts)
    assert {"KEN", "IND", "BRA", "ZAF"} <= set(every)
    custom = replace(BUILTIN["wb-lmic"], id="mine", origin=Rule(countries=("KEN", "IND")),
                     source="user")
    for iso3 in ("KEN", "IND", "BRA", "ZAF", "NPL", "FJI"):
        alone = country_facts(store_con, [iso3], facts=facts)[iso3]
        assert {k: sorted(v, key=repr) for k, v in every[iso3].parts.items()} == \
            {k: sorted(v, key=repr) for k, v in alone.parts.items()}
        for lens in BUILTIN.values():
            for year in facts.years[::3]:
                assert country_profile(store_con, iso3, year=year, lens=lens, facts=facts,
                                       read=every[iso3]).to_dict() == \
                    country_profile(store_con, iso3, year=year, lens=lens, facts=facts).to_dict()
        # a lens of the user's own is read for it, never cut from the built-in lenses' facts
        assert country_profile(store_con, iso3, lens=custom, facts=facts,
                               read=every[iso3]).to_dict() == \
            country_profile(store_con, iso3, lens=custom, facts=facts).to_dict()


def test_summary_cut_from_every_lens_equals_the_summary_asked(built_store: Path,
                                                                store_con) -> None:
    store = Store(built_store)
    con = store.cursor()
    try:
        edition = edition_facts(con).edition
        for sex in ("total", "female"):
            for lens in BUILTIN.values():
                for year in (None, 1990, 2020):
                    cut = summary_frame(store, con, lens.id, year, sex, edition)
                    asked = regions.category_summary(store_con, lenses=lens, edition=edition,
                                                     years=year, sex=sex)
                    assert cut.equals(asked), (sex, lens.id, year)
    finally:
        store.close()


def test_prepare_keeps_what_it_read(built_home: Path, built_store: Path, monkeypatch) -> None:
    monkeypatch.setenv("CORRIDORS_HOME", str(built_home))
    store = Store(built_store)
    try:
        done = prepare(store)
        assert set(done.spent) == {"facts", "country profiles", "corridors", "summaries",
                                   "rankings", "scorecard sources", "flows"}
        # a scorecard's sources: for corridors no agreement covers, and per agreements file
        assert sum(key[0] == "governance-sources" and key[4] == () for key in store._memo) == 1
        assert any(key[0] == "governance-sources" and key[4] for key in store._memo)
        assert ("corridor-index",) in store._kept
        ranked = [value for key, value in store._memo.items()
                  if key[:3] == ("scorecard-rank", "wb-lmic", 2020)]
        assert len(ranked) == 1
        largest = max(ranked[0], key=lambda r: r["stock"])
        assert done.corridor == (largest["origin"], largest["destination"]) == ("AFG", "IRN")
    finally:
        store.close()


URLS = (
    [f"/api/v1/countries/{c}/profile?lens={lens}&year={y}" for c in ("KEN", "IND", "BRA")
     for lens in ("wb-lmic", "un-developing") for y in (2020, 2000)]
    + [f"/api/v1/corridors/{o}/{d}" + (f"?edition={e}" if e else "")
       for o, d in (("IND", "ARE"), ("VEN", "COL")) for e in (None, "ims2019", "ims2015")]
    + [f"/api/v1/scorecard/{o}/{d}?year={y}" for o, d in (("IND", "ARE"), ("BFA", "CIV"))
       for y in (2020, 2010)]
    + [f"/api/v1/scorecard/rank?lens={lens}&year={y}" for lens in ("wb-lmic", "gfmd-2018")
       for y in (1990, 2020)]
    + [f"/api/v1/summary?lens={lens}&year={y}&sex={sex}" for lens in ("wb-lmic", "wb-non-high")
       for y in (1995, 2020) for sex in ("total", "male")]
    + [f"/api/v1/flows/{o}/{d}" for o, d in (("IND", "ARE"), ("ARE", "IND"), ("VEN", "COL"),
                                             ("KEN", "ISL"))]
)


def test_a_prepared_server_answers_as_one_that_was_not(built_home: Path, built_store: Path,
                                                       monkeypatch) -> None:
    monkeypatch.setenv("CORRIDORS_HOME", str(built_home))
    bodies = {}
    for prepared in (False, True):
        with TestClient(create_app(built_store, prepare=prepared)) as client:
            # what was prepared is kept out of the collector's sight (no 150 ms full collections)
            assert gc.get_freeze_count() > 100_000 or not prepared
            for url in URLS:
                answer = client.get(url)
                assert answer.status_code == 200, (url, answer.text[:300])
                bodies.setdefault(url, []).append(answer.json())
    for url, (plain, prepared) in bodies.items():
        assert prepared == plain, url


def test_flows_found_by_corridor_equal_the_flows_scanned(built_store: Path) -> None:
    store = Store(built_store)
    con, generation = store.acquire()
    try:
        edition = flows_edition(store, con, None)
        frame, _ = saved_flows(store, con, edition)
        index = FlowIndex(frame)
        pairs = random.Random(11).sample(sorted(set(frame.select("origin", "destination")
                                                    .iter_rows())), 150)
        pairs += [(d, o) for o, d in pairs[:50]] + [("KEN", "ISL"), ("XXX", "KEN")]
        runs = frame.select("edition", "method", "period_start", "period_end", "sex").unique()
        for origin, destination in pairs:
            found = corridor(index, origin, destination)
            assert found.equals(corridor(frame, origin, destination)), (origin, destination)
            # every run's period and sex once, each way's flow as saved (0 when none), net
            assert found.height == runs.height
            for direction, (o, d) in (("flow", (origin, destination)),
                                      ("reverse_flow", (destination, origin))):
                saved = {(r["period_start"], r["sex"]): r["value"] for r in frame.filter(
                    (pl.col("origin") == o) & (pl.col("destination") == d)).iter_rows(named=True)}
                assert [saved.get((r["period_start"], r["sex"]), 0.0) for r in found.iter_rows(
                    named=True)] == found[direction].to_list()
            assert (found["net"] == found["flow"] - found["reverse_flow"]).all()
        assert corridor(index, "XXX", "KEN")["flow"].sum() == 0  # no such corridor: zeros
    finally:
        store.release(con, generation)
        store.close()
