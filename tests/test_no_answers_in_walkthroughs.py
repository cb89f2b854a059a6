"""A walkthrough must not print the answer of the exercise that follows it.

Each chapter's walkthrough (notebooks/NN_*.ipynb) teaches a method on one slice of the data
(a year, channel, category, crowd or window) and the graded exercise asks for the same method
on another slice. This test computes every chapter exercise's expected answer on the course
shop, takes its distinctive figures and looks for them, printed the way pandas or an f-string
would print them, in the outputs of the same chapter's walkthrough.

Chapter 0 is left out: notebooks/00_start_here.ipynb is the onboarding notebook, where the
learner's first answers (the shop's size, 客单价) are the facts it introduces.

Run with ``-s`` to see the collisions listed.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

# A printed number: 1,234.5 / 0.2345 / 23.45%; not part of an id, a date or a longer number.
PRINTED = re.compile(r"(?<![\w.\-:/])(-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)(?![\w:/\-]|\.\d)"
                     r"(\s*%)?")
MAX_FIGURES = 12  # a few cells of a table are enough to tell whether it was printed


def _significant_digits(x: float) -> int:
    digits = f"{abs(x):.10g}".replace(".", "").lstrip("0").rstrip("0")
    return len(digits)


def _is_distinctive(x: float) -> bool:
    """Small whole numbers and round numbers (0, 1, 0.5, 0.25, 1200 …) occur everywhere."""
    if not math.isfinite(x) or x == 0:
        return False
    if float(x).is_integer() and abs(x) < 100:
        return False
    return _significant_digits(x) >= 3


def _numbers(value) -> list[float]:
    """The numeric figures of an answer: a scalar, a dict's or Series' values, table cells."""
    if isinstance(value, (bool, np.bool_, str)) or value is None:
        return []
    if isinstance(value, (int, float, np.integer, np.floating)):
        return [float(value)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _numbers(v)]
    if isinstance(value, pd.Series):
        if not pd.api.types.is_numeric_dtype(value) or pd.api.types.is_bool_dtype(value):
            return []
        return [float(v) for v in value.dropna()]
    if isinstance(value, pd.DataFrame):
        numeric = value.select_dtypes("number").select_dtypes(exclude="bool")
        return [float(v) for v in numeric.to_numpy().ravel() if pd.notna(v)]
    if isinstance(value, (list, tuple)) and all(
            isinstance(v, (int, float, np.integer, np.floating)) for v in value):
        return [float(v) for v in value]
    return []  # sets of ids, labels: not figures


@lru_cache(maxsize=None)
def _glossary_figures() -> frozenset[float]:
    """Figures of the glossary and textbook facts: shared by design, not answers."""
    from crmkit import glossary

    text = Path(glossary.__file__).read_text(encoding="utf-8")
    return frozenset(float(m.group(1).replace(",", "")) for m in PRINTED.finditer(text))


def distinctive_figures(answer) -> list[float]:
    figures = []
    for x in _numbers(answer):
        if _is_distinctive(x) and x not in _glossary_figures() and x not in figures:
            figures.append(x)
    if len(figures) > MAX_FIGURES:  # a big table: its largest cells (totals) and a spread
        by_size = sorted(figures, key=abs, reverse=True)
        step = max(1, len(by_size) // MAX_FIGURES)
        figures = sorted(set(by_size[:MAX_FIGURES // 2] + by_size[::step][:MAX_FIGURES // 2]),
                         key=figures.index)
    return figures


def _output_texts(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            parts.append("".join(out["text"]))
        for kind, value in out.get("data", {}).items():
            if kind in ("text/plain", "text/html", "text/markdown"):
                parts.append("".join(value) if isinstance(value, list) else str(value))
    return "\n".join(parts)


def printed_numbers(text: str):
    """(token, value, decimals, is_percent) for every number in an output text."""
    for m in PRINTED.finditer(text):
        token = m.group(1)
        plain = token.replace(",", "")
        decimals = len(plain.split(".")[1]) if "." in plain else 0
        yield token + ("%" if m.group(2) else ""), float(plain), decimals, bool(m.group(2))


def shows(figure: float, value: float, decimals: int, percent: bool) -> bool:
    """Whether a printed number is `figure` as pandas or an f-string would print it.

    A whole figure must be printed whole (347, 1,234); any other figure with at least one
    decimal (0.2345, 1234.50) or as a percentage with at least one decimal (23.4%), with at
    least three significant digits shown, so that 0.23 or 23% never count as a print of 0.2345.
    """
    if _significant_digits(value) < 3 and not (figure.is_integer() and value == figure):
        return False
    target = figure * 100 if percent else figure
    if figure.is_integer() and not percent:
        return value == figure
    if decimals == 0:
        return False
    return math.isclose(round(target, decimals), value, rel_tol=0, abs_tol=10 ** -(decimals + 3))


def walkthrough(chapter: str) -> Path | None:
    found = sorted(NOTEBOOKS.glob(f"{int(chapter):02d}_*.ipynb"))
    return found[0] if found else None


def collisions(ex, shop) -> list[str]:
    path = walkthrough(ex.id.split(".")[0])
    if path is None:
        return []
    figures = distinctive_figures(ex.expected(shop))
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        for token, value, decimals, percent in printed_numbers(_output_texts(cell)):
            for figure in figures:
                if shows(figure, value, decimals, percent):
                    found.append(f"练习 {ex.id}：答案中的 {figure:g} 出现在 {path.name} "
                                 f"单元格 {index}（{cell.get('id', '')}）的输出里，显示为 {token}")
    return sorted(set(found))


def _chapter_exercises():
    from crmkit.grading.declare import all_exercises

    return [pytest.param(ex, id=ex_id) for ex_id, ex in all_exercises().items()
            if not ex_id.startswith(("demo.", "0."))]


@pytest.fixture(scope="module")
def course_shop():
    from crmkit.shop import pristine_shop

    return pristine_shop(None)


def test_figure_extraction_and_matching():
    assert distinctive_figures(0.2345) == [0.2345]
    assert distinctive_figures({"a": 0.5, "b": 1234.5, "c": 12}) == [1234.5]
    assert shows(0.2345, 0.2345, 4, False) and shows(0.2345, 23.4, 1, True)
    assert shows(0.2345, 23.45, 2, True) and shows(1234.5, 1234.5, 1, False)
    assert not shows(0.2345, 0.23, 2, False) and not shows(0.2345, 23.0, 0, True)
    assert shows(347.0, 347.0, 0, False) and not shows(347.0, 347.4, 1, False)
    tokens = [t for t, *_ in printed_numbers("客单价 1,234.50 元，占比 23.45%，订单 2025-07-01")]
    assert tokens == ["1,234.50", "23.45%"]


@pytest.mark.parametrize("ex", _chapter_exercises())
def test_walkthrough_does_not_print_the_answer(ex, course_shop):
    found = collisions(ex, course_shop)
    for line in found:
        print(line)
    assert not found, "讲解笔记本打印了练习的答案，请换一个切片讲解：\n" + "\n".join(found)
