"""Comparators: correct answers pass in every accepted form; wrong ones get a specific message."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.grading.compare import (
    DIGITS_DEFAULT,
    DIGITS_MONEY,
    TOLERANCE_RULE,
    DictOf,
    FrameOf,
    Scalar,
    SeriesOf,
    SetOf,
)


# ---- the one tolerance rule ---------------------------------------------------------------------


def _values():
    rng = np.random.default_rng(7)
    return np.concatenate([rng.uniform(0, 1, 300), rng.uniform(-100, 100, 200),
                           rng.uniform(0, 2e6, 200), [0.0, 0.5, 0.125, 0.00005, 1234.5]])


def test_correctly_rounded_values_are_accepted_or_told_they_were_rounded():
    for digits in (0, DIGITS_MONEY, DIGITS_DEFAULT):
        c = Scalar(digits)
        for x in _values():
            for places in range(-2, digits + 3):
                shown = round(float(x), places)
                mismatch = c.compare(shown, x)
                if places >= digits:
                    assert mismatch is None, (digits, x, places, shown)
                elif mismatch is not None:
                    assert mismatch.kind == "rounded", (digits, x, places, mismatch.message)
                    assert "四舍五入" in mismatch.message
                    assert "偏大" not in mismatch.message and "偏小" not in mismatch.message


def test_a_value_off_in_the_last_asked_place_is_wrong():
    c = Scalar(DIGITS_DEFAULT)
    assert "偏大" in c.compare(0.1237, 0.12345).message  # beyond half a unit
    assert "偏小" in c.compare(0.1234, 0.12346).message  # 0.1235 would be right, truncation is not
    assert c.compare(0.1235, 0.12346) is None
    assert Scalar(DIGITS_MONEY).compare(10.01, 10.0).kind == "values"
    assert c.compare(12.35, 0.1235).kind == "values"  # a percentage is not a rounding


def test_series_frame_and_dict_follow_the_same_rule():
    exp = pd.Series([0.123456, 0.55555], index=pd.Index(["a", "b"], name="k"))
    assert SeriesOf().compare(exp.round(4), exp) is None
    assert SeriesOf().compare(exp.round(2), exp).kind == "rounded"
    frame = pd.DataFrame({"k": ["a", "b"], "spend": [10.456, 3.0], "rate": [0.123456, 0.5]})
    c = FrameOf(key="k", digits={"spend": DIGITS_MONEY})
    assert c.compare(frame.round({"spend": 2, "rate": 4}), frame) is None
    assert "'rate'" in c.compare(frame.round({"rate": 2}), frame).message
    d = DictOf(Scalar(DIGITS_MONEY), digits={"比例": DIGITS_DEFAULT})
    assert d.compare({"金额": 10.46, "比例": 0.1235}, {"金额": 10.456, "比例": 0.123456}) is None
    assert "四舍五入" in d.compare({"金额": 10.46, "比例": 0.12}, {"金额": 10.456, "比例": 0.123456}).message
    assert d.part_results({"金额": 10.46, "比例": 0.2}, {"金额": 10.456, "比例": 0.123456}) == {
        "金额": True, "比例": False}


def test_the_rule_is_stated_for_learners():
    assert "2 位小数" in TOLERANCE_RULE and "4 位" in TOLERANCE_RULE and "四舍五入" in TOLERANCE_RULE


def test_scalar_numbers_with_tolerance():
    c = Scalar(DIGITS_MONEY)
    assert c.compare(10.004, 10.0) is None
    assert c.compare(np.float32(10.0), 10.0) is None
    assert c.compare(np.int64(10), 10) is None
    assert c.compare(np.array(10.0), 10.0) is None
    assert "偏大" in c.compare(11.0, 10.0).message
    assert "偏小" in c.compare(9.0, 10.0).message
    assert "NaN" in c.compare(float("nan"), 10.0).message
    assert "无穷" in c.compare(float("inf"), 10.0).message
    assert "引号" in c.compare("10", 10.0).message
    assert ".item()" in c.compare(pd.Series([10.0]), 10.0).message
    assert "汇总" in c.compare(pd.Series([1.0, 2.0]), 10.0).message
    assert "布尔" in c.compare(True, 1.0).message
    assert c.compare(pd.NA, 1.0).kind == "values"


def test_scalar_text_bool_and_dates():
    c = Scalar()
    assert c.compare(" 高价值 ", "高价值") is None
    assert c.compare("低价值", "高价值").kind == "values"
    assert c.compare(True, True) is None and c.compare(1, True).kind == "type"
    assert c.compare("2024-11-11", pd.Timestamp("2024-11-11")) is None
    assert "偏晚" in c.compare("2024-11-12", pd.Timestamp("2024-11-11")).message


def test_series_by_key_in_any_order():
    exp = pd.Series([3, 5, 7], index=pd.Index(["搜索", "直通车", "推荐"], name="channel"))
    c = SeriesOf(key_label="渠道")
    assert c.compare(exp.iloc[::-1], exp) is None
    assert c.compare(exp.astype("float64"), exp) is None
    wrong = exp.copy()
    wrong["推荐"] = 8
    msg = c.compare(wrong, exp).message
    assert "'推荐'" in msg and "8" not in msg and "7" not in msg
    assert "缺少一些渠道（例如 '推荐'）" in c.compare(exp.iloc[:2], exp).message
    assert "行号" in c.compare(exp.reset_index(drop=True), exp).message
    assert "squeeze" in c.compare(exp.to_frame(), exp).message
    assert "重复" in c.compare(pd.concat([exp, exp]), exp).message
    assert "文本" in c.compare(exp.astype(str), exp).message


def _rfm():
    return pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "recency": [1, 5, 9],
                         "frequency": [2, 1, 4], "monetary": [10.5, 3.25, 99.0]})


def test_frame_key_as_column_or_index_and_any_row_order():
    exp = _rfm()
    c = FrameOf(key="customer_id", key_label="客户", digits=2)
    assert c.compare(exp.iloc[::-1], exp) is None
    assert c.compare(exp.set_index("customer_id"), exp) is None
    assert c.compare(exp[["monetary", "customer_id", "frequency", "recency"]], exp) is None


def test_frame_messages_name_the_problem_not_the_value():
    exp = _rfm()
    c = FrameOf(key="customer_id", key_label="客户", digits=2, row_label="每位客户一行")
    wrong = exp.assign(monetary=[10.5, 3.25, 98.0])
    msg = c.compare(wrong, exp).message
    assert "'monetary'" in msg and "客户 'C3'" in msg and "99" not in msg
    assert "是否就是它" in c.compare(exp.rename(columns={"recency": "Recency"}), exp).message
    assert "多了列" in c.compare(exp.assign(x=1), exp).message
    assert "缺少列" in c.compare(exp.drop(columns="frequency"), exp).message
    assert "重复" in c.compare(pd.concat([exp, exp]), exp).message
    assert "缺少一些客户" in c.compare(exp.iloc[:2], exp).message
    assert "MultiIndex" in c.compare(
        exp.groupby("customer_id").agg({"recency": ["min", "max"]}), exp).message
    assert "类型是文本" in c.compare(exp.assign(recency=exp["recency"].astype(str)), exp).message
    assert "Series" in c.compare(exp["recency"], exp).message
    assert c.compare(exp.assign(monetary=exp["monetary"] + 0.004), exp) is None


def test_frame_without_key_sorts_rows():
    exp = pd.DataFrame({"tier": ["金卡", "银卡"], "n": [3, 9]})
    c = FrameOf()
    assert c.compare(exp.iloc[::-1], exp) is None
    assert "第" in c.compare(exp.assign(n=[3, 8]), exp).message
    assert "比应有的多" in c.compare(pd.concat([exp, exp]), exp).message


def test_set_accepts_collections_and_counts_differences():
    exp = {"C1", "C2", "C3"}
    c = SetOf(what="一组客户ID")
    for ok in (exp, list(exp) * 2, pd.Series(sorted(exp)), pd.Index(sorted(exp)),
               np.array(sorted(exp)), frozenset(exp)):
        assert c.compare(ok, exp) is None
    msg = c.compare({"C1", "C2", "C9"}, exp).message
    assert "不该有" in msg and "'C9'" in msg and "少了一些" in msg and "C3" not in msg
    # no number derived from the expected answer: how many are missing is not said
    big = {f"C{i}" for i in range(500)}
    assert "347" not in c.compare(set(list(sorted(big))[347:]), big).message
    assert "类型" in c.compare({1, 2, 3}, exp).message
    assert "customer_id" in c.compare(pd.DataFrame({"customer_id": ["C1"]}), exp).message
    assert c.compare("C1C2", exp).kind == "type"
    assert c.compare([["C1"]], exp).kind == "type"


def test_dict_keys_and_values():
    exp = {"客户数": 10, "订单数": 25, "客单价": 123.45}
    c = DictOf(Scalar(DIGITS_MONEY))
    assert c.compare(dict(reversed(list(exp.items()))), exp) is None
    assert "缺少键 '客单价'" in c.compare({"客户数": 10, "订单数": 25}, exp).message
    assert "多了键" in c.compare({**exp, "x": 1}, exp).message
    msg = c.compare({**exp, "客单价": 200.0}, exp).message
    assert "'客单价'" in msg and "偏大" in msg and "123" not in msg
    assert ".to_dict()" in c.compare(pd.Series(exp), exp).message


def test_a_rounding_that_leaves_no_significant_digit_names_both_possibilities():
    c = Scalar(DIGITS_DEFAULT)
    zero = c.compare(0.0, 0.2761)  # all zeros: an empty filter as likely as a rounding
    assert zero.kind == "rounded" and "计算方法不对" in zero.message
    assert "偏" not in zero.message
    assert "计算方法不对" not in c.compare(0.28, 0.2761).message  # two digits kept: a rounding
    series = SeriesOf().compare(pd.Series([2.0, 1.0], index=["a", "b"]),
                                pd.Series([1.6, 1.2], index=["a", "b"]))
    assert series.kind == "rounded" and "计算方法不对" in series.message


def test_a_wrong_choice_is_not_sent_to_check_its_spelling():
    c = Scalar()
    assert "不是写法问题" in c.compare("直通车", "老客推荐").message
    assert "拼写" in c.compare("老客推建", "老客推荐").message
    assert c.compare("ＡＢＣ", "abc").kind == "text_form"
    assert c.compare("老客推荐", "老客推荐") is None
