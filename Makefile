# The README's two commands. Only python3 (3.11+), pip and make are assumed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
FICHE_FLAGS ?=

.PHONY: fiches test test-slow bench bench-rtl lint clean browser poppler

# Reinstall only when the project's requirements change.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

fiches: $(STAMP)
	$(BIN)/fiche build $(FICHE_FLAGS)

# Two workers: the suite's tests are independent (each has its own folders, ports and
# processes), and on the 2-core CI machines this takes the suite from about 3 to 2 minutes.
test: $(STAMP) browser
	$(BIN)/python -m pytest -q -n 2
	$(BIN)/ruff check fiche tests bench cli.py
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

# The browser tests drive the system Chromium through Playwright. Installed here, never
# by a test: with apt-get where we are root; elsewhere those tests are skipped, saying why.
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Chromium for the browser tests (apt-get install chromium)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
	    || echo "Chromium could not be installed: the browser tests will be skipped"; \
	else \
	  echo "no Chromium, and no root apt-get to install it: the browser tests will be skipped"; \
	fi

test-slow: $(STAMP)
	FICHE_FUZZ=long $(BIN)/python -m pytest -q --run-slow tests/test_fuzz.py tests/test_faults.py tests/test_fill.py

# Timings: medians and ratios measured side by side; writes bench/results.md.
# More paired runs: make bench BENCH_FLAGS='--runs 9'
BENCH_FLAGS ?=
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[bench]'
	$(BIN)/python bench/run.py $(BENCH_FLAGS)

# How exactly text extractors get Arabic back out of PDFs made by Typst and by fiche;
# writes bench/rtl-results.md. Needs Noto Naskh Arabic: assets/fonts, or
# make bench-rtl RTL_FLAGS='--fonts DIR'
RTL_FLAGS ?=
bench-rtl: $(STAMP) poppler
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[bench]'
	$(BIN)/python -m bench.rtl $(RTL_FLAGS)

# poppler's pdftotext, one of the readers of bench-rtl. As for `browser`: installed with
# apt-get where we are root; elsewhere the benchmark leaves its column out, saying why.
poppler:
	@if command -v pdftotext >/dev/null 2>&1; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing pdftotext for bench-rtl (apt-get install poppler-utils)"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils; } \
	    || echo "poppler-utils could not be installed: bench-rtl leaves pdftotext out"; \
	else \
	  echo "no pdftotext, and no root apt-get to install it: bench-rtl leaves pdftotext out"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check fiche tests bench cli.py
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

clean:
	rm -rf dist .fiche-cache
