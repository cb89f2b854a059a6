"""The course shop looks like a real shop, judged from the observable tables only
(CURRICULUM.md's calibration targets), plus the effects the chapters rely on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

PAID = ["直通车", "钻展", "超级推荐", "淘宝客"]


@pytest.fixture(scope="module")
def orders_per_customer(course_shop):
    return course_shop.orders.groupby("customer_id").size()


def test_one_time_buyers_are_45_to_70_percent(orders_per_customer):
    share = orders_per_customer.eq(1).mean()
    assert 0.45 <= share <= 0.70, share


def test_top_20_percent_of_customers_bring_60_to_85_percent_of_revenue(course_shop):
    revenue = course_shop.orders.groupby("customer_id")["paid_amount"].sum().sort_values(
        ascending=False)
    top = revenue.iloc[: int(np.ceil(0.2 * len(revenue)))].sum() / revenue.sum()
    assert 0.60 <= top <= 0.85, top


def test_double_11_has_at_least_5x_the_orders_of_a_median_day(course_shop):
    o = course_shop.orders
    cfg = course_shop.config
    daily = o.groupby(o["order_time"].dt.normalize()).size().reindex(
        pd.date_range(cfg.start, cfg.end), fill_value=0)
    for year in range(cfg.start.year, cfg.end.year + 1):
        assert daily[pd.Timestamp(year, 11, 11)] >= 5 * daily.median(), year


def test_review_stars_skew_positive_like_the_olist_shares(course_shop):
    target = {5: 0.58, 4: 0.19, 3: 0.08, 2: 0.03, 1: 0.12}
    shares = course_shop.reviews["stars"].value_counts(normalize=True)
    for stars, share in target.items():
        assert abs(shares.get(stars, 0) - share) <= 0.04, (stars, shares.get(stars, 0))


def test_late_deliveries_lower_stars_by_over_one_point(course_shop):
    r = course_shop.reviews.merge(course_shop.orders[["order_id", "delivery_delay_days"]],
                                  on="order_id")
    late = r["delivery_delay_days"] > 0
    gap = r.loc[~late, "stars"].mean() - r.loc[late, "stars"].mean()
    assert 1.2 <= gap <= 2.3, gap


def test_direct_and_referred_customers_repurchase_more_than_paid_channel_customers(
        course_shop, orders_per_customer):
    buyers = course_shop.customers.set_index("customer_id").loc[orders_per_customer.index]
    repeat = (orders_per_customer > 1).groupby(buyers["acquisition_channel"]).mean()
    paid_rate = (orders_per_customer > 1)[buyers["acquisition_channel"].isin(PAID)].mean()
    assert repeat["直接访问"] > paid_rate + 0.05
    assert repeat["老客推荐"] > paid_rate + 0.05


def test_paid_channel_customers_use_more_discounts(course_shop):
    o = course_shop.orders.merge(course_shop.customers[["customer_id", "acquisition_channel"]],
                                 on="customer_id")
    uses = o["discount_amount"] > 0
    paid = o["acquisition_channel"].isin(PAID)
    assert uses[paid].mean() > uses[o["acquisition_channel"] == "直接访问"].mean()


def test_bad_experiences_go_with_more_churn_in_truth(course_shop):
    shop = course_shop
    late = shop.orders.loc[shop.orders["delivery_delay_days"] > 0, "customer_id"]
    chats = shop.service_chats
    unresolved = chats.loc[(chats["stage"] == "售后") & ~chats["resolved"], "customer_id"]
    buyers = shop.orders["customer_id"].unique()
    t = shop.truth[shop.truth["customer_id"].isin(buyers)]
    bad = t["customer_id"].isin(late) | t["customer_id"].isin(unresolved)
    churned = ~t["alive_at_end"]
    assert churned[bad].mean() > churned[~bad].mean() + 0.05


def test_community_members_and_heavier_tiers_behave_differently(course_shop, orders_per_customer):
    members = course_shop.community_members["customer_id"].unique()
    repeat = orders_per_customer > 1
    in_community = repeat.index.isin(members)
    assert repeat[in_community].mean() > repeat[~in_community].mean() + 0.1
    spend = course_shop.orders.groupby("customer_id")["paid_amount"].sum()
    top = spend >= spend.quantile(0.9)
    assert repeat.reindex(spend.index)[top].mean() > 0.8


def test_sms_campaigns_lift_conversion_over_control(course_shop):
    c = course_shop.campaign_contacts
    rates = c.groupby("group")["converted"].mean()
    assert rates["实验组"] > rates["对照组"]
    assert 0 < rates["对照组"] < 0.5


def test_one_item_in_most_orders_and_funnel_follows_channel_conversion(course_shop):
    lines = course_shop.order_items.groupby("order_id").size()
    assert 0.82 <= (lines == 1).mean() <= 0.95
    visits = course_shop.visits
    conversion = visits["order_id"].notna().groupby(visits["channel"]).mean()
    assumed = {name: spec.conversion for name, spec in course_shop.config.channels.items()}
    for channel, rate in conversion.items():
        assert abs(rate - assumed[channel]) / assumed[channel] < 0.35, (channel, rate)
