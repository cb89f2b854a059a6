"""Numbers cited in notebook prose must come from the notebook itself.

Regenerating the shop must never leave stale prose: every figure in a markdown cell (a decimal,
a percentage, a multiple, or a whole number of 100 or more) has to appear in one of the
notebook's outputs or in its code (a threshold the code uses). Textbook facts that are not data
(the credit-level thresholds, a masked phone number …) are listed in FACTS with the reason.
A figure may be cited rounded: 66.54% in an output supports "66.5%" and "67%" in the prose.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "solutions").glob("*.ipynb"))

# A figure: 1,234 / 12.5 / 300; optional % or × (倍) after it.
FIGURE = re.compile(
    r"(?<![\w.,\-*/¥])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w.,*/]|\.\d)\s*(%|×|倍|折)?")
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
# Words before a number that make it a label or a rule, not a figure: a textbook section or an
# exercise number (教材 7.2、练习 3.1), or a coupon rule (满300减50).
LABEL_BEFORE = re.compile(r"(教材|第|§|练习|题|满|减)\s*$")
TEXTBOOK_SECTION = re.compile(r"7\.[1-5](\.\d)?")

# Figures that are facts of the textbook or of the platform, not of the data: (notebook stem, figure)
FACTS: dict[str, str] = {
    "138": "the masking example 138****1234",
    "1234": "the masking example 138****1234",
    "618": "the name of the 618 shopping festival",
    "251": "Taobao buyer credit: 1 diamond from 251 points (platform rule, crmkit.credit)",
    "10,001": "Taobao buyer credit: 1 crown from 10,001 points (platform rule, crmkit.credit)",
    "500,001": "Taobao buyer credit: gold crown from 500,001 points (platform rule, crmkit.credit)",
}


def _texts(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            parts.append("".join(out["text"]))
        for kind, value in out.get("data", {}).items():
            if kind.startswith("text/"):
                parts.append("".join(value) if isinstance(value, list) else str(value))
    return "\n".join(parts)


def _haystack(nb) -> set[float]:
    """Every number shown in an output or written in code, as floats."""
    found: set[float] = set()
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for text in (_texts(cell), "".join(cell["source"])):
            for m in NUMBER.finditer(text):
                try:
                    found.add(float(m.group().replace(",", "")))
                except ValueError:
                    pass
    return found


def _supported(value: float, decimals: int, percent: bool, haystack: set[float]) -> bool:
    candidates = [value / 100, value] if percent else [value]
    for target in candidates:
        for shown in haystack:
            for scale in ((1, 100) if percent else (1,)):
                if round(shown * scale, decimals) == round(target * scale, decimals) and (
                        scale == 1 or target == value / 100):
                    return True
            if round(shown, decimals) == round(target, decimals):
                return True
    return False


def cited_figures(nb):
    """(cell index, figure text, value, decimals, percent) for each figure cited in prose."""
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        for line in "".join(cell["source"]).splitlines():
            if line.lstrip().startswith("#"):
                continue  # headings carry section numbers
            line = re.sub(r"`[^`]*`", "", line)  # code spans are code, not figures
            for m in FIGURE.finditer(line):
                token, unit = m.group(1), m.group(2)
                plain = token.replace(",", "")
                value = float(plain)
                decimals = len(plain.split(".")[1]) if "." in plain else 0
                if unit is None and decimals == 0 and value < 100:
                    continue  # small whole numbers: counts of steps, days, chapters
                if unit is None and decimals == 0 and 1990 <= value <= 2040:
                    continue  # years
                if LABEL_BEFORE.search(line[max(0, m.start() - 4):m.start()]):
                    continue
                if unit is None and TEXTBOOK_SECTION.fullmatch(token):
                    continue  # the textbook is chapter 7: 7.1 … 7.5 are its sections
                if unit == "折":
                    continue  # a discount rate (9.5折) is a rule of the tier design
                if token in FACTS:
                    continue
                yield i, token + (unit or ""), value, decimals, unit == "%"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_cited_figure_comes_from_the_notebook(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    haystack = _haystack(nb)
    stale = [f"单元格 {i}：{text}" for i, text, value, decimals, percent in cited_figures(nb)
             if not _supported(value, decimals, percent, haystack)]
    assert not stale, f"{path.name} 的文字里引用了输出和代码里都找不到的数字：" + "；".join(stale)
