# aduan — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo test fuzz lint typecheck check install constraints clean

$(STAMP): pyproject.toml constraints.txt tools/bootstrap_venv.py
	$(PYTHON) tools/bootstrap_venv.py $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Fill a fresh SQLite store (./aduan.db) with a demo day, then start the daemon at 127.0.0.1:8080
## (another port: make run PORT=8081).
run: $(STAMP)
	$(BIN)/aduan demo --if-empty
	$(BIN)/aduan run $(if $(PORT),--port $(PORT))

## The whole test suite (SQLite always; PostgreSQL, Dovecot, Kannel and Chromium when present),
## on TEST_WORKERS pytest-xdist processes, one test file each at a time: most tests wait on
## servers and subprocesses, not on the CPU (serially: make test TEST_WORKERS=0). The tests
## marked timing (wall-clock limits, a quiet log) run after the rest, with no worker beside them.
TEST_WORKERS ?= 4
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile -m "not timing"
	$(BIN)/python -m pytest -q -m timing

## The property-based channel suites, long: many hostile payloads per channel (make test runs 60).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/fuzz

## Style and the layer contract (pyproject.toml [tool.importlinter]: no part imports one above it).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

constraints: $(STAMP)
	( echo '# Pinned versions every machine resolves to (pip install -c constraints.txt). Regenerate with: make constraints'; \
	  $(BIN)/python -m pip freeze --exclude-editable ) > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
