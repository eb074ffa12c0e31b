# kvarn — the README's commands. Everything runs inside .venv, created on demand.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.kvarn-installed
export DAGSTER_HOME := $(CURDIR)
export KVARN_DATA ?= $(CURDIR)/data

.PHONY: setup system-deps demo test test-distributed lint types unit ui bench clean-data flywheel-demo

## setup: create .venv and install kvarn with dev extras (quick when nothing changed)
setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## system-deps: Debian tools the tests drive for real (promtool into .venv/tools, chromium,
## PostgreSQL and Redis for the distributed profile's test)
system-deps: setup
	tools/system-deps.sh

## demo: setup, generate two days of telemetry, run the pipeline, print a summary
demo: setup
	mkdir -p data/.dagster
	$(BIN)/kvarn generate --out data/landing --days 2 --events-per-hour 200 --seed 7 --canaries
	KVARN_DEMO=1 $(BIN)/kvarn run --demo
	$(BIN)/kvarn summary

## test: lint (ruff, import-linter layer contracts) + types + the whole test suite
test: setup lint types unit

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

types: setup
	$(BIN)/mypy

## unit: the suite in TEST_WORKERS processes (pytest-xdist), each test file on one of them (its
## module fixtures built once); most e2e tests wait on subprocesses, so two fit two cores
TEST_WORKERS ?= 2
unit: setup system-deps
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

## test-distributed: only the distributed profile end to end (PostgreSQL, Redis, an S3 server and
## two Celery workers on loopback; ~2 minutes; part of `make test` too)
test-distributed: setup system-deps
	$(BIN)/pytest -m distributed

## ui: the Dagster UI on the project's instance (data/.dagster)
ui: setup
	mkdir -p data/.dagster
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

## bench: the pipeline throughput benchmark
bench: setup
	$(BIN)/python benchmarks/bench_pipeline.py

## flywheel-demo: the sample assistant suite, recorded by the kvarn pytest plugin four times
## (its flaky test fails every other run), run through the pipeline into data/flywheel
FLYWHEEL := $(CURDIR)/data/flywheel
flywheel-demo: setup
	rm -rf $(FLYWHEEL)
	for run in 1 2 3 4; do \
	  KVARN_EXAMPLE_RUN=$$run $(BIN)/pytest examples/assistant -q -p no:cacheprovider \
	    --kvarn-telemetry $(FLYWHEEL)/landing | tail -2; \
	done
	KVARN_DATA=$(FLYWHEEL) $(BIN)/kvarn run --demo
	KVARN_DATA=$(FLYWHEEL) $(BIN)/kvarn summary
	KVARN_DATA=$(FLYWHEEL) $(BIN)/kvarn sql "select turn_id, intent, reasons from gold_candidates \
	  where list_contains(reasons, 'failure_pattern') limit 10"
