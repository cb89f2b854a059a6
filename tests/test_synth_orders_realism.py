"""The shop's orders, returns, reviews and surveys behave like a Chinese online fashion shop.

Bands, checked on three seeds, around the calibration figures in ShopConfig.returns,
ShopConfig.reviews and the data dictionary: apparel-like returns (women's apparel far above
other categories, live-stream above other channels), reasons that chats and reviews repeat,
Taobao-style reviews (default 好评, a late delivery costing about 1.7 stars on written
reviews), product choice by popularity, and a healthy NPS.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import crmkit as ck
from crmkit.config import ReturnSettings, ReviewSettings
from crmkit.errors import ConfigError

SEEDS = (2024, 7, 11)


@pytest.fixture(scope="module", params=SEEDS, ids=[f"seed{s}" for s in SEEDS])
def shop(request):
    return ck.generate_shop(seed=request.param)


def _delivered_orders(shop) -> pd.DataFrame:
    """Delivered orders with the category of their first line and whether money went back."""
    t = shop.tables
    first = t["order_items"].query("line_no == 1").merge(
        t["products"][["product_id", "category"]], on="product_id").set_index("order_id")
    o = t["orders"][t["orders"]["delivered_date"].notna()]
    return o.assign(category=first["category"].reindex(o["order_id"]).to_numpy(),
                    refunded=o["refund_amount"] > 0)


def test_womens_apparel_returns_at_apparel_rates_and_other_categories_far_lower(shop):
    rate = _delivered_orders(shop).groupby("category")["refunded"].mean()
    assert 0.30 <= rate["女装"] <= 0.55, rate
    for low in ("箱包配饰", "美妆个护", "家居日用"):
        assert rate[low] <= 0.16, rate
        assert rate["女装"] >= 2 * rate[low], rate
    assert rate["女装"] > rate["男装"] and rate["女装"] > rate["鞋靴"]


def test_live_stream_orders_are_returned_more_than_other_channels(shop):
    o = _delivered_orders(shop)
    live = o["channel"] == "直播/短视频"
    assert o.loc[live, "refunded"].mean() - o.loc[~live, "refunded"].mean() >= 0.04


def test_full_refunds_keep_their_meaning_and_every_refund_has_a_reason(shop):
    o = shop.orders
    refunded = o["refund_amount"] > 0
    assert (o["refund_reason"].notna() == refunded).all()
    full = o["status"] == "退款成功"
    assert np.allclose(o.loc[full, "refund_amount"], o.loc[full, "paid_amount"])
    partial = o["status"] == "部分退款"
    assert (o.loc[partial, "refund_amount"] < o.loc[partial, "paid_amount"]).all()
    assert 0.12 <= full.mean() <= 0.30  # 有效订单 (status != 退款成功) stay the large majority


def test_size_is_the_main_reason_apparel_comes_back(shop):
    o = _delivered_orders(shop)
    reasons = o.loc[o["refunded"] & (o["category"] == "女装"), "refund_reason"].value_counts()
    assert reasons.index[0] == "尺码不合适"
    one_line = o["order_id"].map(shop.order_items["order_id"].value_counts()) == 1
    cosmetics = o.loc[o["refunded"] & one_line & (o["category"] == "美妆个护"), "refund_reason"]
    assert len(cosmetics) > 20 and "尺码不合适" not in set(cosmetics)
    late = o["delivery_delay_days"].astype(float) > 0
    assert (o.loc[o["refund_reason"] == "发货太慢", "delivery_delay_days"].astype(float) > 0).all()
    assert late.any()


def test_after_sales_chats_and_reviews_repeat_the_refund_reason(shop):
    o = shop.orders.set_index("order_id")
    post = shop.service_chats.query("stage == '售后'")
    post = post[post["order_id"].map(o["refund_amount"]).gt(0)
                & post["topic"].ne("退款进度")]
    assert len(post) > 100
    assert (post["topic"] == post["order_id"].map(o["refund_reason"])).all()
    written = shop.reviews[~shop.reviews["is_default"]]
    reason = written["order_id"].map(o["refund_reason"])
    with_reason = written[reason.notna()]
    assert len(with_reason) > 20
    phrase = {"尺码不合适": "尺码", "色差": "色差", "质量问题": "质量", "与描述不符": "描述",
              "不想要了": "买多了", "拍错/多拍": "拍错", "发货太慢": "发货"}
    keys = with_reason["order_id"].map(o["refund_reason"]).map(phrase)
    assert all(k in text for k, text in zip(keys, with_reason["text"]))


def test_reviews_look_like_taobao(shop):
    r = shop.reviews
    stars = r["stars"]
    assert 0.5 <= r["is_default"].mean() <= 0.85
    assert (stars >= 4).mean() >= 0.95  # 好评率 in the high 90s
    assert 4.7 <= stars.mean() <= 4.95  # DSR-like average
    written = stars[~r["is_default"]]
    assert written.mean() <= 4.7 and (written <= 2).mean() > (stars <= 2).mean()


def test_a_late_delivery_costs_about_1_7_stars_on_written_reviews(shop):
    w = shop.reviews[~shop.reviews["is_default"]].merge(
        shop.orders[["order_id", "delivery_delay_days"]], on="order_id")
    late = w["delivery_delay_days"].astype(float) > 0
    gap = w.loc[~late, "stars"].mean() - w.loc[late, "stars"].mean()
    assert 1.2 <= gap <= 2.2, gap


def test_unhappy_buyers_write_more_often(shop):
    r = shop.reviews.merge(shop.orders[["order_id", "delivery_delay_days"]], on="order_id")
    late = r["delivery_delay_days"].astype(float) > 0
    assert (~r.loc[late, "is_default"]).mean() > (~r.loc[~late, "is_default"]).mean() + 0.08


def test_products_sell_by_popularity_not_by_price(shop):
    t = shop.tables
    lines = t["order_items"].merge(t["products"][["product_id", "category", "list_price"]],
                                   on="product_id")
    units = lines.groupby(["category", "product_id"])["quantity"].sum()
    top_share = units.groupby(level=0).apply(lambda u: u.max() / u.sum())
    assert (top_share <= 0.4).all() and top_share.mean() <= 0.25, top_share
    assert (~t["products"]["product_id"].isin(lines["product_id"])).sum() <= 3
    # the best seller is not simply the most expensive product of its category
    best = units.groupby(level=0).idxmax().map(lambda k: k[1])
    priciest = t["products"].sort_values("list_price").groupby("category")["product_id"].last()
    assert (best != priciest.reindex(best.index)).sum() >= 4


def test_spend_level_still_picks_the_price_tier(shop):
    t = shop.tables
    lines = t["order_items"].merge(t["products"][["product_id", "category", "list_price"]],
                                   on="product_id").merge(
        t["orders"][["order_id", "customer_id"]], on="order_id")
    lines["price_rank"] = lines.groupby("category")["list_price"].rank(pct=True)
    per_customer = lines.groupby("customer_id")["price_rank"].mean()
    level = t["truth"].set_index("customer_id")["spend_level"].reindex(per_customer.index)
    assert per_customer.rank().corr(level.rank()) > 0.3  # Spearman


def test_insale_chats_happen_between_payment_and_delivery(shop):
    mid = shop.service_chats.query("stage == '售中'").merge(
        shop.orders[["order_id", "order_time", "delivered_date"]], on="order_id")
    assert len(mid) > 100
    assert (mid["start_time"] >= mid["order_time"]).all()
    shipped = mid["delivered_date"].notna()
    assert (mid.loc[shipped, "start_time"].dt.normalize()
            <= mid.loc[shipped, "delivered_date"]).all()


def test_parcels_to_the_remote_west_take_at_least_a_day_longer_than_to_the_coast(shop):
    o = shop.orders.dropna(subset=["delivered_date"]).merge(
        shop.customers[["customer_id", "province"]], on="customer_id")
    days = (o["delivered_date"] - o["order_time"].dt.normalize()).dt.days
    west = o["province"].isin(["新疆维吾尔自治区", "西藏自治区", "青海省", "甘肃省",
                               "宁夏回族自治区", "内蒙古自治区"])
    coast = o["province"].isin(["上海市", "浙江省", "江苏省", "广东省", "福建省", "山东省"])
    assert days[west].mean() >= days[coast].mean() + 1, (days[west].mean(), days[coast].mean())
    promised = (o["promised_date"] - o["order_time"].dt.normalize()).dt.days
    assert promised[west].mean() > promised[coast].mean()


def test_surveys_read_like_a_normal_shop_and_follow_experience(shop):
    s = shop.surveys.merge(shop.orders[["order_id", "delivery_delay_days"]], on="order_id")
    nps = 100 * ((s["nps"] >= 9).mean() - (s["nps"] <= 6).mean())
    assert 10 <= nps <= 60, nps
    assert 0.65 <= (s["csat"] >= 4).mean() <= 0.92
    late = s["delivery_delay_days"].astype(float) > 0
    assert s.loc[~late, "nps"].mean() - s.loc[late, "nps"].mean() >= 1.5


@pytest.mark.parametrize("settings, words", [
    (dict(returns=ReturnSettings(category_rates={"女装": 1.5})), "returns.category_rates['女装']"),
    (dict(returns=ReturnSettings(live_stream_factor=0)), "live_stream_factor"),
    (dict(returns=ReturnSettings(category_rates={"女装": 0.7}, live_stream_factor=2)), "0.95"),
    (dict(returns=ReturnSettings(cancel_rate=0.8)), "仅退款"),
    (dict(reviews=ReviewSettings(default_after_days=0)), "default_after_days"),
    (dict(reviews=ReviewSettings(write_rate=-0.1)), "write_rate"),
    (dict(returns="high"), "ReturnSettings"),
])
def test_bad_return_and_review_settings_are_refused_in_chinese(settings, words):
    with pytest.raises(ConfigError, match="无效|应为") as info:
        ck.ShopConfig(**settings)
    assert words in str(info.value)


def test_return_and_review_settings_change_the_shop():
    base = ck.generate_shop(customers=1500, seed=3)
    none = ck.generate_shop(customers=1500, seed=3, returns=ReturnSettings(
        category_rates={}, other_rate=0.0, cancel_rate=0.0))
    assert (none.orders["refund_reason"].isin(["尺码不合适", "不想要了", "拍错/多拍"])).sum() == 0
    assert (none.orders["refund_amount"] > 0).mean() < (base.orders["refund_amount"] > 0).mean()
    chatty = ck.generate_shop(customers=1500, seed=3,
                              reviews=ReviewSettings(write_rate=0.9, write_rate_bad=0.9))
    assert chatty.reviews["is_default"].mean() < 0.2 < base.reviews["is_default"].mean()


def test_presale_orders_are_paid_in_the_balance_window_from_its_opening_evening(shop):
    """Pre-sale balances are paid in the season's 尾款 window (2024: from 10-21 20:00; 2025:
    from 10-20 20:00), never on 双11 itself, and crowd the window's first evening."""
    from crmkit.promo_calendar import OPENING_HOUR, is_balance_day

    o = shop.orders
    presale = o[o["is_presale"]]
    assert len(presale) > 50
    days = presale["order_time"].dt.floor("D").to_numpy().astype("datetime64[D]")
    assert is_balance_day(days).all()
    assert not ((presale["order_time"].dt.month == 11) & (presale["order_time"].dt.day == 11)).any()
    first_days = {d for d in np.unique(days) if not is_balance_day(np.array([d - 1]))[0]}
    opening = presale[[d in first_days for d in days]]
    assert len(opening) > 0 and (opening["order_time"].dt.hour >= OPENING_HOUR).all()
    later = presale[[d not in first_days for d in days]]
    assert later["order_time"].dt.hour.nunique() > 8  # after the opening evening, any hour
