# Two commands on a fresh machine:
#   make lab   - set up .venv (if needed) and open the course in JupyterLab
#   make test  - set up .venv (if needed) and run every test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.crmkit-installed
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
LAB_PORT ?= 8888
LAB_START := $(wildcard notebooks/00_start_here.ipynb)

.PHONY: setup lab test test-unit test-notebooks notebooks exercises data benchmarks lint clean

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

# Serves the repository (notebooks/, exercises/, datasets/) and opens the start page.
lab: setup
	$(VENV)/bin/jupyter lab --port=$(LAB_PORT) $(ROOT_FLAG) $(LAB_START)

test: test-unit test-notebooks

test-unit: setup
	$(PY) -m pytest -q

# nbval: solutions must reproduce their committed outputs (so a check that stops printing
# "✅ 正确" fails); walkthroughs and exercises must run without errors.
test-notebooks: setup
	@if ls solutions/*.ipynb >/dev/null 2>&1; then \
		$(PY) -m pytest -q -p no:cacheprovider --nbval --nbval-current-env \
			--nbval-sanitize-with tests/nbval_sanitize.cfg solutions; fi
	@if ls notebooks/*.ipynb exercises/*.ipynb >/dev/null 2>&1; then \
		$(PY) -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env \
			$$(ls notebooks/*.ipynb exercises/*.ipynb 2>/dev/null); fi

# Execute every walkthrough and solutions notebook in place, then rebuild exercises/.
notebooks: setup
	$(PY) scripts/run_notebooks.py $(NB)
	$(VENV)/bin/crmkit build-exercises

exercises: setup
	$(VENV)/bin/crmkit build-exercises

# Regenerate the committed course shop in datasets/ (deterministic: same seed, same bytes).
data: setup
	$(PY) -m crmkit.cli generate --course --out datasets

benchmarks: setup
	$(PY) benchmarks/bench_generate.py
	$(PY) benchmarks/bench_analysis.py
	$(PY) benchmarks/bench_grading.py

lint: setup
	$(VENV)/bin/ruff check crmkit tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
