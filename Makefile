# Entry points. Each target sets up what it needs on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
CORPUS ?= data/corpus
INPUTS ?= data/sample seeds

.DEFAULT_GOAL := help
.PHONY: help setup report test bench lab lint clean ingest

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

setup: $(STAMP)  ## Create .venv, install the package, prepare offline language resources
	@$(PY) -m analysis setup
	@$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (media-coverage-analysis)" >/dev/null

ingest: setup  ## Ingest INPUTS (default: the bundled corpus and the seed) into CORPUS
	$(PY) -m analysis ingest $(INPUTS) --corpus $(CORPUS)

report: ingest  ## Run the coverage report on the bundled corpus (reports/)
	$(PY) -m analysis report --corpus $(CORPUS) $(REPORT_ARGS)

test: setup  ## Run the test suite (installs chromium for the report browser test when it can)
	@sh tests/ensure_chromium.sh
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup  ## Run the benchmarks and write benchmarks/results/
	$(PY) -m benchmarks $(BENCH_ARGS)

# JupyterLab refuses to start as root (containers) without --allow-root
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: setup  ## Open JupyterLab on notebooks/ (options: LAB_ARGS="--port 9999 --no-browser")
	$(VENV)/bin/jupyter lab notebooks/ $(ROOT_ARGS) $(LAB_ARGS)

lint: setup  ## Check style with ruff
	$(VENV)/bin/ruff check analysis tests benchmarks

clean:  ## Remove generated reports and the ingested sample corpus (keeps .venv)
	rm -rf $(CORPUS) reports/*/ reports/index.html
