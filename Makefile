# gaoqi — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_N ?= 20000
DEMO_DIR ?= var/demo-feeds
export GAOQI_HOME ?= $(CURDIR)/var

AS_OF ?= 2026-06-30
HOST ?= 127.0.0.1:8000
ASSETS := node_modules/.package-lock.json
# the browser tests (tests/web/test_browser.py) drive Debian's chromium through Playwright (no `playwright install`);
# a small CJK font so that the pages (and the screenshots in test-artifacts/) show Chinese, not boxes
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-web-postgres install lint typecheck bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,spark,load]'
	touch $(STAMP)

# htmx and ECharts from the npm registry (served by the platform itself: no CDN at run time)
$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends chromium fonts-wqy-microhei

# the platform's Chinese words for codes (core/labels.py): one catalogue, compiled with GNU gettext's msgfmt
CATALOGUE := src/gaoqi/web/locale/zh_Hans/LC_MESSAGES/django
MSGFMT := /usr/bin/msgfmt

$(MSGFMT):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends gettext

$(CATALOGUE).mo: $(CATALOGUE).po $(MSGFMT)
	$(MSGFMT) --check-format -o $@ $<

install: $(STAMP) $(ASSETS) $(CHROMIUM) $(CATALOGUE).mo

## make run: install, build a demo Beijing of $(DEMO_N) enterprises, run the engine, publish the snapshot into the
## platform, create the demo accounts and serve on http://$(HOST) (a background worker runs queued pipeline runs).
# the laptop demo: DEBUG on and the demo keys (production sets its own keys, see README)
run: export GAOQI_DEBUG ?= 1
run: install
	$(BIN)/gaoqi synth --enterprises $(DEMO_N) --seed 2026 --out $(DEMO_DIR)
	$(BIN)/gaoqi ingest $(DEMO_DIR) --workspace $(GAOQI_HOME)
	$(BIN)/gaoqi resolve --workspace $(GAOQI_HOME)
	$(BIN)/gaoqi-web migrate --verbosity 0
	$(BIN)/gaoqi-web publish --as-of $(AS_OF)
	$(BIN)/gaoqi-web demo_setup
	$(BIN)/gaoqi fields train
	$(BIN)/gaoqi-web worker --no-reload & trap 'kill %1' EXIT INT TERM; $(BIN)/gaoqi-web runserver $(HOST) --noreload

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

## make test: lint, import contracts, types, then every test (the platform's on SQLite, then again on PostgreSQL).
## The field classifier is trained (or found in var/models) once, before the test workers that use it start.
test: install
	$(BIN)/ruff check src tests
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/gaoqi fields train
	$(BIN)/pytest -n 2 -q
	$(MAKE) test-web-postgres

test-web-postgres: install
	GAOQI_DATABASE=postgres $(BIN)/pytest -n 2 -q tests/web

bench: $(STAMP)
	$(BIN)/gaoqi bench ingest --enterprises 2000000

clean:
	rm -rf var node_modules .pytest_cache .mypy_cache .ruff_cache
