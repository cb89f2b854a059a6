"""Chapter 4 exercises: membership tiers from the textbook rules, benefit cost, 成长值, the
annual re-evaluation and members vs non-members (textbook 7.2.4).

Every expected value is a pure function of the shop the learner loaded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crmkit.exercises.ch03 import tables, valid_orders
from crmkit.exercises.common import as_of
from crmkit.exercises.diagnoses import key_like, misnamed_keys, percent, proportions
from crmkit.grading.compare import DictOf, Scalar, SeriesOf
from crmkit.grading.declare import Diagnosis, Exercise
from crmkit.membership import growth_points

CHAPTER = "4"

TIERS = ["普通", "银卡", "金卡", "钻石"]
RECENT = [0, 500, 1500, 3000]
CUMULATIVE = [0, 800, 2500, 5000]
DISCOUNT = {"普通": 0.98, "银卡": 0.95, "金卡": 0.90, "钻石": 0.85}
REDUCTION = {"普通": (np.inf, 0.0), "银卡": (300, 50.0), "金卡": (500, 120.0), "钻石": (1000, 300.0)}


def _window_start(shop) -> pd.Timestamp:
    return as_of(shop) - pd.DateOffset(months=12)


def _level(values, cuts) -> np.ndarray:
    return np.searchsorted(np.asarray(cuts, float), np.asarray(values, float), side="right") - 1


def _all_orders_net(shop):
    """Every order, refunded ones included, with paid − refund (0 for a full refund)."""
    o = shop.orders
    return o.assign(net_amount=o["paid_amount"] - o["refund_amount"])


def given_growth(shop) -> pd.Series:
    """The growth the prompt gives: the toolkit's textbook 成长值 (double items included)."""
    return growth_points(shop.orders, shop.order_items, shop.products, shop.reviews,
                         start=_window_start(shop), as_of=as_of(shop))["growth"]


# ---- 4.1 last-12-months spend ----------------------------------------------------------------


def _spend_12m(shop, column="net_amount", all_orders=False, how="sum"):
    o = _all_orders_net(shop) if all_orders else valid_orders(shop)
    o = o.loc[o["order_time"] >= _window_start(shop)]
    return o.groupby("customer_id")[column].agg(how)


def spend_12m(shop):
    return _spend_12m(shop)


EX1 = Exercise(
    id="4.1",
    title="近 12 个月消费",
    points=1,
    prompt="会员等级先看“近 12 个月消费”。基准日 = 最后一笔订单日期的次日 0 点，窗口是下单时间 ≥ 基准日往前"
           "推 12 个月（pd.DateOffset(months=12)）。对窗口内的有效订单（不含“退款成功”）按客户汇总消费净额"
           "（paid_amount − refund_amount）。答案是以 customer_id 为索引的 Series，只含窗口内有有效订单的客户。",
    expected=spend_12m,
    comparator=SeriesOf(key_label="客户", digits=2),
    diagnoses=[
        Diagnosis.like("refunds_included",
                       "退款没有处理：先去掉“退款成功”的订单，再用 paid_amount − refund_amount 算净额。",
                       lambda shop: _spend_12m(shop, "paid_amount", all_orders=True)),
        Diagnosis.like("gross_amount", "用了商品总额 gross_amount；消费应从实付金额 paid_amount 算起（再减去退款）。",
                       lambda shop: _spend_12m(shop, "gross_amount")),
        Diagnosis.like("paid_not_net",
                       "用了实付金额 paid_amount，没有减去部分退款 refund_amount：消费净额 = 实付 − 退款。",
                       lambda shop: _spend_12m(shop, "paid_amount")),
        Diagnosis.like("refunded_rows_kept",
                       "多出的客户在窗口内只有“退款成功”的订单（净额为 0）：先筛掉退款成功的订单，只汇总有效订单。",
                       lambda shop: _spend_12m(shop, all_orders=True)),
        Diagnosis.like("zeros_listed",
                       "只列出窗口内有有效订单的客户：没有消费的客户不要补 0（不要按全部客户 reindex）。",
                       lambda shop: spend_12m(shop).reindex(tables(shop).customers["customer_id"],
                                                            fill_value=0.0)),
        Diagnosis.like("no_window",
                       "没有限定时间窗口：只汇总下单时间在近 12 个月内（≥ 基准日往前推 12 个月）的订单。",
                       lambda shop: valid_orders(shop).groupby("customer_id")["net_amount"].sum()),
        Diagnosis.like("mean_not_sum",
                       "你算的是每位客户窗口内每笔订单的平均净额（mean）：近 12 个月消费是这些订单净额的合计，"
                       "按 customer_id 分组后用 sum。",
                       lambda shop: _spend_12m(shop, how="mean")),
    ],
    hints=[
        "基准日：orders['order_time'].max().normalize() + pd.Timedelta(days=1)；"
        "窗口起点：基准日 − pd.DateOffset(months=12)。",
        "同时满足两个条件的订单：status 不是“退款成功”，且 order_time ≥ 窗口起点（条件之间用 & 连接）。",
        "加一列净额（paid_amount − refund_amount），按 customer_id 分组对净额求和。",
    ],
)


# ---- 4.2 tiers from the textbook rules ---------------------------------------------------------


def _tiers(shop, rule="or", column="net_amount", total_cuts=CUMULATIVE):
    """Each registered customer's tier by the textbook rules (non-buyers are 普通)."""
    ids = tables(shop).customers["customer_id"]
    recent = _spend_12m(shop, column).reindex(ids, fill_value=0.0)
    total = valid_orders(shop).groupby("customer_id")[column].sum().reindex(ids, fill_value=0.0)
    a, b = _level(recent, RECENT), _level(total, total_cuts)
    level = {"or": np.maximum(a, b), "and": np.minimum(a, b), "recent_only": a}[rule]
    return pd.Series(np.asarray(TIERS, dtype=object)[level], index=pd.Index(ids.to_numpy(),
                                                                               name="customer_id"))


def _tier_counts(shop, rule="or", buyers_only=False, column="net_amount", total_cuts=CUMULATIVE):
    t = _tiers(shop, rule, column, total_cuts)
    if buyers_only:
        t = t.loc[t.index.isin(set(valid_orders(shop)["customer_id"]))]
    return t.value_counts().reindex(TIERS, fill_value=0).astype("int64")


def tier_counts(shop):
    return _tier_counts(shop)


EX2 = Exercise(
    id="4.2",
    title="按教材规则评定会员等级",
    points=2,
    prompt="按教材中服饰网店的规则给全部注册客户评定等级：近 12 个月消费 ≥ 500 元 或 累计消费 ≥ 800 元为银卡；"
           "≥ 1500 或 ≥ 2500 为金卡；≥ 3000 或 ≥ 5000 为钻石；其余（包括从没买过的客户）为普通。"
           "两个条件满足其一即可，取能达到的最高等级。消费都按有效订单的消费净额算，近 12 个月的窗口同练习 4.1。"
           "答案是以 普通、银卡、金卡、钻石 为索引的客户数 Series（四个等级都列出）。",
    expected=tier_counts,
    comparator=SeriesOf(key_label="等级"),
    diagnoses=[
        Diagnosis.like("and_rule",
                       "两个门槛是“或”的关系：近 12 个月消费 或 累计消费 达到其一即可升级，不必同时满足。",
                       lambda shop: _tier_counts(shop, rule="and")),
        Diagnosis.like("buyers_only",
                       "少了从没买过的客户：注册即为普通会员，他们也要算在“普通”里（用全部客户的 customer_id）。",
                       lambda shop: _tier_counts(shop, buyers_only=True)),
        Diagnosis.like("recent_only",
                       "只用了近 12 个月消费一个条件：累计消费达到门槛也能升到该等级（两个条件满足其一即可）。",
                       lambda shop: _tier_counts(shop, rule="recent_only")),
        Diagnosis.like("paid_not_net",
                       "消费用了实付金额 paid_amount，没有减去部分退款：两种消费都按消费净额（实付 − 退款）算。",
                       lambda shop: _tier_counts(shop, column="paid_amount")),
        proportions(tier_counts, "你给出的是占比（加起来等于 1）；题目要的是客户数。"),
        Diagnosis.like("recent_cuts_on_total",
                       "累计消费也套用了近 12 个月的门槛 500 / 1500 / 3000：累计消费有自己的门槛 "
                       "800 / 2500 / 5000，两种消费要各自对照自己的门槛，再取较高的等级。",
                       lambda shop: _tier_counts(shop, total_cuts=RECENT)),
    ],
    hints=[
        "先为全部客户准备两列：近 12 个月消费和累计消费，用 .reindex(客户ID, fill_value=0) 补上没买过的客户。",
        "np.searchsorted([0, 500, 1500, 3000], 消费, side='right') - 1 得到 0–3 的等级序号；累计消费用 "
        "[0, 800, 2500, 5000]。两个序号取较大者（np.maximum）。",
        "把序号换回等级名称，再数每个等级的人数；四个等级都要列出（没有人的等级记为零），按从普通到钻石的顺序排。",
    ],
)


# ---- 4.3 the cost of the discount benefits -----------------------------------------------------


def _cost_rate(shop, mode="after", all_orders=False, per_order_mean=False, denominator="gross_amount",
               amount="gross_amount"):
    o = _all_orders_net(shop) if all_orders else valid_orders(shop)
    tier = o["customer_id"].map(_tiers(shop))
    gross = o[amount]
    after = gross * tier.map(DISCOUNT)
    over = tier.map({k: v[0] for k, v in REDUCTION.items()}).astype(float)
    cut = tier.map({k: v[1] for k, v in REDUCTION.items()}).astype(float)
    base = gross if mode == "on_gross" else after
    reduction = np.where(base >= over, cut, 0.0) if mode != "discount_only" else 0.0
    cost = pd.Series((gross - after) + reduction, index=o.index)
    if per_order_mean:
        return (cost / gross).groupby(tier).mean()
    return cost.groupby(tier).sum() / o[denominator].groupby(tier).sum()


def cost_rate(shop):
    return _cost_rate(shop)


EX3 = Exercise(
    id="4.3",
    title="各等级的权益成本率",
    points=3,
    prompt="每位客户的等级已经给出：ck.membership.assign_tiers(orders, customers)['tier']（规则与练习 4.2 相同，"
           "由工具包算出，不依赖你 4.2 的答案）。假设每笔有效订单都享受下单客户这个等级的权益：普通 9.8 折；银卡 9.5 折 + 满300减50；"
           "金卡 9 折 + 满500减120；钻石 8.5 折 + 满1000减300。每笔订单：折扣成本 = 商品总额 gross_amount × "
           "(1 − 折扣)；打折后的金额达到“满”的门槛，再减一次“减”的金额。成本率 = 该等级全部订单的"
           "（折扣成本 + 满减成本）之和 ÷ 该等级的商品总额之和。答案是以等级为索引的 Series"
           "（0–1 的小数，只列出有订单的等级）。",
    expected=cost_rate,
    comparator=SeriesOf(key_label="等级"),
    diagnoses=[
        Diagnosis.like("reduction_on_gross",
                       "满减门槛要看打折后的金额：先打折，折后金额达到“满”的门槛才能再减。",
                       lambda shop: _cost_rate(shop, "on_gross")),
        Diagnosis.like("discount_only", "只算了折扣，漏了满减的成本。",
                       lambda shop: _cost_rate(shop, "discount_only")),
        Diagnosis.like("refunds_included", "“退款成功”的订单不享受权益：只用有效订单计算成本和商品总额。",
                       lambda shop: _cost_rate(shop, all_orders=True)),
        Diagnosis.like("mean_of_rates",
                       "你算的是各笔订单成本率的平均：成本率 = 该等级让利之和 ÷ 商品总额之和（先分别加总再相除）。",
                       lambda shop: _cost_rate(shop, per_order_mean=True)),
        Diagnosis.like("net_denominator", "分母用了消费净额；成本率的分母是商品总额 gross_amount 之和。",
                       lambda shop: _cost_rate(shop, denominator="net_amount")),
        percent(cost_rate, "你的结果是百分数（乘了 100）；请给出 0–1 之间的小数。"),
        Diagnosis.like("discount_on_paid",
                       "折扣是按实付金额 paid_amount 算的：权益的折扣打在商品总额上，"
                       "折扣成本 = gross_amount × (1 − 折扣)，满减也看 gross_amount 打折后的金额。",
                       lambda shop: _cost_rate(shop, amount="paid_amount")),
    ],
    hints=[
        "先得到有效订单，并用 .map(客户ID→等级) 给每笔订单加上下单客户的等级（用给定的等级 Series）。",
        "折扣和满减也可以写成 等级→数值 的字典再 .map；折后金额 = gross_amount × 折扣，"
        "满减用 np.where(折后金额 >= 门槛, 减额, 0)。普通会员没有满减，门槛可以记为 np.inf。",
        "每笔订单的让利有两部分：打折少收的钱和满减。成本率是“总让利 ÷ 总商品额”，不是各笔订单比率的平均："
        "先按等级把两样分别加总，再相除。",
    ],
)


# ---- 4.4 成长值 ----------------------------------------------------------------------------------


def _growth(shop, photo=True, all_reviews=False, floor="order", column="net_amount", reviews_window=True,
            aligned=True):
    o = valid_orders(shop)
    o = o.loc[o["order_time"] >= _window_start(shop)]
    amount = o[column].clip(lower=0)
    if floor == "order":
        base = np.floor(amount).groupby(o["customer_id"]).sum()
    else:
        base = amount.groupby(o["customer_id"]).sum()
        base = np.floor(base) if floor == "total" else base
    if not photo:
        return base
    r = tables(shop).reviews
    if reviews_window:
        r = r.loc[(r["review_date"] >= _window_start(shop)) & (r["review_date"] < as_of(shop))]
    if not all_reviews:
        r = r.loc[r["has_photo"].astype(bool)]
    bonus = r.groupby("customer_id").size() * 50
    return base.add(bonus, fill_value=0) if aligned else base + bonus


def growth_12m(shop):
    return _growth(shop)


EX4 = Exercise(
    id="4.4",
    title="近 12 个月的成长值",
    points=2,
    prompt="按教材的成长值规则算出每位客户近 12 个月（窗口同练习 4.1）的成长值：每笔有效订单的消费净额 1 元 = 1 点"
           "（每笔订单向下取整），每条晒单评价（reviews 的 has_photo 为 True，评价日期在窗口内）另加 50 点。"
           "本题不计双倍成长值商品。答案是以 customer_id 为索引的 Series，列出窗口内有订单或有晒单的客户。",
    expected=growth_12m,
    comparator=SeriesOf(key_label="客户"),
    diagnoses=[
        Diagnosis.like("no_photo", "漏了晒单奖励：每条晒单评价另加 50 点。",
                       lambda shop: _growth(shop, photo=False)),
        Diagnosis.like("all_reviews", "只有晒单（has_photo 为 True）的评价才加 50 点，不是每条评价都加。",
                       lambda shop: _growth(shop, all_reviews=True)),
        Diagnosis.like("no_floor", "成长值是整数点：每笔订单的净额先向下取整（np.floor）再相加。",
                       lambda shop: _growth(shop, floor=None)),
        Diagnosis.like("floor_total", "取整要按每笔订单做：每笔订单的净额先向下取整，再按客户相加（不是加总后再取整）。",
                       lambda shop: _growth(shop, floor="total")),
        Diagnosis.like("reviews_all_time", "晒单评价也要在窗口内：只算 review_date 在近 12 个月窗口里的晒单。",
                       lambda shop: _growth(shop, reviews_window=False)),
        Diagnosis.like("paid_not_net", "成长值按消费净额算：用实付 paid_amount 减去部分退款 refund_amount，再取整。",
                       lambda shop: _growth(shop, column="paid_amount")),
        Diagnosis.like("double_included",
                       "本题不计双倍成长值商品：growth_points 传了订单明细和商品表时会加上双倍部分，这里只要消费得分和晒单奖励。",
                       given_growth),
        Diagnosis.like("plus_leaves_nan",
                       "有的客户成长值是空值（NaN）：两部分直接用 + 相加时，只出现在一边的客户（只下单或只晒单）"
                       "会得到 NaN。用 .add(另一部分, fill_value=0) 相加，缺的那部分记为零。",
                       lambda shop: _growth(shop, aligned=False)),
    ],
    hints=[
        "消费部分：窗口内有效订单的净额用 np.floor 取整，再按 customer_id 求和。",
        "晒单部分：筛出 has_photo 为 True、review_date 在 [窗口起点, 基准日) 内的评价，按客户计数再乘 50。",
        "两部分的客户不完全相同（有人只下单、有人只晒单）：按 customer_id 对齐相加，某一部分没有的客户"
        "那一部分记为零，不要丢掉只出现在一边的客户。",
    ],
)


# ---- 4.5 the annual re-evaluation --------------------------------------------------------------
# Self-contained: both inputs (the tier held and the growth) are given by the toolkit in the
# prompt, so a learner who got 4.2 or 4.4 wrong can still learn and be graded on the rule.


def _changes(shop, everyone=False, growth="given", rule="growth", cuts=RECENT, fill=True, by_name=False):
    held = _tiers(shop)
    if not everyone:
        held = held.loc[held.index.isin(set(valid_orders(shop)["customer_id"]))]
    points = {"given": given_growth, "no_double": _growth, "spend": _spend_12m}[growth](shop)
    points = points.reindex(held.index)
    if fill:
        points = points.fillna(0)
    else:
        points = points.dropna()
        held = held.loc[points.index]
    new = _level(points, cuts)
    if rule == "or":
        total = valid_orders(shop).groupby("customer_id")["net_amount"].sum()
        new = np.maximum(new, _level(total.reindex(held.index, fill_value=0), CUMULATIVE))
    old = held.map({name: i for i, name in enumerate(TIERS)}).to_numpy()
    if by_name:  # tier names compared as text (Unicode order), not by rank
        new, old = np.asarray(TIERS, dtype=object)[new], held.to_numpy(dtype=object)
    change = np.select([new > old, new < old], ["升级", "降级"], default="保级")
    return pd.Series(change).value_counts().astype("int64")


def changes(shop):
    return _changes(shop)


EX5 = Exercise(
    id="4.5",
    title="复评：升级、保级与降级",
    points=2,
    prompt="假设今天（基准日）是会员周期的复评日。两样输入都已给出，不依赖前面练习的答案："
           "周期内等级 = ck.membership.assign_tiers(orders, customers)['tier']；近 12 个月成长值 = "
           "ck.membership.growth_points(orders, shop.order_items, shop.products, shop.reviews, "
           "start=start_12m, as_of=as_of)['growth']（教材规则，含双倍商品加分；没有成长值的客户记 0）。"
           "对每位有过有效订单的客户，复评等级只按成长值对照近 12 个月门槛 500 / 1500 / 3000 判定；"
           "复评等级高于周期内等级为“升级”，相同为“保级”，低于为“降级”。答案是以 升级、保级、降级 为索引的"
           "人数 Series（人数为 0 的不用列出）。",
    expected=changes,
    comparator=SeriesOf(key_label="结果"),
    diagnoses=[
        Diagnosis.like("all_customers",
                       "从没买过的客户不参加复评：只统计有过有效订单的客户。",
                       lambda shop: _changes(shop, everyone=True)),
        Diagnosis.like("growth_without_double",
                       "成长值用的是练习 4.4 的口径（不计双倍商品）；本题用给定的 growth_points(...) 的 growth 列，"
                       "它含双倍商品的加分。",
                       lambda shop: _changes(shop, growth="no_double")),
        Diagnosis.like("spend_not_growth",
                       "复评看的是成长值，不是近 12 个月消费：用给定的成长值对照门槛。",
                       lambda shop: _changes(shop, growth="spend")),
        Diagnosis.like("cumulative_kept",
                       "复评只看近 12 个月的成长值，不再看累计消费：累计消费的“或”条件只用于评定周期内等级。",
                       lambda shop: _changes(shop, rule="or")),
        proportions(changes, "你给出的是占比（加起来等于 1）；题目要的是人数。"),
        Diagnosis.like("cumulative_cuts",
                       "成长值对照的是累计消费的门槛 800 / 2500 / 5000：复评的成长值要对照近 12 个月的门槛 "
                       "500 / 1500 / 3000。",
                       lambda shop: _changes(shop, cuts=CUMULATIVE)),
        Diagnosis.like("no_growth_dropped",
                       "没有成长值的买家被丢掉了（dropna）：题目说没有成长值的客户记 0，他们也参加复评"
                       "（对齐后用 fillna(0) 或 reindex(..., fill_value=0)）。",
                       lambda shop: _changes(shop, fill=False)),
        Diagnosis.like("names_compared",
                       "你直接比较了等级名称的字符串：'金卡' > '银卡' 这样的比较按汉字编码排序，不是等级高低。"
                       "先把等级换成序号（普通 0、银卡 1、金卡 2、钻石 3），再比较大小。",
                       lambda shop: _changes(shop, by_name=True)),
    ],
    hints=[
        "只保留有过有效订单的客户；把给定的成长值按这些客户的 customer_id 对齐，缺失的记为零。",
        "两个等级都换成序号（普通最低、钻石最高）才能比较大小；复评序号与练习 4.2 的做法相同，"
        "只是只看一个门槛列表。",
        "逐位客户比较新旧序号，分成 升级、降级、保级 三类，再数每类的人数。",
    ],
)


# ---- 4.6 members vs non-members ----------------------------------------------------------------

MEMBER_KEYS = ("会员复购率", "非会员复购率", "会员客单价", "非会员客单价")


def _member_figures(shop, denominator="buyers", orders="valid", scale=1.0, group="is_member",
                    aov="per_order", swap=False, repeat=2):
    customers = tables(shop).customers
    o = {"valid": valid_orders,
         "all_paid": lambda s: s.orders.assign(net_amount=s.orders["paid_amount"]),
         "all_net": _all_orders_net}[orders](shop)
    per = o.groupby("customer_id").agg(n=("net_amount", "size"), spend=("net_amount", "sum"))
    c = customers.set_index("customer_id")[[group]].join(per)
    c["n"] = c["n"].fillna(0)
    c["spend"] = c["spend"].fillna(0.0)
    out = {}
    for flag, name in ((True, "会员"), (False, "非会员")):
        g = c.loc[c[group].astype(bool) == (flag != swap)]
        buyers = g.loc[g["n"] > 0]
        pool = g if denominator == "all" else buyers
        out[f"{name}复购率"] = float((pool["n"] >= repeat).mean()) * scale
        out[f"{name}客单价"] = float(g["spend"].sum() / g["n"].sum() if aov == "per_order"
                                  else buyers["spend"].mean())
    return {k: out[k] for k in MEMBER_KEYS}


def member_figures(shop):
    return _member_figures(shop)


def _aov_mean_paid(shop):
    o = valid_orders(shop)
    members = set(tables(shop).customers.loc[tables(shop).customers["is_member"].astype(bool), "customer_id"])
    is_member = o["customer_id"].isin(members)
    return {**member_figures(shop), "会员客单价": float(o.loc[is_member, "paid_amount"].mean()),
            "非会员客单价": float(o.loc[~is_member, "paid_amount"].mean())}


EX6 = Exercise(
    id="4.6",
    title="会员与非会员：复购率和客单价",
    points=2,
    parts={"会员复购率": 0.5, "非会员复购率": 0.5, "会员客单价": 0.5, "非会员客单价": 0.5},
    prompt="教材说会员体系的目标是“会员复购率高于非会员、会员客单价高于非会员”。按客户表的 is_member 把客户分成"
           "会员和非会员，用有效订单（不含“退款成功”）计算：复购率 = 买过 2 次及以上的客户 ÷ 买过至少 1 次的客户；"
           "客单价 = 消费净额之和 ÷ 有效订单数。答案是字典：{'会员复购率': …, '非会员复购率': …, "
           "'会员客单价': …, '非会员客单价': …}，复购率写成 0–1 的小数。",
    expected=member_figures,
    comparator=DictOf(Scalar(), digits={"会员客单价": 2, "非会员客单价": 2}),
    diagnoses=[
        Diagnosis.like("all_customers_denominator",
                       "复购率的分母应是“买过至少 1 次的客户”，你用了全部客户（含从没买过的人）。",
                       lambda shop: _member_figures(shop, denominator="all")),
        Diagnosis.like("refunds_included",
                       "把“退款成功”的订单也算进去了，并且没有扣除部分退款：先筛选有效订单，再用净额。",
                       lambda shop: _member_figures(shop, orders="all_paid")),
        Diagnosis.like("refunded_orders_counted",
                       "“退款成功”的订单也算成了一次购买：先筛掉它们，再数每位客户的订单数（复购率和客单价都会变）。",
                       lambda shop: _member_figures(shop, orders="all_net")),
        Diagnosis.like("aov_per_customer",
                       "客单价是“每笔订单”的平均：消费净额之和 ÷ 有效订单数，不是每位客户的人均消费。",
                       lambda shop: _member_figures(shop, aov="per_customer")),
        Diagnosis.like("swapped", "会员和非会员的数值放反了：is_member 为 True 的客户是会员。",
                       lambda shop: _member_figures(shop, swap=True)),
        Diagnosis.like("is_88vip",
                       "分组用错了列：本店会员看客户表的 is_member，is_88vip 是淘宝的 88VIP 身份。",
                       lambda shop: _member_figures(shop, group="is_88vip")),
        percent(member_figures, "复购率写成了百分数（乘了 100）；请给出 0–1 之间的小数。", keys=("会员复购率", "非会员复购率")),
        Diagnosis.like("aov_mean_paid",
                       "客单价用了每笔订单实付金额的平均：这里客单价 = 消费净额之和 ÷ 有效订单数（净额要减去退款）。",
                       _aov_mean_paid),
        key_like("three_orders",
                 "复购率数的是买过 3 次及以上的客户：复购是买过 2 次及以上（订单数 >= 2，不是 > 2）。",
                 lambda shop: _member_figures(shop, repeat=3), keys=("会员复购率", "非会员复购率")),
    ],
    hints=[
        "先按客户汇总有效订单：订单数和消费净额；再把 is_member 接上（join 或 merge），没买过的客户订单数记 0。",
        "复购率：在订单数 ≥ 1 的客户里，订单数 ≥ 2 的比例（布尔列的 .mean()）。",
        "客单价：该组消费净额之和 ÷ 该组订单数之和（不是人均消费）。",
    ],
)


# ---- 4.7 open task: is the benefit plan affordable? ---------------------------------------------

PLAN_KEYS = ("权益成本", "营收", "成本占营收比例")


def _plan(shop, revenue_column="net_amount", scale=1.0, mode="after", ratio_to=None):
    o = valid_orders(shop)
    tiers = _tiers(shop)
    rate_cost = _cost_rate(shop, mode) * o.groupby(o["customer_id"].map(tiers))["gross_amount"].sum()
    cost = float(rate_cost.sum())
    revenue = float(o[revenue_column].sum())
    ratio = {None: cost / revenue * scale,
             "gross": cost / float(o["gross_amount"].sum()),
             "mean_of_rates": float(_cost_rate(shop, mode).mean())}[ratio_to]
    return {"权益成本": cost, "营收": revenue, "成本占营收比例": ratio}


def plan_figures(shop):
    return _plan(shop)


EX7 = Exercise(
    id="4.7",
    title="开放任务：会员权益划算吗",
    points=3,
    parts={"权益成本": 1, "营收": 1, "成本占营收比例": 1},
    prompt="用练习 4.3 的假设估算整套折扣与满减权益一年多的总成本，并与营收对比。填写建议要引用的三个数字："
           "{'权益成本': 全部有效订单的折扣成本与满减成本之和, '营收': 全部有效订单的消费净额之和, "
           "'成本占营收比例': 权益成本 ÷ 营收（0–1 的小数）}，再在下面的文字单元格写出你对这套权益的调整建议。",
    expected=plan_figures,
    comparator=DictOf(Scalar(digits=2), digits={"成本占营收比例": 4}),
    diagnoses=[
        misnamed_keys(("权益成本", "营收", "成本占营收比例")),
        Diagnosis.like("gross_revenue", "营收用了商品总额 gross_amount；营收应是消费净额（实付减退款）。",
                       lambda shop: _plan(shop, revenue_column="gross_amount")),
        Diagnosis.like("paid_revenue", "营收用了实付金额 paid_amount，没有减去部分退款：营收是消费净额之和。",
                       lambda shop: _plan(shop, revenue_column="paid_amount")),
        Diagnosis.like("reduction_on_gross",
                       "权益成本里的满减门槛要看打折后的金额：先打折，折后金额达到“满”的门槛才能再减（同练习 4.3）。",
                       lambda shop: _plan(shop, mode="on_gross")),
        Diagnosis.like("discount_only", "权益成本只算了折扣，漏了满减的成本（同练习 4.3）。",
                       lambda shop: _plan(shop, mode="discount_only")),
        Diagnosis.like("percent", "比例写成了百分数（乘了 100）；请给出 0–1 之间的小数。",
                       lambda shop: _plan(shop, scale=100.0)),
        key_like("ratio_over_gross",
                 "成本占营收比例的分母用了商品总额 gross_amount（那是练习 4.3 的成本率）：这里要除以营收，"
                 "即有效订单消费净额之和。",
                 lambda shop: _plan(shop, ratio_to="gross"), keys=("成本占营收比例",)),
        key_like("mean_of_tier_rates",
                 "成本占营收比例是四个等级成本率的简单平均：各等级的订单额差别很大，不能直接平均。"
                 "用全店的权益成本之和 ÷ 营收（消费净额之和）。",
                 lambda shop: _plan(shop, ratio_to="mean_of_rates"), keys=("成本占营收比例",)),
    ],
    hints=[
        "ck.membership.benefit_cost(orders, 等级Series) 按等级给出 benefit_cost（权益成本）和 revenue（消费净额）两列；"
        "等级 Series 可以用 ck.membership.assign_tiers(orders, shop.customers)['tier']。",
        "两列分别求和，再相除。",
    ],
)

EXERCISES = [EX1, EX2, EX3, EX4, EX5, EX6, EX7]
