"""课程导览（第 0 章）的热身练习：学会 ck.check 与 ck.hint，以及三个最基本的 pandas 操作。

Warm-ups only use the customers and orders tables, so they hold on any shop.
Every expected value is computed from the shop the learner loaded.
"""

from __future__ import annotations

from crmkit.exercises.common import valid
from crmkit.exercises.diagnoses import proportions
from crmkit.grading.compare import Scalar, SeriesOf
from crmkit.glossary import net_amount
from crmkit.grading.declare import Diagnosis, Exercise

CHAPTER = "0"


# ---- 0.1: a number: how many rows ---------------------------------------------------------


def n_orders(shop) -> int:
    return int(len(shop.orders))


def _is_shape(answer, ctx) -> bool:
    return isinstance(answer, tuple) and tuple(answer) == tuple(ctx.shop.orders.shape)


def _is_n_columns(answer, ctx) -> bool:
    return not isinstance(answer, (bool, tuple)) and answer == ctx.shop.orders.shape[1]


def _is_n_customers(answer, ctx) -> bool:
    return not isinstance(answer, (bool, tuple)) and answer == len(ctx.shop.customers)


EX1 = Exercise(
    id="0.1",
    title="订单表有多少行",
    points=1,
    prompt="订单表 shop.orders 一共有多少行（多少笔订单）？答案是一个整数。",
    expected=n_orders,
    comparator=Scalar(what="一个整数（行数）"),
    diagnoses=[
        Diagnosis("shape_tuple",
                  "你给的是 shape 的全部内容（行数, 列数）。题目只要行数：取第一个数 shape[0]，或用 len(表)。",
                  _is_shape,
                  example=lambda shop: shop.orders.shape),
        Diagnosis("n_columns", "这是订单表的列数，不是行数。shape 的第一个数才是行数。",
                  _is_n_columns,
                  example=lambda shop: shop.orders.shape[1]),
        Diagnosis("n_customers", "这是客户表 shop.customers 的行数；题目问的是订单表 shop.orders。",
                  _is_n_customers,
                  example=lambda shop: len(shop.customers)),
        Diagnosis.like("refunds_dropped",
                       "你先筛掉了“退款成功”的订单：这道题问的是订单表一共有多少行，每一行都算，不用筛选。",
                       lambda shop: len(valid(shop.orders))),
    ],
    hints=[
        "每张表都有 .shape 属性，它给出（行数, 列数）两个数。",
        "取 .shape 两个数中的第一个就是行数；也可以用内置函数 len 数表的行数。",
    ],
)


# ---- 0.2: a Series: value_counts ----------------------------------------------------------


def customers_by_channel(shop):
    return shop.customers["acquisition_channel"].value_counts()


EX2 = Exercise(
    id="0.2",
    title="各获客渠道的客户数",
    points=1,
    prompt="客户表 shop.customers 的 acquisition_channel 列记录每位客户第一次从哪个渠道进店。"
           "数一数每个获客渠道各有多少位客户，答案是以渠道为索引的 Series。",
    expected=customers_by_channel,
    comparator=SeriesOf(key_label="渠道"),
    diagnoses=[
        proportions(customers_by_channel, "你给出的是比例（加起来等于 1），题目要的是人数：去掉 normalize=True。"),
        Diagnosis.like("counted_orders",
                       "你数的是订单表里每个渠道的订单数；题目要数客户表 shop.customers 里的客户。",
                       lambda shop: shop.orders["channel"].value_counts()),
    ],
    hints=[
        "先选出一列：shop.customers['acquisition_channel']。",
        "对这一列用 .value_counts()，它会数出每个值出现了几次。",
    ],
)


# ---- 0.3: filter, then groupby ------------------------------------------------------------


def aov_by_channel(shop, valid_only=True, column="net", how="mean", by="channel"):
    """客单价 as the glossary defines it: mean net amount of the valid orders, per channel."""
    o = valid(shop.orders) if valid_only else shop.orders
    o = o.assign(net=net_amount(o))
    return o.groupby(by)[column].agg(how)


def _summed(answer, ctx) -> bool:
    """Summed instead of averaged, on the net or on the paid amount."""
    return any(ctx.same(answer, ctx.variant(f"sum_{column}",
                                            lambda shop, c=column: aov_by_channel(shop, column=c, how="sum")))
               for column in ("net", "paid_amount"))


EX3 = Exercise(
    id="0.3",
    title="各渠道的客单价",
    points=2,
    prompt="算出每个渠道（orders 的 channel 列）的客单价。按术语表：客单价 = 有效订单的消费净额之和 ÷ "
           "有效订单数，即每笔有效订单的平均消费净额；有效订单 = 状态不是“退款成功”的订单，"
           "消费净额 = paid_amount − refund_amount。不限时间（全部订单）。答案是以渠道为索引的 Series（元）。",
    expected=aov_by_channel,
    comparator=SeriesOf(digits=2, key_label="渠道"),
    diagnoses=[
        Diagnosis.like("refunds_included",
                       "把“退款成功”的订单也算进去了：先用 orders[orders['status'] != '退款成功'] 筛选。",
                       lambda shop: aov_by_channel(shop, valid_only=False)),
        Diagnosis.like("refunds_included_paid",
                       "把“退款成功”的订单也算进去了，而且用的是实付金额：先筛掉 status 为“退款成功”的订单，"
                       "再用消费净额 paid_amount − refund_amount 求平均。",
                       lambda shop: aov_by_channel(shop, valid_only=False, column="paid_amount")),
        Diagnosis.like("paid_not_net",
                       "用了实付金额 paid_amount，没有扣除部分退款：客单价按消费净额算，"
                       "先加一列 net = paid_amount − refund_amount。",
                       lambda shop: aov_by_channel(shop, column="paid_amount")),
        Diagnosis("sum_not_mean",
                  "你算的是每个渠道的金额合计（.sum()）；客单价是平均每笔有效订单的消费净额，用 .mean()。",
                  _summed,
                  example=lambda shop: aov_by_channel(shop, how="sum")),
        Diagnosis.like("gross_amount",
                       "用了商品总额 gross_amount（优惠前）；客单价按消费净额 paid_amount − refund_amount 计算。",
                       lambda shop: aov_by_channel(shop, column="gross_amount")),
        Diagnosis("wrong_column",
                  "按 channel_group（来源类型）分组了；题目要按 channel（渠道）分组。",
                  lambda answer, ctx: set(answer.index)
                  <= set(ctx.shop.orders["channel_group"].unique()),
                  example=lambda shop: aov_by_channel(shop, by="channel_group")),
    ],
    hints=[
        "第一步筛选：用布尔条件只保留 status 不是“退款成功”的订单。",
        "第二步用 assign 加一列消费净额：实付金额 paid_amount 减去退款金额 refund_amount。",
        "第三步分组汇总：valid.groupby('channel') 把同一渠道的订单放在一起，选出 net 这一列求平均。",
    ],
)

EXERCISES = [EX1, EX2, EX3]
