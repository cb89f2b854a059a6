"""One definition per term: the glossary's implementations, the toolkit and the graded exercises
compute each term the same way, and the glossary shipped with the data is the current one."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import crmkit as ck
from crmkit import glossary, loyalty, profile, tags
from crmkit.rfm import customer_summary
from crmkit.shop import GLOSSARY

ROOT = Path(__file__).resolve().parents[1]


def test_terms_are_unique_and_their_implementations_exist():
    names = [t.name for t in glossary.TERMS]
    assert len(names) == len(set(names))
    for term in glossary.TERMS:
        assert term.definition.endswith("。"), term.name
        for ref in re.findall(r"ck\.(\w+)\.(\w+)", term.implemented_by):
            module = getattr(ck, ref[0])
            assert hasattr(module, ref[1]), (term.name, ref)


def test_the_shipped_glossary_is_the_current_one():
    shipped = pd.read_csv(ROOT / "datasets" / GLOSSARY, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(shipped, glossary.table())


def test_notebook_display_is_a_table_without_the_module_path():
    bundle = glossary._repr_mimebundle_()
    assert "<table>" in bundle["text/html"] and "客单价" in bundle["text/html"]
    assert str(ROOT) not in bundle["text/plain"] and "流失风险" in bundle["text/plain"]


def test_churn_risk_is_calendar_months_not_180_days(course_shop):
    orders = course_shop.orders
    ref = glossary.reference_day(orders)
    summary = customer_summary(orders)
    by_glossary = summary["last_order"] < glossary.churn_risk_cutoff(ref)
    assert loyalty.churn_flags(orders).equals(by_glossary.rename("churned"))
    assert (profile.value_classes(orders)[by_glossary] == "流失风险").all()
    # the course shop tells the two readings apart, so the difference is visible to learners
    assert by_glossary.sum() != (summary["recency_days"] > 180).sum()


def test_aov_is_net_per_valid_order_everywhere(course_shop):
    from crmkit.exercises import ch00, ch08

    orders = course_shop.orders
    valid = glossary.valid_orders(orders)
    assert glossary.aov(orders) == pytest.approx(
        (valid["paid_amount"] - valid["refund_amount"]).sum() / len(valid))
    assert ch08.diagnosis(course_shop)["客单价"] == pytest.approx(glossary.aov(orders))
    assert ch08.kpi_baseline(course_shop)["客单价"] == pytest.approx(glossary.aov(orders))
    per_channel = ch00.aov_by_channel(course_shop)
    for channel, value in per_channel.items():
        assert value == pytest.approx(glossary.aov(orders[orders["channel"] == channel]))
    # the mean paid amount (the old chapter-06 reading) is a different number
    assert abs(valid["paid_amount"].mean() - glossary.aov(orders)) > 1


def test_top_share_is_the_floor_rule(course_shop):
    spend = customer_summary(course_shop.orders)["spend"].sort_values(ascending=False)
    k = int(len(spend) * 0.2)
    assert glossary.top_count(len(spend)) == k
    assert profile.top_share(course_shop.orders) == pytest.approx(spend.iloc[:k].sum() / spend.sum())
    active = profile.value_classes(course_shop.orders)
    active = active[active.isin(["高价值", "中价值", "低价值"])]
    assert (active == "高价值").sum() == glossary.top_count(len(active))


def test_inquiry_customers_are_pre_sale_chats_only():
    customers = pd.DataFrame({"customer_id": ["A", "B", "C"]})
    orders = pd.DataFrame({"customer_id": ["A"], "order_time": pd.to_datetime(["2024-03-01"]),
                           "paid_amount": [50.0]})
    chats = pd.DataFrame({"customer_id": ["B", "C"], "stage": [glossary.PRE_SALE, "售后"]})
    assert tags.customer_status(customers, orders, chats).tolist() == ["成交客户", "询单客户", "未成交客户"]


def test_refunded_orders_and_partial_refunds():
    orders = pd.DataFrame({"customer_id": ["A", "A", "B"],
                           "order_time": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
                           "paid_amount": [100.0, 80.0, 50.0], "refund_amount": [0.0, 30.0, 50.0],
                           "status": ["交易成功", "部分退款", "退款成功"]})
    summary = customer_summary(orders)
    assert summary.index.tolist() == ["A"] and summary.loc["A", "spend"] == 150.0
    assert loyalty.repurchase_rate(orders) == 1.0
