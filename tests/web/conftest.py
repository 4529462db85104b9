"""Fixtures for the dashboard tests: the app served by uvicorn on a free localhost port over the
store built from the mirror, and Debian's Chromium driven by Playwright (no browser download)."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from corridors.api.main import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Every kind of dashboard page, once, without a language: the browser tests open each in every
#: language and width (tests/web/test_web_phone.py). ``chart=trends``: the embed of the country
#: page's first line chart; the last two answer a name to pick from and a missing page (404).
PAGES = ["/", "/country/KEN", "/country/BRA", "/corridor/SOM/KEN", "/explore?destination=KEN&year=2020",
         "/sources", "/methods", "/scorecard", "/scorecard/NIC/CRI", "/practices",
         "/embed/country/KEN?chart=trends", "/regions", "/community/ECOWAS", "/region/continent/002",
         "/brief/KEN?year=2020", "/brief/ECOWAS", "/country?code=Kenyaa", "/no-such-page"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """uvicorn in a thread, stopped at the end of the session."""

    def __init__(self, store: Path):
        self.port = free_port()
        config = uvicorn.Config(create_app(store), host="127.0.0.1", port=self.port,
                                log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/openapi.json", timeout=1)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the test server did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(built_store: Path) -> Iterator[Server]:
    with Server(built_store) as server:
        yield server


@pytest.fixture(scope="session")
def api(live_server: Server) -> Iterator[httpx.Client]:
    """An HTTP client on the live server, to read the API the page must agree with."""
    with httpx.Client(base_url=live_server.url, timeout=60) as client:
        yield client


@pytest.fixture(scope="session")
def web_client(built_store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(built_store), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium. Skips when it is absent, except in CI where it must exist
    (scripts/setup.sh installs it)."""
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium for the browser tests (scripts/setup.sh)")
        pytest.skip("apt-get install chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server: Server):
    """A fresh browser page that records every request leaving localhost and every console
    error."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    tab.outside = []  # type: ignore[attr-defined]
    tab.errors = []  # type: ignore[attr-defined]
    tab.on("request", lambda r: None if r.url.startswith(live_server.url) or
           r.url.startswith("data:") else tab.outside.append(r.url))
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    yield tab
    context.close()
