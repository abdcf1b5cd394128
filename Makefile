# The only entry points of *Gradients*. `make book` builds the site; `make test` runs everything CI runs.
# Both create .venv and install the pinned requirements when needed (again only if requirements change).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV    := .venv
BIN     := $(VENV)/bin
PY      := $(BIN)/python
STAMP   := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard book/[0-9][0-9]_*.ipynb))
JB_BUILD  := $(BIN)/jupyter-book build .
export PYTHONHASHSEED := 0
# Keep the kernels on one thread each: two notebooks run in parallel on two cores.
export OMP_NUM_THREADS := 1

.PHONY: help install book test lint unit nbval exercises-test site site-test bench lab serve clean strip \
        exercises nb chromium screenshots

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

# --------------------------------------------------------------------------- install
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install the pinned requirements and helpers (editable)

chromium:  ## install Debian's chromium for the site tests, if missing
	@command -v chromium >/dev/null || { apt-get update -q && apt-get install -y -q chromium; }

# --------------------------------------------------------------------------- book
# jupyter-cache keys notebooks by their code cells only: when helpers/ or the extension change,
# drop the cache so the next build re-executes every notebook (tools/cache_guard.py).
book: $(STAMP)  ## build the site into _build/html (executes notebooks, with cache)
	$(PY) tools/cache_guard.py
	$(JB_BUILD)
	@echo "Site: _build/html/index.html"

site: $(STAMP)  ## build the site from a clean _build with warnings as errors
	rm -rf _build
	$(PY) tools/cache_guard.py
	$(JB_BUILD) -W -n --keep-going

# --------------------------------------------------------------------------- tests
lint: $(STAMP)  ## ruff on helpers, tests, tools and notebooks
	$(BIN)/ruff check helpers tests tools book

unit: $(STAMP)  ## unit tests of helpers (with doctests) and repository/notebook-structure tests
	$(BIN)/pytest -q tests helpers --ignore=tests/site --ignore=tests/test_exercises_run.py -n 2

nbval: $(STAMP)  ## run every cell of every chapter (nbval, two kernels at a time)
	$(BIN)/pytest -q -p no:cacheprovider --nbval-lax -n 2 --dist loadfile $(NOTEBOOKS)

exercises-test: $(STAMP)  ## execute every student copy: each check must fail on its stub
	$(BIN)/pytest -q tests/test_exercises_run.py -n 2

site-test: $(STAMP) chromium  ## tests over the built site (links, alt text, Binder links, headless Chromium)
	$(BIN)/pytest -q tests/site

test: $(STAMP) chromium  ## everything CI runs: lint, unit, nbval, exercises, clean -W build, site tests
	@start=$$(date +%s); t() { echo "[make test] $$1 passed in $$(( $$(date +%s) - start )) s"; start=$$(date +%s); }; \
	$(MAKE) --no-print-directory lint; t lint; \
	$(MAKE) --no-print-directory unit; t unit; \
	$(MAKE) --no-print-directory nbval; t nbval; \
	$(MAKE) --no-print-directory exercises-test; t exercises; \
	$(MAKE) --no-print-directory site; t "site build"; \
	$(MAKE) --no-print-directory site-test; t "site tests"

nb: $(STAMP)  ## nbval on one notebook: make nb NB=book/03_gradients.ipynb
	$(BIN)/pytest -q -p no:cacheprovider --nbval-lax $(NB)

bench: $(STAMP)  ## timing tables: notebooks vs import floors, numdiff vs autograd
	$(PY) tools/bench.py

screenshots: $(STAMP) chromium  ## full-page screenshots of the built site (light, dark, narrow) in _build/screenshots
	$(PY) tools/screenshots.py

# --------------------------------------------------------------------------- reader tools
exercises: $(STAMP)  ## write student copies of every chapter to exercises/
	$(PY) tools/make_exercises.py $(NOTEBOOKS) --out exercises

lab: $(STAMP) exercises  ## open JupyterLab on the book
	$(BIN)/jupyter lab --notebook-dir=.

serve:  ## serve the built site on http://localhost:8000
	@test -d _build/html || { echo "no site yet: run 'make book' first"; exit 1; }
	$(PY) -m http.server --directory _build/html 8000

strip: $(STAMP)  ## remove outputs from every notebook (they are committed without)
	$(PY) tools/strip_outputs.py book/*.ipynb

clean:  ## remove the built site, caches and student copies (keeps .venv)
	rm -rf _build exercises .pytest_cache .hypothesis .ruff_cache
