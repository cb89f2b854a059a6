import pandas as pd
import pytest

from crmkit import rfm
from crmkit.errors import CrmkitError


@pytest.fixture
def orders():
    # A: 3 orders (one fully refunded), B: 1 order, C: 2 old orders.
    return pd.DataFrame({
        "customer_id": ["A", "A", "A", "B", "C", "C"],
        "order_time": pd.to_datetime(["2024-01-02", "2024-03-01", "2024-06-20",
                                      "2024-06-25", "2023-09-01", "2023-10-01"]),
        "paid_amount": [300.0, 200.0, 500.0, 80.0, 400.0, 600.0],
        "refund_amount": [0.0, 200.0, 0.0, 0.0, 100.0, 0.0],
        "status": ["交易成功", "退款成功", "交易成功", "交易成功", "部分退款", "交易成功"],
    })


def test_default_as_of_is_day_after_last_order(orders):
    assert rfm.default_as_of(orders) == pd.Timestamp("2024-06-26")


def test_purchases_drop_refunded_and_net_partial(orders):
    p = rfm.purchases(orders)
    assert len(p) == 5
    assert p.loc[p["customer_id"] == "C", "net_amount"].tolist() == [300.0, 600.0]


def test_rfm_values_by_hand(orders):
    t = rfm.rfm_table(orders, as_of="2024-07-01")
    assert t.loc["A", "recency_days"] == 11
    assert t.loc["A", "frequency"] == 2 and t.loc["A", "monetary"] == 800.0
    assert t.loc["C", "recency_days"] == 274 and t.loc["C", "monetary"] == 900.0


def test_window_limits_f_and_m_but_not_r(orders):
    t = rfm.rfm_table(orders, as_of="2024-07-01", window_days=180)
    assert t.loc["C", "frequency"] == 0 and t.loc["C", "monetary"] == 0.0
    assert t.loc["C", "recency_days"] == 274


def test_quantile_scores(orders):
    t = rfm.rfm_table(orders, as_of="2024-07-01", bins=3)
    # recency 11 (A), 6 (B), 274 (C): B best
    assert t["r_score"].tolist() == [2, 3, 1]
    # frequency 2, 1, 2 -> ties share a score
    assert t.loc["A", "f_score"] == t.loc["C", "f_score"] > t.loc["B", "f_score"]


def test_threshold_scores_and_classes(orders):
    t = rfm.rfm_table(orders, as_of="2024-07-01", scoring="thresholds", bins=3,
                      r_thresholds=[30, 180], f_thresholds=[2, 3], m_thresholds=[100, 850])
    assert t["r_score"].tolist() == [3, 3, 1]
    assert t["f_score"].tolist() == [2, 1, 2]
    assert t["m_score"].tolist() == [2, 1, 3]
    # mean r 2.33, f 1.67, m 2: A (R高 F高 M低) 一般价值; B 一般发展; C (R低 F高 M高) 重要保持
    assert t["rfm_class"].tolist() == ["一般价值", "一般发展", "重要保持"]


def test_eight_classes_cover_all_combinations():
    assert len(set(rfm.RFM_CLASSES.values())) == 8


def test_summary_shares_add_up(orders):
    s = rfm.rfm_summary(rfm.rfm_table(orders))
    assert s["customers"].sum() == 3
    assert s["revenue_share"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("kwargs, fragment", [
    ({"scoring": "rank"}, "scoring"),
    ({"scoring": "thresholds", "bins": 3, "r_thresholds": [180, 30], "f_thresholds": [2, 3],
      "m_thresholds": [1, 2]}, "严格递增"),
    ({"scoring": "thresholds", "bins": 3}, "r_thresholds"),
    ({"bins": 1}, "bins"),
    ({"window_days": -5}, "window_days"),
])
def test_bad_settings(orders, kwargs, fragment):
    with pytest.raises(CrmkitError, match=fragment):
        rfm.rfm_table(orders, **kwargs)


def test_missing_column_names_nearest(orders):
    with pytest.raises(CrmkitError, match="列 'paid_amount' 不存在。现有列：.*是否想用 'paid_amout'"):
        rfm.rfm_table(orders.rename(columns={"paid_amount": "paid_amout"}))


def test_wrong_dtype_and_empty(orders):
    with pytest.raises(CrmkitError, match="日期时间类型"):
        rfm.rfm_table(orders.assign(order_time=orders["order_time"].astype(str)))
    with pytest.raises(CrmkitError, match="数值类型"):
        rfm.rfm_table(orders.assign(paid_amount=orders["paid_amount"].astype(str)))
    with pytest.raises(CrmkitError, match="空的"):
        rfm.rfm_table(orders.iloc[0:0])


def test_course_shop(course_shop):
    t = rfm.rfm_table(course_shop.orders)
    assert t["r_score"].between(1, 5).all() and t["m_score"].between(1, 5).all()
    assert set(t["rfm_class"]) <= set(rfm.RFM_CLASS_ORDER)
    assert len(t) == course_shop.orders.loc[
        course_shop.orders["status"] != "退款成功", "customer_id"].nunique()
    s = rfm.rfm_summary(t)
    # the 重要价值 class holds the largest revenue share
    assert s["revenue_share"].idxmax() == "重要价值"
