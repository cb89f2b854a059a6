import pandas as pd
import pytest

from crmkit import sources
from crmkit.errors import CrmkitError


@pytest.fixture
def customers():
    return pd.DataFrame({
        "customer_id": ["A", "B", "C", "D"],
        "register_date": pd.to_datetime(["2024-01-03", "2024-01-09", "2024-02-20", "2024-01-10"]),
        "acquisition_channel": ["直通车", "直通车", "钻展", "老客推荐"],
        "referrer_id": [None, None, None, "A"],
    })


@pytest.fixture
def orders():
    return pd.DataFrame({
        "customer_id": ["A", "A", "B", "C", "D"],
        "channel": ["直通车", "搜索", "直通车", "钻展", "老客推荐"],
        "order_time": pd.to_datetime(["2024-01-03", "2024-03-01", "2024-01-09", "2024-02-20",
                                      "2024-01-11"]),
        "paid_amount": [900.0, 100.0, 600.0, 200.0, 300.0],
        "discount_amount": [0.0, 10.0, 0.0, 0.0, 30.0],
    })


def test_funnel_by_hand():
    v = pd.DataFrame({"customer_id": ["A", "A", "B", "C"], "channel_group": ["站内免费"] * 4,
                      "channel": ["搜索", "搜索", "搜索", "直通车"],
                      "sub_channel": ["精准搜索", "泛需求搜索", "精准搜索", "关键词"],
                      "order_id": ["O1", None, None, "O2"]})
    f = sources.channel_funnel(v, by=["channel", "sub_channel"])
    assert f.loc[("搜索", "精准搜索"), "visits"] == 2
    assert f.loc[("搜索", "精准搜索"), "conversion_rate"] == 0.5
    assert sources.channel_funnel(v, by="channel_group").loc["站内免费", "visitors"] == 3


def test_quality_by_hand(customers, orders):
    q = sources.channel_quality(customers, orders, as_of="2024-12-31")
    assert q.loc["直通车", "buyers"] == 2
    assert q.loc["直通车", "aov"] == pytest.approx(1600 / 3)
    assert q.loc["直通车", "repurchase_90d"] == 0.5  # A bought again after 58 days
    assert q.loc["直通车", "discount_use"] == pytest.approx(1 / 3)


def test_repurchase_ignores_customers_too_new(customers, orders):
    q = sources.channel_quality(customers, orders, as_of="2024-04-01")
    # C's first order (Feb 20) is less than 90 days before as_of
    assert pd.isna(q.loc["钻展", "repurchase_90d"])


def test_roi_by_hand(customers, orders):
    costs = pd.DataFrame({"month": ["2024-01", "2024-02"], "channel": ["直通车", "钻展"],
                          "visits": [100, 50], "spend": [500.0, 400.0]})
    r = sources.paid_channel_roi(costs, customers, orders, margin=0.5)
    assert r.loc["直通车", "cac"] == 250.0
    assert r.loc["直通车", "revenue"] == 1500.0  # the March 搜索 order is not 直通车's
    assert r.loc["直通车", "roi"] == pytest.approx((750 - 500) / 500)
    assert r.loc["钻展", "roas"] == 0.5


def test_referrals(customers, orders):
    s = sources.referral_summary(customers, orders, as_of="2024-12-31")
    assert s.loc["老客推荐", "customers"] == 1 and s.loc["老客推荐", "buyer_rate"] == 1.0
    t = sources.top_referrers(customers, orders)
    assert t.loc["A", "referred"] == 1 and t.loc["A", "referred_spend"] == 300.0


def test_daily_orders(orders):
    d = sources.daily_orders(orders, by="channel")
    assert d["orders"].sum() == 5


def test_errors(customers, orders):
    with pytest.raises(CrmkitError, match="by（分组层级）"):
        sources.channel_funnel(pd.DataFrame({"channel": []}), by="chanel")
    with pytest.raises(CrmkitError, match="margin"):
        sources.paid_channel_roi(pd.DataFrame({"month": ["2024-01"], "channel": ["直通车"],
                                               "spend": [1.0]}), customers, orders, margin=2)
    with pytest.raises(CrmkitError, match="空的"):
        sources.channel_quality(customers.iloc[0:0], orders)


def test_course_shop(course_shop):
    shop = course_shop
    f = sources.channel_funnel(shop.visits)
    assert f["orders"].sum() == shop.visits["order_id"].notna().sum()
    q = sources.channel_quality(shop.customers, shop.orders)
    assert q["customers"].sum() == len(shop.customers)
    # 直接访问 customers repurchase more than paid-traffic customers (textbook 7.2.1)
    assert q.loc["直接访问", "repurchase_180d"] > q.loc["直通车", "repurchase_180d"]
    r = sources.paid_channel_roi(shop.channel_costs, shop.customers, shop.orders)
    assert set(r.index) <= set(sources.PAID_CHANNELS) and (r["cac"] > 0).all()
    s = sources.referral_summary(shop.customers, shop.orders)
    assert s.loc["老客推荐", "buyer_rate"] > s.loc["其他渠道", "buyer_rate"]
    d = sources.daily_orders(shop.orders)
    peak = d["orders"].idxmax()
    assert (peak.month, peak.day) in {(11, 11), (11, 10), (6, 18), (11, 1), (6, 1), (12, 12)}
