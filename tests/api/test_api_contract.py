"""The OpenAPI schema is the contract: Schemathesis runs every operation of a real `corridors
serve` (on a free localhost port, over the store built from the mirror) through all its phases
(examples, coverage, fuzzing, stateful), deterministically and with a bounded number of examples
per operation, with every check on; it must find no failure. A schema declaring a parameter
without its rules, a timestamp without its UTC offset or an undeclared answer fails here."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
EXAMPLES_PER_OPERATION = 10


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_schemathesis_finds_no_failure(built_home: Path, tmp_path: Path):
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    port = _port()
    env = {**os.environ, "CORRIDORS_HOME": str(home)}
    server = subprocess.Popen([str(BIN / "corridors"), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                schema = httpx.get(base + "/openapi.json", timeout=5).json()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, server.stderr.read()
                time.sleep(0.3)
        operations = sum(len(item) for item in schema["paths"].values())
        report = tmp_path / "junit.xml"
        run = subprocess.run(
            [str(BIN / "st"), "run", base + "/openapi.json",
             "--phases", "examples,coverage,fuzzing,stateful", "--checks", "all",
             "--max-examples", str(EXAMPLES_PER_OPERATION), "--generation-deterministic",
             "--workers", "2", "--request-timeout", "60", "--report", "junit",
             "--report-junit-path", str(report), "--no-color"],
            capture_output=True, text=True, timeout=900, cwd=tmp_path)
        summary = run.stdout[-3000:]
        assert run.returncode == 0, summary
        suite = ET.parse(report).getroot()
        suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
        assert int(suite.get("failures", 0)) == 0 and int(suite.get("errors", 0)) == 0, summary
        assert int(suite.get("tests", 0)) >= operations > 20, summary
        assert " passed" in summary and "failures" not in summary.split("SUMMARY")[-1].lower(), \
            summary
    finally:
        server.terminate()
        server.wait(timeout=20)
