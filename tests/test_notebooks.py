"""Course notebooks are committed executed, titled, clean of errors and warnings.

nbval (run by `make test-notebooks`) re-executes them; this file checks what is committed.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
WALKTHROUGHS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
WARNING = re.compile(r"(Warning|Glyph \d+ .* missing|Traceback)")


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", WALKTHROUGHS, ids=_name)
def test_walkthrough_file_name_is_ascii_and_zero_padded(path):
    assert re.fullmatch(r"\d{2}_[a-z0-9_]+\.ipynb", path.name)


@pytest.mark.parametrize("path", SOLUTIONS, ids=_name)
def test_solutions_file_name_follows_the_pattern(path):
    assert re.fullmatch(r"ch\d{2}_[a-z0-9_]+_solutions\.ipynb", path.name)
    twin = ROOT / "exercises" / path.name.replace("_solutions", "_exercises")
    assert twin.exists(), f"missing {twin.name}: run `make exercises`"


@pytest.mark.parametrize("path", WALKTHROUGHS + SOLUTIONS, ids=_name)
def test_notebook_is_executed_titled_and_clean(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.lstrip().startswith("# "), \
        "the first cell must be the Chinese H1 title"
    assert re.search(r"[\u4e00-\u9fff]", first.source.splitlines()[0])
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert code and all(c.get("execution_count") for c in code), \
        "not executed top to bottom: run `make notebooks`"
    counts = [c.execution_count for c in code]
    assert counts == sorted(counts), "cells were not executed in order"
    for cell in code:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"error output: {out.get('evalue')}"
            if out.get("output_type") == "stream":
                assert not WARNING.search(out.get("text", "")), out["text"][:300]


@pytest.mark.parametrize("path", EXERCISES, ids=_name)
def test_exercise_notebook_has_no_outputs_and_no_solutions(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        assert "### BEGIN SOLUTION" not in cell.source
        if cell.cell_type == "code":
            assert not cell.get("outputs") and cell.get("execution_count") is None
