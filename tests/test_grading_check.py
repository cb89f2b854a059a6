"""The in-notebook check on the demonstration exercises, with a small hand-built shop."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "grading"))
from fakeshop import fake_shop

import crmkit as ck
from crmkit.grading import context
from crmkit.grading.checker import evaluate
from crmkit.grading.declare import Exercise, all_exercises, get_exercise

EXERCISES = list(all_exercises().values())
IDS = [ex.id for ex in EXERCISES]


@pytest.fixture(scope="module")
def fake():
    return fake_shop(seed=3)


# Learners get course-sized shops (the course shop or one seed per student): the declarations
# are checked on those, never on toy shops where a mistake may not change the answer.
SEEDS = (None, 11, 12, 13)  # None: the course shop in datasets/


@pytest.fixture(scope="session")
def course_sized():
    from crmkit.shop import pristine_shop

    return {seed: pristine_shop(seed) for seed in SEEDS}


@pytest.fixture
def shop(request, fake, course_sized):
    """The demo exercises were written against the hand-built shop (customers and orders
    only); chapter exercises use every table, so they get a course-sized generated shop."""
    params = getattr(request.node, "callspec", None)
    ex = params.params.get("ex") if params else None
    return course_sized[11] if ex is not None and ex.chapter != "demo" else fake


@pytest.fixture(autouse=True)
def fresh_session():
    context.reset_session()
    yield
    context.reset_session()


def test_registry_finds_demo_exercises():
    assert {"demo.1", "demo.2", "demo.3", "demo.4", "demo.5"} <= set(IDS)
    assert get_exercise("demo.3").variable == "answer_demo_3"
    assert get_exercise("nope.1") is None and get_exercise(42) is None


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_reference_answer_is_correct(ex: Exercise, shop):
    result = ck.check(ex.id, ex.reference_answer(shop), shop=shop)
    assert result.status == "correct", result.message
    assert "✅" in str(result) and "正确" in result._repr_html_()


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_ellipsis_and_none_are_not_attempted(ex, shop):
    for blank in (..., None):
        result = ck.check(ex.id, blank, shop=shop)
        assert result.status == "not_attempted"
        assert "尚未作答" in str(result) and "尚未作答" in result._repr_html_()


def _diagnosis_cases():
    for ex in EXERCISES:
        for d in ex.diagnoses:
            yield pytest.param(ex, d.name, id=f"{ex.id}-{d.name}")


@pytest.mark.parametrize("ex,name", list(_diagnosis_cases()))
def test_each_diagnosis_fires_on_its_wrong_answer(ex, name, shop):
    wrong = ex.wrong_answers[name](shop)
    result = ck.check(ex.id, wrong, shop=shop)
    assert result.status == "incorrect", f"the wrong answer for {name} is accepted as correct"
    assert result.diagnosis == name, (result.diagnosis, result.message)
    message = next(d.message for d in ex.diagnoses if d.name == name)
    assert message in str(result) and "❌" in str(result)


def test_text_and_html_say_the_same_words(shop):
    ex = get_exercise("demo.2")
    result = ck.check("demo.2", ex.wrong_answers["proportions"](shop), shop=shop)
    html = result._repr_html_()
    assert result.message in html  # no characters that need escaping in this message
    assert "ck.hint" in str(result) and "ck.hint" in html


def test_check_follows_the_shop_it_is_given():
    a, b = fake_shop(seed=1), fake_shop(seed=2)
    ex = get_exercise("demo.1")
    assert ck.check("demo.1", ex.expected(a), shop=a).status == "correct"
    assert ck.check("demo.1", ex.expected(a), shop=b).status == "incorrect"
    with context.use_shop(b):
        assert ck.check("demo.1", ex.expected(b)).status == "correct"


def test_unknown_exercise_is_explained_not_raised(shop):
    result = ck.check("demo.9", 1, shop=shop)
    assert result.status == "incorrect" and "demo.9" in result.message
    assert "是否想用" in ck.check("dem.1", 1, shop=shop).message
    assert ck.check(None, 1, shop=shop).status == "incorrect"


def test_hints_are_progressive():
    ex = get_exercise("demo.3")
    shown = [str(ck.hint("demo.3")) for _ in range(len(ex.hints) + 1)]
    for i, text in enumerate(ex.hints):
        assert text in shown[i] and f"{i + 1}/{len(ex.hints)}" in shown[i]
    assert "最后一条" in shown[-1]
    assert "没有编号" in str(ck.hint("zz.1"))


def test_progress_scoreboard(shop):
    assert "还没有检查过" in str(ck.progress())
    ck.check("demo.1", get_exercise("demo.1").expected(shop), shop=shop)
    ck.check("demo.2", 5, shop=shop)
    board = ck.progress()
    text = str(board)
    assert "完成 1/5" in text and "✅ 正确 demo.1" in text and "❌ 还不对 demo.2" in text and "⏳ 尚未作答 demo.3" in text
    demo_points = sum(e.points for e in EXERCISES if e.chapter == "demo")
    assert board.score == 1 and board.max_score == demo_points
    assert "demo.1" in board._repr_html_()
    assert "没有练习" in str(ck.progress("99"))


def _fingerprint(obj):
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        return (type(obj), obj.shape, tuple(pd.util.hash_pandas_object(obj, index=True)),
                tuple(map(str, getattr(obj, "columns", []))),
                str(obj.dtypes if isinstance(obj, pd.DataFrame) else obj.dtype))
    return repr(obj)


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_check_mutates_neither_answer_nor_shop(ex, shop):
    before_shop = [_fingerprint(shop.orders), _fingerprint(shop.customers)]
    answers = [ex.reference_answer(shop)] + [f(shop) for f in ex.wrong_answers.values()]
    for answer in answers:
        before = _fingerprint(answer)
        ck.check(ex.id, answer, shop=shop)
        assert _fingerprint(answer) == before
    assert [_fingerprint(shop.orders), _fingerprint(shop.customers)] == before_shop


# ---- feedback never reveals an expected value ----------------------------------------------


def _numbers(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, pd.DataFrame):
        for col in value.columns:
            yield from _numbers(value[col])
    elif isinstance(value, pd.Series):
        if pd.api.types.is_numeric_dtype(value.dtype):
            yield from (float(v) for v in value.dropna())
    elif isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        yield float(value)


def _revealing_forms(x: float):
    """Texts that would give away `x` (numbers that cannot be an incidental count)."""
    if not math.isfinite(x):
        return []
    forms = []
    if abs(x - round(x)) > 1e-9:
        forms += [f"{x:.2f}", f"{x:.1f}", f"{x:,.2f}"]
    if abs(x) >= 1000:
        forms += [f"{x:.0f}", f"{x:,.0f}"]
    return forms


def _perturbations(expected):
    if isinstance(expected, (pd.DataFrame,)):
        num = expected.select_dtypes("number").columns
        yield expected.assign(**{c: expected[c] * 1.1 for c in num})
        yield expected.iloc[:-1]
        yield expected.iloc[:, :-1]
    elif isinstance(expected, pd.Series):
        yield expected * 2
        yield expected.iloc[1:]
        yield expected.reset_index(drop=True)
    elif isinstance(expected, dict):
        yield {k: (v * 1.5 if isinstance(v, (int, float)) else v) for k, v in expected.items()}
    elif isinstance(expected, set):
        yield set(list(expected)[1:])
    else:
        yield expected * 1.01 + 1
        yield -expected


@pytest.mark.parametrize("ex", EXERCISES, ids=IDS)
def test_feedback_never_contains_expected_numbers(ex, shop):
    expected = ex.expected(shop)
    forms = {f for x in _numbers(expected) for f in _revealing_forms(x)}
    answers = [f(shop) for f in ex.wrong_answers.values()] + list(_perturbations(expected))
    texts = []
    for answer in answers:
        result = ck.check(ex.id, answer, shop=shop)
        assert result.status == "incorrect"
        texts += [str(result), result._repr_html_()]
    texts += [str(ck.hint(ex.id)) for _ in ex.hints]
    for text in texts:
        leaked = [f for f in forms if f in text]
        assert not leaked, f"{ex.id} feedback reveals {leaked}: {text}"


def test_evaluate_reports_broken_declarations_gracefully(shop):
    from crmkit.grading.compare import Scalar

    def boom(_shop):
        raise RuntimeError("bug in the declaration")

    ex = Exercise(id="t.1", title="t", points=1, expected=boom, comparator=Scalar())
    result = evaluate(ex, 3, shop)
    assert result.status == "incorrect" and "无法检查" in result.message


# ---- data that tells mistakes apart: the course shop and one seed per student -----------------


@pytest.mark.parametrize("ex", [e for e in EXERCISES if e.chapter != "demo"],
                         ids=[e.id for e in EXERCISES if e.chapter != "demo"])
def test_declarations_hold_on_generated_shops(ex, course_sized):
    """On every course-sized shop, each declared mistake gives an answer that differs from the
    right one (beyond the tolerance rule) and fires its own diagnosis."""
    for seed, shop in course_sized.items():
        assert evaluate(ex, ex.reference_answer(shop), shop).status == "correct", seed
        for d in ex.diagnoses:
            wrong = d.example(shop)
            assert ex.comparator.compare(wrong, ex.expected(shop)) is not None, (
                f"seed {seed}: the mistake {d.name} gives the right answer; change the exercise")
            result = evaluate(ex, wrong, shop)
            assert result.diagnosis == d.name, (seed, d.name, result.diagnosis, result.message)


def test_one_shop_per_student(course_sized):
    a, b = course_sized[11], course_sized[12]
    for ex in EXERCISES:
        assert ck.check(ex.id, ex.reference_answer(a), shop=b).status == "incorrect", ex.id


def test_check_uses_the_shop_the_learner_loaded():
    shop = ck.load_shop()
    shop.orders.loc[:, "paid_amount"] = 0.0  # the learner's copy; checks use the pristine one
    ex = get_exercise("demo.1")
    assert ck.check("demo.1", ex.expected(ck.load_shop())).status == "correct"
    assert ck.check("demo.1", ex.expected(shop)).status == "incorrect"
