"""The response cache forgets answers when the user imports facts (a ratification table), not only
when the store is rebuilt: the dashboard must not keep showing a gap the user has just filled."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from corridors import settings as settings_module
from corridors.api.main import create_app
from corridors.governance.ratifications import import_table


def _status(client: TestClient, country: str, instrument: str) -> str:
    rows = client.get(f"/api/v1/ratifications/{country}", params={"instrument": instrument}).json()
    return next(r["status"] for r in rows["instruments"] if r["instrument"] == instrument)


def test_import_shows_at_once(built_home: Path, tmp_path: Path):
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    settings_module.use(settings_module.Settings(home=home))
    with TestClient(create_app(home / "corridors.duckdb"), raise_server_exceptions=False) as client:
        before = _status(client, "TZA", "C189")
        assert before == "unknown"
        table = tmp_path / "c189.csv"
        table.write_text(
            "instrument,country,iso3,date,signature_date,action,status,note,source_url\n"
            "C189,United Republic of Tanzania,TZA,2023-05-01,,ratification,in force,,"
            "https://normlex.ilo.org\n", encoding="utf-8")
        import_table(table, user_dir=home / "user")
        assert _status(client, "TZA", "C189") == "in force"
