"""Demonstration exercises: one of each answer shape (a number, a Series, a table, a set, a dict).

They show chapter authors how to declare exercises and are what the grading machinery's own
tests and benchmarks run on. Every expected value is a pure function of the shop.
"""

from __future__ import annotations

from crmkit.exercises.diagnoses import misnamed_keys, proportions, refunds_kept
from crmkit.grading.compare import DictOf, FrameOf, Scalar, SeriesOf, SetOf
from crmkit.grading.declare import Diagnosis, Exercise
from crmkit.vocabulary import REFUNDED

CHAPTER = "demo"


def _valid(shop):
    """Orders that were not fully refunded."""
    orders = shop.orders
    return orders[orders["status"] != REFUNDED]


# ---- demo.1: a number -----------------------------------------------------------------------


def net_sales(shop) -> float:
    o = shop.orders
    return float(o["paid_amount"].sum() - o["refund_amount"].sum())


EX1 = Exercise(
    id="demo.1",
    title="净销售额",
    points=1,
    prompt="计算全店的净销售额：所有订单的实付金额 paid_amount 之和，减去退款金额 refund_amount 之和。",
    expected=net_sales,
    comparator=Scalar(digits=2, what="一个数（元）"),
    diagnoses=[
        Diagnosis.like("refunds_included", "退款没有扣除：净销售额要减去 refund_amount 的合计。",
                       lambda shop: float(shop.orders["paid_amount"].sum())),
        Diagnosis.like("gross_amount",
                       "用了商品总额 gross_amount；净销售额应从实付金额 paid_amount 算起（优惠已扣除）。",
                       lambda shop: float(shop.orders["gross_amount"].sum()
                                          - shop.orders["refund_amount"].sum())),
    ],
    hints=[
        "净销售额 = 实付金额合计 − 退款金额合计，两列都在 shop.orders 里。",
        "对一列求和用 .sum()，例如 shop.orders['paid_amount'].sum()。",
        "两个合计相减即可；不需要筛选订单状态，全额退款的订单两项正好抵消。",
    ],
)


# ---- demo.2: a Series -----------------------------------------------------------------------


def orders_by_channel(shop):
    return _valid(shop).groupby("channel").size()


def _grouped_by_channel_group(answer, ctx) -> bool:
    groups = set(ctx.shop.orders["channel_group"].unique())
    return set(answer.index) <= groups and set(answer.index) != set(ctx.expected.index)


EX2 = Exercise(
    id="demo.2",
    title="各渠道有效订单数",
    points=1,
    prompt="统计每个渠道（orders 的 channel 列）的有效订单数（不含状态为“退款成功”的订单），"
           "结果是以渠道为索引的 Series。",
    expected=orders_by_channel,
    comparator=SeriesOf(key_label="渠道"),
    diagnoses=[
        Diagnosis.like("refunds_included",
                       "把“退款成功”的订单也算进去了：先筛掉 status 为 '退款成功' 的订单再计数。",
                       lambda shop: shop.orders.groupby("channel").size()),
        proportions(orders_by_channel, "你给出的是比例（各渠道加起来等于 1），题目要的是订单数。"
                  "去掉 normalize=True。"),
        Diagnosis("wrong_column", "按 channel_group（来源类型）分组了；题目要按 channel（渠道）分组。",
                  _grouped_by_channel_group,
                  example=lambda shop: _valid(shop).groupby("channel_group").size()),
    ],
    hints=[
        "先筛选：orders[orders['status'] != '退款成功']。",
        "再按渠道计数：.groupby('channel').size() 或 ['channel'].value_counts()。",
    ],
)


# ---- demo.3: a table ------------------------------------------------------------------------


def _rfm(orders):
    snapshot = orders["order_time"].max().normalize() + _one_day()
    per = orders.assign(order_date=orders["order_time"].dt.normalize()).groupby("customer_id")
    table = per.agg(last=("order_date", "max"), frequency=("order_id", "count"),
                    monetary=("paid_amount", "sum"))
    table["recency"] = (snapshot - table["last"]).dt.days.astype("int64")
    return table.reset_index()[["customer_id", "recency", "frequency", "monetary"]]


def _one_day():
    import pandas as pd

    return pd.Timedelta(days=1)


def rfm_table(shop):
    return _rfm(_valid(shop))


RFM_COLUMNS = ["customer_id", "recency", "frequency", "monetary"]


_COLUMN_ALIASES = {"客户id": "customer_id", "客户编号": "customer_id", "r": "recency",
                   "最近一次消费": "recency", "f": "frequency", "消费频率": "frequency",
                   "m": "monetary", "消费金额": "monetary"}


def _misnamed(answer, ctx) -> bool:
    table = answer if "customer_id" in answer.columns else answer.reset_index()
    cols = [str(c) for c in table.columns]
    if set(RFM_COLUMNS) <= set(cols):
        return False
    normalised = {_COLUMN_ALIASES.get(c.strip().lower(), c.strip().lower()) for c in cols}
    return set(RFM_COLUMNS) <= normalised


def _recency_off_by_one(answer, ctx) -> bool:
    table = answer if "customer_id" in answer.columns else answer.reset_index()
    mine = table.set_index("customer_id")["recency"]
    exp = ctx.expected.set_index("customer_id")["recency"]
    if len(mine) != len(exp) or set(mine.index) != set(exp.index):
        return False
    diff = (mine.reindex(exp.index).astype("float64") - exp.astype("float64")).abs()
    return bool((diff == 1).all())


def _one_row_per_order(answer, ctx) -> bool:
    return len(answer) in (len(ctx.shop.orders), len(_valid(ctx.shop)))


def _wrong_rfm_recency(shop, shift: int):
    table = rfm_table(shop)
    return table.assign(recency=table["recency"] + shift)


EX3 = Exercise(
    id="demo.3",
    title="客户 RFM 表",
    points=2,
    prompt="为每位有有效订单（不含“退款成功”）的客户算出 RFM，得到一张表，列为 customer_id、"
           "recency（截止日减最后一次下单日期的天数；截止日 = 最后一笔订单日期的次日）、"
           "frequency（有效订单数）、monetary（有效订单实付金额合计）。",
    expected=rfm_table,
    comparator=FrameOf(key="customer_id", key_label="客户", digits=2, row_label="每位客户一行"),
    diagnoses=[
        Diagnosis("not_grouped", "你的表每笔订单一行：要按 customer_id 分组汇总，每位客户一行。",
                  _one_row_per_order,
                  example=lambda shop: _valid(shop)[["customer_id", "paid_amount"]]
                      .rename(columns={"paid_amount": "monetary"})
                      .assign(recency=0, frequency=1)[RFM_COLUMNS]),
        refunds_kept(lambda shop: _rfm(shop.orders)),
        Diagnosis("recency_off_by_one",
                  "recency 差了一天：截止日是最后一笔订单日期的次日，recency = (截止日 − 最后下单日期).days；"
                  "下单时间要先用 .dt.normalize() 取到日期。", _recency_off_by_one,
                  example=lambda shop: _wrong_rfm_recency(shop, -1)),
        Diagnosis("misnamed_columns",
                  "列名与题目要求不同：请把列命名为 customer_id、recency、frequency、monetary（小写英文）。",
                  _misnamed,
                  example=lambda shop: rfm_table(shop).rename(
                      columns={"recency": "Recency", "frequency": "Frequency", "monetary": "Monetary"})),
    ],
    hints=[
        "先筛掉退款成功的订单，再按 customer_id 分组（groupby），每位客户一行。",
        "具名聚合一次算三样：.agg(last=('order_time', 'max'), frequency=('order_id', 'count'), "
        "monetary=('paid_amount', 'sum'))。",
        "截止日 = orders['order_time'].max().normalize() + pd.Timedelta(days=1)；"
        "recency = (截止日 − 最后下单日期).dt.days，最后 reset_index() 并只保留四列。",
    ],
)


# ---- demo.4: a set --------------------------------------------------------------------------


def _recent_customers(shop, days: int, by_date: bool = True):
    o = shop.orders
    if by_date:
        day = o["order_time"].dt.normalize()
        start = day.max() - _one_day() * (days - 1)
        return set(o.loc[day >= start, "customer_id"])
    start = o["order_time"].max() - _one_day() * days
    return set(o.loc[o["order_time"] >= start, "customer_id"])


def recent_customers(shop):
    return _recent_customers(shop, 30)


def _wrong_window(answer, ctx) -> bool:
    for name, compute in (
        ("window29", lambda s: _recent_customers(s, 29)),
        ("window31", lambda s: _recent_customers(s, 31)),
        ("window_time", lambda s: _recent_customers(s, 30, by_date=False)),
    ):
        if ctx.same(answer, ctx.variant(name, compute)):
            return True
    return False


def _order_ids(answer, ctx) -> bool:
    ids = set(answer) if not hasattr(answer, "tolist") else set(answer.tolist())
    return bool(ids) and ids <= set(ctx.shop.orders["order_id"])


EX4 = Exercise(
    id="demo.4",
    title="最近 30 天下单的客户",
    points=1,
    prompt="找出最近 30 天（数据中最后一个下单日期及之前的 29 天，按日期计）下过单的客户，"
           "答案是 customer_id 的集合（set）。",
    expected=recent_customers,
    comparator=SetOf(what="一组客户ID"),
    diagnoses=[
        Diagnosis("wrong_window",
                  "日期窗口不对：按日期（.dt.normalize()）计，含最后一天在内正好 30 天，"
                  "即下单日期 ≥ 最后日期 − 29 天。", _wrong_window,
                  example=lambda shop: _recent_customers(shop, 31)),
        Diagnosis("order_ids", "集合里是订单ID；题目要的是客户ID（customer_id）。", _order_ids,
                  example=lambda shop: set(shop.orders.loc[
                      shop.orders["order_time"].dt.normalize()
                      >= shop.orders["order_time"].dt.normalize().max() - _one_day() * 29, "order_id"])),
    ],
    hints=[
        "先把下单时间取到日期：day = orders['order_time'].dt.normalize()。",
        "窗口起点是 day.max() − pd.Timedelta(days=29)；筛出 day ≥ 起点的订单。",
        "取这些订单的 customer_id，用 set(...) 去重。",
    ],
)


# ---- demo.5: a dict -------------------------------------------------------------------------

KPI_KEYS = ("客户数", "订单数", "客单价")


def kpis(shop):
    v = _valid(shop)
    return {"客户数": int(v["customer_id"].nunique()), "订单数": len(v),
            "客单价": float(v["paid_amount"].sum() / len(v))}


def _all_registered(answer, ctx) -> bool:
    return float(answer["客户数"]) == float(len(ctx.shop.customers))


def _gross_aov(answer, ctx) -> bool:
    v = _valid(ctx.shop)
    return abs(float(answer["客单价"]) - float(v["gross_amount"].mean())) < 0.01


EX5 = Exercise(
    id="demo.5",
    title="三项经营指标",
    points=1,
    parts={"客户数": 0.25, "订单数": 0.25, "客单价": 0.5},
    prompt="用有效订单（不含“退款成功”）算三项指标，写成字典："
           "{'客户数': 下过有效订单的客户数, '订单数': 有效订单数, '客单价': 每笔有效订单的平均实付金额}。",
    expected=kpis,
    comparator=DictOf(Scalar(digits=2)),
    diagnoses=[
        misnamed_keys(("客户数", "订单数", "客单价")),
        Diagnosis("all_registered",
                  "客户数算成了全部注册客户；题目要的是下过有效订单的客户（订单里不重复的 customer_id）。",
                  _all_registered,
                  example=lambda shop: {**kpis(shop), "客户数": len(shop.customers)}),
        Diagnosis("gross_aov", "客单价用了商品总额 gross_amount，应该用实付金额 paid_amount。",
                  _gross_aov,
                  example=lambda shop: {**kpis(shop),
                      "客单价": _valid(shop)["gross_amount"].mean()}),
    ],
    hints=[
        "先得到有效订单 v = orders[orders['status'] != '退款成功']。",
        "客户数用 v['customer_id'].nunique()，订单数用 len(v)。",
        "客单价 = v['paid_amount'].mean()。",
    ],
)

EXERCISES = [EX1, EX2, EX3, EX4, EX5]
