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
# The repository the site's buttons point to (tools/repo_identity.py): Actions' GITHUB_REPOSITORY, else a GitHub
# `origin`, else these overrides: make book REPO=owner/name BRANCH=main [HUB=https://hub.url]; REPO=none: none.
ifneq ($(origin REPO),undefined)
export GRADIENTS_REPO := $(REPO)
endif
ifneq ($(origin BRANCH),undefined)
export GRADIENTS_BRANCH := $(BRANCH)
endif
ifneq ($(origin HUB),undefined)
export GRADIENTS_JUPYTERHUB_URL := $(HUB)
endif
# The second, fast site build that `make site-variant` renders from the same notebook cache: the other
# identity than the main build (none if the main build has a repository, else this test fixture).
VARIANT_DIR    := _build/variant
VARIANT_REPO   := test-owner/test-fork
VARIANT_BRANCH := variant-branch
# Keep the kernels on one thread each: two notebooks run in parallel on two cores.
export OMP_NUM_THREADS := 1

.PHONY: help install book test lint format unit nbval exercises-test site site-variant site-test bench lab lab-test binder-check serve clean \
        strip exercises nb chromium playwright-chromium screenshots identity texlive pdf pdf-test mathjax

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

# --------------------------------------------------------------------------- install
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install the pinned requirements and helpers (editable)

# The browser is found in one place, tools/browser.py: $$GRADIENTS_CHROMIUM, else `chromium` on PATH, else
# Playwright's bundled Chromium. `make chromium` installs Debian's only when none of those is there.
chromium: $(STAMP)  ## a Chromium for the site tests: Debian's (apt-get), unless one is already found
	@$(PY) tools/browser.py >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q chromium; }
	@echo "browser: $$($(PY) tools/browser.py)"

playwright-chromium: $(STAMP)  ## Playwright's own Chromium and its system libraries (what GitHub Actions uses)
	$(BIN)/playwright install --with-deps chromium
	@echo "browser: $$($(PY) tools/browser.py)"

# TeX Live for `make pdf` (xelatex through latexmk, the LaTeX packages Sphinx and sphinx-jupyterbook-latex load,
# the FreeSerif/FreeSans/FreeMono fonts of Sphinx's xelatex setup) and poppler-utils for `make pdf-test`, from
# Debian, only when missing. Without recommends: about 390 MB installed, under 2 minutes (bbm, for which
# texlive-fonts-extra, over 1 GB, would be needed, is stood in for by tools/latex/bbm.sty).
ROOT_CMD := $(if $(filter 0,$(shell id -u)),,sudo)  # root here; sudo on a GitHub runner
TEXLIVE := latexmk texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
           fonts-freefont-otf poppler-utils
texlive:  ## TeX Live (xelatex) and poppler-utils for the PDF: Debian's (apt-get), unless already installed
	@dpkg -s $(TEXLIVE) >/dev/null 2>&1 || { $(ROOT_CMD) apt-get update -q && \
	  $(ROOT_CMD) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(TEXLIVE); }
	@echo "TeX: $$(xelatex --version | head -1)"

identity: $(STAMP)  ## print the repository, branch and Pages URL the site's buttons will use
	@$(PY) tools/repo_identity.py

# --------------------------------------------------------------------------- book
# MathJax 4 is served from the site itself: npm ci of the pinned lock file into _build/npm (kept by `make site`);
# tools/book_extensions.py copies it into _static/mathjax. Elsewhere: GRADIENTS_NPM=/path/with/node_modules.
NPM_DIR := _build/npm
MATHJAX := $(NPM_DIR)/node_modules/mathjax/package.json
$(MATHJAX): tools/npm/package.json tools/npm/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for MathJax 4 (apt-get install npm)"; exit 1; }
	@mkdir -p $(NPM_DIR)
	cp tools/npm/package.json tools/npm/package-lock.json $(NPM_DIR)/
	npm ci --prefix $(NPM_DIR) --ignore-scripts --no-audit --no-fund
	@touch $@

mathjax: $(MATHJAX)  ## MathJax 4 and its font from npm (pinned: tools/npm/package-lock.json) into _build/npm

# jupyter-cache keys notebooks by their code cells only: when helpers/ or the extension change,
# drop the cache so the next build re-executes every notebook (tools/cache_guard.py).
# Notebooks are executed in parallel into the cache first (tools/prefill_cache.py: one kernel per core, a
# failing cell fails it), so the build itself only renders; the log check proves every page came from the cache.
book: $(STAMP) $(MATHJAX)  ## build the site into _build/html (executes changed notebooks in parallel, with cache)
	$(PY) tools/repo_identity.py >/dev/null
	$(PY) tools/cache_guard.py
	$(PY) tools/prefill_cache.py
	$(JB_BUILD)
	@echo "Site: _build/html/index.html"

site: $(STAMP) $(MATHJAX)  ## build the site with warnings as errors (a fresh _build but the guarded notebook cache)
	$(PY) tools/repo_identity.py >/dev/null
	find _build -mindepth 1 -maxdepth 1 ! -name .jupyter_cache ! -name .cache-source-hash ! -name npm -exec rm -rf {} + \
	  2>/dev/null || true
	$(PY) tools/cache_guard.py
	$(PY) tools/prefill_cache.py
	$(JB_BUILD) -W -n --keep-going 2>&1 | tee _build/site-build.log
	$(PY) tools/prefill_cache.py --verify-log _build/site-build.log

site-variant: $(STAMP) $(MATHJAX)  ## after `make site`: the other identity's build (no repository, or a test one) from the cache
	rm -rf $(VARIANT_DIR)
	@mkdir -p $(VARIANT_DIR)
	if [ "$$($(PY) -c 'import sys; sys.path.insert(0, "tools"); import repo_identity as r; print(bool(r.resolve()))')" = True ]; \
	then export GRADIENTS_REPO=none; \
	else export GRADIENTS_REPO=$(VARIANT_REPO) GRADIENTS_BRANCH=$(VARIANT_BRANCH); fi; \
	$(JB_BUILD) -W -n --keep-going --path-output $(VARIANT_DIR) > $(VARIANT_DIR)/build.log 2>&1 \
	  || { tail -40 $(VARIANT_DIR)/build.log; exit 1; }
	$(PY) tools/prefill_cache.py --verify-log $(VARIANT_DIR)/build.log

# The whole book as one PDF, typeset by xelatex from the same notebook cache as the site (the log check proves
# no notebook was executed again; after a site build the pages are not even re-read: the HTML and LaTeX builds
# share _build/.doctrees). Into _build/latex/gradients.pdf, and copied into _build/html when there is a
# site, which links it (intro page, download menu): after `make site`, which empties _build, run `make pdf` again.
pdf: $(STAMP) texlive  ## the book as one PDF (_build/latex/gradients.pdf, copied into the site) from the notebook cache
	$(PY) tools/cache_guard.py
	$(PY) tools/prefill_cache.py
	$(JB_BUILD) --builder pdflatex > _build/pdf-build.log 2>&1 || { tail -60 _build/pdf-build.log; exit 1; }
	@if grep -E '\.ipynb: Executing notebook' _build/pdf-build.log; then \
	  echo "the PDF build executed notebooks: it must only render from the cache"; exit 1; fi
	@if [ -d _build/html ]; then cp _build/latex/gradients.pdf _build/html/gradients.pdf; fi
	@echo "PDF: _build/latex/gradients.pdf ($$(pdfinfo _build/latex/gradients.pdf | sed -n 's/^Pages: *//p') pages)"

# --------------------------------------------------------------------------- tests
lint: $(STAMP)  ## ruff on helpers, tests, tools and notebooks; the notebooks' code must be formatted (88 columns)
	$(BIN)/ruff check helpers tests tools book
	$(BIN)/ruff format --check book

format: $(STAMP)  ## format the notebooks' code to the 88 columns the site's column shows (book/ruff.toml)
	$(BIN)/ruff check --fix --select I book
	$(BIN)/ruff format book

unit: $(STAMP)  ## unit tests of helpers (with doctests) and repository/notebook-structure tests
	$(BIN)/pytest -q tests helpers --ignore=tests/site --ignore=tests/lab --ignore=tests/pdf --ignore=tests/test_exercises_run.py -n 2

nbval: $(STAMP)  ## run every cell of every chapter (nbval, two kernels at a time)
	$(BIN)/pytest -q -p no:cacheprovider --nbval-lax -n 2 --dist loadfile $(NOTEBOOKS)

exercises-test: $(STAMP)  ## execute every student copy: each check must fail on its stub
	$(BIN)/pytest -q tests/test_exercises_run.py -n 2

lab-test: $(STAMP) chromium  ## JupyterLab in headless Chromium: MyST renders, macros typeset, a chapter runs (tests/lab)
	$(BIN)/pytest -q tests/lab

binder-check: $(STAMP)  ## build binder/'s environment in a fresh venv as repo2docker would, then run chapters in it
	$(PY) tools/binder_check.py

pdf-test: $(STAMP) texlive  ## tests over the PDF (titles in order, references, math, theorems, figures)
	@test -f _build/latex/gradients.pdf || { echo "no PDF: run 'make pdf' first"; exit 1; }
	$(BIN)/pytest -q tests/pdf

# One process, not two workers: one Chromium rendering a chapter page already keeps both cores busy (MathJax,
# axe-core, the compositor), and two measured 1.5x slower than one (tests/site/conftest.py says more).
site-test: $(STAMP) chromium  ## tests over the built sites (links, buttons, alt text, headless Chromium), one browser
	$(BIN)/pytest -q tests/site -p no:xdist

test: $(STAMP) chromium texlive  ## everything CI runs: lint, unit, nbval, exercises, clean -W build, PDF, site tests
	@start=$$(date +%s); t() { echo "[make test] $$1 passed in $$(( $$(date +%s) - start )) s"; start=$$(date +%s); }; \
	$(MAKE) --no-print-directory lint; t lint; \
	$(MAKE) --no-print-directory unit; t unit; \
	$(MAKE) --no-print-directory nbval; t nbval; \
	$(MAKE) --no-print-directory exercises-test; t exercises; \
	find _build -mindepth 1 -maxdepth 1 ! -name npm -exec rm -rf {} + 2>/dev/null || true; \
	$(MAKE) --no-print-directory site; t "site build"; \
	$(MAKE) --no-print-directory pdf; t "pdf build"; \
	$(MAKE) --no-print-directory pdf-test; t "pdf tests"; \
	$(MAKE) --no-print-directory site-variant; t "site variant build"; \
	$(MAKE) --no-print-directory site-test; t "site tests"; \
	$(MAKE) --no-print-directory lab-test; t "lab test"; \
	$(MAKE) --no-print-directory binder-check; t "binder check"

nb: $(STAMP)  ## nbval on one notebook: make nb NB=book/03_gradients.ipynb
	$(BIN)/pytest -q -p no:cacheprovider --nbval-lax $(NB)

# `make bench` runs `make test` first (clean _build) and prints its stage times as ratios to its nbval step
# (budgets: make test <= 4x, clean site build <= 1.3x), then the tables. BENCH=--only-ci: the ratios alone.
BENCH ?= --ci
bench: $(STAMP)  ## CI stage times / nbval (runs make test), then notebooks vs import floors, numdiff vs autograd
	$(PY) tools/bench.py $(BENCH)

screenshots: $(STAMP) chromium  ## full-page screenshots of the built site (light, dark, narrow) in _build/screenshots
	$(PY) tools/screenshots.py

# --------------------------------------------------------------------------- reader tools
exercises: $(STAMP)  ## write student copies of every chapter to exercises/
	$(PY) tools/make_exercises.py $(NOTEBOOKS) --out exercises

lab: $(STAMP) exercises  ## open JupyterLab on the book
	$(BIN)/jupyter lab --notebook-dir=. --config=tools/jupyter_lab_config.py

serve:  ## serve the built site on http://localhost:8000
	@test -d _build/html || { echo "no site yet: run 'make book' first"; exit 1; }
	$(PY) -m http.server --directory _build/html 8000

strip: $(STAMP)  ## remove outputs from every notebook (they are committed without)
	$(PY) tools/strip_outputs.py book/*.ipynb

clean:  ## remove the built site, caches and student copies (keeps .venv)
	rm -rf _build exercises .pytest_cache .hypothesis .ruff_cache
