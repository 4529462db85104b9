#!/usr/bin/env bash
# Set up everything corridors and its tests need on a fresh Debian machine, idempotently:
# a virtual environment with the package and its test tools, Debian's Chromium for the browser
# tests and a Java runtime for Apache Spark. Re-running it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)  # axe-core for the browser tests (npm registry)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${need_apt[*]} from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null \
      || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless >/dev/null
  else
    echo "setup: please install ${need_apt[*]} (sudo apt-get install ${need_apt[*]})" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.corridors-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[dev]"
  touch "$stamp"
fi

# Test-only browser tooling (axe-core, pinned in tests/web/tooling/package-lock.json): never served.
if command -v npm >/dev/null 2>&1 && [ ! -f tests/web/tooling/node_modules/axe-core/axe.min.js ]; then
  npm ci --prefix tests/web/tooling --no-audit --no-fund --silent
fi
