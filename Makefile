# Every target sets up .venv itself, so `make demo` and `make test` work on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_PROFILES_DIR := $(CURDIR)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Python caches the bytecode of what it imports (in __pycache__, git-ignored). Some images turn that off; then every
# process compiles each module it imports from source again: each dbt run compiled about 1,200 modules, 2-3 of its
# 6-9 CPU-seconds, and make test starts dbt over fifty times.
unexport PYTHONDONTWRITEBYTECODE

DEMO_CUSTOMERS ?= 5000
BENCH_CUSTOMERS ?= 1000000

CHROMIUM := /usr/bin/chromium

.PHONY: setup demo test pytest lint lint-python bench bench-statistical browser contracts clean

setup: $(STAMP)

# The spark extra is the Spark target (docs/spark.md): dbt-spark and pyspark; Spark itself needs Java 17.
# --no-compile: Python compiles what is imported when it is first imported (and caches it, above); compiling all of
# pyspark's and dbt's files at install took 20 of the install's 55 seconds.
$(STAMP): pyproject.toml
	@command -v java >/dev/null || echo "warning: no java on PATH: the Spark target and its tests need Java 17" >&2
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-compile -e '.[dev,spark]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cdp demo --customers $(DEMO_CUSTOMERS)

# pytest and the linters side by side (output kept apart): all are CPU-bound, but the suite's last test files leave a
# core idle that sqlfluff fills; the Python checks (under a minute) go first, beside the suite's start.
test: $(STAMP)
	$(MAKE) --no-print-directory -j2 --output-sync=target lint-python pytest lint

# Three workers, one test file each (module fixtures build their warehouse once), on two cores: a worker often waits
# (on the shared session build, on Spark's fixed cost per query, on a dbt subprocess), and with two workers a clean
# run used 1.4 cores on average; the third takes that idle core time. --no-loadscope-reorder keeps the files in the
# order conftest.py gives them (the Spark file last): xdist otherwise hands them out by number of tests, so the Spark
# file's worker sat waiting for the Spark run (280 s) while files were left, and a one-test file of 108 s ran last.
# The browser tests of cdp serve drive Debian's Chromium (make browser).
pytest: $(STAMP) browser
	$(BIN)/pytest -q -n 3 --dist loadfile --no-loadscope-reorder --durations=25

# Debian's Chromium (and a font for its pages) for the browser tests, installed with apt-get when missing (as root,
# else through sudo). Playwright drives it; Playwright's own browser download is never used.
browser:
	@test -x $(CHROMIUM) || { \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			--no-install-recommends chromium fonts-dejavu-core; \
	}
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) is missing: install Debian's chromium package"; exit 1; }

# Beside pytest in make test, the SQL linter runs just below the test workers (niceness 5, tests/python/conftest.py).
# One process: with two, the parent renders every file through dbt and the workers parse and lint, and the whole used
# 239 CPU-seconds against 185 in one process (alone on the 2-core machine); in make test the cores are busy anyway. At
# niceness 10 the one process was left with 85 s of work when pytest ended. The fifteen base models, written by
# `make contracts`, leave out the layout rules (cdp_runner/ingest/base_models.py, LAYOUT_RULES): they were over half
# of the lint's time.
LINT_NICENESS ?= 7
lint: $(STAMP)
	mkdir -p .build
	CDP_WAREHOUSE=$(CURDIR)/.build/lint.duckdb nice -n $(LINT_NICENESS) $(BIN)/sqlfluff lint $(wildcard models tests/data analyses snapshots) --processes 1

# The Python of cdp_runner, bench and tests/python: ruff's linter and formatter, and mypy (pyproject.toml configures
# all three).
lint-python: $(STAMP)
	$(BIN)/ruff check cdp_runner bench tests/python
	$(BIN)/ruff format --check cdp_runner bench tests/python
	$(BIN)/mypy

# After changing cdp_runner/ingest/contracts.py: rewrites the staging sources' yml, the staging base models and their
# yml, the staged-source registry macro and docs/sources.md (tests/python/test_contracts.py fails while they differ).
contracts: $(STAMP)
	$(BIN)/python -m cdp_runner.ingest.contract_files --write

# Splink, only for the bench's side-by-side of statistical matching (bench/statistical.py): a virtualenv of its own,
# never a dependency of cdp.
SPLINK_VENV := .build/splink-venv
SPLINK_STAMP := $(SPLINK_VENV)/.installed-stamp

$(SPLINK_STAMP):
	$(PYTHON) -m venv $(SPLINK_VENV)
	$(SPLINK_VENV)/bin/pip install --quiet 'splink==5.0.0' pyarrow
	touch $(SPLINK_STAMP)

bench: $(STAMP) $(SPLINK_STAMP)
	$(BIN)/python -m bench --customers $(BENCH_CUSTOMERS) --splink-python $(SPLINK_VENV)/bin/python

# Only the statistical-matching comparison with Splink (a few minutes)
bench-statistical: $(STAMP) $(SPLINK_STAMP)
	$(BIN)/python -m bench.statistical --splink-python $(SPLINK_VENV)/bin/python

clean:
	rm -rf $(VENV) target logs .build warehouse demo_data exports .mypy_cache .ruff_cache
