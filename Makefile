# The two commands: `make run` and `make test`. Nothing else is needed on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed
export FLASK_APP := portal

.PHONY: run test test-sqlite test-postgres install e2e-deps bench clean

$(STAMP): setup.cfg pyproject.toml package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; fi
	touch $(STAMP)

install: $(STAMP)

## make run: set up .venv, migrate the SQLite database in instance/, load the demo data, start the
## background worker (Huey consumer: webhook deliveries, scheduled jobs, large imports) and serve.
run: $(STAMP)
	$(BIN)/flask --app portal db upgrade
	$(BIN)/flask --app portal demo
	$(BIN)/huey_consumer portal.worker_main.huey -k thread -w 2 -q & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask --app portal run --host 127.0.0.1 --port $(PORT)

## make test: the whole suite, on SQLite and — where PostgreSQL answers — on PostgreSQL.
test: $(STAMP)
	$(BIN)/python -m tools.testrun

test-sqlite: $(STAMP)
	PORTAL_TEST_DATABASE=sqlite $(BIN)/python -m pytest

test-postgres: $(STAMP)
	PORTAL_TEST_DATABASE=postgres $(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/import_prices.py
	$(BIN)/python bench/scorecards.py
	$(BIN)/python bench/exports.py

clean:
	rm -rf $(VENV) .pytest_cache
