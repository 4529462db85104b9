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
