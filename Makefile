# Two entry points: `make serve` (install + run the embedded server) and `make test` (install +
# every check CI runs). Everything is installed into .venv from pyproject.toml, at the versions
# pinned in constraints.txt (regenerate it with `.venv/bin/pip freeze --exclude-editable`).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test check unit install clean bench

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	-scripts/spellcheck-dictionaries.sh  # spell-check dictionaries (Debian); prints the apt-get line if not root
	scripts/service-system-deps.sh  # ddjvu, espeak-ng, reference fonts (Debian); as root it installs them
	touch $(STAMP)

install: $(STAMP)

# LANGUAGES="German French" installs those Tesseract models first (apt-get, as root)
serve: $(STAMP)
	$(if $(LANGUAGES),$(BIN)/ocrhive languages install $(LANGUAGES))
	$(BIN)/ocrhive serve

check: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/mypy

test: check
	scripts/test-system-deps.sh
	$(BIN)/pytest -q

unit: $(STAMP)
	$(BIN)/pytest -q tests/unit

# issue 9's measures in one run (~1 h on 2 cores): bare engine, tesseract CLI, live service
bench: $(STAMP)
	scripts/bench-system-deps.sh  # the tesseract command (Debian tesseract-ocr) for the CLI peer
	$(BIN)/python -m benchmarks.speed $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
