"""The default-edition rule: which edition of UN DESA's bilateral migrant stock answers when none
is asked for. Written once here; every interface (CLI, Python API, REST API, web pages, flows, the
build's flows) reaches it through :func:`corridors.analytics.corridors.default_edition`.

**Rule.** Editions are ordered newest first by the latest year of bilateral stock they hold (IMS
2024 reaches 2024, IMS 2020 2020, IMS 2019 2019, IMS 2015 2015); two editions that end in the same
year are ordered by their id, higher first. The default edition is the first: the newest the store
holds. A store built with the IMS 2024 files therefore answers with ``ims2024``; without them, with
``ims2020``. An edition that is present is never hidden: ``--edition`` / ``?edition=`` picks any.

The rule looks only at the store's ``migrant_stock`` table (or the stock index built with the corridor facts), never at
the registry or the file names, so the Python API, the CLI and the REST API agree on any store.
"""

from __future__ import annotations

from collections.abc import Iterable

#: The rule as SQL, for a query that groups a stock table by ``edition``.
NEWEST_FIRST_SQL = "ORDER BY max(year) DESC, edition DESC"


def newest_first(last_years: Iterable[tuple[str, int]]) -> list[str]:
    """Edition ids ordered by the rule, from (edition, latest year of its stock) pairs."""
    return [edition for edition, _ in sorted(last_years, key=lambda p: (p[1], p[0]), reverse=True)]
