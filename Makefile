# BoardSnap: `make demo` sets everything up and turns samples/ into reports under out/;
# `make test` sets everything up and runs the test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export OMP_THREAD_LIMIT ?= 1

.PHONY: demo test bench samples lint deps system-deps clean

# The package's bytecode compiled as a wheel's install would (a source checkout run with
# PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module again at each start: 0.16 s
# of a cold `boardsnap extract`); up-to-date files are skipped, so this costs nothing twice.
deps: system-deps $(STAMP)
	@$(BIN)/python -m compileall -q boardsnap

system-deps:
	@bash scripts/system-deps.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: deps
	@mkdir -p out
	@for photo in samples/*.jpg; do \
	  name=$$(basename "$${photo%.*}"); \
	  for fmt in pdf html; do \
	    $(BIN)/boardsnap report "$$photo" -q -o "out/$$name.$$fmt"; rc=$$?; \
	    if [ $$rc -eq 4 ]; then echo "  ($$name has no SLA table: exit 4, as its truth says)"; break; fi; \
	    [ $$rc -eq 0 ] || exit $$rc; \
	  done; \
	done; echo "reports written to out/"

# The history tests run against a throwaway PostgreSQL server on loopback (scripts/with-postgres.sh);
# BOARDSNAP_REQUIRE_PG=1 makes them fail rather than skip if it is missing.
test: deps
	BOARDSNAP_REQUIRE_PG=1 bash scripts/with-postgres.sh $(BIN)/python -m pytest -q

bench: deps
	$(BIN)/python -m bench --throughput
	$(BIN)/python scripts/reliability.py -q

samples: deps
	$(BIN)/python samples/generate.py --samples samples/

lint: deps
	$(BIN)/ruff check boardsnap tests bench samples

clean:
	rm -rf out build dist .pytest_cache
