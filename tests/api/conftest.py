"""Fixtures for the API tests: the app over the store built from the mirror, and a small store
we construct row by row (for edge cases that need known figures: read-only, provenance, limits)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from small_store import make_small_store

from corridors.api.main import create_app


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_small_store(tmp_path_factory.mktemp("small") / "small.duckdb")


@pytest.fixture
def small_client(small_store: Path) -> TestClient:
    with TestClient(create_app(small_store), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def client(built_store: Path) -> TestClient:
    """The app over the store built from the mirror."""
    with TestClient(create_app(built_store), raise_server_exceptions=False) as client:
        yield client
