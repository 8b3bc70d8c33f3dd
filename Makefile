# Two commands for a fresh machine with Python 3.11 and make:
#   make run   - set up, load the starter data and serve on http://127.0.0.1:8000
#   make test  - set up, lint, run the whole suite (SQLite, and PostgreSQL in CI) and
#                print the coverage of the SQLite run

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
MANAGE := $(BIN)/python manage.py
# A local, debug-mode site for `make run`; production reads its own environment.
RUN_ENV := DJANGO_DEBUG=1
RUN_ADDRESS ?= 127.0.0.1:8000
# PostgreSQL for the second test run (see scripts/test-postgres).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: translations install browser redis run setup-site test lint check test-sqlite test-postgres e2e \
	test-embedded \
	coverage-erase coverage-report bench-corpus bench bench-worst bench-pages bench-soak bench-clean clean \
	serve-prod stop-prod test-prod backup restore

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# Debian's Chromium, axe-core and the Nu HTML Checker for the browser tests.
browser:
	scripts/ensure-browser

# A Redis on 127.0.0.1:6379 for the test of the shared cache (required in CI).
redis:
	scripts/ensure-redis

setup-site: install
	$(RUN_ENV) $(MANAGE) migrate --noinput
	$(RUN_ENV) $(MANAGE) load_seed
	$(RUN_ENV) $(MANAGE) setup_roles
	$(RUN_ENV) $(MANAGE) create_local_editor

# The task worker (imports in the admin are background tasks) runs beside the server,
# and stops when it does: when runserver ends, or on Ctrl-C, which reaches both.
run: setup-site
	$(RUN_ENV) $(MANAGE) db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(RUN_ENV) $(MANAGE) runserver $(RUN_ADDRESS)

# The hooks in .pre-commit-config.yaml (django-upgrade, ruff, djhtml) on every file, and
# the import contracts (.importlinter): apps import only the layers below them.
lint: install
	$(BIN)/pre-commit run --all-files --show-diff-on-failure
	$(BIN)/lint-imports

check: install
	$(RUN_ENV) $(MANAGE) makemigrations --check --dry-run
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		DJANGO_ALLOWED_HOSTS=emgov.example.org $(MANAGE) check --deploy --fail-level WARNING

# The whole suite on SQLite, but the browser journeys, which run once, on PostgreSQL.
# Coverage is measured on the SQLite run: measuring both made `make test` take 9.5
# minutes on a clean clone of this 2-core machine, one run only 7.2 (both databases'
# code paths are the same but for a few PostgreSQL-only lines, which the report then
# shows as missed).
test-sqlite: install redis
	env -u DATABASE_URL $(BIN)/coverage run -m pytest -m "not e2e"

test-postgres: install browser redis
	DATABASE_URL="$(TEST_DATABASE_URL)" scripts/test-postgres $(BIN)/pytest

# The production stack on loopback (scripts/serve-prod): nginx from Debian's packages
# terminating TLS (a local CA in var/tls/ca.pem) on 127.0.0.1:8443, HTTP on 8080
# redirecting, gunicorn behind it, Redis as the cache. EMGOV_HTTPS_PORT, EMGOV_HTTP_PORT
# and EMGOV_APP_PORT change the ports. `make stop-prod` stops what it started.
serve-prod: install redis
	scripts/ensure-nginx
	scripts/serve-prod

stop-prod:
	scripts/stop-prod

# Its test starts the whole stack on ports of the work tree's own, checks it from
# outside (the MDN HTTP Observatory's grade among it) and stops it: about half a minute.
test-prod: install browser redis
	scripts/ensure-nginx
	EMGOV_TEST_PROD=1 $(BIN)/pytest -p no:cacheprovider tests/test_prod.py

# Backups (emgov/backup.py, docs/operations.md): the database and the stored files of the
# site that DATABASE_URL names, into var/backups/emgov-<time>/ with a manifest.
# `make restore BACKUP=var/backups/emgov-<time>` puts one back; FORCE=1 lets it replace
# a database that is not empty.
backup: install
	scripts/ensure-pg-tools
	scripts/backup

restore: install
	@test -n "$(BACKUP)" || { echo "make restore BACKUP=var/backups/emgov-<time> [FORCE=1]" >&2; exit 2; }
	scripts/ensure-pg-tools
	scripts/restore "$(BACKUP)" $(if $(filter 1 yes true on,$(FORCE)),--force)

e2e: install browser
	$(BIN)/pytest -m e2e

coverage-erase: install
	$(BIN)/coverage erase

coverage-report: install
	$(BIN)/coverage combine --quiet
	$(BIN)/coverage report

# The SQLite and PostgreSQL runs side by side: each spends much of its time waiting on
# its database or the browser, so on two cores together they take little longer than
# the PostgreSQL run alone. -O prints each run's output whole, when it ends.
test: lint check coverage-erase
	$(MAKE) --no-print-directory -j2 -O test-embedded test-postgres
	$(MAKE) --no-print-directory coverage-report

# The SQLite run, then the production stack's test (on SQLite too): the PostgreSQL
# run, the longer, goes on beside both.
test-embedded: test-sqlite
	$(MAKE) --no-print-directory test-prod

# The search benchmark (bench/RESULTS.md), on a PostgreSQL database of its own, never
# the site's: create it first (createdb emgov_bench). Only the bench settings install
# the bench app, whose commands write and time a synthetic corpus. Each command gets a
# throwaway secret key: the pages it times sign cookies, and nothing signed outlives it.
# EMGOV_SYNTHETIC_PUBLIC=1 lets the timed pages show the synthetic entries, which the
# public rule hides everywhere else.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/emgov_bench
BENCH_MANAGE := DJANGO_SETTINGS_MODULE=emgov.settings.bench DATABASE_URL="$(BENCH_DATABASE_URL)" \
	EMGOV_SYNTHETIC_PUBLIC=1 \
	DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	$(MANAGE)
SYNTHETIC ?= --directives 20000 --provisions-per-directive 10 --agreements 5000

bench-corpus: install
	$(BENCH_MANAGE) migrate --noinput
	$(BENCH_MANAGE) load_seed
	$(BENCH_MANAGE) make_synthetic $(SYNTHETIC) --yes

bench: install
	$(BENCH_MANAGE) search_bench $(BENCH_ARGS)

# Issue 19's slowest searches, cold, as whole pages (bench/RESULTS.md): for SQLite,
# BENCH_DATABASE_URL=sqlite:////absolute/path/bench.sqlite3 for this and bench-corpus.
bench-worst: install
	$(BENCH_MANAGE) search_worst $(BENCH_ARGS)

# Pages under load through `make serve-prod` with wrk (bench/pages, bench/RESULTS.md):
# the bench corpus on PostgreSQL, or DATABASE_URL=sqlite:///... for SQLite.
bench-pages: install redis
	scripts/ensure-nginx
	DATABASE_URL="$${DATABASE_URL:-$(BENCH_DATABASE_URL)}" bench/pages

# Ten minutes of public reads and admin writes at once through make serve-prod
# (bench/soak): no 5xx, no acknowledged write lost. SOAK_SECONDS shortens it.
bench-soak: install redis
	scripts/ensure-nginx
	DATABASE_URL="$${DATABASE_URL:-$(BENCH_DATABASE_URL)}" bench/soak

bench-clean: install
	$(BENCH_MANAGE) make_synthetic --delete --yes

# For developers with gettext installed: collect new interface strings and recompile.
# The compiled .mo files are committed, so running the site needs no gettext.
translations: install
	$(RUN_ENV) $(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=node_modules \
		--ignore=tests --ignore=citations --ignore=scripts --ignore=bench --ignore=staticfiles
	$(RUN_ENV) $(MANAGE) compilemessages -l zh_Hans --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) staticfiles test-results .pytest_cache db.sqlite3 db.sqlite3-wal db.sqlite3-shm \
		test-db.sqlite3* .coverage .coverage.*
