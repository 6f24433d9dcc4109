# Revierpfad: every target sets up what it needs on a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# uv from PATH, or installed once into .uv/ (kept apart from .venv, which uv sync manages)
UV := $(shell command -v uv 2>/dev/null || echo .uv/bin/uv)
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install static run serve test test-postgres fuzz messages lint bench accuracy progress monotone load load-two pages persona-check postgres clean

$(VENV)/.installed: pyproject.toml uv.lock
	@[ -x "$(UV)" ] || { $(PYTHON) -m venv .uv && .uv/bin/pip install --quiet uv; }
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.installed messages static

static: $(VENV)/.installed
	$(PY) manage.py collectstatic --no-input -v 0

messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { echo "msgfmt missing: install gettext (apt-get install gettext)"; exit 1; }
	$(PY) manage.py compilemessages --ignore=.venv -v 0

# The background worker (it trains the model when an admin retrains) runs beside the server: started
# before it, stopped when the server stops, however it stops. In its own session, so that Ctrl+C reaches
# only the server; the worker then gets one SIGTERM and finishes a training it is in before it exits.
WITH_WORKER = setsid $(PY) manage.py db_worker --no-reload & worker=$$!; \
	  trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  trap 'exit 130' INT TERM HUP;

## make run: the app on SQLite with the shipped catalogue and a trained model, and the task worker
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_content
	$(PY) manage.py createcachetable
	$(PY) manage.py ensure_model
	$(PY) manage.py clean_up --schedule
	@$(WITH_WORKER) $(PY) manage.py runserver 127.0.0.1:$(PORT)

## make serve: the app as production runs it: gunicorn + WhiteNoise + the task worker, DEBUG off, JSON logs,
## on 127.0.0.1:$(PORT).
## Configured from the environment (DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL,
## WEB_CONCURRENCY, ...); without DJANGO_SECRET_KEY a throwaway key is made for this local run only.
serve: install
	@if [ -z "$$DJANGO_SECRET_KEY" ]; then \
	  echo "make serve: DJANGO_SECRET_KEY is not set, so a throwaway key is generated. For local use only:"; \
	  echo "  sessions end when the server stops. In production set DJANGO_SECRET_KEY (50+ random characters)."; \
	fi
	@export DJANGO_DEBUG=0 \
	  DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')}" \
	  DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	  DJANGO_SECURE_SSL_REDIRECT="$${DJANGO_SECURE_SSL_REDIRECT:-0}" \
	  && $(PY) manage.py collectstatic --no-input -v 0 \
	  && $(PY) manage.py migrate --no-input \
	  && $(PY) manage.py load_content \
	  && $(PY) manage.py createcachetable \
	  && $(PY) manage.py ensure_model \
	  && $(PY) manage.py clean_up --schedule \
	  && { $(WITH_WORKER) $(VENV)/bin/gunicorn -c config/gunicorn.py --bind 127.0.0.1:$(PORT); }

## make test: every test (unit, views, CLI, browser) on SQLite, and on PostgreSQL when DATABASE_URL is set.
## First installs the Debian packages the tests need when they are missing (Chromium, gettext, Pango; as root),
## or stops with the command that would (.ci/system-packages).
test:
	@bash .ci/system-packages
	@$(MAKE) --no-print-directory install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	$(PY) -m pytest

## make test-postgres: the same on this machine's PostgreSQL (installed and started when missing, as root)
test-postgres:
	@bash .ci/system-packages postgresql
	@$(MAKE) --no-print-directory install postgres
	DATABASE_URL=postgres://revierpfad:revierpfad@127.0.0.1:5432/revierpfad $(PY) -m pytest

postgres:
	bash .ci/postgres

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .

bench: install
	$(PY) -m bench.run

## make accuracy: simulated role holders who answer realistically, through the adaptive test and through all
## questions (bench/accuracy.py; its own throwaway database)
accuracy: install
	$(PY) -m bench.accuracy
	$(PY) -m bench.accuracy --all-questions

## make progress: how often simulated people are done within the adaptive test's "noch etwa N", and the
## tables it comes from (bench/progress.py, its own throwaway database)
progress: install
	$(PY) -m bench.progress

## make monotone: how far role matches fall when simulated people get one level better in one competency
## (the shared self-rating bias; bench/monotone.py, its own throwaway database)
monotone: install
	$(PY) -m bench.monotone

## make load / load-two: locust against gunicorn on PostgreSQL (one server, or two sharing Redis); see bench/LOAD.md
load: install
	$(PY) -m bench.load --servers 1

## make fuzz: 40 parallel starts against the rate limit (also after the cache culls), then 5,000 random and
## hostile requests over every form and endpoint: gunicorn with 3 workers on PostgreSQL; fails on any 5xx
fuzz: install
	@bash .ci/system-packages postgresql
	@$(MAKE) --no-print-directory postgres
	$(PY) -m bench.fuzz

load-two: install
	$(PY) -m bench.load --servers 2

## make pages: throughput page by page (/healthz, start, question, results) on one gunicorn with SQLite, measured
## with wrk (installed when missing, as root); PASS when the question page serves at least 50 % and the results
## page at least 25 % of the start page's requests per second; see bench/LOAD.md
pages: install
	$(PY) -m bench.pages

persona-check: install
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_content
	$(PY) manage.py ensure_model
	$(PY) ../shared/tools/persona_check.py

clean:
	rm -rf $(VENV) .uv staticfiles db.sqlite3 .pytest_cache
