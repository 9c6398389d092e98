# Pathways: the entry points. `make run` serves the portal; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Credentials, DIDs and LMS URLs name the address `make run` serves unless this is set.
PATHWAYS_BASE_URL ?= http://$(HOST):$(PORT)
export FLASK_APP := pathways
INSTALLED := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: install run serve test lint fmt bench translations extract-messages browser oracle clean

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(INSTALLED)

translations: install
	@$(BIN)/pybabel compile -d pathways/translations -D messages 2>/dev/null || $(BIN)/pybabel compile -d pathways/translations -D messages

extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o pathways/translations/messages.pot pathways
	$(BIN)/pybabel update -i pathways/translations/messages.pot -d pathways/translations -D messages --no-fuzzy-matching

run: export PATHWAYS_BASE_URL := $(PATHWAYS_BASE_URL)
run: install translations
	@mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask pathways load-content content
	$(BIN)/flask pathways demo
	$(BIN)/flask pathways demo-awards
	@echo
	@echo "Pathways is starting on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@echo
	@if [ "$${PATHWAYS_DEBUG:-0}" = "1" ]; then \
	  exec $(BIN)/flask run --debug --host $(HOST) --port $(PORT); \
	else \
	  exec $(BIN)/gunicorn --no-control-socket --workers 2 --bind $(HOST):$(PORT) --access-logfile - 'pathways:create_app()'; \
	fi

# Debian's chromium drives the browser tests (never a downloaded browser build).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)); \
	  else echo "chromium is missing: install Debian's chromium package to run the browser tests"; fi; \
	fi

lint: install
	$(BIN)/ruff check pathways tests bench migrations
	$(BIN)/ruff format --check pathways tests bench
	$(BIN)/lint-imports --config pyproject.toml

fmt: install
	$(BIN)/ruff check --fix pathways tests bench
	$(BIN)/ruff format pathways tests bench

# The credential tests' independent verifier (Digital Bazaar's libraries under Node),
# installed from tests/oracle/package-lock.json whenever that lock is newer.
ORACLE := tests/oracle
$(ORACLE)/node_modules/.package-lock.json: $(ORACLE)/package-lock.json
	@npm ci --prefix $(ORACLE) --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

oracle: $(ORACLE)/node_modules/.package-lock.json

test: install translations browser lint oracle
	$(BIN)/pytest -q -p no:cacheprovider

bench: install translations
	@set -e; for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis
