# Booking Links — the two commands: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTHON ?= python3
CHROMIUM ?= /usr/bin/chromium
PORT ?= 8000
# What `make seed` and `make run` run their commands with: PORT, and links built on
# http://127.0.0.1:$(PORT) unless BOOKING_BASE_URL is set (config/localrun.py).
LOCAL := $(PY) -m config.localrun $(PORT)

.PHONY: run test build install install-dev browser lint format migrate seed clean bench screenshots

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/activate
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(PIP) install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian's Chromium for the Playwright tests (Playwright cannot download its own here).
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing at $(CHROMIUM): run 'sudo apt-get install chromium' (browser tests need it)." >&2; exit 1; \
	  fi; \
	fi

# What a deploy needs before its processes start (docs/DEPLOYMENT.md): the pinned
# requirements and the static files (hashed, compressed, with their manifest) in
# STATIC_ROOT (default ./staticfiles). Then `release` (migrate), then web and worker.
build: install
	$(PY) manage.py collectstatic --noinput

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(LOCAL) $(PY) manage.py seed_demo

# Installs, migrates, loads the demo and serves web + worker (the Procfile) on :8000
# (PORT=8411 make run: on 8411, every link too).
run: seed
	@echo ""
	@echo "Booking Links is starting on http://127.0.0.1:$(PORT)/ (Ctrl-C stops web and worker)."
	@echo "  Links as printed above; log in at /dashboard/ with the login printed above."
	$(LOCAL) honcho start -f Procfile web worker

# The whole suite, browser tests included (SQLite unless DATABASE_URL / REDIS_URL are set).
test: install-dev browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest --cov --cov-report=term $(PYTEST_ARGS)

# Every benchmark (docs/PERFORMANCE.md), each printing a Markdown table. Each makes
# and drops its own throwaway database (test_<name>; one an interrupted run left is
# dropped first) and cleans what it put in Redis. The HTTP ones (availability,
# booking load, requests table) run gunicorn and need DATABASE_URL (PostgreSQL)
# and REDIS_URL; the others also run on SQLite.
bench: install-dev
	LOG_LEVEL=WARNING $(PY) -m bench.availability
	LOG_LEVEL=WARNING $(PY) -m bench.booking_load
	LOG_LEVEL=WARNING $(PY) -m bench.public_pages
	LOG_LEVEL=WARNING $(PY) -m bench.requests_table
	LOG_LEVEL=WARNING BENCH_REQUESTS=100000 $(PY) -m bench.requests_table

# The pictures of README.md and docs/USER_GUIDE.md, taken in Chromium from fresh demo
# data (a throwaway database and server; yours are never touched). Writes docs/img/.
screenshots: install-dev browser
	$(PY) scripts/screenshots.py

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 huey.sqlite3 .coverage
