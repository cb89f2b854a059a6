# Two commands on a fresh machine:
#   make lab   - set up .venv (if needed) and open the course in JupyterLab (Chinese UI)
#   make test  - system packages (Linux), set up .venv (if needed), ruff and every test
# Set-up itself lives in course.py (standard library only), which Windows learners run directly:
#   python course.py lab / python course.py test
PYTHON ?= python3
COURSE := $(PYTHON) course.py
# Path of a program inside .venv, for the maintenance targets below.
VENV_BIN := $(shell $(PYTHON) -c "import os; print('.venv/Scripts' if os.name == 'nt' else '.venv/bin')" 2>/dev/null || echo .venv/bin)
PY := $(VENV_BIN)/python
LAB_PORT ?= 8888
export LAB_PORT

.PHONY: setup lab test test-unit test-notebooks system-deps notebooks exercises data benchmarks lint clean

setup:
	@$(COURSE) setup

# Serves the repository (notebooks/, exercises/, datasets/) and opens the start page.
lab:
	@$(COURSE) lab

# system packages (bubblewrap, fonts-noto-cjk, chromium) where possible, then ruff, unit tests
# and notebooks (nbval: solutions must reproduce their outputs, the rest must run).
test:
	@$(COURSE) test

test-unit:
	@$(COURSE) test unit

test-notebooks:
	@$(COURSE) test notebooks

lint:
	@$(COURSE) test lint

system-deps:
	@bash scripts/system_deps.sh

# Execute every walkthrough and solutions notebook in place, then rebuild exercises/.
notebooks: setup
	$(PY) scripts/run_notebooks.py $(NB)
	$(PY) -m crmkit.cli build-exercises

exercises: setup
	$(PY) -m crmkit.cli build-exercises

# Regenerate the committed course shop in datasets/ (deterministic: same seed, same bytes).
data: setup
	$(PY) -m crmkit.cli generate --course --out datasets

benchmarks: setup
	$(PY) benchmarks/bench_generate.py
	$(PY) benchmarks/bench_analysis.py
	$(PY) benchmarks/bench_grading.py
	$(PY) benchmarks/bench_check.py

clean:
	rm -rf .venv .pytest_cache .hypothesis
