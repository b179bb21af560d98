# Two commands do all set-up on a fresh machine:  make demo  and  make test  (see README.md).
PYTHON ?= python3.11
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install install-test lint check messages bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# Runtime dependencies only, exactly as locked in uv.lock.
install: $(UV)
	$(UV) sync --frozen --no-dev --python $(PYTHON)

# Runtime + test dependencies, Debian's Chromium for the browser tests, gettext.
install-test: $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	bash scripts/install-system-deps.sh
	bash scripts/install-interop-node.sh
	bash scripts/install-interop-python.sh

# The portal with demo data on embedded defaults: SQLite, Celery tasks in-process.
demo: install
	$(MANAGE) compilemessages --ignore=.venv --ignore=.tools -v 0
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_demo --base-url http://$(HOST):$(PORT)
	$(MANAGE) runserver $(HOST):$(PORT)

# The whole suite on PostgreSQL and Redis at their local addresses, a real Celery worker
# and Chromium. With CI=true a missing service fails the run instead of skipping.
test: install-test
	bash scripts/ensure-services.sh
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MANAGE) compilemessages --ignore=.venv --ignore=.tools -v 0
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	bash scripts/check-deploy.sh
	$(VENV)/bin/pytest

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Each app keeps its own catalogue (<app>/locale); the root one (locale/) holds config/ and
# templates/. English is the source language, so only Japanese catalogues are kept.
APPS := frameworks issuers credentials badges
messages:
	for app in $(APPS); do (cd $$app && mkdir -p locale && ../$(PY) ../manage.py makemessages -l ja); done
	$(MANAGE) makemessages -l ja --no-obsolete --ignore=.venv --ignore=.tools --ignore=interop \
		--ignore=.interop --ignore=node_modules $(foreach app,$(APPS),--ignore=$(app))
	$(MANAGE) compilemessages --ignore=.venv --ignore=.tools

# Benchmarks print figures (recorded in docs/benchmarks.md); they assert nothing.
.PHONY: bench-issue bench-verify bench-public
bench: bench-issue bench-verify bench-public

# Batch issuing end to end: 10,000 fully described awards on two Celery workers (a fresh
# mcportal_bench_issue database and this run's own Redis queues, removed afterwards), signing
# compared with @digitalbazaar/vc, a sample of 50 checked by the independent verifiers (needs
# scripts/install-interop-node.sh and scripts/install-interop-python.sh) and written to
# bench-output/issue-sample/. Options: BENCH_ISSUE_ARGS="--awards 2000 --chunk-size 250".
bench-issue:
	$(MANAGE) bench_issue --awards 10000 $(BENCH_ISSUE_ARGS)

# POST /api/v1/verify/ on gunicorn, 20 connections from wrk for 10 s (apt install wrk; or
# BENCH_VERIFY_ARGS="--tool python --requests 2000"), PostgreSQL at its local address (a fresh
# mcportal_bench database, dropped afterwards). Options: BENCH_VERIFY_ARGS="--workers 3".
bench-verify:
	$(MANAGE) bench_verify --clients 20 --seconds 10 $(BENCH_VERIFY_ARGS)

# The public edge (credential JSON, OB 2.0 assertion, baked PNG, credential page, status list,
# did.json) with wrk (apt install wrk; a Python load generator otherwise), each as a ratio to a
# static file through the same gunicorn. Options: BENCH_PUBLIC_ARGS="--seconds 20".
bench-public:
	$(MANAGE) bench_public --seconds 10 --connections 20 $(BENCH_PUBLIC_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) db.sqlite3 staticfiles .pytest_cache
