# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: venv demo serve test test-fast e2e lint format messages lock bench loadtest backup restore db-stop compose-check clean

$(VENV)/.installed: requirements/dev.lock requirements/build-constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check uv
	$(UV) pip sync -q --python $(PY) --build-constraint requirements/build-constraints.txt requirements/dev.lock
	touch $@

venv: $(VENV)/.installed

messages: venv
	DEBUG=1 $(PY) manage.py compile_translations

demo: venv messages
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	@echo "Open http://$(HOST):$(PORT)/accounts/login/ (users above, password Demo@2026)"
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

serve: venv
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: venv messages
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -q

test-fast: venv messages
	$(PY) -m pytest -n $(PYTEST_WORKERS) -q -m "not e2e"

e2e: venv messages
	$(PY) -m pytest -q tests/e2e

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(VENV)/bin/mypy .
	$(PY) -m pytest -q -p no:django -p no:xdist --noconftest tests/test_layout.py

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lock:
	$(UV) pip compile -q pyproject.toml -p 3.11 -o requirements/prod.lock
	$(UV) pip compile -q pyproject.toml --extra dev -p 3.11 -o requirements/dev.lock

# Every benchmark runs at city and at province scale, each in a database of its own
# (seeded the first time); the run fails when a budget is missed.
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/tracker_bench
BENCH_PROVINCE_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/tracker_bench_province
bench: venv messages
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_PROVINCE_DATABASE_URL=$(BENCH_PROVINCE_DATABASE_URL) \
	DATABASE_URL=$(BENCH_DATABASE_URL) SECRET_KEY=benchmark-only-secret-key-not-for-production \
	  $(PY) -m pytest tests/bench -s -q -p no:xdist -o addopts="" -o python_files="bench_*.py" --no-header

loadtest: venv messages
	bash tests/bench/loadtest.sh

# With no DATABASE_URL the database is the demo's embedded one: the demo's settings.
DEMO_ENV := $(if $(DATABASE_URL),,DEBUG=1)

backup: venv
	$(DEMO_ENV) $(PY) manage.py backup --output $(or $(OUTPUT),var/backups/backup-$$(date +%Y%m%d-%H%M%S).tar.gz)

restore: venv
	$(DEMO_ENV) $(PY) manage.py restore $(FILE)

# The embedded PostgreSQL (no DATABASE_URL) stops with the last process using it; this
# stops it at once.
db-stop: venv
	$(PY) -m config.embedded_db stop

compose-check:
	$(PY) tests/compose_check.py docker-compose.yml

clean:
	rm -rf var/static test-artifacts
