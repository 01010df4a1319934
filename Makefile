# Two entry points, each installing what a fresh machine lacks first:
#   make run   serves the dashboard on the PrimeData sandbox at http://127.0.0.1:8000/
#   make test  runs the whole test suite, browser tests included
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Debian packages: root installs directly, anyone else through sudo.
define apt_install
	if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
	$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1)
endef

.PHONY: run test install messages browser

install: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
		{ echo "Python 3.12 or newer is required; pyenv picks it from .python-version."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

messages: install
	@command -v msgfmt >/dev/null || { $(call apt_install,gettext); }
	$(BIN)/python manage.py compilemessages --ignore='.venv' -v0

browser:
	@test -x /usr/bin/chromium || { $(call apt_install,chromium); }

run: messages
	$(BIN)/python manage.py migrate --no-input -v0
	@# A demo agent exists only for the embedded sandbox; with PRIMEDATA_BASE_URL
	@# set, agents come from the admin.
	@if [ -z "$$PRIMEDATA_BASE_URL" ]; then $(BIN)/python manage.py create_demo_agent; fi
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# axe-core (the accessibility check of the browser tests) comes from npm,
# pinned by package-lock.json; npm ci runs again only when the lock changes.
node_modules/.installed: package-lock.json
	@command -v npm >/dev/null || { $(call apt_install,npm); }
	npm ci --no-audit --no-fund
	touch $@

test: messages browser node_modules/.installed
	$(BIN)/python -m pytest
