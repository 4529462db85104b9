"""The constructed South–South store (ssm_store.py) the lens, corridor, region, profile and export
tests share; tests in a folder with its own ``con`` (governance) use theirs."""

from __future__ import annotations

import pytest
import ssm_store

from corridors.store import connect


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    path = ssm_store.build(tmp_path_factory.mktemp("ssm") / "corridors.duckdb")
    con = connect(path)
    yield con
    con.close()
