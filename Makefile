# Two commands do everything: `make book` and `make test`. Both create the virtual
# environment in .venv from requirements.txt (the full build/test environment) on first use.
# `make lab` uses the learners' lean run environment instead, in .venv-lab, from the pinned
# binder/requirements.txt (the same as Binder): nothing unpinned is installed at workshop time.

PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
RUN_VENV ?= .venv-lab
RUN_STAMP := $(RUN_VENV)/.installed
JB_BUILD := $(BIN)/jupyter-book build . -W -n --keep-going

.PHONY: help env book lite test lint unit notebooks learner normalise lab check clean answer-key mathjax pdf slides

help:
	@echo "make book       build the HTML book into _build/html (executes every notebook), with its JupyterLite site"
	@echo "make lite       only the JupyterLite site (_build/html/lite: the lessons in the browser, Pyodide kernel, on the lite world of lite/lite_world.py)"
	@echo "make test       strict book build, then unit tests, doctests, nbval on every notebook and browser tests"
	@echo "make lint       ruff and mypy on the package (make test runs it first)"
	@echo "make unit       only the unit tests and doctests (quick)"
	@echo "make notebooks  re-execute every notebook in place and save its outputs"
	@echo "make learner    write the learner edition (what Binder, Colab, the browser and make lab open) to learner/"
	@echo "make normalise  make every notebook's first code cell the canonical Colab/JupyterLite setup cell"
	@echo "make lab        open JupyterLab on the notebooks (lean pinned run environment in .venv-lab)"
	@echo "make check      check that the run environment can run every lesson (python -m genshare.check)"
	@echo "make answer-key WORLD=path  run every notebook, solutions included, on that world into answer-key/"
	@echo "make answer-key COURSE=key LEARNER=id  the same on that learner's own world, plus answer-key/<id>.json (every checked exercise's answer)"
	@echo "make pdf        the learner and instructor PDFs in _build/pdf (PAPER=letter for US Letter)"
	@echo "make slides     one reveal.js slide deck per part in _build/slides (offline; add ?print-pdf to print)"
	@echo "make mathjax    copy the pinned MathJax into _vendor/mathjax (make book and make test do it first)"
	@echo "make clean      remove the build and caches (keeps .venv)"

define check_python
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: '$(PYTHON)' not found. Install Python 3.11, or run e.g. 'make $(MAKECMDGOALS) PYTHON=python3'." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "error: Python 3.11 or newer is required ($(PYTHON) is older)." >&2; exit 1; }
endef

$(STAMP): requirements.txt pyproject.toml setup.py
	$(check_python)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

env: $(STAMP)

$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $(TEST_STAMP)

LITE_STAMP := $(VENV)/.installed-lite

$(LITE_STAMP): $(STAMP) lite/requirements-build.txt
	$(BIN)/python -m pip install --quiet -r lite/requirements-build.txt
	touch $(LITE_STAMP)

# MathJax, pinned (genshare/kit/vendor.py), copied into _vendor/mathjax from the npm registry
# with npm: the book serves it itself, so an offline copy renders its formulas.
MATHJAX := _vendor/mathjax/.vendored

$(MATHJAX): $(STAMP) genshare/kit/vendor.py
	$(BIN)/python -m genshare.kit.vendor mathjax _vendor/mathjax
	touch $@

mathjax: $(MATHJAX)

book: env $(LITE_STAMP) $(MATHJAX)
	$(JB_BUILD)
	$(BIN)/python lite/build.py

lite: env $(LITE_STAMP)
	$(BIN)/python lite/build.py

# One reveal.js deck per part (genshare/kit/slides.py) in _build/slides, with reveal.js 5.2.1
# (pinned, from the npm registry) beside them: open part-1.html offline; ?print-pdf to print.
slides: env
	$(BIN)/python -m genshare.kit.slides --out _build/slides

# The printable editions (genshare/kit/printable.py): the built book printed by headless
# Chromium into _build/pdf/genomic-data-sharing-learner.pdf (lessons and exercises, no
# solutions) and -instructor.pdf (guide, notes, every solution). PAPER=letter for US Letter.
PAPER ?= a4

pdf: book
	$(BIN)/python -m genshare.kit.printable --html _build/html --out _build/pdf --paper $(PAPER)

test: env $(TEST_STAMP) $(LITE_STAMP) $(MATHJAX) lint
	$(JB_BUILD) --all  # every page rewritten, so no page keeps a stale sidebar
	$(BIN)/python lite/build.py
	$(BIN)/python -m pytest --nbval -n 2 --dist loadfile --durations=25  # two workers, a file each; the slowest 25 listed

# Style and types that a tool keeps: ruff (pyproject.toml [tool.ruff]) and mypy ([tool.mypy]) on the package.
lint: env $(TEST_STAMP)
	$(BIN)/ruff check genshare
	$(BIN)/ruff format --check genshare
	$(BIN)/mypy genshare

unit: env $(TEST_STAMP)
	$(BIN)/python -m pytest tests genshare -m "not browser and not slow"

notebooks: env
	cd notebooks && for nb in *.ipynb; do $(abspath $(BIN))/jupyter-execute --inplace --timeout=300 "$$nb" || exit 1; done
	$(BIN)/python -m genshare.teaching --normalise  # setup cell, hidden solutions, no timestamps
	$(BIN)/python -m genshare.teaching --learner  # the learner edition follows the notebooks

# The learner edition (learner/, committed): plain Markdown, computed sentences shown when run,
# no solutions or outputs. Run after `make notebooks` (and commit package changes first: its
# Colab cell installs the last commit that changed genshare/ or data/).
learner: env
	$(BIN)/python -m genshare.teaching --learner

normalise: env
	$(BIN)/python -m genshare.teaching --normalise

# The learners' environment: binder/requirements.txt installs the pinned lesson packages,
# JupyterLab, jupyterlab-myst and this package (not editable, as on Binder and Colab).
$(RUN_STAMP): binder/requirements.txt pyproject.toml setup.py
	$(check_python)
	$(PYTHON) -m venv $(RUN_VENV)
	$(RUN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(RUN_VENV)/bin/python -m pip install --quiet -r binder/requirements.txt
	touch $(RUN_STAMP)

check: $(RUN_STAMP)
	cd notebooks && ../$(RUN_VENV)/bin/python -m genshare.check
	$(RUN_VENV)/bin/python -m genshare.claims --check  # dated policy claims older than 6 months

lab: check
	$(RUN_VENV)/bin/jupyter lab learner/

# The answer key for a fresh world: every notebook (solutions included) executed against
# WORLD (a folder written by `python -m genshare.cohort --seed N --out WORLD`), rendered as the
# book shows it (plain Markdown, computed values filled in) and saved to answer-key/, with HTML.
#
# With COURSE and LEARNER instead of WORLD, the world is that learner's own world
# (python -m genshare.assignment world: simulated on first use, then cached), and
# answer-key/<learner>-<seed>.json lists the reference answer of every checked exercise.
# It runs in the learners' lean environment (.venv-lab), which it creates on first use.
answer-key: $(RUN_STAMP)
	@set -e; \
	if [ -n "$(strip $(COURSE)$(LEARNER))" ]; then \
		if [ -z "$(strip $(COURSE))" ] || [ -z "$(strip $(LEARNER))" ]; then \
			echo "usage: make answer-key COURSE=key LEARNER=name (both), or make answer-key WORLD=path" >&2; exit 1; fi; \
		world=$$(PYTHONPATH="$(CURDIR)" $(RUN_VENV)/bin/python -m genshare.assignment world --course "$(COURSE)" --learner "$(LEARNER)"); \
	else world="$(WORLD)"; fi; \
	if [ -z "$$world" ]; then \
		echo "usage: make answer-key WORLD=path/to/world, or make answer-key COURSE=key LEARNER=name (write a world with: python -m genshare.cohort --seed N --out path/to/world)" >&2; exit 1; fi; \
	if [ ! -f "$$world/datapackage.json" ]; then \
		echo "error: '$$world' is not a synthetic world (no datapackage.json); write one with: python -m genshare.cohort --seed N --out $$world" >&2; exit 1; fi; \
	world=$$(cd "$$world" && pwd); \
	rm -rf answer-key && mkdir -p answer-key; \
	if [ -n "$(strip $(LEARNER))" ]; then \
		PYTHONPATH="$(CURDIR)" $(RUN_VENV)/bin/python -m genshare.assignment answer-key --course "$(COURSE)" --learner "$(LEARNER)" --out answer-key; fi; \
	cp notebooks/*.ipynb answer-key/; \
	for nb in answer-key/*.ipynb; do \
		GENSHARE_WORLD="$$world" PYTHONPATH="$(CURDIR)" $(abspath $(RUN_VENV))/bin/jupyter-execute --inplace --timeout=300 "$$nb"; \
	done; \
	PYTHONPATH="$(CURDIR)" $(RUN_VENV)/bin/python -m genshare.teaching --render answer-key/*.ipynb; \
	$(RUN_VENV)/bin/jupyter-nbconvert --to html --log-level=WARN answer-key/*.ipynb; \
	echo "answer key for world $$world written to answer-key/"


clean:
	rm -rf _build .pytest_cache build
