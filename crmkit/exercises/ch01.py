"""第 1 章 客户关系管理基础（教材 7.1）的练习：客户档案、价值分类、二八集中度、数据脱敏、
清洗原始订单导出，以及给店长的建议（引用的数字被评分）。

Every expected value is a pure function of the shop the learner loaded.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crmkit.exercises.common import REFUNDED, as_of as _as_of, close, valid
from crmkit.exercises.diagnoses import part_of, percent
from crmkit.grading.compare import DictOf, FrameOf, Scalar, SeriesOf, SetOf
from crmkit.glossary import TOP_SHARE, churn_risk_cutoff, net_amount, top_count
from crmkit.grading.declare import Diagnosis, Exercise
from crmkit.profile import VALUE_CLASSES

CHAPTER = "1"


def _net(frame):
    return net_amount(frame)


# ---- 1.1 one customer's profile (dict) ----------------------------------------------------


def profile_customer(shop) -> str:
    """The customer of exercise 1.1: among customers with a fully refunded order, the one with
    the most orders (ties: the smallest customer_id). The notebook shows the same code."""
    orders = shop.orders
    refunded = orders.loc[orders["status"] == REFUNDED, "customer_id"].unique()
    counts = orders.loc[orders["customer_id"].isin(refunded), "customer_id"].value_counts()
    return str(counts[counts == counts.max()].index.min())


def one_profile(shop, valid_only: bool = True, net: bool = True, success_only: bool = False):
    cid = profile_customer(shop)
    orders = shop.orders[shop.orders["customer_id"] == cid]
    if success_only:
        orders = orders[orders["status"] == "交易成功"]
    elif valid_only:
        orders = valid(orders)
    spend = _net(orders).sum() if net else orders["paid_amount"].sum()
    chats = shop.service_chats[shop.service_chats["customer_id"] == cid]
    return {"有效订单数": int(len(orders)), "消费净额": float(spend), "客服会话数": int(len(chats))}


def _part_is(key: str, name: str, variants: dict):
    """A predicate on a dict answer: its part `key` is wrong and equals one of the figures
    ``variants`` ({label: shop -> number}) gives, each computed once per shop."""
    def when(answer, ctx) -> bool:
        if not isinstance(answer, dict) or key not in answer or close(answer[key], ctx.expected[key]):
            return False
        return any(close(answer[key], ctx.variant(f"{name}:{label}", wrong)) for label, wrong in variants.items())
    return when


def _target_orders(shop):
    orders = valid(shop.orders)
    return orders[orders["customer_id"] == profile_customer(shop)]


def _target_chats(shop):
    chats = shop.service_chats
    return chats[chats["customer_id"] == profile_customer(shop)]


#: 客服会话数 counted over part of the target's chats, or once per order after a merge.
CHAT_COUNT_MISTAKES = {
    "merged": lambda s: len(_target_orders(s).merge(_target_chats(s), on="customer_id")),
    "valid_orders_only": lambda s: int(_target_chats(s)["order_id"].isin(_target_orders(s)["order_id"]).sum()),
    "with_order": lambda s: int(_target_chats(s)["order_id"].notna().sum()),
}


def _chats_in_stage(shop, stage: str) -> int:
    chats = shop.service_chats
    return int(((chats["customer_id"] == profile_customer(shop)) & (chats["stage"] == stage)).sum())


#: 客服会话数 counting the chats of one stage only.
ONE_STAGE = {stage: (lambda s, g=stage: _chats_in_stage(s, g)) for stage in ("售前", "售中", "售后")}


def _all_refunds_subtracted(shop) -> float:
    """消费净额 as the valid orders' paid amount minus the refunds of ALL the target's orders."""
    orders = shop.orders[shop.orders["customer_id"] == profile_customer(shop)]
    return float(valid(orders)["paid_amount"].sum() - orders["refund_amount"].sum())


def _spend_truncated(answer, ctx) -> bool:
    """消费净额 cut to whole yuan (int(), round(), floor) where the right figure has 角/分."""
    if not isinstance(answer, dict) or "消费净额" not in answer:
        return False
    right = float(ctx.expected["消费净额"])
    mine = answer["消费净额"]
    return not close(mine, right) and any(close(mine, whole) for whole in
                                          (math.trunc(right), round(right), math.floor(right)))


def _success_only(answer, ctx) -> bool:
    wrong = ctx.variant("success_only", lambda s: one_profile(s, success_only=True))
    return isinstance(answer, dict) and any(
        key in answer and close(answer[key], wrong[key]) and not close(answer[key], ctx.expected[key])
        for key in ("有效订单数", "消费净额"))


EX1 = Exercise(
    id="1.1",
    title="一位客户的客户档案",
    points=2,
    parts={"有效订单数": 0.5, "消费净额": 1, "客服会话数": 0.5},
    prompt="为客户 target（题目单元格里已经选好：有过“退款成功”订单的客户中订单最多的一位）建一份简单的"
           "客户档案，写成字典：{'有效订单数': 不含“退款成功”的订单数, '消费净额': 这些订单的实付金额减"
           "退款金额之和, '客服会话数': 该客户在 service_chats 里的会话数}。",
    expected=one_profile,
    comparator=DictOf(Scalar(digits=2)),
    diagnoses=[
        Diagnosis("refunds_counted",
                  "“有效订单数”把“退款成功”的订单也数进去了：先筛掉 status 为 '退款成功' 的订单。",
                  _part_is("有效订单数", "refunds_counted",
                           {"all": lambda s: one_profile(s, valid_only=False)["有效订单数"]}),
                  example=lambda s: {**one_profile(s), "有效订单数": one_profile(
                      s, valid_only=False)["有效订单数"]}),
        Diagnosis("refunded_spend",
                  "“消费净额”包含了“退款成功”订单的金额：先筛掉这些订单，再对实付减退款求和。",
                  _part_is("消费净额", "refunded_spend",
                           {"all_paid": lambda s: one_profile(s, valid_only=False, net=False)["消费净额"]}),
                  example=lambda s: {**one_profile(s), "消费净额": one_profile(
                      s, valid_only=False, net=False)["消费净额"]}),
        Diagnosis("refunds_of_refunded_orders",
                  "“消费净额”多减了退款：你用有效订单的实付减去了这位客户**全部**订单的退款，"
                  "“退款成功”订单的退款也被减掉了。实付和退款都只取有效订单（先筛掉“退款成功”，再算 实付 − 退款）。",
                  _part_is("消费净额", "all_refunds", {"all_refunds": _all_refunds_subtracted}),
                  example=lambda s: {**one_profile(s), "消费净额": _all_refunds_subtracted(s)}),
        Diagnosis("spend_truncated",
                  "“消费净额”被取成了整数（int() 或 round() 去掉了角和分）：金额保留原来的小数，不要取整。",
                  _spend_truncated,
                  example=lambda s: {**one_profile(s), "消费净额": int(one_profile(s)["消费净额"])}),
        Diagnosis("success_only",
                  "有效订单只留下了“交易成功”的订单：有效订单 = 状态不是“退款成功”的订单，"
                  "“部分退款”“已发货”的订单也算（部分退款的金额在消费净额里减掉）。",
                  _success_only, example=lambda s: one_profile(s, success_only=True)),
        Diagnosis("chats_one_stage",
                  "“客服会话数”只数了某一个阶段（售前、售中或售后）的会话：题目要这位客户在 "
                  "service_chats 里的全部会话，不分阶段。",
                  _part_is("客服会话数", "one_stage", ONE_STAGE),
                  example=lambda s: {**one_profile(s), "客服会话数": _chats_in_stage(s, "售后")}),
        Diagnosis("chats_merged_with_orders",
                  "“客服会话数”被订单数放大了：把这位客户的订单和会话按 customer_id 合并后再数行数，"
                  "每笔订单都和每次会话配成了一行。会话数直接在 service_chats 里按 customer_id 筛选后数行数。",
                  _part_is("客服会话数", "merged", {"merged": CHAT_COUNT_MISTAKES["merged"]}),
                  example=lambda s: {**one_profile(s), "客服会话数": CHAT_COUNT_MISTAKES["merged"](s)}),
        Diagnosis("chats_of_orders",
                  "“客服会话数”只数了和（有效）订单关联的会话：题目要这位客户在 service_chats 里的全部会话"
                  "（售前咨询可能还没有订单，退款订单的售后会话也算），按 customer_id 筛选后数行数。",
                  _part_is("客服会话数", "orders_only",
                           {k: CHAT_COUNT_MISTAKES[k] for k in ("valid_orders_only", "with_order")}),
                  example=lambda s: {**one_profile(s), "客服会话数": CHAT_COUNT_MISTAKES["valid_orders_only"](s)}),
    ],
    hints=[
        "先用 customer_id 等于 target 的条件取出这位客户的订单。",
        "再去掉“退款成功”的订单，剩下的行数（len）就是有效订单数。",
        "消费净额是这些订单的 paid_amount 减 refund_amount 之后求和；会话数同样先按 customer_id 筛选 "
        "shop.service_chats，再数行数。",
    ],
)


# ---- 1.2 every customer's profile table ---------------------------------------------------


def profile_table(shop, valid_only: bool = True, buyers_only: bool = False,
                  fill: bool = True):
    orders = valid(shop.orders) if valid_only else shop.orders
    orders = orders.assign(net=_net(orders))
    per = orders.groupby("customer_id").agg(n_orders=("order_id", "count"),
                                            spend=("net", "sum"))
    chats = shop.service_chats.groupby("customer_id").size().rename("n_chats")
    index = per.index if buyers_only else pd.Index(shop.customers["customer_id"],
                                                   name="customer_id")
    table = per.reindex(index).join(chats)
    if fill:
        table = table.fillna({"n_orders": 0, "spend": 0.0, "n_chats": 0})
        table["n_orders"] = table["n_orders"].astype("int64")
        table["n_chats"] = table["n_chats"].astype("int64")
    table.index.name = "customer_id"
    return table.reset_index()[["customer_id", "n_orders", "spend", "n_chats"]]


def _only_buyers(answer, ctx) -> bool:
    table = answer if "customer_id" in answer.columns else answer.reset_index()
    buyers = set(valid(ctx.shop.orders)["customer_id"])
    return len(table) < len(ctx.shop.customers) and set(table["customer_id"]) <= buyers | set(
        ctx.shop.orders["customer_id"])


def _not_filled(answer, ctx) -> bool:
    table = answer if "customer_id" in answer.columns else answer.reset_index()
    columns = [c for c in ("n_orders", "spend", "n_chats") if c in table.columns]
    return len(table) == len(ctx.shop.customers) and bool(table[columns].isna().any().any())


def _merged_row_by_row(shop):
    """Customers, their valid orders and their chats merged into one long table, then counted:
    every order repeated once per chat of its customer and every chat once per order."""
    orders = valid(shop.orders)
    orders = orders.assign(net=_net(orders))[["customer_id", "order_id", "net"]]
    long = (shop.customers[["customer_id"]].merge(orders, on="customer_id", how="left")
            .merge(shop.service_chats[["customer_id", "chat_id"]], on="customer_id", how="left"))
    return long.groupby("customer_id").agg(n_orders=("order_id", "count"), spend=("net", "sum"),
                                           n_chats=("chat_id", "count")).reset_index()


def _double_counted(answer, ctx) -> bool:
    """A column equals the one a row-by-row merge of orders and chats gives, where that differs
    from the right one."""
    table = answer if "customer_id" in answer.columns else answer.reset_index()
    mine = table.set_index("customer_id")
    if not mine.index.is_unique:
        return False
    wrong = ctx.variant("merged_row_by_row", _merged_row_by_row).set_index("customer_id")
    right = ctx.expected.set_index("customer_id")
    for column in ("n_orders", "spend", "n_chats"):
        if column not in mine.columns:
            continue
        values = pd.to_numeric(mine[column], errors="coerce").reindex(right.index)
        if (np.allclose(values, wrong[column].reindex(right.index), atol=0.01)
                and not np.allclose(values, right[column], atol=0.01)):
            return True
    return False


def _size_after_merge(shop):
    """n_orders counted with size() after a left merge: a customer without orders keeps one
    row (of NaN) and gets 1 instead of 0."""
    table = profile_table(shop)
    return table.assign(n_orders=table["n_orders"].where(table["n_orders"] > 0, 1))


EX2 = Exercise(
    id="1.2",
    title="全体客户的档案表",
    points=2,
    prompt="为客户表里的**每一位**客户（包括从没下过单的）做一行档案，列为 customer_id、"
           "n_orders（有效订单数，不含“退款成功”）、spend（消费净额：实付减退款）、"
           "n_chats（客服会话数）。没有订单或会话的客户填 0。",
    expected=profile_table,
    comparator=FrameOf(key="customer_id", key_label="客户", digits=2, row_label="每位客户一行"),
    diagnoses=[
        Diagnosis("only_buyers",
                  "表里只有下过单的客户：要从客户表 shop.customers 的全部客户出发，"
                  "用 reindex 或 merge(how='left') 把没下单的客户也放进来。", _only_buyers,
                  example=lambda s: profile_table(s, buyers_only=True)),
        Diagnosis("not_filled",
                  "没下单或没咨询过的客户是缺失值（NaN）：用 .fillna(0) 填成 0，再把计数列转成整数。",
                  _not_filled,
                  example=lambda s: profile_table(s, fill=False)),
        Diagnosis.like("refunds_included",
                       "把“退款成功”的订单也算进去了：先筛掉这些订单再分组汇总。",
                       lambda s: profile_table(s, valid_only=False)),
        Diagnosis.like("size_counts_missing",
                       "没下过单的客户 n_orders 是 1：左连接后每位客户至少有一行（订单列为空），size() 把这一行也数了。"
                       "按订单号数非空值（.count() 或 order_id.notna().sum()），或者先在订单表里分组数、再接到客户表上补 0。",
                       _size_after_merge),
        Diagnosis("double_counted",
                  "订单和会话被重复计数了：把订单表和会话表都按 customer_id 合并到一张长表后再数，"
                  "一位客户的每笔订单会和他的每次会话各配成一行。先分别按客户汇总订单和会话，"
                  "再把两张汇总表接到客户表上。",
                  _double_counted, example=_merged_row_by_row),
    ],
    hints=[
        "先算有效订单的净额：valid = orders[orders['status'] != '退款成功'].assign("
        "net=lambda d: d['paid_amount'] - d['refund_amount'])。",
        "按客户汇总：valid.groupby('customer_id').agg(n_orders=('order_id', 'count'), "
        "spend=('net', 'sum'))；会话数：shop.service_chats.groupby('customer_id').size()。",
        "以全部客户为底，用左连接（merge，how='left'）依次接上两张计数表；没有记录的客户用 fillna 补 0，再用 astype 转回整数。",
    ],
)


# ---- 1.3 churn-risk customers (set) -------------------------------------------------------


def churn_risk(shop, valid_only: bool = True, days: int | None = None,
               include_never: bool = False, today: bool = False, last_stamp: bool = False,
               last_date: bool = False, active: bool = False, first: bool = False):
    """Exercise 1.3's set; the flags make one typical mistake each: `last_stamp` counts back
    from the last order's time and `last_date` from its date (0:00) instead of the reference
    day, `active` returns the customers who did buy within the window."""
    orders = valid(shop.orders) if valid_only else shop.orders
    if today:
        as_of = pd.Timestamp.today().normalize()
    elif last_stamp:
        as_of = shop.orders["order_time"].max()
    elif last_date:
        as_of = shop.orders["order_time"].max().normalize()
    else:
        as_of = _as_of(shop)
    cutoff = as_of - pd.Timedelta(days=days) if days else churn_risk_cutoff(as_of)
    last = orders.groupby("customer_id")["order_time"].agg("min" if first else "max")
    out = set(last.index[(last >= cutoff) if active else (last < cutoff)])
    if include_never:
        out |= set(shop.customers["customer_id"]) - set(last.index)
    return out


#: Window mistakes of 1.3: fixed days instead of 6 calendar months, or 6 months counted back
#: from the last order's time or date instead of the reference day (the next day, 0:00).
WINDOW_MISTAKES = {
    **{f"days{d}": (lambda s, d=d: churn_risk(s, days=d)) for d in (180, 182, 183, 184, 181)},
    "last_stamp": lambda s: churn_risk(s, last_stamp=True),
    "last_date": lambda s: churn_risk(s, last_date=True),
    **{f"last_stamp_days{d}": (lambda s, d=d: churn_risk(s, days=d, last_stamp=True)) for d in (180, 182, 183)},
}


def _wrong_window(answer, ctx) -> bool:
    return any(ctx.same(answer, ctx.variant(name, wrong)) for name, wrong in WINDOW_MISTAKES.items())


EX3 = Exercise(
    id="1.3",
    title="流失风险客户",
    points=2,
    prompt="教材把“近 6 个月没有消费”的客户归为流失风险客户。以基准日 = 最后一笔订单日期的次日，"
           "找出下过有效订单（不含“退款成功”）、但最后一次有效下单早于“基准日往前 6 个月”"
           "（pd.DateOffset(months=6)）的客户，答案是 customer_id 的集合。从没下过单的客户不算。",
    expected=churn_risk,
    comparator=SetOf(what="一组客户ID"),
    diagnoses=[
        Diagnosis.like("never_buyers",
                       "把从没下过单的客户也算进来了：流失风险指“曾经买过、后来不买了”的客户。",
                       lambda s: churn_risk(s, include_never=True)),
        Diagnosis.like("refunds_included",
                       "把“退款成功”的订单当成了消费：最后一次下单要在有效订单里找。",
                       lambda s: churn_risk(s, valid_only=False)),
        Diagnosis.like("today_as_of",
                       "基准日用了今天的日期：课程数据停在过去，基准日是数据里最后一笔订单日期的次日"
                       "（shop.orders['order_time'].max().normalize() + pd.Timedelta(days=1)），不是 pd.Timestamp.today()。",
                       lambda s: churn_risk(s, today=True)),
        Diagnosis("wrong_window",
                  "时间窗口不对：从基准日（最后一笔订单日期的次日 0 点，不是最后一笔订单的时刻或当天 0 点）往前推 "
                  "6 个日历月（pd.DateOffset(months=6)），不是固定天数。", _wrong_window,
                  example=lambda s: churn_risk(s, days=180)),
        Diagnosis.like("first_order",
                       "你用的是每位客户的第一次有效下单（min）：流失风险看的是最后一次有效下单（max）"
                       "是否早于“基准日往前 6 个月”，老客户早年买过、最近还在买的不算流失。",
                       lambda s: churn_risk(s, first=True)),
        Diagnosis.like("active_not_churned",
                       "方向反了：你找出的是近 6 个月还下过单的活跃客户。流失风险客户是最后一次有效下单"
                       "早于“基准日往前 6 个月”那一天的客户（用 <，不是 >=）。",
                       lambda s: churn_risk(s, active=True)),
    ],
    hints=[
        "基准日是最后一笔订单时间的日期（normalize）加 1 天（pd.Timedelta）。",
        "每位客户最后一次有效下单：valid.groupby('customer_id')['order_time'].max()。",
        "用 pd.DateOffset 从基准日往前推 6 个日历月，最后一次有效下单早于这一天的客户就是答案；取分组的索引再转成集合。",
    ],
)


# ---- 1.4 top-20% revenue share (scalar) ---------------------------------------------------


def _spend(shop, valid_only=True, net=True, since=None):
    """Each buyer's spend (消费净额, or paid amount when not `net`), from `since` on if given."""
    orders = valid(shop.orders) if valid_only else shop.orders
    if since is not None:
        orders = orders[orders["order_time"] >= since]
    amount = _net(orders) if net else orders["paid_amount"]
    return amount.groupby(orders["customer_id"]).sum()


def top20_share(shop, valid_only=True, ascending=False, net=True, registered=False):
    spend = _spend(shop, valid_only, net).sort_values(ascending=ascending)
    k = top_count(len(shop.customers) if registered else len(spend))
    return float(spend.iloc[:k].sum() / spend.sum())


#: Other ways to take "the top 20%" than the first k = int(0.2 × n) buyers: a cut at the 80th
#: percentile of spend (quantile with >= or >, a percentile rank, a quantile at the lower
#: neighbouring value) or k rounded up or to the nearest. Where 0.2 × n is whole, all but
#: "lower" keep exactly k buyers and the answer is right; "lower" keeps more than k on any shop.
TOP_K_READINGS = (">=", ">", "rank", "lower", "ceil", "round")


def _top_by_other_rule(shop, reading: str = "lower") -> float:
    spend = _spend(shop)
    if reading in ("ceil", "round"):
        n = len(spend) * TOP_SHARE
        k = math.ceil(n) if reading == "ceil" else round(n)
        return float(spend.sort_values(ascending=False).iloc[:k].sum() / spend.sum())
    if reading == "rank":
        kept = spend.rank(pct=True) >= 1 - TOP_SHARE
    else:
        cut = spend.quantile(1 - TOP_SHARE, interpolation="lower" if reading == "lower" else "linear")
        kept = spend > cut if reading == ">" else spend >= cut
    return float(spend[kept].sum() / spend.sum())


def _other_top_rule(answer, ctx) -> bool:
    return any(ctx.same(answer, ctx.variant(f"top_rule:{r}", lambda s, r=r: _top_by_other_rule(s, r)))
               for r in TOP_K_READINGS)


def _top_orders(shop) -> float:
    """The share of the top 20% of valid orders by net amount (orders, not customers)."""
    net = _net(valid(shop.orders)).sort_values(ascending=False)
    return float(net.iloc[:top_count(len(net))].sum() / net.sum())


EX4 = Exercise(
    id="1.4",
    title="前 20% 客户贡献的营收占比",
    points=2,
    prompt="按术语表的“前 20% 客户”：把下过有效订单的客户按全部时间的消费净额（有效订单的实付减退款）"
           "从高到低排序，取前 k 位（k = int(下过有效订单的客户数 × 0.2)，向下取整），算出他们的消费净额"
           "占全部客户消费净额的比例（与 ck.profile.top_share(shop.orders) 同一规则）。"
           "答案是 0 到 1 之间的一个数（如 0.6 表示 60%）。",
    expected=top20_share,
    comparator=Scalar(what="一个比例（0–1）"),
    diagnoses=[
        percent(top20_share, "你给的是百分数（乘了 100）：题目要 0 到 1 之间的比例。"),
        Diagnosis.like("ascending",
                       "取成了消费最低的 20% 客户：排序要从高到低，sort_values(ascending=False)。",
                       lambda s: top20_share(s, ascending=True)),
        Diagnosis.like("refunds_included",
                       "把“退款成功”的订单也算进去了：先筛掉这些订单，再按客户汇总消费净额。",
                       lambda s: top20_share(s, valid_only=False)),
        Diagnosis.like("paid_refunds_kept",
                       "你用全部订单的实付金额 paid_amount 求和：要先筛掉“退款成功”的订单，再用实付减退款"
                       "（paid_amount − refund_amount）算消费净额。",
                       lambda s: top20_share(s, valid_only=False, net=False)),
        Diagnosis.like("registered_base",
                       "“前 20%”的人数按全部注册客户算了：人数 = int(下过有效订单的客户数 × 0.2)。",
                       lambda s: top20_share(s, registered=True)),
        Diagnosis("top_k_rule",
                  "“前 20%”取的人数和术语表的规则不一样：前 20% 客户是排序后的前 k 位，k = int(下过有效订单的"
                  "客户数 × 0.2)（向下取整），用 iloc 取前 k 行；不要用分位数（quantile(0.8)、rank(pct=True)）"
                  "切一刀，也不要向上取整或四舍五入。",
                  _other_top_rule, example=_top_by_other_rule),
        Diagnosis.like("top_orders",
                       "你取的是金额最高的 20% 订单；题目要的是消费最高的 20% 客户：先按 customer_id "
                       "汇总每位客户的消费净额，再排序、取前 k 位。",
                       _top_orders),
    ],
    hints=[
        "先按客户汇总消费净额：spend = valid.assign(net=...).groupby('customer_id')['net'].sum()。",
        "用 sort_values 从高到低排序；前 20% 的人数是客户数乘 0.2 后用 int 向下取整。",
        "用 iloc 取排在前面的这些客户，求和后除以全部客户的消费净额合计。",
    ],
)


# ---- 1.5 revenue share by value class (Series) --------------------------------------------


def value_class_share(shop, divide=True, valid_only=True, net=True, window=None, how="sum"):
    """Exercise 1.5's shares; two typical mistakes: `window` (a DateOffset or Timedelta) keeps
    only the orders of that span before the reference day, `how="mean"` averages per customer."""
    from crmkit.profile import value_classes

    classes = value_classes(shop.orders)
    since = None if window is None else _as_of(shop) - window
    spend = _spend(shop, valid_only, net, since).reindex(classes.index, fill_value=0.0)
    share = spend.groupby(classes).agg(how) / (spend.sum() if divide else 1.0)
    share.index.name = "value_class"
    return share


def _class_counts(shop):
    from crmkit.profile import value_classes

    return value_classes(shop.orders).value_counts(normalize=True)


def _counts_share(answer, ctx) -> bool:
    return ctx.same(answer, _class_counts(ctx.shop))


#: The spans a learner reads "近 12 个月" as.
RECENT_WINDOWS = {"12m": pd.DateOffset(months=12), "365d": pd.Timedelta(days=365)}


def _recent_spend(answer, ctx) -> bool:
    """Shares of the last 12 months' spend instead of all time."""
    return any(ctx.same(answer, ctx.variant(f"recent:{name}", lambda s, w=w: value_class_share(s, window=w)))
               for name, w in RECENT_WINDOWS.items())


NEVER_BOUGHT = VALUE_CLASSES[-1]  # 未成交: only when value_classes is given the customers


def _never_bought_class(answer, ctx) -> bool:
    """The four classes right, plus a 未成交 class (value_classes given the customers table)."""
    return NEVER_BOUGHT in answer.index and NEVER_BOUGHT not in ctx.expected.index and ctx.same(
        answer.drop(NEVER_BOUGHT), ctx.expected)


def _class_means(answer, ctx) -> bool:
    """Mean spend per customer of each class: as it is, divided by the total or by the sum of
    the means."""
    means = ctx.variant("class_means", lambda s: value_class_share(s, how="mean"))
    raw = ctx.variant("class_means_raw", lambda s: value_class_share(s, divide=False, how="mean"))
    return any(ctx.same(answer, m) for m in (means, means / means.sum(), raw))


def _order_share(shop):
    """Each class's share of the valid orders (orders counted, not spend)."""
    from crmkit.profile import value_classes

    classes = valid(shop.orders)["customer_id"].map(value_classes(shop.orders))
    return classes.value_counts(normalize=True)


EX5 = Exercise(
    id="1.5",
    title="各价值分类的营收占比",
    points=2,
    prompt="用 ck.profile.value_classes(shop.orders) 得到每位客户的价值分类（高价值、中价值、低价值、"
           "流失风险），再算出每一类客户**全部时间**的消费净额（所有有效订单的实付减退款之和，不只是近 12 个月）"
           "占全部客户消费净额的比例。答案是以分类为索引、加起来等于 1 的 Series。",
    expected=value_class_share,
    comparator=SeriesOf(key_label="价值分类"),
    diagnoses=[
        Diagnosis("customer_share",
                  "你算的是每类客户的**人数**占比；题目要的是每类客户的**消费净额**占比。",
                  _counts_share,
                  example=_class_counts),
        Diagnosis.like("percent", "你给的是百分数（乘了 100）：题目要 0 到 1 之间的比例。",
                       lambda s: value_class_share(s) * 100),
        Diagnosis.like("not_divided",
                       "你给的是每类客户的消费净额合计，还差最后一步：除以全部客户的消费净额合计。",
                       lambda s: value_class_share(s, divide=False)),
        Diagnosis.like("paid_refunds_kept",
                       "消费额用了全部订单的实付金额 paid_amount：要先筛掉“退款成功”的订单，再用实付减退款"
                       "（paid_amount − refund_amount）算每位客户的消费净额。",
                       lambda s: value_class_share(s, valid_only=False, net=False)),
        Diagnosis.like("paid_not_net",
                       "消费额用了实付金额 paid_amount，没有减去部分退款 refund_amount：消费净额 = 实付 − 退款。",
                       lambda s: value_class_share(s, net=False)),
        Diagnosis("last_12_months",
                  "你只算了近 12 个月的消费：value_classes 按近 12 个月的消费分类，但这道题的占比要用每位客户"
                  "**全部时间**的消费净额（所有有效订单，不限时间）。",
                  _recent_spend, example=lambda s: value_class_share(s, window=RECENT_WINDOWS["12m"])),
        Diagnosis("never_bought_class",
                  "多了“未成交”一类：把客户表也传给 value_classes 时，没买过的客户会单列为“未成交”。"
                  "题目用 ck.profile.value_classes(shop.orders)，只有高价值、中价值、低价值、流失风险四类。",
                  _never_bought_class,
                  example=lambda s: pd.concat([value_class_share(s), pd.Series({NEVER_BOUGHT: 0.0})])),
        Diagnosis("mean_per_class",
                  "你对每类客户的消费净额求了平均（.mean()），得到的是每类的人均消费：占比要用每类的合计（.sum()），"
                  "再除以全部客户的合计，各类加起来才等于 1。",
                  _class_means, example=lambda s: value_class_share(s, divide=False, how="mean")),
        Diagnosis.like("order_share",
                       "你算的是每类客户的**订单数**占比（每笔有效订单记一次）；题目要的是**消费净额**占比："
                       "先按客户汇总实付减退款，再按分类求和、除以总和。",
                       _order_share),
    ],
    hints=[
        "ck.profile.value_classes 返回每位客户的价值分类，是以 customer_id 为索引的 Series。",
        "每位客户的消费净额 spend 也以 customer_id 为索引；spend.groupby(classes).sum() 按分类汇总。",
        "最后除以 spend.sum() 得到比例。",
    ],
)


# ---- 1.6 masking (DataFrame) --------------------------------------------------------------


def _mask_name_fixed(name: str) -> str:
    return name[0] + "**"


def _mask_keep_last(name: str) -> str:
    return "*" * (len(name) - 1) + name[-1]


def masked_list(shop, masker=None):
    from crmkit.privacy import mask_name

    c = shop.customers
    names = c["name"].map(masker) if masker else mask_name(c["name"])
    spend = _spend(shop).reindex(c["customer_id"], fill_value=0.0).to_numpy()
    return pd.DataFrame({"customer_id": c["customer_id"], "name": names,
                         "phone": c["phone"], "city": c["city"], "spend": spend})


def _name_unmasked(answer, ctx) -> bool:
    names = answer["name"].dropna().astype("str")
    return len(names) > 0 and not names.str.contains("*", regex=False).any()


def _by_customer(answer) -> pd.DataFrame:
    table = answer if "customer_id" in answer.columns else answer.reset_index()
    return table.drop_duplicates("customer_id").set_index("customer_id")


def _names_beside_true(answer, ctx):
    """(the answer's masked names, the customers' real names) for the customers in both."""
    mine = _by_customer(answer)["name"].dropna().astype("str")
    real = ctx.shop.customers.set_index("customer_id")["name"].reindex(mine.index).astype("str")
    return mine, real


def _stars_miscounted(answer, ctx) -> bool:
    """Surname kept, the rest stars, but not one star per remaining character."""
    mine, real = _names_beside_true(answer, ctx)
    if mine.empty:
        return False
    surname_then_stars = (mine.str[0] == real.str[0]) & mine.str[1:].str.fullmatch(r"\*+")
    return bool(surname_then_stars.all()) and bool((mine.str.len() != real.str.len()).any())


def _surname_hidden(answer, ctx) -> bool:
    """Stars put in, but the surname is not the character kept (张三 → *三)."""
    mine, real = _names_beside_true(answer, ctx)
    starred = mine.str.contains("*", regex=False)
    return bool(starred.any()) and bool((mine[starred].str[0] != real[starred].str[0]).mean() > 0.5)


def _mask_keep_ends(name: str) -> str:
    return name[0] + "*" * (len(name) - 2) + name[-1] if len(name) > 2 else name[0] + "*"


def _last_char_kept(answer, ctx) -> bool:
    """Surname kept and, in names of three or more characters, the last one kept too (李*华)."""
    mine, real = _names_beside_true(answer, ctx)
    long = (real.str.len() > 2) & mine.str.contains("*", regex=False)
    if not long.any():
        return False
    ends = (mine[long].str[0] == real[long].str[0]) & (mine[long].str[-1] == real[long].str[-1])
    return bool(ends.mean() > 0.5)


def _non_buyers_dropped(answer, ctx) -> bool:
    ids = set(_by_customer(answer).index)
    everyone = set(ctx.shop.customers["customer_id"])
    return ids < everyone and ids <= set(ctx.shop.orders["customer_id"])


def _spend_missing(answer, ctx) -> bool:
    table = _by_customer(answer)
    if "spend" not in table.columns:
        return False
    missing = set(table.index[table["spend"].isna()])
    never = set(ctx.shop.customers["customer_id"]) - set(valid(ctx.shop.orders)["customer_id"])
    return bool(missing) and missing <= never


def _personal_columns(answer, ctx) -> bool:
    extra = set(answer.columns) - set(ctx.expected.columns) - {"index"}
    return bool(extra & set(ctx.shop.customers.columns))


EX6 = Exercise(
    id="1.6",
    title="给客户回访名单脱敏",
    points=2,
    prompt="要把客户回访名单交给外包客服，先脱敏。为客户表里的每位客户做一行，列为 customer_id、name、phone、"
           "city、spend（消费净额，同练习 1.2，没下过单为 0）："
           "name 脱敏成“姓 + 每个其余字一个 *”（张三 → 张*，欧阳修 → 欧**）；phone 在课程数据里已经是 "
           "138****1234 的形式，保持不变；不要带上身份证号等其他列。",
    expected=masked_list,
    comparator=FrameOf(key="customer_id", key_label="客户", digits=2, row_label="每位客户一行"),
    diagnoses=[
        Diagnosis("name_unmasked", "姓名没有脱敏：可以用 ck.privacy.mask_name(表['name'])。",
                  _name_unmasked,
                  example=lambda s: masked_list(s, str)),
        Diagnosis("fixed_stars",
                  "星号个数不对：名字有几个字，就保留第一个字、其余每个字换成一个 *（两个字的名字是 张*，"
                  "三个字的是 欧**），星号个数不是固定的。",
                  _stars_miscounted,
                  example=lambda s: masked_list(s, _mask_name_fixed)),
        Diagnosis("surname_hidden",
                  "星号位置不对：要保留第一个字（姓），把其余每个字换成一个 *（张三 → 张*，欧阳修 → 欧**），"
                  "不是遮住姓、留下名字的最后一个字。",
                  _surname_hidden,
                  example=lambda s: masked_list(s, _mask_keep_last)),
        Diagnosis("last_char_kept",
                  "三个字及以上的名字留下了最后一个字（李建华 → 李*华）：只保留第一个字（姓），"
                  "其余每个字都换成一个 *（李建华 → 李**）。ck.privacy.mask_name 就是这样脱敏的。",
                  _last_char_kept,
                  example=lambda s: masked_list(s, _mask_keep_ends)),
        Diagnosis("non_buyers_dropped",
                  "名单里只有下过单的客户：要以客户表的全部客户为底，用 merge(how='left') 接上 spend，"
                  "没下过单的客户也要有一行。",
                  _non_buyers_dropped,
                  example=lambda s: masked_list(s).loc[lambda d: d["customer_id"].isin(
                      valid(s.orders)["customer_id"])].reset_index(drop=True)),
        Diagnosis("spend_missing",
                  "没下过单的客户 spend 是缺失值（NaN）：左连接之后用 fillna(0) 填成 0。",
                  _spend_missing,
                  example=lambda s: masked_list(s).assign(spend=lambda d: d["spend"].where(
                      d["customer_id"].isin(valid(s.orders)["customer_id"])))),
        Diagnosis("personal_columns",
                  "名单里多了客户表的其他列（如身份证号 id_number）：交给外包的名单只保留题目要求的 "
                  "customer_id、name、phone、city、spend 五列，身份证号、生日等敏感信息一律不带。",
                  _personal_columns,
                  example=lambda s: masked_list(s).assign(id_number=s.customers["id_number"].to_numpy())),
    ],
    hints=[
        "先选出四列：df = shop.customers[['customer_id', 'name', 'phone', 'city']].copy()，"
        "再用 merge 接上练习 1.2 的 spend 列。",
        "ck.privacy.mask_name 可以直接处理一整列：df['name'] = ck.privacy.mask_name(df['name'])。",
        "自己写也可以：对姓名列用 map 配一个函数，保留第一个字，后面每个字换成一个 *。",
    ],
)


# ---- 1.7 cleaning the raw export: one check figure per cleaning step (dict) ----------------

CLEAN_COLUMNS = ["order_id", "nickname", "name", "phone", "order_time", "n_items",
                 "gross_amount", "paid_amount", "refund_amount", "status", "channel"]
RENAMES = {"订单编号": "order_id", "买家会员名": "nickname", "收货人姓名": "name",
           "联系手机": "phone", "订单付款时间": "order_time", "宝贝总数量": "n_items",
           "总金额": "gross_amount", "买家实际支付金额": "paid_amount", "退款金额": "refund_amount",
           "订单状态": "status", "流量来源": "channel"}
#: The raw export's three ways of writing a payment time, told apart by one character.
DATE_MARKS = {"-": r"^\d{4}-", "/": "/", "年": "年"}
#: The check figures of exercise 1.7, one per cleaning step that changes a value.
CHECK_KEYS = ("订单数", "双12订单数", "实付金额合计", "已脱敏姓名数", "已脱敏手机号数", "空手机号数")


def cleaned_export(shop):
    """What the cleaned export must be: the shop's own values for the exported orders."""
    from crmkit.privacy import mask_name
    from crmkit.rawexport import export_order_ids, raw_export

    ids = export_order_ids(shop)
    raw = raw_export(shop)
    blank = set(raw.loc[raw["联系手机"].str.strip() == "", "订单编号"])
    o = shop.orders.set_index("order_id").loc[ids]
    c = shop.customers.set_index("customer_id").loc[o["customer_id"]]
    phone = pd.Series(c["phone"].to_numpy(), index=o.index, dtype="str")
    phone[phone.index.isin(blank)] = np.nan
    out = pd.DataFrame({
        "order_id": o.index.to_numpy(),
        "nickname": c["nickname"].to_numpy(),
        "name": mask_name(pd.Series(c["name"].to_numpy(), dtype="str")).to_numpy(),
        "phone": phone.to_numpy(),
        "order_time": o["order_time"].to_numpy(),
        "n_items": o["n_items"].astype("int64").to_numpy(),
        "gross_amount": o["gross_amount"].astype("float64").to_numpy(),
        "paid_amount": o["paid_amount"].astype("float64").to_numpy(),
        "refund_amount": o["refund_amount"].astype("float64").to_numpy(),
        "status": o["status"].to_numpy(),
        "channel": o["channel"].to_numpy(),
    })
    return out.astype({"order_id": "str", "nickname": "str", "name": "str", "phone": "str",
                       "status": "str", "channel": "str"})


def clean_raw(raw: pd.DataFrame, dedupe=True, names=True, phones=True,
              blank_as_text=False) -> pd.DataFrame:
    """Clean the raw export as a learner would (the reference solution of 1.7); the flags
    leave one step out, as a learner who forgot it would."""
    from crmkit.privacy import mask_name, mask_phone

    df = raw.drop_duplicates() if dedupe else raw.copy()
    df = df.rename(columns=RENAMES)
    text = (df["order_time"].str.replace("年", "-").str.replace("月", "-")
            .str.replace("日", "").str.replace("/", "-"))
    df["order_time"] = pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S")
    for col in ("gross_amount", "paid_amount", "refund_amount"):
        df[col] = df[col].str.replace("¥", "").str.replace(",", "").astype("float64")
    df["n_items"] = df["n_items"].astype("int64")
    phone = df["phone"].str.replace(" ", "").str.replace("+86", "", regex=False)
    phone = phone.where(phone.str.strip() != "")
    if blank_as_text:
        phone = phone.fillna("")
    if names:
        df["name"] = mask_name(df["name"])
    df["phone"] = mask_phone(phone) if phones else phone
    return df[CLEAN_COLUMNS].reset_index(drop=True)


def check_figures(clean: pd.DataFrame) -> dict:
    """The six check figures of a cleaned export (the answer of exercise 1.7)."""
    time = clean["order_time"]
    return {
        "订单数": int(len(clean)),
        "双12订单数": int(((time.dt.month == 12) & (time.dt.day == 12)).sum()),
        "实付金额合计": float(clean["paid_amount"].sum()),
        "已脱敏姓名数": int(clean["name"].str.contains("*", regex=False).fillna(False).sum()),
        "已脱敏手机号数": int(clean["phone"].str.contains("****", regex=False).fillna(False).sum()),
        "空手机号数": int(clean["phone"].isna().sum()),
    }


def export_checks(shop) -> dict:
    return check_figures(cleaned_export(shop))


def _raw(shop):
    from crmkit.rawexport import raw_export

    return raw_export(shop).replace("", np.nan)


def _reference_checks(shop) -> dict:
    return check_figures(clean_raw(_raw(shop)))


def _double12_in_formats(shop, marks) -> int:
    """双12 orders counted only among the rows written in the formats `marks` (the others
    left unparsed, as ``pd.to_datetime(..., errors='coerce')`` leaves them)."""
    raw = _raw(shop).drop_duplicates()
    text = raw["订单付款时间"]
    kept = np.zeros(len(raw), dtype=bool)
    for mark in marks:
        kept |= text.str.contains(DATE_MARKS[mark]).to_numpy()
    time = clean_raw(raw)["order_time"]
    return int(((time.dt.month == 12) & (time.dt.day == 12) & kept).sum())


def _paid_rows_dropped(shop, strip_yen: bool = False) -> float:
    """The paid total when `pd.to_numeric(errors='coerce')` silently drops ¥1,299.00-style text
    (only the amounts with a thousands comma once ¥ is stripped)."""
    paid = _raw(shop).drop_duplicates()["买家实际支付金额"]
    if strip_yen:
        paid = paid.str.replace("¥", "")
    return float(pd.to_numeric(paid, errors="coerce").sum())


def _paid_column(shop, column: str = "gross_amount", dedupe: bool = True) -> float:
    clean = clean_raw(_raw(shop), dedupe=dedupe)
    if column == "net":
        return float((clean["paid_amount"] - clean["refund_amount"]).sum())
    return float(clean[column].sum())


def _with(key, wrong):
    """A learner's answer with one check figure wrong: ``wrong(shop)`` in place of ``key``."""
    return lambda shop: {**_reference_checks(shop), key: wrong(shop)}


def _figure_is(name, key, *wrongs):
    """Fires when the answer's ``key`` equals one of ``wrongs(shop)`` and not the right value
    (the wrong values are cached per shop under the diagnosis' ``name``)."""
    def when(answer, ctx) -> bool:
        if not isinstance(answer, dict) or key not in answer:
            return False
        value = answer[key]
        return not close(value, ctx.expected[key], 1e-9) and any(
            close(value, ctx.variant(f"{name}:{i}", wrong), 1e-9) for i, wrong in enumerate(wrongs))
    return when


def _wrong_figure(name, message, key, *wrongs) -> Diagnosis:
    """A mistake in one step: the figure ``key`` is one of ``wrongs(shop)``; the example answer
    has every other figure right."""
    return Diagnosis(name, message, _figure_is(name, key, *wrongs), example=_with(key, wrongs[0]))


_ONE_OR_TWO_FORMATS = [lambda s, m=marks: _double12_in_formats(s, m)
                       for marks in (("-",), ("/",), ("年",), ("-", "/"), ("-", "年"), ("/", "年"))]


EX7 = Exercise(
    id="1.7",
    title="清洗原始订单导出",
    points=3,
    parts={"订单数": 0.5, "双12订单数": 0.5, "实付金额合计": 0.5, "已脱敏姓名数": 0.5,
           "已脱敏手机号数": 0.5, "空手机号数": 0.5},
    prompt="把原始导出 raw（from crmkit.rawexport import load_raw_export; raw = load_raw_export(shop)）"
           "一步一步清洗成表 clean，每做完一步算一个核对数，交上字典（每个核对数占半分）。"
           "① 去掉完全相同的重复行 → '订单数'：去重后的行数。"
           "② 列名改成英文（订单编号→order_id、买家会员名→nickname、收货人姓名→name、联系手机→phone、"
           "订单付款时间→order_time、宝贝总数量→n_items、总金额→gross_amount、买家实际支付金额→paid_amount、"
           "退款金额→refund_amount、订单状态→status、流量来源→channel），不要“收货地址”（这一步不单独计分）。"
           "③ order_time 的三种写法统一后转成日期时间 → '双12订单数'：付款日期是 12 月 12 日的订单数。"
           "④ 三列金额去掉 ¥ 和千分位逗号后转成数字，n_items 转成整数 → '实付金额合计'：paid_amount"
           "（买家实际支付金额，不减退款）之和，元。"
           "⑤ name 脱敏成 张*，phone 去掉空格和 +86 后脱敏成 138****1234，空的手机号保持为缺失值 → "
           "'已脱敏姓名数'：name 含 * 的行数；'已脱敏手机号数'：phone 含 **** 的行数；'空手机号数'：phone 为缺失值的行数。"
           "答案是 {'订单数': …, '双12订单数': …, '实付金额合计': …, '已脱敏姓名数': …, '已脱敏手机号数': …, "
           "'空手机号数': …}，都在去重后的表上数。",
    expected=export_checks,
    solution=_reference_checks,
    comparator=DictOf(Scalar(digits=2)),
    diagnoses=[
        Diagnosis("duplicates_kept",
                  "“订单数”和重复行之前一样多：先用 raw.drop_duplicates() 去掉完全相同的行，"
                  "后面的核对数都在去重后的表上数。",
                  _figure_is("duplicates_kept", "订单数", lambda s: len(_raw(s))),
                  example=lambda s: check_figures(clean_raw(_raw(s), dedupe=False))),
        _wrong_figure("one_date_format",
                      "“双12订单数”只数到了部分写法的订单：付款时间有 2025-12-01、2025/12/01、2025年12月01日 "
                      "三种写法，直接转换（或 errors='coerce'）时认不出的写法会变成缺失值 NaT、被悄悄漏掉。"
                      "先把三种写法替换成同一种，再按一个固定格式转换。",
                      "双12订单数", *_ONE_OR_TWO_FORMATS),
        _wrong_figure("paid_rows_dropped",
                      "“实付金额合计”漏掉了一部分订单：带 ¥ 或千分位逗号的金额没转换成功，变成了缺失值，"
                      "求和时被跳过。先用 .str.replace 去掉 ¥ 和逗号再转成数字，不要用 errors='coerce' 把转不了的值藏起来。",
                      "实付金额合计", _paid_rows_dropped, lambda s: _paid_rows_dropped(s, strip_yen=True)),
        _wrong_figure("paid_with_duplicates",
                      "“实付金额合计”把重复行的金额也加进去了：要在去重后的表上求和。",
                      "实付金额合计", lambda s: _paid_column(s, "paid_amount", dedupe=False)),
        _wrong_figure("gross_not_paid",
                      "“实付金额合计”用了总金额 gross_amount（优惠前）：要的是买家实际支付金额 paid_amount。",
                      "实付金额合计", lambda s: _paid_column(s, "gross_amount")),
        _wrong_figure("net_not_paid",
                      "“实付金额合计”减去了退款：这里核对的是导出里“买家实际支付金额”这一列本身的合计，不减退款。",
                      "实付金额合计", lambda s: _paid_column(s, "net")),
        Diagnosis("name_unmasked",
                  "“已脱敏姓名数”不对：收货人姓名还没有脱敏。用 ck.privacy.mask_name 处理整列 name，再数含 * 的行。",
                  _figure_is("name_unmasked", "已脱敏姓名数",
                             lambda s: check_figures(clean_raw(_raw(s), names=False))["已脱敏姓名数"]),
                  example=lambda s: check_figures(clean_raw(_raw(s), names=False))),
        Diagnosis("phone_unmasked",
                  "“已脱敏手机号数”只数到了导出里本来就遮住的号码：其余手机号还没有脱敏。"
                  "用 ck.privacy.mask_phone 处理整列 phone（它会去掉空格和 +86，缺失值原样保留）。",
                  _figure_is("phone_unmasked", "已脱敏手机号数",
                             lambda s: check_figures(clean_raw(_raw(s), phones=False))["已脱敏手机号数"]),
                  example=lambda s: check_figures(clean_raw(_raw(s), phones=False))),
        _wrong_figure("blank_phone_text",
                      "“空手机号数”是 0：空的手机号被填成了文字（如空字符串 '' 或 'nan'）。"
                      "不要 fillna('')，也别让空值变成文字 'nan'；让它们保持为缺失值，再用 .isna() 数。",
                      "空手机号数", lambda s: 0),
    ],
    hints=[
        "一步做完再做下一步，每步之后用 head() 看一眼，顺手算出这一步的核对数：去重之后数行数；"
        "金额转成数字之后对 paid_amount 求和。",
        "日期：先用 .str.replace 把“年”“月”“/”换成“-”、去掉“日”，三种写法统一成一种，再用 pd.to_datetime "
        "按一个固定的 format 转换；转好后 .dt.month、.dt.day 就能挑出 12 月 12 日。金额：先去掉 ¥ 和逗号，再 astype(float)。",
        "脱敏：ck.privacy.mask_name、ck.privacy.mask_phone 都能处理整列，缺失值原样保留。核对时用 "
        ".str.contains(…, regex=False) 数含星号的行（* 在正则里有特殊含义），用 .isna() 数空手机号。",
    ],
)


# ---- 1.8 the open task: figures cited in a recommendation (dict) --------------------------

MEMO_KEYS = ("前20%客户营收占比", "流失风险客户数", "售后会话占比")


def memo_figures(shop):
    chats = shop.service_chats
    return {"前20%客户营收占比": top20_share(shop),
            "流失风险客户数": len(churn_risk(shop)),
            "售后会话占比": float((chats["stage"] == "售后").mean())}


def _counted(source: Exercise, variants: dict) -> Exercise:
    """Exercise `source` (a set of customers) asked for as its size, so that a summary reuses
    its diagnoses with `part_of`: each fires when the count is the size of a set its mistake
    gives (``variants[name]``: {label: shop -> set}; otherwise its example)."""
    def count_of(diag):
        wrongs = variants.get(diag.name, {"example": diag.example})

        def when(answer, ctx) -> bool:
            return any(close(answer, ctx.variant(f"{diag.name}:{label}", lambda s, f=wrong: len(f(s))))
                       for label, wrong in wrongs.items())

        return Diagnosis(diag.name, diag.message, when, example=lambda s: len(diag.example(s)))

    return Exercise(id=source.id + "n", title=source.title, points=source.points,
                    expected=lambda s: len(source.expected(s)), comparator=Scalar(),
                    diagnoses=[count_of(d) for d in source.diagnoses])


def _high_value_share(shop) -> float:
    return float(value_class_share(shop)["高价值"])


def _after_sale_share(shop, stages=("售后",), over=None) -> float:
    """Share of chats in `stages` among the chats in `over` (all chats when None)."""
    stage = shop.service_chats["stage"]
    base = stage if over is None else stage[stage.isin(over)]
    return float(stage.isin(stages).sum() / len(base))


#: 售后会话占比 over a part of the chats instead of all of them.
WRONG_DENOMINATORS = {"售前": ("售前",), "售中": ("售中",), "售前售中": ("售前", "售中")}
#: 售后会话占比 counting other stages as after-sale.
WRONG_STAGES = {"售中售后": ("售中", "售后"), "售中": ("售中",), "售前": ("售前",)}


def _after_sale_share_with_order(shop) -> float:
    """售后 share among the chats that carry an order id (pre-sale chats left out)."""
    chats = shop.service_chats[shop.service_chats["order_id"].notna()]
    return float((chats["stage"] == "售后").mean())


def _after_sale_customers(shop) -> float:
    """Share of chatting customers with at least one after-sale chat (per customer)."""
    chats = shop.service_chats
    return float((chats["stage"] == "售后").groupby(chats["customer_id"]).any().mean())


_DENOMINATOR_VARIANTS = {label: (lambda s, o=over: _after_sale_share(s, over=o))
                         for label, over in WRONG_DENOMINATORS.items()}
_DENOMINATOR_VARIANTS["with_order"] = _after_sale_share_with_order
_STAGE_VARIANTS = {label: (lambda s, g=stages: _after_sale_share(s, stages=g))
                   for label, stages in WRONG_STAGES.items()}


EX8 = Exercise(
    id="1.8",
    title="给店长的客户关系建议",
    points=2,
    parts={"前20%客户营收占比": 0.5, "流失风险客户数": 1, "售后会话占比": 0.5},
    prompt="写一段给店长的建议（3–5 句）：这家店的营收有多集中、有多少老客户正在流失、售后服务的工作量"
           "有多大，以及你建议先做哪两件事。把建议里引用的三个数写进字典："
           "{'前20%客户营收占比': 0–1 的比例（同练习 1.4）, '流失风险客户数': 整数（同练习 1.3 的人数）, "
           "'售后会话占比': 售后会话占全部客服会话的比例（0–1）}。",
    expected=memo_figures,
    comparator=DictOf(Scalar()),
    diagnoses=[
        percent(memo_figures, "有比例写成了百分数（乘了 100）：两个占比都要 0 到 1 之间的数。", keys=("售后会话占比", "前20%客户营收占比")),
        *part_of("前20%客户营收占比", EX4, memo_figures),
        *part_of("流失风险客户数", _counted(EX3, {"wrong_window": WINDOW_MISTAKES}), memo_figures),
        Diagnosis("high_value_share",
                  "“前20%客户营收占比”用了练习 1.5 里“高价值”客户的营收占比：高价值是在没流失的客户里按近 12 个月"
                  "消费排出的前 20%，和练习 1.4 的前 20% 客户（全部成交客户、全部时间的消费净额）不是一回事。"
                  "这里用 1.4 的结果。",
                  _part_is("前20%客户营收占比", "high_value", {"high_value": _high_value_share}),
                  example=lambda s: {**memo_figures(s), "前20%客户营收占比": _high_value_share(s)}),
        Diagnosis("after_sale_denominator",
                  "“售后会话占比”的分母不对：分母是全部客服会话的数量（售前、售中、售后都算，"
                  "没有订单号的售前咨询也算），不是某一类会话或带订单号的会话的数量。",
                  _part_is("售后会话占比", "denominator", _DENOMINATOR_VARIANTS),
                  example=lambda s: {**memo_figures(s), "售后会话占比": _DENOMINATOR_VARIANTS["售前"](s)}),
        Diagnosis("after_sale_stages",
                  "“售后会话占比”数的会话阶段不对：只数 stage 为“售后”的会话（“售中”是下单后、收货前的"
                  "催发货、查物流、改地址等，不算售后），再除以全部会话数。",
                  _part_is("售后会话占比", "stages", _STAGE_VARIANTS),
                  example=lambda s: {**memo_figures(s), "售后会话占比": _STAGE_VARIANTS["售中售后"](s)}),
        Diagnosis("after_sale_per_customer",
                  "“售后会话占比”按客户算了（有售后会话的客户 ÷ 咨询过的客户）：题目按会话算，"
                  "售后会话的条数 ÷ 全部会话的条数，不要先按客户去重。",
                  _part_is("售后会话占比", "per_customer", {"per_customer": _after_sale_customers}),
                  example=lambda s: {**memo_figures(s), "售后会话占比": _after_sale_customers(s)}),
    ],
    hints=[
        "前两个数可以直接用练习 1.4、1.3 的结果：answer_1_4 和 len(answer_1_3)。",
        "售后会话占比：会话表里 stage 为“售后”的布尔列求平均（True 当作 1）。",
    ],
)

EXERCISES = [EX1, EX2, EX3, EX4, EX5, EX6, EX7, EX8]
