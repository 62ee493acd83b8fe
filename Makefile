# Two commands: `make run` and `make test`. Each bootstraps what it needs.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench load setup browser node clean

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

bench: $(VENV)/.bench
	HF_HUB_OFFLINE=1 $(PY) bench/run_all.py

# Five minutes of mixed load on loopback (needs PostgreSQL and Redis; see bench/bench_load.py).
load: $(VENV)/.bench
	HF_HUB_OFFLINE=1 $(PY) bench/bench_load.py

clean:
	rm -rf $(VENV) data .pytest_cache node_modules
