"""第 2 章 客户来源分析（教材 7.2.1）的练习：访问转化率、各获客渠道的客户质量（客单价、复购、优惠使用）、
付费渠道的获客成本、双11 高峰，以及一份渠道预算建议（引用的数字被评分）。

Every expected value is a pure function of the shop the learner loaded.
"""

from __future__ import annotations

import pandas as pd

from crmkit.exercises.common import as_of as _as_of, valid
from crmkit.exercises.diagnoses import percent, refunds_kept
from crmkit.grading.compare import DictOf, Scalar, SeriesOf
from crmkit.grading.declare import Diagnosis, Exercise

CHAPTER = "2"


# ---- 2.1 visit conversion by channel ------------------------------------------------------


def conversion(shop, denominator="visits", by="channel", refunds_dropped=False):
    v = shop.visits
    converted = v["order_id"].notna()
    if refunds_dropped:
        converted = v["order_id"].isin(valid(shop.orders)["order_id"])
    if denominator == "visitors_converted":  # per customer: did any of their visits convert?
        per = converted.groupby([v[by], v["customer_id"]]).any()
        return per.groupby(level=0).mean().rename_axis(by)
    converted = converted.groupby(v[by]).sum()
    if denominator == "visits":
        base = v.groupby(by).size()
    elif denominator == "all_converted":
        base = converted.sum()
    else:
        base = v.groupby(by)["customer_id"].nunique()
    return converted / base


def _wrong_level(table: str):
    """Grouped by the source type or the sub-channel instead of the channel."""

    def when(answer, ctx) -> bool:
        t = getattr(ctx.shop, table)
        levels = set(t["channel_group"]) | set(t["sub_channel"])
        return isinstance(answer, pd.Series) and len(answer) > 0 and set(answer.index) <= levels

    return when


def _wrong_level_orders(answer, ctx) -> bool:
    """Grouped by the order's channel or sub-channel instead of its source type."""
    o = ctx.shop.orders
    return isinstance(answer, pd.Series) and len(answer) > 0 and \
        set(answer.index) <= set(o["channel"]) | set(o["sub_channel"])


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
        Diagnosis.like("per_visitor",
                       "你按客户算了转化（来访的客户中有多少人下过单）；访问转化率按访问算：访问表的每一行是一次访问，"
                       "带来订单的访问次数 ÷ 访问次数，不要先按客户去重。",
                       lambda s: conversion(s, denominator="visitors_converted")),
        Diagnosis.like("refunds_dropped",
                       "你把后来“退款成功”的订单对应的访问算成了没转化：访问转化率只看这次访问有没有带来订单"
                       "（order_id 不为空），订单之后是否退款不影响这次访问的转化，不用去订单表筛选。",
                       lambda s: conversion(s, refunds_dropped=True)),
        Diagnosis.like("share_of_conversions",
                       "你算的是各渠道占全部成交访问的份额（各渠道加起来等于 1）；转化率在每个渠道内部算："
                       "该渠道带来订单的访问次数 ÷ 该渠道的访问次数。",
                       lambda s: conversion(s, denominator="all_converted")),
        percent(conversion, "你给的是百分数（乘了 100）：题目要 0 到 1 之间的比例。"),
        Diagnosis("wrong_level",
                  "分组的层级不对：题目按渠道 channel 分组，不是来源类型 channel_group 或子渠道 sub_channel。",
                  _wrong_level("visits"),
                  example=lambda s: conversion(s, by="channel_group")),
    ],
    hints=[
        "先标出成交的访问：访问表的 order_id 不为空（notna）表示这次访问带来了订单。",
        "True 当作 1、False 当作 0：把这个布尔列按访问的 channel 分组求平均，就是各渠道的转化率。",
    ],
)


# ---- 2.2 AOV by acquisition channel -------------------------------------------------------


def aov_by_acquisition(shop, by_order_channel=False, net=True, agg="mean", per_customer=False,
                       non_buyers_as_zero=False):
    v = valid(shop.orders)
    amount = v["paid_amount"] - v["refund_amount"] if net else v["paid_amount"]
    acquired = shop.customers.set_index("customer_id")["acquisition_channel"]
    if per_customer:  # spend per customer, then averaged
        amount = amount.groupby(v["customer_id"]).sum()
        key = acquired.reindex(amount.index)
    elif by_order_channel:
        key = v["channel"]
    else:
        key = v["customer_id"].map(acquired)
    if non_buyers_as_zero:  # customers without an order kept as one order of 0 yuan (left merge)
        never = acquired[~acquired.index.isin(v["customer_id"])]
        amount = pd.concat([amount, pd.Series(0.0, index=never.index)], ignore_index=True)
        key = pd.concat([key, never], ignore_index=True)
    out = amount.groupby(key).agg(agg)
    out.index.name = "acquisition_channel"
    return out


def _per_acquired_customer(shop):
    """Net total of each acquisition channel's valid orders ÷ every customer it acquired."""
    total = aov_by_acquisition(shop, agg="sum")
    return total / shop.customers.groupby("acquisition_channel").size().reindex(total.index)


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
        Diagnosis.like("per_customer",
                       "你先把每位客户的消费加总、再对客户求平均，算成了人均消费；客单价是平均每笔订单的消费净额："
                       "直接对有效订单的净额按获客渠道求平均。",
                       lambda s: aov_by_acquisition(s, per_customer=True)),
        Diagnosis.like("sum_not_mean",
                       "你算的是每个获客渠道的消费净额合计（.sum()）；客单价是平均每笔有效订单的消费净额，用 .mean()。",
                       lambda s: aov_by_acquisition(s, agg="sum")),
        Diagnosis.like("median_not_mean",
                       "你用了中位数（.median()）；客单价是平均每笔有效订单的消费净额，用平均数 .mean()。",
                       lambda s: aov_by_acquisition(s, agg="median")),
        Diagnosis.like("per_acquired_customer",
                       "你用消费净额合计除以了该渠道获客的全部客户（包括没下过单的），算成了每位获客客户带来的营收；"
                       "客单价的分母是有效订单的笔数：直接对每笔有效订单的净额按获客渠道求平均。",
                       _per_acquired_customer),
        Diagnosis.like("non_buyers_as_orders",
                       "没下过单的客户也被算成了一笔 0 元的订单（从客户表 merge(how='left') 后 fillna(0)）："
                       "客单价只按有效订单平均，从订单出发把获客渠道接上去，没有订单的客户不进入计算。",
                       lambda s: aov_by_acquisition(s, non_buyers_as_zero=True)),
    ],
    hints=[
        "有效订单表里没有获客渠道：用 merge 按 customer_id 把客户表的 acquisition_channel 接到订单上。",
        "再加一列净额（paid_amount − refund_amount），按 acquisition_channel 分组，对净额求平均。",
    ],
)


# ---- 2.3 90-day repurchase by acquisition channel -----------------------------------------


def repurchase_90(shop, mature_only=True, window=True, gap="exact", all_customers=False,
                  last_date=False, by_first_order_channel=False):
    """Exercise 2.3's rates; `last_date` cuts the eligible customers at the last order's date
    (no +1 day), `by_first_order_channel` groups by the first order's own traffic channel."""
    v = valid(shop.orders).sort_values(["customer_id", "order_time"], kind="stable")
    n = v.groupby("customer_id").cumcount()
    first_rows = v.loc[n == 0].set_index("customer_id")
    first = first_rows["order_time"]
    second = v.loc[n == 1].set_index("customer_id")["order_time"].reindex(first.index)
    if mature_only:
        reference = _as_of(shop) - pd.Timedelta(days=1) if last_date else _as_of(shop)
        first = first[first <= reference - pd.Timedelta(days=90)]
        second = second.reindex(first.index)
    if not window:
        again = second.notna()
    elif gap == "dates":  # whole calendar days between the two order dates
        again = (second.dt.normalize() - first.dt.normalize()).dt.days <= 90
    elif gap == "months":  # 90 days read as 3 calendar months
        again = second <= first + pd.DateOffset(months=3)
    else:
        again = (second - first) <= pd.Timedelta(days=90)
    acquired = shop.customers.set_index("customer_id")["acquisition_channel"]
    if by_first_order_channel:
        acquired = first_rows["channel"].rename("acquisition_channel")
    if all_customers:  # every registered customer of the channel in the denominator
        out = again.reindex(acquired.index, fill_value=False).astype(bool).groupby(acquired).mean()
    else:
        out = again.groupby(acquired.reindex(first.index)).mean()
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
        Diagnosis.like("all_customers",
                       "分母用了该获客渠道的全部注册客户（包括从没下过有效订单的客户）：复购率的分母是首单不晚于"
                       "“基准日 − 90 天”的客户，先找出每位客户的首单再筛选。",
                       lambda s: repurchase_90(s, all_customers=True)),
        Diagnosis.like("by_date",
                       "你按日期（去掉时刻）数了两单相隔的天数；题目按精确时刻比较：第二单时间 − 首单时间 <= "
                       "pd.Timedelta(days=90)，第 90 天当天、晚于首单时刻的第二单不算。",
                       lambda s: repurchase_90(s, gap="dates")),
        Diagnosis.like("calendar_months",
                       "你把 90 天当成了 3 个日历月（pd.DateOffset(months=3)）：题目按天数算，用 pd.Timedelta(days=90)。",
                       lambda s: repurchase_90(s, gap="months")),
        Diagnosis.like("reference_without_next_day",
                       "筛客户用的基准日差了一天：基准日是最后一笔订单日期的**次日** 0 点（日期 + pd.Timedelta(days=1)），"
                       "首单不晚于“基准日 − 90 天”的客户才计入。",
                       lambda s: repurchase_90(s, last_date=True)),
        Diagnosis.like("first_order_channel",
                       "你按首单自己的流量渠道（orders 的 channel）分组了：题目按客户的获客渠道 "
                       "customers 的 acquisition_channel 分组，把它按 customer_id 接到首单上。",
                       lambda s: repurchase_90(s, by_first_order_channel=True)),
        percent(repurchase_90, "你给的是百分数（乘了 100）：题目要 0 到 1 之间的比例。"),
    ],
    hints=[
        "有效订单按客户、时间排序后，groupby('customer_id').cumcount() 给出每单是该客户的第几单（从 0 开始）。",
        "第 0 单是首单、第 1 单是第二单；各取出来以 customer_id 为索引，第二单 reindex 到首单的客户上（没有就是 NaT）。",
        "只保留首单不晚于基准日 − 90 天的客户；第二单与首单相差不超过 90 天（pd.Timedelta）记为复购，再按获客渠道分组求这个布尔列的平均。",
    ],
)


# ---- 2.4 discount use by channel group ----------------------------------------------------


def discount_use(shop, valid_only=True, counts=False, by="channel_group", zero_counts=False):
    o = valid(shop.orders) if valid_only else shop.orders
    used = o["discount_amount"] >= 0 if zero_counts else o["discount_amount"] > 0
    g = used.groupby(o[by])
    return g.sum().astype("int64") if counts else g.mean()


def _discount_rate(shop):
    """Discount ÷ list price per source type (how deep the discounts go)."""
    g = valid(shop.orders).groupby("channel_group")
    return g["discount_amount"].sum() / g["gross_amount"].sum()


def _customer_discount_use(shop):
    """Share of customers who used a discount at least once, per source type."""
    v = valid(shop.orders)
    used = (v["discount_amount"] > 0).groupby([v["channel_group"], v["customer_id"]]).any()
    return used.groupby(level=0).mean().rename_axis("channel_group")


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
        Diagnosis.like("zero_counted",
                       "每个来源类型的比例都是 1：你的条件把没有优惠（discount_amount 为 0）的订单也算成了用过优惠；"
                       "用了优惠是 discount_amount > 0（大于，不含等于）。",
                       lambda s: discount_use(s, zero_counts=True)),
        Diagnosis.like("discount_rate",
                       "你算的是优惠金额占原价的比例（优惠力度）；题目要的是用了优惠的订单占有效订单的比例："
                       "每笔订单记 True/False，再求平均。",
                       _discount_rate),
        Diagnosis.like("mean_amount",
                       "你算的是每笔订单的平均优惠金额（元）；题目要的是用了优惠的订单比例：先判断每笔订单 "
                       "discount_amount > 0（True/False），再对这个布尔列求平均。",
                       lambda s: valid(s.orders).groupby("channel_group")["discount_amount"].mean()),
        Diagnosis.like("per_customer",
                       "你按客户算了（用过优惠的客户占比）；题目按订单算：用了优惠的有效订单 ÷ 有效订单数，不要先按客户去重。",
                       _customer_discount_use),
        Diagnosis("wrong_level",
                  "分组的层级不对：题目按订单的来源类型 channel_group 分组，不是渠道 channel 或子渠道 sub_channel。",
                  _wrong_level_orders,
                  example=lambda s: discount_use(s, by="channel")),
    ],
    hints=[
        "used = valid['discount_amount'] > 0 是一列 True/False。",
        "把这个布尔列按订单的 channel_group 分组求平均，就是每个来源类型中 True 的比例。",
    ],
)


# ---- 2.5 CAC of paid channels -------------------------------------------------------------


def cac(shop, denominator="new_customers", spend_agg="sum", reindexed=True):
    costs = shop.channel_costs
    spend = costs.groupby("channel")["spend"].agg(spend_agg)
    if denominator == "visits":
        base = costs.groupby("channel")["visits"].sum()
    elif denominator == "buyers":
        buyers = set(valid(shop.orders)["customer_id"])
        c = shop.customers[shop.customers["customer_id"].isin(buyers)]
        base = c.groupby("acquisition_channel").size()
    elif denominator == "order_channel":  # distinct buyers per order channel
        base = shop.orders.groupby("channel")["customer_id"].nunique()
    elif denominator == "orders":  # orders the channel brought
        base = shop.orders.groupby("channel").size()
    else:
        base = shop.customers.groupby("acquisition_channel").size()
    out = spend / (base.reindex(spend.index) if reindexed else base)
    out.index.name = "channel"
    return out


def _unpaid_channels_kept(answer, ctx) -> bool:
    """Right for the paid channels, with the acquisition channels that have no costs (NaN) kept."""
    exp = ctx.expected
    if not isinstance(answer, pd.Series) or not set(exp.index) < set(answer.index):
        return False
    extra = answer.drop(exp.index)
    return bool(extra.isna().all()) and ctx.same(answer.reindex(exp.index), exp)


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
        Diagnosis.like("monthly_spend",
                       "分子用了每月推广费用的平均值（.mean()）；CAC 的分子是该渠道所有月份的费用合计（.sum()）。",
                       lambda s: cac(s, spend_agg="mean")),
        Diagnosis.like("order_channel",
                       "分母数的是在该渠道下过单的客户（订单表的 channel）；CAC 的分母是由该渠道获客的客户数："
                       "客户表 customers 的 acquisition_channel。",
                       lambda s: cac(s, "order_channel")),
        Diagnosis.like("per_order",
                       "分母数的是该渠道带来的订单（订单表的 channel）；CAC 的分母是由该渠道获客的客户数："
                       "客户表 customers 的 acquisition_channel，每位客户只算一次。",
                       lambda s: cac(s, "orders")),
        Diagnosis("unpaid_channels_kept",
                  "只列出费用表里有的付费渠道：其他获客渠道没有推广费用，相除后是缺失值（NaN），"
                  "用 .reindex(费用合计.index) 只留费用表的渠道。",
                  _unpaid_channels_kept,
                  example=lambda s: cac(s, reindexed=False)),
    ],
    hints=[
        "费用合计：shop.channel_costs.groupby('channel')['spend'].sum()。",
        "获客人数：shop.customers.groupby('acquisition_channel').size()。",
        "两个 Series 按渠道对齐相除；只保留费用表里有的渠道（.reindex(费用合计.index)）。",
    ],
)


# ---- 2.6 the 双11 peak --------------------------------------------------------------------


def double11_ratio(shop, valid_only=True, stat="median", all_years=False, year=None,
                   difference=False, every_double11=False):
    o = valid(shop.orders) if valid_only else shop.orders
    day = o["order_time"].dt.normalize()
    year = int(day.max().year) if year is None else year
    daily = (day if all_years else day[day.dt.year == year]).value_counts()
    peak = int(daily.get(pd.Timestamp(year=year, month=11, day=11), 0))
    if every_double11:  # the 11 Novembers of every year in the numerator
        peak = int(((day.dt.month == 11) & (day.dt.day == 11)).sum())
    base = daily.median() if stat == "median" else daily.mean()
    return float(peak - base) if difference else float(peak / base)


def _years(shop) -> list[int]:
    return sorted(int(y) for y in valid(shop.orders)["order_time"].dt.year.unique())


def _other_year(answer, ctx) -> bool:
    """The ratio of another year than the data's last."""
    return any(ctx.same(answer, ctx.variant(f"year{y}", lambda s, y=y: double11_ratio(s, year=y)))
               for y in _years(ctx.shop)[:-1])


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
        Diagnosis("other_year",
                  "你算的不是数据最后一年：题目取 order_time 的最大年份，双11 当天和每天的订单数都只看这一年。",
                  _other_year,
                  example=lambda s: double11_ratio(s, year=_years(s)[0])),
        Diagnosis.like("every_double11",
                       "分子把每一年的 11 月 11 日都数进去了：只数数据最后一年那一天的订单（用 pd.Timestamp 写出"
                       "那一年的 11 月 11 日，到最后一年的每天订单数里取值）。",
                       lambda s: double11_ratio(s, every_double11=True)),
        Diagnosis.like("difference",
                       "你算的是双11 比平常多出的订单数（相减）；题目问“几倍”：双11 当天的订单数 ÷ 每天订单数的中位数。",
                       lambda s: double11_ratio(s, difference=True)),
    ],
    hints=[
        "用 .dt.normalize() 把有效订单的下单时间变成日期，再用 .dt.year 只留最后一年。",
        "daily = day.value_counts() 是每天的订单数；daily.median() 是中位数。",
        "双11 当天的订单数：用 pd.Timestamp 写出那一年的 11 月 11 日，到每天的订单数里按日期取值。",
    ],
)


# ---- 2.7 the open task: a channel budget memo ---------------------------------------------


def _roi(shop):
    return _roi_table(shop)["roi"]


def _roi_table(shop):
    from crmkit.sources import paid_channel_roi

    return paid_channel_roi(shop.channel_costs, shop.customers, shop.orders)


def _roi_table_max(shop, column: str) -> str:
    return str(_roi_table(shop)[column].idxmax())


RATE_KEYS = ("老客推荐成交率", "其他渠道成交率")


def _referral(shop, mature=True, buyers_only=False, exact=False, window=True, others_all=False):
    """The two 180-day buyer rates. The prompt counts whole days (the first order's date at most
    180 days after the registration date); `exact` compares exact times (first order time −
    register_date <= 180 × 24 h), the reading some learners keep."""
    c = shop.customers
    v = valid(shop.orders)
    first = v.groupby("customer_id")["order_time"].min()
    as_of = _as_of(shop)
    if mature:
        c = c[c["register_date"] <= as_of - pd.Timedelta(days=180)]
    gap = c["customer_id"].map(first) - c["register_date"]
    if buyers_only:
        c, gap = c[gap.notna()], gap[gap.notna()]
    if not window:  # any valid order ever
        within = gap.notna()
    else:
        within = gap <= pd.Timedelta(days=180) if exact else gap.dt.days <= 180
    bought = within.fillna(False).astype(bool)
    referred = c["acquisition_channel"] == "老客推荐"
    others = bought if others_all else bought[~referred]
    return float(bought[referred].mean()), float(others.mean())


def memo(shop):
    roi = _roi(shop)
    ref, other = _referral(shop)
    return {"ROI最高的付费渠道": str(roi.idxmax()), "老客推荐成交率": ref, "其他渠道成交率": other}


def _with_rates(shop, rates):
    return {**memo(shop), **dict(zip(RATE_KEYS, rates))}


def _lowest_roi(answer, ctx) -> bool:
    return isinstance(answer, dict) and answer.get("ROI最高的付费渠道") == str(_roi(ctx.shop).idxmin())


SIZE_COLUMNS = ("revenue", "new_customers", "spend")  # the biggest channel, not the best return


def _biggest_channel(shop) -> set:
    return {_roi_table_max(shop, col) for col in SIZE_COLUMNS}


def _by_size(answer, ctx) -> bool:
    if not isinstance(answer, dict):
        return False
    chosen = answer.get("ROI最高的付费渠道")
    return chosen != ctx.expected["ROI最高的付费渠道"] and chosen in _biggest_channel(ctx.shop)


def _rates_like(name: str, message: str, mistake):
    """Both rates made with `mistake(rates)` on top of the right method, whether the learner
    counted whole days (as the prompt says) or exact times: the message names the mistake."""

    def when(answer, ctx) -> bool:
        if not isinstance(answer, dict):
            return False
        compare = ctx.exercise.comparator.comparator_for
        for exact in (False, True):
            rates = ctx.variant(f"{name}:{exact}", lambda s, exact=exact: mistake(s, exact))
            if all(k in answer and compare(k).compare(answer[k], r) is None
                   for k, r in zip(RATE_KEYS, rates)) and \
                    any(compare(k).compare(r, ctx.expected[k]) is not None
                        for k, r in zip(RATE_KEYS, rates)):
                return True
        return False

    return Diagnosis(name, message, when,
                     example=lambda s: _with_rates(s, mistake(s, False)))


EX7 = Exercise(
    id="2.7",
    title="渠道预算建议",
    points=2,
    parts={"ROI最高的付费渠道": 1, "老客推荐成交率": 0.5, "其他渠道成交率": 0.5},
    prompt="店长问：明年的推广预算该往哪里放？写 3–5 句建议，引用下面三个数并写进字典："
           "{'ROI最高的付费渠道': 渠道名（用 ck.sources.paid_channel_roi 的 roi 列）, "
           "'老客推荐成交率': 注册已满 180 天的“老客推荐”客户中、注册后 180 天内下过有效订单的比例, "
           "'其他渠道成交率': 其他获客渠道的同一比例}。"
           "“注册已满 180 天”指 register_date ≤ 基准日 − 180 天（基准日 = 最后一笔订单日期的次日 0 点）；"
           "“注册后 180 天内”按日期算：首个有效订单的日期与注册日期相差不超过 180 天"
           "（(首单时间 − register_date).dt.days <= 180，第 180 天当天任何时刻下单都算），没下过有效订单的算未成交。",
    expected=memo,
    comparator=DictOf(Scalar()),
    diagnoses=[
        Diagnosis("lowest_roi", "你选的是 ROI 最低的渠道：用 .idxmax() 找最高的。", _lowest_roi,
                  example=lambda s: {**memo(s), "ROI最高的付费渠道": str(_roi(s).idxmin())}),
        Diagnosis("by_size",
                  "你选的是规模最大的付费渠道（营收、新客户数或花费最多）；ROI 比的是每花 1 元推广费赚回多少："
                  "比较 paid_channel_roi 的 roi 列，用 .idxmax()。",
                  _by_size,
                  example=lambda s: {**memo(s), "ROI最高的付费渠道": _roi_table_max(s, "revenue")}),
        _rates_like("not_mature",
                    "成交率的分母包括了注册不满 180 天的客户：他们还没有完整的 180 天，先筛出注册日期 ≤ 基准日 − 180 天"
                    "的客户（基准日是数据里最后一笔订单日期的次日，不是今天）。",
                    lambda s, exact: _referral(s, mature=False, exact=exact)),
        _rates_like("buyers_only",
                    "成交率的分母只算了下过单的客户：注册满 180 天、却从没下过有效订单的客户也要留在分母里（算作未成交）。",
                    lambda s, exact: _referral(s, buyers_only=True, exact=exact)),
        _rates_like("no_180_day_limit",
                    "成交率把注册 180 天以后才下的单也算成了成交：只有首个有效订单与注册日期相差不超过 180 天"
                    "（.dt.days <= 180）的客户算成交。",
                    lambda s, exact: _referral(s, window=False, exact=exact)),
        _rates_like("others_include_referrals",
                    "“其他渠道成交率”的分母包括了“老客推荐”的客户：它只看 acquisition_channel 不是“老客推荐”的客户。",
                    lambda s, exact: _referral(s, others_all=True, exact=exact)),
        _rates_like("rates_swapped",
                    "两个成交率放反了：“老客推荐成交率”只看 acquisition_channel 为“老客推荐”的客户，"
                    "“其他渠道成交率”看其余所有获客渠道的客户。",
                    lambda s, exact: _referral(s, exact=exact)[::-1]),
    ],
    hints=[
        "ck.sources.paid_channel_roi 给出各付费渠道的 roi 列；用 idxmax 找 ROI 最高的渠道名。",
        "每位客户的首个有效订单时间：valid.groupby('customer_id')['order_time'].min()，用 map 接到客户表上。",
        "两组的成交率：用 map 把首个有效订单时间接到客户表上，与 register_date 相差的整天数（.dt.days）不超过 180 的算成交（没下过单的算未成交），再按是否“老客推荐”分两组求平均。",
    ],
)

EXERCISES = [EX1, EX2, EX3, EX4, EX5, EX6, EX7]
