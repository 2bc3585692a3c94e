# The README's quick start is `make demo` and `make test`; CI (.ci/run) calls the same targets.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := sqlite:///$(CURDIR)/var/demo.sqlite3
PYTEST_WORKERS ?= 2

.PHONY: demo test check bench install assets serve clean

$(BIN)/.installed: pyproject.toml
	@python=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "Creating $(VENV) with $$python"; rm -rf $(VENV); "$$python" -m venv $(VENV) || exit 1; \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

coreflect/static/vendor/.built: node_modules/.installed frontend/build.mjs $(wildcard frontend/*.scss)
	npm run --silent build
	@touch $@

install: $(BIN)/.installed
assets: coreflect/static/vendor/.built

demo: install assets
	@mkdir -p var
	DATABASE_URL=$(DEMO_DB) $(BIN)/coreflect migrate --no-input -v 0
	DATABASE_URL=$(DEMO_DB) $(BIN)/coreflect demo-data
	@echo "Serving the demo on http://127.0.0.1:8000/ (Ctrl-C stops it)"
	DATABASE_URL=$(DEMO_DB) $(BIN)/coreflect db_worker --no-startup-delay -v 0 & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	DATABASE_URL=$(DEMO_DB) $(BIN)/coreflect runserver 127.0.0.1:8000

test: install assets
	@mkdir -p var
	$(BIN)/pytest -n $(PYTEST_WORKERS)

check: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy coreflect

bench: install assets
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) node_modules coreflect/static/vendor var build
