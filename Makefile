# Two commands: `make run` and `make test`. Each bootstraps what it needs.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench bench-label-studio load setup browser node clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch is pinned in the same command: the CPU wheel; an unpinned resolve pulls a CUDA build.
	$(PY) -m pip install --quiet "torch==2.13.0" -e ".[test]"
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	@bin/run-embedded

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

# anvil, the EVM node of the settlement tests, from npm (the binary ships inside the package).
NODE_STAMP := node_modules/.package-lock.json
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for anvil (the settlement tests' EVM node): apt-get install npm"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $(NODE_STAMP)

node: $(NODE_STAMP)

test: $(STAMP) browser node
	HF_HUB_OFFLINE=1 $(PY) -m pytest $(PYTEST_ARGS)

$(VENV)/.bench: $(STAMP)
	$(PY) -m pip install --quiet "torch==2.13.0" -e ".[test,bench]"
	@touch $@

# Label Studio, the labelling tool whose JSON import is bench/bench_ingest.py's baseline, in a
# virtualenv of its own (its Django and dependencies are not ours); psycopg2 for its PostgreSQL run.
LS_VENV := .cache/label-studio
$(LS_VENV)/.installed:
	@test -x $(LS_VENV)/bin/python || $(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/python -m pip install --quiet "label-studio==1.23.2" "psycopg2-binary>=2.9,<3"
	@touch $@

bench-label-studio: $(LS_VENV)/.installed

bench: $(VENV)/.bench bench-label-studio
	HF_HUB_OFFLINE=1 $(PY) bench/run_all.py

# Five minutes of mixed load on loopback (needs PostgreSQL and Redis; see bench/bench_load.py).
load: $(VENV)/.bench
	HF_HUB_OFFLINE=1 $(PY) bench/bench_load.py

clean:
	rm -rf $(VENV) data .pytest_cache node_modules
