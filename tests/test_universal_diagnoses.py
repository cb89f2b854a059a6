"""The mistakes every exercise can show (crmkit/exercises/universal.py) are named on every
exercise where they change the answer, and never claimed for an unrelated wrong answer."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from crmkit.exercises import universal
from crmkit.grading import context
from crmkit.grading.checker import evaluate
from crmkit.grading.compare import DictOf, Scalar, SeriesOf
from crmkit.grading.declare import all_exercises
from crmkit.shop import pristine_shop

EXERCISES = [ex_id for ex_id in all_exercises() if not ex_id.startswith("demo")]
UNIVERSAL_NAMES = {name for name, _ in universal.for_exercise(all_exercises()[EXERCISES[0]])}


@pytest.fixture(scope="module", params=[None, 11], ids=["course", "seed11"])
def shop(request):
    return pristine_shop(request.param)


def _kind(result) -> str:
    if result.status == "correct":
        return "accepted"
    return "generic" if result.diagnosis.startswith("generic:") else "named"


def _differs(ex, answer, expected) -> bool:
    return ex.comparator.compare(answer, expected) is not None


@pytest.mark.parametrize("ex_id", EXERCISES)
def test_data_mistakes_are_named_wherever_they_change_the_answer(ex_id, shop):
    ex = all_exercises()[ex_id]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = ex.reference_answer(shop)
        for name, _, make in universal.DATA_MISTAKES:
            mistaken = context.cached("universal", name, shop, make)
            try:
                answer = ex.reference_answer(mistaken)
            except Exception:  # noqa: BLE001 - a method that cannot run on the copy has no such mistake
                continue
            if not _differs(ex, answer, expected):
                continue  # the exercise does not see this mistake on this shop
            result = evaluate(ex, answer, shop)
            assert _kind(result) == "named", (ex_id, name, result.diagnosis, result.message)


def _numeric(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def _shape_mistakes(expected):
    """(name, wrong answer) pairs a learner produces from the right answer by a shape mistake."""
    def scalar_variants(x):
        if _numeric(x) and x != 0:
            yield "percent", 100 * x
            yield "inverted", 1 / x
            yield "sign", -x

    if _numeric(expected):
        yield from scalar_variants(expected)
    elif isinstance(expected, dict):
        for key, value in expected.items():
            for name, changed in scalar_variants(value):
                yield f"{name}:{key}", {**expected, key: changed}
        numeric_keys = [k for k, v in expected.items() if _numeric(v)]
        if len(numeric_keys) >= 2:
            a, b = numeric_keys[:2]
            yield "swapped", {**expected, a: expected[b], b: expected[a]}
    elif isinstance(expected, pd.Series) and pd.api.types.is_float_dtype(expected) and len(expected) >= 2:
        yield "percent", expected * 100
        if len(expected) > universal.MAX_SWAP_LABELS:
            return  # a customer table: two customers' values swapped is not a learner's mistake
        swapped = expected.copy()
        swapped.iloc[[0, 1]] = expected.iloc[[1, 0]].to_numpy()
        yield "swapped", swapped


@pytest.mark.parametrize("ex_id", EXERCISES)
def test_shape_mistakes_are_named(ex_id):
    ex = all_exercises()[ex_id]
    shop = pristine_shop(None)
    expected = ex.reference_answer(shop)
    for name, answer in _shape_mistakes(expected):
        if not _differs(ex, answer, expected):
            continue
        result = evaluate(ex, answer, shop)
        assert result.status != "correct", (ex_id, name)
        if name.startswith(("inverted", "sign")) and result.diagnosis.startswith("generic:"):
            continue  # 1/x or −x may fall outside what a type or range check lets through
        assert _kind(result) == "named", (ex_id, name, result.diagnosis, result.message)


def _unrelated_wrong(value):
    """A wrong answer of the right form that no typical mistake produces."""
    if isinstance(value, str):
        return value + "以外的某项"
    if _numeric(value):
        return value * 1.37 + 3.1
    if isinstance(value, pd.Series) and pd.api.types.is_numeric_dtype(value) \
            and not pd.api.types.is_bool_dtype(value):
        return value * 1.37 + 3.1
    if isinstance(value, pd.Series) and len(value):
        changed = value.astype(object)
        changed.iloc[0] = f"{changed.iloc[0]}以外的某项"
        return changed
    return value


ANSWERS_OF_A_FORM = [ex_id for ex_id in EXERCISES
                     if type(all_exercises()[ex_id].comparator) in (Scalar, DictOf, SeriesOf)]


@pytest.mark.parametrize("ex_id", ANSWERS_OF_A_FORM)
def test_an_unrelated_wrong_answer_is_not_blamed_on_a_universal_mistake(ex_id):
    ex = all_exercises()[ex_id]
    shop = pristine_shop(None)
    expected = ex.reference_answer(shop)
    if isinstance(expected, dict):
        key = next(k for k, v in expected.items() if _unrelated_wrong(v) is not v)
        answer = {**expected, key: _unrelated_wrong(expected[key])}
    else:
        answer = _unrelated_wrong(expected)
    result = evaluate(ex, answer, shop)
    assert result.status != "correct"
    assert result.diagnosis not in UNIVERSAL_NAMES, (ex_id, result.diagnosis, result.message)


def test_a_data_mistake_names_the_part_of_a_dict_answer():
    ex = all_exercises()["1.1"]
    shop = pristine_shop(None)
    mistaken = context.cached("universal", "paid_not_net", shop, universal.paid_not_net_shop)
    result = evaluate(ex, ex.reference_answer(mistaken), shop)
    assert result.diagnosis == "paid_not_net" or not result.diagnosis.startswith("generic:")
    assert "“消费净额”" in result.message or "消费净额" in result.message
