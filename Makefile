# Two commands on a fresh machine: `make` builds notes/ into build/, `make test` runs the checks.
# Each sets up what it needs (a .venv, system packages) by itself.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: all build test lint bench fuzz golden clean upgrade system-build system-test

all: build

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Installed from the lock (constraints.txt): the versions the tests passed with, so the same notes
# give the same bytes on every machine.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	touch $(VENV)/.installed $@

system-build:
	@scripts/system-deps.sh build

system-test:
	@scripts/system-deps.sh test

build: $(VENV)/.installed system-build
	$(BIN)/qadeck build

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

test: $(VENV)/.installed-test system-test lint
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test system-test
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/replay_history.py

# 10,000 mutations of the notes in FUZZ_NOTES (default ../shared/corpus/sspace, else notes/):
# counts by outcome and the slowest notes; exits 1 on an escaped exception or a note over 1 s.
fuzz: $(VENV)/.installed-test
	$(BIN)/python scripts/fuzz.py $(FUZZ_NOTES) $(FUZZ_ARGS)

golden: $(VENV)/.installed-test
	QADECK_REGEN_GOLDEN=1 $(BIN)/python -m pytest -q tests -k golden

clean:
	rm -rf build

# New releases within pyproject.toml's bounds: refresh the lock, then run the tests on it.
upgrade:
	PYTHON=$(PYTHON) scripts/lock.sh
	$(MAKE) test
