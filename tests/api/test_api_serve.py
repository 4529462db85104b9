"""`corridors serve` as a user runs it: a real process on a free localhost port over a built store,
and a clear message (not a traceback) when there is no store yet."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from corridors.cli.main import app


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_the_api_and_the_pages(built_home: Path):
    port = _port()
    env = {**os.environ, "CORRIDORS_HOME": str(built_home)}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "corridors"), "serve", "--port",
                             str(port)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                schema = httpx.get(base + "/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None, proc.stderr.read()
                time.sleep(0.2)
        assert schema.json()["openapi"].startswith("3.")
        stocks = httpx.get(base + "/api/v1/stocks", params={"year": 2020}, timeout=30).json()
        assert stocks["items"][0]["value"] == 280_598_105
        assert httpx.get(base + "/", timeout=30).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_without_a_store_says_what_to_run(tmp_path):
    result = CliRunner().invoke(app, ["--home", str(tmp_path), "serve", "--port", "1"])
    assert result.exit_code != 0
    assert "corridors build" in str(result.exception) or "corridors build" in result.output


def test_serve_help_names_the_defaults():
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "127.0.0.1" in result.output and "8000" in result.output
