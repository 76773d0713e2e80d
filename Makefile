# The README's two commands: `make demo` and `make test`. Everything installs into .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.tb_phaseview-installed
FRONTEND_STAMP := frontend/node_modules/.package-lock.json
PYTEST_ARGS ?=

.PHONY: demo test install frontend chromium bench fuzz demo-logs clean

demo: install
	$(VENV)/bin/tensorboard --logdir demo_logs --host 127.0.0.1 --port 6006

test: install chromium
	cd frontend && npm test
	$(PY) -m pytest $(PYTEST_ARGS)

install: $(STAMP) frontend

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): $(PY) setup.py requirements-lock.txt
	$(PIP) install --quiet -r requirements-lock.txt
	TB_PHASEVIEW_FRONTEND_BUILT=1 $(PIP) install --quiet --no-deps -e .
	touch $(STAMP)

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

fuzz: install
	FUZZ_EXAMPLES=2000 $(PY) -m pytest tests/test_fuzz.py $(PYTEST_ARGS)

demo-logs: install
	$(PY) scripts/make_demo_logs.py demo_logs

clean:
	rm -rf $(VENV) frontend/node_modules tb_phaseview/static/*.js tb_phaseview/static/*.map build *.egg-info
