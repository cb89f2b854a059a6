"""第 2 章 客户来源分析（教材 7.2.1）的练习：访问转化率、各获客渠道的客户质量（客单价、复购、优惠使用）、
付费渠道的获客成本、双11 高峰，以及一份渠道预算建议（引用的数字被评分）。

Every expected value is a pure function of the shop the learner loaded.
"""

from __future__ import annotations

import pandas as pd

from crmkit.exercises.common import as_of as _as_of, close, valid
from crmkit.exercises.diagnoses import percent, refunds_kept
from crmkit.grading.compare import DictOf, Scalar, SeriesOf
from crmkit.grading.declare import Diagnosis, Exercise

CHAPTER = "2"


# ---- 2.1 visit conversion by channel ------------------------------------------------------


def conversion(shop, denominator="visits", by="channel"):
    v = shop.visits
    converted = v["order_id"].notna().groupby(v[by]).sum()
    if denominator == "visits":
        base = v.groupby(by).size()
    else:
        base = v.groupby(by)["customer_id"].nunique()
    return converted / base


EX1 = Exercise(
    id="2.1",
    title="各渠道的访问转化率",
    points=2,
    prompt="用访问表 shop.visits 计算每个渠道（channel）的访问转化率 = 带来订单的访问次数（order_id 不为空）"
           "÷ 访问次数。答案是以渠道为索引的 Series，值为 0–1 的比例。",
    expected=conversion,
    comparator=SeriesOf(key_label="渠道"),
    diagnoses=[
        Diagnosis.like("visitors_denominator",
                       "分母用了访客数（不重复的客户数）：访问转化率的分母是访问次数，一位客户可能来访多次。",
                       lambda s: conversion(s, denominator="visitors")),
        percent(conversion, "你给的是百分数（乘了 100）：题目要 0 到 1 之间的比例。"),
        Diagnosis("wrong_level",
                  "分组的层级不对：题目按渠道 channel 分组，不是来源类型 channel_group 或子渠道 sub_channel。",
                  lambda a, ctx: set(a.index) <= set(ctx.shop.visits["channel_group"])
                  | set(ctx.shop.visits["sub_channel"]),
                  example=lambda s: conversion(s, by="channel_group")),
    ],
    hints=[
        "先标出成交的访问：访问表的 order_id 不为空（notna）表示这次访问带来了订单。",
        "True 当作 1、False 当作 0：把这个布尔列按访问的 channel 分组求平均，就是各渠道的转化率。",
    ],
)


# ---- 2.2 AOV by acquisition channel -------------------------------------------------------


def aov_by_acquisition(shop, by_order_channel=False, net=True):
    v = valid(shop.orders)
    amount = v["paid_amount"] - v["refund_amount"] if net else v["paid_amount"]
    if by_order_channel:
        key = v["channel"]
    else:
        key = v["customer_id"].map(shop.customers.set_index("customer_id")["acquisition_channel"])
    out = amount.groupby(key).mean()
    out.index.name = "acquisition_channel"
    return out


EX2 = Exercise(
    id="2.2",
    title="各获客渠道客户的客单价",
    points=2,
    prompt="客户质量按客户**第一次进店的渠道**（customers 的 acquisition_channel）比较。把有效订单"
           "（不含“退款成功”）接上下单客户的获客渠道，算出每个获客渠道的客单价 = 平均每笔有效订单的消费净额"
           "（paid_amount − refund_amount）。答案是以获客渠道为索引的 Series。",
    expected=aov_by_acquisition,
    comparator=SeriesOf(digits=2, key_label="获客渠道"),
    diagnoses=[
        Diagnosis.like("order_channel",
                       "你按订单自己的渠道（orders 的 channel）分组了：题目比较的是客户第一次进店的渠道，"
                       "要先把 customers 的 acquisition_channel 接到订单上（merge 或 map）。",
                       lambda s: aov_by_acquisition(s, by_order_channel=True)),
        Diagnosis.like("refund_not_subtracted",
                       "没有扣除部分退款：消费净额 = paid_amount − refund_amount。",
                       lambda s: aov_by_acquisition(s, net=False)),
    ],
    hints=[
        "有效订单表里没有获客渠道：用 merge 按 customer_id 把客户表的 acquisition_channel 接到订单上。",
        "再加一列净额（paid_amount − refund_amount），按 acquisition_channel 分组，对净额求平均。",
    ],
)


# ---- 2.3 90-day repurchase by acquisition channel -----------------------------------------


def repurchase_90(shop, mature_only=True, window=True):
    v = valid(shop.orders).sort_values(["customer_id", "order_time"], kind="stable")
    n = v.groupby("customer_id").cumcount()
    first = v.loc[n == 0].set_index("customer_id")["order_time"]
    second = v.loc[n == 1].set_index("customer_id")["order_time"].reindex(first.index)
    if mature_only:
        first = first[first <= _as_of(shop) - pd.Timedelta(days=90)]
        second = second.reindex(first.index)
    again = ((second - first) <= pd.Timedelta(days=90)) if window else second.notna()
    channel = shop.customers.set_index("customer_id")["acquisition_channel"].reindex(first.index)
    out = again.groupby(channel).mean()
    out.index.name = "acquisition_channel"
    return out


EX3 = Exercise(
    id="2.3",
    title="各获客渠道的 90 天复购率",
    points=2,
    prompt="90 天复购率 = 第二笔有效订单与首单（第一笔有效订单）的下单时刻相差不超过 90 天的客户比例"
           "（按精确时刻比较：第二单时间 − 首单时间 <= pd.Timedelta(days=90)，恰好 90×24 小时也算）。"
           "为了公平，只统计首单时刻不晚于“基准日 − 90 天”（含这一刻）的客户（基准日 = 最后一笔订单日期的次日 0 点），"
           "否则新客户还没来得及复购。按获客渠道（acquisition_channel）计算，答案是以获客渠道为索引的 Series（0–1）。",
    expected=repurchase_90,
    comparator=SeriesOf(key_label="获客渠道"),
    diagnoses=[
        Diagnosis.like("not_mature",
                       "把首单离基准日不足 90 天的新客户也算进分母了：他们还没有完整的 90 天，会拉低复购率。"
                       "先筛出首单 ≤ 基准日 − 90 天的客户。", lambda s: repurchase_90(s, mature_only=False)),
        Diagnosis.like("no_window",
                       "你数的是“买过第二单”的客户，不管隔了多久：要求第二单与首单相隔不超过 90 天。",
                       lambda s: repurchase_90(s, window=False)),
        percent(repurchase_90, "你给的是百分数（乘了 100）：题目要 0 到 1 之间的比例。"),
    ],
    hints=[
        "有效订单按客户、时间排序后，groupby('customer_id').cumcount() 给出每单是该客户的第几单（从 0 开始）。",
        "第 0 单是首单、第 1 单是第二单；各取出来以 customer_id 为索引，第二单 reindex 到首单的客户上（没有就是 NaT）。",
        "只保留首单不晚于基准日 − 90 天的客户；第二单与首单相差不超过 90 天（pd.Timedelta）记为复购，再按获客渠道分组求这个布尔列的平均。",
    ],
)


# ---- 2.4 discount use by channel group ----------------------------------------------------


def discount_use(shop, valid_only=True, counts=False):
    o = valid(shop.orders) if valid_only else shop.orders
    used = o["discount_amount"] > 0
    g = used.groupby(o["channel_group"])
    return g.sum().astype("int64") if counts else g.mean()


EX4 = Exercise(
    id="2.4",
    title="各来源类型的优惠使用率",
    points=1,
    prompt="教材说站内付费流量带来的客户对价格更敏感。按订单的来源类型（orders 的 channel_group），"
           "算出有效订单中使用了优惠（discount_amount > 0）的订单比例。答案是以来源类型为索引的 Series（0–1）。",
    expected=discount_use,
    comparator=SeriesOf(key_label="来源类型"),
    diagnoses=[
        Diagnosis.like("counts", "你给的是使用优惠的订单数；题目要比例：对 True/False 求平均（.mean()）。",
                       lambda s: discount_use(s, counts=True)),
        refunds_kept(lambda s: discount_use(s, valid_only=False)),
    ],
    hints=[
        "used = valid['discount_amount'] > 0 是一列 True/False。",
        "把这个布尔列按订单的 channel_group 分组求平均，就是每个来源类型中 True 的比例。",
    ],
)


# ---- 2.5 CAC of paid channels -------------------------------------------------------------


def cac(shop, denominator="new_customers"):
    costs = shop.channel_costs
    spend = costs.groupby("channel")["spend"].sum()
    if denominator == "visits":
        base = costs.groupby("channel")["visits"].sum()
    elif denominator == "buyers":
        buyers = set(valid(shop.orders)["customer_id"])
        c = shop.customers[shop.customers["customer_id"].isin(buyers)]
        base = c.groupby("acquisition_channel").size().reindex(spend.index)
    else:
        base = shop.customers.groupby("acquisition_channel").size().reindex(spend.index)
    out = spend / base
    out.index.name = "channel"
    return out


EX5 = Exercise(
    id="2.5",
    title="付费渠道的获客成本",
    points=2,
    prompt="渠道费用表 shop.channel_costs 记录了每个付费渠道每月的推广费用（淘宝客按成交佣金计）。"
           "获客成本 CAC = 该渠道全部推广费用 ÷ 由该渠道获客的客户数（customers 的 acquisition_channel）。"
           "算出费用表中每个渠道的 CAC（元/人），答案是以渠道为索引的 Series。",
    expected=cac,
    comparator=SeriesOf(digits=2, key_label="渠道"),
    diagnoses=[
        Diagnosis.like("per_visit",
                       "你算的是每次访问的费用（除以了访问次数）：CAC 的分母是这个渠道带来的客户数。",
                       lambda s: cac(s, "visits")),
        Diagnosis.like("per_buyer",
                       "分母只算了下过单的客户：CAC 按获客的全部新客户计算（customers 表里该获客渠道的人数）。",
                       lambda s: cac(s, "buyers")),
    ],
    hints=[
        "费用合计：shop.channel_costs.groupby('channel')['spend'].sum()。",
        "获客人数：shop.customers.groupby('acquisition_channel').size()。",
        "两个 Series 按渠道对齐相除；只保留费用表里有的渠道（.reindex(费用合计.index)）。",
    ],
)


# ---- 2.6 the 双11 peak --------------------------------------------------------------------


def double11_ratio(shop, valid_only=True, stat="median", all_years=False):
    o = valid(shop.orders) if valid_only else shop.orders
    day = o["order_time"].dt.normalize()
    year = int(day.max().year)
    daily = (day if all_years else day[day.dt.year == year]).value_counts()
    peak = int(daily.get(pd.Timestamp(year=year, month=11, day=11), 0))
    base = daily.median() if stat == "median" else daily.mean()
    return float(peak / base)


EX6 = Exercise(
    id="2.6",
    title="双11 是平常的几倍",
    points=2,
    prompt="取数据最后一年（order_time 的最大年份），用有效订单统计每天的订单数（只统计有订单的日子），"
           "算出当年 11 月 11 日的订单数是“每天订单数的中位数”的几倍。答案是一个数。",
    expected=double11_ratio,
    comparator=Scalar(what="一个倍数"),
    diagnoses=[
        Diagnosis.like("mean_not_median",
                       "分母用了平均数：大促几天的订单特别多，会把平均数拉高；题目要中位数（.median()）。",
                       lambda s: double11_ratio(s, stat="mean")),
        Diagnosis.like("inverted", "除反了：倍数 = 双11 当天的订单数 ÷ 每天订单数的中位数。",
                       lambda s: 1.0 / double11_ratio(s)),
        Diagnosis.like("all_years",
                       "中位数用了全部年份的每天订单数：题目只取数据最后一年（order_time 的最大年份）的日子。",
                       lambda s: double11_ratio(s, all_years=True)),
    ],
    hints=[
        "用 .dt.normalize() 把有效订单的下单时间变成日期，再用 .dt.year 只留最后一年。",
        "daily = day.value_counts() 是每天的订单数；daily.median() 是中位数。",
        "双11 当天的订单数：用 pd.Timestamp 写出那一年的 11 月 11 日，到每天的订单数里按日期取值。",
    ],
)


# ---- 2.7 the open task: a channel budget memo ---------------------------------------------


def _roi(shop):
    from crmkit.sources import paid_channel_roi

    return paid_channel_roi(shop.channel_costs, shop.customers, shop.orders)["roi"]


def _referral(shop, mature=True):
    c = shop.customers
    v = valid(shop.orders)
    first = v.groupby("customer_id")["order_time"].min()
    as_of = _as_of(shop)
    if mature:
        c = c[c["register_date"] <= as_of - pd.Timedelta(days=180)]
    days = (c["customer_id"].map(first) - c["register_date"]).dt.days
    bought = (days <= 180).fillna(False).astype(bool)
    referred = c["acquisition_channel"] == "老客推荐"
    return float(bought[referred].mean()), float(bought[~referred].mean())


def memo(shop):
    roi = _roi(shop)
    ref, other = _referral(shop)
    return {"ROI最高的付费渠道": str(roi.idxmax()), "老客推荐成交率": ref, "其他渠道成交率": other}


def _lowest_roi(answer, ctx) -> bool:
    return isinstance(answer, dict) and answer.get("ROI最高的付费渠道") == str(_roi(ctx.shop).idxmin())


def _not_mature(answer, ctx) -> bool:
    ref, other = _referral(ctx.shop, mature=False)
    return isinstance(answer, dict) and close(answer.get("其他渠道成交率"), other) \
        and not close(other, ctx.expected["其他渠道成交率"])


EX7 = Exercise(
    id="2.7",
    title="渠道预算建议",
    points=2,
    parts={"ROI最高的付费渠道": 1, "老客推荐成交率": 0.5, "其他渠道成交率": 0.5},
    prompt="店长问：明年的推广预算该往哪里放？写 3–5 句建议，引用下面三个数并写进字典："
           "{'ROI最高的付费渠道': 渠道名（用 ck.sources.paid_channel_roi 的 roi 列）, "
           "'老客推荐成交率': 注册已满 180 天的“老客推荐”客户中、注册后 180 天内下过有效订单的比例, "
           "'其他渠道成交率': 其他获客渠道的同一比例}。",
    expected=memo,
    comparator=DictOf(Scalar()),
    diagnoses=[
        Diagnosis("lowest_roi", "你选的是 ROI 最低的渠道：用 .idxmax() 找最高的。", _lowest_roi,
                  example=lambda s: {**memo(s), "ROI最高的付费渠道": str(_roi(s).idxmin())}),
        Diagnosis("not_mature",
                  "成交率的分母包括了注册不满 180 天的客户：他们还没有完整的 180 天，先筛出注册日期 ≤ 基准日 − 180 天的客户。",
                  _not_mature,
                  example=lambda s: {**memo(s), "老客推荐成交率": _referral(s, mature=False)[0],
                      "其他渠道成交率": _referral(s, mature=False)[1]}),
    ],
    hints=[
        "ck.sources.paid_channel_roi 给出各付费渠道的 roi 列；用 idxmax 找 ROI 最高的渠道名。",
        "每位客户的首个有效订单时间：valid.groupby('customer_id')['order_time'].min()，用 map 接到客户表上。",
        "两组的成交率：用 map 把首个有效订单时间接到客户表上，与 register_date 相差不超过 180 天的算成交（没下过单的算未成交），再按是否“老客推荐”分两组求平均。",
    ],
)

EXERCISES = [EX1, EX2, EX3, EX4, EX5, EX6, EX7]
