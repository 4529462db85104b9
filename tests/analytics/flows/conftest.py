"""Fixtures for the flow tests: the store ``corridors build`` makes from the mirror (the shared
``built_store`` fixture, built once per test session): IMS 2020 bilateral stocks by sex, Table 2
population, the countries' regions and the saved ``flows`` table of the default run."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest


@pytest.fixture(scope="session")
def ims2020_store(built_store: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the store built from the mirror."""
    from corridors.store import connect

    con = connect(built_store)
    yield con
    con.close()
