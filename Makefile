# gaoqi — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_N ?= 20000
DEMO_DIR ?= var/demo-feeds
export GAOQI_HOME ?= $(CURDIR)/var

.PHONY: run test install lint typecheck bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, generate a demo Beijing, ingest it, resolve names and print the profile summary.
run: $(STAMP)
	$(BIN)/gaoqi synth --enterprises $(DEMO_N) --seed 2026 --out $(DEMO_DIR)
	$(BIN)/gaoqi ingest $(DEMO_DIR) --workspace $(GAOQI_HOME)
	$(BIN)/gaoqi resolve --workspace $(GAOQI_HOME)
	$(BIN)/gaoqi profiles --workspace $(GAOQI_HOME) --as-of 2026-06-30

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

## make test: lint, import contracts, types, then every test.
test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/gaoqi bench ingest --enterprises 2000000

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
