# Scandy: `make run` and `make test` are the two set-up commands (README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# 127.0.0.1: this machine only; 0.0.0.0: the workshop network (tablets, scan stations) over plain HTTP.
HOST ?= 127.0.0.1
# `make run INSTANCE=werkstatt PORT=8001` runs a second instance beside the first (own data dir var/werkstatt/).
INSTANCE ?= $(or $(SCANDY_INSTANCE),main)
export SCANDY_INSTANCE := $(INSTANCE)

.PHONY: run dev test check-system lint e2e bench install install-dev messages vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.base-installed: requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/dev.txt
	touch $@ $(VENV)/.base-installed

install: $(VENV)/.base-installed
install-dev: $(VENV)/.dev-installed

# `make run`: gunicorn (whitenoise, DEBUG off) and the django-q2 worker for the workshop network over plain
# HTTP; HOST=0.0.0.0 answers the machine's names and addresses (scandy_site/settings/lan.py). Ctrl-C, or a
# TERM to the process group (what service managers send), stops both: scandy_site/run.py says how.
run: install
	@exec $(BIN)/python -m scandy_site.run --host $(HOST) --port $(PORT)

# `make dev`: Django's autoreloading development server (DEBUG on) with the worker beside it. The worker
# runs in a session of its own and is stopped by a TERM to its main process, which stops its children in
# order (a signal to all of its processes at once leaves django-q2's main process hanging).
dev: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_schedules
	@echo "Scandy ($(SCANDY_INSTANCE), development server) on http://$(HOST):$(PORT)/ (worker running beside it)"
	@$(BIN)/python -c 'import os, sys; os.setsid(); os.execv(sys.executable, [sys.executable, "manage.py", "qcluster"])' & \
	worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# What the suite needs from the system (chromium, gettext, pango): said clearly before anything runs.
check-system: install-dev
	@$(BIN)/python -m tests.system_check

test: install-dev check-system
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	@# Production settings must pass Django's deployment checklist (throw-away data dir, generated key).
	DJANGO_SETTINGS_MODULE=scandy_site.settings.production ALLOWED_HOSTS=scandy.example.org \
	SCANDY_DATA_DIR=$$(mktemp -d) $(BIN)/python manage.py check --deploy --fail-level WARNING

e2e: install-dev
	$(BIN)/python -m pytest -m e2e

bench: install-dev
	$(BIN)/python -m bench

# Regenerate translations after changing user-facing text (needs GNU gettext): updates locale/*/django.po
# (new msgids arrive empty or fuzzy: translate them in locale/de, then run this again) and compiles the
# .mo files; commit both. tests/core/test_translations.py runs this same makemessages line.
messages: install-dev
	$(BIN)/python manage.py makemessages -l de -l en --no-obsolete --ignore=.venv --ignore=var --ignore=bench --ignore=tests --ignore=node_modules
	$(BIN)/python manage.py compilemessages --ignore=.venv

# Refresh the committed front-end libraries in static/vendor/ from the npm registry (versions in package.json).
vendor:
	rm -rf /tmp/scandy-vendor && mkdir -p /tmp/scandy-vendor
	cp package.json /tmp/scandy-vendor/ && cd /tmp/scandy-vendor && npm install --no-audit --no-fund --ignore-scripts
	mkdir -p static/vendor/htmx static/vendor/html5-qrcode
	cp /tmp/scandy-vendor/node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp /tmp/scandy-vendor/node_modules/html5-qrcode/html5-qrcode.min.js /tmp/scandy-vendor/node_modules/html5-qrcode/LICENSE static/vendor/html5-qrcode/

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
