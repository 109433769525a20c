# The README's two commands. Only python3 (3.11+), pip and make are assumed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?=

.PHONY: fiches test test-slow lint clean

# Reinstall only when the project's requirements change.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

fiches: $(STAMP)
	$(BIN)/fiche build

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(BIN)/ruff check fiche tests cli.py

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow --run-slow

lint: $(STAMP)
	$(BIN)/ruff check fiche tests cli.py

clean:
	rm -rf dist .fiche-cache
