# Two commands for people: `make run` and `make test`. Everything they need is installed on first use.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app lms
PORT ?= 5000
STAMP := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | sha1sum | cut -c1-12)
PO := $(wildcard lms/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)
PG_DEFAULT := postgresql+psycopg://postgres@127.0.0.1:5432/lms_test
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: vendor run test test-sqlite test-postgres test-pages lint bench bench-exam bench-servers translations extract-messages clean

# WeasyPrint needs Pango; HarfBuzz's subsetter makes a certificate render about 4 times faster.
$(STAMP):
	@bin/ensure-system-packages python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile -i $< -o $@ --statistics

translations: $(MO)

run: $(STAMP) translations vendor
	@mkdir -p instance
	LMS_ENV=demo $(FLASK) db upgrade
	@# Web edits win over the files they came from: a course changed on the web since its last import is kept
	@# (and listed) until its files are exported and committed, or imported with --force.
	LMS_ENV=demo $(FLASK) courses import --keep-web-edits courses/
	LMS_ENV=demo $(FLASK) demo setup
	LMS_ENV=demo $(FLASK) certificates seal demo
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl+C to stop)"
	@# The background jobs' consumer (bulk certificate printing) runs beside the web server and stops with it.
	@# gunicorn's --timeout 120: a first roster import of thousands of new accounts hashes their one-time passwords.
	LMS_ENV=demo $(VENV)/bin/huey_consumer lms.tasks.huey --workers 1 --logfile instance/jobs.log & \
	trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	LMS_ENV=demo $(VENV)/bin/gunicorn --workers 2 --threads 4 --timeout 120 --bind 127.0.0.1:$(PORT) \
		--access-logfile - "lms:create_app()"

node_modules/.package-lock.json: package.json package-lock.json
	@bin/ensure-system-packages npm:npm chromium:chromium fonts-noto-core
	npm ci --no-audit --no-fund --loglevel=error

# The offline certificate verifier's scripts (/verify/scan), copied from the npm packages locked in package-lock.json:
# served by the app itself, never from a CDN. Built, not committed (lms/static/vendor is ignored).
VENDOR := lms/static/vendor
vendor: $(VENDOR)/jsQR.js $(VENDOR)/noble-ed25519.js

$(VENDOR)/jsQR.js: node_modules/.package-lock.json
	@mkdir -p $(VENDOR)
	cp node_modules/jsqr/dist/jsQR.js $@

$(VENDOR)/noble-ed25519.js: node_modules/.package-lock.json
	@mkdir -p $(VENDOR)
	cp node_modules/@noble/ed25519/index.js $@

# The suite runs twice, side by side: on PostgreSQL (LMS_TEST_DATABASE_URL, or the local server) with today's clock,
# and on SQLite with the clock a year ahead, so that no test passes only on the day it was written; then every page
# once. Each pytest uses about one core (the PostgreSQL run waits on its server); a third whole run (SQLite today)
# made CI take 43 minutes where 30 are asked, and a date-bound test fails in either of the two. Each run keeps its
# own temporary and instance folders; output is shown run by run; a failing run fails `make test` once all have
# ended (-k).
test: $(STAMP) translations node_modules/.package-lock.json vendor lint
	@bin/ensure-system-packages poppler-utils:pdftotext zbar-tools:zbarimg faketime:faketime softhsm2:softhsm2-util
	$(MAKE) --no-print-directory -k -j2 --output-sync=target test-sqlite test-postgres test-pages

TMP_TESTS := $${TMPDIR:-/tmp}/lms-tests-$(notdir $(CURDIR))

# libfaketime moves the wall clock of the tests, the app, SQLite and the servers the tests start
# (LMS_TEST_CLOCK_SHIFT=+0d: today's); the monotonic clock stays real so that timed waits end
# (tests/future_clock/sitecustomize.py says why and mends time.sleep). `timeout`: a wait that never ends fails the
# run in an hour instead of holding CI.
test-sqlite: $(STAMP) translations
	@bin/ensure-system-packages faketime:faketime
	DONT_FAKE_MONOTONIC=1 PYTHONPATH=$(CURDIR)/tests/future_clock timeout --kill-after=30 3600 \
		faketime -f "$${LMS_TEST_CLOCK_SHIFT:-+365d}" $(PY) -m pytest -q -p no:cacheprovider --basetemp=$(TMP_TESTS)-sqlite

test-postgres: $(STAMP) translations
	@url="$${LMS_TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ]; then \
	  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then url="$(PG_DEFAULT)"; \
	  elif [ "$${CI:-}" = "true" ]; then echo "PostgreSQL is required in CI and does not answer" >&2; exit 1; \
	  else echo "PostgreSQL does not answer on 127.0.0.1:5432: skipping the PostgreSQL run" >&2; exit 0; fi; \
	fi; \
	echo "PostgreSQL run on $$url"; \
	LMS_TEST_DATABASE_URL="$$url" $(PY) -m pytest -q -p no:cacheprovider --basetemp=$(TMP_TESTS)-postgres

# Every page of every role, in both languages, on a phone and a desktop (minutes: once, not in each run above).
test-pages: $(STAMP) translations node_modules/.package-lock.json vendor
	$(PY) -m pytest -q -p no:cacheprovider --basetemp=$(TMP_TESTS)-pages -m every_page tests/browser/test_every_page.py

lint: $(STAMP)
	$(VENV)/bin/ruff check lms tests bench

# Every string in the code and templates must be in the catalogues, translated (run by `make test`).
extract-messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -o lms/translations/messages.pot --no-location --sort-output \
		--omit-header .
	$(VENV)/bin/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching \
		--ignore-obsolete

bench: $(STAMP) translations
	@bin/ensure-system-packages wrk
	@status=0; $(PY) bench/load.py || status=1; $(PY) bench/certificates.py || status=1; \
		$(PY) bench/reports.py || status=1; $(PY) bench/growth.py || status=1; \
		$(PY) bench/roster_import.py || status=1; \
		$(PY) bench/page_weight.py || status=1; $(PY) bench/offline_sync.py || status=1; exit $$status

# Exam day: thousands of staff start the same timed quiz within a minute (bench/exam_day.py; tens of minutes).
bench-exam: $(STAMP) translations
	$(PY) bench/exam_day.py

# The same on two servers behind HAProxy, with PostgreSQL and Redis (bench/cluster.py).
bench-servers: $(STAMP) translations
	@bin/ensure-system-packages haproxy
	EXAM_SERVERS=2 BENCH_BACKENDS=postgres $(PY) bench/exam_day.py

clean:
	rm -rf $(VENV) node_modules instance/lms.sqlite3*
