import pandas as pd
import pytest

from crmkit import membership as m
from crmkit.errors import CrmkitError


def test_tier_thresholds_either_rule():
    assert m.tier_of(499, 799) == "普通"
    assert m.tier_of(500, 500) == "银卡"
    assert m.tier_of(0, 800) == "银卡"
    assert m.tier_of(1500, 0) == "金卡"
    assert m.tier_of(100, 5000) == "钻石"
    assert m.tier_of(3000, 3000) == "钻石"


def test_assign_tiers_by_hand():
    o = pd.DataFrame({"customer_id": ["A", "A", "B", "C"],
                      "order_time": pd.to_datetime(["2023-01-10", "2024-05-01", "2024-05-02",
                                                    "2024-05-03"]),
                      "paid_amount": [2000.0, 600.0, 1500.0, 100.0]})
    c = pd.DataFrame({"customer_id": ["A", "B", "C", "D"]})
    t = m.assign_tiers(o, c)
    assert t["tier"].tolist() == ["金卡", "金卡", "普通", "普通"]
    assert t.loc["A", "spend_12m"] == 600.0 and t.loc["A", "spend_total"] == 2600.0


def test_growth_by_hand():
    o = pd.DataFrame({"order_id": ["O1", "O2", "O3"], "customer_id": ["A", "A", "B"],
                      "order_time": pd.to_datetime(["2023-06-01", "2024-01-01", "2024-02-01"]),
                      "paid_amount": [1000.0, 250.5, 100.0]})
    items = pd.DataFrame({"order_id": ["O1", "O2", "O2", "O3"], "product_id": ["P", "P", "Q", "Q"],
                          "line_amount": [1000.0, 100.0, 150.5, 100.0]})
    products = pd.DataFrame({"product_id": ["P", "Q"], "double_growth": [True, False]})
    reviews = pd.DataFrame({"customer_id": ["A", "A", "B"], "has_photo": [True, True, False],
                            "review_date": pd.to_datetime(["2023-06-05", "2024-01-05", "2024-02-05"])})
    g = m.growth_points(o, items, products, reviews, start="2024-01-01", as_of="2024-12-31")
    # A: floor(250.5)=250 base, double part floor(250.5*100/250.5)=100, one photo after start
    assert g.loc["A"].tolist() == [250, 100, 50, 400]
    assert g.loc["B"].tolist() == [100, 0, 0, 100]


def test_history_keeps_then_drops():
    o = pd.DataFrame({"customer_id": ["A", "A", "B"],
                      "order_time": pd.to_datetime(["2023-01-15", "2024-03-01", "2023-02-01"]),
                      "paid_amount": [1600.0, 600.0, 900.0]})
    h = m.tier_history(o, start="2023-01-01", as_of="2025-01-01").set_index(
        ["customer_id", "evaluation_date"])
    a1 = h.loc[("A", pd.Timestamp("2024-01-01"))]
    a2 = h.loc[("A", pd.Timestamp("2025-01-01"))]
    assert (a1["tier"], a1["change"]) == ("金卡", "保级")
    assert (a2["held_tier"], a2["tier"], a2["change"]) == ("金卡", "银卡", "降级")
    b2 = h.loc[("B", pd.Timestamp("2025-01-01"))]
    # B reached 银卡 by cumulative spend, but had no growth in 2024: drops to 普通
    assert (b2["held_tier"], b2["tier"], b2["change"]) == ("银卡", "普通", "降级")


def test_benefit_cost_by_hand():
    o = pd.DataFrame({"customer_id": ["A", "A", "B"], "order_time": pd.to_datetime(["2024-01-01"] * 3),
                      "paid_amount": [1200.0, 200.0, 310.0], "gross_amount": [1200.0, 200.0, 320.0]})
    b = m.benefit_cost(o, pd.Series({"A": "钻石", "B": "银卡"}))
    # 钻石: 8.5折 on 1400 = 210; 1200*0.85=1020 >= 1000 -> 300 once; 200*0.85 < 1000
    assert b.loc["钻石", "discount_cost"] == pytest.approx(210.0)
    assert b.loc["钻石", "reduction_cost"] == 300.0
    # 银卡: 320*0.95=304 >= 300 -> 满300减50
    assert b.loc["银卡", "benefit_cost"] == pytest.approx(16.0 + 50.0)


def test_rules_validation():
    with pytest.raises(CrmkitError, match="严格递增"):
        m.TierRules(("a", "b"), (0, 0), (0, 1), (1, 0.9), (None, None))
    with pytest.raises(CrmkitError, match="应有 2 项"):
        m.TierRules(("a", "b"), (0, 1, 2), (0, 1), (1, 0.9), (None, None))
    with pytest.raises(CrmkitError, match="折扣"):
        m.TierRules(("a", "b"), (0, 1), (0, 1), (1, 9), (None, None))
    with pytest.raises(CrmkitError, match="满减"):
        m.TierRules(("a", "b"), (0, 1), (0, 1), (1, 0.9), (None, (50, 100)))
    o = pd.DataFrame({"customer_id": ["A"], "order_time": pd.to_datetime(["2024-01-01"]),
                      "paid_amount": [1.0]})
    with pytest.raises(CrmkitError, match="未知的会员等级 '金牌'"):
        m.benefit_cost(o, pd.Series({"A": "金牌"}))


def test_course_shop(course_shop):
    shop = course_shop
    t = m.assign_tiers(shop.orders, shop.customers)
    s = m.tier_summary(t)
    assert s["customers"].sum() == len(shop.customers)
    assert s["customers"].is_monotonic_decreasing
    h = m.tier_history(shop.orders, shop.order_items, shop.products, shop.reviews)
    assert set(h["change"]) <= {"升级", "保级", "降级"} and (h["change"] == "降级").any()
    b = m.benefit_cost(shop.orders, t["tier"])
    assert b["cost_rate"].dropna().is_monotonic_increasing
    mv = m.members_vs_nonmembers(shop.customers, shop.orders)
    # the textbook's goal holds in the course shop: members repurchase more
    assert mv.loc["会员", "repurchase_rate"] > mv.loc["非会员", "repurchase_rate"]
