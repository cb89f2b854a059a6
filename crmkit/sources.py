"""客户来源分析（7.2.1）：各渠道的访问到成交漏斗、各获客渠道的客户质量、付费渠道的获客成本与
投资回报率、老客裂变（推荐）效果，以及每日成交走势（看 618、双11 的高峰）。"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import CrmkitError
from .glossary import REPEAT_MIN_ORDERS
from .rfm import purchases, require_positive, require_table, resolve_as_of
from .validate import require_choice

LEVELS = ("channel_group", "channel", "sub_channel")
PAID_CHANNELS = ("直通车", "钻展", "超级推荐", "淘宝客")
REFERRAL_CHANNEL = "老客推荐"


def channel_funnel(visits: pd.DataFrame, by="channel") -> pd.DataFrame:
    """访问 → 成交漏斗：按渠道统计访问次数、访客数、成交访问数和访问转化率。

    ``by`` 可取 ``"channel_group"``（来源类型）、``"channel"``（渠道）、``"sub_channel"``（子渠道），
    或它们组成的列表（如 ``["channel", "sub_channel"]``）。一次访问带来了订单
    （``order_id`` 不为空）就算成交访问；``conversion_rate`` = 成交访问数 ÷ 访问次数。

    >>> visits = pd.DataFrame({"customer_id": ["A", "A", "B", "C"],
    ...                        "channel": ["搜索", "搜索", "直通车", "搜索"],
    ...                        "order_id": ["O1", None, None, "O2"]})
    >>> channel_funnel(visits)
             visits  visitors  orders  conversion_rate
    channel
    搜索            3         2       2         0.666667
    直通车           1         1       0         0.000000
    """
    keys = [by] if isinstance(by, str) else list(by)
    for key in keys:
        require_choice(key, LEVELS, "by（分组层级）")
    require_table(visits, keys + ["customer_id", "order_id"], "访问表")
    g = visits.assign(_converted=visits["order_id"].notna()).groupby(keys, sort=False)
    out = pd.DataFrame(
        {
            "visits": g.size(),
            "visitors": g["customer_id"].nunique(),
            "orders": g["_converted"].sum().astype("int64"),
        }
    )
    out["conversion_rate"] = out["orders"] / out["visits"]
    return out.sort_values("visits", ascending=False, kind="stable")


def first_purchases(orders: pd.DataFrame, as_of=None) -> pd.DataFrame:
    """每位客户的首单时间、第二单时间（没有为空）、订单数、消费净额和使用优惠的订单占比。

    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "B"],
    ...                        "order_time": pd.to_datetime(["2024-01-01", "2024-02-15", "2024-03-01"]),
    ...                        "paid_amount": [100.0, 50.0, 80.0], "discount_amount": [0.0, 10.0, 0.0]})
    >>> first_purchases(orders)[["first_order", "second_order", "discount_use"]]
                first_order second_order  discount_use
    customer_id
    A            2024-01-01   2024-02-15           0.5
    B            2024-03-01          NaT           0.0
    """
    p = purchases(orders, as_of, ["discount_amount", "coupon"]).sort_values(["customer_id", "order_time"], kind="stable")
    p["_n"] = p.groupby("customer_id").cumcount()
    first = p.loc[p["_n"] == 0].set_index("customer_id")["order_time"]
    second = p.loc[p["_n"] == 1].set_index("customer_id")["order_time"]
    g = p.groupby("customer_id")
    out = pd.DataFrame({"first_order": first})
    out["second_order"] = second.reindex(out.index)
    out["n_orders"] = g.size()
    out["spend"] = g["net_amount"].sum()
    out["aov"] = out["spend"] / out["n_orders"]
    out["discount_use"] = _discounted(p).groupby(p["customer_id"]).mean()
    out.index.name = "customer_id"
    return out


def channel_quality(
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    by: str = "acquisition_channel",
    as_of=None,
    windows=(90, 180),
) -> pd.DataFrame:
    """按获客渠道比较客户质量：客户数、成交客户数、成交率、客单价、90/180 天复购率、优惠使用率。

    - ``buyer_rate``：该渠道来的客户中至少下过一单的比例；
    - ``aov``：这些客户所有有效订单的平均消费净额（客单价）；
    - ``repurchase_90d``：首单后 90 天内再次下单的比例。只统计首单距基准日已满 90 天的客户，
      否则新客户还没来得及复购，会拉低比率（180 天同理）；
    - ``discount_use``：订单中使用了优惠（优惠金额大于 0 或有优惠方式）的比例。

    ``by`` 是客户表里的分组列，默认 ``acquisition_channel``，也可用 ``acquisition_sub_channel``。

    >>> customers = pd.DataFrame({"customer_id": ["A", "B", "C"],
    ...                           "acquisition_channel": ["搜索", "搜索", "直通车"]})
    >>> orders = pd.DataFrame({"customer_id": ["A", "A", "C"],
    ...                        "order_time": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-05"]),
    ...                        "paid_amount": [100.0, 60.0, 90.0], "discount_amount": [0.0, 0.0, 9.0]})
    >>> channel_quality(customers, orders, as_of="2024-12-31")[["customers", "buyers", "aov",
    ...                                                          "repurchase_90d", "discount_use"]]
                         customers  buyers   aov  repurchase_90d  discount_use
    acquisition_channel
    搜索                           2       1  80.0             1.0           0.0
    直通车                          1       1  90.0             0.0           1.0
    """
    require_table(customers, ["customer_id", by], "客户表")
    as_of = resolve_as_of(orders, as_of)
    fp = first_purchases(orders, as_of)
    fp = fp.join(customers.set_index("customer_id")[[by]], how="inner")
    p = purchases(orders, as_of, ["discount_amount", "coupon"])
    p = p.join(customers.set_index("customer_id")[[by]], on="customer_id", how="inner")
    p["_discounted"] = _discounted(p)
    out = pd.DataFrame({"customers": customers.groupby(by).size()})
    out["buyers"] = fp.groupby(by).size().reindex(out.index, fill_value=0).astype("int64")
    out["buyer_rate"] = out["buyers"] / out["customers"]
    g = p.groupby(by)
    out["orders"] = g.size().reindex(out.index, fill_value=0).astype("int64")
    out["aov"] = g["net_amount"].mean().reindex(out.index)
    out["orders_per_buyer"] = out["orders"] / out["buyers"].where(out["buyers"] > 0)
    for days in windows:
        require_positive(days, "windows（复购窗口天数）")
        out[f"repurchase_{days}d"] = _repurchase_within(fp, by, days, as_of).reindex(out.index)
    out["discount_use"] = g["_discounted"].mean().reindex(out.index)
    return out.sort_values("customers", ascending=False, kind="stable")


def paid_channel_roi(
    channel_costs: pd.DataFrame,
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    margin: float | None = None,
) -> pd.DataFrame:
    """付费渠道的获客成本（CAC）和投资回报率（ROI）。

    对费用表中的每个渠道，统计费用所覆盖的月份里：

    - ``spend``：推广费用合计（元）；``new_customers``：这些月份由该渠道获客的新客户数；
    - ``cac`` = 费用 ÷ 新客户数；
    - ``revenue``：这些月份由该渠道带来的有效订单的消费净额（按订单表的 ``channel`` 归因）；
    - ``roas`` = 营收 ÷ 费用；``roi`` = (营收 × 毛利率 − 费用) ÷ 费用。
      ``margin``（毛利率）不给时按营收计算 ROI，即 (营收 − 费用) ÷ 费用，会高估回报。

    >>> costs = pd.DataFrame({"month": ["2024-01", "2024-01"], "channel": ["直通车", "钻展"],
    ...                       "spend": [1000.0, 500.0]})
    >>> customers = pd.DataFrame({"customer_id": ["A", "B", "C"],
    ...                           "register_date": pd.to_datetime(["2024-01-03", "2024-01-09", "2024-01-20"]),
    ...                           "acquisition_channel": ["直通车", "直通车", "钻展"]})
    >>> orders = pd.DataFrame({"customer_id": ["A", "B", "C"], "channel": ["直通车", "直通车", "钻展"],
    ...                        "order_time": pd.to_datetime(["2024-01-03", "2024-01-09", "2024-01-20"]),
    ...                        "paid_amount": [900.0, 600.0, 200.0]})
    >>> paid_channel_roi(costs, customers, orders)[["spend", "new_customers", "cac", "revenue", "roi"]]
              spend  new_customers    cac  revenue  roi
    channel
    直通车      1000.0              2  500.0   1500.0  0.5
    钻展        500.0              1  500.0    200.0 -0.6
    """
    require_table(channel_costs, ["month", "channel", "spend"], "渠道费用表", numbers=["spend"])
    require_table(customers, ["customer_id", "register_date", "acquisition_channel"], "客户表",
                  dates=["register_date"])
    require_table(orders, ["channel", "order_time", "paid_amount"], "订单表")
    if margin is not None and not 0 < margin <= 1:
        raise CrmkitError(f"margin（毛利率）应在 0 到 1 之间，实际是 {margin}。")
    cost_keys = pd.MultiIndex.from_arrays([channel_costs["month"].astype("str"),
                                           channel_costs["channel"].astype("str")])
    reg = customers["register_date"]
    new = customers[["acquisition_channel"]].loc[pd.MultiIndex.from_arrays(
        [_month_text(reg), customers["acquisition_channel"].astype("str")]).isin(cost_keys)]
    p = purchases(orders, orders["order_time"].max() + pd.Timedelta(seconds=1), ["channel"])
    p = p.loc[pd.MultiIndex.from_arrays([_month_text(p["order_time"]),
                                         p["channel"].astype("str")]).isin(cost_keys)]
    out = pd.DataFrame({"spend": channel_costs.groupby("channel")["spend"].sum()})
    out["months"] = channel_costs.groupby("channel")["month"].nunique()
    out["new_customers"] = new.groupby("acquisition_channel").size().reindex(
        out.index, fill_value=0).astype("int64")
    out["cac"] = out["spend"] / out["new_customers"].where(out["new_customers"] > 0)
    out["revenue"] = p.groupby("channel")["net_amount"].sum().reindex(out.index, fill_value=0.0)
    out["roas"] = out["revenue"] / out["spend"]
    out["roi"] = (out["revenue"] * (1.0 if margin is None else margin) - out["spend"]) / out["spend"]
    out.index.name = "channel"
    return out.sort_values("spend", ascending=False, kind="stable")


def referral_summary(customers: pd.DataFrame, orders: pd.DataFrame, as_of=None,
                     window_days: int = 180) -> pd.DataFrame:
    """老客裂变：比较“老客推荐”来的新客户与其他新客户的成交率、客单价和复购率。

    两行：``老客推荐`` 和 ``其他渠道``。``buyer_rate`` 是注册后 ``window_days`` 天内下单的比例
    （只统计注册已满 ``window_days`` 天的客户），``repurchase_rate`` 是成交客户中下过至少 2 单的比例。

    >>> customers = pd.DataFrame({"customer_id": ["A", "B", "C", "D"],
    ...     "register_date": pd.to_datetime(["2024-01-01"] * 4),
    ...     "acquisition_channel": ["搜索", "老客推荐", "老客推荐", "搜索"],
    ...     "referrer_id": [None, "A", "A", None]})
    >>> orders = pd.DataFrame({"customer_id": ["A", "B", "C", "C"],
    ...     "order_time": pd.to_datetime(["2024-01-02", "2024-01-05", "2024-01-06", "2024-03-01"]),
    ...     "paid_amount": [100.0, 120.0, 80.0, 100.0]})
    >>> referral_summary(customers, orders, as_of="2024-12-31")[["customers", "buyer_rate", "aov"]]
              customers  buyer_rate    aov
    group
    老客推荐          2         1.0  100.0
    其他渠道          2         0.5  100.0
    """
    require_table(customers, ["customer_id", "register_date", "acquisition_channel"], "客户表",
                  dates=["register_date"])
    require_positive(window_days, "window_days（观察天数）")
    as_of = resolve_as_of(orders, as_of)
    fp = first_purchases(orders, as_of)
    c = customers.set_index("customer_id")[["register_date", "acquisition_channel"]]
    c = c.join(fp[["first_order", "n_orders", "spend"]], how="left")
    c["group"] = np.where(c["acquisition_channel"] == REFERRAL_CHANNEL, "老客推荐", "其他渠道")
    mature = c["register_date"] <= as_of - pd.Timedelta(days=window_days)
    c["_early_buyer"] = (c["first_order"] - c["register_date"]).dt.days <= window_days
    g = c.groupby("group")
    gm = c.loc[mature].groupby("group")
    buyers = c.loc[c["n_orders"].notna()]
    out = pd.DataFrame({"customers": g.size()})
    out["buyer_rate"] = gm["_early_buyer"].mean()
    out["aov"] = buyers.groupby("group")["spend"].sum() / buyers.groupby("group")["n_orders"].sum()
    out["repurchase_rate"] = (buyers["n_orders"] >= REPEAT_MIN_ORDERS).groupby(buyers["group"]).mean()
    out["spend_per_customer"] = c["spend"].fillna(0.0).groupby(c["group"]).mean()
    out.index.name = "group"
    return out.reindex(["老客推荐", "其他渠道"])


def top_referrers(customers: pd.DataFrame, orders: pd.DataFrame | None = None,
                  n: int = 10, as_of=None) -> pd.DataFrame:
    """推荐新客户最多的老客户：推荐人数、其中已成交人数、被推荐客户带来的消费净额。

    >>> customers = pd.DataFrame({"customer_id": ["A", "B", "C"], "referrer_id": [None, "A", "A"]})
    >>> top_referrers(customers)
                 referred
    referrer_id
    A                   2
    """
    require_table(customers, ["customer_id", "referrer_id"], "客户表")
    require_positive(n, "n（显示人数）")
    referred = customers.loc[customers["referrer_id"].notna(), ["customer_id", "referrer_id"]]
    out = pd.DataFrame({"referred": referred.groupby("referrer_id").size()})
    if orders is not None:
        spend = first_purchases(orders, as_of)["spend"]
        r = referred.assign(spend=referred["customer_id"].map(spend))
        out["referred_buyers"] = r.groupby("referrer_id")["spend"].count()
        out["referred_spend"] = r.groupby("referrer_id")["spend"].sum()
    return out.sort_values("referred", ascending=False, kind="stable").head(int(n))


def daily_orders(orders: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """每天的有效订单数和消费净额（可按 ``by`` 列分组），用来看 618、双11 等活动高峰。

    >>> orders = pd.DataFrame({"customer_id": ["A", "B", "C"],
    ...     "order_time": pd.to_datetime(["2024-11-11 00:05", "2024-11-11 20:00", "2024-11-12 09:00"]),
    ...     "paid_amount": [100.0, 50.0, 30.0]})
    >>> daily_orders(orders)
                orders  revenue
    date
    2024-11-11       2    150.0
    2024-11-12       1     30.0
    """
    p = purchases(orders, orders["order_time"].max() + pd.Timedelta(seconds=1)
                  if "order_time" in orders.columns and len(orders) else None,
                  [by] if by else ())
    keys = [p["order_time"].dt.normalize().rename("date")]
    if by is not None:
        require_table(orders, [by], "订单表")
        keys.append(p[by])
    g = p.groupby(keys)
    return pd.DataFrame({"orders": g.size(), "revenue": g["net_amount"].sum()})


# ---- helpers ------------------------------------------------------------------------------

def _month_text(dates: pd.Series) -> np.ndarray:
    """'YYYY-MM' for each date, built from numbers (much faster than strftime)."""
    year = dates.dt.year.to_numpy()
    month = dates.dt.month.to_numpy()
    codes = year * 100 + month
    uniq, inverse = np.unique(codes, return_inverse=True)
    labels = np.array([f"{c // 100:04d}-{c % 100:02d}" for c in uniq], dtype=object)
    return labels[inverse]


def _discounted(p: pd.DataFrame) -> pd.Series:
    flag = pd.Series(False, index=p.index)
    if "discount_amount" in p.columns:
        flag |= p["discount_amount"].fillna(0) > 0
    if "coupon" in p.columns:
        flag |= p["coupon"].notna()
    return flag


def _repurchase_within(fp: pd.DataFrame, by: str, days: int, as_of) -> pd.Series:
    mature = fp.loc[fp["first_order"] <= as_of - pd.Timedelta(days=days)]
    again = (mature["second_order"] - mature["first_order"]) <= pd.Timedelta(days=days)
    return again.groupby(mature[by]).mean()
