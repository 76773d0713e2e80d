# The README's two commands: `make demo` and `make test`. Everything installs into .venv.
# `make demo` installs only what the tab needs (requirements-runtime-lock.txt); every other target adds the
# development pins (requirements-dev-lock.txt: TensorFlow, the test and lint tools) on top.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
RUNTIME_STAMP := $(VENV)/.tb_phaseview-runtime
DEV_STAMP := $(VENV)/.tb_phaseview-dev
FRONTEND_STAMP := frontend/node_modules/.package-lock.json
PYTEST_ARGS ?=

.PHONY: demo demo-install test lint install frontend chromium bench bench-large fuzz demo-logs clean

demo: demo-install
	$(VENV)/bin/tensorboard --logdir demo_logs --host 127.0.0.1 --port 6006

# The plugin, tensorboard and protobuf, and the built frontend: no TensorFlow.
demo-install: $(RUNTIME_STAMP) frontend

# `lint` first, so a lint or format error fails the run before the slower suites start.
test: lint install chromium
	cd frontend && npm test
	$(PY) -m pytest $(PYTEST_ARGS)

# Runs every check and fails if any failed, so one run lists all the problems.
lint: $(DEV_STAMP) $(FRONTEND_STAMP)
	@status=0; \
	$(VENV)/bin/ruff check . || status=1; \
	$(VENV)/bin/ruff format --check . || status=1; \
	(cd frontend && npm run lint) || status=1; \
	exit $$status

install: $(DEV_STAMP) frontend

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(RUNTIME_STAMP): $(PY) pyproject.toml setup.py requirements-runtime-lock.txt
	$(PIP) install --quiet -r requirements-runtime-lock.txt
	TB_PHASEVIEW_FRONTEND_BUILT=1 $(PIP) install --quiet --no-deps -e .
	touch $(RUNTIME_STAMP)

$(DEV_STAMP): $(RUNTIME_STAMP) requirements-dev-lock.txt
	$(PIP) install --quiet -r requirements-dev-lock.txt
	touch $(DEV_STAMP)

$(FRONTEND_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $(FRONTEND_STAMP)

frontend: $(FRONTEND_STAMP)
	cd frontend && npm run build

chromium:
	@test -x /usr/bin/chromium || { \
	  command -v apt-get >/dev/null || { echo "make test needs Debian's chromium at /usr/bin/chromium"; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

bench: install chromium
	$(PY) benchmarks/run_benchmark.py

# The 1M and 2M rows (opt-in: each sample reads a 220 or 440 MB event file, and the Graphs tab is given 60 s).
bench-large: install chromium
	$(PY) benchmarks/run_benchmark.py --sizes 1M,2M --shapes wide --reps 1 --applications "" \
	  --graphs-tab-timeout 60 --phaseview-timeout 600 --compare-reps 0

fuzz: install
	FUZZ_EXAMPLES=2000 $(PY) -m pytest tests/test_fuzz.py $(PYTEST_ARGS)

demo-logs: install
	$(PY) scripts/make_demo_logs.py demo_logs

clean:
	rm -rf $(VENV) frontend/node_modules tb_phaseview/static/*.js tb_phaseview/static/*.map build *.egg-info
