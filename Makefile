# The README's quick start is `make demo` and `make test`; CI (.ci/run) calls the same targets.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := sqlite:///$(CURDIR)/var/demo.sqlite3
PYTEST_WORKERS ?= 2

.PHONY: demo test check check-deploy bench install lock assets pdf-libs clean

# Settings are production's unless development is asked for (coreflect/settings.py). The demo,
# the tests and the linters ask; check-deploy sets production's instead.
demo test check: export COREFLECT_ENV := development
# The demo serves the designed error pages, not Django's debug ones (whitenoise still serves
# the static files with DEBUG off).
demo: export DEBUG := 0

# Creates .venv with scripts/find-python's interpreter unless it holds a Python >= 3.12 already.
VENV_READY = python=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "Creating $(VENV) with $$python"; rm -rf $(VENV); "$$python" -m venv $(VENV) || exit 1; \
	fi

# Python packages come only from the lock, each checked against its hash; then coreflect itself,
# editable, built with the lock's setuptools. `pip check` fails if pyproject.toml names a package
# the lock lacks.
$(BIN)/.installed: requirements.lock pyproject.toml
	@$(VENV_READY)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
		echo "requirements.lock does not cover pyproject.toml: run make lock" >&2; exit 1; }
	@touch $@

# Rewrites requirements.lock from pyproject.toml (dependencies, the dev extra and the build's
# setuptools) with every file's hash, for Python 3.12 and newer on any platform. Versions already
# pinned stay unless LOCK_FLAGS=--upgrade (everything) or LOCK_FLAGS='--upgrade-package NAME'.
# uv is installed into .venv only for this.
lock:
	@$(VENV_READY)
	@[ -x $(BIN)/uv ] || $(BIN)/python -m pip install --quiet uv
	$(BIN)/python -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")' \
	| $(BIN)/uv pip compile pyproject.toml - --extra dev --universal --python-version 3.12 \
		--generate-hashes --quiet --custom-compile-command 'make lock' \
		--output-file requirements.lock $(LOCK_FLAGS)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

coreflect/static/vendor/.built: node_modules/.installed frontend/build.mjs $(wildcard frontend/*.scss)
	npm run --silent build
	@touch $@

# The development key for note content (NOTES_KEYS in coreflect/settings.py), made once and kept:
# the development databases under var/ cannot be read without it. Production sets NOTES_KEYS.
var/notes.key: | $(BIN)/.installed
	@mkdir -p var
	@umask 077 && $(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())' > $@.tmp && mv $@.tmp $@
	@echo "Wrote the development notes key to $@"

install: $(BIN)/.installed var/notes.key
assets: coreflect/static/vendor/.built

# WeasyPrint (the notes' PDF copies) loads Pango and HarfBuzz from the system, not from pip:
# without them say so here, not in a traceback halfway through the tests or the demo.
pdf-libs: install
	@$(BIN)/python -c 'import weasyprint' >/dev/null 2>&1 || { \
		echo "PDF copies of notes need the Pango and HarfBuzz libraries, which WeasyPrint loads from the system." >&2; \
		echo "  Debian or Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core" >&2; \
		echo "  macOS (Homebrew): brew install pango" >&2; \
		echo "  Others: https://doc.courtbouillon.org/weasyprint/stable/first_steps.html" >&2; \
		exit 1; }

# --force: var/demo.sqlite3 is the demo's own database, so what visitors recorded there is the
# demo's too and is replaced (elsewhere demo-data refuses records it did not make).
demo: install assets pdf-libs
	@mkdir -p var
	DATABASE_URL=$(DEMO_DB) $(BIN)/coreflect migrate --no-input -v 0
	DATABASE_URL=$(DEMO_DB) $(BIN)/coreflect demo-data --force
	@echo "Serving the demo on http://127.0.0.1:8000/ (Ctrl-C stops it)"
	DATABASE_URL=$(DEMO_DB) $(BIN)/coreflect db_worker --no-startup-delay -v 0 & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	DATABASE_URL=$(DEMO_DB) $(BIN)/coreflect runserver 127.0.0.1:8000

test: install assets pdf-libs
	@mkdir -p var
	$(BIN)/pytest -n $(PYTEST_WORKERS)

check: install check-deploy
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy coreflect

# Django's deployment checks on production settings as they are with only the required
# variables set (a dummy key and host; nothing connects to the database), any warning failing.
check-deploy: install
	env -u DEBUG -u COREFLECT_TLS_PROXY COREFLECT_ENV=production \
		SECRET_KEY=deploy-check-only-not-a-real-key-0123456789abcdefghijklmnopqrstuvwxyz \
		NOTES_KEYS=ZGVwbG95LWNoZWNrLW9ubHktbm90LWEtcmVhbC1rZXk= \
		ALLOWED_HOSTS=coreflect.example.nhs.uk DATABASE_URL=postgres://coreflect@db.example/coreflect \
		EMAIL_HOST=smtp.example.nhs.uk \
		$(BIN)/coreflect check --deploy --fail-level WARNING

bench: install assets
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) node_modules coreflect/static/vendor var build
