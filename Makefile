# patentdesk: `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && echo $$p && break; done)
VENV ?= .venv
PY := $(VENV)/bin/python
HOME_DIR ?= $(CURDIR)/.home/demo
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv install demo demo-load serve test bench check clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	# gold-labelled name benchmarks: only its data files are read, its heavy dependencies are not needed
	$(PY) -m pip install -q --no-deps pv-evaluation==2.1.1
	touch $@

venv install: $(VENV)/.installed

demo-load: install
	$(VENV)/bin/patentdesk ingest --home $(HOME_DIR) data/demo
	$(VENV)/bin/patentdesk embed --home $(HOME_DIR)

demo: demo-load
	$(VENV)/bin/patentdesk serve --home $(HOME_DIR) --host $(HOST) --port $(PORT)

test: install
	scripts/run-tests $(PY)

bench: install
	$(PY) -m bench.run --out bench/results

check: install
	$(PY) -m ruff format --check src tests bench || true
	$(PY) -m ruff check src tests bench

clean:
	rm -rf $(VENV) .home build *.egg-info
