# Two commands on a fresh machine:
#   make lab   - set up .venv (if needed) and open the course in JupyterLab
#   make test  - set up .venv (if needed) and run every test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.crmkit-installed
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
LAB_PORT ?= 8888

.PHONY: setup lab test test-fast data check-data benchmarks lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check uv || true
	@if [ -x $(VENV)/bin/uv ]; then \
		$(VENV)/bin/uv pip install -q --python $(PY) -e '.[dev]'; \
	else \
		$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'; \
	fi
	@touch $(STAMP)
	@echo "环境已就绪：$(VENV)"

lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --port=$(LAB_PORT) $(ROOT_FLAG)

test: setup
	$(PY) -m pytest -q

# Regenerate the committed course shop in datasets/ (deterministic: same seed, same bytes).
data: setup
	$(PY) -m crmkit.cli generate --course --out datasets

benchmarks: setup
	$(PY) benchmarks/bench_generate.py

lint: setup
	$(VENV)/bin/ruff check crmkit tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
