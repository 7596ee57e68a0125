# Two commands do everything: `make book` and `make test`. Both create the virtual
# environment in .venv from requirements.txt on first use.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
JB_BUILD := $(BIN)/jupyter-book build . -W -n --keep-going

.PHONY: help env book test unit notebooks student lab clean answer-key

help:
	@echo "make book       build the HTML book into _build/html (executes every notebook)"
	@echo "make test       strict book build, then unit tests, doctests, nbval on every notebook and browser tests"
	@echo "make unit       only the unit tests and doctests (quick)"
	@echo "make notebooks  re-execute every notebook in place and save its outputs"
	@echo "make student    write the student edition (solutions removed, outputs cleared) to student/"
	@echo "make answer-key WORLD=path  run every notebook, solutions included, on that world into answer-key/"
	@echo "make lab        open JupyterLab on the notebooks"
	@echo "make clean      remove the build and caches (keeps .venv)"

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: '$(PYTHON)' not found. Install Python 3.11, or run e.g. 'make $(MAKECMDGOALS) PYTHON=python3'." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "error: Python 3.11 or newer is required ($(PYTHON) is older)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

env: $(STAMP)

$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $(TEST_STAMP)

book: env
	$(JB_BUILD)

test: env $(TEST_STAMP)
	$(JB_BUILD) --all  # every page rewritten, so no page keeps a stale sidebar
	$(BIN)/python -m pytest --nbval

unit: env $(TEST_STAMP)
	$(BIN)/python -m pytest tests genshare -m "not browser and not slow"

notebooks: env
	cd notebooks && for nb in *.ipynb; do ../$(BIN)/jupyter-execute --inplace --timeout=300 "$$nb" || exit 1; done

student: env
	$(BIN)/python -m genshare.teaching --out student --force

# The answer key for a fresh world: every notebook (solutions included) executed against
# WORLD (a folder written by `python -m genshare.cohort --seed N --out WORLD`), saved to
# answer-key/, plus HTML when nbconvert is installed.
answer-key: env
	@test -n "$(WORLD)" || { echo "usage: make answer-key WORLD=path/to/world (write one with: python -m genshare.cohort --seed N --out path/to/world)" >&2; exit 1; }
	@test -f "$(WORLD)/datapackage.json" || { echo "error: '$(WORLD)' is not a synthetic world (no datapackage.json); write one with: python -m genshare.cohort --seed N --out $(WORLD)" >&2; exit 1; }
	rm -rf answer-key && mkdir -p answer-key
	cp notebooks/*.ipynb answer-key/
	for nb in answer-key/*.ipynb; do \
		GENSHARE_WORLD="$(abspath $(WORLD))" PYTHONPATH="$(CURDIR)" $(abspath $(BIN))/jupyter-execute --inplace --timeout=300 "$$nb" || exit 1; \
	done
	@if $(BIN)/python -c "import nbconvert" 2>/dev/null; then \
		$(BIN)/jupyter-nbconvert --to html --log-level=WARN answer-key/*.ipynb; \
	else echo "nbconvert not installed: answer-key/ holds the executed notebooks only"; fi
	@echo "answer key for world $(WORLD) written to answer-key/"

lab: env
	$(BIN)/python -m pip install --quiet jupyterlab
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf _build .pytest_cache
