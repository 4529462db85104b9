"""Answers prepared when the server starts (and again, in the background, when ``corridors build``
swaps in a new store): what the first questions of every user need, so that a question never
asked before is cut from facts already read instead of waiting for a query.

For every edition: its selection and stock sources, and every corridor's facts held in memory
(:class:`~corridors.analytics.facts.CorridorIndex`: a corridor profile or scorecard never asked
before needs no query). For the default edition: every country's profile facts under every
built-in lens (one query, arranged per country for deriving any year's profile), the South-South
summary of every built-in lens, year and sex, the governance facts and their sources (a
scorecard's: one set per agreements file), the scorecard ranking of every built-in lens and
year (the default ``top``), and the saved flows of the default flows edition held sorted by
corridor (:class:`~corridors.analytics.flows.summaries.FlowIndex`). After that the server asks
itself one question of each kind (:func:`corridors.api.main.create_app`), so routes and answer
writers are ready too. Everything is kept in the store's memo, exactly as if it had been asked,
and is dropped with it when the store file changes.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from dataclasses import dataclass, field

from fastapi import HTTPException

from corridors.analytics import reference
from corridors.analytics.editions import editions_held
from corridors.analytics.lenses import BUILTIN
from corridors.errors import CorridorsError
from corridors.observatory import selection
from corridors.records.flows import flow_index, flows_edition
from corridors.records.governance import DEFAULT_TOP, prepare_scorecard_sources, rank_record
from corridors.records.profiles import corridor_index, every_country_facts, facts_of
from corridors.records.summaries import summary_frame
from corridors.store import provenance
from corridors.store.serving import Store

log = logging.getLogger("corridors.serve")


@dataclass
class Prepared:
    """What :func:`prepare` did: the seconds each part took, and the largest South-South corridor
    of the default year (origin, destination) when the ranking was prepared."""

    spent: dict[str, float] = field(default_factory=dict)
    corridor: tuple[str, str] | None = None


def prepare(store: Store) -> Prepared:
    """Prepare the first answers of the store now open (see the module docstring). A store without
    the governance reference is prepared without its ranking."""
    done = Prepared()
    spent = done.spent
    con, generation = store.acquire()
    try:
        def timed(name: str, work) -> None:
            start = time.perf_counter()
            work()
            spent[name] = round(time.perf_counter() - start, 3)

        chosen = selection(con)
        edition = chosen.edition
        timed("facts", lambda: (reference.known_countries(con), facts_of(con, None),
                                [(facts_of(con, e), selection(con, e))
                                 for e in editions_held(con)],
                                provenance.sources(con, reference.income_sources(con), [edition])))
        facts = facts_of(con, edition)
        timed("country profiles", lambda: every_country_facts(store, con, facts))
        timed("corridors", lambda: corridor_index(store, con))
        timed("summaries", lambda: [summary_frame(store, con, next(iter(BUILTIN)), None, sex,
                                                  edition) for sex in ("total", "female", "male")])

        def ranks() -> None:
            for lens in BUILTIN:
                for year in chosen.years:
                    record = rank_record(store, con, lens, year, edition, DEFAULT_TOP)
                    if lens == next(iter(BUILTIN)) and year == chosen.year and record["rows"]:
                        largest = max(record["rows"], key=lambda r: r["stock"])
                        done.corridor = (largest["origin"], largest["destination"])
        try:
            timed("rankings", ranks)
            timed("scorecard sources", lambda: prepare_scorecard_sources(store, con))
        except (CorridorsError, HTTPException) as error:  # no governance reference: still serves
            log.warning("rankings not prepared: %s", getattr(error, "detail", error))
        try:
            timed("flows", lambda: flow_index(store, con, flows_edition(store, con, None)))
        except (CorridorsError, HTTPException) as error:  # no saved flows: still serves
            log.warning("flows not prepared: %s", getattr(error, "detail", error))
    finally:
        store.release(con, generation)
    return done


def prepare_in_background(store: Store) -> threading.Thread:
    """:func:`prepare` in a daemon thread (after a store swap: requests are served meanwhile,
    computing what they ask themselves)."""
    thread = threading.Thread(target=_quietly, args=(store,), name="corridors-prepare", daemon=True)
    thread.start()
    return thread


def _quietly(store: Store) -> None:
    try:
        prepare(store)
    except Exception as error:  # preparing only saves time: it never stops the server
        log.warning("answers not prepared: %s", error)
    else:
        settle()


def settle() -> float:
    """Put what the server holds now (the prepared facts: millions of small objects) out of the
    cyclic garbage collector's sight, after collecting what is garbage (the previous store's
    facts after a swap); returns the seconds it took. Without it, every full collection walks
    them all: one request in a few hundred waited 115-150 ms for it. Objects still leave memory
    when nothing refers to them; only garbage in reference cycles among them waits for the next
    :func:`settle`."""
    start = time.perf_counter()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return time.perf_counter() - start

