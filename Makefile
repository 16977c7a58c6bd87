# Two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Casebook needs Python 3.11 or newer (PYTHON=$(PYTHON))." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/casebook db upgrade
	$(BIN)/casebook import-cases
	$(BIN)/casebook seed-demo
	@echo
	@echo "Casebook is running at http://127.0.0.1:$(PORT)/"
	@echo "Sign in with one of the demo accounts above (press Ctrl+C to stop)."
	@echo
	@mkdir -p instance
	@# gevent: each open page holds a live-update stream, which would take a thread each.
	exec $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --worker-class gevent \
		--worker-connections 1000 --graceful-timeout 5 \
		--control-socket $(CURDIR)/instance/gunicorn-$(PORT).ctl \
		--access-logfile - 'casebook:create_app()'

test: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Not part of `make test`: about three minutes per engine (see bench/README.md).
# BENCH_ARGS passes options on, e.g. BENCH_ARGS="--engines sqlite --duration 5".
bench: $(RUN_STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/bandit -c pyproject.toml -q -r casebook scripts
	$(BIN)/python scripts/audit_dependencies.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
