import pandas as pd
import pytest

from crmkit import profile
from crmkit.errors import CrmkitError


@pytest.fixture
def orders():
    # As of 2024-07-01: F last bought 9 months ago (流失风险); A..E active, ranked by 12-month spend.
    return pd.DataFrame({
        "customer_id": ["A", "B", "C", "D", "E", "F", "A"],
        "order_time": pd.to_datetime(["2024-06-01", "2024-06-02", "2024-06-03", "2024-06-04",
                                      "2024-06-05", "2023-10-01", "2023-01-01"]),
        "paid_amount": [900.0, 500.0, 300.0, 100.0, 50.0, 2000.0, 5000.0],
    })


@pytest.fixture
def customers():
    return pd.DataFrame({"customer_id": list("ABCDEFG"), "nickname": list("abcdefg")})


def test_value_classes_by_hand(orders, customers):
    v = profile.value_classes(orders, customers, as_of="2024-07-01")
    # A's 5000 is older than 12 months, so A ranks by 900 only; 5 active (the glossary's floor
    # rule): int(5×0.2)=1 high, int(5×0.5)−1=1 medium, 3 low
    assert v.to_dict() == {"A": "高价值", "B": "中价值", "C": "低价值", "D": "低价值",
                           "E": "低价值", "F": "流失风险", "G": "未成交"}


def test_value_class_churn_window(orders):
    v = profile.value_classes(orders, as_of="2024-07-01", churn_months=12)
    assert v["F"] != "流失风险"


def test_value_shares_validated(orders):
    with pytest.raises(CrmkitError, match="不能超过 1"):
        profile.value_classes(orders, high_share=0.6, medium_share=0.6)


def test_revenue_concentration_by_hand():
    o = pd.DataFrame({"customer_id": list("ABCDEFGHIJ"),
                      "order_time": pd.to_datetime(["2024-01-01"] * 10),
                      "paid_amount": [500.0, 300.0] + [25.0] * 8})
    assert profile.top_share(o, 0.2) == pytest.approx(0.8)
    curve = profile.revenue_concentration(o)
    assert curve["revenue_share"].iloc[-1] == pytest.approx(1.0)
    assert curve["revenue_share"].is_monotonic_increasing


def test_behaviour_rule_uses_chats():
    o = pd.DataFrame({"customer_id": ["A", "B"], "order_time": pd.to_datetime(["2024-01-01"] * 2),
                      "paid_amount": [10.0, 10.0]})
    chats = pd.DataFrame({"customer_id": ["A"], "stage": ["售前"]})
    assert profile.behaviour_types(o, service_chats=chats).tolist() == ["理性对比型", "冲动型"]


def test_profiles_table_and_profile(orders, customers):
    t = profile.profiles_table(customers, orders, as_of="2024-07-01")
    assert len(t) == 7 and t.loc["G", "n_orders"] == 0 and t.loc["A", "spend"] == 5900.0
    p = profile.customer_profile("A", customers, orders, tags=["老客户"], as_of="2024-07-01")
    assert p.summary["value_class"] == "高价值" and p.summary["n_orders"] == 2
    text = repr(p)
    assert "客户档案：A" in text and "老客户" in text and "高价值" in text
    assert "<table>" in p._repr_html_()
    g = profile.customer_profile("G", customers, orders)
    assert g.summary["value_class"] == "未成交" and "0 笔" in repr(g)


def test_unknown_customer(orders, customers):
    with pytest.raises(CrmkitError, match="没有客户 'Z'"):
        profile.customer_profile("Z", customers, orders)


def test_course_shop(course_shop):
    shop = course_shop
    v = profile.value_classes(shop.orders, shop.customers)
    assert set(v) <= set(profile.VALUE_CLASSES)
    active = v[v.isin(["高价值", "中价值", "低价值"])]
    assert (active == "高价值").mean() == pytest.approx(0.2, abs=0.01)
    share = profile.top_share(shop.orders)
    assert 0.5 < share < 0.9  # calibration target: about 68% (CDNOW) to 80% (textbook)
    t = profile.profiles_table(shop.customers, shop.orders, shop.service_chats, shop.reviews,
                               shop.visits)
    assert len(t) == len(shop.customers)
    assert t["n_chats"].sum() == len(shop.service_chats)


def test_behaviour_types_agree_with_truth(course_shop):
    shop = course_shop
    b = profile.behaviour_types(shop.orders, shop.visits, shop.service_chats)
    style = shop.truth.set_index("customer_id").loc[b.index, "shopping_style"]
    accuracy = (b == style).mean()
    print(f"behaviour type agreement with truth: {accuracy:.3f}")
    assert accuracy > 0.65
