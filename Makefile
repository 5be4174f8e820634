# Tierflow: `make run` for the whole system on one machine, `make test` for the suite.
PYTHON ?= python3.12
# pyenv's python3.12 shim answers only when a 3.12+ is selected: select every installed 3.12+.
ifeq ($(strip $(PYENV_VERSION)),)
export PYENV_VERSION := $(shell pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9])' | paste -sd: -)
endif
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tierflow
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# Parallel test processes (pytest-xdist), one per core here: each has its own PostgreSQL test database and the Redis
# database TEST_REDIS_URL's number + its index (config/settings.py). At most 8: the limits cache sits 8 numbers above.
TEST_PROCESSES ?= 2
# `make bench` drops and recreates this database and flushes this Redis database.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tierflow_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: install run test bench bench-quick soak migrate clean messages browser-tools

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { echo "Tierflow needs Python 3.12 or newer: set PYTHON=/path/to/python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed messages

# The catalogues (locale/<lang>/) are committed as .po; the .mo the pages read is compiled here (needs gettext's
# msgfmt). Thai, Vietnamese and Chinese pages and letters need fonts-thai-tlwg fonts-noto-cjk fonts-noto-core.
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: apt-get install -y gettext fonts-thai-tlwg fonts-noto-cjk fonts-noto-core"; exit 1; }
	@DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore='$(VENV)' -v 0

# The whole system on SQLite and an embedded broker, with demo data.
run: install messages
	@mkdir -p var
	DEBUG=1 TIERFLOW_DEMO=1 $(PY) manage.py migrate --noinput
	DEBUG=1 TIERFLOW_DEMO=1 $(PY) manage.py seed_demo
	DEBUG=1 TIERFLOW_DEMO=1 $(PY) manage.py seed_ledger_demo
	@echo ""
	@echo "Tierflow is starting at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/, API docs: http://$(HOST):$(PORT)/api/docs/)"
	@echo "Demo logins, password 'demo': admin, proponent, sabah.reviewer, sabah.approver, sabah.supervisor,"
	@echo "  sarawak.approver, federal.approver, federal.supervisor, indonesia.approver, thailand.approver,"
	@echo "  vietnam.approver, zimbabwe.approver"
	@echo ""
	@echo "Web, a Celery worker and beat run together (Ctrl-C stops all three); notification emails land in var/mail/."
	DEBUG=1 TIERFLOW_DEMO=1 EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend EMAIL_FILE_PATH=var/mail \
		SITE_URL=http://$(HOST):$(PORT) HOST=$(HOST) PORT=$(PORT) $(PY) scripts/run_all.py

# The suite against PostgreSQL (and Redis for the worker tests).
# axe-core (pinned in package.json) for the browser tests' accessibility check; without npm that test is skipped.
browser-tools: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --ignore-scripts --no-audit --no-fund --silent || echo "npm ci failed: the axe-core check will be skipped"; else echo "npm is missing: the axe-core check will be skipped"; fi

test: install messages browser-tools
	@DATABASE_URL=$(TEST_DATABASE_URL) $(PY) scripts/check_services.py
	@mkdir -p var/bench && date +%s.%N > var/bench/.make_test_started
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) DEBUG=1 $(PY) -m pytest -n $(TEST_PROCESSES) $(PYTEST_ARGS)
	@# The SQLite branches `make run` takes (an in-memory test database, the filesystem broker).
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 CELERY_BROKER_URL=filesystem:// DEBUG=1 $(PY) -m pytest -m sqlite -q
	@$(PY) -c 'import json, time, pathlib; d = pathlib.Path("var/bench"); s = float((d / ".make_test_started").read_text()); (d / "make_test.json").write_text(json.dumps({"seconds": round(time.time() - s, 1), "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "args": "$(PYTEST_ARGS)"}))'

# Tierflow against its physical baselines, as ratios in one run (bench/README.md): full < 10 min, quick < 90 s.
bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_REDIS_URL) TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(PY) -m bench $(BENCH_ARGS)

bench-quick: install
	DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_REDIS_URL) $(PY) -m bench --quick $(BENCH_ARGS)

# The production topology under mixed traffic and failures (not part of `make test`); README "Soak".
# Drops and recreates SOAK_DATABASE_URL; starts its own redis-server on SOAK_REDIS_PORT (6390).
SOAK_SECONDS ?= 600
SOAK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tierflow_soak
soak: install messages
	SOAK_SECONDS=$(SOAK_SECONDS) SOAK_DATABASE_URL=$(SOAK_DATABASE_URL) $(PY) scripts/soak.py

clean:
	rm -rf $(VENV) var/*.sqlite3
