"""Shared fixtures: the offline mirror (through CORRIDORS_MIRROR), a private home per test session,
and a store built from the mirror once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from corridors import settings as settings_module


def _mirror() -> Path | None:
    value = os.environ.get("CORRIDORS_MIRROR")
    if value and Path(value).is_dir():
        return Path(value)
    return None


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The offline mirror of official sources (``../shared/sources`` in CI)."""
    path = _mirror()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must set CORRIDORS_MIRROR to the mirror of official sources")
        pytest.skip("set CORRIDORS_MIRROR to the offline mirror of official sources")
    return path


@pytest.fixture(scope="session")
def shared(mirror: Path) -> Path:
    """The shared folder beside the mirror: ``reference/`` and ``oracles/``."""
    return mirror.parent


@pytest.fixture(scope="session")
def oracles(shared: Path) -> Path:
    return shared / "oracles"


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Each test starts with settings from a private home so nothing touches the user's store."""
    home = tmp_path_factory.getbasetemp() / "home-default"
    monkeypatch.setenv("CORRIDORS_HOME", str(home))
    settings_module.reset()
    yield
    settings_module.reset()


@pytest.fixture(scope="session")
def built_home(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corridors home with every source pulled from the mirror and the store built, once per
    test session. Use it read-only; tests that change a store make their own."""
    from corridors.pipeline import build
    from corridors.sources.pull import pull

    home = tmp_path_factory.mktemp("built-home")
    settings_module.reset()
    settings_module.override(home=home, mirror=mirror)
    try:
        pull()
        build()
    finally:
        settings_module.reset()
    return home


@pytest.fixture(scope="session")
def built_store(built_home: Path) -> Path:
    """Path of a store built from the mirror (read-only use)."""
    return built_home / "corridors.duckdb"


@pytest.fixture
def store_con(built_store: Path):
    """A read-only connection to the store built from the mirror."""
    from corridors.store import connect

    con = connect(built_store)
    yield con
    con.close()
