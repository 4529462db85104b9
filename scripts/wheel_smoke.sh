#!/usr/bin/env bash
# The wheel is the product: build it, install it (no extras, not editable) into a fresh virtual
# environment, and use only that environment to pull from a bare copy of the mirror (no
# reference/ folder beside it, as on a USB stick), build the store, answer `corridors stock` and
# serve `/api/v1/stocks` on a free loopback port. Prints the time of each step.
#
#   scripts/wheel_smoke.sh MIRROR        (default: $CORRIDORS_MIRROR)
set -euo pipefail
cd "$(dirname "$0")/.."
MIRROR=${1:-${CORRIDORS_MIRROR:?give the mirror folder of official sources}}
PY=${PYTHON:-python3}
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
t0=$(date +%s%N)
step() {  # step NAME: print the seconds since the previous step
  local t; t=$(date +%s%N)
  printf 'wheel smoke: %-34s %4d.%d s\n' "$1" $(((t - t0) / 1000000000)) $((((t - t0) / 100000000) % 10))
  t0=$t
}

"$PY" -m pip wheel --no-deps --no-build-isolation -q -w "$work/dist" . >/dev/null 2>&1 \
  || "$PY" -m pip wheel --no-deps -q -w "$work/dist" .
step "build the wheel"
"$PY" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --no-compile "$work"/dist/corridors-*.whl 2>&1 | grep -v '^WARNING' || true
"$work/venv/bin/corridors" --version >/dev/null
step "install it into a fresh venv"

# Only the wheel's environment from here on: no repository on the path, no dev tools.
export PATH="$work/venv/bin:/usr/bin:/bin" PYTHONPATH="" PYTHONNOUSERSITE=1
unset VIRTUAL_ENV CORRIDORS_REFERENCE
export CORRIDORS_HOME="$work/home"
cd "$work"
mkdir -p stick && cp -R "$MIRROR" stick/sources  # a bare copy: nothing beside it
unset CORRIDORS_MIRROR
corridors --mirror "$work/stick/sources" pull >/dev/null
step "pull from a bare mirror copy"
corridors build >/dev/null
step "build the store"
answer=$(corridors stock --origin VEN --destination COL --year 2020 --format json)
echo "$answer" | python -c 'import json,sys; rows=json.load(sys.stdin); assert rows and rows[0]["value"] > 1_000_000, rows'
step "corridors stock"
corridors --help >/dev/null && corridors sources --format json >/dev/null
port=$(python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
corridors serve --port "$port" >"$work/serve.log" 2>&1 &
server=$!
url="http://127.0.0.1:$port/api/v1/stocks?origin=VEN&destination=COL&year=2020"
for _ in $(seq 1 150); do
  if body=$(python -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())' "$url" 2>/dev/null); then
    break
  fi
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; echo "wheel smoke: serve exited" >&2; exit 1; }
  sleep 0.2
done
echo "$body" | python -c 'import json,sys; d=json.load(sys.stdin); assert "VEN" in json.dumps(d) and "COL" in json.dumps(d), d' \
  || { echo "wheel smoke: /api/v1/stocks did not answer: ${body:-nothing}" >&2; cat "$work/serve.log"; exit 1; }
step "serve answers /api/v1/stocks"
echo "wheel smoke: ok"
