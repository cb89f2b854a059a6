"""Exercise declarations agree with the notebooks, and answers made of parts earn partial credit."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import crmkit as ck
from crmkit.grading import context
from crmkit.grading.checker import evaluate
from crmkit.grading.compare import DictOf
from crmkit.grading.declare import all_exercises, get_exercise

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = [ex for ex in all_exercises().values()]
HEADING = re.compile(r"^###\s*练习\s*([A-Za-z0-9]+\.[A-Za-z0-9]+)[\u3000 ]+(.+?)（(\d+(?:\.\d+)?) 分）\s*$",
                     re.M)


def _headings() -> dict:
    """{exercise id: (title, points)} from the solutions notebooks' exercise headings."""
    found = {}
    for path in sorted((ROOT / "solutions").glob("*_solutions.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                for m in HEADING.finditer("".join(cell["source"])):
                    assert m.group(1) not in found, f"{m.group(1)} has two headings"
                    found[m.group(1)] = (m.group(2), float(m.group(3)))
    return found


def test_titles_and_points_match_the_notebooks():
    headings = _headings()
    declared = {ex.id: (ex.title, float(ex.points)) for ex in EXERCISES if ex.chapter != "demo"}
    assert sorted(set(declared) - set(headings)) == [], "exercises without a notebook heading"
    assert sorted(set(headings) - set(declared)) == [], "notebook exercises without a declaration"
    drifted = {i: (declared[i], headings[i]) for i in declared if declared[i] != headings[i]}
    assert drifted == {}, "declaration (title, points) vs solutions notebook heading"


def test_every_diagnosis_brings_its_own_example():
    for ex in EXERCISES:
        assert set(ex.wrong_answers) == {d.name for d in ex.diagnoses}, ex.id
        for d in ex.diagnoses:
            assert callable(d.example) and ex.wrong_answers[d.name] is d.example, (ex.id, d.name)


# ---- partial credit ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shop():
    return ck.generate_shop(customers=400, seed=3)


@pytest.fixture(autouse=True)
def fresh_session():
    context.reset_session()
    yield
    context.reset_session()


def test_dict_answers_declare_their_parts(shop):
    for ex in EXERCISES:
        if isinstance(ex.comparator, DictOf):
            assert ex.parts, f"{ex.id}: a dict answer declares points per part"
            assert list(ex.parts) == list(ex.expected(shop)), ex.id


def _spoil(value):
    if isinstance(value, str):
        return value + "?"
    return value * 1.5 + 1


@pytest.mark.parametrize("ex", [e for e in EXERCISES if e.parts], ids=lambda e: e.id)
def test_partial_credit_counts_the_right_parts(ex, shop):
    expected = ex.expected(shop)
    right = evaluate(ex, ex.reference_answer(shop), shop)
    assert right.status == "correct" and right.points == ex.points
    assert [p["ok"] for p in right.to_dict()["parts"]] == [True] * len(ex.parts)
    for part, worth in ex.parts.items():
        answer = {**expected, part: _spoil(expected[part])}
        result = evaluate(ex, answer, shop)
        row = result.to_dict()
        assert row["status"] == "incorrect"
        assert row["points"] == pytest.approx(ex.points - worth), (part, result.message)
        assert {p["name"]: p["ok"] for p in row["parts"]} == {k: k != part for k in ex.parts}
        assert all(set(p) == {"name", "ok", "points", "max_points"} for p in row["parts"])
        assert "按部分给分" in result.message and f"'{part}'" in result.message
        assert f"{ex.points - worth:g}/{ex.points:g} 分" in result.message
    # spoil every part (a decision's other keys, such as a crowd of IDs, are its choices)
    nothing = evaluate(ex, {k: (_spoil(v) if k in ex.parts else v) for k, v in expected.items()},
                       shop)
    assert nothing.points == 0 and "得 0/" in nothing.message


def test_partial_credit_for_a_named_mistake_and_the_wrong_form(shop):
    ex = get_exercise("1.8")
    wrong = ex.wrong_answers["流失风险客户数:never_buyers"](shop)
    result = ck.check("1.8", wrong, shop=shop)
    assert result.diagnosis == "流失风险客户数:never_buyers"
    assert result.points == ex.points - ex.parts["流失风险客户数"]
    assert "'前20%客户营收占比'、'售后会话占比' 对了" in result.message
    extra = evaluate(ex, {**ex.expected(shop), "备注": 1}, shop)
    assert extra.status == "incorrect" and 0 < extra.points < ex.points
    assert evaluate(ex, 3, shop).points == 0
    assert "parts" not in evaluate(get_exercise("1.4"), 3, shop).to_dict()


# ---- hints point at the method, never at the finished code -----------------------------------

SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
CHECK_CALL = re.compile(r"""ck\.check\(\s*["']([A-Za-z0-9]+\.[A-Za-z0-9]+)["']""")
ANSWER_NAME = re.compile(r"^answer_\w+=")
TRIVIAL = 12  # characters of code (whitespace removed) below which a line says nothing


def _code_key(text: str) -> str:
    """Code compared without whitespace and with one kind of quote."""
    return re.sub(r"\s+", "", text).replace('"', "'")


def _solution_lines() -> dict:
    """{exercise id: the non-trivial code lines of its solution region} from the solutions notebooks."""
    found = {}
    for path in sorted((ROOT / "solutions").glob("*_solutions.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            source = "".join(cell["source"])
            check = CHECK_CALL.search(source)
            if cell["cell_type"] != "code" or not check:
                continue
            lines = [ANSWER_NAME.sub("", _code_key(line))
                     for region in SOLUTION_REGION.findall(source) for line in region.splitlines()]
            found[check.group(1)] = {line for line in lines
                                     if len(line) >= TRIVIAL and not line.startswith("#")}
    return found


def test_the_solution_lines_are_found():
    solutions = _solution_lines()
    chapters = [ex.id for ex in EXERCISES if ex.chapter != "demo"]
    assert sorted(set(chapters) - set(solutions)) == [], "exercises without a solution region"
    assert [i for i in chapters if not solutions[i]] == [], "solution regions with no code line"


@pytest.mark.parametrize("ex", [e for e in EXERCISES if e.chapter != "demo"], ids=lambda e: e.id)
def test_no_hint_hands_out_a_solution_line(ex):
    """A hint names the method and the functions; a whole line of the solution is the answer."""
    lines = _solution_lines()[ex.id]
    leaked = [(n, line) for n, hint in enumerate(ex.hints, 1) for line in sorted(lines)
              if line in _code_key(hint)]
    assert leaked == [], f"{ex.id}: hint (number, solution line) {leaked}"
