# The two commands of the quick start:
#   make start   set up, pull the official files (from the mirror when one is given), build the
#                store, print its summary and open the dashboard
#   make test    set up, lint, type-check, and run the whole test suite
MIRROR ?= $(if $(CORRIDORS_MIRROR),$(CORRIDORS_MIRROR),$(wildcard ../shared/sources))
PORT ?= 8000
BIN = .venv/bin

.PHONY: setup start test lint typecheck bench
setup:
	@bash scripts/setup.sh

start: setup
	$(BIN)/corridors $(if $(MIRROR),--mirror $(MIRROR)) pull
	$(BIN)/corridors build
	$(BIN)/corridors summary
	$(BIN)/corridors serve --port $(PORT)

lint: setup
	$(BIN)/ruff check src tests bench

typecheck: setup  # mypy, with its settings from [tool.mypy] in pyproject.toml
	$(BIN)/mypy

test: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	CORRIDORS_MIRROR=$(abspath $(MIRROR)) $(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python -m pip install -q -e ".[dev,bench]"
	for b in bench/bench_*.py; do CORRIDORS_MIRROR=$(abspath $(MIRROR)) $(BIN)/python $$b || exit 1; done
