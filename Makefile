# Two commands do all set-up: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
# uv must use the Python we found, never download one of its own.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# uv trusts the system's certificates (/etc/ssl/certs) as apt and curl do; on its own it
# knows only its built-in roots, and fails where a local or proxy CA signs PyPI's answers.
export UV_SYSTEM_CERTS ?= 1
# Installed packages get their bytecode now: where PYTHONDONTWRITEBYTECODE is set (as on
# CI) every worker and server the tests start would otherwise compile Django anew (~2 s).
export UV_COMPILE_BYTECODE := 1

# Debian packages: WeasyPrint's libraries for every PDF (with HarfBuzz's subsetter, or it
# subsets the shipped fonts with fontTools, eight times slower); the suite also drives
# Debian's Chromium, starts its own redis-server, and has LibreOffice read the workbooks.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
TEST_PACKAGES := $(PDF_PACKAGES) chromium redis-server libreoffice-calc-nogui

.PHONY: run test test-deps lint bench install install-dev

$(UV):
	@python=$$(bin/find-python) && echo "Skapar $(VENV) med $$python" && "$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

install: $(UV)
	$(UV) sync --locked --inexact --no-dev --quiet

install-dev: $(UV)
	$(UV) sync --locked --inexact --quiet

# The Debian packages first, so that without root the one apt-get command is printed
# before anything else is made.
run:
	bin/system-deps $(PDF_PACKAGES)
	@$(MAKE) --no-print-directory install
	bin/run

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

# .ci/run installs the same list through this target before it starts Redis.
test-deps:
	bin/system-deps $(TEST_PACKAGES)

# One test process per core (pytest-xdist); browser and Celery-worker tests run one after
# another in one of them (tests/conftest.py). PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= auto

# The Debian packages come first: lint's `manage.py check` imports WeasyPrint, which needs
# Pango; and without root the one apt-get command is printed before anything else runs.
test: test-deps
	@$(MAKE) --no-print-directory lint
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The bench measures the PDFs with the libraries production has (without HarfBuzz's
# subsetter the lägesrapport took 788 ms instead of 423), wrk loads the event page,
# LibreOffice converts the press text the PDF is compared with, and psql and redis-cli
# make and empty the benches' databases.
BENCH_PACKAGES := $(PDF_PACKAGES) wrk libreoffice-writer-nogui postgresql-client redis-tools

bench:
	bin/system-deps $(BENCH_PACKAGES)
	@$(MAKE) --no-print-directory install-dev
	$(PY) bin/bench.py $(BENCH)
