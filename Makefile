# Boost Data Collector — developer and operator commands.
# Needs only Python 3.11+ and make: uv is installed into var/ when it is missing.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo var/uv/bin/uv)
# Set when uv is the copy in var/uv, which a shell does not find without help.
UV_BIN := $(if $(filter var/uv/bin/uv,$(UV)),$(CURDIR)/var/uv/bin)
RUN := $(UV) run --frozen
MANAGE := $(RUN) python manage.py

.PHONY: help install shell run demo worker beat test lint typecheck migrations-check docs-check \
	scaffold-check \
	pytest bench soak test-db-url db-stop clean browser-deps report-deps

help:
	@echo "make install   install uv (if missing) and the project's packages; create .env"
	@echo "make shell     a shell with .venv activated and uv on PATH (python manage.py, celery)"
	@echo "make run       migrate, then run the daily schedule (run_scheduled_collectors --schedule daily)"
	@echo "make demo      offline demo: the daily schedule on recorded GitHub/Boost responses into"
	@echo "               its own database (boost_demo), then the status page on 127.0.0.1:8000"
	@echo "               (DEMO_PORT=8001, DEMO_ARGS=--reset to start afresh)"
	@echo "make worker    start a Celery worker (Redis at CELERY_BROKER_URL)"
	@echo "make beat      start Celery Beat: runs config/boost_collector_schedule.yaml"
	@echo "make test      ruff, pyright, makemigrations --check, docs and scaffold checks, pytest"
	@echo "make bench     commit ingest throughput: bulk services vs naive ORM vs COPY"
	@echo "make soak      the kill -9 test with 20 kills at random moments (KILL_ROUNDS, KILL_SEED)"
	@echo "make db-stop   stop the embedded PostgreSQL server"

var/uv/bin/uv:
	@echo "uv not found: installing it into var/uv"
	$(PYTHON) -m venv var/uv
	var/uv/bin/pip install --quiet uv

# --compile-bytecode: with PYTHONDONTWRITEBYTECODE=1 (set on this machine) nothing is
# ever cached, and every manage.py start compiles Django again (check: 10-12 s -> 2-5 s
# measured under load on the 2-core machine).
.venv/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode
	@touch $@

.env:
	cp .env.example .env
	@echo "Created .env from .env.example (development settings)."

INSTALLED := .venv/.installed .env

# Ends by saying how to type the commands as the docs write them, which need .venv/bin
# (python, celery, pytest) and uv on PATH.
install: $(INSTALLED)
	@echo
	@echo "Installed. To run python manage.py ..., celery -A config ... and uv run ... as the"
	@echo "docs write them, run this in your shell (from this folder):"
	@echo
	@echo "    source .venv/bin/activate"
	$(if $(UV_BIN),@echo '    export PATH="$(UV_BIN):$$PATH"')
	@echo
	@echo "or start a shell where this is done: make shell"

# Interactive bash with what `make install` printed already done; `exit` leaves it.
shell: $(INSTALLED)
	@echo "A shell with .venv activated$(if $(UV_BIN), and $(UV_BIN) on PATH); exit leaves it."
	@PATH="$(if $(UV_BIN),$(UV_BIN):)$$PATH" bash --init-file <(printf '%s\n' \
		'[ -f ~/.bashrc ] && . ~/.bashrc' '. .venv/bin/activate') -i

run: $(INSTALLED)
	$(MANAGE) migrate --no-input
	$(MANAGE) run_scheduled_collectors --schedule daily

# Recorded responses, a database of its own (never yours), then the site until Ctrl-C.
DEMO_PORT ?= 8000
demo: $(INSTALLED)
	DJANGO_SETTINGS_MODULE=config.demo_settings $(MANAGE) demo --port $(DEMO_PORT) $(DEMO_ARGS)

# Redis is read from CELERY_BROKER_URL (default redis://localhost:6379/0).
worker: $(INSTALLED)
	$(RUN) celery -A config worker -l info

beat: $(INSTALLED)
	$(MANAGE) migrate --no-input
	$(RUN) celery -A config beat -l info

lint: .venv/.installed
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: .venv/.installed
	$(RUN) pyright

migrations-check: .venv/.installed
	DJANGO_SETTINGS_MODULE=config.test_settings $(MANAGE) makemigrations --check --dry-run

# Service API pages match services.py; docs/Schema.md matches the models;
# cross-app imports match docs/cross-app-dependencies.md.
docs-check: .venv/.installed
	$(RUN) python scripts/generate_service_docs.py --check
	$(RUN) python scripts/generate_schema_doc.py --check
	$(RUN) python scripts/check_cross_app_imports.py

# A throwaway startcollector app passes ruff, pyright, its own test and makemigrations --check.
scaffold-check: .venv/.installed
	$(RUN) python scripts/validate_collector_scaffold.py

pytest: .venv/.installed browser-deps report-deps
	$(RUN) pytest --cov --cov-report=term --cov-fail-under=90

test: lint typecheck migrations-check docs-check scaffold-check pytest

# Throughput, not correctness: pytest's discovery and coverage leave benchmarks/ out.
bench: .venv/.installed
	$(RUN) pytest benchmarks -q -p no:cacheprovider --benchmark-columns=min,rounds

# The suite kills a collection twice; this kills it KILL_ROUNDS times (seed: KILL_SEED).
soak: .venv/.installed
	KILL_ROUNDS=$${KILL_ROUNDS:-20} $(RUN) pytest -q -p no:cacheprovider \
		github_activity_tracker/tests/test_faults_and_kills.py -k killed

# The suite again, against the PostgreSQL server named by DATABASE_URL (CI's second pass).
test-db-url: .venv/.installed
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL is not set"; exit 2; }
	$(RUN) pytest -q -p no:cacheprovider

db-stop: .venv/.installed
	$(MANAGE) embedded_db stop

clean:
	rm -rf .test_artifacts .pytest_cache .ruff_cache htmlcov .coverage

# The status page test drives Debian's Chromium and ChromeDriver; install them when
# missing and we can (root with apt), otherwise say how (the test then skips, or
# fails under CI=true).
browser-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing chromium and chromium-driver for the browser test"; \
			apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
		else \
			echo "chromium/chromedriver missing: run 'sudo apt-get install chromium chromium-driver'"; \
		fi; \
	fi

# run_monthly_report --format pdf renders with WeasyPrint, which needs Debian's Pango
# (and a font); the PDF test reads the first page back with poppler's pdftoppm.
# Installed like the browser's packages: when missing and we can (root with apt).
report-deps:
	@if ! ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || ! command -v pdftoppm >/dev/null \
		|| ! fc-list 2>/dev/null | grep -qi dejavu; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Pango, a font and poppler-utils for PDF reports"; \
			apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
				fonts-dejavu-core poppler-utils >/dev/null; \
		else \
			echo "PDF reports need Pango: run 'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils'"; \
		fi; \
	fi
